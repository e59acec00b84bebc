//! `OrderItem`: the object, its filter and order inputs, its root fields and its mutations.

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use rust_decimal::Decimal;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ActiveModelTrait, ActiveValue, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    EntityTrait, IntoActiveModel, ModelTrait, QueryFilter, Select, TransactionTrait,
};

use super::common::*;
use super::loaders::{OrderById, ProductById};
use super::order::Order;
use super::product::Product;
use crate::entities::{order, order_item, product};

/// One line of an order.
pub struct OrderItem(pub order_item::Model);

impl From<order_item::Model> for OrderItem {
    fn from(row: order_item::Model) -> Self {
        OrderItem(row)
    }
}

#[Object]
impl OrderItem {
    pub async fn id(&self) -> ID {
        self.0.id.into()
    }

    async fn order_id(&self) -> ID {
        self.0.order_id.into()
    }

    async fn product_id(&self) -> ID {
        self.0.product_id.into()
    }

    async fn quantity(&self) -> i32 {
        self.0.quantity
    }

    /// Price of one unit when the order was placed.
    async fn unit_price(&self) -> Decimal {
        self.0.unit_price
    }

    async fn order(&self, ctx: &Context<'_>) -> Result<Option<Order>> {
        let loader = ctx.data::<DataLoader<OrderById>>()?;
        Ok(loader.load_one(self.0.order_id).await?.map(Order))
    }

    async fn product(&self, ctx: &Context<'_>) -> Result<Option<Product>> {
        let loader = ctx.data::<DataLoader<ProductById>>()?;
        Ok(loader.load_one(self.0.product_id).await?.map(Product))
    }
}

/// Selects `OrderItem` rows; every field set must hold.
#[derive(InputObject, Clone, Default)]
pub struct OrderItemFilter {
    pub id: Option<ID>,
    #[graphql(name = "id_In")]
    pub id_in: Option<Vec<ID>>,
    pub order: Option<ID>,
    #[graphql(name = "order_In")]
    pub order_in: Option<Vec<ID>>,
    pub product: Option<ID>,
    #[graphql(name = "product_In")]
    pub product_in: Option<Vec<ID>>,
    pub quantity: Option<i32>,
    #[graphql(name = "quantity_In")]
    pub quantity_in: Option<Vec<i32>>,
    #[graphql(name = "quantity_Gt")]
    pub quantity_gt: Option<i32>,
    #[graphql(name = "quantity_Gte")]
    pub quantity_gte: Option<i32>,
    #[graphql(name = "quantity_Lt")]
    pub quantity_lt: Option<i32>,
    #[graphql(name = "quantity_Lte")]
    pub quantity_lte: Option<i32>,
    #[graphql(name = "quantity_Range")]
    pub quantity_range: Option<Vec<i32>>,
    #[graphql(name = "unitPrice_Gte")]
    pub unit_price_gte: Option<Decimal>,
    #[graphql(name = "unitPrice_Lte")]
    pub unit_price_lte: Option<Decimal>,
    /// Every filter of the list holds.
    pub and: Option<Vec<OrderItemFilter>>,
    /// At least one filter of the list holds.
    pub or: Option<Vec<OrderItemFilter>>,
    /// The filter does not hold.
    pub not: Option<Box<OrderItemFilter>>,
}

