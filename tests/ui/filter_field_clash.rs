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
        #[graphql(filter(exact))]
        pub owner_id: i32,
        #[graphql(filter(exact))]
        pub owner: String,
        #[graphql(filter(exact))]
        pub not: bool,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

fn main() {}
