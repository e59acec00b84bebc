//! `aggregate { count sum avg min max }` on connections: over every row the filter and the
//! caller's row scope let through (not the page), on root and nested connections (one
//! statement for all parents, grouped per parent), on SQLite and PostgreSQL.

use gqlgen_runtime::Config;
use gqlgen_tests::{cleanup, fixture_servers, key_of, login};
use serde_json::{Value, json};

/// Fixture products: prices 19.99, 100.00, 9.50, 45.00, 5.00, 1000.00; stock 5, 0, 12, 7,
/// 100, 3; weights 0.5, none, 1.25, 2.0, none, 3.5; product 3 is inactive.
const ROOT: &str = "query($f: ProductFilter, $first: Int) { products(first: $first, filter: $f) {
    totalCount
    aggregate { __typename count
        sum { __typename price stock weight }
        avg { price stock }
        min { price createdAt }
        max { price createdAt } }
    edges { node { id } } } }";

fn float(value: &Value) -> f64 {
    value
        .as_f64()
        .unwrap_or_else(|| panic!("a number: {value}"))
}

#[tokio::test]
async fn root_aggregates_cover_every_matching_row_not_the_page() {
    let servers = fixture_servers(Config::testing()).await;
    for (backend, server) in &servers {
        let n = backend.name;
        let r = server.graphql(ROOT, json!({ "first": 2 })).await;
        assert!(r.codes().is_empty(), "{n}: {}", r.text);
        let products = &r.data()["products"];
        assert_eq!(products["edges"].as_array().map(Vec::len), Some(2), "{n}");
        let aggregate = &products["aggregate"];
        assert_eq!(aggregate["__typename"], "ProductAggregate", "{n}");
        assert_eq!(aggregate["count"], 6, "{n}");
        assert_eq!(products["totalCount"], 6, "{n}");
        // Sums of decimals are exact and keep the column's scale; of integers, integers.
        assert_eq!(aggregate["sum"]["__typename"], "ProductSumFields", "{n}");
        assert_eq!(aggregate["sum"]["price"], "1179.49", "{n}: {}", r.text);
        assert_eq!(aggregate["sum"]["stock"], 127, "{n}");
        assert!(
            (float(&aggregate["sum"]["weight"]) - 7.25).abs() < 1e-9,
            "{n}"
        );
        // Averages are floats; a nullable column's average is over its non-null values.
        assert!(
            (float(&aggregate["avg"]["price"]) - 1179.49 / 6.0).abs() < 1e-6,
            "{n}"
        );
        assert!(
            (float(&aggregate["avg"]["stock"]) - 127.0 / 6.0).abs() < 1e-9,
            "{n}"
        );
        assert_eq!(aggregate["min"]["price"], "5.00", "{n}");
        assert_eq!(aggregate["max"]["price"], "1000.00", "{n}");

        // Bounds of dates are the rows' own values.
        let dates = server
            .graphql(
                "{ products(orderBy: [{createdAt: ASC}]) { edges { node { createdAt } } } }",
                json!({}),
            )
            .await;
        let edges = dates.data()["products"]["edges"].as_array().cloned();
        let edges = edges.unwrap_or_default();
        assert_eq!(
            aggregate["min"]["createdAt"], edges[0]["node"]["createdAt"],
            "{n}"
        );
        assert_eq!(
            aggregate["max"]["createdAt"], edges[5]["node"]["createdAt"],
            "{n}"
        );

        // The filter narrows the aggregates as it does the rows.
        let r = server
            .graphql(ROOT, json!({ "f": { "isActive": true, "price_Lt": "50" } }))
            .await;
        assert!(r.codes().is_empty(), "{n}: {}", r.text);
        let aggregate = &r.data()["products"]["aggregate"];
        // Products 1, 4 and 5.
        assert_eq!(aggregate["count"], 3, "{n}");
        assert_eq!(aggregate["sum"]["price"], "69.99", "{n}");
        assert_eq!(aggregate["sum"]["stock"], 112, "{n}");
        assert_eq!(aggregate["max"]["price"], "45.00", "{n}");

        // No row: a count of 0 and nulls.
        let r = server
            .graphql(
                ROOT,
                json!({ "f": { "name_Icontains": "no such product" } }),
            )
            .await;
        assert!(r.codes().is_empty(), "{n}: {}", r.text);
        let aggregate = &r.data()["products"]["aggregate"];
        assert_eq!(aggregate["count"], 0, "{n}");
        assert_eq!(aggregate["sum"]["price"], Value::Null, "{n}");
        assert_eq!(aggregate["avg"]["stock"], Value::Null, "{n}");
        assert_eq!(aggregate["min"]["createdAt"], Value::Null, "{n}");
    }
    cleanup(servers).await;
}

const NESTED: &str = "query($f: ReviewFilter) { products(orderBy: [{price: ASC}]) { edges { node { id
    reviews(first: 1, filter: $f) { totalCount aggregate { count avg { rating } min { rating } max { rating } } }
    tags { aggregate { count } } } } } }";

