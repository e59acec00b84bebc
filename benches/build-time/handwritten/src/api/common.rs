//! What every model's API shares: field errors and the validators that produce them, paging,
//! ordering, the lookups of filter inputs, and turning database refusals into field errors.

use async_graphql::connection::{
    self, Connection, DefaultConnectionName, DefaultEdgeName, DisableNodesField, Edge, EmptyFields,
};
use async_graphql::{Context, Enum, Error, ErrorExtensions, ID, OutputType, Result, SimpleObject};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use sea_orm::sea_query::{ExprTrait, Func, LikeExpr, NullOrdering, Order};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, PrimaryKeyTrait, QueryOrder,
    QuerySelect, Select, SqlErr, Value,
};

/// Rows of a page when neither `first` nor `last` is given.
pub const DEFAULT_PAGE_SIZE: usize = 20;
/// The largest `first` or `last` accepted.
pub const MAX_PAGE_SIZE: usize = 100;
/// The most inputs of a bulk create, or ids of an id list.
pub const MAX_LIST_LENGTH: usize = 1_000;

/// Who sends the request, put in the request's data by whatever authenticates it (not part of
/// this crate). Mutations give new rows their owner from it; `me` reads it.
#[derive(Debug, Clone, Copy)]
pub struct Caller {
    pub user_id: i32,
    pub is_staff: bool,
}

/// The caller, or `AUTHENTICATION_REQUIRED`.
pub fn caller<'a>(ctx: &Context<'a>) -> Result<&'a Caller> {
    ctx.data_opt::<Caller>().ok_or_else(|| {
        Error::new("authentication required")
            .extend_with(|_, extensions| extensions.set("code", "AUTHENTICATION_REQUIRED"))
    })
}

/// The owner a write gives a row: `given` (an `ownerId` input) only from staff, else the caller.
pub fn owner_id(caller: &Caller, given: Option<&ID>, errors: &mut FieldErrors) -> Result<i32> {
    match given {
        None => Ok(caller.user_id),
        Some(id) if caller.is_staff => Ok(input_id(id, "ownerId", errors)),
        Some(_) => Err(Error::new("only staff may choose a row's owner")
            .extend_with(|_, extensions| extensions.set("code", "PERMISSION_DENIED"))),
    }
}

/// One problem with one input field.
#[derive(SimpleObject, Debug, Clone)]
pub struct FieldError {
    /// The input field, such as `name`; `inputs.2.name` in a bulk create, `row 7.name` in a
    /// bulk update; null when the problem concerns the whole row.
    pub field: Option<String>,
    /// What is wrong, for people.
    pub message: String,
    /// What is wrong, for programs: LENGTH, RANGE, EMAIL, URL, REGEX, REQUIRED, INVALID,
    /// UNIQUE, NOT_FOUND or REFERENCED.
    pub code: String,
}

/// The problems found in one input.
#[derive(Debug, Default)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn add(&mut self, field: &str, code: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: Some(field.to_owned()),
            message: message.into(),
            code: code.to_owned(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The errors with `prefix.` before each field, as a bulk mutation reports them.
    pub fn prefixed(self, prefix: &str) -> Vec<FieldError> {
        self.0
            .into_iter()
            .map(|mut error| {
                error.field = Some(match error.field {
                    Some(field) => format!("{prefix}.{field}"),
                    None => prefix.to_owned(),
                });
                error
            })
            .collect()
    }
}

/// The outcome of writing one row: bad input is reported in the payload, and a row the
/// database refused ends a bulk mutation, since PostgreSQL aborts the transaction.
pub enum Write<T> {
    Done(T),
    Invalid(FieldErrors),
    Refused(FieldErrors),
}

/// The result of a bulk update or delete.
#[derive(SimpleObject)]
pub struct BulkMutationPayload {
    /// Whether the rows were written.
    pub success: bool,
    /// The number of rows updated or deleted.
    pub count: i32,
    pub errors: Vec<FieldError>,
}

