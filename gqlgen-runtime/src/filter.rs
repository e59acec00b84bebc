//! Filter inputs become one SQL `WHERE` condition. Generated `XFilter::condition` calls the
//! [`Where`] builder once per lookup field; the builder knows how each lookup is written in SQL,
//! so that logic lives here once. Text lookups escape `%`, `_` and `\` in the value, and the
//! case-insensitive ones compare `LOWER(column)` with the lower-cased value: [`crate::db`]
//! installs a Unicode `lower` on SQLite so the result is the same on every backend.
//!
//! A filter is input of any size, whether it came as a literal or in variables, so it is
//! measured while it is built, against [`QueryLimits`]: nesting of `and` / `or` / `not`, nodes,
//! values (each one a bound parameter), `_In` list lengths and text lengths. The first limit
//! passed stops the walk with `BAD_USER_INPUT` naming the argument, the field and the setting.
//! Lists of terms become balanced trees of at most [`FANOUT`] terms a level, so neither the
//! SQL renderer, which recurses once per level, nor SQLite's expression-depth limit ever sees a
//! chain as long as the input.

use std::borrow::Cow;
use std::cell::Cell;
use std::marker::PhantomData;
use std::str::FromStr;

use async_graphql::registry::{MetaType, MetaTypeId, Registry};
use async_graphql::{
    ID, InputObjectType, InputType, InputValueError, InputValueResult, Value as GqlValue,
};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{ColumnTrait, Condition, EntityTrait, Value};

use crate::auth::Caller;
use crate::config::QueryLimits;
use crate::error::GqlError;
use crate::relation::{RelationSpec, key_column};

/// A generated filter input.
pub trait FilterInput: Send + Sync {
    /// The entity whose rows the filter selects.
    type Entity: EntityTrait;
    /// The filter as one condition, measured against `budget`'s limits; a malformed value or a
    /// limit passed is `BAD_USER_INPUT`, a field the caller may not read is `PERMISSION_DENIED`.
    fn condition(&self, budget: &Budget<'_>) -> Result<Condition, GqlError>;
    /// The GraphQL name of the primary key's exact lookup among these lookups: `id`.
    const KEY_FIELD: &'static str = "id";
}

/// The condition of the filter argument `argument` (`"filter"`) for `caller`, within `limits`.
pub fn condition<F: FilterInput + ?Sized>(
    filter: &F,
    argument: &str,
    caller: &Caller,
    limits: &QueryLimits,
) -> Result<Condition, GqlError> {
    let budget = Budget {
        caller,
        limits,
        argument,
        nodes: Cell::new(1),
        values: Cell::new(0),
        depth: Cell::new(0),
    };
    filter.condition(&budget)
}

/// Most terms under one node of a condition tree; longer lists are split into levels.
pub const FANOUT: usize = 16;

/// What one filter argument may still cost while it is built: shared by every [`Where`] of
/// the filter's tree.
#[derive(Debug)]
pub struct Budget<'a> {
    caller: &'a Caller,
    limits: &'a QueryLimits,
    argument: &'a str,
    nodes: Cell<u32>,
    values: Cell<u32>,
    depth: Cell<u32>,
}

