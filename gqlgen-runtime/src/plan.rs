//! The first stage of a read: a field's selection becomes a tree of loads. The selection is
//! walked once per request, fragments expanded and fields merged by response key in selection
//! order (`@skip`/`@include` were applied by async-graphql before execution), and everything
//! that is per field rather than per row is computed here, once: the relation's join, its
//! filter condition and row scope, its order keys and cursor codec, its page window, which
//! columns to read and who may read guarded fields. [`crate::fetch`] then runs the statements
//! of the tree (a belongs-to joined into its parents', one for each other relation) and
//! [`crate::render`] writes the response from it.
//!
//! Models are types of their own, and a relation leads from one to another, so the tree is
//! typed per level and erased at relations: a [`Branch`] is a relation field under a parent
//! type, whatever the related type.

use std::str::FromStr;

use async_graphql::parser::types::{Field, Selection, SelectionSet};
use async_graphql::{ContextSelectionSet, Name, Positioned, QueryPathNode, ServerError, Value};
use futures_util::future::BoxFuture;
use sea_orm::{Condition, DatabaseConnection, EntityTrait, IdenStatic};

use crate::aggregate::{self, Function, Measure};
use crate::auth::Caller;
use crate::config::Config;
use crate::connection::{self, CursorCodec, PageArgs};
use crate::error::GqlError;
use crate::model::{ColumnOf, GraphQLModel};
use crate::order::OrderKeys;
use crate::relation::{RelationSpec, key_column};

/// A model the planner can read: the generated table of its object type's fields.
pub trait Fields: GraphQLModel {
    /// Every field of the object type, in declaration order.
    const FIELDS: &'static [FieldInfo<Self>];
    /// Decodes a row whose first columns are the table's `columns`, as [`crate::fetch::prune`]
    /// selected them, by position: no lookup of each column by name.
    fn from_row(
        row: &sea_orm::QueryResult,
        columns: &crate::model::SelectedColumns,
    ) -> Result<Self, sea_orm::DbErr>;
}

/// A field of a model's object type, as the planner sees it.
pub struct FieldInfo<M: 'static> {
    /// The GraphQL field name.
    pub name: &'static str,
    pub kind: FieldKind<M>,
}

/// A computed field's method for one row, its value rendered for the field's selection.
pub type ComputedFn<M> =
    for<'c> fn(&'c M, &'c async_graphql::Context<'c>) -> BoxFuture<'c, Result<Value, ServerError>>;

/// Writes a column of a row as the JSON of the field's response value.
pub type ColumnFn<M> =
    fn(&M, &ContextSelectionSet<'_>, &Positioned<Field>, &mut Vec<u8>) -> Result<(), ServerError>;

/// Plans a relation field under a parent `M`; generated code names [`relation`] for the
/// related model.
pub type RelationFn<M> = for<'a> fn(
    &Request<'a>,
    &Selected<'a>,
    RelationShape,
    RelationSpec,
) -> Result<BoxBranch<'a, M>, ServerError>;

/// What a field reads.
pub enum FieldKind<M: 'static> {
    /// A column: `read` writes the row's value as the response value (see
    /// [`crate::render::column`]).
    Column {
        read: ColumnFn<M>,
        /// `permission = "codename"`: `null` plus `PERMISSION_DENIED` for other callers.
        permission: Option<&'static str>,
    },
    /// `computed(name: Type)`: the model's own async method; `type_name` is the GraphQL type,
    /// which tells whether the value may be `null`.
    Computed {
        resolve: ComputedFn<M>,
        type_name: fn() -> String,
    },
    /// A relation field; `spec` is called once per request and field position.
    Relation {
        shape: RelationShape,
        spec: fn() -> RelationSpec,
        plan: RelationFn<M>,
    },
}

/// How a relation field presents its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelationShape {
    /// Belongs-to or has-one: the row or `null`.
    One,
    /// Has-many as a plain list.
    List,
    /// Has-many as a Relay connection, paginated per parent.
    Connection,
}

/// What every stage needs from the request.
pub struct Request<'a> {
    /// The context of the root field being read: data, variables, fragments, errors.
    pub(crate) ctx: &'a ContextSelectionSet<'a>,
    pub(crate) db: &'a DatabaseConnection,
    pub(crate) caller: &'a Caller,
    pub(crate) config: &'a Config,
}

