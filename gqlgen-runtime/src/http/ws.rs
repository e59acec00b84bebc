//! `GET /graphql/ws`: subscriptions (and any operation) over a WebSocket, in either protocol a
//! client asks for, `graphql-transport-ws` or the legacy `graphql-ws` (async-graphql speaks
//! both). The gates are HTTP's: the token comes in `connection_init`'s payload
//! (`{"Authorization": "Bearer …"}` or `{"authToken": "…"}`) and is checked, rate limit
//! included, like a header; a refused one closes the connection (`4403` in
//! graphql-transport-ws, `connection_error` in graphql-ws). Each operation then passes the
//! persisted queries' allow-list, the query limits and analyzers and spends the caller's
//! rate-limit budget before it runs, under the
//! connection's caller, and a connection runs at
//! most `subscriptions.max_per_connection` operations at once (`RATE_LIMITED` beyond). Every
//! `subscriptions.keepalive` the server sends a WebSocket ping and checks the token again: a
//! revoked token, or its user deactivated, closes the connection with `4401`, as does the
//! token's expiry, at its time; one that sends no `connection_init` within
//! `subscriptions.init_timeout` is closed with `4408`. Outgoing messages wait in a queue of
//! `subscriptions.send_buffer`: a client that falls further behind is closed with `1013` and
//! what it had not read is counted as dropped ([`crate::events::Events::dropped`]); one whose
//! socket takes no message for `subscriptions.send_timeout` is disconnected.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use async_graphql::futures_util::stream::{self, BoxStream, StreamExt as _};
use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql::parser::types::{ExecutableDocument, OperationType};
use async_graphql::{Data, Executor, ObjectType, SubscriptionType};
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::Extension;
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use axum::extract::{ConnectInfo, State, WebSocketUpgrade};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;

use self::outbox::{Outbox, Overflow};
use super::{AppState, Named};
use crate::auth::Caller;
use crate::error::{ErrorCode, GqlError};
use tracing::Instrument as _;

mod outbox;

/// Upgrades the request to a WebSocket serving GraphQL.
pub(super) async fn upgrade<Q, M, S>(
    State(state): State<AppState<Q, M, S>>,
    protocol: GraphQLProtocol,
    headers: HeaderMap,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    upgrade: WebSocketUpgrade,
) -> Response
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    let peer = peer.map(|Extension(info)| info.0);
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| serve(state, socket, protocol, headers, peer))
}

