//! Authentication: who is calling. A request's `Authorization: Bearer <token>` header carries a
//! signed access token ([`Jwt`]); [`Auth::authenticate`] checks it, asks [`Revocations`] whether
//! it was revoked and the application's [`UserStore`] whether its user still exists and is
//! active, and yields the request's [`Caller`], which permission checks read. Clients get token
//! pairs from the `tokenAuth` mutation, rotate them with `refreshToken` and log out with
//! `revokeToken` ([`AuthMutation`]); [`password`] hashes the passwords a `UserStore` checks.

mod jwt;
mod mutation;
pub mod password;
mod revocation;

use std::sync::Arc;

use async_graphql::SimpleObject;

pub use jwt::{Claims, Jwt, TokenType};
pub use mutation::{AuthMutation, RevokePayload};
pub use revocation::Revocations;

use crate::config::AccessDefaults;
use crate::error::{ErrorCode, GqlError};

/// A boxed future that can be sent between threads, as [`UserStore`] returns.
pub type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// Who is calling, inserted into every request's data by the router.
#[derive(Clone, Debug, Default)]
pub struct Caller {
    /// `None`: an anonymous caller.
    pub user: Option<AuthUser>,
    /// The schema-wide access rules the request runs under: `Config::access` for the callers
    /// the router makes and the anonymous one in the schema's data; the defaults for a caller
    /// built by hand.
    pub access: Arc<AccessDefaults>,
}

impl Caller {
    /// The caller of the request being resolved. A request the router did not admit (a schema
    /// executed directly) gets the anonymous caller `schema::build` keeps in the schema's data,
    /// under the configured access rules. Borrowed: resolvers ask for it on every field that
    /// checks access.
    pub fn of<'a, T>(ctx: &'a async_graphql::ContextBase<'_, T>) -> &'a Caller {
        static ANONYMOUS: std::sync::OnceLock<Caller> = std::sync::OnceLock::new();
        ctx.data_opt::<Caller>()
            .unwrap_or_else(|| ANONYMOUS.get_or_init(Caller::default))
    }

    /// The authenticated user, if any.
    pub fn user(&self) -> Option<&AuthUser> {
        self.user.as_ref()
    }

    /// Whether a user is logged in (a valid access token came with the request).
    pub fn is_authenticated(&self) -> bool {
        self.user.is_some()
    }

    /// Whether the caller is active staff; `false` when anonymous.
    pub fn is_staff(&self) -> bool {
        self.active_user().is_some_and(|user| user.is_staff)
    }

    /// Whether the caller holds the permission `codename` (such as `shop.change_product`).
    /// A superuser holds every permission; staff alone holds none it was not given.
    pub fn has_perm(&self, codename: &str) -> bool {
        self.active_user().is_some_and(|user| {
            user.is_superuser || user.permissions.iter().any(|perm| perm == codename)
        })
    }

    // `authenticate` never yields an inactive user; this guards callers built by hand.
    fn active_user(&self) -> Option<&AuthUser> {
        self.user.as_ref().filter(|user| user.is_active)
    }
}

/// An authenticated account as permissions see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthUser {
    /// The account's key, as tokens carry it.
    pub id: String,
    /// The login name.
    pub username: String,
    /// An inactive account cannot log in, and its tokens stop working.
    pub is_active: bool,
    /// Staff: what `IsAdminOrReadOnly` and `IsOwnerOrStaff` let through, and every row scope.
    pub is_staff: bool,
    /// Holds every permission.
    pub is_superuser: bool,
    /// Codenames of the permissions held, directly or through groups.
    pub permissions: Vec<String>,
}

