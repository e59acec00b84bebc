//! Opening a database. A server that cannot be reached is reported at once with the cause and
//! the address ([`ConnectError`]), and the pool is sized and timed by [`DatabaseSettings`].
//! SQLite's built-in `lower()` folds ASCII only, so `icontains` would miss `É` / `é` there while
//! PostgreSQL matches it; every SQLite connection opened here replaces `lower()` with a Unicode
//! one, and turns on case-sensitive `LIKE` so that `contains` means the same on both backends.
//! Redis connections (revocations, rate-limit buckets) are opened here too, with short timeouts:
//! while Redis is down each command fails within [`REDIS_TIMEOUT`] instead of waiting out the
//! client's reconnection backoff, so requests are not held up by an outage.

use std::ffi::{CStr, c_int};
use std::fmt;
use std::time::Duration;

use sea_orm::sqlx::postgres::{PgConnectOptions, PgConnection};
use sea_orm::sqlx::{self, ConnectOptions as _, Connection as _};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr, RuntimeErr};

use crate::config::DatabaseSettings;

/// Why a database could not be opened: the cause, and for PostgreSQL the address tried, as in
/// `connection refused (127.0.0.1:5432)`. It never holds the URL, hence never a password: the
/// caller names the database the way it shows URLs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectError {
    message: String,
}

