//! Error codes and constructors. Every error a client sees carries `extensions.code`, one of
//! [`ErrorCode`]; internal failures are logged with their detail and reach the client as a masked
//! `INTERNAL_ERROR` unless debug is on, so a database message never leaks a schema or a value.

use async_graphql::ErrorExtensions;

/// The codes of DESIGN.md, as they appear in `extensions.code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// No caller, or a token that is forged, expired, revoked or of the wrong type.
    AuthenticationRequired,
    /// The caller may not do this to this model, row or field.
    PermissionDenied,
    /// No row with this id, or none the caller may see.
    NotFound,
    /// The input breaks a rule of the model (reported as a whole, not per field).
    ValidationError,
    /// Malformed input: a value, id, cursor, page size, filter or list out of bounds.
    BadUserInput,
    /// Too many requests from this client; HTTP 429 with `Retry-After`.
    RateLimited,
    /// Fields nested deeper than the limit.
    QueryTooDeep,
    /// A query costing more than the limit.
    QueryTooComplex,
    /// Too many bytes, tokens, aliases or batched operations.
    QueryTooLarge,
    /// `__schema` / `__type` while introspection is off.
    IntrospectionDisabled,
    /// A persisted query's hash this server does not know: send it again with its `query`
    /// (Apollo's automatic persisted queries).
    PersistedQueryNotFound,
    /// A document outside the server's allow-list of persisted queries.
    PersistedQueryNotInList,
    /// A fault of the server, its message masked unless in debug.
    InternalError,
}

impl ErrorCode {
    /// Every code.
    pub const ALL: [ErrorCode; 13] = [
        ErrorCode::AuthenticationRequired,
        ErrorCode::PermissionDenied,
        ErrorCode::NotFound,
        ErrorCode::ValidationError,
        ErrorCode::BadUserInput,
        ErrorCode::RateLimited,
        ErrorCode::QueryTooDeep,
        ErrorCode::QueryTooComplex,
        ErrorCode::QueryTooLarge,
        ErrorCode::IntrospectionDisabled,
        ErrorCode::PersistedQueryNotFound,
        ErrorCode::PersistedQueryNotInList,
        ErrorCode::InternalError,
    ];

    /// The code whose wire name is `name`.
    pub fn from_wire(name: &str) -> Option<ErrorCode> {
        ErrorCode::ALL
            .into_iter()
            .find(|code| code.as_str() == name)
    }

    /// The code's wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::AuthenticationRequired => "AUTHENTICATION_REQUIRED",
            ErrorCode::PermissionDenied => "PERMISSION_DENIED",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::ValidationError => "VALIDATION_ERROR",
            ErrorCode::BadUserInput => "BAD_USER_INPUT",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::QueryTooDeep => "QUERY_TOO_DEEP",
            ErrorCode::QueryTooComplex => "QUERY_TOO_COMPLEX",
            ErrorCode::QueryTooLarge => "QUERY_TOO_LARGE",
            ErrorCode::IntrospectionDisabled => "INTROSPECTION_DISABLED",
            ErrorCode::PersistedQueryNotFound => "PERSISTED_QUERY_NOT_FOUND",
            ErrorCode::PersistedQueryNotInList => "PERSISTED_QUERY_NOT_IN_LIST",
            ErrorCode::InternalError => "INTERNAL_ERROR",
        }
    }
}

/// An error with a code, convertible into a GraphQL error.
///
/// It deliberately does not implement `Display`: async-graphql converts any `Display` type into
/// an error without a code, and this conversion must be the one that runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GqlError {
    /// What kind of error, for programs.
    pub code: ErrorCode,
    /// What went wrong, for people.
    pub message: String,
}

impl GqlError {
    /// An error with `code` and `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        GqlError {
            code,
            message: message.into(),
        }
    }

    /// A `BAD_USER_INPUT` error.
    pub fn bad_input(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadUserInput, message)
    }

    /// A `NOT_FOUND` error.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }

    /// The error as a response error of the whole request: no path, no location.
    pub fn into_server_error(self) -> async_graphql::ServerError {
        let mut err = async_graphql::ServerError::new(self.message, None);
        err.extensions
            .get_or_insert_with(Default::default)
            .set("code", self.code.as_str());
        err
    }

    /// Logs `detail` and returns an error whose message says nothing about it.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "internal error");
        Self::new(
            ErrorCode::InternalError,
            format!("internal error: {detail}"),
        )
    }
}

/// The message shown for `INTERNAL_ERROR` when debug is off.
pub const MASKED_MESSAGE: &str = "Internal server error";

impl GqlError {
    /// The error as a client may see it: an `INTERNAL_ERROR`'s detail only when debug is on, as
    /// [`finish_response`] does for the errors of a response.
    pub fn masked(self, debug: bool) -> GqlError {
        if self.code == ErrorCode::InternalError && !debug {
            return GqlError::new(ErrorCode::InternalError, MASKED_MESSAGE);
        }
        self
    }
}

