//! `Order`: the object with its computed totals, its filter and order inputs, its root fields
//! and its mutations.

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    EntityTrait, FromQueryResult, IntoActiveModel, ModelTrait, QueryFilter, QuerySelect, Select,
    TransactionTrait,
};

use super::common::*;
use super::loaders::UserById;
use super::order_item::{OrderItem, OrderItemFilter, OrderItemOrderBy};
use super::user::User;
use crate::entities::order::OrderStatus;
use crate::entities::{order, order_item};

/// A customer's order.
pub struct Order(pub order::Model);

impl From<order::Model> for Order {
    fn from(row: order::Model) -> Self {
        Order(row)
    }
}

/// Sum and count of an order's items, in one statement.
#[derive(Debug, FromQueryResult)]
struct ItemTotals {
    total: Option<Decimal>,
    count: Option<i64>,
}

impl Order {
    async fn item_totals(&self, ctx: &Context<'_>) -> Result<ItemTotals> {
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
            .filter(order_item::Column::OrderId.eq(self.0.id))
            .into_model::<ItemTotals>()
            .one(db)
            .await?;
        Ok(totals.unwrap_or(ItemTotals {
            total: None,
            count: None,
        }))
    }
}

#[Object]
impl Order {
    pub async fn id(&self) -> ID {
        self.0.id.into()
    }

    /// The customer.
    async fn user_id(&self) -> ID {
        self.0.user_id.into()
    }

    async fn status(&self) -> OrderStatus {
        self.0.status
    }

    /// A note from the customer.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    /// Where to send news of the order.
    async fn contact_email(&self) -> Option<&str> {
        self.0.contact_email.as_deref()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// The order's total: quantity times unit price over its items.
    async fn total_amount(&self, ctx: &Context<'_>) -> Result<Decimal> {
        Ok(self.item_totals(ctx).await?.total.unwrap_or_default())
    }

    /// Units over all items.
    async fn item_count(&self, ctx: &Context<'_>) -> Result<i64> {
        Ok(self.item_totals(ctx).await?.count.unwrap_or_default())
    }

    /// The status as shown to people.
    async fn status_display(&self) -> &'static str {
        match self.0.status {
            OrderStatus::Pending => "Pending payment",
            OrderStatus::Paid => "Paid",
            OrderStatus::Shipped => "Shipped",
            OrderStatus::Delivered => "Delivered",
            OrderStatus::Cancelled => "Cancelled",
        }
    }

    async fn user(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let loader = ctx.data::<DataLoader<UserById>>()?;
        Ok(loader.load_one(self.0.user_id).await?.map(User))
    }

    async fn items(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<OrderItemFilter>,
        order_by: Option<Vec<OrderItemOrderBy>>,
    ) -> Result<Page<OrderItem>> {
        let select = order_item::Entity::find().filter(order_item::Column::OrderId.eq(self.0.id));
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        super::order_item::page(ctx.data()?, select, args, filter, order_by).await
    }
}

/// Selects `Order` rows; every field set must hold.
#[derive(InputObject, Clone, Default)]
pub struct OrderFilter {
    pub id: Option<ID>,
    #[graphql(name = "id_In")]
    pub id_in: Option<Vec<ID>>,
    pub user: Option<ID>,
    #[graphql(name = "user_In")]
    pub user_in: Option<Vec<ID>>,
    pub status: Option<OrderStatus>,
    #[graphql(name = "status_In")]
    pub status_in: Option<Vec<OrderStatus>>,
    #[graphql(name = "note_Icontains")]
    pub note_icontains: Option<String>,
    #[graphql(name = "note_Isnull")]
    pub note_isnull: Option<bool>,
    #[graphql(name = "createdAt_Gte")]
    pub created_at_gte: Option<DateTime<Utc>>,
    #[graphql(name = "createdAt_Lte")]
    pub created_at_lte: Option<DateTime<Utc>>,
    #[graphql(name = "createdAt_Range")]
    pub created_at_range: Option<Vec<DateTime<Utc>>>,
    /// Every filter of the list holds.
    pub and: Option<Vec<OrderFilter>>,
    /// At least one filter of the list holds.
    pub or: Option<Vec<OrderFilter>>,
    /// The filter does not hold.
    pub not: Option<Box<OrderFilter>>,
}

