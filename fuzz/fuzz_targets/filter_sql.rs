//! Variables → filter condition → SQL on arbitrary input. The bytes are read as JSON: an object
//! with an `f` field is the variables, anything else is the value of `$f`, in
//!
//! ```graphql
//! query($f: ProductFilter) { products(filter: $f, first: 5) { totalCount edges { node { id } } } }
//! ```
//!
//! run as the HTTP layer runs it (`limits::check_request`, then the example app's schema with an
//! anonymous caller, then `error::finish_response`) against an in-memory SQLite database with
//! the test fixture, built once per process. No input may panic, overflow the stack or get an
//! error coded `INTERNAL_ERROR` (a database error, such as SQLite refusing a statement).
//!
//! Execution runs on a thread with a 2 MiB stack, the size of tokio's worker threads.

#![no_main]

use std::sync::OnceLock;

use async_graphql::{Request, Variables};
use example_app::AppSchema;
use gqlgen_runtime::batch::RequestCache;
use gqlgen_runtime::{Caller, Config, ErrorCode};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

const QUERY: &str = "query($f: ProductFilter) { products(filter: $f, first: 5) { totalCount \
                     edges { node { id } } } }";

/// The stack of a tokio worker thread.
const STACK: usize = 2 << 20;

struct App {
    runtime: tokio::runtime::Runtime,
    schema: AppSchema,
    config: Config,
}

/// The app, built on first use: a current-thread runtime, SQLite in memory with the fixture.
fn app() -> &'static App {
    static APP: OnceLock<App> = OnceLock::new();
    APP.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime");
        // The default limits, with debug on so that an internal error shows its message.
        let config = Config::testing();
        let schema = runtime.block_on(async {
            let options = gqlgen_runtime::db::options("sqlite::memory:");
            let db = sea_orm::Database::connect(options)
                .await
                .expect("in-memory SQLite opens");
            example_app::migrate::migrate(&db).await.expect("migrate");
            gqlgen_tests::insert_fixture(&db).await;
            example_app::schema(db, config.clone())
        });
        App {
            runtime,
            schema,
            config,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let variables = match value {
        Value::Object(ref fields) if fields.contains_key("f") => value,
        other => json!({ "f": other }),
    };
    let app = app();
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(STACK)
            .spawn_scoped(scope, || run(app, &variables))
            .expect("a thread")
            .join()
            .expect("no panic");
    });
});

fn run(app: &App, variables: &Value) {
    let config = &app.config;
    let mut request = Request::new(QUERY).variables(Variables::from_json(variables.clone()));
    let checked = gqlgen_runtime::limits::check_request(
        &mut request,
        &config.limits,
        config.default_page_size,
        config.introspection,
    );
    if let Err(err) = checked {
        assert_ne!(
            err.code,
            ErrorCode::InternalError,
            "INTERNAL_ERROR from the analysis of {variables}: {}",
            err.message
        );
        return;
    }
    let request = request
        .data(RequestCache::default())
        .data(Caller::default());
    let mut response = app.runtime.block_on(app.schema.execute(request));
    gqlgen_runtime::error::finish_response(&mut response, config.debug);
    for err in &response.errors {
        let code = gqlgen_runtime::error::code_of(err);
        assert_ne!(
            code,
            Some(ErrorCode::InternalError.as_str()),
            "INTERNAL_ERROR for {variables}: {}",
            err.message
        );
    }
}
