//! Create, update and delete, one row or many, each in one transaction. Generated inputs say how
//! their fields land in an `ActiveModel` (with validation); the functions here do the rest the
//! same way for every model: check that referenced rows exist, write, link many-to-many rows,
//! and turn database errors into field errors (`UNIQUE`, `NOT_FOUND`) or a masked
//! `INTERNAL_ERROR`. An input with any error writes nothing.

use async_graphql::{Context, ID, SimpleObject};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait,
    IntoActiveModel, PrimaryKeyTrait, QueryFilter, QuerySelect, SqlErr, TransactionTrait, Value,
};

use crate::auth::Caller;
use crate::config::Config;
use crate::connection::database;
use crate::error::GqlError;
use crate::events::{Change, publish};
use crate::model::{GraphQLModel, GraphQLMutations};
use crate::permission::{Action, authorize};
use crate::relation::{RelationSpec, key_column, key_text};
use crate::validate::{FieldCode, FieldError, FieldErrors};
pub use crate::validate::{ModelValidator, NoValidator};

pub mod assign;
mod payload;

pub use crate::model::MutationNames;
pub use payload::{Create, DeletePayload, RowPayload, RowsPayload, Update, Verb};

type ActiveModelOf<E> = <E as EntityTrait>::ActiveModel;

/// A foreign key among an input's columns, checked before writing.
pub struct Reference<C> {
    /// The input field, such as `categoryId`.
    pub field: &'static str,
    /// The GraphQL type of the referenced row, such as `Category`.
    pub type_name: &'static str,
    pub column: C,
    pub spec: RelationSpec,
}

/// A many-to-many list of ids (`tagIds`): `None` leaves the links as they are.
pub struct Link {
    pub field: &'static str,
    /// The GraphQL type of the linked rows, whose global ids the list holds.
    pub type_name: &'static str,
    /// Whether a key parses as the linked rows' key type.
    pub valid_key: fn(&str) -> bool,
    pub spec: RelationSpec,
    pub ids: Option<Vec<ID>>,
}

/// A generated create or update input.
pub trait MutationInput: Send + Sync {
    type Entity: EntityTrait;
    /// Puts the given fields into `model`, validating and sanitising them.
    fn apply(&self, model: &mut ActiveModelOf<Self::Entity>, errors: &mut FieldErrors);
    /// The foreign keys among the fields.
    fn references(&self) -> Vec<Reference<<Self::Entity as EntityTrait>::Column>>;
    /// The many-to-many id lists among the fields.
    fn links(&self) -> Vec<Link>;
    /// `(column, input field)` of every column field, to name the field of a unique violation.
    fn fields() -> &'static [(&'static str, &'static str)];
}

/// What a single-row mutation did.
pub enum Outcome<M> {
    Done(M),
    Invalid(Vec<FieldError>),
}

/// Why a write stopped. A write the database refused ends the transaction (PostgreSQL aborts
/// it), so a bulk mutation stops at the first one.
enum WriteError {
    Refused(Vec<FieldError>),
    Failed(GqlError),
}

impl From<GqlError> for WriteError {
    fn from(err: GqlError) -> Self {
        WriteError::Failed(err)
    }
}

impl From<DbErr> for WriteError {
    fn from(err: DbErr) -> Self {
        WriteError::Failed(err.into())
    }
}

/// Adds one row's result to a bulk mutation's: the row, or its errors. `Ok(false)` when the
/// database refused the row and the bulk must stop.
fn gather<M>(
    result: Result<Outcome<M>, WriteError>,
    rows: &mut Vec<M>,
    errors: &mut Vec<FieldError>,
) -> Result<bool, GqlError> {
    match result {
        Ok(Outcome::Done(row)) => rows.push(row),
        Ok(Outcome::Invalid(mut e)) => errors.append(&mut e),
        Err(WriteError::Refused(mut e)) => {
            errors.append(&mut e);
            return Ok(false);
        }
        Err(WriteError::Failed(err)) => return Err(err),
    }
    Ok(true)
}

