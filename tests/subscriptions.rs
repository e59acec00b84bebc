//! Subscriptions over `/graphql/ws` with a real WebSocket client, in both protocols: events of
//! the generated mutations arrive with the selected fields, after the write commits, only to
//! subscribers whose row scope and filter hold the row, with field permissions applied; the
//! token of `connection_init` is checked like a header's.

use std::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use gqlgen_runtime::Config;
use gqlgen_tests::{cleanup, fixture_servers, gid, login};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::http::HeaderValue;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The two WebSocket subprotocols and their message types.
#[derive(Clone, Copy, Debug)]
enum Protocol {
    /// `graphql-transport-ws` (graphql-ws, the current one).
    Transport,
    /// `graphql-ws` (subscriptions-transport-ws, the legacy one).
    Legacy,
}

impl Protocol {
    fn name(self) -> &'static str {
        match self {
            Protocol::Transport => "graphql-transport-ws",
            Protocol::Legacy => "graphql-ws",
        }
    }

    fn subscribe(self) -> &'static str {
        match self {
            Protocol::Transport => "subscribe",
            Protocol::Legacy => "start",
        }
    }

    fn next(self) -> &'static str {
        match self {
            Protocol::Transport => "next",
            Protocol::Legacy => "data",
        }
    }
}

/// A connected, initialised client.
struct Client {
    socket: Socket,
    protocol: Protocol,
}

impl Client {
    /// Connects and sends `connection_init` with `payload`; `Err` holds what the server
    /// answered instead of an acknowledgement (an error message or a close frame).
    async fn connect(
        addr: std::net::SocketAddr,
        protocol: Protocol,
        payload: Value,
    ) -> Result<Client, String> {
        let mut client = Client::open(addr, protocol).await;
        client
            .send(json!({ "type": "connection_init", "payload": payload }))
            .await;
        loop {
            match client.receive().await {
                Some(message) if message["type"] == "connection_ack" => return Ok(client),
                Some(message) if message["type"] == "ka" => continue,
                Some(message) => return Err(message.to_string()),
                None => return Err("closed".to_owned()),
            }
        }
    }

    /// Connects without sending anything.
    async fn open(addr: std::net::SocketAddr, protocol: Protocol) -> Client {
        let mut request = format!("ws://{addr}/graphql/ws")
            .into_client_request()
            .expect("a request");
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_static(protocol.name()),
        );
        let (socket, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("the upgrade");
        Client { socket, protocol }
    }

    async fn send(&mut self, message: Value) {
        self.socket
            .send(Message::Text(message.to_string().into()))
            .await
            .expect("send");
    }

    /// The next JSON message; `None` when the server closed the connection. A close frame's
    /// code is returned as `{"close": code}`.
    async fn receive(&mut self) -> Option<Value> {
        loop {
            let message = tokio::time::timeout(Duration::from_secs(10), self.socket.next())
                .await
                .expect("a message within 10 s")?;
            match message.ok()? {
                Message::Text(text) => return serde_json::from_str(&text).ok(),
                Message::Close(frame) => {
                    return Some(json!({ "close": frame.map(|f| u16::from(f.code)) }));
                }
                _ => continue,
            }
        }
    }

    async fn subscribe(&mut self, id: &str, query: &str) {
        let message = json!({
            "type": self.protocol.subscribe(),
            "id": id,
            "payload": { "query": query },
        });
        self.send(message).await;
    }

    /// The payload of the next event of subscription `id` (keep-alives skipped).
    async fn event(&mut self, id: &str) -> Value {
        loop {
            let message = self.receive().await.expect("an event");
            if message["type"] == self.protocol.next() && message["id"] == id {
                return message["payload"].clone();
            }
            assert!(
                matches!(message["type"].as_str(), Some("ka" | "ping" | "pong")),
                "unexpected {message}"
            );
        }
    }

    /// The close frame the server ends the connection with (`{"close": code}`), skipping what
    /// comes before it; `null` when the connection ends without one.
    async fn closed(&mut self) -> Value {
        loop {
            match self.receive().await {
                Some(message) if message.get("close").is_some() => return message,
                Some(_) => continue,
                None => return Value::Null,
            }
        }
    }

