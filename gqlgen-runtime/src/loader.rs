//! Batched loading of relations without N+1 and without timers.
//!
//! Every list of rows a request produces (a connection's page, a relation's rows) is recorded
//! as a *group* under its position in the response: the response path without list indices,
//! such as `products/edges/node`. When a relation field of one row is resolved, the rows of its
//! whole group are loaded in one statement, once, and each sibling takes its share. So a
//! request costs one statement per relation field in its selection, whatever the page size,
//! and the count is deterministic (DataLoader's delay-based batching is not). Has-many pages
//! are cut per parent inside that one statement with `ROW_NUMBER() OVER (PARTITION BY ...)`.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;

use async_graphql::{Context, Lookahead};
use sea_orm::sea_query::{
    Alias, Asterisk, Expr, ExprTrait, NullOrdering, Order, OverStatement, Query, SelectStatement,
    WindowStatement,
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, JoinType, ModelTrait as _, QueryFilter,
    QuerySelect, QueryTrait, Value,
};

use crate::batch::{load_once, position, register, siblings};
use crate::config::Config;
use crate::connection::{self, Connection, Edge, PageArgs, PageInfo, TotalCount};
use crate::error::GqlError;
use crate::model::GraphQLModel;
use crate::order::{OrderDirection, OrderKeys};
use crate::relation::{RelationSpec, key_column, key_text};

/// Reads the key column `alias` of `row`, typed like `like`.
fn read_key(row: &sea_orm::QueryResult, alias: &str, like: &Value) -> Option<String> {
    let value: Value = match like {
        Value::TinyInt(_) | Value::SmallInt(_) | Value::Int(_) => {
            row.try_get::<Option<i32>>("", alias).ok()?.into()
        }
        Value::BigInt(_)
        | Value::Unsigned(_)
        | Value::TinyUnsigned(_)
        | Value::SmallUnsigned(_) => row.try_get::<Option<i64>>("", alias).ok()?.into(),
        Value::String(_) => row.try_get::<Option<String>>("", alias).ok()?.into(),
        Value::Uuid(_) => row.try_get::<Option<uuid::Uuid>>("", alias).ok()?.into(),
        _ => return None,
    };
    key_text(&value)
}

/// The value of the column `name` of `model`.
fn column_value<E: EntityTrait>(model: &E::Model, name: &str) -> Result<Value, GqlError>
where
    E::Column: FromStr,
{
    let column = E::Column::from_str(name)
        .map_err(|_| GqlError::internal(format!("no column `{name}` for a relation key")))?;
    Ok(model.get(column))
}

/// Rows of one relation load, by parent key.
struct Loaded<C> {
    rows: HashMap<String, Vec<C>>,
    totals: HashMap<String, u64>,
    /// Row numbers (1-based, per parent) of the first row of each parent's rows.
    first_row: HashMap<String, u64>,
}

/// The rows `ROW_NUMBER()` keeps: `(lower, upper]` and an optional `rn > total - n`.
#[derive(Debug, Clone, Copy, Default)]
struct RowWindow {
    after: u64,
    upper: Option<u64>,
    last_of_total: Option<u64>,
    /// Also count each parent's rows (`totalCount` is selected).
    count: bool,
}

const PARENT: &str = "__gqlgen_parent";
const ROW: &str = "__gqlgen_row";
const TOTAL: &str = "__gqlgen_total";