/// A single-row result: a refusal is a payload error, anything else a top-level one.
fn settle<M>(result: Result<Outcome<M>, WriteError>) -> Result<Outcome<M>, GqlError> {
    match result {
        Ok(outcome) => Ok(outcome),
        Err(WriteError::Refused(errors)) => Ok(Outcome::Invalid(errors)),
        Err(WriteError::Failed(err)) => Err(err),
    }
}

/// The result of a bulk update or delete.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(name = "BulkMutationPayload")]
pub struct BulkPayload {
    /// Whether the rows were written.
    pub success: bool,
    /// The number of rows updated or deleted.
    pub count: u64,
    pub errors: Vec<FieldError>,
}

/// A value for a key of unknown column type: integer, UUID or text.
fn key_value(key: &str) -> Value {
    if let Ok(n) = key.parse::<i64>() {
        Value::BigInt(Some(n))
    } else if let Ok(u) = key.parse::<uuid::Uuid>() {
        Value::Uuid(Some(u))
    } else {
        Value::String(Some(key.to_owned()))
    }
}

/// The keys inside a link's global ids, or for each id that is not one of `type_name`, why.
fn link_keys(link: &Link, ids: &[ID]) -> Vec<Result<String, GqlError>> {
    ids.iter()
        .map(|id| {
            crate::global_id::decode::<String>(link.type_name, link.field, id).and_then(|key| {
                if (link.valid_key)(&key) {
                    Ok(key)
                } else {
                    Err(GqlError::bad_input(format!(
                        "`{}`: `{}` is not a valid id",
                        link.field,
                        id.as_str()
                    )))
                }
            })
        })
        .collect()
}

fn value_set(value: ActiveValue<Value>) -> Option<Value> {
    match value {
        ActiveValue::Set(v) | ActiveValue::Unchanged(v) => Some(v).filter(|v| *v != v.as_null()),
        ActiveValue::NotSet => None,
    }
}

/// The values of `column` in `table` among `values`, read back to find the missing ones.
async fn existing(
    txn: &DatabaseTransaction,
    spec_to: &sea_orm::RelationDef,
    values: &[Value],
) -> Result<Vec<String>, GqlError> {
    let table = spec_to.to_tbl.sea_orm_table().clone();
    let column = key_column(&spec_to.to_col)?;
    let mut query = Query::select();
    query
        .expr_as(
            Expr::col((table.clone(), column.clone())).cast_as("text"),
            "key",
        )
        .from(table)
        .and_where(Expr::col(column).is_in(values.iter().cloned()));
    let rows = txn.query_all(&query).await.map_err(GqlError::from)?;
    Ok(rows
        .into_iter()
        .filter_map(|r| r.try_get::<String>("", "key").ok())
        .collect())
}

/// The global id of a row of `M`.
pub(crate) fn global_id_of<M: GraphQLModel>(row: &M) -> String {
    crate::global_id::encode(M::TYPE_NAME, text_of(&key_of::<M::Entity>(row)))
}

/// A key for a message: `5`, a UUID, a code.
fn text_of(value: &Value) -> String {
    key_text(value).unwrap_or_else(|| format!("{value:?}"))
}

/// Checks that every referenced row exists; a missing one is a `NOT_FOUND` field error.
async fn check_references<I: MutationInput>(
    txn: &DatabaseTransaction,
    input: &I,
    model: &ActiveModelOf<I::Entity>,
    errors: &mut FieldErrors,
) -> Result<(), GqlError> {
    for reference in input.references() {
        let Some(value) = value_set(model.get(reference.column)) else {
            continue;
        };
        if existing(txn, &reference.spec.def, std::slice::from_ref(&value))
            .await?
            .is_empty()
        {
            errors.add(
                reference.field,
                FieldCode::NotFound,
                format!(
                    "no row with id {}",
                    crate::global_id::encode(reference.type_name, text_of(&value))
                ),
            );
        }
    }
    for link in input.links() {
        let (Some(ids), Some(to)) = (&link.ids, &link.spec.via) else {
            continue;
        };
        let keys = link_keys(&link, ids);
        let values: Vec<Value> = keys.iter().flatten().map(|key| key_value(key)).collect();
        let found = existing(txn, to, &values).await?;
        for (id, key) in ids.iter().zip(keys) {
            match key {
                Err(err) => errors.add(link.field, FieldCode::BadUserInput, err.message),
                Ok(key) if !found.contains(&key) => errors.add(
                    link.field,
                    FieldCode::NotFound,
                    format!("no row with id {}", id.as_str()),
                ),
                Ok(_) => {}
            }
        }
    }
    Ok(())
}

