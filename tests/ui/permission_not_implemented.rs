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
fn main() {}
