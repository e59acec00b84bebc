//! `bench-server --kind gqlgen|baseline|raw|raw-json --database-url URL [--addr HOST:PORT]
//! [--max-connections N] [--workers N] [--raw-json-plan lateral|grouped]`: serves one of the
//! benchmark's servers over an existing (migrated, seeded) database, in a process of its own so
//! that its peak memory and CPU time are its own. Prints `listening on HOST:PORT` once it accepts
//! requests. `GET /bench/statements` answers the number of SQL statements run so far.
//!
//! - `--max-connections N`: the pool's most open connections (`DatabaseSettings::max_connections`,
//!   the runtime's `DB_MAX_CONNECTIONS`); the other pool settings stay at the runtime's defaults.
//!   Without it, the runtime's default pool.
//! - `--workers N`: a tokio multi-thread runtime with `N` worker threads; `--workers 0`: a
//!   current-thread runtime. Without it, what `#[tokio::main]` builds: a multi-thread runtime with
//!   one worker per core.
//! - `--raw-json-plan`: the statement of `--kind raw-json` (`gqlgen_benches::raw_json`).

use std::net::SocketAddr;

use axum::routing::get;
use gqlgen_benches::raw_json::JsonPlan;
use gqlgen_benches::{Kind, ServerSettings};

const USAGE: &str = "usage: bench-server --kind gqlgen|baseline|raw|raw-json --database-url URL \
     [--addr HOST:PORT] [--max-connections N] [--workers N] [--raw-json-plan lateral|grouped]";

fn fail(message: &str) -> ! {
    eprintln!("bench-server: {message}\n{USAGE}");
    std::process::exit(2);
}

struct Args {
    kind: Kind,
    database_url: String,
    addr: SocketAddr,
    settings: ServerSettings,
    /// Tokio worker threads; `Some(0)` for a current-thread runtime, `None` for the default.
    workers: Option<usize>,
}

fn number<T: std::str::FromStr>(flag: &str, value: &str) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| format!("`{flag} {value}` is not a number"))
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut kind = None;
    let mut database_url = None;
    let mut addr: SocketAddr = "127.0.0.1:0".parse().expect("valid address");
    let mut settings = ServerSettings::default();
    let mut workers = None;
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .ok_or_else(|| format!("`{flag}` needs a value"))?;
        match flag.as_str() {
            "--kind" => {
                kind = Some(Kind::parse(value).ok_or_else(|| format!("unknown kind `{value}`"))?)
            }
            "--database-url" => database_url = Some(value.clone()),
            "--addr" => {
                addr = value
                    .parse()
                    .map_err(|_| format!("`--addr {value}` is not HOST:PORT"))?
            }
            "--max-connections" => {
                let max = number(flag, value)?;
                if max == 0 {
                    return Err("`--max-connections` must be at least 1".to_owned());
                }
                settings.database.max_connections = max;
            }
            "--workers" => workers = Some(number(flag, value)?),
            "--raw-json-plan" => {
                settings.json_plan = JsonPlan::parse(value)
                    .ok_or_else(|| format!("unknown raw-json plan `{value}`"))?
            }
            other => return Err(format!("unknown option `{other}`")),
        }
    }
    Ok(Args {
        kind: kind.ok_or("`--kind` is required")?,
        database_url: database_url.ok_or("`--database-url` is required")?,
        addr,
        settings,
        workers,
    })
}

async fn serve(args: Args) {
    let server = gqlgen_benches::server_with(args.kind, &args.database_url, &args.settings)
        .await
        .unwrap_or_else(|message| fail(&message));
    let statements = server.statements;
    let router = server.router.route(
        "/bench/statements",
        get(move || async move { statements.get().to_string() }),
    );
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .unwrap_or_else(|err| fail(&format!("cannot listen on {}: {err}", args.addr)));
    let addr = listener
        .local_addr()
        .unwrap_or_else(|err| fail(&format!("no local address: {err}")));
    println!("listening on {addr}");
    if let Err(err) = axum::serve(listener, router).await {
        fail(&format!("server stopped: {err}"));
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args = parse(&args).unwrap_or_else(|message| fail(&message));
    if args.kind == gqlgen_benches::Kind::GqlgenLogged {
        // As the example app logs with LOG_FORMAT=json and RUST_LOG=info, into nowhere.
        tracing_subscriber::fmt()
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .with_max_level(tracing::Level::INFO)
            .with_writer(std::io::sink)
            .init();
    }
    let mut builder = match args.workers {
        Some(0) => tokio::runtime::Builder::new_current_thread(),
        Some(workers) => {
            let mut builder = tokio::runtime::Builder::new_multi_thread();
            builder.worker_threads(workers);
            builder
        }
        None => tokio::runtime::Builder::new_multi_thread(),
    };
    let runtime = builder
        .enable_all()
        .build()
        .unwrap_or_else(|err| fail(&format!("cannot start the tokio runtime: {err}")));
    runtime.block_on(serve(args));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Result<Args, String> {
        let words: Vec<String> = text.split_whitespace().map(str::to_owned).collect();
        parse(&words)
    }

    #[test]
    fn the_knobs_are_optional_and_parsed() {
        let plain = args("--kind raw --database-url sqlite:x").expect("valid");
        assert_eq!(plain.kind, Kind::Raw);
        assert_eq!(plain.workers, None);
        assert_eq!(plain.settings.database, Default::default());
        assert_eq!(plain.settings.json_plan, JsonPlan::Lateral);

        let tuned = args(
            "--kind raw-json --database-url postgres://h/d --max-connections 4 --workers 0 \
             --raw-json-plan grouped",
        )
        .expect("valid");
        assert_eq!(tuned.kind, Kind::RawJson);
        assert_eq!(tuned.workers, Some(0));
        assert_eq!(tuned.settings.database.max_connections, 4);
        assert_eq!(tuned.settings.json_plan, JsonPlan::Grouped);
    }

    #[test]
    fn bad_knobs_are_refused() {
        let base = "--kind raw --database-url sqlite:x";
        for extra in [
            "--max-connections 0",
            "--max-connections many",
            "--workers -1",
            "--raw-json-plan nested",
            "--workers",
        ] {
            assert!(args(&format!("{base} {extra}")).is_err(), "{extra}");
        }
    }
}