/// Replaces the many-to-many links of the row whose key is `key`.
async fn write_links(
    txn: &DatabaseTransaction,
    links: Vec<Link>,
    key: &Value,
) -> Result<(), GqlError> {
    for link in links {
        let (Some(ids), Some(to)) = (&link.ids, &link.spec.via) else {
            continue;
        };
        // `check_references` refused the input if one did not decode.
        let keys: Vec<String> = link_keys(&link, ids).into_iter().flatten().collect();
        let junction = link.spec.def.to_tbl.sea_orm_table().clone();
        let parent_column = key_column(&link.spec.def.to_col)?;
        let target_column = key_column(&to.from_col)?;
        let mut delete = Query::delete();
        delete
            .from_table(junction.clone())
            .and_where(Expr::col(parent_column.clone()).eq(key.clone()));
        txn.execute(&delete).await.map_err(GqlError::from)?;
        if keys.is_empty() {
            continue;
        }
        let mut insert = Query::insert();
        insert
            .into_table(junction)
            .columns([parent_column, target_column]);
        let mut seen = std::collections::HashSet::new();
        for link_key in keys.iter().filter(|k| seen.insert(k.as_str())) {
            insert
                .values([Expr::val(key.clone()), Expr::val(key_value(link_key))])
                .map_err(|e| GqlError::internal(e.to_string()))?;
        }
        txn.execute(&insert).await.map_err(GqlError::from)?;
    }
    Ok(())
}

/// A unique or foreign-key violation as a field error; another refusal the values caused is
/// `BAD_USER_INPUT`, anything else internal.
fn constraint_error<I: MutationInput>(
    err: DbErr,
    prefix: Option<&str>,
) -> Result<Vec<FieldError>, GqlError> {
    let (code, message) = match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(message)) => (FieldCode::Unique, message),
        Some(SqlErr::ForeignKeyConstraintViolation(message)) => (FieldCode::NotFound, message),
        _ => return Err(GqlError::from_db(err, "input")),
    };
    tracing::info!(%message, "constraint violation");
    // SQLite names `table.column`; PostgreSQL the constraint `table_column_key` and the key.
    let field = I::fields().iter().find(|(column, _)| {
        message.contains(&format!(".{column}"))
            || message.contains(&format!("_{column}_key"))
            || message.contains(&format!("({column})"))
    });
    let text = match code {
        FieldCode::Unique => "is already taken".to_owned(),
        _ => "refers to a row that does not exist, or is still referenced".to_owned(),
    };
    let mut errors = FieldErrors::default();
    match field {
        Some((_, name)) => errors.add(name, code, text),
        None => errors.0.push(FieldError {
            field: None,
            message: text,
            code: code.as_str().to_owned(),
        }),
    }
    Ok(match prefix {
        Some(prefix) => errors.prefixed(prefix),
        None => errors.0,
    })
}

/// The key value of `model`'s single-column primary key.
fn key_of<E: EntityTrait>(model: &E::Model) -> Value {
    use sea_orm::{Iterable, ModelTrait, PrimaryKeyToColumn};
    let column = E::PrimaryKey::iter().next().map(|k| k.into_column());
    column.map(|c| model.get(c)).unwrap_or(Value::Int(None))
}

async fn begin(ctx: &Context<'_>) -> Result<DatabaseTransaction, GqlError> {
    Ok(database(ctx)?.begin().await?)
}

