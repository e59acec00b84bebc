//! The axum router: `POST /graphql` and `GET /graphql` (GraphQL over HTTP, single or batched),
//! GraphiQL on `GET /graphql` from a browser when debug is on, and `GET /health`. A body that is
//! not a GraphQL request gets a 400 with a coded error in GraphQL's response shape, and every
//! response passes through [`crate::error::finish_response`].

use async_graphql::http::GraphiQLSource;
use async_graphql::{BatchRequest, BatchResponse, ObjectType, Schema, SubscriptionType};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use crate::config::Config;
use crate::error::ErrorCode;
use crate::loader::RequestCache;

struct AppState<Q, M, S> {
    schema: Schema<Q, M, S>,
    config: Config,
}

impl<Q, M, S> Clone for AppState<Q, M, S> {
    fn clone(&self) -> Self {
        AppState {
            schema: self.schema.clone(),
            config: self.config.clone(),
        }
    }
}

/// The router serving `schema`; `config` decides GraphiQL and error masking.
pub fn router<Q, M, S>(schema: Schema<Q, M, S>, config: Config) -> Router
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    Router::new()
        .route(
            "/graphql",
            get(graphql_get::<Q, M, S>).post(graphql_post::<Q, M, S>),
        )
        .route("/health", get(|| async { "ok" }))
        .with_state(AppState { schema, config })
}

fn bad_request(message: String) -> Response {
    let body = serde_json::json!({
        "errors": [{ "message": message, "extensions": { "code": ErrorCode::BadUserInput.as_str() } }]
    });
    (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
}

async fn execute<Q, M, S>(state: &AppState<Q, M, S>, request: BatchRequest) -> Response
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    // Each operation gets its own relation cache: groups and loads never cross requests.
    let request = match request {
        BatchRequest::Single(r) => BatchRequest::Single(r.data(RequestCache::default())),
        BatchRequest::Batch(rs) => BatchRequest::Batch(
            rs.into_iter()
                .map(|r| r.data(RequestCache::default()))
                .collect(),
        ),
    };
    let mut response = state.schema.execute_batch(request).await;
    match &mut response {
        BatchResponse::Single(r) => crate::error::finish_response(r, state.config.debug),
        BatchResponse::Batch(rs) => {
            for r in rs {
                crate::error::finish_response(r, state.config.debug);
            }
        }
    }
    axum::Json(response).into_response()
}

async fn graphql_post<Q, M, S>(State(state): State<AppState<Q, M, S>>, body: Bytes) -> Response
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    match serde_json::from_slice::<BatchRequest>(&body) {
        Ok(request) => execute(&state, request).await,
        Err(err) => bad_request(format!("the body is not a GraphQL request: {err}")),
    }
}

async fn graphql_get<Q, M, S>(
    State(state): State<AppState<Q, M, S>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    let query = query.unwrap_or_default();
    if query.is_empty() {
        if wants_html && state.config.debug {
            return Html(GraphiQLSource::build().endpoint("/graphql").finish()).into_response();
        }
        return bad_request("GET /graphql needs a `query` parameter".to_owned());
    }
    match async_graphql::http::parse_query_string(&query) {
        Ok(request) => execute(&state, BatchRequest::Single(request)).await,
        Err(err) => bad_request(format!("the query string is not a GraphQL request: {err}")),
    }
}
