//! The compact (1.x) entity format works too; this case must compile.
use gqlgen_runtime::GraphQLModel;

mod note {
    use super::*;
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
    #[sea_orm(table_name = "note")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[graphql(filter, order)]
        pub title: String,
        #[graphql(filter)]
        pub body: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

gqlgen_runtime::query_root!(pub Query { note::Model });

fn main() {
    let sdl = gqlgen_runtime::schema::build::<Query>(Default::default(), Default::default()).sdl();
    assert!(sdl.contains("title_Istartswith"));
    assert!(sdl.contains("body_Isnull"));
}
