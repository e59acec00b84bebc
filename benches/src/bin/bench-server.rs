//! `bench-server --kind gqlgen|baseline --database-url URL [--addr HOST:PORT]`: serves one of the
//! benchmark's servers over an existing (migrated, seeded) database, in a process of its own so
//! that its peak memory is its own. Prints `listening on HOST:PORT` once it accepts requests.
//! `GET /bench/statements` answers the number of SQL statements run so far.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::routing::get;
use gqlgen_benches::Kind;

const USAGE: &str =
    "usage: bench-server --kind gqlgen|baseline --database-url URL [--addr HOST:PORT]";

fn fail(message: &str) -> ! {
    eprintln!("bench-server: {message}\n{USAGE}");
    std::process::exit(2);
}

struct Args {
    kind: Kind,
    database_url: String,
    addr: SocketAddr,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut kind = None;
    let mut database_url = None;
    let mut addr: SocketAddr = "127.0.0.1:0".parse().expect("valid address");
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
            other => return Err(format!("unknown option `{other}`")),
        }
    }
    Ok(Args {
        kind: kind.ok_or("`--kind` is required")?,
        database_url: database_url.ok_or("`--database-url` is required")?,
        addr,
    })
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args = parse(&args).unwrap_or_else(|message| fail(&message));
    let mut db = gqlgen_runtime::db::connect(&args.database_url)
        .await
        .unwrap_or_else(|err| fail(&format!("cannot open {}: {err}", args.database_url)));
    let statements = Arc::new(AtomicU64::new(0));
    let counter = statements.clone();
    db.set_metric_callback(move |_| {
        counter.fetch_add(1, Ordering::Relaxed);
    });
    let router = gqlgen_benches::router(args.kind, db).route(
        "/bench/statements",
        get(move || async move { statements.load(Ordering::Relaxed).to_string() }),
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
