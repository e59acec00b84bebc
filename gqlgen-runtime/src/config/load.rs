//! Loading [`Config`] from the process: the profile named by `GQLGEN_PROFILE` gives the defaults,
//! the TOML file named by `GQLGEN_CONFIG` overrides them, and environment variables override both.
//! Both sources walk the table of settings ([`SETTINGS`]), so each accepts every setting, parsed
//! the same way, and a blank value counts as unset in either. Every value is checked on the way in
//! and the merged result as a whole (production needs a JWT secret, RS256 needs both keys, `*` is
//! no production origin...), so a bad setting stops start-up with a [`ConfigError`] naming it: the
//! variable (`RATE_LIMIT_RPM`) when the environment gave it, the dotted TOML key
//! (`rate_limit.requests_per_minute`) when the file did, and `GQLGEN_CONFIG` when the file cannot
//! be read or parsed, holds a key that is no setting, or gives a value the wrong TOML type.

use std::collections::HashMap;

use toml::Spanned;
use toml::de::{DeInteger, DeTable, DeValue};

use super::field::TomlType;
use super::table::{SETTINGS, Setting, setting};
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
    /// An error about `setting` (a variable or a dotted TOML key).
    pub fn new(setting: impl Into<String>, message: impl Into<String>) -> ConfigError {
        ConfigError {
            setting: setting.into(),
            message: message.into(),
        }
    }
}

/// The variable naming the TOML file.
const CONFIG_FILE_VARIABLE: &str = "GQLGEN_CONFIG";

impl Config {
    /// The settings of this process: `GQLGEN_PROFILE`'s profile, then the TOML file named by
    /// `GQLGEN_CONFIG` (if set), then environment variables.
    pub fn from_env() -> Result<Config, ConfigError> {
        let mut vars = HashMap::new();
        let names = SETTINGS.iter().map(|setting| setting.env);
        for name in names.chain([CONFIG_FILE_VARIABLE]) {
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
    /// file's text. Variables that name no setting are ignored.
    pub fn from_sources(
        vars: &HashMap<String, String>,
        toml: Option<&str>,
    ) -> Result<Config, ConfigError> {
        let file = match toml {
            Some(text) => FileSettings::parse(text)?,
            None => FileSettings::default(),
        };
        let mut sources = Sources {
            env: Environment(vars),
            file,
            given: HashMap::new(),
        };
        // The profile picks the defaults every other setting starts from, so it is read first.
        let mut config = Config::development();
        for source in [Source::File, Source::Environment] {
            sources.apply(source, setting("profile"), &mut config)?;
        }
        let mut config = match config.profile {
            Profile::Development => Config::development(),
            Profile::Production => Config::production(),
            Profile::Testing => Config::testing(),
        };
        for source in [Source::File, Source::Environment] {
            for setting in SETTINGS {
                sources.apply(source, setting, &mut config)?;
            }
        }
        check_merged(&config, &sources)?;
        Ok(config)
    }
}

/// Where a setting's value came from. The environment is applied after the file, so it wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    File,
    Environment,
}

/// Both sources, and which of them gave each setting, for errors about several settings.
struct Sources<'a> {
    env: Environment<'a>,
    file: FileSettings<'a>,
    given: HashMap<&'static str, Source>,
}

impl Sources<'_> {
    /// Sets `setting` from `source`, when that source gives it.
    fn apply(
        &mut self,
        source: Source,
        setting: &'static Setting,
        config: &mut Config,
    ) -> Result<(), ConfigError> {
        let (name, text) = match source {
            Source::File => {
                let toml_type = (setting.field)(config).toml_type();
                (setting.toml, self.file.text(setting, toml_type)?)
            }
            Source::Environment => (setting.env, self.env.get(setting.env).map(str::to_owned)),
        };
        if let Some(text) = text {
            (setting.field)(config).parse(name, &text)?;
            self.given.insert(setting.name, source);
        }
        Ok(())
    }

    /// Whom to name in an error about the settings `names` together: the first of them the
    /// environment gave (its last word), else the first the file gave, each as that source
    /// spells it; the first one's variable when neither source gave any.
    fn blame(&self, names: &[&str]) -> &'static str {
        for source in [Source::Environment, Source::File] {
            for &name in names {
                let setting = setting(name);
                if self.given.get(setting.name) == Some(&source) {
                    return match source {
                        Source::Environment => setting.env,
                        Source::File => setting.toml,
                    };
                }
            }
        }
        setting(names[0]).env
    }
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
}

