//! Where cached answers and the models' write generations live: this process's memory (moka,
//! bounded by entries and bytes), or Redis, shared by every instance. Redis unreachable means a
//! miss and nothing stored (logged), never an error for the request.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::etag;

/// A cached answer.
#[derive(Serialize, Deserialize)]
pub(crate) struct Entry {
    /// The response body, as sent (JSON text).
    pub body: String,
    /// The write generation of each model read, when the answer was made.
    generations: Vec<(String, u64)>,
    /// When it ends, for the memory store (Redis expires its keys itself).
    #[serde(skip)]
    expires: Option<Instant>,
    /// The body's strong validator for `ETag`.
    pub etag: String,
}

/// The models' write generations: what a request saw before it ran. `None`: they could not be
/// read (Redis down), so nothing is looked up or stored.
pub(crate) type Generations = Option<Vec<(String, u64)>>;

/// The response cache: cached answers and the models' write generations. Clones share it.
#[derive(Clone)]
pub struct ResponseCache {
    backend: Backend,
    counts: Arc<Counters>,
}

#[derive(Clone)]
enum Backend {
    Memory {
        entries: moka::sync::Cache<String, Arc<Entry>>,
        generations: Arc<Mutex<HashMap<String, u64>>>,
    },
    Redis {
        connection: redis::aio::ConnectionManager,
        /// `{namespace}:cache:`: the start of every key.
        prefix: String,
    },
}

#[derive(Default)]
struct Counters {
    hits: AtomicU64,
    misses: AtomicU64,
    stores: AtomicU64,
    invalidations: AtomicU64,
}

/// What the cache did since start-up, for monitoring.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheCounts {
    /// Answers served from the cache.
    pub hits: u64,
    /// Cacheable queries not found (or no longer current), which then ran.
    pub misses: u64,
    /// Answers stored.
    pub stores: u64,
    /// Writes that ended the answers of their model.
    pub invalidations: u64,
}

impl ResponseCache {
    /// A cache in this process's memory of at most `max_entries` answers and `max_bytes`.
    pub fn memory(max_entries: u64, max_bytes: u64) -> ResponseCache {
        // Each entry weighs its size but at least an equal share of the bytes: then at most
        // `max_entries` fit, and at most `max_bytes`.
        let floor = (max_bytes / max_entries.max(1)).max(1);
        let entries = moka::sync::Cache::builder()
            .max_capacity(max_bytes)
            .weigher(move |key: &String, entry: &Arc<Entry>| {
                let size = (key.len() + entry.body.len()) as u64;
                size.max(floor).min(u64::from(u32::MAX)) as u32
            })
            .build();
        ResponseCache {
            backend: Backend::Memory {
                entries,
                generations: Arc::default(),
            },
            counts: Arc::default(),
        }
    }

    /// A cache shared by every instance using the Redis at `url` with the same `namespace`
    /// (`cache.namespace`): answers are keys with their TTL, generations one hash, all under
    /// `{namespace}:cache:`. Fails at start-up when Redis cannot be reached.
    pub async fn redis(url: &str, namespace: &str) -> Result<ResponseCache, String> {
        Ok(ResponseCache {
            backend: Backend::Redis {
                connection: crate::db::redis_connection(url).await?,
                prefix: format!("{namespace}:cache:"),
            },
            counts: Arc::default(),
        })
    }

    /// What the cache did since start-up.
    pub fn counts(&self) -> CacheCounts {
        let read = |n: &AtomicU64| n.load(Ordering::Relaxed);
        CacheCounts {
            hits: read(&self.counts.hits),
            misses: read(&self.counts.misses),
            stores: read(&self.counts.stores),
            invalidations: read(&self.counts.invalidations),
        }
    }

    /// The current write generations of `models`.
    pub(crate) async fn generations(&self, models: &BTreeSet<String>) -> Generations {
        match &self.backend {
            Backend::Memory { generations, .. } => {
                let generations = generations.lock().unwrap_or_else(|e| e.into_inner());
                let current = |m: &String| generations.get(m).copied().unwrap_or(0);
                Some(models.iter().map(|m| (m.clone(), current(m))).collect())
            }
            Backend::Redis { connection, prefix } => {
                let mut connection = connection.clone();
                let names: Vec<&String> = models.iter().collect();
                let read = crate::db::redis_call(
                    redis::cmd("HMGET")
                        .arg(format!("{prefix}generations"))
                        .arg(&names)
                        .query_async::<Vec<Option<u64>>>(&mut connection),
                )
                .await;
                match read {
                    Ok(values) => Some(
                        names
                            .into_iter()
                            .zip(values)
                            .map(|(m, g)| (m.clone(), g.unwrap_or(0)))
                            .collect(),
                    ),
                    Err(error) => {
                        tracing::warn!(%error, "response cache: Redis is unreachable; not caching");
                        None
                    }
                }
            }
        }
    }