impl ConnectError {
    fn new(message: impl Into<String>) -> ConnectError {
        ConnectError {
            message: message.into(),
        }
    }
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConnectError {}

impl From<ConnectError> for DbErr {
    fn from(err: ConnectError) -> DbErr {
        DbErr::Conn(RuntimeErr::Internal(err.message))
    }
}

/// Connects to `url` (`sqlite:...` or `postgres://...`) with the default pool settings; see
/// [`connect_with`].
pub async fn connect(url: &str) -> Result<DatabaseConnection, ConnectError> {
    connect_with(url, &DatabaseSettings::default()).await
}

/// Connects to `url` (`sqlite:...` or `postgres://...`) with the pool `settings` and the
/// settings the runtime relies on. A PostgreSQL server is first reached with one plain
/// connection bounded by `connect_timeout`, whose error is returned with the address: the pool
/// would retry a refused connection until `acquire_timeout`, then report only that it timed out.
pub async fn connect_with(
    url: &str,
    settings: &DatabaseSettings,
) -> Result<DatabaseConnection, ConnectError> {
    let address = if is_postgres(url) {
        let options = url
            .parse::<PgConnectOptions>()
            .map_err(|err| ConnectError::new(format!("the URL is not usable: {}", cause(&err))))?;
        let address = pg_address(&options);
        probe_postgres(options, &address, settings.connect_timeout).await?;
        Some(address)
    } else if url.starts_with("sqlite:") {
        None
    } else {
        // sea-orm's own message here would repeat the URL, password included.
        return Err(ConnectError::new(
            "unsupported URL scheme; use sqlite:PATH or postgres://USER@HOST/DATABASE",
        ));
    };
    let mut db = Database::connect(options_with(url, settings))
        .await
        .map_err(|err| {
            let cause = match &err {
                DbErr::Conn(RuntimeErr::SqlxError(err)) => match err.as_ref() {
                    sqlx::Error::PoolTimedOut => format!(
                        "no connection within {:?} (DB_ACQUIRE_TIMEOUT)",
                        settings.acquire_timeout
                    ),
                    other => cause(other),
                },
                other => other.to_string(),
            };
            match &address {
                Some(address) => ConnectError::new(format!("{cause} ({address})")),
                None => ConnectError::new(cause),
            }
        })?;
    // Statements are counted for the metrics and the per-request log, and logged one by one
    // with `log_queries`.
    db.set_metric_callback(crate::observe::statement_callback(settings.log_queries));
    Ok(db)
}

/// The connect options [`connect`] uses, to adjust before connecting (a schema search path, a
/// pool size).
pub fn options(url: &str) -> ConnectOptions {
    options_with(url, &DatabaseSettings::default())
}

/// A pooled connection idle at least this long is pinged before it is handed out. sqlx pings on
/// every acquire by default: a round trip before each statement, 6 of them for the benchmark's
/// query. A connection used within the last half second is taken as alive, as HikariCP's
/// `aliveBypassWindowMs` does; one that died in that window fails its statement, and the pool
/// replaces it.
pub const PING_IF_IDLE_FOR: Duration = Duration::from_millis(500);

/// The connect options [`connect_with`] uses: the pool sized and timed by `settings`, except
/// that an in-memory SQLite database keeps exactly one connection.
pub fn options_with(url: &str, settings: &DatabaseSettings) -> ConnectOptions {
    let mut options = ConnectOptions::new(url.to_owned());
    // sea-orm's `connect_timeout` only sets the pool's acquire timeout, which `acquire_timeout`
    // overrides, so it is left unset; `settings.connect_timeout` bounds the probe instead.
    options
        .max_connections(settings.max_connections)
        .min_connections(settings.min_connections)
        .acquire_timeout(settings.acquire_timeout)
        .idle_timeout(settings.idle_timeout)
        .test_before_acquire_if_idle_for(PING_IF_IDLE_FOR)
        .sqlx_logging(false);
    if url.starts_with("sqlite:") {
        if url.contains(":memory:") {
            // Every in-memory connection is its own database: keep exactly one.
            options.max_connections(1).min_connections(1);
        }
        options.map_sqlx_sqlite_opts(|opts| {
            opts.pragma("case_sensitive_like", "ON")
                .pragma("foreign_keys", "ON")
                .busy_timeout(Duration::from_secs(10))
        });
        options.map_sqlx_sqlite_pool_opts(|pool| {
            pool.after_connect(|conn, _meta| {
                Box::pin(async move {
                    let mut handle = conn.lock_handle().await?;
                    register_unicode_lower(handle.as_raw_handle().as_ptr());
                    Ok(())
                })
            })
        });
    }
    options
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://")
}

/// Where a PostgreSQL connection goes, for messages: `host:port`, or the socket's directory.
fn pg_address(options: &PgConnectOptions) -> String {
    match options.get_socket() {
        Some(socket) => socket.display().to_string(),
        None => format!("{}:{}", options.get_host(), options.get_port()),
    }
}

/// Opens and closes one connection, so that an unreachable server is reported with its cause
/// within `timeout`.
async fn probe_postgres(
    options: PgConnectOptions,
    address: &str,
    timeout: Duration,
) -> Result<(), ConnectError> {
    let options = options.disable_statement_logging();
    match tokio::time::timeout(timeout, PgConnection::connect_with(&options)).await {
        Ok(Ok(conn)) => {
            // Only the answer mattered; a failed or slow goodbye changes nothing.
            let _ = tokio::time::timeout(timeout, conn.close()).await;
            Ok(())
        }
        Ok(Err(err)) => Err(ConnectError::new(format!("{} ({address})", cause(&err)))),
        Err(_) => Err(ConnectError::new(format!(
            "no answer within {timeout:?} (DB_CONNECT_TIMEOUT) ({address})"
        ))),
    }
}

/// The cause of a connection error without sqlx's framing ("error communicating with
/// database: ..."), which says nothing the caller's "cannot open database" does not.
fn cause(err: &sqlx::Error) -> String {
    match err {
        sqlx::Error::Io(io) => match io.kind() {
            std::io::ErrorKind::ConnectionRefused => "connection refused".to_owned(),
            std::io::ErrorKind::TimedOut => "connection timed out".to_owned(),
            _ => io.to_string(),
        },
        sqlx::Error::Database(db) => db.message().to_owned(),
        sqlx::Error::Configuration(cause) => cause.to_string(),
        sqlx::Error::Tls(cause) => format!("TLS: {cause}"),
        other => other.to_string(),
    }
}

fn register_unicode_lower(db: *mut libsqlite3_sys::sqlite3) {
    // SAFETY: `db` is a live connection handle held locked by the caller; the function has no
    // user data and SQLite copies the name.
    let rc = unsafe {
        libsqlite3_sys::sqlite3_create_function_v2(
            db,
            c"lower".as_ptr(),
            1,
            libsqlite3_sys::SQLITE_UTF8 | libsqlite3_sys::SQLITE_DETERMINISTIC,
            std::ptr::null_mut(),
            Some(unicode_lower),
            None,
            None,
            None,
        )
    };
    if rc != libsqlite3_sys::SQLITE_OK {
        tracing::warn!(rc, "could not install Unicode lower() on SQLite");
    }
}

unsafe extern "C" fn unicode_lower(
    ctx: *mut libsqlite3_sys::sqlite3_context,
    argc: c_int,
    argv: *mut *mut libsqlite3_sys::sqlite3_value,
) {
    // SAFETY: SQLite calls this with `argc` valid values; text pointers stay valid until the
    // value is changed, and SQLITE_TRANSIENT makes SQLite copy the result.
    unsafe {
        if argc != 1 {
            libsqlite3_sys::sqlite3_result_null(ctx);
            return;
        }
        let value = *argv;
        if libsqlite3_sys::sqlite3_value_type(value) == libsqlite3_sys::SQLITE_NULL {
            libsqlite3_sys::sqlite3_result_null(ctx);
            return;
        }
        let text = libsqlite3_sys::sqlite3_value_text(value);
        if text.is_null() {
            libsqlite3_sys::sqlite3_result_null(ctx);
            return;
        }
        let lowered = CStr::from_ptr(text.cast()).to_string_lossy().to_lowercase();
        libsqlite3_sys::sqlite3_result_text(
            ctx,
            lowered.as_ptr().cast(),
            lowered.len() as c_int,
            libsqlite3_sys::SQLITE_TRANSIENT(),
        );
    }
}

/// The longest a Redis command may take, reconnecting included, before it counts as failed.
pub const REDIS_TIMEOUT: Duration = Duration::from_millis(750);

/// A multiplexed Redis connection to `url` (`REDIS_URL`) that reconnects by itself, quickly:
/// short connection and response timeouts and few retries. Connects now, so a wrong URL or an
/// unreachable server stops start-up; messages name `REDIS_URL`, never the URL (it may hold a
/// password).
pub async fn redis_connection(url: &str) -> Result<redis::aio::ConnectionManager, String> {
    let client = redis::Client::open(url)
        .map_err(|error| format!("REDIS_URL is not a valid Redis URL: {error}"))?;
    let config = redis::aio::ConnectionManagerConfig::new()
        .set_number_of_retries(1)
        .set_min_delay(Duration::from_millis(50))
        .set_max_delay(Duration::from_millis(250))
        .set_connection_timeout(Some(Duration::from_millis(500)))
        .set_response_timeout(Some(Duration::from_millis(500)));
    redis::aio::ConnectionManager::new_with_config(client, config)
        .await
        .map_err(|error| format!("cannot connect to Redis at REDIS_URL: {error}"))
}

/// Runs one Redis command within [`REDIS_TIMEOUT`]: a slow or absent server is an error.
pub(crate) async fn redis_call<T>(
    command: impl std::future::Future<Output = redis::RedisResult<T>>,
) -> redis::RedisResult<T> {
    match tokio::time::timeout(REDIS_TIMEOUT, command).await {
        Ok(result) => result,
        Err(_) => Err(redis::RedisError::from((
            redis::ErrorKind::Io,
            "no answer in time",
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_redis_command_without_an_answer_fails_within_the_timeout() {
        let started = std::time::Instant::now();
        let result: redis::RedisResult<()> = redis_call(std::future::pending()).await;
        assert!(result.is_err());
        assert!(
            started.elapsed() < REDIS_TIMEOUT * 2,
            "{:?}",
            started.elapsed()
        );
    }

    #[tokio::test]
    async fn a_refused_connection_names_the_cause_and_the_address_but_not_the_password() {
        let started = std::time::Instant::now();
        let err = connect("postgres://u:s3cret@127.0.0.1:1/x")
            .await
            .unwrap_err();
        assert_eq!(err.to_string(), "connection refused (127.0.0.1:1)");
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    #[tokio::test]
    async fn a_reachable_postgres_opens_after_the_probe() {
        // Runs when `DATABASE_URL` names a PostgreSQL server, as the integration tests do.
        let Some(url) = std::env::var("DATABASE_URL")
            .ok()
            .filter(|url| url.starts_with("postgres"))
        else {
            return;
        };
        let db = connect(&url).await.expect("the database opens");
        db.ping().await.expect("the pool answers");
        db.close().await.expect("the pool closes");
    }

    #[tokio::test]
    async fn an_unsupported_url_is_not_echoed() {
        let err = connect("mysql://u:s3cret@h/x").await.unwrap_err();
        assert!(!err.to_string().contains("s3cret"), "{err}");
        let err = connect("postgres://u:s3cret@h:99999/x").await.unwrap_err();
        assert!(!err.to_string().contains("s3cret"), "{err}");
    }

    #[test]
    fn the_pool_follows_the_settings_but_in_memory_sqlite_keeps_one_connection() {
        let settings = DatabaseSettings {
            max_connections: 7,
            min_connections: 2,
            acquire_timeout: Duration::from_secs(3),
            connect_timeout: Duration::from_secs(1),
            idle_timeout: Duration::from_secs(60),
            log_queries: false,
        };
        let options = options_with("postgres://u@h/x", &settings);
        assert_eq!(options.get_max_connections(), Some(7));
        assert_eq!(options.get_min_connections(), Some(2));
        assert_eq!(options.get_acquire_timeout(), Some(Duration::from_secs(3)));
        assert!(!options.get_test_before_acquire());
        assert_eq!(
            options.get_test_before_acquire_if_idle_for(),
            Some(PING_IF_IDLE_FOR)
        );
        let options = options_with("sqlite::memory:", &settings);
        assert_eq!(options.get_max_connections(), Some(1));
        assert_eq!(options.get_min_connections(), Some(1));
    }
}
