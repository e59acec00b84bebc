//! `Category`: the object, its filter and order inputs, its root fields and its mutations.

use std::sync::LazyLock;

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use regex::Regex;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ActiveModelTrait, ActiveValue, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    EntityTrait, IntoActiveModel, ModelTrait, QueryFilter, QuerySelect, QueryTrait, Select,
    TransactionTrait,
};

use super::common::*;
use super::loaders::CategoryById;
use super::product::{Product, ProductFilter, ProductOrderBy};
use crate::entities::{category, product};

/// A product category; categories nest through `parent`.
pub struct Category(pub category::Model);

impl From<category::Model> for Category {
    fn from(row: category::Model) -> Self {
        Category(row)
    }
}

#[Object]
impl Category {
    pub async fn id(&self) -> ID {
        self.0.id.into()
    }

    /// Display name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// URL-safe unique name.
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    /// Longer text shown on the category page.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// The category's landing page.
    async fn homepage(&self) -> Option<&str> {
        self.0.homepage.as_deref()
    }

    /// The enclosing category, if any.
    async fn parent_id(&self) -> Option<ID> {
        self.0.parent_id.map(ID::from)
    }

    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<Category>> {
        let Some(parent_id) = self.0.parent_id else {
            return Ok(None);
        };
        let loader = ctx.data::<DataLoader<CategoryById>>()?;
        Ok(loader.load_one(parent_id).await?.map(Category))
    }

    async fn children(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<CategoryFilter>,
        order_by: Option<Vec<CategoryOrderBy>>,
    ) -> Result<Page<Category>> {
        let select = category::Entity::find().filter(category::Column::ParentId.eq(self.0.id));
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        page(ctx.data()?, select, args, filter, order_by).await
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
        let select = product::Entity::find().filter(product::Column::CategoryId.eq(self.0.id));
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        super::product::page(ctx.data()?, select, args, filter, order_by).await
    }
}

/// Selects `Category` rows; every field set must hold.
#[derive(InputObject, Clone, Default)]
pub struct CategoryFilter {
    pub id: Option<ID>,
    #[graphql(name = "id_In")]
    pub id_in: Option<Vec<ID>>,
    pub name: Option<String>,
    #[graphql(name = "name_Icontains")]
    pub name_icontains: Option<String>,
    #[graphql(name = "name_Istartswith")]
    pub name_istartswith: Option<String>,
    pub slug: Option<String>,
    #[graphql(name = "slug_In")]
    pub slug_in: Option<Vec<String>>,
    #[graphql(name = "description_Icontains")]
    pub description_icontains: Option<String>,
    #[graphql(name = "description_Isnull")]
    pub description_isnull: Option<bool>,
    pub parent: Option<ID>,
    #[graphql(name = "parent_In")]
    pub parent_in: Option<Vec<ID>>,
    #[graphql(name = "parent_Isnull")]
    pub parent_isnull: Option<bool>,
    /// Every filter of the list holds.
    pub and: Option<Vec<CategoryFilter>>,
    /// At least one filter of the list holds.
    pub or: Option<Vec<CategoryFilter>>,
    /// The filter does not hold.
    pub not: Option<Box<CategoryFilter>>,
}

