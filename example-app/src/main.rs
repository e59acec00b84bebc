//! `example-app`: serves the e-commerce API, or prints its schema. See `cli` for the arguments.

use example_app::cli::{self, Command};
use gqlgen_runtime::Config;

fn main() {
    // Two workers per core: measured up to ~20% more requests/s at page 1,000 with 8 clients, and
    // within the noise at page 100 (docs/performance.md, "Pool and runtime settings").
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2 * cores)
        .enable_all()
        .build()
        .unwrap_or_else(|err| fail(&format!("cannot start the async runtime: {err}")));
    runtime.block_on(run());
}

async fn run() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match cli::parse(&args, std::env::var("DATABASE_URL").ok()) {
        Ok(command) => command,
        Err(message) => fail(&format!("{message}\n{}", cli::USAGE)),
    };
    match command {
        Command::Help => println!("{}", cli::USAGE),
        Command::Schema => print!("{}", example_app::sdl()),
        Command::Docs { out } => {
            if let Err(err) = write_docs(&out) {
                fail(&format!(
                    "cannot write the docs into {}: {err}",
                    out.display()
                ));
            }
        }
        Command::Serve { addr, database_url } => {
            let config = Config::from_env().unwrap_or_else(|err| fail(&err.to_string()));
            serve(addr, &database_url, config).await
        }
    }
}

/// Writes the API documentation's files into `out`, creating it if needed.
fn write_docs(out: &std::path::Path) -> Result<(), String> {
    let docs = example_app::api_docs()?;
    std::fs::create_dir_all(out).map_err(|e| e.to_string())?;
    for (name, text) in docs.files() {
        std::fs::write(out.join(name), text).map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(2);
}

async fn serve(addr: std::net::SocketAddr, database_url: &str, config: Config) {
    let shown = cli::redact(database_url);
    let db = match gqlgen_runtime::db::connect_with(database_url, &config.database).await {
        Ok(db) => db,
        Err(err) => fail(&format!("cannot open database {shown}: {err}")),
    };
    if let Err(err) = example_app::migrate::migrate(&db).await {
        fail(&format!("cannot create the tables in {shown}: {err}"));
    }
    match example_app::seed::seed(&db).await {
        Ok(true) => tracing::info!("seeded {shown} with demo data"),
        Ok(false) => {}
        Err(err) => fail(&format!("cannot seed {shown}: {err}")),
    }
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(err) => fail(&format!("cannot listen on {addr}: {err}")),
    };
    // With port 0 the system picks one; name the one it picked.
    let addr = listener.local_addr().unwrap_or(addr);
    tracing::info!(settings = %config.redacted_summary(), "settings");
    if config.jwt.secret_key.is_none() {
        tracing::warn!(
            "JWT_SECRET_KEY is not set: tokens are signed with a random key and stop working at restart"
        );
    }
    let grace = config.shutdown_timeout;
    let config = example_app::with_signing_key(config);
    let router = example_app::app(db.clone(), config)
        .await
        .unwrap_or_else(|message| fail(&message));
    tracing::info!("serving GraphQL on http://{addr}/graphql (GraphiQL in a browser)");
    let signal = gqlgen_runtime::http::shutdown_signal();
    if let Err(err) = gqlgen_runtime::http::serve_until(listener, router, signal, grace).await {
        fail(&format!("server stopped: {err}"));
    }
    // Requests the grace abandoned may still hold connections, and closing waits for those:
    // bound it, the process is about to end anyway.
    match tokio::time::timeout(CLOSE_TIMEOUT, db.close()).await {
        Ok(Ok(())) => tracing::info!("database pool closed; exiting"),
        Ok(Err(err)) => tracing::warn!(%err, "closing the database pool failed; exiting"),
        Err(_) => tracing::warn!(
            "database connections still in use after {CLOSE_TIMEOUT:?}; exiting without them"
        ),
    }
}

/// How long closing the pool may wait for connections still checked out.
const CLOSE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);
