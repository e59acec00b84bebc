//! GraphiQL from the binary: the page on `GET /graphql` (a browser, debug on) and the pinned
//! builds of GraphiQL and React it loads from `/graphiql/`, committed gzip-compressed under
//! `gqlgen-runtime/assets/graphiql` (its `update.sh` rebuilds them from npm). Nothing comes
//! from a CDN, so the IDE works on a machine without internet access.

use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

/// The files under `/graphiql/`: name, content type, gzip-compressed bytes.
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "react.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/react.production.min.js.gz"),
    ),
    (
        "react-dom.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/react-dom.production.min.js.gz"),
    ),
    (
        "graphiql.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/graphiql.min.js.gz"),
    ),
    (
        "graphiql.min.css",
        "text/css; charset=utf-8",
        include_bytes!("../../assets/graphiql/graphiql.min.css.gz"),
    ),
];

/// The GraphiQL page for the endpoint `/graphql`.
pub(crate) fn page() -> Html<&'static str> {
    Html(PAGE)
}

/// `GET /graphiql/{name}`: one of [`ASSETS`], gzip-compressed as stored. Every browser accepts
/// gzip; a client that does not gets 406 rather than bytes it cannot read.
pub(crate) async fn asset(Path(name): Path<String>, headers: HeaderMap) -> Response {
    let Some((_, content_type, bytes)) = ASSETS.iter().find(|(n, _, _)| *n == name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let gzip = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
    if !gzip {
        return StatusCode::NOT_ACCEPTABLE.into_response();
    }
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_ENCODING, HeaderValue::from_static("gzip")),
            // The files change only with the binary.
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ),
        ],
        *bytes,
    )
        .into_response()
}

const PAGE: &str = r#"<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="robots" content="noindex">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>GraphiQL</title>
    <style>
      body { height: 100%; margin: 0; width: 100%; overflow: hidden; }
      #graphiql { height: 100vh; }
    </style>
    <script src="/graphiql/react.production.min.js"></script>
    <script src="/graphiql/react-dom.production.min.js"></script>
    <link rel="stylesheet" href="/graphiql/graphiql.min.css">
  </head>
  <body>
    <div id="graphiql">Loading...</div>
    <script src="/graphiql/graphiql.min.js"></script>
    <script>
      const endpoint = new URL('/graphql', window.location.origin).toString();
      const http = GraphiQL.createFetcher({
        url: endpoint,
        fetch: (url, options = {}) => fetch(url, { ...options, credentials: 'same-origin' }),
      });
      // Subscriptions run over /graphql/ws (graphql-transport-ws), one connection each, with
      // the Authorization header of the headers tab as the connection's token.
      function subscribe(params, headers) {
        const queue = [];
        let wake = null;
        const push = (item) => { queue.push(item); if (wake) { wake(); wake = null; } };
        const socket = new WebSocket(endpoint.replace(/^http/, 'ws') + '/ws', 'graphql-transport-ws');
        const token = headers && (headers.Authorization || headers.authorization);
        socket.onopen = () => socket.send(JSON.stringify({
          type: 'connection_init', payload: token ? { Authorization: token } : {},
        }));
        socket.onmessage = (event) => {
          const message = JSON.parse(event.data);
          if (message.type === 'connection_ack') {
            socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: params }));
          } else if (message.type === 'next') {
            push({ value: message.payload });
          } else if (message.type === 'error') {
            push({ value: { errors: message.payload } });
            push({ done: true });
          } else if (message.type === 'complete') {
            push({ done: true });
          } else if (message.type === 'ping') {
            socket.send(JSON.stringify({ type: 'pong' }));
          }
        };
        socket.onclose = (event) => {
          if (event.code !== 1000) {
            push({ value: { errors: [{ message: `the connection closed (${event.code}) ${event.reason}` }] } });
          }
          push({ done: true });
        };
        return {
          [Symbol.asyncIterator]() { return this; },
          next() {
            if (queue.length > 0) {
              const item = queue.shift();
              return Promise.resolve(item.done ? { value: undefined, done: true } : { value: item.value, done: false });
            }
            return new Promise((resolve) => { wake = resolve; }).then(() => this.next());
          },
          return() {
            socket.close(1000);
            return Promise.resolve({ value: undefined, done: true });
          },
        };
      }
      const isSubscription = (params) => new RegExp(
        params.operationName ? 'subscription\\s+' + params.operationName + '\\b' : '^\\s*subscription\\b', 'm'
      ).test(params.query);
      const fetcher = (params, options) =>
        isSubscription(params) ? subscribe(params, options && options.headers) : http(params, options);
      ReactDOM.createRoot(document.getElementById('graphiql')).render(
        React.createElement(GraphiQL, { fetcher, defaultEditorToolsVisibility: true })
      );
    </script>
  </body>
</html>
"#;
