//! Models the derive must accept, built with the tests rather than through trybuild (which
//! then checks its compile-fail cases with `cargo check` instead of building every
//! dependency): each module compiles a schema from them and checks its SDL.

mod compact_format {
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

    #[test]
    fn compact_format_schema() {
        let sdl =
            gqlgen_runtime::schema::build::<Query>(Default::default(), Default::default()).sdl();
        assert!(sdl.contains("title_Istartswith"));
        assert!(sdl.contains("body_Isnull"));
    }
}

mod keys_and_inputs {
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

    #[test]
    fn keys_and_inputs_schema() {
        let sdl = gqlgen_runtime::schema::build_with_mutations::<Query, Mutation>(
            Default::default(),
            gqlgen_runtime::Config::development(),
        )
        .sdl();
        let create = sdl
            .split("input CountryCreateInput {")
            .nth(1)
            .expect("a create input");
        let create = &create[..create.find('}').unwrap()];
        assert!(create.contains("code: ID!"), "{create}");
        assert!(
            !create.contains("createdAt"),
            "created_at is set by the server: {create}"
        );
        assert!(!sdl.contains("createMarker") && !sdl.contains("MarkerCreateInput"));
        assert!(sdl.contains("deleteMarker(id: ID!)"));
    }
}
