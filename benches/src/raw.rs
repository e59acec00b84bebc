//! The limit of the stack: [`relations_query`](crate::relations_query) answered by hand with
//! axum, sqlx and a JSON writer, with no GraphQL library and no ORM.
//!
//! `POST /graphql` takes `{"query": ...}` and answers only the benchmark's query (any page size);
//! other queries get a 400. It runs three statements, where gqlgen runs one per relation field:
//!
//! 1. the page of products by id, with its belongs-to relations joined in: the category, the
//!    category's parent (a self-join) and the owner (`"user"`);
//! 2. the tags of those products (`IN (...)` on `product_tag`, joined to `tag`), ordered by
//!    product and tag id;
//! 3. the first [`REVIEWS_PER_PRODUCT`] reviews of each of those products by review id, cut per
//!    product with `ROW_NUMBER() OVER (PARTITION BY product_id ORDER BY id)` as gqlgen cuts its
//!    has-many pages.
//!
//! Tags and reviews come back in product order, so each product takes its rows by walking the
//! two lists alongside the products, and the response is written straight into a byte buffer
//! in the query's selection order: `{"data":{"products":{"edges":[{"node":{...}}]}}}`. The
//! statements are the same on SQLite and PostgreSQL: only the pool's type differs ([`Pool`]),
//! and the placeholders sqlx's `QueryBuilder` writes for the id lists.

use std::io::Write as _;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use sea_orm::{DatabaseConnection, DbBackend};
use serde::Deserialize;

use crate::{REVIEWS_PER_PRODUCT, StatementCounter, relations_page_size};

