//! The example app's binary as a user runs it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

mod common;

use common::{Running, example_app, http_post, serve_logging_to_a_file};

#[test]
fn schema_prints_the_committed_sdl() {
    let output = example_app().arg("schema").output().expect("runs");
    assert!(output.status.success());
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql")).unwrap();
    assert_eq!(String::from_utf8(output.stdout).unwrap(), committed);
}

fn assert_one_line_failure(args: &[&str], expected: &str) {
    let output = example_app()
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
    assert!(stderr.contains(expected), "{args:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
}

#[test]
fn a_bad_database_url_ends_with_one_line_not_a_panic() {
    for url in [
        "postgres://nobody:secret@127.0.0.1:1/nothing",
        "mysqlx://what",
        "sqlite:///no/such/dir/x.sqlite",
    ] {
        let output = example_app()
            .args(["serve", "--database-url", url])
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{url}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{url}: {stderr}");
        assert!(
            stderr.starts_with("error: cannot open database"),
            "{url}: {stderr}"
        );
        assert!(
            !stderr.contains("secret"),
            "the password is redacted: {stderr}"
        );
    }
}

#[test]
fn bad_arguments_are_explained() {
    assert_one_line_failure(&["frobnicate"], "unknown command `frobnicate`");
    assert_one_line_failure(&["serve", "--addr", "here"], "HOST:PORT");
    assert_one_line_failure(&["serve", "--port", "1"], "unknown option `--port`");
}

#[test]
fn an_unknown_profile_is_refused_by_name() {
    let output = example_app()
        .args(["serve", "--database-url", "sqlite::memory:"])
        .env("GQLGEN_PROFILE", "prod")
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.starts_with("error: GQLGEN_PROFILE"), "{stderr}");
    assert!(stderr.contains("`prod`"), "{stderr}");
}

#[test]
fn production_refuses_to_start_without_a_usable_signing_key_or_with_a_malformed_setting() {
    let cases: [(&[(&str, &str)], &str); 4] = [
        (&[], "JWT_SECRET_KEY"),
        (&[("JWT_SECRET_KEY", "short")], "JWT_SECRET_KEY"),
        (
            &[
                ("JWT_SECRET_KEY", "0123456789abcdef0123456789abcdef"),
                ("RATE_LIMIT_RPM", "lots"),
            ],
            "RATE_LIMIT_RPM",
        ),
        (
            &[
                ("JWT_SECRET_KEY", "0123456789abcdef0123456789abcdef"),
                ("JWT_ALGORITHM", "none"),
            ],
            "JWT_ALGORITHM",
        ),
    ];
    for (vars, named) in cases {
        let mut command = example_app();
        command
            .args(["serve", "--database-url", "sqlite::memory:"])
            .env("GQLGEN_PROFILE", "production");
        for name in [
            "JWT_SECRET_KEY",
            "JWT_ALGORITHM",
            "RATE_LIMIT_RPM",
            "GQLGEN_CONFIG",
        ] {
            command.env_remove(name);
        }
        for (name, value) in vars {
            command.env(name, value);
        }
        let output = command.output().expect("runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{vars:?}: {stderr}");
        assert!(stderr.starts_with("error: "), "{vars:?}: {stderr}");
        assert!(stderr.contains(named), "{vars:?}: {stderr}");
        assert!(
            !stderr.contains("short"),
            "the value is not echoed: {stderr}"
        );
    }
}

#[test]
fn an_unreachable_database_is_reported_at_once_with_the_cause() {
    let url = "postgres://postgres@127.0.0.1:1/test";
    let started = Instant::now();
    let output = example_app()
        .args(["serve", "--database-url", url])
        .env("GQLGEN_PROFILE", "development")
        .env_remove("DB_CONNECT_TIMEOUT")
        .output()
        .expect("runs");
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.starts_with(&format!("error: cannot open database {url}: ")),
        "{stderr}"
    );
    assert!(stderr.contains("refused (127.0.0.1:1)"), "{stderr}");
    assert!(!stderr.contains("pool timed out"), "{stderr}");
    assert!(took < Duration::from_secs(4), "took {took:?}: {stderr}");
}

/// The next line of `lines` that contains `needle`, waiting up to `within`.
fn line_with(lines: &mpsc::Receiver<String>, needle: &str, within: Duration) -> String {
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) if line.contains(needle) => return line,
            Ok(_) => {}
            Err(err) => panic!("no line with `{needle}` within {within:?}: {err}"),
        }
    }
}

fn http_get(addr: &str, path: &str) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    Ok(response)
}

