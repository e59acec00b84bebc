//! The second stage of a read: the SQL of a plan. A root connection is one `SELECT` for its page
//! (one row past it tells whether a next page exists) and a `COUNT` only when `totalCount` is
//! selected or `last` counts from the end. A belongs-to relation without a row scope is a
//! `LEFT JOIN` of the statement that reads its parents; each other relation of the plan is one
//! statement for all the parents at its position, whatever their number: has-many pages are
//! cut per parent inside it with `ROW_NUMBER() OVER (PARTITION BY ...)`. Sibling relations and
//! the computed fields of a level run concurrently. Every statement reads only the columns the
//! selection needs (pruning), and rows are kept where they were read: a parent finds its
//! related rows as a range of one vector.

use std::collections::{HashMap, HashSet};

use async_graphql::parser::types::Field;
use async_graphql::{Positioned, ServerError, Value};
use futures_util::future::{BoxFuture, join_all};
use sea_orm::sea_query::{
    Alias, Asterisk, DynIden, Expr, ExprTrait, IntoIden, NullOrdering, Order, OrderedStatement,
    OverStatement, Query, SelectStatement, WindowStatement,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityName, EntityTrait, IdenStatic, JoinType, ModelTrait,
    PaginatorTrait, QueryFilter, QuerySelect, QueryTrait, Select,
};

use crate::aggregate::{self, Measure};
use crate::connection::{Connection, Window};
use crate::error::GqlError;
use crate::model::{ColumnInfo, ColumnOf, GraphQLModel, Placeholder, SelectedColumns};
use crate::order::OrderDirection;
use crate::plan::{
    ComputedFn, ConnectionPlan, Fetch, Fields, Join, Joined, ObjectPlan, RelationPlan,
    RelationShape, Request, Slot, What,
};
use crate::relation::key_column;

/// `select` reading only the columns a selection needs (`reads`): those its fields show, the
/// keys its relations match on and the owner its guarded fields check, or all of them when
/// `reads_all` (a computed field may read any). The others are left out where their type has
/// a default, which the decoded row then holds, so large values and hidden columns never
/// leave the database and rows cost little to read. The second value says which columns the
/// statement selects, to decode its rows.
pub fn prune<M: GraphQLModel>(
    select: Select<M::Entity>,
    reads_all: bool,
    reads: impl Fn(&ColumnOf<M>) -> bool,
) -> (Select<M::Entity>, SelectedColumns) {
    if reads_all {
        return (select, SelectedColumns::all(M::COLUMNS.len()));
    }
    let mut select = select.select_only();
    let mut selected: Vec<bool> = M::COLUMNS
        .iter()
        .map(|info| is_read(info, reads(info)))
        .collect();
    // A statement selects something even when only the number of rows matters (`pageInfo`).
    if let (false, Some(first)) = (selected.contains(&true), selected.first_mut()) {
        *first = true;
    }
    for (info, _) in M::COLUMNS.iter().zip(&selected).filter(|(_, read)| **read) {
        select = select.column(info.column);
    }
    let skipped = selected.into_iter().map(|read| !read).collect();
    (select, SelectedColumns::new(skipped))
}

/// Whether a statement reads `info`'s column, which the request needs or not.
fn is_read<C>(info: &ColumnInfo<C>, needed: bool) -> bool {
    needed || info.placeholder == Placeholder::Never
}

/// Orders `statement` by `keys`, nulls last ascending and first descending: PostgreSQL's
/// default, which SQLite reverses. The `NULLS` clause is written only for a nullable column: on
/// SQLite it keeps an index from giving the order, so a page in primary-key order would sort
/// the whole table, joins and all, to keep its first rows.
fn order_by<S: OrderedStatement, C: ColumnTrait>(statement: &mut S, keys: &[(C, OrderDirection)]) {
    for (column, direction) in keys {
        let (order, nulls) = match direction {
            OrderDirection::Asc => (Order::Asc, NullOrdering::Last),
            OrderDirection::Desc => (Order::Desc, NullOrdering::First),
        };
        let expr = Expr::col(column.as_column_ref());
        if column.def().is_null() {
            statement.order_by_expr_with_nulls(expr, order, nulls);
        } else {
            statement.order_by_expr(expr, order);
        }
    }
}

