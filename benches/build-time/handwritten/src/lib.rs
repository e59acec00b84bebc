//! The example app's API written by hand with async-graphql and sea-orm, as a team without gqlgen
//! would write it: the other side of the build-time comparison in `benches/build-time/`
//! (`measure.sh` times this crate against `build-time-generated`, which derives the same API from
//! the example app's entities).
//!
//! It offers the types and fields of `example-app/schema.graphql` for the seven models (the test
//! `tests/schema.rs` checks every field and argument, `tests/entities.rs` that the entities are
//! the example app's, `tests/smoke.rs` runs a few operations), with real sea-orm resolvers: for
//! each model the object type and its relation fields (belongs-to through an
//! [`async_graphql::dataloader`] loader, has-many and many-to-many as connections), the `XFilter`
//! input with the same lookups, those through relations as subqueries, and `and`/`or`/`not`
//! translated to a sea-orm `Condition`, the `XOrderBy` input, the list field as a Relay
//! connection paged by offsets with `totalCount`, the detail field, `me`, and create, update and
//! delete of one row or many with the payloads, field errors and rules the entity attributes
//! declare: required fields and defaults, length, range, email, url, regex, the custom
//! `lowercase`, the product's cross-field rule, HTML sanitising, reference and uniqueness
//! checks, the owner column set to the caller (`staff_sets_owner` on products), and bulk
//! mutations refusing an empty filter.
//!
//! What it leaves out, which gqlgen's runtime does and a real app would have to add:
//!
//! - authentication: `tokenAuth`, `refreshToken`, `revokeToken` and their `TokenPair` and
//!   `RevokePayload`; the caller is whatever [`api::common::Caller`] the server puts in the
//!   request's data;
//! - permissions: the model permissions (`IsAdminOrReadOnly`, `IsOwnerOrStaff`,
//!   `IsOwnerOrReadOnly`), owner row scopes on reads and writes, and the field permission on
//!   `User.email`, which is always readable here;
//! - rate limits, query depth and cost limits, batch size limits, and the HTTP layer;
//! - gqlgen's read plan: relations here are resolved field by field (a DataLoader batch per
//!   belongs-to, one statement per parent for has-many connections), `totalCount` is always
//!   counted, and cursors are plain offsets rather than opaque ones tied to the order.

// A connection field's resolver takes its six GraphQL arguments besides `self` and the context.
#![allow(clippy::too_many_arguments)]

pub mod api;
pub mod entities;
pub mod validators;

pub use api::{AppSchema, schema};

/// The SDL of the hand-written API.
pub fn sdl() -> String {
    // The schema's shape does not depend on the connection; a disconnected one will do.
    schema(sea_orm::DatabaseConnection::default()).sdl()
}
