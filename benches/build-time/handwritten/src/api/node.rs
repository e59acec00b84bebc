//! Relay's `Node` interface and the `node` / `nodes` roots, written by hand: an id is
//! `Type:key` (the generated API encodes it as well, which this leaves out).

use async_graphql::{Context, ID, Interface, Object, Result};
use sea_orm::{DatabaseConnection, EntityTrait};

use super::category::Category;
use super::order::Order;
use super::order_item::OrderItem;
use super::product::Product;
use super::review::Review;
use super::tag::Tag;
use super::user::User;
use crate::entities::{category, order, order_item, product, review, tag, user};

/// An object with a global id, which `node(id:)` finds again (Relay's Global Object
/// Identification).
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "The object's global id."))]
pub enum Node {
    Category(Category),
    Order(Order),
    OrderItem(OrderItem),
    Product(Product),
    Review(Review),
    Tag(Tag),
    User(User),
}

/// The `node` and `nodes` roots.
#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// The object whose global id is `id`, of any type; null when it does not exist or the
    /// caller may not see it.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Node>> {
        find(ctx.data::<DatabaseConnection>()?, &id).await
    }

    /// The objects whose global ids are `ids`, in that order, `null` where `node` would be.
    async fn nodes(&self, ctx: &Context<'_>, ids: Vec<ID>) -> Result<Vec<Option<Node>>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let mut out = Vec::with_capacity(ids.len());
        for id in &ids {
            out.push(find(db, id).await?);
        }
        Ok(out)
    }
}

async fn find(db: &DatabaseConnection, id: &ID) -> Result<Option<Node>> {
    let (type_name, key) = id.split_once(':').ok_or("not a valid id")?;
    let key: i32 = key.parse().map_err(|_| "not a valid id")?;
    Ok(match type_name {
        "Category" => category::Entity::find_by_id(key)
            .one(db)
            .await?
            .map(|r| Node::Category(Category(r))),
        "Order" => order::Entity::find_by_id(key)
            .one(db)
            .await?
            .map(|r| Node::Order(Order(r))),
        "OrderItem" => order_item::Entity::find_by_id(key)
            .one(db)
            .await?
            .map(|r| Node::OrderItem(OrderItem(r))),
        "Product" => product::Entity::find_by_id(key)
            .one(db)
            .await?
            .map(|r| Node::Product(Product(r))),
        "Review" => review::Entity::find_by_id(key)
            .one(db)
            .await?
            .map(|r| Node::Review(Review(r))),
        "Tag" => tag::Entity::find_by_id(key)
            .one(db)
            .await?
            .map(|r| Node::Tag(Tag(r))),
        "User" => user::Entity::find_by_id(key)
            .one(db)
            .await?
            .map(|r| Node::User(User(r))),
        _ => return Err("not a valid id".into()),
    })
}
