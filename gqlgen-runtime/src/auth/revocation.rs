//! Revoked token ids, kept until the token would have expired anyway: in memory for one process,
//! or in Redis so that every instance of the server sees a logout.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use moka::Expiry;
use moka::future::Cache;
use redis::aio::ConnectionManager;

use super::Claims;
use crate::error::GqlError;

/// Shortest time a revocation is kept: Redis's `EX` takes whole seconds, at least one.
const MIN_RETENTION: Duration = Duration::from_secs(1);

/// Where the Redis keys live: `gqlgen:revoked:<jti>`.
const REDIS_KEY_PREFIX: &str = "gqlgen:revoked:";

/// Revoked token ids until the token would have expired anyway.
pub struct Revocations {
    store: Store,
    /// Kept beyond `exp`: a token is accepted up to the leeway after it (set by `Auth::new`).
    pub(crate) grace: Duration,
}

enum Store {
    /// Unbounded on purpose: evicting an entry early would make a revoked token valid again.
    /// Entries leave when their token expires; only holders of a valid token can add one.
    Memory(Cache<String, Duration>),
    Redis(ConnectionManager),
}

/// Each entry lives for the duration stored as its value: its token's remaining lifetime.
struct RemainingLifetime;

impl Expiry<String, Duration> for RemainingLifetime {
    fn expire_after_create(
        &self,
        _jti: &String,
        remaining: &Duration,
        _: Instant,
    ) -> Option<Duration> {
        Some(*remaining)
    }
}

impl Revocations {
    /// Revocations held by this process alone.
    pub fn memory() -> Self {
        let cache = Cache::builder().expire_after(RemainingLifetime).build();
        Revocations {
            store: Store::Memory(cache),
            grace: Duration::ZERO,
        }
    }

    /// Revocations shared through the Redis server at `url` (`REDIS_URL`). Connects now, so a
    /// wrong URL stops the server at startup; reconnects by itself afterwards.
    pub async fn redis(url: &str) -> Result<Self, String> {
        let connection = crate::db::redis_connection(url).await?;
        Ok(Revocations {
            store: Store::Redis(connection),
            grace: Duration::ZERO,
        })
    }

    /// Records that the token of `claims` is revoked.
    pub async fn revoke(&self, claims: &Claims) -> Result<(), GqlError> {
        self.try_revoke(claims).await.map(|_| ())
    }

    /// Records that the token of `claims` is revoked, atomically: `true` when this call revoked
    /// it, `false` when it already was. Refresh-token rotation uses it so that two concurrent
    /// uses of one refresh token cannot both succeed.
    pub async fn try_revoke(&self, claims: &Claims) -> Result<bool, GqlError> {
        let retention = self.retention(claims);
        match &self.store {
            Store::Memory(cache) => {
                // `or_insert_with`, not `or_insert`: it runs one initialiser per key at a
                // time, so exactly one of concurrent callers sees a fresh entry.
                let entry = cache
                    .entry(claims.jti.clone())
                    .or_insert_with(async move { retention })
                    .await;
                Ok(entry.is_fresh())
            }
            Store::Redis(connection) => {
                // Whole seconds, rounded up so the key never outlives the token by less.
                let seconds = retention.as_secs() + u64::from(retention.subsec_nanos() > 0);
                let mut connection = connection.clone();
                let mut command = redis::cmd("SET");
                command
                    .arg(redis_key(&claims.jti))
                    .arg(1)
                    .arg("EX")
                    .arg(seconds)
                    .arg("NX");
                let set: Option<String> =
                    crate::db::redis_call(command.query_async(&mut connection))
                        .await
                        .map_err(|e| GqlError::internal(format!("Redis: revoking a token: {e}")))?;
                Ok(set.is_some())
            }
        }
    }

    /// Whether the token with id `jti` is revoked. A Redis failure is an error, never "not
    /// revoked": a logout must not be undone by an outage.
    pub async fn is_revoked(&self, jti: &str) -> Result<bool, GqlError> {
        match &self.store {
            Store::Memory(cache) => Ok(cache.get(jti).await.is_some()),
            Store::Redis(connection) => {
                let mut connection = connection.clone();
                let mut command = redis::cmd("EXISTS");
                command.arg(redis_key(jti));
                crate::db::redis_call(command.query_async(&mut connection))
                    .await
                    .map_err(|e| GqlError::internal(format!("Redis: checking a revocation: {e}")))
            }
        }
    }

