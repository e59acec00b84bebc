//! Settings the generated API reads at run time: page sizes, debug, introspection, query limits,
//! rate limits, JWT, CORS and the body limit. They are placed in the schema's data by
//! [`crate::schema::build`] and read by the router. The default is the production profile:
//! security on unless a development profile is chosen on purpose. The profile constructors hold
//! every default; each setting's variable, TOML key and type are one row of a table
//! (`config/table.rs`) that [`Config::from_env`], [`Config::redacted_summary`] and the settings
//! table of docs/security.md all walk.

use std::time::Duration;

mod field;
mod load;
mod table;

pub use load::ConfigError;

/// Run-time settings of the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The profile these settings started from.
    pub profile: Profile,
    /// Page size of a connection asked for with neither `first` nor `last`.
    pub default_page_size: u32,
    /// Largest `first` / `last` accepted; a larger one is `BAD_USER_INPUT`, not a silent clamp.
    pub max_page_size: u32,
    /// Show internal error messages and serve GraphiQL.
    pub debug: bool,
    /// Answer `__schema` / `__type` queries.
    pub introspection: bool,
    /// Most rows one bulk mutation may create, update or delete.
    pub max_batch_size: u32,
    /// What a query may ask for, checked before any resolver runs.
    pub limits: QueryLimits,
    /// Requests per client over time.
    pub rate_limit: RateLimitSettings,
    /// Signing and checking of tokens.
    pub jwt: JwtSettings,
    /// Origins a browser may call the API from (`CORS_ALLOWED_ORIGINS`); empty: none.
    pub cors_allowed_origins: Vec<String>,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Shared state (revoked tokens, rate-limit buckets) lives here when set (`REDIS_URL`).
    pub redis_url: Option<String>,
    /// `GRAPHQL_CACHING_ENABLED`: answers of queries that read only models with
    /// `cache(...)` are kept and served again (docs/caching.md).
    pub caching_enabled: bool,
    /// The response cache's size and default TTL.
    pub cache: CacheSettings,
    /// A manifest of the only documents that run (`GRAPHQL_PERSISTED_QUERIES_ALLOW_LIST`);
    /// unset: any document runs, and clients may register persisted queries.
    pub persisted_queries_allow_list: Option<String>,
    /// The connection pool.
    pub database: DatabaseSettings,
    /// How long in-flight requests may run on after SIGTERM or Ctrl-C (`SHUTDOWN_TIMEOUT`).
    pub shutdown_timeout: Duration,
    /// Schema-wide access rules: the permissions of models that name none, and whether
    /// anonymous callers may use the API at all.
    pub access: AccessDefaults,
    /// WebSocket connections serving subscriptions (`/graphql/ws`).
    pub subscriptions: SubscriptionSettings,
    /// Metrics and logs.
    pub observe: ObserveSettings,
}

/// What the server reports: metrics (`GET /metrics`) and logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObserveSettings {
    /// The bearer token `GET /metrics` asks for (`METRICS_TOKEN`). Unset: the endpoint is open
    /// in development and testing, and answers 404 in production.
    pub metrics_token: Option<String>,
    /// Operation names with a metric label of their own; further names count as `other`.
    pub max_operations: u32,
    /// An operation this slow or slower is logged at WARN (`SLOW_QUERY_THRESHOLD`, seconds);
    /// 0 logs every one.
    pub slow_query_threshold: Duration,
    /// `text` (coloured only on a terminal) or `json`, one object per line (`LOG_FORMAT`).
    pub log_format: Option<String>,
    /// Where spans are exported over OTLP/HTTP, the collector's base URL
    /// (`OTEL_EXPORTER_OTLP_ENDPOINT`, `http://collector:4318`; `/v1/traces` is added). Only a
    /// build with the `otlp` cargo feature exports; unset: nothing is.
    pub otlp_endpoint: Option<String>,
    /// `http/protobuf` (the default) or `http/json` (`OTEL_EXPORTER_OTLP_PROTOCOL`).
    pub otlp_protocol: Option<String>,
    /// The `service.name` exported spans carry (`OTEL_SERVICE_NAME`); default `gqlgen`.
    pub service_name: Option<String>,
}

impl Default for ObserveSettings {
    fn default() -> Self {
        ObserveSettings {
            metrics_token: None,
            max_operations: 100,
            slow_query_threshold: Duration::from_secs(1),
            log_format: None,
            otlp_endpoint: None,
            otlp_protocol: None,
            service_name: None,
        }
    }
}

impl ObserveSettings {
    /// Whether logs are JSON lines (`LOG_FORMAT=json`).
    pub fn json_logs(&self) -> bool {
        self.log_format.as_deref() == Some("json")
    }
}

