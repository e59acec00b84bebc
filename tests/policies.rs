//! Policies plugged into the router: an authenticator after the JWT (the example app's API
//! keys), a query analyzer that refuses what it does not serve, and an error formatter that
//! rewords errors but cannot reveal an internal one in production.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::parser::types::ExecutableDocument;
use gqlgen_runtime::error::ErrorFormatter;
use gqlgen_runtime::http::{self, Services};
use gqlgen_runtime::limits::QueryAnalyzer;
use gqlgen_runtime::testing::TestServer;
use gqlgen_runtime::{Caller, Config, ErrorCode, GqlError};
use gqlgen_tests::{backends, insert_fixture, login};
use sea_orm::ConnectionTrait;
use serde_json::json;

const ME: &str = "{ me { username } }";

#[tokio::test]
async fn an_api_key_authenticates_after_the_jwt() {
    for backend in backends().await {
        let n = backend.name;
        insert_fixture(&backend.db).await;
        let config = example_app::with_signing_key(Config::testing());
        let keys = HashMap::from([
            ("alice-key".to_owned(), "1".to_owned()),
            ("gone-key".to_owned(), "99".to_owned()),
        ]);
        let router =
            example_app::router_with_api_keys(backend.db.clone(), config, keys).expect("starts");
        let server = TestServer::start(router).await.expect("serves");
        let ask = |headers: Vec<(&'static str, String)>| {
            let server = &server;
            async move {
                let mut all: Vec<(&str, &str)> = vec![("Content-Type", "application/json")];
                all.extend(headers.iter().map(|(k, v)| (*k, v.as_str())));
                let body = json!({ "query": ME }).to_string();
                server
                    .request("POST", "/graphql", &all, body.as_bytes())
                    .await
                    .expect("answers")
            }
        };
        let r = ask(vec![("X-Api-Key", "alice-key".to_owned())]).await;
        assert_eq!(r.assert_no_errors()["me"]["username"], "alice", "{n}");
        for (key, status) in [("wrong-key", 401), ("gone-key", 401)] {
            let r = ask(vec![("X-Api-Key", key.to_owned())]).await;
            assert_eq!(r.status, status, "{n}: {key}: {}", r.text);
            r.assert_error_code("AUTHENTICATION_REQUIRED");
        }
        let r = ask(vec![]).await;
        assert!(r.assert_no_errors()["me"].is_null(), "{n}: anonymous");
        // A token comes first: the JWT's user, whatever key comes along.
        let token = login(&server, "bob").await;
        let r = ask(vec![
            ("Authorization", format!("Bearer {token}")),
            ("X-Api-Key", "alice-key".to_owned()),
        ])
        .await;
        assert_eq!(r.assert_no_errors()["me"]["username"], "bob", "{n}");
        drop(server);
        backend.cleanup().await;
    }
}

/// The seed's "suspicious patterns": no introspection for anonymous callers, and no more than
/// two root fields in one operation.
struct Strict;

impl QueryAnalyzer for Strict {
    fn analyze(
        &self,
        document: &ExecutableDocument,
        _operation: Option<&str>,
        caller: &Caller,
    ) -> Result<(), GqlError> {
        for (_, operation) in document.operations.iter() {
            let roots = &operation.node.selection_set.node.items;
            if roots.len() > 2 {
                return Err(GqlError::new(
                    ErrorCode::QueryTooComplex,
                    "at most two root fields per operation",
                ));
            }
            let introspects = roots.iter().any(|item| match &item.node {
                async_graphql::parser::types::Selection::Field(field) => {
                    field.node.name.node.starts_with("__s") || field.node.name.node == "__type"
                }
                _ => false,
            });
            if introspects && !caller.is_authenticated() {
                return Err(GqlError::new(
                    ErrorCode::PermissionDenied,
                    "introspection needs a login",
                ));
            }
        }
        Ok(())
    }
}

/// Prefixes every message with its code.
struct Coded;

impl ErrorFormatter for Coded {
    fn format(&self, error: &mut async_graphql::ServerError, code: &str) {
        error.message = format!("[{code}] {}", error.message);
    }
}

#[tokio::test]
async fn an_analyzer_refuses_with_its_code_and_a_formatter_rewords_without_unmasking() {
    for backend in backends().await {
        let n = backend.name;
        insert_fixture(&backend.db).await;
        let mut config = Config::production();
        config.introspection = true;
        config.rate_limit.enabled = false;
        let schema = example_app::schema(backend.db.clone(), config.clone());
        let services = Services {
            analyzers: vec![Arc::new(Strict)],
            error_formatter: Some(Arc::new(Coded)),
            ..Services::default()
        };
        let server = TestServer::start(http::router_with(schema, config, services))
            .await
            .expect("serves");
        let r = server
            .graphql("{ __schema { queryType { name } } }", json!({}))
            .await;
        r.assert_error_code("PERMISSION_DENIED");
        assert_eq!(
            r.body["errors"][0]["message"], "[PERMISSION_DENIED] introspection needs a login",
            "{n}"
        );
        let r = server
            .graphql(
                "{ tags { totalCount } categories { totalCount } users { totalCount } }",
                json!({}),
            )
            .await;
        r.assert_error_code("QUERY_TOO_COMPLEX");
        let r = server
            .graphql(
                "{ tags { totalCount } categories { totalCount } }",
                json!({}),
            )
            .await;
        assert_eq!(r.assert_no_errors()["tags"]["totalCount"], 3, "{n}");
        // Refusals before execution go through the formatter too: a forged token's 401.
        let r = server
            .graphql_as(Some("forged"), "{ tags { totalCount } }", json!({}))
            .await;
        assert_eq!(r.status, 401, "{n}: {}", r.text);
        r.assert_error_code("AUTHENTICATION_REQUIRED");
        let message = r.body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(
            message.starts_with("[AUTHENTICATION_REQUIRED] "),
            "{n}: {message}"
        );
        // An internal error: the formatter runs, the message stays masked in production.
        backend
            .db
            .execute_unprepared("DROP TABLE product_tag")
            .await
            .expect("drop");
        let r = server
            .graphql(
                "{ tags { edges { node { products { totalCount } } } } }",
                json!({}),
            )
            .await;
        r.assert_error_code("INTERNAL_ERROR");
        let message = r.body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(
            !message.contains("product_tag") && !message.contains("[INTERNAL_ERROR]"),
            "{n}: {message}"
        );
        drop(server);
        backend.cleanup().await;
    }
}
