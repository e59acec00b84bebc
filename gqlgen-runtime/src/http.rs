//! The axum router: `POST /graphql` and `GET /graphql` (GraphQL over HTTP, single or batched,
//! in the media type the `Accept` header chooses: see `http/media.rs`), GraphiQL on `GET /graphql`
//! from a browser when debug is on, and `GET /health`. Every request passes the same gates in
//! order, each refusing with a coded error in GraphQL's response shape: media types (406, 415),
//! body size (413), authentication (401), rate limit (429 with `Retry-After`), query analysis
//! ([`crate::limits`]), then execution with the caller in the request's data. Each request gets
//! an id, returned as `x-request-id` and carried by every log line of the request; logs never
//! hold a token, a password or a query's variables. CORS answers only the configured origins. A
//! panic inside a request becomes that request's 500 with `INTERNAL_ERROR`, never the process's
//! end.

use std::net::SocketAddr;
use std::sync::Arc;

use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType};
use async_graphql::{BatchRequest, ObjectType, Schema, SubscriptionType};
use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tracing::Instrument;

use crate::auth::{Auth, Authenticator, Caller};
use crate::cache::{Hints, ResponseCache};
use crate::config::Config;
use crate::error::{ErrorCode, ErrorFormatter, GqlError};
use crate::events::Events;
use crate::limits::{DocumentCache, QueryAnalyzer};
use crate::observe::{Metrics, Operation};
use crate::persisted::PersistedQueries;
use crate::rate_limit::{Decision, RateLimiter};
use crate::render::RenderedTexts;

mod graphiql;
mod media;
mod ws;

use media::{MediaType, is_json_body, is_request_error};

/// What the router uses besides the schema: token checking, the rate limiter, and the policies
/// you plug in, each with the built-in behaviour when left empty.
#[derive(Clone, Default)]
pub struct Services {
    /// Checks `Authorization` headers; `None`: a request with one is refused.
    pub auth: Option<Auth>,
    /// `None` with rate limiting enabled: an in-memory limiter is made from the config.
    pub rate_limiter: Option<RateLimiter>,
    /// Asked in turn, after the JWT, for a request without `Authorization`: API keys,
    /// sessions.
    pub authenticators: Vec<Arc<dyn Authenticator>>,
    /// Run on each operation after the built-in limits.
    pub analyzers: Vec<Arc<dyn QueryAnalyzer>>,
    /// Rewrites error messages before they are sent.
    pub error_formatter: Option<Arc<dyn ErrorFormatter>>,
    /// The channel of row events the router's requests publish to and its subscriptions listen
    /// on: [`Events::redis`] to share them with other instances; in this process when `None`.
    pub events: Option<Events>,
    /// The response cache, when `caching_enabled`: in memory when `None`.
    pub cache: Option<ResponseCache>,
    /// The persisted queries: `None` reads the allow-list of the settings, if any, else keeps
    /// the documents clients register in memory.
    pub persisted_queries: Option<PersistedQueries>,
}

/// The total length of the query texts whose parsed documents a router keeps: a few hundred
/// typical queries.
const DOCUMENT_CACHE_BYTES: u64 = 1 << 20;

struct AppState<Q, M, S> {
    schema: Schema<Q, M, S>,
    config: Config,
    /// `config.access`, shared by the callers of every request.
    access: std::sync::Arc<crate::config::AccessDefaults>,
    auth: Option<Auth>,
    rate_limiter: Option<RateLimiter>,
    authenticators: Vec<Arc<dyn Authenticator>>,
    analyzers: Vec<Arc<dyn QueryAnalyzer>>,
    error_formatter: Option<Arc<dyn ErrorFormatter>>,
    documents: DocumentCache,
    events: Events,
    /// The response cache and the schema's cache hints, when `caching_enabled`.
    cache: Option<(ResponseCache, Arc<Hints>)>,
    persisted: PersistedQueries,
    metrics: Arc<Metrics>,
}

impl<Q, M, S> AppState<Q, M, S> {
    /// A request refused before execution (its token, its rate, its body, its batch): a
    /// GraphQL response with only `errors`, through the error formatter like any other error.
    fn refuse(&self, status: StatusCode, err: GqlError) -> Response {
        let mut response = async_graphql::Response::from_errors(vec![err.into_server_error()]);
        crate::error::finish_response_with(
            &mut response,
            self.config.debug,
            self.error_formatter.as_deref(),
        );
        let body = serde_json::json!({ "errors": response.errors });
        (status, axum::Json(body)).into_response()
    }