/// The response cache (`caching_enabled`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheSettings {
    /// Seconds an answer lives when its models' `cache` gives no `ttl`.
    pub default_ttl: u32,
    /// Most answers kept in memory.
    pub max_entries: u64,
    /// Most bytes of answers kept in memory.
    pub max_bytes: u64,
    /// The start of the response cache's Redis keys (`{namespace}:cache:…`), so that several
    /// applications can share one Redis; `gqlgen` when unset.
    pub namespace: Option<String>,
}

impl CacheSettings {
    /// [`CacheSettings::namespace`], or `gqlgen`.
    pub fn namespace(&self) -> &str {
        self.namespace.as_deref().unwrap_or("gqlgen")
    }
}

impl Default for CacheSettings {
    fn default() -> Self {
        CacheSettings {
            default_ttl: 300,
            max_entries: 10_000,
            max_bytes: 64 * 1024 * 1024,
            namespace: None,
        }
    }
}

/// The limits and timers of a WebSocket connection (`/graphql/ws`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionSettings {
    /// Operations one connection may run at once; one more is refused with `RATE_LIMITED`.
    pub max_per_connection: u32,
    /// How often the server pings a connection (WebSocket `Ping` frames) and checks its token
    /// again: a revoked token, or a deactivated user, closes it within this time; an expired
    /// token closes it when it expires.
    pub keepalive: Duration,
    /// How long a message to a client may wait to be written: a client that stops reading is
    /// disconnected after it, so that its output never piles up.
    pub send_timeout: Duration,
    /// Messages a connection may have waiting to be written: a client that falls further
    /// behind is closed with code 1013 and the messages it had not read are counted as dropped.
    pub send_buffer: u32,
    /// How long a new connection may take to send `connection_init`; later, it is closed with
    /// code 4408.
    pub init_timeout: Duration,
}

impl Default for SubscriptionSettings {
    fn default() -> Self {
        SubscriptionSettings {
            max_per_connection: 100,
            keepalive: Duration::from_secs(15),
            send_timeout: Duration::from_secs(10),
            send_buffer: 256,
            init_timeout: Duration::from_secs(10),
        }
    }
}

/// Who may do what where a model does not say (the seed's `permission_classes` and
/// `authentication_required` settings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessDefaults {
    /// The permissions of a model without `permissions(...)` (`GRAPHQL_DEFAULT_PERMISSIONS`):
    /// every one must allow an action, as with the attribute. A model's own list wins.
    pub permissions: Vec<BuiltinPermission>,
    /// Anonymous callers get `AUTHENTICATION_REQUIRED` from every model, whatever its
    /// permissions (`GRAPHQL_AUTHENTICATION_REQUIRED`); `tokenAuth` and `refreshToken` stay open
    /// so that they can log in.
    pub authentication_required: bool,
}

impl Default for AccessDefaults {
    fn default() -> Self {
        AccessDefaults {
            permissions: vec![BuiltinPermission::IsAuthenticatedOrReadOnly],
            authentication_required: false,
        }
    }
}

/// The built-in permission policies a setting can name (see [`crate::policy`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuiltinPermission {
    /// [`crate::policy::AllowAny`].
    AllowAny,
    /// [`crate::policy::IsAuthenticated`].
    IsAuthenticated,
    /// [`crate::policy::IsAuthenticatedOrReadOnly`].
    IsAuthenticatedOrReadOnly,
    /// [`crate::policy::IsAdminOrReadOnly`].
    IsAdminOrReadOnly,
    /// [`crate::policy::IsOwnerOrReadOnly`].
    IsOwnerOrReadOnly,
    /// [`crate::policy::IsOwnerOrStaff`].
    IsOwnerOrStaff,
}

impl BuiltinPermission {
    /// Every one, in the order the docs list them.
    pub const ALL: [BuiltinPermission; 6] = [
        BuiltinPermission::AllowAny,
        BuiltinPermission::IsAuthenticated,
        BuiltinPermission::IsAuthenticatedOrReadOnly,
        BuiltinPermission::IsAdminOrReadOnly,
        BuiltinPermission::IsOwnerOrReadOnly,
        BuiltinPermission::IsOwnerOrStaff,
    ];

    /// The name a setting gives it: the type's name, `IsAuthenticated`.
    pub fn as_str(self) -> &'static str {
        match self {
            BuiltinPermission::AllowAny => "AllowAny",
            BuiltinPermission::IsAuthenticated => "IsAuthenticated",
            BuiltinPermission::IsAuthenticatedOrReadOnly => "IsAuthenticatedOrReadOnly",
            BuiltinPermission::IsAdminOrReadOnly => "IsAdminOrReadOnly",
            BuiltinPermission::IsOwnerOrReadOnly => "IsOwnerOrReadOnly",
            BuiltinPermission::IsOwnerOrStaff => "IsOwnerOrStaff",
        }
    }
}