    /// No event of any subscription arrives within `wait`.
    async fn quiet(&mut self, wait: Duration) -> Result<(), Value> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match tokio::time::timeout(left, self.socket.next()).await {
                Err(_) => return Ok(()),
                Ok(Some(Ok(Message::Text(text)))) => {
                    let message: Value = serde_json::from_str(&text).unwrap_or_default();
                    if message["type"] == self.protocol.next() {
                        return Err(message);
                    }
                }
                Ok(_) => {}
            }
        }
    }
}

/// The error codes of an operation's answer: an `error` message's payload, or the `errors` of
/// a `next` / `data` one.
fn codes(message: &Value) -> Vec<String> {
    let errors = match message["payload"].as_array() {
        Some(errors) => errors.clone(),
        None => message["payload"]["errors"]
            .as_array()
            .cloned()
            .unwrap_or_default(),
    };
    errors
        .iter()
        .filter_map(|e| e["extensions"]["code"].as_str().map(str::to_owned))
        .collect()
}

/// Runs `mutation` as the holder of `token` and checks that its `field` succeeded.
async fn succeed(
    server: &gqlgen_tests::Api,
    token: &str,
    mutation: &str,
    field: &str,
    n: &str,
) -> gqlgen_runtime::testing::TestResponse {
    let r = server.graphql_as(Some(token), mutation, json!({})).await;
    assert_eq!(r.data()[field]["success"], true, "{n}: {}", r.text);
    r
}

fn bearer(token: &str) -> Value {
    json!({ "Authorization": format!("Bearer {token}") })
}

#[tokio::test]
async fn created_updated_and_deleted_products_arrive_in_both_protocols() {
    let servers = fixture_servers(Config::testing()).await;
    for (backend, server) in &servers {
        let n = backend.name;
        let alice = login(server, "alice").await;
        for protocol in [Protocol::Transport, Protocol::Legacy] {
            let mut client = Client::connect(server.addr(), protocol, json!({}))
                .await
                .unwrap_or_else(|e| panic!("{n} {protocol:?}: {e}"));
            client
                .subscribe(
                    "c",
                    "subscription { productCreated { name price category { name } } }",
                )
                .await;
            client
                .subscribe(
                    "u",
                    "subscription { productUpdated(filter: {price_Gte: \"100\"}) { id name } }",
                )
                .await;
            client
                .subscribe("d", "subscription { productDeleted }")
                .await;
            // Let the server register the subscriptions before the writes.
            tokio::time::sleep(Duration::from_millis(200)).await;

            let created = succeed(server, &alice, "mutation { createProduct(input: {name: \"Lamp\", price: \"12.50\", stock: 1, categoryId: Category:1}) { success product { id } } }", "createProduct", n).await;
            let id = created.data()["createProduct"]["product"]["id"].clone();
            let event = client.event("c").await;
            assert_eq!(
                event["data"]["productCreated"],
                json!({ "name": "Lamp", "price": "12.50", "category": { "name": "Books" } }),
                "{n} {protocol:?}: {event}"
            );

            // An update the filter does not select is not sent; one it selects is.
            for (price, sent) in [("20.00", false), ("150.00", true)] {
                let query = format!(
                    "mutation {{ updateProduct(id: {id}, input: {{price: \"{price}\"}}) {{ success }} }}"
                );
                succeed(server, &alice, &query, "updateProduct", n).await;
                if sent {
                    let event = client.event("u").await;
                    assert_eq!(
                        event["data"]["productUpdated"]["id"], id,
                        "{n} {protocol:?}"
                    );
                } else {
                    assert!(
                        client.quiet(Duration::from_millis(300)).await.is_ok(),
                        "{n}"
                    );
                }
            }

            let query = format!("mutation {{ deleteProduct(id: {id}) {{ success }} }}");
            succeed(server, &alice, &query, "deleteProduct", n).await;
            let event = client.event("d").await;
            assert_eq!(event["data"]["productDeleted"], id, "{n} {protocol:?}");
        }
    }
    cleanup(servers).await;
}

