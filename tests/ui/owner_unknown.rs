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
fn main() {}