impl From<GqlError> for async_graphql::Error {
    fn from(err: GqlError) -> Self {
        async_graphql::Error::new(err.message)
            .extend_with(|_, ext| ext.set("code", err.code.as_str()))
    }
}

impl From<sea_orm::DbErr> for GqlError {
    /// An error the request's values caused is `BAD_USER_INPUT`; any other is internal.
    fn from(err: sea_orm::DbErr) -> Self {
        match input_fault(&err) {
            Some(reason) => GqlError::bad_input(format!("the database refused a value: {reason}")),
            None => GqlError::internal(err),
        }
    }
}

impl GqlError {
    /// A database error met running a statement built from the argument `argument`: one its
    /// values caused (a value out of a column's range, a statement too large for the database)
    /// is `BAD_USER_INPUT` naming the argument; any other is internal.
    pub fn from_db(err: sea_orm::DbErr, argument: &str) -> GqlError {
        match input_fault(&err) {
            Some(reason) => GqlError::bad_input(format!(
                "`{argument}`: the database refused its values: {reason}"
            )),
            None => GqlError::internal(err),
        }
    }
}

/// Why the database refused a statement because of the values in it, if that is why: SQLSTATE
/// classes 22 (data exception) and 54 (program limit exceeded) on PostgreSQL, SQLite's limits on
/// variables, expression depth, pattern and value size, and the driver's parameter limit.
/// Everything else (a lost connection, a bug in a statement) is the server's fault.
pub(crate) fn input_fault(err: &sea_orm::DbErr) -> Option<&'static str> {
    use sea_orm::sqlx::Error as SqlxError;
    use sea_orm::{DbErr, RuntimeErr};
    const OUT_OF_RANGE: &str = "a value is outside what its column can hold";
    const MALFORMED: &str = "a value is not valid for its column";
    const TOO_LARGE: &str = "the statement is too large for the database; ask for fewer values";
    let (DbErr::Query(RuntimeErr::SqlxError(sqlx)) | DbErr::Exec(RuntimeErr::SqlxError(sqlx))) =
        err
    else {
        return None;
    };
    match &**sqlx {
        SqlxError::Protocol(message) if message.contains("too many arguments") => Some(TOO_LARGE),
        SqlxError::Database(db) => {
            let code = db.code().unwrap_or_default();
            let message = db.message();
            match code.as_ref() {
                // PostgreSQL: numeric_value_out_of_range, datetime_field_overflow,
                // interval_field_overflow, string_data_right_truncation.
                "22003" | "22008" | "22015" | "22001" => Some(OUT_OF_RANGE),
                sqlstate if sqlstate.len() == 5 && sqlstate.starts_with("22") => Some(MALFORMED),
                sqlstate if sqlstate.len() == 5 && sqlstate.starts_with("54") => Some(TOO_LARGE),
                // SQLite: SQLITE_TOOBIG, and SQLITE_ERROR's limits.
                "18" => Some(TOO_LARGE),
                "1" if [
                    "too many SQL variables",
                    "Expression tree is too large",
                    "LIKE or GLOB pattern too complex",
                    "parser stack overflow",
                    // ORDER BY, GROUP BY, compound SELECT.
                    "too many terms in",
                    "too many columns",
                ]
                .iter()
                .any(|limit| message.contains(limit)) =>
                {
                    Some(TOO_LARGE)
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// The code an error carries, if any.
pub fn code_of(err: &async_graphql::ServerError) -> Option<&str> {
    match err.extensions.as_ref()?.get("code")? {
        async_graphql::Value::String(code) => Some(code),
        _ => None,
    }
}

/// Gives an error from user code (a computed field) the `INTERNAL_ERROR` code unless it has one,
/// so that every error a resolver returns is coded.
pub fn ensure_code(err: async_graphql::Error) -> async_graphql::Error {
    let has_code = err
        .extensions
        .as_ref()
        .is_some_and(|ext| ext.get("code").is_some());
    if has_code {
        return err;
    }
    tracing::error!(error = %err.message, "error from a computed field");
    err.extend_with(|_, ext| ext.set("code", ErrorCode::InternalError.as_str()))
}

/// Gives every error of a response a code and masks internal ones.
///
/// Every error raised by a resolver body carries a code (runtime resolvers build coded errors;
/// generated code passes computed-field errors through [`ensure_code`]). So an error without one
/// was raised by async-graphql itself: a parse or validation error, or an argument that does not
/// coerce to its type. Those are the client's: `BAD_USER_INPUT`.
pub fn finish_response(response: &mut async_graphql::Response, debug: bool) {
    finish_response_with(response, debug, None);
}

/// Your own wording of the errors a response carries (the seed's `error_handler_class`): given
/// to the router in `http::Services::error_formatter`.
pub trait ErrorFormatter: Send + Sync + 'static {
    /// May rewrite `error`'s message and add extensions. Its code is set before and after the
    /// formatter runs, so the formatter cannot change it, and an `INTERNAL_ERROR` is masked
    /// after it in production whatever it wrote: a formatter cannot reveal one.
    fn format(&self, error: &mut async_graphql::ServerError, code: &str);
}

/// [`finish_response`], with `formatter` run on each error first.
pub fn finish_response_with(
    response: &mut async_graphql::Response,
    debug: bool,
    formatter: Option<&dyn ErrorFormatter>,
) {
    for err in &mut response.errors {
        let code = code_of(err)
            .unwrap_or(ErrorCode::BadUserInput.as_str())
            .to_owned();
        if let Some(formatter) = formatter {
            formatter.format(err, &code);
        }
        // After the formatter, which may have rewritten the message: masking comes last.
        if code == ErrorCode::InternalError.as_str() && !debug {
            err.message = MASKED_MESSAGE.to_owned();
            // Whatever the formatter added could hold the cause too.
            err.extensions = None;
        }
        err.extensions
            .get_or_insert_with(Default::default)
            .set("code", code);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server_error(message: &str, code: Option<&str>, path: bool) -> async_graphql::ServerError {
        let mut err = async_graphql::ServerError::new(message, None);
        if let Some(code) = code {
            err.extensions
                .get_or_insert_with(Default::default)
                .set("code", code);
        }
        if path {
            err.path
                .push(async_graphql::PathSegment::Field("products".into()));
        }
        err
    }

    #[test]
    fn a_formatter_rewords_errors_but_cannot_change_codes_or_unmask() {
        struct Shouting;
        impl ErrorFormatter for Shouting {
            fn format(&self, error: &mut async_graphql::ServerError, code: &str) {
                error.message = format!("{code}: {}", error.message.to_uppercase());
                error
                    .extensions
                    .get_or_insert_with(Default::default)
                    .set("code", "ALL_GOOD");
            }
        }
        let mut response = async_graphql::Response::default();
        response.errors = vec![
            server_error("bad cursor", Some("BAD_USER_INPUT"), true),
            server_error("connection refused", Some("INTERNAL_ERROR"), true),
        ];
        finish_response_with(&mut response, false, Some(&Shouting));
        assert_eq!(response.errors[0].message, "BAD_USER_INPUT: BAD CURSOR");
        assert_eq!(code_of(&response.errors[0]), Some("BAD_USER_INPUT"));
        assert_eq!(response.errors[1].message, MASKED_MESSAGE);
        assert_eq!(code_of(&response.errors[1]), Some("INTERNAL_ERROR"));
    }

    #[test]
    fn uncoded_errors_get_a_code_and_internal_ones_are_masked() {
        let mut response = async_graphql::Response::default();
        response.errors = vec![
            server_error("Unknown field \"x\"", None, false),
            server_error("connection refused", Some("INTERNAL_ERROR"), true),
            server_error("Failed to parse \"Int\"", None, true),
            server_error("bad cursor", Some("BAD_USER_INPUT"), true),
        ];
        finish_response(&mut response, false);
        let codes: Vec<_> = response
            .errors
            .iter()
            .map(|e| code_of(e).unwrap())
            .collect();
        assert_eq!(
            codes,
            [
                "BAD_USER_INPUT",
                "INTERNAL_ERROR",
                "BAD_USER_INPUT",
                "BAD_USER_INPUT"
            ]
        );
        assert_eq!(response.errors[1].message, MASKED_MESSAGE);
        assert_eq!(response.errors[2].message, "Failed to parse \"Int\"");
        assert_eq!(response.errors[3].message, "bad cursor");
    }

    #[test]
    fn debug_keeps_internal_messages() {
        let mut response = async_graphql::Response::default();
        response.errors = vec![server_error(
            "connection refused",
            Some("INTERNAL_ERROR"),
            true,
        )];
        finish_response(&mut response, true);
        assert_eq!(response.errors[0].message, "connection refused");
    }
}

#[cfg(test)]
mod ensure_code_tests {
    use super::*;

    #[test]
    fn computed_field_errors_keep_their_code_or_get_internal_error() {
        let plain = ensure_code(async_graphql::Error::new("db down"));
        let coded = ensure_code(GqlError::not_found("no such order").into());
        let code =
            |e: &async_graphql::Error| e.extensions.as_ref().and_then(|x| x.get("code")).cloned();
        assert_eq!(
            code(&plain),
            Some(async_graphql::Value::from("INTERNAL_ERROR"))
        );
        assert_eq!(code(&coded), Some(async_graphql::Value::from("NOT_FOUND")));
    }
}