impl<'a> Request<'a> {
    pub(crate) fn new(ctx: &'a ContextSelectionSet<'a>) -> Result<Self, ServerError> {
        let db = ctx
            .data_opt::<DatabaseConnection>()
            .ok_or_else(|| GqlError::internal("no DatabaseConnection in the schema data"));
        Ok(Request {
            ctx,
            db: db.map_err(|err| to_server_error(ctx, err, None))?,
            caller: Caller::of(ctx),
            config: Config::of(ctx),
        })
    }

    /// `err` as a response error at the root field's path.
    pub(crate) fn error(&self, err: GqlError, field: &Positioned<Field>) -> ServerError {
        to_server_error(self.ctx, err, Some(field))
    }
}

fn to_server_error(
    ctx: &ContextSelectionSet<'_>,
    err: GqlError,
    field: Option<&Positioned<Field>>,
) -> ServerError {
    let err = async_graphql::Error::from(err)
        .into_server_error(field.map_or_else(|| ctx.item.pos, |field| field.pos));
    ctx.set_error_path(err)
}

/// One response key of a selection: every occurrence of the field under it, merged.
pub struct Selected<'a> {
    pub(crate) key: Name,
    pub(crate) name: &'a str,
    pub(crate) fields: Vec<&'a Positioned<Field>>,
}

impl<'a> Selected<'a> {
    /// The first occurrence: its position and arguments stand for all (validation has checked
    /// that occurrences under one key can be merged).
    pub(crate) fn first(&self) -> &'a Positioned<Field> {
        self.fields[0]
    }

    /// The selection sets of every occurrence.
    pub(crate) fn sets(&self) -> Vec<&'a Positioned<SelectionSet>> {
        self.fields.iter().map(|f| &f.node.selection_set).collect()
    }

    /// The argument `name` of the first occurrence, variables substituted.
    pub(crate) fn argument<T: async_graphql::InputType>(
        &self,
        req: &Request<'a>,
        name: &str,
    ) -> Result<T, ServerError> {
        req.ctx
            .with_field(self.first())
            .param_value::<T>(name, None)
            .map(|(_, value)| value)
    }
}

/// The fields of `sets` on an object of type `type_name`, fragments expanded, grouped by
/// response key in the order they first appear.
pub(crate) fn collect<'a>(
    req: &Request<'a>,
    type_name: &str,
    sets: &[&'a Positioned<SelectionSet>],
) -> Result<Vec<Selected<'a>>, ServerError> {
    let mut out: Vec<Selected<'a>> = Vec::new();
    for set in sets {
        walk(req, type_name, set, &mut out)?;
    }
    Ok(out)
}