    /// The refusal of a caller over its rate limit, and the seconds it should wait: the budget
    /// is its user's, or its client address's when it is anonymous.
    async fn over_rate_limit(
        &self,
        user: Option<&str>,
        peer: Option<SocketAddr>,
    ) -> Option<(GqlError, u64)> {
        let limiter = self.rate_limiter.as_ref()?;
        let key = match user {
            Some(id) => format!("user:{id}"),
            None => format!(
                "ip:{}",
                peer.map_or("unknown".to_owned(), |p| p.ip().to_string())
            ),
        };
        let Decision::Limited { retry_after_secs } = limiter.check(&key).await else {
            return None;
        };
        tracing::warn!(retry_after_secs, "rate limited");
        self.metrics.rate_limited();
        let message = format!("too many requests; retry in {retry_after_secs} s");
        Some((
            GqlError::new(ErrorCode::RateLimited, message),
            retry_after_secs,
        ))
    }

    fn bad_request(&self, message: String) -> Response {
        self.refuse(StatusCode::BAD_REQUEST, GqlError::bad_input(message))
    }

    fn not_acceptable(&self) -> Response {
        self.refuse(
            StatusCode::NOT_ACCEPTABLE,
            GqlError::bad_input(
                "the Accept header allows neither application/graphql-response+json nor \
                 application/json",
            ),
        )
    }
}

impl<Q, M, S> Clone for AppState<Q, M, S> {
    fn clone(&self) -> Self {
        AppState {
            schema: self.schema.clone(),
            config: self.config.clone(),
            access: self.access.clone(),
            auth: self.auth.clone(),
            rate_limiter: self.rate_limiter.clone(),
            authenticators: self.authenticators.clone(),
            analyzers: self.analyzers.clone(),
            error_formatter: self.error_formatter.clone(),
            documents: self.documents.clone(),
            events: self.events.clone(),
            cache: self.cache.clone(),
            persisted: self.persisted.clone(),
            metrics: self.metrics.clone(),
        }
    }
}

/// The router serving `schema` with `config`, without authentication (every caller is
/// anonymous) and with an in-memory rate limiter when rate limiting is enabled.
pub fn router<Q, M, S>(schema: Schema<Q, M, S>, config: Config) -> Router
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    router_with(schema, config, Services::default())
}

/// The router serving `schema` with `config` and `services`.
pub fn router_with<Q, M, S>(schema: Schema<Q, M, S>, config: Config, services: Services) -> Router
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    let rate_limiter = match (config.rate_limit.enabled, services.rate_limiter) {
        (false, _) => None,
        (true, Some(limiter)) => Some(limiter),
        (true, None) => Some(RateLimiter::memory(&config.rate_limit)),
    };
    let origins = config.cors_allowed_origins.clone();
    let debug = config.debug;
    let config_allow_list = config.persisted_queries_allow_list.clone();
    let max_operations = config.observe.max_operations;
    let cache = config.caching_enabled.then(|| {
        let cache = services.cache.unwrap_or_else(|| {
            ResponseCache::memory(config.cache.max_entries, config.cache.max_bytes)
        });
        (cache, Arc::new(Hints::of::<Q>(&config, &schema.sdl())))
    });
    let state = AppState {
        schema,
        access: std::sync::Arc::new(config.access.clone()),
        config,
        auth: services.auth,
        rate_limiter,
        authenticators: services.authenticators,
        analyzers: services.analyzers,
        error_formatter: services.error_formatter,
        documents: DocumentCache::new(DOCUMENT_CACHE_BYTES),
        events: services.events.unwrap_or_default(),
        cache,
        persisted: services
            .persisted_queries
            .unwrap_or_else(|| persisted_queries(&config_allow_list)),
        metrics: Arc::new(Metrics::new(max_operations as usize)),
    };
    let mut router = Router::new()
        .route(
            "/graphql",
            get(graphql_get::<Q, M, S>)
                .post(graphql_post::<Q, M, S>)
                .options(|| async { StatusCode::NO_CONTENT }),
        )
        .route("/graphql/ws", get(ws::upgrade::<Q, M, S>))
        .route("/health", get(|| async { "ok" }))
        .route("/ready", get(ready::<Q, M, S>))
        .route("/metrics", get(metrics::<Q, M, S>));
    if debug {
        router = router.route("/graphiql/{name}", get(graphiql::asset));
    }
    router
        .with_state(state)
        .layer(middleware::from_fn(move |request, next| {
            cors(origins.clone(), request, next)
        }))
        .layer(middleware::from_fn(move |request, next| {
            contain_panics(debug, request, next)
        }))
        .layer(middleware::from_fn(request_id))
}

