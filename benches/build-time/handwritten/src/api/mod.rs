//! The GraphQL API of the seven models, written by hand: one module per model with its object
//! type, `XFilter` and `XOrderBy` inputs, root fields and mutations, and the roots that merge
//! them.

pub mod category;
pub mod common;
pub mod loaders;
pub mod node;
pub mod order;
pub mod order_item;
pub mod product;
pub mod review;
pub mod tag;
pub mod user;

use async_graphql::dataloader::DataLoader;
use async_graphql::{EmptySubscription, MergedObject, Schema};
use sea_orm::DatabaseConnection;

/// The query root: the root fields of every model.
#[derive(MergedObject, Default)]
pub struct Query(
    user::UserQuery,
    category::CategoryQuery,
    product::ProductQuery,
    tag::TagQuery,
    order::OrderQuery,
    order_item::OrderItemQuery,
    review::ReviewQuery,
    node::NodeQuery,
);

/// The mutation root: the mutations of every model.
#[derive(MergedObject, Default)]
pub struct Mutation(
    category::CategoryMutation,
    product::ProductMutation,
    tag::TagMutation,
    order::OrderMutation,
    order_item::OrderItemMutation,
    review::ReviewMutation,
);

/// The schema of the hand-written API.
pub type AppSchema = Schema<Query, Mutation, EmptySubscription>;

/// Builds the schema over `db`, with a loader per belongs-to target.
pub fn schema(db: DatabaseConnection) -> AppSchema {
    Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .data(DataLoader::new(
            loaders::CategoryById(db.clone()),
            tokio::spawn,
        ))
        .data(DataLoader::new(loaders::UserById(db.clone()), tokio::spawn))
        .data(DataLoader::new(
            loaders::ProductById(db.clone()),
            tokio::spawn,
        ))
        .data(DataLoader::new(
            loaders::OrderById(db.clone()),
            tokio::spawn,
        ))
        .data(db)
        .finish()
}
