//! The example app of gqlgen: an e-commerce API generated from sea-orm entities, with its
//! database set-up, deterministic seed data and command line.

pub mod cli;
pub mod entities;
pub mod migrate;
pub mod seed;
pub mod validators;

use entities::*;
use gqlgen_runtime::Config;
use sea_orm::DatabaseConnection;

gqlgen_runtime::query_root!(pub Query {
    user::Model,
    category::Model,
    product::Model,
    tag::Model,
    order::Model,
    order_item::Model,
    review::Model,
});

gqlgen_runtime::mutation_root!(pub Mutation {
    category::Model,
    product::Model,
    tag::Model,
    order::Model,
    order_item::Model,
    review::Model,
});

/// The example app's schema.
pub type AppSchema = gqlgen_runtime::schema::AppSchema<Query, Mutation>;

/// Builds the schema over `db`.
pub fn schema(db: DatabaseConnection, config: Config) -> AppSchema {
    gqlgen_runtime::schema::build_with_mutations::<Query, Mutation>(db, config)
}

/// The router serving the schema over `db`.
pub fn router(db: DatabaseConnection, config: Config) -> axum::Router {
    gqlgen_runtime::http::router(schema(db, config.clone()), config)
}

/// The SDL of the schema, as committed in `example-app/schema.graphql`.
pub fn sdl() -> String {
    // The schema's shape does not depend on the connection; a disconnected one will do.
    schema(DatabaseConnection::default(), Config::development()).sdl()
}
