//! Field validation of mutation inputs. Generated code calls one function per validator of a
//! field; each adds a [`FieldError`] instead of stopping, so one response lists every problem.
//! The derive has already checked the rules themselves (a regex compiles, `min <= max`).

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use async_graphql::SimpleObject;

/// One problem with one input field.
#[derive(SimpleObject, Debug, Clone, PartialEq, Eq)]
#[graphql(name = "FieldError")]
pub struct FieldError {
    /// The input field, such as `name`; `inputs.2.name` in a bulk create, `row 7.name` in a
    /// bulk update; null when the problem concerns the whole row.
    pub field: Option<String>,
    /// What is wrong, for people.
    pub message: String,
    /// What is wrong, for programs: LENGTH, RANGE, EMAIL, URL, REGEX, REQUIRED, INVALID (a
    /// custom validator), BAD_USER_INPUT (an id that is not one of the type the field refers
    /// to), UNIQUE, NOT_FOUND, REFERENCED, or the code a container validator chose.
    pub code: String,
}

/// The codes gqlgen gives a [`FieldError`]; a container validator may use these or its own text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldCode {
    /// Text outside `validate(length(...))`.
    Length,
    /// A number outside `validate(range(...))`.
    Range,
    /// Not an email address (`validate(email)`).
    Email,
    /// Not an http(s) URL (`validate(url)`).
    Url,
    /// Not matching `validate(regex = "...")`.
    Regex,
    /// Empty or missing where `validate(required)` or a non-null column needs a value.
    Required,
    /// A custom validator refused it.
    Invalid,
    /// An id field holds no global id of the type it refers to: forged, or another type's.
    BadUserInput,
    /// Another row has the value of a unique column.
    Unique,
    /// A referenced row does not exist.
    NotFound,
    /// Other rows still refer to the row being deleted.
    Referenced,
}

impl FieldCode {
    /// The code as the API writes it: `NOT_FOUND`.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldCode::Length => "LENGTH",
            FieldCode::Range => "RANGE",
            FieldCode::Email => "EMAIL",
            FieldCode::Url => "URL",
            FieldCode::Regex => "REGEX",
            FieldCode::Required => "REQUIRED",
            FieldCode::Invalid => "INVALID",
            FieldCode::BadUserInput => "BAD_USER_INPUT",
            FieldCode::Unique => "UNIQUE",
            FieldCode::NotFound => "NOT_FOUND",
            FieldCode::Referenced => "REFERENCED",
        }
    }
}

impl AsRef<str> for FieldCode {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

/// The problems found in one input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    /// Adds a problem with `field`: `code` is a [`FieldCode`] or a container validator's own.
    pub fn add(&mut self, field: &str, code: impl AsRef<str>, message: impl Into<String>) {
        self.0.push(FieldError {
            field: Some(field.to_owned()),
            message: message.into(),
            code: code.as_ref().to_owned(),
        });
    }

    /// Whether no problem was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The same errors with `prefix.` before each field: `inputs.2.name`.
    pub fn prefixed(self, prefix: &str) -> Vec<FieldError> {
        self.0
            .into_iter()
            .map(|mut e| {
                e.field = Some(match e.field {
                    Some(field) => format!("{prefix}.{field}"),
                    None => prefix.to_owned(),
                });
                e
            })
            .collect()
    }
}

/// `length(min, max)`, in characters.
pub fn length(
    errors: &mut FieldErrors,
    field: &str,
    value: &str,
    min: Option<usize>,
    max: Option<usize>,
) {
    let n = value.chars().count();
    if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
        let bounds = match (min, max) {
            (Some(a), Some(b)) => format!("between {a} and {b}"),
            (Some(a), None) => format!("at least {a}"),
            (None, Some(b)) => format!("at most {b}"),
            (None, None) => unreachable!("the derive requires a bound"),
        };
        errors.add(
            field,
            FieldCode::Length,
            format!("must be {bounds} characters long, is {n}"),
        );
    }
}

/// `range(min, max)` on any number, both bounds included.
pub fn range(errors: &mut FieldErrors, field: &str, v: f64, min: Option<f64>, max: Option<f64>) {
    if min.is_some_and(|m| v < m) || max.is_some_and(|m| v > m) {
        let bounds = match (min, max) {
            (Some(a), Some(b)) => format!("between {a} and {b}"),
            (Some(a), None) => format!("at least {a}"),
            (None, Some(b)) => format!("at most {b}"),
            (None, None) => unreachable!("the derive requires a bound"),
        };
        errors.add(field, FieldCode::Range, format!("must be {bounds}, is {v}"));
    }
}

/// `range` on a decimal.
pub fn decimal_range(
    errors: &mut FieldErrors,
    field: &str,
    value: &rust_decimal::Decimal,
    min: Option<f64>,
    max: Option<f64>,
) {
    use rust_decimal::prelude::ToPrimitive;
    range(errors, field, value.to_f64().unwrap_or(f64::NAN), min, max);
}

/// `email`: one `@`, a non-empty local part, a domain with a dot, no spaces.
pub fn email(errors: &mut FieldErrors, field: &str, value: &str) {
    let valid = match value.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !value.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if !valid {
        errors.add(field, FieldCode::Email, "must be an email address");
    }
}

/// `url`: an absolute http or https URL.
pub fn url(errors: &mut FieldErrors, field: &str, value: &str) {
    let valid = url::Url::parse(value)
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.has_host());
    if !valid {
        errors.add(field, FieldCode::Url, "must be an http or https URL");
    }
}