fn walk<'a>(
    req: &Request<'a>,
    type_name: &str,
    set: &'a Positioned<SelectionSet>,
    out: &mut Vec<Selected<'a>>,
) -> Result<(), ServerError> {
    for selection in &set.node.items {
        let (condition, inner) = match &selection.node {
            Selection::Field(field) => {
                let key = field.node.response_key();
                match out.iter_mut().find(|s| s.key == key.node) {
                    Some(existing) => existing.fields.push(field),
                    None => out.push(Selected {
                        key: key.node.clone(),
                        name: field.node.name.node.as_str(),
                        fields: vec![field],
                    }),
                }
                continue;
            }
            Selection::FragmentSpread(spread) => {
                let name = &spread.node.fragment_name.node;
                let Some(fragment) = req.ctx.query_env.fragments.get(name) else {
                    return Err(ServerError::new(
                        format!(r#"Unknown fragment "{name}"."#),
                        Some(spread.pos),
                    ));
                };
                (
                    Some(fragment.node.type_condition.node.on.node.as_str()),
                    &fragment.node.selection_set,
                )
            }
            Selection::InlineFragment(fragment) => (
                fragment
                    .node
                    .type_condition
                    .as_ref()
                    .map(|c| c.node.on.node.as_str()),
                &fragment.node.selection_set,
            ),
        };
        let applies = condition.is_none_or(|condition| {
            condition == type_name
                || req
                    .ctx
                    .schema_env
                    .registry
                    .implements
                    .get(type_name)
                    .is_some_and(|interfaces| interfaces.contains(condition))
        });
        if applies {
            walk(req, type_name, inner, out)?;
        }
    }
    Ok(())
}

/// The selection of one object type: what to render for each row, and what to read.
pub(crate) struct ObjectPlan<'a, M: 'static> {
    pub(crate) fields: Vec<Planned<'a, M>>,
    /// A computed field is selected: its method may read any column.
    pub(crate) reads_all: bool,
    /// The GraphQL names of the selected column fields.
    pub(crate) columns: Vec<&'static str>,
}

/// One response key of an object.
pub(crate) struct Planned<'a, M: 'static> {
    pub(crate) key: Name,
    pub(crate) what: What<'a, M>,
}

pub(crate) enum What<'a, M: 'static> {
    Typename,
    Column {
        read: ColumnFn<M>,
        field: &'a Positioned<Field>,
        guard: Option<Guard>,
    },
    Computed {
        resolve: ComputedFn<M>,
        field: &'a Positioned<Field>,
        nullable: bool,
        /// One value per row of the group, filled by [`crate::fetch`].
        values: Vec<Result<Value, ServerError>>,
    },
    Relation(BoxBranch<'a, M>),
}

/// A field with `permission = "codename"`, checked per row only for callers without it.
pub(crate) struct Guard {
    pub(crate) field: &'static str,
    pub(crate) codename: &'static str,
    /// The caller holds the codename: every row passes.
    pub(crate) granted: bool,
    /// Otherwise the caller's user id: rows they own pass.
    pub(crate) user: Option<String>,
}

impl<M: GraphQLModel> ObjectPlan<'_, M> {
    /// Whether rows read for this selection need `info`'s column: a field shows it, a
    /// relation matches on it, or it holds the owner a guarded field is checked against.
    pub(crate) fn reads(&self, info: &ColumnOf<M>) -> bool {
        if info
            .field
            .is_some_and(|field| self.columns.contains(&field))
        {
            return true;
        }
        let name = info.column.as_str();
        self.fields.iter().any(|field| match &field.what {
            What::Relation(branch) => branch.parent_column() == name,
            What::Column { guard: Some(_), .. } => M::owner().is_column(name),
            _ => false,
        })
    }
}

/// Plans the selection `sets` of `M`.
pub(crate) fn object<'a, M: Fields>(
    req: &Request<'a>,
    sets: &[&'a Positioned<SelectionSet>],
) -> Result<ObjectPlan<'a, M>, ServerError> {
    let selected = collect(req, M::TYPE_NAME, sets)?;
    let mut plan = ObjectPlan {
        fields: Vec::with_capacity(selected.len()),
        reads_all: false,
        columns: Vec::new(),
    };
    for sel in selected {
        let what = if sel.name == "__typename" {
            What::Typename
        } else {
            let Some(info) = M::FIELDS.iter().find(|f| f.name == sel.name) else {
                return Err(unknown_field(&sel, M::TYPE_NAME));
            };
            match &info.kind {
                FieldKind::Column { read, permission } => {
                    plan.columns.push(info.name);
                    What::Column {
                        read: *read,
                        field: sel.first(),
                        guard: permission.map(|codename| Guard {
                            field: info.name,
                            codename,
                            granted: req.caller.has_perm(codename),
                            user: req.caller.user().map(|user| user.id.clone()),
                        }),
                    }
                }
                FieldKind::Computed { resolve, type_name } => {
                    plan.reads_all = true;
                    What::Computed {
                        resolve: *resolve,
                        field: sel.first(),
                        nullable: !type_name().ends_with('!'),
                        values: Vec::new(),
                    }
                }
                FieldKind::Relation { shape, spec, plan } => {
                    What::Relation(plan(req, &sel, *shape, spec())?)
                }
            }
        };
        plan.fields.push(Planned { key: sel.key, what });
    }
    Ok(plan)
}

fn unknown_field(sel: &Selected<'_>, type_name: &str) -> ServerError {
    ServerError::new(
        format!(
            r#"Cannot query field "{}" on type "{type_name}"."#,
            sel.name
        ),
        Some(sel.first().pos),
    )
}

/// The selection of a connection: its fields in order, and one node plan per `node` key.
pub(crate) struct ConnectionPlan<'a, M: 'static> {
    pub(crate) fields: Vec<(Name, ConnectionField)>,
    pub(crate) nodes: Vec<ObjectPlan<'a, M>>,
    /// `totalCount` is selected.
    pub(crate) counts: bool,
    /// `edges` or `pageInfo` is selected: the page's rows are read.
    pub(crate) reads_rows: bool,
    /// Cursors of this field's order, also for pages of it.
    pub(crate) cursors: CursorCodec,
    /// What `aggregate` asks for, `COUNT(*)` first; empty when it is not selected.
    pub(crate) measures: Vec<Measure>,
}