/// `GET /metrics`: the metrics in Prometheus' text format. With `observe.metrics_token` set, only
/// for `Authorization: Bearer <token>` (401 otherwise); unset, open in development and testing
/// and 404 in production, so that a production server never shows them by mistake.
async fn metrics<Q, M, S>(State(state): State<AppState<Q, M, S>>, headers: HeaderMap) -> Response {
    match &state.config.observe.metrics_token {
        Some(token) => {
            let given = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "));
            let matches = given.is_some_and(|given| {
                // Compared in constant time: the token is a secret.
                given.len() == token.len()
                    && given
                        .bytes()
                        .zip(token.bytes())
                        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                        == 0
            });
            if !matches {
                return (
                    StatusCode::UNAUTHORIZED,
                    [(header::WWW_AUTHENTICATE, "Bearer")],
                    "GET /metrics needs the metrics token\n",
                )
                    .into_response();
            }
        }
        None if state.config.profile == crate::config::Profile::Production => {
            return (
                StatusCode::NOT_FOUND,
                "metrics are off: set METRICS_TOKEN to serve them\n",
            )
                .into_response();
        }
        None => {}
    }
    let cache = match &state.cache {
        Some((cache, _)) => {
            let counts = cache.counts();
            vec![
                ("hit", counts.hits),
                ("miss", counts.misses),
                ("store", counts.stores),
                ("invalidation", counts.invalidations),
            ]
        }
        None => Vec::new(),
    };
    let text = state.metrics.render(&cache, state.events.dropped());
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

/// `GET /ready`: 200 when the database, Redis (when configured) and the schema answer, else
/// 503; the body names every check and the failing ones.
async fn ready<Q, M, S>(State(state): State<AppState<Q, M, S>>) -> Response
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    let db = state.schema.data::<sea_orm::DatabaseConnection>();
    let readiness =
        crate::health::check(&state.schema, db, state.config.redis_url.as_deref()).await;
    let status = if readiness.is_ready() {
        StatusCode::OK
    } else {
        tracing::warn!(failing = ?readiness.failing, "not ready");
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, axum::Json(readiness)).into_response()
}

/// The persisted queries of the settings: the allow-list file when one is named, read now. A
/// file that cannot be read or is not a manifest fails closed: nothing runs, and the log says
/// why.
fn persisted_queries(allow_list: &Option<String>) -> PersistedQueries {
    let Some(path) = allow_list else {
        return PersistedQueries::automatic(PERSISTED_QUERY_BYTES);
    };
    let read = std::fs::read_to_string(path)
        .map_err(|err| format!("cannot read {path}: {err}"))
        .and_then(|text| PersistedQueries::allow_list(&text));
    read.unwrap_or_else(|error| {
        tracing::error!(%error, "persisted_queries.allow_list: every document is refused");
        PersistedQueries::nothing()
    })
}

/// The total length of the documents clients may register as persisted queries.
const PERSISTED_QUERY_BYTES: u64 = 8 << 20;

/// A response in GraphQL's shape with one coded error.
fn refusal(status: StatusCode, err: GqlError) -> Response {
    let body = serde_json::json!({
        "errors": [{ "message": err.message, "extensions": { "code": err.code.as_str() } }]
    });
    (status, axum::Json(body)).into_response()
}

/// Gives the request an id, runs it inside a span carrying that id, and returns the id.
async fn request_id(request: Request, next: Next) -> Response {
    let id = uuid::Uuid::new_v4().to_string();
    let span = tracing::info_span!(
        "request",
        otel.name = %format_args!("{} {}", request.method(), request.uri().path()),
        otel.kind = "server",
        request_id = %id,
        method = %request.method(),
        path = %request.uri().path()
    );
    // A caller's `traceparent` makes this request part of its trace.
    #[cfg(feature = "otlp")]
    crate::observe::otlp::adopt_remote_parent(&span, request.headers());
    async move {
        let mut response = next.run(request).await;
        tracing::info!(status = response.status().as_u16(), "request finished");
        if let Ok(value) = HeaderValue::from_str(&id) {
            response.headers_mut().insert("x-request-id", value);
        }
        response
    }
    .instrument(span)
    .await
}

