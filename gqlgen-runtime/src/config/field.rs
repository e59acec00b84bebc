//! The types a setting can have. A [`Field`] lends one field of [`Config`](super::Config) and
//! knows how to parse a setting's text into it, how to show its value in the start-up summary and
//! the docs, and which TOML type the file must give it as. The environment's text and the file's
//! value both end in [`Field::parse`], so the two sources accept the same values with the same
//! error messages.

use std::time::Duration;

use url::Url;

use super::{BuiltinPermission, ConfigError, JwtAlgorithm, Profile};

/// One field of [`Config`](super::Config), and the type a setting's text is parsed as.
pub(crate) enum Field<'a> {
    /// `true` or `false`; `1`/`0` and `yes`/`no` too.
    Flag(&'a mut bool),
    /// A whole number, at least the [`Min`].
    Number(&'a mut dyn WholeNumber, Min),
    /// Whole seconds, at least the [`Min`].
    Seconds(&'a mut Duration, Min),
    /// Seconds, 0 or more, decimals allowed (`0.25`).
    FractionalSeconds(&'a mut Duration),
    /// Free text.
    Text(&'a mut Option<String>),
    /// One of two words (`text` or `json`).
    Choice(&'a mut Option<String>, [&'static str; 2]),
    /// An `http://` or `https://` URL with a host.
    HttpUrl(&'a mut Option<String>),
    /// A key or password: shown only as set or unset, and never repeated in an error.
    Secret(&'a mut Option<String>),
    /// A PEM public key: not secret, but many lines long, so shown only as set or unset.
    PublicKey(&'a mut Option<String>),
    /// A `redis://` or `rediss://` URL, shown as its host alone since it may hold a password.
    RedisUrl(&'a mut Option<String>),
    /// Origins as browsers send them in `Origin`; comma-separated in one text.
    Origins(&'a mut Vec<String>),
    /// `HS256` or `RS256`.
    Algorithm(&'a mut JwtAlgorithm),
    /// `development`, `production` or `testing`.
    Profile(&'a mut Profile),
    /// Names of built-in permissions, comma-separated in one text.
    Permissions(&'a mut Vec<BuiltinPermission>),
}

/// The least value of a number: a limit or a lifetime of 0 would refuse everything, whereas
/// a leeway or an idle pool of 0 is a legitimate choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Min {
    Zero,
    One,
}

/// The TOML type a field is written as in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TomlType {
    Boolean,
    Integer,
    /// An integer or a float.
    Number,
    String,
    ArrayOfStrings,
}

impl TomlType {
    /// What an error message says is expected.
    pub(crate) fn expected(self) -> &'static str {
        match self {
            TomlType::Boolean => "true or false",
            TomlType::Integer => "a whole number",
            TomlType::Number => "a number",
            TomlType::String => "a string",
            TomlType::ArrayOfStrings => "an array of strings",
        }
    }
}

/// The integer types of [`Config`](super::Config)'s counts (`u32`, `u64`, `usize`), read and
/// written as `u64` so that one [`Field::Number`] serves them all.
pub(crate) trait WholeNumber {
    fn get(&self) -> u64;
    /// Stores `value`; false when the field's type cannot hold it.
    fn set(&mut self, value: u64) -> bool;
}

impl<T> WholeNumber for T
where
    T: Copy + TryFrom<u64>,
    u64: TryFrom<T>,
{
    fn get(&self) -> u64 {
        // Every unsigned type of the supported platforms fits in u64.
        u64::try_from(*self).unwrap_or(u64::MAX)
    }

    fn set(&mut self, value: u64) -> bool {
        match T::try_from(value) {
            Ok(value) => {
                *self = value;
                true
            }
            Err(_) => false,
        }
    }
}

impl Field<'_> {
    /// Parses `text`, which is not blank, into the field. `setting` is the variable or the
    /// TOML key the text came from, which errors name.
    pub(crate) fn parse(self, setting: &str, text: &str) -> Result<(), ConfigError> {
        match self {
            Field::Flag(flag) => *flag = parse_flag(setting, text)?,
            Field::Number(number, min) => {
                let value = parse_number(setting, text, min)?;
                if !number.set(value) {
                    return Err(ConfigError::new(setting, format!("is {value}, too large")));
                }
            }
            Field::Seconds(duration, min) => {
                *duration = Duration::from_secs(parse_number(setting, text, min)?);
            }
            Field::FractionalSeconds(duration) => {
                *duration = text
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .and_then(|seconds| Duration::try_from_secs_f64(seconds).ok())
                    .ok_or_else(|| {
                        ConfigError::new(
                            setting,
                            format!(
                                "is `{}`; expected seconds, 0 or more, such as 0.5",
                                text.trim()
                            ),
                        )
                    })?;
            }
            Field::Text(value) => *value = Some(text.trim().to_owned()),
            Field::Choice(value, [first, second]) => {
                let text = text.trim();
                if text != first && text != second {
                    return Err(ConfigError::new(
                        setting,
                        format!("is `{text}`; expected `{first}` or `{second}`"),
                    ));
                }
                *value = Some(text.to_owned());
            }
            Field::HttpUrl(url) => *url = Some(parse_http_url(setting, text)?),
            Field::Secret(key) | Field::PublicKey(key) => *key = Some(unescape_pem(text)),
            Field::RedisUrl(url) => *url = Some(parse_redis_url(setting, text)?),
            Field::Origins(origins) => {
                *origins = text
                    .split(',')
                    // A trailing comma is harmless; an empty entry is not an origin to allow.
                    .filter(|origin| !origin.trim().is_empty())
                    .map(|origin| parse_origin(setting, origin))
                    .collect::<Result<_, _>>()?;
            }
            Field::Algorithm(algorithm) => *algorithm = parse_algorithm(setting, text)?,
            Field::Profile(profile) => *profile = parse_profile(setting, text)?,
            Field::Permissions(permissions) => {
                let parsed: Vec<BuiltinPermission> = text
                    .split(',')
                    .filter(|name| !name.trim().is_empty())
                    .map(|name| parse_permission(setting, name))
                    .collect::<Result<_, _>>()?;
                // An empty list would allow everything (every one of none allows): say so.
                if parsed.is_empty() {
                    return Err(ConfigError::new(
                        setting,
                        "names no permission; write AllowAny to open every model",
                    ));
                }
                *permissions = parsed;
            }
        }
        Ok(())
    }

    /// The value as the start-up summary and the docs show it: on one line, never a secret,
    /// never a Redis password.
    pub(crate) fn show(&self) -> String {
        let set_or_unset =
            |value: &Option<String>| if value.is_some() { "set" } else { "unset" }.to_owned();
        match self {
            Field::Flag(flag) => flag.to_string(),
            Field::Number(number, _) => number.get().to_string(),
            Field::Seconds(duration, _) => duration.as_secs().to_string(),
            Field::FractionalSeconds(duration) => duration.as_secs_f64().to_string(),
            Field::Text(text) | Field::Choice(text, _) | Field::HttpUrl(text) => {
                text.as_deref().unwrap_or("unset").to_owned()
            }
            Field::Secret(key) | Field::PublicKey(key) => set_or_unset(key),
            Field::RedisUrl(url) => url
                .as_deref()
                .map_or_else(|| "unset".to_owned(), redis_host),
            Field::Origins(origins) if origins.is_empty() => "none".to_owned(),
            Field::Origins(origins) => origins.join(","),
            Field::Algorithm(algorithm) => algorithm_name(**algorithm).to_owned(),
            Field::Profile(profile) => profile.as_str().to_owned(),
            Field::Permissions(permissions) if permissions.is_empty() => "none".to_owned(),
            Field::Permissions(permissions) => permissions
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(","),
        }
    }

    /// The type as the docs name it.
    #[cfg_attr(
        not(test),
        expect(dead_code, reason = "the docs test renders the table")
    )]
    pub(crate) fn type_name(&self) -> String {
        let name = match self {
            Field::Flag(_) => "flag",
            Field::Number(_, Min::One) => "whole number > 0",
            Field::Number(_, Min::Zero) => "whole number ≥ 0",
            Field::Seconds(_, Min::One) => "seconds > 0",
            Field::Seconds(_, Min::Zero) => "seconds ≥ 0",
            Field::FractionalSeconds(_) => "seconds ≥ 0, decimals allowed",
            Field::Text(_) => "text",
            Field::Choice(_, [first, second]) => return format!("`{first}` or `{second}`"),
            Field::HttpUrl(_) => "http(s) URL",
            Field::Secret(_) => "secret",
            Field::PublicKey(_) => "PEM public key",
            Field::RedisUrl(_) => "Redis URL",
            Field::Origins(_) => "origins",
            Field::Algorithm(_) => "`HS256` or `RS256`",
            Field::Profile(_) => "profile",
            Field::Permissions(_) => "permission names",
        };
        name.to_owned()
    }

    /// The TOML type the file must give this field as.
    pub(crate) fn toml_type(&self) -> TomlType {
        match self {
            Field::Flag(_) => TomlType::Boolean,
            Field::Number(..) | Field::Seconds(..) => TomlType::Integer,
            Field::FractionalSeconds(_) => TomlType::Number,
            Field::Origins(_) | Field::Permissions(_) => TomlType::ArrayOfStrings,
            Field::Text(_)
            | Field::Choice(..)
            | Field::HttpUrl(_)
            | Field::Secret(_)
            | Field::PublicKey(_)
            | Field::RedisUrl(_)
            | Field::Algorithm(_)
            | Field::Profile(_) => TomlType::String,
        }
    }
}

fn parse_permission(setting: &str, name: &str) -> Result<BuiltinPermission, ConfigError> {
    let name = name.trim();
    BuiltinPermission::ALL
        .into_iter()
        .find(|p| p.as_str() == name)
        .ok_or_else(|| {
            let known: Vec<&str> = BuiltinPermission::ALL.iter().map(|p| p.as_str()).collect();
            ConfigError::new(
                setting,
                format!(
                    "names `{name}`; the built-in permissions are {}",
                    known.join(", ")
                ),
            )
        })
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

/// A whole number of at least `min`. Read as i64 so that a negative value gets a message
/// saying what is expected rather than a parse error.
fn parse_number(setting: &str, text: &str, min: Min) -> Result<u64, ConfigError> {
    let expected = match min {
        Min::Zero => "a whole number, 0 or more",
        Min::One => "a positive whole number",
    };
    let value = text.trim().parse::<i64>().map_err(|_| {
        ConfigError::new(
            setting,
            format!("is `{}`; expected {expected}", text.trim()),
        )
    })?;
    let least = match min {
        Min::Zero => 0,
        Min::One => 1,
    };
    u64::try_from(value)
        .ok()
        .filter(|value| *value >= least)
        .ok_or_else(|| ConfigError::new(setting, format!("is {value}; expected {expected}")))
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

/// An `http://` or `https://` URL with a host (an OpenTelemetry collector's).
fn parse_http_url(setting: &str, text: &str) -> Result<String, ConfigError> {
    let text = text.trim();
    let usable = Url::parse(text)
        .is_ok_and(|url| matches!(url.scheme(), "http" | "https") && url.has_host());
    if !usable {
        return Err(ConfigError::new(
            setting,
            format!("is `{text}`; expected an http:// or https:// URL"),
        ));
    }
    Ok(text.to_owned())
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

/// A PEM given on one line with `\n` escapes, as env files and container settings force, made
/// multi-line again; other values are kept as they are.
fn unescape_pem(value: &str) -> String {
    if value.trim_start().starts_with("-----BEGIN") && !value.contains('\n') {
        value.replace("\\n", "\n")
    } else {
        value.to_owned()
    }
}
