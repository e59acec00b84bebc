//! The last stage of a read, and its entry points: a root connection ([`Connection`]) or a
//! model row reached by async-graphql (a detail field, a mutation payload, a computed field's
//! value) is planned ([`crate::plan`]), loaded ([`crate::fetch`]) and then written in one
//! synchronous pass, keys in selection order: no future, `Context` or map lookup per field.
//! The pass writes JSON text, not a tree of async-graphql values: gqlgen's HTTP handler keeps
//! the text aside (`RenderedTexts`) and copies it into the response it writes. Errors keep
//! async-graphql's meaning: a field that may be `null` becomes `null` beside its error (a
//! denied guarded column, a failed belongs-to), one that may not passes the error up to the
//! nearest field that may, and what was written of it is dropped.

use std::borrow::Cow;

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, Field, FragmentDefinition, Selection, SelectionSet,
};
use async_graphql::registry::Registry;
use async_graphql::{
    Context, ContextSelectionSet, Name, OutputType, PathSegment, Positioned, QueryPathNode,
    QueryPathSegment, ServerError, ServerResult, Value,
};

use crate::aggregate;
use crate::connection::{Connection, ConnectionType, Page};
use crate::error::{ErrorCode, GqlError};
use crate::plan::{
    self, AggregateField, ConnectionField, ConnectionPlan, EdgeField, Fields, Guard, MeasureField,
    ObjectPlan, PageInfoField, RelationPlan, RelationShape, Render, Request, What,
};

impl<M: Fields> OutputType for Connection<M> {
    fn type_name() -> Cow<'static, str> {
        <ConnectionType<M> as OutputType>::type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        let name = <ConnectionType<M> as OutputType>::create_type_info(registry);
        // The connection's types are the model's, for the response cache.
        crate::cache::annotate::<M>(registry, &name);
        let edge = <crate::connection::EdgeType<M> as OutputType>::type_name();
        crate::cache::annotate::<M>(registry, &edge);
        let aggregate = <crate::aggregate::AggregateType<M> as OutputType>::type_name();
        crate::cache::annotate::<M>(registry, &aggregate);
        name
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        connection(self, ctx, field).await
    }
}

/// A root connection: plan, page, relations, render.
async fn connection<M: Fields>(
    connection: &Connection<M>,
    ctx: &ContextSelectionSet<'_>,
    field: &Positioned<Field>,
) -> ServerResult<Value> {
    let req = Request::new(ctx)?;
    let mut plan = plan::connection::<M>(&req, &[ctx.item], connection.cursors.clone())?;
    let page = crate::fetch::root_page(&req, connection, &mut plan)
        .await
        .map_err(|err| req.error(err, field))?;
    let window = page.window;
    let bounds = Page::new(
        page.rows.len(),
        window.limit as usize,
        window.offset,
        window.before_given,
        window.offset > 0,
    );
    // The row read past the window only tells whether a next page exists: no relations for it.
    let shown = &page.rows[..bounds.len.min(page.rows.len())];
    for node in &mut plan.nodes {
        crate::fetch::object(node, &req, shown).await;
    }
    let root = root_path(ctx, field);
    let mut out = Vec::with_capacity(OUTPUT_CAPACITY);
    let totals = Totals {
        count: page.total,
        aggregates: &page.aggregates,
    };
    connection_value(&plan, &page.rows, 0, bounds, totals, &root, ctx, &mut out)?;
    raw(out, field.pos, ctx)
}

/// A model row resolved by async-graphql: the generated `OutputType::resolve` of every model.
pub async fn object<M: Fields>(
    row: &M,
    ctx: &ContextSelectionSet<'_>,
    field: &Positioned<Field>,
) -> ServerResult<Value> {
    let req = Request::new(ctx)?;
    let mut plan = plan::object::<M>(&req, &[ctx.item])?;
    let rows = std::slice::from_ref(row);
    crate::fetch::object(&mut plan, &req, rows).await;
    let root = root_path(ctx, field);
    let mut out = Vec::with_capacity(OUTPUT_CAPACITY);
    object_value(&plan, row, 0, &root, ctx, &mut out)?;
    raw(out, field.pos, ctx)
}

