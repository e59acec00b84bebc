//! What the example app's binary tests share: the server as a child process writing its log to
//! a file, and a plain HTTP/1.1 POST.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn example_app() -> Command {
    Command::new(env!("CARGO_BIN_EXE_example-app"))
}

/// The child process, killed if the test ends before it does.
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `example-app serve` on SQLite in memory (development, `RUST_LOG=info`) with stderr written
/// to a file, as a container or systemd does, and `extra_env` on top; answers the child, the log
/// file's path and the address once it serves.
pub fn serve_logging_to_a_file(
    extra_env: &[(&str, &str)],
) -> (Running, std::path::PathBuf, String) {
    let log = std::env::temp_dir().join(format!("example-app-{}.log", uuid::Uuid::new_v4()));
    let file = std::fs::File::create(&log).expect("a log file");
    let mut command = example_app();
    command
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--database-url",
            "sqlite::memory:",
        ])
        .env("GQLGEN_PROFILE", "development")
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::from(file));
    for name in [
        "NO_COLOR",
        "LOG_FORMAT",
        "REDIS_URL",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_PROTOCOL",
        "OTEL_SERVICE_NAME",
    ] {
        command.env_remove(name);
    }
    for (name, value) in extra_env {
        command.env(name, value);
    }
    let child = Running(command.spawn().expect("starts"));
    let deadline = Instant::now() + Duration::from_secs(30);
    let addr = loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if let Some(rest) = text.split("serving GraphQL on http://").nth(1)
            && let Some(addr) = rest.split('/').next()
        {
            break addr.to_owned();
        }
        assert!(
            Instant::now() < deadline,
            "the server did not start: {text}"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    (child, log, addr)
}

/// POSTs the JSON `body` to `path` with `headers`; answers the response's head and body.
pub fn http_post(
    addr: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let extra: String = headers
        .iter()
        .map(|(name, value)| format!("{name}: {value}\r\n"))
        .collect();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
         Content-Type: application/json\r\n{extra}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    Ok(response)
}
