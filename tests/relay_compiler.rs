//! Relay clients: the Relay compiler (from the npm registry, pinned in
//! `relay/package-lock.json`) accepts the committed SDL with a `@refetchable` fragment on every
//! model and `@connection` on a root and on nested connections (`relay/src/`), and the queries it
//! writes (refetching through `node(id:)`, paginating by cursor) run against the server. It needs
//! Node.js: without it the test says so and passes, unless `GQLGEN_RELAY_COMPILER=required` (as
//! `.ci/run` sets).

use std::path::Path;
use std::process::Command;

use gqlgen_runtime::Config;
use gqlgen_tests::{cleanup, fixture_servers_as, gid, node_project};
use serde_json::{Value, json};

const MODELS: [&str; 7] = [
    "Category",
    "Order",
    "OrderItem",
    "Product",
    "Review",
    "Tag",
    "User",
];

/// The operation text of a compiled query artifact.
fn operation_text(artifacts: &Path, name: &str) -> String {
    let path = artifacts.join(format!("{name}.graphql.js"));
    let source =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let start = source
        .find("\"text\": \"")
        .unwrap_or_else(|| panic!("no operation text in {}", path.display()))
        + "\"text\": ".len();
    serde_json::Deserializer::from_str(&source[start..])
        .into_iter::<String>()
        .next()
        .expect("a string")
        .expect("a JSON string literal")
}

#[tokio::test]
async fn the_relay_compiler_accepts_the_schema_and_its_queries_run() {
    let Some(dir) = node_project("relay", "GQLGEN_RELAY_COMPILER", &[]) else {
        return;
    };
    let artifacts = dir.join("__generated__");
    let _ = std::fs::remove_dir_all(&artifacts);
    std::fs::create_dir_all(&artifacts).expect("artifact directory");
    let compiled = Command::new("node")
        .args(["node_modules/relay-compiler/cli.js"])
        .current_dir(&dir)
        .output()
        .expect("node runs");
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&compiled.stdout),
        String::from_utf8_lossy(&compiled.stderr)
    );
    assert!(compiled.status.success(), "relay-compiler: {log}");

    let servers = fixture_servers_as(Config::testing(), "admin").await;
    for (backend, server) in &servers {
        let n = backend.name;
        for model in MODELS {
            let query = operation_text(&artifacts, &format!("{model}RefetchQuery"));
            assert!(query.contains("node(id: $id)"), "{model}: {query}");
            let id = gid(model, 1);
            let r = server.graphql(&query, json!({ "id": id })).await;
            assert!(r.codes().is_empty(), "{n}: {model}: {}", r.text);
            assert_eq!(r.data()["node"]["id"], id, "{n}: {model}: {}", r.text);
            assert_eq!(r.data()["node"]["__typename"], model, "{n}: {}", r.text);
        }

        // A root connection, page by page through the cursors Relay keeps.
        let query = operation_text(&artifacts, "ConnectionsPaginationQuery");
        let mut cursor = Value::Null;
        let mut seen = Vec::new();
        loop {
            let r = server
                .graphql(&query, json!({ "count": 4, "cursor": cursor }))
                .await;
            assert!(r.codes().is_empty(), "{n}: {}", r.text);
            let products = &r.data()["products"];
            for edge in products["edges"].as_array().expect("edges") {
                assert!(edge["cursor"].is_string(), "{n}: {edge}");
                seen.push(edge["node"]["id"].clone());
            }
            if products["pageInfo"]["hasNextPage"] != true {
                break;
            }
            cursor = products["pageInfo"]["endCursor"].clone();
        }
        assert_eq!(seen.len(), 6, "{n}: every product once: {seen:?}");

        // A nested connection refetched through `node`: a product's reviews.
        let query = operation_text(&artifacts, "ConnectionsProductReviewsQuery");
        let r = server
            .graphql(&query, json!({ "id": gid("Product", 1), "count": 2 }))
            .await;
        assert!(r.codes().is_empty(), "{n}: {}", r.text);
        let reviews = &r.data()["node"]["reviews"];
        assert_eq!(
            reviews["edges"].as_array().map(Vec::len),
            Some(2),
            "{n}: {}",
            r.text
        );
        assert_eq!(reviews["pageInfo"]["hasNextPage"], true, "{n}: {}", r.text);
    }
    cleanup(servers).await;
}