/// The rows of a root connection's page, its total when counted and its aggregates when
/// selected (the values of the plan's measures).
pub(crate) struct RootPage<M> {
    pub(crate) rows: Vec<M>,
    pub(crate) window: Window,
    pub(crate) total: Option<u64>,
    pub(crate) aggregates: Vec<Value>,
}

/// Runs a root connection's statements for `plan`; the to-one relations it can join are read
/// by the page's statement.
pub(crate) async fn root_page<M: Fields>(
    req: &Request<'_>,
    connection: &Connection<M>,
    plan: &mut ConnectionPlan<'_, M>,
) -> Result<RootPage<M>, GqlError> {
    let count = || async {
        PaginatorTrait::count(connection.select.clone(), req.db)
            .await
            .map_err(|err| GqlError::from_db(err, "filter"))
    };
    let needs_total = connection.window.needs_total();
    // The aggregates' statement counts too: then no COUNT of its own.
    let aggregates = if plan.measures.is_empty() {
        Vec::new()
    } else {
        root_aggregates(req, connection, &plan.measures).await?
    };
    let total = match aggregate::count(&aggregates) {
        Some(total) => Some(total),
        None if needs_total || plan.counts => Some(count().await?),
        None => None,
    };
    let window = connection
        .window
        .window(if needs_total { total } else { None });
    if !plan.reads_rows || window.limit == 0 {
        return Ok(RootPage {
            rows: Vec::new(),
            window,
            total,
            aggregates,
        });
    }
    let (reads_all, selects) = plan.reads();
    let (select, columns) = prune::<M>(connection.select.clone(), reads_all, selects);
    // One row past the window tells whether a next page exists, without a COUNT.
    let mut query = select
        .offset(window.offset)
        .limit(window.limit + 1)
        .into_query();
    order_by(&mut query, &connection.keys.keys);
    let mut join = Join {
        statement: &mut query,
        parent: M::Entity::default().into_iden(),
        width: columns.width(),
        joined: 0,
    };
    for node in &mut plan.nodes {
        join_object(node, &mut join);
    }
    let result = req
        .db
        .query_all(&query)
        .await
        .map_err(|err| GqlError::from_db(err, "filter"))?;
    let mut rows = Vec::with_capacity(result.len());
    for (i, row) in result.iter().enumerate() {
        let model = M::from_row(row, &columns)?;
        // The row read past the window is not shown: nothing is joined for it.
        if (i as u64) < window.limit {
            for node in &mut plan.nodes {
                decode_joined(node, &model, row)?;
            }
        }
        rows.push(model);
    }
    Ok(RootPage {
        rows,
        window,
        total,
        aggregates,
    })
}

/// The `measures` of a root connection, in one statement over its query (a subquery, so that
/// a hand-written base query's own ordering or grouping stays its own).
async fn root_aggregates<M: Fields>(
    req: &Request<'_>,
    connection: &Connection<M>,
    measures: &[Measure],
) -> Result<Vec<Value>, GqlError> {
    let mut inner = connection.select.clone().select_only();
    let mut columns: Vec<usize> = measures
        .iter()
        .filter(|measure| *measure != &Measure::COUNT)
        .map(|measure| measure.column)
        .collect();
    columns.sort_unstable();
    columns.dedup();
    if columns.is_empty() {
        inner = inner.expr(Expr::val(1));
    }
    for column in columns {
        inner = inner.column(M::AGGREGATES[column].column);
    }
    let matched: DynIden = Alias::new("matched").into_iden();
    let backend = req.db.get_database_backend();
    let mut statement = Query::select();
    statement.from_subquery(inner.into_query(), matched.clone());
    for measure in measures {
        statement.expr(measure.sql::<M>(backend, &matched));
    }
    let row = req
        .db
        .query_one(&statement)
        .await
        .map_err(|err| GqlError::from_db(err, "filter"))?;
    let Some(row) = row else {
        return Ok(aggregate::empty(measures));
    };
    Ok(aggregate::read_all::<M>(measures, &row, 0)?)
}