/// Rows of one model resolved together (`nodes(ids:)`): one plan, and one fetch of the
/// selection's relations for all of them; each row's errors are at `positions` of the list
/// when `in_list`, at the field itself otherwise.
pub(crate) async fn objects<M: Fields>(
    rows: &[M],
    positions: impl Iterator<Item = usize>,
    in_list: bool,
    ctx: &ContextSelectionSet<'_>,
    field: &Positioned<Field>,
) -> ServerResult<Vec<Value>> {
    let req = Request::new(ctx)?;
    let mut plan = plan::object::<M>(&req, &[ctx.item])?;
    crate::fetch::object(&mut plan, &req, rows).await;
    let root = root_path(ctx, field);
    let mut values = Vec::with_capacity(rows.len());
    for ((index, row), position) in rows.iter().enumerate().zip(positions) {
        let at = item(&root, position);
        let mut out = Vec::with_capacity(OUTPUT_CAPACITY);
        object_value(
            &plan,
            row,
            index,
            if in_list { &at } else { &root },
            ctx,
            &mut out,
        )?;
        values.push(raw(out, field.pos, ctx)?);
    }
    Ok(values)
}

/// The key of the one-entry object that refers to a kept rendered subtree.
const RENDERED: &str = "$gqlgen:rendered";

/// What a rendered subtree's buffer starts with; it grows by doubling from there.
const OUTPUT_CAPACITY: usize = 4096;

/// A rendered subtree as a response value. Through gqlgen's HTTP handler, which puts a
/// [`RenderedTexts`] in the request, the text goes there and the value is a reference to it that
/// the handler copies into the response. Elsewhere (a test calling `Schema::execute`, a
/// subscription) the text is parsed back into a value.
fn raw(
    out: Vec<u8>,
    pos: async_graphql::Pos,
    ctx: &ContextSelectionSet<'_>,
) -> ServerResult<Value> {
    let Some(texts) = ctx.data_opt::<std::sync::Arc<RenderedTexts>>() else {
        return serde_json::from_slice(&out)
            .map_err(|err| ServerError::new(format!("a rendered value: {err}"), Some(pos)));
    };
    // Everything written is ASCII punctuation, GraphQL names and serde_json's output.
    let text = String::from_utf8(out)
        .map_err(|_| ServerError::new("a rendered response is not UTF-8", Some(pos)))?;
    let mut map = IndexMap::with_capacity(1);
    map.insert(Name::new(RENDERED), Value::String(texts.keep(text)));
    Ok(Value::Object(map))
}

/// The subtrees rendered for one request, kept aside until its response is written, so that
/// their text is copied once rather than turned into a tree of values and serialised again. A
/// response value refers to one by an object whose one entry holds this process's secret and
/// the text's index: data (a JSON column holding such an object) cannot name one without the
/// secret, which never leaves the process, and is written out as any other value.
#[derive(Default)]
pub(crate) struct RenderedTexts {
    texts: std::sync::Mutex<Vec<String>>,
}

/// A random secret, drawn once per process from the standard library's hash keys.
fn secret() -> &'static str {
    static SECRET: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SECRET.get_or_init(|| {
        use std::hash::BuildHasher;
        let keys = std::collections::hash_map::RandomState::new();
        format!(
            "gqlgen:{:016x}{:016x}:",
            keys.hash_one(1u8),
            keys.hash_one(2u8)
        )
    })
}

impl RenderedTexts {
    /// Keeps `text`; the reference to it.
    fn keep(&self, text: String) -> String {
        let mut texts = self.texts.lock().unwrap_or_else(|e| e.into_inner());
        texts.push(text);
        format!("{}{}", secret(), texts.len() - 1)
    }

    /// Writes the text `reference` names, if it names one.
    fn write(&self, reference: &str, out: &mut Vec<u8>) -> bool {
        let Some(index) = reference.strip_prefix(secret()) else {
            return false;
        };
        let texts = self.texts.lock().unwrap_or_else(|e| e.into_inner());
        match index.parse::<usize>().ok().and_then(|i| texts.get(i)) {
            Some(text) => {
                out.extend_from_slice(text.as_bytes());
                true
            }
            None => false,
        }
    }
}

