//! The example app as a child process, and the GraphQL exchanges the soak has with it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::http::{Conn, Transport};

/// The example app serving one database, with its log in a file.
pub struct App {
    pub addr: SocketAddr,
    pub pid: u32,
    pub log: PathBuf,
    child: Child,
}

/// A free loopback port: bind port 0, read it, let it go.
fn free_addr() -> Result<SocketAddr, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")
        .map_err(|err| format!("cannot find a free port: {err}"))?;
    listener
        .local_addr()
        .map_err(|err| format!("cannot find a free port: {err}"))
}

impl App {
    /// Starts `server serve --addr <free port> --database-url <url>` with only `env` in its
    /// environment (and `PATH`), logging to `log`, and waits until `/health` answers.
    pub async fn start(
        server: &Path,
        database_url: &str,
        env: &[(&str, String)],
        log: PathBuf,
    ) -> Result<App, String> {
        let addr = free_addr()?;
        let file = std::fs::File::create(&log)
            .map_err(|err| format!("cannot create {}: {err}", log.display()))?;
        let stderr = file
            .try_clone()
            .map_err(|err| format!("cannot share {}: {err}", log.display()))?;
        let mut command = Command::new(server);
        command
            .args(["serve", "--addr", &addr.to_string(), "--database-url"])
            .arg(database_url)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .current_dir(log.parent().unwrap_or(Path::new(".")))
            .stdin(Stdio::null())
            .stdout(file)
            .stderr(stderr);
        for (name, value) in env {
            command.env(name, value);
        }
        let child = command
            .spawn()
            .map_err(|err| format!("cannot start {}: {err}", server.display()))?;
        let pid = child.id();
        let mut app = App {
            addr,
            pid,
            log,
            child,
        };
        let started = Instant::now();
        let mut conn = Conn::new(addr);
        loop {
            if let Some(status) = app.exited() {
                return Err(format!(
                    "the server exited during start-up ({status}); its log:\n{}",
                    app.log_tail(20)
                ));
            }
            if let Ok((200, _)) = conn.get("/health", Duration::from_secs(2)).await {
                return Ok(app);
            }
            if started.elapsed() > Duration::from_secs(300) {
                return Err(format!(
                    "the server did not answer /health within 300 s; its log:\n{}",
                    app.log_tail(20)
                ));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// The exit status, if the process has ended.
    pub fn exited(&mut self) -> Option<String> {
        match self.child.try_wait() {
            Ok(Some(status)) => Some(status.to_string()),
            Ok(None) => None,
            Err(err) => Some(format!("unknown ({err})")),
        }
    }

    /// Stops the server and waits for it.
    pub fn stop(self) {
        // Dropping kills and reaps it.
    }

    /// `VmRSS` and `VmHWM` of the process, in KiB.
    pub fn memory_kib(&self) -> Option<(u64, u64)> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid)).ok()?;
        let field = |name: &str| {
            status
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|kib| kib.parse().ok())
        };
        Some((field("VmRSS:")?, field("VmHWM:")?))
    }

    /// The log's text.
    pub fn log_text(&self) -> String {
        std::fs::read(&self.log)
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .unwrap_or_default()
    }

    /// The last `lines` lines of the log.
    pub fn log_tail(&self, lines: usize) -> String {
        let text = self.log_text();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the server answered to one GraphQL request.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    /// `extensions.code` of every top-level error, `<none>` for an error without one.
    pub codes: Vec<String>,
    /// The top-level error messages, for reports.
    pub messages: Vec<String>,
    /// The response's `data`, `Null` when absent.
    pub data: Value,
    /// The body, when it is not JSON.
    pub raw: Option<String>,
}

impl Answer {
    fn parse(status: u16, body: &[u8]) -> Answer {
        let Ok(json) = serde_json::from_slice::<Value>(body) else {
            return Answer {
                status,
                codes: Vec::new(),
                messages: Vec::new(),
                data: Value::Null,
                raw: Some(String::from_utf8_lossy(body).into_owned()),
            };
        };
        let errors = json["errors"].as_array().cloned().unwrap_or_default();
        Answer {
            status,
            codes: gqlgen_runtime::testing::error_codes(&json),
            messages: errors
                .iter()
                .map(|e| match e["path"].as_array() {
                    Some(path) => format!(
                        "{} at {}",
                        e["message"].as_str().unwrap_or_default(),
                        path.iter()
                            .map(|p| p.to_string().trim_matches('"').to_owned())
                            .collect::<Vec<_>>()
                            .join(".")
                    ),
                    None => e["message"].as_str().unwrap_or_default().to_owned(),
                })
                .collect(),
            data: json["data"].clone(),
            raw: None,
        }
    }

    /// A 200 with data and no errors.
    pub fn is_clean(&self) -> bool {
        self.status == 200 && self.codes.is_empty() && self.raw.is_none() && !self.data.is_null()
    }

    /// `success` of the mutation payload at `data.<field>`, if there is one.
    pub fn success(&self, field: &str) -> Option<bool> {
        self.data[field]["success"].as_bool()
    }

    /// The codes of the mutation payload's `errors` at `data.<field>`.
    pub fn payload_codes(&self, field: &str) -> Vec<String> {
        self.data[field]["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .map(|e| e["code"].as_str().unwrap_or("<none>").to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// One line for reports.
    pub fn describe(&self) -> String {
        match &self.raw {
            Some(raw) => format!("{} {raw:.200}", self.status),
            None if self.codes.is_empty() => format!("{} no errors", self.status),
            None => format!(
                "{} {} ({})",
                self.status,
                self.codes.join(","),
                self.messages.join(" | ")
            ),
        }
    }
}

/// POSTs `query` with `variables` to `/graphql`.
pub async fn graphql(
    conn: &mut Conn,
    query: &str,
    variables: Value,
    token: Option<&str>,
    deadline: Duration,
) -> Result<Answer, Transport> {
    let body = json!({ "query": query, "variables": variables }).to_string();
    let (status, body) = conn
        .post("/graphql", body.as_bytes(), token, deadline)
        .await?;
    Ok(Answer::parse(status, &body))
}
