//! The response cache through the router: a cached answer is served again (a change made
//! behind gqlgen's back stays unseen), every write through gqlgen ends the answers that read
//! its model before it answers, answers that depend on the caller are never served to anyone
//! else, answers with errors are not kept, and GET answers carry `Cache-Control` and `ETag`.

use std::time::Duration;

use gqlgen_runtime::Config;
use gqlgen_tests::{Backend, cleanup, fixture_servers, login};
use sea_orm::ConnectionTrait as _;
use serde_json::{Value, json};

fn caching() -> Config {
    let mut config = Config::testing();
    config.caching_enabled = true;
    config
}

/// Renames product 1 in the database directly, as a write gqlgen does not hear of.
async fn rename_behind_the_back(backend: &Backend, name: &str) {
    backend
        .db
        .execute_unprepared(&format!("UPDATE product SET name = '{name}' WHERE id = 1"))
        .await
        .expect("the direct update");
}

const FIRST_PRODUCT: &str = "{ product(id: Product:1) { name category { name } } }";

fn name_of(body: &Value) -> Value {
    body["data"]["product"]["name"].clone()
}

#[tokio::test]
async fn a_cached_answer_is_served_until_a_write_through_gqlgen() {
    let servers = fixture_servers(caching()).await;
    for (backend, server) in &servers {
        let n = backend.name;
        let admin = login(server, "admin").await;
        let first = server.graphql(FIRST_PRODUCT, json!({})).await;
        assert_eq!(
            name_of(&first.body),
            "Crème Brûlée Torch",
            "{n}: {}",
            first.text
        );
        // Served from the cache: a change behind gqlgen's back is not seen...
        rename_behind_the_back(backend, "Renamed behind").await;
        let again = server.graphql(FIRST_PRODUCT, json!({})).await;
        assert_eq!(again.text, first.text, "{n}");
        // ...whatever the query's layout.
        let spaced = server
            .graphql(
                "{\n  product(id: Product:1) {\n    name,\n    # where it is sold\n    category { name }\n  }\n}",
                json!({}),
            )
            .await;
        assert_eq!(spaced.text, first.text, "{n}");
        // A write through the API ends it before the write answers, on every write path.
        let writes = [
            "mutation { updateProduct(id: Product:2, input: {stock: 4}) { success } }",
            "mutation($f: ProductFilter!) { updateProducts(filter: $f, input: {stock: 5}) { success } }",
        ];
        for (i, write) in writes.iter().enumerate() {
            let name = format!("Renamed {i}");
            rename_behind_the_back(backend, &name).await;
            let r = server
                .graphql_as(
                    Some(&admin),
                    write,
                    json!({ "f": { "id_In": ["Product:2"] } }),
                )
                .await;
            assert!(r.codes().is_empty(), "{n}: {}", r.text);
            let after = server.graphql(FIRST_PRODUCT, json!({})).await;
            assert_eq!(name_of(&after.body), name.as_str(), "{n}: {write}");
        }
        // A write to another model read by the answer ends it too.
        rename_behind_the_back(backend, "Renamed by category").await;
        let r = server
            .graphql_as(
                Some(&admin),
                "mutation { updateCategory(id: Category:2, input: {name: \"Comics!\"}) { success } }",
                json!({}),
            )
            .await;
        assert!(r.codes().is_empty(), "{n}: {}", r.text);
        let after = server.graphql(FIRST_PRODUCT, json!({})).await;
        assert_eq!(name_of(&after.body), "Renamed by category", "{n}");
        // A created and a deleted row end the list answers.
        let list = "{ products(first: 50) { totalCount } }";
        let before = server.graphql(list, json!({})).await;
        let created = server
            .graphql_as(
                Some(&admin),
                "mutation { createProduct(input: {name: \"New\", price: \"1.00\", stock: 1, categoryId: Category:1}) { product { id } } }",
                json!({}),
            )
            .await;
        let id = created.data()["createProduct"]["product"]["id"].clone();
        let grown = server.graphql(list, json!({})).await;
        assert_eq!(
            grown.data()["products"]["totalCount"],
            before.data()["products"]["totalCount"]
                .as_u64()
                .unwrap_or(0)
                + 1,
            "{n}: {}",
            grown.text
        );
        let r = server
            .graphql_as(
                Some(&admin),
                &format!("mutation {{ deleteProduct(id: {id}) {{ success }} }}"),
                json!({}),
            )
            .await;
        assert!(r.codes().is_empty(), "{n}: {}", r.text);
        let shrunk = server.graphql(list, json!({})).await;
        assert_eq!(shrunk.text, before.text, "{n}");
    }
    cleanup(servers).await;
}

