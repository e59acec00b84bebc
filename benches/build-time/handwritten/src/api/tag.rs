//! `Tag`: the object, its filter and order inputs, its root fields and its mutations. Its
//! products are a many-to-many relation through `product_tag`, written with `productIds`.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ActiveModelTrait, ActiveValue, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    EntityTrait, IntoActiveModel, ModelTrait, QueryFilter, QuerySelect, QueryTrait, Select,
    TransactionTrait,
};

use super::common::*;
use super::product::{Product, ProductFilter, ProductOrderBy};
use crate::entities::{product, product_tag, tag};

/// A label products can carry.
pub struct Tag(pub tag::Model);

impl From<tag::Model> for Tag {
    fn from(row: tag::Model) -> Self {
        Tag(row)
    }
}

#[Object]
impl Tag {
    pub async fn id(&self) -> ID {
        self.0.id.into()
    }

    /// The tag as shown.
    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn products(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<ProductFilter>,
        order_by: Option<Vec<ProductOrderBy>>,
    ) -> Result<Page<Product>> {
        let linked = product_tag::Entity::find()
            .select_only()
            .column(product_tag::Column::ProductId)
            .filter(product_tag::Column::TagId.eq(self.0.id))
            .into_query();
        let select = product::Entity::find().filter(product::Column::Id.in_subquery(linked));
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        super::product::page(ctx.data()?, select, args, filter, order_by).await
    }
}

/// Selects `Tag` rows; every field set must hold.
#[derive(InputObject, Clone, Default)]
pub struct TagFilter {
    pub id: Option<ID>,
    #[graphql(name = "id_In")]
    pub id_in: Option<Vec<ID>>,
    pub name: Option<String>,
    #[graphql(name = "name_Icontains")]
    pub name_icontains: Option<String>,
    #[graphql(name = "name_In")]
    pub name_in: Option<Vec<String>>,
    /// Every filter of the list holds.
    pub and: Option<Vec<TagFilter>>,
    /// At least one filter of the list holds.
    pub or: Option<Vec<TagFilter>>,
    /// The filter does not hold.
    pub not: Option<Box<TagFilter>>,
}

