//! The baseline of the relations benchmark: the example app's product listing written by hand
//! with async-graphql and sea-orm, the way a team without gqlgen would write it.
//!
//! Types are `#[Object]`s over the example app's sea-orm models, `products(first)` returns
//! Relay-style `{ edges { node } }` without cursors, and every relation goes through an
//! async-graphql [`DataLoader`] as its documentation shows: a [`Loader`] per relation, created
//! with `DataLoader::new(loader, tokio::spawn)` and the default delay, placed in each request's
//! data so that batches and caches stay within one request.

use std::collections::HashMap;

use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::{Context, EmptyMutation, EmptySubscription, ID, Object, Schema, SimpleObject};
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::Router;
use axum::extract::State;
use axum::routing::post;
use chrono::{DateTime, Utc};
use example_app::entities::{category, product, product_tag, review, tag, user};
use rust_decimal::Decimal;
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

/// Page size of `products` and `reviews` when `first` is not given.
const DEFAULT_PAGE_SIZE: i32 = 20;

fn db_error(err: DbErr) -> async_graphql::Error {
    async_graphql::Error::new(err.to_string())
}

/// The number of rows `first` asks for.
fn page_size(first: Option<i32>) -> async_graphql::Result<usize> {
    let first = first.unwrap_or(DEFAULT_PAGE_SIZE);
    usize::try_from(first).map_err(|_| async_graphql::Error::new("`first` must not be negative"))
}

/// Categories by id.
pub struct CategoryLoader(DatabaseConnection);

impl Loader<i32> for CategoryLoader {
    type Value = category::Model;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let rows = category::Entity::find()
            .filter(category::Column::Id.is_in(keys.iter().copied()))
            .all(&self.0)
            .await
            .map_err(db_error)?;
        Ok(rows.into_iter().map(|row| (row.id, row)).collect())
    }
}

/// Users by id.
pub struct UserLoader(DatabaseConnection);

impl Loader<i32> for UserLoader {
    type Value = user::Model;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let rows = user::Entity::find()
            .filter(user::Column::Id.is_in(keys.iter().copied()))
            .all(&self.0)
            .await
            .map_err(db_error)?;
        Ok(rows.into_iter().map(|row| (row.id, row)).collect())
    }
}

/// The tags of each product, by product id, through `product_tag`.
pub struct TagsByProductLoader(DatabaseConnection);

impl Loader<i32> for TagsByProductLoader {
    type Value = Vec<tag::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let rows = product_tag::Entity::find()
            .filter(product_tag::Column::ProductId.is_in(keys.iter().copied()))
            .find_both_related(tag::Entity)
            .order_by_asc(tag::Column::Id)
            .all(&self.0)
            .await
            .map_err(db_error)?;
        let mut tags: HashMap<i32, Vec<tag::Model>> = HashMap::new();
        for (link, tag) in rows {
            tags.entry(link.product_id).or_default().push(tag);
        }
        Ok(tags)
    }
}

/// The reviews of each product, by product id, oldest id first.
pub struct ReviewsByProductLoader(DatabaseConnection);

impl Loader<i32> for ReviewsByProductLoader {
    type Value = Vec<review::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let rows = review::Entity::find()
            .filter(review::Column::ProductId.is_in(keys.iter().copied()))
            .order_by_asc(review::Column::Id)
            .all(&self.0)
            .await
            .map_err(db_error)?;
        let mut reviews: HashMap<i32, Vec<review::Model>> = HashMap::new();
        for row in rows {
            reviews.entry(row.product_id).or_default().push(row);
        }
        Ok(reviews)
    }
}

/// The request data the resolvers use: one DataLoader per relation.
pub fn loaders(request: async_graphql::Request, db: &DatabaseConnection) -> async_graphql::Request {
    request
        .data(DataLoader::new(CategoryLoader(db.clone()), tokio::spawn))
        .data(DataLoader::new(UserLoader(db.clone()), tokio::spawn))
        .data(DataLoader::new(
            TagsByProductLoader(db.clone()),
            tokio::spawn,
        ))
        .data(DataLoader::new(
            ReviewsByProductLoader(db.clone()),
            tokio::spawn,
        ))
}

/// A product category.
pub struct Category(category::Model);

