//! Persisted queries. Automatic persisted queries follow Apollo's protocol: a request may send
//! `extensions.persistedQuery.sha256Hash` without its `query`; a known hash runs the document
//! registered under it, an unknown one answers `PERSISTED_QUERY_NOT_FOUND` (message
//! `PersistedQueryNotFound`), and the client then sends the hash with the query, which registers
//! it after checking the hash. So GET requests stay short and cacheable by a CDN.
//!
//! With an allow-list (`persisted_queries.allow_list`, a manifest file read at start-up) only the
//! documents it lists run, by hash or by text; anything else answers
//! `PERSISTED_QUERY_NOT_IN_LIST` and clients cannot register more.

use std::collections::HashMap;
use std::sync::Arc;

use crate::error::{ErrorCode, GqlError};

/// The registered documents, by the hex SHA-256 of their text.
#[derive(Clone)]
pub struct PersistedQueries {
    known: Known,
}

#[derive(Clone)]
enum Known {
    /// Registered by clients, in memory, at most `max_entries` documents.
    Automatic(moka::sync::Cache<String, Arc<str>>),
    /// The allow-list, fixed at start-up.
    AllowList(Arc<HashMap<String, Arc<str>>>),
}

impl PersistedQueries {
    /// Automatic persisted queries, keeping at most `max_bytes` of documents in memory.
    pub fn automatic(max_bytes: u64) -> PersistedQueries {
        let known = moka::sync::Cache::builder()
            .max_capacity(max_bytes)
            .weigher(|hash: &String, text: &Arc<str>| {
                (hash.len() + text.len()).min(u32::MAX as usize) as u32
            })
            .build();
        PersistedQueries {
            known: Known::Automatic(known),
        }
    }

    /// Only the documents of `manifest` run: Apollo's persisted query manifest
    /// (`{"format": "apollo-persisted-query-manifest", "operations": [{"id", "body"}, …]}`) or a
    /// JSON object of documents by their SHA-256. Every hash is checked against its document.
    pub fn allow_list(manifest: &str) -> Result<PersistedQueries, String> {
        let value: serde_json::Value = serde_json::from_str(manifest)
            .map_err(|err| format!("the persisted query manifest is not JSON: {err}"))?;
        let pairs: Vec<(String, String)> = match value.get("operations") {
            Some(operations) => operations
                .as_array()
                .ok_or("the manifest's `operations` is not a list")?
                .iter()
                .map(|op| {
                    let text = |key: &str| op.get(key).and_then(|v| v.as_str()).map(str::to_owned);
                    text("id")
                        .zip(text("body"))
                        .ok_or_else(|| format!("a manifest operation lacks `id` or `body`: {op}"))
                })
                .collect::<Result<_, _>>()?,
            None => value
                .as_object()
                .ok_or("the manifest is neither Apollo's nor an object of documents by hash")?
                .iter()
                .map(|(hash, body)| {
                    body.as_str()
                        .map(|body| (hash.clone(), body.to_owned()))
                        .ok_or_else(|| format!("the document of `{hash}` is not text"))
                })
                .collect::<Result<_, _>>()?,
        };
        let mut known = HashMap::new();
        for (hash, body) in pairs {
            if sha256(&body) != hash.to_ascii_lowercase() {
                return Err(format!(
                    "the manifest's hash `{hash}` is not its document's SHA-256"
                ));
            }
            known.insert(hash.to_ascii_lowercase(), Arc::from(body));
        }
        Ok(PersistedQueries {
            known: Known::AllowList(Arc::new(known)),
        })
    }

    /// An empty allow-list: nothing runs.
    pub fn nothing() -> PersistedQueries {
        PersistedQueries {
            known: Known::AllowList(Arc::default()),
        }
    }

    /// Fills in or checks `request`'s document by its persisted-query extension, and under an
    /// allow-list refuses documents it does not list.
    pub(crate) fn resolve(&self, request: &mut async_graphql::Request) -> Result<(), GqlError> {
        let hash = persisted_hash(request)?;
        match (&self.known, hash, request.query.is_empty()) {
            (_, None, true) => Ok(()),
            (Known::AllowList(known), None, false) => {
                if known.contains_key(&sha256(&request.query)) {
                    Ok(())
                } else {
                    Err(not_in_list())
                }
            }
            (Known::Automatic(_), None, false) => Ok(()),
            (known, Some(hash), true) => {
                let text = match known {
                    Known::Automatic(cache) => cache.get(&hash),
                    Known::AllowList(list) => list.get(&hash).cloned(),
                };
                match (text, known) {
                    (Some(text), _) => {
                        request.query = text.to_string();
                        Ok(())
                    }
                    (None, Known::AllowList(_)) => Err(not_in_list()),
                    (None, Known::Automatic(_)) => Err(GqlError::new(
                        ErrorCode::PersistedQueryNotFound,
                        "PersistedQueryNotFound",
                    )),
                }
            }
            (known, Some(hash), false) => {
                if sha256(&request.query) != hash {
                    return Err(GqlError::bad_input(
                        "the persisted query's sha256Hash is not the SHA-256 of its query",
                    ));
                }
                match known {
                    Known::Automatic(cache) => {
                        cache.insert(hash, Arc::from(request.query.as_str()));
                        Ok(())
                    }
                    Known::AllowList(list) if list.contains_key(&hash) => Ok(()),
                    Known::AllowList(_) => Err(not_in_list()),
                }
            }
        }
    }
}

