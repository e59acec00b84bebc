//! Compile errors of `default`, `default_fn` and `staff_sets_owner`. Each module is one case;
//! the expected errors of all of them are in `defaults.stderr`, each at its case's span.

mod default_and_default_fn {
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
            #[graphql(default, default_fn = Uuid::new_v4)]
            pub sku: Uuid,
        }
        impl ActiveModelBehavior for ActiveModel {}
    }
}

mod default_on_columns_the_client_does_not_write {
    use gqlgen_runtime::GraphQLModel;
    mod product {
        use super::*;
        use sea_orm::entity::prelude::*;
        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "product")]
        #[graphql(owner = owner_id)]
        pub struct Model {
            #[sea_orm(primary_key)]
            #[graphql(default = 0)]
            pub id: i32,
            #[graphql(default = 1)]
            pub owner_id: i32,
            #[graphql(default)]
            pub note: Option<String>,
            #[graphql(skip, default)]
            pub secret: String,
        }
        impl ActiveModelBehavior for ActiveModel {}
    }
}

mod staff_sets_owner_without_owner {
    use gqlgen_runtime::GraphQLModel;
    mod product {
        use super::*;
        use sea_orm::entity::prelude::*;
        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "product")]
        #[graphql(staff_sets_owner)]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub owner_id: i32,
        }
        impl ActiveModelBehavior for ActiveModel {}
    }
}

fn main() {}
