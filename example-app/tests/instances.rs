//! Two instances of the example app's binary on one PostgreSQL database and one Redis, as
//! docs/deployment.md runs them: they share the rate-limit budget, revoked tokens, the response
//! cache's invalidations and subscription events. Runs when `DATABASE_URL` names a PostgreSQL
//! server and `REDIS_URL` a Redis (CI sets both); skipped otherwise. The binary is
//! `EXAMPLE_APP_BIN` when set (CI sets the release build), else the one cargo built for the test.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::{SinkExt as _, StreamExt as _};
use sea_orm::{ConnectionTrait as _, Database};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;

/// The binary the instances run.
fn binary() -> std::path::PathBuf {
    std::env::var_os("EXAMPLE_APP_BIN")
        .map(Into::into)
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_example-app").into())
}

/// An instance, killed with the test.
struct Instance {
    child: Child,
    addr: String,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Instance {
    fn start(database_url: &str, redis_url: &str, namespace: &str) -> Instance {
        let mut child = Command::new(binary())
            .args([
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--database-url",
                database_url,
            ])
            .env("GQLGEN_PROFILE", "development")
            .env("REDIS_URL", redis_url)
            .env(
                "JWT_SECRET_KEY",
                "the secret both instances sign with, 32+ bytes",
            )
            .env("RATE_LIMITING_ENABLED", "true")
            .env("RATE_LIMIT_RPM", "1")
            .env("RATE_LIMIT_BURST", "40")
            .env("GRAPHQL_CACHING_ENABLED", "true")
            .env("GRAPHQL_CACHE_NAMESPACE", namespace)
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the instance starts");
        let stderr = child.stderr.take().expect("piped");
        let (sender, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = sender.send(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        let addr = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = lines
                .recv_timeout(left)
                .unwrap_or_else(|err| panic!("the instance did not start: {err}"));
            if let Some(rest) = line.split("http://").nth(1) {
                break rest.split('/').next().unwrap_or_default().to_owned();
            }
        };
        Instance { child, addr }
    }

    /// POSTs `query` with `token`; answers the status and the body.
    async fn graphql(&self, token: Option<&str>, query: &str, variables: Value) -> (u16, Value) {
        let server = gqlgen_runtime::testing::TestServer::remote(self.addr.parse().expect("addr"));
        let r = server.graphql_as(token, query, variables).await;
        (r.status, r.body)
    }
}

#[tokio::test]
async fn two_instances_share_budgets_revocations_invalidations_and_events() {
    let (Ok(pg), Ok(redis_url)) = (std::env::var("DATABASE_URL"), std::env::var("REDIS_URL"))
    else {
        eprintln!("skipped: DATABASE_URL and REDIS_URL are not both set");
        return;
    };
    if !pg.starts_with("postgres") {
        eprintln!("skipped: DATABASE_URL is not PostgreSQL");
        return;
    }
    // A database of this run, created and dropped here.
    let name = format!("gqlgen_instances_{}", uuid::Uuid::new_v4().simple());
    let admin = Database::connect(&pg).await.expect("PostgreSQL answers");
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("a database of the test's own");
    let url = match pg.rfind('/') {
        Some(at) if at > "postgres://".len() => format!("{}/{name}", &pg[..at]),
        _ => panic!("DATABASE_URL names no database: {pg}"),
    };
    // Rate-limit buckets of earlier runs would be spent already.
    let client = redis::Client::open(redis_url.as_str()).expect("a Redis URL");
    let mut redis = client
        .get_multiplexed_async_connection()
        .await
        .expect("Redis answers");
    let stale: Vec<String> = redis::cmd("KEYS")
        .arg("gqlgen:ratelimit:*")
        .query_async(&mut redis)
        .await
        .expect("KEYS");
    if !stale.is_empty() {
        let _: () = redis::cmd("DEL")
            .arg(&stale)
            .query_async(&mut redis)
            .await
            .expect("DEL");
    }

    let namespace = format!("test{}", uuid::Uuid::new_v4().simple());
    let first = Instance::start(&url, &redis_url, &namespace);
    // The first instance created and seeded the tables.
    let second = Instance::start(&url, &redis_url, &namespace);
    let result = std::panic::AssertUnwindSafe(check(&first, &second));
    let outcome = futures_util::FutureExt::catch_unwind(result).await;
    drop((first, second));
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .ok();
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

async fn check(first: &Instance, second: &Instance) {
    let login =
        "mutation { tokenAuth(username: \"admin\", password: \"admin-password\") { token } }";
    let (_, body) = first.graphql(None, login, json!({})).await;
    let token = body["data"]["tokenAuth"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("admin logs in: {body}"))
        .to_owned();
    let token = token.as_str();

    // Subscription events: a subscriber of the second hears a write through the first.
    let mut request = format!("ws://{}/graphql/ws", second.addr)
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
    socket
        .send(send(json!({ "type": "connection_init", "payload": {} })))
        .await
        .expect("sent");
    socket
        .send(send(json!({
            "type": "subscribe", "id": "1",
            "payload": { "query": "subscription { productUpdated { name } }" },
        })))
        .await
        .expect("sent");

    // The response cache: the first caches an answer, a write through the second ends it.
    let product = "{ products(first: 1) { edges { node { id name } } } }";
    let (_, before) = first.graphql(None, product, json!({})).await;
    let id = before["data"]["products"]["edges"][0]["node"]["id"].clone();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let rename = "mutation($id: ID!) { updateProduct(id: $id, input: {name: \"Shared rename\"}) { success } }";
    let (_, renamed) = second
        .graphql(Some(token), rename, json!({ "id": id }))
        .await;
    assert_eq!(
        renamed["data"]["updateProduct"]["success"], true,
        "{renamed}"
    );
    let (_, after) = first.graphql(None, product, json!({})).await;
    assert_eq!(
        after["data"]["products"]["edges"][0]["node"]["name"], "Shared rename",
        "{after}"
    );
    let event = loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("an event within 10 s")
            .expect("the socket is open")
            .expect("a message");
        let Message::Text(text) = message else {
            continue;
        };
        let value: Value = serde_json::from_str(&text).unwrap_or_default();
        if value["type"] == "next" {
            break value;
        }
    };
    assert_eq!(
        event["payload"]["data"]["productUpdated"]["name"], "Shared rename",
        "{event}"
    );
    drop(socket);

    // Revocations: a token revoked through the first is refused by the second.
    let me = "{ me { username } }";
    let (_, mine) = second.graphql(Some(token), me, json!({})).await;
    assert_eq!(mine["data"]["me"]["username"], "admin", "{mine}");
    let revoke = "mutation($t: String!) { revokeToken(token: $t) { revoked } }";
    let (_, revoked) = first
        .graphql(Some(token), revoke, json!({ "t": token }))
        .await;
    assert_eq!(revoked["data"]["revokeToken"]["revoked"], true, "{revoked}");
    let (status, refused) = second.graphql(Some(token), me, json!({})).await;
    assert_eq!(status, 401, "{refused}");

    // The rate-limit budget is one: 40 requests of one client, spread over both instances,
    // spend it; the next is refused whichever instance it reaches.
    let ping = "{ __typename }";
    let mut spent = 0;
    let mut refused_at = None;
    for i in 0..45 {
        let instance = if i % 2 == 0 { first } else { second };
        let (status, _) = instance.graphql(None, ping, json!({})).await;
        if status == 429 {
            refused_at = Some(i);
            break;
        }
        spent += 1;
    }
    // The login and the anonymous reads above spent some of the client's budget too.
    assert!(
        refused_at.is_some() && spent <= 40,
        "{spent} requests passed, refused at {refused_at:?}"
    );
    let (status, _) = first.graphql(None, ping, json!({})).await;
    assert_eq!(status, 429);
    let (status, _) = second.graphql(None, ping, json!({})).await;
    assert_eq!(status, 429);
}
