//! Every setting, described once: one [`Setting`] row gives its name, its environment variable,
//! its TOML key, the field of [`Config`] it fills (whose [`Field`] type says how it is parsed
//! and shown) and a line of documentation. Loading from either source, the start-up summary and
//! the settings table of docs/security.md all walk [`SETTINGS`]; the defaults are those of the
//! profile constructors ([`Config::production`] and the others), which stay their only source.

use super::Config;
use super::field::{Field, Min};

/// One setting.
pub(crate) struct Setting {
    /// The field's path in [`Config`], as the summary and the docs name it.
    pub(crate) name: &'static str,
    /// The environment variable.
    pub(crate) env: &'static str,
    /// The key in the TOML file: `section.key`, or `key` at the top.
    pub(crate) toml: &'static str,
    /// Lends the field the setting fills. One accessor serves reading and writing, so that a
    /// row cannot read one field and write another.
    pub(crate) field: fn(&mut Config) -> Field<'_>,
    /// What the setting means, for the docs' table.
    #[cfg_attr(
        not(test),
        expect(dead_code, reason = "the docs test renders the table")
    )]
    pub(crate) doc: &'static str,
}

/// The settings, in the order of the docs and the summary.
pub(crate) const SETTINGS: &[Setting] = &[
    Setting {
        name: "profile",
        env: "GQLGEN_PROFILE",
        toml: "profile",
        field: |c| Field::Profile(&mut c.profile),
        doc: "where every other setting starts: `development` (debug, introspection, GraphiQL), \
              `production` (none of them; needs `JWT_SECRET_KEY`) or `testing` (development \
              without rate limiting); `development` when neither source sets it",
    },
    Setting {
        name: "debug",
        env: "GRAPHQL_DEBUG",
        toml: "debug",
        field: |c| Field::Flag(&mut c.debug),
        doc: "show internal error messages and serve GraphiQL",
    },
    Setting {
        name: "introspection",
        env: "GRAPHQL_INTROSPECTION",
        toml: "introspection",
        field: |c| Field::Flag(&mut c.introspection),
        doc: "answer `__schema` and `__type`",
    },
    Setting {
        name: "access.default_permissions",
        env: "GRAPHQL_DEFAULT_PERMISSIONS",
        toml: "access.default_permissions",
        field: |c| Field::Permissions(&mut c.access.permissions),
        doc: "the permissions of a model without `permissions(...)`, every one of which must \
              allow an action: built-in names, comma-separated (`AllowAny`, `IsAuthenticated`, \
              `IsAuthenticatedOrReadOnly`, `IsAdminOrReadOnly`, `IsOwnerOrReadOnly`, \
              `IsOwnerOrStaff`); a model's own list wins",
    },
    Setting {
        name: "access.authentication_required",
        env: "GRAPHQL_AUTHENTICATION_REQUIRED",
        toml: "access.authentication_required",
        field: |c| Field::Flag(&mut c.access.authentication_required),
        doc: "anonymous callers get `AUTHENTICATION_REQUIRED` from every model; the token \
              mutations stay open",
    },
    Setting {
        name: "default_page_size",
        env: "GRAPHQL_DEFAULT_PAGE_SIZE",
        toml: "pagination.default_page_size",
        field: |c| Field::Number(&mut c.default_page_size, Min::One),
        doc: "page size when neither `first` nor `last` is given",
    },
    Setting {
        name: "max_page_size",
        env: "GRAPHQL_MAX_PAGE_SIZE",
        toml: "pagination.max_page_size",
        field: |c| Field::Number(&mut c.max_page_size, Min::One),
        doc: "largest `first` / `last`; a larger one is refused, not clamped",
    },
    Setting {
        name: "max_batch_size",
        env: "GRAPHQL_MAX_BATCH_SIZE",
        toml: "max_batch_size",
        field: |c| Field::Number(&mut c.max_batch_size, Min::One),
        doc: "most rows one bulk mutation may create, update or delete",
    },
    Setting {
        name: "limits.max_depth",
        env: "GRAPHQL_MAX_DEPTH",
        toml: "limits.max_depth",
        field: |c| Field::Number(&mut c.limits.max_depth, Min::One),
        doc: "deepest field nesting (`QUERY_TOO_DEEP`)",
    },
    Setting {
        name: "limits.max_complexity",
        env: "GRAPHQL_MAX_COMPLEXITY",
        toml: "limits.max_complexity",
        field: |c| Field::Number(&mut c.limits.max_complexity, Min::One),
        doc: "highest cost, where a connection multiplies its selection by `first` / `last` \
              (`QUERY_TOO_COMPLEX`)",
    },
    Setting {
        name: "limits.max_aliases",
        env: "GRAPHQL_MAX_ALIASES",
        toml: "limits.max_aliases",
        field: |c| Field::Number(&mut c.limits.max_aliases, Min::One),
        doc: "most aliased fields (`QUERY_TOO_LARGE`)",
    },
    Setting {
        name: "limits.max_tokens",
        env: "GRAPHQL_MAX_TOKENS",
        toml: "limits.max_tokens",
        field: |c| Field::Number(&mut c.limits.max_tokens, Min::One),
        doc: "most lexical tokens in a document (`QUERY_TOO_LARGE`)",
    },
    Setting {
        name: "limits.max_query_bytes",
        env: "GRAPHQL_MAX_QUERY_BYTES",
        toml: "limits.max_query_bytes",
        field: |c| Field::Number(&mut c.limits.max_query_bytes, Min::One),
        doc: "longest document, in bytes (`QUERY_TOO_LARGE`)",
    },
    Setting {
        name: "limits.max_batch_operations",
        env: "GRAPHQL_MAX_BATCH_OPERATIONS",
        toml: "limits.max_batch_operations",
        field: |c| Field::Number(&mut c.limits.max_batch_operations, Min::One),
        doc: "most operations in one batched request (`QUERY_TOO_LARGE`)",
    },
    Setting {
        name: "limits.max_input_depth",
        env: "GRAPHQL_MAX_INPUT_DEPTH",
        toml: "limits.max_input_depth",
        field: |c| Field::Number(&mut c.limits.max_input_depth, Min::One),
        doc: "deepest nesting of a variable's value ([input limits](#input-limits))",
    },
    Setting {
        name: "limits.max_filter_depth",
        env: "GRAPHQL_MAX_FILTER_DEPTH",
        toml: "limits.max_filter_depth",
        field: |c| Field::Number(&mut c.limits.max_filter_depth, Min::One),
        doc: "deepest nesting of `and` / `or` / `not` in a filter",
    },
    Setting {
        name: "limits.max_filter_nodes",
        env: "GRAPHQL_MAX_FILTER_NODES",
        toml: "limits.max_filter_nodes",
        field: |c| Field::Number(&mut c.limits.max_filter_nodes, Min::One),
        doc: "most filter objects and lookups in a filter",
    },
    Setting {
        name: "limits.max_filter_values",
        env: "GRAPHQL_MAX_FILTER_VALUES",
        toml: "limits.max_filter_values",
        field: |c| Field::Number(&mut c.limits.max_filter_values, Min::One),
        doc: "most values a filter compares with (each `_In` item counts)",
    },
    Setting {
        name: "limits.max_list_length",
        env: "GRAPHQL_MAX_LIST_LENGTH",
        toml: "limits.max_list_length",
        field: |c| Field::Number(&mut c.limits.max_list_length, Min::One),
        doc: "most items in one list argument",
    },
    Setting {
        name: "limits.max_pattern_length",
        env: "GRAPHQL_MAX_PATTERN_LENGTH",
        toml: "limits.max_pattern_length",
        field: |c| Field::Number(&mut c.limits.max_pattern_length, Min::One),
        doc: "longest value of a text lookup, in characters",
    },
    Setting {
        name: "rate_limit.enabled",
        env: "RATE_LIMITING_ENABLED",
        toml: "rate_limit.enabled",
        field: |c| Field::Flag(&mut c.rate_limit.enabled),
        doc: "limit requests per user, or per client IP when anonymous",
    },
    Setting {
        name: "rate_limit.requests_per_minute",
        env: "RATE_LIMIT_RPM",
        toml: "rate_limit.requests_per_minute",
        field: |c| Field::Number(&mut c.rate_limit.requests_per_minute, Min::One),
        doc: "refill rate of a client's bucket",
    },
    Setting {
        name: "rate_limit.burst_limit",
        env: "RATE_LIMIT_BURST",
        toml: "rate_limit.burst_limit",
        field: |c| Field::Number(&mut c.rate_limit.burst_limit, Min::One),
        doc: "size of a client's bucket: requests that may arrive at once",
    },
    Setting {
        name: "jwt.algorithm",
        env: "JWT_ALGORITHM",
        toml: "jwt.algorithm",
        field: |c| Field::Algorithm(&mut c.jwt.algorithm),
        doc: "how tokens are signed",
    },
    Setting {
        name: "jwt.secret_key",
        env: "JWT_SECRET_KEY",
        toml: "jwt.secret_key",
        field: |c| Field::Secret(&mut c.jwt.secret_key),
        doc: "HS256: the secret (32 bytes or more); RS256: the private key PEM; unset: every \
              request is anonymous",
    },
    Setting {
        name: "jwt.public_key",
        env: "JWT_PUBLIC_KEY",
        toml: "jwt.public_key",
        field: |c| Field::PublicKey(&mut c.jwt.public_key),
        doc: "RS256: the public key PEM that checks signatures",
    },
    Setting {
        name: "jwt.access_lifetime",
        env: "JWT_EXPIRATION",
        toml: "jwt.expiration",
        field: |c| Field::Seconds(&mut c.jwt.access_lifetime, Min::One),
        doc: "lifetime of an access token",
    },
    Setting {
        name: "jwt.refresh_lifetime",
        env: "JWT_REFRESH_EXPIRATION",
        toml: "jwt.refresh_expiration",
        field: |c| Field::Seconds(&mut c.jwt.refresh_lifetime, Min::One),
        doc: "lifetime of a refresh token",
    },
    Setting {
        name: "jwt.leeway",
        env: "JWT_LEEWAY",
        toml: "jwt.leeway",
        field: |c| Field::Seconds(&mut c.jwt.leeway, Min::Zero),
        doc: "clock skew tolerated when checking `exp` and `nbf`",
    },
    Setting {
        name: "jwt.issuer",
        env: "JWT_ISSUER",
        toml: "jwt.issuer",
        field: |c| Field::Text(&mut c.jwt.issuer),
        doc: "`iss` written into tokens and required of them",
    },
    Setting {
        name: "jwt.audience",
        env: "JWT_AUDIENCE",
        toml: "jwt.audience",
        field: |c| Field::Text(&mut c.jwt.audience),
        doc: "`aud` written into tokens and required of them",
    },
    Setting {
        name: "cors_allowed_origins",
        env: "CORS_ALLOWED_ORIGINS",
        toml: "cors.allowed_origins",
        field: |c| Field::Origins(&mut c.cors_allowed_origins),
        doc: "origins browsers may call the API from (`scheme://host[:port]`); `*` is refused \
              in production",
    },
    Setting {
        name: "max_body_bytes",
        env: "GRAPHQL_MAX_BODY_BYTES",
        toml: "http.max_body_bytes",
        field: |c| Field::Number(&mut c.max_body_bytes, Min::One),
        doc: "largest request body, in bytes",
    },
    Setting {
        name: "shutdown_timeout",
        env: "SHUTDOWN_TIMEOUT",
        toml: "http.shutdown_timeout",
        field: |c| Field::Seconds(&mut c.shutdown_timeout, Min::Zero),
        doc: "how long in-flight requests may run on after SIGTERM or Ctrl-C",
    },
    Setting {
        name: "subscriptions.max_per_connection",
        env: "GRAPHQL_SUBSCRIPTIONS_PER_CONNECTION",
        toml: "subscriptions.max_per_connection",
        field: |c| Field::Number(&mut c.subscriptions.max_per_connection, Min::One),
        doc: "operations one WebSocket connection may run at once",
    },
    Setting {
        name: "subscriptions.keepalive",
        env: "GRAPHQL_SUBSCRIPTIONS_KEEPALIVE",
        toml: "subscriptions.keepalive",
        field: |c| Field::Seconds(&mut c.subscriptions.keepalive, Min::One),
        doc: "seconds between a WebSocket connection's pings and checks of its token",
    },
    Setting {
        name: "subscriptions.send_timeout",
        env: "GRAPHQL_SUBSCRIPTIONS_SEND_TIMEOUT",
        toml: "subscriptions.send_timeout",
        field: |c| Field::Seconds(&mut c.subscriptions.send_timeout, Min::One),
        doc: "seconds a message to a WebSocket client may wait to be written before it is disconnected",
    },
    Setting {
        name: "subscriptions.send_buffer",
        env: "GRAPHQL_SUBSCRIPTIONS_SEND_BUFFER",
        toml: "subscriptions.send_buffer",
        field: |c| Field::Number(&mut c.subscriptions.send_buffer, Min::One),
        doc: "messages a WebSocket client may fall behind before it is closed with 1013",
    },
    Setting {
        name: "subscriptions.init_timeout",
        env: "GRAPHQL_SUBSCRIPTIONS_INIT_TIMEOUT",
        toml: "subscriptions.init_timeout",
        field: |c| Field::Seconds(&mut c.subscriptions.init_timeout, Min::One),
        doc: "seconds a new WebSocket connection may take to send connection_init",
    },
    Setting {
        name: "redis_url",
        env: "REDIS_URL",
        toml: "redis_url",
        field: |c| Field::RedisUrl(&mut c.redis_url),
        doc: "where revoked tokens, rate-limit buckets and subscription events are shared by \
              instances",
    },
    Setting {
        name: "caching_enabled",
        env: "GRAPHQL_CACHING_ENABLED",
        toml: "caching_enabled",
        field: |c| Field::Flag(&mut c.caching_enabled),
        doc: "serve the answers of queries reading only models with `cache(...)` from the response cache",
    },
    Setting {
        name: "persisted_queries.allow_list",
        env: "GRAPHQL_PERSISTED_QUERIES_ALLOW_LIST",
        toml: "persisted_queries.allow_list",
        field: |c| Field::Text(&mut c.persisted_queries_allow_list),
        doc: "a persisted query manifest (a JSON file): only its documents run; unset: any does, and clients may register persisted queries",
    },
    Setting {
        name: "cache.default_ttl",
        env: "GRAPHQL_CACHE_DEFAULT_TTL",
        toml: "cache.default_ttl",
        field: |c| Field::Number(&mut c.cache.default_ttl, Min::One),
        doc: "seconds a cached answer lives when its models' `cache` gives no ttl",
    },
    Setting {
        name: "cache.max_entries",
        env: "GRAPHQL_CACHE_MAX_ENTRIES",
        toml: "cache.max_entries",
        field: |c| Field::Number(&mut c.cache.max_entries, Min::One),
        doc: "most answers the in-memory response cache keeps",
    },
    Setting {
        name: "cache.max_bytes",
        env: "GRAPHQL_CACHE_MAX_BYTES",
        toml: "cache.max_bytes",
        field: |c| Field::Number(&mut c.cache.max_bytes, Min::One),
        doc: "most bytes of answers the in-memory response cache keeps",
    },
    Setting {
        name: "cache.namespace",
        env: "GRAPHQL_CACHE_NAMESPACE",
        toml: "cache.namespace",
        field: |c| Field::Text(&mut c.cache.namespace),
        doc: "the start of the response cache's Redis keys, for applications sharing one Redis (unset: gqlgen)",
    },
    Setting {
        name: "database.max_connections",
        env: "DB_MAX_CONNECTIONS",
        toml: "database.max_connections",
        field: |c| Field::Number(&mut c.database.max_connections, Min::One),
        doc: "most open connections of the pool",
    },
    Setting {
        name: "database.min_connections",
        env: "DB_MIN_CONNECTIONS",
        toml: "database.min_connections",
        field: |c| Field::Number(&mut c.database.min_connections, Min::Zero),
        doc: "connections kept open when idle",
    },
    Setting {
        name: "database.idle_timeout",
        env: "DB_IDLE_TIMEOUT",
        toml: "database.idle_timeout",
        field: |c| Field::Seconds(&mut c.database.idle_timeout, Min::One),
        doc: "seconds an idle pooled connection stays open (down to the minimum)",
    },
    Setting {
        name: "database.log_queries",
        env: "DB_LOG_QUERIES",
        toml: "database.log_queries",
        field: |c| Field::Flag(&mut c.database.log_queries),
        doc: "log each SQL statement with its duration (for development)",
    },
    Setting {
        name: "observe.metrics_token",
        env: "METRICS_TOKEN",
        toml: "observe.metrics_token",
        field: |c| Field::Secret(&mut c.observe.metrics_token),
        doc: "the bearer token GET /metrics asks for; unset: open in development, 404 in production",
    },
    Setting {
        name: "observe.max_operations",
        env: "GRAPHQL_METRICS_MAX_OPERATIONS",
        toml: "observe.max_operations",
        field: |c| Field::Number(&mut c.observe.max_operations, Min::One),
        doc: "operation names with a metric label of their own; the rest count as `other`",
    },
    Setting {
        name: "observe.slow_query_threshold",
        env: "SLOW_QUERY_THRESHOLD",
        toml: "observe.slow_query_threshold",
        field: |c| Field::FractionalSeconds(&mut c.observe.slow_query_threshold),
        doc: "seconds (decimals allowed) from which an operation is logged at WARN; 0 logs every one",
    },
    Setting {
        name: "observe.log_format",
        env: "LOG_FORMAT",
        toml: "observe.log_format",
        field: |c| Field::Choice(&mut c.observe.log_format, ["text", "json"]),
        doc: "`text` (colours only on a terminal) or `json` (one object per line)",
    },
    Setting {
        name: "observe.otlp_endpoint",
        env: "OTEL_EXPORTER_OTLP_ENDPOINT",
        toml: "observe.otlp_endpoint",
        field: |c| Field::HttpUrl(&mut c.observe.otlp_endpoint),
        doc: "the OpenTelemetry collector spans are exported to over OTLP/HTTP (`http://collector:4318`); needs the `otlp` cargo feature",
    },
    Setting {
        name: "observe.otlp_protocol",
        env: "OTEL_EXPORTER_OTLP_PROTOCOL",
        toml: "observe.otlp_protocol",
        field: |c| Field::Choice(&mut c.observe.otlp_protocol, ["http/protobuf", "http/json"]),
        doc: "`http/protobuf` (default) or `http/json`",
    },
    Setting {
        name: "observe.service_name",
        env: "OTEL_SERVICE_NAME",
        toml: "observe.service_name",
        field: |c| Field::Text(&mut c.observe.service_name),
        doc: "the `service.name` of exported spans; default `gqlgen`",
    },
    Setting {
        name: "database.acquire_timeout",
        env: "DB_ACQUIRE_TIMEOUT",
        toml: "database.acquire_timeout",
        field: |c| Field::Seconds(&mut c.database.acquire_timeout, Min::One),
        doc: "how long a request waits for a free connection before it fails",
    },
    Setting {
        name: "database.connect_timeout",
        env: "DB_CONNECT_TIMEOUT",
        toml: "database.connect_timeout",
        field: |c| Field::Seconds(&mut c.database.connect_timeout, Min::One),
        doc: "how long opening one connection may take",
    },
];