/// Joins the to-one relations of `plan` that can be into the statement reading its rows.
fn join_object<M: Fields>(plan: &mut ObjectPlan<'_, M>, join: &mut Join<'_>) {
    for field in &mut plan.fields {
        if let What::Relation(branch) = &mut field.what {
            branch.join(join);
        }
    }
}

/// Selects the columns `node` reads of the table joined as `table` (aliased `alias`), after the
/// statement's others, and where its key `key` is: read with them when the selection needs it,
/// else after them, to tell a row from the `NULL`s of no row.
fn joined_columns<C: Fields>(
    node: &ObjectPlan<'_, C>,
    join: &mut Join<'_>,
    alias: &str,
    table: &DynIden,
    key: DynIden,
) -> Joined {
    let start = join.width;
    // Named apart: MySQL refuses a subquery (a windowed page) whose columns share a name.
    let mut named = |expr: Expr| {
        let name = format!("{alias}_{}", join.width);
        join.statement.expr_as(expr, Alias::new(name));
        join.width += 1;
    };
    let key_name = key.to_string();
    let mut skipped = Vec::with_capacity(C::COLUMNS.len());
    let mut key_at = None;
    let mut at = start;
    for info in C::COLUMNS {
        let read = is_read(info, node.reads_all || node.reads(info));
        skipped.push(!read);
        if read {
            if info.column.as_str() == key_name {
                key_at = Some(at);
            }
            named(Expr::col((table.clone(), info.column)));
            at += 1;
        }
    }
    let key_at = key_at.unwrap_or_else(|| {
        named(Expr::col((table.clone(), key)));
        at
    });
    Joined {
        columns: SelectedColumns::new(skipped).starting_at(start),
        key_at,
    }
}

/// Decodes the joined relations of `plan` for `parent`, from the row it was read from.
fn decode_joined<M: Fields>(
    plan: &mut ObjectPlan<'_, M>,
    parent: &M,
    row: &sea_orm::QueryResult,
) -> Result<(), sea_orm::DbErr> {
    for field in &mut plan.fields {
        if let What::Relation(branch) = &mut field.what {
            branch.decode_joined(parent, row)?;
        }
    }
    Ok(())
}

/// Loads what `plan` needs beyond the columns of `rows`: each relation field's rows (and
/// theirs, recursively) and each computed field's values, all concurrently.
pub(crate) async fn object<'a, M: Fields>(
    plan: &mut ObjectPlan<'a, M>,
    req: &Request<'a>,
    rows: &[M],
) {
    let mut loads: Vec<BoxFuture<'_, ()>> = Vec::new();
    for field in &mut plan.fields {
        match &mut field.what {
            What::Relation(branch) => loads.push(branch.fetch(req, rows)),
            What::Computed {
                resolve,
                field,
                values,
                ..
            } => {
                let (resolve, field) = (*resolve, *field);
                loads.push(Box::pin(async move {
                    *values = computed(req, resolve, field, rows).await;
                }))
            }
            What::Typename | What::Column { .. } => {}
        }
    }
    match loads.len() {
        0 => {}
        1 => loads.pop().expect("one load").await,
        _ => {
            join_all(loads).await;
        }
    }
}

