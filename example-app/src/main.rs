//! `example-app`: serves the e-commerce API, or prints its schema. See `cli` for the arguments.

use example_app::cli::{self, Command};
use gqlgen_runtime::Config;
use gqlgen_runtime::config::ObserveSettings;

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

/// Logs to stderr at the level of `RUST_LOG` (default `info`): JSON objects, one per line, with
/// `LOG_FORMAT=json`; otherwise text, coloured only when stderr is a terminal and `NO_COLOR` is
/// unset. With the `otlp` feature and `OTEL_EXPORTER_OTLP_ENDPOINT` set, spans (INFO and above,
/// whatever `RUST_LOG` says) also go to that OpenTelemetry collector.
fn init_logging(observe: &ObserveSettings) -> Telemetry {
    use std::io::IsTerminal as _;
    use tracing_subscriber::Layer as _;
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    let text = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let logs = if observe.json_logs() {
        text.json()
            .with_current_span(true)
            .with_span_list(false)
            .boxed()
    } else {
        let colours = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        text.with_ansi(colours).boxed()
    };
    let registry = tracing_subscriber::registry().with(logs.with_filter(filter));
    #[cfg(feature = "otlp")]
    {
        let exporter = gqlgen_runtime::observe::otlp::OtlpExporter::start(observe)
            .unwrap_or_else(|err| fail(&err.to_string()));
        let spans = exporter.as_ref().map(|exporter| {
            exporter
                .layer()
                .with_filter(tracing_subscriber::filter::LevelFilter::INFO)
        });
        registry.with(spans).init();
        Telemetry { exporter }
    }
    #[cfg(not(feature = "otlp"))]
    {
        registry.init();
        if let Some(endpoint) = &observe.otlp_endpoint {
            tracing::warn!(
                endpoint,
                "OTEL_EXPORTER_OTLP_ENDPOINT is set, but this binary is built without the `otlp` feature: no spans are exported"
            );
        }
        Telemetry {}
    }
}

/// What [`init_logging`] started that has to be stopped before the process ends.
struct Telemetry {
    /// Sends its queued spans when shut down.
    #[cfg(feature = "otlp")]
    exporter: Option<gqlgen_runtime::observe::otlp::OtlpExporter>,
}

impl Telemetry {
    fn shutdown(self) {
        #[cfg(feature = "otlp")]
        if let Some(exporter) = self.exporter {
            exporter.shutdown();
        }
    }
}

async fn run() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match cli::parse(&args, std::env::var("DATABASE_URL").ok()) {
        Ok(command) => command,
        Err(message) => fail(&format!("{message}\n{}", cli::USAGE)),
    };
    match command {
        Command::Help => println!("{}", cli::USAGE),
        Command::Schema => print!("{}", example_app::sdl()),
        Command::Docs { out } => {
            let _telemetry = init_logging(&ObserveSettings::default());
            if let Err(err) = write_docs(&out) {
                fail(&format!(
                    "cannot write the docs into {}: {err}",
                    out.display()
                ));
            }
        }
        Command::Health { database_url } => {
            let config = Config::from_env().unwrap_or_else(|err| fail(&err.to_string()));
            let telemetry = init_logging(&config.observe);
            let status = health(&database_url, config).await;
            telemetry.shutdown();
            std::process::exit(status)
        }
        Command::Serve { addr, database_url } => {
            let config = Config::from_env().unwrap_or_else(|err| fail(&err.to_string()));
            let telemetry = init_logging(&config.observe);
            serve(addr, &database_url, config).await;
            telemetry.shutdown();
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

/// Runs the readiness checks, prints their outcome as JSON and answers the exit status: 0 when
/// ready, 1 when not.
async fn health(database_url: &str, config: Config) -> i32 {
    let db = gqlgen_runtime::db::connect_with(database_url, &config.database).await;
    let readiness = match &db {
        Ok(db) => {
            let schema = example_app::schema(db.clone(), config.clone());
            gqlgen_runtime::health::check(&schema, Some(db), config.redis_url.as_deref()).await
        }
        Err(err) => gqlgen_runtime::health::Readiness {
            status: "unavailable",
            checks: vec![gqlgen_runtime::health::Check {
                name: "database",
                outcome: format!("cannot open {}: {err}", cli::redact(database_url)),
            }],
            failing: vec!["database"],
        },
    };
    println!(
        "{}",
        serde_json::to_string(&readiness).unwrap_or_else(|_| readiness.status.to_owned())
    );
    if readiness.is_ready() { 0 } else { 1 }
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