/// A panic while serving a request ends that request alone: it is logged at ERROR inside the
/// request's span (so with its id) and answered with 500 and `INTERNAL_ERROR`, masked unless
/// debug is on. The connection and the process go on serving.
async fn contain_panics(debug: bool, request: Request, next: Next) -> Response {
    use futures_util::FutureExt;
    match std::panic::AssertUnwindSafe(next.run(request))
        .catch_unwind()
        .await
    {
        Ok(response) => response,
        Err(panic) => {
            let detail = panic
                .downcast_ref::<&str>()
                .map(|text| (*text).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".to_owned());
            tracing::error!(panic = %detail, "the request panicked");
            let message = format!("internal error: the request panicked: {detail}");
            let err = GqlError::new(ErrorCode::InternalError, message);
            refusal(StatusCode::INTERNAL_SERVER_ERROR, err.masked(debug))
        }
    }
}

/// CORS for the configured origins only: others get no CORS headers, so browsers refuse them.
async fn cors(origins: Vec<String>, request: Request, next: Next) -> Response {
    let origin = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|o| origins.iter().any(|allowed| allowed == o))
        .map(str::to_owned);
    let preflight = request.method() == Method::OPTIONS;
    let mut response = if preflight {
        StatusCode::NO_CONTENT.into_response()
    } else {
        next.run(request).await
    };
    let headers = response.headers_mut();
    headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    if let Some(value) = origin.and_then(|o| HeaderValue::from_str(&o).ok()) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
        if preflight {
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("GET, POST, OPTIONS"),
            );
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static("authorization, content-type"),
            );
            headers.insert(
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static("600"),
            );
        }
    }
    response
}

/// The caller named by the first of `authenticators` that knows the request's credentials;
/// anonymous when none does.
async fn authenticate_otherwise(
    authenticators: &[Arc<dyn Authenticator>],
    headers: &HeaderMap,
) -> Result<Caller, GqlError> {
    for authenticator in authenticators {
        if let Some(user) = authenticator.authenticate(headers).await? {
            if !user.is_active {
                return Err(GqlError::new(
                    ErrorCode::AuthenticationRequired,
                    "the account is inactive",
                ));
            }
            return Ok(Caller {
                user: Some(user),
                ..Caller::default()
            });
        }
    }
    Ok(Caller::default())
}

/// The caller of a request once it passed authentication and the rate limit (keyed by user, or
/// by client IP when anonymous); otherwise the refusal to send.
async fn admit<Q, M, S>(
    state: &AppState<Q, M, S>,
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
) -> Result<Caller, Response> {
    let authorization = headers.get(header::AUTHORIZATION);
    let caller = match (authorization, &state.auth) {
        (None, _) => authenticate_otherwise(&state.authenticators, headers).await,
        (Some(value), Some(auth)) => match value.to_str() {
            Ok(value) => auth.authenticate(Some(value)).await,
            Err(_) => Err(GqlError::new(
                ErrorCode::AuthenticationRequired,
                "the Authorization header is not text",
            )),
        },
        (Some(_), None) => Err(GqlError::new(
            ErrorCode::AuthenticationRequired,
            "this server does not accept tokens",
        )),
    };
    // A failed login spends the client's own budget, so guessing tokens is rate-limited too.
    let user = caller
        .as_ref()
        .ok()
        .and_then(Caller::user)
        .map(|user| user.id.as_str());
    if let Some((err, retry_after_secs)) = state.over_rate_limit(user, peer).await {
        let mut response = state.refuse(StatusCode::TOO_MANY_REQUESTS, err);
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        return Err(response);
    }
    let caller = caller.map(|caller| Caller {
        access: state.access.clone(),
        ..caller
    });
    caller.map_err(|err| {
        if err.code != ErrorCode::AuthenticationRequired {
            // The token could not be checked (the database or Redis is down): refused, since a
            // revoked token must not pass, but as a server error in the GraphQL response (200,
            // as every other outage), not a 401 telling the client to discard a token that may
            // be valid.
            tracing::error!(reason = %err.message, "the token could not be checked");
            state.metrics.auth_failure("could not be checked");
            return state.refuse(StatusCode::OK, err);
        }
        tracing::info!(reason = %err.message, "authentication failed");
        state.metrics.auth_failure(&err.message);
        let mut response = state.refuse(StatusCode::UNAUTHORIZED, err);
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        response
    })
}