/// Puts the keys of every object of `data` in the order of the selection set that asked for
/// them, as the spec orders response maps. async-graphql resolves the fields of a query
/// concurrently and collects them in the order they finish, so that `{ products category }`
/// could answer `category` first. Subtrees this module rendered are in order already and are
/// not entered.
pub(crate) fn order_by_selection(
    data: &mut Value,
    document: &ExecutableDocument,
    operation_name: Option<&str>,
) {
    let operation = match (&document.operations, operation_name) {
        (DocumentOperations::Single(operation), _) => operation,
        (DocumentOperations::Multiple(operations), Some(name)) => match operations.get(name) {
            Some(operation) => operation,
            None => return,
        },
        (DocumentOperations::Multiple(operations), None) => match operations.values().next() {
            Some(operation) if operations.len() == 1 => operation,
            _ => return,
        },
    };
    order_value(
        data,
        &[&operation.node.selection_set.node],
        &document.fragments,
    );
}

type Fragments = std::collections::HashMap<Name, Positioned<FragmentDefinition>>;

fn order_value(value: &mut Value, selections: &[&SelectionSet], fragments: &Fragments) {
    match value {
        Value::List(items) => {
            for item in items {
                order_value(item, selections, fragments);
            }
        }
        Value::Object(map) if !(map.len() == 1 && map.contains_key(RENDERED)) => {
            // Each response key once, in the order of its first field, with the selection sets
            // of every field under that key (fields of one key merge).
            let mut keys: IndexMap<&Name, Vec<&SelectionSet>> = IndexMap::new();
            for selection in selections {
                collect_keys(selection, fragments, &mut keys, 0);
            }
            let mut unordered = std::mem::take(map);
            for (key, children) in keys {
                if let Some(mut child) = unordered.swap_remove(key) {
                    order_value(&mut child, &children, fragments);
                    map.insert(key.clone(), child);
                }
            }
            // Whatever no field names (none, in practice) keeps its place at the end.
            map.extend(unordered);
        }
        _ => {}
    }
}

fn collect_keys<'a>(
    selection: &'a SelectionSet,
    fragments: &'a Fragments,
    keys: &mut IndexMap<&'a Name, Vec<&'a SelectionSet>>,
    depth: usize,
) {
    // Validation refuses fragment cycles; the bound only keeps a bug from looping.
    if depth > 64 {
        return;
    }
    for item in &selection.items {
        match &item.node {
            Selection::Field(field) => keys
                .entry(&field.node.response_key().node)
                .or_default()
                .push(&field.node.selection_set.node),
            Selection::FragmentSpread(spread) => {
                if let Some(fragment) = fragments.get(&spread.node.fragment_name.node) {
                    collect_keys(
                        &fragment.node.selection_set.node,
                        fragments,
                        keys,
                        depth + 1,
                    );
                }
            }
            Selection::InlineFragment(inline) => {
                collect_keys(&inline.node.selection_set.node, fragments, keys, depth + 1)
            }
        }
    }
}

/// Writes `value` as JSON, copying the subtrees kept in `texts` that it refers to.
pub(crate) fn write_value(
    out: &mut Vec<u8>,
    value: &Value,
    texts: Option<&RenderedTexts>,
) -> Result<(), serde_json::Error> {
    match value {
        Value::Object(map) => {
            if let (Some(texts), true, Some(Value::String(reference))) =
                (texts, map.len() == 1, map.get(RENDERED))
                && texts.write(reference, out)
            {
                return Ok(());
            }
            out.push(b'{');
            for (i, (name, field)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                serde_json::to_writer(&mut *out, name.as_str())?;
                out.push(b':');
                write_value(out, field, texts)?;
            }
            out.push(b'}');
            Ok(())
        }
        Value::List(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(out, item, texts)?;
            }
            out.push(b']');
            Ok(())
        }
        scalar => serde_json::to_writer(&mut *out, scalar),
    }
}

/// Writes `"key":`, after a comma unless it is the object's first key. Keys are GraphQL names
/// (`[_A-Za-z][_0-9A-Za-z]*`, as the parser checked them): nothing to escape.
fn key(out: &mut Vec<u8>, first: bool, key: &str) {
    if !first {
        out.push(b',');
    }
    out.push(b'"');
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\":");
}

fn null(out: &mut Vec<u8>) {
    out.extend_from_slice(b"null");
}

fn boolean(value: bool, out: &mut Vec<u8>) {
    out.extend_from_slice(if value { b"true" } else { b"false" });
}

/// A type name followed by `suffix`, as one string (`"ProductEdge"`): the name is written by
/// [`string`], the suffix (ASCII letters) inside its closing quote.
fn suffixed_name(out: &mut Vec<u8>, name: &str, suffix: &str) {
    string(out, name);
    out.pop();
    out.extend_from_slice(suffix.as_bytes());
    out.push(b'"');
}