/// A computed field's method for every row, concurrently.
async fn computed<'a, M>(
    req: &Request<'a>,
    resolve: ComputedFn<M>,
    field: &'a Positioned<Field>,
    rows: &[M],
) -> Vec<Result<Value, ServerError>> {
    let ctx = req.ctx.with_field(field);
    // Errors are kept relative to the field: render puts each at its row's path.
    let mut depth: usize = 0;
    let mut node = ctx.path_node.as_ref();
    while let Some(n) = node {
        depth += 1;
        node = n.parent;
    }
    let mut values = join_all(rows.iter().map(|row| resolve(row, &ctx))).await;
    for value in &mut values {
        if let Err(err) = value {
            err.path.drain(..depth.min(err.path.len()));
        }
    }
    values
}

/// A relation key, as the parent holds it and as SQL returns it: integers compare without
/// text, and the integer widths a backend returns for one column agree.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Int(i64),
    Uuid(uuid::Uuid),
    Text(String),
}

impl Key {
    fn of(value: &sea_orm::Value) -> Option<Key> {
        use sea_orm::Value as V;
        Some(match value {
            V::TinyInt(Some(v)) => Key::Int(i64::from(*v)),
            V::SmallInt(Some(v)) => Key::Int(i64::from(*v)),
            V::Int(Some(v)) => Key::Int(i64::from(*v)),
            V::BigInt(Some(v)) => Key::Int(*v),
            V::TinyUnsigned(Some(v)) => Key::Int(i64::from(*v)),
            V::SmallUnsigned(Some(v)) => Key::Int(i64::from(*v)),
            V::Unsigned(Some(v)) => Key::Int(i64::from(*v)),
            V::BigUnsigned(Some(v)) => Key::Int(i64::try_from(*v).ok()?),
            V::Uuid(Some(v)) => Key::Uuid(*v),
            V::String(Some(v)) => Key::Text(v.clone()),
            _ => return None,
        })
    }

    /// Reads the key column at `index` of `row`, typed like the parents' `like`.
    fn read(row: &sea_orm::QueryResult, index: usize, like: &sea_orm::Value) -> Option<Key> {
        use sea_orm::Value as V;
        match like {
            V::TinyInt(_) | V::SmallInt(_) | V::Int(_) => Some(Key::Int(i64::from(
                row.try_get_by_index::<Option<i32>>(index).ok()??,
            ))),
            V::BigInt(_)
            | V::Unsigned(_)
            | V::TinyUnsigned(_)
            | V::SmallUnsigned(_)
            | V::BigUnsigned(_) => {
                Some(Key::Int(row.try_get_by_index::<Option<i64>>(index).ok()??))
            }
            V::Uuid(_) => Some(Key::Uuid(
                row.try_get_by_index::<Option<uuid::Uuid>>(index).ok()??,
            )),
            V::String(_) => Some(Key::Text(
                row.try_get_by_index::<Option<String>>(index).ok()??,
            )),
            _ => None,
        }
    }
}

/// The value of a row's column, through its entity: generic code over a `GraphQLModel` `M`
/// does not know that `M` is a `ModelTrait`, only that `M::Entity`'s model is.
pub(crate) fn column_value<E: EntityTrait>(model: &E::Model, column: E::Column) -> sea_orm::Value {
    model.get(column)
}

/// The hasher of the maps keyed by relation keys: SipHash cost 3% of a request at page 100;
/// foldhash is seeded per map too.
type KeyHasher = foldhash::fast::RandomState;

const PARENT: &str = "__gqlgen_parent";
const ROW: &str = "__gqlgen_row";
const TOTAL: &str = "__gqlgen_total";