#[tokio::test]
async fn variables_and_the_operation_name_are_in_the_key() {
    let servers = fixture_servers(caching()).await;
    let (_, server) = &servers[0];
    let query = "query One($id: ID!) { product(id: $id) { name } } query Two { products(first: 1) { edges { node { name } } } }";
    let one = |id: i64| json!({ "id": gqlgen_tests::gid("Product", id) });
    let body = |operation: &str, variables: Value| {
        json!({ "query": query, "operationName": operation, "variables": variables }).to_string()
    };
    let post = |body: String| async move {
        server
            .request(
                "POST",
                "/graphql",
                &[("Content-Type", "application/json")],
                body.as_bytes(),
            )
            .await
            .expect("an answer")
    };
    let first = post(body("One", one(1))).await;
    let second = post(body("One", one(2))).await;
    let two = post(body("Two", json!({}))).await;
    assert_eq!(
        first.body["data"]["product"]["name"], "Crème Brûlée Torch",
        "{}",
        first.text
    );
    assert_eq!(
        second.body["data"]["product"]["name"], "ÉCLAIR pan",
        "{}",
        second.text
    );
    assert!(two.body["data"]["products"].is_object(), "{}", two.text);
    cleanup(servers).await;
}

#[tokio::test]
async fn an_answer_that_depends_on_the_caller_is_never_served_to_another() {
    let servers = fixture_servers(caching()).await;
    for (backend, server) in &servers {
        let n = backend.name;
        let alice = login(server, "alice").await;
        let bob = login(server, "bob").await;
        // Orders: a row scope.
        let orders = "{ orders(first: 10) { edges { node { id user { username } } } } }";
        let as_alice = server.graphql_as(Some(&alice), orders, json!({})).await;
        let as_bob = server.graphql_as(Some(&bob), orders, json!({})).await;
        let anonymous = server.graphql_as(None, orders, json!({})).await;
        let users = |r: &gqlgen_runtime::testing::TestResponse| -> Vec<Value> {
            r.data()["orders"]["edges"]
                .as_array()
                .map(|edges| {
                    edges
                        .iter()
                        .map(|e| e["node"]["user"]["username"].clone())
                        .collect()
                })
                .unwrap_or_default()
        };
        assert!(!users(&as_alice).is_empty(), "{n}: {}", as_alice.text);
        assert!(
            users(&as_alice).iter().all(|u| u == "alice"),
            "{n}: {}",
            as_alice.text
        );
        assert!(
            users(&as_bob).iter().all(|u| u == "bob"),
            "{n}: {}",
            as_bob.text
        );
        assert_ne!(as_alice.text, as_bob.text, "{n}");
        assert_ne!(anonymous.text, as_alice.text, "{n}");
        // `me`, and a guarded field: alice's email never reaches bob or anonymous callers.
        let me = "{ me { username email } }";
        let alice_me = server.graphql_as(Some(&alice), me, json!({})).await;
        assert_eq!(alice_me.data()["me"]["email"], "alice@example.com", "{n}");
        let bob_me = server.graphql_as(Some(&bob), me, json!({})).await;
        assert_eq!(
            bob_me.data()["me"]["username"],
            "bob",
            "{n}: {}",
            bob_me.text
        );
        let anonymous_me = server.graphql_as(None, me, json!({})).await;
        assert_eq!(anonymous_me.data()["me"], Value::Null, "{n}");
        let email = "{ user(id: User:1) { email } }";
        let own = server.graphql_as(Some(&alice), email, json!({})).await;
        assert_eq!(
            own.data()["user"]["email"],
            "alice@example.com",
            "{n}: {}",
            own.text
        );
        for token in [Some(bob.as_str()), None] {
            let other = server.graphql_as(token, email, json!({})).await;
            assert_ne!(
                other.data()["user"]["email"],
                "alice@example.com",
                "{n}: {}",
                other.text
            );
        }
    }
    cleanup(servers).await;
}

#[tokio::test]
async fn answers_with_errors_are_not_kept() {
    let servers = fixture_servers(caching()).await;
    for (backend, server) in &servers {
        let n = backend.name;
        let bob = login(server, "bob").await;
        // Bob may not read alice's email: the answer has an error and is not kept.
        let query = "{ product(id: Product:1) { name owner { email } } }";
        let first = server.graphql_as(Some(&bob), query, json!({})).await;
        assert_eq!(first.codes(), ["PERMISSION_DENIED"], "{n}: {}", first.text);
        rename_behind_the_back(backend, "Seen at once").await;
        let second = server.graphql_as(Some(&bob), query, json!({})).await;
        assert_eq!(
            second.data()["product"]["name"],
            "Seen at once",
            "{n}: {}",
            second.text
        );
    }
    cleanup(servers).await;
}

