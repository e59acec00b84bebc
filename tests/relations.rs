//! Relations end to end: every kind of relation field resolves the right rows, and a request
//! costs a fixed number of SQL statements whatever the page size and depth.

use gqlgen_runtime::Config;
use gqlgen_runtime::testing::error_codes;
use gqlgen_tests::{
    Api, Backend, backends, cleanup, fixture_servers, fixture_servers_as, gid, login_with, relaxed,
};
use serde_json::{Value, json};

async fn query(server: &Api, name: &str, query: &str) -> Value {
    let r = server.graphql(query, json!({})).await;
    assert!(error_codes(&r.body).is_empty(), "{name}: {}", r.text);
    r.body["data"].clone()
}

fn edge_values(connection: &Value, field: &str) -> Vec<Value> {
    connection["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"][field].clone())
        .collect()
}

#[tokio::test]
async fn every_kind_of_relation_resolves_its_rows() {
    let servers = fixture_servers_as(relaxed(), "admin").await;
    for (backend, server) in &servers {
        let n = backend.name;
        // belongs-to, self-reference both ways, has-many
        let d = query(server, n, "{ product(id: Product:3) { category { name parent { name } children { totalCount } } owner { username } } }").await;
        assert_eq!(d["product"]["category"]["name"], "Comics", "{n}");
        assert_eq!(d["product"]["category"]["parent"]["name"], "Books");
        assert_eq!(d["product"]["category"]["children"]["totalCount"], 0);
        assert_eq!(d["product"]["owner"]["username"], "alice");
        let d = query(server, n, "{ category(id: Category:1) { parent { id } children { edges { node { name } } } products(orderBy: [{id: ASC}]) { totalCount edges { node { id } } } } }").await;
        assert_eq!(d["category"]["parent"], Value::Null, "{n}");
        assert_eq!(
            edge_values(&d["category"]["children"], "name"),
            [json!("Comics")]
        );
        assert_eq!(
            edge_values(&d["category"]["products"], "id"),
            [json!(gid("Product", 4)), json!(gid("Product", 5))]
        );
        assert_eq!(d["category"]["products"]["totalCount"], 2);
        // many-to-many both ways
        let d = query(server, n, "{ product(id: Product:5) { tags(orderBy: [{name: ASC}]) { totalCount edges { node { name } } } } tag(id: Tag:2) { products { edges { node { id } } } } }").await;
        assert_eq!(
            edge_values(&d["product"]["tags"], "name"),
            [json!("café"), json!("new"), json!("sale")],
            "{n}"
        );
        assert_eq!(d["product"]["tags"]["totalCount"], 3);
        assert_eq!(
            edge_values(&d["tag"]["products"], "id"),
            [3, 5, 6].map(|k| json!(gid("Product", k)))
        );
        // has-many through the owner side
        let d = query(server, n, "{ user(id: User:2) { products { edges { node { id } } } orders { edges { node { id items { edges { node { quantity product { name } } } } } } } } }").await;
        assert_eq!(
            edge_values(&d["user"]["products"], "id"),
            [2, 4, 6].map(|k| json!(gid("Product", k))),
            "{n}"
        );
        let items = &d["user"]["orders"]["edges"][0]["node"]["items"];
        assert_eq!(
            items["edges"][0]["node"],
            json!({"quantity": 3, "product": {"name": "Straße Map"}})
        );
    }
    cleanup(servers).await;
}