fn not_in_list() -> GqlError {
    GqlError::new(
        ErrorCode::PersistedQueryNotInList,
        "this server runs only the documents of its allow-list",
    )
}

/// The hex SHA-256 of `text`, as the cache fingerprints documents.
fn sha256(text: &str) -> String {
    crate::cache::fingerprint(text)
}

/// The `sha256Hash` of `extensions.persistedQuery`, lower-cased; an extension of another version
/// or shape is malformed input.
fn persisted_hash(request: &async_graphql::Request) -> Result<Option<String>, GqlError> {
    let Some(persisted) = request.extensions.get("persistedQuery") else {
        return Ok(None);
    };
    let malformed = || {
        GqlError::bad_input(
            "`extensions.persistedQuery` must be {\"version\": 1, \"sha256Hash\": \"<64 hex digits>\"}",
        )
    };
    let async_graphql::Value::Object(fields) = persisted else {
        return Err(malformed());
    };
    let version = fields.get("version");
    if !matches!(version, Some(async_graphql::Value::Number(n)) if n.as_u64() == Some(1)) {
        return Err(malformed());
    }
    match fields.get("sha256Hash") {
        Some(async_graphql::Value::String(hash))
            if hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()) =>
        {
            Ok(Some(hash.to_ascii_lowercase()))
        }
        _ => Err(malformed()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(query: &str, hash: Option<&str>) -> async_graphql::Request {
        let mut request = async_graphql::Request::new(query);
        if let Some(hash) = hash {
            let extension = serde_json::json!({ "version": 1, "sha256Hash": hash });
            request.extensions.insert(
                "persistedQuery".to_owned(),
                async_graphql::Value::from_json(extension).expect("a value"),
            );
        }
        request
    }

    fn code(result: Result<(), GqlError>) -> Option<&'static str> {
        result.err().map(|err| err.code.as_str())
    }

    #[test]
    fn automatic_persisted_queries_register_then_run_by_hash() {
        let queries = PersistedQueries::automatic(1 << 20);
        let text = "{ products { totalCount } }";
        let hash = sha256(text);
        let mut by_hash = request("", Some(&hash));
        assert_eq!(
            code(queries.resolve(&mut by_hash)),
            Some("PERSISTED_QUERY_NOT_FOUND")
        );
        let mut wrong = request("{ other }", Some(&hash));
        assert_eq!(code(queries.resolve(&mut wrong)), Some("BAD_USER_INPUT"));
        let mut register = request(text, Some(&hash));
        assert_eq!(code(queries.resolve(&mut register)), None);
        let mut by_hash = request("", Some(&hash.to_ascii_uppercase()));
        assert_eq!(code(queries.resolve(&mut by_hash)), None);
        assert_eq!(by_hash.query, text);
        let mut malformed = request("", Some("abc"));
        assert_eq!(
            code(queries.resolve(&mut malformed)),
            Some("BAD_USER_INPUT")
        );
    }

    #[test]
    fn an_allow_list_runs_only_its_documents() {
        let listed = "{ products { totalCount } }";
        let manifest = serde_json::json!({
            "format": "apollo-persisted-query-manifest",
            "version": 1,
            "operations": [{ "id": sha256(listed), "body": listed, "name": "Count", "type": "query" }],
        });
        let queries = PersistedQueries::allow_list(&manifest.to_string()).expect("a manifest");
        let mut by_hash = request("", Some(&sha256(listed)));
        assert_eq!(code(queries.resolve(&mut by_hash)), None);
        assert_eq!(by_hash.query, listed);
        assert_eq!(code(queries.resolve(&mut request(listed, None))), None);
        let other = "{ users { totalCount } }";
        assert_eq!(
            code(queries.resolve(&mut request(other, None))),
            Some("PERSISTED_QUERY_NOT_IN_LIST")
        );
        // No registering past the list.
        assert_eq!(
            code(queries.resolve(&mut request(other, Some(&sha256(other))))),
            Some("PERSISTED_QUERY_NOT_IN_LIST")
        );
        let forged = serde_json::json!({ sha256(other): listed });
        assert!(PersistedQueries::allow_list(&forged.to_string()).is_err());
        let plain = serde_json::json!({ sha256(listed): listed });
        assert!(PersistedQueries::allow_list(&plain.to_string()).is_ok());
    }
}
