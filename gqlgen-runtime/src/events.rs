//! What happened to rows, told after it happened: every write of the generated mutations (single
//! and bulk) publishes one [`RowEvent`] per model and mutation once its transaction has
//! committed, never for a write rolled back, and [`publish`] does the same for a write of your
//! own. The events go to a broadcast channel ([`Events`]) whose listeners are the subscription
//! fields ([`crate::subscription`]). A listener that falls behind by more than the channel's
//! capacity loses events rather than slowing writers down. With [`Events::redis`], events also
//! travel through a Redis pub/sub channel, so that the subscribers of every instance hear of
//! every instance's writes.

use std::any::Any;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_graphql::Context;
use sea_orm::{EntityTrait, Iterable};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use crate::error::GqlError;
use crate::model::GraphQLModel;

/// What a write did to its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    /// Rows inserted.
    Created,
    /// Rows changed.
    Updated,
    /// Rows deleted.
    Deleted,
}

/// Rows of one model that one write created, updated or deleted.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RowEvent {
    /// The model's GraphQL type name (`Product`).
    pub type_name: String,
    /// What the write did.
    pub change: Change,
    /// Each row's column values, in the order of the entity's `Column` enum: as written, or as
    /// they were before the delete. They carry their types, also through Redis.
    pub rows: Arc<Vec<Vec<sea_orm::Value>>>,
    /// The instance that made the write, so that it does not hear its own events twice.
    origin: u64,
    /// What listeners worked out from the event, by the SQL that worked it out: subscribers
    /// whose row scope and filter are the same run one statement per event, not one each.
    #[serde(skip)]
    shared: Shared,
}

/// Results of statements, by their SQL text, each computed once by whichever listener asks first.
#[derive(Clone, Default)]
struct Shared(Arc<std::sync::Mutex<HashMap<String, Arc<SharedResult>>>>);

type SharedResult = tokio::sync::OnceCell<Arc<dyn Any + Send + Sync>>;

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Shared")
    }
}

impl RowEvent {
    /// The event of `rows` of `M`.
    pub fn new<M: GraphQLModel>(change: Change, rows: &[M]) -> RowEvent {
        let values = rows
            .iter()
            .map(|row| {
                <M::Entity as EntityTrait>::Column::iter()
                    .map(|column| crate::fetch::column_value::<M::Entity>(row, column))
                    .collect()
            })
            .collect();
        RowEvent {
            type_name: M::TYPE_NAME.to_owned(),
            change,
            rows: Arc::new(values),
            origin: 0,
            shared: Shared::default(),
        }
    }

    /// The result of `compute` for `key` (a statement's SQL with its values): computed by the
    /// first listener that asks, the others wait for it and share it.
    pub(crate) async fn shared<T, F>(&self, key: String, compute: F) -> Result<Arc<T>, GqlError>
    where
        T: Send + Sync + 'static,
        F: std::future::Future<Output = Result<T, GqlError>>,
    {
        // With the type in the key, one entry always holds one type.
        let key = format!("{}\n{key}", std::any::type_name::<T>());
        let cell = {
            let mut results = self.shared.0.lock().unwrap_or_else(|e| e.into_inner());
            results.entry(key).or_default().clone()
        };
        let value = cell
            .get_or_try_init(|| async {
                compute
                    .await
                    .map(|value| Arc::new(value) as Arc<dyn Any + Send + Sync>)
            })
            .await?;
        value
            .clone()
            .downcast::<T>()
            .map_err(|_| GqlError::internal("a shared result of another type"))
    }
}

/// The channel row events go through. `schema::build` puts one in the schema's data; the router
/// puts its own (`http::Services::events`, which may be [`Events::redis`]) in every request's.
#[derive(Clone)]
pub struct Events {
    sender: broadcast::Sender<RowEvent>,
    /// This instance's id in the events it sends to Redis.
    origin: u64,
    redis: Option<redis::aio::ConnectionManager>,
    /// Dropped with the last clone: the Redis relay then stops subscribing again.
    alive: Arc<()>,
    /// Events that never reached a subscriber, see [`Events::dropped`].
    dropped: Arc<AtomicU64>,
}

impl Events {
    /// A channel of this process, keeping up to `capacity` events for a listener that has not
    /// read them yet.
    pub fn new(capacity: usize) -> Events {
        Events {
            sender: broadcast::channel(capacity.max(1)).0,
            origin: uuid::Uuid::new_v4().as_u64_pair().0 | 1,
            redis: None,
            alive: Arc::new(()),
            dropped: Arc::new(AtomicU64::new(0)),
        }
    }

