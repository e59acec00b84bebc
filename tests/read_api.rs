//! The read API end to end: real HTTP through the router, on SQLite and (with `DATABASE_URL`)
//! PostgreSQL, over the fixture of `gqlgen_tests::insert_fixture`.

use gqlgen_runtime::Config;
use gqlgen_runtime::testing::error_codes;
use gqlgen_tests::{
    Api, backends, cleanup, fixture_servers, fixture_servers_as, gid, ids, insert_fixture,
    login_with, sku,
};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

/// A `Decimal` from its GraphQL string. Tests compare values, not strings: a decimal without a
/// declared scale (a computed one) is written as the backend returns it (SQLite keeps `9.50`
/// as `9.5`).
fn decimal(value: &Value) -> rust_decimal::Decimal {
    value
        .as_str()
        .unwrap_or_else(|| panic!("a decimal string, got {value}"))
        .parse()
        .expect("decimal")
}

const FILTERED: &str =
    "query($f: ProductFilter) { products(first: 100, filter: $f) { edges { node { id } } } }";

async fn filtered(server: &Api, filter: Value) -> Result<Vec<i64>, Vec<String>> {
    let response = server.graphql(FILTERED, json!({ "f": filter })).await;
    let codes = error_codes(&response.body);
    if !codes.is_empty() {
        return Err(codes);
    }
    let mut found = ids(&response.body, "products");
    found.sort();
    Ok(found)
}

/// Every lookup of DESIGN.md on the column kinds that allow it, with the rows it must select.
fn lookup_cases() -> Vec<(Value, Vec<i64>)> {
    vec![
        // exact and iexact, ASCII and not
        (json!({"name": "Graphic Novel"}), vec![3]),
        (json!({"name": "graphic novel"}), vec![]),
        (json!({"name_Iexact": "graphic NOVEL"}), vec![3]),
        (json!({"name_Iexact": "éclair PAN"}), vec![2]),
        // contains is case-sensitive; % and _ are literal
        (json!({"name_Contains": "raphic"}), vec![3, 4]),
        (json!({"name_Contains": "Graphic"}), vec![3]),
        (json!({"name_Contains": "ß"}), vec![5]),
        (json!({"description_Icontains": "50% off"}), vec![3]),
        (json!({"description_Icontains": "%"}), vec![3]),
        (json!({"description_Icontains": "f_s"}), vec![3]),
        (json!({"description_Icontains": "_"}), vec![3]),
        // icontains folds non-ASCII case like PostgreSQL does
        (json!({"name_Icontains": "GRAPHIC"}), vec![3, 4]),
        (json!({"name_Icontains": "crème"}), vec![1]),
        (json!({"name_Icontains": "CRÈME BRÛLÉE"}), vec![1]),
        (json!({"name_Icontains": "éclair"}), vec![2]),
        (json!({"name_Icontains": "straße"}), vec![5]),
        (json!({"description_Icontains": "light"}), vec![6]),
        // starts / ends with
        (json!({"name_Startswith": "Graphic"}), vec![3]),
        (json!({"name_Istartswith": "graphic"}), vec![3, 4]),
        (json!({"name_Istartswith": "über"}), vec![6]),
        (json!({"name_Endswith": "Lamp"}), vec![6]),
        (json!({"name_Endswith": "lamp"}), vec![]),
        (json!({"name_Iendswith": "PAN"}), vec![2]),
        // in
        (
            json!({"name_In": ["Über Lamp", "Straße Map", "nope"]}),
            vec![5, 6],
        ),
        (json!({"name_In": []}), vec![]),
        (json!({"stock_In": [0, 7]}), vec![2, 4]),
        (
            json!({"id_In": ["Product:1", "Product:6", "Product:99"]}),
            vec![1, 6],
        ),
        // comparisons on decimals, integers, floats and dates
        (json!({"price": "45.00"}), vec![4]),
        (json!({"price_Gt": "45.00"}), vec![2, 6]),
        (json!({"price_Gte": "45"}), vec![2, 4, 6]),
        (json!({"price_Lt": "9.50"}), vec![5]),
        (json!({"price_Lte": "9.5"}), vec![3, 5]),
        (json!({"price_Range": ["9.50", "45.00"]}), vec![1, 3, 4]),
        (json!({"price_In": ["5.00", "1000"]}), vec![5, 6]),
        (json!({"stock": 0}), vec![2]),
        (json!({"stock_Lte": 3}), vec![2, 6]),
        (json!({"stock_Range": [5, 12]}), vec![1, 3, 4]),
        (json!({"weight_Gt": 1.25}), vec![4, 6]),
        (json!({"weight_Lt": 1.25}), vec![1]),
        (json!({"createdAt_Gte": "2026-01-05T12:00:00Z"}), vec![5, 6]),
        (json!({"createdAt_Gt": "2026-01-05T12:00:00Z"}), vec![6]),
        (
            json!({"createdAt_Lt": "2026-01-02T12:00:00+00:00"}),
            vec![1],
        ),
        (json!({"createdAt_Lte": "2026-01-02T12:00:00Z"}), vec![1, 2]),
        (
            json!({"createdAt_Range": ["2026-01-02T00:00:00Z", "2026-01-04T23:59:59Z"]}),
            vec![2, 3, 4],
        ),
        // isnull on nullable text, float and JSON
        (json!({"weight_Isnull": true}), vec![2, 5]),
        (json!({"weight_Isnull": false}), vec![1, 3, 4, 6]),
        (json!({"description_Isnull": true}), vec![2]),
        (json!({"attributes_Isnull": false}), vec![1, 4]),
        // booleans, UUIDs and foreign keys as IDs
        (json!({"isActive": false}), vec![3]),
        (json!({"sku": sku(4).to_string()}), vec![4]),
        (
            json!({"sku_In": [sku(1).to_string(), sku(2).to_string()]}),
            vec![1, 2],
        ),
        (json!({"category": "Category:3"}), vec![1, 2, 6]),
        (
            json!({"category_In": ["Category:1", "Category:2"]}),
            vec![3, 4, 5],
        ),
        (json!({"owner": "User:2"}), vec![2, 4, 6]),
        (json!({"id": "Product:4"}), vec![4]),
        // several fields are AND-ed
        (
            json!({"category": "Category:3", "price_Lt": "100"}),
            vec![1],
        ),
        // combinators
        (
            json!({"and": [{"name_Icontains": "graphic"}, {"isActive": true}]}),
            vec![4],
        ),
        (
            json!({"or": [{"name_Icontains": "graphic"}, {"price_Gte": "1000"}]}),
            vec![3, 4, 6],
        ),
        (json!({"or": []}), vec![]),
        (json!({"and": []}), vec![1, 2, 3, 4, 5, 6]),
        (json!({"not": {"isActive": true}}), vec![3]),
        (
            json!({"not": {"or": [{"category": "Category:3"}, {"stock_Gt": 10}]}}),
            vec![4],
        ),
        (
            json!({"or": [{"and": [{"category": "Category:1"}, {"stock_Gt": 10}]}, {"name_Iexact": "über lamp"}]}),
            vec![5, 6],
        ),
        (
            json!({"not": {"weight_Isnull": true}, "or": [{"price_Lt": "10"}, {"price_Gt": "500"}]}),
            vec![3, 6],
        ),
    ]
}

