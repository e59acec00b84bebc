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

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet,
};
use async_graphql::registry::{CacheControl, MetaType, Registry};
use sha2::{Digest, Sha256};

use crate::auth::Caller;
use crate::model::GraphQLModel;
use crate::policy::{Access, Action, RowScope};

/// The hint of a model type whose `cache` gives no TTL: the configured default applies.
const DEFAULT_TTL: i32 = i32::MAX;

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
    let callers = sample_callers();
    let outcome = |caller: &Caller| {
        let access = Access {
            caller,
            action: Action::Read,
            model: M::TYPE_NAME,
        };
        let allowed = M::PERMISSIONS.iter().all(|p| p.has_permission(&access));
        let scoped = M::PERMISSIONS
            .iter()
            .any(|p| matches!(p.scope(&access), RowScope::Owned));
        (allowed, scoped)
    };
    let first = outcome(&callers[0]);
    callers
        .iter()
        .any(|caller| outcome(caller) != first || outcome(caller).1)
}

/// One caller of each kind a permission tells apart: anonymous, a user, staff, a superuser.
fn sample_callers() -> [Caller; 4] {
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

/// What the cache knows of the schema: for each type, the model it belongs to and its hint,
/// and each field's type and hint. Built once per router.
pub(crate) struct Hints {
    query: String,
    types: HashMap<String, TypeHints>,
    /// Every answer is per caller (`authentication_required`, or default permissions that
    /// tell callers apart).
    all_private: bool,
}

#[derive(Default)]
struct TypeHints {
    /// `Some` for a model's types: the model, or `None` when it is never cached.
    model: Option<Option<ModelHint>>,
    fields: HashMap<String, FieldHint>,
    /// An interface's or union's object types.
    possible: Vec<String>,
}

#[derive(Clone)]
struct ModelHint {
    model: String,
    ttl: u32,
    public: bool,
}

struct FieldHint {
    ty: String,
    control: CacheControl,
}

/// The suffixes of the types the runtime declares for a model beside its object type.
const MODEL_TYPE_SUFFIXES: [&str; 3] = ["Connection", "Edge", "Aggregate"];

impl Hints {
    /// The hints of the query root `Q` and every type it reaches.
    pub(crate) fn of<Q: async_graphql::ObjectType>(config: &crate::Config) -> Hints {
        let mut registry = Registry::default();
        let named = |ty: &str| {
            ty.trim_matches(|c| c == '[' || c == ']' || c == '!')
                .to_owned()
        };
        let query = named(&<Q as async_graphql::OutputType>::create_type_info(
            &mut registry,
        ));
        let mut types = HashMap::new();
        for (name, meta) in &registry.types {
            let mut hints = TypeHints::default();
            match meta {
                MetaType::Object {
                    fields,
                    cache_control,
                    ..
                } => {
                    hints.model = match cache_control.max_age {
                        0 => None,
                        -1 => Some(None),
                        ttl => Some(Some(ModelHint {
                            model: name.clone(),
                            ttl: if ttl == DEFAULT_TTL {
                                config.cache.default_ttl
                            } else {
                                ttl as u32
                            },
                            public: cache_control.public,
                        })),
                    };
                    hints.fields = fields
                        .iter()
                        .map(|(field, meta)| {
                            let hint = FieldHint {
                                ty: named(&meta.ty),
                                control: meta.cache_control,
                            };
                            (field.clone(), hint)
                        })
                        .collect();
                }
                MetaType::Interface { possible_types, .. }
                | MetaType::Union { possible_types, .. } => {
                    hints.possible = possible_types.iter().cloned().collect();
                }
                _ => {}
            }
            types.insert(name.clone(), hints);
        }
        // A model's connection, edge and aggregate types are its own: a write to the model
        // is a write to them.
        let models: Vec<String> = types.keys().cloned().collect();
        for name in models {
            let owner = MODEL_TYPE_SUFFIXES
                .iter()
                .filter_map(|suffix| name.strip_suffix(suffix))
                .find(|owner| {
                    types
                        .get(*owner)
                        .is_some_and(|t| matches!(t.model, Some(Some(_))))
                })
                .map(str::to_owned);
            if let (Some(owner), Some(hints)) = (owner, types.get_mut(&name))
                && let Some(Some(hint)) = &mut hints.model
            {
                hint.model = owner;
            }
        }
        let access = &config.access;
        let defaults_differ = {
            let callers = sample_callers();
            let outcome = |caller: &Caller| {
                let access = Access {
                    caller,
                    action: Action::Read,
                    model: "",
                };
                access_outcome(&access, &config.access.permissions)
            };
            let first = outcome(&callers[0]);
            callers.iter().any(|c| outcome(c) != first || outcome(c).1)
        };
        Hints {
            query,
            types,
            all_private: access.authentication_required || defaults_differ,
        }
    }

    /// How the answer to `operation` of `document` may be cached; `None`: it may not.
    pub(crate) fn plan(
        &self,
        document: &ExecutableDocument,
        operation: Option<&str>,
    ) -> Option<Plan> {
        let operation = match (&document.operations, operation) {
            (DocumentOperations::Single(op), _) => &op.node,
            (DocumentOperations::Multiple(ops), Some(name)) => &ops.get(name)?.node,
            (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
                &ops.values().next()?.node
            }
            _ => return None,
        };
        if operation.ty != OperationType::Query {
            return None;
        }
        let mut plan = Plan {
            ttl: u32::MAX,
            private: self.all_private,
            models: BTreeSet::new(),
        };
        let walk = Walk {
            hints: self,
            document,
        };
        // Each root field must read a cacheable model, or give its own hint.
        for selection in &operation.selection_set.node.items {
            let mut root = Plan {
                ttl: u32::MAX,
                private: false,
                models: BTreeSet::new(),
            };
            let hinted = walk.selection(&selection.node, &self.query, &mut root, 0)?;
            if root.models.is_empty() && !hinted {
                return None;
            }
            plan.ttl = plan.ttl.min(root.ttl);
            plan.private |= root.private;
            plan.models.extend(root.models);
        }
        (plan.ttl != u32::MAX && plan.ttl > 0).then_some(plan)
    }
}

/// The read outcome of the default permissions for a caller: allowed, and scoped.
fn access_outcome(
    access: &Access<'_>,
    permissions: &[crate::config::BuiltinPermission],
) -> (bool, bool) {
    let allowed = permissions
        .iter()
        .all(|p| crate::policy::builtin(*p).has_permission(access));
    let scoped = permissions
        .iter()
        .any(|p| matches!(crate::policy::builtin(*p).scope(access), RowScope::Owned));
    (allowed, scoped)
}

/// How an answer may be cached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plan {
    /// Seconds: the smallest TTL of the models read and the fields' hints.
    pub ttl: u32,
    /// The answer depends on the caller: the key holds the caller.
    pub private: bool,
    /// The models read, whose writes end the answer.
    pub models: BTreeSet<String>,
}