/// The application's accounts: the hook that loads the user of a token (so an inactive user's
/// token stops working) and checks passwords.
///
/// `check_credentials` should take as long for an unknown username as for a wrong password
/// (verify against a dummy [`password::hash`]), so timing does not tell which usernames exist.
pub trait UserStore: Send + Sync + 'static {
    /// The user with key `user_id`, or `None` when there is none (any more).
    fn find_user<'a>(
        &'a self,
        user_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<AuthUser>, GqlError>>;

    /// The user with `username` if `password` is theirs, `None` otherwise. Inactive users may
    /// be returned: the caller refuses them.
    fn check_credentials<'a>(
        &'a self,
        username: &'a str,
        password: &'a str,
    ) -> BoxFuture<'a, Result<Option<AuthUser>, GqlError>>;
}

/// One way of telling who is calling from a request's headers, asked in turn after the JWT of
/// `Authorization: Bearer` (the seed's `authentication_classes`): an API key, a session
/// cookie. Give them to the router in `http::Services::authenticators`.
pub trait Authenticator: Send + Sync + 'static {
    /// `Ok(None)` when the request carries no credentials of this kind (the next one is
    /// asked; when none knows it, the caller is anonymous), `Ok(Some(user))` for the caller
    /// they name, `Err` when they are present but wrong: the request is refused with the
    /// error's code, `AUTHENTICATION_REQUIRED` as a rule, so that a client with a bad key is
    /// told rather than served as anonymous.
    fn authenticate<'a>(
        &'a self,
        headers: &'a axum::http::HeaderMap,
    ) -> BoxFuture<'a, Result<Option<AuthUser>, GqlError>>;
}

/// An access token and the refresh token that replaces it.
#[derive(SimpleObject, Clone)]
pub struct TokenPair {
    /// The access token: send it as `Authorization: Bearer <token>`.
    pub token: String,
    /// Exchanged once, with `refreshToken`, for a new pair.
    pub refresh_token: String,
}

impl std::fmt::Debug for TokenPair {
    // Tokens are credentials: they never reach a log through `{:?}`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenPair { .. }")
    }
}

/// What the router holds: tokens, revocations and accounts together.
#[derive(Clone)]
pub struct Auth {
    jwt: Arc<Jwt>,
    revocations: Arc<Revocations>,
    users: Arc<dyn UserStore>,
}

/// The same message for every failed login, so that it does not tell which usernames exist.
const INVALID_CREDENTIALS: &str = "invalid username or password";

impl Auth {
    /// Authentication from token settings, a revocation store and the accounts.
    pub fn new(jwt: Jwt, mut revocations: Revocations, users: Arc<dyn UserStore>) -> Auth {
        // A token is accepted up to the leeway past its expiry: its revocation must last as long.
        revocations.grace = jwt.leeway();
        Auth {
            jwt: Arc::new(jwt),
            revocations: Arc::new(revocations),
            users,
        }
    }

    /// The caller of a request from its `Authorization` header value. No header: anonymous.
    /// A header that is not `Bearer <token>`, or a token that is invalid, revoked, or names a
    /// missing or inactive user, is `AUTHENTICATION_REQUIRED`: a client that sent credentials
    /// learns they failed instead of silently getting the anonymous view.
    pub async fn authenticate(&self, authorization: Option<&str>) -> Result<Caller, GqlError> {
        let Some(header) = authorization else {
            return Ok(Caller::default());
        };
        let token = bearer_token(header).ok_or_else(|| {
            unauthenticated("the Authorization header must be `Bearer <access token>`")
        })?;
        let claims = self.jwt.decode(token, TokenType::Access)?;
        let user = self.live_user(&claims).await?;
        Ok(Caller {
            user: Some(user),
            ..Caller::default()
        })
    }

    /// When the access token of `authorization` (`Bearer …`) expires, in seconds since the Unix
    /// epoch; `None` for a header that holds no valid access token.
    pub fn expiry(&self, authorization: &str) -> Option<u64> {
        let token = bearer_token(authorization)?;
        self.jwt
            .decode(token, TokenType::Access)
            .ok()
            .map(|c| c.exp)
    }

