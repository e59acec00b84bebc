//! Stopping and starting the machine's PostgreSQL cluster and Redis server, with a guard that
//! starts again whatever this run stopped: on return, on error, on panic and on Ctrl-C, because
//! other people's tests on the machine use both.

use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The Redis server's port.
pub const REDIS_PORT: &str = "6379";

/// The services of the machine, and what this run has stopped of them.
pub struct Services {
    /// The PostgreSQL major version whose `main` cluster is stopped and started.
    pg_version: String,
    /// Set before a stop is attempted and cleared once a start succeeded.
    stopped: Mutex<Stopped>,
}

#[derive(Default)]
struct Stopped {
    postgres: bool,
    redis: bool,
}

/// Runs `program args`, and fails with its output unless it exits with 0.
fn run(program: &str, args: &[&str]) -> Result<(), String> {
    let output = Command::new(program)
        .args(args)
        .output()
        .map_err(|err| format!("cannot run {program}: {err}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "`{program} {}` failed ({}): {}{}",
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stdout).trim(),
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

impl Services {
    /// The services of this machine; `pg_version` defaults to the only directory in
    /// `/etc/postgresql`.
    pub fn new(pg_version: Option<String>) -> Result<Services, String> {
        let pg_version = match pg_version {
            Some(version) => version,
            None => {
                let mut versions: Vec<String> = std::fs::read_dir("/etc/postgresql")
                    .map_err(|err| format!("cannot list /etc/postgresql: {err}"))?
                    .filter_map(|entry| entry.ok())
                    .map(|entry| entry.file_name().to_string_lossy().into_owned())
                    .collect();
                versions.sort();
                match versions.as_slice() {
                    [one] => one.clone(),
                    [] => return Err("no PostgreSQL cluster in /etc/postgresql".into()),
                    many => {
                        return Err(format!(
                            "several PostgreSQL versions in /etc/postgresql ({}): pass --pg-version",
                            many.join(", ")
                        ));
                    }
                }
            }
        };
        Ok(Services {
            pg_version,
            stopped: Mutex::new(Stopped::default()),
        })
    }

    fn pg_ctl(&self, action: &[&str]) -> Result<(), String> {
        let mut args = vec!["--skip-systemctl-redirect", &self.pg_version, "main"];
        args.extend_from_slice(action);
        run("pg_ctlcluster", &args)
    }

    fn stopped(&self) -> std::sync::MutexGuard<'_, Stopped> {
        // A panic while holding the lock must not keep the guard from restarting anything.
        self.stopped.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether the cluster runs (`pg_ctlcluster status` exits with 0).
    pub fn postgres_running(&self) -> bool {
        self.pg_ctl(&["status"]).is_ok()
    }

    /// Stops PostgreSQL (fast: sessions are ended); returns how long it took.
    pub fn stop_postgres(&self) -> Result<Duration, String> {
        self.stopped().postgres = true;
        let start = Instant::now();
        self.pg_ctl(&["stop", "-m", "fast"])?;
        Ok(start.elapsed())
    }

    /// Starts PostgreSQL and waits until it accepts connections; returns how long it took.
    pub fn start_postgres(&self) -> Result<Duration, String> {
        let start = Instant::now();
        self.pg_ctl(&["start"])?;
        self.stopped().postgres = false;
        Ok(start.elapsed())
    }

    /// Whether Redis answers `PING`.
    pub fn redis_running(&self) -> bool {
        Command::new("redis-cli")
            .args(["-p", REDIS_PORT, "ping"])
            .output()
            .is_ok_and(|out| out.status.success() && out.stdout.starts_with(b"PONG"))
    }

    /// Stops Redis without saving.
    pub fn stop_redis(&self) -> Result<(), String> {
        self.stopped().redis = true;
        // `shutdown` closes the connection instead of answering: its status says nothing.
        let _ = Command::new("redis-cli")
            .args(["-p", REDIS_PORT, "shutdown", "nosave"])
            .output();
        for _ in 0..50 {
            if !self.redis_running() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err("Redis still answers 5 s after `shutdown nosave`".into())
    }

    /// Starts Redis as the machine runs it (no persistence) and waits until it answers.
    pub fn start_redis(&self) -> Result<(), String> {
        if !self.redis_running() {
            run(
                "redis-server",
                &[
                    "--daemonize",
                    "yes",
                    "--bind",
                    "127.0.0.1",
                    "--port",
                    REDIS_PORT,
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ],
            )?;
        }
        for _ in 0..50 {
            if self.redis_running() {
                self.stopped().redis = false;
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err("Redis does not answer 5 s after it was started".into())
    }

    /// Starts whatever this run stopped and is not running. Returns what it could not start.
    pub fn restore(&self) -> Vec<String> {
        let (postgres, redis) = {
            let stopped = self.stopped();
            (stopped.postgres, stopped.redis)
        };
        let mut failures = Vec::new();
        if postgres && !self.postgres_running() {
            eprintln!("soak: starting PostgreSQL again");
            if let Err(err) = self.start_postgres() {
                failures.push(err);
            }
        }
        if redis && !self.redis_running() {
            eprintln!("soak: starting Redis again");
            if let Err(err) = self.start_redis() {
                failures.push(err);
            }
        }
        failures
    }
}

impl Drop for Services {
    fn drop(&mut self) {
        for failure in self.restore() {
            eprintln!("soak: COULD NOT RESTORE A SERVICE: {failure}");
        }
    }
}