impl BulkMutationPayload {
    pub fn failed(errors: Vec<FieldError>) -> Self {
        BulkMutationPayload {
            success: false,
            count: 0,
            errors,
        }
    }
}

/// `ASC` or `DESC`.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderDirection {
    /// Smallest first; NULLs last.
    Asc,
    /// Largest first; NULLs first.
    Desc,
}

/// The `totalCount` field of every connection.
#[derive(SimpleObject)]
pub struct TotalCount {
    /// The number of rows that match the filter, over all pages.
    pub total_count: i32,
}

/// A Relay connection of `N` with offsets as cursors: `XConnection` and `XEdge`.
pub type Page<N> = Connection<
    usize,
    N,
    TotalCount,
    EmptyFields,
    DefaultConnectionName,
    DefaultEdgeName,
    DisableNodesField,
>;

/// The pagination arguments of a connection field.
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

/// One page of `select`, which is already filtered and ordered.
pub async fn paginate<E, N, C>(db: &C, select: Select<E>, args: PageArgs) -> Result<Page<N>>
where
    E: EntityTrait,
    E::Model: Sync,
    N: From<E::Model> + OutputType,
    C: ConnectionTrait,
{
    for size in [args.first, args.last].into_iter().flatten() {
        if usize::try_from(size).is_ok_and(|size| size > MAX_PAGE_SIZE) {
            return Err(Error::new(format!(
                "`first` and `last` must not exceed {MAX_PAGE_SIZE}"
            )));
        }
    }
    connection::query(
        args.after,
        args.before,
        args.first,
        args.last,
        |after: Option<usize>, before: Option<usize>, first, last| async move {
            let total = usize::try_from(select.clone().count(db).await?)?;
            let mut end = before.unwrap_or(total).min(total);
            let mut start = after.map_or(0, |after| after + 1).min(end);
            match (first, last) {
                (Some(first), _) => {
                    end = end.min(start + first);
                    if let Some(last) = last {
                        start = start.max(end.saturating_sub(last));
                    }
                }
                (None, Some(last)) => start = start.max(end.saturating_sub(last)),
                (None, None) => end = end.min(start + DEFAULT_PAGE_SIZE),
            }
            let rows = select
                .offset(start as u64)
                .limit((end - start) as u64)
                .all(db)
                .await?;
            let mut page = Connection::with_additional_fields(
                start > 0,
                end < total,
                TotalCount {
                    total_count: i32::try_from(total)?,
                },
            );
            page.edges.extend(
                rows.into_iter()
                    .enumerate()
                    .map(|(i, row)| Edge::new(start + i, N::from(row))),
            );
            Ok::<_, Error>(page)
        },
    )
    .await
}

/// `select` ordered by `keys`, then by `id` so that equal keys keep one order.
pub fn ordered<E: EntityTrait>(
    mut select: Select<E>,
    keys: Vec<(E::Column, OrderDirection)>,
    id: E::Column,
) -> Select<E> {
    for (column, direction) in keys {
        select = match direction {
            OrderDirection::Asc => {
                select.order_by_with_nulls(column, Order::Asc, NullOrdering::Last)
            }
            OrderDirection::Desc => {
                select.order_by_with_nulls(column, Order::Desc, NullOrdering::First)
            }
        };
    }
    select.order_by_asc(id)
}

/// The single key of an `XOrderBy` input, whose fields are given as `(column, direction)`.
pub fn order_key<C>(fields: Vec<(C, Option<OrderDirection>)>) -> Result<(C, OrderDirection)> {
    let mut set = fields
        .into_iter()
        .filter_map(|(column, direction)| direction.map(|d| (column, d)));
    match (set.next(), set.next()) {
        (Some(key), None) => Ok(key),
        _ => Err(Error::new("each orderBy item sets exactly one field")),
    }
}

/// The condition of a bulk mutation's filter, which must set one: an empty filter would
/// change or delete every row.
pub fn bulk_condition(condition: sea_orm::Condition) -> Result<sea_orm::Condition> {
    if condition.is_empty() {
        return Err(
            Error::new("the filter of a bulk mutation must set a condition")
                .extend_with(|_, extensions| extensions.set("code", "BAD_USER_INPUT")),
        );
    }
    Ok(condition)
}