/// Runs each operation that passes query analysis. `read_only` (GET) refuses mutations, judged
/// on the document analysis parsed, so that nothing is parsed before the limits are checked.
async fn execute<Q, M, S>(
    state: &AppState<Q, M, S>,
    caller: Caller,
    request: BatchRequest,
    read_only: bool,
    media: MediaType,
    if_none_match: Option<&HeaderValue>,
) -> Response
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    let config = &state.config;
    let requests = match request {
        BatchRequest::Single(r) => vec![r],
        BatchRequest::Batch(rs) => {
            if let Err(err) = crate::limits::check_batch(rs.len(), &config.limits) {
                return state.refuse(StatusCode::OK, err);
            }
            rs
        }
    };
    let batched = requests.len() != 1;
    let mut responses = Vec::with_capacity(requests.len());
    // The cache's plan of a single query, with its key and the models' generations.
    let mut cacheable = None;
    for mut request in requests {
        let started = std::time::Instant::now();
        let _in_flight = state.metrics.start();
        let mut statements = 0;
        let checked = state.persisted.resolve(&mut request).and_then(|()| {
            crate::limits::check_request(
                &mut request,
                &config.limits,
                config.default_page_size,
                config.introspection,
                Some(&state.documents),
            )
        });
        if read_only && checked.is_ok() && is_mutation(&mut request) {
            let mut response = state.refuse(
                StatusCode::METHOD_NOT_ALLOWED,
                GqlError::bad_input("mutations are not accepted over GET; send them with POST"),
            );
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("POST"));
            return response;
        }
        // The document the limits parsed serves the analyzers and the ordering.
        let checked = checked.and_then(|document| {
            analyze(state, document.as_deref(), &request, &caller).map(|()| document)
        });
        let texts = Arc::new(RenderedTexts::default());
        // What the operation was, for the metrics and the log, kept before `request` is spent.
        let named = Named::of(&request, checked.as_ref().ok().and_then(Option::as_deref));
        let ran = checked.is_ok();
        let mut response = match checked {
            Ok(document) => {
                let operation = request.operation_name.clone();
                if !batched
                    && let (Some((cache, hints)), Some(document)) = (&state.cache, &document)
                    && let Some(plan) = hints.plan(document, operation.as_deref())
                {
                    let key = crate::cache::key(
                        &hints.schema,
                        &plan,
                        &request.query,
                        operation.as_deref(),
                        &request.variables,
                        &caller,
                    );
                    // Read before the query runs: a write meanwhile makes what it stores stale
                    // at once.
                    if let Some(generations) = cache.generations(&plan.models).await {
                        if let Some(entry) = cache.get(&key, &generations).await {
                            let body = entry.body.clone().into_bytes();
                            let etag = entry.etag.clone();
                            observe(state, &named, &caller, started, 0, &[], true);
                            return cached_response(
                                &plan,
                                &caller,
                                read_only,
                                media,
                                body,
                                etag,
                                if_none_match,
                            );
                        }
                        cacheable = Some((cache, plan, key, generations));
                    }
                }
                let mut request = request
                    .data(caller.clone())
                    .data(texts.clone())
                    .data(state.events.clone());
                if let Some((cache, _)) = &state.cache {
                    request = request.data(cache.clone());
                }
                let (mut response, counted) =
                    crate::observe::counting_statements(state.schema.execute(request))
                        .instrument(named.span())
                        .await;
                statements = counted;
                if let Some(document) = document {
                    crate::render::order_by_selection(
                        &mut response.data,
                        &document,
                        operation.as_deref(),
                    );
                }
                response
            }
            Err(err) => {
                tracing::info!(code = err.code.as_str(), "query refused before execution");
                async_graphql::Response::from_errors(vec![err.into_server_error()])
            }
        };
        crate::error::finish_response_with(
            &mut response,
            config.debug,
            state.error_formatter.as_deref(),
        );
        observe(
            state,
            &named,
            &caller,
            started,
            statements,
            &codes(&response),
            ran,
        );
        responses.push((response, texts));
    }
    // Under `application/graphql-response+json`, a request that could not be executed at all is
    // 400 and has no `data`; `application/json` answers every well-formed request with 200.
    let request_error =
        media == MediaType::GraphqlResponse && !batched && is_request_error(&responses[0].0);
    let mut body = Vec::with_capacity(4096);
    let written = if batched {
        body.push(b'[');
        let written = responses
            .iter()
            .enumerate()
            .try_for_each(|(i, (response, texts))| {
                if i > 0 {
                    body.push(b',');
                }
                write_response(&mut body, response, texts, false)
            });
        body.push(b']');
        written
    } else {
        let (response, texts) = &responses[0];
        write_response(&mut body, response, texts, request_error)
    };
    if let Err(err) = written {
        tracing::error!(error = %err, "a response could not be serialised");
        return state.refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            GqlError::internal("the response could not be serialised"),
        );
    }
    let status = if request_error {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let without_errors = !batched && responses[0].0.errors.is_empty();
    if let (Some((cache, plan, key, generations)), true) = (cacheable, without_errors)
        && let Ok(text) = String::from_utf8(body.clone())
    {
        let etag = cache.put(key, text, generations, plan.ttl).await;
        return cached_response(&plan, &caller, read_only, media, body, etag, if_none_match);
    }
    let mut response =
        (status, [(header::CONTENT_TYPE, media.content_type())], body).into_response();
    if read_only {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// An operation's name, kind and document, kept for the metrics, the log and its span.
struct Named {
    operation: Option<String>,
    kind: Option<OperationType>,
    document: String,
}

impl Named {
    /// The operation `request` runs from `document` (the one the limits parsed, when they
    /// did): the name it is given, or the name of the document's only operation.
    fn of(request: &async_graphql::Request, document: Option<&ExecutableDocument>) -> Named {
        let chosen = document.and_then(|document| match &document.operations {
            DocumentOperations::Single(op) => Some((None, op.node.ty)),
            DocumentOperations::Multiple(ops) => match &request.operation_name {
                Some(name) => ops.get(name.as_str()).map(|op| (None, op.node.ty)),
                None if ops.len() == 1 => ops
                    .iter()
                    .next()
                    .map(|(name, op)| (Some(name.to_string()), op.node.ty)),
                None => None,
            },
        });
        let (document_name, kind) = chosen.unzip();
        Named {
            operation: request.operation_name.clone().or(document_name.flatten()),
            kind,
            document: request.query.clone(),
        }
    }

    /// The span the operation runs in.
    fn span(&self) -> tracing::Span {
        crate::observe::operation_span(self.operation.as_deref(), self.kind)
    }
}

/// The codes of `response`'s errors, as metric labels: a resolver's own code counts as `OTHER`.
fn codes(response: &async_graphql::Response) -> Vec<&'static str> {
    response
        .errors
        .iter()
        .map(|e| {
            crate::error::code_of(e)
                .and_then(ErrorCode::from_wire)
                .map_or("OTHER", ErrorCode::as_str)
        })
        .collect()
}

/// Records an answered operation in the metrics and the log; `ran` is false for one refused
/// before execution.
fn observe<Q, M, S>(
    state: &AppState<Q, M, S>,
    named: &Named,
    caller: &Caller,
    started: std::time::Instant,
    statements: u64,
    codes: &[&'static str],
    ran: bool,
) {
    let operation = Operation {
        name: named.operation.as_deref(),
        duration: started.elapsed(),
        statements,
        codes: codes.to_vec(),
        user: caller.user().map(|user| user.id.as_str()),
        document: &named.document,
        ran,
    };
    state
        .metrics
        .record(&operation, Some(state.config.observe.slow_query_threshold));
}

/// The answer of a cacheable query, fresh or from the cache. Over GET it says how long HTTP
/// caches may keep it (`public` when anyone would get the same answer, `private` when it is the
/// caller's) and carries an `ETag`: a request whose `If-None-Match` holds it gets 304.
fn cached_response(
    plan: &crate::cache::Plan,
    caller: &Caller,
    read_only: bool,
    media: MediaType,
    body: Vec<u8>,
    etag: String,
    if_none_match: Option<&HeaderValue>,
) -> Response {
    let mut response = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, media.content_type())],
        body,
    )
        .into_response();
    if !read_only {
        return response;
    }
    let scope = if plan.private || caller.is_authenticated() {
        "private"
    } else {
        "public"
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&format!("{scope}, max-age={}", plan.ttl)) {
        headers.insert(header::CACHE_CONTROL, value);
    }
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    let matches = if_none_match
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|tag| tag.trim() == etag || tag.trim() == "*")
        });
    if matches {
        *response.status_mut() = StatusCode::NOT_MODIFIED;
        *response.body_mut() = axum::body::Body::empty();
    }
    response
}

