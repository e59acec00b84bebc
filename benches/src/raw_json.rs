//! One statement per root field, on PostgreSQL: [`relations_query`](crate::relations_query)
//! answered by a single SQL statement that builds the JSON in the database, the way Hasura and
//! PostGraphile plan a root field, with no GraphQL library and no ORM.
//!
//! `POST /graphql` takes `{"query": ...}` and answers only the benchmark's query (any page size);
//! other queries get a 400. The statement returns the `products` object as text
//! (`{"edges" : [...]}`), built with `json_build_object` and `json_agg`, and the handler sends it
//! inside `{"data":{"products":...}}` without parsing it. PostgreSQL's `json` text keeps the keys
//! in the order they are built (the query's selection order) but puts spaces around `:` and
//! after `,`, so the body is the same data as the other servers' and not the same text. (`jsonb`
//! would drop the spaces but sort the keys.)
//!
//! Two statements can be chosen ([`JsonPlan`]; `bench-server --raw-json-plan`):
//!
//! - [`JsonPlan::Lateral`], the default: Hasura's shape. The page of products is read in a
//!   subquery, and every relation is a `LEFT JOIN LATERAL` subquery correlated with the product:
//!   one row (`json_build_object`) for a belongs-to relation, `json_agg` for a list. The first
//!   [`REVIEWS_PER_PRODUCT`] reviews are `ORDER BY id LIMIT 3` per product.
//! - [`JsonPlan::Grouped`]: the per-edge plan of the raw server in one statement. Common table
//!   expressions read the page, then the tags and the numbered reviews of all its products at
//!   once (`IN (SELECT id FROM page)`, `ROW_NUMBER()` as the raw server cuts them), grouped into
//!   one JSON array per product, and joined to the page by product id.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::post;

use crate::raw::{error, requested_page_size};
use crate::{REVIEWS_PER_PRODUCT, StatementCounter};

/// Which single statement the server runs; see the module's documentation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum JsonPlan {
    /// A `LEFT JOIN LATERAL` subquery per relation, as Hasura writes it.
    #[default]
    Lateral,
    /// The page, then each relation for the whole page, grouped per product.
    Grouped,
}

impl JsonPlan {
    /// Every plan.
    pub const ALL: [JsonPlan; 2] = [JsonPlan::Lateral, JsonPlan::Grouped];

    /// The plans a server of `kind` is checked with: every one for raw-json, which alone reads
    /// the setting, and the default for the others.
    pub fn to_check(kind: crate::Kind) -> &'static [JsonPlan] {
        if kind == crate::Kind::RawJson {
            &JsonPlan::ALL
        } else {
            &[JsonPlan::Lateral]
        }
    }

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            JsonPlan::Lateral => "lateral",
            JsonPlan::Grouped => "grouped",
        }
    }

    /// Parses a name given by [`JsonPlan::name`].
    pub fn parse(name: &str) -> Option<JsonPlan> {
        JsonPlan::ALL.into_iter().find(|plan| plan.name() == name)
    }

    /// The statement: `$1` is the page size, `$2` the reviews per product.
    pub fn sql(self) -> &'static str {
        match self {
            JsonPlan::Lateral => LATERAL_SQL,
            JsonPlan::Grouped => GROUPED_SQL,
        }
    }
}

/// [`JsonPlan::Lateral`]. A missing category, parent or owner has no row in its subquery, hence
/// a `NULL` object; a product without tags or reviews gets `[]` from the `COALESCE`.
const LATERAL_SQL: &str = "\
SELECT json_build_object('edges', COALESCE(json_agg(json_build_object('node', json_build_object(\
'name', p.name, \
'category', category.obj, \
'tags', json_build_object('edges', tags.edges), \
'owner', owner.obj, \
'reviews', json_build_object('edges', reviews.edges))) ORDER BY p.id), '[]'::json))::text \
FROM (SELECT id, name, category_id, owner_id FROM product ORDER BY id LIMIT $1) AS p \
LEFT JOIN LATERAL (\
SELECT json_build_object('name', c.name, 'parent', parent.obj) AS obj FROM category AS c \
LEFT JOIN LATERAL (\
SELECT json_build_object('name', pc.name) AS obj FROM category AS pc WHERE pc.id = c.parent_id\
) AS parent ON true \
WHERE c.id = p.category_id\
) AS category ON true \
LEFT JOIN LATERAL (\
SELECT json_build_object('username', u.username) AS obj FROM \"user\" AS u WHERE u.id = p.owner_id\
) AS owner ON true \
LEFT JOIN LATERAL (\
SELECT COALESCE(json_agg(json_build_object('node', json_build_object('name', t.name)) \
ORDER BY t.id), '[]'::json) AS edges \
FROM product_tag AS pt JOIN tag AS t ON t.id = pt.tag_id WHERE pt.product_id = p.id\
) AS tags ON true \
LEFT JOIN LATERAL (\
SELECT COALESCE(json_agg(json_build_object('node', json_build_object('rating', r.rating)) \
ORDER BY r.id), '[]'::json) AS edges \
FROM (SELECT id, rating FROM review WHERE product_id = p.id ORDER BY id LIMIT $2) AS r\
) AS reviews ON true";