/// The sqlx pool of either backend.
#[derive(Debug, Clone)]
pub enum Pool {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl Pool {
    /// The pool under the sea-orm connection `db`, so that the raw server has the same pool
    /// settings (and SQLite connection settings) as the others.
    pub fn of(db: &DatabaseConnection) -> Result<Pool, String> {
        match db.get_database_backend() {
            DbBackend::Sqlite => Ok(Pool::Sqlite(db.get_sqlite_connection_pool().clone())),
            DbBackend::Postgres => Ok(Pool::Postgres(db.get_postgres_connection_pool().clone())),
            other => Err(format!("the raw server does not support {other:?}")),
        }
    }
}

/// Runs `$body` with `$pool` bound to the sqlx pool of whichever backend `$pools` holds: the
/// statements are the same on both, only the pool's type differs.
macro_rules! with_pool {
    ($pools:expr, |$pool:ident| $body:expr) => {
        match $pools {
            Pool::Sqlite($pool) => $body,
            Pool::Postgres($pool) => $body,
        }
    };
}

/// The page of products, by id, with the names of its belongs-to relations (`NULL` where the
/// related row is missing; a category without parent has a `NULL` parent name).
const PRODUCTS_SQL: &str = "SELECT p.id, p.name, c.name, parent_category.name, u.username \
     FROM product AS p \
     LEFT JOIN category AS c ON c.id = p.category_id \
     LEFT JOIN category AS parent_category ON parent_category.id = c.parent_id \
     LEFT JOIN \"user\" AS u ON u.id = p.owner_id \
     ORDER BY p.id LIMIT $1";

/// A row of [`PRODUCTS_SQL`]: id, name, category name, parent category name, owner's username.
type ProductRow = (i32, String, Option<String>, Option<String>, Option<String>);

/// The tags of a page's products, by product and tag id: [`TAGS_BEFORE_IDS`], the product
/// ids as a list of bound values, then [`TAGS_AFTER_IDS`].
const TAGS_BEFORE_IDS: &str = "SELECT pt.product_id, t.name \
     FROM product_tag AS pt JOIN tag AS t ON t.id = pt.tag_id \
     WHERE pt.product_id IN (";
const TAGS_AFTER_IDS: &str = ") ORDER BY pt.product_id, t.id";

/// A row of the tags statement: product id, tag name.
type TagRow = (i32, String);

/// The first reviews by id of each of a page's products, by product and review id:
/// [`REVIEWS_BEFORE_IDS`], the product ids as a list of bound values, [`REVIEWS_AFTER_IDS`],
/// the number of reviews per product (bound), then [`REVIEWS_END`].
const REVIEWS_BEFORE_IDS: &str = "SELECT product_id, rating FROM (\
     SELECT product_id, rating, \
     ROW_NUMBER() OVER (PARTITION BY product_id ORDER BY id) AS position \
     FROM review WHERE product_id IN (";
const REVIEWS_AFTER_IDS: &str = ")) AS numbered WHERE position <= ";
const REVIEWS_END: &str = " ORDER BY product_id, position";

/// A row of the reviews statement: product id, rating.
type ReviewRow = (i32, i32);

/// The rows of one page.
struct Page {
    products: Vec<ProductRow>,
    tags: Vec<TagRow>,
    reviews: Vec<ReviewRow>,
}

/// Runs the three statements for a page of `first` products.
async fn load_page(
    pools: &Pool,
    statements: &StatementCounter,
    first: u32,
) -> Result<Page, sqlx::Error> {
    let products: Vec<ProductRow> = with_pool!(pools, |pool| {
        sqlx::query_as(PRODUCTS_SQL)
            .bind(i64::from(first))
            .fetch_all(pool)
            .await
    })?;
    statements.add_one();
    if products.is_empty() {
        return Ok(Page {
            products,
            tags: Vec::new(),
            reviews: Vec::new(),
        });
    }

    let ids = || products.iter().map(|(id, ..)| *id);

    let tags: Vec<TagRow> = with_pool!(pools, |pool| {
        let mut statement = sqlx::QueryBuilder::new(TAGS_BEFORE_IDS);
        let mut list = statement.separated(", ");
        for id in ids() {
            list.push_bind(id);
        }
        statement.push(TAGS_AFTER_IDS);
        statement.build_query_as().fetch_all(pool).await
    })?;
    statements.add_one();

    let reviews: Vec<ReviewRow> = with_pool!(pools, |pool| {
        let mut statement = sqlx::QueryBuilder::new(REVIEWS_BEFORE_IDS);
        let mut list = statement.separated(", ");
        for id in ids() {
            list.push_bind(id);
        }
        statement
            .push(REVIEWS_AFTER_IDS)
            .push_bind(i64::from(REVIEWS_PER_PRODUCT))
            .push(REVIEWS_END);
        statement.build_query_as().fetch_all(pool).await
    })?;
    statements.add_one();

    Ok(Page {
        products,
        tags,
        reviews,
    })
}

/// Appends `text` as a JSON string.
fn write_str(out: &mut Vec<u8>, text: &str) {
    serde_json::to_writer(out, text).expect("writing to a Vec does not fail");
}

/// Appends `{"name":...}`, or `null` for a missing row.
fn write_named(out: &mut Vec<u8>, key: &str, name: Option<&str>) {
    match name {
        Some(name) => {
            out.extend_from_slice(b"{\"");
            out.extend_from_slice(key.as_bytes());
            out.extend_from_slice(b"\":");
            write_str(out, name);
            out.push(b'}');
        }
        None => out.extend_from_slice(b"null"),
    }
}

/// The rows at the front of `rows` that belong to `product`, removed from it. `rows` is in
/// product order, as the products are.
fn take_rows<'a, T>(rows: &mut &'a [(i32, T)], product: i32) -> &'a [(i32, T)] {
    let start = rows.partition_point(|(owner, _)| *owner < product);
    let end = start + rows[start..].partition_point(|(owner, _)| *owner == product);
    let (taken, rest) = (&rows[start..end], &rows[end..]);
    *rows = rest;
    taken
}

/// The response body for `page`, with the keys in the query's selection order.
fn write_response(page: &Page) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + page.products.len() * 256);
    out.extend_from_slice(b"{\"data\":{\"products\":{\"edges\":[");
    let mut tags = page.tags.as_slice();
    let mut reviews = page.reviews.as_slice();
    for (i, (id, name, category, parent, owner)) in page.products.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"node\":{\"name\":");
        write_str(&mut out, name);
        out.extend_from_slice(b",\"category\":");
        match category {
            Some(category) => {
                out.extend_from_slice(b"{\"name\":");
                write_str(&mut out, category);
                out.extend_from_slice(b",\"parent\":");
                write_named(&mut out, "name", parent.as_deref());
                out.push(b'}');
            }
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"tags\":{\"edges\":[");
        for (j, (_, tag)) in take_rows(&mut tags, *id).iter().enumerate() {
            if j > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"node\":{\"name\":");
            write_str(&mut out, tag);
            out.extend_from_slice(b"}}");
        }
        out.extend_from_slice(b"]},\"owner\":");
        write_named(&mut out, "username", owner.as_deref());
        out.extend_from_slice(b",\"reviews\":{\"edges\":[");
        for (j, (_, rating)) in take_rows(&mut reviews, *id).iter().enumerate() {
            if j > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"node\":{\"rating\":");
            write!(out, "{rating}").expect("writing to a Vec does not fail");
            out.extend_from_slice(b"}}");
        }
        out.extend_from_slice(b"]}}}");
    }
    out.extend_from_slice(b"]}}}");
    out
}