/// The analyzers' verdict on a request whose document the limits parsed and passed.
fn analyze<Q, M, S>(
    state: &AppState<Q, M, S>,
    document: Option<&async_graphql::parser::types::ExecutableDocument>,
    request: &async_graphql::Request,
    caller: &Caller,
) -> Result<(), GqlError> {
    if state.analyzers.is_empty() {
        return Ok(());
    }
    let Some(document) = document else {
        return Ok(());
    };
    state.analyzers.iter().try_for_each(|analyzer| {
        analyzer.analyze(document, request.operation_name.as_deref(), caller)
    })
}

/// Serialises `response` as async-graphql does (`data`, then `extensions` and `errors` when not
/// empty), copying the subtrees the read pipeline rendered for it instead of checking them again.
/// `without_data` leaves `data` out: a request error under `application/graphql-response+json`.
fn write_response(
    out: &mut Vec<u8>,
    response: &async_graphql::Response,
    texts: &RenderedTexts,
    without_data: bool,
) -> Result<(), serde_json::Error> {
    out.push(b'{');
    let mut first = true;
    let mut key = |out: &mut Vec<u8>, name: &[u8]| {
        if !std::mem::take(&mut first) {
            out.push(b',');
        }
        out.extend_from_slice(name);
    };
    if !without_data {
        key(out, b"\"data\":");
        crate::render::write_value(out, &response.data, Some(texts))?;
    }
    if !response.extensions.is_empty() {
        key(out, b"\"extensions\":");
        serde_json::to_writer(&mut *out, &response.extensions)?;
    }
    if !response.errors.is_empty() {
        key(out, b"\"errors\":");
        serde_json::to_writer(&mut *out, &response.errors)?;
    }
    out.push(b'}');
    Ok(())
}

