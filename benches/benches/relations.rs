//! The list-with-relations benchmark: the same query ([`relations_query`]) at page sizes 10,
//! 100 and 1,000 against four servers (see the crate's documentation): the example app's
//! generated API (gqlgen), a hand-written async-graphql + sea-orm server using DataLoader (the
//! baseline), a hand-written sqlx handler without GraphQL (raw, the limit of the stack), and on
//! PostgreSQL a handler that answers with one statement building the JSON (raw-json). It runs on
//! a seeded SQLite file, and also on PostgreSQL when `DATABASE_URL` names a PostgreSQL server (in
//! a database of its own, `gqlgen_bench`, created and dropped by the run).
//!
//! For each backend and page size it
//! 1. serves each server that runs on the backend in this process and sends one warm-up request,
//!    then a few sequential ones, counting the SQL statements of each;
//! 2. checks that the servers answer the same data (parsed JSON), and notes whether gqlgen's
//!    body is the same text as each other server's;
//! 3. for 1 and for 8 concurrent clients, starts each server as a child process
//!    (`bench-server`), loads it from kept-alive HTTP/1.1 connections on 127.0.0.1 and reports
//!    requests per second, p50 and p99 latency (per request, measured by the client), SQL
//!    statements per request (counted by the child), the CPU the child, the load generator and
//!    the whole machine used during the load (`/proc/<pid>/stat`, `/proc/self/stat`,
//!    `/proc/stat`), and the child's peak resident memory (`VmHWM` of `/proc/<pid>/status`)
//!    after the load;
//!
//! then prints, per backend, Markdown tables of those numbers and of gqlgen's ratios to the
//! other servers.
//!
//! `cargo bench -p gqlgen-benches --bench relations` runs it in full. Environment variables
//! restrict or vary a full run (see [`Settings::from_env`] and docs/performance.md):
//! `BENCH_BACKENDS`, `BENCH_PAGES`, `BENCH_KINDS`, `BENCH_CLIENTS`, `BENCH_PHASE_SECS`,
//! `BENCH_WARMUP_SECS`, `BENCH_SERVER_ARGS`, `BENCH_INDEX_REVIEWS` and `BENCH_PG_DATABASE`.
//! Run without `--bench` (as `cargo test --benches` does) it only runs a short smoke pass: page
//! size 10, SQLite only, and the variables are ignored.

use std::io::BufRead;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use gqlgen_benches::agreement::{self, Answer, InProcessServer};
use gqlgen_benches::client::Client;
use gqlgen_benches::cpu::{self, CpuSample, CpuUse};
use gqlgen_benches::database::{self, Backend, PostgresDatabase, SqliteFile};
use gqlgen_benches::raw_json::JsonPlan;
use gqlgen_benches::{Kind, ServerSettings, relations_query};
use serde_json::json;

/// What a run measures, and for how long.
struct Settings {
    backends: Vec<Backend>,
    /// Whether PostgreSQL was asked for by name (`BENCH_BACKENDS`): then a missing
    /// `DATABASE_URL` fails the run instead of being noted.
    postgres_required: bool,
    page_sizes: Vec<u32>,
    /// The servers loaded; the agreement check serves every server that runs on the backend.
    kinds: Vec<Kind>,
    client_counts: Vec<usize>,
    /// Sequential in-process requests whose statements are counted, after one warm-up request.
    counted_requests: usize,
    /// Load before each measurement, with as many clients as the measurement.
    warmup: Duration,
    /// Length of each measurement.
    phase: Duration,
    /// Passed to every `bench-server` (`--max-connections N`, `--workers N`, ...).
    server_args: Vec<String>,
    /// Whether to add an index on [`database::REVIEW_INDEX`] after seeding.
    index_reviews: bool,
    /// The PostgreSQL database the run creates and drops.
    postgres_database: String,
}

