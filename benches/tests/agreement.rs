//! The servers of the relations benchmark answer the same data at page size 10, on a seeded
//! SQLite file and, when `DATABASE_URL` names a PostgreSQL server, in a database of its own there
//! (where the PostgreSQL-only raw-json server joins them, with both of its statements); the raw
//! server needs three statements for it, the raw-json server one.

use gqlgen_benches::agreement::{InProcessServer, check_same_data};
use gqlgen_benches::database::{
    Backend, PostgresDatabase, SqliteFile, postgres_url_from_env, seed,
};
use gqlgen_benches::raw_json::JsonPlan;
use gqlgen_benches::{Kind, ServerSettings, relations_query};

/// Seeds the empty database at `url` and checks the answers there of the servers that run on
/// `backend`.
async fn check_agreement_at_page_ten(backend: Backend, url: &str) {
    seed(url).await.expect("the database is seeded");
    let query = relations_query(10);
    let mut answers = Vec::new();
    for kind in Kind::ALL.into_iter().filter(|kind| kind.runs_on(backend)) {
        for &json_plan in JsonPlan::to_check(kind) {
            let settings = ServerSettings {
                json_plan,
                ..ServerSettings::default()
            };
            let server = InProcessServer::start_with(kind, url, &settings)
                .await
                .expect("the server starts");
            let (answer, statements) = server.ask(&query).await.expect("the server answers");
            match kind {
                Kind::Raw => assert_eq!(statements, 3, "the raw server's statements"),
                Kind::RawJson => assert_eq!(statements, 1, "the raw-json server's statements"),
                Kind::Gqlgen | Kind::GqlgenLogged | Kind::Baseline => {}
                Kind::GqlgenCached => {
                    // Asked again, the answer comes from the cache: the same text, no statement.
                    let (again, statements) = server.ask(&query).await.expect("it answers");
                    assert_eq!(again.text, answer.text, "the cached answer");
                    assert_eq!(statements, 0, "the statements of a cache hit");
                }
            }
            answers.push(answer);
        }
    }
    if backend == Backend::Postgres {
        assert!(answers.iter().any(|answer| answer.kind == Kind::RawJson));
    }
    // As parsed JSON: the texts may differ in key order (async-graphql writes an object's keys
    // in the order its fields finish), which the benchmark reports without failing.
    check_same_data(10, &answers).expect("the same data");
}

#[tokio::test]
async fn the_servers_answer_the_same_page_of_ten_on_sqlite() {
    let file = SqliteFile::new("agreement");
    check_agreement_at_page_ten(Backend::Sqlite, &file.url()).await;
    let refused = gqlgen_benches::server(Kind::RawJson, &file.url()).await;
    assert_eq!(
        refused.err().as_deref(),
        Some("raw-json runs on PostgreSQL only")
    );
}

#[tokio::test]
async fn the_servers_answer_the_same_page_of_ten_on_postgres() {
    let Some(server_url) = postgres_url_from_env() else {
        return;
    };
    // Not the benchmark's database, so that a running benchmark is left alone.
    let database = PostgresDatabase::create(&server_url, "gqlgen_bench_agreement")
        .await
        .expect("the database is created");
    let checked = tokio::spawn({
        let url = database.url().to_owned();
        async move { check_agreement_at_page_ten(Backend::Postgres, &url).await }
    })
    .await;
    database
        .drop_database()
        .await
        .expect("the database is dropped");
    if let Err(panic) = checked {
        std::panic::resume_unwind(panic.into_panic());
    }
}