async fn graphql_post<Q, M, S>(State(state): State<AppState<Q, M, S>>, request: Request) -> Response
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    let peer = peer_of(&request);
    let (parts, body) = request.into_parts();
    let Some(media) = MediaType::negotiate(&parts.headers) else {
        return state.not_acceptable();
    };
    if !is_json_body(&parts.headers) {
        return state.refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            GqlError::bad_input("a GraphQL request is sent as `Content-Type: application/json`"),
        );
    }
    let limit = state.config.max_body_bytes;
    // Read up to the limit only: a larger body is refused without being buffered whole.
    let body = match axum::body::to_bytes(body, limit).await {
        Ok(body) => body,
        Err(_) => {
            return state.refuse(
                StatusCode::PAYLOAD_TOO_LARGE,
                GqlError::new(
                    ErrorCode::QueryTooLarge,
                    format!("the request body is larger than {limit} bytes"),
                ),
            );
        }
    };
    let caller = match admit(&state, &parts.headers, peer).await {
        Ok(caller) => caller,
        Err(response) => return response,
    };
    match serde_json::from_slice::<BatchRequest>(&body) {
        Ok(request) => execute(&state, caller, request, false, media, None).await,
        Err(err) => state.bad_request(format!("the body is not a GraphQL request: {err}")),
    }
}

fn peer_of(request: &Request) -> Option<SocketAddr> {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0)
}

async fn graphql_get<Q, M, S>(State(state): State<AppState<Q, M, S>>, request: Request) -> Response
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    let peer = peer_of(&request);
    let headers = request.headers().clone();
    let query = request.uri().query().unwrap_or_default().to_owned();
    drop(request);
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    if query.is_empty() {
        if wants_html && state.config.debug {
            return graphiql::page().into_response();
        }
        return state.bad_request("GET /graphql needs a `query` parameter".to_owned());
    }
    let Some(media) = MediaType::negotiate(&headers) else {
        return state.not_acceptable();
    };
    let caller = match admit(&state, &headers, peer).await {
        Ok(caller) => caller,
        Err(response) => return response,
    };
    match async_graphql::http::parse_query_string(&query) {
        // GET must not change anything: mutations only over POST.
        Ok(request) => {
            let if_none_match = headers.get(header::IF_NONE_MATCH);
            let request = BatchRequest::Single(request);
            execute(&state, caller, request, true, media, if_none_match).await
        }
        Err(err) => state.bad_request(format!("the query string is not a GraphQL request: {err}")),
    }
}

/// Whether the request's document holds a mutation, judged on the parse analysis cached.
fn is_mutation(request: &mut async_graphql::Request) -> bool {
    request.parsed_query().is_ok_and(|doc| {
        doc.operations
            .iter()
            .any(|(_, op)| op.node.ty == OperationType::Mutation)
    })
}

/// How long [`serve`] lets in-flight requests run on after the signal: the default of
/// `SHUTDOWN_TIMEOUT`.
pub const DEFAULT_SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(30);

/// Serves `router` on `listener` with the client address available to rate limiting, until
/// SIGTERM or Ctrl-C; then as [`serve_until`] with [`DEFAULT_SHUTDOWN_GRACE`].
pub async fn serve(listener: tokio::net::TcpListener, router: Router) -> std::io::Result<()> {
    serve_until(listener, router, shutdown_signal(), DEFAULT_SHUTDOWN_GRACE).await
}