pub(crate) enum ConnectionField {
    Typename,
    TotalCount,
    PageInfo(Vec<(Name, PageInfoField)>),
    Edges(Vec<(Name, EdgeField)>),
    Aggregate(Vec<(Name, AggregateField)>),
}

/// A field of `XAggregate`.
pub(crate) enum AggregateField {
    Typename,
    /// `count`, the connection's first measure.
    Count,
    /// `sum { price }` and the like: the object of one function, by column.
    Function(Function, Vec<(Name, MeasureField)>),
}

/// A field of the object of an aggregate function (`XSumFields`).
pub(crate) enum MeasureField {
    Typename,
    /// The value of `measures[i]` of the connection.
    Value(usize),
}

pub(crate) enum EdgeField {
    Typename,
    Cursor,
    /// The node, rendered by `nodes[i]` of the connection plan.
    Node(usize),
}

#[derive(Clone, Copy)]
pub(crate) enum PageInfoField {
    Typename,
    HasNextPage,
    HasPreviousPage,
    StartCursor,
    EndCursor,
}

/// Plans the selection `sets` of a connection of `M` whose cursors are `cursors`.
pub(crate) fn connection<'a, M: Fields>(
    req: &Request<'a>,
    sets: &[&'a Positioned<SelectionSet>],
    cursors: CursorCodec,
) -> Result<ConnectionPlan<'a, M>, ServerError> {
    let connection_type = format!("{}Connection", M::TYPE_NAME);
    let edge_type = format!("{}Edge", M::TYPE_NAME);
    let mut plan = ConnectionPlan {
        fields: Vec::new(),
        nodes: Vec::new(),
        counts: false,
        reads_rows: false,
        cursors,
        measures: Vec::new(),
    };
    for sel in collect(req, &connection_type, sets)? {
        let field = match sel.name {
            "__typename" => ConnectionField::Typename,
            "totalCount" => {
                plan.counts = true;
                ConnectionField::TotalCount
            }
            "pageInfo" => {
                plan.reads_rows = true;
                let mut fields = Vec::new();
                for sub in collect(req, "PageInfo", &sel.sets())? {
                    let field = match sub.name {
                        "__typename" => PageInfoField::Typename,
                        "hasNextPage" => PageInfoField::HasNextPage,
                        "hasPreviousPage" => PageInfoField::HasPreviousPage,
                        "startCursor" => PageInfoField::StartCursor,
                        "endCursor" => PageInfoField::EndCursor,
                        _ => return Err(unknown_field(&sub, "PageInfo")),
                    };
                    fields.push((sub.key, field));
                }
                ConnectionField::PageInfo(fields)
            }
            "edges" => {
                plan.reads_rows = true;
                let mut fields = Vec::new();
                for sub in collect(req, &edge_type, &sel.sets())? {
                    let field = match sub.name {
                        "__typename" => EdgeField::Typename,
                        "cursor" => EdgeField::Cursor,
                        "node" => {
                            plan.nodes.push(object::<M>(req, &sub.sets())?);
                            EdgeField::Node(plan.nodes.len() - 1)
                        }
                        _ => return Err(unknown_field(&sub, &edge_type)),
                    };
                    fields.push((sub.key, field));
                }
                ConnectionField::Edges(fields)
            }
            "aggregate" => ConnectionField::Aggregate(aggregate_fields::<M>(req, &sel, &mut plan)?),
            _ => return Err(unknown_field(&sel, &connection_type)),
        };
        plan.fields.push((sel.key, field));
    }
    Ok(plan)
}