impl OrderItemFilter {
    pub fn condition(&self) -> Result<Condition> {
        use order_item::Column;
        let mut all = Condition::all();
        if let Some(id) = &self.id {
            all = all.add(Column::Id.eq(parse_id(id)?));
        }
        if let Some(ids) = &self.id_in {
            all = all.add(Column::Id.is_in(parse_ids(ids)?));
        }
        if let Some(id) = &self.order {
            all = all.add(Column::OrderId.eq(parse_id(id)?));
        }
        if let Some(ids) = &self.order_in {
            all = all.add(Column::OrderId.is_in(parse_ids(ids)?));
        }
        if let Some(id) = &self.product {
            all = all.add(Column::ProductId.eq(parse_id(id)?));
        }
        if let Some(ids) = &self.product_in {
            all = all.add(Column::ProductId.is_in(parse_ids(ids)?));
        }
        if let Some(quantity) = self.quantity {
            all = all.add(Column::Quantity.eq(quantity));
        }
        if let Some(quantities) = &self.quantity_in {
            all = all.add(Column::Quantity.is_in(quantities.iter().copied()));
        }
        if let Some(quantity) = self.quantity_gt {
            all = all.add(Column::Quantity.gt(quantity));
        }
        if let Some(quantity) = self.quantity_gte {
            all = all.add(Column::Quantity.gte(quantity));
        }
        if let Some(quantity) = self.quantity_lt {
            all = all.add(Column::Quantity.lt(quantity));
        }
        if let Some(quantity) = self.quantity_lte {
            all = all.add(Column::Quantity.lte(quantity));
        }
        if let Some(bounds) = &self.quantity_range {
            all = all.add(range(Column::Quantity, bounds)?);
        }
        if let Some(price) = self.unit_price_gte {
            all = all.add(Column::UnitPrice.gte(price));
        }
        if let Some(price) = self.unit_price_lte {
            all = all.add(Column::UnitPrice.lte(price));
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

/// One sort key of `OrderItem`: set exactly one field. The id breaks ties.
#[derive(InputObject)]
pub struct OrderItemOrderBy {
    pub id: Option<OrderDirection>,
    pub quantity: Option<OrderDirection>,
    pub unit_price: Option<OrderDirection>,
}

impl OrderItemOrderBy {
    fn key(&self) -> Result<(order_item::Column, OrderDirection)> {
        use order_item::Column;
        order_key(vec![
            (Column::Id, self.id),
            (Column::Quantity, self.quantity),
            (Column::UnitPrice, self.unit_price),
        ])
    }
}

/// A page of `select` with a connection field's filter and order.
pub async fn page(
    db: &DatabaseConnection,
    select: Select<order_item::Entity>,
    args: PageArgs,
    filter: Option<OrderItemFilter>,
    order_by: Option<Vec<OrderItemOrderBy>>,
) -> Result<Page<OrderItem>> {
    let mut select = select;
    if let Some(filter) = filter {
        select = select.filter(filter.condition()?);
    }
    let keys = order_by
        .unwrap_or_default()
        .iter()
        .map(OrderItemOrderBy::key)
        .collect::<Result<_>>()?;
    let select = ordered(select, keys, order_item::Column::Id);
    paginate(db, select, args).await
}

/// The root fields of `OrderItem`.
#[derive(Default)]
pub struct OrderItemQuery;

#[Object]
impl OrderItemQuery {
    /// The `OrderItem` with this id, or null.
    async fn order_item(&self, ctx: &Context<'_>, id: ID) -> Result<Option<OrderItem>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let row = order_item::Entity::find_by_id(parse_id(&id)?)
            .one(db)
            .await?;
        Ok(row.map(OrderItem))
    }

    /// `OrderItem` rows, filtered, ordered and paginated.
    async fn order_items(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<OrderItemFilter>,
        order_by: Option<Vec<OrderItemOrderBy>>,
    ) -> Result<Page<OrderItem>> {
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        let db = ctx.data::<DatabaseConnection>()?;
        page(db, order_item::Entity::find(), args, filter, order_by).await
    }
}

/// The fields of a new `OrderItem`.
#[derive(InputObject)]
pub struct OrderItemCreateInput {
    /// Required.
    pub order_id: Option<ID>,
    /// Required.
    pub product_id: Option<ID>,
    /// Required.
    pub quantity: Option<i32>,
    /// Price of one unit when the order was placed. Required.
    pub unit_price: Option<Decimal>,
}

/// Changes to a `OrderItem`: absent fields keep their value, null clears a nullable one.
#[derive(InputObject, Clone)]
pub struct OrderItemUpdateInput {
    pub order_id: Option<ID>,
    pub product_id: Option<ID>,
    pub quantity: Option<i32>,
    /// Price of one unit when the order was placed.
    pub unit_price: Option<Decimal>,
}

/// The result of `createOrderItem`: the row, or why nothing was written.
#[derive(SimpleObject)]
pub struct CreateOrderItemPayload {
    /// Whether the row was written.
    pub success: bool,
    pub order_item: Option<OrderItem>,
    /// Every problem with the input; empty on success.
    pub errors: Vec<FieldError>,
}

/// The result of a bulk create: every row, or none and why.
#[derive(SimpleObject)]
pub struct CreateOrderItemsPayload {
    /// Whether the rows were written.
    pub success: bool,
    pub order_items: Vec<OrderItem>,
    /// Every problem with the inputs, fields named `inputs.N.field`.
    pub errors: Vec<FieldError>,
}

/// The result of `updateOrderItem`: the row, or why nothing was written.
#[derive(SimpleObject)]
pub struct UpdateOrderItemPayload {
    /// Whether the row was written.
    pub success: bool,
    pub order_item: Option<OrderItem>,
    /// Every problem with the input; empty on success.
    pub errors: Vec<FieldError>,
}

/// The result of a delete: the id of the deleted row, or why nothing was deleted.
#[derive(SimpleObject)]
pub struct DeleteOrderItemPayload {
    /// Whether the row was deleted.
    pub success: bool,
    pub deleted_id: Option<ID>,
    pub errors: Vec<FieldError>,
}

fn new_row(input: OrderItemCreateInput, errors: &mut FieldErrors) -> order_item::ActiveModel {
    let order_id = required(input.order_id, "orderId", errors);
    let product_id = required(input.product_id, "productId", errors);
    order_item::ActiveModel {
        order_id: order_id.map_or(NotSet, |id| Set(input_id(&id, "orderId", errors))),
        product_id: product_id.map_or(NotSet, |id| Set(input_id(&id, "productId", errors))),
        quantity: required(input.quantity, "quantity", errors).map_or(NotSet, Set),
        unit_price: required(input.unit_price, "unitPrice", errors).map_or(NotSet, Set),
        ..Default::default()
    }
}

fn apply(row: &mut order_item::ActiveModel, input: OrderItemUpdateInput, errors: &mut FieldErrors) {
    if let Some(id) = input.order_id {
        row.order_id = Set(input_id(&id, "orderId", errors));
    }
    if let Some(id) = input.product_id {
        row.product_id = Set(input_id(&id, "productId", errors));
    }
    if let Some(quantity) = input.quantity {
        row.quantity = Set(quantity);
    }
    if let Some(price) = input.unit_price {
        row.unit_price = Set(price);
    }
}

/// The field rules of the columns being written.
fn validate(row: &order_item::ActiveModel, errors: &mut FieldErrors) {
    if let ActiveValue::Set(quantity) = row.quantity {
        int_range(errors, "quantity", quantity, 1, i32::MAX);
    }
    if let ActiveValue::Set(price) = &row.unit_price {
        decimal_range(errors, "unitPrice", price, 0.0, f64::INFINITY);
    }
}

/// Validates `row`, checks what it refers to and writes it.
async fn write<C: ConnectionTrait>(
    db: &C,
    row: order_item::ActiveModel,
    mut errors: FieldErrors,
) -> Result<Write<order_item::Model>> {
    validate(&row, &mut errors);
    if let ActiveValue::Set(id) = row.order_id {
        check_reference::<order::Entity, _>(db, id, "orderId", &mut errors).await?;
    }
    if let ActiveValue::Set(id) = row.product_id {
        check_reference::<product::Entity, _>(db, id, "productId", &mut errors).await?;
    }
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

/// The mutations of `OrderItem`.
#[derive(Default)]
pub struct OrderItemMutation;

#[Object]
impl OrderItemMutation {
    async fn create_order_item(
        &self,
        ctx: &Context<'_>,
        input: OrderItemCreateInput,
    ) -> Result<CreateOrderItemPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let mut errors = FieldErrors::default();
        let row = new_row(input, &mut errors);
        Ok(match write(db, row, errors).await? {
            Write::Done(row) => CreateOrderItemPayload {
                success: true,
                order_item: Some(OrderItem(row)),
                errors: Vec::new(),
            },
            Write::Invalid(errors) | Write::Refused(errors) => CreateOrderItemPayload {
                success: false,
                order_item: None,
                errors: errors.0,
            },
        })
    }

    async fn create_order_items(
        &self,
        ctx: &Context<'_>,
        inputs: Vec<OrderItemCreateInput>,
    ) -> Result<CreateOrderItemsPayload> {
        if inputs.len() > MAX_LIST_LENGTH {
            return Err(format!("at most {MAX_LIST_LENGTH} inputs").into());
        }
        let txn = ctx.data::<DatabaseConnection>()?.begin().await?;
        let mut order_items = Vec::new();
        let mut errors = Vec::new();
        for (i, input) in inputs.into_iter().enumerate() {
            let mut row_errors = FieldErrors::default();
            let row = new_row(input, &mut row_errors);
            match write(&txn, row, row_errors).await? {
                Write::Done(row) => order_items.push(OrderItem(row)),
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
            return Ok(CreateOrderItemsPayload {
                success: false,
                order_items: Vec::new(),
                errors,
            });
        }
        txn.commit().await?;
        Ok(CreateOrderItemsPayload {
            success: true,
            order_items,
            errors,
        })
    }

    async fn update_order_item(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: OrderItemUpdateInput,
    ) -> Result<UpdateOrderItemPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let failed = |errors: FieldErrors| UpdateOrderItemPayload {
            success: false,
            order_item: None,
            errors: errors.0,
        };
        let mut errors = FieldErrors::default();
        let key = input_id(&id, "id", &mut errors);
        if !errors.is_empty() {
            return Ok(failed(errors));
        }
        let Some(row) = order_item::Entity::find_by_id(key).one(db).await? else {
            errors.add("id", "NOT_FOUND", format!("no order item has the id {key}"));
            return Ok(failed(errors));
        };
        let mut row = row.into_active_model();
        apply(&mut row, input, &mut errors);
        Ok(match write(db, row, errors).await? {
            Write::Done(row) => UpdateOrderItemPayload {
                success: true,
                order_item: Some(OrderItem(row)),
                errors: Vec::new(),
            },
            Write::Invalid(errors) | Write::Refused(errors) => failed(errors),
        })
    }

    async fn update_order_items(
        &self,
        ctx: &Context<'_>,
        filter: OrderItemFilter,
        input: OrderItemUpdateInput,
    ) -> Result<BulkMutationPayload> {
        let txn = ctx.data::<DatabaseConnection>()?.begin().await?;
        let rows = order_item::Entity::find()
            .filter(bulk_condition(filter.condition()?)?)
            .all(&txn)
            .await?;
        let count = count(rows.len() as u64)?;
        let mut errors = Vec::new();
        for row in rows {
            let prefix = format!("row {}", row.id);
            let mut row = row.into_active_model();
            let mut row_errors = FieldErrors::default();
            apply(&mut row, input.clone(), &mut row_errors);
            match write(&txn, row, row_errors).await? {
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

    async fn delete_order_item(&self, ctx: &Context<'_>, id: ID) -> Result<DeleteOrderItemPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let failed = |errors: Vec<FieldError>| DeleteOrderItemPayload {
            success: false,
            deleted_id: None,
            errors,
        };
        let mut errors = FieldErrors::default();
        let key = input_id(&id, "id", &mut errors);
        if !errors.is_empty() {
            return Ok(failed(errors.0));
        }
        let Some(row) = order_item::Entity::find_by_id(key).one(db).await? else {
            errors.add("id", "NOT_FOUND", format!("no order item has the id {key}"));
            return Ok(failed(errors.0));
        };
        match row.delete(db).await {
            Ok(_) => Ok(DeleteOrderItemPayload {
                success: true,
                deleted_id: Some(id),
                errors: Vec::new(),
            }),
            Err(err) => Ok(failed(delete_refusal(err)?)),
        }
    }

    async fn delete_order_items(
        &self,
        ctx: &Context<'_>,
        filter: OrderItemFilter,
    ) -> Result<BulkMutationPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let deleted = order_item::Entity::delete_many()
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