impl Settings {
    fn full() -> Settings {
        Settings {
            backends: Backend::ALL.to_vec(),
            postgres_required: false,
            page_sizes: vec![10, 100, 1000],
            kinds: Kind::ALL.to_vec(),
            client_counts: vec![1, 8],
            counted_requests: 5,
            warmup: Duration::from_millis(500),
            phase: Duration::from_secs(3),
            server_args: Vec::new(),
            index_reviews: false,
            postgres_database: PostgresDatabase::BENCH.to_owned(),
        }
    }

    fn smoke() -> Settings {
        Settings {
            backends: vec![Backend::Sqlite],
            page_sizes: vec![10],
            counted_requests: 2,
            warmup: Duration::from_millis(50),
            phase: Duration::from_millis(200),
            ..Settings::full()
        }
    }

    /// [`Settings::full`], restricted or varied by the environment (`lookup` reads a
    /// variable):
    ///
    /// - `BENCH_BACKENDS=sqlite,postgres`: the backends;
    /// - `BENCH_PAGES=10,100,1000`: the page sizes;
    /// - `BENCH_KINDS=gqlgen,baseline,raw,raw-json`: the servers loaded (see [`Kind`]);
    /// - `BENCH_CLIENTS=1,8`: the numbers of concurrent clients;
    /// - `BENCH_PHASE_SECS=3`, `BENCH_WARMUP_SECS=0.5`: the length of each measurement and of
    ///   the warm-up before it;
    /// - `BENCH_SERVER_ARGS="--max-connections 4 --workers 2"`: arguments for every
    ///   `bench-server`, split at whitespace;
    /// - `BENCH_INDEX_REVIEWS=1`: adds an index on [`database::REVIEW_INDEX`] after seeding
    ///   (`0` or unset: the example app's tables as they are);
    /// - `BENCH_PG_DATABASE=name`: the PostgreSQL database the run creates and drops, instead of
    ///   `gqlgen_bench`, so that two runs on one server leave each other's database alone.
    ///
    /// An unset or empty variable keeps the default.
    fn from_env(lookup: impl Fn(&str) -> Option<String>) -> Result<Settings, String> {
        let mut settings = Settings::full();
        let var = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        if let Some(value) = var("BENCH_BACKENDS") {
            settings.backends = list("BENCH_BACKENDS", &value, Backend::parse)?;
            settings.postgres_required = settings.backends.contains(&Backend::Postgres);
        }
        if let Some(value) = var("BENCH_PAGES") {
            settings.page_sizes = list("BENCH_PAGES", &value, |item| item.parse().ok())?;
        }
        if let Some(value) = var("BENCH_KINDS") {
            settings.kinds = list("BENCH_KINDS", &value, Kind::parse)?;
        }
        if let Some(value) = var("BENCH_CLIENTS") {
            settings.client_counts = list("BENCH_CLIENTS", &value, |item| {
                item.parse().ok().filter(|&clients: &usize| clients > 0)
            })?;
        }
        if let Some(value) = var("BENCH_PHASE_SECS") {
            settings.phase = seconds("BENCH_PHASE_SECS", &value)?;
        }
        if let Some(value) = var("BENCH_WARMUP_SECS") {
            settings.warmup = seconds("BENCH_WARMUP_SECS", &value)?;
        }
        if let Some(value) = var("BENCH_SERVER_ARGS") {
            settings.server_args = value.split_whitespace().map(str::to_owned).collect();
        }
        if let Some(value) = var("BENCH_PG_DATABASE") {
            settings.postgres_database = value.trim().to_owned();
        }
        if let Some(value) = var("BENCH_INDEX_REVIEWS") {
            settings.index_reviews = match value.trim() {
                "1" => true,
                "0" => false,
                other => return Err(format!("BENCH_INDEX_REVIEWS: `{other}` is not 0 or 1")),
            };
        }
        Ok(settings)
    }
}