fn string(out: &mut Vec<u8>, text: &str) {
    // Writing to a `Vec` cannot fail, and a `str` always serialises.
    let _ = serde_json::to_writer(&mut *out, text);
}

/// A response value: a column's scalar, a computed field's value (which may hold rendered
/// subtrees).
fn value(out: &mut Vec<u8>, value: &Value, ctx: &ContextSelectionSet<'_>) -> ServerResult<()> {
    // Only objects and lists can hold rendered subtrees: scalars skip the data lookup.
    let texts = match value {
        Value::Object(_) | Value::List(_) => ctx.data_opt::<std::sync::Arc<RenderedTexts>>(),
        _ => None,
    };
    write_value(out, value, texts.map(|t| &**t))
        .map_err(|err| ServerError::new(format!("cannot write a value: {err}"), None))
}

/// Writes a column's value as the response value of its field. Text, integers and booleans are
/// written at once; other types through their own `OutputType`, whose scalars answer at once,
/// so the future is polled once instead of spawned.
pub fn column<T: OutputType + 'static>(
    column: &T,
    ctx: &ContextSelectionSet<'_>,
    field: &Positioned<Field>,
    out: &mut Vec<u8>,
) -> ServerResult<()> {
    use futures_util::FutureExt as _;
    // Each check is on a type known at compile time: all but one fold away.
    let any: &dyn std::any::Any = column;
    if let Some(text) = any.downcast_ref::<String>() {
        string(out, text);
    } else if let Some(text) = any.downcast_ref::<Option<String>>() {
        match text {
            Some(text) => string(out, text),
            None => null(out),
        }
    } else if let Some(number) = any.downcast_ref::<i32>() {
        let _ = serde_json::to_writer(&mut *out, number);
    } else if let Some(number) = any.downcast_ref::<i64>() {
        let _ = serde_json::to_writer(&mut *out, number);
    } else if let Some(flag) = any.downcast_ref::<bool>() {
        boolean(*flag, out);
    } else {
        let resolved = OutputType::resolve(column, ctx, field)
            .now_or_never()
            .unwrap_or_else(|| {
                Err(ServerError::new(
                    "a column's value did not resolve at once",
                    Some(field.pos),
                ))
            })?;
        value(out, &resolved, ctx)?;
    }
    Ok(())
}

/// A decimal column's value, written with the scale its column declares: `999.60` from a
/// database that returns `999.6` (SQLite keeps no scale).
pub trait ScaledDecimal {
    /// Writes the value with `scale` decimal places, or `null`.
    fn write_scaled(&self, scale: u32, out: &mut Vec<u8>);
}

impl ScaledDecimal for rust_decimal::Decimal {
    fn write_scaled(&self, scale: u32, out: &mut Vec<u8>) {
        let mut value = *self;
        value.rescale(scale);
        string(out, &value.to_string());
    }
}

impl ScaledDecimal for Option<rust_decimal::Decimal> {
    fn write_scaled(&self, scale: u32, out: &mut Vec<u8>) {
        match self {
            Some(value) => value.write_scaled(scale, out),
            None => null(out),
        }
    }
}

/// Writes a decimal column's value with its column's scale.
pub fn decimal<T: ScaledDecimal>(value: &T, scale: u32, out: &mut Vec<u8>) -> ServerResult<()> {
    value.write_scaled(scale, out);
    Ok(())
}

/// Writes an id column's value (a number, a uuid or text) as the global id of a `type_name`
/// row: the model's own type for its key, the related type for a foreign key.
pub fn id<T: std::fmt::Display>(type_name: &str, id: &T, out: &mut Vec<u8>) -> ServerResult<()> {
    global_id(type_name, id, out);
    Ok(())
}

/// Writes a nullable id column's value as a global id or `null`.
pub fn optional_id<T: std::fmt::Display>(
    type_name: &str,
    id: &Option<T>,
    out: &mut Vec<u8>,
) -> ServerResult<()> {
    match id {
        Some(id) => global_id(type_name, id, out),
        None => null(out),
    }
    Ok(())
}

/// A global id as a JSON string: base64url needs no escaping.
fn global_id(type_name: &str, key: &impl std::fmt::Display, out: &mut Vec<u8>) {
    let mut text = String::with_capacity(24);
    crate::global_id::write(type_name, key, &mut text);
    out.push(b'"');
    out.extend_from_slice(text.as_bytes());
    out.push(b'"');
}

