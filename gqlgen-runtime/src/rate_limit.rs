//! Token-bucket rate limiting per client key ("user:42", "ip:127.0.0.1"): each key has a bucket of
//! `burst_limit` tokens, refilled continuously at `requests_per_minute / 60` tokens a second, and
//! a request takes one token or is refused with the seconds until the next one. The buckets live
//! in this process ([`RateLimiter::memory`]) or in Redis ([`RateLimiter::redis`]), where several
//! instances of the API share one budget per key.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use moka::ops::compute::Op;
use moka::policy::EvictionPolicy;
use moka::sync::Cache;
use redis::aio::ConnectionManager;

use crate::config::RateLimitSettings;

/// Buckets kept in memory at most; past that the least recently used one is dropped (it comes
/// back full, which costs at most one extra burst to a key idle for that long).
const MEMORY_MAX_BUCKETS: u64 = 100_000;

/// Prefix of the Redis hashes that hold the buckets.
const REDIS_KEY_PREFIX: &str = "gqlgen:ratelimit:";

/// Takes one token from the bucket `KEYS[1]` atomically, on the server's clock.
/// ARGV: capacity, requests per minute. Returns {1, 0} when allowed, {0, ms until a token} when not.
const TAKE_TOKEN_SCRIPT: &str = r#"
-- Redis < 5 replicates scripts verbatim, and refuses writes after TIME unless told to
-- replicate effects instead; later versions always do, and may drop this call.
if redis.replicate_commands then redis.replicate_commands() end
local capacity = tonumber(ARGV[1])
local tokens_per_ms = tonumber(ARGV[2]) / 60000
local time = redis.call('TIME')
local now_ms = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local stored = redis.call('HMGET', KEYS[1], 'tokens', 'refilled_at')
local tokens = tonumber(stored[1])
local refilled_at = tonumber(stored[2])
if tokens == nil or refilled_at == nil then
  tokens = capacity
  refilled_at = now_ms
end
tokens = math.min(capacity, tokens + math.max(0, now_ms - refilled_at) * tokens_per_ms)
local allowed = 0
local retry_after_ms = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  retry_after_ms = math.ceil((1 - tokens) / tokens_per_ms)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'refilled_at', now_ms)
-- Once full again the bucket equals a missing one, so let it vanish then.
redis.call('PEXPIRE', KEYS[1], math.max(1, math.ceil((capacity - tokens) / tokens_per_ms)))
return {allowed, retry_after_ms}
"#;

/// What a [`RateLimiter::check`] decided for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// A token was taken: serve the request.
    Allowed,
    /// The bucket is empty: refuse the request (HTTP 429 with `Retry-After`).
    Limited {
        /// Seconds until one token is back, rounded up, at least 1.
        retry_after_secs: u64,
    },
}

/// One token bucket per key, in memory or in Redis. Cheap to clone: clones share the buckets.
#[derive(Clone)]
pub struct RateLimiter {
    backend: Arc<Backend>,
}

enum Backend {
    Memory(MemoryBuckets),
    Redis(RedisBuckets),
}

impl fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (backend, policy) = match &*self.backend {
            Backend::Memory(buckets) => ("memory", &buckets.policy),
            Backend::Redis(buckets) => ("redis", &buckets.policy),
        };
        f.debug_struct("RateLimiter")
            .field("backend", &backend)
            .field("capacity", &policy.capacity)
            .field("requests_per_minute", &policy.requests_per_minute)
            .finish()
    }
}

impl RateLimiter {
    /// Buckets in this process: each instance of the API has its own budget per key. Idle
    /// buckets are evicted once they would be full again, and at most 100,000 are kept.
    pub fn memory(settings: &RateLimitSettings) -> RateLimiter {
        RateLimiter {
            backend: Arc::new(Backend::Memory(MemoryBuckets::new(settings))),
        }
    }