/// The TOML file's values by key (`rate_limit.requests_per_minute`), each with its line.
#[derive(Default)]
struct FileSettings<'a> {
    values: HashMap<&'static str, (usize, DeValue<'a>)>,
}

impl<'a> FileSettings<'a> {
    /// Reads the file's keys. A key that is no setting is an error naming it, since a
    /// misspelled key would otherwise be ignored in silence.
    fn parse(text: &'a str) -> Result<FileSettings<'a>, ConfigError> {
        let line_of = |at: usize| text[..at].matches('\n').count() + 1;
        let table = DeTable::parse(text).map_err(|err| {
            // Only the message and a line number: toml's own rendering quotes the source line,
            // which may hold a secret.
            let message = match err.span() {
                Some(span) => format!("line {}: {}", line_of(span.start), err.message()),
                None => err.message().to_owned(),
            };
            ConfigError::new(CONFIG_FILE_VARIABLE, message)
        })?;
        let mut values = HashMap::new();
        let mut add = |key: String, key_at: usize, value: Spanned<DeValue<'a>>| {
            let Some(setting) = SETTINGS.iter().find(|setting| setting.toml == key) else {
                let message = format!("line {}: {}", line_of(key_at), unknown_key(&key));
                return Err(ConfigError::new(CONFIG_FILE_VARIABLE, message));
            };
            values.insert(
                setting.toml,
                (line_of(value.span().start), value.into_inner()),
            );
            Ok(())
        };
        for (key, value) in table.into_inner() {
            let key_at = key.span().start;
            let value_span = value.span();
            match value.into_inner() {
                DeValue::Table(section) if is_section(key.get_ref()) => {
                    for (inner, value) in section {
                        let dotted = format!("{}.{}", key.get_ref(), inner.get_ref());
                        add(dotted, inner.span().start, value)?;
                    }
                }
                value => add(
                    key.into_inner().into_owned(),
                    key_at,
                    Spanned::new(value_span, value),
                )?,
            }
        }
        Ok(FileSettings { values })
    }

    /// The value of `setting` as text, so that it goes through the parser the environment's
    /// text goes through; `None` when the file does not give it or gives a blank string. A
    /// value of the wrong TOML type (`debug = "yes"`) is an error about the file, like a
    /// misspelled key: TOML is typed, and a string is no flag.
    fn text(&self, setting: &Setting, expected: TomlType) -> Result<Option<String>, ConfigError> {
        let Some((line, value)) = self.values.get(setting.toml) else {
            return Ok(None);
        };
        let text = match (expected, value) {
            (TomlType::Boolean, DeValue::Boolean(flag)) => Some(flag.to_string()),
            (TomlType::Integer | TomlType::Number, DeValue::Integer(number)) => {
                Some(decimal(number))
            }
            (TomlType::Number, DeValue::Float(number)) => Some(number.as_str().to_owned()),
            (TomlType::String, DeValue::String(text)) => Some(text.to_string()),
            // Joined with commas, the list reads as the environment's comma-separated one.
            (TomlType::ArrayOfStrings, DeValue::Array(items)) => items
                .iter()
                .map(|item| item.get_ref().as_str())
                .collect::<Option<Vec<_>>>()
                .map(|items| items.join(",")),
            _ => None,
        };
        match text {
            Some(text) => Ok(Some(text).filter(|text| !text.trim().is_empty())),
            None => {
                let found = value.type_str();
                let article = if found.starts_with(['a', 'i']) {
                    "an"
                } else {
                    "a"
                };
                let message = format!(
                    "line {line}: `{}` is {article} {found}; expected {}",
                    setting.toml,
                    expected.expected()
                );
                Err(ConfigError::new(CONFIG_FILE_VARIABLE, message))
            }
        }
    }
}

/// Whether `key` names a section of the file (`[limits]`).
fn is_section(key: &str) -> bool {
    SETTINGS.iter().any(|setting| {
        setting
            .toml
            .strip_prefix(key)
            .is_some_and(|rest| rest.starts_with('.'))
    })
}

