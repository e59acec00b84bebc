//! Permissions: who may do what to which rows. A model's `permissions(...)` lists types
//! implementing [`Permission`] (the policies themselves are in [`crate::policy`], re-exported
//! here); every one must allow an action (the seed's `has_permission`), a
//! single row must pass each `has_object_permission`, and each permission's [`RowScope`] becomes
//! part of the SQL, so lists, connections, nested relations, `totalCount`, related filters and
//! bulk mutations only ever see permitted rows. Checking rows in SQL rather than after loading
//! keeps page sizes, counts and cursors honest: a hidden row is never counted or skipped over.

use async_graphql::Context;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ColumnType, Condition, ConnectionTrait, EntityTrait, ModelTrait,
    QueryFilter, QuerySelect, QueryTrait, Value,
};

use crate::auth::Caller;
use crate::error::{ErrorCode, GqlError};
use crate::model::{GraphQLModel, Owner};
pub use crate::policy::{
    Access, Action, AllowAny, DEFAULT_PERMISSIONS, HasPermission, IsAdminOrReadOnly,
    IsAuthenticated, IsAuthenticatedOrReadOnly, IsOwnerOrReadOnly, IsOwnerOrStaff, Permission, Row,
    RowScope, SchemaDefault, builtin, check_field_use, denied,
};

fn describe(action: Action, model: &str) -> String {
    format!("{} {model}", verb(action))
}

/// Checks `has_permission` of every permission of `M` and returns the row scope of `action` as
/// a condition to AND into the query (`None`: every row).
pub fn authorize<M: GraphQLModel>(
    caller: &Caller,
    action: Action,
) -> Result<Option<Condition>, GqlError> {
    let access = Access {
        caller,
        action,
        model: M::TYPE_NAME,
    };
    // `authentication_required`: no model answers an anonymous caller, whatever it allows.
    if caller.access.authentication_required && !caller.is_authenticated() {
        return Err(GqlError::new(
            ErrorCode::AuthenticationRequired,
            format!("log in to {}", describe(action, M::TYPE_NAME)),
        ));
    }
    if !M::PERMISSIONS.iter().all(|p| p.has_permission(&access)) {
        return Err(denied(caller, describe(action, M::TYPE_NAME)));
    }
    Ok(scope_condition::<M>(&access))
}

/// The row scope of `access` as SQL, without the model-level check: for rows reached
/// indirectly (a nested relation, a related filter), which narrow silently.
pub fn scope_condition<M: GraphQLModel>(access: &Access<'_>) -> Option<Condition> {
    let mut owned = false;
    for permission in M::PERMISSIONS {
        match permission.scope(access) {
            RowScope::All => {}
            RowScope::Owned => owned = true,
            RowScope::Nothing => return Some(nothing()),
        }
    }
    if !owned {
        return None;
    }
    // Fail closed: a scope by owner on a model without an owner, or for an anonymous caller,
    // or with an id that does not fit the owner column, reaches no row.
    Some(
        access
            .user_id()
            .and_then(owned_by::<M>)
            .unwrap_or_else(nothing),
    )
}

/// The rows of `M` that `user` owns, as SQL; `None` when it cannot be said (no owner, an id of
/// the wrong type).
pub fn owned_by<M: GraphQLModel>(user: &str) -> Option<Condition> {
    match M::owner() {
        Owner::Nobody => None,
        Owner::Column(column) => {
            let value = owner_value(column.def().get_column_type(), user)?;
            Some(Condition::all().add(column.eq(value)))
        }
        Owner::Through { key, parents } => {
            Some(Condition::all().add(key.in_subquery(parents(user)?)))
        }
    }
}

/// `SELECT <primary key> FROM <P> WHERE <owned by user>`: what `Owner::Through` of a child
/// model calls, so ownership follows belongs-to relations to any depth.
pub fn owned_keys<P: GraphQLModel>(user: &str) -> Option<SelectStatement> {
    use sea_orm::{Iterable, PrimaryKeyToColumn};
    let condition = owned_by::<P>(user)?;
    let key = <P::Entity as EntityTrait>::PrimaryKey::iter()
        .next()?
        .into_column();
    let select = P::Entity::find()
        .select_only()
        .column_as(key, OWNED_KEY)
        .filter(condition)
        .into_query();
    Some(select)
}

