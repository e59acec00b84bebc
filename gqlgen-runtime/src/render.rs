//! The last stage of a read, and its entry points: a root connection ([`Connection`]) or a
//! model row reached by async-graphql (a detail field, a mutation payload, a computed field's
//! value) is planned ([`crate::plan`]), loaded ([`crate::fetch`]) and then written in one
//! synchronous pass, keys in selection order: no future, `Context` or map lookup per field.
//! Errors keep async-graphql's meaning: a field that may be `null` becomes `null` beside its
//! error (a denied guarded column, a failed belongs-to), one that may not passes the error up to
//! the nearest field that may.

use std::borrow::Cow;

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::Field;
use async_graphql::registry::Registry;
use async_graphql::{
    Context, ContextSelectionSet, Name, OutputType, PathSegment, Positioned, QueryPathNode,
    QueryPathSegment, ServerError, ServerResult, Value,
};

use crate::connection::{Connection, ConnectionType, Page};
use crate::error::{ErrorCode, GqlError};
use crate::plan::{
    self, ConnectionField, ConnectionPlan, EdgeField, Fields, Guard, ObjectPlan, PageInfoField,
    RelationPlan, RelationShape, Render, Request, What,
};

impl<M: Fields> OutputType for Connection<M> {
    fn type_name() -> Cow<'static, str> {
        <ConnectionType<M> as OutputType>::type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        <ConnectionType<M> as OutputType>::create_type_info(registry)
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
    let page = crate::fetch::root_page(&req, connection, &plan)
        .await
        .map_err(|err| req.error(err, field))?;
    for node in &mut plan.nodes {
        crate::fetch::object(node, &req, &page.rows).await;
    }
    let window = page.window;
    let bounds = Page::new(
        page.rows.len(),
        window.limit as usize,
        window.offset,
        window.before_given,
        window.offset > 0,
    );
    let root = root_path(ctx, field);
    connection_value(&plan, &page.rows, 0, bounds, page.total, &root, ctx)
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
    object_value(&plan, row, 0, &root, ctx)
}

/// A column's value as the response value of its field: its type's own `OutputType`, whose
/// scalars answer at once, so the future is polled once instead of spawned.
pub fn column<T: OutputType>(
    value: &T,
    ctx: &ContextSelectionSet<'_>,
    field: &Positioned<Field>,
) -> ServerResult<Value> {
    use futures_util::FutureExt as _;
    OutputType::resolve(value, ctx, field)
        .now_or_never()
        .unwrap_or_else(|| {
            Err(ServerError::new(
                "a column's value did not resolve at once",
                Some(field.pos),
            ))
        })
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
) -> ServerResult<Value> {
    let mut map = IndexMap::with_capacity(plan.fields.len());
    for field in &plan.fields {
        let value = match &field.what {
            What::Typename => Value::String(M::TYPE_NAME.to_owned()),
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
                Value::Null
            }
            What::Column {
                read,
                field: occurrence,
                ..
            } => match read(row, ctx, occurrence) {
                Ok(value) => value,
                Err(err) => {
                    ctx.add_error(ServerError {
                        path: path(at, [PathSegment::Field(field.key.to_string())]),
                        ..err
                    });
                    Value::Null
                }
            },
            What::Computed {
                values, nullable, ..
            } => match values.get(index) {
                Some(Ok(value)) => value.clone(),
                Some(Err(err)) => {
                    let mut err = err.clone();
                    // Its path is relative to the field: rebase it on this row.
                    let tail = std::mem::take(&mut err.path);
                    err.path = path(at, [PathSegment::Field(field.key.to_string())]);
                    err.path.extend(tail);
                    if *nullable {
                        ctx.add_error(err);
                        Value::Null
                    } else {
                        return Err(err);
                    }
                }
                None => Value::Null,
            },
            What::Relation(branch) => branch.render(index, &child(at, &field.key), ctx)?,
        };
        map.insert(field.key.clone(), value);
    }
    Ok(Value::Object(map))
}

