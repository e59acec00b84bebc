//! Opening a database. SQLite's built-in `lower()` folds ASCII only, so `icontains` would miss
//! `É` / `é` there while PostgreSQL matches it; every SQLite connection opened here replaces
//! `lower()` with a Unicode one, and turns on case-sensitive `LIKE` so that `contains` means the
//! same on both backends.

use std::ffi::{CStr, c_int};
use std::time::Duration;

use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};

/// Connects to `url` (`sqlite:...` or `postgres://...`) with the settings the runtime relies on.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    Database::connect(options(url)).await
}

/// The connect options [`connect`] uses, to adjust before connecting (a schema search path, a
/// pool size).
pub fn options(url: &str) -> ConnectOptions {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10))
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
