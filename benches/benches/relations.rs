//! The list-with-relations benchmark: the same query, at page sizes 10, 100 and 1,000, against
//! the example app's generated API (gqlgen) and a hand-written async-graphql + sea-orm server
//! using DataLoader (the baseline), over one seeded SQLite file.
//!
//! For each page size and server it reports
//! - SQL statements per request, counted in this process with `StatementLog` on the connection
//!   given to the server, over sequential requests;
//! - requests per second, from one client and from several concurrent clients (kept-alive HTTP/1.1
//!   connections on 127.0.0.1) against the server running as a child process (`bench-server`),
//!   together with the statements per request the child counted during the concurrent load;
//! - the child's peak resident memory (`VmHWM` of `/proc/<pid>/status`) after the load.
//!
//! Before measuring a page size it checks that both servers answer the same data.
//!
//! `cargo bench -p gqlgen-benches --bench relations` runs it in full. Run without `--bench`
//! (as `cargo test --benches` does) it only runs a short smoke pass at page size 10.

use std::io::BufRead;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use gqlgen_benches::client::Client;
use gqlgen_benches::{Kind, relations_query, router};
use gqlgen_runtime::testing::{StatementLog, TestServer};
use serde_json::{Value, json};

/// What a run measures, and for how long.
struct Settings {
    page_sizes: Vec<u32>,
    /// Sequential requests whose statements are counted, after one warm-up request.
    counted_requests: usize,
    warmup: Duration,
    /// Length of each throughput phase.
    phase: Duration,
    concurrent_clients: usize,
}

impl Settings {
    fn full() -> Settings {
        Settings {
            page_sizes: vec![10, 100, 1000],
            counted_requests: 5,
            warmup: Duration::from_millis(500),
            phase: Duration::from_secs(3),
            concurrent_clients: 4,
        }
    }

    fn smoke() -> Settings {
        Settings {
            page_sizes: vec![10],
            counted_requests: 2,
            warmup: Duration::from_millis(50),
            phase: Duration::from_millis(200),
            concurrent_clients: 2,
        }
    }
}

/// One row of the report.
struct Row {
    page_size: u32,
    kind: Kind,
    statements: Vec<usize>,
    statements_under_load: f64,
    sequential_rps: f64,
    concurrent_rps: f64,
    idle_rss_kib: u64,
    peak_rss_kib: u64,
}

/// The seeded SQLite file, removed when dropped.
struct TempDatabase {
    path: PathBuf,
}

impl TempDatabase {
    fn new() -> TempDatabase {
        let path = std::env::temp_dir().join(format!(
            "gqlgen-bench-relations-{}.sqlite",
            std::process::id()
        ));
        let database = TempDatabase { path };
        database.remove();
        database
    }

    fn url(&self) -> String {
        format!("sqlite://{}?mode=rwc", self.path.display())
    }

    fn remove(&self) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut name = self.path.clone().into_os_string();
            name.push(suffix);
            let _ = std::fs::remove_file(name);
        }
    }
}

impl Drop for TempDatabase {
    fn drop(&mut self) {
        self.remove();
    }
}

/// A `bench-server` child process, killed when dropped.
struct ServerProcess {
    child: Child,
    addr: SocketAddr,
}

impl ServerProcess {
    fn start(exe: &Path, kind: Kind, url: &str) -> Result<ServerProcess, String> {
        let mut child = Command::new(exe)
            .args(["--kind", kind.name(), "--database-url", url])
            .args(["--addr", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|err| format!("cannot start {}: {err}", exe.display()))?;
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        let read = std::io::BufReader::new(stdout).read_line(&mut line);
        let addr = line
            .trim()
            .strip_prefix("listening on ")
            .and_then(|addr| addr.parse().ok());
        match (read, addr) {
            (Ok(_), Some(addr)) => Ok(ServerProcess { child, addr }),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                Err(format!(
                    "bench-server --kind {} did not start (it printed {line:?})",
                    kind.name()
                ))
            }
        }
    }

    /// `VmRSS` and `VmHWM` (peak) of the child, in KiB.
    fn memory_kib(&self) -> Result<(u64, u64), String> {
        let path = format!("/proc/{}/status", self.child.id());
        let status = std::fs::read_to_string(&path)
            .map_err(|err| format!("cannot read {path} (Linux only): {err}"))?;
        let field = |name: &str| {
            status
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
                .ok_or_else(|| format!("no {name} in {path}"))
        };
        Ok((field("VmRSS:")?, field("VmHWM:")?))
    }

