//! Filter inputs become one SQL `WHERE` condition. Generated `XFilter::condition` calls the
//! [`Where`] builder once per lookup field; the builder knows how each lookup is written in SQL,
//! so that logic lives here once. Text lookups escape `%`, `_` and `\` in the value, and the
//! case-insensitive ones compare `LOWER(column)` with the lower-cased value: [`crate::db`]
//! installs a Unicode `lower` on SQLite so the result is the same on every backend.

use std::borrow::Cow;
use std::marker::PhantomData;
use std::str::FromStr;

use async_graphql::registry::{MetaType, MetaTypeId, Registry};
use async_graphql::{
    ID, InputObjectType, InputType, InputValueError, InputValueResult, Value as GqlValue,
};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{ColumnTrait, Condition, EntityTrait, Value};

use crate::auth::Caller;
use crate::error::GqlError;
use crate::loader::{RelationSpec, key_column};
use crate::model::GraphQLModel;

/// A generated filter input.
pub trait FilterInput: Send + Sync {
    /// The entity whose rows the filter selects.
    type Entity: EntityTrait;
    /// The filter as one condition, for `caller`; a malformed value is `BAD_USER_INPUT`, a field
    /// the caller may not read is `PERMISSION_DENIED`.
    fn condition(&self, caller: &Caller) -> Result<Condition, GqlError>;
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
    condition: Condition,
    error: Option<GqlError>,
    caller: &'a Caller,
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

impl<'a> Where<'a> {
    /// An empty condition, built for `caller`.
    pub fn new(caller: &'a Caller) -> Self {
        Where {
            condition: Condition::all(),
            error: None,
            caller,
        }
    }

    /// A lookup on a field with `permission = "codename"` is set: the caller must hold it, or
    /// the filter would be an oracle for values the field hides.
    pub fn require(&mut self, field: &str, codename: &str) {
        if let Err(err) = crate::permission::check_field_use(self.caller, field, codename) {
            self.fail(err);
        }
    }

    fn add(&mut self, expr: Expr) {
        let condition = std::mem::replace(&mut self.condition, Condition::all());
        self.condition = condition.add(expr);
    }

    fn fail(&mut self, err: GqlError) {
        self.error.get_or_insert(err);
    }

    /// exact, gt, gte, lt, lte on any comparable column.
    pub fn compare<C, V>(&mut self, column: C, lookup: Lookup, value: &Option<V>)
    where
        C: ColumnTrait,
        V: Into<Value> + Clone,
    {
        let Some(value) = value.clone() else { return };
        let expr = match lookup {
            Lookup::Exact => column.eq(value),
            Lookup::Gt => column.gt(value),
            Lookup::Gte => column.gte(value),
            Lookup::Lt => column.lt(value),
            Lookup::Lte => column.lte(value),
            other => unreachable!(
                "{other:?} is not a comparison; the derive only emits comparisons here"
            ),
        };
        self.add(expr);
    }

    /// The text lookups: iexact, contains, icontains, startswith, istartswith, endswith, iendswith.
    pub fn text<C: ColumnTrait>(&mut self, column: C, lookup: Lookup, value: &Option<String>) {
        let Some(value) = value.as_deref() else {
            return;
        };
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
            Lookup::Iexact => {
                self.add(subject.eq(value));
                return;
            }
            Lookup::Contains | Lookup::Icontains => format!("%{escaped}%"),
            Lookup::Startswith | Lookup::Istartswith => format!("{escaped}%"),
            Lookup::Endswith | Lookup::Iendswith => format!("%{escaped}"),
            other => unreachable!("{other:?} is not a text lookup"),
        };
        self.add(subject.like(LikeExpr::new(pattern).escape('\\')));
    }

    /// `in`: one of the given values; an empty list matches nothing.
    pub fn one_of<C, V>(&mut self, column: C, value: &Option<Vec<V>>)
    where
        C: ColumnTrait,
        V: Into<Value> + Clone,
    {
        let Some(values) = value else { return };
        self.add(column.is_in(values.iter().cloned()));
    }

    /// `range`: between two values, both included.
    pub fn range<C, V>(&mut self, column: C, field: &str, value: &Option<Vec<V>>)
    where
        C: ColumnTrait,
        V: Into<Value> + Clone,
    {
        let Some(values) = value else { return };
        match values.as_slice() {
            [low, high] => self.add(column.between(low.clone(), high.clone())),
            _ => self.fail(GqlError::bad_input(format!(
                "`{field}` takes exactly two values, [low, high]; got {}",
                values.len()
            ))),
        }
    }

    /// `isnull: true` keeps rows where the column is NULL, `false` those where it is not.
    pub fn isnull<C: ColumnTrait>(&mut self, column: C, value: &Option<bool>) {
        match value {
            Some(true) => self.add(column.is_null()),
            Some(false) => self.add(column.is_not_null()),
            None => {}
        }
    }

    /// exact on an `ID` column: the id is parsed into the column's type first.
    pub fn id<C, T>(&mut self, column: C, field: &str, value: &Option<ID>)
    where
        C: ColumnTrait,
        T: FromStr + Into<Value>,
    {
        let Some(id) = value else { return };
        match parse_id::<T>(field, id) {
            Ok(v) => self.add(column.eq(v)),
            Err(err) => self.fail(err),
        }
    }

    /// `in` on an `ID` column.
    pub fn id_in<C, T>(&mut self, column: C, field: &str, value: &Option<Vec<ID>>)
    where
        C: ColumnTrait,
        T: FromStr + Into<Value>,
    {
        let Some(ids) = value else { return };
        match ids
            .iter()
            .map(|id| parse_id::<T>(field, id))
            .collect::<Result<Vec<T>, _>>()
        {
            Ok(values) => self.add(column.is_in(values)),
            Err(err) => self.fail(err),
        }
    }

