//! Benchmarks of gqlgen. The relations benchmark (`benches/relations.rs`) answers one
//! list-with-relations query ([`relations_query`]) with four servers over the same database:
//!
//! - [`Kind::Gqlgen`]: the example app's generated API;
//! - [`Kind::Baseline`]: the same listing written by hand with async-graphql's DataLoader
//!   ([`baseline`]);
//! - [`Kind::Raw`]: that one query answered with sqlx and a JSON writer, no GraphQL and no ORM
//!   ([`raw`]), the limit of the stack;
//! - [`Kind::RawJson`]: on PostgreSQL only, that query answered by one SQL statement that builds
//!   the JSON in the database ([`raw_json`]), the way Hasura and PostGraphile plan a root field.
//!
//! `bench-server` serves any of them as a process of its own, so that its memory can be measured
//! apart from the load generator. [`database`] makes and seeds the databases, [`agreement`]
//! checks that the servers answer the same data, [`client`] is the load generator's HTTP client,
//! and [`cpu`] reads the CPU the server, the load generator and the machine use.

pub mod agreement;
pub mod baseline;
pub mod client;
pub mod cpu;
pub mod database;
pub mod raw;
pub mod raw_json;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use gqlgen_runtime::Config;
use gqlgen_runtime::config::DatabaseSettings;

use crate::database::Backend;
use crate::raw_json::JsonPlan;

/// The servers the benchmark compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The example app's generated API.
    Gqlgen,
    /// The same with the response cache on (`GRAPHQL_CACHING_ENABLED`): after the first
    /// request, every answer is a hit.
    GqlgenCached,
    /// gqlgen as it runs in production: JSON logs at INFO (written to nowhere), so every span
    /// of requests, operations and SQL statements is made and every log line formatted.
    GqlgenLogged,
    /// The hand-written async-graphql + DataLoader server of [`baseline`].
    Baseline,
    /// The hand-written sqlx handler of [`raw`].
    Raw,
    /// The one-statement PostgreSQL handler of [`raw_json`].
    RawJson,
}

impl Kind {
    /// Every server, in the order of reports.
    pub const ALL: [Kind; 6] = [
        Kind::Gqlgen,
        Kind::GqlgenCached,
        Kind::GqlgenLogged,
        Kind::Baseline,
        Kind::Raw,
        Kind::RawJson,
    ];

    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Gqlgen => "gqlgen",
            Kind::GqlgenCached => "gqlgen-cached",
            Kind::GqlgenLogged => "gqlgen-logged",
            Kind::Baseline => "baseline",
            Kind::Raw => "raw",
            Kind::RawJson => "raw-json",
        }
    }

    /// Whether the server runs on `backend`: [`Kind::RawJson`] needs PostgreSQL.
    pub fn runs_on(self, backend: Backend) -> bool {
        self != Kind::RawJson || backend == Backend::Postgres
    }

    /// Parses a name given by [`Kind::name`].
    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.name() == name)
    }
}

/// The settings the example app runs with in the benchmark: development, with pages of up to
/// 1,000 rows.
pub fn gqlgen_config() -> Config {
    let mut config = Config {
        max_page_size: 1000,
        ..Config::development()
    };
    // The load generator is one client: the limits would measure themselves, not the API.
    config.rate_limit.enabled = false;
    config.limits.max_complexity = u64::MAX;
    config
}

/// The reviews the benchmark query asks for per product: `reviews(first: 3)`.
pub const REVIEWS_PER_PRODUCT: u32 = 3;

/// What [`relations_query`] selects of `products(first: N)`, from the space after `)` to the
/// end of the query.
const PRODUCTS_SELECTION: &str = " { edges { node { name category { name parent { name } } \
     tags { edges { node { name } } } owner { username } \
     reviews(first: 3) { edges { node { rating } } } } } } }";

/// The start of [`relations_query`], up to the page size.
const PRODUCTS_FIELD: &str = "{ products(first: ";

/// The list-with-relations query of the benchmark, for a page of `first` products.
pub fn relations_query(first: u32) -> String {
    format!("{PRODUCTS_FIELD}{first}){PRODUCTS_SELECTION}")
}

