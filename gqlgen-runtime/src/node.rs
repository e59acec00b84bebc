//! Relay's Global Object Identification: the `Node` interface every model implements and the
//! roots `node(id: ID!): Node` and `nodes(ids: [ID!]!): [Node]!`, merged into the query root by
//! [`query_root!`](crate::query_root). An id names its type (see [`crate::global_id`]), so one
//! statement per type finds the rows, within the caller's row scope as the detail fields do: a
//! row the caller may not see is `null`, like a missing one.

use std::borrow::Cow;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::str::FromStr;

use async_graphql::parser::types::Field;
use async_graphql::registry::{MetaType, MetaTypeId, Registry};
use async_graphql::{
    Context, ContextSelectionSet, ID, Object, OutputType, Positioned, ServerResult, TypeName, Value,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, Iterable, PrimaryKeyToColumn, PrimaryKeyTrait,
    QueryFilter, QueryTrait,
};

use crate::config::Config;
use crate::error::GqlError;
use crate::permission::Action;
use crate::plan::Fields;

/// The interface's name in the schema.
const NODE: &str = "Node";

/// The models of a query root, for the `Node` interface: [`query_root!`](crate::query_root)
/// implements it on the root it declares.
pub trait NodeTypes: Send + Sync + 'static {
    /// One entry per model of the root.
    const TYPES: &'static [NodeType];
}

type LoadFuture<'a> = Pin<Box<dyn Future<Output = ServerResult<Vec<Value>>> + Send + 'a>>;

/// Loads and renders the rows of one model whose keys are given, in that order (`null` for a
/// row that is missing or outside the caller's scope).
type LoadFn = for<'a> fn(
    &'a ContextSelectionSet<'a>,
    &'a Positioned<Field>,
    &'a [Wanted],
    bool,
) -> LoadFuture<'a>;

/// A model as the `Node` interface sees it.
pub struct NodeType {
    name: &'static str,
    register: fn(&mut Registry) -> String,
    valid_key: fn(&str) -> bool,
    load: LoadFn,
}

impl NodeType {
    /// The entry of model `M`.
    pub const fn of<M>() -> NodeType
    where
        M: Fields,
        PrimaryKeyOf<M>: FromStr + std::fmt::Display + Into<sea_orm::Value>,
    {
        NodeType {
            name: M::TYPE_NAME,
            register: <M as OutputType>::create_type_info,
            // The key's own spelling only: `012` is not another id of row 12.
            valid_key: |key| {
                key.parse::<PrimaryKeyOf<M>>()
                    .is_ok_and(|parsed| parsed.to_string() == key)
            },
            load: |ctx, field, wanted, in_list| Box::pin(load::<M>(ctx, field, wanted, in_list)),
        }
    }
}

type PrimaryKeyOf<M> =
    <<<M as crate::model::GraphQLModel>::Entity as EntityTrait>::PrimaryKey as PrimaryKeyTrait>::ValueType;

/// One id asked for: where it goes in the answer, and its primary key's text.
struct Wanted {
    position: usize,
    key: String,
}

/// The `node` and `nodes` roots over the models `L`.
pub struct NodeQuery<L>(PhantomData<fn() -> L>);

impl<L> Default for NodeQuery<L> {
    fn default() -> Self {
        NodeQuery(PhantomData)
    }
}

impl<L> TypeName for NodeQuery<L> {
    fn type_name() -> Cow<'static, str> {
        Cow::Borrowed("NodeQuery")
    }
}

#[Object(name_type)]
impl<L: NodeTypes> NodeQuery<L> {
    /// The object whose global id is `id`, of any type; null when it does not exist or the
    /// caller may not see it.
    async fn node(&self, id: ID) -> async_graphql::Result<Nodes<L, false>> {
        Ok(Nodes::new(wanted::<L>("id", std::slice::from_ref(&id))?))
    }

    /// The objects whose global ids are `ids`, in that order, `null` where `node` would be.
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        ids: Vec<ID>,
    ) -> async_graphql::Result<Nodes<L, true>> {
        let most = Config::of(ctx).max_page_size as usize;
        if ids.len() > most {
            return Err(GqlError::bad_input(format!(
                "`ids`: at most {most} ids at once (max_page_size); got {}",
                ids.len()
            ))
            .into());
        }
        Ok(Nodes::new(wanted::<L>("ids", &ids)?))
    }
}

/// The ids as indexes into `L::TYPES` and keys; a forged id, or one of a type this schema does
/// not have, is `BAD_USER_INPUT`.
fn wanted<L: NodeTypes>(field: &str, ids: &[ID]) -> Result<Vec<(usize, Wanted)>, GqlError> {
    ids.iter()
        .enumerate()
        .map(|(position, id)| {
            let refused = || {
                let id = crate::global_id::shorten(id.as_str());
                GqlError::bad_input(format!("`{field}`: `{id}` is not a valid id"))
            };
            let (type_name, key) = crate::global_id::split(id).ok_or_else(refused)?;
            let index = L::TYPES
                .iter()
                .position(|t| t.name == type_name && (t.valid_key)(&key))
                .ok_or_else(refused)?;
            Ok((index, Wanted { position, key }))
        })
        .collect()
}

/// What `node` (`LIST = false`, one id, nullable) and `nodes` (`[Node]!`) answer: the ids to
/// load, resolved when async-graphql renders the field, which is when the selection is known.
pub struct Nodes<L, const LIST: bool> {
    /// Per entry of `L::TYPES`, its ids.
    by_type: Vec<Vec<Wanted>>,
    count: usize,
    types: PhantomData<fn() -> L>,
}

