//! `soak`: load and faults against the example app on PostgreSQL (docs/reliability.md, "Load and
//! faults"). It stops and starts the machine's PostgreSQL and Redis, so it is an opt-in run,
//! never part of `cargo test`:
//!
//! ```sh
//! cargo run --release -p gqlgen-benches --bin soak -- [--redis]
//! ```
//!
//! Load phase: the example app binary serves a fresh database (`gqlgen_soak`, dropped and
//! created at start) while 64 clients on kept-alive connections send mixed reads and writes for
//! 60 s. At 30 s PostgreSQL is stopped for 5 s. Checked: no 5xx, no error code but
//! `INTERNAL_ERROR` and only while the database is away, resident memory at the end within 10%
//! of its value at 10 s, every request during the outage answered with a coded error within the
//! pool's acquire timeout plus a margin, a read answered normally within 2 s of the database's
//! return by the same process, and in the database afterwards: every write reported as done is
//! there with all its links, none reported as failed left a row, none is half there.
//!
//! Redis phase (`--redis`): the app with `REDIS_URL` and rate limiting on; Redis is shut down.
//! Checked: anonymous requests still pass (rate limiting fails open), requests with a token are
//! refused with `INTERNAL_ERROR` and no data, never a 401 (revocation cannot be checked: fails
//! closed, but the token may be valid), within 2 s, both are logged, the process lives on, and
//! both work again once Redis is back.
//!
//! Whatever it stopped is started again before it exits, on failure and on panic too.

mod app;
mod http;
mod services;
mod verify;
mod workload;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;

use app::{Answer, App, graphql};
use http::{Conn, Transport};
use services::Services;
use workload::{ClientPlan, Kind, Record, Reported};

const USAGE: &str = "usage: soak [--redis] [--skip-load] [--no-outage] [--clients N] [--duration S] \
[--outage-at S] [--outage S] [--rss-at S] [--acquire-timeout S] [--margin S] \
[--pg-url postgres://USER@HOST:PORT] [--database NAME] [--pg-version V] [--server PATH] [--no-build]";

/// The command line.
#[derive(Debug, Clone)]
struct Args {
    clients: usize,
    duration: Duration,
    outage_at: Duration,
    outage: Duration,
    rss_at: Duration,
    /// `DB_ACQUIRE_TIMEOUT` given to the app, in whole seconds.
    acquire_timeout: u64,
    /// What a request during the outage may take beyond the acquire timeout.
    margin: Duration,
    /// How soon after PostgreSQL is back a read must succeed.
    recovery_budget: Duration,
    pg_url: String,
    database: String,
    pg_version: Option<String>,
    server: Option<PathBuf>,
    build: bool,
    /// Stop PostgreSQL in the middle (`--no-outage`: a dry run of the load alone).
    outage_enabled: bool,
    load: bool,
    redis: bool,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut parsed = Args {
        clients: 64,
        duration: Duration::from_secs(60),
        outage_at: Duration::from_secs(30),
        outage: Duration::from_secs(5),
        rss_at: Duration::from_secs(10),
        acquire_timeout: 2,
        margin: Duration::from_secs(1),
        recovery_budget: Duration::from_secs(2),
        pg_url: "postgres://postgres@127.0.0.1:5432".into(),
        database: "gqlgen_soak".into(),
        pg_version: None,
        server: None,
        build: true,
        outage_enabled: true,
        load: true,
        redis: false,
    };
    let mut args = args.iter();
    let seconds = |flag: &str, value: &str| {
        value
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(Duration::from_secs_f64)
            .ok_or_else(|| format!("`{flag} {value}` is not a number of seconds"))
    };
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "--redis" => parsed.redis = true,
            "--skip-load" => parsed.load = false,
            "--no-build" => parsed.build = false,
            "--no-outage" => parsed.outage_enabled = false,
            "-h" | "--help" => return Err(USAGE.into()),
            _ => {
                let value = args
                    .next()
                    .ok_or_else(|| format!("`{flag}` needs a value"))?;
                match flag.as_str() {
                    "--clients" => {
                        parsed.clients = value
                            .parse()
                            .ok()
                            .filter(|n| *n > 0)
                            .ok_or_else(|| format!("`--clients {value}` is not a count"))?
                    }
                    "--duration" => parsed.duration = seconds(flag, value)?,
                    "--outage-at" => parsed.outage_at = seconds(flag, value)?,
                    "--outage" => parsed.outage = seconds(flag, value)?,
                    "--rss-at" => parsed.rss_at = seconds(flag, value)?,
                    "--margin" => parsed.margin = seconds(flag, value)?,
                    "--acquire-timeout" => {
                        parsed.acquire_timeout =
                            value.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                                format!("`--acquire-timeout {value}` is not whole seconds")
                            })?
                    }
                    "--pg-url" => parsed.pg_url = value.trim_end_matches('/').to_owned(),
                    "--database" => parsed.database = value.clone(),
                    "--pg-version" => parsed.pg_version = Some(value.clone()),
                    "--server" => parsed.server = Some(PathBuf::from(value)),
                    other => return Err(format!("unknown option `{other}`\n{USAGE}")),
                }
            }
        }
    }
    let name_ok = !parsed.database.is_empty()
        && parsed
            .database
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !["postgres", "test", "template0", "template1"].contains(&parsed.database.as_str());
    if !name_ok {
        return Err(format!(
            "`--database {}`: the run drops and creates it, so it must be a plain lowercase name \
             other than postgres, test and the templates",
            parsed.database
        ));
    }
    if parsed.outage_at + parsed.outage + parsed.recovery_budget >= parsed.duration
        || parsed.rss_at >= parsed.outage_at
    {
        return Err("the outage (and the 10 s memory sample before it) must fit in the run".into());
    }
    Ok(parsed)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args = match parse(&args) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let services = match Services::new(args.pg_version.clone()) {
        Ok(services) => Arc::new(services),
        Err(message) => {
            eprintln!("soak: {message}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("soak: no runtime: {err}");
            return ExitCode::from(2);
        }
    };
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        runtime.block_on(run(args, services.clone()))
    }));
    drop(runtime);
    // Whatever happened above, the machine's services run again before this process ends.
    let unrestored = services.restore();
    for failure in &unrestored {
        eprintln!("soak: COULD NOT RESTORE A SERVICE: {failure}");
    }
    match outcome {
        Ok(Ok(true)) if unrestored.is_empty() => ExitCode::SUCCESS,
        Ok(Ok(_)) => ExitCode::FAILURE,
        Ok(Err(message)) => {
            eprintln!("soak: {message}");
            ExitCode::FAILURE
        }
        Err(_) => {
            eprintln!("soak: panicked");
            ExitCode::FAILURE
        }
    }
}

