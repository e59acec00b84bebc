//! Loading [`Config`] from the process: the profile named by `GQLGEN_PROFILE` gives the defaults,
//! the TOML file named by `GQLGEN_CONFIG` overrides them, and environment variables override both.
//! Every value is checked on the way in and the merged result is checked as a whole (production
//! needs a JWT secret, RS256 needs both keys, `*` is no production origin...), so a bad setting
//! stops start-up with a [`ConfigError`] naming it: the variable's name (`RATE_LIMIT_RPM`) when the
//! environment gave it, the dotted TOML key (`rate_limit.requests_per_minute`) when the file did,
//! and `GQLGEN_CONFIG` when the file cannot be read or parsed.

use std::collections::HashMap;
use std::time::Duration;

use serde::Deserialize;
use url::Url;

use super::{Config, JwtAlgorithm, Profile};

/// A setting that is missing or malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{setting}: {message}")]
pub struct ConfigError {
    /// The environment variable, or the dotted TOML key, at fault.
    pub setting: String,
    /// What is wrong and what is expected. Never holds a secret's value.
    pub message: String,
}

impl ConfigError {
    pub fn new(setting: impl Into<String>, message: impl Into<String>) -> ConfigError {
        ConfigError {
            setting: setting.into(),
            message: message.into(),
        }
    }
}

/// The variable naming the TOML file.
const CONFIG_FILE_VARIABLE: &str = "GQLGEN_CONFIG";

/// Every variable [`Config::from_env`] reads.
const VARIABLES: &[&str] = &[
    CONFIG_FILE_VARIABLE,
    "GQLGEN_PROFILE",
    "JWT_SECRET_KEY",
    "JWT_PUBLIC_KEY",
    "JWT_ALGORITHM",
    "JWT_EXPIRATION",
    "JWT_REFRESH_EXPIRATION",
    "JWT_LEEWAY",
    "JWT_ISSUER",
    "JWT_AUDIENCE",
    "RATE_LIMITING_ENABLED",
    "RATE_LIMIT_RPM",
    "RATE_LIMIT_BURST",
    "GRAPHQL_CACHING_ENABLED",
    "REDIS_URL",
    "CORS_ALLOWED_ORIGINS",
    "GRAPHQL_MAX_DEPTH",
    "GRAPHQL_MAX_COMPLEXITY",
    "GRAPHQL_MAX_ALIASES",
    "GRAPHQL_MAX_PAGE_SIZE",
    "GRAPHQL_MAX_BODY_BYTES",
    "GRAPHQL_DEBUG",
    "GRAPHQL_INTROSPECTION",
    "GRAPHQL_MAX_INPUT_DEPTH",
    "GRAPHQL_MAX_FILTER_DEPTH",
    "GRAPHQL_MAX_FILTER_NODES",
    "GRAPHQL_MAX_FILTER_VALUES",
    "GRAPHQL_MAX_LIST_LENGTH",
    "GRAPHQL_MAX_PATTERN_LENGTH",
    "DB_MAX_CONNECTIONS",
    "DB_MIN_CONNECTIONS",
    "DB_ACQUIRE_TIMEOUT",
    "DB_CONNECT_TIMEOUT",
    "SHUTDOWN_TIMEOUT",
];

/// The TOML file. Every key is optional; a misspelled one is an error that names it.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct FileSettings {
    profile: Option<String>,
    debug: Option<bool>,
    introspection: Option<bool>,
    caching_enabled: Option<bool>,
    max_batch_size: Option<i64>,
    redis_url: Option<String>,
    pagination: PaginationSection,
    limits: LimitsSection,
    rate_limit: RateLimitSection,
    jwt: JwtSection,
    cors: CorsSection,
    http: HttpSection,
    database: DatabaseSection,
}

