//! No input takes the server down or makes it answer `INTERNAL_ERROR`, over real HTTP, on SQLite
//! and (with `DATABASE_URL`) PostgreSQL:
//!
//! 1. Filters are measured wherever they come from (variables or literals): nesting, nodes,
//!    values, `_In` lists and pattern lengths each have a limit, refused with `BAD_USER_INPUT`
//!    naming the argument and the setting; variables nesting too deep are refused before they
//!    are parsed. Raised limits let a 20,000-term `or` run as one flat statement.
//! 2. Database refusals the input causes (too many parameters, a pattern too complex) are
//!    `BAD_USER_INPUT` naming the argument, once the limits are raised past what a backend takes.
//! 3. A sweep of every lookup of every filter of the example schema with boundary values gets
//!    data or a coded refusal, never `INTERNAL_ERROR` nor a 5xx.
//! 4. A panic inside a request is that request's 500 with `INTERNAL_ERROR` and an ERROR log line
//!    with its request id; the next request is served.

use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema};
use gqlgen_runtime::Config;
use gqlgen_runtime::testing::{TestResponse, TestServer};
use gqlgen_tests::{Captured, cleanup, fixture_servers_as, gid, relaxed};
use serde_json::{Value, json};

const COUNT: &str = "query($f: ProductFilter) { products(filter: $f) { totalCount } }";

