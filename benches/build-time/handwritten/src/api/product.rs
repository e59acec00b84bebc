//! `Product`: the object, its filter and order inputs, its root fields and its mutations. Its
//! tags are a many-to-many relation through `product_tag`, written with `tagIds`.

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, ID, InputObject, Json, MaybeUndefined, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ActiveModelTrait, ActiveValue, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    EntityTrait, IntoActiveModel, ModelTrait, QueryFilter, QuerySelect, QueryTrait, Select,
    TransactionTrait,
};
use uuid::Uuid;

use super::category::{Category, CategoryFilter};
use super::common::*;
use super::loaders::{CategoryById, UserById};
use super::order_item::{OrderItem, OrderItemFilter, OrderItemOrderBy};
use super::review::{Review, ReviewFilter, ReviewOrderBy};
use super::tag::{Tag, TagFilter, TagOrderBy};
use super::user::{User, UserFilter};
use crate::entities::{category, order_item, product, product_tag, review, tag, user};

/// Something for sale.
pub struct Product(pub product::Model);

impl From<product::Model> for Product {
    fn from(row: product::Model) -> Self {
        Product(row)
    }
}

#[Object]
impl Product {
    pub async fn id(&self) -> ID {
        self.0.id.into()
    }

    /// The product's display name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Long description; may be empty.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// Unit price.
    async fn price(&self) -> Decimal {
        self.0.price
    }

    /// Units in stock.
    async fn stock(&self) -> i32 {
        self.0.stock
    }

    /// Shipping weight in kilograms, when known.
    async fn weight(&self) -> Option<f64> {
        self.0.weight
    }

    /// Stock-keeping unit.
    async fn sku(&self) -> Uuid {
        self.0.sku
    }

    /// Whether the product is listed.
    async fn is_active(&self) -> bool {
        self.0.is_active
    }

    /// Free-form attributes.
    async fn attributes(&self) -> Option<Json<serde_json::Value>> {
        self.0.attributes.clone().map(Json)
    }

    /// The product's category.
    async fn category_id(&self) -> ID {
        self.0.category_id.into()
    }

    /// The user who sells the product.
    async fn owner_id(&self) -> ID {
        self.0.owner_id.into()
    }

    /// When the product was listed.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// The product's category; the filter offers its lookups: `category_Name_Icontains`.
    async fn category(&self, ctx: &Context<'_>) -> Result<Option<Category>> {
        let loader = ctx.data::<DataLoader<CategoryById>>()?;
        Ok(loader.load_one(self.0.category_id).await?.map(Category))
    }

    /// The seller; the filter offers `owner_Username`.
    async fn owner(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let loader = ctx.data::<DataLoader<UserById>>()?;
        Ok(loader.load_one(self.0.owner_id).await?.map(User))
    }

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
        let linked = product_tag::Entity::find()
            .select_only()
            .column(product_tag::Column::TagId)
            .filter(product_tag::Column::ProductId.eq(self.0.id))
            .into_query();
        let select = tag::Entity::find().filter(tag::Column::Id.in_subquery(linked));
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        super::tag::page(ctx.data()?, select, args, filter, order_by).await
    }

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
        let select = review::Entity::find().filter(review::Column::ProductId.eq(self.0.id));
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        super::review::page(ctx.data()?, select, args, filter, order_by).await
    }

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
        let select = order_item::Entity::find().filter(order_item::Column::ProductId.eq(self.0.id));
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        super::order_item::page(ctx.data()?, select, args, filter, order_by).await
    }
}