// Numbers are read as i64 so that a negative or zero value gets our message naming the key,
// rather than serde's "expected u32".
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct PaginationSection {
    default_page_size: Option<i64>,
    max_page_size: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct LimitsSection {
    max_depth: Option<i64>,
    max_complexity: Option<i64>,
    max_aliases: Option<i64>,
    max_tokens: Option<i64>,
    max_query_bytes: Option<i64>,
    max_batch_operations: Option<i64>,
    max_input_depth: Option<i64>,
    max_filter_depth: Option<i64>,
    max_filter_nodes: Option<i64>,
    max_filter_values: Option<i64>,
    max_list_length: Option<i64>,
    max_pattern_length: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RateLimitSection {
    enabled: Option<bool>,
    requests_per_minute: Option<i64>,
    burst_limit: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct JwtSection {
    algorithm: Option<String>,
    secret_key: Option<String>,
    public_key: Option<String>,
    expiration: Option<i64>,
    refresh_expiration: Option<i64>,
    leeway: Option<i64>,
    issuer: Option<String>,
    audience: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct CorsSection {
    allowed_origins: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct HttpSection {
    max_body_bytes: Option<i64>,
    shutdown_timeout: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct DatabaseSection {
    max_connections: Option<i64>,
    min_connections: Option<i64>,
    acquire_timeout: Option<i64>,
    connect_timeout: Option<i64>,
}

/// The environment as a map, where a blank variable counts as unset.
struct Environment<'a>(&'a HashMap<String, String>);

impl Environment<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|value| !value.trim().is_empty())
    }

    fn flag(&self, name: &str) -> Result<Option<bool>, ConfigError> {
        self.get(name)
            .map(|text| parse_flag(name, text))
            .transpose()
    }

    fn number<T: TryFrom<i64>>(&self, name: &str) -> Result<Option<T>, ConfigError> {
        self.get(name)
            .map(|text| parse_number(name, text, false))
            .transpose()
    }

    fn seconds(&self, name: &str, zero_allowed: bool) -> Result<Option<Duration>, ConfigError> {
        self.get(name)
            .map(|text| parse_number(name, text, zero_allowed).map(Duration::from_secs))
            .transpose()
    }
}

impl Config {
    /// The settings of this process: `GQLGEN_PROFILE`'s profile, then the TOML file named by
    /// `GQLGEN_CONFIG` (if set), then environment variables.
    pub fn from_env() -> Result<Config, ConfigError> {
        let mut vars = HashMap::new();
        for &name in VARIABLES {
            match std::env::var(name) {
                Ok(value) => {
                    vars.insert(name.to_owned(), value);
                }
                Err(std::env::VarError::NotPresent) => {}
                Err(std::env::VarError::NotUnicode(_)) => {
                    return Err(ConfigError::new(name, "is not valid UTF-8"));
                }
            }
        }
        let path = Environment(&vars)
            .get(CONFIG_FILE_VARIABLE)
            .map(str::to_owned);
        let file_text = match &path {
            None => None,
            Some(path) => Some(std::fs::read_to_string(path).map_err(|err| {
                ConfigError::new(CONFIG_FILE_VARIABLE, format!("cannot read `{path}`: {err}"))
            })?),
        };
        Config::from_sources(&vars, file_text.as_deref()).map_err(|mut err| {
            if let (Some(path), true) = (&path, err.setting == CONFIG_FILE_VARIABLE) {
                err.message = format!("`{path}` {}", err.message);
            }
            err
        })
    }

    /// The same from explicit sources, for tests: `vars` plays the environment, `toml` the
    /// file's text.
    pub fn from_sources(
        vars: &HashMap<String, String>,
        toml: Option<&str>,
    ) -> Result<Config, ConfigError> {
        let env = Environment(vars);
        let file = match toml {
            Some(text) => parse_file(text)?,
            None => FileSettings::default(),
        };
        let profile = match (env.get("GQLGEN_PROFILE"), &file.profile) {
            (Some(name), _) => parse_profile("GQLGEN_PROFILE", name)?,
            (None, Some(name)) => parse_profile("profile", name)?,
            (None, None) => Profile::Development,
        };
        let mut config = match profile {
            Profile::Development => Config::development(),
            Profile::Production => Config::production(),
            Profile::Testing => Config::testing(),
        };
        apply_file(&mut config, &file)?;
        apply_env(&mut config, &env)?;
        check_merged(&config, &env, &file)?;
        Ok(config)
    }

    /// One line for start-up logs. Says whether a JWT key is set, never the key, and names the
    /// Redis host, never its credentials.
    pub fn redacted_summary(&self) -> String {
        let limits = &self.limits;
        let rate_limit = if self.rate_limit.enabled {
            format!(
                "{}/min burst {}",
                self.rate_limit.requests_per_minute, self.rate_limit.burst_limit
            )
        } else {
            "off".to_owned()
        };
        let jwt_key = if self.jwt.secret_key.is_some() {
            "key set"
        } else {
            "no key"
        };
        let redis = match &self.redis_url {
            None => "none".to_owned(),
            Some(url) => redis_host(url),
        };
        format!(
            "profile={} debug={} introspection={} page_size={}/{} max_batch_size={} \
             limits(depth={} complexity={} aliases={} tokens={} query_bytes={} operations={} \
             input_depth={} filter_depth={} filter_nodes={} filter_values={} list_length={} \
             pattern_length={}) rate_limit={} cors=[{}] jwt={} {} body_limit={} caching={} \
             redis={} db(max={} min={} acquire={}s connect={}s) shutdown={}s",
            self.profile.as_str(),
            self.debug,
            self.introspection,
            self.default_page_size,
            self.max_page_size,
            self.max_batch_size,
            limits.max_depth,
            limits.max_complexity,
            limits.max_aliases,
            limits.max_tokens,
            limits.max_query_bytes,
            limits.max_batch_operations,
            limits.max_input_depth,
            limits.max_filter_depth,
            limits.max_filter_nodes,
            limits.max_filter_values,
            limits.max_list_length,
            limits.max_pattern_length,
            rate_limit,
            self.cors_allowed_origins.join(","),
            algorithm_name(self.jwt.algorithm),
            jwt_key,
            self.max_body_bytes,
            self.caching_enabled,
            redis,
            self.database.max_connections,
            self.database.min_connections,
            self.database.acquire_timeout.as_secs(),
            self.database.connect_timeout.as_secs(),
            self.shutdown_timeout.as_secs(),
        )
    }
}

fn parse_file(text: &str) -> Result<FileSettings, ConfigError> {
    toml::from_str(text).map_err(|err| {
        // Only the message and a line number: toml's own rendering quotes the source line,
        // which may hold a secret.
        let line = err
            .span()
            .map(|span| text[..span.start].matches('\n').count() + 1);
        let message = match line {
            Some(line) => format!("line {line}: {}", err.message()),
            None => err.message().to_owned(),
        };
        ConfigError::new(CONFIG_FILE_VARIABLE, message)
    })
}

fn apply_file(config: &mut Config, file: &FileSettings) -> Result<(), ConfigError> {
    let set = |target: &mut u32, key: &str, value: Option<i64>| -> Result<(), ConfigError> {
        if let Some(value) = value {
            *target = whole_number(key, value, false)?;
        }
        Ok(())
    };
    config.debug = file.debug.unwrap_or(config.debug);
    config.introspection = file.introspection.unwrap_or(config.introspection);
    config.caching_enabled = file.caching_enabled.unwrap_or(config.caching_enabled);
    set(
        &mut config.max_batch_size,
        "max_batch_size",
        file.max_batch_size,
    )?;
    if let Some(url) = &file.redis_url {
        config.redis_url = Some(parse_redis_url("redis_url", url)?);
    }
    let pages = &file.pagination;
    set(
        &mut config.default_page_size,
        "pagination.default_page_size",
        pages.default_page_size,
    )?;
    set(
        &mut config.max_page_size,
        "pagination.max_page_size",
        pages.max_page_size,
    )?;

    let limits = &file.limits;
    set(
        &mut config.limits.max_depth,
        "limits.max_depth",
        limits.max_depth,
    )?;
    set(
        &mut config.limits.max_aliases,
        "limits.max_aliases",
        limits.max_aliases,
    )?;
    set(
        &mut config.limits.max_tokens,
        "limits.max_tokens",
        limits.max_tokens,
    )?;
    let operations = limits.max_batch_operations;
    set(
        &mut config.limits.max_batch_operations,
        "limits.max_batch_operations",
        operations,
    )?;
    if let Some(value) = limits.max_complexity {
        config.limits.max_complexity = whole_number("limits.max_complexity", value, false)?;
    }
    if let Some(value) = limits.max_query_bytes {
        config.limits.max_query_bytes = whole_number("limits.max_query_bytes", value, false)?;
    }
    let input_limits = [
        (
            &mut config.limits.max_input_depth,
            "limits.max_input_depth",
            limits.max_input_depth,
        ),
        (
            &mut config.limits.max_filter_depth,
            "limits.max_filter_depth",
            limits.max_filter_depth,
        ),
        (
            &mut config.limits.max_filter_nodes,
            "limits.max_filter_nodes",
            limits.max_filter_nodes,
        ),
        (
            &mut config.limits.max_filter_values,
            "limits.max_filter_values",
            limits.max_filter_values,
        ),
        (
            &mut config.limits.max_list_length,
            "limits.max_list_length",
            limits.max_list_length,
        ),
        (
            &mut config.limits.max_pattern_length,
            "limits.max_pattern_length",
            limits.max_pattern_length,
        ),
    ];
    for (target, key, value) in input_limits {
        set(target, key, value)?;
    }

    let rate = &file.rate_limit;
    config.rate_limit.enabled = rate.enabled.unwrap_or(config.rate_limit.enabled);
    let rpm = rate.requests_per_minute;
    set(
        &mut config.rate_limit.requests_per_minute,
        "rate_limit.requests_per_minute",
        rpm,
    )?;
    set(
        &mut config.rate_limit.burst_limit,
        "rate_limit.burst_limit",
        rate.burst_limit,
    )?;

    let jwt = &file.jwt;
    if let Some(name) = &jwt.algorithm {
        config.jwt.algorithm = parse_algorithm("jwt.algorithm", name)?;
    }
    let non_blank = |text: &Option<String>| text.clone().filter(|text| !text.trim().is_empty());
    if let Some(key) = non_blank(&jwt.secret_key) {
        config.jwt.secret_key = Some(key);
    }
    if let Some(key) = non_blank(&jwt.public_key) {
        config.jwt.public_key = Some(key);
    }
    let seconds = |key: &str, value: i64, zero_allowed| {
        whole_number(key, value, zero_allowed).map(Duration::from_secs)
    };
    if let Some(value) = jwt.expiration {
        config.jwt.access_lifetime = seconds("jwt.expiration", value, false)?;
    }
    if let Some(value) = jwt.refresh_expiration {
        config.jwt.refresh_lifetime = seconds("jwt.refresh_expiration", value, false)?;
    }
    if let Some(value) = jwt.leeway {
        config.jwt.leeway = seconds("jwt.leeway", value, true)?;
    }
    config.jwt.issuer = non_blank(&jwt.issuer).or(config.jwt.issuer.take());
    config.jwt.audience = non_blank(&jwt.audience).or(config.jwt.audience.take());

    if let Some(origins) = &file.cors.allowed_origins {
        config.cors_allowed_origins = origins
            .iter()
            .map(|origin| parse_origin("cors.allowed_origins", origin))
            .collect::<Result<_, _>>()?;
    }
    if let Some(value) = file.http.max_body_bytes {
        config.max_body_bytes = whole_number("http.max_body_bytes", value, false)?;
    }
    if let Some(value) = file.http.shutdown_timeout {
        config.shutdown_timeout = seconds("http.shutdown_timeout", value, true)?;
    }
    let database = &file.database;
    set(
        &mut config.database.max_connections,
        "database.max_connections",
        database.max_connections,
    )?;
    if let Some(value) = database.min_connections {
        config.database.min_connections = whole_number("database.min_connections", value, true)?;
    }
    if let Some(value) = database.acquire_timeout {
        config.database.acquire_timeout = seconds("database.acquire_timeout", value, false)?;
    }
    if let Some(value) = database.connect_timeout {
        config.database.connect_timeout = seconds("database.connect_timeout", value, false)?;
    }
    Ok(())
}

fn apply_env(config: &mut Config, env: &Environment<'_>) -> Result<(), ConfigError> {
    if let Some(name) = env.get("JWT_ALGORITHM") {
        config.jwt.algorithm = parse_algorithm("JWT_ALGORITHM", name)?;
    }
    if let Some(key) = env.get("JWT_SECRET_KEY") {
        config.jwt.secret_key = Some(unescape_pem(key));
    }
    if let Some(key) = env.get("JWT_PUBLIC_KEY") {
        config.jwt.public_key = Some(unescape_pem(key));
    }
    let jwt = &mut config.jwt;
    jwt.access_lifetime = env
        .seconds("JWT_EXPIRATION", false)?
        .unwrap_or(jwt.access_lifetime);
    let refresh = env.seconds("JWT_REFRESH_EXPIRATION", false)?;
    jwt.refresh_lifetime = refresh.unwrap_or(jwt.refresh_lifetime);
    // A leeway of zero is a legitimate choice (clocks in sync); a lifetime of zero is not.
    jwt.leeway = env.seconds("JWT_LEEWAY", true)?.unwrap_or(jwt.leeway);
    if let Some(issuer) = env.get("JWT_ISSUER") {
        jwt.issuer = Some(issuer.trim().to_owned());
    }
    if let Some(audience) = env.get("JWT_AUDIENCE") {
        jwt.audience = Some(audience.trim().to_owned());
    }

    let rate = &mut config.rate_limit;
    rate.enabled = env.flag("RATE_LIMITING_ENABLED")?.unwrap_or(rate.enabled);
    let rpm = env.number("RATE_LIMIT_RPM")?;
    rate.requests_per_minute = rpm.unwrap_or(rate.requests_per_minute);
    rate.burst_limit = env.number("RATE_LIMIT_BURST")?.unwrap_or(rate.burst_limit);

    let caching = env.flag("GRAPHQL_CACHING_ENABLED")?;
    config.caching_enabled = caching.unwrap_or(config.caching_enabled);
    if let Some(url) = env.get("REDIS_URL") {
        config.redis_url = Some(parse_redis_url("REDIS_URL", url)?);
    }
    if let Some(list) = env.get("CORS_ALLOWED_ORIGINS") {
        config.cors_allowed_origins = list
            .split(',')
            // A trailing comma is harmless; an empty entry is not an origin to allow.
            .filter(|origin| !origin.trim().is_empty())
            .map(|origin| parse_origin("CORS_ALLOWED_ORIGINS", origin))
            .collect::<Result<_, _>>()?;
    }

    let limits = &mut config.limits;
    limits.max_depth = env.number("GRAPHQL_MAX_DEPTH")?.unwrap_or(limits.max_depth);
    let complexity = env.number("GRAPHQL_MAX_COMPLEXITY")?;
    limits.max_complexity = complexity.unwrap_or(limits.max_complexity);
    limits.max_aliases = env
        .number("GRAPHQL_MAX_ALIASES")?
        .unwrap_or(limits.max_aliases);
    let max_page_size = env.number("GRAPHQL_MAX_PAGE_SIZE")?;
    config.max_page_size = max_page_size.unwrap_or(config.max_page_size);
    let body = env.number("GRAPHQL_MAX_BODY_BYTES")?;
    config.max_body_bytes = body.unwrap_or(config.max_body_bytes);
    config.debug = env.flag("GRAPHQL_DEBUG")?.unwrap_or(config.debug);
    let introspection = env.flag("GRAPHQL_INTROSPECTION")?;
    config.introspection = introspection.unwrap_or(config.introspection);

    let limits = &mut config.limits;
    for (target, name) in [
        (&mut limits.max_input_depth, "GRAPHQL_MAX_INPUT_DEPTH"),
        (&mut limits.max_filter_depth, "GRAPHQL_MAX_FILTER_DEPTH"),
        (&mut limits.max_filter_nodes, "GRAPHQL_MAX_FILTER_NODES"),
        (&mut limits.max_filter_values, "GRAPHQL_MAX_FILTER_VALUES"),
        (&mut limits.max_list_length, "GRAPHQL_MAX_LIST_LENGTH"),
        (&mut limits.max_pattern_length, "GRAPHQL_MAX_PATTERN_LENGTH"),
    ] {
        *target = env.number(name)?.unwrap_or(*target);
    }

    let database = &mut config.database;
    let max_connections = env.number("DB_MAX_CONNECTIONS")?;
    database.max_connections = max_connections.unwrap_or(database.max_connections);
    if let Some(text) = env.get("DB_MIN_CONNECTIONS") {
        database.min_connections = parse_number("DB_MIN_CONNECTIONS", text, true)?;
    }
    let acquire = env.seconds("DB_ACQUIRE_TIMEOUT", false)?;
    database.acquire_timeout = acquire.unwrap_or(database.acquire_timeout);
    let connect = env.seconds("DB_CONNECT_TIMEOUT", false)?;
    database.connect_timeout = connect.unwrap_or(database.connect_timeout);
    let shutdown = env.seconds("SHUTDOWN_TIMEOUT", true)?;
    config.shutdown_timeout = shutdown.unwrap_or(config.shutdown_timeout);
    Ok(())
}

/// The checks that need the merged settings. Each names where the offending value came from.
fn check_merged(
    config: &Config,
    env: &Environment<'_>,
    file: &FileSettings,
) -> Result<(), ConfigError> {
    let source = |variable: &'static str, key: &'static str, in_file: bool| {
        if env.get(variable).is_none() && in_file {
            key
        } else {
            variable
        }
    };

    if config.database.min_connections > config.database.max_connections {
        let setting = if env.get("DB_MIN_CONNECTIONS").is_some() {
            "DB_MIN_CONNECTIONS"
        } else if file.database.min_connections.is_some() {
            "database.min_connections"
        } else if env.get("DB_MAX_CONNECTIONS").is_some() {
            "DB_MAX_CONNECTIONS"
        } else {
            "database.max_connections"
        };
        let message = format!(
            "the pool keeps {} connections open but may open only {}",
            config.database.min_connections, config.database.max_connections
        );
        return Err(ConfigError::new(setting, message));
    }

    if config.default_page_size > config.max_page_size {
        let setting = if env.get("GRAPHQL_MAX_PAGE_SIZE").is_some() {
            "GRAPHQL_MAX_PAGE_SIZE"
        } else if file.pagination.default_page_size.is_some() {
            "pagination.default_page_size"
        } else {
            "pagination.max_page_size"
        };
        let message = format!(
            "the default page size {} is above the largest page size {}",
            config.default_page_size, config.max_page_size
        );
        return Err(ConfigError::new(setting, message));
    }

    let in_file = file.cors.allowed_origins.is_some();
    let origins = source("CORS_ALLOWED_ORIGINS", "cors.allowed_origins", in_file);
    if config.profile == Profile::Production && config.cors_allowed_origins.iter().any(|o| o == "*")
    {
        let message = "`*` lets every web site call the API; production needs the origins \
                       listed, such as https://shop.example.com";
        return Err(ConfigError::new(origins, message));
    }

    let jwt = &config.jwt;
    let in_file = file
        .jwt
        .secret_key
        .as_deref()
        .is_some_and(|key| !key.trim().is_empty());
    let secret_setting = source("JWT_SECRET_KEY", "jwt.secret_key", in_file);
    let in_file = file
        .jwt
        .public_key
        .as_deref()
        .is_some_and(|key| !key.trim().is_empty());
    let public_setting = source("JWT_PUBLIC_KEY", "jwt.public_key", in_file);
    let algorithm_setting = source(
        "JWT_ALGORITHM",
        "jwt.algorithm",
        file.jwt.algorithm.is_some(),
    );
    if config.profile == Profile::Production && jwt.secret_key.is_none() {
        let message = "production needs JWT_SECRET_KEY: a random secret of at least 32 bytes \
                       for HS256, or the private key PEM for RS256";
        return Err(ConfigError::new("JWT_SECRET_KEY", message));
    }
    match jwt.algorithm {
        JwtAlgorithm::Hs256 => {
            // Shorter than the HMAC-SHA256 output, a secret is within reach of brute force.
            if let Some(secret) = jwt.secret_key.as_deref().filter(|secret| secret.len() < 32) {
                let message = format!(
                    "is {} bytes; HS256 needs a random secret of at least 32 bytes \
                     (such as the output of `openssl rand -base64 48`)",
                    secret.len()
                );
                return Err(ConfigError::new(secret_setting, message));
            }
        }
        JwtAlgorithm::Rs256 => {
            if let Some(secret) = &jwt.secret_key
                && !looks_like_pem(secret, "PRIVATE KEY")
            {
                let message = "is not a PEM private key; RS256 needs `-----BEGIN PRIVATE KEY-----` \
                               ... `-----END PRIVATE KEY-----` (or the RSA form)";
                return Err(ConfigError::new(secret_setting, message));
            }
            match &jwt.public_key {
                None => {
                    let message = format!(
                        "{algorithm_setting} is RS256, which needs the public key PEM here to \
                         check signatures"
                    );
                    return Err(ConfigError::new(public_setting, message));
                }
                Some(key) if !looks_like_pem(key, "PUBLIC KEY") => {
                    let message = "is not a PEM public key; expected `-----BEGIN PUBLIC KEY-----` \
                                   ... `-----END PUBLIC KEY-----`";
                    return Err(ConfigError::new(public_setting, message));
                }
                Some(_) => {}
            }
        }
    }
    Ok(())
}

fn parse_profile(setting: &str, name: &str) -> Result<Profile, ConfigError> {
    match name.trim().to_ascii_lowercase().as_str() {
        "development" => Ok(Profile::Development),
        "production" => Ok(Profile::Production),
        "testing" => Ok(Profile::Testing),
        _ => Err(ConfigError::new(
            setting,
            format!(
                "is `{}`; expected development, production or testing",
                name.trim()
            ),
        )),
    }
}

fn parse_algorithm(setting: &str, name: &str) -> Result<JwtAlgorithm, ConfigError> {
    match name.trim().to_ascii_uppercase().as_str() {
        "HS256" => Ok(JwtAlgorithm::Hs256),
        "RS256" => Ok(JwtAlgorithm::Rs256),
        _ => Err(ConfigError::new(
            setting,
            format!("is `{}`; expected HS256 or RS256", name.trim()),
        )),
    }
}

fn algorithm_name(algorithm: JwtAlgorithm) -> &'static str {
    match algorithm {
        JwtAlgorithm::Hs256 => "HS256",
        JwtAlgorithm::Rs256 => "RS256",
    }
}

fn parse_flag(setting: &str, text: &str) -> Result<bool, ConfigError> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err(ConfigError::new(
            setting,
            format!(
                "is `{}`; expected true or false (or 1/0, yes/no)",
                text.trim()
            ),
        )),
    }
}