#[tokio::test]
async fn every_lookup_and_combinator_selects_the_right_rows() {
    let servers = fixture_servers(Config::testing()).await;
    for (backend, server) in &servers {
        let mut failures = Vec::new();
        for (filter, expected) in lookup_cases() {
            match filtered(server, filter.clone()).await {
                Ok(found) if found == expected => {}
                other => failures.push(format!("{filter}: expected {expected:?}, got {other:?}")),
            }
        }
        assert!(
            failures.is_empty(),
            "{}:\n{}",
            backend.name,
            failures.join("\n")
        );
    }
    cleanup(servers).await;
}

#[tokio::test]
async fn malformed_filter_values_are_bad_user_input() {
    let servers = fixture_servers(Config::testing()).await;
    for (backend, server) in &servers {
        for filter in [
            json!({"price_Range": ["1"]}),
            json!({"price_Range": ["1", "2", "3"]}),
            json!({"category": "three"}),
            json!({"category_In": ["Category:1", "x"]}),
            json!({"id": "1.5"}),
            json!({"id": "4"}),
            json!({"category": "Product:1"}),
            json!({"id_In": ["Product:1", "Category:1"]}),
            json!({"price": "cheap"}),
            json!({"stock": "many"}),
            json!({"sku": "not-a-uuid"}),
            json!({"createdAt_Gte": "yesterday"}),
            json!({"name_Icontains": 5}),
            json!({"nmae": "x"}),
            json!({"and": [{"price_Range": []}]}),
            json!({"not": {"category": "?"}}),
        ] {
            let result = filtered(server, filter.clone()).await;
            assert_eq!(
                result,
                Err(vec!["BAD_USER_INPUT".to_owned()]),
                "{}: {filter}",
                backend.name
            );
        }
    }
    cleanup(servers).await;
}

#[tokio::test]
async fn enum_columns_filter_and_order() {
    let servers = fixture_servers_as(Config::testing(), "admin").await;
    for (backend, server) in &servers {
        let query = "query($f: OrderFilter, $o: [OrderOrderBy!]) { orders(filter: $f, orderBy: $o) { edges { node { id status } } } }";
        let r = server
            .graphql(query, json!({"f": {"status": "PAID"}}))
            .await;
        assert_eq!(
            ids(&r.body, "orders"),
            vec![1],
            "{}: {}",
            backend.name,
            r.text
        );
        assert_eq!(
            r.body["data"]["orders"]["edges"][0]["node"]["status"],
            "PAID"
        );
        let r = server
            .graphql(query, json!({"f": {"status_In": ["CANCELLED", "SHIPPED"]}}))
            .await;
        assert_eq!(ids(&r.body, "orders"), vec![2], "{}", backend.name);
        let r = server
            .graphql(query, json!({"f": {"status": "LOST"}}))
            .await;
        assert_eq!(error_codes(&r.body), ["BAD_USER_INPUT"], "{}", backend.name);
        let r = server
            .graphql(query, json!({"o": [{"status": "ASC"}]}))
            .await;
        assert_eq!(
            ids(&r.body, "orders"),
            vec![2, 1],
            "{}: stored strings sort cancelled < paid",
            backend.name
        );
    }
    cleanup(servers).await;
}

async fn ordered(server: &Api, order: Value) -> Result<Vec<i64>, Vec<String>> {
    let query = "query($o: [ProductOrderBy!]) { products(orderBy: $o) { edges { node { id } } } }";
    let response = server.graphql(query, json!({ "o": order })).await;
    let codes = error_codes(&response.body);
    if codes.is_empty() {
        Ok(ids(&response.body, "products"))
    } else {
        Err(codes)
    }
}

