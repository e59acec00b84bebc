//! Whether the servers answer the same data. The benchmark checks it at every page size before
//! measuring, and the crate's tests check it at page size 10 on SQLite. Answers are compared as
//! parsed JSON; whether two bodies are also the same text (the same keys in the same order, the
//! same escaping) is reported apart, by [`same_text`].

use gqlgen_runtime::testing::TestServer;
use serde_json::{Value, json};

use crate::{Kind, ServerSettings, StatementCounter};

/// One server's answer to a query.
#[derive(Debug, Clone)]
pub struct Answer {
    pub kind: Kind,
    /// The body as sent.
    pub text: String,
    /// The body's `data`, parsed.
    pub data: Value,
}

/// A server of the benchmark served in this process on a loopback port, with the counter of
/// its statements.
pub struct InProcessServer {
    kind: Kind,
    server: TestServer,
    statements: StatementCounter,
}

impl InProcessServer {
    /// Serves `kind` over the database at `url`, with the default [`ServerSettings`].
    pub async fn start(kind: Kind, url: &str) -> Result<InProcessServer, String> {
        InProcessServer::start_with(kind, url, &ServerSettings::default()).await
    }

    /// Serves `kind` over the database at `url` with `settings`.
    pub async fn start_with(
        kind: Kind,
        url: &str,
        settings: &ServerSettings,
    ) -> Result<InProcessServer, String> {
        let server = crate::server_with(kind, url, settings).await?;
        let statements = server.statements;
        let server = TestServer::start(server.router)
            .await
            .map_err(|err| format!("cannot serve {}: {err}", kind.name()))?;
        Ok(InProcessServer {
            kind,
            server,
            statements,
        })
    }

    /// Sends `query` (no variables, no token); returns the answer and the number of SQL
    /// statements the server ran for it. Fails on any status but 200 and on GraphQL errors.
    pub async fn ask(&self, query: &str) -> Result<(Answer, u64), String> {
        let before = self.statements.get();
        let response = self.server.graphql(query, json!({})).await;
        let statements = self.statements.get() - before;
        if response.status != 200 || response.body.get("errors").is_some() {
            return Err(format!(
                "{} answered {}: {}",
                self.kind.name(),
                response.status,
                response.text
            ));
        }
        let answer = Answer {
            kind: self.kind,
            data: response.body["data"].clone(),
            text: response.text,
        };
        Ok((answer, statements))
    }
}

/// The product edges of an answer to the relations query.
fn edges(data: &Value) -> &[Value] {
    data["products"]["edges"]
        .as_array()
        .map_or(&[], Vec::as_slice)
}

/// Fails unless every answer to the relations query at `page_size` lists `page_size` products
/// and carries the same `data` as the first answer; the message shows the first product that
/// differs.
pub fn check_same_data(page_size: u32, answers: &[Answer]) -> Result<(), String> {
    let Some(first) = answers.first() else {
        return Ok(());
    };
    for answer in answers {
        let count = edges(&answer.data).len();
        if count != page_size as usize {
            return Err(format!(
                "page size {page_size}: {} answered {count} products",
                answer.kind.name()
            ));
        }
    }
    for other in &answers[1..] {
        if other.data == first.data {
            continue;
        }
        let (ours, theirs) = (edges(&first.data), edges(&other.data));
        let i = (0..ours.len()).find(|&i| ours.get(i) != theirs.get(i));
        return Err(format!(
            "page size {page_size}: {} and {} answer different data, first at product #{}:\n  \
             {:<8} {}\n  {:<8} {}",
            first.kind.name(),
            other.kind.name(),
            i.map_or("?".to_owned(), |i| i.to_string()),
            first.kind.name(),
            i.and_then(|i| ours.get(i)).unwrap_or(&first.data),
            other.kind.name(),
            i.and_then(|i| theirs.get(i)).unwrap_or(&other.data),
        ));
    }
    Ok(())
}

/// Whether the bodies of `a` and `b` among `answers` are the same text; `None` when either is
/// missing.
pub fn same_text(answers: &[Answer], a: Kind, b: Kind) -> Option<bool> {
    let text = |kind| {
        answers
            .iter()
            .find(|answer| answer.kind == kind)
            .map(|answer| &answer.text)
    };
    Some(text(a)? == text(b)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(kind: Kind, text: &str) -> Answer {
        let body: Value = serde_json::from_str(text).expect("JSON");
        Answer {
            kind,
            text: text.to_owned(),
            data: body["data"].clone(),
        }
    }

    #[test]
    fn key_order_is_the_same_data_but_not_the_same_text() {
        let a = answer(
            Kind::Gqlgen,
            r#"{"data":{"products":{"edges":[{"node":{"name":"a","owner":null}}]}}}"#,
        );
        let b = answer(
            Kind::Raw,
            r#"{"data":{"products":{"edges":[{"node":{"owner":null,"name":"a"}}]}}}"#,
        );
        let answers = [a, b];
        assert_eq!(check_same_data(1, &answers), Ok(()));
        assert_eq!(same_text(&answers, Kind::Gqlgen, Kind::Raw), Some(false));
        assert_eq!(same_text(&answers, Kind::Gqlgen, Kind::Baseline), None);
    }

    #[test]
    fn a_different_product_or_count_is_reported() {
        let a = answer(
            Kind::Gqlgen,
            r#"{"data":{"products":{"edges":[{"node":{"name":"a"}},{"node":{"name":"b"}}]}}}"#,
        );
        let b = answer(
            Kind::Baseline,
            r#"{"data":{"products":{"edges":[{"node":{"name":"a"}},{"node":{"name":"c"}}]}}}"#,
        );
        let message = check_same_data(2, &[a.clone(), b]).unwrap_err();
        assert!(message.contains("product #1"), "{message}");
        let message = check_same_data(3, &[a]).unwrap_err();
        assert!(message.contains("answered 2 products"), "{message}");
    }
}
