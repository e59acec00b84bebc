//! Per-request memory of batched loading: every list of rows a request produces is recorded as
//! a *group* under its position in the response (the path without list indices, such as
//! `products/edges/node`), and every relation load runs once per position, its outcome (rows or
//! error) shared by the siblings that wait on it. [`RequestCache`] holds both; the HTTP handler
//! puts a fresh one in every request, so nothing crosses requests. [`crate::loader`] reads the
//! groups and runs the loads; [`crate::connection`] records its pages.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_graphql::Context;
use tokio::sync::OnceCell;

use crate::error::GqlError;

type Shared = Arc<dyn Any + Send + Sync>;

/// A relation load's outcome, computed once per request and field position.
type LoadCell = Arc<OnceCell<Result<Shared, GqlError>>>;

/// Per-request memory of groups and of the relation loads already done. The HTTP handler puts
/// one in every request; without it each row loads its own relations (correct, but N+1).
#[derive(Default)]
pub struct RequestCache {
    groups: Mutex<HashMap<String, Shared>>,
    /// The outcome of each load, failures included: siblings waiting on a load that failed get
    /// its error rather than trying again one after another (each waiting out the pool's
    /// acquire timeout while the database is down).
    loads: Mutex<HashMap<String, LoadCell>>,
}

/// The position of the field being resolved: its response path without list indices.
pub fn position(ctx: &Context<'_>) -> String {
    let mut names = Vec::new();
    let mut node = ctx.path_node.as_ref();
    while let Some(n) = node {
        if let async_graphql::QueryPathSegment::Name(name) = n.segment {
            names.push(name.to_string());
        }
        node = n.parent;
    }
    names.reverse();
    names.join("/")
}

/// Records `rows` as the group at `position`.
pub fn register<M: Clone + Send + Sync + 'static>(
    ctx: &Context<'_>,
    position: String,
    rows: Vec<M>,
) {
    if let Some(cache) = ctx.data_opt::<RequestCache>() {
        let rows: Shared = Arc::new(rows);
        cache
            .groups
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(position, rows);
    }
}

/// The rows of the group `parent` belongs to, or `parent` alone.
pub(crate) fn siblings<M: Clone + Send + Sync + 'static>(
    ctx: &Context<'_>,
    parent: &M,
) -> Arc<Vec<M>> {
    let position = position(ctx);
    let parent_position = position.rsplit_once('/').map_or("", |(p, _)| p);
    ctx.data_opt::<RequestCache>()
        .and_then(|cache| {
            cache
                .groups
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(parent_position)
                .cloned()
        })
        .and_then(|rows| rows.downcast::<Vec<M>>().ok())
        .unwrap_or_else(|| Arc::new(vec![parent.clone()]))
}

/// Runs `load` once per request for this field position; concurrent siblings wait for it.
pub(crate) async fn load_once<T, F, Fut>(ctx: &Context<'_>, load: F) -> Result<Arc<T>, GqlError>
where
    T: Send + Sync + 'static,
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<T, GqlError>>,
{
    let Some(cache) = ctx.data_opt::<RequestCache>() else {
        return load().await.map(Arc::new);
    };
    let cell = cache
        .loads
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(position(ctx))
        .or_default()
        .clone();
    let shared = cell
        .get_or_init(|| async { load().await.map(|t| Arc::new(t) as Shared) })
        .await
        .clone()?;
    shared
        .downcast::<T>()
        .map_err(|_| GqlError::internal("a relation load of another type at the same position"))
}
