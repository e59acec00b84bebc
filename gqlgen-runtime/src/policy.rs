//! Permission policies, apart from any model: the [`Permission`] trait a model's
//! `permissions(...)` names, what it is asked ([`Access`], [`Row`]) and answers ([`RowScope`]),
//! the built-in policies, and the check of a permission-guarded field used in a filter or an
//! order. [`crate::permission`] applies them to a model's rows and fields.

use crate::auth::Caller;
use crate::config::BuiltinPermission;
use crate::error::{ErrorCode, GqlError};

/// What a request does to a model's rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// A query or subscription field.
    Read,
    /// `createX` and the bulk create.
    Create,
    /// `updateX` and the bulk update.
    Update,
    /// `deleteX` and the bulk delete.
    Delete,
}

impl Action {
    /// Reading, as opposed to writing (the seed's `is_read_request`).
    pub fn is_read(self) -> bool {
        self == Action::Read
    }
}

/// The question a permission answers: may this caller do this to this model?
#[derive(Debug, Clone, Copy)]
pub struct Access<'a> {
    /// Who asks.
    pub caller: &'a Caller,
    /// What they ask to do.
    pub action: Action,
    /// The GraphQL type name of the model, such as `Product`.
    pub model: &'static str,
}

impl Access<'_> {
    /// The caller's user id, when authenticated.
    pub fn user_id(&self) -> Option<&str> {
        self.caller.user().map(|u| u.id.as_str())
    }
}

/// What a permission knows of one row: its owner, when the model names an owner column.
#[derive(Debug, Clone, Copy, Default)]
pub struct Row<'a> {
    /// The owner column's value as text (`"42"`); `None` when the model has no owner column or
    /// the row has no owner.
    pub owner: Option<&'a str>,
}

impl Row<'_> {
    /// Whether the caller owns this row.
    pub fn is_owned_by(&self, access: &Access<'_>) -> bool {
        matches!((self.owner, access.user_id()), (Some(owner), Some(user)) if owner == user)
    }
}

/// Which rows of a model a permission lets the caller reach, as SQL sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowScope {
    /// Every row.
    All,
    /// The rows whose owner column holds the caller's id.
    Owned,
    /// No row.
    Nothing,
}

/// A permission class. Every method has a permissive default, so a permission states only
/// what it restricts. `scope` and `has_object_permission` must agree: the first decides what
/// lists and bulk mutations touch, the second what a single-row mutation may do.
pub trait Permission: Send + Sync + 'static {
    /// May the caller perform `access.action` on this model at all?
    fn has_permission(&self, access: &Access<'_>) -> bool {
        let _ = access;
        true
    }

    /// May the caller perform `access.action` on this row?
    fn has_object_permission(&self, access: &Access<'_>, row: &Row<'_>) -> bool {
        let _ = (access, row);
        true
    }

    /// The rows `access.action` may reach.
    fn scope(&self, access: &Access<'_>) -> RowScope {
        let _ = access;
        RowScope::All
    }
}

/// Anyone, for every action: for prototypes and public data, never for rows someone owns.
pub struct AllowAny;

impl Permission for AllowAny {}

/// Only authenticated callers, for every action.
pub struct IsAuthenticated;

impl Permission for IsAuthenticated {
    fn has_permission(&self, access: &Access<'_>) -> bool {
        access.caller.is_authenticated()
    }
}

/// Anyone reads; authenticated callers write. The default of a model without `permissions(...)`
/// unless the settings name others.
pub struct IsAuthenticatedOrReadOnly;

impl Permission for IsAuthenticatedOrReadOnly {
    fn has_permission(&self, access: &Access<'_>) -> bool {
        access.action.is_read() || access.caller.is_authenticated()
    }
}

/// Anyone reads; staff write.
pub struct IsAdminOrReadOnly;

impl Permission for IsAdminOrReadOnly {
    fn has_permission(&self, access: &Access<'_>) -> bool {
        access.action.is_read() || access.caller.is_staff()
    }
}

/// Anyone reads; a row's owner (named by the model's `owner = column`) and staff write it.
pub struct IsOwnerOrReadOnly;

impl Permission for IsOwnerOrReadOnly {
    fn has_permission(&self, access: &Access<'_>) -> bool {
        access.action.is_read() || access.caller.is_authenticated()
    }

