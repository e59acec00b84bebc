//! A key the client chooses is part of the create input; a model with nothing to write gets
//! no create or update mutation (an input object needs a field), but still its delete.
use gqlgen_runtime::GraphQLModel;

mod country {
    use super::*;
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
    #[sea_orm(table_name = "country")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub code: String,
        pub name: String,
        pub created_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

mod marker {
    use super::*;
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
    #[sea_orm(table_name = "marker")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

gqlgen_runtime::query_root!(pub Query { country::Model, marker::Model });
gqlgen_runtime::mutation_root!(pub Mutation { country::Model, marker::Model });

fn main() {
    let sdl = gqlgen_runtime::schema::build_with_mutations::<Query, Mutation>(
        Default::default(),
        gqlgen_runtime::Config::development(),
    )
    .sdl();
    let create = sdl.split("input CountryCreateInput {").nth(1).expect("a create input");
    let create = &create[..create.find('}').unwrap()];
    assert!(create.contains("code: ID!"), "{create}");
    assert!(!create.contains("createdAt"), "created_at is set by the server: {create}");
    assert!(!sdl.contains("createMarker") && !sdl.contains("MarkerCreateInput"));
    assert!(sdl.contains("deleteMarker(id: ID!)"));
}