fn parse_number<T: TryFrom<i64>>(
    setting: &str,
    text: &str,
    zero_allowed: bool,
) -> Result<T, ConfigError> {
    let value = text.trim().parse::<i64>().map_err(|_| {
        let expected = expected_number(zero_allowed);
        ConfigError::new(
            setting,
            format!("is `{}`; expected {expected}", text.trim()),
        )
    })?;
    whole_number(setting, value, zero_allowed)
}

fn whole_number<T: TryFrom<i64>>(
    setting: &str,
    value: i64,
    zero_allowed: bool,
) -> Result<T, ConfigError> {
    if value < 0 || (value == 0 && !zero_allowed) {
        let expected = expected_number(zero_allowed);
        return Err(ConfigError::new(
            setting,
            format!("is {value}; expected {expected}"),
        ));
    }
    T::try_from(value).map_err(|_| ConfigError::new(setting, format!("is {value}, too large")))
}

fn expected_number(zero_allowed: bool) -> &'static str {
    if zero_allowed {
        "a whole number, 0 or more"
    } else {
        "a positive whole number"
    }
}

/// A Redis URL, checked; error messages never repeat it, since it may hold a password.
fn parse_redis_url(setting: &str, text: &str) -> Result<String, ConfigError> {
    let expected = "expected redis://[user:password@]host[:port][/db] or rediss://...";
    let url = Url::parse(text.trim())
        .map_err(|err| ConfigError::new(setting, format!("is not a URL ({err}); {expected}")))?;
    if !matches!(url.scheme(), "redis" | "rediss") {
        let message = format!("has the scheme `{}`; {expected}", url.scheme());
        return Err(ConfigError::new(setting, message));
    }
    if !url.has_host() {
        return Err(ConfigError::new(
            setting,
            format!("has no host; {expected}"),
        ));
    }
    Ok(text.trim().to_owned())
}