/// Runs one connection: the GraphQL protocol, keep-alive pings, and the watch on its token.
async fn serve<Q, M, S>(
    state: AppState<Q, M, S>,
    socket: WebSocket,
    protocol: GraphQLProtocol,
    headers: HeaderMap,
    peer: Option<SocketAddr>,
) where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    let settings = state.config.subscriptions.clone();
    let _open = state.metrics.websocket();
    let (sink, stream) = futures_util::StreamExt::split(socket);
    let sink = tokio::sync::Mutex::new(sink);
    // The protocol's messages and the pings go through one bounded queue, written by one
    // writer: producing never waits for the client.
    let (outbox, queue) = Outbox::new(settings.send_buffer as usize);
    let writer =
        futures_util::sink::unfold(outbox.clone(), |outbox, message: Message| async move {
            outbox.push(refusal_code(message))?;
            Ok::<_, Overflow>(outbox)
        });
    // Set by `connection_init`, read by the operations and the token's watch.
    let (session, mut admitted) = tokio::sync::watch::channel(None::<Session>);
    let executor = Checked {
        state: state.clone(),
        session: admitted.clone(),
        active: Arc::new(AtomicUsize::new(0)),
        peer,
    };
    let init_state = state.clone();
    let protocol_task = GraphQLWebSocket::new_with_pair(writer, stream, executor, protocol)
        .on_connection_init(move |payload| async move {
            let (caller, authorization) = admit(&init_state, headers, &payload, peer).await?;
            let mut data = Data::default();
            data.insert(caller.clone());
            data.insert(init_state.events.clone());
            // A mutation over the socket ends cached answers as one over HTTP does.
            if let Some((cache, _)) = &init_state.cache {
                data.insert(cache.clone());
            }
            let _ = session.send(Some(Session {
                caller,
                authorization,
            }));
            Ok(data)
        })
        .serve();
    let watch = async {
        // Until `connection_init` is accepted there is no token to watch, and it must come
        // within the init timeout.
        let admitted =
            tokio::time::timeout(settings.init_timeout, admitted.wait_for(Option::is_some))
                .await
                .map(|session| session.map(|s| s.as_ref().and_then(|s| s.authorization.clone())));
        match admitted {
            Err(_) => (INIT_TIMEOUT, "connection_init did not come in time"),
            Ok(Err(_)) => std::future::pending().await,
            Ok(Ok(authorization)) => {
                let reason = watch_token(&state, &outbox, authorization.as_deref()).await;
                (TOKEN_ENDED, reason)
            }
        }
    };
    // Boxed so that it can be dropped, and the socket's lock with it, before a close frame.
    let mut drained = Box::pin(outbox::drain(&sink, queue, settings.send_timeout));
    let closing = tokio::select! {
        () = protocol_task => None,
        closing = watch => Some(closing),
        // The client stopped reading, or the socket failed: nothing more can be written.
        () = &mut drained => return,
    };
    if outbox.overflowed() {
        // Whatever was still queued is lost with the message that did not fit.
        let dropped = outbox.queued() + 1;
        state.events.count_dropped(dropped as u64);
        tracing::info!(
            dropped,
            "a WebSocket client fell too far behind; disconnected"
        );
        drop(drained);
        let close = close_frame(SLOW_CLIENT, "the client did not read its messages in time");
        let _ = outbox::write(&sink, close, settings.send_timeout).await;
        return;
    }
    if let Some((code, reason)) = closing {
        let _ = outbox.push(close_frame(code, reason));
    }
    // What the protocol queued last (its own close frame, say) is still written.
    drop(outbox);
    drained.await;
}