    /// How long the revocation of the token of `claims` must be kept: until it expires, plus
    /// the grace during which an expired token is still accepted.
    fn retention(&self, claims: &Claims) -> Duration {
        let expires = UNIX_EPOCH + Duration::from_secs(claims.exp) + self.grace;
        expires
            .duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO)
            .max(MIN_RETENTION)
    }
}

fn redis_key(jti: &str) -> String {
    format!("{REDIS_KEY_PREFIX}{jti}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::jwt::now_secs;
    use crate::auth::{Jwt, TokenType};
    use crate::config::JwtSettings;

    fn claims_expiring_in(seconds: u64) -> Claims {
        Claims {
            token_type: TokenType::Access,
            user_id: "1".into(),
            exp: now_secs() + seconds,
            iat: now_secs(),
            nbf: now_secs(),
            jti: uuid::Uuid::new_v4().simple().to_string(),
            iss: None,
            aud: None,
        }
    }

    #[test]
    fn a_revocation_is_kept_for_the_token_s_remaining_lifetime_and_grace() {
        let mut revocations = Revocations::memory();
        let retention = revocations.retention(&claims_expiring_in(100));
        assert!(retention > Duration::from_secs(98) && retention <= Duration::from_secs(100));
        revocations.grace = Duration::from_secs(30);
        let retention = revocations.retention(&claims_expiring_in(100));
        assert!(retention > Duration::from_secs(128) && retention <= Duration::from_secs(130));
        let expired = Claims {
            exp: now_secs() - 1000,
            ..claims_expiring_in(0)
        };
        assert_eq!(revocations.retention(&expired), MIN_RETENTION);
        assert_eq!(
            RemainingLifetime.expire_after_create(&"jti".into(), &retention, Instant::now()),
            Some(retention)
        );
    }

    #[tokio::test]
    async fn memory_revocations_expire_with_their_token() {
        let jwt = Jwt::new(&JwtSettings {
            access_lifetime: Duration::from_secs(2),
            ..crate::auth::jwt::tests::hs256_settings()
        })
        .unwrap();
        let token = jwt.issue("1", TokenType::Access).unwrap();
        let claims = jwt.decode(&token, TokenType::Access).unwrap();
        let revocations = Revocations::memory();
        assert!(!revocations.is_revoked(&claims.jti).await.unwrap());
        assert!(revocations.try_revoke(&claims).await.unwrap());
        assert!(
            !revocations.try_revoke(&claims).await.unwrap(),
            "already revoked"
        );
        assert!(revocations.is_revoked(&claims.jti).await.unwrap());
        assert!(!revocations.is_revoked("another-jti").await.unwrap());
        // The token lives at most 2 s from the start of the second it was issued in.
        tokio::time::sleep(Duration::from_millis(2200)).await;
        assert!(!revocations.is_revoked(&claims.jti).await.unwrap());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn of_concurrent_revocations_of_one_token_exactly_one_is_first() {
        let revocations = std::sync::Arc::new(Revocations::memory());
        let claims = claims_expiring_in(60);
        let attempts: Vec<_> = (0..16)
            .map(|_| {
                let (revocations, claims) = (revocations.clone(), claims.clone());
                tokio::spawn(async move { revocations.try_revoke(&claims).await.unwrap() })
            })
            .collect();
        let mut firsts = 0;
        for attempt in attempts {
            firsts += usize::from(attempt.await.unwrap());
        }
        assert_eq!(firsts, 1);
    }

    #[tokio::test]
    async fn redis_revocations_are_shared_between_instances() {
        let Ok(url) = std::env::var("REDIS_URL") else {
            eprintln!("REDIS_URL is not set: skipping the Redis revocation test");
            return;
        };
        let first = Revocations::redis(&url).await.unwrap();
        let second = Revocations::redis(&url).await.unwrap();
        let claims = claims_expiring_in(60);
        assert!(!second.is_revoked(&claims.jti).await.unwrap());
        first.revoke(&claims).await.unwrap();
        assert!(second.is_revoked(&claims.jti).await.unwrap());
        assert!(
            !second.try_revoke(&claims).await.unwrap(),
            "already revoked"
        );

        let Store::Redis(connection) = &second.store else {
            unreachable!()
        };
        let ttl: i64 = redis::cmd("TTL")
            .arg(redis_key(&claims.jti))
            .query_async(&mut connection.clone())
            .await
            .unwrap();
        assert!((55..=60).contains(&ttl), "TTL {ttl}");
    }

    #[tokio::test]
    async fn a_wrong_redis_url_is_reported() {
        let err = Revocations::redis("not a url").await.err().unwrap();
        assert!(err.contains("REDIS_URL"), "{err}");
    }
}