/// [`JsonPlan::Grouped`]. Belongs-to relations are plain left joins, as in the raw server's
/// first statement; a missing related row gives `NULL` through the `CASE`.
const GROUPED_SQL: &str = "\
WITH page AS (SELECT id, name, category_id, owner_id FROM product ORDER BY id LIMIT $1), \
tags AS (\
SELECT pt.product_id, json_agg(json_build_object('node', json_build_object('name', t.name)) \
ORDER BY t.id) AS edges \
FROM product_tag AS pt JOIN tag AS t ON t.id = pt.tag_id \
WHERE pt.product_id IN (SELECT id FROM page) GROUP BY pt.product_id), \
reviews AS (\
SELECT product_id, json_agg(json_build_object('node', json_build_object('rating', rating)) \
ORDER BY id) AS edges \
FROM (SELECT id, product_id, rating, \
ROW_NUMBER() OVER (PARTITION BY product_id ORDER BY id) AS position \
FROM review WHERE product_id IN (SELECT id FROM page)) AS numbered \
WHERE position <= $2 GROUP BY product_id) \
SELECT json_build_object('edges', COALESCE(json_agg(json_build_object('node', json_build_object(\
'name', p.name, \
'category', CASE WHEN c.id IS NULL THEN NULL ELSE json_build_object('name', c.name, \
'parent', CASE WHEN pc.id IS NULL THEN NULL ELSE json_build_object('name', pc.name) END) END, \
'tags', json_build_object('edges', COALESCE(tags.edges, '[]'::json)), \
'owner', CASE WHEN u.id IS NULL THEN NULL ELSE json_build_object('username', u.username) END, \
'reviews', json_build_object('edges', COALESCE(reviews.edges, '[]'::json)))) \
ORDER BY p.id), '[]'::json))::text \
FROM page AS p \
LEFT JOIN category AS c ON c.id = p.category_id \
LEFT JOIN category AS pc ON pc.id = c.parent_id \
LEFT JOIN \"user\" AS u ON u.id = p.owner_id \
LEFT JOIN tags ON tags.product_id = p.id \
LEFT JOIN reviews ON reviews.product_id = p.id";

/// What the handler needs: the pool, the statement and the statement counter.
#[derive(Clone)]
struct JsonState {
    pool: sqlx::PgPool,
    plan: JsonPlan,
    statements: StatementCounter,
}

/// The response body around the `products` object the statement built.
fn write_response(products: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(products.len() + 24);
    out.extend_from_slice(b"{\"data\":{\"products\":");
    out.extend_from_slice(products.as_bytes());
    out.extend_from_slice(b"}}");
    out
}

async fn graphql(State(state): State<JsonState>, body: Bytes) -> Response {
    let first = match requested_page_size(&body, "raw-json") {
        Ok(first) => first,
        Err(message) => return error(StatusCode::BAD_REQUEST, &message),
    };
    let products = sqlx::query_scalar::<_, String>(state.plan.sql())
        .bind(i64::from(first))
        .bind(i64::from(REVIEWS_PER_PRODUCT))
        .fetch_one(&state.pool)
        .await;
    state.statements.add_one();
    match products {
        Ok(products) => (
            [(CONTENT_TYPE, "application/json")],
            write_response(&products),
        )
            .into_response(),
        Err(err) => error(StatusCode::INTERNAL_SERVER_ERROR, &err.to_string()),
    }
}

/// The router of the raw-json server: `POST /graphql` over `pool` with the statement of `plan`,
/// counting its statements in `statements`.
pub fn router(pool: sqlx::PgPool, plan: JsonPlan, statements: StatementCounter) -> Router {
    Router::new()
        .route("/graphql", post(graphql))
        .with_state(JsonState {
            pool,
            plan,
            statements,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_are_named_and_parsed_back() {
        for plan in JsonPlan::ALL {
            assert_eq!(JsonPlan::parse(plan.name()), Some(plan));
        }
        assert_eq!(JsonPlan::parse("other"), None);
        assert_eq!(JsonPlan::default(), JsonPlan::Lateral);
    }

    #[test]
    fn both_statements_bind_the_page_size_and_the_reviews_per_product_only() {
        for plan in JsonPlan::ALL {
            let sql = plan.sql();
            assert!(sql.contains("LIMIT $1") && sql.contains("$2"), "{sql}");
            assert!(!sql.contains("$3"), "{sql}");
        }
    }

    #[test]
    fn the_body_wraps_the_products_object_as_is() {
        let body = write_response(r#"{"edges" : []}"#);
        assert_eq!(body, br#"{"data":{"products":{"edges" : []}}}"#);
        let parsed: serde_json::Value = serde_json::from_slice(&body).expect("valid JSON");
        assert_eq!(parsed["data"]["products"]["edges"], serde_json::json!([]));
    }
}