const OWNED_KEY: &str = "__gqlgen_owned_key";

/// The read scope of `M` for `caller`, without the model-level check.
pub fn read_scope<M: GraphQLModel>(caller: &Caller) -> Option<Condition> {
    scope_condition::<M>(&Access {
        caller,
        action: Action::Read,
        model: M::TYPE_NAME,
    })
}

/// The rows of `M` a nested relation may show: the read scope, or none at all when the caller
/// may not read `M` (nested fields narrow silently; root fields report the denial).
pub fn relation_scope<M: GraphQLModel>(caller: &Caller) -> Option<Condition> {
    authorize::<M>(caller, Action::Read).unwrap_or_else(|_| Some(nothing()))
}

fn nothing() -> Condition {
    Condition::all().add(Expr::val(1).eq(0))
}

/// The owner column of a row being written (`owner = column`). Only staff may set it: anyone
/// else's rows are their own, so an input that moves a row to an owner (which the derive offers
/// only with `staff_sets_owner`) is refused. On create, an owner left unset is the caller.
pub(crate) fn fill_owner<M: GraphQLModel>(
    caller: &Caller,
    action: Action,
    model: &mut <M::Entity as EntityTrait>::ActiveModel,
) -> Result<(), GqlError> {
    let Owner::Column(column) = M::owner() else {
        return Ok(());
    };
    let given = model.get(column).is_set();
    if given && !caller.is_staff() {
        return Err(GqlError::new(
            ErrorCode::PermissionDenied,
            format!("only staff may choose the owner of a {}", M::TYPE_NAME),
        ));
    }
    if action != Action::Create || given {
        return Ok(());
    }
    let Some(user) = caller.user() else {
        return Err(GqlError::new(
            ErrorCode::AuthenticationRequired,
            format!("a new {} is owned by its creator: log in", M::TYPE_NAME),
        ));
    };
    let value = owner_value(column.def().get_column_type(), &user.id).ok_or_else(|| {
        GqlError::internal(format!(
            "the user id `{}` does not fit the owner column of {}",
            user.id,
            M::TYPE_NAME
        ))
    })?;
    model
        .try_set(column, value)
        .map_err(|err| GqlError::internal(format!("the owner column: {err}")))
}

/// A user id as a value of the owner column's type.
fn owner_value(column_type: &ColumnType, id: &str) -> Option<Value> {
    Some(match column_type {
        ColumnType::TinyInteger | ColumnType::SmallInteger | ColumnType::Integer => {
            Value::from(id.parse::<i32>().ok()?)
        }
        ColumnType::BigInteger => Value::from(id.parse::<i64>().ok()?),
        ColumnType::Uuid => Value::from(id.parse::<uuid::Uuid>().ok()?),
        _ => Value::from(id.to_owned()),
    })
}

/// Column `column` of `row`; generic over the entity so that a `GraphQLModel` row, which is its
/// entity's `Model`, can be read with `ModelTrait::get`.
fn value<E: EntityTrait>(row: &E::Model, column: E::Column) -> Value {
    row.get(column)
}

/// The owner of `row` as text, when `M` names an owner column (not one through a relation).
pub fn owner_of<M: GraphQLModel>(row: &M) -> Option<String> {
    match M::owner() {
        Owner::Column(column) => crate::relation::key_text(&value::<M::Entity>(row, column)),
        Owner::Nobody | Owner::Through { .. } => None,
    }
}

/// The owner of a row as object permissions see it: the owner column's value, or for an owner
/// through a relation, the caller's id when the parent row `key_value` is the caller's (one
/// query), else `None`.
pub async fn resolve_owner<M: GraphQLModel>(
    db: &impl ConnectionTrait,
    caller: &Caller,
    column_value: impl FnOnce(<M::Entity as EntityTrait>::Column) -> Option<Value>,
) -> Result<Option<String>, GqlError> {
    match M::owner() {
        Owner::Nobody => Ok(None),
        Owner::Column(column) => {
            Ok(column_value(column).and_then(|v| crate::relation::key_text(&v)))
        }
        Owner::Through { key, parents } => {
            let (Some(user), Some(value)) = (caller.user(), column_value(key)) else {
                return Ok(None);
            };
            let Some(owned) = parents(&user.id) else {
                return Ok(None);
            };
            let mut probe = Query::select();
            probe
                .expr(Expr::val(1))
                .from_subquery(owned, Alias::new("owned"))
                .and_where(Expr::col((Alias::new("owned"), Alias::new(OWNED_KEY))).eq(value))
                .limit(1);
            let found = db.query_one(&probe).await?.is_some();
            Ok(found.then(|| user.id.clone()))
        }
    }
}