fn close_frame(code: u16, reason: &'static str) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}

/// The close code of a connection whose token expired or was revoked (graphql-ws's
/// `4401 Unauthorized`).
const TOKEN_ENDED: u16 = 4401;

/// The close code of a connection that sent no `connection_init` within
/// `subscriptions.init_timeout` (graphql-ws's `4408`).
const INIT_TIMEOUT: u16 = 4408;

/// The close code of a connection whose client fell `subscriptions.send_buffer` messages
/// behind: `1013 Try Again Later`, which tells a client to reconnect and read the state again.
const SLOW_CLIENT: u16 = 1013;

/// async-graphql closes a refused graphql-transport-ws connection with 1002; the protocol's
/// code for it is 4403 (Forbidden).
fn refusal_code(message: Message) -> Message {
    match message {
        Message::Close(Some(frame)) if frame.code == 1002 && frame.reason.as_str() == REFUSED => {
            Message::Close(Some(CloseFrame {
                code: 4403,
                reason: frame.reason,
            }))
        }
        other => other,
    }
}

/// Pings the client every keep-alive interval and checks the connection's token: returns why
/// the connection must close once the token expired, was revoked or its user was deactivated.
async fn watch_token<Q, M, S>(
    state: &AppState<Q, M, S>,
    outbox: &Outbox<Message>,
    authorization: Option<&str>,
) -> &'static str {
    let settings = &state.config.subscriptions;
    let expiry = authorization
        .zip(state.auth.as_ref())
        .and_then(|(authorization, auth)| auth.expiry(authorization));
    loop {
        let mut wait = settings.keepalive;
        if let Some(expiry) = expiry {
            let left = expiry.saturating_sub(now_secs());
            wait = wait.min(Duration::from_secs(left));
        }
        tokio::time::sleep(wait).await;
        if expiry.is_some_and(|expiry| now_secs() >= expiry) {
            return "the token expired";
        }
        if let (Some(authorization), Some(auth)) = (authorization, &state.auth)
            && let Err(err) = auth.authenticate(Some(authorization)).await
            && err.code == ErrorCode::AuthenticationRequired
        {
            return "the token was revoked";
        }
        // A full queue ends the connection through the protocol's next message, or through
        // the writer's send timeout.
        if outbox.push(Message::Ping(Default::default())).is_err() {
            return std::future::pending().await;
        }
    }
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// What `connection_init` established.
struct Session {
    caller: Caller,
    /// The `Authorization` the connection authenticated with, to check it again.
    authorization: Option<String>,
}

/// The connection's caller, from the token of `connection_init`'s payload (else the upgrade
/// request's headers, for the other authenticators), through the same gates as HTTP.
async fn admit<Q, M, S>(
    state: &AppState<Q, M, S>,
    mut headers: HeaderMap,
    payload: &serde_json::Value,
    peer: Option<SocketAddr>,
) -> async_graphql::Result<(Caller, Option<String>)> {
    let text = |key: &str| payload.get(key).and_then(serde_json::Value::as_str);
    let authorization = text("Authorization")
        .or_else(|| text("authorization"))
        .map(str::to_owned)
        .or_else(|| text("authToken").map(|token| format!("Bearer {token}")));
    if let Some(authorization) = &authorization {
        let value = HeaderValue::from_str(authorization)
            .map_err(|_| GqlError::bad_input("the token is not text"))?;
        headers.insert(header::AUTHORIZATION, value);
    }
    let caller = super::admit(state, &headers, peer)
        .await
        .map_err(|_| async_graphql::Error::new(REFUSED))?;
    Ok((caller, authorization))
}

/// Why a connection is refused at `connection_init`: its token, or its rate.
const REFUSED: &str = "the connection's credentials were refused";

/// The schema, behind the query limits, the analyzers and the connection's limit of
/// operations, as the WebSocket's executor.
struct Checked<Q, M, S> {
    state: AppState<Q, M, S>,
    session: tokio::sync::watch::Receiver<Option<Session>>,
    /// The operations running on the connection.
    active: Arc<AtomicUsize>,
    /// The client's address, the rate limit's key when it is anonymous.
    peer: Option<SocketAddr>,
}

impl<Q, M, S> Clone for Checked<Q, M, S> {
    fn clone(&self) -> Self {
        Checked {
            state: self.state.clone(),
            session: self.session.clone(),
            active: self.active.clone(),
            peer: self.peer,
        }
    }
}

/// Counts an operation as running while it lives.
struct Running(Arc<AtomicUsize>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl<Q, M, S> Checked<Q, M, S>
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    /// The document the limits parsed, or why the limits or an analyzer refuse the request.
    fn check(
        &self,
        request: &mut async_graphql::Request,
    ) -> Result<Option<Arc<ExecutableDocument>>, GqlError> {
        let config = &self.state.config;
        // Persisted queries (and their allow-list) hold over the socket as over HTTP.
        let checked = self.state.persisted.resolve(request).and_then(|()| {
            crate::limits::check_request(
                request,
                &config.limits,
                config.default_page_size,
                config.introspection,
                Some(&self.state.documents),
            )
        });
        let caller = self.caller();
        let checked = checked.and_then(|document| {
            super::analyze(&self.state, document.as_deref(), request, &caller).map(|()| document)
        });
        checked.inspect_err(|err| {
            tracing::info!(
                code = err.code.as_str(),
                "operation refused before execution"
            );
        })
    }

    /// The one response of an operation refused with `err`.
    fn refusal(&self, err: GqlError) -> async_graphql::Response {
        self.finish(async_graphql::Response::from_errors(vec![
            err.into_server_error(),
        ]))
    }

    /// The connection's caller: anonymous before `connection_init` is accepted.
    fn caller(&self) -> Caller {
        self.session
            .borrow()
            .as_ref()
            .map_or_else(Caller::default, |s| s.caller.clone())
    }

    fn finish(&self, mut response: async_graphql::Response) -> async_graphql::Response {
        crate::error::finish_response_with(
            &mut response,
            self.state.config.debug,
            self.state.error_formatter.as_deref(),
        );
        response
    }

    /// Records an answered operation (or a refused subscription) as the HTTP handler does;
    /// `ran` is false for one refused before execution.
    fn observe(
        &self,
        named: &Named,
        started: Instant,
        statements: u64,
        response: &async_graphql::Response,
        ran: bool,
    ) {
        super::observe(
            &self.state,
            named,
            &self.caller(),
            started,
            statements,
            &super::codes(response),
            ran,
        );
    }

    /// `refused` as the operation's one message, recorded.
    fn refuse(
        &self,
        named: &Named,
        started: Instant,
        refused: async_graphql::Response,
    ) -> BoxStream<'static, async_graphql::Response> {
        self.observe(named, started, 0, &refused, false);
        stream::once(async move { refused }).boxed()
    }
}

