use gqlgen_runtime::{Context, GraphQLEnum, GraphQLModel, IsOwnerOrStaff};
use sea_orm::entity::prelude::*;
use sea_orm::{DatabaseConnection, QuerySelect};

/// Where an order is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, GraphQLEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum OrderStatus {
    /// Placed, not paid yet.
    #[sea_orm(string_value = "pending")]
    Pending,
    #[sea_orm(string_value = "paid")]
    Paid,
    #[sea_orm(string_value = "shipped")]
    Shipped,
    #[sea_orm(string_value = "delivered")]
    Delivered,
    #[sea_orm(string_value = "cancelled")]
    Cancelled,
}

/// A customer's order.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
#[sea_orm(table_name = "orders")]
#[graphql(
    name = "Order",
    permissions(IsOwnerOrStaff),
    owner = user_id,
    computed(total_amount: Decimal, item_count: i64, status_display: String),
    subscriptions(created, updated, deleted),
    cache(ttl = 60, vary_on_user))]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The customer.
    #[graphql(filter(exact, in))]
    pub user_id: i32,
    #[graphql(filter(exact, in), order, default = OrderStatus::Pending)]
    pub status: OrderStatus,
    /// A note from the customer.
    #[graphql(filter(icontains, isnull), sanitize_html, validate(length(max = 500)))]
    pub note: Option<String>,
    /// Where to send news of the order; stored trimmed and lower-cased.
    #[graphql(validate(clean = crate::validators::normalised_email, email))]
    pub contact_email: Option<String>,
    #[graphql(filter(gte, lte, range), order)]
    pub created_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "user_id", to = "id")]
    pub user: BelongsTo<super::user::Entity>,
    #[sea_orm(has_many)]
    pub items: HasMany<super::order_item::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}

/// Sum and count of an order's items, in one statement.
#[derive(Debug, sea_orm::FromQueryResult)]
struct ItemTotals {
    total: Option<Decimal>,
    count: Option<i64>,
}

impl Model {
    async fn item_totals(&self, ctx: &Context<'_>) -> gqlgen_runtime::Result<ItemTotals> {
        use super::order_item;
        use sea_orm::sea_query::{Expr, ExprTrait};
        let db = ctx.data::<DatabaseConnection>()?;
        let totals = order_item::Entity::find()
            .select_only()
            .column_as(
                Expr::col(order_item::Column::Quantity)
                    .mul(Expr::col(order_item::Column::UnitPrice))
                    .sum(),
                "total",
            )
            .column_as(
                Expr::col(order_item::Column::Quantity)
                    .sum()
                    .cast_as("bigint"),
                "count",
            )
            .filter(order_item::Column::OrderId.eq(self.id))
            .into_model::<ItemTotals>()
            .one(db)
            .await
            .map_err(gqlgen_runtime::GqlError::from)?;
        Ok(totals.unwrap_or(ItemTotals {
            total: None,
            count: None,
        }))
    }

    /// The order's total: quantity times unit price over its items.
    pub async fn total_amount(&self, ctx: &Context<'_>) -> gqlgen_runtime::Result<Decimal> {
        Ok(self.item_totals(ctx).await?.total.unwrap_or_default())
    }

    /// Units over all items.
    pub async fn item_count(&self, ctx: &Context<'_>) -> gqlgen_runtime::Result<i64> {
        Ok(self.item_totals(ctx).await?.count.unwrap_or_default())
    }

    /// The status as shown to people.
    pub async fn status_display(&self, _ctx: &Context<'_>) -> gqlgen_runtime::Result<String> {
        Ok(match self.status {
            OrderStatus::Pending => "Pending payment",
            OrderStatus::Paid => "Paid",
            OrderStatus::Shipped => "Shipped",
            OrderStatus::Delivered => "Delivered",
            OrderStatus::Cancelled => "Cancelled",
        }
        .to_owned())
    }
}