impl OrderFilter {
    pub fn condition(&self) -> Result<Condition> {
        use order::Column;
        let mut all = Condition::all();
        if let Some(id) = &self.id {
            all = all.add(Column::Id.eq(parse_id(id)?));
        }
        if let Some(ids) = &self.id_in {
            all = all.add(Column::Id.is_in(parse_ids(ids)?));
        }
        if let Some(id) = &self.user {
            all = all.add(Column::UserId.eq(parse_id(id)?));
        }
        if let Some(ids) = &self.user_in {
            all = all.add(Column::UserId.is_in(parse_ids(ids)?));
        }
        if let Some(status) = self.status {
            all = all.add(Column::Status.eq(status));
        }
        if let Some(statuses) = &self.status_in {
            all = all.add(Column::Status.is_in(statuses.iter().copied()));
        }
        if let Some(text) = &self.note_icontains {
            all = all.add(icontains(Column::Note, text));
        }
        if let Some(null) = self.note_isnull {
            all = all.add(isnull(Column::Note, null));
        }
        if let Some(at) = self.created_at_gte {
            all = all.add(Column::CreatedAt.gte(at));
        }
        if let Some(at) = self.created_at_lte {
            all = all.add(Column::CreatedAt.lte(at));
        }
        if let Some(bounds) = &self.created_at_range {
            all = all.add(range(Column::CreatedAt, bounds)?);
        }
        if let Some(filters) = &self.and {
            for filter in filters {
                all = all.add(filter.condition()?);
            }
        }
        if let Some(filters) = &self.or {
            let mut any = Condition::any();
            for filter in filters {
                any = any.add(filter.condition()?);
            }
            all = all.add(any);
        }
        if let Some(filter) = &self.not {
            all = all.add(filter.condition()?.not());
        }
        Ok(all)
    }
}

/// One sort key of `Order`: set exactly one field. The id breaks ties.
#[derive(InputObject)]
pub struct OrderOrderBy {
    pub id: Option<OrderDirection>,
    pub status: Option<OrderDirection>,
    pub created_at: Option<OrderDirection>,
}

impl OrderOrderBy {
    fn key(&self) -> Result<(order::Column, OrderDirection)> {
        use order::Column;
        order_key(vec![
            (Column::Id, self.id),
            (Column::Status, self.status),
            (Column::CreatedAt, self.created_at),
        ])
    }
}

/// A page of `select` with a connection field's filter and order.
pub async fn page(
    db: &DatabaseConnection,
    select: Select<order::Entity>,
    args: PageArgs,
    filter: Option<OrderFilter>,
    order_by: Option<Vec<OrderOrderBy>>,
) -> Result<Page<Order>> {
    let mut select = select;
    if let Some(filter) = filter {
        select = select.filter(filter.condition()?);
    }
    let keys = order_by
        .unwrap_or_default()
        .iter()
        .map(OrderOrderBy::key)
        .collect::<Result<_>>()?;
    let select = ordered(select, keys, order::Column::Id);
    paginate(db, select, args).await
}

/// The root fields of `Order`.
#[derive(Default)]
pub struct OrderQuery;

#[Object]
impl OrderQuery {
    /// The `Order` with this id, or null.
    async fn order(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Order>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let row = order::Entity::find_by_id(parse_id(&id)?).one(db).await?;
        Ok(row.map(Order))
    }

    /// `Order` rows, filtered, ordered and paginated.
    async fn orders(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<OrderFilter>,
        order_by: Option<Vec<OrderOrderBy>>,
    ) -> Result<Page<Order>> {
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        let db = ctx.data::<DatabaseConnection>()?;
        page(db, order::Entity::find(), args, filter, order_by).await
    }
}

/// The fields of a new `Order`.
#[derive(InputObject)]
pub struct OrderCreateInput {
    pub status: Option<OrderStatus>,
    /// A note from the customer.
    pub note: Option<String>,
    /// Where to send news of the order.
    pub contact_email: Option<String>,
}

/// Changes to a `Order`: absent fields keep their value, null clears a nullable one.
#[derive(InputObject, Clone)]
pub struct OrderUpdateInput {
    pub status: Option<OrderStatus>,
    /// A note from the customer.
    pub note: MaybeUndefined<String>,
    /// Where to send news of the order.
    pub contact_email: MaybeUndefined<String>,
}