impl Budget<'_> {
    fn over(&self, what: String, limit: u32, setting: &str) -> GqlError {
        GqlError::bad_input(format!(
            "`{}`: {what}; the limit is {} ({setting})",
            self.argument,
            thousands(limit)
        ))
    }

    fn spend_nodes(&self, count: usize) -> Result<(), GqlError> {
        let total = u64::from(self.nodes.get()) + count as u64;
        let limit = self.limits.max_filter_nodes;
        if total > u64::from(limit) {
            return Err(self.over(
                format!("the filter has more than {} nodes", thousands(limit)),
                limit,
                "GRAPHQL_MAX_FILTER_NODES",
            ));
        }
        self.nodes.set(total as u32);
        Ok(())
    }

    fn spend_values(&self, field: &str, count: usize) -> Result<(), GqlError> {
        let list = self.limits.max_list_length;
        if count > list as usize {
            return Err(self.over(
                format!("`{field}` has {} items", thousands(count as u32)),
                list,
                "GRAPHQL_MAX_LIST_LENGTH",
            ));
        }
        let total = u64::from(self.values.get()) + count as u64;
        let limit = self.limits.max_filter_values;
        if total > u64::from(limit) {
            return Err(self.over(
                format!(
                    "the filter compares with more than {} values",
                    thousands(limit)
                ),
                limit,
                "GRAPHQL_MAX_FILTER_VALUES",
            ));
        }
        self.values.set(total as u32);
        Ok(())
    }

    /// Runs `build` one level deeper, refusing to go past the depth limit.
    fn nested<T>(
        &self,
        field: &str,
        build: impl FnOnce() -> Result<T, GqlError>,
    ) -> Result<T, GqlError> {
        let depth = self.depth.get() + 1;
        let limit = self.limits.max_filter_depth;
        if depth > limit {
            return Err(self.over(
                format!(
                    "`{field}` nests filters more than {} deep",
                    thousands(limit)
                ),
                limit,
                "GRAPHQL_MAX_FILTER_DEPTH",
            ));
        }
        self.depth.set(depth);
        let result = build();
        self.depth.set(depth - 1);
        result
    }

    fn check_text(&self, field: &str, text: &str) -> Result<(), GqlError> {
        let limit = self.limits.max_pattern_length;
        // Characters, not bytes; counting stops just past the limit.
        if text.chars().nth(limit as usize).is_some() {
            return Err(self.over(
                format!("`{field}` is longer than {} characters", thousands(limit)),
                limit,
                "GRAPHQL_MAX_PATTERN_LENGTH",
            ));
        }
        check_nul(self.argument, field, text)
    }
}

/// Text columns hold no NUL character on PostgreSQL; refusing it everywhere keeps the backends
/// alike and keeps the database's own error from reaching the client.
fn check_nul(argument: &str, field: &str, text: &str) -> Result<(), GqlError> {
    if text.contains('\0') {
        return Err(GqlError::bad_input(format!(
            "`{argument}`: `{field}` contains a NUL character, which text cannot hold"
        )));
    }
    Ok(())
}

/// `4001` as `4,001`.
fn thousands(value: u32) -> String {
    crate::limits::thousands(u64::from(value))
}

/// The lookups of a filter field, in the seed's naming.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    Exact,
    Iexact,
    Contains,
    Icontains,
    Startswith,
    Istartswith,
    Endswith,
    Iendswith,
    In,
    Gt,
    Gte,
    Lt,
    Lte,
    Range,
    Isnull,
}

/// Builds the condition of one filter input object, `AND`-ing its fields.
#[derive(Debug)]
pub struct Where<'a> {
    terms: Vec<Condition>,
    error: Option<GqlError>,
    budget: &'a Budget<'a>,
}

fn like_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for ch in value.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// `terms` joined by AND (`all`) or OR, as a tree of at most [`FANOUT`] terms a node. Built
/// bottom-up in a loop: a list of any length costs a few levels, never one level a term.
fn balanced(terms: Vec<Condition>, all: bool) -> Condition {
    let node = || {
        if all {
            Condition::all()
        } else {
            Condition::any()
        }
    };
    let mut level = terms;
    while level.len() > FANOUT {
        let mut next = Vec::with_capacity(level.len().div_ceil(FANOUT));
        let mut terms = level.into_iter().peekable();
        while terms.peek().is_some() {
            next.push(terms.by_ref().take(FANOUT).fold(node(), Condition::add));
        }
        level = next;
    }
    if level.len() == 1 {
        return level.pop().expect("one term");
    }
    level.into_iter().fold(node(), Condition::add)
}

/// A condition no row meets.
fn nothing() -> Condition {
    Condition::all().add(Expr::val(1).eq(0))
}

impl<'a> Where<'a> {
    /// An empty condition, built within `budget`.
    pub fn new(budget: &'a Budget<'a>) -> Self {
        Where {
            terms: Vec::new(),
            error: None,
            budget,
        }
    }

    /// A lookup on a field with `permission = "codename"` is set: the caller must hold it, or
    /// the filter would be an oracle for values the field hides.
    pub fn require(&mut self, field: &str, codename: &str) {
        if let Err(err) = crate::policy::check_field_use(self.budget.caller, field, codename) {
            self.fail(err);
        }
    }

    fn add(&mut self, expr: Expr) {
        self.terms.push(Condition::all().add(expr));
    }

    fn fail(&mut self, err: GqlError) {
        self.error.get_or_insert(err);
    }