/// The walk of one operation's selections over the schema's hints.
struct Walk<'a> {
    hints: &'a Hints,
    document: &'a ExecutableDocument,
}

/// How deep fragments may nest in the walk: the query limits have bounded the document
/// already; this only stops a fragment cycle, which validation refuses later anyway.
const MAX_DEPTH: usize = 64;

impl Walk<'_> {
    /// Adds what `selection` on `ty` reads to `plan`; `None` when it makes the answer
    /// uncacheable, else whether a field gave a hint of its own.
    fn selection(
        &self,
        selection: &Selection,
        ty: &str,
        plan: &mut Plan,
        depth: usize,
    ) -> Option<bool> {
        if depth > MAX_DEPTH {
            return None;
        }
        match selection {
            Selection::Field(field) => {
                let field = &field.node;
                let name = field.name.node.as_str();
                if name == "__typename" {
                    return Some(false);
                }
                let hint = self.hints.types.get(ty)?.fields.get(name)?;
                if hint.control.max_age < 0 {
                    return None;
                }
                let hinted = hint.control.max_age > 0;
                if hinted {
                    plan.ttl = plan.ttl.min(hint.control.max_age as u32);
                }
                plan.private |= !hint.control.public;
                self.reach(&hint.ty, plan)?;
                self.set(&field.selection_set.node, &hint.ty, plan, depth + 1)?;
                Some(hinted)
            }
            Selection::FragmentSpread(spread) => {
                let fragment = self
                    .document
                    .fragments
                    .get(&spread.node.fragment_name.node)?;
                let on = fragment.node.type_condition.node.on.node.as_str();
                self.reach(on, plan)?;
                self.set(&fragment.node.selection_set.node, on, plan, depth + 1)
                    .map(|_| false)
            }
            Selection::InlineFragment(inline) => {
                let on = inline
                    .node
                    .type_condition
                    .as_ref()
                    .map_or(ty, |c| c.node.on.node.as_str());
                self.reach(on, plan)?;
                self.set(&inline.node.selection_set.node, on, plan, depth + 1)
                    .map(|_| false)
            }
        }
    }

    fn set(&self, set: &SelectionSet, ty: &str, plan: &mut Plan, depth: usize) -> Option<bool> {
        let mut hinted = false;
        for item in &set.items {
            hinted |= self.selection(&item.node, ty, plan, depth)?;
        }
        Some(hinted)
    }

    /// Records that the answer reads type `ty`: its model, if it has one.
    fn reach(&self, ty: &str, plan: &mut Plan) -> Option<()> {
        let Some(hints) = self.hints.types.get(ty) else {
            // Scalars and enums are not registered as objects: nothing to read.
            return Some(());
        };
        match &hints.model {
            None => Some(()),
            Some(None) => None,
            Some(Some(model)) => {
                plan.ttl = plan.ttl.min(model.ttl);
                plan.private |= !model.public;
                plan.models.insert(model.model.clone());
                Some(())
            }
        }
    }
}