/// Says that `key` is no setting, and lists what its section (or the top level) may hold.
fn unknown_key(key: &str) -> String {
    if let Some((section, name)) = key.split_once('.') {
        let keys: Vec<&str> = SETTINGS
            .iter()
            .filter_map(|setting| setting.toml.strip_prefix(section)?.strip_prefix('.'))
            .collect();
        return format!(
            "`{name}` is not a setting of [{section}]; expected one of {}",
            keys.join(", ")
        );
    }
    let mut expected: Vec<String> = Vec::new();
    for setting in SETTINGS {
        let entry = match setting.toml.split_once('.') {
            Some((section, _)) => format!("[{section}]"),
            None => setting.toml.to_owned(),
        };
        if !expected.contains(&entry) {
            expected.push(entry);
        }
    }
    format!(
        "`{key}` is not a setting; expected one of {}",
        expected.join(", ")
    )
}

/// A TOML integer in decimal, whatever base the file wrote it in.
fn decimal(number: &DeInteger<'_>) -> String {
    match i64::from_str_radix(number.as_str(), number.radix()) {
        Ok(value) => value.to_string(),
        // Too large for i64: the number parser says so, naming the setting.
        Err(_) => number.as_str().to_owned(),
    }
}

/// The checks that need the merged settings. Each names where the offending value came from.
fn check_merged(config: &Config, sources: &Sources<'_>) -> Result<(), ConfigError> {
    let database = &config.database;
    if database.min_connections > database.max_connections {
        let setting = sources.blame(&["database.min_connections", "database.max_connections"]);
        let message = format!(
            "the pool keeps {} connections open but may open only {}",
            database.min_connections, database.max_connections
        );
        return Err(ConfigError::new(setting, message));
    }

    if config.default_page_size > config.max_page_size {
        let setting = sources.blame(&["default_page_size", "max_page_size"]);
        let message = format!(
            "the default page size {} is above the largest page size {}",
            config.default_page_size, config.max_page_size
        );
        return Err(ConfigError::new(setting, message));
    }

    if config.profile == Profile::Production && config.cors_allowed_origins.iter().any(|o| o == "*")
    {
        let message = "`*` lets every web site call the API; production needs the origins \
                       listed, such as https://shop.example.com";
        return Err(ConfigError::new(
            sources.blame(&["cors_allowed_origins"]),
            message,
        ));
    }

    let jwt = &config.jwt;
    let secret_setting = sources.blame(&["jwt.secret_key"]);
    let public_setting = sources.blame(&["jwt.public_key"]);
    let algorithm_setting = sources.blame(&["jwt.algorithm"]);
    if config.profile == Profile::Production && jwt.secret_key.is_none() {
        let message = "production needs JWT_SECRET_KEY: a random secret of at least 32 bytes \
                       for HS256, or the private key PEM for RS256";
        return Err(ConfigError::new(secret_setting, message));
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

fn looks_like_pem(text: &str, label_ending: &str) -> bool {
    let text = text.trim();
    text.starts_with("-----BEGIN") && text.contains(&format!("{label_ending}-----"))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::config::field::{Field, Min};

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
        // The summary names settings as the table does: `jwt.secret_key=set`, not the key.
        for part in [
            "profile=production",
            "jwt.algorithm=HS256",
            "jwt.secret_key=set",
            "redis_url=redis://cache.internal:6379",
        ] {
            assert!(summary.contains(part), "{part} in {summary}");
        }
        assert!(summary.contains("https://shop.example.com"), "{summary}");
        let development = Config::development().redacted_summary();
        assert!(
            development.contains("jwt.secret_key=unset"),
            "{development}"
        );
    }

    /// A valid value for `setting` that differs from the development profile's, as the
    /// environment spells it and as the file does (a TOML literal); with any other setting it
    /// needs.
    fn sample(setting: &Setting) -> Vec<(&'static str, String, String)> {
        let mut config = Config::development();
        let (env, toml) = match (setting.field)(&mut config) {
            Field::Flag(flag) => ((!*flag).to_string(), (!*flag).to_string()),
            Field::Number(number, _) => {
                let more = (number.get() + 1).to_string();
                (more.clone(), more)
            }
            Field::Seconds(duration, _) => {
                let more = (duration.as_secs() + 1).to_string();
                (more.clone(), more)
            }
            Field::FractionalSeconds(duration) => {
                let more = (duration.as_secs_f64() + 0.5).to_string();
                (more.clone(), more)
            }
            // The second word: the first is no profile's default.
            Field::Choice(_, [_, second]) => (second.to_owned(), format!("\"{second}\"")),
            Field::HttpUrl(_) => {
                let url = "http://collector:4318";
                (url.to_owned(), format!("\"{url}\""))
            }
            Field::Text(_) => ("shop".to_owned(), "\"shop\"".to_owned()),
            Field::Secret(_) => (SECRET.to_owned(), format!("\"{SECRET}\"")),
            Field::PublicKey(_) => (PUBLIC_PEM.to_owned(), format!("'''{PUBLIC_PEM}'''")),
            Field::RedisUrl(_) => {
                let url = "redis://cache:6379/1";
                (url.to_owned(), format!("\"{url}\""))
            }
            Field::Origins(_) => {
                let origin = "https://shop.example.com";
                (origin.to_owned(), format!("[\"{origin}\"]"))
            }
            Field::Algorithm(_) => ("RS256".to_owned(), "\"RS256\"".to_owned()),
            Field::Profile(_) => ("testing".to_owned(), "\"testing\"".to_owned()),
            Field::Permissions(_) => (
                "IsAuthenticated, IsAdminOrReadOnly".to_owned(),
                "[\"IsAuthenticated\", \"IsAdminOrReadOnly\"]".to_owned(),
            ),
        };
        let mut values = vec![(setting.name, env, toml)];
        if setting.name == "jwt.algorithm" {
            // RS256 checks signatures with a public key, so it is refused without one.
            let key = format!("'''{PUBLIC_PEM}'''");
            values.push(("jwt.public_key", PUBLIC_PEM.to_owned(), key));
        }
        values
    }

    /// The TOML file that sets each `(name, value)`, the value a TOML literal. Keys are written
    /// dotted (`jwt.leeway = 5`), which TOML reads as the key of a section.
    fn toml_file(values: &[(&str, String)]) -> String {
        values
            .iter()
            .map(|(name, value)| format!("{} = {value}\n", setting(name).toml))
            .collect()
    }

    #[test]
    fn every_setting_is_read_from_either_source_alike() {
        for row in SETTINGS {
            let values = sample(row);
            let pairs: Vec<(&str, &str)> = values
                .iter()
                .map(|(name, env, _)| (setting(name).env, env.as_str()))
                .collect();
            let from_env = load(&pairs, None)
                .unwrap_or_else(|err| panic!("{} from the environment: {err}", row.env));
            assert_ne!(from_env, Config::development(), "{} is read", row.env);

            let literals: Vec<(&str, String)> = values
                .iter()
                .map(|(name, _, toml)| (*name, toml.clone()))
                .collect();
            let toml = toml_file(&literals);
            let from_file = load(&[], Some(&toml))
                .unwrap_or_else(|err| panic!("{} from the file: {err}\n{toml}", row.toml));
            assert_eq!(from_file, from_env, "{} reads as {}", row.toml, row.env);
        }
    }

    /// A value `setting` refuses, as the environment spells it and as the file does; `None`
    /// where every value of the type is valid (free text; a TOML boolean).
    fn refused(setting: &Setting) -> (Option<&'static str>, Option<&'static str>) {
        // Any token will do.
        if setting.name == "observe.metrics_token" {
            return (None, None);
        }
        match (setting.field)(&mut Config::development()) {
            Field::Flag(_) => (Some("maybe"), None),
            Field::Number(_, Min::One) | Field::Seconds(_, Min::One) => (Some("0"), Some("0")),
            Field::Number(_, Min::Zero) | Field::Seconds(_, Min::Zero) => (Some("-1"), Some("-1")),
            Field::FractionalSeconds(_) => (Some("-0.5"), Some("-0.5")),
            Field::Text(_) => (None, None),
            Field::Choice(..) => (Some("xml"), Some("\"xml\"")),
            Field::HttpUrl(_) => (Some("collector:4318"), Some("\"ftp://c\"")),
            // Too short for HS256; no PEM for RS256.
            Field::Secret(_) | Field::PublicKey(_) => (Some("short"), Some("\"short\"")),
            Field::RedisUrl(_) => (Some("http://cache"), Some("\"http://cache\"")),
            Field::Origins(_) => (Some("nope"), Some("[\"nope\"]")),
            Field::Algorithm(_) => (Some("none"), Some("\"none\"")),
            Field::Profile(_) => (Some("prod"), Some("\"prod\"")),
            Field::Permissions(_) => (Some("IsStaff"), Some("[\"AllowAny\", \"IsStaff\"]")),
        }
    }

    #[test]
    fn a_refused_value_from_either_source_names_the_setting() {
        for row in SETTINGS {
            let (env, toml) = refused(row);
            // The public key is checked only for RS256.
            let rs256 = row.name == "jwt.public_key";
            if let Some(value) = env {
                let mut pairs = vec![(row.env, value)];
                if rs256 {
                    pairs.push(("JWT_ALGORITHM", "RS256"));
                }
                assert_eq!(error(&pairs, None).setting, row.env, "{value}");
            }
            if let Some(value) = toml {
                let mut values = vec![(row.name, value.to_owned())];
                if rs256 {
                    values.push(("jwt.algorithm", "\"RS256\"".to_owned()));
                }
                let file = toml_file(&values);
                assert_eq!(error(&[], Some(&file)).setting, row.toml, "{file}");
            }
            // A value of the wrong TOML type is an error about the file that names the key.
            let wrong_type = match (row.field)(&mut Config::development()).toml_type() {
                TomlType::String | TomlType::ArrayOfStrings => "1",
                TomlType::Boolean | TomlType::Integer | TomlType::Number => "\"1\"",
            };
            let file = toml_file(&[(row.name, wrong_type.to_owned())]);
            let err = error(&[], Some(&file));
            assert_eq!(err.setting, "GQLGEN_CONFIG", "{file}");
            assert!(err.message.contains(&format!("`{}`", row.toml)), "{err}");
            assert!(err.message.contains("line "), "{err}");
        }
    }

    #[test]
    fn variables_that_name_no_setting_are_ignored() {
        let misspelled = [
            ("GRAPHQL_MAX_DEPHT", "3"),
            ("JWT_SECRET", "x"),
            ("DB_MAX", "0"),
        ];
        assert_eq!(load(&misspelled, None).unwrap(), Config::development());
    }

    #[test]
    fn settings_once_only_in_the_file_are_read_from_the_environment_too() {
        let config = load(
            &[
                ("GRAPHQL_DEFAULT_PAGE_SIZE", "15"),
                ("GRAPHQL_MAX_BATCH_SIZE", "7"),
                ("GRAPHQL_MAX_TOKENS", "900"),
                ("GRAPHQL_MAX_QUERY_BYTES", "4096"),
                ("GRAPHQL_MAX_BATCH_OPERATIONS", "3"),
            ],
            None,
        )
        .unwrap();
        assert_eq!((config.default_page_size, config.max_batch_size), (15, 7));
        let limits = &config.limits;
        assert_eq!(
            (
                limits.max_tokens,
                limits.max_query_bytes,
                limits.max_batch_operations
            ),
            (900, 4096, 3)
        );
        let err = error(&[("GRAPHQL_DEFAULT_PAGE_SIZE", "500")], None);
        assert_eq!(err.setting, "GRAPHQL_DEFAULT_PAGE_SIZE");
    }

    #[test]
    fn toml_integers_in_any_base_and_blank_strings() {
        let toml = "[limits]\nmax_depth = 0x10\nmax_tokens = 1_000\n[jwt]\nissuer = \"  \"\n";
        let config = load(&[], Some(toml)).unwrap();
        assert_eq!(
            (config.limits.max_depth, config.limits.max_tokens),
            (16, 1000)
        );
        assert_eq!(config.jwt.issuer, None, "a blank string is unset");
        let err = error(&[], Some("[limits]\nmax_depth = -3\n"));
        assert_eq!(err.setting, "limits.max_depth");
        assert!(err.message.contains("is -3"), "{err}");
    }
}