    /// Counts one lookup with `values` values; false once the filter is over a limit.
    fn spend(&mut self, field: &str, values: usize) -> bool {
        if self.error.is_some() {
            return false;
        }
        let spent = self
            .budget
            .spend_nodes(1)
            .and_then(|()| self.budget.spend_values(field, values));
        match spent {
            Ok(()) => true,
            Err(err) => {
                self.fail(err);
                false
            }
        }
    }

    /// A value compared with a column: text is checked for NUL, which no backend stores alike.
    fn value<V: Into<Value>>(&mut self, field: &str, value: V) -> Option<Value> {
        let value = value.into();
        if let Value::String(Some(text)) = &value
            && let Err(err) = check_nul(self.budget.argument, field, text)
        {
            self.fail(err);
            return None;
        }
        Some(value)
    }

    /// exact, gt, gte, lt, lte on any comparable column.
    pub fn compare<C, V>(&mut self, column: C, field: &str, lookup: Lookup, value: &Option<V>)
    where
        C: ColumnTrait,
        V: Into<Value> + Clone,
    {
        let Some(value) = value.clone() else { return };
        if !self.spend(field, 1) {
            return;
        }
        let Some(value) = self.value(field, value) else {
            return;
        };
        let expr = match lookup {
            Lookup::Gt => column.gt(value),
            Lookup::Gte => column.gte(value),
            Lookup::Lt => column.lt(value),
            Lookup::Lte => column.lte(value),
            // The derive emits only comparisons here; exact is the safe reading of any other.
            _ => column.eq(value),
        };
        self.add(expr);
    }

    /// The text lookups: iexact, contains, icontains, startswith, istartswith, endswith, iendswith.
    pub fn text<C: ColumnTrait>(
        &mut self,
        column: C,
        field: &str,
        lookup: Lookup,
        value: &Option<String>,
    ) {
        let Some(value) = value.as_deref() else {
            return;
        };
        if !self.spend(field, 1) {
            return;
        }
        if let Err(err) = self.budget.check_text(field, value) {
            return self.fail(err);
        }
        let insensitive = matches!(
            lookup,
            Lookup::Iexact | Lookup::Icontains | Lookup::Istartswith | Lookup::Iendswith
        );
        let (subject, value) = if insensitive {
            (
                Expr::expr(Func::lower(Expr::col(column.as_column_ref()))),
                value.to_lowercase(),
            )
        } else {
            (Expr::col(column.as_column_ref()), value.to_owned())
        };
        let escaped = like_escape(&value);
        let pattern = match lookup {
            Lookup::Contains | Lookup::Icontains => format!("%{escaped}%"),
            Lookup::Startswith | Lookup::Istartswith => format!("{escaped}%"),
            Lookup::Endswith | Lookup::Iendswith => format!("%{escaped}"),
            // iexact, and the safe reading of anything else the derive might pass.
            _ => {
                self.add(subject.eq(value));
                return;
            }
        };
        self.add(subject.like(LikeExpr::new(pattern).escape('\\')));
    }

    /// `in`: one of the given values; an empty list matches nothing.
    pub fn one_of<C, V>(&mut self, column: C, field: &str, value: &Option<Vec<V>>)
    where
        C: ColumnTrait,
        V: Into<Value> + Clone,
    {
        let Some(values) = value else { return };
        if !self.spend(field, values.len()) {
            return;
        }
        let mut checked = Vec::with_capacity(values.len());
        for value in values {
            match self.value(field, value.clone()) {
                Some(value) => checked.push(value),
                None => return,
            }
        }
        self.add(column.is_in(checked));
    }

    /// `range`: between two values, both included.
    pub fn range<C, V>(&mut self, column: C, field: &str, value: &Option<Vec<V>>)
    where
        C: ColumnTrait,
        V: Into<Value> + Clone,
    {
        let Some(values) = value else { return };
        match values.as_slice() {
            [low, high] => {
                if !self.spend(field, 2) {
                    return;
                }
                let (Some(low), Some(high)) = (
                    self.value(field, low.clone()),
                    self.value(field, high.clone()),
                ) else {
                    return;
                };
                self.add(column.between(low, high));
            }
            _ => self.fail(GqlError::bad_input(format!(
                "`{}`: `{field}` takes exactly two values, [low, high]; got {}",
                self.budget.argument,
                values.len()
            ))),
        }
    }

    /// `isnull: true` keeps rows where the column is NULL, `false` those where it is not.
    pub fn isnull<C: ColumnTrait>(&mut self, column: C, field: &str, value: &Option<bool>) {
        let Some(null) = *value else { return };
        if !self.spend(field, 0) {
            return;
        }
        self.add(if null {
            column.is_null()
        } else {
            column.is_not_null()
        });
    }

