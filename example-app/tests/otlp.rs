//! The example app built with the `otlp` feature exports its spans to an OpenTelemetry
//! collector: a request's span (a child of the caller's `traceparent`), its GraphQL operation's,
//! and each SQL statement's, in one trace. The collector here is a small HTTP server that keeps
//! what it is sent, in OTLP's JSON and in its protobuf encoding.
//! Run with `cargo test -p example-app --features otlp --test otlp`.
#![cfg(feature = "otlp")]

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::HeaderMap;
use serde_json::Value;

use common::{Running, http_post, serve_logging_to_a_file};

/// What the collector received: each export's content type and body.
type Received = Arc<Mutex<Vec<(String, Bytes)>>>;

/// Serves `POST /v1/traces` on a loopback port in a thread of its own; answers its address.
fn collector(received: Received) -> String {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("a port");
    let addr = listener.local_addr().expect("an address").to_string();
    let app = axum::Router::new().route(
        "/v1/traces",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| async move {
            let content_type = headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            received.lock().unwrap().push((content_type, body));
            ""
        }),
    );
    std::thread::spawn(move || {
        runtime.block_on(async move { axum::serve(listener, app).await.ok() });
    });
    addr
}

/// Starts `example-app serve` on SQLite exporting to `collector` in `protocol`; answers the
/// server and its address.
fn serve(collector: &str, protocol: Option<&str>) -> (Running, String) {
    let endpoint = format!("http://{collector}");
    let mut env = vec![
        ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str()),
        ("OTEL_SERVICE_NAME", "shop-under-test"),
        // Batches leave every 100 ms instead of every 5 s.
        ("OTEL_BSP_SCHEDULE_DELAY", "100"),
    ];
    if let Some(protocol) = protocol {
        env.push(("OTEL_EXPORTER_OTLP_PROTOCOL", protocol));
    }
    let (server, log, addr) = serve_logging_to_a_file(&env);
    std::fs::remove_file(log).ok();
    (server, addr)
}

/// Posts `query` with a W3C `traceparent` header; answers the response's head and body.
fn post_traced(addr: &str, traceparent: &str, query: &str) -> String {
    let body = serde_json::json!({ "query": query }).to_string();
    http_post(addr, "/graphql", &[("traceparent", traceparent)], &body).expect("an answer")
}