fn compiled(pattern: &'static str) -> Option<regex::Regex> {
    static CACHE: OnceLock<Mutex<HashMap<&'static str, regex::Regex>>> = OnceLock::new();
    let mut cache = CACHE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(re) = cache.get(pattern) {
        return Some(re.clone());
    }
    let re = regex::Regex::new(pattern).ok()?;
    cache.insert(pattern, re.clone());
    Some(re)
}

/// `regex = "..."`: the pattern matches somewhere in the value; anchor it (`^...$`) to match
/// the whole value.
pub fn regex(errors: &mut FieldErrors, field: &str, value: &str, pattern: &'static str) {
    if !compiled(pattern).is_some_and(|re| re.is_match(value)) {
        errors.add(field, FieldCode::Regex, format!("must match {pattern}"));
    }
}

/// A custom validator's verdict: `Err(message)` is an `INVALID` field error.
pub fn custom(errors: &mut FieldErrors, field: &str, verdict: Result<(), String>) {
    if let Err(message) = verdict {
        errors.add(field, FieldCode::Invalid, message);
    }
}

/// `clean = path`: the value `path` returns replaces the input's, so that what is checked next
/// and stored is the cleaned one (trimmed, lower-cased, normalised); its error is `INVALID`.
/// The cleaner takes the value as any type it borrows as: `fn(&str) -> Result<String, String>`
/// for a text column.
pub fn clean<T, B>(
    errors: &mut FieldErrors,
    field: &str,
    value: &mut T,
    cleaner: fn(&B) -> Result<T, String>,
) where
    T: std::borrow::Borrow<B>,
    B: ?Sized,
{
    match cleaner((*value).borrow()) {
        Ok(cleaned) => *value = cleaned,
        Err(message) => errors.add(field, FieldCode::Invalid, message),
    }
}

/// `required` on text: not empty once trimmed.
pub fn required_text(errors: &mut FieldErrors, field: &str, value: &str) {
    if value.trim().is_empty() {
        errors.add(field, FieldCode::Required, "must not be empty");
    }
}

/// `required` on a nullable column: a value must be given.
pub fn required<T>(errors: &mut FieldErrors, field: &str, value: &Option<T>) {
    if value.is_none() {
        errors.add(field, FieldCode::Required, "is required");
    }
}

/// `sanitize_html`: keeps safe markup (ammonia's default allow-list), drops scripts, event
/// handlers and unknown tags.
pub fn sanitize_html(value: &str) -> String {
    ammonia::clean(value)
}

/// Rules across the fields of a row: the container's `validator = Type`.
pub trait ModelValidator<A> {
    /// Normalises the active model before [`ModelValidator::validate`] sees it and it is
    /// written: what it sets is stored (a value derived from others, a trimmed or lower-cased
    /// one). It may add errors too. By default it leaves the model as it is.
    fn clean(model: &mut A, errors: &mut FieldErrors) {
        let _ = (model, errors);
    }

    /// Adds a [`FieldError`] to `errors` for each rule the active model `model` breaks; any
    /// error stops the write.
    fn validate(model: &A, errors: &mut FieldErrors);
}

/// The `ModelValidator` of a model without `validator = ...`.
pub struct NoValidator;

impl<A> ModelValidator<A> for NoValidator {
    fn validate(_: &A, _: &mut FieldErrors) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(check: impl FnOnce(&mut FieldErrors)) -> Vec<String> {
        let mut errors = FieldErrors::default();
        check(&mut errors);
        errors.0.into_iter().map(|e| e.code).collect()
    }

    #[test]
    fn each_validator_accepts_and_refuses() {
        assert!(codes(|e| length(e, "n", "héllo", Some(5), Some(5))).is_empty());
        assert_eq!(codes(|e| length(e, "n", "", Some(1), None)), ["LENGTH"]);
        assert!(codes(|e| range(e, "n", 5.0, Some(0.0), Some(5.0))).is_empty());
        assert_eq!(codes(|e| range(e, "n", -1.0, Some(0.0), None)), ["RANGE"]);
        assert!(codes(|e| email(e, "n", "a@b.co")).is_empty());
        for bad in ["a", "a@b", "@b.co", "a@@b.co", "a b@c.de", "a@.co"] {
            assert_eq!(codes(|e| email(e, "n", bad)), ["EMAIL"], "{bad}");
        }
        assert!(codes(|e| url(e, "n", "https://example.com/x")).is_empty());
        assert_eq!(codes(|e| url(e, "n", "javascript:alert(1)")), ["URL"]);
        assert!(codes(|e| regex(e, "n", "abc-1", "^[a-z]+-[0-9]$")).is_empty());
        assert_eq!(codes(|e| regex(e, "n", "ABC", "^[a-z]+$")), ["REGEX"]);
        assert_eq!(codes(|e| required_text(e, "n", "  ")), ["REQUIRED"]);
        assert_eq!(codes(|e| required::<i32>(e, "n", &None)), ["REQUIRED"]);
    }

    #[test]
    fn html_is_sanitised() {
        let clean =
            sanitize_html("<b>ok</b><script>alert(1)</script><a href=\"x\" onclick=\"y\">l</a>");
        assert!(clean.contains("<b>ok</b>"));
        assert!(
            !clean.contains("script") && !clean.contains("onclick"),
            "{clean}"
        );
    }
}
