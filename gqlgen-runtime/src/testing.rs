//! Helpers for testing a generated API the way clients use it, behind the `testing` cargo
//! feature (a dev-dependency's `features = ["testing"]`), so that release builds leave them out:
//! [`TestServer`] serves a router on a loopback port and sends real HTTP requests to it, as a
//! given user after [`TestServer::login`] (the seed's `execute_query(..., user=...)`);
//! [`TestResponse::assert_no_errors`] and [`TestResponse::assert_error_code`] check answers (the
//! seed's `assertNoErrors`, `assertErrorCode`); [`StatementLog`] records the SQL statements a
//! connection runs and [`StatementLog::assert_statements`] counts them (`assertNumQueries`);
//! [`memory_database`] and [`create_table`] make an SQLite database in memory for fixtures. docs/testing.md shows
//! them together.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A router served on `127.0.0.1` for the life of the value.
pub struct TestServer {
    addr: SocketAddr,
    /// The server's task, when it runs in this process.
    task: Option<tokio::task::JoinHandle<()>>,
    /// Sent as `Authorization: Bearer <token>` by [`TestServer::graphql`] when set.
    pub token: Option<String>,
}

/// A response: status code, headers and JSON body (`Value::Null` when the body is not JSON).
#[derive(Debug, Clone)]
pub struct TestResponse {
    /// The HTTP status code.
    pub status: u16,
    /// Every header, as received.
    pub headers: Vec<(String, String)>,
    /// The body parsed as JSON, or `Value::Null`.
    pub body: Value,
    /// The body as text.
    pub text: String,
}

impl TestResponse {
    /// The value of header `name` (case-insensitive), if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The `extensions.code` of each error, as [`error_codes`].
    pub fn codes(&self) -> Vec<String> {
        error_codes(&self.body)
    }

    /// The `data` of the body.
    pub fn data(&self) -> &Value {
        &self.body["data"]
    }

    /// The `data` of an answer with status 200 and no error; panics with the body otherwise.
    #[track_caller]
    pub fn assert_no_errors(&self) -> &Value {
        assert!(
            self.status == 200 && self.codes().is_empty(),
            "expected no errors, got {} {}",
            self.status,
            self.text
        );
        self.data()
    }

    /// Panics with the body unless some error of the answer has `extensions.code` `code`
    /// (`"PERMISSION_DENIED"`).
    #[track_caller]
    pub fn assert_error_code(&self, code: &str) -> &Self {
        assert!(
            self.codes().iter().any(|c| c == code),
            "expected an error coded {code}, got {} {}",
            self.status,
            self.text
        );
        self
    }
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
            task: Some(task),
            token: None,
        })
    }

    /// A client of a server that runs elsewhere (another process) at `addr`.
    pub fn remote(addr: SocketAddr) -> TestServer {
        TestServer {
            addr,
            task: None,
            token: None,
        }
    }

    /// The server's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Sends `method path` with `body` and returns the response. The body is written while
    /// the answer is read: a server that refuses a large body answers before reading it all,
    /// and closing early is its answer, not a failure.
    pub async fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> std::io::Result<TestResponse> {
        let (mut reader, mut writer) = TcpStream::connect(self.addr).await?.into_split();
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.addr,
            body.len()
        );
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        let write = async {
            if writer.write_all(head.as_bytes()).await.is_ok() {
                let _ = writer.write_all(body).await;
            }
        };
        let read = async {
            let mut raw = Vec::new();
            let mut chunk = [0u8; 16 * 1024];
            loop {
                match reader.read(&mut chunk).await {
                    Ok(0) => return Ok(raw),
                    Ok(n) => raw.extend_from_slice(&chunk[..n]),
                    // A reset after the answer arrived (the server closed on an unread body).
                    Err(_) if !raw.is_empty() => return Ok(raw),
                    Err(err) => return Err(err),
                }
            }
        };
        let ((), raw) = tokio::join!(write, read);
        let raw = String::from_utf8_lossy(&raw?).into_owned();
        let (head, rest) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
            .collect();
        let chunked = headers.iter().any(|(n, v)| {
            n.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
        });
        let text = if chunked {
            dechunk(rest)
        } else {
            rest.to_owned()
        };
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(TestResponse {
            status,
            headers,
            body,
            text,
        })
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

    /// Logs in with `tokenAuth`: the requests that follow run as that user, until
    /// [`TestServer::logout`]. Panics with the answer when the login fails.
    pub async fn login(&mut self, username: &str, password: &str) -> &mut Self {
        let answer = self
            .graphql_as(
                None,
                "mutation($u: String!, $p: String!) { tokenAuth(username: $u, password: $p) { token } }",
                serde_json::json!({ "u": username, "p": password }),
            )
            .await;
        let token = answer.data()["tokenAuth"]["token"].as_str();
        self.token = Some(
            token
                .unwrap_or_else(|| panic!("{username} cannot log in: {}", answer.text))
                .to_owned(),
        );
        self
    }

    /// Sends the requests that follow without a token.
    pub fn logout(&mut self) -> &mut Self {
        self.token = None;
        self
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

fn dechunk(body: &str) -> String {
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
        ..crate::auth::Caller::default()
    }
}

/// The `extensions.code` of each error of a GraphQL response body (of every response, for a
/// batch); `<none>` for an error without one.
pub fn error_codes(body: &Value) -> Vec<String> {
    if let Some(batch) = body.as_array() {
        return batch.iter().flat_map(error_codes).collect();
    }
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
    /// Starts recording every statement `db` runs. Call before the connection is shared. It
    /// takes the connection's metric callback: the statements are still counted in the
    /// metrics, but no longer logged with `log_queries`.
    pub fn record(db: &mut sea_orm::DatabaseConnection) -> StatementLog {
        let log = StatementLog::default();
        let sink = log.0.clone();
        db.set_metric_callback(move |info| {
            crate::observe::count_statement();
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

    /// Panics, listing them, unless `expected` statements ran since the log was made or last
    /// taken; clears the log.
    #[track_caller]
    pub fn assert_statements(&self, expected: usize) {
        let statements = self.take();
        assert!(
            statements.len() == expected,
            "expected {expected} SQL statements, {} ran:\n{}",
            statements.len(),
            statements.join("\n")
        );
    }
}

/// An empty SQLite database in memory, for fixtures. One connection, so that every request of a
/// test sees the same data (each connection to `sqlite::memory:` is a database of its own).
pub async fn memory_database() -> Result<sea_orm::DatabaseConnection, sea_orm::DbErr> {
    let mut options = crate::db::options("sqlite::memory:");
    options.max_connections(1).min_connections(1);
    sea_orm::Database::connect(options).await
}

/// Creates `entity`'s table in `db` as the entity declares it, for tests without migrations.
pub async fn create_table<E: sea_orm::EntityTrait>(
    db: &sea_orm::DatabaseConnection,
    entity: E,
) -> Result<(), sea_orm::DbErr> {
    use sea_orm::{ConnectionTrait, Schema};
    let table = Schema::new(db.get_database_backend()).create_table_from_entity(entity);
    db.execute(&table).await.map(|_| ())
}