    /// `and: [F!]`: every one holds.
    pub fn and<F: FilterInput>(&mut self, filters: &Option<Vec<F>>) {
        let Some(filters) = filters else { return };
        for filter in filters {
            match filter.condition(self.caller) {
                Ok(c) => self.add_condition(c),
                Err(err) => self.fail(err),
            }
        }
    }

    /// `or: [F!]`: at least one holds; an empty list matches nothing.
    pub fn or<F: FilterInput>(&mut self, filters: &Option<Vec<F>>) {
        let Some(filters) = filters else { return };
        let mut any = Condition::any();
        for filter in filters {
            match filter.condition(self.caller) {
                Ok(c) => any = any.add(c),
                Err(err) => self.fail(err),
            }
        }
        if filters.is_empty() {
            // `Condition::any()` with no terms renders as TRUE; an empty `or` selects nothing.
            self.add(Expr::val(1).eq(0));
        } else {
            self.add_condition(any);
        }
    }

    /// `not: F`: the filter does not hold.
    pub fn not<F: FilterInput>(&mut self, filter: &Option<Box<F>>) {
        let Some(filter) = filter else { return };
        match filter.condition(self.caller) {
            Ok(c) => self.add_condition(c.not()),
            Err(err) => self.fail(err),
        }
    }

    /// The column lookups of the same row, as one more term.
    pub fn lookups<F: FilterInput>(&mut self, filter: &F) {
        match filter.condition(self.caller) {
            Ok(c) => self.add_condition(c),
            Err(err) => self.fail(err),
        }
    }

    /// Lookups on the row a belongs-to relation points at: `category_Name_Icontains` becomes
    /// `category_id IN (SELECT id FROM category WHERE LOWER(name) LIKE ...)`, one statement.
    pub fn related<F: FilterInput, P>(&mut self, spec: RelationSpec, filter: &RelatedFilter<F, P>)
    where
        <F::Entity as EntityTrait>::Model: GraphQLModel,
    {
        let mut condition = match filter.inner.condition(self.caller) {
            Ok(c) if c.is_empty() => return,
            Ok(c) => c,
            Err(err) => return self.fail(err),
        };
        // Only rows the caller may read can match: a filter on a private row is no oracle.
        if let Some(scope) =
            crate::permission::relation_scope::<<F::Entity as EntityTrait>::Model>(self.caller)
        {
            condition = condition.add(scope);
        }
        let (from, to) = match (key_column(&spec.def.from_col), key_column(&spec.def.to_col)) {
            (Ok(from), Ok(to)) => (from, to),
            (Err(err), _) | (_, Err(err)) => return self.fail(err),
        };
        let target = spec.def.to_tbl.sea_orm_table().clone();
        let mut keys = sea_orm::sea_query::Query::select();
        keys.column((target.clone(), to))
            .from(target)
            .cond_where(condition);
        let source = spec.def.from_tbl.sea_orm_table().clone();
        self.add(Expr::col((source, from)).in_subquery(keys));
    }

    fn add_condition(&mut self, c: Condition) {
        // An empty filter (`{}`, `and: []`) holds for every row: AND-ing it changes nothing,
        // and leaving it out keeps "selects every row" detectable for bulk mutations.
        if c.is_empty() {
            return;
        }
        let condition = std::mem::replace(&mut self.condition, Condition::all());
        self.condition = condition.add(c);
    }

    /// The condition, or the first malformed value met.
    pub fn finish(self) -> Result<Condition, GqlError> {
        match self.error {
            Some(err) => Err(err),
            None => Ok(self.condition),
        }
    }
}

/// Names the lookups of a related type inside another filter: `category` → `category_Name`.
pub trait FilterPrefix: Send + Sync + 'static {
    /// The relation's GraphQL field name, such as `category`.
    const PREFIX: &'static str;
    /// A unique name for the (flattened, never referenced) input type.
    const TYPE_NAME: &'static str;
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

impl<F: InputObjectType, P: FilterPrefix> InputType for RelatedFilter<F, P> {
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
                    let prefixed = format!("{}_{}", P::PREFIX, upper_first(&name));
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
            let start = format!("{}_", P::PREFIX);
            for (name, value) in fields {
                if let Some(rest) = name.strip_prefix(&start) {
                    inner.insert(async_graphql::Name::new(lower_first(rest)), value);
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
                    .map(|(name, v)| {
                        (
                            async_graphql::Name::new(format!(
                                "{}_{}",
                                P::PREFIX,
                                upper_first(&name)
                            )),
                            v,
                        )
                    })
                    .collect(),
            ),
            other => other,
        }
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(self)
    }
}

impl<F: InputObjectType, P: FilterPrefix> InputObjectType for RelatedFilter<F, P> {}

/// Parses a GraphQL `ID` into a key type; a malformed one is `BAD_USER_INPUT` naming the field.
pub fn parse_id<T: FromStr>(field: &str, id: &ID) -> Result<T, GqlError> {
    id.as_str()
        .parse()
        .map_err(|_| GqlError::bad_input(format!("`{field}`: `{}` is not a valid id", id.as_str())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_escape_escapes_wildcards_and_the_escape_itself() {
        assert_eq!(like_escape(r"50%_off\now"), r"50\%\_off\\now");
        assert_eq!(like_escape("plain"), "plain");
    }

    #[test]
    fn parse_id_rejects_garbage_with_the_field_name() {
        assert_eq!(parse_id::<i32>("id", &ID::from("42")).unwrap(), 42);
        let err = parse_id::<i32>("category", &ID::from("4x2")).unwrap_err();
        assert_eq!(err.code, crate::ErrorCode::BadUserInput);
        assert!(err.message.contains("`category`"), "{}", err.message);
    }
}