/// A computed field's value (or its error) as a response value, for generated code.
pub async fn computed<T: OutputType>(
    ctx: &Context<'_>,
    result: async_graphql::Result<T>,
) -> ServerResult<Value> {
    match result {
        Ok(value) => {
            let selection = ctx.with_selection_set(&ctx.item.node.selection_set);
            OutputType::resolve(&value, &selection, ctx.item).await
        }
        Err(err) => Err(ctx.set_error_path(err.into_server_error(ctx.item.pos))),
    }
}

/// The path of the field being resolved; a field always has one, but a context built without
/// one still renders, its errors at the field's name.
fn root_path<'c>(
    ctx: &'c ContextSelectionSet<'_>,
    field: &'c Positioned<Field>,
) -> QueryPathNode<'c> {
    ctx.path_node.unwrap_or(QueryPathNode {
        parent: None,
        segment: QueryPathSegment::Name(field.node.response_key().node.as_str()),
    })
}

/// The response path of `at`, then `tail`.
fn path(at: &QueryPathNode<'_>, tail: impl IntoIterator<Item = PathSegment>) -> Vec<PathSegment> {
    let mut path = Vec::new();
    let mut node = Some(at);
    while let Some(n) = node {
        path.push(match n.segment {
            QueryPathSegment::Name(name) => PathSegment::Field(name.to_owned()),
            QueryPathSegment::Index(index) => PathSegment::Index(index),
        });
        node = n.parent;
    }
    path.reverse();
    path.extend(tail);
    path
}

fn field_error(at: &QueryPathNode<'_>, key: &Name, err: GqlError) -> ServerError {
    let mut err = async_graphql::Error::from(err).into_server_error(Default::default());
    err.path = path(at, [PathSegment::Field(key.to_string())]);
    err
}

fn child<'p>(at: &'p QueryPathNode<'p>, key: &'p Name) -> QueryPathNode<'p> {
    QueryPathNode {
        parent: Some(at),
        segment: QueryPathSegment::Name(key.as_str()),
    }
}

fn item<'p>(at: &'p QueryPathNode<'p>, index: usize) -> QueryPathNode<'p> {
    QueryPathNode {
        parent: Some(at),
        segment: QueryPathSegment::Index(index),
    }
}

/// Whether the caller may read a guarded column of `row`: holders of the codename, and the
/// row's owner.
fn allows<M: Fields>(guard: &Guard, row: &M) -> bool {
    guard.granted
        || guard
            .user
            .as_deref()
            .is_some_and(|user| crate::permission::owner_of(row).as_deref() == Some(user))
}

/// One row: `index` is its position among the rows its plan's relations were loaded for.
fn object_value<M: Fields>(
    plan: &ObjectPlan<'_, M>,
    row: &M,
    index: usize,
    at: &QueryPathNode<'_>,
    ctx: &ContextSelectionSet<'_>,
    out: &mut Vec<u8>,
) -> ServerResult<()> {
    out.push(b'{');
    for (i, field) in plan.fields.iter().enumerate() {
        key(out, i == 0, &field.key);
        match &field.what {
            What::Typename => string(out, M::TYPE_NAME),
            What::Column {
                guard: Some(guard), ..
            } if !allows(guard, row) => {
                let denied = GqlError::new(
                    ErrorCode::PermissionDenied,
                    format!(
                        "`{}` needs the permission `{}`",
                        guard.field, guard.codename
                    ),
                );
                ctx.add_error(field_error(at, &field.key, denied));
                null(out);
            }
            What::Column {
                read,
                field: occurrence,
                ..
            } => {
                let mark = out.len();
                if let Err(err) = read(row, ctx, occurrence, out) {
                    out.truncate(mark);
                    ctx.add_error(ServerError {
                        path: path(at, [PathSegment::Field(field.key.to_string())]),
                        ..err
                    });
                    null(out);
                }
            }
            What::Computed {
                values, nullable, ..
            } => match values.get(index) {
                Some(Ok(computed)) => value(out, computed, ctx)?,
                Some(Err(err)) => {
                    let mut err = err.clone();
                    // Its path is relative to the field: rebase it on this row.
                    let tail = std::mem::take(&mut err.path);
                    err.path = path(at, [PathSegment::Field(field.key.to_string())]);
                    err.path.extend(tail);
                    if *nullable {
                        ctx.add_error(err);
                        null(out);
                    } else {
                        return Err(err);
                    }
                }
                None => null(out),
            },
            What::Relation(branch) => branch.render(index, &child(at, &field.key), ctx, out)?,
        }
    }
    out.push(b'}');
    Ok(())
}

