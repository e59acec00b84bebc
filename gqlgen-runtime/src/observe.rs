//! What the server tells its operators. Prometheus metrics, served at `GET /metrics`: requests by
//! operation and status, their durations, requests in flight, errors by code, SQL statements (in
//! all, and per request), rate-limit refusals, authentication failures by reason, and the figures
//! of the response cache and of the subscriptions. One log line per GraphQL operation (operation,
//! status, duration, statements, user id; the request id comes from the request's span), and a
//! WARN line for one slower than `slow_query_threshold` with its document cut to 500 characters
//! and never its variables. SQL statements are counted by the database connection's metric
//! callback ([`statement_callback`]), per request through a task-local counter, and logged one
//! by one when `database.log_queries` is on. Spans: each GraphQL operation runs in a `graphql`
//! span inside its HTTP request's span, and each SQL statement in a
//! `sea_orm.*` span of its own inside that (sea-orm's `tracing-spans`), with the statement's
//! text (its values are bind parameters, never in the text) and its outcome. With the `otlp`
//! cargo feature, `observe::otlp` exports them to an OpenTelemetry collector.

#[cfg(feature = "otlp")]
pub mod otlp;

use std::cell::Cell;
use std::collections::HashSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use prometheus::{
    Encoder as _, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge,
    Opts, Registry, TextEncoder,
};

/// SQL statements run by every connection that [`statement_callback`] watches.
static STATEMENTS: AtomicU64 = AtomicU64::new(0);

tokio::task_local! {
    /// The statements of the request the current task serves.
    static REQUEST_STATEMENTS: Cell<u64>;
}

/// The metric callback a database connection counts and logs its statements with:
/// `db.set_metric_callback(observe::statement_callback(log_queries))` (`db::connect_with`
/// installs it).
pub fn statement_callback(
    log_queries: bool,
) -> impl Fn(&sea_orm::metric::Info<'_>) + Send + Sync + 'static {
    move |info| {
        count_statement();
        if log_queries {
            tracing::info!(
                target: "gqlgen::sql",
                duration_ms = info.elapsed.as_secs_f64() * 1e3,
                failed = info.failed,
                sql = %info.statement.sql,
                "sql statement"
            );
        }
    }
}

/// Counts one SQL statement, in all and for the request the current task serves.
pub(crate) fn count_statement() {
    STATEMENTS.fetch_add(1, Ordering::Relaxed);
    let _ = REQUEST_STATEMENTS.try_with(|n| n.set(n.get() + 1));
}

/// Runs `work`, counting the SQL statements it runs on this task.
pub(crate) async fn counting_statements<F: Future>(work: F) -> (F::Output, u64) {
    REQUEST_STATEMENTS
        .scope(Cell::new(0), async {
            let output = work.await;
            (output, REQUEST_STATEMENTS.with(Cell::get))
        })
        .await
}

/// The span a GraphQL operation runs in, named after OpenTelemetry's conventions for GraphQL
/// (`query ProductList`, or the kind alone without a name); its SQL statements are its
/// children. `kind` is unknown for a document the limits did not parse.
pub(crate) fn operation_span(
    name: Option<&str>,
    kind: Option<async_graphql::parser::types::OperationType>,
) -> tracing::Span {
    use async_graphql::parser::types::OperationType;
    let kind = match kind {
        Some(OperationType::Query) => "query",
        Some(OperationType::Mutation) => "mutation",
        Some(OperationType::Subscription) => "subscription",
        None => "operation",
    };
    // Field values are only worked out when a subscriber takes the span.
    tracing::info_span!(
        "graphql",
        otel.name = %match name {
            Some(name) => format!("{kind} {name}"),
            None => kind.to_owned(),
        },
        graphql.operation.name = name.unwrap_or(""),
        graphql.operation.type = kind,
    )
}

/// The label of an operation that is not one of the first `max_operations` names seen.
const OTHER: &str = "other";
/// The label of an operation without a name.
const ANONYMOUS: &str = "anonymous";

/// The router's metrics.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    duration: HistogramVec,
    in_flight: IntGauge,
    errors: IntCounterVec,
    statements: IntCounter,
    statements_per_request: Histogram,
    rate_limited: IntCounter,
    auth_failures: IntCounterVec,
    cache: IntCounterVec,
    subscription_dropped: IntCounter,
    subscriptions: IntCounterVec,
    subscriptions_active: IntGauge,
    websockets: IntGauge,
    /// The operation names that have a label of their own.
    operations: Mutex<HashSet<String>>,
    max_operations: usize,
}

