//! The example app's accounts as authentication sees them: the runtime's `UserStore` over the
//! `user` table, with argon2 password hashes. Staff accounts are superusers here: they hold
//! every permission codename.

use gqlgen_runtime::auth::{BoxFuture, password};
use gqlgen_runtime::{AuthUser, GqlError, UserStore};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};

use crate::entities::user;

/// Accounts read from the database on every request, so that deactivating a user takes
/// effect at once, even for tokens already issued.
pub struct Accounts {
    db: DatabaseConnection,
}

impl Accounts {
    pub fn new(db: DatabaseConnection) -> Accounts {
        Accounts { db }
    }
}

/// The columns authentication reads: never the password hash, except to check a password.
type AccountRow = (i32, String, bool, bool);

fn account_columns() -> [user::Column; 4] {
    [
        user::Column::Id,
        user::Column::Username,
        user::Column::IsActive,
        user::Column::IsStaff,
    ]
}

fn auth_user((id, username, is_active, is_staff): AccountRow) -> AuthUser {
    AuthUser {
        id: id.to_string(),
        username,
        is_active,
        is_staff,
        is_superuser: is_staff,
        permissions: Vec::new(),
    }
}

/// Verified against when a username is unknown, so that the answer takes as long as for a
/// wrong password (argon2id of a random string).
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$2dqMMVyaROMXHCUw/kcd7g$kfbkHnTmvwZGKT28JmT779Ifot2LQFPbVf7/5Zch2Zw";

impl UserStore for Accounts {
    fn find_user<'a>(
        &'a self,
        user_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<AuthUser>, GqlError>> {
        Box::pin(async move {
            let Ok(id) = user_id.parse::<i32>() else {
                return Ok(None);
            };
            let row = user::Entity::find_by_id(id)
                .select_only()
                .columns(account_columns())
                .into_tuple::<AccountRow>()
                .one(&self.db)
                .await?;
            Ok(row.map(auth_user))
        })
    }

    fn check_credentials<'a>(
        &'a self,
        username: &'a str,
        password: &'a str,
    ) -> BoxFuture<'a, Result<Option<AuthUser>, GqlError>> {
        Box::pin(async move {
            let row = user::Entity::find()
                .filter(user::Column::Username.eq(username))
                .one(&self.db)
                .await?;
            let hash = row
                .as_ref()
                .map_or(DUMMY_HASH, |r| r.password_hash.as_str());
            // argon2 is CPU-bound: off the async workers.
            let (given, hash) = (password.to_owned(), hash.to_owned());
            let verified = tokio::task::spawn_blocking(move || password::verify(&given, &hash))
                .await
                .unwrap_or(false);
            Ok(row
                .filter(|_| verified)
                .map(|r| auth_user((r.id, r.username, r.is_active, r.is_staff))))
        })
    }
}
