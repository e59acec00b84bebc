//! Compile errors of `fields(...)`, `exclude(...)` and `skip`. Each module is one case; the expected errors of all of them
//! are in `fields.stderr`, each at its case's span.

mod fields_and_exclude {
    use gqlgen_runtime::GraphQLModel;
    mod product {
        use super::*;
        use sea_orm::entity::prelude::*;
        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "product")]
        #[graphql(fields(id, name), exclude(stock))]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub name: String,
            pub stock: i32,
        }
        impl ActiveModelBehavior for ActiveModel {}
    }
}

mod fields_unknown {
    use gqlgen_runtime::GraphQLModel;
    mod product {
        use super::*;
        use sea_orm::entity::prelude::*;
        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "product")]
        #[graphql(fields(id, nmae))]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub name: String,
            pub stock: i32,
        }
        impl ActiveModelBehavior for ActiveModel {}
    }
}

mod exclude_unknown {
    use gqlgen_runtime::GraphQLModel;
    mod product {
        use super::*;
        use sea_orm::entity::prelude::*;
        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "product")]
        #[graphql(exclude(stok))]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub name: String,
            pub stock: i32,
        }
        impl ActiveModelBehavior for ActiveModel {}
    }
}

mod excluded_field_ordered {
    use gqlgen_runtime::GraphQLModel;
    mod product {
        use super::*;
        use sea_orm::entity::prelude::*;
        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "product")]
        #[graphql(exclude(stock))]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub name: String,
            #[graphql(order)]
            pub stock: i32,
        }
        impl ActiveModelBehavior for ActiveModel {}
    }
}

mod skipped_primary_key {
    use gqlgen_runtime::GraphQLModel;

    mod product {
        use super::*;
        use sea_orm::entity::prelude::*;

        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "product")]
        pub struct Model {
            #[sea_orm(primary_key)]
            #[graphql(skip)]
            pub id: i32,
            pub name: String,
        }

        impl ActiveModelBehavior for ActiveModel {}
    }
}

mod skip_with_filter {
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
            #[graphql(skip, filter(exact), order)]
            pub name: String,
            pub stock: i32,
        }
        impl ActiveModelBehavior for ActiveModel {}
    }
}

fn main() {}