impl<'a, P, C> Fetch<'a, P> for RelationPlan<'a, P, C>
where
    P: Fields,
    C: Fields,
{
    fn fetch<'s>(&'s mut self, req: &'s Request<'a>, parents: &'s [P]) -> BoxFuture<'s, ()>
    where
        'a: 's,
    {
        Box::pin(async move {
            if self.joined.is_none()
                && let Err(err) = self.load(req, parents).await
            {
                self.error = Some(err.into_server_error(self.pos));
                return;
            }
            let rows = &self.rows;
            if rows.is_empty() {
                return;
            }
            if let Some(node) = &mut self.node {
                object(node, req, rows).await;
            }
            if let Some((_, connection)) = &mut self.page {
                for node in &mut connection.nodes {
                    object(node, req, rows).await;
                }
            }
        })
    }

    fn parent_column(&self) -> &'static str {
        self.parent_key.as_str()
    }

    fn join(&mut self, join: &mut Join<'_>) {
        let joinable = self.shape == RelationShape::One
            && self.spec.parent_owns_key
            && self.spec.via.is_none()
            && self.condition.is_none();
        let (Some(node), true) = (&mut self.node, joinable) else {
            return;
        };
        let Ok(key) = key_column(&self.spec.def.to_col) else {
            return;
        };
        join.joined += 1;
        let alias = format!("__gqlgen_j{}", join.joined);
        let table: DynIden = Alias::new(alias.as_str()).into_iden();
        join.statement.join_as(
            JoinType::LeftJoin,
            C::Entity::default().table_ref(),
            table.clone(),
            Expr::col((table.clone(), key.clone()))
                .equals((join.parent.clone(), self.parent_key.into_iden())),
        );
        self.joined = Some(joined_columns(node, join, &alias, &table, key));
        self.rows.clear();
        self.slots.clear();
        let parent = std::mem::replace(&mut join.parent, table);
        join_object(node, join);
        join.parent = parent;
    }

    fn decode_joined(
        &mut self,
        parent: &P,
        row: &sea_orm::QueryResult,
    ) -> Result<(), sea_orm::DbErr> {
        let Some(joined) = &self.joined else {
            return Ok(());
        };
        // No key in the parent, or a key no row matched (the LEFT JOIN's NULLs): no row.
        let value = column_value::<P::Entity>(parent, self.parent_key);
        if Key::of(&value).is_none() || Key::read(row, joined.key_at, &value).is_none() {
            self.slots.push(Slot::default());
            return Ok(());
        }
        let model = C::from_row(row, &joined.columns)?;
        if let Some(node) = &mut self.node {
            decode_joined(node, &model, row)?;
        }
        self.slots.push(Slot {
            start: self.rows.len(),
            len: 1,
            first_row: None,
            total: 0,
        });
        self.rows.push(model);
        Ok(())
    }
}

impl<'a, P: Fields, C: Fields> RelationPlan<'a, P, C> {
    /// The related rows of every parent in one statement, and each parent's slot.
    async fn load(&mut self, req: &Request<'a>, parents: &[P]) -> Result<(), async_graphql::Error> {
        let mut keys = Vec::with_capacity(parents.len());
        let mut values = Vec::new();
        let mut seen: HashSet<Key, KeyHasher> = HashSet::default();
        let mut sample = sea_orm::Value::Int(None);
        for parent in parents {
            let value = column_value::<P::Entity>(parent, self.parent_key);
            let key = Key::of(&value);
            if let Some(key) = &key
                && seen.insert(key.clone())
            {
                sample = value.clone();
                values.push(value);
            }
            keys.push(key);
        }
        self.slots = vec![Slot::default(); parents.len()];
        let measures = self.measures().to_vec();
        if !measures.is_empty() {
            self.aggregates = if values.is_empty() {
                vec![aggregate::empty(&measures); parents.len()]
            } else {
                let values = values.clone();
                self.aggregates(req, &measures, values, &keys, &sample)
                    .await?
            };
        }
        if values.is_empty() {
            return Ok(());
        }
        if !self.reads_rows() {
            return Ok(());
        }
        let (statement, columns, parent_at) = self.statement(values)?;
        let counts = self.counts();
        let numbered = self.numbered();
        let result = req.db.query_all(&statement).await;
        let mut groups: HashMap<Key, Slot, KeyHasher> = HashMap::default();
        for row in result.map_err(|err| GqlError::from_db(err, "filter"))? {
            let Some(parent) = Key::read(&row, parent_at, &sample) else {
                continue;
            };
            let number = if numbered {
                Some(
                    row.try_get_by_index::<i64>(parent_at + 1)
                        .map_err(GqlError::from)? as u64,
                )
            } else {
                None
            };
            let total = if counts {
                row.try_get_by_index::<i64>(parent_at + 2)
                    .map_err(GqlError::from)? as u64
            } else {
                0
            };
            let model = C::from_row(&row, &columns).map_err(GqlError::from)?;
            for node in self.nodes_mut() {
                decode_joined(node, &model, &row).map_err(GqlError::from)?;
            }
            let index = self.rows.len();
            self.rows.push(model);
            // Rows come ordered by parent, so a parent's rows are one range.
            let slot = groups.entry(parent).or_insert(Slot {
                start: index,
                len: 0,
                first_row: number,
                total,
            });
            slot.len += 1;
        }
        for (slot, key) in self.slots.iter_mut().zip(keys) {
            if let Some(group) = key.and_then(|key| groups.get(&key)) {
                *slot = *group;
            }
        }
        Ok(())
    }

