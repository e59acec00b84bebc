//! Helpers for testing a generated API the way clients use it: [`TestServer`] serves a router on
//! a loopback port and sends real HTTP requests to it, and [`StatementLog`] records the SQL
//! statements a database connection runs (the seed's `assertNumQueries`).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A router served on `127.0.0.1` for the life of the value.
pub struct TestServer {
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
    /// Sent as `Authorization: Bearer <token>` by [`TestServer::graphql`] when set.
    pub token: Option<String>,
}

/// A response: status code and JSON body (`Value::Null` when the body is not JSON).
#[derive(Debug, Clone)]
pub struct TestResponse {
    pub status: u16,
    pub body: Value,
    pub text: String,
}

impl TestServer {
    /// Serves `router` on a free loopback port.
    pub async fn start(router: Router) -> std::io::Result<TestServer> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            let service = router.into_make_service_with_connect_info::<SocketAddr>();
            let _ = axum::serve(listener, service).await;
        });
        Ok(TestServer {
            addr,
            task,
            token: None,
        })
    }

    /// The server's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Sends `method path` with `body` and returns the response.
    pub async fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> std::io::Result<TestResponse> {
        let mut stream = TcpStream::connect(self.addr).await?;
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.addr,
            body.len()
        );
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(body).await?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await?;
        let raw = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let text = if head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked")
        {
            dechunk(body)
        } else {
            body.to_owned()
        };
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(TestResponse { status, body, text })
    }

    /// POSTs a GraphQL query with variables to `/graphql`, with the server's token if set.
    pub async fn graphql(&self, query: &str, variables: Value) -> TestResponse {
        self.graphql_as(self.token.as_deref(), query, variables)
            .await
    }

    /// POSTs a GraphQL query with variables to `/graphql` with `token` (or none).
    pub async fn graphql_as(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> TestResponse {
        let body = serde_json::json!({ "query": query, "variables": variables });
        let bearer = token.map(|t| format!("Bearer {t}"));
        let mut headers = vec![("Content-Type", "application/json")];
        if let Some(bearer) = &bearer {
            headers.push(("Authorization", bearer));
        }
        self.request("POST", "/graphql", &headers, body.to_string().as_bytes())
            .await
            .expect("the test server answers")
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The body of a `Transfer-Encoding: chunked` response, for clients reading raw HTTP.
pub fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if size == 0 || tail.len() < size {
            break;
        }
        out.push_str(&tail[..size]);
        rest = tail[size..].trim_start_matches("\r\n");
    }
    out
}

/// A caller holding every permission, for running a schema directly (without the router) in
/// tests and examples: `schema.execute(request.data(testing::superuser()))`.
pub fn superuser() -> crate::auth::Caller {
    crate::auth::Caller {
        user: Some(crate::auth::AuthUser {
            id: "0".to_owned(),
            username: "superuser".to_owned(),
            is_active: true,
            is_staff: true,
            is_superuser: true,
            permissions: Vec::new(),
        }),
    }
}

/// The `extensions.code` of each error of a GraphQL response body.
pub fn error_codes(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    e["extensions"]["code"]
                        .as_str()
                        .unwrap_or("<none>")
                        .to_owned()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The SQL statements run on a connection since the log was made or last taken.
#[derive(Clone, Default)]
pub struct StatementLog(Arc<Mutex<Vec<String>>>);

impl StatementLog {
    /// Starts recording every statement `db` runs. Call before the connection is shared.
    pub fn record(db: &mut sea_orm::DatabaseConnection) -> StatementLog {
        let log = StatementLog::default();
        let sink = log.0.clone();
        db.set_metric_callback(move |info| {
            sink.lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(info.statement.to_string());
        });
        log
    }

    /// The statements recorded so far, clearing the log.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}