#[test]
fn sigterm_stops_the_server_closes_the_pool_and_exits_0() {
    let mut child = example_app()
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--database-url",
            "sqlite::memory:",
        ])
        .env("GQLGEN_PROFILE", "development")
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let stderr = child.stderr.take().expect("stderr is piped");
    let mut child = Running(child);
    let (sender, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                break;
            }
        }
    });

    // The app names the port the system picked for 127.0.0.1:0.
    let serving = line_with(&lines, "serving GraphQL on", Duration::from_secs(30));
    let addr = serving
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no address in {serving}"))
        .to_owned();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match http_get(&addr, "/health") {
            Ok(response) if response.starts_with("HTTP/1.1 200") => break,
            other => assert!(Instant::now() < deadline, "/health: {other:?}"),
        }
        std::thread::sleep(Duration::from_millis(20));
    }

    let pid = child.0.id().to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let stopping = Instant::now();
    let status = loop {
        if let Some(status) = child.0.try_wait().expect("waits") {
            break status;
        }
        assert!(
            stopping.elapsed() < Duration::from_secs(5),
            "still running 5 s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0), "{status:?}");
    line_with(&lines, "shutting down", Duration::from_secs(2));
    line_with(&lines, "shutdown complete", Duration::from_secs(2));
    line_with(&lines, "database pool closed", Duration::from_secs(2));
}

/// `example-app health` against `url`, with `redis` as `REDIS_URL`: the exit status and the
/// JSON it prints.
fn health(url: &str, redis: Option<&str>) -> (Option<i32>, serde_json::Value) {
    let mut command = example_app();
    command
        .args(["health", "--database-url", url])
        .env("GQLGEN_PROFILE", "development")
        .env_remove("REDIS_URL");
    if let Some(redis) = redis {
        command.env("REDIS_URL", redis);
    }
    let output = command.output().expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report = serde_json::from_str(stdout.trim()).unwrap_or_else(|err| {
        panic!(
            "health prints JSON ({err}): {stdout} {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code(), report)
}

#[test]
fn health_exits_0_when_ready_and_1_naming_the_failing_check() {
    let (status, report) = health("sqlite::memory:", None);
    assert_eq!(status, Some(0), "{report}");
    assert_eq!(report["status"], "ready", "{report}");
    assert_eq!(report["failing"], serde_json::json!([]), "{report}");

    let (status, report) = health("sqlite::memory:", Some("redis://127.0.0.1:1"));
    assert_eq!(status, Some(1), "{report}");
    assert_eq!(report["failing"], serde_json::json!(["redis"]), "{report}");

    let (status, report) = health("postgres://postgres@127.0.0.1:1/test", None);
    assert_eq!(status, Some(1), "{report}");
    assert_eq!(
        report["failing"],
        serde_json::json!(["database"]),
        "{report}"
    );
}

#[test]
fn logs_in_a_file_have_no_colour_codes_and_json_logs_are_one_object_per_line() {
    let query = r#"{"query":"query Few { products(first: 2) { totalCount } }"}"#;
    let (child, log, addr) = serve_logging_to_a_file(&[]);
    let answer = http_post(&addr, "/graphql", &[], query).expect("an answer");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    drop(child);
    let text = std::fs::read_to_string(&log).expect("the log");
    assert!(text.contains("graphql operation"), "{text}");
    assert!(!text.contains('\u{1b}'), "escape codes in a file: {text}");
    std::fs::remove_file(&log).ok();

    let (child, log, addr) = serve_logging_to_a_file(&[("LOG_FORMAT", "json")]);
    let answer = http_post(&addr, "/graphql", &[], query).expect("an answer");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    drop(child);
    let text = std::fs::read_to_string(&log).expect("the log");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|err| panic!("not JSON ({err}): {line}"))
        })
        .collect();
    let operation = lines
        .iter()
        .find(|line| line["fields"]["message"] == "graphql operation")
        .unwrap_or_else(|| panic!("no operation line: {text}"));
    assert_eq!(operation["fields"]["operation"], "Few", "{operation}");
    assert_eq!(operation["fields"]["status"], "ok", "{operation}");
    assert!(
        operation["fields"]["duration_ms"].is_number(),
        "{operation}"
    );
    assert!(operation["fields"]["statements"].is_number(), "{operation}");
    assert!(
        operation["span"]["request_id"]
            .as_str()
            .is_some_and(|id| id.len() == 36),
        "{operation}"
    );
    std::fs::remove_file(&log).ok();
}

#[test]
fn ready_checks_the_database_and_metrics_parse_as_prometheus_text() {
    let (_child, log, addr) = serve_logging_to_a_file(&[("SLOW_QUERY_THRESHOLD", "0")]);
    let ready = http_get(&addr, "/ready").expect("an answer");
    assert!(ready.starts_with("HTTP/1.1 200"), "{ready}");
    assert!(ready.contains(r#""status":"ready""#), "{ready}");
    for _ in 0..3 {
        let answer = http_post(
            &addr,
            "/graphql",
            &[],
            r#"{"query":"query Few { products(first: 2) { totalCount } }"}"#,
        )
        .expect("an answer");
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }
    // Read as a scraper reads it (the test client undoes chunked encoding).
    let scraper = gqlgen_runtime::testing::TestServer::remote(addr.parse().expect("an address"));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let answer = runtime
        .block_on(scraper.request("GET", "/metrics", &[], b""))
        .expect("an answer");
    assert_eq!(answer.status, 200, "{}", answer.text);
    let body = answer.text;
    let lines = body.lines().map(|line| Ok(line.to_owned()));
    let scrape = prometheus_parse::Scrape::parse(lines).expect("Prometheus text");
    let value = |name: &str, labels: &[(&str, &str)]| {
        scrape
            .samples
            .iter()
            .find(|s| s.metric == name && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
            .map(|s| match s.value {
                prometheus_parse::Value::Counter(v)
                | prometheus_parse::Value::Gauge(v)
                | prometheus_parse::Value::Untyped(v) => v,
                _ => f64::NAN,
            })
    };
    assert_eq!(
        value(
            "graphql_requests_total",
            &[("operation", "Few"), ("status", "ok")]
        ),
        Some(3.0),
        "{body}"
    );
    assert!(
        value("graphql_sql_statements_total", &[]).is_some_and(|n| n >= 3.0),
        "{body}"
    );
    assert!(
        scrape
            .samples
            .iter()
            .any(|s| s.metric == "graphql_request_duration_seconds_count"),
        "{body}"
    );
    // A threshold of 0 logs every operation as slow, with its document and never variables.
    let text = std::fs::read_to_string(&log).expect("the log");
    assert!(text.contains("slow graphql operation"), "{text}");
    std::fs::remove_file(&log).ok();
}
