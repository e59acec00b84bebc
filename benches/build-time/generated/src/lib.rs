//! The example app's seven models as gqlgen generates them: the entity files of
//! `example-app/src/entities/` included unchanged, and the roots built as `example-app/src/lib.rs`
//! builds them. Nothing else of the app (HTTP, accounts, seed) is compiled, so that this crate's
//! build time is the cost of the generated API alone; `build-time-handwritten` is the same API
//! written by hand. `benches/build-time/measure.sh` times both.

#[path = "../../../../example-app/src/entities/mod.rs"]
pub mod entities;
// `tag.rs` names `crate::validators::lowercase` in `validate(custom = ...)`.
#[path = "../../../../example-app/src/validators.rs"]
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
}, me = user::Model);

gqlgen_runtime::mutation_root!(pub Mutation {
    category::Model,
    product::Model,
    tag::Model,
    order::Model,
    order_item::Model,
    review::Model,
});

gqlgen_runtime::subscription_root!(pub Subscription {
    product::Model,
    order::Model,
});

/// The schema of the generated API.
pub type AppSchema = gqlgen_runtime::schema::AppSchema<Query, Mutation, Subscription>;

/// Builds the schema over `db`.
pub fn schema(db: DatabaseConnection, config: Config) -> AppSchema {
    gqlgen_runtime::schema::build_with_subscriptions(db, config, None)
}

/// The SDL of the generated API; the same as `example-app/schema.graphql`.
pub fn sdl() -> String {
    // The schema's shape does not depend on the connection; a disconnected one will do.
    schema(DatabaseConnection::default(), Config::development()).sdl()
}