#[tokio::test]
async fn an_answer_lives_its_ttl() {
    let mut config = caching();
    // Tags have a plain `cache`: the default TTL.
    config.cache.default_ttl = 1;
    let servers = fixture_servers(config).await;
    let (backend, server) = &servers[0];
    let tags = "{ tags(first: 1) { edges { node { name } } } }";
    let first = server.graphql(tags, json!({})).await;
    backend
        .db
        .execute_unprepared("UPDATE tag SET name = 'expired' WHERE id = 1")
        .await
        .expect("the direct update");
    let cached = server.graphql(tags, json!({})).await;
    assert_eq!(cached.text, first.text);
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    let later = server.graphql(tags, json!({})).await;
    assert!(later.text.contains("expired"), "{}", later.text);
    cleanup(servers).await;
}

#[tokio::test]
async fn get_answers_carry_cache_control_and_an_etag() {
    let servers = fixture_servers(caching()).await;
    let (_, server) = &servers[0];
    let alice = login(server, "alice").await;
    let get = |query: &str, headers: Vec<(&'static str, String)>| {
        let path = format!(
            "/graphql?query={}",
            percent_encoded(&gqlgen_tests::with_global_ids(query))
        );
        async move {
            let headers: Vec<(&str, &str)> =
                headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
            server
                .request("GET", &path, &headers, b"")
                .await
                .expect("an answer")
        }
    };
    let public = get(FIRST_PRODUCT, vec![]).await;
    assert_eq!(
        public.header("cache-control"),
        Some("public, max-age=300"),
        "{}",
        public.text
    );
    let etag = public.header("etag").expect("an ETag").to_owned();
    let again = get(FIRST_PRODUCT, vec![("If-None-Match", etag.clone())]).await;
    assert_eq!(again.status, 304);
    assert!(again.text.is_empty());
    // The caller's own answer is private; one that is not cacheable is not stored.
    let bearer = format!("Bearer {alice}");
    let orders = get(
        "{ orders(first: 5) { totalCount } }",
        vec![("Authorization", bearer.clone())],
    )
    .await;
    assert_eq!(
        orders.header("cache-control"),
        Some("private, max-age=60"),
        "{}",
        orders.text
    );
    let not_cached = get("{ __typename }", vec![]).await;
    assert_eq!(
        not_cached.header("cache-control"),
        Some("no-store"),
        "{}",
        not_cached.text
    );
    cleanup(servers).await;
}

