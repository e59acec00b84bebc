//! A hand-written root field beside the generated ones: the example app's
//! `topRatedProducts(first, after, filter, orderBy)` over a base query of its own (reviewed
//! products by average rating) reuses the runtime's paging, filters and batched relations.

use gqlgen_runtime::Config;
use gqlgen_tests::{cleanup, fixture_servers, ids};
use serde_json::json;

const TOP: &str = "query($first: Int, $after: String, $f: ProductFilter) { topRatedProducts(first: $first, after: $after, filter: $f) { totalCount edges { node { id name category { name } reviews(first: 2) { totalCount edges { node { rating } } } } } pageInfo { hasNextPage endCursor } } }";

#[tokio::test]
async fn top_rated_products_pages_and_filters_its_own_query() {
    let servers = fixture_servers(Config::testing()).await;
    for (backend, server) in &servers {
        let n = backend.name;
        // Averages: 5: 5.0, 1: 4.0, 6: 3.25, 4: 2.0, 2: 1.0; product 3 has no review.
        let r = server.graphql(TOP, json!({ "first": 10 })).await;
        assert!(r.codes().is_empty(), "{n}: {}", r.text);
        assert_eq!(ids(&r.body, "topRatedProducts"), [5, 1, 6, 4, 2], "{n}");
        assert_eq!(r.data()["topRatedProducts"]["totalCount"], 5, "{n}");

        // Aggregates run over the base query (grouped and ordered by its own SQL) too.
        let r = server
            .graphql(
                "{ topRatedProducts(first: 1) { aggregate { count sum { stock } max { price } } } }",
                json!({}),
            )
            .await;
        assert!(r.codes().is_empty(), "{n}: {}", r.text);
        let aggregate = &r.data()["topRatedProducts"]["aggregate"];
        // Products 1, 2, 4, 5, 6: stock 5 + 0 + 7 + 100 + 3.
        assert_eq!(aggregate["count"], 5, "{n}: {}", r.text);
        assert_eq!(aggregate["sum"]["stock"], 115, "{n}: {}", r.text);
        assert_eq!(aggregate["max"]["price"], "1000.00", "{n}: {}", r.text);

        // Page by page through its cursors.
        let mut seen = Vec::new();
        let mut after = serde_json::Value::Null;
        loop {
            let r = server
                .graphql(TOP, json!({ "first": 2, "after": after }))
                .await;
            assert!(r.codes().is_empty(), "{n}: {}", r.text);
            seen.extend(ids(&r.body, "topRatedProducts"));
            let info = &r.data()["topRatedProducts"]["pageInfo"];
            if info["hasNextPage"] != true {
                break;
            }
            after = info["endCursor"].clone();
        }
        assert_eq!(seen, [5, 1, 6, 4, 2], "{n}");

        // The generated filter applies on top of the base query.
        let r = server
            .graphql(
                TOP,
                json!({ "first": 10, "f": { "category": "Category:3" } }),
            )
            .await;
        assert_eq!(
            ids(&r.body, "topRatedProducts"),
            [1, 6, 2],
            "{n}: {}",
            r.text
        );

        // A cursor of another field is refused: its order is not this one.
        let r = server
            .graphql(
                "{ products(first: 1) { pageInfo { endCursor } } }",
                json!({}),
            )
            .await;
        let foreign = r.data()["products"]["pageInfo"]["endCursor"].clone();
        let r = server
            .graphql(TOP, json!({ "first": 2, "after": foreign }))
            .await;
        assert_eq!(r.codes(), ["BAD_USER_INPUT"], "{n}: {}", r.text);
    }
    cleanup(servers).await;
}

#[tokio::test]
async fn top_rated_products_costs_the_same_statements_at_any_page_size() {
    let servers = fixture_servers(Config::testing()).await;
    for (backend, server) in &servers {
        let n = backend.name;
        let mut counts = Vec::new();
        for first in [1, 5] {
            backend.statements.take();
            let r = server.graphql(TOP, json!({ "first": first })).await;
            assert!(r.codes().is_empty(), "{n}: {}", r.text);
            counts.push(backend.statements.take().len());
        }
        assert_eq!(counts[0], counts[1], "{n}: {counts:?}");
    }
    cleanup(servers).await;
}