#[tokio::test]
async fn nested_connections_are_paginated_per_parent() {
    let servers = fixture_servers(relaxed()).await;
    for (backend, server) in &servers {
        let n = backend.name;
        let d = query(server, n, "{ products(orderBy: [{id: ASC}]) { edges { node { id reviews(first: 2, orderBy: [{rating: DESC}]) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { node { rating } } } } } } }").await;
        let per_product: Vec<(Vec<Value>, Value, Value)> = d["products"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let r = &e["node"]["reviews"];
                (
                    edge_values(r, "rating"),
                    r["totalCount"].clone(),
                    r["pageInfo"]["hasNextPage"].clone(),
                )
            })
            .collect();
        let expected = [
            (vec![json!(5), json!(4)], json!(3), json!(true)),
            (vec![json!(1)], json!(1), json!(false)),
            (vec![], json!(0), json!(false)),
            (vec![json!(2), json!(2)], json!(2), json!(false)),
            (vec![json!(5)], json!(1), json!(false)),
            (vec![json!(5), json!(4)], json!(4), json!(true)),
        ];
        assert_eq!(per_product, expected, "{n}");
        // the next page of one parent's reviews, from its cursor
        let cursor = d["products"]["edges"][5]["node"]["reviews"]["pageInfo"]["endCursor"]
            .as_str()
            .unwrap();
        let q = format!(
            "{{ product(id: Product:6) {{ reviews(first: 2, after: \"{cursor}\", orderBy: [{{rating: DESC}}]) {{ pageInfo {{ hasNextPage hasPreviousPage }} edges {{ node {{ rating }} }} }} }} }}"
        );
        let d = query(server, n, &q).await;
        assert_eq!(
            edge_values(&d["product"]["reviews"], "rating"),
            [json!(3), json!(1)],
            "{n}"
        );
        assert_eq!(
            d["product"]["reviews"]["pageInfo"],
            json!({"hasNextPage": false, "hasPreviousPage": true})
        );
        // last per parent, and a filter inside the relation
        let d = query(server, n, "{ products(first: 1) { edges { node { worst: reviews(last: 1, orderBy: [{rating: DESC}]) { edges { node { rating } } pageInfo { hasPreviousPage hasNextPage } } good: reviews(filter: {rating_Gte: 4}) { totalCount } } } } }").await;
        let node = &d["products"]["edges"][0]["node"];
        assert_eq!(edge_values(&node["worst"], "rating"), [json!(3)], "{n}");
        assert_eq!(
            node["worst"]["pageInfo"],
            json!({"hasPreviousPage": true, "hasNextPage": false})
        );
        assert_eq!(node["good"]["totalCount"], 2);
        // nested page sizes are checked like root ones
        let r = server
            .graphql(
                "{ products { edges { node { reviews(first: 101) { totalCount } } } } }",
                json!({}),
            )
            .await;
        assert_eq!(error_codes(&r.body)[0], "BAD_USER_INPUT", "{n}");
    }
    cleanup(servers).await;
}

/// Query shapes and the exact number of statements each costs, with `$n` the page size. A
/// belongs-to relation is joined into the statement that reads its parents (`category` and its
/// `parent`, `owner`, a review's `user`): it costs no statement of its own.
const SHAPES: &[(&str, usize)] = &[
    (
        "query($n: Int) { products(first: $n) { edges { node { id name } } } }",
        1,
    ),
    (
        "query($n: Int) { products(first: $n) { totalCount edges { node { id } } } }",
        2,
    ),
    // Neither edges nor pageInfo: the page's rows are not read.
    ("query($n: Int) { products(first: $n) { totalCount } }", 1),
    (
        "query($n: Int) { products(first: $n) { edges { node { category { name } } } } }",
        1,
    ),
    (
        "query($n: Int) { products(first: $n) { edges { node { category { name parent { name } } } } } }",
        1,
    ),
    (
        "query($n: Int) { products(first: $n) { edges { node { tags { edges { node { name } } } } } } }",
        2,
    ),
    (
        "query($n: Int) { products(first: $n) { edges { node { reviews(first: 3) { totalCount edges { node { rating } } } } } } }",
        2,
    ),
    (
        "query($n: Int) { products(first: $n) { edges { node { name category { name parent { name } } tags { edges { node { name } } } owner { username } reviews(first: 3) { edges { node { rating } } } } } } }",
        3,
    ),
    (
        "query($n: Int) { categories { edges { node { products(first: $n) { edges { node { reviews { edges { node { user { username } } } } } } } } } } }",
        3,
    ),
    (
        "query($n: Int) { users(first: 20) { edges { node { orders(first: $n) { edges { node { items { edges { node { product { category { name } } } } } } } } } } } }",
        3,
    ),
    (
        "query($n: Int) { tags(first: 50) { totalCount edges { node { products(first: $n) { totalCount edges { node { owner { username } } } } } } } }",
        3,
    ),
    (
        "query($n: Int) { products(first: $n) { edges { node { best: reviews(first: 1, orderBy: [{rating: DESC}]) { edges { node { rating } } } worst: reviews(last: 1) { edges { node { rating } } } } } } }",
        3,
    ),
    (
        "query($n: Int) { products(first: $n) { edges { node { category { products(first: 2) { edges { node { tags { edges { node { name } } } } } } } } } } }",
        3,
    ),
];