/// The database connection pool (`DB_*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseSettings {
    /// Most open connections (`DB_MAX_CONNECTIONS`).
    pub max_connections: u32,
    /// Connections kept open when idle (`DB_MIN_CONNECTIONS`).
    pub min_connections: u32,
    /// How long a request waits for a free connection before it fails (`DB_ACQUIRE_TIMEOUT`):
    /// while the database is down, requests fail after this long instead of hanging.
    pub acquire_timeout: Duration,
    /// How long opening one connection may take (`DB_CONNECT_TIMEOUT`).
    pub connect_timeout: Duration,
    /// A connection idle this long is closed, down to `min_connections` (`DB_IDLE_TIMEOUT`).
    pub idle_timeout: Duration,
    /// Each SQL statement is logged with its duration (`DB_LOG_QUERIES`), for development.
    pub log_queries: bool,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        DatabaseSettings {
            max_connections: 10,
            min_connections: 0,
            acquire_timeout: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(2),
            idle_timeout: Duration::from_secs(600),
            log_queries: false,
        }
    }
}

/// The profiles of `GQLGEN_PROFILE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// Debug output, GraphiQL and introspection on: [`Config::development`].
    Development,
    /// All three off, a JWT secret required: [`Config::production`].
    Production,
    /// Development without rate limiting: [`Config::testing`].
    Testing,
}

impl Profile {
    /// The profile's name as `GQLGEN_PROFILE` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Development => "development",
            Profile::Production => "production",
            Profile::Testing => "testing",
        }
    }
}

/// Limits of one request's documents, checked before execution with fragments expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryLimits {
    /// Deepest field nesting (`QUERY_TOO_DEEP`).
    pub max_depth: u32,
    /// Highest cost, where a connection multiplies its selection by `first` / `last`
    /// (`QUERY_TOO_COMPLEX`).
    pub max_complexity: u64,
    /// Most aliased fields (`QUERY_TOO_LARGE`).
    pub max_aliases: u32,
    /// Most lexical tokens in a document (`QUERY_TOO_LARGE`).
    pub max_tokens: u32,
    /// Longest document, in bytes (`QUERY_TOO_LARGE`).
    pub max_query_bytes: usize,
    /// Most operations in one batched request (`QUERY_TOO_LARGE`).
    pub max_batch_operations: u32,
    /// Deepest nesting of objects and lists in a variable's value, checked before the value is
    /// parsed (`BAD_USER_INPUT`).
    pub max_input_depth: u32,
    /// Deepest nesting of `and` / `or` / `not` in a filter (`BAD_USER_INPUT`).
    pub max_filter_depth: u32,
    /// Most nodes in a filter: every filter object and every lookup set counts one
    /// (`BAD_USER_INPUT`).
    pub max_filter_nodes: u32,
    /// Most values a filter compares with, over all its lookups; every item of an `_In` list
    /// counts one. Each is one bound parameter of the SQL statement (`BAD_USER_INPUT`).
    pub max_filter_values: u32,
    /// Most items in one list argument: an `_In` list, `orderBy`, a list of ids in an input
    /// (`BAD_USER_INPUT`).
    pub max_list_length: u32,
    /// Longest value of a text lookup (`name_Icontains`...), in characters (`BAD_USER_INPUT`).
    pub max_pattern_length: u32,
}

impl Default for QueryLimits {
    fn default() -> Self {
        QueryLimits {
            max_depth: 10,
            max_complexity: 1000,
            max_aliases: 30,
            max_tokens: 5000,
            max_query_bytes: 100_000,
            max_batch_operations: 10,
            max_input_depth: 32,
            max_filter_depth: 10,
            max_filter_nodes: 1_000,
            max_filter_values: 10_000,
            max_list_length: 1_000,
            max_pattern_length: 1_000,
        }
    }
}

/// A token bucket per user, or per client IP when anonymous.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimitSettings {
    /// `RATE_LIMITING_ENABLED`.
    pub enabled: bool,
    /// `RATE_LIMIT_RPM`: the bucket's refill rate.
    pub requests_per_minute: u32,
    /// The bucket's size: requests that may arrive at once.
    pub burst_limit: u32,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        RateLimitSettings {
            enabled: true,
            requests_per_minute: 100,
            burst_limit: 20,
        }
    }
}

/// The signature algorithm of tokens (`JWT_ALGORITHM`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JwtAlgorithm {
    /// A shared secret (`JWT_SECRET_KEY`).
    Hs256,
    /// An RSA key pair: `JWT_SECRET_KEY` holds the private key PEM, `JWT_PUBLIC_KEY` the public one.
    Rs256,
}

