//! The benchmark's databases, seeded like the example app (`example_app::migrate` then
//! `example_app::seed`: 1,000 products, 2,000 reviews): a temporary SQLite file
//! ([`SqliteFile`]), and on PostgreSQL a database of its own ([`PostgresDatabase`],
//! [`PostgresDatabase::BENCH`] for the benchmark), made on the server that `DATABASE_URL` names,
//! so that the tests' database is left alone.

use std::path::{Path, PathBuf};

use sqlx::Connection as _;

/// The backends the benchmark runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Every backend, in the order of a run.
    pub const ALL: [Backend; 2] = [Backend::Sqlite, Backend::Postgres];

    /// The name used in settings (`BENCH_BACKENDS`): `sqlite`, `postgres`.
    pub fn key(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    /// Parses a name given by [`Backend::key`].
    pub fn parse(key: &str) -> Option<Backend> {
        Backend::ALL
            .into_iter()
            .find(|backend| backend.key() == key)
    }

    /// The name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

/// A SQLite file under the system temp directory, removed (with its journal files) when
/// dropped.
pub struct SqliteFile {
    path: PathBuf,
}

impl SqliteFile {
    /// A fresh file named after `label` and this process.
    pub fn new(label: &str) -> SqliteFile {
        let path = std::env::temp_dir().join(format!(
            "gqlgen-bench-{label}-{}.sqlite",
            std::process::id()
        ));
        let file = SqliteFile { path };
        file.remove();
        file
    }

    /// Where the file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The URL to open it with, creating it if needed.
    pub fn url(&self) -> String {
        format!("sqlite://{}?mode=rwc", self.path.display())
    }

    fn remove(&self) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut name = self.path.clone().into_os_string();
            name.push(suffix);
            let _ = std::fs::remove_file(name);
        }
    }
}

impl Drop for SqliteFile {
    fn drop(&mut self) {
        self.remove();
    }
}

/// `DATABASE_URL` when it names a PostgreSQL server, as for the integration tests.
pub fn postgres_url_from_env() -> Option<String> {
    std::env::var("DATABASE_URL")
        .ok()
        .filter(|url| url.starts_with("postgres://") || url.starts_with("postgresql://"))
}

/// A database of its own on a PostgreSQL server, created empty (a leftover of an interrupted
/// run is dropped first). It stays until [`PostgresDatabase::drop_database`].
pub struct PostgresDatabase {
    /// The URL it was made through, whose database is left alone.
    server_url: String,
    name: String,
    url: String,
}

impl PostgresDatabase {
    /// The database the benchmark runs in.
    pub const BENCH: &str = "gqlgen_bench";

    /// Creates the database `name` (lowercase letters, digits and `_`) on the server of
    /// `server_url`, connecting to that URL's database to do so. Messages never repeat the URL,
    /// which may hold a password.
    pub async fn create(server_url: &str, name: &str) -> Result<PostgresDatabase, String> {
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(format!("`{name}` is not a plain database name"));
        }
        let mut url = url::Url::parse(server_url)
            .map_err(|err| format!("DATABASE_URL is not a URL: {err}"))?;
        url.set_path(name);
        let database = PostgresDatabase {
            server_url: server_url.to_owned(),
            name: name.to_owned(),
            url: url.to_string(),
        };
        // One statement at a time: several in one query string would share a transaction.
        database
            .run(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await?;
        database.run(format!("CREATE DATABASE {name}")).await?;
        Ok(database)
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The URL of the database.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Drops the database, closing whatever connections are still open on it.
    pub async fn drop_database(self) -> Result<(), String> {
        self.run(format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ))
        .await
    }

    /// Runs the statement `sql`, which cannot run in a transaction, on the database of the
    /// server's URL.
    async fn run(&self, sql: String) -> Result<(), String> {
        let mut connection = sqlx::PgConnection::connect(&self.server_url)
            .await
            .map_err(|err| format!("cannot connect to DATABASE_URL: {err}"))?;
        // `sql` names only a database whose name `create` checked.
        let result = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.clone()))
            .execute(&mut connection)
            .await;
        let _ = connection.close().await;
        result
            .map(drop)
            .map_err(|err| format!("`{sql}` failed: {err}"))
    }
}

/// Creates the example app's tables in the empty database at `url` and seeds them.
pub async fn seed(url: &str) -> Result<(), String> {
    let db = gqlgen_runtime::db::connect(url)
        .await
        .map_err(|err| format!("cannot open the database: {err}"))?;
    example_app::migrate::migrate(&db)
        .await
        .map_err(|err| format!("cannot create the tables: {err}"))?;
    example_app::seed::seed(&db)
        .await
        .map_err(|err| format!("cannot seed: {err}"))?;
    db.close()
        .await
        .map_err(|err| format!("cannot close the seeding connection: {err}"))
}

/// Runs `statements` one by one on the database at `url`.
async fn execute(url: &str, statements: &[&str]) -> Result<(), String> {
    use sea_orm::ConnectionTrait as _;
    let db = gqlgen_runtime::db::connect(url)
        .await
        .map_err(|err| format!("cannot open the database: {err}"))?;
    for statement in statements {
        db.execute_unprepared(statement)
            .await
            .map_err(|err| format!("`{statement}` failed: {err}"))?;
    }
    db.close()
        .await
        .map_err(|err| format!("cannot close the connection: {err}"))
}

/// Gathers the planner's statistics of the seeded database at `url` (`ANALYZE`), as PostgreSQL's
/// autovacuum does some time after a load: a run then plans with statistics from its start,
/// instead of whenever autovacuum gets to the new tables.
pub async fn analyze(url: &str) -> Result<(), String> {
    execute(url, &["ANALYZE"]).await
}

/// The index [`index_reviews`] adds.
pub const REVIEW_INDEX: &str = "review (product_id, id)";

/// Adds an index on [`REVIEW_INDEX`] to the seeded database at `url`, which the example app's
/// tables lack (sea-orm creates no index for a foreign key, and neither does PostgreSQL): the
/// reviews of one product are then found without reading every review. On PostgreSQL the
/// statistics are gathered again.
pub async fn index_reviews(url: &str, backend: Backend) -> Result<(), String> {
    let create = "CREATE INDEX review_product_id_id ON review (product_id, id)";
    match backend {
        Backend::Sqlite => execute(url, &[create]).await,
        Backend::Postgres => execute(url, &[create, "ANALYZE review"]).await,
    }
}