    /// A new access and refresh token for `user`.
    pub async fn token_pair(&self, user: &AuthUser) -> Result<TokenPair, GqlError> {
        Ok(TokenPair {
            token: self.jwt.issue(&user.id, TokenType::Access)?,
            refresh_token: self.jwt.issue(&user.id, TokenType::Refresh)?,
        })
    }

    /// A token pair for the user with these credentials (`tokenAuth`).
    pub async fn log_in(&self, username: &str, password: &str) -> Result<TokenPair, GqlError> {
        match self.users.check_credentials(username, password).await? {
            Some(user) if user.is_active => self.token_pair(&user).await,
            _ => Err(unauthenticated(INVALID_CREDENTIALS)),
        }
    }

    /// A new pair for a refresh token, which is revoked: each refresh token works once
    /// (`refreshToken`).
    pub async fn refresh(&self, refresh_token: &str) -> Result<TokenPair, GqlError> {
        let claims = self.jwt.decode(refresh_token, TokenType::Refresh)?;
        let user = self.live_user(&claims).await?;
        // Atomic, so that of two concurrent uses of one refresh token only one gets a pair.
        if !self.revocations.try_revoke(&claims).await? {
            return Err(revoked());
        }
        self.token_pair(&user).await
    }

    /// Revokes a valid token of either type (`revokeToken`).
    pub async fn revoke(&self, token: &str) -> Result<(), GqlError> {
        let claims = self.jwt.decode_any(token)?;
        self.revocations.revoke(&claims).await
    }

    /// The user of a valid token, unless the token is revoked or the user gone or inactive.
    async fn live_user(&self, claims: &Claims) -> Result<AuthUser, GqlError> {
        if self.revocations.is_revoked(&claims.jti).await? {
            return Err(revoked());
        }
        match self.users.find_user(&claims.user_id).await? {
            None => Err(unauthenticated("the token's user no longer exists")),
            Some(user) if !user.is_active => Err(unauthenticated("the token's user is inactive")),
            Some(user) => Ok(user),
        }
    }
}

/// The token of an `Authorization` header value `Bearer <token>` (the scheme is
/// case-insensitive, as HTTP says).
fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && !token.contains(' '))
        .then_some(token)
}

/// An `AUTHENTICATION_REQUIRED` error.
fn unauthenticated(message: &str) -> GqlError {
    GqlError::new(ErrorCode::AuthenticationRequired, message)
}