/// Selects `Product` rows; every field set must hold.
#[derive(InputObject, Clone, Default)]
pub struct ProductFilter {
    pub id: Option<ID>,
    #[graphql(name = "id_In")]
    pub id_in: Option<Vec<ID>>,
    pub name: Option<String>,
    #[graphql(name = "name_Iexact")]
    pub name_iexact: Option<String>,
    #[graphql(name = "name_Contains")]
    pub name_contains: Option<String>,
    #[graphql(name = "name_Icontains")]
    pub name_icontains: Option<String>,
    #[graphql(name = "name_Startswith")]
    pub name_startswith: Option<String>,
    #[graphql(name = "name_Istartswith")]
    pub name_istartswith: Option<String>,
    #[graphql(name = "name_Endswith")]
    pub name_endswith: Option<String>,
    #[graphql(name = "name_Iendswith")]
    pub name_iendswith: Option<String>,
    #[graphql(name = "name_In")]
    pub name_in: Option<Vec<String>>,
    #[graphql(name = "description_Icontains")]
    pub description_icontains: Option<String>,
    #[graphql(name = "description_Isnull")]
    pub description_isnull: Option<bool>,
    pub price: Option<Decimal>,
    #[graphql(name = "price_In")]
    pub price_in: Option<Vec<Decimal>>,
    #[graphql(name = "price_Gt")]
    pub price_gt: Option<Decimal>,
    #[graphql(name = "price_Gte")]
    pub price_gte: Option<Decimal>,
    #[graphql(name = "price_Lt")]
    pub price_lt: Option<Decimal>,
    #[graphql(name = "price_Lte")]
    pub price_lte: Option<Decimal>,
    #[graphql(name = "price_Range")]
    pub price_range: Option<Vec<Decimal>>,
    pub stock: Option<i32>,
    #[graphql(name = "stock_Gt")]
    pub stock_gt: Option<i32>,
    #[graphql(name = "stock_Gte")]
    pub stock_gte: Option<i32>,
    #[graphql(name = "stock_Lt")]
    pub stock_lt: Option<i32>,
    #[graphql(name = "stock_Lte")]
    pub stock_lte: Option<i32>,
    #[graphql(name = "stock_Range")]
    pub stock_range: Option<Vec<i32>>,
    #[graphql(name = "stock_In")]
    pub stock_in: Option<Vec<i32>>,
    #[graphql(name = "weight_Gt")]
    pub weight_gt: Option<f64>,
    #[graphql(name = "weight_Lt")]
    pub weight_lt: Option<f64>,
    #[graphql(name = "weight_Isnull")]
    pub weight_isnull: Option<bool>,
    pub sku: Option<Uuid>,
    #[graphql(name = "sku_In")]
    pub sku_in: Option<Vec<Uuid>>,
    pub is_active: Option<bool>,
    #[graphql(name = "attributes_Isnull")]
    pub attributes_isnull: Option<bool>,
    pub category: Option<ID>,
    #[graphql(name = "category_In")]
    pub category_in: Option<Vec<ID>>,
    pub owner: Option<ID>,
    #[graphql(name = "owner_In")]
    pub owner_in: Option<Vec<ID>>,
    #[graphql(name = "createdAt_Gt")]
    pub created_at_gt: Option<DateTime<Utc>>,
    #[graphql(name = "createdAt_Gte")]
    pub created_at_gte: Option<DateTime<Utc>>,
    #[graphql(name = "createdAt_Lt")]
    pub created_at_lt: Option<DateTime<Utc>>,
    #[graphql(name = "createdAt_Lte")]
    pub created_at_lte: Option<DateTime<Utc>>,
    #[graphql(name = "createdAt_Range")]
    pub created_at_range: Option<Vec<DateTime<Utc>>>,
    #[graphql(name = "category_Id")]
    pub category_id: Option<ID>,
    #[graphql(name = "category_Id_In")]
    pub category_id_in: Option<Vec<ID>>,
    #[graphql(name = "category_Name")]
    pub category_name: Option<String>,
    #[graphql(name = "category_Name_Icontains")]
    pub category_name_icontains: Option<String>,
    #[graphql(name = "category_Name_Istartswith")]
    pub category_name_istartswith: Option<String>,
    #[graphql(name = "category_Slug")]
    pub category_slug: Option<String>,
    #[graphql(name = "category_Slug_In")]
    pub category_slug_in: Option<Vec<String>>,
    #[graphql(name = "category_Description_Icontains")]
    pub category_description_icontains: Option<String>,
    #[graphql(name = "category_Description_Isnull")]
    pub category_description_isnull: Option<bool>,
    #[graphql(name = "category_Parent")]
    pub category_parent: Option<ID>,
    #[graphql(name = "category_Parent_In")]
    pub category_parent_in: Option<Vec<ID>>,
    #[graphql(name = "category_Parent_Isnull")]
    pub category_parent_isnull: Option<bool>,
    #[graphql(name = "owner_Id")]
    pub owner_id: Option<ID>,
    #[graphql(name = "owner_Id_In")]
    pub owner_id_in: Option<Vec<ID>>,
    #[graphql(name = "owner_Username")]
    pub owner_username: Option<String>,
    #[graphql(name = "owner_Username_Iexact")]
    pub owner_username_iexact: Option<String>,
    #[graphql(name = "owner_Username_Icontains")]
    pub owner_username_icontains: Option<String>,
    #[graphql(name = "owner_Username_Istartswith")]
    pub owner_username_istartswith: Option<String>,
    #[graphql(name = "owner_Username_In")]
    pub owner_username_in: Option<Vec<String>>,
    #[graphql(name = "owner_Email")]
    pub owner_email: Option<String>,
    #[graphql(name = "owner_Email_Iexact")]
    pub owner_email_iexact: Option<String>,
    #[graphql(name = "owner_Email_Icontains")]
    pub owner_email_icontains: Option<String>,
    #[graphql(name = "owner_IsStaff")]
    pub owner_is_staff: Option<bool>,
    #[graphql(name = "owner_IsActive")]
    pub owner_is_active: Option<bool>,
    #[graphql(name = "owner_DateJoined_Gte")]
    pub owner_date_joined_gte: Option<DateTime<Utc>>,
    #[graphql(name = "owner_DateJoined_Lte")]
    pub owner_date_joined_lte: Option<DateTime<Utc>>,
    #[graphql(name = "owner_DateJoined_Range")]
    pub owner_date_joined_range: Option<Vec<DateTime<Utc>>>,
    pub tags: Option<ID>,
    #[graphql(name = "tags_In")]
    pub tags_in: Option<Vec<ID>>,
    #[graphql(name = "tags_Name")]
    pub tags_name: Option<String>,
    #[graphql(name = "tags_Name_Icontains")]
    pub tags_name_icontains: Option<String>,
    #[graphql(name = "tags_Name_In")]
    pub tags_name_in: Option<Vec<String>>,
    pub reviews: Option<ID>,
    #[graphql(name = "reviews_In")]
    pub reviews_in: Option<Vec<ID>>,
    #[graphql(name = "reviews_Product")]
    pub reviews_product: Option<ID>,
    #[graphql(name = "reviews_Product_In")]
    pub reviews_product_in: Option<Vec<ID>>,
    #[graphql(name = "reviews_User")]
    pub reviews_user: Option<ID>,
    #[graphql(name = "reviews_User_In")]
    pub reviews_user_in: Option<Vec<ID>>,
    #[graphql(name = "reviews_Rating")]
    pub reviews_rating: Option<i32>,
    #[graphql(name = "reviews_Rating_In")]
    pub reviews_rating_in: Option<Vec<i32>>,
    #[graphql(name = "reviews_Rating_Gt")]
    pub reviews_rating_gt: Option<i32>,
    #[graphql(name = "reviews_Rating_Gte")]
    pub reviews_rating_gte: Option<i32>,
    #[graphql(name = "reviews_Rating_Lt")]
    pub reviews_rating_lt: Option<i32>,
    #[graphql(name = "reviews_Rating_Lte")]
    pub reviews_rating_lte: Option<i32>,
    #[graphql(name = "reviews_Rating_Range")]
    pub reviews_rating_range: Option<Vec<i32>>,
    #[graphql(name = "reviews_Comment_Icontains")]
    pub reviews_comment_icontains: Option<String>,
    #[graphql(name = "reviews_Comment_Isnull")]
    pub reviews_comment_isnull: Option<bool>,
    #[graphql(name = "reviews_CreatedAt_Gte")]
    pub reviews_created_at_gte: Option<DateTime<Utc>>,
    #[graphql(name = "reviews_CreatedAt_Lte")]
    pub reviews_created_at_lte: Option<DateTime<Utc>>,
    /// Every filter of the list holds.
    pub and: Option<Vec<ProductFilter>>,
    /// At least one filter of the list holds.
    pub or: Option<Vec<ProductFilter>>,
    /// The filter does not hold.
    pub not: Option<Box<ProductFilter>>,
}