/// Puts `input` into `model`, then runs the field validators, the container validator (its
/// `clean`, then its `validate`) and the reference checks: the problems found, with `prefix`, or `None` when the row may be written.
async fn prepare<I, V>(
    txn: &DatabaseTransaction,
    input: &I,
    model: &mut ActiveModelOf<I::Entity>,
    prefix: Option<&str>,
) -> Result<Option<Vec<FieldError>>, GqlError>
where
    I: MutationInput,
    V: ModelValidator<ActiveModelOf<I::Entity>>,
{
    let mut errors = FieldErrors::default();
    input.apply(model, &mut errors);
    V::clean(model, &mut errors);
    V::validate(model, &mut errors);
    check_references(txn, input, model, &mut errors).await?;
    Ok((!errors.is_empty()).then(|| prefixed(errors, prefix)))
}

/// Inserts one row of `input` inside `txn`; field errors carry `prefix`.
async fn insert_one<M, I, V>(
    caller: &Caller,
    txn: &DatabaseTransaction,
    input: &I,
    prefix: Option<&str>,
) -> Result<Outcome<M>, WriteError>
where
    M: GraphQLModel + IntoActiveModel<ActiveModelOf<<M as GraphQLModel>::Entity>>,
    I: MutationInput<Entity = M::Entity>,
    V: ModelValidator<ActiveModelOf<M::Entity>>,
    ActiveModelOf<M::Entity>: Send,
{
    // `new()` rather than `default()`: an entity's own defaults apply.
    let mut model = <ActiveModelOf<M::Entity> as sea_orm::ActiveModelBehavior>::new();
    if let Some(errors) = prepare::<I, V>(txn, input, &mut model, prefix).await? {
        return Ok(Outcome::Invalid(errors));
    }
    crate::permission::fill_owner::<M>(caller, Action::Create, &mut model)?;
    check_written::<M>(txn, caller, Action::Create, &model).await?;
    let row: M = match model.insert(txn).await {
        Ok(row) => row,
        Err(err) => return Err(WriteError::Refused(constraint_error::<I>(err, prefix)?)),
    };
    write_links(txn, input.links(), &key_of::<M::Entity>(&row)).await?;
    Ok(Outcome::Done(row))
}

fn prefixed(errors: FieldErrors, prefix: Option<&str>) -> Vec<FieldError> {
    match prefix {
        Some(prefix) => errors.prefixed(prefix),
        None => errors.0,
    }
}

/// Refuses an id list of `input` (`tagIds`) longer than `max_list_length`, before any
/// statement: each id is a bound parameter, and backends cap those.
fn check_list_lengths<I: MutationInput>(
    ctx: &Context<'_>,
    input: &I,
    argument: &str,
) -> Result<(), GqlError> {
    let limit = Config::of(ctx).limits.max_list_length;
    for link in input.links() {
        let length = link.ids.as_ref().map_or(0, Vec::len);
        if length > limit as usize {
            return Err(GqlError::bad_input(format!(
                "`{argument}.{}` has {length} ids; the limit is {limit} (GRAPHQL_MAX_LIST_LENGTH)",
                link.field
            )));
        }
    }
    Ok(())
}