/// How tokens are signed and checked.
#[derive(Clone, PartialEq, Eq)]
pub struct JwtSettings {
    /// How tokens are signed (`JWT_ALGORITHM`).
    pub algorithm: JwtAlgorithm,
    /// HS256: the shared secret; RS256: the private key PEM. `None`: tokens cannot be issued
    /// or checked, and every request is anonymous.
    pub secret_key: Option<String>,
    /// RS256: the public key PEM that checks signatures.
    pub public_key: Option<String>,
    /// Lifetime of an access token (`JWT_EXPIRATION`).
    pub access_lifetime: Duration,
    /// Lifetime of a refresh token.
    pub refresh_lifetime: Duration,
    /// Clock skew tolerated when checking `exp` and `nbf`.
    pub leeway: Duration,
    /// `iss` written into tokens and required of them, when set.
    pub issuer: Option<String>,
    /// `aud` written into tokens and required of them, when set.
    pub audience: Option<String>,
}

impl std::fmt::Debug for JwtSettings {
    // Keys are secrets: they never reach a log through `{:?}`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtSettings")
            .field("algorithm", &self.algorithm)
            .field(
                "secret_key",
                &self.secret_key.as_ref().map(|_| "<redacted>"),
            )
            .field("public_key", &self.public_key.is_some())
            .field("access_lifetime", &self.access_lifetime)
            .field("refresh_lifetime", &self.refresh_lifetime)
            .field("leeway", &self.leeway)
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish()
    }
}

impl Default for JwtSettings {
    fn default() -> Self {
        JwtSettings {
            algorithm: JwtAlgorithm::Hs256,
            secret_key: None,
            public_key: None,
            access_lifetime: Duration::from_secs(3600),
            refresh_lifetime: Duration::from_secs(7 * 24 * 3600),
            leeway: Duration::from_secs(30),
            issuer: None,
            audience: None,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config::production()
    }
}

impl Config {
    /// No debug output, no GraphiQL, no introspection.
    pub fn production() -> Config {
        Config {
            profile: Profile::Production,
            default_page_size: 20,
            max_page_size: 100,
            debug: false,
            introspection: false,
            max_batch_size: 100,
            limits: QueryLimits::default(),
            rate_limit: RateLimitSettings::default(),
            jwt: JwtSettings::default(),
            cors_allowed_origins: Vec::new(),
            max_body_bytes: 1 << 20,
            redis_url: None,
            caching_enabled: false,
            cache: CacheSettings::default(),
            persisted_queries_allow_list: None,
            database: DatabaseSettings::default(),
            shutdown_timeout: Duration::from_secs(30),
            access: AccessDefaults::default(),
            subscriptions: SubscriptionSettings::default(),
            observe: ObserveSettings::default(),
        }
    }

    /// Debug messages, GraphiQL and introspection: for a developer's machine. Limits stay on.
    pub fn development() -> Config {
        Config {
            profile: Profile::Development,
            debug: true,
            introspection: true,
            ..Config::production()
        }
    }

    /// The development settings without rate limiting, for test suites.
    pub fn testing() -> Config {
        Config {
            profile: Profile::Testing,
            rate_limit: RateLimitSettings {
                enabled: false,
                ..RateLimitSettings::default()
            },
            ..Config::development()
        }
    }

    /// The settings of a profile named by `GQLGEN_PROFILE`.
    pub fn from_profile(profile: &str) -> Result<Config, String> {
        match profile {
            "production" => Ok(Config::production()),
            "development" => Ok(Config::development()),
            "testing" => Ok(Config::testing()),
            other => Err(format!(
                "GQLGEN_PROFILE is `{other}`; use development, production or testing"
            )),
        }
    }

    /// The settings of a request: those of the schema, or the defaults. Borrowed, since
    /// resolvers ask for them once per connection field.
    pub fn of<'a, T>(ctx: &'a async_graphql::ContextBase<'_, T>) -> &'a Config {
        static DEFAULT: std::sync::OnceLock<Config> = std::sync::OnceLock::new();
        ctx.data_opt::<Config>()
            .unwrap_or_else(|| DEFAULT.get_or_init(Config::default))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_production_and_profiles_are_checked() {
        assert_eq!(Config::default(), Config::production());
        assert!(!Config::default().debug && !Config::default().introspection);
        assert!(Config::from_profile("development").unwrap().debug);
        let err = Config::from_profile("prod").unwrap_err();
        assert!(err.contains("GQLGEN_PROFILE"), "{err}");
    }

    #[test]
    fn debug_output_never_shows_the_secret() {
        let mut config = Config::production();
        config.jwt.secret_key = Some("s3cret-value".into());
        assert!(!format!("{config:?}").contains("s3cret-value"));
    }
}