/// A GraphQL-shaped error response.
pub(crate) fn error(status: StatusCode, message: &str) -> Response {
    let body = serde_json::json!({ "errors": [{ "message": message }] }).to_string();
    (status, [(CONTENT_TYPE, "application/json")], body).into_response()
}

/// The body of a GraphQL POST; anything besides `query` (`variables`, ...) is ignored.
#[derive(Deserialize)]
struct GraphQLRequest<'a> {
    #[serde(borrow)]
    query: std::borrow::Cow<'a, str>,
}

/// The page size of the benchmark's relations query in a POST `body`, or why `server` refuses
/// it (with 400).
pub(crate) fn requested_page_size(body: &[u8], server: &str) -> Result<u32, String> {
    let Ok(request) = serde_json::from_slice::<GraphQLRequest>(body) else {
        return Err("the body is not a GraphQL request".to_owned());
    };
    relations_page_size(&request.query)
        .ok_or_else(|| format!("the {server} server answers only the benchmark's relations query"))
}

/// What the handler needs: the pool and the statement counter.
#[derive(Clone)]
struct RawState {
    pool: Pool,
    statements: StatementCounter,
}

async fn graphql(State(state): State<RawState>, body: Bytes) -> Response {
    let first = match requested_page_size(&body, "raw") {
        Ok(first) => first,
        Err(message) => return error(StatusCode::BAD_REQUEST, &message),
    };
    match load_page(&state.pool, &state.statements, first).await {
        Ok(page) => ([(CONTENT_TYPE, "application/json")], write_response(&page)).into_response(),
        Err(err) => error(StatusCode::INTERNAL_SERVER_ERROR, &err.to_string()),
    }
}

/// The router of the raw server: `POST /graphql` over `pool`, counting its statements in
/// `statements`.
pub fn router(pool: Pool, statements: StatementCounter) -> Router {
    Router::new()
        .route("/graphql", post(graphql))
        .with_state(RawState { pool, statements })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_product_takes_its_own_rows_in_order() {
        let rows = [(1, 'a'), (1, 'b'), (3, 'c'), (4, 'd')];
        let mut rest = &rows[..];
        assert_eq!(take_rows(&mut rest, 1), &[(1, 'a'), (1, 'b')]);
        assert_eq!(take_rows(&mut rest, 2), &[]);
        assert_eq!(take_rows(&mut rest, 3), &[(3, 'c')]);
        assert_eq!(take_rows(&mut rest, 5), &[]);
        assert!(rest.is_empty());
    }

    #[test]
    fn the_response_follows_the_selection_order_and_escapes_strings() {
        let page = Page {
            products: vec![
                (
                    1,
                    "Élégant \"Lamp\"".to_owned(),
                    Some("Phones".to_owned()),
                    Some("Electronics".to_owned()),
                    Some("admin".to_owned()),
                ),
                (2, "Mug".to_owned(), Some("Books".to_owned()), None, None),
            ],
            tags: vec![(1, "eco".to_owned()), (1, "café".to_owned())],
            reviews: vec![(2, 5)],
        };
        let text = String::from_utf8(write_response(&page)).expect("UTF-8");
        assert_eq!(
            text,
            r#"{"data":{"products":{"edges":[{"node":{"name":"Élégant \"Lamp\"","category":{"name":"Phones","parent":{"name":"Electronics"}},"tags":{"edges":[{"node":{"name":"eco"}},{"node":{"name":"café"}}]},"owner":{"username":"admin"},"reviews":{"edges":[]}}},{"node":{"name":"Mug","category":{"name":"Books","parent":null},"tags":{"edges":[]},"owner":null,"reviews":{"edges":[{"node":{"rating":5}}]}}}]}}}"#
        );
        serde_json::from_str::<serde_json::Value>(&text).expect("valid JSON");
    }
}