/// The result of `createOrder`: the row, or why nothing was written.
#[derive(SimpleObject)]
pub struct CreateOrderPayload {
    /// Whether the row was written.
    pub success: bool,
    pub order: Option<Order>,
    /// Every problem with the input; empty on success.
    pub errors: Vec<FieldError>,
}

/// The result of a bulk create: every row, or none and why.
#[derive(SimpleObject)]
pub struct CreateOrdersPayload {
    /// Whether the rows were written.
    pub success: bool,
    pub orders: Vec<Order>,
    /// Every problem with the inputs, fields named `inputs.N.field`.
    pub errors: Vec<FieldError>,
}

/// The result of `updateOrder`: the row, or why nothing was written.
#[derive(SimpleObject)]
pub struct UpdateOrderPayload {
    /// Whether the row was written.
    pub success: bool,
    pub order: Option<Order>,
    /// Every problem with the input; empty on success.
    pub errors: Vec<FieldError>,
}

/// The result of a delete: the id of the deleted row, or why nothing was deleted.
#[derive(SimpleObject)]
pub struct DeleteOrderPayload {
    /// Whether the row was deleted.
    pub success: bool,
    pub deleted_id: Option<ID>,
    pub errors: Vec<FieldError>,
}

/// A new row from `input`, owned by the caller.
fn new_row(input: OrderCreateInput, caller: &Caller) -> order::ActiveModel {
    order::ActiveModel {
        user_id: Set(caller.user_id),
        status: Set(input.status.unwrap_or(OrderStatus::Pending)),
        note: Set(input.note.as_deref().map(sanitize_html)),
        contact_email: Set(input.contact_email),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
}

fn apply(row: &mut order::ActiveModel, input: OrderUpdateInput) {
    if let Some(status) = input.status {
        row.status = Set(status);
    }
    if let Some(note) = Option::<Option<String>>::from(input.note) {
        row.note = Set(note.as_deref().map(sanitize_html));
    }
    if let Some(email) = Option::<Option<String>>::from(input.contact_email) {
        row.contact_email = Set(email);
    }
}

/// The field rules of the columns being written.
fn validate(row: &order::ActiveModel, errors: &mut FieldErrors) {
    if let ActiveValue::Set(Some(note)) = &row.note {
        length(errors, "note", note, 0, 500);
    }
    if let ActiveValue::Set(Some(contact_email)) = &row.contact_email {
        email(errors, "contactEmail", contact_email);
    }
}

/// Validates `row`, checks what it refers to and writes it.
async fn write<C: ConnectionTrait>(
    db: &C,
    row: order::ActiveModel,
    mut errors: FieldErrors,
) -> Result<Write<order::Model>> {
    validate(&row, &mut errors);
    if !errors.is_empty() {
        return Ok(Write::Invalid(errors));
    }
    let written = if row.id.is_not_set() {
        row.insert(db).await
    } else {
        row.update(db).await
    };
    match written {
        Ok(row) => Ok(Write::Done(row)),
        Err(err) => Ok(Write::Refused(refusal(err, None)?)),
    }
}

/// The mutations of `Order`.
#[derive(Default)]
pub struct OrderMutation;

#[Object]
impl OrderMutation {
    async fn create_order(
        &self,
        ctx: &Context<'_>,
        input: OrderCreateInput,
    ) -> Result<CreateOrderPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let row = new_row(input, caller(ctx)?);
        Ok(match write(db, row, FieldErrors::default()).await? {
            Write::Done(row) => CreateOrderPayload {
                success: true,
                order: Some(Order(row)),
                errors: Vec::new(),
            },
            Write::Invalid(errors) | Write::Refused(errors) => CreateOrderPayload {
                success: false,
                order: None,
                errors: errors.0,
            },
        })
    }

    async fn create_orders(
        &self,
        ctx: &Context<'_>,
        inputs: Vec<OrderCreateInput>,
    ) -> Result<CreateOrdersPayload> {
        if inputs.len() > MAX_LIST_LENGTH {
            return Err(format!("at most {MAX_LIST_LENGTH} inputs").into());
        }
        let caller = caller(ctx)?;
        let txn = ctx.data::<DatabaseConnection>()?.begin().await?;
        let mut orders = Vec::new();
        let mut errors = Vec::new();
        for (i, input) in inputs.into_iter().enumerate() {
            let row = new_row(input, caller);
            match write(&txn, row, FieldErrors::default()).await? {
                Write::Done(row) => orders.push(Order(row)),
                Write::Invalid(row_errors) => {
                    errors.extend(row_errors.prefixed(&format!("inputs.{i}")))
                }
                Write::Refused(row_errors) => {
                    errors.extend(row_errors.prefixed(&format!("inputs.{i}")));
                    break;
                }
            }
        }
        if !errors.is_empty() {
            txn.rollback().await?;
            return Ok(CreateOrdersPayload {
                success: false,
                orders: Vec::new(),
                errors,
            });
        }
        txn.commit().await?;
        Ok(CreateOrdersPayload {
            success: true,
            orders,
            errors,
        })
    }

    async fn update_order(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: OrderUpdateInput,
    ) -> Result<UpdateOrderPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let failed = |errors: FieldErrors| UpdateOrderPayload {
            success: false,
            order: None,
            errors: errors.0,
        };
        let mut errors = FieldErrors::default();
        let key = input_id(&id, "id", &mut errors);
        if !errors.is_empty() {
            return Ok(failed(errors));
        }
        let Some(row) = order::Entity::find_by_id(key).one(db).await? else {
            errors.add("id", "NOT_FOUND", format!("no order has the id {key}"));
            return Ok(failed(errors));
        };
        let mut row = row.into_active_model();
        apply(&mut row, input);
        Ok(match write(db, row, errors).await? {
            Write::Done(row) => UpdateOrderPayload {
                success: true,
                order: Some(Order(row)),
                errors: Vec::new(),
            },
            Write::Invalid(errors) | Write::Refused(errors) => failed(errors),
        })
    }

    async fn update_orders(
        &self,
        ctx: &Context<'_>,
        filter: OrderFilter,
        input: OrderUpdateInput,
    ) -> Result<BulkMutationPayload> {
        let txn = ctx.data::<DatabaseConnection>()?.begin().await?;
        let rows = order::Entity::find()
            .filter(bulk_condition(filter.condition()?)?)
            .all(&txn)
            .await?;
        let count = count(rows.len() as u64)?;
        let mut errors = Vec::new();
        for row in rows {
            let prefix = format!("row {}", row.id);
            let mut row = row.into_active_model();
            apply(&mut row, input.clone());
            match write(&txn, row, FieldErrors::default()).await? {
                Write::Done(_) => {}
                Write::Invalid(row_errors) => errors.extend(row_errors.prefixed(&prefix)),
                Write::Refused(row_errors) => {
                    errors.extend(row_errors.prefixed(&prefix));
                    break;
                }
            }
        }
        if !errors.is_empty() {
            txn.rollback().await?;
            return Ok(BulkMutationPayload::failed(errors));
        }
        txn.commit().await?;
        Ok(BulkMutationPayload {
            success: true,
            count,
            errors,
        })
    }

    async fn delete_order(&self, ctx: &Context<'_>, id: ID) -> Result<DeleteOrderPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let failed = |errors: Vec<FieldError>| DeleteOrderPayload {
            success: false,
            deleted_id: None,
            errors,
        };
        let mut errors = FieldErrors::default();
        let key = input_id(&id, "id", &mut errors);
        if !errors.is_empty() {
            return Ok(failed(errors.0));
        }
        let Some(row) = order::Entity::find_by_id(key).one(db).await? else {
            errors.add("id", "NOT_FOUND", format!("no order has the id {key}"));
            return Ok(failed(errors.0));
        };
        match row.delete(db).await {
            Ok(_) => Ok(DeleteOrderPayload {
                success: true,
                deleted_id: Some(id),
                errors: Vec::new(),
            }),
            Err(err) => Ok(failed(delete_refusal(err)?)),
        }
    }

    async fn delete_orders(
        &self,
        ctx: &Context<'_>,
        filter: OrderFilter,
    ) -> Result<BulkMutationPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let deleted = order::Entity::delete_many()
            .filter(bulk_condition(filter.condition()?)?)
            .exec(db)
            .await;
        match deleted {
            Ok(result) => Ok(BulkMutationPayload {
                success: true,
                count: count(result.rows_affected)?,
                errors: Vec::new(),
            }),
            Err(err) => Ok(BulkMutationPayload::failed(delete_refusal(err)?)),
        }
    }
}
