//! The example app's entities (`example-app/src/entities/`) as a team without gqlgen would keep
//! them: the same sea-orm 2 models and relations, without GraphQL attributes. `OrderStatus` also
//! derives `async_graphql::Enum`; the GraphQL types are written in `crate::api`.

pub mod category;
pub mod order;
pub mod order_item;
pub mod product;
pub mod product_tag;
pub mod review;
pub mod tag;
pub mod user;
