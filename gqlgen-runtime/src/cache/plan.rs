//! Whether and how a query's answer may be cached, worked out from its document before it runs,
//! over the cache hints the schema's types carry.

use std::collections::{BTreeSet, HashMap};

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet,
};
use async_graphql::registry::{CacheControl, MetaType, Registry};

use super::DEFAULT_TTL;

/// What the cache knows of the schema: for each type, the model it belongs to and its hint,
/// and each field's type and hint. Built once per router.
pub(crate) struct Hints {
    /// A fingerprint of the schema (its SDL's SHA-256), in every key.
    pub schema: String,
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
    pub(crate) fn of<Q: async_graphql::ObjectType>(config: &crate::Config, sdl: &str) -> Hints {
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
        // Models naming no permissions read under the settings' defaults.
        let defaults: Vec<&dyn crate::policy::Permission> = access
            .permissions
            .iter()
            .map(|p| crate::policy::builtin(*p))
            .collect();
        let defaults_differ = super::permissions_depend_on_caller("", &defaults);
        Hints {
            schema: super::key::fingerprint(sdl),
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