    /// Buckets in Redis (hashes `gqlgen:ratelimit:<key>`, expiring once full again), so that
    /// every instance of the API shares one budget per key. Connects now, and fails with a
    /// message naming `REDIS_URL` if it cannot; the connection reconnects by itself later.
    pub async fn redis(url: &str, settings: &RateLimitSettings) -> Result<RateLimiter, String> {
        let connection = crate::db::redis_connection(url).await?;
        Ok(RateLimiter {
            backend: Arc::new(Backend::Redis(RedisBuckets {
                connection,
                take_token: redis::Script::new(TAKE_TOKEN_SCRIPT),
                policy: BucketPolicy::new(settings),
            })),
        })
    }

    /// Takes one token from `key`'s bucket (e.g. "user:42" or "ip:127.0.0.1").
    ///
    /// With Redis, an error here (Redis down, timeout) is logged and the request is
    /// [`Decision::Allowed`]: rate limiting fails open, so that a Redis outage degrades
    /// protection rather than taking the whole API down.
    pub async fn check(&self, key: &str) -> Decision {
        match &*self.backend {
            Backend::Memory(buckets) => buckets.check_at(key, Instant::now()),
            Backend::Redis(buckets) => buckets.check(key).await,
        }
    }
}

/// Capacity and refill rate, from the settings.
#[derive(Debug, Clone, Copy)]
struct BucketPolicy {
    capacity: u32,
    /// At least 1: a bucket that never refills would lock its key out for good.
    requests_per_minute: u32,
}

impl BucketPolicy {
    fn new(settings: &RateLimitSettings) -> BucketPolicy {
        BucketPolicy {
            capacity: settings.burst_limit.max(1),
            requests_per_minute: settings.requests_per_minute.max(1),
        }
    }

    fn tokens_per_sec(&self) -> f64 {
        f64::from(self.requests_per_minute) / 60.0
    }

    /// How long an empty bucket takes to fill up: past that, an idle bucket equals a new one.
    fn full_refill(&self) -> Duration {
        Duration::from_secs_f64(f64::from(self.capacity) / self.tokens_per_sec())
    }

    /// Refills `bucket` (a full one when absent) up to `now`, then takes a token if there is one.
    fn take(&self, bucket: Option<Bucket>, now: Instant) -> (Bucket, Decision) {
        let capacity = f64::from(self.capacity);
        let mut bucket = match bucket {
            Some(bucket) => {
                let elapsed = now.saturating_duration_since(bucket.refilled_at);
                Bucket {
                    tokens: capacity
                        .min(bucket.tokens + elapsed.as_secs_f64() * self.tokens_per_sec()),
                    // An injected clock may run behind the stored instant; never move back.
                    refilled_at: now.max(bucket.refilled_at),
                }
            }
            None => Bucket {
                tokens: capacity,
                refilled_at: now,
            },
        };
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            (bucket, Decision::Allowed)
        } else {
            let wait_secs = (1.0 - bucket.tokens) / self.tokens_per_sec();
            (bucket, limited(wait_secs))
        }
    }
}

/// `Limited` with the wait rounded up to whole seconds, at least 1.
fn limited(wait_secs: f64) -> Decision {
    // The small margin keeps float noise (1.0000000001) from adding a whole second.
    let retry_after_secs = (wait_secs - 1e-9).ceil().max(1.0) as u64;
    Decision::Limited { retry_after_secs }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    refilled_at: Instant,
}

struct MemoryBuckets {
    buckets: Cache<String, Bucket>,
    policy: BucketPolicy,
}

impl MemoryBuckets {
    fn new(settings: &RateLimitSettings) -> MemoryBuckets {
        let policy = BucketPolicy::new(settings);
        let buckets = Cache::builder()
            .max_capacity(MEMORY_MAX_BUCKETS)
            // LRU admits every new key; the default TinyLFU may refuse a new key's bucket when
            // full, and a bucket never stored would never limit.
            .eviction_policy(EvictionPolicy::lru())
            .time_to_idle(policy.full_refill().max(Duration::from_secs(1)))
            .build();
        MemoryBuckets { buckets, policy }
    }

    /// [`RateLimiter::check`] on a given clock, so that tests need not sleep.
    fn check_at(&self, key: &str, now: Instant) -> Decision {
        let mut decision = Decision::Allowed;
        // and_compute_with serializes calls on one key, so concurrent requests can't both take
        // the last token.
        self.buckets.entry_by_ref(key).and_compute_with(|entry| {
            let (bucket, taken) = self.policy.take(entry.map(|entry| entry.into_value()), now);
            decision = taken;
            Op::Put(bucket)
        });
        decision
    }
}

