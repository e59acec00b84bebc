//! Relay's Global Object Identification: every `id` and foreign key is an opaque global id
//! naming its type; `node(id:)` and `nodes(ids:)` find any row within the caller's row scope;
//! an id that is forged or of another type is refused with a code wherever it is given. The
//! wire form is checked here with raw strings, without the tests' `Type:key` shorthand.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gqlgen_runtime::Config;
use gqlgen_runtime::testing::error_codes;
use gqlgen_tests::{cleanup, fixture_servers, fixture_servers_as, gid, key_of, login};
use serde_json::json;

#[tokio::test]
async fn ids_are_base64url_of_type_and_key_and_foreign_keys_name_the_related_type() {
    let servers = fixture_servers(Config::testing()).await;
    for (backend, server) in &servers {
        let n = backend.name;
        let r = server
            .0
            .graphql(
                "{ products(first: 1, orderBy: [{id: ASC}]) { edges { node { id categoryId ownerId category { id } owner { id } } } } }",
                json!({}),
            )
            .await;
        let node = &r.body["data"]["products"]["edges"][0]["node"];
        assert_eq!(
            node["id"],
            URL_SAFE_NO_PAD.encode("Product:1"),
            "{n}: {}",
            r.text
        );
        assert_eq!(
            node["categoryId"],
            URL_SAFE_NO_PAD.encode("Category:3"),
            "{n}"
        );
        assert_eq!(node["categoryId"], node["category"]["id"], "{n}");
        assert_eq!(node["ownerId"], URL_SAFE_NO_PAD.encode("User:1"), "{n}");
        assert_eq!(node["ownerId"], node["owner"]["id"], "{n}");
        // The id a client read finds the row again.
        let r = server
            .0
            .graphql(
                "query($id: ID!) { product(id: $id) { id } }",
                json!({ "id": node["id"] }),
            )
            .await;
        assert_eq!(
            r.body["data"]["product"]["id"], node["id"],
            "{n}: {}",
            r.text
        );
    }
    cleanup(servers).await;
}

#[tokio::test]
async fn node_and_nodes_find_rows_of_any_type_in_the_order_asked() {
    let servers = fixture_servers(Config::testing()).await;
    for (backend, server) in &servers {
        let n = backend.name;
        let r = server
            .graphql(
                "{ node(id: Category:2) { id __typename ... on Category { name } ... on Product { price } } }",
                json!({}),
            )
            .await;
        assert!(r.codes().is_empty(), "{n}: {}", r.text);
        assert_eq!(r.data()["node"]["__typename"], "Category", "{n}");
        assert_eq!(r.data()["node"]["id"], gid("Category", 2), "{n}");
        assert!(r.data()["node"]["name"].is_string(), "{n}: {}", r.text);
        assert!(r.data()["node"].get("price").is_none(), "{n}: {}", r.text);

        let r = server
            .graphql(
                "{ nodes(ids: [Product:2, Tag:3, Product:2, Product:999, Category:1]) { id ... on Product { name category { id } } ... on Tag { name } } }",
                json!({}),
            )
            .await;
        assert!(r.codes().is_empty(), "{n}: {}", r.text);
        let nodes = r.data()["nodes"].as_array().expect("a list");
        let found: Vec<Option<(String, i64)>> = nodes
            .iter()
            .map(|node| {
                (!node.is_null()).then(|| {
                    let (type_name, _) =
                        gqlgen_runtime::global_id::split(node["id"].as_str().unwrap()).unwrap();
                    (type_name, key_of(&node["id"]))
                })
            })
            .collect();
        assert_eq!(
            found,
            [
                Some(("Product".to_owned(), 2)),
                Some(("Tag".to_owned(), 3)),
                Some(("Product".to_owned(), 2)),
                None,
                Some(("Category".to_owned(), 1)),
            ],
            "{n}: {}",
            r.text
        );
        assert_eq!(nodes[0], nodes[2], "{n}: the same row twice");
        assert!(nodes[0]["category"]["id"].is_string(), "{n}: {}", r.text);
    }
    cleanup(servers).await;
}

#[tokio::test]
async fn node_keeps_the_row_scope_of_the_detail_field() {
    let servers = fixture_servers(Config::testing()).await;
    for (backend, server) in &servers {
        let n = backend.name;
        let bob = login(server, "bob").await;
        let alice = login(server, "alice").await;
        // Order 1 is alice's, order 2 bob's.
        for (who, token) in [
            ("anonymous", None),
            ("bob", Some(&bob)),
            ("alice", Some(&alice)),
        ] {
            for order in [1, 2] {
                let id = gid("Order", order);
                let detail = server
                    .graphql_as(
                        token.map(String::as_str),
                        "query($id: ID!) { order(id: $id) { id note } }",
                        json!({ "id": id }),
                    )
                    .await;
                let node = server
                    .graphql_as(
                        token.map(String::as_str),
                        "query($id: ID!) { node(id: $id) { id ... on Order { note } } }",
                        json!({ "id": id }),
                    )
                    .await;
                assert_eq!(node.codes(), detail.codes(), "{n}: {who}, order {order}");
                assert_eq!(
                    node.data().get("node"),
                    detail.data().get("order"),
                    "{n}: {who}, order {order}: {} / {}",
                    node.text,
                    detail.text
                );
            }
        }
        let r = server
            .graphql_as(Some(&bob), "{ node(id: Order:1) { id } }", json!({}))
            .await;
        assert!(
            r.codes().is_empty() && r.data()["node"].is_null(),
            "{n}: {}",
            r.text
        );
        let r = server
            .graphql_as(
                Some(&bob),
                "{ nodes(ids: [Order:1, Order:2]) { id } }",
                json!({}),
            )
            .await;
        assert_eq!(
            r.data()["nodes"],
            json!([null, {"id": gid("Order", 2)}]),
            "{n}: {}",
            r.text
        );
    }
    cleanup(servers).await;
}