/// Loads the related rows of `parents` in one statement.
async fn load_related<P, C>(
    ctx: &Context<'_>,
    parents: &[P],
    spec: &RelationSpec,
    condition: Option<Condition>,
    keys: &OrderKeys<<C::Entity as EntityTrait>::Column>,
    window: Option<RowWindow>,
    node: &Lookahead<'_>,
) -> Result<Loaded<C>, GqlError>
where
    P: GraphQLModel,
    C: GraphQLModel,
    <P::Entity as EntityTrait>::Column: FromStr,
{
    let db = connection::database(ctx)?;
    let parent_column = key_column(&spec.def.from_col)?.to_string();
    let mut values = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut sample = Value::Int(None);
    for parent in parents {
        let value = column_value::<P::Entity>(parent, &parent_column)?;
        if let Some(key) = key_text(&value)
            && seen.insert(key)
        {
            sample = value.clone();
            values.push(value);
        }
    }
    let mut loaded = Loaded {
        rows: HashMap::new(),
        totals: HashMap::new(),
        first_row: HashMap::new(),
    };
    if values.is_empty() {
        return Ok(loaded);
    }
    // The column holding the parent's key on the far side: the related table's foreign key (or
    // primary key, for belongs-to), or the junction's.
    let key_table = spec.def.to_tbl.sea_orm_table().clone();
    let far_column = key_column(&spec.def.to_col)?;
    let key = Expr::col((key_table, far_column));

    let mut select = connection::prune::<C>(C::Entity::find(), node);
    if let Some(to) = &spec.via {
        // From the related table back to the junction.
        select = select.join(JoinType::InnerJoin, to.clone().rev());
    }
    select = select.filter(key.clone().is_in(values));
    if let Some(condition) = condition {
        select = select.filter(condition);
    }
    let mut inner: SelectStatement = select.into_query();
    inner.expr_as(key.clone(), Alias::new(PARENT));
    let mut ordering = WindowStatement::new();
    ordering.add_partition_by(key.clone());
    for (column, direction) in &keys.keys {
        let (order, nulls) = match direction {
            OrderDirection::Asc => (Order::Asc, NullOrdering::Last),
            OrderDirection::Desc => (Order::Desc, NullOrdering::First),
        };
        ordering.order_by_expr_with_nulls(Expr::col(column.as_column_ref()), order, nulls);
    }
    inner.expr_window_as(Expr::cust("ROW_NUMBER()"), ordering, Alias::new(ROW));
    let count = window.is_some_and(|w| w.count || w.last_of_total.is_some());
    if count {
        let mut partition = WindowStatement::new();
        partition.add_partition_by(key);
        inner.expr_window_as(Expr::cust("COUNT(*)"), partition, Alias::new(TOTAL));
    }
    let mut outer = Query::select();
    outer
        .column(Asterisk)
        .from_subquery(inner, Alias::new("related"));
    if let Some(w) = window {
        outer.and_where(Expr::col(Alias::new(ROW)).gt(w.after as i64));
        if let Some(upper) = w.upper {
            outer.and_where(Expr::col(Alias::new(ROW)).lte(upper as i64));
        }
        if let Some(n) = w.last_of_total {
            outer.and_where(
                Expr::col(Alias::new(ROW)).gt(Expr::col(Alias::new(TOTAL)).sub(n as i64)),
            );
        }
    }
    outer
        .order_by(Alias::new(PARENT), Order::Asc)
        .order_by(Alias::new(ROW), Order::Asc);

    let rows = db.query_all(&outer).await;
    for row in rows.map_err(|err| GqlError::from_db(err, "filter"))? {
        let Some(parent) = read_key(&row, PARENT, &sample) else {
            continue;
        };
        let number = row.try_get::<i64>("", ROW).map_err(GqlError::from)? as u64;
        if count {
            let total = row.try_get::<i64>("", TOTAL).map_err(GqlError::from)? as u64;
            loaded.totals.insert(parent.clone(), total);
        }
        let model = C::from_query_result(&row, "").map_err(GqlError::from)?;
        loaded.first_row.entry(parent.clone()).or_insert(number);
        loaded.rows.entry(parent).or_default().push(model);
    }
    Ok(loaded)
}

/// Whether the rows of a relation field are a connection's nodes or the field's own value.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Value,
    Connection,
}

/// Loads the relation of the whole group `parent` belongs to, once per field position, and
/// records the related rows as the group at the position their own relations will ask for.
async fn load_for_group<P, C>(
    ctx: &Context<'_>,
    parent: &P,
    spec: &RelationSpec,
    condition: Option<Condition>,
    keys: &OrderKeys<<C::Entity as EntityTrait>::Column>,
    window: Option<RowWindow>,
) -> Result<Arc<Loaded<C>>, GqlError>
where
    P: GraphQLModel,
    C: GraphQLModel,
    <P::Entity as EntityTrait>::Column: FromStr,
{
    let shape = if window.is_some() {
        Shape::Connection
    } else {
        Shape::Value
    };
    load_once(ctx, || async {
        let parents = siblings(ctx, parent);
        let lookahead = ctx.look_ahead();
        let (node, children_at) = match shape {
            Shape::Value => (lookahead, position(ctx)),
            Shape::Connection => (
                lookahead.field("edges").field("node"),
                format!("{}/edges/node", position(ctx)),
            ),
        };
        let loaded =
            load_related::<P, C>(ctx, &parents, spec, condition, keys, window, &node).await?;
        register(
            ctx,
            children_at,
            loaded.rows.values().flatten().cloned().collect::<Vec<C>>(),
        );
        Ok(loaded)
    })
    .await
}

/// The filter of a relation field AND the related model's scope for the caller.
fn related_condition<C: GraphQLModel>(
    ctx: &Context<'_>,
    filter: Option<&C::Filter>,
) -> Result<Option<Condition>, GqlError> {
    let caller = crate::auth::Caller::of(ctx);
    let limits = &Config::of(ctx).limits;
    let filter = filter
        .map(|f| crate::filter::condition(f, "filter", caller, limits))
        .transpose()?;
    let scope = crate::permission::relation_scope::<C>(caller);
    Ok(match (filter, scope) {
        (Some(f), Some(s)) => Some(f.add(s)),
        (f, s) => f.or(s),
    })
}