/// A row id from an `ID`.
pub fn parse_id(id: &ID) -> Result<i32> {
    id.parse()
        .map_err(|_| Error::new(format!("`{}` is not an id", id.as_str())))
}

pub fn parse_ids(ids: &[ID]) -> Result<Vec<i32>> {
    if ids.len() > MAX_LIST_LENGTH {
        return Err(Error::new(format!(
            "a list takes at most {MAX_LIST_LENGTH} values"
        )));
    }
    ids.iter().map(parse_id).collect()
}

/// An id of an input, or an `INVALID` error on `field`.
pub fn input_id(id: &ID, field: &str, errors: &mut FieldErrors) -> i32 {
    parse_id(id).unwrap_or_else(|_| {
        errors.add(field, "INVALID", "is not an id");
        0
    })
}

pub fn input_ids(ids: &[ID], field: &str, errors: &mut FieldErrors) -> Vec<i32> {
    if ids.len() > MAX_LIST_LENGTH {
        errors.add(
            field,
            "LENGTH",
            format!("takes at most {MAX_LIST_LENGTH} ids"),
        );
        return Vec::new();
    }
    ids.iter().map(|id| input_id(id, field, errors)).collect()
}

/// `LIKE` pattern that matches `text` literally, with `\` escaping the wildcards.
fn like(prefix: &str, text: &str, suffix: &str) -> LikeExpr {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    LikeExpr::new(format!("{prefix}{escaped}{suffix}")).escape('\\')
}

pub fn contains(column: impl ColumnTrait, text: &str) -> sea_orm::sea_query::Expr {
    column.like(like("%", text, "%"))
}

pub fn starts_with(column: impl ColumnTrait, text: &str) -> sea_orm::sea_query::Expr {
    column.like(like("", text, "%"))
}

pub fn ends_with(column: impl ColumnTrait, text: &str) -> sea_orm::sea_query::Expr {
    column.like(like("%", text, ""))
}

pub fn iexact(column: impl ColumnTrait, text: &str) -> sea_orm::sea_query::Expr {
    Func::lower(column.into_expr()).eq(text.to_lowercase())
}

pub fn icontains(column: impl ColumnTrait, text: &str) -> sea_orm::sea_query::Expr {
    Func::lower(column.into_expr()).like(like("%", &text.to_lowercase(), "%"))
}

pub fn istartswith(column: impl ColumnTrait, text: &str) -> sea_orm::sea_query::Expr {
    Func::lower(column.into_expr()).like(like("", &text.to_lowercase(), "%"))
}

pub fn iendswith(column: impl ColumnTrait, text: &str) -> sea_orm::sea_query::Expr {
    Func::lower(column.into_expr()).like(like("%", &text.to_lowercase(), ""))
}

pub fn isnull(column: impl ColumnTrait, null: bool) -> sea_orm::sea_query::Expr {
    if null {
        column.is_null()
    } else {
        column.is_not_null()
    }
}

/// `x_Range: [low, high]`, both included.
pub fn range<V: Into<Value> + Clone>(
    column: impl ColumnTrait,
    bounds: &[V],
) -> Result<sea_orm::sea_query::Expr> {
    match bounds {
        [low, high] => Ok(column.between(low.clone(), high.clone())),
        _ => Err(Error::new("a range is a list of two values")),
    }
}

/// `length(min, max)`, in characters.
pub fn length(errors: &mut FieldErrors, field: &str, text: &str, min: usize, max: usize) {
    let n = text.chars().count();
    if n < min || n > max {
        errors.add(
            field,
            "LENGTH",
            format!("must be between {min} and {max} characters long, is {n}"),
        );
    }
}

/// `range(min, max)` on an integer, both bounds included.
pub fn int_range(errors: &mut FieldErrors, field: &str, value: i32, min: i32, max: i32) {
    if value < min || value > max {
        errors.add(
            field,
            "RANGE",
            format!("must be between {min} and {max}, is {value}"),
        );
    }
}