/// Checks `has_object_permission` of every permission of `M` for the stored `row`.
pub async fn check_object<M: GraphQLModel>(
    db: &impl ConnectionTrait,
    caller: &Caller,
    action: Action,
    row: &M,
) -> Result<(), GqlError> {
    let owner = resolve_owner::<M>(db, caller, |c| Some(value::<M::Entity>(row, c))).await?;
    check_object_owner::<M>(caller, action, owner.as_deref())
}

/// Checks `has_object_permission` of every permission of `M` for a row with this owner.
pub fn check_object_owner<M: GraphQLModel>(
    caller: &Caller,
    action: Action,
    owner: Option<&str>,
) -> Result<(), GqlError> {
    let access = Access {
        caller,
        action,
        model: M::TYPE_NAME,
    };
    let facts = Row { owner };
    if M::PERMISSIONS
        .iter()
        .all(|p| p.has_object_permission(&access, &facts))
    {
        Ok(())
    } else {
        Err(denied(
            caller,
            format!("{} this {}", verb(action), M::TYPE_NAME),
        ))
    }
}

fn verb(action: Action) -> &'static str {
    match action {
        Action::Read => "read",
        Action::Create => "create",
        Action::Update => "update",
        Action::Delete => "delete",
    }
}

/// A field with `permission = "codename"`: readable by holders of the codename and by the
/// row's owner; anyone else gets `PERMISSION_DENIED` at the field and `null` in its place.
pub fn check_field<M: GraphQLModel>(
    ctx: &Context<'_>,
    row: &M,
    field: &str,
    codename: &str,
) -> Result<(), GqlError> {
    let caller = Caller::of(ctx);
    let owner = owner_of(row);
    let own = matches!((owner.as_deref(), caller.user()), (Some(o), Some(u)) if o == u.id);
    if own || caller.has_perm(codename) {
        Ok(())
    } else {
        Err(GqlError::new(
            ErrorCode::PermissionDenied,
            format!("`{field}` needs the permission `{codename}`"),
        ))
    }
}