/// `text` as a query-string value.
fn percent_encoded(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Two instances of the app over one database and one Redis: an answer cached by the first is
/// served by the second, and a write through either ends it on both before it answers. Runs
/// when `REDIS_URL` names a server (CI sets it), skipped otherwise.
#[tokio::test]
async fn a_write_through_one_instance_ends_the_answers_of_every_instance() {
    let Ok(url) = std::env::var("REDIS_URL") else {
        eprintln!("skipped: REDIS_URL is not set");
        return;
    };
    for backend in gqlgen_tests::backends().await {
        let n = backend.name;
        gqlgen_tests::insert_fixture(&backend.db).await;
        let mut config = caching();
        config.redis_url = Some(url.clone());
        config.jwt.secret_key = Some("a shared secret of the two instances".into());
        // A namespace of this test's own: Redis outlives it, and other runs use it too.
        config.cache.namespace = Some(format!("test{}", uuid::Uuid::new_v4().simple()));
        let instance = || async {
            let router = example_app::app(backend.db.clone(), config.clone())
                .await
                .expect("the app connects to Redis");
            gqlgen_tests::Api(
                gqlgen_runtime::testing::TestServer::start(router)
                    .await
                    .expect("bind"),
            )
        };
        let (first, second) = (instance().await, instance().await);
        let admin = login(&first, "admin").await;
        let cached = first.graphql(FIRST_PRODUCT, json!({})).await;
        rename_behind_the_back(&backend, "Behind").await;
        // The second instance serves the first one's answer: the cache is shared.
        let shared = second.graphql(FIRST_PRODUCT, json!({})).await;
        assert_eq!(shared.text, cached.text, "{n}");
        for (i, (writer, reader)) in [(&first, &second), (&second, &first)]
            .into_iter()
            .enumerate()
        {
            let name = format!("Through instance {i}");
            let r = writer
                .graphql_as(
                    Some(&admin),
                    &format!("mutation {{ updateProduct(id: Product:1, input: {{name: \"{name}\"}}) {{ success }} }}"),
                    json!({}),
                )
                .await;
            assert!(r.codes().is_empty(), "{n}: {}", r.text);
            // Read back at once on the other instance: never the old answer.
            let after = reader.graphql(FIRST_PRODUCT, json!({})).await;
            assert_eq!(name_of(&after.body), name.as_str(), "{n}: {}", after.text);
        }
        drop((first, second));
        backend.cleanup().await;
    }
}

fn sha256_hex(text: &str) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A GET of `/graphql` with these query-string parameters.
async fn get(
    server: &gqlgen_runtime::testing::TestServer,
    params: &[(&str, &str)],
) -> gqlgen_runtime::testing::TestResponse {
    let query: Vec<String> = params
        .iter()
        .map(|(name, value)| format!("{name}={}", percent_encoded(value)))
        .collect();
    server
        .request("GET", &format!("/graphql?{}", query.join("&")), &[], b"")
        .await
        .expect("an answer")
}

#[tokio::test]
async fn automatic_persisted_queries_round_trip_over_get() {
    let servers = fixture_servers(caching()).await;
    let (_, server) = &servers[0];
    let document = "{ categories(first: 3) { edges { node { name } } } }";
    let hash = sha256_hex(document);
    let extensions = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } }).to_string();
    // The hash alone: not known yet.
    let unknown = get(server, &[("extensions", &extensions)]).await;
    assert_eq!(
        unknown.codes(),
        ["PERSISTED_QUERY_NOT_FOUND"],
        "{}",
        unknown.text
    );
    assert_eq!(
        unknown.body["errors"][0]["message"],
        "PersistedQueryNotFound"
    );
    // With the document: registered and answered.
    let registered = get(server, &[("query", document), ("extensions", &extensions)]).await;
    assert!(registered.codes().is_empty(), "{}", registered.text);
    // Then the hash alone runs it, and the answer is cacheable by HTTP caches.
    let by_hash = get(server, &[("extensions", &extensions)]).await;
    assert_eq!(by_hash.body, registered.body);
    assert_eq!(
        by_hash.header("cache-control"),
        Some("public, max-age=1800")
    );
    // A hash that is not the document's is refused.
    let forged =
        json!({ "persistedQuery": { "version": 1, "sha256Hash": sha256_hex("{ other }") } })
            .to_string();
    let refused = get(server, &[("query", document), ("extensions", &forged)]).await;
    assert_eq!(refused.codes(), ["BAD_USER_INPUT"], "{}", refused.text);
    cleanup(servers).await;
}

#[tokio::test]
async fn an_allow_list_runs_only_its_documents() {
    let listed = "{ categories(first: 3) { edges { node { name } } } }";
    let manifest = json!({
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": [{ "id": sha256_hex(listed), "body": listed, "name": "Categories", "type": "query" }],
    });
    let file =
        std::env::temp_dir().join(format!("manifest-{}.json", uuid::Uuid::new_v4().simple()));
    std::fs::write(&file, manifest.to_string()).expect("the manifest is written");
    let mut config = caching();
    config.persisted_queries_allow_list = Some(file.display().to_string());
    let servers = fixture_servers(config).await;
    let (_, server) = &servers[0];
    let by_text = server.graphql(listed, json!({})).await;
    assert!(by_text.codes().is_empty(), "{}", by_text.text);
    let extensions =
        json!({ "persistedQuery": { "version": 1, "sha256Hash": sha256_hex(listed) } }).to_string();
    let by_hash = get(server, &[("extensions", &extensions)]).await;
    assert_eq!(by_hash.body["data"], by_text.body["data"]);
    let other = "{ tags(first: 1) { totalCount } }";
    let refused = server.graphql(other, json!({})).await;
    assert_eq!(
        refused.codes(),
        ["PERSISTED_QUERY_NOT_IN_LIST"],
        "{}",
        refused.text
    );
    let other_extensions =
        json!({ "persistedQuery": { "version": 1, "sha256Hash": sha256_hex(other) } }).to_string();
    let register = get(
        server,
        &[("query", other), ("extensions", &other_extensions)],
    )
    .await;
    assert_eq!(
        register.codes(),
        ["PERSISTED_QUERY_NOT_IN_LIST"],
        "{}",
        register.text
    );
    // The socket runs only listed documents too.
    let subscription = "subscription { productCreated { name } }";
    let refused = over_the_socket(server.addr(), json!({}), subscription).await;
    // Refused before it runs, as other refusals over the socket: one answer with the error.
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"], "PERSISTED_QUERY_NOT_IN_LIST",
        "{refused}"
    );
    let listed_over_the_socket = over_the_socket(server.addr(), json!({}), listed).await;
    assert_eq!(
        listed_over_the_socket["payload"]["data"], by_text.body["data"],
        "{listed_over_the_socket}"
    );
    std::fs::remove_file(&file).ok();
    cleanup(servers).await;
}