#[Object]
impl Category {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn slug(&self) -> &str {
        &self.0.slug
    }

    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    async fn parent(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Category>> {
        let Some(parent_id) = self.0.parent_id else {
            return Ok(None);
        };
        let loader = ctx.data::<DataLoader<CategoryLoader>>()?;
        Ok(loader.load_one(parent_id).await?.map(Category))
    }
}

/// A label products can carry.
pub struct Tag(tag::Model);

#[Object]
impl Tag {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn name(&self) -> &str {
        &self.0.name
    }
}

/// A customer or staff account (public fields only).
pub struct User(user::Model);

#[Object]
impl User {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn username(&self) -> &str {
        &self.0.username
    }

    async fn date_joined(&self) -> DateTime<Utc> {
        self.0.date_joined
    }
}

/// A customer's review of a product.
pub struct Review(review::Model);

#[Object]
impl Review {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn rating(&self) -> i32 {
        self.0.rating
    }

    async fn comment(&self) -> Option<&str> {
        self.0.comment.as_deref()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// Something for sale.
pub struct Product(product::Model);

#[Object]
impl Product {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    async fn price(&self) -> Decimal {
        self.0.price
    }

    async fn stock(&self) -> i32 {
        self.0.stock
    }

    async fn sku(&self) -> uuid::Uuid {
        self.0.sku
    }

    async fn is_active(&self) -> bool {
        self.0.is_active
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn category(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Category>> {
        let loader = ctx.data::<DataLoader<CategoryLoader>>()?;
        Ok(loader.load_one(self.0.category_id).await?.map(Category))
    }

    async fn owner(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        let loader = ctx.data::<DataLoader<UserLoader>>()?;
        Ok(loader.load_one(self.0.owner_id).await?.map(User))
    }

    async fn tags(&self, ctx: &Context<'_>) -> async_graphql::Result<TagConnection> {
        let loader = ctx.data::<DataLoader<TagsByProductLoader>>()?;
        let tags = loader.load_one(self.0.id).await?.unwrap_or_default();
        Ok(TagConnection {
            edges: tags
                .into_iter()
                .map(|tag| TagEdge { node: Tag(tag) })
                .collect(),
        })
    }

    async fn reviews(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
    ) -> async_graphql::Result<ReviewConnection> {
        let first = page_size(first)?;
        let loader = ctx.data::<DataLoader<ReviewsByProductLoader>>()?;
        let reviews = loader.load_one(self.0.id).await?.unwrap_or_default();
        Ok(ReviewConnection {
            edges: reviews
                .into_iter()
                .take(first)
                .map(|review| ReviewEdge {
                    node: Review(review),
                })
                .collect(),
        })
    }
}

#[derive(SimpleObject)]
pub struct ProductEdge {
    node: Product,
}

#[derive(SimpleObject)]
pub struct ProductConnection {
    edges: Vec<ProductEdge>,
}

#[derive(SimpleObject)]
pub struct TagEdge {
    node: Tag,
}

#[derive(SimpleObject)]
pub struct TagConnection {
    edges: Vec<TagEdge>,
}

#[derive(SimpleObject)]
pub struct ReviewEdge {
    node: Review,
}

#[derive(SimpleObject)]
pub struct ReviewConnection {
    edges: Vec<ReviewEdge>,
}

/// The query root: the product listing.
pub struct Query;

#[Object]
impl Query {
    /// The first `first` products by id.
    async fn products(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
    ) -> async_graphql::Result<ProductConnection> {
        let first = page_size(first)?;
        let db = ctx.data::<DatabaseConnection>()?;
        let rows = product::Entity::find()
            .order_by_asc(product::Column::Id)
            .limit(first as u64)
            .all(db)
            .await
            .map_err(db_error)?;
        Ok(ProductConnection {
            edges: rows
                .into_iter()
                .map(|row| ProductEdge { node: Product(row) })
                .collect(),
        })
    }
}

/// The baseline's schema.
pub type BaselineSchema = Schema<Query, EmptyMutation, EmptySubscription>;

/// Builds the schema over `db`.
pub fn schema(db: DatabaseConnection) -> BaselineSchema {
    Schema::build(Query, EmptyMutation, EmptySubscription)
        .data(db)
        .finish()
}

#[derive(Clone)]
struct AppState {
    schema: BaselineSchema,
    db: DatabaseConnection,
}

async fn graphql(State(state): State<AppState>, request: GraphQLRequest) -> GraphQLResponse {
    let request = loaders(request.into_inner(), &state.db);
    state.schema.execute(request).await.into()
}

/// The router serving the baseline: `POST /graphql`.
pub fn router(db: DatabaseConnection) -> Router {
    Router::new()
        .route("/graphql", post(graphql))
        .with_state(AppState {
            schema: schema(db.clone()),
            db,
        })
}