    async fn statements(&self) -> Result<u64, String> {
        let mut client = Client::connect(self.addr)
            .await
            .map_err(|err| format!("cannot reach bench-server: {err}"))?;
        let response = client
            .get("/bench/statements")
            .await
            .map_err(|err| format!("GET /bench/statements: {err}"))?;
        response
            .text()
            .trim()
            .parse()
            .map_err(|_| format!("GET /bench/statements answered {:?}", response.text()))
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where `bench-server` is: Cargo names it to benchmarks; otherwise it sits in the profile
/// directory above the bench executable (`target/release/deps/relations-…`).
fn bench_server() -> Result<PathBuf, String> {
    let mut candidates = Vec::new();
    if let Some(path) = option_env!("CARGO_BIN_EXE_bench-server") {
        candidates.push(PathBuf::from(path));
    }
    if let Ok(exe) = std::env::current_exe()
        && let Some(profile_dir) = exe.parent().and_then(Path::parent)
    {
        candidates.push(profile_dir.join(format!("bench-server{}", std::env::consts::EXE_SUFFIX)));
    }
    candidates
        .iter()
        .find(|path| path.is_file())
        .cloned()
        .ok_or_else(|| {
            format!(
                "cannot find the bench-server binary (looked at {candidates:?}); build it with \
                 `cargo build --release -p gqlgen-benches --bin bench-server`"
            )
        })
}

async fn seed(url: &str) -> Result<(), String> {
    let db = gqlgen_runtime::db::connect(url)
        .await
        .map_err(|err| format!("cannot open {url}: {err}"))?;
    example_app::migrate::migrate(&db)
        .await
        .map_err(|err| format!("cannot create the tables: {err}"))?;
    example_app::seed::seed(&db)
        .await
        .map_err(|err| format!("cannot seed: {err}"))?;
    db.close()
        .await
        .map_err(|err| format!("cannot close the seeding connection: {err}"))
}

/// Serves `kind` in this process with a statement log on its connection; returns the number of
/// statements of each of `counted` sequential requests (after one warm-up request) and the data
/// of the first answer.
async fn count_statements(
    kind: Kind,
    url: &str,
    query: &str,
    counted: usize,
) -> Result<(Vec<usize>, Value), String> {
    let mut db = gqlgen_runtime::db::connect(url)
        .await
        .map_err(|err| format!("cannot open {url}: {err}"))?;
    let log = StatementLog::record(&mut db);
    let server = TestServer::start(router(kind, db))
        .await
        .map_err(|err| format!("cannot serve {}: {err}", kind.name()))?;
    let mut data = Value::Null;
    let mut counts = Vec::with_capacity(counted);
    for i in 0..=counted {
        log.take();
        let response = server.graphql(query, json!({})).await;
        if response.status != 200 || response.body.get("errors").is_some() {
            return Err(format!(
                "{} answered {}: {}",
                kind.name(),
                response.status,
                response.text
            ));
        }
        let statements = log.take().len();
        if i == 0 {
            data = response.body["data"].clone();
        } else {
            counts.push(statements);
        }
    }
    Ok((counts, data))
}

/// Product names with their category names, in answer order.
fn names(data: &Value) -> Vec<(String, String)> {
    data["products"]["edges"]
        .as_array()
        .map(|edges| {
            edges
                .iter()
                .map(|edge| {
                    let node = &edge["node"];
                    (
                        node["name"].as_str().unwrap_or("<none>").to_owned(),
                        node["category"]["name"]
                            .as_str()
                            .unwrap_or("<none>")
                            .to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Fails unless both servers answered the same page.
fn check_same_data(page_size: u32, gqlgen: &Value, baseline: &Value) -> Result<(), String> {
    let (ours, theirs) = (names(gqlgen), names(baseline));
    if ours.len() != page_size as usize || theirs.len() != page_size as usize {
        return Err(format!(
            "page size {page_size}: gqlgen answered {} products, the baseline {}",
            ours.len(),
            theirs.len()
        ));
    }
    if let Some(i) = (0..ours.len()).find(|&i| ours[i] != theirs[i]) {
        return Err(format!(
            "page size {page_size}: product #{i} differs: gqlgen {:?}, baseline {:?}",
            ours[i], theirs[i]
        ));
    }
    if gqlgen != baseline {
        let edges = |data: &Value| data["products"]["edges"].as_array().cloned();
        let (ours, theirs) = (
            edges(gqlgen).unwrap_or_default(),
            edges(baseline).unwrap_or_default(),
        );
        let i = (0..ours.len()).find(|&i| ours.get(i) != theirs.get(i));
        return Err(format!(
            "page size {page_size}: same names and categories, but other fields differ at \
             product #{i:?}:\n  gqlgen   {}\n  baseline {}",
            i.and_then(|i| ours.get(i)).unwrap_or(&Value::Null),
            i.and_then(|i| theirs.get(i)).unwrap_or(&Value::Null),
        ));
    }
    Ok(())
}

/// Sends `body` from `clients` concurrent connections until `duration` has passed; returns the
/// requests answered and the time taken.
async fn load(
    addr: SocketAddr,
    body: Arc<Vec<u8>>,
    clients: usize,
    duration: Duration,
) -> Result<(u64, Duration), String> {
    let start = Instant::now();
    let deadline = start + duration;
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let body = body.clone();
            tokio::spawn(async move {
                let mut client = Client::connect(addr)
                    .await
                    .map_err(|err| format!("cannot connect to {addr}: {err}"))?;
                let mut answered = 0u64;
                loop {
                    let response = client
                        .post_json("/graphql", &body)
                        .await
                        .map_err(|err| format!("request to {addr} failed: {err}"))?;
                    if !response.is_clean_graphql() {
                        let text = response.text();
                        return Err(format!(
                            "{addr} answered {}: {}",
                            response.status,
                            &text[..text.len().min(500)]
                        ));
                    }
                    answered += 1;
                    if Instant::now() >= deadline {
                        return Ok(answered);
                    }
                }
            })
        })
        .collect();
    let mut answered = 0;
    for task in tasks {
        answered += task
            .await
            .map_err(|err| format!("a client panicked: {err}"))??;
    }
    Ok((answered, start.elapsed()))
}

fn per_second(requests: u64, elapsed: Duration) -> f64 {
    requests as f64 / elapsed.as_secs_f64()
}

/// Throughput and memory of `kind` as a child process.
async fn measure_process(
    exe: &Path,
    kind: Kind,
    url: &str,
    query: &str,
    settings: &Settings,
) -> Result<(f64, f64, f64, u64, u64), String> {
    let server = ServerProcess::start(exe, kind, url)?;
    let (idle_rss, _) = server.memory_kib()?;
    let body = Arc::new(json!({ "query": query }).to_string().into_bytes());
    load(server.addr, body.clone(), 1, settings.warmup).await?;
    let (requests, elapsed) = load(server.addr, body.clone(), 1, settings.phase).await?;
    let sequential = per_second(requests, elapsed);
    let before = server.statements().await?;
    let (requests, elapsed) = load(
        server.addr,
        body,
        settings.concurrent_clients,
        settings.phase,
    )
    .await?;
    let concurrent = per_second(requests, elapsed);
    let statements = (server.statements().await? - before) as f64 / requests as f64;
    let (_, peak_rss) = server.memory_kib()?;
    Ok((statements, sequential, concurrent, idle_rss, peak_rss))
}

fn format_statements(counts: &[usize]) -> String {
    let min = counts.iter().copied().min().unwrap_or(0);
    let max = counts.iter().copied().max().unwrap_or(0);
    if min == max {
        min.to_string()
    } else {
        let mean = counts.iter().sum::<usize>() as f64 / counts.len() as f64;
        format!("{mean:.1} ({min}–{max})")
    }
}

fn mib(kib: u64) -> String {
    format!("{:.1}", kib as f64 / 1024.0)
}

fn print_table(rows: &[Row], settings: &Settings) {
    let clients = settings.concurrent_clients;
    println!(
        "| page size | server | statements/request | statements/request under load | \
         requests/s (1 client) | requests/s ({clients} clients) | RSS idle MiB | peak RSS MiB |"
    );
    println!("|---:|---|---:|---:|---:|---:|---:|---:|");
    for row in rows {
        println!(
            "| {} | {} | {} | {:.2} | {:.1} | {:.1} | {} | {} |",
            row.page_size,
            row.kind.name(),
            format_statements(&row.statements),
            row.statements_under_load,
            row.sequential_rps,
            row.concurrent_rps,
            mib(row.idle_rss_kib),
            mib(row.peak_rss_kib),
        );
    }
}

async fn run(settings: Settings) -> Result<(), String> {
    let exe = bench_server()?;
    let database = TempDatabase::new();
    let url = database.url();
    eprintln!("seeding {}", database.path.display());
    seed(&url).await?;

    let mut rows = Vec::new();
    for &page_size in &settings.page_sizes {
        let query = relations_query(page_size);
        let mut counted = Vec::new();
        let mut answers = Vec::new();
        for kind in Kind::ALL {
            let (counts, data) =
                count_statements(kind, &url, &query, settings.counted_requests).await?;
            counted.push(counts);
            answers.push(data);
        }
        check_same_data(page_size, &answers[0], &answers[1])?;
        eprintln!("page size {page_size}: both servers answer the same data");
        for (kind, statements) in Kind::ALL.into_iter().zip(counted) {
            eprintln!("page size {page_size}: loading {}", kind.name());
            let (under_load, sequential, concurrent, idle_rss, peak_rss) =
                measure_process(&exe, kind, &url, &query, &settings).await?;
            rows.push(Row {
                page_size,
                kind,
                statements,
                statements_under_load: under_load,
                sequential_rps: sequential,
                concurrent_rps: concurrent,
                idle_rss_kib: idle_rss,
                peak_rss_kib: peak_rss,
            });
        }
    }

    println!();
    println!(
        "relations benchmark, {} build, {} on {} cores; {}s per throughput phase, \
         {} counted requests per statement count",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        chrono::Utc::now().format("%Y-%m-%d"),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        settings.phase.as_secs_f64(),
        settings.counted_requests,
    );
    println!();
    print_table(&rows, &settings);
    Ok(())
}

fn main() {
    let settings = if std::env::args().any(|arg| arg == "--bench") {
        Settings::full()
    } else {
        eprintln!("not run by `cargo bench`: a short smoke pass only");
        Settings::smoke()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    if let Err(message) = runtime.block_on(run(settings)) {
        eprintln!("relations benchmark failed: {message}");
        std::process::exit(1);
    }
}
