//! The response cache. A query is cacheable when every model it reads has `cache(...)`: its
//! answer is kept for the smallest TTL of those models under a key of the normalised document,
//! the operation name, the variables and, when the answer depends on who asks (a model with
//! `vary_on_user`, a row scope or a read permission that differs between callers, a guarded
//! field, `me`), the caller. Every answer is stored with the write generation of each model it
//! read, and a write through gqlgen (generated mutations, `events::publish`) moves its model's
//! generation on before the mutation answers: an entry whose generations are not current is a
//! miss. Mutations, subscriptions, answers with errors and queries with a hand-written root
//! field that gives no cache hint are never cached.
//!
//! Which types belong to which model is read once, when the router is built, from the cache
//! hints the generated types register with async-graphql ([`annotate`]); a request's plan is
//! then a walk of its document over those hints, before it runs.
//! With `REDIS_URL` the answers and the generations live in Redis ([`ResponseCache::redis`]),
//! so that a write through one instance ends the answers every instance serves.

use async_graphql::registry::{CacheControl, MetaType, Registry};

use crate::auth::Caller;
use crate::model::GraphQLModel;
use crate::policy::{Access, Action, RowScope};

mod key;
mod plan;
mod store;

pub(crate) use key::{etag, fingerprint, key};
pub(crate) use plan::{Hints, Plan};
pub use store::{CacheCounts, ResponseCache};

/// The hint of a model type whose `cache` gives no TTL: the configured default applies.
pub(crate) const DEFAULT_TTL: i32 = i32::MAX;

/// Records `M`'s caching on its type `type_name` in `registry`: never (`max_age: -1`), or its
/// TTL and whether its answers are the same for every caller (`public`). Called by the
/// generated `create_type_info` of the model's object, connection, edge and aggregate types.
#[doc(hidden)]
pub fn annotate<M: GraphQLModel>(registry: &mut Registry, type_name: &str) {
    let hint = match M::CACHE {
        None => CacheControl {
            public: true,
            max_age: -1,
        },
        Some(policy) => CacheControl {
            public: !(policy.vary_on_user || depends_on_caller::<M>()),
            max_age: policy
                .ttl
                .map_or(DEFAULT_TTL, |ttl| ttl.min(DEFAULT_TTL as u32 - 1) as i32),
        },
    };
    // `create_type_info` answers with a type reference (`Product!`).
    let type_name = type_name.trim_matches(|c| c == '[' || c == ']' || c == '!');
    if let Some(MetaType::Object { cache_control, .. }) = registry.types.get_mut(type_name) {
        *cache_control = hint;
    }
}

/// Whether `M`'s permissions let different callers read different rows of it, or let some
/// read it and others not: then a cached answer may only be served to whoever it was made for.
fn depends_on_caller<M: GraphQLModel>() -> bool {
    permissions_depend_on_caller(M::TYPE_NAME, M::PERMISSIONS)
}

/// Whether `permissions` of `model` read differently for different callers: some sample caller
/// is let in where another is not, or rows are scoped to the caller.
pub(crate) fn permissions_depend_on_caller(
    model: &'static str,
    permissions: &[&dyn crate::policy::Permission],
) -> bool {
    let outcome = |caller: &Caller| {
        let access = Access {
            caller,
            action: Action::Read,
            model,
        };
        let allowed = permissions.iter().all(|p| p.has_permission(&access));
        let scoped = permissions
            .iter()
            .any(|p| matches!(p.scope(&access), RowScope::Owned));
        (allowed, scoped)
    };
    let callers = sample_callers();
    let first = outcome(&callers[0]);
    callers
        .iter()
        .any(|caller| outcome(caller) != first || outcome(caller).1)
}

/// One caller of each kind a permission tells apart: anonymous, a user, staff, a superuser.
pub(crate) fn sample_callers() -> [Caller; 4] {
    let user = |staff: bool, superuser: bool| Caller {
        user: Some(crate::auth::AuthUser {
            id: "0".into(),
            username: String::new(),
            is_active: true,
            is_staff: staff,
            is_superuser: superuser,
            permissions: Vec::new(),
        }),
        ..Caller::default()
    };
    [
        Caller::default(),
        user(false, false),
        user(true, false),
        user(true, true),
    ]
}

/// Ends the cached answers that read `model`, when the request's schema has a cache: called
/// with every write the runtime hears of, before the mutation answers.
pub(crate) async fn invalidate(ctx: &async_graphql::Context<'_>, model: &str) {
    if let Some(cache) = ctx.data_opt::<ResponseCache>() {
        cache.invalidate(model).await;
    }
}