/// Plans the fields of `aggregate` (`sel`), adding the measures they read to `plan`'s.
fn aggregate_fields<'a, M: Fields>(
    req: &Request<'a>,
    sel: &Selected<'a>,
    plan: &mut ConnectionPlan<'a, M>,
) -> Result<Vec<(Name, AggregateField)>, ServerError> {
    let aggregate_type = format!("{}Aggregate", M::TYPE_NAME);
    if plan.measures.is_empty() {
        plan.measures.push(Measure::COUNT);
    }
    let mut fields = Vec::new();
    for sub in collect(req, &aggregate_type, &sel.sets())? {
        let field = match (sub.name, Function::of_field(sub.name)) {
            ("__typename", _) => AggregateField::Typename,
            (_, Some(Function::Count)) => AggregateField::Count,
            (_, Some(function)) => {
                let type_name = function.type_name(M::TYPE_NAME);
                let mut values = Vec::new();
                for column in collect(req, &type_name, &sub.sets())? {
                    let value = if column.name == "__typename" {
                        MeasureField::Typename
                    } else {
                        let measure = aggregate::measure::<M>(function, column.name)
                            .ok_or_else(|| unknown_field(&column, &type_name))?;
                        let at = match plan.measures.iter().position(|m| *m == measure) {
                            Some(at) => at,
                            None => {
                                plan.measures.push(measure);
                                plan.measures.len() - 1
                            }
                        };
                        MeasureField::Value(at)
                    };
                    values.push((column.key, value));
                }
                AggregateField::Function(function, values)
            }
            (_, None) => return Err(unknown_field(&sub, &aggregate_type)),
        };
        fields.push((sub.key, field));
    }
    Ok(fields)
}

impl<M: GraphQLModel> ConnectionPlan<'_, M> {
    /// Whether any node reads every column, and which columns the nodes read.
    pub(crate) fn reads(&self) -> (bool, impl Fn(&ColumnOf<M>) -> bool + '_) {
        let all = self.nodes.iter().any(|n| n.reads_all);
        (all, move |info: &ColumnOf<M>| {
            self.nodes.iter().any(|n| n.reads(info))
        })
    }
}

/// A relation field under a parent of type `P`, whatever the related type: loaded by
/// [`crate::fetch`], rendered by [`crate::render`].
pub trait Branch<'a, P>: Fetch<'a, P> + Render {}

impl<'a, P, T: Fetch<'a, P> + Render> Branch<'a, P> for T {}

/// A planned relation, boxed.
pub type BoxBranch<'a, P> = Box<dyn Branch<'a, P> + 'a>;

/// Loading a branch: its rows for every parent at its position, then its own branches.
pub trait Fetch<'a, P>: Send + Sync {
    fn fetch<'s>(&'s mut self, req: &'s Request<'a>, parents: &'s [P]) -> BoxFuture<'s, ()>
    where
        'a: 's;

    /// The parent's column whose value the related rows match: the parents must read it.
    fn parent_column(&self) -> &'static str;

    /// Joins the branch into the statement reading its parents, when it is a belongs-to whose
    /// rows no row scope narrows; its own joinable branches follow. Then `fetch` does not read
    /// it again: [`Fetch::decode_joined`] takes each parent's row from that statement's rows.
    fn join(&mut self, join: &mut Join<'_>);

    /// The joined row of the next parent (each parent in turn, in the order they were read),
    /// from the row of the parents' statement.
    fn decode_joined(
        &mut self,
        parent: &P,
        row: &sea_orm::QueryResult,
    ) -> Result<(), sea_orm::DbErr>;
}

/// A statement being built for the rows of one table, into which to-one relations are joined
/// ([`Fetch::join`]), each under an alias of its own, their columns after the ones before.
pub struct Join<'s> {
    pub(crate) statement: &'s mut sea_orm::sea_query::SelectStatement,
    /// The table or alias the parents are read from.
    pub(crate) parent: sea_orm::sea_query::DynIden,
    /// How many columns the statement selects so far.
    pub(crate) width: usize,
    /// How many tables were joined so far, to name the next alias.
    pub(crate) joined: usize,
}

/// Where a joined relation's columns are in its parents' statement.
pub(crate) struct Joined {
    pub(crate) columns: crate::model::SelectedColumns,
    /// The position of the related row's key: `NULL` when there is no related row.
    pub(crate) key_at: usize,
}

/// Rendering a branch for the parent at `parent` (its index among the parents loaded), at the
/// response path `at` (the field's own path), as JSON text appended to `out`. On an error that
/// is the parent's to handle, what was appended is the caller's to drop.
pub trait Render: Send + Sync {
    fn render(
        &self,
        parent: usize,
        at: &QueryPathNode<'_>,
        ctx: &ContextSelectionSet<'_>,
        out: &mut Vec<u8>,
    ) -> Result<(), ServerError>;
}

