use gqlgen_runtime::{GraphQLModel, IsOwnerOrStaff};
use sea_orm::entity::prelude::*;

/// One line of an order.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
#[sea_orm(table_name = "order_item")]
// An item belongs to whoever owns its order: the row scope follows the relation in SQL.
#[graphql(permissions(IsOwnerOrStaff), owner = order, cache(ttl = 60, vary_on_user))]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[graphql(filter(exact, in))]
    pub order_id: i32,
    #[graphql(filter(exact, in))]
    pub product_id: i32,
    #[graphql(filter, order, validate(range(min = 1)))]
    pub quantity: i32,
    /// Price of one unit when the order was placed.
    #[sea_orm(column_type = "Decimal(Some((10, 2)))")]
    #[graphql(filter(gte, lte), order, validate(range(min = 0)))]
    pub unit_price: Decimal,
    #[sea_orm(belongs_to, from = "order_id", to = "id", on_delete = "Cascade")]
    pub order: BelongsTo<super::order::Entity>,
    #[sea_orm(belongs_to, from = "product_id", to = "id")]
    pub product: BelongsTo<super::product::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