struct RedisBuckets {
    connection: ConnectionManager,
    take_token: redis::Script,
    policy: BucketPolicy,
}

impl RedisBuckets {
    async fn check(&self, key: &str) -> Decision {
        // ConnectionManager multiplexes one connection; a clone is a handle to it.
        let mut connection = self.connection.clone();
        let mut invocation = self.take_token.key(format!("{REDIS_KEY_PREFIX}{key}"));
        invocation
            .arg(self.policy.capacity)
            .arg(self.policy.requests_per_minute);
        let result: redis::RedisResult<(i64, i64)> =
            crate::db::redis_call(invocation.invoke_async(&mut connection)).await;
        match result {
            Ok((1, _)) => Decision::Allowed,
            Ok((_, retry_after_ms)) => limited(retry_after_ms as f64 / 1000.0),
            Err(error) => {
                tracing::error!(%error, "rate limit check failed in Redis; allowing the request");
                Decision::Allowed
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(requests_per_minute: u32, burst_limit: u32) -> RateLimitSettings {
        RateLimitSettings {
            enabled: true,
            requests_per_minute,
            burst_limit,
        }
    }

    #[test]
    fn a_burst_is_allowed_then_limited_until_a_token_is_back() {
        // 30 a minute: one token every 2 seconds.
        let buckets = MemoryBuckets::new(&settings(30, 5));
        let start = Instant::now();
        for _ in 0..5 {
            assert_eq!(buckets.check_at("user:1", start), Decision::Allowed);
        }
        assert_eq!(
            buckets.check_at("user:1", start),
            Decision::Limited {
                retry_after_secs: 2
            }
        );
        // Half a token back: the other half takes 1 second.
        assert_eq!(
            buckets.check_at("user:1", start + Duration::from_secs(1)),
            Decision::Limited {
                retry_after_secs: 1
            }
        );
        // 0.75 of a token back: 0.5 s left, rounded up.
        assert_eq!(
            buckets.check_at("user:1", start + Duration::from_millis(1500)),
            Decision::Limited {
                retry_after_secs: 1
            }
        );
    }

    #[test]
    fn tokens_refill_as_time_passes_up_to_the_burst() {
        let buckets = MemoryBuckets::new(&settings(60, 3));
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(buckets.check_at("ip:10.0.0.1", start), Decision::Allowed);
        }
        assert!(matches!(
            buckets.check_at("ip:10.0.0.1", start),
            Decision::Limited { .. }
        ));

        let later = start + Duration::from_secs(2);
        assert_eq!(buckets.check_at("ip:10.0.0.1", later), Decision::Allowed);
        assert_eq!(buckets.check_at("ip:10.0.0.1", later), Decision::Allowed);
        assert!(matches!(
            buckets.check_at("ip:10.0.0.1", later),
            Decision::Limited { .. }
        ));

        // A long idle time refills to the burst, no further.
        let much_later = later + Duration::from_secs(3600);
        for _ in 0..3 {
            assert_eq!(
                buckets.check_at("ip:10.0.0.1", much_later),
                Decision::Allowed
            );
        }
        assert!(matches!(
            buckets.check_at("ip:10.0.0.1", much_later),
            Decision::Limited { .. }
        ));
    }

    #[test]
    fn each_key_has_its_own_bucket() {
        let buckets = MemoryBuckets::new(&settings(60, 1));
        let now = Instant::now();
        assert_eq!(buckets.check_at("user:1", now), Decision::Allowed);
        assert!(matches!(
            buckets.check_at("user:1", now),
            Decision::Limited { .. }
        ));
        assert_eq!(buckets.check_at("user:2", now), Decision::Allowed);
        assert_eq!(buckets.check_at("ip:127.0.0.1", now), Decision::Allowed);
    }

    #[test]
    fn sixty_a_minute_with_a_burst_of_one_waits_one_second() {
        let buckets = MemoryBuckets::new(&settings(60, 1));
        let now = Instant::now();
        assert_eq!(buckets.check_at("user:42", now), Decision::Allowed);
        assert_eq!(
            buckets.check_at("user:42", now),
            Decision::Limited {
                retry_after_secs: 1
            }
        );
        assert_eq!(
            buckets.check_at("user:42", now + Duration::from_secs(1)),
            Decision::Allowed
        );
    }

    #[test]
    fn zero_settings_still_give_a_bucket_that_refills() {
        let buckets = MemoryBuckets::new(&settings(0, 0));
        let now = Instant::now();
        assert_eq!(buckets.check_at("user:1", now), Decision::Allowed);
        assert_eq!(
            buckets.check_at("user:1", now),
            Decision::Limited {
                retry_after_secs: 60
            }
        );
    }

    #[tokio::test]
    async fn the_memory_limiter_checks_on_the_real_clock() {
        let limiter = RateLimiter::memory(&settings(1, 2));
        let clone = limiter.clone();
        assert_eq!(limiter.check("user:1").await, Decision::Allowed);
        assert_eq!(clone.check("user:1").await, Decision::Allowed);
        assert!(matches!(
            limiter.check("user:1").await,
            Decision::Limited { retry_after_secs } if (59..=60).contains(&retry_after_secs)
        ));
    }

    #[tokio::test]
    async fn an_invalid_redis_url_is_reported_by_its_variable() {
        let error = RateLimiter::redis("not a url", &settings(60, 1))
            .await
            .unwrap_err();
        assert!(error.contains("REDIS_URL"), "{error}");
    }

    #[tokio::test]
    async fn two_redis_limiters_share_one_budget() {
        let Ok(url) = std::env::var("REDIS_URL") else {
            eprintln!("skipped: REDIS_URL is not set");
            return;
        };
        // 6 a minute: one token every 10 s, so the test's own run time refills nothing that matters.
        let policy = settings(6, 3);
        let first = RateLimiter::redis(&url, &policy)
            .await
            .expect("first connection");
        let second = RateLimiter::redis(&url, &policy)
            .await
            .expect("second connection");
        let key = format!("test:{}", uuid::Uuid::new_v4());

        assert_eq!(first.check(&key).await, Decision::Allowed);
        assert_eq!(second.check(&key).await, Decision::Allowed);
        assert_eq!(first.check(&key).await, Decision::Allowed);
        for limiter in [&second, &first] {
            match limiter.check(&key).await {
                Decision::Limited { retry_after_secs } => {
                    assert!((1..=10).contains(&retry_after_secs), "{retry_after_secs}")
                }
                Decision::Allowed => panic!("the shared budget of 3 is spent"),
            }
        }
        // The bucket vanishes once it would be full again: 3 tokens at 10 s each, at most.
        let Backend::Redis(buckets) = &*first.backend else {
            unreachable!()
        };
        let ttl_ms: i64 = redis::cmd("PTTL")
            .arg(format!("{REDIS_KEY_PREFIX}{key}"))
            .query_async(&mut buckets.connection.clone())
            .await
            .expect("PTTL");
        assert!((1..=30_000).contains(&ttl_ms), "{ttl_ms}");
        // Another key is untouched.
        let other_key = format!("test:{}", uuid::Uuid::new_v4());
        assert_eq!(second.check(&other_key).await, Decision::Allowed);
    }

    #[tokio::test]
    async fn a_redis_error_at_check_time_allows_the_request() {
        let Ok(url) = std::env::var("REDIS_URL") else {
            eprintln!("skipped: REDIS_URL is not set");
            return;
        };
        let limiter = RateLimiter::redis(&url, &settings(6, 1))
            .await
            .expect("connection");
        let Backend::Redis(buckets) = &*limiter.backend else {
            unreachable!()
        };
        // A string where the script expects a hash makes every check fail with WRONGTYPE.
        let key = format!("test:{}", uuid::Uuid::new_v4());
        let () = redis::cmd("SET")
            .arg(format!("{REDIS_KEY_PREFIX}{key}"))
            .arg("not a bucket")
            .arg("EX")
            .arg(60)
            .query_async(&mut buckets.connection.clone())
            .await
            .expect("SET");
        for _ in 0..3 {
            assert_eq!(limiter.check(&key).await, Decision::Allowed);
        }
    }
}