    /// exact on an `ID` column: the global id of a `type_name` row, decoded into the column's
    /// type.
    pub fn id<C, T>(&mut self, column: C, type_name: &str, field: &str, value: &Option<ID>)
    where
        C: ColumnTrait,
        T: FromStr + std::fmt::Display + Into<Value>,
    {
        let Some(id) = value else { return };
        if !self.spend(field, 1) {
            return;
        }
        match crate::global_id::decode::<T>(type_name, field, id) {
            Ok(v) => self.add(column.eq(v)),
            Err(err) => self.fail(err),
        }
    }

    /// `in` on an `ID` column.
    pub fn id_in<C, T>(&mut self, column: C, type_name: &str, field: &str, value: &Option<Vec<ID>>)
    where
        C: ColumnTrait,
        T: FromStr + std::fmt::Display + Into<Value>,
    {
        let Some(ids) = value else { return };
        if !self.spend(field, ids.len()) {
            return;
        }
        match ids
            .iter()
            .map(|id| crate::global_id::decode::<T>(type_name, field, id))
            .collect::<Result<Vec<T>, _>>()
        {
            Ok(values) => self.add(column.is_in(values)),
            Err(err) => self.fail(err),
        }
    }

    /// The conditions of a list of nested filters, each one level deeper; `None` on error.
    fn nested_list<F: FilterInput>(
        &mut self,
        field: &str,
        filters: &[F],
    ) -> Option<Vec<Condition>> {
        if self.error.is_some() {
            return None;
        }
        let budget = self.budget;
        let built = budget.spend_nodes(filters.len()).and_then(|()| {
            budget.nested(field, || {
                filters
                    .iter()
                    .map(|filter| filter.condition(budget))
                    .collect::<Result<Vec<_>, _>>()
            })
        });
        match built {
            Ok(conditions) => Some(conditions),
            Err(err) => {
                self.fail(err);
                None
            }
        }
    }

    /// `and: [F!]`: every one holds.
    pub fn and<F: FilterInput>(&mut self, filters: &Option<Vec<F>>) {
        let Some(filters) = filters else { return };
        if let Some(conditions) = self.nested_list("and", filters) {
            self.terms
                .extend(conditions.into_iter().filter(|c| !c.is_empty()));
        }
    }

    /// `or: [F!]`: at least one holds; an empty list matches nothing.
    pub fn or<F: FilterInput>(&mut self, filters: &Option<Vec<F>>) {
        let Some(filters) = filters else { return };
        let Some(conditions) = self.nested_list("or", filters) else {
            return;
        };
        if conditions.is_empty() {
            // An empty `or` selects nothing (no alternative holds).
            self.terms.push(nothing());
        } else if conditions.iter().any(Condition::is_empty) {
            // One alternative holds for every row, so the `or` does too.
        } else {
            self.terms.push(balanced(conditions, false));
        }
    }

    /// `not: F`: the filter does not hold.
    pub fn not<F: FilterInput>(&mut self, filter: &Option<Box<F>>) {
        let Some(filter) = filter else { return };
        let Some(mut conditions) = self.nested_list("not", std::slice::from_ref(&**filter)) else {
            return;
        };
        let condition = conditions.pop().expect("one filter, one condition");
        // `not: {}` negates a filter every row meets: no row is left.
        self.terms.push(if condition.is_empty() {
            nothing()
        } else {
            condition.not()
        });
    }

    /// The column lookups of the same row, as one more term.
    pub fn lookups<F: FilterInput>(&mut self, filter: &F) {
        if self.error.is_some() {
            return;
        }
        match filter.condition(self.budget) {
            Ok(c) => self.add_condition(c),
            Err(err) => self.fail(err),
        }
    }