/// `product id → (count, avg, min, max)` of its reviews and its number of tags.
fn per_product(body: &Value) -> Vec<(i64, Value, Value, Value, Value, Value)> {
    let edges = body["data"]["products"]["edges"].as_array().cloned();
    edges
        .unwrap_or_default()
        .iter()
        .map(|edge| {
            let node = &edge["node"];
            let reviews = &node["reviews"]["aggregate"];
            assert_eq!(node["reviews"]["totalCount"], reviews["count"]);
            (
                key_of(&node["id"]),
                reviews["count"].clone(),
                reviews["avg"]["rating"].clone(),
                reviews["min"]["rating"].clone(),
                reviews["max"]["rating"].clone(),
                node["tags"]["aggregate"]["count"].clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn nested_aggregates_are_per_parent_and_filtered() {
    let servers = fixture_servers(Config::testing()).await;
    for (backend, server) in &servers {
        let n = backend.name;
        let r = server.graphql(NESTED, json!({})).await;
        assert!(r.codes().is_empty(), "{n}: {}", r.text);
        // Ratings: 1: 5 3 4; 2: 1; 3: none; 4: 2 2; 5: 5; 6: 4 1 3 5. Tags: 1: 2, 2: 1,
        // 3: 2, 4: 0, 5: 3, 6: 1. Products by price: 5, 3, 1, 4, 2, 6.
        let expected = [
            (5, json!(1), json!(5.0), json!(5), json!(5), json!(3)),
            (3, json!(0), Value::Null, Value::Null, Value::Null, json!(2)),
            (1, json!(3), json!(4.0), json!(3), json!(5), json!(2)),
            (4, json!(2), json!(2.0), json!(2), json!(2), json!(0)),
            (2, json!(1), json!(1.0), json!(1), json!(1), json!(1)),
            (6, json!(4), json!(3.25), json!(1), json!(5), json!(1)),
        ];
        assert_eq!(per_product(&r.body), expected, "{n}: {}", r.text);

        // The nested filter applies to the aggregates too.
        let r = server
            .graphql(NESTED, json!({ "f": { "rating_Gte": 3 } }))
            .await;
        assert!(r.codes().is_empty(), "{n}: {}", r.text);
        let six = per_product(&r.body).into_iter().find(|row| row.0 == 6);
        let six = six.unwrap_or_else(|| panic!("{n}: product 6 in {}", r.text));
        assert_eq!(
            (six.1, six.2, six.3),
            (json!(3), json!(4.0), json!(3)),
            "{n}"
        );
    }
    cleanup(servers).await;
}

#[tokio::test]
async fn aggregates_stay_inside_the_callers_row_scope() {
    let servers = fixture_servers(Config::testing()).await;
    let query = "{ orders { aggregate { count } }
        products(filter: {id_In: [Product:1, Product:5]}, orderBy: [{id: ASC}]) { edges { node {
            orderItems { aggregate { count sum { quantity unitPrice } } } } } } }";
    for (backend, server) in &servers {
        let n = backend.name;
        // Order 1 (alice): 2 × product 1 and 1 × product 6; order 2 (bob): 3 × product 5.
        for (user, orders, first, fifth) in [
            ("alice", 1, json!([1, 2, "19.99"]), json!([0, null, null])),
            ("bob", 1, json!([0, null, null]), json!([1, 3, "5.00"])),
            ("admin", 2, json!([1, 2, "19.99"]), json!([1, 3, "5.00"])),
        ] {
            let token = login(server, user).await;
            let r = server.graphql_as(Some(&token), query, json!({})).await;
            assert!(r.codes().is_empty(), "{n} {user}: {}", r.text);
            assert_eq!(
                r.data()["orders"]["aggregate"]["count"],
                orders,
                "{n} {user}"
            );
            let items = |i: usize| {
                let a = &r.data()["products"]["edges"][i]["node"]["orderItems"]["aggregate"];
                json!([a["count"], a["sum"]["quantity"], a["sum"]["unitPrice"]])
            };
            assert_eq!(items(0), first, "{n} {user}: {}", r.text);
            assert_eq!(items(1), fifth, "{n} {user}: {}", r.text);
        }
    }
    cleanup(servers).await;
}

#[tokio::test]
async fn aggregates_cost_a_fixed_number_of_statements() {
    let servers = fixture_servers(Config::testing()).await;
    let query = "query($first: Int) { products(first: $first) {
        totalCount aggregate { count sum { price } max { createdAt } }
        edges { node { name
            reviews(first: 1) { aggregate { count avg { rating } } }
            tags { totalCount aggregate { count } } } } } }";
    for (backend, server) in &servers {
        let n = backend.name;
        let mut counts = Vec::new();
        for first in [1, 6] {
            backend.statements.take();
            let r = server.graphql(query, json!({ "first": first })).await;
            assert!(r.codes().is_empty(), "{n}: {}", r.text);
            counts.push(backend.statements.take());
        }
        // The products' aggregates (which also count them), their page, and one aggregate
        // statement per nested connection; the nested connections read no rows at all.
        assert_eq!(counts[0].len(), 4, "{n}: {:#?}", counts[0]);
        assert_eq!(counts[1].len(), 4, "{n}: {:#?}", counts[1]);
    }
    cleanup(servers).await;
}

#[tokio::test]
async fn only_numbers_and_dates_every_caller_may_read_are_aggregated() {
    let servers = fixture_servers(Config::testing()).await;
    let (_, server) = &servers[0];
    for (query, field) in [
        // Text is not summed, dates are bounded but not averaged.
        ("{ products { aggregate { sum { name } } } }", "name"),
        (
            "{ products { aggregate { avg { createdAt } } } }",
            "createdAt",
        ),
        // Keys are ids, not numbers.
        (
            "{ products { aggregate { max { categoryId } } } }",
            "categoryId",
        ),
    ] {
        let r = server.graphql(query, json!({})).await;
        assert_eq!(r.codes(), ["BAD_USER_INPUT"], "{query}: {}", r.text);
        assert!(r.text.contains(field), "{query}: {}", r.text);
    }
    cleanup(servers).await;
}