    /// A channel shared by every instance using the Redis at `url`: events are published to
    /// the Redis channel `gqlgen:events` and those of other instances are read from it. Redis
    /// down means that other instances miss events (logged), never that a write fails.
    pub async fn redis(url: &str) -> Result<Events, String> {
        let mut events = Events::new(DEFAULT_CAPACITY);
        events.redis = Some(crate::db::redis_connection(url).await?);
        let client = redis::Client::open(url).map_err(|error| error.to_string())?;
        // The first subscription is made now, so that a wrong URL stops start-up.
        let mut pubsub = Some(subscribe(&client).await?);
        let sender = events.sender.clone();
        let origin = events.origin;
        let alive = Arc::downgrade(&events.alive);
        tokio::spawn(async move {
            while alive.strong_count() > 0 {
                let current = match pubsub.take() {
                    Some(current) => current,
                    None => match subscribe(&client).await {
                        Ok(current) => current,
                        Err(error) => {
                            tracing::warn!(%error, "row events: Redis is unreachable; retrying");
                            tokio::time::sleep(RESUBSCRIBE_DELAY).await;
                            continue;
                        }
                    },
                };
                relay(current, &sender, origin).await;
                tracing::warn!("row events: the Redis subscription ended; subscribing again");
                tokio::time::sleep(RESUBSCRIBE_DELAY).await;
            }
        });
        Ok(events)
    }

    /// Sends `event` to every listener of this instance and, with Redis, of the others.
    pub async fn send(&self, mut event: RowEvent) {
        event.origin = self.origin;
        if let Some(redis) = &self.redis {
            match serde_json::to_vec(&event) {
                Ok(payload) => {
                    let mut connection = redis.clone();
                    let published = crate::db::redis_call(
                        redis::cmd("PUBLISH")
                            .arg(CHANNEL)
                            .arg(payload)
                            .query_async::<i64>(&mut connection),
                    )
                    .await;
                    if let Err(error) = published {
                        tracing::warn!(%error, "a row event could not be sent to Redis");
                    }
                }
                Err(error) => tracing::warn!(%error, "a row event could not be encoded"),
            }
        }
        // An error only means that nobody listens here.
        let _ = self.sender.send(event);
    }

    /// A new listener, which receives the events sent from now on.
    pub fn listen(&self) -> broadcast::Receiver<RowEvent> {
        self.sender.subscribe()
    }

    /// Messages for subscribers lost since start-up: those queued for a WebSocket client that
    /// fell too far behind and was closed, and events a subscription missed because this
    /// instance fell behind the channel's capacity. For monitoring: a growing figure means
    /// clients or the server cannot keep up.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Counts `n` more messages or events lost for subscribers.
    pub(crate) fn count_dropped(&self, n: u64) {
        self.dropped.fetch_add(n, Ordering::Relaxed);
    }

    /// Whether an event would reach anyone: a listener here, or other instances.
    fn heard(&self) -> bool {
        self.redis.is_some() || self.sender.receiver_count() > 0
    }
}

impl Default for Events {
    fn default() -> Self {
        Events::new(DEFAULT_CAPACITY)
    }
}

/// A subscription to the Redis channel of row events.
async fn subscribe(client: &redis::Client) -> Result<redis::aio::PubSub, String> {
    let mut pubsub = client
        .get_async_pubsub()
        .await
        .map_err(|error| format!("cannot subscribe to Redis at REDIS_URL: {error}"))?;
    pubsub
        .subscribe(CHANNEL)
        .await
        .map_err(|error| format!("cannot subscribe to Redis at REDIS_URL: {error}"))?;
    Ok(pubsub)
}

/// Relays the events of other instances from `pubsub` to this one's listeners until the
/// subscription ends.
async fn relay(pubsub: redis::aio::PubSub, sender: &broadcast::Sender<RowEvent>, origin: u64) {
    use futures_util::StreamExt as _;
    let mut messages = pubsub.into_on_message();
    while let Some(message) = messages.next().await {
        match serde_json::from_slice::<RowEvent>(message.get_payload_bytes()) {
            Ok(event) if event.origin != origin => {
                let _ = sender.send(event);
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "an event from Redis did not decode"),
        }
    }
}

/// How long to wait before subscribing to Redis again after losing the subscription.
const RESUBSCRIBE_DELAY: std::time::Duration = std::time::Duration::from_secs(1);

/// The Redis pub/sub channel of row events.
const CHANNEL: &str = "gqlgen:events";

/// The events a listener may fall behind by before it loses some.
pub const DEFAULT_CAPACITY: usize = 4096;

/// Tells the subscribers of `M` that `rows` were created, updated or deleted by a write of your
/// own (a hand-written mutation), as the generated mutations do for theirs. Call it after your
/// transaction has committed.
pub async fn publish<M: GraphQLModel>(ctx: &Context<'_>, change: Change, rows: &[M]) {
    if !rows.is_empty() {
        send(ctx, RowEvent::new(change, rows)).await;
    }
}

/// Sends an event made before its rows were gone (a delete's), as [`publish`] does.
pub(crate) async fn send(ctx: &Context<'_>, event: RowEvent) {
    // Cached answers that read the model end before the write answers.
    crate::cache::invalidate(ctx, &event.type_name).await;
    if let Some(events) = ctx.data_opt::<Events>()
        && events.heard()
    {
        events.send(event).await;
    }
}