#[tokio::test]
async fn ordering_by_one_or_several_columns_with_the_id_as_tiebreak() {
    let servers = fixture_servers(Config::testing()).await;
    for (backend, server) in &servers {
        let cases = [
            (json!(null), vec![1, 2, 3, 4, 5, 6]),
            (json!([{"price": "ASC"}]), vec![5, 3, 1, 4, 2, 6]),
            (json!([{"price": "DESC"}]), vec![6, 2, 4, 1, 3, 5]),
            (json!([{"stock": "DESC"}]), vec![5, 3, 4, 1, 6, 2]),
            (json!([{"createdAt": "DESC"}]), vec![6, 5, 4, 3, 2, 1]),
            (json!([{"id": "DESC"}]), vec![6, 5, 4, 3, 2, 1]),
            // NULLs last ascending, first descending, on both backends; ties by id
            (json!([{"weight": "ASC"}]), vec![1, 3, 4, 6, 2, 5]),
            (json!([{"weight": "DESC"}]), vec![2, 5, 6, 4, 3, 1]),
            // the first key decides, the second breaks its ties
            (
                json!([{"weight": "ASC"}, {"price": "DESC"}]),
                vec![1, 3, 4, 6, 2, 5],
            ),
            (
                json!([{"weight": "DESC"}, {"price": "ASC"}]),
                vec![5, 2, 6, 4, 3, 1],
            ),
        ];
        for (order, expected) in cases {
            assert_eq!(
                ordered(server, order.clone()).await,
                Ok(expected),
                "{}: {order}",
                backend.name
            );
        }
        for bad in [
            json!([{"price": "ASC", "name": "DESC"}]),
            json!([{}]),
            json!([{"price": "UP"}]),
            json!([{"description": "ASC"}]),
        ] {
            assert_eq!(
                ordered(server, bad.clone()).await,
                Err(vec!["BAD_USER_INPUT".into()]),
                "{}: {bad}",
                backend.name
            );
        }
    }
    cleanup(servers).await;
}