/// One line of the summary.
struct Criterion {
    name: String,
    measured: String,
    limit: String,
    pass: bool,
}

fn criterion(
    name: impl Into<String>,
    measured: impl Into<String>,
    limit: impl Into<String>,
    pass: bool,
) -> Criterion {
    Criterion {
        name: name.into(),
        measured: measured.into(),
        limit: limit.into(),
        pass,
    }
}

fn print_table(title: &str, criteria: &[Criterion]) {
    println!("\n### {title}\n");
    println!("| criterion | measured | limit | result |");
    println!("|---|---|---|---|");
    for c in criteria {
        println!(
            "| {} | {} | {} | {} |",
            c.name,
            c.measured,
            c.limit,
            if c.pass { "PASS" } else { "FAIL" }
        );
    }
}

/// The pid of the running server, for the signal handler.
static SERVER_PID: AtomicU32 = AtomicU32::new(0);

/// Ctrl-C or SIGTERM: start the services again, stop the server, exit.
fn on_signal(services: Arc<Services>) {
    tokio::spawn(async move {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => return,
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
        eprintln!("soak: interrupted; restoring the services");
        let pid = SERVER_PID.load(Ordering::SeqCst);
        if pid != 0 {
            let _ = std::process::Command::new("kill")
                .arg(pid.to_string())
                .status();
        }
        for failure in services.restore() {
            eprintln!("soak: COULD NOT RESTORE A SERVICE: {failure}");
        }
        std::process::exit(130);
    });
}

/// Both phases; `Ok(true)` when every criterion passed.
async fn run(args: Args, services: Arc<Services>) -> Result<bool, String> {
    on_signal(services.clone());
    let (server, target) = server_binary(&args)?;
    let logs = target.join("soak");
    std::fs::create_dir_all(&logs)
        .map_err(|err| format!("cannot create {}: {err}", logs.display()))?;
    if !services.postgres_running() {
        return Err("PostgreSQL is not running: start it first".into());
    }
    if args.redis && !services.redis_running() {
        return Err("Redis is not running on port 6379: start it first".into());
    }
    let database_url = format!("{}/{}", args.pg_url, args.database);
    recreate_database(&args).await?;
    println!(
        "soak: server {}, database {database_url}, logs in {}",
        server.display(),
        logs.display()
    );
    let mut all_pass = true;
    if args.load {
        let criteria = load_phase(&args, &services, &server, &database_url, &logs).await?;
        all_pass &= criteria.iter().all(|c| c.pass);
        print_table("Load and PostgreSQL outage", &criteria);
    }
    if args.redis {
        let criteria = redis_phase(&services, &server, &database_url, &logs).await?;
        all_pass &= criteria.iter().all(|c| c.pass);
        print_table("Redis outage", &criteria);
    }
    println!(
        "\nsoak: {}",
        if all_pass {
            "every criterion passed"
        } else {
            "SOME CRITERIA FAILED"
        }
    );
    Ok(all_pass)
}

