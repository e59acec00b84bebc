//! Compile errors of `validate(...)` and `validator = ...`. Each module is one case; the expected errors of all of them
//! are in `validation.stderr`, each at its case's span.

mod validate_bad_regex {
    use gqlgen_runtime::GraphQLModel;

    mod product {
        use super::*;
        use sea_orm::entity::prelude::*;

        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "product")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            #[graphql(validate(regex = "([a-z"))]
            pub name: String,
            pub stock: i32,
        }

        impl ActiveModelBehavior for ActiveModel {}
    }
}

mod validate_bounds {
    use gqlgen_runtime::GraphQLModel;

    mod product {
        use super::*;
        use sea_orm::entity::prelude::*;

        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "product")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            #[graphql(validate(length(min = 10, max = 2)))]
            pub name: String,
            #[graphql(validate(range(min = 5, max = 1)))]
            pub stock: i32,
        }

        impl ActiveModelBehavior for ActiveModel {}
    }
}

mod validate_empty_bounds {
    use gqlgen_runtime::GraphQLModel;

    mod product {
        use super::*;
        use sea_orm::entity::prelude::*;

        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "product")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            #[graphql(validate(length(), regex = "^a"))]
            pub name: String,
            pub stock: i32,
        }

        impl ActiveModelBehavior for ActiveModel {}
    }
}

mod validate_not_a_number {
    use gqlgen_runtime::GraphQLModel;

    mod product {
        use super::*;
        use sea_orm::entity::prelude::*;

        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "product")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            #[graphql(validate(length(min = "one")))]
            pub name: String,
            pub stock: i32,
        }

        impl ActiveModelBehavior for ActiveModel {}
    }
}

mod validate_type_mismatch {
    use gqlgen_runtime::GraphQLModel;

    mod product {
        use super::*;
        use sea_orm::entity::prelude::*;

        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "product")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            #[graphql(validate(range(min = 1)))]
            pub name: String,
            #[graphql(validate(length(max = 5), email), sanitize_html)]
            pub stock: i32,
        }

        impl ActiveModelBehavior for ActiveModel {}
    }
}

mod validate_unknown {
    use gqlgen_runtime::GraphQLModel;

    mod product {
        use super::*;
        use sea_orm::entity::prelude::*;

        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "product")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub name: String,
            #[graphql(validate(rnage(min = 0)))]
            pub stock: i32,
        }

        impl ActiveModelBehavior for ActiveModel {}
    }
}

mod validator_without_mutations {
    use gqlgen_runtime::GraphQLModel;

    mod product {
        use super::*;
        use sea_orm::entity::prelude::*;

        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "product")]
        #[graphql(mutations(delete), validator = Rules)]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub name: String,
            pub stock: i32,
        }

        impl ActiveModelBehavior for ActiveModel {}

        pub struct Rules;
    }
}

fn main() {}