    /// The answer under `key`, if it is still current: not expired, and no model it read
    /// written since `generations` (as read before the request ran). Counts a hit or a miss.
    pub(crate) async fn get(&self, key: &str, generations: &[(String, u64)]) -> Option<Arc<Entry>> {
        let entry = match &self.backend {
            Backend::Memory { entries, .. } => entries
                .get(key)
                .filter(|e| e.expires.is_some_and(|at| at > Instant::now())),
            Backend::Redis { connection, prefix } => {
                let mut connection = connection.clone();
                let read = crate::db::redis_call(
                    redis::cmd("GET")
                        .arg(format!("{prefix}{key}"))
                        .query_async::<Option<Vec<u8>>>(&mut connection),
                )
                .await;
                match read {
                    Ok(bytes) => bytes
                        .and_then(|b| serde_json::from_slice::<Entry>(&b).ok())
                        .map(Arc::new),
                    Err(error) => {
                        tracing::warn!(%error, "response cache: Redis is unreachable; a miss");
                        None
                    }
                }
            }
        };
        let current = entry.filter(|e| e.generations == generations);
        let counter = if current.is_some() {
            &self.counts.hits
        } else {
            &self.counts.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        current
    }

    /// Keeps `body` under `key` for `ttl` seconds, as made when the models had `generations`;
    /// answers the body's `ETag`.
    pub(crate) async fn put(
        &self,
        key: String,
        body: String,
        generations: Vec<(String, u64)>,
        ttl: u32,
    ) -> String {
        let entry = Entry {
            etag: etag(body.as_bytes()),
            body,
            generations,
            expires: Some(Instant::now() + Duration::from_secs(ttl.into())),
        };
        let etag = entry.etag.clone();
        match &self.backend {
            Backend::Memory { entries, .. } => entries.insert(key, Arc::new(entry)),
            Backend::Redis { connection, prefix } => {
                let Ok(value) = serde_json::to_vec(&entry) else {
                    return etag;
                };
                let mut connection = connection.clone();
                let stored = crate::db::redis_call(
                    redis::cmd("SET")
                        .arg(format!("{prefix}{key}"))
                        .arg(value)
                        .arg("EX")
                        .arg(ttl)
                        .query_async::<()>(&mut connection),
                )
                .await;
                if let Err(error) = stored {
                    tracing::warn!(%error, "response cache: Redis is unreachable; not stored");
                    return etag;
                }
            }
        }
        self.counts.stores.fetch_add(1, Ordering::Relaxed);
        etag
    }

    /// Ends every cached answer that read `model`: its generation moves on.
    pub async fn invalidate(&self, model: &str) {
        match &self.backend {
            Backend::Memory { generations, .. } => {
                let mut generations = generations.lock().unwrap_or_else(|e| e.into_inner());
                *generations.entry(model.to_owned()).or_default() += 1;
            }
            Backend::Redis { connection, prefix } => {
                let mut connection = connection.clone();
                let moved = crate::db::redis_call(
                    redis::cmd("HINCRBY")
                        .arg(format!("{prefix}generations"))
                        .arg(model)
                        .arg(1)
                        .query_async::<i64>(&mut connection),
                )
                .await;
                if let Err(error) = moved {
                    // Cached answers are in Redis too: while it cannot be reached none is
                    // served; an answer that outlives this lost write lives at most its TTL.
                    tracing::error!(%error, model, "response cache: a write's invalidation did not reach Redis");
                }
            }
        }
        self.counts.invalidations.fetch_add(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both backends: memory, and Redis when `REDIS_URL` names one (CI sets it).
    async fn caches() -> Vec<ResponseCache> {
        let mut caches = vec![ResponseCache::memory(100, 1 << 20)];
        if let Ok(url) = std::env::var("REDIS_URL") {
            let namespace = format!("test{}", uuid::Uuid::new_v4().simple());
            let cache = ResponseCache::redis(&url, &namespace).await;
            caches.push(cache.expect("REDIS_URL answers"));
        }
        caches
    }

    #[tokio::test]
    async fn a_write_ends_an_entry_and_one_made_before_it_is_never_served() {
        for cache in caches().await {
            let model = "Product".to_owned();
            let key = "k".to_owned();
            let models: BTreeSet<String> = [model.clone()].into();
            let before = cache.generations(&models).await.expect("generations");
            cache
                .put(key.clone(), "{}".into(), before.clone(), 60)
                .await;
            let now = cache.generations(&models).await.expect("generations");
            assert!(cache.get(&key, &now).await.is_some());
            cache.invalidate("Category").await;
            let now = cache.generations(&models).await.expect("generations");
            assert!(cache.get(&key, &now).await.is_some());
            cache.invalidate(&model).await;
            let now = cache.generations(&models).await.expect("generations");
            assert!(cache.get(&key, &now).await.is_none());
            // Made before a write, stored after it: never served.
            cache.put(key.clone(), "{}".into(), before, 60).await;
            assert!(cache.get(&key, &now).await.is_none());
            let counts = cache.counts();
            assert_eq!((counts.hits, counts.misses, counts.stores), (2, 2, 2));
            assert_eq!(counts.invalidations, 2);
        }
    }

    #[tokio::test]
    async fn the_memory_store_holds_at_most_its_entries() {
        let cache = ResponseCache::memory(10, 1 << 20);
        let models = BTreeSet::new();
        let none = cache.generations(&models).await.expect("generations");
        for i in 0..100 {
            cache
                .put(format!("k{i}"), "{}".into(), none.clone(), 60)
                .await;
        }
        if let Backend::Memory { entries, .. } = &cache.backend {
            entries.run_pending_tasks();
            assert!(entries.entry_count() <= 10, "{}", entries.entry_count());
        }
    }
}