/// The example app binary (built now unless `--server` or `--no-build`) and the target dir.
fn server_binary(args: &Args) -> Result<(PathBuf, PathBuf), String> {
    let exe = std::env::current_exe().map_err(|err| format!("no current exe: {err}"))?;
    let profile_dir = exe.parent().ok_or("the exe has no directory")?.to_owned();
    let target = profile_dir
        .parent()
        .ok_or("the exe's directory has no parent")?
        .to_owned();
    if let Some(server) = &args.server {
        return Ok((server.clone(), target));
    }
    let server = profile_dir.join("example-app");
    if args.build {
        let release = match profile_dir.file_name().and_then(|n| n.to_str()) {
            Some("release") => true,
            Some("debug") => false,
            _ => return Err("cannot tell the build profile: pass --server PATH".into()),
        };
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .ok_or("no workspace")?;
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut command = std::process::Command::new(cargo);
        // Both packages at once: the same features as this binary's build, so nothing of the
        // shared stack is built a second time.
        command
            .args([
                "build",
                "-p",
                "example-app",
                "-p",
                "gqlgen-benches",
                "--bins",
            ])
            .current_dir(workspace);
        if release {
            command.arg("--release");
        }
        println!("soak: building the example app ({command:?})");
        let status = command
            .status()
            .map_err(|err| format!("cannot run cargo: {err}"))?;
        if !status.success() {
            return Err(format!("building the example app failed ({status})"));
        }
    }
    if !server.exists() {
        return Err(format!(
            "{} is missing: build it with `cargo build --release -p example-app -p gqlgen-benches --bins`",
            server.display()
        ));
    }
    Ok((server, target))
}

async fn recreate_database(args: &Args) -> Result<(), String> {
    let admin_url = format!("{}/postgres", args.pg_url);
    let admin = sea_orm::Database::connect(&admin_url)
        .await
        .map_err(|err| format!("cannot open {admin_url}: {err}"))?;
    use sea_orm::ConnectionTrait;
    for sql in [
        format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", args.database),
        format!("CREATE DATABASE {}", args.database),
    ] {
        admin
            .execute_unprepared(&sql)
            .await
            .map_err(|err| format!("{sql}: {err}"))?;
    }
    admin.close().await.ok();
    Ok(())
}

/// A random secret of 64 characters for `JWT_SECRET_KEY`.
fn secret() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

fn blocking<T: Send + 'static>(
    services: &Arc<Services>,
    f: impl FnOnce(&Services) -> T + Send + 'static,
) -> impl std::future::Future<Output = T> {
    let services = services.clone();
    async move {
        tokio::task::spawn_blocking(move || f(&services))
            .await
            .expect("the service command does not panic")
    }
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[index]
}

/// What a request ended with, for the tallies: status and codes, or the transport failure.
fn outcome_key(answer: &Result<Answer, Transport>, field: Option<&str>) -> String {
    match answer {
        Err(err) => format!("no answer: {err}"),
        Ok(answer) => {
            let mut codes = answer.codes.clone();
            if let Some(field) = field {
                codes.extend(
                    answer
                        .payload_codes(field)
                        .into_iter()
                        .map(|c| format!("payload {c}")),
                );
                if answer.codes.is_empty() && answer.success(field) == Some(false) {
                    codes.push("success: false".into());
                }
            }
            if codes.is_empty() {
                format!("{} ok", answer.status)
            } else {
                format!("{} {}", answer.status, codes.join(","))
            }
        }
    }
}

fn tally<'a>(keys: impl Iterator<Item = String> + 'a) -> String {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for key in keys {
        *counts.entry(key).or_default() += 1;
    }
    if counts.is_empty() {
        return "none".into();
    }
    counts
        .iter()
        .map(|(k, n)| format!("{k}: {n}"))
        .collect::<Vec<_>>()
        .join("; ")
}

