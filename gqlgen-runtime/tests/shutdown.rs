//! Graceful shutdown of `http::serve_until`: requests in flight finish, new connections are
//! refused, and the grace bounds how long a slow request can hold the exit.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, oneshot};
use tokio::task::JoinHandle;

/// A server whose `/slow` says when it started, then waits for `release` (or `hold`, whichever
/// comes first) before answering; `/fast` answers at once.
struct Server {
    addr: SocketAddr,
    started: Arc<Notify>,
    release: Arc<Notify>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

async fn start(hold: Duration, grace: Duration) -> Server {
    let started = Arc::new(Notify::new());
    let release = Arc::new(Notify::new());
    let router = Router::new()
        .route(
            "/slow",
            get({
                let started = started.clone();
                let release = release.clone();
                move || async move {
                    started.notify_one();
                    tokio::select! {
                        () = release.notified() => {}
                        () = tokio::time::sleep(hold) => {}
                    }
                    "done"
                }
            }),
        )
        .route("/fast", get(|| async { "fast" }));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let signal = async move {
        let _ = stopped.await;
    };
    let task = tokio::spawn(gqlgen_runtime::http::serve_until(
        listener, router, signal, grace,
    ));
    Server {
        addr,
        started,
        release,
        stop: Some(stop),
        task,
    }
}

impl Server {
    fn shut_down(&mut self) {
        self.stop.take().unwrap().send(()).unwrap();
    }
}

/// One GET over a fresh connection; the whole response as text.
async fn get_text(addr: SocketAddr, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    response
}

/// Waits until connecting to `addr` is refused, i.e. the listener is closed.
async fn until_refused(addr: SocketAddr) {
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        match TcpStream::connect(addr).await {
            Err(err) if err.kind() == std::io::ErrorKind::ConnectionRefused => return,
            other => {
                assert!(
                    Instant::now() < deadline,
                    "still accepting after shutdown: {other:?}"
                );
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
}

#[tokio::test]
async fn a_request_in_flight_finishes_and_new_connections_are_refused() {
    // The handler answers when released, so "still in flight" does not hang on timing.
    let mut server = start(Duration::from_secs(5), Duration::from_secs(5)).await;
    let client = tokio::spawn(get_text(server.addr, "/slow"));
    tokio::time::timeout(Duration::from_secs(2), server.started.notified())
        .await
        .expect("the request reached its handler");

    server.shut_down();
    until_refused(server.addr).await;
    assert!(
        !server.task.is_finished(),
        "the server waits for the request in flight"
    );

    server.release.notify_one();
    let response = client.await.unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.ends_with("done"), "{response}");
    tokio::time::timeout(Duration::from_secs(2), server.task)
        .await
        .expect("serve_until returns once the request is done")
        .unwrap()
        .expect("a clean shutdown is Ok");
}

#[tokio::test]
async fn the_grace_bounds_how_long_a_slow_request_holds_shutdown() {
    let mut server = start(Duration::from_secs(5), Duration::from_millis(100)).await;
    let client = tokio::spawn(get_text(server.addr, "/slow"));
    tokio::time::timeout(Duration::from_secs(2), server.started.notified())
        .await
        .expect("the request reached its handler");

    let stopping = Instant::now();
    server.shut_down();
    tokio::time::timeout(Duration::from_secs(2), server.task)
        .await
        .expect("serve_until returns after the grace, not after the handler")
        .unwrap()
        .expect("running out of grace is still Ok");
    let took = stopping.elapsed();
    assert!(
        took >= Duration::from_millis(100),
        "the grace was given: {took:?}"
    );
    assert!(took < Duration::from_secs(1), "held {took:?}");
    client.abort();
}

#[tokio::test]
async fn an_idle_keep_alive_connection_does_not_hold_shutdown() {
    let mut server = start(Duration::from_secs(5), Duration::from_secs(5)).await;
    let mut idle = TcpStream::connect(server.addr).await.unwrap();
    idle.write_all(b"GET /fast HTTP/1.1\r\nHost: test\r\n\r\n")
        .await
        .unwrap();
    let mut buffer = [0u8; 1024];
    let read = idle.read(&mut buffer).await.unwrap();
    assert!(buffer[..read].starts_with(b"HTTP/1.1 200"));

    server.shut_down();
    tokio::time::timeout(Duration::from_secs(2), server.task)
        .await
        .expect("an idle connection is closed, not waited for")
        .unwrap()
        .unwrap();
    // The server closed it: the client reads end of stream.
    let read = tokio::time::timeout(Duration::from_secs(2), idle.read(&mut buffer))
        .await
        .expect("closed by the server")
        .unwrap_or(0);
    assert_eq!(read, 0);
}