/// `range(min, max)` on a decimal, both bounds included.
pub fn decimal_range(errors: &mut FieldErrors, field: &str, value: &Decimal, min: f64, max: f64) {
    let value = value.to_f64().unwrap_or(f64::NAN);
    if !(min..=max).contains(&value) {
        errors.add(
            field,
            "RANGE",
            format!("must be between {min} and {max}, is {value}"),
        );
    }
}

/// One `@`, a non-empty local part, a dotted domain, no spaces.
pub fn email(errors: &mut FieldErrors, field: &str, text: &str) {
    let valid = text.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !text.chars().any(char::is_whitespace)
    });
    if !valid {
        errors.add(field, "EMAIL", "must be an email address");
    }
}

/// An absolute http or https URL.
pub fn url(errors: &mut FieldErrors, field: &str, text: &str) {
    let valid = url::Url::parse(text)
        .is_ok_and(|url| matches!(url.scheme(), "http" | "https") && url.has_host());
    if !valid {
        errors.add(field, "URL", "must be an http or https URL");
    }
}

/// A required field of a create input: nullable in the schema, so that a missing one is a
/// `REQUIRED` field error beside the input's other problems rather than a request error.
pub fn required<T>(value: Option<T>, field: &str, errors: &mut FieldErrors) -> Option<T> {
    if value.is_none() {
        errors.add(field, "REQUIRED", "is required");
    }
    value
}

pub fn required_text(errors: &mut FieldErrors, field: &str, text: &str) {
    if text.trim().is_empty() {
        errors.add(field, "REQUIRED", "must not be empty");
    }
}

/// Keeps safe markup and drops scripts, event handlers and unknown tags.
pub fn sanitize_html(text: &str) -> String {
    ammonia::clean(text)
}

/// Whether the row of `E` with id `id` exists.
pub async fn exists<E, C>(db: &C, id: i32) -> Result<bool>
where
    E: EntityTrait,
    E::Model: Sync,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<i32>,
    C: ConnectionTrait,
{
    Ok(E::find_by_id(id).count(db).await? > 0)
}

/// Adds `NOT_FOUND` on `field` unless the row of `E` with id `id` exists.
pub async fn check_reference<E, C>(
    db: &C,
    id: i32,
    field: &str,
    errors: &mut FieldErrors,
) -> Result<()>
where
    E: EntityTrait,
    E::Model: Sync,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<i32>,
    C: ConnectionTrait,
{
    if !exists::<E, C>(db, id).await? {
        errors.add(field, "NOT_FOUND", format!("no row has the id {id}"));
    }
    Ok(())
}

/// A write the database refused because of the values: a unique column (`unique_field`, the
/// model's only one) or a reference. Other errors are top-level ones.
pub fn refusal(err: DbErr, unique_field: Option<&str>) -> Result<FieldErrors> {
    let mut errors = FieldErrors::default();
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => errors.0.push(FieldError {
            field: unique_field.map(str::to_owned),
            message: "another row has this value".to_owned(),
            code: "UNIQUE".to_owned(),
        }),
        Some(SqlErr::ForeignKeyConstraintViolation(_)) => errors.0.push(FieldError {
            field: None,
            message: "a referenced row does not exist".to_owned(),
            code: "NOT_FOUND".to_owned(),
        }),
        _ => return Err(err.into()),
    }
    Ok(errors)
}

/// A delete the database refused because other rows still refer to the row.
pub fn delete_refusal(err: DbErr) -> Result<Vec<FieldError>> {
    match err.sql_err() {
        Some(SqlErr::ForeignKeyConstraintViolation(_)) => Ok(vec![FieldError {
            field: None,
            message: "other rows still refer to this row".to_owned(),
            code: "REFERENCED".to_owned(),
        }]),
        _ => Err(err.into()),
    }
}

/// A count for an `Int` field.
pub fn count(n: u64) -> Result<i32> {
    Ok(i32::try_from(n)?)
}