const PAGE: &str = "query($first: Int, $after: String, $last: Int, $before: String, $f: ProductFilter, $o: [ProductOrderBy!]) {
  products(first: $first, after: $after, last: $last, before: $before, filter: $f, orderBy: $o) {
    edges { cursor node { id } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}";

struct Page {
    ids: Vec<i64>,
    info: Value,
    cursors: Vec<String>,
}

async fn page(server: &Api, variables: Value) -> Result<Page, Vec<String>> {
    let response = server.graphql(PAGE, variables).await;
    let codes = error_codes(&response.body);
    if !codes.is_empty() {
        return Err(codes);
    }
    let cursors = response.body["data"]["products"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["cursor"].as_str().expect("cursor").to_owned())
        .collect();
    Ok(Page {
        ids: ids(&response.body, "products"),
        info: response.body["data"]["products"]["pageInfo"].clone(),
        cursors,
    })
}

fn flags(info: &Value) -> (bool, bool) {
    (
        info["hasPreviousPage"].as_bool().unwrap(),
        info["hasNextPage"].as_bool().unwrap(),
    )
}

#[tokio::test]
async fn pagination_forward_backward_and_at_the_edges() {
    let servers = fixture_servers(Config::testing()).await;
    for (backend, server) in &servers {
        let name = backend.name;
        // first + after, walking forward to the end
        let p1 = page(server, json!({"first": 2})).await.unwrap();
        assert_eq!(
            (p1.ids.clone(), flags(&p1.info)),
            (vec![1, 2], (false, true)),
            "{name}"
        );
        assert_eq!(p1.info["startCursor"], json!(p1.cursors[0]));
        assert_eq!(p1.info["endCursor"], json!(p1.cursors[1]));
        let p2 = page(server, json!({"first": 2, "after": p1.cursors[1]}))
            .await
            .unwrap();
        assert_eq!(
            (p2.ids.clone(), flags(&p2.info)),
            (vec![3, 4], (true, true)),
            "{name}"
        );
        let p3 = page(server, json!({"first": 2, "after": p2.cursors[1]}))
            .await
            .unwrap();
        assert_eq!(
            (p3.ids.clone(), flags(&p3.info)),
            (vec![5, 6], (true, false)),
            "{name}"
        );
        // past the end
        let past = page(server, json!({"first": 2, "after": p3.cursors[1]}))
            .await
            .unwrap();
        assert_eq!(
            (past.ids.clone(), flags(&past.info)),
            (vec![], (true, false)),
            "{name}"
        );
        assert_eq!(past.info["startCursor"], Value::Null);
        assert_eq!(past.info["endCursor"], Value::Null);
        // last, and last + before, walking backward
        let l1 = page(server, json!({"last": 2})).await.unwrap();
        assert_eq!(
            (l1.ids.clone(), flags(&l1.info)),
            (vec![5, 6], (true, false)),
            "{name}"
        );
        let l2 = page(server, json!({"last": 2, "before": l1.cursors[0]}))
            .await
            .unwrap();
        assert_eq!(
            (l2.ids.clone(), flags(&l2.info)),
            (vec![3, 4], (true, true)),
            "{name}"
        );
        let l3 = page(server, json!({"last": 3, "before": l2.cursors[0]}))
            .await
            .unwrap();
        assert_eq!(
            (l3.ids.clone(), flags(&l3.info)),
            (vec![1, 2], (false, true)),
            "{name}"
        );
        // a cursor means the same row in both directions
        assert_eq!(l1.cursors[0], p3.cursors[0], "{name}");
        // after + before bound a window
        let mid = page(
            server,
            json!({"first": 10, "after": p1.cursors[0], "before": p3.cursors[1]}),
        )
        .await
        .unwrap();
        assert_eq!(mid.ids, vec![2, 3, 4, 5], "{name}");
        // the default page size applies without first/last
        let all = page(server, json!({})).await.unwrap();
        assert_eq!(all.ids, vec![1, 2, 3, 4, 5, 6], "{name}");
        // an empty result
        let empty = page(server, json!({"first": 5, "f": {"name": "nothing"}}))
            .await
            .unwrap();
        assert_eq!(
            (empty.ids, flags(&empty.info)),
            (vec![], (false, false)),
            "{name}"
        );
        assert_eq!(empty.info["endCursor"], Value::Null);
        // paging a filtered, ordered list
        let f = json!({"price_Gte": "9.50"});
        let o = json!([{"price": "DESC"}]);
        let a = page(server, json!({"first": 2, "f": f, "o": o}))
            .await
            .unwrap();
        assert_eq!(a.ids, vec![6, 2], "{name}");
        let b = page(
            server,
            json!({"first": 2, "after": a.cursors[1], "f": f, "o": o}),
        )
        .await
        .unwrap();
        assert_eq!(
            (b.ids, flags(&b.info)),
            (vec![4, 1], (true, true)),
            "{name}"
        );
    }
    cleanup(servers).await;
}

#[tokio::test]
async fn page_sizes_and_cursors_are_checked() {
    let servers = fixture_servers(Config::testing()).await;
    for (backend, server) in &servers {
        let name = backend.name;
        let cursor = page(server, json!({"first": 1})).await.unwrap().cursors[0].clone();
        let bad = |v: Value| async move { page(server, v).await.err() };
        let expect = Some(vec!["BAD_USER_INPUT".to_owned()]);
        assert_eq!(
            bad(json!({"first": 101})).await,
            expect,
            "{name}: above the maximum"
        );
        // Query analysis sees the cost of a million rows before the resolver sees the size.
        assert_eq!(
            bad(json!({"last": 1000000})).await,
            Some(vec!["QUERY_TOO_COMPLEX".to_owned()]),
            "{name}"
        );
        assert_eq!(bad(json!({"first": -1})).await, expect, "{name}");
        assert_eq!(bad(json!({"first": 1, "last": 1})).await, expect, "{name}");
        assert_eq!(
            page(server, json!({"first": 100})).await.unwrap().ids.len(),
            6,
            "{name}: the maximum itself is fine"
        );
        // a tampered cursor
        let mut tampered = cursor.clone();
        tampered.replace_range(0..2, "zz");
        assert_eq!(
            bad(json!({"first": 1, "after": tampered})).await,
            expect,
            "{name}"
        );
        assert_eq!(
            bad(json!({"first": 1, "after": "not a cursor!"})).await,
            expect,
            "{name}"
        );
        assert_eq!(
            bad(json!({"last": 1, "before": ""})).await,
            expect,
            "{name}"
        );
        // a cursor of another type
        let r = server
            .graphql("{ categories(first: 1) { edges { cursor } } }", json!({}))
            .await;
        let foreign = r.body["data"]["categories"]["edges"][0]["cursor"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            bad(json!({"first": 1, "after": foreign})).await,
            expect,
            "{name}"
        );
        // a cursor of another order
        assert_eq!(
            bad(json!({"first": 1, "after": cursor, "o": [{"price": "ASC"}]})).await,
            expect,
            "{name}"
        );
    }
    cleanup(servers).await;
}

#[tokio::test]
async fn the_page_size_limits_come_from_the_config() {
    for backend in backends().await {
        insert_fixture(&backend.db).await;
        let config = Config {
            default_page_size: 2,
            max_page_size: 3,
            ..Config::default()
        };
        let server = backend.serve(config).await;
        assert_eq!(
            page(&server, json!({})).await.unwrap().ids,
            vec![1, 2],
            "{}",
            backend.name
        );
        assert_eq!(
            page(&server, json!({"first": 3})).await.unwrap().ids.len(),
            3
        );
        assert_eq!(
            page(&server, json!({"first": 4})).await.err(),
            Some(vec!["BAD_USER_INPUT".to_owned()])
        );
        drop(server);
        backend.cleanup().await;
    }
}

#[tokio::test]
async fn total_count_is_counted_only_when_selected() {
    let servers = fixture_servers(Config::testing()).await;
    for (backend, server) in &servers {
        backend.statements.take();
        let r = server
            .graphql(
                "{ products(first: 2) { edges { node { id } } } }",
                json!({}),
            )
            .await;
        assert_eq!(ids(&r.body, "products"), vec![1, 2]);
        let statements = backend.statements.take();
        assert_eq!(statements.len(), 1, "{}: {statements:#?}", backend.name);
        assert!(
            !statements[0].to_uppercase().contains("COUNT("),
            "{}",
            statements[0]
        );

        let r = server
            .graphql("{ products(first: 2, filter: {category: Category:3}) { totalCount edges { node { id } } } }", json!({}))
            .await;
        assert_eq!(
            r.body["data"]["products"]["totalCount"], 3,
            "{}: {}",
            backend.name, r.text
        );
        assert_eq!(backend.statements.take().len(), 2, "{}", backend.name);

        // The page is one statement whatever its size.
        for size in [1, 3, 100] {
            let r = server
                .graphql(
                    "query($n: Int) { products(first: $n) { edges { node { id name price } } } }",
                    json!({"n": size}),
                )
                .await;
            assert!(error_codes(&r.body).is_empty(), "{}", r.text);
            assert_eq!(
                backend.statements.take().len(),
                1,
                "{}: page size {size}",
                backend.name
            );
        }
    }
    cleanup(servers).await;
}

#[tokio::test]
async fn detail_fields_find_one_row_by_id() {
    let servers = fixture_servers(Config::testing()).await;
    for (backend, server) in &servers {
        let query = "query($id: ID!) { product(id: $id) { id name price stock weight sku isActive categoryId ownerId createdAt description attributes } }";
        let r = server.graphql(query, json!({"id": "Product:3"})).await;
        let p = &r.body["data"]["product"];
        assert_eq!(p["name"], "Graphic Novel", "{}: {}", backend.name, r.text);
        assert_eq!(decimal(&p["price"]), decimal(&json!("9.5")));
        assert_eq!(p["stock"], 12);
        assert_eq!(p["weight"], 1.25);
        assert_eq!(p["sku"], sku(3).to_string());
        assert_eq!(p["isActive"], false);
        assert_eq!(p["categoryId"], gid("Category", 2));
        assert_eq!(p["ownerId"], gid("User", 1));
        assert_eq!(p["description"], "50% off_sale");
        assert_eq!(p["attributes"], Value::Null);
        let created =
            chrono::DateTime::parse_from_rfc3339(p["createdAt"].as_str().unwrap()).unwrap();
        assert_eq!(created.to_rfc3339(), "2026-01-03T12:00:00+00:00");
        let r = server
            .graphql("{ product(id: Product:1) { attributes } }", json!({}))
            .await;
        assert_eq!(
            r.body["data"]["product"]["attributes"],
            json!({"color": "red"}),
            "{}",
            backend.name
        );
        let r = server.graphql(query, json!({"id": "Product:999"})).await;
        assert_eq!(r.body["data"]["product"], Value::Null);
        assert!(r.body["errors"].is_null(), "{}", r.text);
        let r = server.graphql(query, json!({"id": "three"})).await;
        assert_eq!(error_codes(&r.body), ["BAD_USER_INPUT"]);
    }
    cleanup(servers).await;
}

#[tokio::test]
async fn computed_fields_are_resolved_by_model_methods() {
    let servers = fixture_servers_as(Config::testing(), "admin").await;
    for (backend, server) in &servers {
        let r = server
            .graphql("{ orders(orderBy: [{id: ASC}]) { edges { node { id totalAmount itemCount statusDisplay } } } }", json!({}))
            .await;
        let edges = &r.body["data"]["orders"]["edges"];
        assert_eq!(
            decimal(&edges[0]["node"]["totalAmount"]),
            decimal(&json!("1039.98")),
            "{}: {}",
            backend.name,
            r.text
        );
        assert_eq!(edges[0]["node"]["itemCount"], 3);
        assert_eq!(edges[0]["node"]["statusDisplay"], "Paid");
        assert_eq!(
            decimal(&edges[1]["node"]["totalAmount"]),
            decimal(&json!("15"))
        );
        assert_eq!(edges[1]["node"]["statusDisplay"], "Cancelled");
    }
    cleanup(servers).await;
}

#[tokio::test]
async fn bad_requests_get_coded_errors_not_500s() {
    let servers = fixture_servers(Config::testing()).await;
    for (backend, server) in &servers {
        let name = backend.name;
        for query in [
            "{ products { edges { node { id } } ",
            "{ products { edges { node { passwordHash } } } }",
            "{ users { edges { node { socialSecurityNumber } } } }",
            "{ products(first: \"ten\") { edges { node { id } } } }",
            "{ nothing }",
            "query($n: Int!) { products(first: $n) { edges { node { id } } } }",
        ] {
            let r = server.graphql(query, json!({})).await;
            assert_eq!(r.status, 200, "{name}: {query}");
            assert_eq!(
                error_codes(&r.body),
                ["BAD_USER_INPUT"],
                "{name}: {query} → {}",
                r.text
            );
        }
        let r = server
            .request(
                "POST",
                "/graphql",
                &[("Content-Type", "application/json")],
                b"{not json",
            )
            .await
            .unwrap();
        assert_eq!(r.status, 400, "{name}");
        assert_eq!(error_codes(&r.body), ["BAD_USER_INPUT"]);
        // GET carries queries too, and serves GraphiQL to a browser
        let r = server
            .request(
                "GET",
                "/graphql?query=%7Bproducts(first%3A1)%7Bedges%7Bnode%7Bid%7D%7D%7D%7D",
                &[],
                b"",
            )
            .await
            .unwrap();
        assert_eq!(ids(&r.body, "products"), vec![1], "{name}: {}", r.text);
        let r = server
            .request("GET", "/graphql", &[("Accept", "text/html")], b"")
            .await
            .unwrap();
        assert_eq!(r.status, 200);
        assert!(r.text.to_lowercase().contains("graphiql"), "{name}");
        let r = server.request("GET", "/health", &[], b"").await.unwrap();
        assert_eq!((r.status, r.text.as_str()), (200, "ok"));
        // batches
        let batch = json!([
            {"query": gqlgen_tests::with_global_ids("{ product(id: Product:1) { id } }")},
            {"query": gqlgen_tests::with_global_ids("{ product(id: Product:2) { id } }")},
        ]);
        let r = server
            .request(
                "POST",
                "/graphql",
                &[("Content-Type", "application/json")],
                batch.to_string().as_bytes(),
            )
            .await
            .unwrap();
        assert_eq!(
            r.body[1]["data"]["product"]["id"],
            gid("Product", 2),
            "{name}: {}",
            r.text
        );
    }
    cleanup(servers).await;
}

#[tokio::test]
async fn the_seed_is_deterministic_and_complete() {
    for backend in backends().await {
        assert!(example_app::seed::seed(&backend.db).await.unwrap());
        assert!(
            !example_app::seed::seed(&backend.db).await.unwrap(),
            "seeding twice adds nothing"
        );
        let mut server = backend.serve(Config::default()).await;
        // The demo accounts log in with the passwords of DESIGN.md; staff see private orders.
        server.token = Some(login_with(&server, "admin", "admin-password").await);
        let r = server
            .graphql(
                "{ products { totalCount } categories { totalCount } tags { totalCount } users(filter: {username_In: [\"admin\", \"alice\", \"bob\"]}, orderBy: [{username: ASC}]) { totalCount edges { node { username isStaff } } } orders { totalCount } reviews { totalCount } product(id: Product:17) { name price } }",
                json!({}),
            )
            .await;
        let d = &r.body["data"];
        assert_eq!(
            d["products"]["totalCount"], 1000,
            "{}: {}",
            backend.name, r.text
        );
        assert_eq!(d["categories"]["totalCount"], 20);
        assert_eq!(d["tags"]["totalCount"], 50);
        assert_eq!(d["orders"]["totalCount"], 300);
        assert_eq!(d["reviews"]["totalCount"], 2000);
        assert_eq!(d["users"]["totalCount"], 3);
        assert_eq!(
            d["users"]["edges"][0]["node"],
            json!({"username": "admin", "isStaff": true})
        );
        // The same row on every run: pinned, so a change to the seed is a visible decision.
        assert_eq!(
            d["product"]["name"], "Nordic Novel 0017",
            "{}",
            backend.name
        );
        assert_eq!(decimal(&d["product"]["price"]), decimal(&json!("84.98")));
        drop(server);
        backend.cleanup().await;
    }
}

#[tokio::test]
async fn production_serves_no_graphiql_no_introspection_and_masks_internal_errors() {
    for backend in backends().await {
        insert_fixture(&backend.db).await;
        let server = backend.serve(Config::production()).await;
        let r = server
            .request("GET", "/graphql", &[("Accept", "text/html")], b"")
            .await
            .unwrap();
        assert_eq!(r.status, 400, "{}", backend.name);
        assert!(!r.text.to_lowercase().contains("graphiql"));
        let r = server
            .graphql("{ __schema { types { name } } }", json!({}))
            .await;
        assert!(
            r.body["data"].is_null() || r.body["data"]["__schema"].is_null(),
            "{}",
            r.text
        );
        // Introspection answers nothing; its coded refusal comes with the security settings.
        assert!(!r.text.contains("ProductFilter"), "{}", r.text);
        // Queries still work.
        let r = server
            .graphql(
                "{ products(first: 1) { edges { node { id } } } }",
                json!({}),
            )
            .await;
        assert_eq!(ids(&r.body, "products"), vec![1]);
        // A database failure is INTERNAL_ERROR with no detail.
        backend
            .db
            .execute_unprepared("DROP TABLE review")
            .await
            .unwrap();
        let r = server
            .graphql("{ reviews { edges { node { id } } } }", json!({}))
            .await;
        assert_eq!(error_codes(&r.body), ["INTERNAL_ERROR"], "{}", r.text);
        assert_eq!(r.body["errors"][0]["message"], "Internal server error");
        assert!(
            !r.text.contains("no such table") && !r.text.contains("does not exist"),
            "no database detail leaks: {}",
            r.text
        );
        drop(server);
        backend.cleanup().await;
    }
}

/// A JSON text as written: objects keep their keys in the order of the text.
#[derive(Debug, PartialEq)]
enum Written {
    Object(Vec<(String, Written)>),
    List(Vec<Written>),
    Scalar,
}

impl<'de> serde::Deserialize<'de> for Written {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Written;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("JSON")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Written, A::Error> {
                let mut entries = Vec::new();
                while let Some((key, value)) = map.next_entry::<String, Written>()? {
                    entries.push((key, value));
                }
                Ok(Written::Object(entries))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Written, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Written::List(items))
            }
            fn visit_str<E>(self, _: &str) -> Result<Written, E> {
                Ok(Written::Scalar)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Written, E> {
                Ok(Written::Scalar)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Written, E> {
                Ok(Written::Scalar)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Written, E> {
                Ok(Written::Scalar)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Written, E> {
                Ok(Written::Scalar)
            }
            fn visit_unit<E>(self) -> Result<Written, E> {
                Ok(Written::Scalar)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

impl Written {
    fn keys(&self) -> Vec<&str> {
        match self {
            Written::Object(entries) => entries.iter().map(|(k, _)| k.as_str()).collect(),
            _ => Vec::new(),
        }
    }

    fn get(&self, key: &str) -> &Written {
        match self {
            Written::Object(entries) => entries
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v)
                .unwrap_or_else(|| panic!("no `{key}`")),
            _ => panic!("`{key}` of a non-object"),
        }
    }

    fn items(&self) -> &[Written] {
        match self {
            Written::List(items) => items,
            _ => panic!("not a list"),
        }
    }
}

#[tokio::test]
async fn response_keys_follow_the_selection_order() {
    let servers = fixture_servers(Config::testing()).await;
    // (response key, selection)
    let fields = [
        ("name", "name"),
        ("id", "id"),
        ("category", "category { name id }"),
        ("tags", "tags { edges { node { name } } }"),
        ("price", "... on Product { price }"),
        ("renamed", "renamed: sku"),
        (
            "reviews",
            "reviews(first: 2) { pageInfo { hasNextPage } totalCount edges { node { rating } cursor } }",
        ),
        ("__typename", "__typename"),
    ];
    let mut orders: Vec<Vec<usize>> = (0..fields.len())
        .map(|shift| {
            (0..fields.len())
                .map(|i| (i + shift) % fields.len())
                .collect()
        })
        .collect();
    orders.push((0..fields.len()).rev().collect());
    for (backend, server) in &servers {
        for order in &orders {
            let selection: Vec<&str> = order.iter().map(|&i| fields[i].1).collect();
            let query = format!(
                "{{ products(first: 4) {{ edges {{ node {{ {} }} }} totalCount }} }}",
                selection.join(" ")
            );
            let first = server.graphql(&query, json!({})).await;
            assert!(
                first.body["errors"].is_null(),
                "{}: {}",
                backend.name,
                first.text
            );
            let again = server.graphql(&query, json!({})).await;
            assert_eq!(
                first.text, again.text,
                "{}: the same text every time",
                backend.name
            );
            let written: Written = serde_json::from_str(&first.text).expect("JSON");
            let products = written.get("data").get("products");
            assert_eq!(products.keys(), ["edges", "totalCount"], "{}", backend.name);
            let expected: Vec<&str> = order.iter().map(|&i| fields[i].0).collect();
            let edges = products.get("edges").items();
            assert_eq!(edges.len(), 4);
            for edge in edges {
                let node = edge.get("node");
                assert_eq!(node.keys(), expected, "{}: {query}", backend.name);
                assert_eq!(node.get("category").keys(), ["name", "id"]);
                let reviews = node.get("reviews");
                assert_eq!(reviews.keys(), ["pageInfo", "totalCount", "edges"]);
                for review in reviews.get("edges").items() {
                    assert_eq!(review.keys(), ["node", "cursor"]);
                }
            }
        }
    }
    cleanup(servers).await;
}

/// The read pipeline's rendered text is referred to from the response by a one-entry object
/// only gqlgen's handler can name (it carries a per-process secret). Data of the same shape, in
/// a JSON column, is written out as data, in the page and in a detail field.
#[tokio::test]
async fn json_data_shaped_like_a_rendered_reference_is_written_as_data() {
    use example_app::entities::product;
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

    let servers = fixture_servers(Config::testing()).await;
    for (backend, server) in &servers {
        let n = backend.name;
        for index in 0..2 {
            // The reference's shape with a guessed secret, naming the texts this request keeps.
            let forged = json!({ "$gqlgen:rendered": format!("gqlgen:{:032x}:{index}", 0) });
            product::Entity::update_many()
                .col_expr(product::Column::Attributes, Expr::value(forged.clone()))
                .filter(product::Column::Id.eq(1))
                .exec(&backend.db)
                .await
                .expect("update");
            let r = server
                .graphql(
                    "{ product(id: Product:1) { attributes } \
                     products(first: 1) { edges { node { id attributes } } } }",
                    json!({}),
                )
                .await;
            assert!(error_codes(&r.body).is_empty(), "{n}: {}", r.text);
            assert_eq!(
                r.body["data"]["product"]["attributes"], forged,
                "{n}: {}",
                r.text
            );
            let node = &r.body["data"]["products"]["edges"][0]["node"];
            assert_eq!(node["id"], gid("Product", 1), "{n}: {}", r.text);
            assert_eq!(node["attributes"], forged, "{n}: {}", r.text);
        }
    }
    cleanup(servers).await;
}

/// `__typename` at every level of a connection, written by the render stage.
#[tokio::test]
async fn typenames_name_the_connection_edge_node_and_page_info() {
    let servers = fixture_servers(Config::testing()).await;
    for (backend, server) in &servers {
        let r = server
            .graphql(
                "{ products(first: 1) { __typename edges { __typename node { __typename } } \
                 pageInfo { __typename } } }",
                json!({}),
            )
            .await;
        let products = &r.body["data"]["products"];
        let n = backend.name;
        assert_eq!(
            products["__typename"], "ProductConnection",
            "{n}: {}",
            r.text
        );
        assert_eq!(
            products["edges"][0]["__typename"], "ProductEdge",
            "{n}: {}",
            r.text
        );
        assert_eq!(
            products["edges"][0]["node"]["__typename"], "Product",
            "{n}: {}",
            r.text
        );
        assert_eq!(
            products["pageInfo"]["__typename"], "PageInfo",
            "{n}: {}",
            r.text
        );
    }
    cleanup(servers).await;
}

#[tokio::test]
async fn root_fields_answer_in_selection_order() {
    // Root fields of different models are resolved concurrently: their answers arrive in any
    // order, and the response still lists them as asked, through an alias, a fragment spread
    // and an inline fragment.
    let servers = fixture_servers(Config::testing()).await;
    for (backend, server) in &servers {
        let query = "{ zProducts: products(first: 1) { totalCount edges { node { id } } } \
                     categories(first: 1) { pageInfo { hasNextPage } totalCount } \
                     ...Detail \
                     ... on Query { tags(first: 1) { totalCount } } \
                     aCategory: category(id: Category:1) { name id } } \
                     fragment Detail on Query { product(id: Product:1) { price name } }";
        let response = server.graphql(query, json!({})).await;
        assert!(response.body["errors"].is_null(), "{}", response.text);
        let written: Written = serde_json::from_str(&response.text).expect("JSON");
        let data = written.get("data");
        assert_eq!(
            data.keys(),
            ["zProducts", "categories", "product", "tags", "aCategory"],
            "{}",
            backend.name
        );
        assert_eq!(data.get("categories").keys(), ["pageInfo", "totalCount"]);
        assert_eq!(data.get("product").keys(), ["price", "name"]);
        assert_eq!(data.get("aCategory").keys(), ["name", "id"]);
    }
    cleanup(servers).await;
}

#[tokio::test]
async fn decimals_keep_the_scale_their_column_declares() {
    // `price` is `Decimal(Some((10, 2)))`: SQLite returns `9.5` for 9.50 and PostgreSQL
    // `9.50`; both answer "9.50". A written price comes back the same way.
    let servers = fixture_servers_as(Config::testing(), "admin").await;
    for (backend, server) in &servers {
        let response = server
            .graphql(
                "{ products(orderBy: [{id: ASC}]) { edges { node { price } } } orderItems(first: 1) { edges { node { unitPrice } } } }",
                json!({}),
            )
            .await;
        let prices: Vec<&str> = response.body["data"]["products"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|edge| edge["node"]["price"].as_str().expect("a string"))
            .collect();
        assert_eq!(
            prices,
            ["19.99", "100.00", "9.50", "45.00", "5.00", "1000.00"],
            "{}: {}",
            backend.name,
            response.text
        );
        let unit_price = &response.body["data"]["orderItems"]["edges"][0]["node"]["unitPrice"];
        assert!(
            unit_price
                .as_str()
                .is_some_and(|p| p.split_once('.').is_some_and(|(_, d)| d.len() == 2)),
            "{}: {unit_price}",
            backend.name
        );
        let response = server
            .graphql(
                "mutation { updateProduct(id: Product:3, input: {price: \"999.6\"}) { success product { price } } }",
                json!({}),
            )
            .await;
        assert_eq!(
            response.body["data"]["updateProduct"]["product"]["price"], "999.60",
            "{}: {}",
            backend.name, response.text
        );
    }
    cleanup(servers).await;
}

#[tokio::test]
async fn me_is_the_callers_user_or_null() {
    let servers = fixture_servers_as(Config::testing(), "alice").await;
    for (backend, server) in &servers {
        let query = "{ me { id username email } }";
        let mine = server.graphql(query, json!({})).await;
        assert!(
            mine.body["errors"].is_null(),
            "{}: {}",
            backend.name,
            mine.text
        );
        // Alice may read her own email: the field permission's owner rule.
        assert_eq!(
            mine.body["data"]["me"],
            json!({"id": gid("User", 1), "username": "alice", "email": "alice@example.com"}),
            "{}",
            backend.name
        );
        let anonymous = server.graphql_as(None, query, json!({})).await;
        assert!(anonymous.body["errors"].is_null(), "{}", anonymous.text);
        assert!(anonymous.body["data"]["me"].is_null(), "{}", anonymous.text);
    }
    cleanup(servers).await;
}

#[tokio::test]
async fn filters_across_to_many_relations_match_each_row_once() {
    let servers = fixture_servers(Config::testing()).await;
    for (backend, server) in &servers {
        let n = backend.name;
        // (filter, products): tags by product 1: 1 3, 2: 1, 3: 2 3, 5: 1 2 3, 6: 2; ratings
        // 1: 5 3 4, 2: 1, 4: 2 2, 5: 5, 6: 4 1 3 5, 3: none.
        let cases = [
            (json!({"tags_In": ["Tag:1", "Tag:2"]}), vec![1, 2, 3, 5, 6]),
            (json!({"tags": "Tag:3"}), vec![1, 3, 5]),
            (json!({"tags_Name_Icontains": "CAFÉ"}), vec![1, 3, 5]),
            (json!({"reviews_Rating_Gte": 5}), vec![1, 5, 6]),
            (json!({"reviews_Rating_Lte": 1}), vec![2, 6]),
            (json!({"not": {"reviews_Rating_Gte": 1}}), vec![3]),
            (
                json!({"tags": "Tag:2", "reviews_Rating_Gte": 4}),
                vec![5, 6],
            ),
            (
                json!({"or": [{"tags": "Tag:1"}, {"reviews_Rating_Lte": 2}]}),
                vec![1, 2, 4, 5, 6],
            ),
        ];
        for (filter, expected) in cases {
            assert_eq!(
                filtered(server, filter.clone()).await,
                Ok(expected),
                "{n}: {filter}"
            );
        }
        assert_eq!(
            filtered(server, json!({"tags": "x"})).await,
            Err(vec!["BAD_USER_INPUT".to_owned()]),
            "{n}: a malformed id"
        );
        // Orders are private: a filter across them sees only the orders the caller may read,
        // so it tells nothing about anyone else's. Order 1 (alice's) is PAID, order 2 (bob's)
        // CANCELLED.
        let users = "query($f: UserFilter) { users(filter: $f) { edges { node { id } } } }";
        for (who, status, expected) in [
            ("alice", "PAID", vec![1]),
            ("bob", "PAID", vec![]),
            ("alice", "CANCELLED", vec![]),
            ("bob", "CANCELLED", vec![2]),
            ("admin", "PAID", vec![1]),
        ] {
            let token = gqlgen_tests::login(server, who).await;
            let r = server
                .graphql_as(Some(&token), users, json!({"f": {"orders_Status": status}}))
                .await;
            assert!(r.body["errors"].is_null(), "{n}: {}", r.text);
            assert_eq!(ids(&r.body, "users"), expected, "{n}: {who} {status}");
        }
    }
    cleanup(servers).await;
}
