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
    /// An instance as the two-instance test runs them: development, Redis, the rate limit and
    /// the cache on, one signing key.
    fn start(database_url: &str, redis_url: &str, namespace: &str) -> Instance {
        let mut command = Command::new(binary());
        command
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
            .env("NO_COLOR", "1");
        Instance::spawn(command)
    }

    /// Runs `command` (a `serve`) and waits until it names the address it serves on.
    fn spawn(mut command: Command) -> Instance {
        let mut child = command
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
        let mut seen = Vec::new();
        let addr = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = lines
                .recv_timeout(left)
                .unwrap_or_else(|err| panic!("the instance did not start: {err}\n{seen:#?}"));
            if let Some(rest) = line.split("serving GraphQL on http://").nth(1) {
                break rest.split('/').next().unwrap_or_default().to_owned();
            }
            seen.push(line);
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
    let Some((pg, redis_url)) = services() else {
        return;
    };
    let (admin, name, url) = fresh_database(&pg).await;
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
    drop_database(&admin, &name, outcome).await;
}

/// A database of the test's own on the server `pg` names: the admin connection, its name and
/// its URL. [`drop_database`] drops it.
async fn fresh_database(pg: &str) -> (sea_orm::DatabaseConnection, String, String) {
    let name = format!("gqlgen_instances_{}", uuid::Uuid::new_v4().simple());
    let admin = Database::connect(pg).await.expect("PostgreSQL answers");
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("a database of the test's own");
    let url = match pg.rfind('/') {
        Some(at) if at > "postgres://".len() => format!("{}/{name}", &pg[..at]),
        _ => panic!("DATABASE_URL names no database: {pg}"),
    };
    (admin, name, url)
}