/// The row of the setting `name` (its path in [`Config`]). Panics on a name no row has: the
/// callers name settings in code, and their tests reach every call.
pub(crate) fn setting(name: &str) -> &'static Setting {
    SETTINGS
        .iter()
        .find(|setting| setting.name == name)
        .unwrap_or_else(|| panic!("no setting is named `{name}`"))
}

impl Config {
    /// One line for start-up logs: `name=value` for every setting. A secret shows as `set` or
    /// `unset`, never its value, and a Redis URL as its host, never its credentials.
    pub fn redacted_summary(&self) -> String {
        // The rows lend fields mutably (see `Setting::field`), so they read from a copy.
        let mut copy = self.clone();
        SETTINGS
            .iter()
            .map(|setting| format!("{}={}", setting.name, (setting.field)(&mut copy).show()))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    const DOCS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/security.md");
    const BEGIN: &str = "<!-- settings:begin -->\n";
    const END: &str = "<!-- settings:end -->";

    /// The settings as the Markdown table of docs/security.md.
    fn markdown_table() -> String {
        let mut table = String::from(
            "| Setting | Environment | TOML | Type | Default (production) | Development | Testing \
             | Meaning |\n|---|---|---|---|---|---|---|---|\n",
        );
        for setting in SETTINGS {
            let value = |mut config: Config| (setting.field)(&mut config).show();
            let cells = [
                format!("`{}`", setting.name),
                format!("`{}`", setting.env),
                format!("`{}`", setting.toml),
                (setting.field)(&mut Config::production()).type_name(),
                value(Config::production()),
                value(Config::development()),
                value(Config::testing()),
                setting.doc.to_owned(),
            ];
            // A `|` in a cell would end it early.
            let cells = cells.map(|cell| cell.replace('|', "\\|"));
            table.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
        table
    }

    /// The table between the markers in docs/security.md is `markdown_table()`, so the docs
    /// list every setting as loading reads it. After a change to the table, run
    /// `GQLGEN_BLESS=1 cargo test -p gqlgen-runtime --lib config` to rewrite the docs section.
    #[test]
    fn the_docs_list_every_setting() {
        let docs = std::fs::read_to_string(DOCS).expect("docs/security.md exists");
        let start = docs
            .find(BEGIN)
            .expect("docs/security.md has the begin marker")
            + BEGIN.len();
        let end = docs.find(END).expect("docs/security.md has the end marker");
        let rendered = markdown_table();
        if std::env::var("GQLGEN_BLESS").is_ok_and(|value| value == "1") {
            let blessed = format!("{}{rendered}{}", &docs[..start], &docs[end..]);
            std::fs::write(DOCS, blessed).expect("docs/security.md is writable");
            return;
        }
        assert_eq!(
            docs[start..end],
            rendered,
            "the settings table of docs/security.md is stale; rewrite it with \
             `GQLGEN_BLESS=1 cargo test -p gqlgen-runtime --lib config`"
        );
    }

    #[test]
    fn names_variables_and_keys_are_each_used_once() {
        for column in [
            |s: &Setting| s.name,
            |s: &Setting| s.env,
            |s: &Setting| s.toml,
        ] {
            let mut seen = HashSet::new();
            for setting in SETTINGS {
                assert!(seen.insert(column(setting)), "{} twice", column(setting));
            }
        }
    }

    #[test]
    fn the_summary_has_every_setting_on_one_line() {
        let summary = Config::testing().redacted_summary();
        assert!(!summary.contains('\n'), "{summary}");
        for setting in SETTINGS {
            assert!(summary.contains(&format!("{}=", setting.name)), "{summary}");
        }
        assert!(summary.contains("rate_limit.enabled=false"), "{summary}");
    }
}
