//! The GraphQL-over-HTTP spec, audited by the `graphql-http` package's own server audits (the
//! suite its authors run against servers) through real HTTP: no failed MUST, no SHOULD warning.
//! It needs Node.js: without `node` on the path the test says so and passes, unless
//! `GQLGEN_HTTP_AUDIT=required` (as `.ci/run` sets), where a missing Node.js fails it.
//! The packages are pinned in `http-audit/package-lock.json` and installed on first run.

use std::process::Command;

use gqlgen_runtime::Config;
use gqlgen_tests::{cleanup, fixture_servers, node_project};

#[tokio::test]
async fn graphql_over_http_audit_passes() {
    let Some(dir) = node_project("http-audit", "GQLGEN_HTTP_AUDIT", &[]) else {
        return;
    };
    // The testing profile: no rate limit, which the audit's ~60 requests would run into.
    let servers = fixture_servers(Config::testing()).await;
    for (backend, server) in &servers {
        let url = format!("http://{}/graphql", server.addr());
        let audit = tokio::task::spawn_blocking({
            let dir = dir.clone();
            move || {
                Command::new("node")
                    .arg("audit.mjs")
                    .arg(url)
                    .current_dir(dir)
                    .output()
                    .expect("node runs")
            }
        })
        .await
        .expect("the audit finishes");
        let stdout = String::from_utf8_lossy(&audit.stdout);
        assert!(
            audit.status.success(),
            "{}: {stdout}{}",
            backend.name,
            String::from_utf8_lossy(&audit.stderr)
        );
        let summary: serde_json::Value = stdout
            .lines()
            .last()
            .and_then(|line| serde_json::from_str(line).ok())
            .unwrap_or_else(|| panic!("{}: no summary in {stdout}", backend.name));
        assert!(summary["ok"].as_u64().is_some_and(|n| n > 40), "{stdout}");
        assert_eq!(summary["error"], 0, "{}: {stdout}", backend.name);
        assert_eq!(summary["warn"], 0, "{}: {stdout}", backend.name);
    }
    cleanup(servers).await;
}

#[tokio::test]
async fn media_types_and_status_codes_follow_the_spec() {
    let servers = fixture_servers(Config::testing()).await;
    for (backend, server) in &servers {
        let n = backend.name;
        let post = |accept: &'static str, content_type: &'static str, body: &'static str| async move {
            let mut headers = vec![("Content-Type", content_type)];
            if !accept.is_empty() {
                headers.push(("Accept", accept));
            }
            server
                .request("POST", "/graphql", &headers, body.as_bytes())
                .await
                .expect("answers")
        };
        let new = "application/graphql-response+json";
        // A valid query: 200 in either type, the type as asked.
        let r = post(new, "application/json", r#"{"query":"{ __typename }"}"#).await;
        assert_eq!(r.status, 200, "{n}");
        assert!(
            r.header("content-type").is_some_and(|t| t.starts_with(new)),
            "{n}"
        );
        assert_eq!(r.body["data"]["__typename"], "Query");
        let r = post("", "application/json", r#"{"query":"{ __typename }"}"#).await;
        assert_eq!(r.header("content-type"), Some("application/json"), "{n}");
        // A document that does not parse or validate: 400 without `data` under the new type,
        // 200 with `data: null` under application/json.
        for query in [r#"{"query":"{"}"#, r#"{"query":"{ noSuchField }"}"#] {
            let r = post(new, "application/json", query).await;
            assert_eq!(r.status, 400, "{n}: {query}: {}", r.text);
            assert!(r.body.get("data").is_none(), "{n}: {}", r.text);
            assert!(r.body["errors"][0]["message"].is_string());
            let r = post("application/json", "application/json", query).await;
            assert_eq!(r.status, 200, "{n}: {query}");
            assert!(r.body["data"].is_null());
        }
        // A field error is still a 200 with data under the new type.
        let r = post(
            new,
            "application/json",
            r#"{"query":"{ product(id: \"x\") { id } }"}"#,
        )
        .await;
        assert_eq!(r.status, 200, "{n}: {}", r.text);
        assert!(r.body.get("data").is_some(), "{n}: {}", r.text);
        // Neither type acceptable: 406; a body that is not declared JSON: 415.
        assert_eq!(
            post("text/html", "application/json", "{}").await.status,
            406
        );
        assert_eq!(
            post("", "text/plain", r#"{"query":"{ __typename }"}"#)
                .await
                .status,
            415
        );
        // A mutation over GET: 405, allowing POST.
        let r = server
            .request(
                "GET",
                "/graphql?query=mutation%20%7B%20__typename%20%7D",
                &[],
                b"",
            )
            .await
            .expect("answers");
        assert_eq!(r.status, 405, "{n}: {}", r.text);
        assert_eq!(r.header("allow"), Some("POST"));
    }
    cleanup(servers).await;
}