/// What one GraphQL operation did, for [`Metrics::record`].
pub(crate) struct Operation<'a> {
    pub name: Option<&'a str>,
    pub duration: Duration,
    pub statements: u64,
    /// The codes of the answer's errors; empty: it succeeded.
    pub codes: Vec<&'static str>,
    pub user: Option<&'a str>,
    /// The document, for the slow-operation log.
    pub document: &'a str,
    /// Whether it passed the limits, the analyzers and the rate limit and ran (or was answered
    /// from the cache), rather than being refused before.
    pub ran: bool,
}

impl Metrics {
    /// Metrics that give at most `max_operations` operation names a label of their own; the
    /// others are counted as `other`.
    pub fn new(max_operations: usize) -> Metrics {
        let registry = Registry::new();
        let seconds = vec![
            0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
        ];
        let statements = vec![0.0, 1.0, 2.0, 3.0, 5.0, 10.0, 20.0, 50.0, 100.0];
        let requests = IntCounterVec::new(
            Opts::new("graphql_requests_total", "GraphQL operations answered"),
            &["operation", "status"],
        );
        let duration = HistogramVec::new(
            HistogramOpts::new(
                "graphql_request_duration_seconds",
                "Time to answer a GraphQL operation",
            )
            .buckets(seconds),
            &["operation"],
        );
        let in_flight = IntGauge::new(
            "graphql_requests_in_flight",
            "GraphQL operations being answered",
        );
        let errors = IntCounterVec::new(
            Opts::new("graphql_errors_total", "Errors in answers, by code"),
            &["code"],
        );
        let statements_total = IntCounter::new(
            "graphql_sql_statements_total",
            "SQL statements run by the database connection",
        );
        let statements_per_request = Histogram::with_opts(
            HistogramOpts::new(
                "graphql_request_sql_statements",
                "SQL statements run to answer one GraphQL operation",
            )
            .buckets(statements),
        );
        let rate_limited = IntCounter::new(
            "graphql_rate_limited_total",
            "Requests refused for their rate (RATE_LIMITED)",
        );
        let auth_failures = IntCounterVec::new(
            Opts::new(
                "graphql_auth_failures_total",
                "Requests whose credentials were refused, by reason",
            ),
            &["reason"],
        );
        let cache = IntCounterVec::new(
            Opts::new(
                "graphql_cache_events_total",
                "Response cache hits, misses, stores and invalidations",
            ),
            &["event"],
        );
        let subscription_dropped = IntCounter::new(
            "graphql_subscription_events_dropped_total",
            "Subscription messages lost to clients or instances that fell behind",
        );
        let subscriptions = IntCounterVec::new(
            Opts::new(
                "graphql_subscriptions_total",
                "Subscriptions started (their refusals count in graphql_requests_total)",
            ),
            &["operation"],
        );
        let subscriptions_active =
            IntGauge::new("graphql_subscriptions_active", "Subscriptions running");
        let websockets = IntGauge::new(
            "graphql_websocket_connections",
            "Open WebSocket connections (/graphql/ws)",
        );
        // The metric definitions above are constants: registering them cannot fail but for a
        // name used twice, which a unit test rules out.
        let metrics = (|| -> prometheus::Result<Metrics> {
            let metrics = Metrics {
                requests: requests?,
                duration: duration?,
                in_flight: in_flight?,
                errors: errors?,
                statements: statements_total?,
                statements_per_request: statements_per_request?,
                rate_limited: rate_limited?,
                auth_failures: auth_failures?,
                cache: cache?,
                subscription_dropped: subscription_dropped?,
                subscriptions: subscriptions?,
                subscriptions_active: subscriptions_active?,
                websockets: websockets?,
                registry,
                operations: Mutex::default(),
                max_operations,
            };
            let r = &metrics.registry;
            r.register(Box::new(metrics.requests.clone()))?;
            r.register(Box::new(metrics.duration.clone()))?;
            r.register(Box::new(metrics.in_flight.clone()))?;
            r.register(Box::new(metrics.errors.clone()))?;
            r.register(Box::new(metrics.statements.clone()))?;
            r.register(Box::new(metrics.statements_per_request.clone()))?;
            r.register(Box::new(metrics.rate_limited.clone()))?;
            r.register(Box::new(metrics.auth_failures.clone()))?;
            r.register(Box::new(metrics.cache.clone()))?;
            r.register(Box::new(metrics.subscription_dropped.clone()))?;
            r.register(Box::new(metrics.subscriptions.clone()))?;
            r.register(Box::new(metrics.subscriptions_active.clone()))?;
            r.register(Box::new(metrics.websockets.clone()))?;
            Ok(metrics)
        })();
        metrics.unwrap_or_else(|err| unreachable!("the metric definitions are constant: {err}"))
    }