    /// Whether rows are numbered per parent: to cut a page, or to keep the first row of a
    /// has-one. A belongs-to finds one row by its primary key and a list keeps every row, so
    /// they need no window and no subquery.
    fn numbered(&self) -> bool {
        self.page.is_some() || (self.shape == RelationShape::One && !self.spec.parent_owns_key)
    }

    fn counts(&self) -> bool {
        self.page.as_ref().is_some_and(|(window, connection)| {
            connection.counts || window.last_of_total().is_some()
        })
    }

    /// What `aggregate` asks for, if the field is a connection selecting it.
    fn measures(&self) -> &[Measure] {
        self.page
            .as_ref()
            .map_or(&[], |(_, connection)| &connection.measures)
    }

    /// Whether the field needs its rows: a connection selecting only `aggregate` (or also
    /// `totalCount`, which the aggregates count) does not.
    fn reads_rows(&self) -> bool {
        self.page.as_ref().is_none_or(|(window, connection)| {
            connection.reads_rows
                || window.last_of_total().is_some()
                || (connection.counts && connection.measures.is_empty())
        })
    }

    /// The column on the far side holding the parent's key: the related table's foreign key
    /// (or primary key, for belongs-to), or the junction's.
    fn far_key(&self) -> Result<Expr, GqlError> {
        let key_table = self.spec.def.to_tbl.sea_orm_table().clone();
        Ok(Expr::col((key_table, key_column(&self.spec.def.to_col)?)))
    }

    /// The related rows of the parents whose keys are `values`: its filter and row scope, the
    /// junction of a many-to-many relation.
    fn related(&self, values: Vec<sea_orm::Value>) -> Result<Select<C::Entity>, GqlError> {
        let mut select = C::Entity::find();
        if let Some(to) = &self.spec.via {
            // From the related table back to the junction.
            select = select.join(JoinType::InnerJoin, to.clone().rev());
        }
        select = select.filter(self.far_key()?.is_in(values));
        if let Some(condition) = &self.condition {
            select = select.filter(condition.clone());
        }
        Ok(select)
    }

    /// Each parent's values of `measures` (in `keys` order), in one statement grouped by the
    /// parent's key; a parent without related rows gets a count of 0 and `null`s.
    async fn aggregates(
        &self,
        req: &Request<'a>,
        measures: &[Measure],
        values: Vec<sea_orm::Value>,
        keys: &[Option<Key>],
        sample: &sea_orm::Value,
    ) -> Result<Vec<Vec<Value>>, GqlError> {
        let key = self.far_key()?;
        let mut statement = self.related(values)?.into_query();
        statement.clear_selects();
        statement.expr(key.clone());
        let table = aggregate::table::<C>();
        let backend = req.db.get_database_backend();
        for measure in measures {
            statement.expr(measure.sql::<C>(backend, &table));
        }
        statement.add_group_by([key]);
        let rows = req
            .db
            .query_all(&statement)
            .await
            .map_err(|err| GqlError::from_db(err, "filter"))?;
        let mut groups: HashMap<Key, Vec<Value>, KeyHasher> = HashMap::default();
        for row in rows {
            let Some(parent) = Key::read(&row, 0, sample) else {
                continue;
            };
            // The parent's key is first, then the measures.
            groups.insert(parent, aggregate::read_all::<C>(measures, &row, 1)?);
        }
        Ok(keys
            .iter()
            .map(|key| match key.as_ref().and_then(|key| groups.get(key)) {
                Some(values) => values.clone(),
                None => aggregate::empty(measures),
            })
            .collect())
    }

