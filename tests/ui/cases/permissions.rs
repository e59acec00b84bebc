//! Compile errors of `permissions(...)`, `permission = "..."` and `owner = ...`. Each module is one case; the expected errors of all of them
//! are in `permissions.stderr`, each at its case's span.

mod owner_unknown {
    use gqlgen_runtime::{GraphQLModel, IsOwnerOrReadOnly};
    mod product {
        use super::*;
        use sea_orm::entity::prelude::*;
        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "product")]
        #[graphql(permissions(IsOwnerOrReadOnly), owner = ownr_id)]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub owner_id: i32,
        }
        impl ActiveModelBehavior for ActiveModel {}
    }
}

mod permission_codename_malformed {
    use gqlgen_runtime::GraphQLModel;
    mod user {
        use super::*;
        use sea_orm::entity::prelude::*;
        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "user")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            #[graphql(permission = "view email")]
            pub email: String,
        }
        impl ActiveModelBehavior for ActiveModel {}
    }
}

mod permission_needs_owner {
    use gqlgen_runtime::{GraphQLModel, IsOwnerOrReadOnly};
    mod product {
        use super::*;
        use sea_orm::entity::prelude::*;
        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "product")]
        #[graphql(permissions(IsOwnerOrReadOnly))]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub owner_id: i32,
        }
        impl ActiveModelBehavior for ActiveModel {}
    }
}

mod permission_on_hidden_field {
    use gqlgen_runtime::GraphQLModel;
    mod user {
        use super::*;
        use sea_orm::entity::prelude::*;
        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "user")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            #[graphql(skip, permission = "users.view_user_secret")]
            pub secret: String,
        }
        impl ActiveModelBehavior for ActiveModel {}
    }
}

mod permissions_empty {
    use gqlgen_runtime::GraphQLModel;
    mod product {
        use super::*;
        use sea_orm::entity::prelude::*;
        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "product")]
        #[graphql(permissions())]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
        }
        impl ActiveModelBehavior for ActiveModel {}
    }
}

fn main() {}