/// `scheme://host:port` of a Redis URL, for logs: without user, password or database.
fn redis_host(url: &str) -> String {
    match Url::parse(url) {
        Ok(url) if url.has_host() => {
            let host = url.host_str().unwrap_or_default();
            match url.port() {
                Some(port) => format!("{}://{host}:{port}", url.scheme()),
                None => format!("{}://{host}", url.scheme()),
            }
        }
        _ => "set".to_owned(),
    }
}

/// An origin as browsers send it in `Origin`: scheme, host and a port that is not the default.
fn parse_origin(setting: &str, text: &str) -> Result<String, ConfigError> {
    let text = text.trim();
    if text == "*" {
        return Ok("*".to_owned());
    }
    let expected = "expected an origin: http(s), host and port if not the default, no path, \
                    such as https://shop.example.com";
    let url = Url::parse(text).map_err(|err| {
        ConfigError::new(
            setting,
            format!("`{text}` is not an origin ({err}); {expected}"),
        )
    })?;
    let is_web_host = matches!(url.scheme(), "http" | "https") && url.has_host();
    let has_more = url.path() != "/"
        || url.query().is_some()
        || url.fragment().is_some()
        || !url.username().is_empty()
        || url.password().is_some();
    if !is_web_host || has_more {
        return Err(ConfigError::new(
            setting,
            format!("`{text}` is not an origin; {expected}"),
        ));
    }
    // The serialization browsers use (lower-case host, no default port, no trailing slash), so
    // that comparing with the request's `Origin` header is a plain string comparison.
    Ok(url.origin().ascii_serialization())
}

