//! # gqlgen runtime
//!
//! `#[derive(GraphQLModel)]` on a sea-orm entity declares GraphQL types; everything those types
//! do at run time lives here, in small modules named by what they do. A user depends on this
//! crate alone: it re-exports the derive, and generated code reaches its dependencies only
//! through the hidden [`__private`] path.
//!
//! ```
//! # mod product {
//! # use sea_orm::entity::prelude::*;
//! #[sea_orm::model]
//! #[derive(Clone, Debug, PartialEq, DeriveEntityModel, gqlgen_runtime::GraphQLModel)]
//! #[sea_orm(table_name = "product")]
//! pub struct Model {
//!     #[sea_orm(primary_key)]
//!     pub id: i32,
//!     /// The product's display name.
//!     #[graphql(filter(exact, icontains), order)]
//!     pub name: String,
//! }
//! # impl ActiveModelBehavior for ActiveModel {}
//! # }
//!
//! gqlgen_runtime::query_root!(pub Query { product::Model });
//!
//! # fn main() {
//! let schema = gqlgen_runtime::schema::build::<Query>(
//!     sea_orm::DatabaseConnection::default(), // disconnected: enough to print the SDL
//!     gqlgen_runtime::Config::development(),
//! );
//! assert!(schema.sdl().contains("name_Icontains: String"));
//! # }
//! ```
//!
//! ## Where to look
//!
//! - Serving: [`schema`] builds the schema from the roots of [`query_root!`] and
//!   [`mutation_root!`]; [`http`] serves it with axum (JWT, limits, errors, shutdown); [`db`]
//!   opens the pool; [`config`] holds every setting and its profile defaults.
//! - Who may do what: [`auth`] (tokens, the caller), [`permission`] and [`policy`] (the
//!   `permissions(...)` of a model), [`rate_limit`] and [`limits`] (what one request or client
//!   may cost).
//! - Models: [`GraphQLModel`] and [`GraphQLMutations`] are what the derive implements;
//!   [`validate`] and [`ModelValidator`] check inputs; [`error`] gives every error its code.
//! - Your own fields: [`resolver`] serves hand-written resolvers merged into the roots
//!   (`query_root!(…, custom = [MyQuery])`) with the generated fields' paging, filters and row
//!   scopes; [`global_id`] reads and writes the ids.
//! - Subscriptions: [`subscription`] serves the fields of `subscriptions(...)` over the events
//!   [`events`] carries from writes; [`http`] serves them at `/graphql/ws`.
//! - Documentation: [`docs`] writes Markdown pages of the API from its schema.
//! - Tests: `testing` (the `testing` cargo feature) starts the router on a port, logs in,
//!   checks answers and counts SQL statements; docs/testing.md shows it.
//!
//! The read pipeline (`plan` → `fetch` → `render`), connections, filters, orderings, the
//! mutation functions and the other modules that only generated code calls are hidden from
//! these pages (generated code reaches them through `__private`); docs/performance.md and
//! docs/mutations.md describe what they do.

#![warn(missing_docs)]

#[doc(hidden)]
pub mod aggregate;
pub mod auth;
pub mod cache;
pub mod config;
#[doc(hidden)]
pub mod connection;
pub mod db;
pub mod docs;
#[doc(hidden)]
pub mod enumeration;
pub mod error;
pub mod events;
#[doc(hidden)]
pub mod fetch;
#[doc(hidden)]
pub mod filter;
pub mod global_id;
pub mod health;
pub mod http;
pub mod limits;
#[doc(hidden)]
pub mod model;
#[doc(hidden)]
pub mod mutation;
pub mod node;
pub mod observe;
#[doc(hidden)]
pub mod order;
pub mod permission;
pub mod persisted;
#[doc(hidden)]
pub mod plan;
pub mod policy;
#[doc(hidden)]
pub mod query;
pub mod rate_limit;
mod registry;
#[doc(hidden)]
pub mod relation;
#[doc(hidden)]
pub mod render;
pub mod resolver;
pub mod schema;
mod stub;
pub mod subscription;
#[cfg(feature = "testing")]
pub mod testing;
pub mod validate;

pub use async_graphql::{Context, ID};
pub use auth::{AuthUser, Caller, UserStore};
pub use config::Config;
pub use error::{ErrorCode, GqlError};
pub use gqlgen_derive::{GraphQLEnum, GraphQLModel};
pub use model::{GraphQLModel, GraphQLMutations, GraphQLSubscriptions};
pub use permission::{
    AllowAny, HasPermission, IsAdminOrReadOnly, IsAuthenticated, IsAuthenticatedOrReadOnly,
    IsOwnerOrReadOnly, IsOwnerOrStaff, Permission,
};
pub use validate::{FieldError, FieldErrors, ModelValidator, NoValidator};

/// The result type of computed-field methods and runtime resolvers.
pub type Result<T, E = async_graphql::Error> = std::result::Result<T, E>;

/// What generated code calls. Not a public API: its shape changes with the derive, which is
/// pinned to this crate's exact version.
#[doc(hidden)]
pub mod __private {
    pub use crate::__stub_enum as stub_enum;
    pub use crate::__stub_model as stub_model;
    pub use crate::aggregate;
    pub use crate::auth::Caller;
    pub use crate::cache;
    pub use crate::connection::{self, Connection, PageArgs};
    pub use crate::enumeration;
    pub use crate::error::{GqlError, ensure_code};
    pub use crate::events;
    pub use crate::filter::{self, FilterInput, FilterPrefix, Lookup, RelatedFilter};
    pub use crate::model::{self, GraphQLModel, GraphQLMutations, GraphQLSubscriptions};
    pub use crate::mutation::{self, Link, MutationInput, Outcome, Reference};
    pub use crate::order::{self, OrderDirection, OrderInput};
    pub use crate::permission::{self, Permission};
    pub use crate::plan::{self, FieldInfo, FieldKind, Fields, RelationShape};
    pub use crate::query;
    pub use crate::relation::RelationSpec;
    pub use crate::render;
    pub use crate::stub::Unavailable;
    pub use crate::subscription;
    pub use crate::validate::{self, FieldError, FieldErrors};
    pub use async_graphql;
    pub use futures_util;
    pub use sea_orm;
}

#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

#[cfg(doctest)]
#[doc = include_str!("../../docs/guide.md")]
pub struct GuideDoctests;

#[cfg(doctest)]
#[doc = include_str!("../../docs/attributes.md")]
pub struct AttributesDoctests;

#[cfg(doctest)]
#[doc = include_str!("../../docs/mutations.md")]
pub struct MutationsDoctests;

#[cfg(doctest)]
#[doc = include_str!("../../docs/validation.md")]
pub struct ValidationDoctests;

#[cfg(doctest)]
#[doc = include_str!("../../docs/testing.md")]
pub struct TestingDoctests;

#[cfg(doctest)]
#[doc = include_str!("../../docs/subscriptions.md")]
pub struct SubscriptionsDoctests;

#[cfg(doctest)]
#[doc = include_str!("../../docs/security.md")]
pub struct SecurityDoctests;