    /// Lookups on the rows a relation reaches, as a subquery of the same statement (a semijoin:
    /// each parent row once, however many related rows match). Belongs-to:
    /// `category_Name_Icontains` is `category_id IN (SELECT id FROM category WHERE ...)`;
    /// has-many: `reviews_Rating_Gte` is `id IN (SELECT product_id FROM review WHERE ...)`;
    /// many-to-many: `tags_In` is `id IN (SELECT product_id FROM product_tag WHERE tag_id IN
    /// (SELECT id FROM tag WHERE ...))`. `read_scope` gives the related rows the caller may
    /// read (generated code passes `permission::relation_scope` of the related model), so a
    /// filter on private rows is no oracle.
    pub fn related<F: FilterInput, P>(
        &mut self,
        spec: RelationSpec,
        filter: &RelatedFilter<F, P>,
        read_scope: fn(&Caller) -> Option<Condition>,
    ) {
        if self.error.is_some() {
            return;
        }
        let mut condition = match filter.inner.condition(self.budget) {
            Ok(c) if c.is_empty() => return,
            Ok(c) => c,
            Err(err) => return self.fail(err),
        };
        // Only rows the caller may read can match: a filter on a private row is no oracle.
        if let Some(scope) = read_scope(self.budget.caller) {
            condition = condition.add(scope);
        }
        // `def` reaches the related table, or the junction, from which `via` goes on.
        let semijoin = match &spec.via {
            None => semijoin(&spec.def, condition),
            Some(via) => semijoin(via, condition)
                .and_then(|related| semijoin(&spec.def, Condition::all().add(related))),
        };
        match semijoin {
            Ok(expr) => self.add(expr),
            Err(err) => self.fail(err),
        }
    }

    fn add_condition(&mut self, c: Condition) {
        // An empty filter (`{}`, `and: []`) holds for every row: AND-ing it changes nothing,
        // and leaving it out keeps "selects every row" detectable for bulk mutations.
        if !c.is_empty() {
            self.terms.push(c);
        }
    }

    /// The condition, or the first malformed value or limit met.
    pub fn finish(self) -> Result<Condition, GqlError> {
        match self.error {
            Some(err) => Err(err),
            None if self.terms.is_empty() => Ok(Condition::all()),
            None => Ok(balanced(self.terms, true)),
        }
    }
}

/// `from_tbl.from_col IN (SELECT to_tbl.to_col FROM to_tbl WHERE condition)`: the rows of
/// `def`'s start with a row at its end that matches.
fn semijoin(def: &sea_orm::RelationDef, condition: Condition) -> Result<Expr, GqlError> {
    let (from, to) = (key_column(&def.from_col)?, key_column(&def.to_col)?);
    let target = def.to_tbl.sea_orm_table().clone();
    let mut keys = sea_orm::sea_query::Query::select();
    keys.column((target.clone(), to))
        .from(target)
        .cond_where(condition);
    let source = def.from_tbl.sea_orm_table().clone();
    Ok(Expr::col((source, from)).in_subquery(keys))
}

/// Names the lookups of a related type inside another filter: `category` → `category_Name`.
pub trait FilterPrefix: Send + Sync + 'static {
    /// The relation's GraphQL field name, such as `category`.
    const PREFIX: &'static str;
    /// A unique name for the (flattened, never referenced) input type.
    const TYPE_NAME: &'static str;
    /// A has-many or many-to-many relation: the related key's lookups are the relation's own,
    /// `tags` and `tags_In` rather than `tags_Id` and `tags_Id_In`.
    const TO_MANY: bool = false;
}

/// The name in the parent's filter of the related lookup `inner`: `name_Icontains` of
/// `category` is `category_Name_Icontains`; for a to-many relation the key's `id` and `id_In`
/// are `tags` and `tags_In`.
fn outer_name<F: FilterInput, P: FilterPrefix>(inner: &str) -> String {
    if P::TO_MANY {
        if inner == F::KEY_FIELD {
            return P::PREFIX.to_owned();
        }
        if inner.strip_prefix(F::KEY_FIELD) == Some("_In") {
            return format!("{}_In", P::PREFIX);
        }
    }
    format!("{}_{}", P::PREFIX, upper_first(inner))
}

/// The related lookup a name of the parent's filter stands for, if it is one: the inverse of
/// [`outer_name`].
fn inner_name<F: FilterInput, P: FilterPrefix>(outer: &str) -> Option<String> {
    if P::TO_MANY {
        if outer == P::PREFIX {
            return Some(F::KEY_FIELD.to_owned());
        }
        if outer.strip_prefix(P::PREFIX) == Some("_In") {
            return Some(format!("{}_In", F::KEY_FIELD));
        }
    }
    let rest = outer.strip_prefix(P::PREFIX)?.strip_prefix('_')?;
    Some(lower_first(rest))
}

/// The column lookups `F` of a related type, flattened into a filter with the field names
/// prefixed: `name_Icontains` of `CategoryLookups` is `category_Name_Icontains` here.
pub struct RelatedFilter<F, P> {
    pub inner: F,
    prefix: PhantomData<P>,
}

