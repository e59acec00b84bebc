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
      const fetcher = GraphiQL.createFetcher({
        url: new URL('/graphql', window.location.origin).toString(),
        fetch: (url, options = {}) => fetch(url, { ...options, credentials: 'same-origin' }),
      });
      ReactDOM.createRoot(document.getElementById('graphiql')).render(
        React.createElement(GraphiQL, { fetcher, defaultEditorToolsVisibility: true })
      );
    </script>
  </body>
</html>
"#;