async fn load_phase(
    args: &Args,
    services: &Arc<Services>,
    server: &Path,
    database_url: &str,
    logs: &Path,
) -> Result<Vec<Criterion>, String> {
    let env = [
        ("GQLGEN_PROFILE", "development".to_owned()),
        ("RATE_LIMITING_ENABLED", "false".to_owned()),
        ("DB_ACQUIRE_TIMEOUT", args.acquire_timeout.to_string()),
        ("JWT_SECRET_KEY", secret()),
        ("RUST_LOG", "info".to_owned()),
        ("NO_COLOR", "1".to_owned()),
    ];
    println!("\nsoak: load phase: starting the app (migrates and seeds the fresh database)");
    let mut app = App::start(server, database_url, &env, logs.join("load-phase.log")).await?;
    SERVER_PID.store(app.pid, Ordering::SeqCst);
    let fixtures = Arc::new(workload::fixtures(app.addr).await?);
    let run = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    let acquire = Duration::from_secs(args.acquire_timeout);
    // Long enough for any answer the server should give; past it a request counts as hung.
    let deadline = acquire * 4 + Duration::from_secs(10);
    println!(
        "soak: pid {}, {} clients for {} s, PostgreSQL stopped at {} s for {} s (run {run})",
        app.pid,
        args.clients,
        args.duration.as_secs_f64(),
        args.outage_at.as_secs_f64(),
        args.outage.as_secs_f64()
    );
    let start = Instant::now();
    let until = start + args.duration;
    let clients: Vec<_> = (0..args.clients)
        .map(|index| {
            let plan = ClientPlan {
                index,
                run: run.clone(),
                addr: app.addr,
                start,
                until,
                deadline,
            };
            tokio::spawn(workload::client(plan, fixtures.clone()))
        })
        .collect();

    tokio::time::sleep_until((start + args.rss_at).into()).await;
    let (rss_early, _) = app.memory_kib().ok_or("cannot read the server's memory")?;
    println!(
        "soak: {:.1} s: VmRSS {}",
        start.elapsed().as_secs_f64(),
        mib(rss_early)
    );

    tokio::time::sleep_until((start + args.outage_at).into()).await;
    let (stop_probes, probe_stop) = tokio::sync::watch::channel(false);
    let probes = tokio::spawn(workload::probes(
        app.addr,
        start,
        Duration::from_millis(100),
        deadline,
        probe_stop,
    ));
    let stop_begin = start.elapsed();
    let (stop_done, start_begin, start_done) = if args.outage_enabled {
        let stopped = blocking(services, |s| s.stop_postgres()).await;
        let stop_done = start.elapsed();
        let outage_result = match stopped {
            Ok(took) => {
                println!(
                    "soak: {:.1} s: PostgreSQL stopped ({} to stop)",
                    stop_done.as_secs_f64(),
                    secs(took)
                );
                tokio::time::sleep(args.outage).await;
                Ok(())
            }
            Err(err) => Err(err),
        };
        let start_begin = start.elapsed();
        let started = blocking(services, |s| s.start_postgres()).await;
        let start_done = start.elapsed();
        outage_result?;
        let took = started?;
        println!(
            "soak: {:.1} s: PostgreSQL started again ({} to start)",
            start_done.as_secs_f64(),
            secs(took)
        );
        (stop_done, start_begin, start_done)
    } else {
        println!("soak: --no-outage: PostgreSQL stays up");
        (stop_begin, stop_begin, stop_begin)
    };
    let probe_end = (start + start_done + Duration::from_secs(10)).min(until);
    tokio::time::sleep_until(probe_end.into()).await;
    let _ = stop_probes.send(true);

    tokio::time::sleep_until(until.into()).await;
    let (rss_end, _) = app.memory_kib().ok_or("cannot read the server's memory")?;
    println!(
        "soak: {:.1} s: VmRSS {}; waiting for the last requests",
        start.elapsed().as_secs_f64(),
        mib(rss_end)
    );
    let mut records: Vec<Record> = Vec::new();
    let mut product_writes = Vec::new();
    let mut order_writes = Vec::new();
    for client in clients {
        let log = client
            .await
            .map_err(|err| format!("a client panicked: {err}"))?;
        records.extend(log.records);
        product_writes.extend(log.products);
        order_writes.extend(log.orders);
    }
    let probes = probes
        .await
        .map_err(|err| format!("the probe panicked: {err}"))?;
    let elapsed = start.elapsed();
    let alive = app.exited();
    let (rss_idle, hwm) = app.memory_kib().unwrap_or((0, 0));
    let pid = app.pid;
    app.stop();
    SERVER_PID.store(0, Ordering::SeqCst);

    // The window in which database errors are expected: from the stop to the recovery budget
    // after the return.
    let window_start = stop_begin;
    let window_end = start_done + args.recovery_budget;
    let in_window = |sent: Duration, done: Duration| sent < window_end && done > window_start;

    println!("\nsoak: {} requests in {}", records.len(), secs(elapsed));
    let mut kinds: BTreeMap<Kind, (usize, usize)> = BTreeMap::new();
    for r in &records {
        let entry = kinds.entry(r.kind).or_default();
        entry.0 += 1;
        entry.1 += usize::from(r.ok());
    }
    for (kind, (n, ok)) in &kinds {
        println!(
            "  {:<26} {n:>6} sent, {ok:>6} answered normally",
            kind.name()
        );
    }
    let mut normal_latencies: Vec<Duration> = records
        .iter()
        .filter(|r| !in_window(r.sent, r.done()))
        .map(|r| r.latency)
        .collect();
    normal_latencies.sort();
    let outside = normal_latencies.len();
    println!(
        "  outside the outage window: {outside} requests, {:.1}/s, latency p50 {} p99 {} max {}",
        outside as f64 / (elapsed - (window_end - window_start)).as_secs_f64(),
        secs(percentile(&normal_latencies, 0.5)),
        secs(percentile(&normal_latencies, 0.99)),
        secs(normal_latencies.last().copied().unwrap_or_default())
    );
    let window_tally = tally(
        records
            .iter()
            .filter(|r| in_window(r.sent, r.done()))
            .map(|r| {
                format!(
                    "{} {}",
                    r.kind.name(),
                    outcome_key(&r.answer, r.kind.field())
                )
            }),
    );
    println!("  inside the outage window: {window_tally}");

    // Every request around the outage, for a closer look.
    if args.outage_enabled {
        let from = stop_begin.saturating_sub(Duration::from_secs(1));
        let to = start_done + Duration::from_secs(3);
        let mut lines: Vec<(Duration, String)> = records
            .iter()
            .map(|r| (r.kind.name(), r.sent, r.latency, &r.answer))
            .chain(
                probes
                    .iter()
                    .map(|p| ("probe", p.sent, p.latency, &p.answer)),
            )
            .filter(|(_, sent, latency, _)| *sent + *latency >= from && *sent <= to)
            .map(|(kind, sent, latency, answer)| {
                let what = match answer {
                    Ok(answer) => answer.describe(),
                    Err(err) => err.to_string(),
                };
                (
                    sent,
                    format!(
                        "sent {:>7.3} s  took {:>6.3} s  {kind:<24} {what}",
                        sent.as_secs_f64(),
                        latency.as_secs_f64()
                    ),
                )
            })
            .collect();
        lines.sort_by_key(|(sent, _)| *sent);
        let mut text = format!(
            "PostgreSQL stop issued {:.3} s, stopped {:.3} s, start issued {:.3} s, accepting {:.3} s\n",
            stop_begin.as_secs_f64(),
            stop_done.as_secs_f64(),
            start_begin.as_secs_f64(),
            start_done.as_secs_f64()
        );
        for (_, line) in lines {
            text.push_str(&line);
            text.push('\n');
        }
        let path = logs.join("outage-requests.txt");
        match std::fs::write(&path, text) {
            Ok(()) => println!("  every request around the outage: {}", path.display()),
            Err(err) => eprintln!("soak: cannot write {}: {err}", path.display()),
        }
    }

    let mut criteria = Vec::new();

    let five_xx = records
        .iter()
        .filter_map(|r| r.answer.as_ref().ok())
        .chain(probes.iter().filter_map(|p| p.answer.as_ref().ok()))
        .filter(|a| a.status >= 500)
        .count();
    criteria.push(criterion(
        "no 5xx",
        format!("{five_xx} of {} responses", records.len() + probes.len()),
        "0",
        five_xx == 0,
    ));

    let unanswered: Vec<String> = records
        .iter()
        .filter_map(|r| match &r.answer {
            Err(err) => Some(format!("{} sent at {}: {err}", r.kind.name(), secs(r.sent))),
            Ok(_) => None,
        })
        .chain(probes.iter().filter_map(|p| match &p.answer {
            Err(err) => Some(format!("probe sent at {}: {err}", secs(p.sent))),
            Ok(_) => None,
        }))
        .collect();
    criteria.push(criterion(
        "every request answered (no hang, no dropped connection)",
        if unanswered.is_empty() {
            "all".to_owned()
        } else {
            format!(
                "{} not: {}",
                unanswered.len(),
                unanswered[..unanswered.len().min(3)].join("; ")
            )
        },
        format!("an answer within {}", secs(deadline)),
        unanswered.is_empty(),
    ));

    let unexpected_outside: Vec<&Record> = records
        .iter()
        .filter(|r| r.answer.is_ok() && !in_window(r.sent, r.done()) && !r.ok())
        .collect();
    criteria.push(criterion(
        "outside the outage: no error at all",
        if unexpected_outside.is_empty() {
            "none".to_owned()
        } else {
            tally(unexpected_outside.iter().map(|r| {
                format!(
                    "{} at {} {}",
                    r.kind.name(),
                    secs(r.sent),
                    outcome_key(&r.answer, r.kind.field())
                )
            }))
        },
        "none",
        unexpected_outside.is_empty(),
    ));

    let unexpected_inside: Vec<&Record> = records
        .iter()
        .filter(|r| in_window(r.sent, r.done()) && !r.ok())
        .filter(|r| match &r.answer {
            Ok(answer) => {
                answer.codes.is_empty() || answer.codes.iter().any(|c| c != "INTERNAL_ERROR")
            }
            Err(_) => false,
        })
        .collect();
    criteria.push(criterion(
        "during the outage: only INTERNAL_ERROR",
        if unexpected_inside.is_empty() {
            "only INTERNAL_ERROR".to_owned()
        } else {
            tally(unexpected_inside.iter().map(|r| {
                format!(
                    "{} {}",
                    r.kind.name(),
                    outcome_key(&r.answer, r.kind.field())
                )
            }))
        },
        "INTERNAL_ERROR (database away), nothing else",
        unexpected_inside.is_empty(),
    ));

    let growth = rss_end as f64 / rss_early as f64 - 1.0;
    criteria.push(criterion(
        format!("VmRSS at the end vs at {} s", args.rss_at.as_secs_f64()),
        format!(
            "{} → {} ({:+.1}%); peak {}, {} once idle",
            mib(rss_early),
            mib(rss_end),
            growth * 100.0,
            mib(hwm),
            mib(rss_idle)
        ),
        "within ±10%",
        growth.abs() <= 0.10,
    ));

    if args.outage_enabled {
        // Requests sent while the database was stopping or stopped.
        let bound = acquire + args.margin;
        // (what, sent, latency, answer, answered normally)
        type During<'a> = (
            &'static str,
            Duration,
            Duration,
            Result<&'a Answer, &'a Transport>,
            bool,
        );
        let mut during: Vec<During> = records
            .iter()
            .filter(|r| r.sent >= stop_begin && r.sent < start_begin)
            .map(|r| (r.kind.name(), r.sent, r.latency, r.answer.as_ref(), r.ok()))
            .chain(
                probes
                    .iter()
                    .filter(|p| p.sent >= stop_begin && p.sent < start_begin)
                    .map(|p| ("probe", p.sent, p.latency, p.answer.as_ref(), p.ok())),
            )
            .collect();
        during.sort_by_key(|d| d.2);
        let uncoded = |d: &During| match d.3 {
            Err(_) => true,
            Ok(answer) => {
                !d.4 && (answer.codes.is_empty() || answer.codes.iter().any(|c| c == "<none>"))
            }
        };
        let slow: Vec<String> = during
            .iter()
            .filter(|d| d.2 > bound || uncoded(d))
            .map(|d| {
                let what = match d.3 {
                    Ok(answer) => answer.describe(),
                    Err(err) => err.to_string(),
                };
                format!(
                    "{} sent at {} took {}: {what:.100}",
                    d.0,
                    secs(d.1),
                    secs(d.2)
                )
            })
            .collect();
        let summary = |part: &[&During]| {
            let mut latencies: Vec<Duration> = part.iter().map(|d| d.2).collect();
            latencies.sort();
            format!(
                "{} requests ({} errors), p50 {} max {}",
                part.len(),
                part.iter().filter(|d| !d.4).count(),
                secs(percentile(&latencies, 0.5)),
                secs(latencies.last().copied().unwrap_or_default())
            )
        };
        let stopping: Vec<&During> = during.iter().filter(|d| d.1 < stop_done).collect();
        let stopped: Vec<&During> = during.iter().filter(|d| d.1 >= stop_done).collect();
        let examples = if slow.is_empty() {
            String::new()
        } else {
            format!(
                "; {} too slow or uncoded, e.g. {}",
                slow.len(),
                slow[..slow.len().min(2)].join(" / ")
            )
        };
        criteria.push(criterion(
            "requests sent during the outage: coded error within the acquire timeout",
            format!(
                "sent while PostgreSQL was stopping: {}; sent while it was stopped: {}{examples}",
                summary(&stopping),
                summary(&stopped)
            ),
            format!(
                "≤ {} (DB_ACQUIRE_TIMEOUT {} s + {})",
                secs(bound),
                args.acquire_timeout,
                secs(args.margin)
            ),
            !stopped.is_empty() && slow.is_empty(),
        ));

        // A database failure is not the client's credentials: 401 tells it to log in again.
        let misfiled: Vec<&Record> = records
            .iter()
            .filter(|r| in_window(r.sent, r.done()))
            .filter(|r| {
                r.answer.as_ref().is_ok_and(|a| {
                    a.status == 401 && a.codes.iter().any(|c| c != "AUTHENTICATION_REQUIRED")
                })
            })
            .collect();
        criteria.push(criterion(
            "during the outage: the HTTP status fits the code",
            if misfiled.is_empty() {
                "yes".to_owned()
            } else {
                format!(
                    "{} requests with a token got 401 (and WWW-Authenticate) with INTERNAL_ERROR: \
                     the user lookup of authentication failed, e.g. {:.120}",
                    misfiled.len(),
                    misfiled[0]
                        .answer
                        .as_ref()
                        .map(Answer::describe)
                        .unwrap_or_default()
                )
            },
            "no 401 unless AUTHENTICATION_REQUIRED",
            misfiled.is_empty(),
        ));

        let recovered = probes
            .iter()
            .filter(|p| p.ok() && p.done() >= start_done)
            .map(|p| p.done() - start_done)
            .min();
        let any_ok_during = probes
            .iter()
            .filter(|p| p.sent >= stop_done && p.done() < start_begin)
            .any(|p| p.ok());
        criteria.push(criterion(
            "first normal read after PostgreSQL is back",
            match recovered {
                Some(after) => format!(
                    "{} after `pg_ctlcluster start` returned ({} probes){}",
                    secs(after),
                    probes.len(),
                    if any_ok_during {
                        "; a probe succeeded while the database was down!"
                    } else {
                        ""
                    }
                ),
                None => format!("none within 10 s ({} probes)", probes.len()),
            },
            format!("≤ {}", secs(args.recovery_budget)),
            recovered.is_some_and(|after| after <= args.recovery_budget) && !any_ok_during,
        ));
    }

    criteria.push(criterion(
        "no restart",
        match &alive {
            None => format!("pid {} served the whole run", pid),
            Some(status) => format!("the server exited: {status}"),
        },
        "same process throughout",
        alive.is_none(),
    ));

    let integrity = verify::check(database_url, &run, &product_writes, &order_writes).await?;
    let count = |writes: &mut dyn Iterator<Item = Reported>| {
        let mut n = [0usize; 3];
        for reported in writes {
            n[match reported {
                Reported::Success => 0,
                Reported::Failure => 1,
                Reported::Unknown => 2,
            }] += 1;
        }
        n
    };
    let p = count(&mut product_writes.iter().map(|w| w.reported));
    let o = count(&mut order_writes.iter().map(|w| w.reported));
    let i = count(&mut order_writes.iter().filter_map(|w| w.item));
    criteria.push(criterion(
        "database afterwards: reported writes whole, failed writes absent",
        format!(
            "createProduct {} ok / {} failed / {} unanswered; createOrder {} / {} / {}; \
             createOrderItem {} / {} / {}; in the database: {} products with {} tag links; {}",
            p[0],
            p[1],
            p[2],
            o[0],
            o[1],
            o[2],
            i[0],
            i[1],
            i[2],
            integrity.products_present,
            integrity.links_present,
            if integrity.problems.is_empty() {
                "no problem".to_owned()
            } else {
                format!(
                    "{} problems, e.g. {}",
                    integrity.problems.len(),
                    integrity.problems[..integrity.problems.len().min(3)].join("; ")
                )
            }
        ),
        "0 problems",
        integrity.problems.is_empty() && p[0] > 0 && (p[1] > 0 || !args.outage_enabled),
    ));
    for problem in &integrity.problems {
        eprintln!("soak: integrity: {problem}");
    }
    Ok(criteria)
}