fn revoked() -> GqlError {
    unauthenticated("the token has been revoked")
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::HashMap;

    use super::jwt::tests::{auth_failure, hs256_settings};
    use super::*;

    /// Accounts in a map: `alice` (active, password `alice-password`), `bob` (inactive,
    /// `bob-password`).
    pub(crate) struct MapUserStore {
        users: HashMap<String, (AuthUser, String)>,
    }

    impl MapUserStore {
        pub(crate) fn new() -> MapUserStore {
            let user = |id: &str, username: &str, is_active: bool| {
                let phc = password::hash(&format!("{username}-password"));
                let user = AuthUser {
                    id: id.into(),
                    username: username.into(),
                    is_active,
                    is_staff: false,
                    is_superuser: false,
                    permissions: vec!["shop.view_product".into()],
                };
                (id.to_owned(), (user, phc))
            };
            MapUserStore {
                users: HashMap::from([user("1", "alice", true), user("2", "bob", false)]),
            }
        }
    }

    impl UserStore for MapUserStore {
        fn find_user<'a>(
            &'a self,
            user_id: &'a str,
        ) -> BoxFuture<'a, Result<Option<AuthUser>, GqlError>> {
            Box::pin(async move { Ok(self.users.get(user_id).map(|(user, _)| user.clone())) })
        }

        fn check_credentials<'a>(
            &'a self,
            username: &'a str,
            password: &'a str,
        ) -> BoxFuture<'a, Result<Option<AuthUser>, GqlError>> {
            Box::pin(async move {
                Ok(self
                    .users
                    .values()
                    .find(|(user, _)| user.username == username)
                    .filter(|(_, phc)| password::verify(password, phc))
                    .map(|(user, _)| user.clone()))
            })
        }
    }

    pub(crate) fn test_auth() -> Auth {
        Auth::new(
            Jwt::new(&hs256_settings()).unwrap(),
            Revocations::memory(),
            Arc::new(MapUserStore::new()),
        )
    }

    fn user(is_active: bool, is_staff: bool, is_superuser: bool) -> Caller {
        Caller {
            user: Some(AuthUser {
                id: "1".into(),
                username: "u".into(),
                is_active,
                is_staff,
                is_superuser,
                permissions: vec!["shop.view_product".into()],
            }),
            ..Caller::default()
        }
    }

    #[test]
    fn caller_permissions() {
        let anonymous = Caller::default();
        assert!(!anonymous.is_authenticated() && !anonymous.is_staff());
        assert!(!anonymous.has_perm("shop.view_product"));
        assert!(anonymous.user().is_none());

        let plain = user(true, false, false);
        assert!(plain.is_authenticated() && !plain.is_staff());
        assert!(plain.has_perm("shop.view_product"));
        assert!(!plain.has_perm("shop.delete_product"));

        let staff = user(true, true, false);
        assert!(staff.is_staff());
        assert!(
            !staff.has_perm("shop.delete_product"),
            "staff is not every permission"
        );

        let superuser = user(true, false, true);
        assert!(superuser.has_perm("shop.delete_product"));

        let inactive = user(false, true, true);
        assert!(!inactive.is_staff() && !inactive.has_perm("shop.view_product"));
    }

    #[test]
    fn bearer_tokens_are_parsed_strictly() {
        assert_eq!(bearer_token("Bearer abc.def.ghi"), Some("abc.def.ghi"));
        assert_eq!(bearer_token("bearer  abc "), Some("abc"));
        assert_eq!(bearer_token("Basic dXNlcjpwYXNz"), None);
        assert_eq!(bearer_token("Bearer"), None);
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("Bearer a b"), None);
        assert_eq!(bearer_token("abc.def.ghi"), None);
    }

    #[tokio::test]
    async fn authenticate_finds_the_caller_or_says_why_not() {
        let auth = test_auth();
        let caller = auth.authenticate(None).await.unwrap();
        assert!(!caller.is_authenticated());

        let message = auth_failure(auth.authenticate(Some("Basic dXNlcjpwYXNz")).await);
        assert!(message.contains("Bearer"), "{message}");
        auth_failure(auth.authenticate(Some("Bearer not-a-token")).await);

        let token = auth.jwt.issue("1", TokenType::Access).unwrap();
        let caller = auth
            .authenticate(Some(&format!("Bearer {token}")))
            .await
            .unwrap();
        assert_eq!(caller.user().unwrap().username, "alice");

        let refresh = auth.jwt.issue("1", TokenType::Refresh).unwrap();
        auth_failure(auth.authenticate(Some(&format!("Bearer {refresh}"))).await);

        let inactive = auth.jwt.issue("2", TokenType::Access).unwrap();
        let message = auth_failure(auth.authenticate(Some(&format!("Bearer {inactive}"))).await);
        assert_eq!(message, "the token's user is inactive");

        let deleted = auth.jwt.issue("99", TokenType::Access).unwrap();
        let message = auth_failure(auth.authenticate(Some(&format!("Bearer {deleted}"))).await);
        assert_eq!(message, "the token's user no longer exists");

        auth.revoke(&token).await.unwrap();
        let message = auth_failure(auth.authenticate(Some(&format!("Bearer {token}"))).await);
        assert_eq!(message, "the token has been revoked");
    }

    #[test]
    fn revocations_outlast_the_leeway() {
        let auth = test_auth();
        assert_eq!(auth.revocations.grace, auth.jwt.leeway());
    }
}