impl<Q, M, S> Executor for Checked<Q, M, S>
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    async fn execute(&self, request: async_graphql::Request) -> async_graphql::Response {
        // Not called by the protocol, which runs every operation as a stream.
        let mut answers = self.execute_stream(request, None);
        answers.next().await.unwrap_or_default()
    }

    /// Queries and mutations are recorded in the metrics and the log as over HTTP, their SQL
    /// statements counted, in an operation span; a subscription counts in
    /// `graphql_subscriptions_total` and `graphql_subscriptions_active` while it runs.
    fn execute_stream(
        &self,
        mut request: async_graphql::Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, async_graphql::Response> {
        let started = Instant::now();
        let document = match self.check(&mut request) {
            Ok(document) => document,
            Err(err) => {
                let refused = self.refusal(err);
                return self.refuse(&Named::of(&request, None), started, refused);
            }
        };
        let named = Named::of(&request, document.as_deref());
        let max = self.state.config.subscriptions.max_per_connection as usize;
        if self.active.fetch_add(1, Ordering::SeqCst) >= max {
            self.active.fetch_sub(1, Ordering::SeqCst);
            let err = GqlError::new(
                ErrorCode::RateLimited,
                format!("this connection already runs {max} operations, its limit"),
            );
            return self.refuse(&named, started, self.refusal(err));
        }
        let running = Running(self.active.clone());
        let this = self.clone();
        let session_data = session_data.unwrap_or_default();
        stream::once(async move {
            // Each operation spends the caller's rate-limit budget, as each HTTP request does.
            if let Some(refused) = this.rate_limited().await {
                drop(running);
                return this.refuse(&named, started, refused);
            }
            let mut answers = this
                .state
                .schema
                .execute_stream_with_session_data(request, session_data);
            if named.kind == Some(OperationType::Subscription) {
                let subscribed = this.state.metrics.subscription(named.operation.as_deref());
                let finisher = this.clone();
                return answers
                    .map(move |response| {
                        let _running = (&running, &subscribed);
                        finisher.finish(response)
                    })
                    .boxed();
            }
            // A query or a mutation: one answer, whose statements are counted while it runs.
            let (response, statements) =
                crate::observe::counting_statements(async { answers.next().await })
                    .instrument(named.span())
                    .await;
            let response = this.finish(response.unwrap_or_default());
            this.observe(&named, started, statements, &response, true);
            // Nothing follows a query's answer; whatever might is still passed on.
            let finisher = this.clone();
            let rest = answers.map(move |response| {
                let _running = &running;
                finisher.finish(response)
            });
            stream::once(async move { response }).chain(rest).boxed()
        })
        .flatten()
        .boxed()
    }
}

impl<Q, M, S> Checked<Q, M, S>
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    /// The refusal of an operation over the caller's rate limit (by user, or by the client's
    /// address when anonymous), if it is over.
    async fn rate_limited(&self) -> Option<async_graphql::Response> {
        let user = self
            .session
            .borrow()
            .as_ref()
            .and_then(|s| s.caller.user().map(|user| user.id.clone()));
        let (err, _) = self
            .state
            .over_rate_limit(user.as_deref(), self.peer)
            .await?;
        Some(self.refusal(err))
    }
}
