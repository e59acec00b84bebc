//! `Review`: the object, its filter and order inputs, its root fields and its mutations.

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ActiveModelTrait, ActiveValue, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    EntityTrait, IntoActiveModel, ModelTrait, QueryFilter, Select, TransactionTrait,
};

use super::common::*;
use super::loaders::{ProductById, UserById};
use super::product::Product;
use super::user::User;
use crate::entities::{product, review};

/// A customer's review of a product.
pub struct Review(pub review::Model);

impl From<review::Model> for Review {
    fn from(row: review::Model) -> Self {
        Review(row)
    }
}

#[Object]
impl Review {
    pub async fn id(&self) -> ID {
        self.0.id.into()
    }

    async fn product_id(&self) -> ID {
        self.0.product_id.into()
    }

    async fn user_id(&self) -> ID {
        self.0.user_id.into()
    }

    /// From 1 to 5 stars.
    async fn rating(&self) -> i32 {
        self.0.rating
    }

    async fn comment(&self) -> Option<&str> {
        self.0.comment.as_deref()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn product(&self, ctx: &Context<'_>) -> Result<Option<Product>> {
        let loader = ctx.data::<DataLoader<ProductById>>()?;
        Ok(loader.load_one(self.0.product_id).await?.map(Product))
    }

    async fn user(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let loader = ctx.data::<DataLoader<UserById>>()?;
        Ok(loader.load_one(self.0.user_id).await?.map(User))
    }
}

/// Selects `Review` rows; every field set must hold.
#[derive(InputObject, Clone, Default)]
pub struct ReviewFilter {
    pub id: Option<ID>,
    #[graphql(name = "id_In")]
    pub id_in: Option<Vec<ID>>,
    pub product: Option<ID>,
    #[graphql(name = "product_In")]
    pub product_in: Option<Vec<ID>>,
    pub user: Option<ID>,
    #[graphql(name = "user_In")]
    pub user_in: Option<Vec<ID>>,
    pub rating: Option<i32>,
    #[graphql(name = "rating_In")]
    pub rating_in: Option<Vec<i32>>,
    #[graphql(name = "rating_Gt")]
    pub rating_gt: Option<i32>,
    #[graphql(name = "rating_Gte")]
    pub rating_gte: Option<i32>,
    #[graphql(name = "rating_Lt")]
    pub rating_lt: Option<i32>,
    #[graphql(name = "rating_Lte")]
    pub rating_lte: Option<i32>,
    #[graphql(name = "rating_Range")]
    pub rating_range: Option<Vec<i32>>,
    #[graphql(name = "comment_Icontains")]
    pub comment_icontains: Option<String>,
    #[graphql(name = "comment_Isnull")]
    pub comment_isnull: Option<bool>,
    #[graphql(name = "createdAt_Gte")]
    pub created_at_gte: Option<DateTime<Utc>>,
    #[graphql(name = "createdAt_Lte")]
    pub created_at_lte: Option<DateTime<Utc>>,
    /// Every filter of the list holds.
    pub and: Option<Vec<ReviewFilter>>,
    /// At least one filter of the list holds.
    pub or: Option<Vec<ReviewFilter>>,
    /// The filter does not hold.
    pub not: Option<Box<ReviewFilter>>,
}

impl ReviewFilter {
    pub fn condition(&self) -> Result<Condition> {
        use review::Column;
        let mut all = Condition::all();
        if let Some(id) = &self.id {
            all = all.add(Column::Id.eq(parse_id(id)?));
        }
        if let Some(ids) = &self.id_in {
            all = all.add(Column::Id.is_in(parse_ids(ids)?));
        }
        if let Some(id) = &self.product {
            all = all.add(Column::ProductId.eq(parse_id(id)?));
        }
        if let Some(ids) = &self.product_in {
            all = all.add(Column::ProductId.is_in(parse_ids(ids)?));
        }
        if let Some(id) = &self.user {
            all = all.add(Column::UserId.eq(parse_id(id)?));
        }
        if let Some(ids) = &self.user_in {
            all = all.add(Column::UserId.is_in(parse_ids(ids)?));
        }
        if let Some(rating) = self.rating {
            all = all.add(Column::Rating.eq(rating));
        }
        if let Some(ratings) = &self.rating_in {
            all = all.add(Column::Rating.is_in(ratings.iter().copied()));
        }
        if let Some(rating) = self.rating_gt {
            all = all.add(Column::Rating.gt(rating));
        }
        if let Some(rating) = self.rating_gte {
            all = all.add(Column::Rating.gte(rating));
        }
        if let Some(rating) = self.rating_lt {
            all = all.add(Column::Rating.lt(rating));
        }
        if let Some(rating) = self.rating_lte {
            all = all.add(Column::Rating.lte(rating));
        }
        if let Some(bounds) = &self.rating_range {
            all = all.add(range(Column::Rating, bounds)?);
        }
        if let Some(text) = &self.comment_icontains {
            all = all.add(icontains(Column::Comment, text));
        }
        if let Some(null) = self.comment_isnull {
            all = all.add(isnull(Column::Comment, null));
        }
        if let Some(at) = self.created_at_gte {
            all = all.add(Column::CreatedAt.gte(at));
        }
        if let Some(at) = self.created_at_lte {
            all = all.add(Column::CreatedAt.lte(at));
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

/// One sort key of `Review`: set exactly one field. The id breaks ties.
#[derive(InputObject)]
pub struct ReviewOrderBy {
    pub id: Option<OrderDirection>,
    pub rating: Option<OrderDirection>,
    pub created_at: Option<OrderDirection>,
}

impl ReviewOrderBy {
    fn key(&self) -> Result<(review::Column, OrderDirection)> {
        use review::Column;
        order_key(vec![
            (Column::Id, self.id),
            (Column::Rating, self.rating),
            (Column::CreatedAt, self.created_at),
        ])
    }
}

/// `select` with a field's filter and order.
pub fn filtered(
    select: Select<review::Entity>,
    filter: Option<ReviewFilter>,
    order_by: Option<Vec<ReviewOrderBy>>,
) -> Result<Select<review::Entity>> {
    let mut select = select;
    if let Some(filter) = filter {
        select = select.filter(filter.condition()?);
    }
    let keys = order_by
        .unwrap_or_default()
        .iter()
        .map(ReviewOrderBy::key)
        .collect::<Result<_>>()?;
    Ok(ordered(select, keys, review::Column::Id))
}

/// A page of `select` with a connection field's filter and order.
pub async fn page(
    db: &DatabaseConnection,
    select: Select<review::Entity>,
    args: PageArgs,
    filter: Option<ReviewFilter>,
    order_by: Option<Vec<ReviewOrderBy>>,
) -> Result<Page<Review>> {
    paginate(db, filtered(select, filter, order_by)?, args).await
}

/// The root fields of `Review`.
#[derive(Default)]
pub struct ReviewQuery;

#[Object]
impl ReviewQuery {
    /// The `Review` with this id, or null.
    async fn review(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Review>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let row = review::Entity::find_by_id(parse_id(&id)?).one(db).await?;
        Ok(row.map(Review))
    }

    /// `Review` rows, filtered, ordered and paginated.
    async fn reviews(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<ReviewFilter>,
        order_by: Option<Vec<ReviewOrderBy>>,
    ) -> Result<Page<Review>> {
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        let db = ctx.data::<DatabaseConnection>()?;
        page(db, review::Entity::find(), args, filter, order_by).await
    }
}

/// The fields of a new `Review`.
#[derive(InputObject)]
pub struct ReviewCreateInput {
    /// Required.
    pub product_id: Option<ID>,
    /// From 1 to 5 stars. Required.
    pub rating: Option<i32>,
    pub comment: Option<String>,
}

/// Changes to a `Review`: absent fields keep their value, null clears a nullable one.
#[derive(InputObject, Clone)]
pub struct ReviewUpdateInput {
    pub product_id: Option<ID>,
    /// From 1 to 5 stars.
    pub rating: Option<i32>,
    pub comment: MaybeUndefined<String>,
}

/// The result of `createReview`: the row, or why nothing was written.
#[derive(SimpleObject)]
pub struct CreateReviewPayload {
    /// Whether the row was written.
    pub success: bool,
    pub review: Option<Review>,
    /// Every problem with the input; empty on success.
    pub errors: Vec<FieldError>,
}

/// The result of a bulk create: every row, or none and why.
#[derive(SimpleObject)]
pub struct CreateReviewsPayload {
    /// Whether the rows were written.
    pub success: bool,
    pub reviews: Vec<Review>,
    /// Every problem with the inputs, fields named `inputs.N.field`.
    pub errors: Vec<FieldError>,
}

/// The result of `updateReview`: the row, or why nothing was written.
#[derive(SimpleObject)]
pub struct UpdateReviewPayload {
    /// Whether the row was written.
    pub success: bool,
    pub review: Option<Review>,
    /// Every problem with the input; empty on success.
    pub errors: Vec<FieldError>,
}

/// The result of a delete: the id of the deleted row, or why nothing was deleted.
#[derive(SimpleObject)]
pub struct DeleteReviewPayload {
    /// Whether the row was deleted.
    pub success: bool,
    pub deleted_id: Option<ID>,
    pub errors: Vec<FieldError>,
}

/// A new row from `input`, owned by the caller; malformed ids go to `errors`.
fn new_row(
    input: ReviewCreateInput,
    caller: &Caller,
    errors: &mut FieldErrors,
) -> review::ActiveModel {
    let product_id = required(input.product_id, "productId", errors);
    review::ActiveModel {
        product_id: product_id.map_or(NotSet, |id| Set(input_id(&id, "productId", errors))),
        user_id: Set(caller.user_id),
        rating: required(input.rating, "rating", errors).map_or(NotSet, Set),
        comment: Set(input.comment.as_deref().map(sanitize_html)),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
}

fn apply(row: &mut review::ActiveModel, input: ReviewUpdateInput, errors: &mut FieldErrors) {
    if let Some(id) = input.product_id {
        row.product_id = Set(input_id(&id, "productId", errors));
    }
    if let Some(rating) = input.rating {
        row.rating = Set(rating);
    }
    if let Some(comment) = Option::<Option<String>>::from(input.comment) {
        row.comment = Set(comment.as_deref().map(sanitize_html));
    }
}

/// The field rules of the columns being written.
fn validate(row: &review::ActiveModel, errors: &mut FieldErrors) {
    if let ActiveValue::Set(rating) = row.rating {
        int_range(errors, "rating", rating, 1, 5);
    }
}

/// Validates `row`, checks what it refers to and writes it.
async fn write<C: ConnectionTrait>(
    db: &C,
    row: review::ActiveModel,
    mut errors: FieldErrors,
) -> Result<Write<review::Model>> {
    validate(&row, &mut errors);
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

/// The mutations of `Review`.
#[derive(Default)]
pub struct ReviewMutation;

#[Object]
impl ReviewMutation {
    async fn create_review(
        &self,
        ctx: &Context<'_>,
        input: ReviewCreateInput,
    ) -> Result<CreateReviewPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let mut errors = FieldErrors::default();
        let row = new_row(input, caller(ctx)?, &mut errors);
        Ok(match write(db, row, errors).await? {
            Write::Done(row) => CreateReviewPayload {
                success: true,
                review: Some(Review(row)),
                errors: Vec::new(),
            },
            Write::Invalid(errors) | Write::Refused(errors) => CreateReviewPayload {
                success: false,
                review: None,
                errors: errors.0,
            },
        })
    }

    async fn create_reviews(
        &self,
        ctx: &Context<'_>,
        inputs: Vec<ReviewCreateInput>,
    ) -> Result<CreateReviewsPayload> {
        if inputs.len() > MAX_LIST_LENGTH {
            return Err(format!("at most {MAX_LIST_LENGTH} inputs").into());
        }
        let caller = caller(ctx)?;
        let txn = ctx.data::<DatabaseConnection>()?.begin().await?;
        let mut reviews = Vec::new();
        let mut errors = Vec::new();
        for (i, input) in inputs.into_iter().enumerate() {
            let mut row_errors = FieldErrors::default();
            let row = new_row(input, caller, &mut row_errors);
            match write(&txn, row, row_errors).await? {
                Write::Done(row) => reviews.push(Review(row)),
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
            return Ok(CreateReviewsPayload {
                success: false,
                reviews: Vec::new(),
                errors,
            });
        }
        txn.commit().await?;
        Ok(CreateReviewsPayload {
            success: true,
            reviews,
            errors,
        })
    }

    async fn update_review(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: ReviewUpdateInput,
    ) -> Result<UpdateReviewPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let failed = |errors: FieldErrors| UpdateReviewPayload {
            success: false,
            review: None,
            errors: errors.0,
        };
        let mut errors = FieldErrors::default();
        let key = input_id(&id, "id", &mut errors);
        if !errors.is_empty() {
            return Ok(failed(errors));
        }
        let Some(row) = review::Entity::find_by_id(key).one(db).await? else {
            errors.add("id", "NOT_FOUND", format!("no review has the id {key}"));
            return Ok(failed(errors));
        };
        let mut row = row.into_active_model();
        apply(&mut row, input, &mut errors);
        Ok(match write(db, row, errors).await? {
            Write::Done(row) => UpdateReviewPayload {
                success: true,
                review: Some(Review(row)),
                errors: Vec::new(),
            },
            Write::Invalid(errors) | Write::Refused(errors) => failed(errors),
        })
    }

    async fn update_reviews(
        &self,
        ctx: &Context<'_>,
        filter: ReviewFilter,
        input: ReviewUpdateInput,
    ) -> Result<BulkMutationPayload> {
        let txn = ctx.data::<DatabaseConnection>()?.begin().await?;
        let rows = review::Entity::find()
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

    async fn delete_review(&self, ctx: &Context<'_>, id: ID) -> Result<DeleteReviewPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let failed = |errors: Vec<FieldError>| DeleteReviewPayload {
            success: false,
            deleted_id: None,
            errors,
        };
        let mut errors = FieldErrors::default();
        let key = input_id(&id, "id", &mut errors);
        if !errors.is_empty() {
            return Ok(failed(errors.0));
        }
        let Some(row) = review::Entity::find_by_id(key).one(db).await? else {
            errors.add("id", "NOT_FOUND", format!("no review has the id {key}"));
            return Ok(failed(errors.0));
        };
        match row.delete(db).await {
            Ok(_) => Ok(DeleteReviewPayload {
                success: true,
                deleted_id: Some(id),
                errors: Vec::new(),
            }),
            Err(err) => Ok(failed(delete_refusal(err)?)),
        }
    }

    async fn delete_reviews(
        &self,
        ctx: &Context<'_>,
        filter: ReviewFilter,
    ) -> Result<BulkMutationPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let deleted = review::Entity::delete_many()
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