/// A connection over `rows[start..start + page.len]`.
#[allow(clippy::too_many_arguments)]
/// What a connection answers about all its rows rather than its page.
struct Totals<'v> {
    /// `totalCount`, when counted.
    count: Option<u64>,
    /// The values of the plan's measures, when `aggregate` is selected.
    aggregates: &'v [Value],
}

#[allow(clippy::too_many_arguments)]
fn connection_value<M: Fields>(
    plan: &ConnectionPlan<'_, M>,
    rows: &[M],
    start: usize,
    page: Page,
    totals: Totals<'_>,
    at: &QueryPathNode<'_>,
    ctx: &ContextSelectionSet<'_>,
    out: &mut Vec<u8>,
) -> ServerResult<()> {
    out.push(b'{');
    for (i, (name, field)) in plan.fields.iter().enumerate() {
        key(out, i == 0, name);
        match field {
            ConnectionField::Typename => suffixed_name(out, M::TYPE_NAME, "Connection"),
            ConnectionField::TotalCount => {
                let _ = serde_json::to_writer(&mut *out, &totals.count.unwrap_or(0));
            }
            ConnectionField::Aggregate(fields) => {
                aggregate_value::<M>(fields, totals.aggregates, ctx, out)?
            }
            ConnectionField::PageInfo(fields) => page_info(plan, fields, page, out),
            ConnectionField::Edges(fields) => {
                let at_edges = child(at, name);
                out.push(b'[');
                for i in 0..page.len {
                    if i > 0 {
                        out.push(b',');
                    }
                    let at_edge = item(&at_edges, i);
                    out.push(b'{');
                    for (j, (edge_key, edge_field)) in fields.iter().enumerate() {
                        key(out, j == 0, edge_key);
                        match edge_field {
                            EdgeField::Typename => suffixed_name(out, M::TYPE_NAME, "Edge"),
                            EdgeField::Cursor => {
                                string(out, &plan.cursors.encode(page.offset + i as u64))
                            }
                            EdgeField::Node(n) => object_value(
                                &plan.nodes[*n],
                                &rows[start + i],
                                start + i,
                                &child(&at_edge, edge_key),
                                ctx,
                                out,
                            )?,
                        }
                    }
                    out.push(b'}');
                }
                out.push(b']');
            }
        }
    }
    out.push(b'}');
    Ok(())
}

fn aggregate_value<M: Fields>(
    fields: &[(Name, AggregateField)],
    values: &[Value],
    ctx: &ContextSelectionSet<'_>,
    out: &mut Vec<u8>,
) -> ServerResult<()> {
    let measure = |at: usize, out: &mut Vec<u8>| match values.get(at) {
        Some(measured) => value(out, measured, ctx),
        None => {
            null(out);
            Ok(())
        }
    };
    out.push(b'{');
    for (i, (name, field)) in fields.iter().enumerate() {
        key(out, i == 0, name);
        match field {
            AggregateField::Typename => suffixed_name(out, M::TYPE_NAME, "Aggregate"),
            AggregateField::Count => measure(0, out)?,
            AggregateField::Function(function, columns) => {
                out.push(b'{');
                for (j, (name, column)) in columns.iter().enumerate() {
                    key(out, j == 0, name);
                    match column {
                        MeasureField::Typename => string(out, &function.type_name(M::TYPE_NAME)),
                        MeasureField::Value(at) => measure(*at, out)?,
                    }
                }
                out.push(b'}');
            }
        }
    }
    out.push(b'}');
    Ok(())
}

fn page_info<M>(
    plan: &ConnectionPlan<'_, M>,
    fields: &[(Name, PageInfoField)],
    page: Page,
    out: &mut Vec<u8>,
) {
    let cursor = |offset: Option<u64>, out: &mut Vec<u8>| match offset {
        Some(offset) => string(out, &plan.cursors.encode(offset)),
        None => null(out),
    };
    let last = (page.len > 0).then(|| page.offset + page.len as u64 - 1);
    let first = (page.len > 0).then_some(page.offset);
    out.push(b'{');
    for (i, (name, field)) in fields.iter().enumerate() {
        key(out, i == 0, name);
        match field {
            PageInfoField::Typename => string(out, "PageInfo"),
            PageInfoField::HasNextPage => boolean(page.has_next_page, out),
            PageInfoField::HasPreviousPage => boolean(page.has_previous_page, out),
            PageInfoField::StartCursor => cursor(first, out),
            PageInfoField::EndCursor => cursor(last, out),
        }
    }
    out.push(b'}');
}