/// Waits until `done` holds for what the collector received.
fn wait_for(received: &Received, done: impl Fn(&[(String, Bytes)]) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done(&received.lock().unwrap()) {
        assert!(
            Instant::now() < deadline,
            "the collector did not get the spans: {:?}",
            received.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A span of an OTLP/JSON export, with its resource's attributes.
#[derive(Debug, Clone)]
struct Span {
    resource: Value,
    span: Value,
}

impl Span {
    fn name(&self) -> &str {
        self.span["name"].as_str().unwrap_or_default()
    }

    fn id(&self, field: &str) -> String {
        self.span[field]
            .as_str()
            .unwrap_or_default()
            .to_ascii_lowercase()
    }

    fn attribute(&self, key: &str) -> Option<String> {
        attribute(&self.span["attributes"], key)
    }
}

fn attribute(attributes: &Value, key: &str) -> Option<String> {
    let found = attributes.as_array()?.iter().find(|a| a["key"] == key)?;
    let value = &found["value"];
    value["stringValue"]
        .as_str()
        .map(str::to_owned)
        .or_else(|| Some(value.to_string()))
}

/// Every span of the JSON exports received.
fn spans(received: &[(String, Bytes)]) -> Vec<Span> {
    let mut out = Vec::new();
    for (_, body) in received {
        let Ok(export) = serde_json::from_slice::<Value>(body) else {
            continue;
        };
        for resource_spans in export["resourceSpans"].as_array().into_iter().flatten() {
            for scope in resource_spans["scopeSpans"]
                .as_array()
                .into_iter()
                .flatten()
            {
                for span in scope["spans"].as_array().into_iter().flatten() {
                    out.push(Span {
                        resource: resource_spans["resource"].clone(),
                        span: span.clone(),
                    });
                }
            }
        }
    }
    out
}

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN: &str = "00f067aa0ba902b7";

#[test]
fn request_operation_and_statement_spans_reach_the_collector_in_the_callers_trace() {
    let received = Received::default();
    let addr = collector(received.clone());
    let (_server, app) = serve(&addr, Some("http/json"));
    let traceparent = format!("00-{TRACE_ID}-{CALLER_SPAN}-01");
    let answer = post_traced(
        &app,
        &traceparent,
        "query Traced { products(first: 2) { edges { node { name owner { username } } } } }",
    );
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(!answer.contains("\"errors\""), "{answer}");
    let has_statements = |received: &[(String, Bytes)]| {
        spans(received)
            .iter()
            .any(|s| s.name().starts_with("sea_orm."))
            && spans(received).iter().any(|s| s.name() == "query Traced")
    };
    wait_for(&received, has_statements);
    let received = received.lock().unwrap().clone();
    assert!(
        received
            .iter()
            .all(|(content_type, _)| content_type.starts_with("application/json")),
        "{received:?}"
    );
    let spans = spans(&received);
    let in_trace: Vec<&Span> = spans
        .iter()
        .filter(|s| s.id("traceId") == TRACE_ID)
        .collect();
    let request = in_trace
        .iter()
        .find(|s| s.name() == "POST /graphql")
        .unwrap_or_else(|| panic!("a request span in the caller's trace: {spans:#?}"));
    assert_eq!(request.id("parentSpanId"), CALLER_SPAN, "{request:?}");
    // OTLP's span kinds: 2 is SERVER, 3 is CLIENT.
    assert_eq!(request.span["kind"], 2, "{request:?}");
    assert_eq!(
        attribute(&request.resource["attributes"], "service.name").as_deref(),
        Some("shop-under-test")
    );
    let operation = in_trace
        .iter()
        .find(|s| s.name() == "query Traced")
        .unwrap_or_else(|| panic!("an operation span: {in_trace:#?}"));
    assert_eq!(operation.id("parentSpanId"), request.id("spanId"));
    assert_eq!(
        operation.attribute("graphql.operation.type").as_deref(),
        Some("query")
    );
    let statements: Vec<&&Span> = in_trace
        .iter()
        .filter(|s| s.id("parentSpanId") == operation.id("spanId"))
        .filter(|s| s.name().starts_with("sea_orm."))
        .collect();
    assert!(!statements.is_empty(), "{in_trace:#?}");
    for statement in statements {
        let text = statement.attribute("db.statement").unwrap_or_default();
        assert!(text.starts_with("SELECT"), "{statement:?}");
        assert_eq!(statement.attribute("db.system").as_deref(), Some("sqlite"));
        assert_eq!(statement.span["kind"], 3, "{statement:?}");
    }
}

#[test]
fn spans_are_exported_as_protobuf_by_default() {
    let received = Received::default();
    let addr = collector(received.clone());
    let (_server, app) = serve(&addr, None);
    let traceparent = format!("00-{TRACE_ID}-{CALLER_SPAN}-01");
    let answer = post_traced(
        &app,
        &traceparent,
        "query ByDefault { products(first: 1) { totalCount } }",
    );
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // Protobuf keeps strings as they are: the names are in the bytes.
    let contains =
        |body: &Bytes, text: &str| body.windows(text.len()).any(|w| w == text.as_bytes());
    wait_for(&received, |received| {
        received
            .iter()
            .any(|(_, body)| contains(body, "query ByDefault"))
    });
    let received = received.lock().unwrap().clone();
    let (content_type, body) = received
        .iter()
        .find(|(_, body)| contains(body, "query ByDefault"))
        .expect("the export with the operation");
    assert_eq!(content_type, "application/x-protobuf");
    assert!(contains(body, "shop-under-test"), "the service's name");
}