#[tokio::test]
async fn statements_per_request_do_not_grow_with_page_size_or_depth() {
    for backend in backends().await {
        example_app::seed::seed(&backend.db).await.expect("seed");
        let config = Config {
            max_page_size: 1000,
            ..relaxed()
        };
        let mut server = backend.serve(config).await;
        // As staff, who see every order; checking the token's user costs one statement more.
        server.token = Some(login_with(&server, "admin", "admin-password").await);
        for (shape, expected) in SHAPES {
            let expected = expected + 1;
            for size in [1, 10, 100, 1000] {
                backend.statements.take();
                let r = server.graphql(shape, json!({ "n": size })).await;
                assert!(
                    error_codes(&r.body).is_empty(),
                    "{}: {shape}: {}",
                    backend.name,
                    r.text
                );
                let statements = backend.statements.take();
                assert_eq!(
                    statements.len(),
                    expected,
                    "{}: page size {size}: {shape}\n{statements:#?}",
                    backend.name
                );
            }
        }
        drop(server);
        backend.cleanup().await;
    }
}

/// A belongs-to read through its parents' statement (a list) answers as one loaded on its own
/// (a detail field, which has no statement to join into): the same rows, `null` for no row, and
/// a guarded column denied at the same place; a row scope keeps the relation out of the join.
#[tokio::test]
async fn joined_belongs_to_relations_answer_as_loaded_ones() {
    let servers = fixture_servers_as(relaxed(), "alice").await;
    let selection = "id category { id name parent { id name parent { id } } } owner { username email } reviews(first: 2) { edges { node { rating user { username } } } }";
    for (backend, server) in &servers {
        let n = backend.name;
        let list = server
            .graphql(
                &format!("{{ products(first: 10, orderBy: [{{id: ASC}}]) {{ edges {{ node {{ {selection} }} }} }} }}"),
                json!({}),
            )
            .await;
        let rows = list.body["data"]["products"]["edges"].as_array().unwrap();
        assert_eq!(rows.len(), 6, "{n}: {}", list.text);
        let mut denied = 0;
        for (i, edge) in rows.iter().enumerate() {
            let id = edge["node"]["id"].as_str().unwrap();
            let one = server
                .graphql(
                    &format!("{{ product(id: \"{id}\") {{ {selection} }} }}"),
                    json!({}),
                )
                .await;
            assert_eq!(
                edge["node"], one.body["data"]["product"],
                "{n}: product {id}"
            );
            let errors = one.body["errors"].as_array().map_or(0, Vec::len);
            // bob's email: denied to alice in both, at the owner's `email`.
            assert_eq!(
                errors,
                usize::from(edge["node"]["owner"]["username"] == "bob")
            );
            denied += errors;
            if errors == 1 {
                let path = json!(["products", "edges", i, "node", "owner", "email"]);
                let at = list.body["errors"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|e| e["path"] == path)
                    .count();
                assert_eq!(at, 1, "{n}: {}", list.text);
            }
        }
        assert_eq!(error_codes(&list.body).len(), denied, "{n}: {}", list.text);
        assert_eq!(
            rows[2]["node"]["category"]["parent"]["name"], "Books",
            "{n}"
        );
        assert_eq!(rows[0]["node"]["category"]["parent"], Value::Null, "{n}");
        let sql = sql_of(
            backend,
            server,
            "{ products(first: 3) { edges { node { category { name } owner { username } } } } }",
        )
        .await;
        assert_eq!(
            sql.lines().count(),
            2,
            "{n}: the caller, then one read: {sql}"
        );
        assert!(sql.contains("LEFT JOIN"), "{n}: {sql}");
        // alice sees her own orders only: the order of an item is read with that scope.
        let sql = sql_of(
            backend,
            server,
            "{ orders { edges { node { items { edges { node { order { id } } } } } } } }",
        )
        .await;
        assert_eq!(
            sql.lines().count(),
            4,
            "{n}: the caller, orders, items, their orders: {sql}"
        );
    }
    cleanup(servers).await;
}

