//! The subscriptions benchmark: N WebSocket connections (graphql-transport-ws) to the example
//! app, each subscribed to `productUpdated { id stock }`, then a burst of updates of one product
//! through the API, sent one after the other as fast as the server answers. It reports the
//! delivery latency (from the moment an update is sent to the moment a subscriber receives its
//! event) at p50 and p99, the events delivered per second over the burst, and the resident memory
//! each connection adds to the server (`VmRSS` before and after connecting). The server runs in
//! a child process (this program again, with `GQLGEN_BENCH_SERVE` set): client and server each
//! hold one descriptor per connection, and the machine's limit of 20,000 per process would not
//! leave room for 10,000 connections in one.
//!
//! `cargo bench -p gqlgen-benches --bench subscriptions` runs it with 1,000 subscribers and 100
//! updates; `BENCH_SUBSCRIBERS` (say `1000,10000`) and `BENCH_UPDATES` change them. Run without
//! `--bench` (as `cargo test --benches` does) it only runs a smoke pass: 20 subscribers, 5
//! updates. It runs on a seeded SQLite file.

use std::time::{Duration, Instant};

use futures_util::{SinkExt as _, StreamExt as _};
use gqlgen_benches::database::{self, SqliteFile};
use gqlgen_runtime::Config;
use gqlgen_runtime::testing::TestServer;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::http::HeaderValue;

struct Settings {
    subscribers: Vec<usize>,
    updates: usize,
}

impl Settings {
    fn from_env() -> Result<Settings, String> {
        let subscribers = match std::env::var("BENCH_SUBSCRIBERS") {
            Ok(text) => text
                .split(',')
                .map(|n| {
                    n.trim()
                        .parse::<usize>()
                        .map_err(|e| format!("BENCH_SUBSCRIBERS: {e}"))
                })
                .collect::<Result<Vec<_>, _>>()?,
            Err(_) => vec![1_000],
        };
        let updates = match std::env::var("BENCH_UPDATES") {
            Ok(text) => text.parse().map_err(|e| format!("BENCH_UPDATES: {e}"))?,
            Err(_) => 100,
        };
        Ok(Settings {
            subscribers,
            updates,
        })
    }

    fn smoke() -> Settings {
        Settings {
            subscribers: vec![20],
            updates: 5,
        }
    }
}

/// What one run measured.
struct Measured {
    subscribers: usize,
    updates: usize,
    p50: Duration,
    p99: Duration,
    max: Duration,
    events_per_second: f64,
    bytes_per_connection: f64,
    connect: Duration,
}

fn resident_bytes(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map_or(0, |kb| kb * 1024)
}

async fn run_once(
    server: &TestServer,
    server_pid: u32,
    subscribers: usize,
    updates: usize,
) -> Result<Measured, String> {
    let addr = server.addr();
    let before = resident_bytes(server_pid);
    let started = Instant::now();
    let mut sockets = Vec::with_capacity(subscribers);
    for _ in 0..subscribers {
        let mut request = format!("ws://{addr}/graphql/ws")
            .into_client_request()
            .map_err(|e| e.to_string())?;
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_static("graphql-transport-ws"),
        );
        let (mut socket, _) = tokio_tungstenite::connect_async(request)
            .await
            .map_err(|e| format!("connect: {e}"))?;
        let send = |v: Value| Message::Text(v.to_string().into());
        socket
            .send(send(json!({ "type": "connection_init", "payload": {} })))
            .await
            .map_err(|e| e.to_string())?;
        loop {
            match socket.next().await {
                Some(Ok(Message::Text(text))) if text.contains("connection_ack") => break,
                Some(Ok(_)) => continue,
                other => return Err(format!("no connection_ack: {other:?}")),
            }
        }
        socket
            .send(send(json!({
                "type": "subscribe", "id": "1",
                "payload": { "query": "subscription { productUpdated(filter: {id_In: [\"UHJvZHVjdDox\"]}) { id stock } }" },
            })))
            .await
            .map_err(|e| e.to_string())?;
        sockets.push(socket);
    }
    let connect = started.elapsed();
    // Let the server register every subscription.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = resident_bytes(server_pid);

    // Each subscriber records when it received each update's event, by the stock it carries.
    let base = 100_000 + (subscribers as i64) * 1_000;
    let readers: Vec<_> = sockets
        .into_iter()
        .map(|mut socket| {
            tokio::spawn(async move {
                let mut seen = Vec::with_capacity(updates);
                while seen.len() < updates {
                    let message =
                        tokio::time::timeout(Duration::from_secs(120), socket.next()).await;
                    let Ok(Some(Ok(Message::Text(text)))) = message else {
                        if matches!(message, Ok(Some(Ok(_)))) {
                            continue;
                        }
                        break;
                    };
                    let value: Value = serde_json::from_str(&text).unwrap_or_default();
                    if let Some(stock) =
                        value["payload"]["data"]["productUpdated"]["stock"].as_i64()
                    {
                        seen.push((stock, Instant::now()));
                    }
                }
                seen
            })
        })
        .collect();

    let login = server
        .graphql(
            "mutation { tokenAuth(username: \"admin\", password: \"admin-password\") { token } }",
            json!({}),
        )
        .await;
    let token = login.data()["tokenAuth"]["token"]
        .as_str()
        .ok_or_else(|| format!("admin logs in: {}", login.text))?
        .to_owned();
    let mut sent = Vec::with_capacity(updates);
    for i in 0..updates {
        let stock = base + i as i64;
        sent.push(Instant::now());
        let r = server
            .graphql_as(
                Some(&token),
                &format!(
                    "mutation {{ updateProduct(id: \"UHJvZHVjdDox\", input: {{stock: {stock}}}) {{ success }} }}"
                ),
                json!({}),
            )
            .await;
        if r.data()["updateProduct"]["success"] != true {
            return Err(format!("update {i}: {}", r.text));
        }
    }
    let mut latencies = Vec::with_capacity(subscribers * updates);
    let mut last = sent[0];
    for reader in readers {
        let seen = reader.await.map_err(|e| e.to_string())?;
        if seen.len() != updates {
            return Err(format!(
                "a subscriber received {} of {updates} events",
                seen.len()
            ));
        }
        for (stock, at) in seen {
            let i = (stock - base) as usize;
            latencies.push(at.duration_since(sent[i]));
            last = last.max(at);
        }
    }
    latencies.sort();
    let quantile = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
    Ok(Measured {
        subscribers,
        updates,
        p50: quantile(0.5),
        p99: quantile(0.99),
        max: *latencies.last().unwrap_or(&Duration::ZERO),
        events_per_second: latencies.len() as f64 / last.duration_since(sent[0]).as_secs_f64(),
        bytes_per_connection: after.saturating_sub(before) as f64 / subscribers as f64,
        connect,
    })
}