#[tokio::test]
async fn an_event_reaches_only_subscribers_whose_row_scope_holds_the_row() {
    let servers = fixture_servers(Config::testing()).await;
    for (backend, server) in &servers {
        let n = backend.name;
        let alice = login(server, "alice").await;
        let bob = login(server, "bob").await;
        let admin = login(server, "admin").await;
        let query = "subscription { orderUpdated { id note } }";
        let mut clients = Vec::new();
        for token in [&alice, &bob, &admin] {
            let mut client = Client::connect(server.addr(), Protocol::Transport, bearer(token))
                .await
                .unwrap_or_else(|e| panic!("{n}: {e}"));
            client.subscribe("o", query).await;
            clients.push(client);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        // Alice's order 1 changes: alice and staff hear of it, bob does not.
        let update = "mutation { updateOrder(id: Order:1, input: {note: \"Leave at the door\"}) { success } }";
        succeed(server, &alice, update, "updateOrder", n).await;
        let expected = json!({ "id": gid("Order", 1), "note": "Leave at the door" });
        let [alice_client, bob_client, admin_client] = &mut clients[..] else {
            unreachable!()
        };
        assert_eq!(
            alice_client.event("o").await["data"]["orderUpdated"],
            expected,
            "{n}"
        );
        assert_eq!(
            admin_client.event("o").await["data"]["orderUpdated"],
            expected,
            "{n}"
        );
        assert!(
            bob_client.quiet(Duration::from_millis(400)).await.is_ok(),
            "{n}: bob heard of alice's order"
        );
    }
    cleanup(servers).await;
}

#[tokio::test]
async fn the_connection_token_is_checked_like_a_header() {
    let servers = fixture_servers(Config::testing()).await;
    let (_, server) = &servers[0];
    // A forged token closes the connection (graphql-transport-ws: 4403).
    let refused = Client::connect(server.addr(), Protocol::Transport, bearer("forged")).await;
    let answer = refused.err().unwrap_or_default();
    assert!(answer.contains("4403"), "{answer}");
    // `authToken` works as well as `Authorization`.
    let alice = login(server, "alice").await;
    let mut client = Client::connect(
        server.addr(),
        Protocol::Transport,
        json!({ "authToken": alice }),
    )
    .await
    .expect("alice connects");
    // Anonymous callers may not read orders: the subscription itself is refused.
    let mut anonymous = Client::connect(server.addr(), Protocol::Transport, json!({}))
        .await
        .expect("anonymous connects");
    anonymous
        .subscribe("o", "subscription { orderCreated { id } }")
        .await;
    let message = anonymous.receive().await.expect("an answer");
    assert_eq!(codes(&message), ["AUTHENTICATION_REQUIRED"], "{message}");
    // The query limits hold over the WebSocket too.
    let deep = format!(
        "subscription {{ productCreated {{ {}id{} }} }}",
        "category { products { edges { node { ".repeat(4),
        " } } } }".repeat(4)
    );
    client.subscribe("deep", &deep).await;
    let message = client.receive().await.expect("an answer");
    assert_eq!(codes(&message), ["QUERY_TOO_DEEP"], "{message}");
    cleanup(servers).await;
}

#[tokio::test]
async fn bulk_writes_send_one_event_per_row_and_rolled_back_writes_none() {
    let servers = fixture_servers(Config::testing()).await;
    for (backend, server) in &servers {
        let n = backend.name;
        let alice = login(server, "alice").await;
        let mut client = Client::connect(server.addr(), Protocol::Transport, bearer(&alice))
            .await
            .unwrap_or_else(|e| panic!("{n}: {e}"));
        client
            .subscribe("c", "subscription { productCreated { name } }")
            .await;
        client
            .subscribe("u", "subscription { productUpdated { name stock } }")
            .await;
        client
            .subscribe("d", "subscription { productDeleted }")
            .await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        let create = "mutation($inputs: [ProductCreateInput!]!) { createProducts(inputs: $inputs) { success products { id } } }";
        let row = |name: &str, price: &str| json!({ "name": name, "price": price, "stock": 1, "categoryId": gid("Category", 1) });
        // One invalid row: nothing is written, nothing is told.
        let r = server
            .graphql_as(
                Some(&alice),
                create,
                json!({ "inputs": [row("Kept back", "1.00"), row("Bad", "-5")] }),
            )
            .await;
        assert_eq!(
            r.data()["createProducts"]["success"],
            false,
            "{n}: {}",
            r.text
        );
        assert!(
            client.quiet(Duration::from_millis(300)).await.is_ok(),
            "{n}"
        );

        let r = server
            .graphql_as(
                Some(&alice),
                create,
                json!({ "inputs": [row("Bulk one", "1.00"), row("Bulk two", "2.00")] }),
            )
            .await;
        assert_eq!(
            r.data()["createProducts"]["success"],
            true,
            "{n}: {}",
            r.text
        );
        let mut names = Vec::new();
        for _ in 0..2 {
            names.push(client.event("c").await["data"]["productCreated"]["name"].clone());
        }
        assert_eq!(names, [json!("Bulk one"), json!("Bulk two")], "{n}");

        let ids: Vec<Value> = r.data()["createProducts"]["products"]
            .as_array()
            .map(|rows| rows.iter().map(|p| p["id"].clone()).collect())
            .unwrap_or_default();
        let filter = json!({ "id_In": ids });
        let r = server
            .graphql_as(
                Some(&alice),
                "mutation($f: ProductFilter!) { updateProducts(filter: $f, input: {stock: 9}) { success count } }",
                json!({ "f": filter }),
            )
            .await;
        assert_eq!(r.data()["updateProducts"]["count"], 2, "{n}: {}", r.text);
        for _ in 0..2 {
            let event = client.event("u").await;
            assert_eq!(event["data"]["productUpdated"]["stock"], 9, "{n}: {event}");
        }
        let r = server
            .graphql_as(
                Some(&alice),
                "mutation($f: ProductFilter!) { deleteProducts(filter: $f) { success count } }",
                json!({ "f": filter }),
            )
            .await;
        assert_eq!(r.data()["deleteProducts"]["count"], 2, "{n}: {}", r.text);
        let mut deleted = Vec::new();
        for _ in 0..2 {
            deleted.push(client.event("d").await["data"]["productDeleted"].clone());
        }
        deleted.sort_by_key(|id| id.to_string());
        let mut expected = ids.clone();
        expected.sort_by_key(|id| id.to_string());
        assert_eq!(deleted, expected, "{n}");
    }
    cleanup(servers).await;
}

#[tokio::test]
async fn field_permissions_hold_in_events() {
    let servers = fixture_servers(Config::testing()).await;
    for (backend, server) in &servers {
        let n = backend.name;
        let alice = login(server, "alice").await;
        let bob = login(server, "bob").await;
        // Bob sees alice's product and its owner, but not her email.
        let mut client = Client::connect(server.addr(), Protocol::Transport, bearer(&bob))
            .await
            .unwrap_or_else(|e| panic!("{n}: {e}"));
        client
            .subscribe(
                "p",
                "subscription { productUpdated { name owner { username email } } }",
            )
            .await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        succeed(
            server,
            &alice,
            "mutation { updateProduct(id: Product:1, input: {stock: 4}) { success } }",
            "updateProduct",
            n,
        )
        .await;
        let event = client.event("p").await;
        assert_eq!(
            event["data"]["productUpdated"]["owner"],
            json!({ "username": "alice", "email": null }),
            "{n}: {event}"
        );
        assert_eq!(
            codes(&json!({ "payload": event })),
            ["PERMISSION_DENIED"],
            "{n}: {event}"
        );
    }
    cleanup(servers).await;
}

/// The testing config with short WebSocket timers.
fn quick() -> Config {
    let mut config = Config::testing();
    config.subscriptions.keepalive = Duration::from_secs(1);
    config.subscriptions.max_per_connection = 2;
    config
}

#[tokio::test]
async fn a_connection_is_pinged_and_runs_a_bounded_number_of_operations() {
    let servers = fixture_servers(quick()).await;
    let (_, server) = &servers[0];
    let mut client = Client::connect(server.addr(), Protocol::Transport, json!({}))
        .await
        .expect("connects");
    // A WebSocket ping arrives within the keep-alive interval.
    let pinged = tokio::time::timeout(Duration::from_secs(3), async {
        while let Some(Ok(message)) = client.socket.next().await {
            if matches!(message, Message::Ping(_)) {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(pinged, Ok(true));
    client
        .subscribe("1", "subscription { productCreated { id } }")
        .await;
    client
        .subscribe("2", "subscription { productUpdated { id } }")
        .await;
    client
        .subscribe("3", "subscription { productDeleted }")
        .await;
    let message = client.receive().await.expect("an answer");
    assert_eq!(message["id"], "3", "{message}");
    assert_eq!(codes(&message), ["RATE_LIMITED"], "{message}");
    cleanup(servers).await;
}

#[tokio::test]
async fn a_revoked_or_expired_token_closes_its_connection() {
    let servers = fixture_servers(quick()).await;
    let (_, server) = &servers[0];
    let alice = login(server, "alice").await;
    let mut client = Client::connect(server.addr(), Protocol::Transport, bearer(&alice))
        .await
        .expect("connects");
    client
        .subscribe("o", "subscription { orderUpdated { id } }")
        .await;
    let r = server
        .graphql(
            "mutation($t: String!) { revokeToken(token: $t) { revoked } }",
            json!({ "t": alice }),
        )
        .await;
    assert_eq!(r.data()["revokeToken"]["revoked"], true, "{}", r.text);
    assert_eq!(client.closed().await, json!({ "close": 4401 }));
    cleanup(servers).await;

    // A token that expires closes its connection when it does.
    let mut config = quick();
    config.jwt.access_lifetime = Duration::from_secs(2);
    let servers = fixture_servers(config).await;
    let (_, server) = &servers[0];
    let alice = login(server, "alice").await;
    let mut client = Client::connect(server.addr(), Protocol::Legacy, bearer(&alice))
        .await
        .expect("connects");
    assert_eq!(client.closed().await, json!({ "close": 4401 }));
    cleanup(servers).await;
}

#[tokio::test]
async fn a_client_that_falls_behind_or_never_initialises_is_closed() {
    let mut config = Config::testing();
    config.subscriptions.send_buffer = 4;
    config.subscriptions.init_timeout = Duration::from_secs(1);
    let servers = fixture_servers(config).await;
    let (_, server) = &servers[0];

    // No connection_init within the init timeout: 4408, as graphql-ws closes it.
    for protocol in [Protocol::Transport, Protocol::Legacy] {
        let mut silent = Client::open(server.addr(), protocol).await;
        assert_eq!(
            silent.closed().await,
            json!({ "close": 4408 }),
            "{protocol:?}"
        );
    }

    // Three subscriptions hear an update of the six products, eighteen messages at once: four
    // fit in the connection's queue, the next closes it with 1013.
    let mut slow = Client::connect(server.addr(), Protocol::Transport, json!({}))
        .await
        .expect("connects");
    for id in ["1", "2", "3"] {
        slow.subscribe(id, "subscription { productUpdated { id name } }")
            .await;
    }
    // A client whose events fit hears them, on the same server, at the same time.
    let mut prompt = Client::connect(server.addr(), Protocol::Transport, json!({}))
        .await
        .expect("connects");
    let two = format!(
        "subscription {{ productUpdated(filter: {{id_In: [\"{}\", \"{}\"]}}) {{ id }} }}",
        gid("Product", 1),
        gid("Product", 2)
    );
    prompt.subscribe("1", &two).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let admin = login(server, "admin").await;
    let r = server
        .graphql_as(
            Some(&admin),
            "mutation { updateProducts(filter: {price_Gte: \"0\"}, input: {stock: 3}) { count } }",
            json!({}),
        )
        .await;
    assert_eq!(r.data()["updateProducts"]["count"], 6, "{}", r.text);
    for _ in 0..2 {
        prompt.event("1").await;
    }
    assert_eq!(slow.closed().await, json!({ "close": 1013 }));
    assert!(prompt.quiet(Duration::from_millis(300)).await.is_ok());
    cleanup(servers).await;
}

/// Two instances of the app over one database and one Redis: a product created through the
/// first reaches a subscriber of the second, and a subscriber of the first hears it once. Runs
/// when `REDIS_URL` names a server (CI sets it), skipped otherwise.
#[tokio::test]
async fn events_reach_the_subscribers_of_another_instance_through_redis() {
    let Ok(url) = std::env::var("REDIS_URL") else {
        eprintln!("skipped: REDIS_URL is not set");
        return;
    };
    for backend in gqlgen_tests::backends().await {
        let n = backend.name;
        gqlgen_tests::insert_fixture(&backend.db).await;
        let mut config = Config::testing();
        config.redis_url = Some(url.clone());
        config.jwt.secret_key = Some("a shared secret of the two instances".into());
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
        let query =
            "subscription { productCreated(filter: {name_Icontains: \"relayed\"}) { name } }";
        let mut clients = Vec::new();
        for server in [&first, &second] {
            let mut client = Client::connect(server.addr(), Protocol::Transport, json!({}))
                .await
                .unwrap_or_else(|e| panic!("{n}: {e}"));
            client.subscribe("c", query).await;
            clients.push(client);
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        let alice = login(&first, "alice").await;
        succeed(&first, &alice, "mutation { createProduct(input: {name: \"Relayed lamp\", price: \"3.00\", stock: 1, categoryId: Category:1}) { success } }", "createProduct", n).await;
        for client in &mut clients {
            let event = client.event("c").await;
            assert_eq!(
                event["data"]["productCreated"]["name"], "Relayed lamp",
                "{n}: {event}"
            );
            // Once: the instance that wrote does not hear its own event again from Redis.
            assert!(
                client.quiet(Duration::from_millis(300)).await.is_ok(),
                "{n}"
            );
        }
        drop((first, second));
        backend.cleanup().await;
    }
}

#[tokio::test]
async fn operations_over_a_connection_spend_the_rate_limit() {
    let mut config = Config::testing();
    config.rate_limit.enabled = true;
    config.rate_limit.requests_per_minute = 1;
    config.rate_limit.burst_limit = 2;
    let servers = fixture_servers(config).await;
    let (_, server) = &servers[0];
    // The connection spends one request, its first operation the second.
    let mut client = Client::connect(server.addr(), Protocol::Transport, json!({}))
        .await
        .expect("connects");
    client
        .subscribe("1", "subscription { productCreated { id } }")
        .await;
    client
        .subscribe("2", "subscription { productUpdated { id } }")
        .await;
    let message = client.receive().await.expect("an answer");
    assert_eq!(message["id"], "2", "{message}");
    assert_eq!(codes(&message), ["RATE_LIMITED"], "{message}");
    cleanup(servers).await;
}

#[tokio::test]
async fn subscribers_with_the_same_scope_and_filter_share_one_statement_per_event() {
    let servers = fixture_servers(Config::testing()).await;
    for (backend, server) in &servers {
        let n = backend.name;
        let alice = login(server, "alice").await;
        let mut counts = Vec::new();
        for subscribers in [1, 6] {
            let mut clients = Vec::new();
            for _ in 0..subscribers {
                let mut client = Client::connect(server.addr(), Protocol::Transport, json!({}))
                    .await
                    .unwrap_or_else(|e| panic!("{n}: {e}"));
                client
                    .subscribe(
                        "u",
                        "subscription { productUpdated(filter: {stock_Gte: 1}) { name } }",
                    )
                    .await;
                clients.push(client);
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
            backend.statements.take();
            succeed(
                server,
                &alice,
                "mutation { updateProduct(id: Product:1, input: {stock: 3}) { success } }",
                "updateProduct",
                n,
            )
            .await;
            for client in &mut clients {
                let event = client.event("u").await;
                assert_eq!(
                    event["data"]["productUpdated"]["name"], "Crème Brûlée Torch",
                    "{n}"
                );
            }
            counts.push(backend.statements.take().len());
        }
        assert_eq!(
            counts[0], counts[1],
            "{n}: statements for 1 and for 6 subscribers"
        );
    }
    cleanup(servers).await;
}

/// The value of the sample `series` (a metric's name with its labels, as rendered) in a
/// Prometheus text scrape of `server`.
async fn sample(server: &gqlgen_tests::Api, series: &str) -> Option<f64> {
    let scrape = server
        .request("GET", "/metrics", &[], b"")
        .await
        .expect("a scrape");
    assert_eq!(scrape.status, 200, "{}", scrape.text);
    scrape.text.lines().find_map(|line| {
        let (name, value) = line.rsplit_once(' ')?;
        (name == series).then(|| value.parse().ok())?
    })
}

/// The next message about operation `id` other than its `complete`.
async fn answer(client: &mut Client, id: &str) -> Value {
    loop {
        let message = client.receive().await.expect("an answer");
        if message["id"] == id && message["type"] != "complete" {
            return message;
        }
    }
}

#[tokio::test]
async fn operations_over_the_socket_are_in_the_metrics() {
    let servers = fixture_servers(Config::testing()).await;
    let (_, server) = &servers[0];
    let mut client = Client::connect(server.addr(), Protocol::Transport, json!({}))
        .await
        .expect("connects");
    client
        .subscribe(
            "1",
            "query WsPage { products(first: 2) { edges { node { name } } } }",
        )
        .await;
    let page = client.event("1").await;
    assert!(page["errors"].is_null(), "{page}");
    let done = client.receive().await.expect("the query's end");
    assert_eq!(done["type"], "complete", "{done}");
    client.subscribe("2", "query WsBad { nope }").await;
    let refused = answer(&mut client, "2").await;
    assert!(!codes(&refused).is_empty(), "{refused}");
    // Refused before execution (too deep): its name takes no label of its own.
    let deep = format!(
        "query Refused {{ products(first: 1) {{ edges {{ node {{ category {{ {} name {} }} }} }} }} }}",
        "parent { ".repeat(40),
        "}".repeat(40)
    );
    // Named by `operationName`, as clients send it: the limits refuse it before it is parsed
    // for its name.
    client
        .send(json!({
            "type": "subscribe",
            "id": "4",
            "payload": { "query": deep, "operationName": "Refused" },
        }))
        .await;
    let refused = answer(&mut client, "4").await;
    assert_eq!(codes(&refused), ["QUERY_TOO_DEEP"], "{refused}");
    client
        .subscribe("3", "subscription Watch { productCreated { id } }")
        .await;
    client
        .quiet(Duration::from_millis(200))
        .await
        .expect("no event yet");

    let ok = r#"graphql_requests_total{operation="WsPage",status="ok"}"#;
    assert_eq!(sample(server, ok).await, Some(1.0));
    let error = r#"graphql_requests_total{operation="WsBad",status="error"}"#;
    assert_eq!(sample(server, error).await, Some(1.0));
    let other = r#"graphql_requests_total{operation="other",status="error"}"#;
    assert_eq!(sample(server, other).await, Some(1.0));
    let refused = r#"graphql_requests_total{operation="Refused",status="error"}"#;
    assert_eq!(sample(server, refused).await, None);
    let started = r#"graphql_subscriptions_total{operation="Watch"}"#;
    assert_eq!(sample(server, started).await, Some(1.0));
    assert_eq!(
        sample(server, "graphql_subscriptions_active").await,
        Some(1.0)
    );
    // The query's statements were counted: one answered operation ran some.
    let counted = sample(server, "graphql_request_sql_statements_sum").await;
    assert!(counted.is_some_and(|n| n >= 1.0), "{counted:?}");
    // A subscription is not an answered operation until it ends; then it is no longer active.
    let watched = r#"graphql_requests_total{operation="Watch",status="ok"}"#;
    assert_eq!(sample(server, watched).await, None);
    client.send(json!({ "type": "complete", "id": "3" })).await;
    let mut active = None;
    for _ in 0..50 {
        active = sample(server, "graphql_subscriptions_active").await;
        if active == Some(0.0) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(active, Some(0.0));
    cleanup(servers).await;
}