#[tokio::test]
async fn filters_cross_belongs_to_relations_in_one_statement() {
    let servers = fixture_servers(relaxed()).await;
    for (backend, server) in &servers {
        let n = backend.name;
        let cases = [
            (json!({"category_Name": "Comics"}), vec!["3"]),
            (
                json!({"category_Name_Icontains": "ÉLECTRO"}),
                vec!["1", "2", "6"],
            ),
            (json!({"category_Parent": "Category:1"}), vec!["3"]),
            (
                json!({"category_Parent_Isnull": true, "owner_Username": "bob"}),
                vec!["2", "4", "6"],
            ),
            (
                json!({"owner_Username_Icontains": "ALI", "price_Lt": "10"}),
                vec!["3", "5"],
            ),
            (
                json!({"or": [{"category_Name": "Comics"}, {"owner_Username": "bob", "stock": 0}]}),
                vec!["2", "3"],
            ),
            (
                json!({"not": {"category_Name_Istartswith": "b"}}),
                vec!["1", "2", "3", "6"],
            ),
            (
                json!({"category_Description_Isnull": false}),
                vec!["4", "5"],
            ),
        ];
        for (filter, expected) in cases {
            backend.statements.take();
            let r = server
                .graphql(
                    "query($f: ProductFilter) { products(filter: $f, orderBy: [{id: ASC}]) { edges { node { id } } } }",
                    json!({ "f": filter }),
                )
                .await;
            assert!(error_codes(&r.body).is_empty(), "{n}: {filter}: {}", r.text);
            assert_eq!(
                edge_values(&r.body["data"]["products"], "id"),
                expected
                    .iter()
                    .map(|key| json!(gid("Product", key.parse().unwrap())))
                    .collect::<Vec<_>>(),
                "{n}: {filter}"
            );
            assert_eq!(
                backend.statements.take().len(),
                1,
                "{n}: {filter}: one statement with a subquery"
            );
        }
        // A hidden column of the related type is not offered.
        let r = server
            .graphql(
                "{ products(filter: {owner_PasswordHash: \"!\"}) { totalCount } }",
                json!({}),
            )
            .await;
        assert_eq!(error_codes(&r.body), ["BAD_USER_INPUT"], "{n}");
        // Malformed values inside a related filter are refused like any other.
        let r = server
            .graphql(
                "{ products(filter: {category_Parent: \"x\"}) { totalCount } }",
                json!({}),
            )
            .await;
        assert_eq!(error_codes(&r.body), ["BAD_USER_INPUT"], "{n}: {}", r.text);
    }
    cleanup(servers).await;
}

/// The statements of one request, joined for text checks.
async fn sql_of(backend: &Backend, server: &Api, query: &str) -> String {
    backend.statements.take();
    let r = server.graphql(query, json!({})).await;
    assert!(
        error_codes(&r.body).is_empty(),
        "{}: {}",
        backend.name,
        r.text
    );
    backend.statements.take().join("\n")
}

