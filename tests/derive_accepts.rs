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
    //! A key the client chooses is part of the create input, as its value (the object's `id` is
    //! its global id); a model with nothing to write gets
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
        assert!(
            create.contains("code: String\n"),
            "the key's value, not a global id; a required field, nullable so that a missing one \
             is a field error: {create}"
        );
        let object = sdl
            .split("type Country implements Node {")
            .nth(1)
            .expect("a Node");
        assert!(
            object[..object.find('}').unwrap()].contains("id: ID!"),
            "the key reads as the Node's `id` whatever its Rust name: {object}"
        );
        assert!(
            !create.contains("createdAt"),
            "created_at is set by the server: {create}"
        );
        assert!(!sdl.contains("createMarker") && !sdl.contains("MarkerCreateInput"));
        assert!(sdl.contains("deleteMarker(id: ID!)"));
    }
}

#[allow(dead_code)]
#[no_implicit_prelude]
mod hygiene {
    //! Generated code names everything by full path: it compiles in a module without the
    //! prelude, beside local types named like the prelude's. sea-orm's derives (not ours) name
    //! `Result`, `Option`, `Ok`, `Some`, `Clone` and a few more without a path, so this module
    //! imports those and shadows the rest; the enum below, which needs no sea-orm derive,
    //! shadows `Result`, `Option`, `Ok` and `String` too.
    use ::gqlgen_runtime::GraphQLModel;
    use ::sea_orm::entity::prelude::*;
    // What sea-orm's own derives name without a path (`Result` among them, so it cannot be
    // shadowed here; the enum below shadows it).
    use ::sea_orm;
    use ::std;
    use ::std::prelude::rust_2024::{
        Clone, DoubleEndedIterator, Err, ExactSizeIterator, Into, Iterator, None, Ok, Option,
        Result, Sized, Some,
    };
    // Their methods (`.to_owned()`, `.extend(..)` in sea-orm's and async-graphql's expansions),
    // imported without their names.
    use ::std::prelude::rust_2024::{Extend as _, ToOwned as _, ToString as _, TryInto as _};
    use ::std::{format, matches};

    pub struct String;
    pub struct Vec;
    pub struct Box;
    pub struct Default;
    pub struct From;
    pub struct ToString;
    pub struct ToOwned;
    pub struct Send;
    pub struct Sync;
    pub struct PhantomData;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
    #[sea_orm(table_name = "note")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[graphql(filter, order, validate(length(min = 1)))]
        pub title: ::std::string::String,
        #[graphql(filter)]
        pub body: ::std::option::Option<::std::string::String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    ::gqlgen_runtime::query_root!(pub Query { Model });
    ::gqlgen_runtime::mutation_root!(pub Mutation { Model });

    #[::core::prelude::v1::test]
    fn the_schema_builds() {
        let schema = ::gqlgen_runtime::schema::build_with_mutations::<Query, Mutation>(
            ::core::default::Default::default(),
            ::core::default::Default::default(),
        );
        ::std::assert!(schema.sdl().contains("createNote"));
    }

    #[no_implicit_prelude]
    mod enumeration {
        use ::gqlgen_runtime::GraphQLEnum;

        pub struct Result;
        pub struct Option;
        pub struct Ok;
        pub struct String;

        #[derive(
            ::core::clone::Clone,
            ::core::marker::Copy,
            ::core::cmp::PartialEq,
            ::core::cmp::Eq,
            GraphQLEnum,
        )]
        pub enum Status {
            Draft,
            Published,
        }
    }
}