/// Checks [`Settings::from_env`] on made-up variables; the smoke pass runs it, since a bench
/// without the test harness has no unit tests.
fn check_settings_from_env() -> Result<(), String> {
    let vars = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        }
    };
    let defaults = Settings::from_env(vars(&[("BENCH_PAGES", " ")]))?;
    let full = Settings::full();
    let same = defaults.page_sizes == full.page_sizes
        && defaults.kinds == full.kinds
        && defaults.backends == full.backends
        && !defaults.postgres_required;
    let varied = Settings::from_env(vars(&[
        ("BENCH_BACKENDS", "postgres"),
        ("BENCH_PAGES", "100, 1000,100"),
        ("BENCH_KINDS", "gqlgen,raw-json"),
        ("BENCH_CLIENTS", "8"),
        ("BENCH_PHASE_SECS", "2.5"),
        ("BENCH_SERVER_ARGS", " --max-connections 4  --workers 0 "),
        ("BENCH_INDEX_REVIEWS", "1"),
    ]))?;
    let read = varied.backends == [Backend::Postgres]
        && varied.postgres_required
        && varied.page_sizes == [100, 1000]
        && varied.kinds == [Kind::Gqlgen, Kind::RawJson]
        && varied.client_counts == [8]
        && varied.phase == Duration::from_millis(2500)
        && varied.server_args == ["--max-connections", "4", "--workers", "0"]
        && varied.index_reviews;
    let refused = [
        ("BENCH_KINDS", "gqlgen,graphql"),
        ("BENCH_CLIENTS", "0"),
        ("BENCH_PHASE_SECS", "-1"),
        ("BENCH_BACKENDS", ","),
        ("BENCH_INDEX_REVIEWS", "yes"),
    ]
    .into_iter()
    .all(|(name, value)| {
        Settings::from_env(|asked: &str| (asked == name).then(|| value.to_owned())).is_err()
    });
    if same && read && refused {
        Ok(())
    } else {
        Err(format!(
            "Settings::from_env misreads its variables (defaults kept: {same}, variables read: \
             {read}, bad values refused: {refused})"
        ))
    }
}

/// The comma-separated `value` of the variable `name`, each item read by `parse`, in the order
/// given, without repeats.
fn list<T: PartialEq>(
    name: &str,
    value: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Vec<T>, String> {
    let mut items = Vec::new();
    for item in value
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
    {
        let parsed = parse(item).ok_or_else(|| format!("{name}: `{item}` is not understood"))?;
        if !items.contains(&parsed) {
            items.push(parsed);
        }
    }
    if items.is_empty() {
        return Err(format!("{name} lists nothing"));
    }
    Ok(items)
}

/// The positive number of seconds `value` of the variable `name`.
fn seconds(name: &str, value: &str) -> Result<Duration, String> {
    value
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|secs| secs.is_finite() && *secs > 0.0)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| format!("{name}: `{value}` is not a positive number of seconds"))
}

/// What the in-process pass found at one page size.
struct PageCheck {
    page_size: u32,
    /// Statements of each counted request, per server that runs on the backend, in
    /// [`Kind::ALL`] order.
    statements: Vec<(Kind, Vec<u64>)>,
    /// Whether gqlgen's body is the same text as each other server's.
    gqlgen_text_is: Vec<(Kind, bool)>,
}

/// One measurement: a server at one page size and number of clients.
struct LoadRow {
    page_size: u32,
    clients: usize,
    kind: Kind,
    statements_per_request: f64,
    requests_per_second: f64,
    p50: Duration,
    p99: Duration,
    cpu: CpuUse,
    peak_rss_kib: u64,
}

/// The results on one backend.
struct BackendReport {
    backend: Backend,
    checks: Vec<PageCheck>,
    rows: Vec<LoadRow>,
    /// The servers asked for that do not run on the backend.
    skipped: Vec<Kind>,
}

/// A `bench-server` child process, killed when dropped.
struct ServerProcess {
    child: Child,
    addr: SocketAddr,
}

impl ServerProcess {
    fn start(
        exe: &Path,
        kind: Kind,
        url: &str,
        server_args: &[String],
    ) -> Result<ServerProcess, String> {
        let mut child = Command::new(exe)
            .args(["--kind", kind.name(), "--database-url", url])
            .args(["--addr", "127.0.0.1:0"])
            .args(server_args)
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
                    "bench-server --kind {} {} did not start (it printed {line:?})",
                    kind.name(),
                    server_args.join(" ")
                ))
            }
        }
    }

    /// `VmHWM` (peak resident memory) of the child, in KiB.
    fn peak_rss_kib(&self) -> Result<u64, String> {
        let path = format!("/proc/{}/status", self.child.id());
        let status = std::fs::read_to_string(&path)
            .map_err(|err| format!("cannot read {path} (Linux only): {err}"))?;
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .ok_or_else(|| format!("no VmHWM in {path}"))
    }

    /// The statements the child has run so far.
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

