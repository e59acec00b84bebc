//! Tracing spans: each GraphQL operation runs in a `graphql` span inside its HTTP request's
//! span, and each SQL statement in a `sea_orm.*` span of its own inside the operation's, with the
//! statement's text (values are bind parameters, never in the text). A layer records every span
//! the server opens, as an OpenTelemetry exporter would receive them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use gqlgen_runtime::Config;
use gqlgen_tests::{cleanup, fixture_servers_as};
use serde_json::json;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;

/// A span as recorded: its name, its parent's id, and its fields as text.
#[derive(Debug, Clone)]
struct Recorded {
    name: &'static str,
    parent: Option<u64>,
    fields: HashMap<String, String>,
}

/// Every span opened while it is the default subscriber, by id. Ids are reused once a span
/// closes, so a span keeps the id it had when opened; closed spans are kept under fresh keys.
#[derive(Clone, Default)]
struct Spans {
    open: Arc<Mutex<HashMap<u64, usize>>>,
    all: Arc<Mutex<Vec<Recorded>>>,
}

struct Fields<'a>(&'a mut HashMap<String, String>);

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

impl<S> Layer<S> for Spans
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let parent = ctx
            .span(id)
            .and_then(|span| span.parent())
            .and_then(|parent| {
                self.open
                    .lock()
                    .unwrap()
                    .get(&parent.id().into_u64())
                    .copied()
            });
        let mut fields = HashMap::new();
        attrs.record(&mut Fields(&mut fields));
        let mut all = self.all.lock().unwrap();
        all.push(Recorded {
            name: attrs.metadata().name(),
            parent: parent.map(|index| index as u64),
            fields,
        });
        self.open
            .lock()
            .unwrap()
            .insert(id.into_u64(), all.len() - 1);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, _ctx: Context<'_, S>) {
        if let Some(&index) = self.open.lock().unwrap().get(&id.into_u64()) {
            values.record(&mut Fields(&mut self.all.lock().unwrap()[index].fields));
        }
    }

    fn on_close(&self, id: Id, _ctx: Context<'_, S>) {
        self.open.lock().unwrap().remove(&id.into_u64());
    }
}

impl Spans {
    fn take(&self) -> Vec<Recorded> {
        std::mem::take(&mut *self.all.lock().unwrap())
    }
}

/// The spans of `spans` inside the one at `ancestor`, at any depth.
fn inside(spans: &[Recorded], ancestor: usize) -> Vec<&Recorded> {
    spans
        .iter()
        .filter(|span| {
            let mut parent = span.parent;
            while let Some(index) = parent {
                if index as usize == ancestor {
                    return true;
                }
                parent = spans[index as usize].parent;
            }
            false
        })
        .collect()
}

/// The index of the one `graphql` span named `otel_name`.
fn operation(spans: &[Recorded], otel_name: &str) -> usize {
    let found: Vec<usize> = (0..spans.len())
        .filter(|&i| {
            spans[i].name == "graphql"
                && spans[i].fields.get("otel.name").map(String::as_str) == Some(otel_name)
        })
        .collect();
    assert_eq!(found.len(), 1, "one span {otel_name:?} in {spans:#?}");
    found[0]
}

// One thread: the server's tasks run where the layer is the default subscriber.
#[tokio::test(flavor = "current_thread")]
async fn operations_and_sql_statements_have_spans_of_their_own() {
    let spans = Spans::default();
    let subscriber = tracing_subscriber::registry().with(spans.clone());
    let _guard = tracing::subscriber::set_default(subscriber);

    let servers = fixture_servers_as(Config::testing(), "admin").await;
    for (backend, server) in &servers {
        let n = backend.name;
        let system = if n == "sqlite" {
            "sqlite"
        } else {
            "postgresql"
        };
        spans.take();
        backend.statements.take();

        // A query: its statements (the page, the owners of its rows) are children of its span.
        let secret = "Mug-unlikely-7391";
        let r = server
            .graphql(
                "query ProductPage($term: String!) {
                   products(first: 5, filter: { name_Icontains: $term }) {
                     edges { node { name owner { username } } }
                   }
                   all: products(first: 5) { edges { node { name owner { username } } } }
                 }",
                json!({ "term": secret }),
            )
            .await;
        r.assert_no_errors();
        let statements = backend.statements.take();
        let recorded = spans.take();
        let op = operation(&recorded, "query ProductPage");
        assert_eq!(
            recorded[op]
                .fields
                .get("graphql.operation.name")
                .map(String::as_str),
            Some("ProductPage"),
            "{n}"
        );
        let request = recorded[op].parent.expect("the operation is inside a span") as usize;
        assert_eq!(recorded[request].name, "request", "{n}");
        assert_eq!(
            recorded[request].fields.get("path").map(String::as_str),
            Some("/graphql"),
            "{n}"
        );
        let sql_of = |ancestor| -> Vec<&Recorded> {
            inside(&recorded, ancestor)
                .into_iter()
                .filter(|span| span.name.starts_with("sea_orm."))
                .collect()
        };
        // One span per statement the connection ran for the request (the token's user is read
        // before the operation starts), no more, no fewer.
        assert_eq!(
            sql_of(request).len(),
            statements.len(),
            "{n}: {statements:#?} {:#?}",
            sql_of(request)
        );
        let sql = sql_of(op);
        assert!(
            sql.len() >= 2,
            "{n}: one statement per page at least: {sql:#?}"
        );
        for span in &sql {
            let text = &span.fields["db.statement"];
            assert!(text.contains("SELECT"), "{n}: {span:?}");
            assert!(
                !text.contains(secret),
                "{n}: a value in a statement's text: {text}"
            );
            assert_eq!(span.fields["db.system"], system, "{n}: {span:?}");
            assert_eq!(span.fields["otel.status_code"], "OK", "{n}: {span:?}");
        }

        // A mutation: its transaction's statements, begin and commit included.
        let r = server
            .graphql(
                "mutation AddTag { createTag(input: { name: \"traced\" }) { success } }",
                json!({}),
            )
            .await;
        assert_eq!(r.assert_no_errors()["createTag"]["success"], true, "{n}");
        let recorded = spans.take();
        let op = operation(&recorded, "mutation AddTag");
        let names: Vec<&str> = inside(&recorded, op).iter().map(|s| s.name).collect();
        for expected in ["sea_orm.begin", "sea_orm.commit"] {
            assert!(names.contains(&expected), "{n}: {names:?}");
        }
        assert!(
            inside(&recorded, op).iter().any(|s| s
                .fields
                .get("db.statement")
                .is_some_and(|t| t.starts_with("INSERT"))),
            "{n}: {:#?}",
            inside(&recorded, op)
        );

        // An anonymous operation's span is named after its kind alone.
        server
            .graphql("{ products(first: 1) { totalCount } }", json!({}))
            .await;
        let recorded = spans.take();
        let op = operation(&recorded, "query");
        assert!(!inside(&recorded, op).is_empty(), "{n}");
    }
    cleanup(servers).await;
}