impl<L: NodeTypes, const LIST: bool> Nodes<L, LIST> {
    fn new(wanted: Vec<(usize, Wanted)>) -> Self {
        let count = wanted.len();
        let mut by_type: Vec<Vec<Wanted>> = L::TYPES.iter().map(|_| Vec::new()).collect();
        for (index, wanted) in wanted {
            by_type[index].push(wanted);
        }
        Nodes {
            by_type,
            count,
            types: PhantomData,
        }
    }
}

impl<L: NodeTypes, const LIST: bool> OutputType for Nodes<L, LIST> {
    fn type_name() -> Cow<'static, str> {
        Cow::Borrowed(NODE)
    }

    fn qualified_type_name() -> String {
        if LIST {
            format!("[{NODE}]!")
        } else {
            NODE.to_owned()
        }
    }

    fn create_type_info(registry: &mut Registry) -> String {
        <NodeInterface<L> as OutputType>::create_type_info(registry);
        Self::qualified_type_name()
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        let mut answer = vec![Value::Null; self.count];
        for (node_type, wanted) in L::TYPES.iter().zip(&self.by_type) {
            if wanted.is_empty() {
                continue;
            }
            let values = (node_type.load)(ctx, field, wanted, LIST).await?;
            for (wanted, value) in wanted.iter().zip(values) {
                answer[wanted.position] = value;
            }
        }
        Ok(if LIST {
            Value::List(answer)
        } else {
            answer.pop().unwrap_or(Value::Null)
        })
    }
}

/// The `Node` interface itself: one Rust type registers it, whichever field returns it.
struct NodeInterface<L>(PhantomData<fn() -> L>);

impl<L: NodeTypes> OutputType for NodeInterface<L> {
    fn type_name() -> Cow<'static, str> {
        Cow::Borrowed(NODE)
    }

    fn create_type_info(registry: &mut Registry) -> String {
        registry.create_output_type::<Self, _>(MetaTypeId::Interface, |registry| {
            let mut possible_types = async_graphql::indexmap::IndexSet::new();
            for node_type in L::TYPES {
                (node_type.register)(registry);
                registry.add_implements(node_type.name, NODE);
                possible_types.insert(node_type.name.to_owned());
            }
            let mut fields = async_graphql::indexmap::IndexMap::new();
            fields.insert(
                "id".to_owned(),
                crate::registry::field("id", "ID!".to_owned(), Some("The object's global id.")),
            );
            MetaType::Interface {
                name: NODE.to_owned(),
                description: Some(
                    "An object with a global id, which `node(id:)` finds again (Relay's Global \
                     Object Identification)."
                        .to_owned(),
                ),
                fields,
                possible_types,
                extends: false,
                inaccessible: false,
                tags: vec![],
                keys: None,
                visible: None,
                rust_typename: Some(std::any::type_name::<Self>()),
                directive_invocations: vec![],
                requires_scopes: vec![],
            }
        });
        NODE.to_owned()
    }

    async fn resolve(
        &self,
        _: &ContextSelectionSet<'_>,
        _: &Positioned<Field>,
    ) -> ServerResult<Value> {
        // Never a field's value: `Nodes` is.
        Ok(Value::Null)
    }
}

/// The rows of `M` whose keys are `wanted`, rendered in that order: one statement, within the
/// caller's read scope, then the selection's relations loaded once for all of them.
async fn load<'a, M>(
    ctx: &'a ContextSelectionSet<'a>,
    field: &'a Positioned<Field>,
    wanted: &'a [Wanted],
    in_list: bool,
) -> ServerResult<Vec<Value>>
where
    M: Fields,
    PrimaryKeyOf<M>: FromStr + std::fmt::Display + Into<sea_orm::Value>,
{
    let req = crate::plan::Request::new(ctx)?;
    let fail = |err: GqlError| req.error(err, field);
    let keys: Vec<sea_orm::Value> = wanted
        .iter()
        .filter_map(|w| w.key.parse::<PrimaryKeyOf<M>>().ok().map(Into::into))
        .collect();
    let Some(key_column) = <M::Entity as EntityTrait>::PrimaryKey::iter()
        .next()
        .map(|key| key.into_column())
    else {
        return Err(fail(GqlError::internal("a model without a primary key")));
    };
    let mut select = M::Entity::find().filter(key_column.is_in(keys.iter().cloned()));
    if let Some(scope) =
        crate::permission::authorize::<M>(req.caller, Action::Read).map_err(fail)?
    {
        select = select.filter(scope);
    }
    let (select, columns) = crate::fetch::prune::<M>(select, true, |_| true);
    let rows = req
        .db
        .query_all(&select.into_query())
        .await
        .map_err(|err| fail(GqlError::from(err)))?
        .iter()
        .map(|row| M::from_row(row, &columns))
        .collect::<Result<Vec<M>, _>>()
        .map_err(|err| fail(GqlError::from(err)))?;
    // Each id's row, in the order asked: the same row twice if asked twice.
    let mut found: Vec<M> = Vec::with_capacity(wanted.len());
    let mut positions: Vec<Option<usize>> = Vec::with_capacity(wanted.len());
    for w in wanted {
        let key: Option<sea_orm::Value> = w.key.parse::<PrimaryKeyOf<M>>().ok().map(Into::into);
        let row = rows.iter().find(|row| {
            key.as_ref() == Some(&crate::fetch::column_value::<M::Entity>(row, key_column))
        });
        positions.push(row.map(|row| {
            found.push(row.clone());
            w.position
        }));
    }
    let mut rendered = crate::render::objects::<M>(
        &found,
        positions.iter().flatten().copied(),
        in_list,
        ctx,
        field,
    )
    .await?
    .into_iter();
    Ok(positions
        .iter()
        .map(|p| match p {
            Some(_) => rendered.next().unwrap_or(Value::Null),
            None => Value::Null,
        })
        .collect())
}