impl CategoryFilter {
    pub fn condition(&self) -> Result<Condition> {
        use category::Column;
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
        if let Some(text) = &self.name_istartswith {
            all = all.add(istartswith(Column::Name, text));
        }
        if let Some(slug) = &self.slug {
            all = all.add(Column::Slug.eq(slug));
        }
        if let Some(slugs) = &self.slug_in {
            all = all.add(Column::Slug.is_in(slugs));
        }
        if let Some(text) = &self.description_icontains {
            all = all.add(icontains(Column::Description, text));
        }
        if let Some(null) = self.description_isnull {
            all = all.add(isnull(Column::Description, null));
        }
        if let Some(id) = &self.parent {
            all = all.add(Column::ParentId.eq(parse_id(id)?));
        }
        if let Some(ids) = &self.parent_in {
            all = all.add(Column::ParentId.is_in(parse_ids(ids)?));
        }
        if let Some(null) = self.parent_isnull {
            all = all.add(isnull(Column::ParentId, null));
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

    /// The ids of the categories the filter selects, for the filters of related models.
    pub fn ids(&self) -> Result<sea_orm::sea_query::SelectStatement> {
        Ok(category::Entity::find()
            .select_only()
            .column(category::Column::Id)
            .filter(self.condition()?)
            .into_query())
    }
}

/// One sort key of `Category`: set exactly one field. The id breaks ties.
#[derive(InputObject)]
pub struct CategoryOrderBy {
    pub id: Option<OrderDirection>,
    pub name: Option<OrderDirection>,
}

impl CategoryOrderBy {
    fn key(&self) -> Result<(category::Column, OrderDirection)> {
        use category::Column;
        order_key(vec![(Column::Id, self.id), (Column::Name, self.name)])
    }
}

/// A page of `select` with a connection field's filter and order.
pub async fn page(
    db: &DatabaseConnection,
    select: Select<category::Entity>,
    args: PageArgs,
    filter: Option<CategoryFilter>,
    order_by: Option<Vec<CategoryOrderBy>>,
) -> Result<Page<Category>> {
    let mut select = select;
    if let Some(filter) = filter {
        select = select.filter(filter.condition()?);
    }
    let keys = order_by
        .unwrap_or_default()
        .iter()
        .map(CategoryOrderBy::key)
        .collect::<Result<_>>()?;
    let select = ordered(select, keys, category::Column::Id);
    paginate(db, select, args).await
}

/// The root fields of `Category`.
#[derive(Default)]
pub struct CategoryQuery;

#[Object]
impl CategoryQuery {
    /// The `Category` with this id, or null.
    async fn category(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Category>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let row = category::Entity::find_by_id(parse_id(&id)?).one(db).await?;
        Ok(row.map(Category))
    }

    /// `Category` rows, filtered, ordered and paginated.
    async fn categories(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<CategoryFilter>,
        order_by: Option<Vec<CategoryOrderBy>>,
    ) -> Result<Page<Category>> {
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        let db = ctx.data::<DatabaseConnection>()?;
        page(db, category::Entity::find(), args, filter, order_by).await
    }
}

/// The fields of a new `Category`.
#[derive(InputObject)]
pub struct CategoryCreateInput {
    /// Display name. Required.
    pub name: Option<String>,
    /// URL-safe unique name. Required.
    pub slug: Option<String>,
    /// Longer text shown on the category page.
    pub description: Option<String>,
    /// The category's landing page.
    pub homepage: Option<String>,
    /// The enclosing category, if any.
    pub parent_id: Option<ID>,
}

/// Changes to a `Category`: absent fields keep their value, null clears a nullable one.
#[derive(InputObject, Clone)]
pub struct CategoryUpdateInput {
    /// Display name.
    pub name: Option<String>,
    /// URL-safe unique name.
    pub slug: Option<String>,
    /// Longer text shown on the category page.
    pub description: MaybeUndefined<String>,
    /// The category's landing page.
    pub homepage: MaybeUndefined<String>,
    /// The enclosing category, if any.
    pub parent_id: MaybeUndefined<ID>,
}

/// The result of `createCategory`: the row, or why nothing was written.
#[derive(SimpleObject)]
pub struct CreateCategoryPayload {
    /// Whether the row was written.
    pub success: bool,
    pub category: Option<Category>,
    /// Every problem with the input; empty on success.
    pub errors: Vec<FieldError>,
}

/// The result of a bulk create: every row, or none and why.
#[derive(SimpleObject)]
pub struct CreateCategoriesPayload {
    /// Whether the rows were written.
    pub success: bool,
    pub categories: Vec<Category>,
    /// Every problem with the inputs, fields named `inputs.N.field`.
    pub errors: Vec<FieldError>,
}

/// The result of `updateCategory`: the row, or why nothing was written.
#[derive(SimpleObject)]
pub struct UpdateCategoryPayload {
    /// Whether the row was written.
    pub success: bool,
    pub category: Option<Category>,
    /// Every problem with the input; empty on success.
    pub errors: Vec<FieldError>,
}

/// The result of a delete: the id of the deleted row, or why nothing was deleted.
#[derive(SimpleObject)]
pub struct DeleteCategoryPayload {
    /// Whether the row was deleted.
    pub success: bool,
    pub deleted_id: Option<ID>,
    pub errors: Vec<FieldError>,
}

fn new_row(input: CategoryCreateInput, errors: &mut FieldErrors) -> category::ActiveModel {
    category::ActiveModel {
        name: required(input.name, "name", errors).map_or(NotSet, Set),
        slug: required(input.slug, "slug", errors).map_or(NotSet, Set),
        description: Set(input.description.as_deref().map(sanitize_html)),
        homepage: Set(input.homepage),
        parent_id: Set(input.parent_id.map(|id| input_id(&id, "parentId", errors))),
        ..Default::default()
    }
}

fn apply(row: &mut category::ActiveModel, input: CategoryUpdateInput, errors: &mut FieldErrors) {
    if let Some(name) = input.name {
        row.name = Set(name);
    }
    if let Some(slug) = input.slug {
        row.slug = Set(slug);
    }
    if let Some(description) = Option::<Option<String>>::from(input.description) {
        row.description = Set(description.as_deref().map(sanitize_html));
    }
    if let Some(homepage) = Option::<Option<String>>::from(input.homepage) {
        row.homepage = Set(homepage);
    }
    if let Some(parent_id) = Option::<Option<ID>>::from(input.parent_id) {
        row.parent_id = Set(parent_id.map(|id| input_id(&id, "parentId", errors)));
    }
}

/// The field rules of the columns being written.
fn validate(row: &category::ActiveModel, errors: &mut FieldErrors) {
    if let ActiveValue::Set(name) = &row.name {
        length(errors, "name", name, 1, 100);
    }
    if let ActiveValue::Set(slug) = &row.slug {
        required_text(errors, "slug", slug);
        static SLUG: LazyLock<Regex> =
            LazyLock::new(|| Regex::new("^[a-z0-9-]+$").expect("the slug pattern compiles"));
        if !SLUG.is_match(slug) {
            errors.add("slug", "REGEX", "must match ^[a-z0-9-]+$");
        }
    }
    if let ActiveValue::Set(Some(homepage)) = &row.homepage {
        url(errors, "homepage", homepage);
    }
}

/// Validates `row`, checks what it refers to and writes it.
async fn write<C: ConnectionTrait>(
    db: &C,
    row: category::ActiveModel,
    mut errors: FieldErrors,
) -> Result<Write<category::Model>> {
    validate(&row, &mut errors);
    if let ActiveValue::Set(Some(parent_id)) = row.parent_id {
        check_reference::<category::Entity, _>(db, parent_id, "parentId", &mut errors).await?;
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
        Err(err) => Ok(Write::Refused(refusal(err, Some("slug"))?)),
    }
}

/// The mutations of `Category`.
#[derive(Default)]
pub struct CategoryMutation;

#[Object]
impl CategoryMutation {
    async fn create_category(
        &self,
        ctx: &Context<'_>,
        input: CategoryCreateInput,
    ) -> Result<CreateCategoryPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let mut errors = FieldErrors::default();
        let row = new_row(input, &mut errors);
        Ok(match write(db, row, errors).await? {
            Write::Done(row) => CreateCategoryPayload {
                success: true,
                category: Some(Category(row)),
                errors: Vec::new(),
            },
            Write::Invalid(errors) | Write::Refused(errors) => CreateCategoryPayload {
                success: false,
                category: None,
                errors: errors.0,
            },
        })
    }

    async fn create_categories(
        &self,
        ctx: &Context<'_>,
        inputs: Vec<CategoryCreateInput>,
    ) -> Result<CreateCategoriesPayload> {
        if inputs.len() > MAX_LIST_LENGTH {
            return Err(format!("at most {MAX_LIST_LENGTH} inputs").into());
        }
        let txn = ctx.data::<DatabaseConnection>()?.begin().await?;
        let mut categories = Vec::new();
        let mut errors = Vec::new();
        for (i, input) in inputs.into_iter().enumerate() {
            let mut row_errors = FieldErrors::default();
            let row = new_row(input, &mut row_errors);
            match write(&txn, row, row_errors).await? {
                Write::Done(row) => categories.push(Category(row)),
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
            return Ok(CreateCategoriesPayload {
                success: false,
                categories: Vec::new(),
                errors,
            });
        }
        txn.commit().await?;
        Ok(CreateCategoriesPayload {
            success: true,
            categories,
            errors,
        })
    }

    async fn update_category(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: CategoryUpdateInput,
    ) -> Result<UpdateCategoryPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let failed = |errors: FieldErrors| UpdateCategoryPayload {
            success: false,
            category: None,
            errors: errors.0,
        };
        let mut errors = FieldErrors::default();
        let key = input_id(&id, "id", &mut errors);
        if !errors.is_empty() {
            return Ok(failed(errors));
        }
        let Some(row) = category::Entity::find_by_id(key).one(db).await? else {
            errors.add("id", "NOT_FOUND", format!("no category has the id {key}"));
            return Ok(failed(errors));
        };
        let mut row = row.into_active_model();
        apply(&mut row, input, &mut errors);
        Ok(match write(db, row, errors).await? {
            Write::Done(row) => UpdateCategoryPayload {
                success: true,
                category: Some(Category(row)),
                errors: Vec::new(),
            },
            Write::Invalid(errors) | Write::Refused(errors) => failed(errors),
        })
    }

    async fn update_categories(
        &self,
        ctx: &Context<'_>,
        filter: CategoryFilter,
        input: CategoryUpdateInput,
    ) -> Result<BulkMutationPayload> {
        let txn = ctx.data::<DatabaseConnection>()?.begin().await?;
        let rows = category::Entity::find()
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

    async fn delete_category(&self, ctx: &Context<'_>, id: ID) -> Result<DeleteCategoryPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let failed = |errors: Vec<FieldError>| DeleteCategoryPayload {
            success: false,
            deleted_id: None,
            errors,
        };
        let mut errors = FieldErrors::default();
        let key = input_id(&id, "id", &mut errors);
        if !errors.is_empty() {
            return Ok(failed(errors.0));
        }
        let Some(row) = category::Entity::find_by_id(key).one(db).await? else {
            errors.add("id", "NOT_FOUND", format!("no category has the id {key}"));
            return Ok(failed(errors.0));
        };
        match row.delete(db).await {
            Ok(_) => Ok(DeleteCategoryPayload {
                success: true,
                deleted_id: Some(id),
                errors: Vec::new(),
            }),
            Err(err) => Ok(failed(delete_refusal(err)?)),
        }
    }

    async fn delete_categories(
        &self,
        ctx: &Context<'_>,
        filter: CategoryFilter,
    ) -> Result<BulkMutationPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let deleted = category::Entity::delete_many()
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