/// The page size of a query that is exactly [`relations_query`]`(first)`; `None` for any other
/// text.
pub fn relations_page_size(query: &str) -> Option<u32> {
    let (digits, selection) = query.strip_prefix(PRODUCTS_FIELD)?.split_once(')')?;
    if selection != PRODUCTS_SELECTION || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The number of SQL statements a server has run, shared between the server and whoever reads
/// it.
#[derive(Debug, Clone, Default)]
pub struct StatementCounter(Arc<AtomicU64>);

impl StatementCounter {
    /// Counts one statement.
    pub fn add_one(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    /// The statements counted so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// One of the benchmark's servers, ready to serve.
pub struct Server {
    /// `POST /graphql` answering [`relations_query`].
    pub router: axum::Router,
    /// The SQL statements the server runs.
    pub statements: StatementCounter,
}

/// How a server is set up besides its kind: `bench-server`'s options.
#[derive(Debug, Clone, Default)]
pub struct ServerSettings {
    /// The pool: `bench-server --max-connections N` sets `max_connections`, the rest stays at
    /// the runtime's defaults.
    pub database: DatabaseSettings,
    /// The statement [`Kind::RawJson`] runs (`bench-server --raw-json-plan`).
    pub json_plan: JsonPlan,
}

/// [`server_with`] with the default [`ServerSettings`]: the runtime's default pool.
pub async fn server(kind: Kind, url: &str) -> Result<Server, String> {
    server_with(kind, url, &ServerSettings::default()).await
}

/// Opens the database at `url` (`sqlite:...` or `postgres://...`) with
/// `gqlgen_runtime::db::connect_with` and `settings.database`, so that every server has the same
/// pool settings, and builds the server of `kind` over it. gqlgen and the baseline run their
/// statements through sea-orm, whose metric callback counts them; the raw servers use the sqlx
/// pool under the same connection and count their statements themselves.
pub async fn server_with(
    kind: Kind,
    url: &str,
    settings: &ServerSettings,
) -> Result<Server, String> {
    let mut db = gqlgen_runtime::db::connect_with(url, &settings.database)
        .await
        .map_err(|err| format!("cannot open the database: {err}"))?;
    let statements = StatementCounter::default();
    let router = match kind {
        Kind::Gqlgen | Kind::GqlgenCached | Kind::GqlgenLogged | Kind::Baseline => {
            let counter = statements.clone();
            db.set_metric_callback(move |_| counter.add_one());
            if kind == Kind::Baseline {
                baseline::router(db)
            } else {
                let mut config = gqlgen_config();
                config.caching_enabled = kind == Kind::GqlgenCached;
                example_app::router(db, example_app::with_signing_key(config))
                    .map_err(|err| format!("the example app does not start: {err}"))?
            }
        }
        Kind::Raw => raw::router(raw::Pool::of(&db)?, statements.clone()),
        Kind::RawJson => match raw::Pool::of(&db)? {
            raw::Pool::Postgres(pool) => {
                raw_json::router(pool, settings.json_plan, statements.clone())
            }
            raw::Pool::Sqlite(_) => return Err("raw-json runs on PostgreSQL only".to_owned()),
        },
    };
    Ok(Server { router, statements })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_size_is_read_back_from_the_query_and_other_queries_are_refused() {
        for first in [0, 10, 1000] {
            assert_eq!(relations_page_size(&relations_query(first)), Some(first));
        }
        let query = relations_query(10);
        assert_eq!(relations_page_size(&query.replace("rating", "id")), None);
        assert_eq!(relations_page_size(&query.replace("10", "+10")), None);
        assert_eq!(relations_page_size(&query.replace("10", "")), None);
        assert_eq!(
            relations_page_size("{ products { edges { node { name } } } }"),
            None
        );
    }

    #[test]
    fn the_query_asks_for_the_reviews_per_product_the_raw_server_returns() {
        let reviews = format!("reviews(first: {REVIEWS_PER_PRODUCT})");
        assert!(relations_query(10).contains(&reviews));
    }

    #[test]
    fn kinds_are_named_and_parsed_back() {
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.name()), Some(kind));
        }
        assert_eq!(Kind::parse("other"), None);
    }

    #[test]
    fn only_raw_json_needs_postgres() {
        for kind in Kind::ALL {
            assert!(kind.runs_on(Backend::Postgres));
            assert_eq!(kind.runs_on(Backend::Sqlite), kind != Kind::RawJson);
        }
    }
}
