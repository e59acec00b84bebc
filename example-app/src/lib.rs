//! The example app of gqlgen: an e-commerce API generated from sea-orm entities, with its
//! database set-up, deterministic seed data and command line.

pub mod accounts;
pub mod api_keys;
pub mod cli;
pub mod entities;
pub mod migrate;
pub mod seed;
pub mod shop;
pub mod validators;

use entities::*;
use gqlgen_runtime::Config;
use sea_orm::DatabaseConnection;

gqlgen_runtime::query_root!(pub Query {
    user::Model,
    category::Model,
    product::Model,
    tag::Model,
    order::Model,
    order_item::Model,
    review::Model,
}, me = user::Model, custom = [shop::ShopQuery]);

gqlgen_runtime::mutation_root!(pub Mutation {
    category::Model,
    product::Model,
    tag::Model,
    order::Model,
    order_item::Model,
    review::Model,
});

gqlgen_runtime::subscription_root!(pub Subscription {
    product::Model,
    order::Model,
});

/// The example app's schema.
pub type AppSchema = gqlgen_runtime::schema::AppSchema<Query, Mutation, Subscription>;

/// Builds the schema over `db`.
pub fn schema(db: DatabaseConnection, config: Config) -> AppSchema {
    gqlgen_runtime::schema::build_with_subscriptions(db, config, None)
}

/// The router serving the schema over `db`, with revoked tokens and rate-limit buckets in
/// memory. `config.jwt` must hold a usable key; see [`with_signing_key`].
pub fn router(db: DatabaseConnection, config: Config) -> Result<axum::Router, String> {
    router_with_api_keys(db, config, api_keys_from_env()?)
}

/// [`router`] accepting `X-Api-Key` with these keys (key to user id) beside tokens.
pub fn router_with_api_keys(
    db: DatabaseConnection,
    config: Config,
    api_keys: std::collections::HashMap<String, String>,
) -> Result<axum::Router, String> {
    let revocations = gqlgen_runtime::auth::Revocations::memory();
    assemble(db, config, revocations, None, None, None, api_keys)
}

/// The keys of `EXAMPLE_API_KEYS`; none when it is unset.
fn api_keys_from_env() -> Result<std::collections::HashMap<String, String>, String> {
    match std::env::var("EXAMPLE_API_KEYS") {
        Ok(text) => api_keys::ApiKeys::parse(&text),
        Err(_) => Ok(Default::default()),
    }
}

/// The router of a served app: revoked tokens, rate-limit buckets, subscription events and
/// (with caching enabled) the response cache in Redis when `REDIS_URL` is set, so that several instances share them; in memory otherwise.
pub async fn app(db: DatabaseConnection, config: Config) -> Result<axum::Router, String> {
    let Some(url) = config.redis_url.clone() else {
        return router(db, config);
    };
    let revocations = gqlgen_runtime::auth::Revocations::redis(&url).await?;
    let limiter = gqlgen_runtime::rate_limit::RateLimiter::redis(&url, &config.rate_limit).await?;
    let events = gqlgen_runtime::events::Events::redis(&url).await?;
    let cache = if config.caching_enabled {
        let namespace = config.cache.namespace();
        Some(gqlgen_runtime::cache::ResponseCache::redis(&url, namespace).await?)
    } else {
        None
    };
    let api_keys = api_keys_from_env()?;
    assemble(
        db,
        config,
        revocations,
        Some(limiter),
        Some(events),
        cache,
        api_keys,
    )
}

fn assemble(
    db: DatabaseConnection,
    config: Config,
    revocations: gqlgen_runtime::auth::Revocations,
    rate_limiter: Option<gqlgen_runtime::rate_limit::RateLimiter>,
    events: Option<gqlgen_runtime::events::Events>,
    cache: Option<gqlgen_runtime::cache::ResponseCache>,
    api_keys: std::collections::HashMap<String, String>,
) -> Result<axum::Router, String> {
    let jwt = gqlgen_runtime::auth::Jwt::new(&config.jwt)?;
    let accounts = std::sync::Arc::new(accounts::Accounts::new(db.clone()));
    let auth = gqlgen_runtime::auth::Auth::new(jwt, revocations, accounts.clone());
    let schema = gqlgen_runtime::schema::build_with_subscriptions::<Query, Mutation, Subscription>(
        db,
        config.clone(),
        Some(auth.clone()),
    );
    let mut services = gqlgen_runtime::http::Services {
        auth: Some(auth),
        rate_limiter,
        events,
        cache,
        ..Default::default()
    };
    if !api_keys.is_empty() {
        services
            .authenticators
            .push(std::sync::Arc::new(api_keys::ApiKeys::new(
                api_keys, accounts,
            )));
    }
    Ok(gqlgen_runtime::http::router_with(schema, config, services))
}

/// `config` with a random HS256 key when it has none: tokens then last as long as the
/// process. Production refuses to start without `JWT_SECRET_KEY` before this is reached.
pub fn with_signing_key(mut config: Config) -> Config {
    if config.jwt.secret_key.is_none() {
        let key = format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        config.jwt.secret_key = Some(key);
    }
    config
}

/// The API documentation of the schema, as committed in `example-app/docs/`.
pub fn api_docs() -> Result<gqlgen_runtime::docs::ApiDocs, String> {
    gqlgen_runtime::docs::generate(&sdl())
}

/// The SDL of the schema, as committed in `example-app/schema.graphql`.
pub fn sdl() -> String {
    // The schema's shape does not depend on the connection; a disconnected one will do.
    schema(DatabaseConnection::default(), Config::development()).sdl()
}