/// Runs `query` over a new graphql-transport-ws connection initialised with `payload`; answers
/// the operation's first `next` or `error` message.
async fn over_the_socket(addr: std::net::SocketAddr, payload: Value, query: &str) -> Value {
    use futures_util::{SinkExt as _, StreamExt as _};
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;

    let mut request = format!("ws://{addr}/graphql/ws")
        .into_client_request()
        .expect("a request");
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().expect("a header value"),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("the upgrade");
    let send = |value: Value| Message::Text(value.to_string().into());
    let init = json!({ "type": "connection_init", "payload": payload });
    socket.send(send(init)).await.expect("sent");
    let subscribe = json!({ "type": "subscribe", "id": "1", "payload": { "query": query } });
    socket.send(send(subscribe)).await.expect("sent");
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("an answer within 10 s")
            .expect("the socket is open")
            .expect("a message");
        let Message::Text(text) = message else {
            continue;
        };
        let value: Value = serde_json::from_str(&text).unwrap_or_default();
        if value["type"] == "next" || value["type"] == "error" {
            return value;
        }
    }
}

#[tokio::test]
async fn a_mutation_over_the_websocket_ends_cached_answers_too() {
    let servers = fixture_servers(caching()).await;
    let (backend, server) = &servers[0];
    let admin = login(server, "admin").await;
    server.graphql(FIRST_PRODUCT, json!({})).await;
    rename_behind_the_back(backend, "Behind").await;
    let mutation = gqlgen_tests::with_global_ids(
        "mutation { updateProduct(id: Product:1, input: {name: \"Over the socket\"}) { success } }",
    );
    let answer = over_the_socket(server.addr(), json!({ "authToken": admin }), &mutation).await;
    assert_eq!(
        answer["payload"]["data"]["updateProduct"]["success"], true,
        "{answer}"
    );
    let after = server.graphql(FIRST_PRODUCT, json!({})).await;
    assert_eq!(name_of(&after.body), "Over the socket", "{}", after.text);
    cleanup(servers).await;
}

#[tokio::test]
async fn bulk_creates_and_deletes_end_cached_answers() {
    let servers = fixture_servers(caching()).await;
    for (backend, server) in &servers {
        let n = backend.name;
        let admin = login(server, "admin").await;
        let count = "{ products(first: 1) { totalCount } }";
        let total = |r: &gqlgen_runtime::testing::TestResponse| {
            r.data()["products"]["totalCount"]
                .as_u64()
                .unwrap_or_default()
        };
        let before = total(&server.graphql(count, json!({})).await);
        let row = |name: &str| json!({ "name": name, "price": "1.00", "stock": 1, "categoryId": "Category:1" });
        let created = server
            .graphql_as(
                Some(&admin),
                "mutation($inputs: [ProductCreateInput!]!) { createProducts(inputs: $inputs) { success products { id } } }",
                json!({ "inputs": [row("Bulk a"), row("Bulk b")] }),
            )
            .await;
        assert_eq!(
            created.data()["createProducts"]["success"],
            true,
            "{n}: {}",
            created.text
        );
        assert_eq!(
            total(&server.graphql(count, json!({})).await),
            before + 2,
            "{n}"
        );
        let ids = created.data()["createProducts"]["products"]
            .as_array()
            .map(|rows| rows.iter().map(|p| p["id"].clone()).collect::<Vec<_>>())
            .unwrap_or_default();
        let deleted = server
            .0
            .graphql_as(
                Some(&admin),
                "mutation($f: ProductFilter!) { deleteProducts(filter: $f) { count } }",
                json!({ "f": { "id_In": ids } }),
            )
            .await;
        assert_eq!(
            deleted.data()["deleteProducts"]["count"],
            2,
            "{n}: {}",
            deleted.text
        );
        assert_eq!(
            total(&server.graphql(count, json!({})).await),
            before,
            "{n}"
        );
    }
    cleanup(servers).await;
}