/// Where `bench-server` is: next to the bench executable's directory (`target/release/` above
/// `target/release/deps/relations-…`, or a copy of both made to keep a build from replacing them
/// during a run), else where Cargo named it to benchmarks.
fn bench_server() -> Result<PathBuf, String> {
    let mut candidates = Vec::new();
    if let Ok(exe) = std::env::current_exe()
        && let Some(profile_dir) = exe.parent().and_then(Path::parent)
    {
        candidates.push(profile_dir.join(format!("bench-server{}", std::env::consts::EXE_SUFFIX)));
    }
    if let Some(path) = option_env!("CARGO_BIN_EXE_bench-server") {
        candidates.push(PathBuf::from(path));
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

/// Serves each server that runs on `backend` in this process (the raw-json server once per
/// statement it can run): counts the statements of `settings.counted_requests` sequential
/// requests after a warm-up, and checks that all answer the same data.
async fn check_page(
    backend: Backend,
    url: &str,
    page_size: u32,
    settings: &Settings,
) -> Result<PageCheck, String> {
    let query = relations_query(page_size);
    let mut answers: Vec<Answer> = Vec::new();
    let mut statements = Vec::new();
    for kind in Kind::ALL.into_iter().filter(|kind| kind.runs_on(backend)) {
        for &json_plan in JsonPlan::to_check(kind) {
            let server_settings = ServerSettings {
                json_plan,
                ..ServerSettings::default()
            };
            let server = InProcessServer::start_with(kind, url, &server_settings).await?;
            let (answer, _) = server.ask(&query).await?;
            let mut counts = Vec::with_capacity(settings.counted_requests);
            for _ in 0..settings.counted_requests {
                counts.push(server.ask(&query).await?.1);
            }
            answers.push(answer);
            if json_plan == JsonPlan::default() {
                statements.push((kind, counts));
            }
        }
    }
    agreement::check_same_data(page_size, &answers)?;
    let gqlgen_text_is = statements
        .iter()
        .filter(|(kind, _)| *kind != Kind::Gqlgen)
        .map(|&(kind, _)| {
            let same =
                agreement::same_text(&answers, Kind::Gqlgen, kind).expect("every server answered");
            (kind, same)
        })
        .collect();
    Ok(PageCheck {
        page_size,
        statements,
        gqlgen_text_is,
    })
}

/// What a load phase gave: the requests answered, how long it took, and each request's
/// latency.
struct Phase {
    requests: u64,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

/// Sends `body` from `clients` concurrent connections until `duration` has passed, each client
/// waiting for an answer before sending again.
async fn load(
    addr: SocketAddr,
    body: Arc<Vec<u8>>,
    clients: usize,
    duration: Duration,
) -> Result<Phase, String> {
    let start = Instant::now();
    let deadline = start + duration;
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let body = body.clone();
            tokio::spawn(async move {
                let mut client = Client::connect(addr)
                    .await
                    .map_err(|err| format!("cannot connect to {addr}: {err}"))?;
                let mut latencies = Vec::new();
                loop {
                    let sent = Instant::now();
                    let response = client
                        .post_json("/graphql", &body)
                        .await
                        .map_err(|err| format!("request to {addr} failed: {err}"))?;
                    let answered = Instant::now();
                    if !response.is_clean_graphql() {
                        let text = response.text();
                        return Err(format!(
                            "{addr} answered {}: {}",
                            response.status,
                            &text[..text.floor_char_boundary(500)]
                        ));
                    }
                    latencies.push(answered - sent);
                    if answered >= deadline {
                        return Ok(latencies);
                    }
                }
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(
            task.await
                .map_err(|err| format!("a client panicked: {err}"))??,
        );
    }
    Ok(Phase {
        requests: latencies.len() as u64,
        elapsed: start.elapsed(),
        latencies,
    })
}

/// The `p`th percentile (nearest rank) of `sorted`.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Loads `kind` as a child process with `clients` clients: a warm-up, then the measurement.
async fn measure_process(
    exe: &Path,
    kind: Kind,
    url: &str,
    page_size: u32,
    clients: usize,
    settings: &Settings,
) -> Result<LoadRow, String> {
    let server = ServerProcess::start(exe, kind, url, &settings.server_args)?;
    let body = Arc::new(
        json!({ "query": relations_query(page_size) })
            .to_string()
            .into_bytes(),
    );
    load(server.addr, body.clone(), clients, settings.warmup).await?;
    let statements_before = server.statements().await?;
    let cpu_before = CpuSample::take(server.child.id())?;
    let mut phase = load(server.addr, body, clients, settings.phase).await?;
    let cpu_after = CpuSample::take(server.child.id())?;
    let statements = server.statements().await? - statements_before;
    phase.latencies.sort_unstable();
    Ok(LoadRow {
        page_size,
        clients,
        kind,
        statements_per_request: statements as f64 / phase.requests as f64,
        requests_per_second: phase.requests as f64 / phase.elapsed.as_secs_f64(),
        p50: percentile(&phase.latencies, 50.0),
        p99: percentile(&phase.latencies, 99.0),
        cpu: CpuUse::between(&cpu_before, &cpu_after),
        peak_rss_kib: server.peak_rss_kib()?,
    })
}

/// Runs every page size on the seeded database at `url`.
async fn measure_backend(
    backend: Backend,
    url: &str,
    exe: &Path,
    settings: &Settings,
) -> Result<BackendReport, String> {
    let (kinds, skipped): (Vec<Kind>, Vec<Kind>) = settings
        .kinds
        .iter()
        .partition(|kind| kind.runs_on(backend));
    for kind in &skipped {
        eprintln!(
            "{}: {} runs on PostgreSQL only, skipped",
            backend.name(),
            kind.name()
        );
    }
    let mut report = BackendReport {
        backend,
        checks: Vec::new(),
        rows: Vec::new(),
        skipped,
    };
    for &page_size in &settings.page_sizes {
        let check = check_page(backend, url, page_size, settings).await?;
        eprintln!(
            "{}, page size {page_size}: the servers answer the same data",
            backend.name()
        );
        report.checks.push(check);
        for &clients in &settings.client_counts {
            for &kind in &kinds {
                eprintln!(
                    "{}, page size {page_size}: loading {} with {clients} client(s)",
                    backend.name(),
                    kind.name()
                );
                let row = measure_process(exe, kind, url, page_size, clients, settings).await?;
                report.rows.push(row);
            }
        }
    }
    Ok(report)
}

/// Runs the benchmark on a fresh PostgreSQL database on the server of `server_url`, dropping
/// the database afterwards whatever happened.
async fn measure_postgres(
    server_url: &str,
    exe: &Path,
    settings: &Settings,
) -> Result<BackendReport, String> {
    let database = PostgresDatabase::create(server_url, &settings.postgres_database).await?;
    eprintln!("seeding the PostgreSQL database {}", database.name());
    let result = async {
        database::seed(database.url()).await?;
        database::analyze(database.url()).await?;
        if settings.index_reviews {
            database::index_reviews(database.url(), Backend::Postgres).await?;
        }
        measure_backend(Backend::Postgres, database.url(), exe, settings).await
    }
    .await;
    let dropped = database.drop_database().await;
    let report = result?;
    dropped?;
    Ok(report)
}

/// Statement counts of sequential requests: one number when all agree, otherwise the mean with
/// the minimum and maximum.
fn format_statements(counts: &[u64]) -> String {
    let min = counts.iter().copied().min().unwrap_or(0);
    let max = counts.iter().copied().max().unwrap_or(0);
    if min == max {
        min.to_string()
    } else {
        let mean = counts.iter().sum::<u64>() as f64 / counts.len() as f64;
        format!("{mean:.1} ({min}–{max})")
    }
}

/// A mean number of statements: whole when it is whole.
fn format_mean(mean: f64) -> String {
    if mean.fract() == 0.0 {
        format!("{mean:.0}")
    } else {
        format!("{mean:.2}")
    }
}

fn milliseconds(duration: Duration) -> String {
    format!("{:.2}", duration.as_secs_f64() * 1000.0)
}

fn mib(kib: u64) -> String {
    format!("{:.1}", kib as f64 / 1024.0)
}

fn yes_no(yes: bool) -> &'static str {
    if yes { "yes" } else { "no" }
}

/// A Markdown table row of `cells`.
fn table_row(cells: &[String]) -> String {
    format!("| {} |", cells.join(" | "))
}

/// A Markdown alignment row: `right` columns aligned right, then `left` columns.
fn alignment_row(right: usize, left: usize) -> String {
    let mut cells = vec!["---:"; right];
    cells.extend(vec!["---"; left]);
    format!("|{}|", cells.join("|"))
}

fn print_backend(report: &BackendReport) {
    println!("### {}", report.backend.name());
    println!();
    for kind in &report.skipped {
        println!(
            "{} runs on PostgreSQL only: not run on {}.",
            kind.name(),
            report.backend.name()
        );
        println!();
    }
    println!(
        "Agreement and statements per request (sequential requests, in process; the same data \
         was checked as parsed JSON):"
    );
    println!();
    if let Some(first) = report.checks.first() {
        let mut header = vec!["page size".to_owned()];
        header.extend(
            first
                .statements
                .iter()
                .map(|(kind, _)| format!("statements {}", kind.name())),
        );
        header.extend(
            first
                .gqlgen_text_is
                .iter()
                .map(|(kind, _)| format!("gqlgen text = {} text", kind.name())),
        );
        println!("{}", table_row(&header));
        println!(
            "{}",
            alignment_row(1 + first.statements.len(), first.gqlgen_text_is.len())
        );
    }
    for check in &report.checks {
        let mut cells = vec![check.page_size.to_string()];
        cells.extend(
            check
                .statements
                .iter()
                .map(|(_, counts)| format_statements(counts)),
        );
        cells.extend(
            check
                .gqlgen_text_is
                .iter()
                .map(|&(_, same)| yes_no(same).to_owned()),
        );
        println!("{}", table_row(&cells));
    }
    println!();
    println!(
        "Load (a fresh bench-server process per row; CPU in % of all {} cores during the \
         measurement):",
        cpu::cores()
    );
    println!();
    println!(
        "| page size | clients | server | statements/request | requests/s | p50 ms | p99 ms | \
         server CPU % | load generator CPU % | machine busy % | peak RSS MiB |"
    );
    println!("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for row in &report.rows {
        println!(
            "| {} | {} | {} | {} | {:.1} | {} | {} | {:.0} | {:.0} | {:.0} | {} |",
            row.page_size,
            row.clients,
            row.kind.name(),
            format_mean(row.statements_per_request),
            row.requests_per_second,
            milliseconds(row.p50),
            milliseconds(row.p99),
            row.cpu.server,
            row.cpu.load_generator,
            row.cpu.machine_busy,
            mib(row.peak_rss_kib),
        );
    }
    println!();
    print_ratios(report);
}

/// A number of a [`LoadRow`] that the ratio table divides, with its name.
type Metric = (&'static str, fn(&LoadRow) -> f64);

/// gqlgen's numbers divided by each other server's, per page size and number of clients.
fn print_ratios(report: &BackendReport) {
    let others: Vec<Kind> = Kind::ALL
        .into_iter()
        .filter(|&kind| kind != Kind::Gqlgen && report.rows.iter().any(|row| row.kind == kind))
        .collect();
    if others.is_empty() || !report.rows.iter().any(|row| row.kind == Kind::Gqlgen) {
        return;
    }
    let names: Vec<&str> = others.iter().map(|kind| kind.name()).collect();
    println!(
        "gqlgen ÷ {} (requests/s: below 1 means gqlgen answers fewer; latency and memory: above \
         1 means gqlgen takes more):",
        names.join(", gqlgen ÷ ")
    );
    println!();
    let metrics: [Metric; 4] = [
        ("requests/s", |row| row.requests_per_second),
        ("p50", |row| row.p50.as_secs_f64()),
        ("p99", |row| row.p99.as_secs_f64()),
        ("peak RSS", |row| row.peak_rss_kib as f64),
    ];
    let mut header = vec!["page size".to_owned(), "clients".to_owned()];
    for (metric, _) in &metrics {
        header.extend(names.iter().map(|name| format!("{metric} ÷ {name}")));
    }
    println!("{}", table_row(&header));
    println!("{}", alignment_row(header.len(), 0));
    let find = |page_size, clients, kind| {
        report
            .rows
            .iter()
            .find(|row| row.page_size == page_size && row.clients == clients && row.kind == kind)
    };
    for gqlgen in report.rows.iter().filter(|row| row.kind == Kind::Gqlgen) {
        let mut cells = vec![gqlgen.page_size.to_string(), gqlgen.clients.to_string()];
        for (_, value) in &metrics {
            cells.extend(others.iter().map(|&kind| {
                find(gqlgen.page_size, gqlgen.clients, kind).map_or("–".to_owned(), |other| {
                    format!("{:.2}", value(gqlgen) / value(other))
                })
            }));
        }
        println!("{}", table_row(&cells));
    }
    println!();
}

async fn run(settings: Settings) -> Result<(), String> {
    let exe = bench_server()?;
    eprintln!("serving with {}", exe.display());
    let mut reports = Vec::new();

    if settings.backends.contains(&Backend::Sqlite) {
        let sqlite = SqliteFile::new("relations");
        eprintln!("seeding {}", sqlite.path().display());
        database::seed(&sqlite.url()).await?;
        if settings.index_reviews {
            database::index_reviews(&sqlite.url(), Backend::Sqlite).await?;
        }
        reports.push(measure_backend(Backend::Sqlite, &sqlite.url(), &exe, &settings).await?);
    }

    if settings.backends.contains(&Backend::Postgres) {
        match database::postgres_url_from_env() {
            Some(server_url) => {
                reports.push(measure_postgres(&server_url, &exe, &settings).await?);
            }
            None if settings.postgres_required => {
                return Err(
                    "BENCH_BACKENDS asks for postgres, but DATABASE_URL names no PostgreSQL server"
                        .to_owned(),
                );
            }
            None => eprintln!("DATABASE_URL names no PostgreSQL server: SQLite only"),
        }
    }

    println!();
    println!(
        "relations benchmark, {} build, {} on {} cores; {} s warm-up and {} s of load per row, \
         {} counted sequential requests per statement count; bench-server arguments: {}",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        chrono::Utc::now().format("%Y-%m-%d"),
        cpu::cores(),
        settings.warmup.as_secs_f64(),
        settings.phase.as_secs_f64(),
        settings.counted_requests,
        if settings.server_args.is_empty() {
            "none (the runtime's default pool, one tokio worker per core)".to_owned()
        } else {
            format!("`{}`", settings.server_args.join(" "))
        },
    );
    if settings.index_reviews {
        println!();
        println!(
            "With an index on {} added after seeding (BENCH_INDEX_REVIEWS=1).",
            database::REVIEW_INDEX
        );
    }
    println!();
    for report in &reports {
        print_backend(report);
    }
    Ok(())
}

fn main() {
    let settings = if std::env::args().any(|arg| arg == "--bench") {
        Settings::from_env(|name| std::env::var(name).ok()).unwrap_or_else(|message| {
            eprintln!("relations benchmark: {message}");
            std::process::exit(2);
        })
    } else {
        eprintln!("not run by `cargo bench`: a short smoke pass only (page size 10, SQLite)");
        if let Err(message) = check_settings_from_env() {
            eprintln!("relations benchmark: {message}");
            std::process::exit(1);
        }
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