/// `n` requests at once, each on a connection of its own: the latency and answer of each.
async fn at_once(
    addr: std::net::SocketAddr,
    n: usize,
    query: &'static str,
    token: Option<String>,
    deadline: Duration,
) -> Vec<(Duration, Result<Answer, Transport>)> {
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let token = token.clone();
            tokio::spawn(async move {
                let mut conn = Conn::new(addr);
                let variables = json!({ "name": format!("soak-redis-down-{i}") });
                let variables = if query == workload::PROBE {
                    variables
                } else {
                    json!({})
                };
                let sent = Instant::now();
                let answer = graphql(&mut conn, query, variables, token.as_deref(), deadline).await;
                (sent.elapsed(), answer)
            })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        if let Ok(answer) = task.await {
            answers.push(answer);
        }
    }
    answers
}

async fn redis_phase(
    services: &Arc<Services>,
    server: &Path,
    database_url: &str,
    logs: &Path,
) -> Result<Vec<Criterion>, String> {
    let env = [
        ("GQLGEN_PROFILE", "development".to_owned()),
        (
            "REDIS_URL",
            format!("redis://127.0.0.1:{}", services::REDIS_PORT),
        ),
        ("RATE_LIMITING_ENABLED", "true".to_owned()),
        // A small budget, so that the run sees the limiter refuse while Redis is up.
        ("RATE_LIMIT_RPM", "60".to_owned()),
        ("RATE_LIMIT_BURST", "5".to_owned()),
        ("JWT_SECRET_KEY", secret()),
        ("RUST_LOG", "info".to_owned()),
        ("NO_COLOR", "1".to_owned()),
    ];
    println!("\nsoak: Redis phase: starting the app with REDIS_URL and rate limiting on");
    let mut app = App::start(server, database_url, &env, logs.join("redis-phase.log")).await?;
    SERVER_PID.store(app.pid, Ordering::SeqCst);
    let addr = app.addr;
    let token = workload::log_in(addr, "alice", "alice-password").await?;
    let deadline = Duration::from_secs(20);
    let mut conn = Conn::new(addr);
    let mut n = 0;
    let mut anonymous = async |conn: &mut Conn| {
        n += 1;
        let sent = Instant::now();
        let answer = graphql(
            conn,
            workload::PROBE,
            json!({ "name": format!("soak-redis-{n}") }),
            None,
            deadline,
        )
        .await;
        (sent.elapsed(), answer)
    };
    let with_token = async |conn: &mut Conn| {
        let sent = Instant::now();
        let answer = graphql(
            conn,
            workload::READ_ORDERS,
            json!({}),
            Some(&token),
            deadline,
        )
        .await;
        (sent.elapsed(), answer)
    };
    let describe = |answer: &Result<Answer, Transport>| match answer {
        Ok(answer) => answer.describe(),
        Err(err) => err.to_string(),
    };
    let mut criteria = Vec::new();

    // Redis up: the token works and the limiter refuses past the burst.
    let (_, before) = with_token(&mut conn).await;
    let mut burst = Vec::new();
    for _ in 0..10 {
        burst.push(anonymous(&mut conn).await.1);
    }
    let limited = burst
        .iter()
        .filter(|a| a.as_ref().is_ok_and(|a| a.status == 429))
        .count();
    criteria.push(criterion(
        "Redis up: token accepted, limiter refuses past the burst",
        format!(
            "token: {}; 10 anonymous requests: {}",
            describe(&before),
            tally(burst.iter().map(|a| outcome_key(a, None)))
        ),
        "token 200; some 429",
        before.as_ref().is_ok_and(Answer::is_clean) && limited > 0,
    ));

    blocking(services, |s| s.stop_redis()).await?;
    println!("soak: Redis stopped");
    let log_mark = app.log_text().len();
    tokio::time::sleep(Duration::from_millis(500)).await;

    // At once, each on its own connection: a slow answer must not hide behind another.
    let (open, closed) = tokio::join!(
        at_once(addr, 10, workload::PROBE, None, deadline),
        at_once(
            addr,
            3,
            workload::READ_ORDERS,
            Some(token.clone()),
            deadline
        )
    );
    let open_ok = open
        .iter()
        .filter(|(_, a)| a.as_ref().is_ok_and(Answer::is_clean))
        .count();
    let open_max = open.iter().map(|(l, _)| *l).max().unwrap_or_default();
    criteria.push(criterion(
        "Redis down: anonymous requests pass (rate limiting fails open)",
        format!(
            "{open_ok} of {} answered normally (the bucket was empty), max latency {}; {}",
            open.len(),
            secs(open_max),
            tally(open.iter().map(|(_, a)| outcome_key(a, None)))
        ),
        "all, each ≤ 2 s",
        open_ok == open.len() && open_max <= Duration::from_secs(2),
    ));

    let closed_max = closed.iter().map(|(l, _)| *l).max().unwrap_or_default();
    let refused = closed
        .iter()
        .filter(|(_, a)| {
            a.as_ref()
                .is_ok_and(|a| a.data.is_null() && !a.codes.is_empty())
        })
        .count();
    criteria.push(criterion(
        "Redis down: requests with a token refused (revocation fails closed)",
        format!(
            "{refused} of {} refused without data, max latency {}; {}",
            closed.len(),
            secs(closed_max),
            tally(
                closed
                    .iter()
                    .map(|(_, a)| describe(a).chars().take(140).collect::<String>())
            )
        ),
        "all, each ≤ 2 s",
        refused == closed.len() && closed_max <= Duration::from_secs(2),
    ));
    let coded = closed
        .iter()
        .filter(|(_, a)| {
            a.as_ref()
                .is_ok_and(|a| a.status != 401 && a.codes == ["INTERNAL_ERROR"])
        })
        .count();
    criteria.push(criterion(
        "Redis down: the refusal is INTERNAL_ERROR, not a 401",
        format!("{coded} of {}", closed.len()),
        "all",
        coded == closed.len(),
    ));

    let log = app.log_text();
    let new_log = log.get(log_mark..).unwrap_or_default();
    let open_lines = new_log
        .lines()
        .filter(|l| l.contains("rate limit check failed in Redis"))
        .count();
    let closed_lines = new_log
        .lines()
        .filter(|l| l.contains("checking a revocation"))
        .count();
    let closed_example = new_log
        .lines()
        .find(|l| l.contains("checking a revocation"))
        .map(|l| l.chars().take(220).collect::<String>())
        .unwrap_or_default();
    criteria.push(criterion(
        "Redis down: both logged",
        format!(
            "{open_lines} lines \"rate limit check failed in Redis; allowing the request\" (ERROR); \
             {closed_lines} lines naming the revocation check, e.g. `{}`",
            closed_example.replace('|', "/")
        ),
        "≥ 1 of each",
        open_lines > 0 && closed_lines > 0,
    ));
    let alive = app.exited();
    criteria.push(criterion(
        "Redis down: no crash",
        match &alive {
            None => format!("pid {} alive", app.pid),
            Some(status) => format!("exited: {status}"),
        },
        "alive",
        alive.is_none(),
    ));

    blocking(services, |s| s.start_redis()).await?;
    let back = Instant::now();
    println!("soak: Redis started again");
    let mut recovered = None;
    let mut last = String::new();
    while back.elapsed() < Duration::from_secs(30) {
        let (_, answer) = with_token(&mut conn).await;
        if answer.as_ref().is_ok_and(Answer::is_clean) {
            recovered = Some(back.elapsed());
            break;
        }
        last = describe(&answer);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut burst = Vec::new();
    for _ in 0..10 {
        burst.push(anonymous(&mut conn).await.1);
    }
    let limited = burst
        .iter()
        .filter(|a| a.as_ref().is_ok_and(|a| a.status == 429))
        .count();
    criteria.push(criterion(
        "Redis back: token accepted and limiter working again",
        format!(
            "{}; 10 anonymous requests: {}",
            match recovered {
                Some(after) => format!("token accepted {} after Redis started", secs(after)),
                None => format!("token still refused after 30 s: {last:.160}"),
            },
            tally(burst.iter().map(|a| outcome_key(a, None)))
        ),
        "token accepted; some 429",
        recovered.is_some() && limited > 0,
    ));
    let alive = app.exited();
    criteria.push(criterion(
        "no restart",
        match &alive {
            None => format!("pid {} served the whole phase", app.pid),
            Some(status) => format!("the server exited: {status}"),
        },
        "same process throughout",
        alive.is_none(),
    ));
    app.stop();
    SERVER_PID.store(0, Ordering::SeqCst);
    Ok(criteria)
}