    /// The label of operation `name`: the name while fewer than `max_operations` names have
    /// one, `anonymous` without a name, `other` past the bound. Only an operation that `ran`
    /// takes a new label: a name that was only ever refused counts as `other`, so that requests
    /// refused before execution cannot use up the labels (with an allow-list of persisted
    /// queries, nothing else runs, and the labels are the list's names).
    fn operation_label(&self, name: Option<&str>, ran: bool) -> String {
        let Some(name) = name else {
            return ANONYMOUS.to_owned();
        };
        let mut operations = self.operations.lock().unwrap_or_else(|e| e.into_inner());
        if operations.contains(name) {
            return name.to_owned();
        }
        if ran && operations.len() < self.max_operations {
            operations.insert(name.to_owned());
            return name.to_owned();
        }
        OTHER.to_owned()
    }

    /// Counts an operation that starts; the returned guard counts it as finished when dropped.
    pub(crate) fn start(&self) -> InFlight<'_> {
        self.in_flight.inc();
        InFlight(&self.in_flight)
    }

    /// Records one answered operation, logs it, and logs it again at WARN when it took
    /// `slow` or longer.
    pub(crate) fn record(&self, operation: &Operation<'_>, slow: Option<Duration>) {
        let label = self.operation_label(operation.name, operation.ran);
        let status = if operation.codes.is_empty() {
            "ok"
        } else {
            "error"
        };
        self.requests.with_label_values(&[&label, status]).inc();
        self.duration
            .with_label_values(&[&label])
            .observe(operation.duration.as_secs_f64());
        self.statements_per_request
            .observe(operation.statements as f64);
        for code in &operation.codes {
            self.errors.with_label_values(&[code]).inc();
        }
        let duration_ms = operation.duration.as_secs_f64() * 1e3;
        let name = operation.name.unwrap_or(ANONYMOUS);
        tracing::info!(
            operation = name,
            status,
            duration_ms,
            statements = operation.statements,
            user_id = operation.user.unwrap_or(""),
            "graphql operation"
        );
        if slow.is_some_and(|slow| operation.duration >= slow) {
            tracing::warn!(
                operation = name,
                duration_ms,
                statements = operation.statements,
                document = %truncated(operation.document, 500),
                "slow graphql operation"
            );
        }
    }

    /// Counts a request refused for its rate.
    pub(crate) fn rate_limited(&self) {
        self.rate_limited.inc();
    }

    /// Counts a request whose credentials were refused, by a bounded reason drawn from `message`.
    pub(crate) fn auth_failure(&self, message: &str) {
        self.auth_failures
            .with_label_values(&[auth_failure_reason(message)])
            .inc();
    }

    /// Counts a subscription that starts; the returned guard counts it as ended when dropped.
    /// Its events are not operations of their own: a subscription is not in
    /// `graphql_requests_total` unless it is refused.
    pub(crate) fn subscription(&self, name: Option<&str>) -> Subscribed {
        let label = self.operation_label(name, true);
        self.subscriptions.with_label_values(&[&label]).inc();
        self.subscriptions_active.inc();
        Subscribed(self.subscriptions_active.clone())
    }

    /// Counts a WebSocket connection opening; the guard counts it closed when dropped.
    pub(crate) fn websocket(&self) -> InFlight<'_> {
        self.websockets.inc();
        InFlight(&self.websockets)
    }

    /// The metrics in Prometheus' text format, with the figures kept elsewhere brought up to
    /// date: statements, the response cache's counts by event (`hit`, `miss`, …), subscription
    /// messages dropped.
    pub(crate) fn render(&self, cache: &[(&str, u64)], subscription_dropped: u64) -> String {
        catch_up(&self.statements, STATEMENTS.load(Ordering::Relaxed));
        for (event, value) in cache {
            catch_up(&self.cache.with_label_values(&[event]), *value);
        }
        catch_up(&self.subscription_dropped, subscription_dropped);
        let mut out = Vec::new();
        if let Err(err) = TextEncoder::new().encode(&self.registry.gather(), &mut out) {
            tracing::error!(error = %err, "the metrics could not be encoded");
        }
        String::from_utf8(out).unwrap_or_default()
    }
}