fn message(response: &TestResponse) -> String {
    response.body["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Asserts one `BAD_USER_INPUT` whose message holds every part of `names`.
fn assert_refused(label: &str, response: &TestResponse, names: &[&str]) {
    assert_eq!(
        response.codes(),
        ["BAD_USER_INPUT"],
        "{label}: {}",
        response.text
    );
    let text = message(response);
    for name in names {
        assert!(text.contains(name), "{label}: `{name}` not in: {text}");
    }
}

fn total(response: &TestResponse) -> i64 {
    response.data()["products"]["totalCount"]
        .as_i64()
        .unwrap_or_else(|| panic!("no totalCount: {}", response.text))
}

/// `{or: [{name_Icontains: "q0"}, ...]}` with `n` terms.
fn wide_or(n: usize) -> Value {
    let terms: Vec<Value> = (0..n)
        .map(|i| json!({ "name_Icontains": format!("q{i}") }))
        .collect();
    json!({ "or": terms })
}

/// `{and: [{and: [... {name_Icontains: "a"} ...]}]}` nested `depth` times.
fn deep_and(depth: usize) -> Value {
    let mut filter = json!({ "name_Icontains": "a" });
    for _ in 0..depth {
        filter = json!({ "and": [filter] });
    }
    filter
}

#[tokio::test]
async fn filters_are_measured_against_the_limits() {
    let servers = fixture_servers_as(relaxed(), "admin").await;
    for (backend, server) in &servers {
        let n = backend.name;
        let everything = total(&server.graphql(COUNT, json!({})).await);

        // The issue's killer: a 20,000-term `or` in variables, about 600 KB.
        let r = server.graphql(COUNT, json!({ "f": wide_or(20_000) })).await;
        assert_refused(n, &r, &["`filter`", "1,000", "GRAPHQL_MAX_FILTER_NODES"]);

        // Nesting: the filter's own depth limit, then the variable depth limit before parsing.
        let r = server.graphql(COUNT, json!({ "f": deep_and(11) })).await;
        assert_refused(n, &r, &["`filter`", "`and`", "GRAPHQL_MAX_FILTER_DEPTH"]);
        let r = server.graphql(COUNT, json!({ "f": deep_and(10) })).await;
        assert!(
            r.codes().is_empty(),
            "{n}: ten levels are allowed: {}",
            r.text
        );
        let r = server.graphql(COUNT, json!({ "f": deep_and(60) })).await;
        assert_refused(n, &r, &["`$f`", "GRAPHQL_MAX_INPUT_DEPTH"]);
        let mut not = json!({ "name": "x" });
        for _ in 0..11 {
            not = json!({ "not": not });
        }
        let r = server.graphql(COUNT, json!({ "f": not })).await;
        assert_refused(n, &r, &["`not`", "GRAPHQL_MAX_FILTER_DEPTH"]);
        // The deepest value the input limit lets through is parsed without trouble.
        for _ in 11..31 {
            not = json!({ "not": not });
        }
        let r = server.graphql(COUNT, json!({ "f": not })).await;
        assert_refused(n, &r, &["`not`", "GRAPHQL_MAX_FILTER_DEPTH"]);

        // `_In` lists: one list, and all values of the filter together.
        let ids: Vec<String> = (0..40_000).map(|i| i.to_string()).collect();
        let r = server
            .graphql(COUNT, json!({ "f": { "id_In": ids } }))
            .await;
        assert_refused(n, &r, &["`id_In`", "40,000", "GRAPHQL_MAX_LIST_LENGTH"]);
        let r = server
            .graphql(COUNT, json!({ "f": { "stock_In": vec![1; 1_001] } }))
            .await;
        assert_refused(n, &r, &["`stock_In`", "GRAPHQL_MAX_LIST_LENGTH"]);
        let many: Vec<Value> = (0..11)
            .map(|_| json!({ "stock_In": vec![1; 1_000] }))
            .collect();
        let r = server.graphql(COUNT, json!({ "f": { "or": many } })).await;
        assert_refused(n, &r, &["`filter`", "10,000", "GRAPHQL_MAX_FILTER_VALUES"]);

        // Pattern strings, and text no column can hold.
        let long = "x".repeat(900_000);
        let r = server
            .graphql(COUNT, json!({ "f": { "name_Icontains": long } }))
            .await;
        assert_refused(n, &r, &["`name_Icontains`", "GRAPHQL_MAX_PATTERN_LENGTH"]);
        let r = server
            .graphql(COUNT, json!({ "f": { "name": "a\u{0}b" } }))
            .await;
        assert_refused(n, &r, &["`name`", "NUL"]);

        // A literal filter in the document is measured the same way.
        let list: Vec<String> = (0..1_001).map(|i| i.to_string()).collect();
        let literal = format!(
            "{{ products(filter: {{stock_In: [{}]}}) {{ totalCount }} }}",
            list.join(",")
        );
        let r = server.graphql(&literal, json!({})).await;
        assert_refused(n, &r, &["`stock_In`", "GRAPHQL_MAX_LIST_LENGTH"]);

        // Other list arguments: an input's id list, and an orderBy naming a field twice.
        let create = "mutation($i: ProductCreateInput!) { createProduct(input: $i) { success } }";
        let tag_ids: Vec<String> = (0..1_001).map(|i| i.to_string()).collect();
        let input = json!({
            "name": "Listed", "price": "1.00", "stock": 1, "isActive": true,
            "sku": "00000000-0000-0000-0000-00000000abcd", "categoryId": "Category:1", "ownerId": "User:1",
            "tagIds": tag_ids,
        });
        let r = server.graphql(create, json!({ "i": input })).await;
        assert_refused(n, &r, &["`input.tagIds`", "GRAPHQL_MAX_LIST_LENGTH"]);
        let r = server
            .graphql(
                "{ products(orderBy: [{name: ASC}, {price: DESC}, {name: DESC}]) { totalCount } }",
                json!({}),
            )
            .await;
        assert_refused(n, &r, &["orderBy[2]"]);

        // Text no backend stores alike, written: refused or stored, never an internal error,
        // and never half-written.
        let input = json!({
            "name": "nul\u{0}name", "price": "1.00", "stock": 1, "isActive": true,
            "sku": "00000000-0000-0000-0000-00000000abce", "categoryId": "Category:1", "ownerId": "User:1",
            "tagIds": ["Tag:1"],
        });
        let r = server.graphql(create, json!({ "i": input })).await;
        assert!(
            !r.codes().iter().any(|c| c == "INTERNAL_ERROR") && r.status < 500,
            "{n}: {}",
            r.text
        );
        let stored = r.data()["createProduct"]["success"] == true;
        let found = server
            .graphql(COUNT, json!({ "f": { "name_Startswith": "nul" } }))
            .await;
        assert_eq!(total(&found), i64::from(stored), "{n}: {}", r.text);
        let everything = everything + i64::from(stored);

        // Every limit leaves the database untouched and the server serving.
        let r = server.graphql(COUNT, json!({})).await;
        assert_eq!(total(&r), everything, "{n}");
    }
    cleanup(servers).await;
}

/// The limits raised far past the defaults, as an operator may: big filters still run as one
/// statement, and what a backend cannot take is the client's error, never an internal one.
#[tokio::test]
async fn raised_limits_run_big_filters_flat_and_map_database_refusals() {
    let mut config = relaxed();
    config.limits.max_filter_nodes = 100_000;
    config.limits.max_filter_values = 100_000;
    config.limits.max_list_length = 100_000;
    config.limits.max_pattern_length = 1_000_000;
    // 70,000 global ids are about 1.3 MB of JSON.
    config.max_body_bytes = 4 << 20;
    let servers = fixture_servers_as(config, "admin").await;
    for (backend, server) in &servers {
        let n = backend.name;
        let everything = total(&server.graphql(COUNT, json!({})).await);

        // 20,000 alternatives, one of which matches every product: a balanced condition that
        // neither the renderer's recursion nor SQLite's expression depth limit notices.
        let mut wide = wide_or(20_000);
        wide["or"][19_999] = json!({ "name_Icontains": "" });
        let product_statements = || {
            backend
                .statements
                .take()
                .iter()
                .filter(|s| s.contains("FROM \"product\""))
                .count()
        };
        product_statements();
        server.graphql(COUNT, json!({})).await;
        let unfiltered = product_statements();
        let r = server.graphql(COUNT, json!({ "f": wide })).await;
        assert!(r.codes().is_empty(), "{n}: {}", message(&r));
        assert_eq!(total(&r), everything, "{n}");
        assert_eq!(
            product_statements(),
            unfiltered,
            "{n}: the filter's size does not change the statements"
        );

        // 40,000 ids: within PostgreSQL's 65,535 parameters, past SQLite's 32,766.
        let ids: Vec<String> = (1..=40_000).map(|i| gid("Product", i)).collect();
        let r = server
            .graphql(COUNT, json!({ "f": { "id_In": ids } }))
            .await;
        if n == "sqlite" {
            assert_refused(n, &r, &["`filter`", "too large for the database"]);
        } else {
            assert_eq!(total(&r), everything, "{n}: {}", r.text);
        }
        // 70,000: past every backend's parameter limit.
        let ids: Vec<String> = (1..=70_000).map(|i| gid("Product", i)).collect();
        let r = server
            .graphql(COUNT, json!({ "f": { "id_In": ids } }))
            .await;
        assert_refused(n, &r, &["`filter`", "too large for the database"]);

        // A 900 KB pattern: SQLite's LIKE refuses patterns over 50,000 bytes.
        let long = "x".repeat(900_000);
        let r = server
            .graphql(COUNT, json!({ "f": { "name_Icontains": long } }))
            .await;
        if n == "sqlite" {
            assert_refused(n, &r, &["`filter`", "too large for the database"]);
        } else {
            assert_eq!(total(&r), 0, "{n}: {}", r.text);
        }
    }
    cleanup(servers).await;
}

// ---------------------------------------------------------------------------------------------
// The sweep: every lookup of every filter with boundary values.

/// The type of an input field from introspection, as `[Int!]` or `String`.
fn type_name(t: &Value) -> String {
    match t["kind"].as_str() {
        Some("NON_NULL") => format!("{}!", type_name(&t["ofType"])),
        Some("LIST") => format!("[{}]", type_name(&t["ofType"])),
        _ => t["name"].as_str().unwrap_or_default().to_owned(),
    }
}

/// Boundary values of a scalar or enum type, as JSON variables.
fn boundary_values(scalar: &str, enum_values: &[String]) -> Vec<Value> {
    let text = [
        json!(""),
        json!("\u{0}"),
        json!("a\u{0}"),
        json!("É漢字😀\u{202e}"),
        json!("%"),
        json!("_"),
        json!("\\"),
        json!("50%_off\\%"),
        json!("'; DROP TABLE product; --"),
        json!("x".repeat(1_000)),
        json!("x".repeat(1_001)),
    ];
    match scalar {
        "String" => text.to_vec(),
        "Int" => vec![
            json!(0),
            json!(-1),
            json!(i32::MAX),
            json!(i32::MIN),
            json!(i64::from(i32::MAX) + 1),
            json!(1.5),
            json!("1"),
        ],
        "Float" => vec![
            json!(0.0),
            json!(-0.0),
            json!(f64::MAX),
            json!(f64::MIN),
            json!(f64::MIN_POSITIVE),
            json!(5e-324),
            json!("NaN"),
            json!("Infinity"),
            json!("-Infinity"),
        ],
        "Decimal" => vec![
            json!("0"),
            json!("-0.00"),
            json!("79228162514264337593543950335"),
            json!("-79228162514264337593543950335"),
            json!("0.0000000000000000000000000001"),
            json!("1e30"),
            json!("1e-30"),
            json!("NaN"),
            json!("Infinity"),
            json!("abc"),
            json!(1.5),
        ],
        "ID" => vec![
            json!(""),
            json!("0"),
            json!("-1"),
            json!("2147483647"),
            json!("2147483648"),
            json!("-2147483649"),
            json!("99999999999999999999999999"),
            json!("1.5"),
            json!("abc"),
            json!("\u{0}"),
            json!(42),
            // Global ids of every type, with keys past each integer type and not numbers.
            json!(gqlgen_runtime::global_id::encode("Product", "2147483648")),
            json!(gqlgen_runtime::global_id::encode(
                "Product",
                "-9223372036854775809"
            )),
            json!(gqlgen_runtime::global_id::encode("Category", "1")),
            json!(gqlgen_runtime::global_id::encode("User", "x")),
            json!(gqlgen_runtime::global_id::encode("Nothing", "1")),
            json!(gqlgen_runtime::global_id::encode("Product", "1\u{0}")),
        ],
        "Boolean" => vec![json!(true), json!(false), json!("true"), json!(1)],
        "DateTime" => vec![
            json!("1970-01-01T00:00:00Z"),
            json!("0001-01-01T00:00:00Z"),
            json!("9999-12-31T23:59:59.999999Z"),
            json!("+262142-12-31T23:59:59Z"),
            json!("-262143-01-01T00:00:00Z"),
            json!("-4714-11-23T00:00:00Z"),
            json!("+294277-01-01T00:00:00Z"),
            json!("2024-02-30T00:00:00Z"),
            json!("2024-01-01"),
            json!("not a date"),
        ],
        "UUID" => vec![
            json!("00000000-0000-0000-0000-000000000000"),
            json!("ffffffff-ffff-ffff-ffff-ffffffffffff"),
            json!("not-a-uuid"),
            json!(""),
        ],
        _ if !enum_values.is_empty() => {
            let mut values: Vec<Value> = enum_values.iter().map(|v| json!(v)).collect();
            values.push(json!("NOT_A_VALUE"));
            values.push(json!(""));
            values
        }
        other => vec![json!(null), json!(""), json!(other)],
    }
}

/// Values of a field of type `ty` (`[Int!]`, `Boolean`...): the scalar's boundaries, and for a
/// list also the empty list, a list of each boundary, a mixed list and the longest allowed.
fn field_values(ty: &str, enum_values: &[String], max_list: usize) -> Vec<Value> {
    let scalar = ty.trim_matches(|c| matches!(c, '[' | ']' | '!'));
    let values = boundary_values(scalar, enum_values);
    if !ty.starts_with('[') {
        return values;
    }
    let mut lists = vec![json!([]), Value::Array(values.clone())];
    lists.extend(values.iter().map(|v| json!([v, v])));
    if let Some(first) = values.first() {
        lists.push(Value::Array(vec![first.clone(); max_list]));
        lists.push(Value::Array(vec![first.clone(); max_list + 1]));
    }
    lists
}

/// Every filter type with its root connection field and the input fields to sweep.
async fn filters_of_the_schema(
    server: &TestServer,
) -> Vec<(String, String, Vec<(String, String)>)> {
    let query = r#"{
        __schema {
            queryType { fields { name args { name type { kind name ofType { kind name } } } } }
            types { name kind enumValues { name }
                inputFields { name type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } }
        }
    }"#;
    let r = server.graphql(query, json!({})).await;
    assert!(r.codes().is_empty(), "{}", r.text);
    let schema = &r.data()["__schema"];
    let types = schema["types"].as_array().expect("types");
    let mut out = Vec::new();
    for field in schema["queryType"]["fields"].as_array().expect("fields") {
        let Some(filter) = field["args"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|a| a["name"] == "filter")
        else {
            continue;
        };
        let filter_type = type_name(&filter["type"]);
        let inputs = types
            .iter()
            .find(|t| t["name"] == filter_type.as_str())
            .expect("the filter type")["inputFields"]
            .as_array()
            .expect("input fields")
            .iter()
            .filter(|f| !matches!(f["name"].as_str(), Some("and" | "or" | "not")))
            .map(|f| {
                (
                    f["name"].as_str().expect("name").to_owned(),
                    type_name(&f["type"]),
                )
            })
            .collect();
        out.push((
            field["name"].as_str().expect("name").to_owned(),
            filter_type,
            inputs,
        ));
    }
    out
}

fn enum_values_of(schema_types: &[Value], name: &str) -> Vec<String> {
    schema_types
        .iter()
        .find(|t| t["name"] == name && t["kind"] == "ENUM")
        .and_then(|t| t["enumValues"].as_array())
        .map(|values| {
            values
                .iter()
                .filter_map(|v| v["name"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn every_lookup_with_boundary_values_answers_data_or_a_coded_refusal() {
    let config = relaxed();
    let max_list = config.limits.max_list_length as usize;
    let servers = fixture_servers_as(config, "admin").await;
    for (backend, server) in &servers {
        let n = backend.name;
        let filters = filters_of_the_schema(server).await;
        assert!(filters.len() >= 7, "{n}: every model has a filter");
        let types = server
            .graphql(
                "{ __schema { types { name kind enumValues { name } } } }",
                json!({}),
            )
            .await;
        let types = types.data()["__schema"]["types"]
            .as_array()
            .expect("types")
            .clone();
        let mut requests = 0;
        let mut answered_with_data = 0;
        for (root, filter_type, fields) in &filters {
            let query = format!(
                "query($f: {filter_type}) {{ {root}(filter: $f, first: 2) {{ totalCount edges {{ node {{ id }} }} }} }}"
            );
            for (field, ty) in fields {
                let scalar = ty.trim_matches(|c| matches!(c, '[' | ']' | '!'));
                let enum_values = enum_values_of(&types, scalar);
                for value in field_values(ty, &enum_values, max_list) {
                    let r = server
                        .graphql(&query, json!({ "f": { field: value } }))
                        .await;
                    requests += 1;
                    let label = format!("{n}: {root}({field}: {value:.80})");
                    assert!(
                        r.status < 500,
                        "{label}: HTTP {}: {:.300}",
                        r.status,
                        r.text
                    );
                    let codes = r.codes();
                    let errors = r.body["errors"].as_array().map_or(0, Vec::len);
                    assert_eq!(
                        codes.len(),
                        errors,
                        "{label}: an error without a code: {}",
                        r.text
                    );
                    assert!(
                        !codes.iter().any(|c| c == "INTERNAL_ERROR"),
                        "{label}: INTERNAL_ERROR: {:.300}",
                        r.text
                    );
                    if errors == 0 {
                        assert!(
                            r.data()[root.as_str()]["totalCount"].is_u64(),
                            "{label}: neither data nor an error: {:.300}",
                            r.text
                        );
                        answered_with_data += 1;
                    }
                }
            }
        }
        assert!(requests > 500, "{n}: only {requests} requests");
        assert!(
            answered_with_data > requests / 4,
            "{n}: most values should be accepted"
        );
    }
    cleanup(servers).await;
}

/// A token that cannot be checked because the database fails is refused (a revoked token must
/// not pass) with `INTERNAL_ERROR`, as any outage is, not with a 401 telling the client to
/// discard a token that may be valid.
#[tokio::test]
async fn a_token_that_cannot_be_checked_is_refused_without_a_401() {
    use sea_orm::ConnectionTrait;
    let servers = fixture_servers_as(Config::testing(), "alice").await;
    for (backend, server) in &servers {
        let n = backend.name;
        let probe = "{ products(first: 1) { totalCount } }";
        assert_eq!(server.graphql(probe, json!({})).await.status, 200, "{n}");
        let rename = |from: &str, to: &str| format!("ALTER TABLE \"{from}\" RENAME TO \"{to}\"");
        backend
            .db
            .execute_unprepared(&rename("user", "user_away"))
            .await
            .expect("rename");
        let r = server.graphql(probe, json!({})).await;
        assert_eq!(r.status, 200, "{n}: {}", r.text);
        assert_eq!(r.codes(), ["INTERNAL_ERROR"], "{n}");
        assert!(r.data().is_null(), "{n}: no data without a checked token");
        assert!(r.header("www-authenticate").is_none(), "{n}");
        backend
            .db
            .execute_unprepared(&rename("user_away", "user"))
            .await
            .expect("rename back");
        let r = server.graphql(probe, json!({})).await;
        assert_eq!(r.status, 200, "{n}: the same token works again: {}", r.text);
    }
    cleanup(servers).await;
}

// ---------------------------------------------------------------------------------------------
// Panics

struct PanickingQuery;

#[Object]
impl PanickingQuery {
    async fn ok(&self) -> i32 {
        1
    }

    async fn boom(&self, fail: Option<bool>) -> i32 {
        if fail.unwrap_or(true) {
            panic!("a bug in a resolver");
        }
        0
    }
}

// One thread: the server's tasks run where the subscriber is the default.
#[tokio::test(flavor = "current_thread")]
async fn a_panic_is_that_requests_500_and_the_next_request_is_served() {
    let logs = Captured::default();
    let sink = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_writer(move || sink.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    for (profile, config) in [
        ("production", Config::production()),
        ("development", Config::development()),
    ] {
        let mut config = config;
        config.rate_limit.enabled = false;
        let schema = Schema::build(PanickingQuery, EmptyMutation, EmptySubscription).finish();
        let server = TestServer::start(gqlgen_runtime::http::router(schema, config.clone()))
            .await
            .expect("serve");

        let r = server.graphql("{ ok boom }", json!({})).await;
        assert_eq!(r.status, 500, "{profile}: {}", r.text);
        assert_eq!(r.codes(), ["INTERNAL_ERROR"], "{profile}: {}", r.text);
        let text = message(&r);
        if config.debug {
            assert!(text.contains("a bug in a resolver"), "{profile}: {text}");
        } else {
            assert_eq!(text, "Internal server error", "{profile}");
        }
        let request_id = r.header("x-request-id").expect("a request id").to_owned();
        let logged = logs.text();
        let line = logged
            .lines()
            .find(|l| l.contains("the request panicked"))
            .unwrap_or_else(|| panic!("{profile}: no panic logged:\n{logged}"));
        assert!(line.contains("ERROR"), "{profile}: {line}");
        assert!(line.contains(&request_id), "{profile}: {line}");

        // The same server answers the next request normally.
        let r = server.graphql("{ ok }", json!({})).await;
        assert_eq!(r.status, 200, "{profile}: {}", r.text);
        assert_eq!(r.data()["ok"], 1, "{profile}");
        logs.clear();
    }
}