/// The server's side: seeds a database, serves the example app and prints its address, until
/// the parent closes this process's standard input.
async fn serve() -> Result<(), String> {
    let file = SqliteFile::new("subscriptions");
    database::seed(&file.url()).await?;
    let db = gqlgen_runtime::db::connect(&file.url())
        .await
        .map_err(|e| format!("cannot open the database: {e}"))?;
    let mut config = Config::production();
    config.rate_limit.enabled = false;
    config.subscriptions.max_per_connection = 10;
    let config = example_app::with_signing_key(config);
    let router = example_app::router(db, config)?;
    let server = TestServer::start(router)
        .await
        .map_err(|e| format!("bind: {e}"))?;
    println!("listening {}", server.addr());
    let mut stdin = tokio::io::stdin();
    let mut rest = Vec::new();
    let _ = tokio::io::AsyncReadExt::read_to_end(&mut stdin, &mut rest).await;
    Ok(())
}

async fn run(settings: Settings) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut child = tokio::process::Command::new(exe)
        .env(SERVE, "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot start the server process: {e}"))?;
    let server_pid = child.id().ok_or("the server process ended")?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut lines = tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(stdout));
    let line = lines
        .next_line()
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the server process ended before listening")?;
    let addr = line
        .strip_prefix("listening ")
        .and_then(|addr| addr.parse().ok())
        .ok_or_else(|| format!("the server process said {line:?}"))?;
    let server = TestServer::remote(addr);
    println!(
        "| subscribers | updates | events | p50 | p99 | max | events/s | memory per connection | connecting |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for subscribers in settings.subscribers {
        let m = run_once(&server, server_pid, subscribers, settings.updates).await?;
        println!(
            "| {} | {} | {} | {:.1} ms | {:.1} ms | {:.1} ms | {:.0} | {:.1} KiB | {:.1} s |",
            m.subscribers,
            m.updates,
            m.subscribers * m.updates,
            m.p50.as_secs_f64() * 1e3,
            m.p99.as_secs_f64() * 1e3,
            m.max.as_secs_f64() * 1e3,
            m.events_per_second,
            m.bytes_per_connection / 1024.0,
            m.connect.as_secs_f64(),
        );
    }
    Ok(())
}

/// Set in the server process's environment.
const SERVE: &str = "GQLGEN_BENCH_SERVE";

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    if std::env::var_os(SERVE).is_some() {
        if let Err(message) = runtime.block_on(serve()) {
            eprintln!("subscriptions benchmark server: {message}");
            std::process::exit(1);
        }
        return;
    }
    let settings = if std::env::args().any(|arg| arg == "--bench") {
        Settings::from_env().unwrap_or_else(|message| {
            eprintln!("subscriptions benchmark: {message}");
            std::process::exit(2);
        })
    } else {
        eprintln!("not run by `cargo bench`: a short smoke pass only (20 subscribers, 5 updates)");
        Settings::smoke()
    };
    if let Err(message) = runtime.block_on(run(settings)) {
        eprintln!("subscriptions benchmark failed: {message}");
        std::process::exit(1);
    }
}