/// The text of `query` without what does not change its meaning: comments, commas and
/// whitespace between tokens (one space is kept where two names would otherwise join).
pub(crate) fn normalize(query: &str) -> String {
    let mut out = String::with_capacity(query.len());
    let mut chars = query.chars().peekable();
    let mut pending_space = false;
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_';
    while let Some(c) = chars.next() {
        match c {
            '#' => {
                while chars.next_if(|&c| c != '\n' && c != '\r').is_some() {}
                pending_space = true;
            }
            c if c.is_whitespace() || c == ',' || c == '\u{feff}' => pending_space = true,
            '"' => {
                if pending_space && out.ends_with(is_name) {
                    out.push(' ');
                }
                pending_space = false;
                out.push('"');
                // A block string keeps its text as written.
                if chars.peek() == Some(&'"') {
                    chars.next();
                    if chars.peek() == Some(&'"') {
                        chars.next();
                        out.push_str("\"\"");
                        let mut quotes = 0;
                        for c in chars.by_ref() {
                            out.push(c);
                            quotes = if c == '"' { quotes + 1 } else { 0 };
                            if quotes == 3 && !out[..out.len() - 3].ends_with('\\') {
                                break;
                            }
                        }
                    } else {
                        out.push('"');
                    }
                    continue;
                }
                let mut escaped = false;
                for c in chars.by_ref() {
                    out.push(c);
                    if escaped {
                        escaped = false;
                    } else if c == '\\' {
                        escaped = true;
                    } else if c == '"' {
                        break;
                    }
                }
            }
            c => {
                if pending_space && is_name(c) && out.ends_with(is_name) {
                    out.push(' ');
                }
                // `...` before a name keeps its meaning without a space; `... on` needs one
                // between `on` and the type, which the rule above keeps.
                pending_space = false;
                out.push(c);
            }
        }
    }
    out
}

/// The key of an answer: the normalised document, the operation name, the variables (object
/// keys in order) and, for a private plan, who asks.
pub(crate) fn key(
    plan: &Plan,
    query: &str,
    operation: Option<&str>,
    variables: &async_graphql::Variables,
    caller: &Caller,
) -> String {
    let mut hash = Sha256::new();
    hash.update(normalize(query).as_bytes());
    hash.update([0]);
    hash.update(operation.unwrap_or_default().as_bytes());
    hash.update([0]);
    let mut canonical = Vec::new();
    write_canonical(&mut canonical, &variables.clone().into_value());
    hash.update(&canonical);
    hash.update([0]);
    if plan.private {
        hash.update(caller_fingerprint(caller).as_bytes());
    }
    format!("gqlgen:cache:{}", hex(&hash.finalize()))
}

