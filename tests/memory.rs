//! The seed's memory test, tightened: reading a page of 1,000 rows through the router adds less
//! than 10 MB of resident memory at its peak. Alone in its binary, so that no other test's
//! allocations are measured; Linux only (`/proc/self`).

use gqlgen_runtime::Config;
use gqlgen_runtime::testing::TestServer;
use serde_json::json;

/// A field of `/proc/self/status`, in KiB.
fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/self/status"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_of_1000_rows_adds_under_10_mb() {
    let path = std::env::temp_dir().join(format!("gqlgen-memory-{}.sqlite", std::process::id()));
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let db = gqlgen_runtime::db::connect(&url)
        .await
        .expect("SQLite opens");
    example_app::migrate::migrate(&db).await.expect("tables");
    example_app::seed::seed(&db).await.expect("seed");
    let mut config = Config {
        max_page_size: 1000,
        ..example_app::with_signing_key(Config::testing())
    };
    // 1,000 rows of two fields cost 2,000: above the default limit, which is not measured here.
    config.limits.max_complexity = 10_000;
    let router = example_app::router(db, config).expect("the example app starts");
    let server = TestServer::start(router).await.expect("server");
    let page = |n: u32| format!("{{ products(first: {n}) {{ edges {{ node {{ id name }} }} }} }}");
    // Warm up with small pages: the schema, the pool, the statement cache and the connections
    // are in place, but the allocator has not yet grown for a large page (freed memory stays
    // resident, so a large warm-up would hide the measured request's peak).
    for _ in 0..3 {
        let r = server.graphql(&page(10), json!({})).await;
        assert_eq!(
            r.data()["products"]["edges"].as_array().map(Vec::len),
            Some(10)
        );
    }
    let query = page(1000);
    let before = status_kib("VmRSS:");
    // Resets the peak (VmHWM) to the current resident size.
    std::fs::write("/proc/self/clear_refs", "5").expect("clear_refs");
    let r = server.graphql(&query, json!({})).await;
    assert_eq!(
        r.data()["products"]["edges"].as_array().map(Vec::len),
        Some(1000)
    );
    let peak = status_kib("VmHWM:");
    let added = peak.saturating_sub(before);
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut name = path.clone().into_os_string();
        name.push(suffix);
        let _ = std::fs::remove_file(name);
    }
    assert!(
        added < 10 * 1024,
        "reading 1,000 rows added {added} KiB of resident memory at its peak"
    );
    eprintln!("reading 1,000 rows added {added} KiB at its peak (before: {before} KiB)");
}