impl ProductFilter {
    pub fn condition(&self) -> Result<Condition> {
        use product::Column;
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
        if let Some(text) = &self.name_iexact {
            all = all.add(iexact(Column::Name, text));
        }
        if let Some(text) = &self.name_contains {
            all = all.add(contains(Column::Name, text));
        }
        if let Some(text) = &self.name_icontains {
            all = all.add(icontains(Column::Name, text));
        }
        if let Some(text) = &self.name_startswith {
            all = all.add(starts_with(Column::Name, text));
        }
        if let Some(text) = &self.name_istartswith {
            all = all.add(istartswith(Column::Name, text));
        }
        if let Some(text) = &self.name_endswith {
            all = all.add(ends_with(Column::Name, text));
        }
        if let Some(text) = &self.name_iendswith {
            all = all.add(iendswith(Column::Name, text));
        }
        if let Some(names) = &self.name_in {
            all = all.add(Column::Name.is_in(names));
        }
        if let Some(text) = &self.description_icontains {
            all = all.add(icontains(Column::Description, text));
        }
        if let Some(null) = self.description_isnull {
            all = all.add(isnull(Column::Description, null));
        }
        if let Some(price) = self.price {
            all = all.add(Column::Price.eq(price));
        }
        if let Some(prices) = &self.price_in {
            all = all.add(Column::Price.is_in(prices.iter().copied()));
        }
        if let Some(price) = self.price_gt {
            all = all.add(Column::Price.gt(price));
        }
        if let Some(price) = self.price_gte {
            all = all.add(Column::Price.gte(price));
        }
        if let Some(price) = self.price_lt {
            all = all.add(Column::Price.lt(price));
        }
        if let Some(price) = self.price_lte {
            all = all.add(Column::Price.lte(price));
        }
        if let Some(bounds) = &self.price_range {
            all = all.add(range(Column::Price, bounds)?);
        }
        if let Some(stock) = self.stock {
            all = all.add(Column::Stock.eq(stock));
        }
        if let Some(stock) = self.stock_gt {
            all = all.add(Column::Stock.gt(stock));
        }
        if let Some(stock) = self.stock_gte {
            all = all.add(Column::Stock.gte(stock));
        }
        if let Some(stock) = self.stock_lt {
            all = all.add(Column::Stock.lt(stock));
        }
        if let Some(stock) = self.stock_lte {
            all = all.add(Column::Stock.lte(stock));
        }
        if let Some(bounds) = &self.stock_range {
            all = all.add(range(Column::Stock, bounds)?);
        }
        if let Some(stocks) = &self.stock_in {
            all = all.add(Column::Stock.is_in(stocks.iter().copied()));
        }
        if let Some(weight) = self.weight_gt {
            all = all.add(Column::Weight.gt(weight));
        }
        if let Some(weight) = self.weight_lt {
            all = all.add(Column::Weight.lt(weight));
        }
        if let Some(null) = self.weight_isnull {
            all = all.add(isnull(Column::Weight, null));
        }
        if let Some(sku) = self.sku {
            all = all.add(Column::Sku.eq(sku));
        }
        if let Some(skus) = &self.sku_in {
            all = all.add(Column::Sku.is_in(skus.iter().copied()));
        }
        if let Some(active) = self.is_active {
            all = all.add(Column::IsActive.eq(active));
        }
        if let Some(null) = self.attributes_isnull {
            all = all.add(isnull(Column::Attributes, null));
        }
        if let Some(id) = &self.category {
            all = all.add(Column::CategoryId.eq(parse_id(id)?));
        }
        if let Some(ids) = &self.category_in {
            all = all.add(Column::CategoryId.is_in(parse_ids(ids)?));
        }
        if let Some(id) = &self.owner {
            all = all.add(Column::OwnerId.eq(parse_id(id)?));
        }
        if let Some(ids) = &self.owner_in {
            all = all.add(Column::OwnerId.is_in(parse_ids(ids)?));
        }
        if let Some(at) = self.created_at_gt {
            all = all.add(Column::CreatedAt.gt(at));
        }
        if let Some(at) = self.created_at_gte {
            all = all.add(Column::CreatedAt.gte(at));
        }
        if let Some(at) = self.created_at_lt {
            all = all.add(Column::CreatedAt.lt(at));
        }
        if let Some(at) = self.created_at_lte {
            all = all.add(Column::CreatedAt.lte(at));
        }
        if let Some(bounds) = &self.created_at_range {
            all = all.add(range(Column::CreatedAt, bounds)?);
        }
        // The lookups through `category` and `owner` are those models' own filters, applied
        // to the row the foreign key names.
        let category = CategoryFilter {
            id: self.category_id.clone(),
            id_in: self.category_id_in.clone(),
            name: self.category_name.clone(),
            name_icontains: self.category_name_icontains.clone(),
            name_istartswith: self.category_name_istartswith.clone(),
            slug: self.category_slug.clone(),
            slug_in: self.category_slug_in.clone(),
            description_icontains: self.category_description_icontains.clone(),
            description_isnull: self.category_description_isnull,
            parent: self.category_parent.clone(),
            parent_in: self.category_parent_in.clone(),
            parent_isnull: self.category_parent_isnull,
            ..CategoryFilter::default()
        };
        if !category.condition()?.is_empty() {
            all = all.add(Column::CategoryId.in_subquery(category.ids()?));
        }
        let owner = UserFilter {
            id: self.owner_id.clone(),
            id_in: self.owner_id_in.clone(),
            username: self.owner_username.clone(),
            username_iexact: self.owner_username_iexact.clone(),
            username_icontains: self.owner_username_icontains.clone(),
            username_istartswith: self.owner_username_istartswith.clone(),
            username_in: self.owner_username_in.clone(),
            email: self.owner_email.clone(),
            email_iexact: self.owner_email_iexact.clone(),
            email_icontains: self.owner_email_icontains.clone(),
            is_staff: self.owner_is_staff,
            is_active: self.owner_is_active,
            date_joined_gte: self.owner_date_joined_gte,
            date_joined_lte: self.owner_date_joined_lte,
            date_joined_range: self.owner_date_joined_range.clone(),
            ..UserFilter::default()
        };
        if !owner.condition()?.is_empty() {
            all = all.add(Column::OwnerId.in_subquery(owner.ids()?));
        }
        // Through a has-many relation a product matches when any of its related rows does.
        let tags = TagFilter {
            id: self.tags.clone(),
            id_in: self.tags_in.clone(),
            name: self.tags_name.clone(),
            name_icontains: self.tags_name_icontains.clone(),
            name_in: self.tags_name_in.clone(),
            ..TagFilter::default()
        };
        if !tags.condition()?.is_empty() {
            let tagged = product_tag::Entity::find()
                .select_only()
                .column(product_tag::Column::ProductId)
                .filter(product_tag::Column::TagId.in_subquery(tags.ids()?))
                .into_query();
            all = all.add(Column::Id.in_subquery(tagged));
        }
        let reviews = ReviewFilter {
            id: self.reviews.clone(),
            id_in: self.reviews_in.clone(),
            product: self.reviews_product.clone(),
            product_in: self.reviews_product_in.clone(),
            user: self.reviews_user.clone(),
            user_in: self.reviews_user_in.clone(),
            rating: self.reviews_rating,
            rating_in: self.reviews_rating_in.clone(),
            rating_gt: self.reviews_rating_gt,
            rating_gte: self.reviews_rating_gte,
            rating_lt: self.reviews_rating_lt,
            rating_lte: self.reviews_rating_lte,
            rating_range: self.reviews_rating_range.clone(),
            comment_icontains: self.reviews_comment_icontains.clone(),
            comment_isnull: self.reviews_comment_isnull,
            created_at_gte: self.reviews_created_at_gte,
            created_at_lte: self.reviews_created_at_lte,
            ..ReviewFilter::default()
        };
        let review_condition = reviews.condition()?;
        if !review_condition.is_empty() {
            let reviewed = review::Entity::find()
                .select_only()
                .column(review::Column::ProductId)
                .filter(review_condition)
                .into_query();
            all = all.add(Column::Id.in_subquery(reviewed));
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

    /// The ids of the products the filter selects, for the filters of related models.
    pub fn ids(&self) -> Result<sea_orm::sea_query::SelectStatement> {
        Ok(product::Entity::find()
            .select_only()
            .column(product::Column::Id)
            .filter(self.condition()?)
            .into_query())
    }
}

/// One sort key of `Product`: set exactly one field. The id breaks ties.
#[derive(InputObject)]
pub struct ProductOrderBy {
    pub id: Option<OrderDirection>,
    pub name: Option<OrderDirection>,
    pub price: Option<OrderDirection>,
    pub stock: Option<OrderDirection>,
    pub weight: Option<OrderDirection>,
    pub created_at: Option<OrderDirection>,
}

impl ProductOrderBy {
    fn key(&self) -> Result<(product::Column, OrderDirection)> {
        use product::Column;
        order_key(vec![
            (Column::Id, self.id),
            (Column::Name, self.name),
            (Column::Price, self.price),
            (Column::Stock, self.stock),
            (Column::Weight, self.weight),
            (Column::CreatedAt, self.created_at),
        ])
    }
}

/// A page of `select` with a connection field's filter and order.
pub async fn page(
    db: &DatabaseConnection,
    select: Select<product::Entity>,
    args: PageArgs,
    filter: Option<ProductFilter>,
    order_by: Option<Vec<ProductOrderBy>>,
) -> Result<Page<Product>> {
    let mut select = select;
    if let Some(filter) = filter {
        select = select.filter(filter.condition()?);
    }
    let keys = order_by
        .unwrap_or_default()
        .iter()
        .map(ProductOrderBy::key)
        .collect::<Result<_>>()?;
    let select = ordered(select, keys, product::Column::Id);
    paginate(db, select, args).await
}

/// The root fields of `Product`.
#[derive(Default)]
pub struct ProductQuery;

#[Object]
impl ProductQuery {
    /// The `Product` with this id, or null.
    async fn product(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Product>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let row = product::Entity::find_by_id(parse_id(&id)?).one(db).await?;
        Ok(row.map(Product))
    }

    /// `Product` rows, filtered, ordered and paginated.
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
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        let db = ctx.data::<DatabaseConnection>()?;
        page(db, product::Entity::find(), args, filter, order_by).await
    }
}

/// The fields of a new `Product`.
#[derive(InputObject)]
pub struct ProductCreateInput {
    /// The product's display name. Required.
    pub name: Option<String>,
    /// Long description; may be empty.
    pub description: Option<String>,
    /// Unit price. Required.
    pub price: Option<Decimal>,
    /// Units in stock.
    pub stock: Option<i32>,
    /// Shipping weight in kilograms, when known.
    pub weight: Option<f64>,
    /// Stock-keeping unit.
    pub sku: Option<Uuid>,
    /// Whether the product is listed.
    pub is_active: Option<bool>,
    /// Free-form attributes.
    pub attributes: Option<Json<serde_json::Value>>,
    /// The product's category. Required.
    pub category_id: Option<ID>,
    /// The user who sells the product.
    pub owner_id: Option<ID>,
    /// The ids of the row's `tags`; none when absent.
    pub tag_ids: Option<Vec<ID>>,
}

/// Changes to a `Product`: absent fields keep their value, null clears a nullable one.
#[derive(InputObject, Clone)]
pub struct ProductUpdateInput {
    /// The product's display name.
    pub name: Option<String>,
    /// Long description; may be empty.
    pub description: MaybeUndefined<String>,
    /// Unit price.
    pub price: Option<Decimal>,
    /// Units in stock.
    pub stock: Option<i32>,
    /// Shipping weight in kilograms, when known.
    pub weight: MaybeUndefined<f64>,
    /// Stock-keeping unit.
    pub sku: Option<Uuid>,
    /// Whether the product is listed.
    pub is_active: Option<bool>,
    /// Free-form attributes.
    pub attributes: MaybeUndefined<Json<serde_json::Value>>,
    /// The product's category.
    pub category_id: Option<ID>,
    /// The user who sells the product.
    pub owner_id: Option<ID>,
    /// The ids of the row's `tags`; unchanged when absent, replaced when given.
    pub tag_ids: Option<Vec<ID>>,
}

/// The result of `createProduct`: the row, or why nothing was written.
#[derive(SimpleObject)]
pub struct CreateProductPayload {
    /// Whether the row was written.
    pub success: bool,
    pub product: Option<Product>,
    /// Every problem with the input; empty on success.
    pub errors: Vec<FieldError>,
}

/// The result of a bulk create: every row, or none and why.
#[derive(SimpleObject)]
pub struct CreateProductsPayload {
    /// Whether the rows were written.
    pub success: bool,
    pub products: Vec<Product>,
    /// Every problem with the inputs, fields named `inputs.N.field`.
    pub errors: Vec<FieldError>,
}

/// The result of `updateProduct`: the row, or why nothing was written.
#[derive(SimpleObject)]
pub struct UpdateProductPayload {
    /// Whether the row was written.
    pub success: bool,
    pub product: Option<Product>,
    /// Every problem with the input; empty on success.
    pub errors: Vec<FieldError>,
}

/// The result of a delete: the id of the deleted row, or why nothing was deleted.
#[derive(SimpleObject)]
pub struct DeleteProductPayload {
    /// Whether the row was deleted.
    pub success: bool,
    pub deleted_id: Option<ID>,
    pub errors: Vec<FieldError>,
}

/// A new row from `input`, owned by the caller unless staff name another owner, and its tag
/// ids; malformed ids go to `errors`.
fn new_row(
    input: ProductCreateInput,
    caller: &Caller,
    errors: &mut FieldErrors,
) -> Result<(product::ActiveModel, Option<Vec<i32>>)> {
    let category_id = required(input.category_id, "categoryId", errors);
    let row = product::ActiveModel {
        name: required(input.name, "name", errors).map_or(NotSet, Set),
        description: Set(input.description.as_deref().map(sanitize_html)),
        price: required(input.price, "price", errors).map_or(NotSet, Set),
        stock: Set(input.stock.unwrap_or(0)),
        weight: Set(input.weight),
        sku: Set(input.sku.unwrap_or_else(Uuid::new_v4)),
        is_active: Set(input.is_active.unwrap_or(true)),
        attributes: Set(input.attributes.map(|json| json.0)),
        category_id: category_id.map_or(NotSet, |id| Set(input_id(&id, "categoryId", errors))),
        owner_id: Set(owner_id(caller, input.owner_id.as_ref(), errors)?),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    let tag_ids = input.tag_ids.map(|ids| input_ids(&ids, "tagIds", errors));
    Ok((row, tag_ids))
}

/// Puts the given fields of `input` into `row`; returns the new tag ids, if given. Only staff
/// may give `ownerId`.
fn apply(
    row: &mut product::ActiveModel,
    input: ProductUpdateInput,
    caller: &Caller,
    errors: &mut FieldErrors,
) -> Result<Option<Vec<i32>>> {
    if let Some(name) = input.name {
        row.name = Set(name);
    }
    if let Some(description) = Option::<Option<String>>::from(input.description) {
        row.description = Set(description.as_deref().map(sanitize_html));
    }
    if let Some(price) = input.price {
        row.price = Set(price);
    }
    if let Some(stock) = input.stock {
        row.stock = Set(stock);
    }
    if let Some(weight) = Option::<Option<f64>>::from(input.weight) {
        row.weight = Set(weight);
    }
    if let Some(sku) = input.sku {
        row.sku = Set(sku);
    }
    if let Some(is_active) = input.is_active {
        row.is_active = Set(is_active);
    }
    if let Some(attributes) = Option::<Option<Json<serde_json::Value>>>::from(input.attributes) {
        row.attributes = Set(attributes.map(|json| json.0));
    }
    if let Some(id) = input.category_id {
        row.category_id = Set(input_id(&id, "categoryId", errors));
    }
    if let Some(id) = &input.owner_id {
        row.owner_id = Set(owner_id(caller, Some(id), errors)?);
    }
    Ok(input.tag_ids.map(|ids| input_ids(&ids, "tagIds", errors)))
}

/// The field rules of the columns being written, and the rule across them.
fn validate(row: &product::ActiveModel, errors: &mut FieldErrors) {
    if let ActiveValue::Set(name) = &row.name {
        length(errors, "name", name, 1, 200);
    }
    if let ActiveValue::Set(Some(description)) = &row.description {
        length(errors, "description", description, 0, 5000);
    }
    if let ActiveValue::Set(price) = &row.price {
        decimal_range(errors, "price", price, 0.0, 1_000_000.0);
    }
    if let ActiveValue::Set(stock) = row.stock {
        int_range(errors, "stock", stock, 0, i32::MAX);
    }
    // An expensive product needs a description.
    let expensive = row
        .price
        .try_as_ref()
        .is_some_and(|price| *price > Decimal::from(10_000));
    let described = row
        .description
        .try_as_ref()
        .is_some_and(|d| d.as_ref().is_some_and(|d| !d.trim().is_empty()));
    if expensive && !described {
        errors.add(
            "description",
            "REQUIRED",
            "a product above 10000 needs a description",
        );
    }
}

/// Validates `row`, checks what it refers to, writes it and replaces its tags when given.
async fn write<C: ConnectionTrait>(
    db: &C,
    row: product::ActiveModel,
    tag_ids: Option<Vec<i32>>,
    mut errors: FieldErrors,
) -> Result<Write<product::Model>> {
    validate(&row, &mut errors);
    if let ActiveValue::Set(id) = row.category_id {
        check_reference::<category::Entity, _>(db, id, "categoryId", &mut errors).await?;
    }
    if let ActiveValue::Set(id) = row.owner_id {
        check_reference::<user::Entity, _>(db, id, "ownerId", &mut errors).await?;
    }
    for id in tag_ids.iter().flatten() {
        check_reference::<tag::Entity, _>(db, *id, "tagIds", &mut errors).await?;
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
        Err(err) => return Ok(Write::Refused(refusal(err, Some("sku"))?)),
    };
    if let Some(tag_ids) = tag_ids {
        product_tag::Entity::delete_many()
            .filter(product_tag::Column::ProductId.eq(row.id))
            .exec(db)
            .await?;
        let links = tag_ids.into_iter().map(|tag_id| product_tag::ActiveModel {
            product_id: Set(row.id),
            tag_id: Set(tag_id),
        });
        product_tag::Entity::insert_many(links)
            .exec_without_returning(db)
            .await?;
    }
    Ok(Write::Done(row))
}

/// The mutations of `Product`.
#[derive(Default)]
pub struct ProductMutation;

#[Object]
impl ProductMutation {
    async fn create_product(
        &self,
        ctx: &Context<'_>,
        input: ProductCreateInput,
    ) -> Result<CreateProductPayload> {
        let txn = ctx.data::<DatabaseConnection>()?.begin().await?;
        let mut errors = FieldErrors::default();
        let (row, tag_ids) = new_row(input, caller(ctx)?, &mut errors)?;
        Ok(match write(&txn, row, tag_ids, errors).await? {
            Write::Done(row) => {
                txn.commit().await?;
                CreateProductPayload {
                    success: true,
                    product: Some(Product(row)),
                    errors: Vec::new(),
                }
            }
            Write::Invalid(errors) | Write::Refused(errors) => CreateProductPayload {
                success: false,
                product: None,
                errors: errors.0,
            },
        })
    }

    async fn create_products(
        &self,
        ctx: &Context<'_>,
        inputs: Vec<ProductCreateInput>,
    ) -> Result<CreateProductsPayload> {
        if inputs.len() > MAX_LIST_LENGTH {
            return Err(format!("at most {MAX_LIST_LENGTH} inputs").into());
        }
        let caller = caller(ctx)?;
        let txn = ctx.data::<DatabaseConnection>()?.begin().await?;
        let mut products = Vec::new();
        let mut errors = Vec::new();
        for (i, input) in inputs.into_iter().enumerate() {
            let mut row_errors = FieldErrors::default();
            let (row, tag_ids) = new_row(input, caller, &mut row_errors)?;
            match write(&txn, row, tag_ids, row_errors).await? {
                Write::Done(row) => products.push(Product(row)),
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
            return Ok(CreateProductsPayload {
                success: false,
                products: Vec::new(),
                errors,
            });
        }
        txn.commit().await?;
        Ok(CreateProductsPayload {
            success: true,
            products,
            errors,
        })
    }

    async fn update_product(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: ProductUpdateInput,
    ) -> Result<UpdateProductPayload> {
        let txn = ctx.data::<DatabaseConnection>()?.begin().await?;
        let failed = |errors: FieldErrors| UpdateProductPayload {
            success: false,
            product: None,
            errors: errors.0,
        };
        let mut errors = FieldErrors::default();
        let key = input_id(&id, "id", &mut errors);
        if !errors.is_empty() {
            return Ok(failed(errors));
        }
        let Some(row) = product::Entity::find_by_id(key).one(&txn).await? else {
            errors.add("id", "NOT_FOUND", format!("no product has the id {key}"));
            return Ok(failed(errors));
        };
        let mut row = row.into_active_model();
        let tag_ids = apply(&mut row, input, caller(ctx)?, &mut errors)?;
        Ok(match write(&txn, row, tag_ids, errors).await? {
            Write::Done(row) => {
                txn.commit().await?;
                UpdateProductPayload {
                    success: true,
                    product: Some(Product(row)),
                    errors: Vec::new(),
                }
            }
            Write::Invalid(errors) | Write::Refused(errors) => failed(errors),
        })
    }

    async fn update_products(
        &self,
        ctx: &Context<'_>,
        filter: ProductFilter,
        input: ProductUpdateInput,
    ) -> Result<BulkMutationPayload> {
        let caller = caller(ctx)?;
        let txn = ctx.data::<DatabaseConnection>()?.begin().await?;
        let rows = product::Entity::find()
            .filter(bulk_condition(filter.condition()?)?)
            .all(&txn)
            .await?;
        let count = count(rows.len() as u64)?;
        let mut errors = Vec::new();
        for row in rows {
            let prefix = format!("row {}", row.id);
            let mut row = row.into_active_model();
            let mut row_errors = FieldErrors::default();
            let tag_ids = apply(&mut row, input.clone(), caller, &mut row_errors)?;
            match write(&txn, row, tag_ids, row_errors).await? {
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

    async fn delete_product(&self, ctx: &Context<'_>, id: ID) -> Result<DeleteProductPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let failed = |errors: Vec<FieldError>| DeleteProductPayload {
            success: false,
            deleted_id: None,
            errors,
        };
        let mut errors = FieldErrors::default();
        let key = input_id(&id, "id", &mut errors);
        if !errors.is_empty() {
            return Ok(failed(errors.0));
        }
        let Some(row) = product::Entity::find_by_id(key).one(db).await? else {
            errors.add("id", "NOT_FOUND", format!("no product has the id {key}"));
            return Ok(failed(errors.0));
        };
        match row.delete(db).await {
            Ok(_) => Ok(DeleteProductPayload {
                success: true,
                deleted_id: Some(id),
                errors: Vec::new(),
            }),
            Err(err) => Ok(failed(delete_refusal(err)?)),
        }
    }

    async fn delete_products(
        &self,
        ctx: &Context<'_>,
        filter: ProductFilter,
    ) -> Result<BulkMutationPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let deleted = product::Entity::delete_many()
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
