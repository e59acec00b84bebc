//! The media types of the GraphQL-over-HTTP spec: a request's body must be
//! `application/json`; a response is written as `application/graphql-response+json` when the
//! client accepts it, else as `application/json`, chosen from the `Accept` header. The two
//! differ in status codes: under the new type a request the server could not execute at all
//! (a document that does not parse or validate, variables that do not coerce, a document over
//! the limits) is `400` without a `data` entry; under `application/json` every well-formed
//! request is answered `200`, as older clients expect.

use axum::http::{HeaderMap, HeaderValue, header};

/// The media type of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MediaType {
    /// `application/graphql-response+json`.
    GraphqlResponse,
    /// `application/json`.
    Json,
}

impl MediaType {
    /// The type a response to a request with `headers` is written in: the first the `Accept`
    /// header ranks highest among those the server writes. No `Accept` header is
    /// `application/json`; an `Accept` header that allows neither is `None` (406).
    pub(crate) fn negotiate(headers: &HeaderMap) -> Option<MediaType> {
        let Some(accept) = headers.get(header::ACCEPT) else {
            return Some(MediaType::Json);
        };
        let Ok(accept) = accept.to_str() else {
            return None;
        };
        if accept.trim().is_empty() {
            return Some(MediaType::Json);
        }
        let mut best: Option<(f32, MediaType)> = None;
        for range in accept.split(',') {
            let mut parts = range.split(';');
            let essence = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let quality = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let media = match essence.as_str() {
                "application/graphql-response+json" => MediaType::GraphqlResponse,
                // A wildcard lets the server choose: the type every client reads.
                "application/json" | "application/*" | "*/*" => MediaType::Json,
                _ => continue,
            };
            // Ties go to the first listed.
            if quality > 0.0 && best.is_none_or(|(q, _)| quality > q) {
                best = Some((quality, media));
            }
        }
        best.map(|(_, media)| media)
    }

    /// The `Content-Type` of a response in this type.
    pub(crate) fn content_type(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            MediaType::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            MediaType::Json => "application/json",
        })
    }
}

/// Whether a POST body is declared JSON: `application/json`, with or without parameters.
pub(crate) fn is_json_body(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

/// Whether a response is a request error, one the server could not execute at all: no data
/// and no error that belongs to a field.
pub(crate) fn is_request_error(response: &async_graphql::Response) -> bool {
    response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> Option<MediaType> {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_str(value).unwrap());
        MediaType::negotiate(&headers)
    }

    #[test]
    fn the_accept_header_chooses_the_media_type() {
        assert_eq!(
            MediaType::negotiate(&HeaderMap::new()),
            Some(MediaType::Json)
        );
        assert_eq!(
            accept("application/graphql-response+json, application/json;q=0.9"),
            Some(MediaType::GraphqlResponse)
        );
        assert_eq!(
            accept("application/json, application/graphql-response+json"),
            Some(MediaType::Json)
        );
        assert_eq!(
            accept("application/json;q=0.5, application/graphql-response+json"),
            Some(MediaType::GraphqlResponse)
        );
        assert_eq!(accept("text/html, */*;q=0.8"), Some(MediaType::Json));
        assert_eq!(accept("text/html"), None);
        assert_eq!(accept("application/graphql-response+json;q=0"), None);
    }

    #[test]
    fn a_json_body_may_carry_parameters() {
        let mut headers = HeaderMap::new();
        assert!(!is_json_body(&headers));
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        assert!(is_json_body(&headers));
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        assert!(!is_json_body(&headers));
    }
}