/// Moves `counter` on to `value`, a count kept elsewhere that only grows.
fn catch_up(counter: &IntCounter, value: u64) {
    let behind = value.saturating_sub(counter.get());
    if behind > 0 {
        counter.inc_by(behind);
    }
}

/// Counts a gauge down when dropped.
pub(crate) struct InFlight<'a>(&'a IntGauge);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// A running subscription, for `graphql_subscriptions_active`.
pub(crate) struct Subscribed(IntGauge);

impl Drop for Subscribed {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// A bounded label for why credentials were refused.
fn auth_failure_reason(message: &str) -> &'static str {
    let message = message.to_ascii_lowercase();
    if message.contains("expired") {
        "expired"
    } else if message.contains("revoked") {
        "revoked"
    } else if message.contains("inactive") || message.contains("deactivated") {
        "inactive"
    } else if message.contains("could not be checked") || message.contains("unavailable") {
        "unavailable"
    } else {
        "invalid"
    }
}

/// `text` cut to `max` characters, marked when cut.
fn truncated(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_labels_are_bounded() {
        let metrics = Metrics::new(2);
        // A refused operation's name takes no label.
        assert_eq!(metrics.operation_label(Some("Refused"), false), "other");
        assert_eq!(metrics.operation_label(Some("A"), true), "A");
        assert_eq!(metrics.operation_label(Some("B"), true), "B");
        assert_eq!(metrics.operation_label(Some("C"), true), "other");
        assert_eq!(metrics.operation_label(Some("A"), false), "A");
        assert_eq!(metrics.operation_label(None, false), "anonymous");
    }

    #[test]
    fn documents_are_cut_on_character_boundaries() {
        assert_eq!(truncated("ééé", 2), "éé…");
        assert_eq!(truncated("abc", 3), "abc");
    }

    #[tokio::test]
    async fn the_metrics_render_as_prometheus_text() {
        let metrics = Metrics::new(10);
        let operation = Operation {
            name: Some("Products"),
            duration: Duration::from_millis(3),
            statements: 2,
            codes: vec!["PERMISSION_DENIED"],
            user: None,
            document: "{ products { totalCount } }",
            ran: true,
        };
        metrics.record(&operation, None);
        metrics.auth_failure("the token expired");
        let text = metrics.render(&[("hit", 2)], 0);
        assert!(
            text.contains("graphql_requests_total{operation=\"Products\",status=\"error\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("graphql_errors_total{code=\"PERMISSION_DENIED\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("graphql_auth_failures_total{reason=\"expired\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("graphql_cache_events_total{event=\"hit\"} 2"),
            "{text}"
        );
    }
}
