//! Compile errors of types that do not implement what an attribute names: type errors, reported after expansion, at the user's span. Each module is one case; the expected errors of all of them
//! are in `trait_bounds.stderr`, each at its case's span.

mod computed_without_method {
    use gqlgen_runtime::GraphQLModel;
    mod product {
        use super::*;
        use sea_orm::entity::prelude::*;
        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "product")]
        #[graphql(computed(discount: i32))]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub name: String,
            pub stock: i32,
        }
        impl ActiveModelBehavior for ActiveModel {}
    }
}

mod permission_not_implemented {
    use gqlgen_runtime::GraphQLModel;
    /// Not a permission: it implements nothing.
    pub struct StaffOnly;
    mod product {
        use super::*;
        use sea_orm::entity::prelude::*;
        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "product")]
        #[graphql(permissions(StaffOnly))]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub name: String,
        }
        impl ActiveModelBehavior for ActiveModel {}
    }
}

mod validator_not_implemented {
    use gqlgen_runtime::GraphQLModel;

    mod product {
        use super::*;
        use sea_orm::entity::prelude::*;

        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "product")]
        #[graphql(validator = Rules)]
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

mod cleaner_of_another_type {
    use gqlgen_runtime::GraphQLModel;
    /// Returns a number for a text column.
    pub fn count_words(value: &str) -> Result<usize, String> {
        Ok(value.split_whitespace().count())
    }
    mod product {
        use super::*;
        use sea_orm::entity::prelude::*;
        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "product")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            #[graphql(validate(clean = count_words))]
            pub name: String,
        }
        impl ActiveModelBehavior for ActiveModel {}
    }
}

mod subscriptions_not_declared {
    mod tag {
        use gqlgen_runtime::GraphQLModel;
        use sea_orm::entity::prelude::*;
        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "tag")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
        }
        impl ActiveModelBehavior for ActiveModel {}
    }

    gqlgen_runtime::subscription_root!(pub Subscription { tag::Model });
}