impl TagFilter {
    pub fn condition(&self) -> Result<Condition> {
        use tag::Column;
        let mut all = Condition::all();
        if let Some(id) = &self.id {
            all = all.add(Column::Id.eq(parse_id(id)?));
        }
        if let Some(ids) = &self.id_in {
            all = all.add(Column::Id.is_in(parse_ids(ids)?));
        }
        if let Some(name) = &self.name {
            all = all.add(Column::Name.eq(name));
        }
        if let Some(text) = &self.name_icontains {
            all = all.add(icontains(Column::Name, text));
        }
        if let Some(names) = &self.name_in {
            all = all.add(Column::Name.is_in(names));
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

    /// The ids of the tags the filter selects, for the filters of related models.
    pub fn ids(&self) -> Result<sea_orm::sea_query::SelectStatement> {
        Ok(tag::Entity::find()
            .select_only()
            .column(tag::Column::Id)
            .filter(self.condition()?)
            .into_query())
    }
}

/// One sort key of `Tag`: set exactly one field. The id breaks ties.
#[derive(InputObject)]
pub struct TagOrderBy {
    pub id: Option<OrderDirection>,
    pub name: Option<OrderDirection>,
}

impl TagOrderBy {
    fn key(&self) -> Result<(tag::Column, OrderDirection)> {
        use tag::Column;
        order_key(vec![(Column::Id, self.id), (Column::Name, self.name)])
    }
}

/// A page of `select` with a connection field's filter and order.
pub async fn page(
    db: &DatabaseConnection,
    select: Select<tag::Entity>,
    args: PageArgs,
    filter: Option<TagFilter>,
    order_by: Option<Vec<TagOrderBy>>,
) -> Result<Page<Tag>> {
    let mut select = select;
    if let Some(filter) = filter {
        select = select.filter(filter.condition()?);
    }
    let keys = order_by
        .unwrap_or_default()
        .iter()
        .map(TagOrderBy::key)
        .collect::<Result<_>>()?;
    let select = ordered(select, keys, tag::Column::Id);
    paginate(db, select, args).await
}

/// The root fields of `Tag`.
#[derive(Default)]
pub struct TagQuery;

#[Object]
impl TagQuery {
    /// The `Tag` with this id, or null.
    async fn tag(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Tag>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let row = tag::Entity::find_by_id(parse_id(&id)?).one(db).await?;
        Ok(row.map(Tag))
    }

    /// `Tag` rows, filtered, ordered and paginated.
    async fn tags(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<TagFilter>,
        order_by: Option<Vec<TagOrderBy>>,
    ) -> Result<Page<Tag>> {
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        let db = ctx.data::<DatabaseConnection>()?;
        page(db, tag::Entity::find(), args, filter, order_by).await
    }
}

/// The fields of a new `Tag`.
#[derive(InputObject)]
pub struct TagCreateInput {
    /// The tag as shown. Required.
    pub name: Option<String>,
    /// The ids of the row's `products`; none when absent.
    pub product_ids: Option<Vec<ID>>,
}

/// Changes to a `Tag`: absent fields keep their value, null clears a nullable one.
#[derive(InputObject, Clone)]
pub struct TagUpdateInput {
    /// The tag as shown.
    pub name: Option<String>,
    /// The ids of the row's `products`; unchanged when absent, replaced when given.
    pub product_ids: Option<Vec<ID>>,
}

/// The result of `createTag`: the row, or why nothing was written.
#[derive(SimpleObject)]
pub struct CreateTagPayload {
    /// Whether the row was written.
    pub success: bool,
    pub tag: Option<Tag>,
    /// Every problem with the input; empty on success.
    pub errors: Vec<FieldError>,
}

/// The result of a bulk create: every row, or none and why.
#[derive(SimpleObject)]
pub struct CreateTagsPayload {
    /// Whether the rows were written.
    pub success: bool,
    pub tags: Vec<Tag>,
    /// Every problem with the inputs, fields named `inputs.N.field`.
    pub errors: Vec<FieldError>,
}

/// The result of `updateTag`: the row, or why nothing was written.
#[derive(SimpleObject)]
pub struct UpdateTagPayload {
    /// Whether the row was written.
    pub success: bool,
    pub tag: Option<Tag>,
    /// Every problem with the input; empty on success.
    pub errors: Vec<FieldError>,
}

/// The result of a delete: the id of the deleted row, or why nothing was deleted.
#[derive(SimpleObject)]
pub struct DeleteTagPayload {
    /// Whether the row was deleted.
    pub success: bool,
    pub deleted_id: Option<ID>,
    pub errors: Vec<FieldError>,
}

/// A new row from `input`, and its product ids; malformed ids go to `errors`.
fn new_row(
    input: TagCreateInput,
    errors: &mut FieldErrors,
) -> (tag::ActiveModel, Option<Vec<i32>>) {
    let row = tag::ActiveModel {
        name: required(input.name, "name", errors).map_or(NotSet, Set),
        ..Default::default()
    };
    let product_ids = input
        .product_ids
        .map(|ids| input_ids(&ids, "productIds", errors));
    (row, product_ids)
}

/// Puts the given fields of `input` into `row`; returns the new product ids, if given.
fn apply(
    row: &mut tag::ActiveModel,
    input: TagUpdateInput,
    errors: &mut FieldErrors,
) -> Option<Vec<i32>> {
    if let Some(name) = input.name {
        row.name = Set(name);
    }
    input
        .product_ids
        .map(|ids| input_ids(&ids, "productIds", errors))
}

/// The field rules of the columns being written.
fn validate(row: &tag::ActiveModel, errors: &mut FieldErrors) {
    if let ActiveValue::Set(name) = &row.name {
        length(errors, "name", name, 1, 50);
        if let Err(message) = crate::validators::lowercase(name) {
            errors.add("name", "INVALID", message);
        }
    }
}

/// Validates `row`, checks what it refers to, writes it and replaces its products when given.
async fn write<C: ConnectionTrait>(
    db: &C,
    row: tag::ActiveModel,
    product_ids: Option<Vec<i32>>,
    mut errors: FieldErrors,
) -> Result<Write<tag::Model>> {
    validate(&row, &mut errors);
    for id in product_ids.iter().flatten() {
        check_reference::<product::Entity, _>(db, *id, "productIds", &mut errors).await?;
    }
    if !errors.is_empty() {
        return Ok(Write::Invalid(errors));
    }
    let written = if row.id.is_not_set() {
        row.insert(db).await
    } else {
        row.update(db).await
    };
    let row = match written {
        Ok(row) => row,
        Err(err) => return Ok(Write::Refused(refusal(err, Some("name"))?)),
    };
    if let Some(product_ids) = product_ids {
        product_tag::Entity::delete_many()
            .filter(product_tag::Column::TagId.eq(row.id))
            .exec(db)
            .await?;
        let links = product_ids
            .into_iter()
            .map(|product_id| product_tag::ActiveModel {
                product_id: Set(product_id),
                tag_id: Set(row.id),
            });
        product_tag::Entity::insert_many(links)
            .exec_without_returning(db)
            .await?;
    }
    Ok(Write::Done(row))
}

/// The mutations of `Tag`.
#[derive(Default)]
pub struct TagMutation;

#[Object]
impl TagMutation {
    async fn create_tag(
        &self,
        ctx: &Context<'_>,
        input: TagCreateInput,
    ) -> Result<CreateTagPayload> {
        let txn = ctx.data::<DatabaseConnection>()?.begin().await?;
        let mut errors = FieldErrors::default();
        let (row, product_ids) = new_row(input, &mut errors);
        Ok(match write(&txn, row, product_ids, errors).await? {
            Write::Done(row) => {
                txn.commit().await?;
                CreateTagPayload {
                    success: true,
                    tag: Some(Tag(row)),
                    errors: Vec::new(),
                }
            }
            Write::Invalid(errors) | Write::Refused(errors) => CreateTagPayload {
                success: false,
                tag: None,
                errors: errors.0,
            },
        })
    }

    async fn create_tags(
        &self,
        ctx: &Context<'_>,
        inputs: Vec<TagCreateInput>,
    ) -> Result<CreateTagsPayload> {
        if inputs.len() > MAX_LIST_LENGTH {
            return Err(format!("at most {MAX_LIST_LENGTH} inputs").into());
        }
        let txn = ctx.data::<DatabaseConnection>()?.begin().await?;
        let mut tags = Vec::new();
        let mut errors = Vec::new();
        for (i, input) in inputs.into_iter().enumerate() {
            let mut row_errors = FieldErrors::default();
            let (row, product_ids) = new_row(input, &mut row_errors);
            match write(&txn, row, product_ids, row_errors).await? {
                Write::Done(row) => tags.push(Tag(row)),
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
            return Ok(CreateTagsPayload {
                success: false,
                tags: Vec::new(),
                errors,
            });
        }
        txn.commit().await?;
        Ok(CreateTagsPayload {
            success: true,
            tags,
            errors,
        })
    }

    async fn update_tag(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: TagUpdateInput,
    ) -> Result<UpdateTagPayload> {
        let txn = ctx.data::<DatabaseConnection>()?.begin().await?;
        let failed = |errors: FieldErrors| UpdateTagPayload {
            success: false,
            tag: None,
            errors: errors.0,
        };
        let mut errors = FieldErrors::default();
        let key = input_id(&id, "id", &mut errors);
        if !errors.is_empty() {
            return Ok(failed(errors));
        }
        let Some(row) = tag::Entity::find_by_id(key).one(&txn).await? else {
            errors.add("id", "NOT_FOUND", format!("no tag has the id {key}"));
            return Ok(failed(errors));
        };
        let mut row = row.into_active_model();
        let product_ids = apply(&mut row, input, &mut errors);
        Ok(match write(&txn, row, product_ids, errors).await? {
            Write::Done(row) => {
                txn.commit().await?;
                UpdateTagPayload {
                    success: true,
                    tag: Some(Tag(row)),
                    errors: Vec::new(),
                }
            }
            Write::Invalid(errors) | Write::Refused(errors) => failed(errors),
        })
    }

    async fn update_tags(
        &self,
        ctx: &Context<'_>,
        filter: TagFilter,
        input: TagUpdateInput,
    ) -> Result<BulkMutationPayload> {
        let txn = ctx.data::<DatabaseConnection>()?.begin().await?;
        let rows = tag::Entity::find()
            .filter(bulk_condition(filter.condition()?)?)
            .all(&txn)
            .await?;
        let count = count(rows.len() as u64)?;
        let mut errors = Vec::new();
        for row in rows {
            let prefix = format!("row {}", row.id);
            let mut row = row.into_active_model();
            let mut row_errors = FieldErrors::default();
            let product_ids = apply(&mut row, input.clone(), &mut row_errors);
            match write(&txn, row, product_ids, row_errors).await? {
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

    async fn delete_tag(&self, ctx: &Context<'_>, id: ID) -> Result<DeleteTagPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let failed = |errors: Vec<FieldError>| DeleteTagPayload {
            success: false,
            deleted_id: None,
            errors,
        };
        let mut errors = FieldErrors::default();
        let key = input_id(&id, "id", &mut errors);
        if !errors.is_empty() {
            return Ok(failed(errors.0));
        }
        let Some(row) = tag::Entity::find_by_id(key).one(db).await? else {
            errors.add("id", "NOT_FOUND", format!("no tag has the id {key}"));
            return Ok(failed(errors.0));
        };
        match row.delete(db).await {
            Ok(_) => Ok(DeleteTagPayload {
                success: true,
                deleted_id: Some(id),
                errors: Vec::new(),
            }),
            Err(err) => Ok(failed(delete_refusal(err)?)),
        }
    }

    async fn delete_tags(
        &self,
        ctx: &Context<'_>,
        filter: TagFilter,
    ) -> Result<BulkMutationPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let deleted = tag::Entity::delete_many()
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