/// Drops the database of [`fresh_database`], then lets the test's panic, if any, go on.
async fn drop_database(
    admin: &sea_orm::DatabaseConnection,
    name: &str,
    outcome: std::thread::Result<()>,
) {
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .ok();
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// `DATABASE_URL` and `REDIS_URL` when they name PostgreSQL and Redis; the test is skipped
/// otherwise.
fn services() -> Option<(String, String)> {
    let (Ok(pg), Ok(redis_url)) = (std::env::var("DATABASE_URL"), std::env::var("REDIS_URL"))
    else {
        eprintln!("skipped: DATABASE_URL and REDIS_URL are not both set");
        return None;
    };
    if !pg.starts_with("postgres") {
        eprintln!("skipped: DATABASE_URL is not PostgreSQL");
        return None;
    }
    Some((pg, redis_url))
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

// ---------------------------------------------------------------------------------------------
// The container recipe (deploy/Dockerfile, deploy/compose.yaml), run without a container engine:
// the binary with the image's environment and the compose file's, its `CMD` and its
// `HEALTHCHECK`, on this machine's PostgreSQL and Redis in place of the compose services.

/// `deploy/` beside this crate.
fn deploy_file(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../deploy")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

/// A Dockerfile's instructions, continuation lines joined, comments left out.
fn instructions(dockerfile: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in dockerfile.lines() {
        let line = line.trim();
        if line.starts_with('#') || (line.is_empty() && current.is_empty()) {
            continue;
        }
        match line.strip_suffix('\\') {
            Some(head) => current.push_str(head),
            None => {
                current.push_str(line);
                out.push(std::mem::take(&mut current));
            }
        }
    }
    out
}

/// The JSON array after ` CMD ` in `instruction` (exec form).
fn exec_form(instruction: &str) -> Vec<String> {
    let at = instruction.find("CMD [").expect("CMD in exec form") + "CMD ".len();
    serde_json::from_str(&instruction[at..]).expect("a JSON array of strings")
}

/// The `environment` of the compose file's `x-app` block: `KEY: value` lines, quotes removed.
fn compose_environment(compose: &str) -> Vec<(String, String)> {
    let block = compose
        .split("\nx-app:")
        .nth(1)
        .and_then(|rest| rest.split("\n  environment:\n").nth(1))
        .expect("x-app has an environment");
    block
        .lines()
        .take_while(|line| line.starts_with("    "))
        .map(|line| {
            let (key, value) = line.trim().split_once(": ").expect("KEY: value");
            (key.to_owned(), value.trim_matches('"').to_owned())
        })
        .collect()
}

/// The environment variables docs/security.md's settings table names.
fn documented_variables() -> Vec<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/security.md");
    let text = std::fs::read_to_string(path).expect("docs/security.md");
    let table = text
        .split("<!-- settings:begin -->")
        .nth(1)
        .and_then(|rest| rest.split("<!-- settings:end -->").next())
        .expect("the settings table");
    table
        .lines()
        .filter_map(|row| row.split('|').nth(2))
        .map(|cell| cell.trim().trim_matches('`').to_owned())
        .filter(|name| !name.is_empty())
        .collect()
}

#[tokio::test]
async fn the_container_recipe_serves_in_production_and_its_healthcheck_passes() {
    let dockerfile = instructions(&deploy_file("Dockerfile"));
    let compose = deploy_file("compose.yaml");
    // Multi-stage, and the final stage runs as a user other than root.
    assert!(dockerfile.iter().filter(|i| i.starts_with("FROM ")).count() >= 2);
    let user = dockerfile
        .iter()
        .rev()
        .find_map(|i| i.strip_prefix("USER "))
        .expect("a USER");
    assert!(!matches!(user.trim(), "root" | "0"), "USER {user}");
    let mut environment: Vec<(String, String)> = dockerfile
        .iter()
        .filter_map(|i| i.strip_prefix("ENV "))
        .flat_map(|pairs| {
            pairs
                .split_whitespace()
                .map(|pair| {
                    let (key, value) = pair.split_once('=').expect("ENV KEY=value");
                    (key.to_owned(), value.to_owned())
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let command = exec_form(
        dockerfile
            .iter()
            .rev()
            .find(|i| i.starts_with("CMD "))
            .expect("a CMD"),
    );
    let healthcheck = exec_form(
        dockerfile
            .iter()
            .find(|i| i.starts_with("HEALTHCHECK "))
            .expect("a HEALTHCHECK"),
    );
    assert_eq!(command[0], "example-app", "{command:?}");
    assert_eq!(healthcheck, ["example-app", "health"]);

    // Every variable the compose file sets is a setting the app reads.
    let documented = documented_variables();
    let compose_environment = compose_environment(&compose);
    for (key, _) in &compose_environment {
        assert!(
            key == "DATABASE_URL" || documented.contains(key),
            "compose.yaml sets {key}, which no setting reads"
        );
    }
    let Some((pg, redis_url)) = services() else {
        return;
    };
    let (admin, name, url) = fresh_database(&pg).await;
    // The compose services' addresses become this machine's; the secrets the compose file asks
    // for are made up here.
    let metrics_token = "a metrics token of the test";
    for (key, value) in compose_environment {
        let value = match key.as_str() {
            "DATABASE_URL" => url.clone(),
            "REDIS_URL" => redis_url.clone(),
            "JWT_SECRET_KEY" => "a signing secret of the test, 32 bytes or more".to_owned(),
            "METRICS_TOKEN" => metrics_token.to_owned(),
            _ => {
                assert!(!value.contains("${"), "{key}: {value}");
                value
            }
        };
        environment.retain(|(k, _)| *k != key);
        environment.push((key, value));
    }
    assert!(
        environment
            .iter()
            .any(|(k, v)| k == "GQLGEN_PROFILE" && v == "production"),
        "{environment:?}"
    );

    // The image's command, on a port of the system's choosing instead of the container's 8000.
    let args: Vec<String> = command[1..]
        .iter()
        .map(|arg| {
            if arg.ends_with(":8000") {
                "127.0.0.1:0".to_owned()
            } else {
                arg.clone()
            }
        })
        .collect();
    let mut serve = Command::new(binary());
    serve.env_clear().envs(environment.clone()).args(&args);
    let instance = Instance::spawn(serve);
    let outcome = std::panic::AssertUnwindSafe(async {
        let health = Command::new(binary())
            .env_clear()
            .envs(environment.clone())
            .args(&healthcheck[1..])
            .output()
            .expect("the healthcheck runs");
        let report = String::from_utf8_lossy(&health.stdout);
        assert!(health.status.success(), "{report}");
        assert!(report.contains(r#""status":"ready""#), "{report}");
        let server =
            gqlgen_runtime::testing::TestServer::remote(instance.addr.parse().expect("an address"));
        let ready = server
            .request("GET", "/ready", &[], b"")
            .await
            .expect("answers");
        assert_eq!(ready.status, 200, "{}", ready.text);
        let scrape = server
            .request("GET", "/metrics", &[], b"")
            .await
            .expect("answers");
        assert_eq!(scrape.status, 401, "{}", scrape.text);
        let bearer = format!("Bearer {metrics_token}");
        let headers = [("authorization", bearer.as_str())];
        let scrape = server
            .request("GET", "/metrics", &headers, b"")
            .await
            .expect("answers");
        assert_eq!(scrape.status, 200, "{}", scrape.text);
        // Production: no introspection.
        let (status, body) = instance
            .graphql(None, "{ __schema { queryType { name } } }", json!({}))
            .await;
        assert!(status == 200 || status == 400, "{status} {body}");
        assert!(body["data"]["__schema"].is_null(), "{body}");
    });
    let outcome = futures_util::FutureExt::catch_unwind(outcome).await;
    drop(instance);
    drop_database(&admin, &name, outcome).await;
}