#[tokio::test]
async fn nodes_costs_one_statement_per_type_and_relation_whatever_the_number_of_ids() {
    let servers = fixture_servers(Config::testing()).await;
    for (backend, server) in &servers {
        let n = backend.name;
        let mut counts = Vec::new();
        for ids in [vec![1], vec![1, 2, 3, 4, 5, 6, 1, 2, 3, 4]] {
            let list: Vec<String> = ids.iter().map(|k| gid("Product", *k)).collect();
            backend.statements.take();
            let r = server
                .graphql(
                    "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Product { name category { name } reviews(first: 2) { totalCount edges { node { rating } } } } } }",
                    json!({ "ids": list }),
                )
                .await;
            assert!(r.codes().is_empty(), "{n}: {}", r.text);
            assert_eq!(r.data()["nodes"].as_array().map(Vec::len), Some(ids.len()));
            counts.push(backend.statements.take().len());
        }
        assert_eq!(counts[0], counts[1], "{n}: 1 id and 10 ids: {counts:?}");
    }
    cleanup(servers).await;
}

#[tokio::test]
async fn forged_and_foreign_type_ids_are_refused_with_a_code_everywhere() {
    let servers = fixture_servers_as(Config::testing(), "admin").await;
    for (backend, server) in &servers {
        let n = backend.name;
        let forged = [
            json!("1"),
            json!(URL_SAFE_NO_PAD.encode("Nothing:1")),
            json!(URL_SAFE_NO_PAD.encode("Product:one")),
            json!(URL_SAFE_NO_PAD.encode("Product:99999999999")),
            json!("%%%"),
        ];
        for id in &forged {
            for query in [
                "query($id: ID!) { node(id: $id) { id } }",
                "query($id: ID!) { nodes(ids: [$id]) { id } }",
                "query($id: ID!) { product(id: $id) { id } }",
                "query($id: ID!) { products(filter: {id: $id}) { totalCount } }",
                "mutation($id: ID!) { deleteProduct(id: $id) { success } }",
            ] {
                let r = server.0.graphql(query, json!({ "id": id })).await;
                assert_eq!(
                    error_codes(&r.body),
                    ["BAD_USER_INPUT"],
                    "{n}: {query} {id}: {}",
                    r.text
                );
            }
        }
        // An id of another type, where its type is known: refused, never read as a key.
        for query in [
            "{ product(id: Category:1) { id } }",
            "{ products(filter: {category: Product:1}) { totalCount } }",
            "{ products(filter: {tags_In: [Category:1]}) { totalCount } }",
            "mutation { updateProduct(id: Category:1, input: {stock: 1}) { success } }",
            "mutation { deleteProducts(filter: {id_In: [Product:1, Category:2]}) { count } }",
        ] {
            let r = server.graphql(query, json!({})).await;
            assert_eq!(
                error_codes(&r.body),
                ["BAD_USER_INPUT"],
                "{n}: {query}: {}",
                r.text
            );
        }
        // In an input, a field error of the field that holds it; nothing is written.
        let r = server
            .graphql(
                "mutation { createProduct(input: {name: \"Odd\", price: \"1\", categoryId: Product:1, tagIds: [Tag:1, Category:2]}) { success errors { field code } } }",
                json!({}),
            )
            .await;
        assert_eq!(
            r.data()["createProduct"],
            json!({"success": false, "errors": [
                {"field": "categoryId", "code": "BAD_USER_INPUT"},
                {"field": "tagIds", "code": "BAD_USER_INPUT"},
            ]}),
            "{n}: {}",
            r.text
        );
        // A link id of the right type whose key is not the key's type.
        let forged_tag = URL_SAFE_NO_PAD.encode("Tag:abc");
        let r = server
            .0
            .graphql(
                "mutation($t: ID!) { createProduct(input: {name: \"Odd\", price: \"1\", categoryId: \"Q2F0ZWdvcnk6MQ\", tagIds: [$t]}) { success errors { field code } } }",
                json!({ "t": forged_tag }),
            )
            .await;
        assert_eq!(
            r.data()["createProduct"],
            json!({"success": false, "errors": [{"field": "tagIds", "code": "BAD_USER_INPUT"}]}),
            "{n}: {}",
            r.text
        );
        // More ids than a page may hold.
        let many: Vec<String> = (1..=101).map(|k| gid("Product", k)).collect();
        let r = server
            .graphql(
                "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
                json!({ "ids": many }),
            )
            .await;
        assert_eq!(error_codes(&r.body), ["BAD_USER_INPUT"], "{n}: {}", r.text);
        // What a delete answers is the global id.
        let r = server
            .graphql(
                "mutation { deleteReview(id: Review:1) { success deletedId } }",
                json!({}),
            )
            .await;
        assert_eq!(
            r.data()["deleteReview"],
            json!({"success": true, "deletedId": gid("Review", 1)}),
            "{n}: {}",
            r.text
        );
    }
    cleanup(servers).await;
}
