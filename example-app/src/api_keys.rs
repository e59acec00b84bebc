//! An authenticator beside the JWT, as a demonstration of the runtime's `Authenticator` chain:
//! `X-Api-Key: <key>` for scripts and services, each key standing for a user, who must still
//! exist and be active. The served app reads its keys from `EXAMPLE_API_KEYS`
//! (`key=user_id,key=user_id`); none by default.

use std::collections::HashMap;
use std::sync::Arc;

use gqlgen_runtime::auth::{Authenticator, BoxFuture};
use gqlgen_runtime::{AuthUser, ErrorCode, GqlError, UserStore};

use crate::accounts::Accounts;

/// The header a key comes in.
pub const HEADER: &str = "x-api-key";

/// Keys and the users they stand for.
pub struct ApiKeys {
    keys: HashMap<String, String>,
    users: Arc<Accounts>,
}

impl ApiKeys {
    /// `keys` maps each key to its user's id.
    pub fn new(keys: HashMap<String, String>, users: Arc<Accounts>) -> ApiKeys {
        ApiKeys { keys, users }
    }

    /// The keys of `EXAMPLE_API_KEYS`'s value: `key=user_id` pairs, comma-separated.
    pub fn parse(text: &str) -> Result<HashMap<String, String>, String> {
        text.split(',')
            .filter(|pair| !pair.trim().is_empty())
            .map(|pair| match pair.split_once('=') {
                Some((key, user)) if !key.trim().is_empty() && !user.trim().is_empty() => {
                    Ok((key.trim().to_owned(), user.trim().to_owned()))
                }
                _ => {
                    Err("EXAMPLE_API_KEYS: expected key=user_id pairs, comma-separated".to_owned())
                }
            })
            .collect()
    }
}

fn refused(message: &str) -> GqlError {
    GqlError::new(ErrorCode::AuthenticationRequired, message)
}

impl Authenticator for ApiKeys {
    fn authenticate<'a>(
        &'a self,
        headers: &'a axum::http::HeaderMap,
    ) -> BoxFuture<'a, Result<Option<AuthUser>, GqlError>> {
        Box::pin(async move {
            let Some(value) = headers.get(HEADER) else {
                return Ok(None);
            };
            let key = value
                .to_str()
                .map_err(|_| refused("the API key is not text"))?;
            let user = self
                .keys
                .get(key)
                .ok_or_else(|| refused("unknown API key"))?;
            match self.users.find_user(user).await? {
                Some(user) => Ok(Some(user)),
                None => Err(refused("the API key's user no longer exists")),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_from_the_setting() {
        let keys = ApiKeys::parse("k1=1, k2=3,").unwrap();
        assert_eq!(keys.get("k1").map(String::as_str), Some("1"));
        assert_eq!(keys.get("k2").map(String::as_str), Some("3"));
        assert!(ApiKeys::parse("k1").is_err());
        assert!(ApiKeys::parse("=1").is_err());
        assert!(ApiKeys::parse("").unwrap().is_empty());
    }
}