    /// The node selections of the related rows: the field's own, or its connection's.
    fn nodes(&self) -> impl Iterator<Item = &ObjectPlan<'a, C>> {
        let connection = self.page.as_ref().map(|(_, connection)| &connection.nodes);
        self.node.iter().chain(connection.into_iter().flatten())
    }

    /// [`Self::nodes`], to change.
    fn nodes_mut(&mut self) -> impl Iterator<Item = &mut ObjectPlan<'a, C>> {
        let connection = self
            .page
            .as_mut()
            .map(|(_, connection)| &mut connection.nodes);
        self.node.iter_mut().chain(connection.into_iter().flatten())
    }

    /// The statement loading the related rows of the parents whose keys are `values`, which
    /// columns of the related table it reads, and the position of the parent's key after them
    /// and the to-one relations joined in (then come the row number and the total).
    fn statement(
        &mut self,
        values: Vec<sea_orm::Value>,
    ) -> Result<(SelectStatement, SelectedColumns, usize), GqlError> {
        let key = self.far_key()?;
        let reads_all = self.nodes().any(|node| node.reads_all);
        let (select, selected) = prune::<C>(self.related(values)?, reads_all, |info| {
            self.nodes().any(|node| node.reads(info))
        });
        let mut inner: SelectStatement = select.into_query();
        let mut join = Join {
            statement: &mut inner,
            parent: C::Entity::default().into_iden(),
            width: selected.width(),
            joined: 0,
        };
        for node in self.nodes_mut() {
            join_object(node, &mut join);
        }
        let parent_at = join.width;
        inner.expr_as(key.clone(), Alias::new(PARENT));
        if !self.numbered() {
            inner.order_by_expr(key, Order::Asc);
            order_by(&mut inner, &self.keys.keys);
            return Ok((inner, selected, parent_at));
        }
        let mut ordering = WindowStatement::new();
        ordering.add_partition_by(key.clone());
        order_by(&mut ordering, &self.keys.keys);
        inner.expr_window_as(Expr::cust("ROW_NUMBER()"), ordering, Alias::new(ROW));
        if self.counts() {
            let mut partition = WindowStatement::new();
            partition.add_partition_by(key);
            inner.expr_window_as(Expr::cust("COUNT(*)"), partition, Alias::new(TOTAL));
        }
        let mut outer = Query::select();
        outer
            .column(Asterisk)
            .from_subquery(inner, Alias::new("related"));
        if let Some((window, _)) = &self.page {
            outer.and_where(Expr::col(Alias::new(ROW)).gt(window.row_after() as i64));
            if let Some(upper) = window.row_upper() {
                outer.and_where(Expr::col(Alias::new(ROW)).lte(upper as i64));
            }
            if let Some(n) = window.last_of_total() {
                outer.and_where(
                    Expr::col(Alias::new(ROW)).gt(Expr::col(Alias::new(TOTAL)).sub(n as i64)),
                );
            }
        } else {
            // A has-one field shows one row per parent.
            outer.and_where(Expr::col(Alias::new(ROW)).lte(1));
        }
        outer
            .order_by(Alias::new(PARENT), Order::Asc)
            .order_by(Alias::new(ROW), Order::Asc);
        Ok((outer, selected, parent_at))
    }
}