/// `createX(input)`.
pub async fn create<M, I>(ctx: &Context<'_>, input: &I) -> Result<Outcome<M>, GqlError>
where
    M: GraphQLMutations + IntoActiveModel<ActiveModelOf<<M as GraphQLModel>::Entity>>,
    I: MutationInput<Entity = M::Entity>,
    ActiveModelOf<M::Entity>: Send,
{
    check_list_lengths(ctx, input, "input")?;
    let caller = crate::auth::Caller::of(ctx);
    authorize::<M>(caller, Action::Create)?;
    let txn = begin(ctx).await?;
    let outcome = settle(insert_one::<M, I, M::Validator>(caller, &txn, input, None).await)?;
    if let Outcome::Done(row) = &outcome {
        txn.commit().await?;
        publish(ctx, Change::Created, std::slice::from_ref(row)).await;
    }
    Ok(outcome)
}

/// `createXs(inputs)`: every row or none.
pub async fn create_many<M, I>(
    ctx: &Context<'_>,
    inputs: &[I],
) -> Result<Result<Vec<M>, Vec<FieldError>>, GqlError>
where
    M: GraphQLMutations + IntoActiveModel<ActiveModelOf<<M as GraphQLModel>::Entity>>,
    I: MutationInput<Entity = M::Entity>,
    ActiveModelOf<M::Entity>: Send,
{
    let max = Config::of(ctx).max_batch_size;
    if inputs.len() > max as usize {
        return Err(GqlError::bad_input(format!(
            "`inputs` has {} rows, above the maximum batch size of {max}",
            inputs.len()
        )));
    }
    for (index, input) in inputs.iter().enumerate() {
        check_list_lengths(ctx, input, &format!("inputs[{index}]"))?;
    }
    let caller = crate::auth::Caller::of(ctx);
    authorize::<M>(caller, Action::Create)?;
    let txn = begin(ctx).await?;
    let mut rows = Vec::with_capacity(inputs.len());
    let mut errors = Vec::new();
    for (index, input) in inputs.iter().enumerate() {
        let prefix = format!("inputs.{index}");
        let result = insert_one::<M, I, M::Validator>(caller, &txn, input, Some(&prefix)).await;
        if !gather(result, &mut rows, &mut errors)? {
            break;
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    txn.commit().await?;
    publish(ctx, Change::Created, &rows).await;
    Ok(Ok(rows))
}

/// The row `id` for `action`: `NOT_FOUND` when it is missing or outside the caller's read
/// scope (a private row's existence is not revealed), `PERMISSION_DENIED` when the caller may
/// read but not write it.
async fn find_for_write<M: GraphQLModel>(
    caller: &Caller,
    action: Action,
    txn: &DatabaseTransaction,
    id: &ID,
) -> Result<M, GqlError>
where
    <<M::Entity as EntityTrait>::PrimaryKey as PrimaryKeyTrait>::ValueType:
        std::str::FromStr + std::fmt::Display,
{
    authorize::<M>(caller, action)?;
    let key: <<M::Entity as EntityTrait>::PrimaryKey as PrimaryKeyTrait>::ValueType =
        crate::global_id::decode(M::TYPE_NAME, "id", id)?;
    let mut select = M::Entity::find_by_id(key);
    if let Some(scope) = crate::permission::read_scope::<M>(caller) {
        select = select.filter(scope);
    }
    let row = select.one(txn).await?.ok_or_else(|| {
        GqlError::not_found(format!("no {} with id {}", M::TYPE_NAME, id.as_str()))
    })?;
    crate::permission::check_object(txn, caller, action, &row).await?;
    Ok(row)
}

/// The row about to be written must pass the object permissions as it will be: a write cannot
/// hand a row to another owner.
async fn check_written<M: GraphQLModel>(
    txn: &DatabaseTransaction,
    caller: &Caller,
    action: Action,
    model: &ActiveModelOf<M::Entity>,
) -> Result<(), GqlError> {
    let owner =
        crate::permission::resolve_owner::<M>(txn, caller, |c| value_set(model.get(c))).await?;
    crate::permission::check_object_owner::<M>(caller, action, owner.as_deref())
}

/// Applies `input` to `row` inside `txn`: only the given fields are written.
async fn update_row<M, I, V>(
    caller: &Caller,
    txn: &DatabaseTransaction,
    row: M,
    input: &I,
    prefix: Option<&str>,
) -> Result<Outcome<M>, WriteError>
where
    M: GraphQLModel + IntoActiveModel<ActiveModelOf<<M as GraphQLModel>::Entity>>,
    I: MutationInput<Entity = M::Entity>,
    V: ModelValidator<ActiveModelOf<M::Entity>>,
    ActiveModelOf<M::Entity>: Send,
{
    let key = key_of::<M::Entity>(&row);
    let mut model = row.clone().into_active_model();
    if let Some(errors) = prepare::<I, V>(txn, input, &mut model, prefix).await? {
        return Ok(Outcome::Invalid(errors));
    }
    crate::permission::fill_owner::<M>(caller, Action::Update, &mut model)?;
    check_written::<M>(txn, caller, Action::Update, &model).await?;
    let row = if model.is_changed() {
        match model.update(txn).await {
            Ok(row) => row,
            Err(err) => return Err(WriteError::Refused(constraint_error::<I>(err, prefix)?)),
        }
    } else {
        row
    };
    write_links(txn, input.links(), &key).await?;
    Ok(Outcome::Done(row))
}

/// `updateX(id, input)`: absent fields keep their values; a missing id is `NOT_FOUND`.
pub async fn update<M, I>(ctx: &Context<'_>, id: &ID, input: &I) -> Result<Outcome<M>, GqlError>
where
    M: GraphQLMutations + IntoActiveModel<ActiveModelOf<<M as GraphQLModel>::Entity>>,
    I: MutationInput<Entity = M::Entity>,
    ActiveModelOf<M::Entity>: Send,
    <<M::Entity as EntityTrait>::PrimaryKey as PrimaryKeyTrait>::ValueType:
        std::str::FromStr + std::fmt::Display,
{
    let caller = crate::auth::Caller::of(ctx);
    check_list_lengths(ctx, input, "input")?;
    let txn = begin(ctx).await?;
    let row = find_for_write::<M>(caller, Action::Update, &txn, id).await?;
    let outcome = settle(update_row::<M, I, M::Validator>(caller, &txn, row, input, None).await)?;
    if let Outcome::Done(row) = &outcome {
        txn.commit().await?;
        publish(ctx, Change::Updated, std::slice::from_ref(row)).await;
    }
    Ok(outcome)
}

/// `deleteX(id)`: the deleted id, or a field error when other rows still reference it.
pub async fn delete<M>(ctx: &Context<'_>, id: &ID) -> Result<Result<ID, Vec<FieldError>>, GqlError>
where
    M: GraphQLModel + IntoActiveModel<ActiveModelOf<<M as GraphQLModel>::Entity>>,
    ActiveModelOf<M::Entity>: Send,
    <<M::Entity as EntityTrait>::PrimaryKey as PrimaryKeyTrait>::ValueType:
        std::str::FromStr + std::fmt::Display,
{
    let caller = crate::auth::Caller::of(ctx);
    let txn = begin(ctx).await?;
    let row = find_for_write::<M>(caller, Action::Delete, &txn, id).await?;
    let deleted = ID(global_id_of::<M>(&row));
    let event = crate::events::RowEvent::new(Change::Deleted, std::slice::from_ref(&row));
    if let Err(err) = row.into_active_model().delete(&txn).await {
        return referenced(err);
    }
    txn.commit().await?;
    crate::events::send(ctx, event).await;
    Ok(Ok(deleted))
}

fn referenced<T>(err: DbErr) -> Result<Result<T, Vec<FieldError>>, GqlError> {
    match err.sql_err() {
        Some(SqlErr::ForeignKeyConstraintViolation(_)) => Ok(Err(vec![FieldError {
            field: None,
            message: "other rows still refer to this one".to_owned(),
            code: FieldCode::Referenced.as_str().to_owned(),
        }])),
        _ => Err(GqlError::from(err)),
    }
}

/// The rows a bulk mutation touches: the filter, which must name rows, AND the caller's read
/// and write scopes, so rows the caller may not see or change are never selected.
fn selective<M: GraphQLModel>(
    ctx: &Context<'_>,
    action: Action,
    filter: &M::Filter,
) -> Result<sea_orm::Condition, GqlError> {
    let caller = crate::auth::Caller::of(ctx);
    let write_scope = authorize::<M>(caller, action)?;
    let limits = &Config::of(ctx).limits;
    let mut condition = crate::filter::condition(filter, "filter", caller, limits)?;
    if condition.is_empty() {
        return Err(GqlError::bad_input(
            "`filter` selects every row; name the rows, such as {id_In: [\"1\", \"2\"]}",
        ));
    }
    for scope in [crate::permission::read_scope::<M>(caller), write_scope]
        .into_iter()
        .flatten()
    {
        condition = condition.add(scope);
    }
    Ok(condition)
}

/// `updateXs(filter, input)`: the input applied to every row the filter selects, each row
/// validated; all rows or none.
pub async fn update_many<M, I>(
    ctx: &Context<'_>,
    filter: &M::Filter,
    input: &I,
) -> Result<BulkPayload, GqlError>
where
    M: GraphQLMutations + IntoActiveModel<ActiveModelOf<<M as GraphQLModel>::Entity>>,
    I: MutationInput<Entity = M::Entity>,
    ActiveModelOf<M::Entity>: Send,
{
    let caller = crate::auth::Caller::of(ctx);
    check_list_lengths(ctx, input, "input")?;
    let condition = selective::<M>(ctx, Action::Update, filter)?;
    let max = Config::of(ctx).max_batch_size;
    let txn = begin(ctx).await?;
    let rows: Vec<M> = M::Entity::find()
        .filter(condition)
        .limit(u64::from(max) + 1)
        .all(&txn)
        .await?;
    if rows.len() > max as usize {
        return Err(GqlError::bad_input(format!(
            "`filter` selects more than the maximum batch size of {max} rows"
        )));
    }
    let count = rows.len() as u64;
    let (mut updated, mut errors) = (Vec::new(), Vec::new());
    for row in rows {
        let label = format!("row {}", global_id_of::<M>(&row));
        let result = update_row::<M, I, M::Validator>(caller, &txn, row, input, Some(&label)).await;
        if !gather(result, &mut updated, &mut errors)? {
            break;
        }
    }
    if !errors.is_empty() {
        return Ok(BulkPayload {
            success: false,
            count: 0,
            errors,
        });
    }
    txn.commit().await?;
    publish(ctx, Change::Updated, &updated).await;
    Ok(BulkPayload {
        success: true,
        count,
        errors,
    })
}

/// `deleteXs(filter)`: every row the filter selects, in one statement.
pub async fn delete_many<M>(ctx: &Context<'_>, filter: &M::Filter) -> Result<BulkPayload, GqlError>
where
    M: GraphQLModel,
{
    let condition = selective::<M>(ctx, Action::Delete, filter)?;
    let max = Config::of(ctx).max_batch_size;
    let txn = begin(ctx).await?;
    // The rows as they are before the delete: what their subscribers are told.
    let rows: Vec<M> = M::Entity::find()
        .filter(condition.clone())
        .limit(u64::from(max) + 1)
        .all(&txn)
        .await?;
    if rows.len() > max as usize {
        return Err(GqlError::bad_input(format!(
            "`filter` selects more than the maximum batch size of {max} rows"
        )));
    }
    let result = match M::Entity::delete_many().filter(condition).exec(&txn).await {
        Ok(result) => result,
        Err(err) => {
            return referenced::<()>(err).map(|r| BulkPayload {
                success: false,
                count: 0,
                errors: r.err().unwrap_or_default(),
            });
        }
    };
    txn.commit().await?;
    publish(ctx, Change::Deleted, &rows).await;
    Ok(BulkPayload {
        success: true,
        count: result.rows_affected,
        errors: Vec::new(),
    })
}

/// The current time in a column's type, for `created_at` / `updated_at`.
pub trait Now {
    fn now() -> Self;
}

impl Now for chrono::DateTime<chrono::Utc> {
    fn now() -> Self {
        chrono::Utc::now()
    }
}

impl Now for chrono::DateTime<chrono::FixedOffset> {
    fn now() -> Self {
        chrono::Utc::now().fixed_offset()
    }
}

impl Now for chrono::NaiveDateTime {
    fn now() -> Self {
        chrono::Utc::now().naive_utc()
    }
}

/// `T::now()`, for generated code.
pub fn now<T: Now>() -> T {
    T::now()
}
