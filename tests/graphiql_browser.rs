//! GraphiQL in a real browser: headless Chromium (Debian's `chromium`, driven by
//! `playwright-core` from npm) loads `/graphql` with every request to another host refused, as
//! on a machine without internet access, runs a query typed into the editor and sees its
//! result, then runs a subscription and sees the event of a write. Without `node` or `/usr/bin/chromium` (or `$CHROMIUM`) the test says so and passes,
//! unless `GQLGEN_BROWSER_TEST=required` (as `.ci/run` sets).

use std::process::Command;

use gqlgen_runtime::Config;
use gqlgen_tests::{cleanup, fixture_servers, node_project};

#[tokio::test]
async fn graphiql_runs_a_query_and_a_subscription_offline() {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    let Some(dir) = node_project("browser", "GQLGEN_BROWSER_TEST", &[&chromium]) else {
        return;
    };
    // The testing profile: debug on (GraphiQL is served), no rate limit.
    let servers = fixture_servers(Config::testing()).await;
    let (backend, server) = &servers[0];
    let url = format!("http://{}/graphql", server.addr());
    let run = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg("graphiql.mjs")
            .arg(url)
            .env("CHROMIUM", chromium)
            .current_dir(dir)
            .output()
            .expect("node runs")
    })
    .await
    .expect("the browser finishes");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{}: {stdout}{}",
        backend.name,
        String::from_utf8_lossy(&run.stderr)
    );
    let seen: serde_json::Value = serde_json::from_str(stdout.trim()).expect("the script's JSON");
    // The pane's text, as GraphiQL formats it; compared without whitespace.
    let result: String = seen["result"]
        .as_str()
        .expect("the result pane")
        .split_whitespace()
        .collect();
    // The fixture has 3 categories.
    assert!(
        result.contains(r#""categories":{"totalCount":3}"#),
        "{}: {stdout}",
        backend.name
    );
    // The subscription's event: product 1, updated to a stock of 42.
    let subscription: String = seen["subscription"]
        .as_str()
        .expect("the result pane")
        .split_whitespace()
        .collect();
    assert!(
        subscription.contains(r#""productUpdated":{"name":"CrèmeBrûléeTorch","stock":42}"#),
        "{}: {stdout}",
        backend.name
    );
    assert_eq!(
        seen["offsite"],
        serde_json::json!([]),
        "nothing from another host"
    );
    cleanup(servers).await;
}