/// Who the caller is, as far as permissions can tell: user id, staff and superuser flags and
/// permissions. `anonymous` for a caller without a user.
fn caller_fingerprint(caller: &Caller) -> String {
    match caller.user() {
        None => "anonymous".to_owned(),
        Some(user) => {
            let mut permissions = user.permissions.clone();
            permissions.sort();
            format!(
                "user:{}:{}:{}:{}",
                user.id,
                user.is_staff,
                user.is_superuser,
                permissions.join(",")
            )
        }
    }
}

/// `value` as JSON with object keys sorted, so that key order does not change the key.
fn write_canonical(out: &mut Vec<u8>, value: &async_graphql::Value) {
    use async_graphql::Value;
    match value {
        Value::Object(object) => {
            let mut entries: Vec<_> = object.iter().collect();
            entries.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
            out.push(b'{');
            for (i, (name, value)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(
                    serde_json::to_string(name.as_str())
                        .unwrap_or_default()
                        .as_bytes(),
                );
                out.push(b':');
                write_canonical(out, value);
            }
            out.push(b'}');
        }
        Value::List(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(out, item);
            }
            out.push(b']');
        }
        other => out.extend_from_slice(serde_json::to_string(other).unwrap_or_default().as_bytes()),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A cached answer.
pub(crate) struct Entry {
    /// The response body, as sent.
    pub body: Arc<[u8]>,
    /// The write generation of each model read, when the answer was made.
    generations: Vec<(String, u64)>,
    expires: Instant,
    /// The body's strong validator for `ETag`.
    pub etag: String,
}

/// The cache's store and the models' write generations.
#[derive(Clone)]
pub struct ResponseCache {
    entries: moka::sync::Cache<String, Arc<Entry>>,
    generations: Arc<Mutex<HashMap<String, u64>>>,
}

impl ResponseCache {
    /// An in-memory cache of at most `max_bytes` of answers and `max_entries` answers.
    pub fn memory(max_entries: u64, max_bytes: u64) -> ResponseCache {
        // Each entry weighs its size but at least an equal share of the bytes: at most
        // `max_entries` fit, and at most `max_bytes`.
        let floor = (max_bytes / max_entries.max(1)).max(1);
        let entries = moka::sync::Cache::builder()
            .max_capacity(max_bytes)
            .weigher(move |key: &String, entry: &Arc<Entry>| {
                let size = (key.len() + entry.body.len()) as u64;
                size.max(floor).min(u32::MAX as u64) as u32
            })
            .build();
        ResponseCache {
            entries,
            generations: Arc::default(),
        }
    }

    /// The current write generations of `models`.
    pub(crate) fn generations(&self, models: &BTreeSet<String>) -> Vec<(String, u64)> {
        let generations = self.generations.lock().unwrap_or_else(|e| e.into_inner());
        models
            .iter()
            .map(|m| (m.clone(), generations.get(m).copied().unwrap_or(0)))
            .collect()
    }

    /// The answer under `key`, if it is still current: not expired, and no model it read
    /// written since (`generations` as read before the request ran).
    pub(crate) fn get(&self, key: &str, generations: &[(String, u64)]) -> Option<Arc<Entry>> {
        let entry = self.entries.get(key)?;
        if entry.expires <= Instant::now() || entry.generations != generations {
            self.entries.invalidate(key);
            return None;
        }
        Some(entry)
    }

    /// Keeps `body` under `key` for `ttl` seconds, as made when the models had `generations`.
    pub(crate) fn put(
        &self,
        key: String,
        body: Arc<[u8]>,
        generations: Vec<(String, u64)>,
        ttl: u32,
    ) {
        let etag = etag(&body);
        let entry = Entry {
            body,
            generations,
            expires: Instant::now() + Duration::from_secs(ttl.into()),
            etag,
        };
        self.entries.insert(key, Arc::new(entry));
    }

    /// Ends every cached answer that read `model`: its generation moves on.
    pub fn invalidate(&self, model: &str) {
        let mut generations = self.generations.lock().unwrap_or_else(|e| e.into_inner());
        *generations.entry(model.to_owned()).or_default() += 1;
    }
}

/// Ends the cached answers that read `model`, when the request's schema has a cache: called
/// with every write the runtime hears of, before the mutation answers.
pub(crate) fn invalidate(ctx: &async_graphql::Context<'_>, model: &str) {
    if let Some(cache) = ctx.data_opt::<ResponseCache>() {
        cache.invalidate(model);
    }
}

/// The strong validator of a body, for `ETag`.
pub(crate) fn etag(body: &[u8]) -> String {
    format!("\"{}\"", &hex(&Sha256::digest(body))[..32])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalising_keeps_meaning_and_drops_layout() {
        assert_eq!(
            normalize(
                "query Q($a: Int, $b: [ID!]) {\n  products(first: $a) { # rows\n edges { node { id name } } }\n}"
            ),
            "query Q($a:Int$b:[ID!]){products(first:$a){edges{node{id name}}}}"
        );
        assert_eq!(
            normalize("{ a(s: \"x  ,  y # not a comment\") ...on T { b } ... F }"),
            "{a(s:\"x  ,  y # not a comment\")...on T{b}...F}"
        );
        assert_eq!(
            normalize("{a(s: \"\"\" x\n  y \"\"\")}"),
            "{a(s:\"\"\" x\n  y \"\"\")}"
        );
        assert_eq!(normalize("{ a }"), normalize("{a}"));
        assert_ne!(normalize("{ a b }"), normalize("{ ab }"));
        assert_ne!(normalize("{ x: a }"), normalize("{ y: a }"));
    }

    #[test]
    fn variables_key_whatever_their_order() {
        let plan = Plan {
            ttl: 60,
            private: false,
            models: BTreeSet::new(),
        };
        let vars = |json: &str| {
            async_graphql::Variables::from_json(serde_json::from_str(json).expect("json"))
        };
        let anonymous = Caller::default();
        let a = key(
            &plan,
            "{ a }",
            None,
            &vars(r#"{"x": {"p": 1, "q": [1, 2]}, "y": "s"}"#),
            &anonymous,
        );
        let b = key(
            &plan,
            "{a}",
            None,
            &vars(r#"{"y": "s", "x": {"q": [1, 2], "p": 1}}"#),
            &anonymous,
        );
        assert_eq!(a, b);
        let c = key(
            &plan,
            "{a}",
            None,
            &vars(r#"{"y": "t", "x": {"q": [1, 2], "p": 1}}"#),
            &anonymous,
        );
        assert_ne!(a, c);
        assert_ne!(
            a,
            key(
                &plan,
                "{a}",
                Some("Q"),
                &vars(r#"{"y": "s", "x": {"q": [1, 2], "p": 1}}"#),
                &anonymous
            )
        );
    }

    #[test]
    fn a_private_key_names_the_caller() {
        let [anonymous, user, staff, _] = sample_callers();
        let shared = Plan {
            ttl: 60,
            private: false,
            models: BTreeSet::new(),
        };
        let private = Plan {
            private: true,
            ..shared.clone()
        };
        let vars = async_graphql::Variables::default();
        let k = |plan: &Plan, caller: &Caller| key(plan, "{a}", None, &vars, caller);
        assert_eq!(k(&shared, &anonymous), k(&shared, &user));
        assert_ne!(k(&private, &anonymous), k(&private, &user));
        assert_ne!(k(&private, &user), k(&private, &staff));
    }

    #[test]
    fn a_write_or_the_ttl_ends_an_entry() {
        let cache = ResponseCache::memory(100, 1 << 20);
        let models: BTreeSet<String> = ["Product".to_owned()].into();
        let before = cache.generations(&models);
        cache.put("k".into(), Arc::from(&b"{}"[..]), before.clone(), 60);
        assert!(cache.get("k", &cache.generations(&models)).is_some());
        cache.invalidate("Category");
        assert!(cache.get("k", &cache.generations(&models)).is_some());
        cache.invalidate("Product");
        assert!(cache.get("k", &cache.generations(&models)).is_none());
        // Made before a write, stored after it: never served.
        cache.put("k".into(), Arc::from(&b"{}"[..]), before, 60);
        assert!(cache.get("k", &cache.generations(&models)).is_none());
    }
}
