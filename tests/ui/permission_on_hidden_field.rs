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
fn main() {}