    fn has_object_permission(&self, access: &Access<'_>, row: &Row<'_>) -> bool {
        access.action.is_read() || access.caller.is_staff() || row.is_owned_by(access)
    }

    fn scope(&self, access: &Access<'_>) -> RowScope {
        if access.action.is_read() || access.caller.is_staff() {
            RowScope::All
        } else {
            RowScope::Owned
        }
    }
}

/// Private rows: only a row's owner and staff read or write it.
pub struct IsOwnerOrStaff;

impl Permission for IsOwnerOrStaff {
    fn has_permission(&self, access: &Access<'_>) -> bool {
        access.caller.is_authenticated()
    }

    fn has_object_permission(&self, access: &Access<'_>, row: &Row<'_>) -> bool {
        access.caller.is_staff() || row.is_owned_by(access)
    }

    fn scope(&self, access: &Access<'_>) -> RowScope {
        if access.caller.is_staff() {
            RowScope::All
        } else {
            RowScope::Owned
        }
    }
}

/// Callers holding a permission codename such as `"shop.change_product"` (superusers hold all).
pub struct HasPermission(pub &'static str);

impl Permission for HasPermission {
    fn has_permission(&self, access: &Access<'_>) -> bool {
        access.caller.has_perm(self.0)
    }
}

/// The permissions of a model without `permissions(...)`: those the request's
/// [`AccessDefaults`](crate::config::AccessDefaults) name (the `GRAPHQL_DEFAULT_PERMISSIONS`
/// setting; `IsAuthenticatedOrReadOnly` unless set), every one of which must allow.
pub struct SchemaDefault;

impl SchemaDefault {
    fn each(access: &Access<'_>) -> impl Iterator<Item = &'static dyn Permission> {
        access.caller.access.permissions.iter().map(|p| builtin(*p))
    }
}

impl Permission for SchemaDefault {
    fn has_permission(&self, access: &Access<'_>) -> bool {
        Self::each(access).all(|p| p.has_permission(access))
    }

    fn has_object_permission(&self, access: &Access<'_>, row: &Row<'_>) -> bool {
        Self::each(access).all(|p| p.has_object_permission(access, row))
    }

    fn scope(&self, access: &Access<'_>) -> RowScope {
        Self::each(access).fold(RowScope::All, |scope, p| match (scope, p.scope(access)) {
            (RowScope::Nothing, _) | (_, RowScope::Nothing) => RowScope::Nothing,
            (RowScope::Owned, _) | (_, RowScope::Owned) => RowScope::Owned,
            _ => RowScope::All,
        })
    }
}

/// The policy a setting names.
pub fn builtin(permission: BuiltinPermission) -> &'static dyn Permission {
    match permission {
        BuiltinPermission::AllowAny => &AllowAny,
        BuiltinPermission::IsAuthenticated => &IsAuthenticated,
        BuiltinPermission::IsAuthenticatedOrReadOnly => &IsAuthenticatedOrReadOnly,
        BuiltinPermission::IsAdminOrReadOnly => &IsAdminOrReadOnly,
        BuiltinPermission::IsOwnerOrReadOnly => &IsOwnerOrReadOnly,
        BuiltinPermission::IsOwnerOrStaff => &IsOwnerOrStaff,
    }
}

/// What a model without `permissions(...)` gets: [`SchemaDefault`].
pub const DEFAULT_PERMISSIONS: &[&dyn Permission] = &[&SchemaDefault];

/// The error for a denied action: log in first, or not allowed at all.
pub fn denied(caller: &Caller, what: impl std::fmt::Display) -> GqlError {
    if caller.is_authenticated() {
        GqlError::new(ErrorCode::PermissionDenied, format!("you may not {what}"))
    } else {
        GqlError::new(
            ErrorCode::AuthenticationRequired,
            format!("log in to {what}"),
        )
    }
}

/// A filter or orderBy on a field with `permission = "codename"` needs the codename itself:
/// ownership of some rows does not let a caller probe the others' values.
pub fn check_field_use(caller: &Caller, field: &str, codename: &str) -> Result<(), GqlError> {
    if caller.has_perm(codename) {
        Ok(())
    } else {
        Err(GqlError::new(
            ErrorCode::PermissionDenied,
            format!("filtering or ordering by `{field}` needs the permission `{codename}`"),
        ))
    }
}