fn looks_like_pem(text: &str, label_ending: &str) -> bool {
    let text = text.trim();
    text.starts_with("-----BEGIN") && text.contains(&format!("{label_ending}-----"))
}

/// A PEM given on one line with `\n` escapes, as env files and container settings force, made
/// multi-line again; other values are kept as they are.
fn unescape_pem(value: &str) -> String {
    if value.trim_start().starts_with("-----BEGIN") && !value.contains('\n') {
        value.replace("\\n", "\n")
    } else {
        value.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "test-secret-0123456789-abcdefghijklmnop";
    const PRIVATE_PEM: &str = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";
    const PUBLIC_PEM: &str = "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n";

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect()
    }

    fn load(pairs: &[(&str, &str)], toml: Option<&str>) -> Result<Config, ConfigError> {
        Config::from_sources(&vars(pairs), toml)
    }

    fn error(pairs: &[(&str, &str)], toml: Option<&str>) -> ConfigError {
        load(pairs, toml).expect_err("the settings should be refused")
    }

    #[test]
    fn nothing_set_is_the_development_profile() {
        assert_eq!(load(&[], None).unwrap(), Config::development());
        assert_eq!(
            load(&[("GQLGEN_PROFILE", "")], None).unwrap(),
            Config::development()
        );
        let testing = load(&[("GQLGEN_PROFILE", "testing")], None).unwrap();
        assert_eq!(testing, Config::testing());
        let err = error(&[("GQLGEN_PROFILE", "prod")], None);
        assert_eq!(err.setting, "GQLGEN_PROFILE");
        assert!(
            err.to_string().starts_with("GQLGEN_PROFILE: is `prod`"),
            "{err}"
        );
    }

    #[test]
    fn every_variable_is_read() {
        let config = load(
            &[
                ("GQLGEN_PROFILE", "production"),
                ("JWT_SECRET_KEY", SECRET),
                ("JWT_ALGORITHM", "hs256"),
                ("JWT_EXPIRATION", "600"),
                ("JWT_REFRESH_EXPIRATION", "86400"),
                ("JWT_LEEWAY", "0"),
                ("JWT_ISSUER", "shop"),
                ("JWT_AUDIENCE", "shop-api"),
                ("RATE_LIMITING_ENABLED", "No"),
                ("RATE_LIMIT_RPM", "250"),
                ("RATE_LIMIT_BURST", "40"),
                ("GRAPHQL_CACHING_ENABLED", "YES"),
                ("REDIS_URL", "redis://cache:6379/0"),
                (
                    "CORS_ALLOWED_ORIGINS",
                    "https://Shop.example.com/, http://localhost:3000,",
                ),
                ("GRAPHQL_MAX_DEPTH", "7"),
                ("GRAPHQL_MAX_COMPLEXITY", "5000"),
                ("GRAPHQL_MAX_ALIASES", "12"),
                ("GRAPHQL_MAX_PAGE_SIZE", "50"),
                ("GRAPHQL_MAX_BODY_BYTES", "2048"),
                ("GRAPHQL_DEBUG", "1"),
                ("GRAPHQL_INTROSPECTION", "true"),
            ],
            None,
        )
        .unwrap();
        assert_eq!(config.profile, Profile::Production);
        assert_eq!(config.jwt.secret_key.as_deref(), Some(SECRET));
        assert_eq!(config.jwt.algorithm, JwtAlgorithm::Hs256);
        assert_eq!(config.jwt.access_lifetime, Duration::from_secs(600));
        assert_eq!(config.jwt.refresh_lifetime, Duration::from_secs(86400));
        assert_eq!(config.jwt.leeway, Duration::ZERO);
        assert_eq!(config.jwt.issuer.as_deref(), Some("shop"));
        assert_eq!(config.jwt.audience.as_deref(), Some("shop-api"));
        assert!(!config.rate_limit.enabled);
        assert_eq!(config.rate_limit.requests_per_minute, 250);
        assert_eq!(config.rate_limit.burst_limit, 40);
        assert!(config.caching_enabled);
        assert_eq!(config.redis_url.as_deref(), Some("redis://cache:6379/0"));
        let origins = ["https://shop.example.com", "http://localhost:3000"];
        assert_eq!(config.cors_allowed_origins, origins);
        assert_eq!(config.limits.max_depth, 7);
        assert_eq!(config.limits.max_complexity, 5000);
        assert_eq!(config.limits.max_aliases, 12);
        assert_eq!(config.max_page_size, 50);
        assert_eq!(config.max_body_bytes, 2048);
        assert!(config.debug && config.introspection);
    }

    #[test]
    fn input_limits_pool_and_shutdown_are_read_from_either_source() {
        let config = load(
            &[
                ("GRAPHQL_MAX_INPUT_DEPTH", "20"),
                ("GRAPHQL_MAX_FILTER_DEPTH", "4"),
                ("GRAPHQL_MAX_FILTER_NODES", "50"),
                ("GRAPHQL_MAX_FILTER_VALUES", "500"),
                ("GRAPHQL_MAX_LIST_LENGTH", "30"),
                ("GRAPHQL_MAX_PATTERN_LENGTH", "64"),
                ("DB_MAX_CONNECTIONS", "32"),
                ("DB_MIN_CONNECTIONS", "0"),
                ("DB_ACQUIRE_TIMEOUT", "3"),
                ("DB_CONNECT_TIMEOUT", "1"),
                ("SHUTDOWN_TIMEOUT", "0"),
            ],
            None,
        )
        .unwrap();
        let limits = &config.limits;
        assert_eq!(
            (
                limits.max_input_depth,
                limits.max_filter_depth,
                limits.max_filter_nodes
            ),
            (20, 4, 50)
        );
        assert_eq!(
            (
                limits.max_filter_values,
                limits.max_list_length,
                limits.max_pattern_length
            ),
            (500, 30, 64)
        );
        let db = &config.database;
        assert_eq!((db.max_connections, db.min_connections), (32, 0));
        assert_eq!(db.acquire_timeout, Duration::from_secs(3));
        assert_eq!(db.connect_timeout, Duration::from_secs(1));
        assert_eq!(config.shutdown_timeout, Duration::ZERO);

        let toml = "[limits]\nmax_filter_nodes = 7\nmax_pattern_length = 9\n\
                    [database]\nmax_connections = 3\nmin_connections = 1\nacquire_timeout = 2\n\
                    [http]\nshutdown_timeout = 5\n";
        let config = load(&[], Some(toml)).unwrap();
        assert_eq!(config.limits.max_filter_nodes, 7);
        assert_eq!(config.limits.max_pattern_length, 9);
        assert_eq!(config.database.max_connections, 3);
        assert_eq!(config.database.acquire_timeout, Duration::from_secs(2));
        assert_eq!(config.shutdown_timeout, Duration::from_secs(5));

        let err = error(&[("GRAPHQL_MAX_FILTER_NODES", "0")], None);
        assert_eq!(err.setting, "GRAPHQL_MAX_FILTER_NODES");
        let err = error(
            &[("DB_MIN_CONNECTIONS", "20"), ("DB_MAX_CONNECTIONS", "5")],
            None,
        );
        assert_eq!(err.setting, "DB_MIN_CONNECTIONS");
        let err = error(&[], Some("[database]\nacquire_timeout = 0\n"));
        assert_eq!(err.setting, "database.acquire_timeout");
    }

    #[test]
    fn every_toml_key_is_read() {
        let toml = r#"
            profile = "production"
            debug = true
            introspection = true
            caching_enabled = true
            max_batch_size = 25
            redis_url = "rediss://:pw@cache:6380"
            [pagination]
            default_page_size = 10
            max_page_size = 40
            [limits]
            max_depth = 5
            max_complexity = 300
            max_aliases = 3
            max_tokens = 400
            max_query_bytes = 5000
            max_batch_operations = 2
            [rate_limit]
            enabled = false
            requests_per_minute = 60
            burst_limit = 6
            [jwt]
            algorithm = "HS256"
            secret_key = "test-secret-0123456789-abcdefghijklmnop"
            expiration = 120
            refresh_expiration = 240
            leeway = 5
            issuer = "me"
            audience = "you"
            [cors]
            allowed_origins = ["https://a.example.com:8443"]
            [http]
            max_body_bytes = 4096
        "#;
        let config = load(&[], Some(toml)).unwrap();
        assert_eq!(config.profile, Profile::Production);
        assert!(config.debug && config.introspection && config.caching_enabled);
        assert_eq!(config.max_batch_size, 25);
        assert_eq!(config.redis_url.as_deref(), Some("rediss://:pw@cache:6380"));
        assert_eq!((config.default_page_size, config.max_page_size), (10, 40));
        let limits = &config.limits;
        assert_eq!(
            (limits.max_depth, limits.max_complexity, limits.max_aliases),
            (5, 300, 3)
        );
        assert_eq!((limits.max_tokens, limits.max_query_bytes), (400, 5000));
        assert_eq!(limits.max_batch_operations, 2);
        assert!(!config.rate_limit.enabled);
        assert_eq!(config.rate_limit.requests_per_minute, 60);
        assert_eq!(config.rate_limit.burst_limit, 6);
        assert_eq!(config.jwt.secret_key.as_deref(), Some(SECRET));
        assert_eq!(config.jwt.access_lifetime, Duration::from_secs(120));
        assert_eq!(config.jwt.refresh_lifetime, Duration::from_secs(240));
        assert_eq!(config.jwt.leeway, Duration::from_secs(5));
        assert_eq!(config.jwt.issuer.as_deref(), Some("me"));
        assert_eq!(config.jwt.audience.as_deref(), Some("you"));
        assert_eq!(config.cors_allowed_origins, ["https://a.example.com:8443"]);
        assert_eq!(config.max_body_bytes, 4096);
    }

    #[test]
    fn the_environment_wins_over_the_file_which_wins_over_the_profile() {
        let toml =
            "profile = \"testing\"\n[rate_limit]\nrequests_per_minute = 60\nburst_limit = 6\n";
        let config = load(&[("RATE_LIMIT_RPM", "500")], Some(toml)).unwrap();
        assert_eq!(config.profile, Profile::Testing);
        assert_eq!(
            config.rate_limit.requests_per_minute, 500,
            "environment over file"
        );
        assert_eq!(config.rate_limit.burst_limit, 6, "file over profile");
        assert_eq!(
            config.limits,
            Config::testing().limits,
            "profile where neither says"
        );
        assert!(!config.rate_limit.enabled, "the testing profile's default");

        let config = load(&[("GQLGEN_PROFILE", "development")], Some(toml)).unwrap();
        assert_eq!(
            config.profile,
            Profile::Development,
            "GQLGEN_PROFILE over the file"
        );
    }

    #[test]
    fn a_misspelled_toml_key_is_named() {
        let err = error(&[], Some("[limits]\nmax_depth = 5\nmax_dept = 3\n"));
        assert_eq!(err.setting, "GQLGEN_CONFIG");
        assert!(
            err.message.contains("max_dept") && err.message.contains("line 3"),
            "{err}"
        );
        let err = error(&[], Some("[limts]\nmax_depth = 5\n"));
        assert!(err.message.contains("limts"), "{err}");
        let err = error(&[], Some("debug = \"yes\"\n"));
        assert_eq!(err.setting, "GQLGEN_CONFIG");
        let err = error(&[], Some("[rate_limit]\nrequests_per_minute = 0\n"));
        assert_eq!(err.setting, "rate_limit.requests_per_minute");
    }

    #[test]
    fn production_without_a_secret_names_jwt_secret_key() {
        let err = error(&[("GQLGEN_PROFILE", "production")], None);
        assert_eq!(err.setting, "JWT_SECRET_KEY");
        assert!(
            err.message.starts_with("production needs JWT_SECRET_KEY: "),
            "{err}"
        );
        // Elsewhere the secret stays unset and nothing is generated.
        for profile in ["development", "testing"] {
            let config = load(&[("GQLGEN_PROFILE", profile)], None).unwrap();
            assert_eq!(config.jwt.secret_key, None);
        }
    }

    #[test]
    fn a_short_secret_is_refused_in_every_profile_without_showing_it() {
        for profile in ["development", "production"] {
            let err = error(
                &[("GQLGEN_PROFILE", profile), ("JWT_SECRET_KEY", "short-pw")],
                None,
            );
            assert_eq!(err.setting, "JWT_SECRET_KEY");
            assert!(err.message.contains("32 bytes"), "{err}");
            assert!(!err.to_string().contains("short-pw"), "{err}");
        }
        let err = error(&[], Some("[jwt]\nsecret_key = \"short-pw\"\n"));
        assert_eq!(err.setting, "jwt.secret_key");
    }

    #[test]
    fn an_unknown_algorithm_is_refused() {
        let err = error(&[("JWT_ALGORITHM", "ES256")], None);
        assert_eq!(err.setting, "JWT_ALGORITHM");
        assert!(err.message.contains("HS256 or RS256"), "{err}");
        let err = error(&[], Some("[jwt]\nalgorithm = \"none\"\n"));
        assert_eq!(err.setting, "jwt.algorithm");
    }

    #[test]
    fn rs256_needs_a_private_key_pem_and_jwt_public_key() {
        let rs256 = ("JWT_ALGORITHM", "RS256");
        let err = error(&[rs256, ("JWT_SECRET_KEY", PRIVATE_PEM)], None);
        assert_eq!(err.setting, "JWT_PUBLIC_KEY");
        let err = error(
            &[
                rs256,
                ("JWT_SECRET_KEY", SECRET),
                ("JWT_PUBLIC_KEY", PUBLIC_PEM),
            ],
            None,
        );
        assert_eq!(err.setting, "JWT_SECRET_KEY");
        assert!(err.message.contains("PEM private key"), "{err}");
        let err = error(
            &[
                rs256,
                ("JWT_SECRET_KEY", PRIVATE_PEM),
                ("JWT_PUBLIC_KEY", "x"),
            ],
            None,
        );
        assert_eq!(err.setting, "JWT_PUBLIC_KEY");

        // One-line PEMs with `\n` escapes, as env files hold them, are accepted.
        let one_line = PRIVATE_PEM.replace('\n', "\\n");
        let pairs = [
            rs256,
            ("JWT_SECRET_KEY", &one_line),
            ("JWT_PUBLIC_KEY", PUBLIC_PEM),
        ];
        let config = load(&pairs, None).unwrap();
        assert_eq!(config.jwt.algorithm, JwtAlgorithm::Rs256);
        assert_eq!(config.jwt.secret_key.as_deref(), Some(PRIVATE_PEM));
        assert_eq!(config.jwt.public_key.as_deref(), Some(PUBLIC_PEM));
    }

    #[test]
    fn bad_numbers_name_their_variable() {
        for value in ["many", "0", "-5", "1.5"] {
            let err = error(&[("RATE_LIMIT_RPM", value)], None);
            assert_eq!(err.setting, "RATE_LIMIT_RPM", "{value}");
            assert!(err.message.contains("positive whole number"), "{err}");
        }
        let err = error(&[("GRAPHQL_MAX_DEPTH", "99999999999")], None);
        assert_eq!(err.setting, "GRAPHQL_MAX_DEPTH");
        let err = error(&[("JWT_EXPIRATION", "0")], None);
        assert_eq!(err.setting, "JWT_EXPIRATION");
        let err = error(&[("GRAPHQL_MAX_PAGE_SIZE", "10")], None);
        assert_eq!(err.setting, "GRAPHQL_MAX_PAGE_SIZE");
        assert!(err.message.contains("default page size 20"), "{err}");
        let toml = "[pagination]\ndefault_page_size = 200\n";
        assert_eq!(
            error(&[], Some(toml)).setting,
            "pagination.default_page_size"
        );
    }

    #[test]
    fn bad_flags_are_refused() {
        let err = error(&[("RATE_LIMITING_ENABLED", "maybe")], None);
        assert_eq!(err.setting, "RATE_LIMITING_ENABLED");
        assert!(err.message.contains("true or false"), "{err}");
        assert_eq!(
            error(&[("GRAPHQL_DEBUG", "on")], None).setting,
            "GRAPHQL_DEBUG"
        );
    }

    #[test]
    fn origins_and_redis_urls_are_checked() {
        for origin in [
            "shop.example.com",
            "https://shop.example.com/path",
            "ftp://x.example",
        ] {
            let err = error(&[("CORS_ALLOWED_ORIGINS", origin)], None);
            assert_eq!(err.setting, "CORS_ALLOWED_ORIGINS", "{origin}");
        }
        let toml = "[cors]\nallowed_origins = [\"https://ok.example\", \"nope\"]\n";
        assert_eq!(error(&[], Some(toml)).setting, "cors.allowed_origins");
        for url in ["http://cache:6379", "not a url", "redis:cache"] {
            let err = error(&[("REDIS_URL", url)], None);
            assert_eq!(err.setting, "REDIS_URL", "{url}");
        }
        let err = error(&[("REDIS_URL", "https://:hunter2@cache")], None);
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }

    #[test]
    fn any_origin_is_refused_in_production_only() {
        let config = load(&[("CORS_ALLOWED_ORIGINS", "*")], None).unwrap();
        assert_eq!(config.cors_allowed_origins, ["*"]);
        let production = [("GQLGEN_PROFILE", "production"), ("JWT_SECRET_KEY", SECRET)];
        let err = error(
            &[production[0], production[1], ("CORS_ALLOWED_ORIGINS", "*")],
            None,
        );
        assert_eq!(err.setting, "CORS_ALLOWED_ORIGINS");
        assert!(err.message.contains("production"), "{err}");
        let err = error(&production, Some("[cors]\nallowed_origins = [\"*\"]\n"));
        assert_eq!(err.setting, "cors.allowed_origins");
    }

    #[test]
    fn the_summary_never_shows_secrets() {
        let config = load(
            &[
                ("GQLGEN_PROFILE", "production"),
                ("JWT_SECRET_KEY", SECRET),
                ("REDIS_URL", "redis://user:hunter2@cache.internal:6379/2"),
                ("CORS_ALLOWED_ORIGINS", "https://shop.example.com"),
            ],
            None,
        )
        .unwrap();
        let summary = config.redacted_summary();
        assert!(
            !summary.contains(SECRET) && !summary.contains("hunter2"),
            "{summary}"
        );
        assert!(!summary.contains('\n'), "{summary}");
        for part in [
            "profile=production",
            "jwt=HS256 key set",
            "redis=redis://cache.internal:6379",
        ] {
            assert!(summary.contains(part), "{part} in {summary}");
        }
        assert!(summary.contains("https://shop.example.com"), "{summary}");
        assert!(Config::development().redacted_summary().contains("no key"));
    }
}