/// Serves `router` on `listener` until `signal` completes, then stops accepting (the listener is
/// closed, so new connections are refused), lets requests in flight finish and returns once they
/// have, or once `grace` has passed with some still running: those are abandoned, not awaited.
/// Idle keep-alive connections are closed at once. Logs at INFO when shutdown starts and ends,
/// at WARN with their number when the grace ran out on requests still running.
pub async fn serve_until<F>(
    listener: tokio::net::TcpListener,
    router: Router,
    signal: F,
    grace: std::time::Duration,
) -> std::io::Result<()>
where
    F: std::future::Future<Output = ()> + Send + 'static,
{
    // Counted so that running out of grace can say whether anything was cut short.
    let in_flight = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = in_flight.clone();
    let router = router.layer(middleware::from_fn(move |request: Request, next: Next| {
        let counter = counter.clone();
        async move {
            let _in_flight = InFlight::enter(counter);
            next.run(request).await
        }
    }));
    // The grace is counted from the signal, which axum consumes: it tells us through this.
    let (started_tx, started_rx) = tokio::sync::oneshot::channel::<()>();
    let signal = async move {
        signal.await;
        tracing::info!(
            grace_secs = grace.as_secs_f64(),
            "shutting down: no new connections, waiting for requests in flight"
        );
        let _ = started_tx.send(());
    };
    let server = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(signal)
    .into_future();
    let grace_over = async move {
        match started_rx.await {
            Ok(()) => tokio::time::sleep(grace).await,
            // The server ended without a signal: its own result decides.
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        result = server => {
            if result.is_ok() {
                tracing::info!("shutdown complete: no request in flight");
            }
            result
        }
        () = grace_over => {
            match in_flight.load(std::sync::atomic::Ordering::SeqCst) {
                0 => tracing::info!("shutdown complete: no request in flight"),
                left => tracing::warn!(
                    requests = left,
                    grace_secs = grace.as_secs_f64(),
                    "shutdown grace ran out with requests in flight; they are abandoned"
                ),
            }
            Ok(())
        }
    }
}

/// One request in flight for [`serve_until`]'s count; dropped however the request ends, a
/// cancelled or panicking one included.
struct InFlight(std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl InFlight {
    fn enter(counter: std::sync::Arc<std::sync::atomic::AtomicUsize>) -> InFlight {
        counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        InFlight(counter)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Completes on SIGTERM (what `docker stop`, Kubernetes and systemd send) or Ctrl-C (SIGINT).
/// Called inside a Tokio runtime, it installs its handlers at once, so a signal that arrives
/// before the server first runs is kept, not lost; outside one, at the first poll. A handler that
/// cannot be installed is logged and the other signal still counts.
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    let installed = tokio::runtime::Handle::try_current()
        .is_ok()
        .then(signal_handlers::install);
    async move {
        let handlers = match installed {
            Some(handlers) => handlers,
            None => signal_handlers::install(),
        };
        handlers.recv().await;
    }
}

#[cfg(unix)]
mod signal_handlers {
    use tokio::signal::unix::{Signal, SignalKind, signal};

    pub(super) struct Handlers {
        terminate: Option<Signal>,
        interrupt: Option<Signal>,
    }

    pub(super) fn install() -> Handlers {
        let one = |kind: SignalKind, name: &str| {
            signal(kind)
                .map_err(|err| tracing::error!(%err, "cannot listen for {name}"))
                .ok()
        };
        Handlers {
            terminate: one(SignalKind::terminate(), "SIGTERM"),
            interrupt: one(SignalKind::interrupt(), "Ctrl-C"),
        }
    }

    impl Handlers {
        pub(super) async fn recv(mut self) {
            async fn one(signal: Option<&mut Signal>) {
                match signal {
                    Some(signal) => {
                        signal.recv().await;
                    }
                    None => std::future::pending().await,
                }
            }
            tokio::select! {
                () = one(self.terminate.as_mut()) => {}
                () = one(self.interrupt.as_mut()) => {}
            }
        }
    }
}

#[cfg(not(unix))]
mod signal_handlers {
    pub(super) struct Handlers;

    pub(super) fn install() -> Handlers {
        Handlers
    }

    impl Handlers {
        pub(super) async fn recv(self) {
            if let Err(err) = tokio::signal::ctrl_c().await {
                tracing::error!(%err, "cannot listen for Ctrl-C");
                std::future::pending::<()>().await;
            }
        }
    }
}