/// A relation field, planned: everything its load and its rendering need, and then its rows.
pub(crate) struct RelationPlan<'a, P: GraphQLModel, C: GraphQLModel> {
    /// Where the field is in the document, for its errors.
    pub(crate) pos: async_graphql::Pos,
    pub(crate) shape: RelationShape,
    pub(crate) spec: RelationSpec,
    /// The parent's column holding the key the relation matches on.
    pub(crate) parent_key: <P::Entity as EntityTrait>::Column,
    pub(crate) condition: Option<Condition>,
    pub(crate) keys: OrderKeys<<C::Entity as EntityTrait>::Column>,
    /// For connections: the checked page arguments and the connection's selection.
    pub(crate) page: Option<(connection::Plan, ConnectionPlan<'a, C>)>,
    /// For one and list shapes: the selection of the related row.
    pub(crate) node: Option<ObjectPlan<'a, C>>,
    /// Filled by the fetch: the related rows of every parent, each parent's share, or the
    /// error every parent's field reports.
    pub(crate) rows: Vec<C>,
    pub(crate) slots: Vec<Slot>,
    /// For connections selecting `aggregate`: each parent's values of the connection's
    /// measures.
    pub(crate) aggregates: Vec<Vec<Value>>,
    pub(crate) error: Option<ServerError>,
    /// Set when the rows come from the parents' statement instead of one of its own.
    pub(crate) joined: Option<Joined>,
}

/// A parent's share of a relation's rows: `rows[start..start + len]`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Slot {
    pub(crate) start: usize,
    pub(crate) len: usize,
    /// The 1-based row number, in the parent's whole list, of its first row.
    pub(crate) first_row: Option<u64>,
    /// The parent's total, when counted.
    pub(crate) total: u64,
}

/// Plans the relation field `sel` of `P` leading to `C`.
pub fn relation<'a, P, C>(
    req: &Request<'a>,
    sel: &Selected<'a>,
    shape: RelationShape,
    spec: RelationSpec,
) -> Result<BoxBranch<'a, P>, ServerError>
where
    P: Fields,
    C: Fields,
    <P::Entity as EntityTrait>::Column: FromStr,
{
    let field = sel.first();
    let fail = |err: GqlError| req.error(err, field);
    let name = key_column(&spec.def.from_col).map_err(fail)?.to_string();
    let parent_key = <P::Entity as EntityTrait>::Column::from_str(&name).map_err(|_| {
        fail(GqlError::internal(format!(
            "no column `{name}` for a relation key"
        )))
    })?;
    let caller = req.caller;
    let (condition, keys) = if shape == RelationShape::One {
        let keys = OrderKeys::from_input::<C::OrderBy>(&[], caller).map_err(fail)?;
        (crate::permission::relation_scope::<C>(caller), keys)
    } else {
        let filter = sel.argument::<Option<C::Filter>>(req, "filter")?;
        let order_by = sel.argument::<Option<Vec<C::OrderBy>>>(req, "orderBy")?;
        let keys =
            OrderKeys::from_input(order_by.as_deref().unwrap_or_default(), caller).map_err(fail)?;
        let filter = filter
            .map(|f| crate::filter::condition(&f, "filter", caller, &req.config.limits))
            .transpose()
            .map_err(fail)?;
        let scope = crate::permission::relation_scope::<C>(caller);
        let condition = match (filter, scope) {
            (Some(f), Some(s)) => Some(f.add(s)),
            (f, s) => f.or(s),
        };
        (condition, keys)
    };
    let (page, node) = if shape == RelationShape::Connection {
        let args = PageArgs {
            first: sel.argument(req, "first")?,
            after: sel.argument(req, "after")?,
            last: sel.argument(req, "last")?,
            before: sel.argument(req, "before")?,
        };
        let cursors = CursorCodec::new(C::TYPE_NAME, &keys.signature());
        let after = cursors
            .decode_argument("after", &args.after)
            .map_err(fail)?;
        let before = cursors
            .decode_argument("before", &args.before)
            .map_err(fail)?;
        let window = connection::plan(&args, req.config, after, before).map_err(fail)?;
        let selection = connection::<C>(req, &sel.sets(), cursors)?;
        (Some((window, selection)), None)
    } else {
        (None, Some(object::<C>(req, &sel.sets())?))
    };
    Ok(Box::new(RelationPlan::<'a, P, C> {
        pos: field.pos,
        shape,
        spec,
        parent_key,
        condition,
        keys,
        page,
        node,
        rows: Vec::new(),
        slots: Vec::new(),
        aggregates: Vec::new(),
        error: None,
        joined: None,
    }))
}