impl<F: Default, P> Default for RelatedFilter<F, P> {
    fn default() -> Self {
        RelatedFilter {
            inner: F::default(),
            prefix: PhantomData,
        }
    }
}

fn upper_first(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

impl<F: InputObjectType + FilterInput, P: FilterPrefix> InputType for RelatedFilter<F, P> {
    type RawValueType = Self;

    fn type_name() -> Cow<'static, str> {
        Cow::Borrowed(P::TYPE_NAME)
    }

    fn create_type_info(registry: &mut Registry) -> String {
        let inner = registry.create_fake_input_type::<F>();
        registry.create_input_type::<Self, _>(MetaTypeId::InputObject, move |_| {
            let MetaType::InputObject { input_fields, .. } = inner.clone() else {
                unreachable!("an InputObjectType registers an input object")
            };
            let input_fields = input_fields
                .into_iter()
                .map(|(name, mut field)| {
                    let prefixed = outer_name::<F, P>(&name);
                    field.name = prefixed.clone();
                    (prefixed, field)
                })
                .collect();
            MetaType::InputObject {
                name: P::TYPE_NAME.to_owned(),
                description: None,
                input_fields,
                visible: None,
                inaccessible: false,
                tags: Vec::new(),
                rust_typename: Some(std::any::type_name::<Self>()),
                oneof: false,
                directive_invocations: Vec::new(),
            }
        })
    }

    fn parse(value: Option<GqlValue>) -> InputValueResult<Self> {
        let mut inner = async_graphql::indexmap::IndexMap::new();
        if let Some(GqlValue::Object(fields)) = value {
            for (name, value) in fields {
                if let Some(inner_name) = inner_name::<F, P>(&name) {
                    inner.insert(async_graphql::Name::new(inner_name), value);
                }
            }
        }
        let inner = F::parse(Some(GqlValue::Object(inner))).map_err(InputValueError::propagate)?;
        Ok(RelatedFilter {
            inner,
            prefix: PhantomData,
        })
    }

    fn to_value(&self) -> GqlValue {
        match self.inner.to_value() {
            GqlValue::Object(fields) => GqlValue::Object(
                fields
                    .into_iter()
                    .map(|(name, v)| (async_graphql::Name::new(outer_name::<F, P>(&name)), v))
                    .collect(),
            ),
            other => other,
        }
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(self)
    }
}

impl<F: InputObjectType + FilterInput, P: FilterPrefix> InputObjectType for RelatedFilter<F, P> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_escape_escapes_wildcards_and_the_escape_itself() {
        assert_eq!(like_escape(r"50%_off\now"), r"50\%\_off\\now");
        assert_eq!(like_escape("plain"), "plain");
    }

    /// The SQL of `condition` and its deepest nesting of parentheses.
    fn render(condition: Condition) -> (String, usize) {
        use sea_orm::sea_query::{Alias, Asterisk, Query, SqliteQueryBuilder};
        let sql = Query::select()
            .column(Asterisk)
            .from(Alias::new("t"))
            .cond_where(condition)
            .to_string(SqliteQueryBuilder);
        let (mut depth, mut deepest) = (0usize, 0usize);
        for ch in sql.chars() {
            match ch {
                '(' => {
                    depth += 1;
                    deepest = deepest.max(depth);
                }
                ')' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        (sql, deepest)
    }

    #[test]
    fn long_lists_of_terms_become_shallow_trees() {
        let terms = |n: usize| -> Vec<Condition> {
            (0..n)
                .map(|i| Condition::all().add(Expr::col(Alias::new("a")).eq(i as i64)))
                .collect()
        };
        use sea_orm::sea_query::Alias;
        // 20,000 → 1,250 → 79 → 5: a few levels of at most 16 terms, rendered without
        // recursing once per term (which overflowed the stack before).
        let tree = balanced(terms(20_000), false);
        assert!(tree.len() <= FANOUT);
        let (sql, deepest) = render(tree);
        assert!(deepest <= 6, "nesting {deepest}");
        assert_eq!(
            sql.matches(" OR ").count(),
            19_999,
            "every term is kept once"
        );
        assert!(sql.contains("\"a\" = 19999"));
        let (sql, _) = render(balanced(terms(3), true));
        assert_eq!(sql.matches(" AND ").count(), 2);
    }
}