/// A connection over `rows[start..start + page.len]`.
fn connection_value<M: Fields>(
    plan: &ConnectionPlan<'_, M>,
    rows: &[M],
    start: usize,
    page: Page,
    total: Option<u64>,
    at: &QueryPathNode<'_>,
    ctx: &ContextSelectionSet<'_>,
) -> ServerResult<Value> {
    let mut map = IndexMap::with_capacity(plan.fields.len());
    for (key, field) in &plan.fields {
        let value = match field {
            ConnectionField::Typename => Value::String(format!("{}Connection", M::TYPE_NAME)),
            ConnectionField::TotalCount => Value::from(total.unwrap_or(0)),
            ConnectionField::PageInfo(fields) => page_info(plan, fields, page),
            ConnectionField::Edges(fields) => {
                let at_edges = child(at, key);
                let mut edges = Vec::with_capacity(page.len);
                for i in 0..page.len {
                    let at_edge = item(&at_edges, i);
                    let mut edge = IndexMap::with_capacity(fields.len());
                    for (edge_key, edge_field) in fields {
                        let value = match edge_field {
                            EdgeField::Typename => Value::String(format!("{}Edge", M::TYPE_NAME)),
                            EdgeField::Cursor => {
                                Value::String(plan.cursors.encode(page.offset + i as u64))
                            }
                            EdgeField::Node(n) => object_value(
                                &plan.nodes[*n],
                                &rows[start + i],
                                start + i,
                                &child(&at_edge, edge_key),
                                ctx,
                            )?,
                        };
                        edge.insert(edge_key.clone(), value);
                    }
                    edges.push(Value::Object(edge));
                }
                Value::List(edges)
            }
        };
        map.insert(key.clone(), value);
    }
    Ok(Value::Object(map))
}

fn page_info<M>(
    plan: &ConnectionPlan<'_, M>,
    fields: &[(Name, PageInfoField)],
    page: Page,
) -> Value {
    let cursor = |offset: Option<u64>| match offset {
        Some(offset) => Value::String(plan.cursors.encode(offset)),
        None => Value::Null,
    };
    let last = (page.len > 0).then(|| page.offset + page.len as u64 - 1);
    let first = (page.len > 0).then_some(page.offset);
    let mut map = IndexMap::with_capacity(fields.len());
    for (key, field) in fields {
        let value = match field {
            PageInfoField::Typename => Value::String("PageInfo".to_owned()),
            PageInfoField::HasNextPage => Value::Boolean(page.has_next_page),
            PageInfoField::HasPreviousPage => Value::Boolean(page.has_previous_page),
            PageInfoField::StartCursor => cursor(first),
            PageInfoField::EndCursor => cursor(last),
        };
        map.insert(key.clone(), value);
    }
    Value::Object(map)
}

impl<P: Fields, C: Fields> Render for RelationPlan<'_, P, C> {
    fn render(
        &self,
        parent: usize,
        at: &QueryPathNode<'_>,
        ctx: &ContextSelectionSet<'_>,
    ) -> ServerResult<Value> {
        if let Some(err) = &self.error {
            let err = ServerError {
                path: path(at, []),
                ..err.clone()
            };
            return match self.shape {
                RelationShape::One => {
                    ctx.add_error(err);
                    Ok(Value::Null)
                }
                RelationShape::List | RelationShape::Connection => Err(err),
            };
        }
        let slot = self.slots.get(parent).copied().unwrap_or_default();
        match (&self.node, &self.page) {
            (Some(node), _) if self.shape == RelationShape::One => {
                if slot.len == 0 {
                    return Ok(Value::Null);
                }
                // The field may be null: an error below it stops here.
                match object_value(node, &self.rows[slot.start], slot.start, at, ctx) {
                    Ok(value) => Ok(value),
                    Err(err) => {
                        ctx.add_error(err);
                        Ok(Value::Null)
                    }
                }
            }
            (Some(node), _) => {
                let mut list = Vec::with_capacity(slot.len);
                for i in 0..slot.len {
                    let index = slot.start + i;
                    list.push(object_value(
                        node,
                        &self.rows[index],
                        index,
                        &item(at, i),
                        ctx,
                    )?);
                }
                Ok(Value::List(list))
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
                connection_value(
                    connection,
                    &self.rows,
                    slot.start,
                    page,
                    Some(slot.total),
                    at,
                    ctx,
                )
            }
            (None, None) => Ok(Value::Null),
        }
    }
}