/// [`check_field`] as a generated resolver uses it: on denial the error is recorded at the
/// field's path and `false` returned, so the field answers `null` (not absent) beside its error.
pub fn field_allowed<M: GraphQLModel>(
    ctx: &Context<'_>,
    row: &M,
    field: &str,
    codename: &str,
) -> bool {
    match check_field(ctx, row, field, codename) {
        Ok(()) => true,
        Err(err) => {
            let err = async_graphql::Error::from(err).into_server_error(ctx.item.pos);
            ctx.add_error(ctx.set_error_path(err));
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::AuthUser;

    fn user(id: &str, staff: bool, perms: &[&str]) -> Caller {
        Caller {
            user: Some(AuthUser {
                id: id.into(),
                username: format!("u{id}"),
                is_active: true,
                is_staff: staff,
                is_superuser: false,
                permissions: perms.iter().map(|p| p.to_string()).collect(),
            }),
            ..Caller::default()
        }
    }

    fn access(caller: &Caller, action: Action) -> Access<'_> {
        Access {
            caller,
            action,
            model: "Product",
        }
    }

    #[test]
    fn built_ins_decide_as_their_names_say() {
        let anon = Caller::default();
        let alice = user("1", false, &[]);
        let admin = user("9", true, &[]);
        let read = |c| IsOwnerOrReadOnly.has_permission(&access(c, Action::Read));
        let write = |c| IsOwnerOrReadOnly.has_permission(&access(c, Action::Update));
        assert!(read(&anon) && !write(&anon) && write(&alice));
        assert!(!IsAuthenticated.has_permission(&access(&anon, Action::Read)));
        assert!(IsAuthenticatedOrReadOnly.has_permission(&access(&anon, Action::Read)));
        assert!(!IsAuthenticatedOrReadOnly.has_permission(&access(&anon, Action::Delete)));
        assert!(!IsAdminOrReadOnly.has_permission(&access(&alice, Action::Create)));
        assert!(IsAdminOrReadOnly.has_permission(&access(&admin, Action::Create)));
        let mine = Row { owner: Some("1") };
        let theirs = Row { owner: Some("2") };
        let update = access(&alice, Action::Update);
        assert!(IsOwnerOrReadOnly.has_object_permission(&update, &mine));
        assert!(!IsOwnerOrReadOnly.has_object_permission(&update, &theirs));
        assert!(IsOwnerOrReadOnly.has_object_permission(&access(&admin, Action::Update), &theirs));
        assert_eq!(IsOwnerOrReadOnly.scope(&update), RowScope::Owned);
        assert_eq!(
            IsOwnerOrStaff.scope(&access(&alice, Action::Read)),
            RowScope::Owned
        );
        assert_eq!(
            IsOwnerOrStaff.scope(&access(&admin, Action::Read)),
            RowScope::All
        );
        assert!(!IsOwnerOrStaff.has_object_permission(&access(&anon, Action::Read), &mine));
        let holder = user("3", false, &["shop.x"]);
        assert!(HasPermission("shop.x").has_permission(&access(&holder, Action::Delete)));
        assert!(!HasPermission("shop.x").has_permission(&access(&admin, Action::Delete)));
    }

    #[test]
    fn the_schema_default_asks_the_permissions_the_settings_name() {
        use crate::config::{AccessDefaults, BuiltinPermission as B};
        let under = |permissions: Vec<B>, caller: Caller| Caller {
            access: std::sync::Arc::new(AccessDefaults {
                permissions,
                authentication_required: false,
            }),
            ..caller
        };
        let anon = Caller::default();
        // Unset: anyone reads, a login writes.
        assert!(SchemaDefault.has_permission(&access(&anon, Action::Read)));
        assert!(!SchemaDefault.has_permission(&access(&anon, Action::Create)));
        let strict = under(vec![B::IsAuthenticated], anon.clone());
        assert!(!SchemaDefault.has_permission(&access(&strict, Action::Read)));
        let open = under(vec![B::AllowAny], anon.clone());
        assert!(SchemaDefault.has_permission(&access(&open, Action::Delete)));
        // Every one must allow, and the narrowest row scope wins.
        let alice = under(
            vec![B::IsAuthenticated, B::IsOwnerOrStaff],
            user("1", false, &[]),
        );
        assert!(SchemaDefault.has_permission(&access(&alice, Action::Read)));
        assert_eq!(
            SchemaDefault.scope(&access(&alice, Action::Read)),
            RowScope::Owned
        );
        let mine = Row { owner: Some("1") };
        let theirs = Row { owner: Some("2") };
        assert!(SchemaDefault.has_object_permission(&access(&alice, Action::Update), &mine));
        assert!(!SchemaDefault.has_object_permission(&access(&alice, Action::Update), &theirs));
        for name in B::ALL {
            assert_eq!(
                builtin(name).has_permission(&access(&anon, Action::Read)),
                !matches!(name, B::IsAuthenticated | B::IsOwnerOrStaff),
                "{name:?}"
            );
        }
    }

    #[test]
    fn denial_codes_depend_on_a_login() {
        assert_eq!(
            denied(&Caller::default(), "x").code,
            ErrorCode::AuthenticationRequired
        );
        assert_eq!(
            denied(&user("1", false, &[]), "x").code,
            ErrorCode::PermissionDenied
        );
        assert_eq!(
            check_field_use(&user("1", false, &[]), "email", "users.view_user_email")
                .unwrap_err()
                .code,
            ErrorCode::PermissionDenied
        );
    }

    #[test]
    fn owner_ids_take_the_column_type_or_reach_nothing() {
        assert_eq!(
            owner_value(&ColumnType::Integer, "42"),
            Some(Value::from(42i32))
        );
        assert_eq!(owner_value(&ColumnType::Integer, "x"), None);
        assert_eq!(
            owner_value(&ColumnType::BigInteger, "7"),
            Some(Value::from(7i64))
        );
    }
}