fn parent_key<P: GraphQLModel>(parent: &P, spec: &RelationSpec) -> Result<Option<String>, GqlError>
where
    <P::Entity as EntityTrait>::Column: FromStr,
{
    Ok(key_text(&column_value::<P::Entity>(
        parent,
        &key_column(&spec.def.from_col)?.to_string(),
    )?))
}

/// A belongs-to or has-one field: the related row, or null.
pub async fn related_one<P, C>(
    ctx: &Context<'_>,
    parent: &P,
    spec: RelationSpec,
) -> async_graphql::Result<Option<C>>
where
    P: GraphQLModel,
    C: GraphQLModel,
    <P::Entity as EntityTrait>::Column: FromStr,
{
    let Some(key) = parent_key(parent, &spec)? else {
        return Ok(None);
    };
    let caller = crate::auth::Caller::of(ctx);
    let keys =
        OrderKeys::<<C::Entity as EntityTrait>::Column>::from_input::<C::OrderBy>(&[], caller)?;
    let scope = crate::permission::relation_scope::<C>(caller);
    let loaded = load_for_group::<P, C>(ctx, parent, &spec, scope, &keys, None).await?;
    Ok(loaded.rows.get(&key).and_then(|rows| rows.first().cloned()))
}

/// A has-many or many-to-many field as a plain list, in the related type's default order.
pub async fn related_list<P, C>(
    ctx: &Context<'_>,
    parent: &P,
    spec: RelationSpec,
    filter: Option<C::Filter>,
    order_by: Option<Vec<C::OrderBy>>,
) -> async_graphql::Result<Vec<C>>
where
    P: GraphQLModel,
    C: GraphQLModel,
    <P::Entity as EntityTrait>::Column: FromStr,
{
    let Some(key) = parent_key(parent, &spec)? else {
        return Ok(Vec::new());
    };
    let caller = crate::auth::Caller::of(ctx);
    let keys = OrderKeys::from_input(order_by.as_deref().unwrap_or_default(), caller)?;
    let condition = related_condition::<C>(ctx, filter.as_ref())?;
    let loaded = load_for_group::<P, C>(ctx, parent, &spec, condition, &keys, None).await?;
    Ok(loaded.rows.get(&key).cloned().unwrap_or_default())
}

/// A has-many or many-to-many field as a connection, paginated per parent.
pub async fn related_connection<P, C>(
    ctx: &Context<'_>,
    parent: &P,
    spec: RelationSpec,
    args: PageArgs,
    filter: Option<C::Filter>,
    order_by: Option<Vec<C::OrderBy>>,
) -> async_graphql::Result<Connection<C>>
where
    P: GraphQLModel,
    C: GraphQLModel,
    <P::Entity as EntityTrait>::Column: FromStr,
{
    let config = Config::of(ctx);
    let caller = crate::auth::Caller::of(ctx);
    let keys = OrderKeys::from_input(order_by.as_deref().unwrap_or_default(), caller)?;
    let signature = keys.signature();
    let decode = |argument: &str, cursor: &Option<String>| {
        cursor
            .as_deref()
            .map(|c| connection::decode_cursor(argument, C::TYPE_NAME, &signature, c))
            .transpose()
    };
    let after = decode("after", &args.after)?;
    let before = decode("before", &args.before)?;
    let plan = connection::plan(&args, config, after, before)?;
    let condition = related_condition::<C>(ctx, filter.as_ref())?;
    let count = ctx.look_ahead().field("totalCount").exists();
    let Some(key) = parent_key(parent, &spec)? else {
        return Ok(Connection::empty());
    };
    let window = RowWindow {
        after: plan.row_after(),
        upper: plan.row_upper(),
        last_of_total: plan.last_of_total(),
        count,
    };
    let loaded = load_for_group::<P, C>(ctx, parent, &spec, condition, &keys, Some(window)).await?;
    let rows = loaded.rows.get(&key).cloned().unwrap_or_default();
    let first_offset = loaded.first_row.get(&key).map_or(plan.start, |n| n - 1);
    let limit = plan.limit_for(rows.len());
    let has_more = rows.len() > limit;
    let edges: Vec<Edge<C>> = rows
        .into_iter()
        .take(limit)
        .enumerate()
        .map(|(i, node)| Edge {
            cursor: connection::encode_cursor(C::TYPE_NAME, &signature, first_offset + i as u64),
            node,
        })
        .collect();
    let page_info = PageInfo {
        has_next_page: has_more || plan.before_given,
        has_previous_page: first_offset > 0 && !edges.is_empty()
            || (edges.is_empty() && plan.start > 0),
        start_cursor: edges.first().map(|e| e.cursor.clone()),
        end_cursor: edges.last().map(|e| e.cursor.clone()),
    };
    let total = TotalCount::Known(loaded.totals.get(&key).copied().unwrap_or(0));
    Ok(Connection::new(edges, page_info, total))
}