impl<P: Fields, C: Fields> Render for RelationPlan<'_, P, C> {
    fn render(
        &self,
        parent: usize,
        at: &QueryPathNode<'_>,
        ctx: &ContextSelectionSet<'_>,
        out: &mut Vec<u8>,
    ) -> ServerResult<()> {
        if let Some(err) = &self.error {
            let err = ServerError {
                path: path(at, []),
                ..err.clone()
            };
            return match self.shape {
                RelationShape::One => {
                    ctx.add_error(err);
                    null(out);
                    Ok(())
                }
                RelationShape::List | RelationShape::Connection => Err(err),
            };
        }
        let slot = self.slots.get(parent).copied().unwrap_or_default();
        match (&self.node, &self.page) {
            (Some(node), _) if self.shape == RelationShape::One => {
                if slot.len == 0 {
                    null(out);
                    return Ok(());
                }
                // The field may be null: an error below it stops here, and what was written
                // of the row goes.
                let mark = out.len();
                if let Err(err) =
                    object_value(node, &self.rows[slot.start], slot.start, at, ctx, out)
                {
                    out.truncate(mark);
                    ctx.add_error(err);
                    null(out);
                }
                Ok(())
            }
            (Some(node), _) => {
                out.push(b'[');
                for i in 0..slot.len {
                    if i > 0 {
                        out.push(b',');
                    }
                    let index = slot.start + i;
                    object_value(node, &self.rows[index], index, &item(at, i), ctx, out)?;
                }
                out.push(b']');
                Ok(())
            }
            (None, Some((window, connection))) => {
                let offset = slot.first_row.map_or(window.start, |n| n - 1);
                let page = Page::new(
                    slot.len,
                    window.limit_for(slot.len),
                    offset,
                    window.before_given,
                    window.start > 0,
                );
                let aggregates = self.aggregates.get(parent).map_or(&[][..], Vec::as_slice);
                // The aggregates count every parent's rows, also one whose page is empty.
                let count = aggregate::count(aggregates).or(Some(slot.total));
                let totals = Totals { count, aggregates };
                connection_value(
                    connection, &self.rows, slot.start, page, totals, at, ctx, out,
                )
            }
            (None, None) => {
                null(out);
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(entries: Vec<(&str, Value)>) -> Value {
        Value::Object(
            entries
                .into_iter()
                .map(|(k, v)| (Name::new(k), v))
                .collect(),
        )
    }

    fn written(value: &Value, texts: Option<&RenderedTexts>) -> String {
        let mut out = Vec::new();
        write_value(&mut out, value, texts).expect("writes");
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn a_kept_subtree_is_copied_and_a_forged_reference_is_plain_data() {
        let mut out = Vec::new();
        out.push(b'{');
        key(&mut out, true, "name");
        string(&mut out, "caf\u{e9} \"quoted\"\n");
        key(&mut out, false, "list");
        out.extend_from_slice(b"[1,2]");
        out.push(b'}');
        let texts = RenderedTexts::default();
        let reference = texts.keep(String::from_utf8(out).expect("UTF-8"));
        let response = object(vec![
            (
                "products",
                object(vec![(RENDERED, Value::String(reference))]),
            ),
            // What a JSON column could hold: no secret, so written as it is.
            (
                "data",
                object(vec![(RENDERED, Value::String("gqlgen:0:0".to_owned()))]),
            ),
            ("n", Value::List(vec![Value::from(1), Value::Null])),
        ]);
        assert_eq!(
            written(&response, Some(&texts)),
            r#"{"products":{"name":"café \"quoted\"\n","list":[1,2]},"data":{"$gqlgen:rendered":"gqlgen:0:0"},"n":[1,null]}"#
        );
        // Without the request's texts, the reference is plain data too.
        let reference = written(&response, None);
        assert!(
            reference.starts_with(r#"{"products":{"$gqlgen:rendered":"gqlgen:"#),
            "{reference}"
        );
    }
}