#[tokio::test]
async fn only_the_columns_a_request_needs_are_read() {
    let servers = fixture_servers_as(relaxed(), "admin").await;
    for (backend, server) in &servers {
        let n = backend.name;
        let sql = sql_of(
            backend,
            server,
            "{ products(first: 2) { edges { node { id name } } } }",
        )
        .await;
        assert!(sql.contains(r#""product"."name""#), "{n}: {sql}");
        assert!(!sql.contains(r#""product"."description""#), "{n}: {sql}");
        assert!(!sql.contains(r#""product"."attributes""#), "{n}: {sql}");
        assert!(
            !sql.contains(r#""product"."category_id""#),
            "{n}: a key no relation of the request matches on is not read: {sql}"
        );
        let sql = sql_of(
            backend,
            server,
            "{ products(first: 2) { edges { node { name reviews { totalCount } } } } }",
        )
        .await;
        assert!(
            sql.contains(r#""product"."id""#) && !sql.contains(r#""product"."owner_id""#),
            "{n}: the key its reviews match on is read: {sql}"
        );
        // bob's email is guarded: the owner column (the user's id) is read to check it.
        let sql = sql_of(backend, server, "{ users { edges { node { email } } } }").await;
        assert!(sql.contains(r#""user"."id""#), "{n}: {sql}");

        let sql = sql_of(
            backend,
            server,
            "{ products(first: 2) { edges { node { description } } } }",
        )
        .await;
        assert!(sql.contains(r#""product"."description""#), "{n}: {sql}");

        // Hidden columns are never read at all.
        let sql = sql_of(
            backend,
            server,
            "{ users { edges { node { username } } } user(id: User:1) { id } }",
        )
        .await;
        assert!(!sql.contains(r#""user"."password_hash""#), "{n}: {sql}");
        assert!(
            !sql.contains(r#""user"."social_security_number""#),
            "{n}: {sql}"
        );

        // Related rows are pruned too.
        let sql = sql_of(backend, server, "{ products(first: 2) { edges { node { tags { edges { node { id } } } category { id } } } } }").await;
        assert!(!sql.contains(r#""tag"."name""#), "{n}: {sql}");
        assert!(!sql.contains(r#""category"."description""#), "{n}: {sql}");

        // A computed field may use any column: all are read.
        let sql = sql_of(
            backend,
            server,
            "{ orders { edges { node { statusDisplay } } } }",
        )
        .await;
        assert!(sql.contains(r#""orders"."note""#), "{n}: {sql}");

        // Pruned rows still answer correctly where fields are selected.
        let r = server
            .graphql(
                "{ product(id: Product:3) { name description category { name } } }",
                json!({}),
            )
            .await;
        assert_eq!(
            r.body["data"]["product"],
            json!({"name": "Graphic Novel", "description": "50% off_sale", "category": {"name": "Comics"}}),
            "{n}"
        );
    }
    cleanup(servers).await;
}

#[tokio::test]
async fn a_has_many_relation_can_be_a_plain_list() {
    let servers = fixture_servers(relaxed()).await;
    for (backend, server) in &servers {
        let n = backend.name;
        let d = query(
            server,
            n,
            "{ user(id: User:1) { reviews(orderBy: [{rating: DESC}]) { rating } } }",
        )
        .await;
        let ratings: Vec<i64> = d["user"]["reviews"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["rating"].as_i64().unwrap())
            .collect();
        assert_eq!(ratings, [5, 5, 5, 4, 2, 1], "{n}");
        let d = query(
            server,
            n,
            "{ user(id: User:2) { reviews(filter: {rating_Lte: 2}, orderBy: [{id: ASC}]) { id } } }",
        )
        .await;
        assert_eq!(
            d["user"]["reviews"],
            json!([{"id": gid("Review", 4)}, {"id": gid("Review", 6)}]),
            "{n}"
        );
        backend.statements.take();
        query(
            server,
            n,
            "{ users { edges { node { reviews { rating product { name } } } } } }",
        )
        .await;
        assert_eq!(
            backend.statements.take().len(),
            2,
            "{n}: users, their reviews with the reviews' products joined"
        );
    }
    cleanup(servers).await;
}
