//! The token mutations `tokenAuth`, `refreshToken` and `revokeToken`, for merging into an
//! application's mutation root. They read [`Auth`] from the schema's data.

use async_graphql::{Context, Object, SimpleObject};

use super::{Auth, TokenPair};
use crate::error::{ErrorCode, GqlError};

/// The token mutations.
#[derive(Default)]
pub struct AuthMutation;

/// The result of `revokeToken`.
#[derive(SimpleObject, Debug, Clone, Copy)]
pub struct RevokePayload {
    /// Whether the token is now revoked.
    pub revoked: bool,
}

/// The schema's [`Auth`]. A schema built without one (`schema::build_with_mutations`) issues no
/// tokens: the token mutations answer `PERMISSION_DENIED` saying so, a refusal of this server,
/// not a failure of it.
fn auth<'a>(ctx: &'a Context<'_>) -> Result<&'a Auth, GqlError> {
    ctx.data::<Auth>().map_err(|_| {
        GqlError::new(
            ErrorCode::PermissionDenied,
            "this API issues no tokens: its schema was built without authentication \
             (schema::build_with_auth)",
        )
    })
}

// Arguments are `secret`: async-graphql then leaves them out of its logs.
#[Object]
impl AuthMutation {
    /// A token pair for a username and password. Every failure says "invalid username or
    /// password", so that it does not tell which usernames exist.
    async fn token_auth(
        &self,
        ctx: &Context<'_>,
        #[graphql(secret)] username: String,
        #[graphql(secret)] password: String,
    ) -> async_graphql::Result<TokenPair> {
        Ok(auth(ctx)?.log_in(&username, &password).await?)
    }

    /// A new token pair for a refresh token; the refresh token stops working.
    async fn refresh_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(secret)] refresh_token: String,
    ) -> async_graphql::Result<TokenPair> {
        Ok(auth(ctx)?.refresh(&refresh_token).await?)
    }

    /// Revokes an access or refresh token: it stops working before it expires.
    async fn revoke_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(secret)] token: String,
    ) -> async_graphql::Result<RevokePayload> {
        auth(ctx)?.revoke(&token).await?;
        Ok(RevokePayload { revoked: true })
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::{EmptySubscription, Request, Schema, Variables};
    use serde_json::{Value, json};

    use super::*;
    use crate::auth::TokenType;
    use crate::auth::tests::test_auth;
    use crate::error::code_of;

    struct Query;

    #[Object]
    impl Query {
        async fn ping(&self) -> bool {
            true
        }
    }

    type TestSchema = Schema<Query, AuthMutation, EmptySubscription>;

    fn schema(auth: Option<Auth>) -> TestSchema {
        let builder = Schema::build(Query, AuthMutation, EmptySubscription);
        match auth {
            Some(auth) => builder.data(auth).finish(),
            None => builder.finish(),
        }
    }

    /// The data of a successful request, or the codes and messages of its errors.
    async fn run(schema: &TestSchema, query: &str, variables: Value) -> Result<Value, Vec<String>> {
        let request = Request::new(query).variables(Variables::from_json(variables));
        let response = schema.execute(request).await;
        if response.errors.is_empty() {
            Ok(response.data.into_json().unwrap())
        } else {
            Err(response
                .errors
                .iter()
                .map(|e| format!("{}: {}", code_of(e).unwrap_or("NONE"), e.message))
                .collect())
        }
    }

    const TOKEN_AUTH: &str = "mutation($u: String!, $p: String!) {
        tokenAuth(username: $u, password: $p) { token refreshToken } }";
    const REFRESH: &str =
        "mutation($t: String!) { refreshToken(refreshToken: $t) { token refreshToken } }";
    const REVOKE: &str = "mutation($t: String!) { revokeToken(token: $t) { revoked } }";

    #[tokio::test]
    async fn token_auth_gives_a_pair_and_the_same_error_for_every_failure() {
        let auth = test_auth();
        let schema = schema(Some(auth.clone()));
        let data = run(
            &schema,
            TOKEN_AUTH,
            json!({"u": "alice", "p": "alice-password"}),
        )
        .await
        .unwrap();
        let token = data["tokenAuth"]["token"].as_str().unwrap();
        let refresh = data["tokenAuth"]["refreshToken"].as_str().unwrap();
        assert_eq!(
            auth.jwt.decode(token, TokenType::Access).unwrap().user_id,
            "1"
        );
        assert_eq!(
            auth.jwt
                .decode(refresh, TokenType::Refresh)
                .unwrap()
                .user_id,
            "1"
        );

        let refused = "AUTHENTICATION_REQUIRED: invalid username or password";
        for (username, password) in [
            ("alice", "wrong"),
            ("nobody", "alice-password"),
            ("bob", "bob-password"), // inactive
        ] {
            let errors = run(&schema, TOKEN_AUTH, json!({"u": username, "p": password}))
                .await
                .unwrap_err();
            assert_eq!(errors, [refused], "{username}");
        }
    }

    #[tokio::test]
    async fn refresh_token_rotates() {
        let auth = test_auth();
        let schema = schema(Some(auth.clone()));
        let refresh = auth.jwt.issue("1", TokenType::Refresh).unwrap();
        let data = run(&schema, REFRESH, json!({"t": refresh})).await.unwrap();
        let new_refresh = data["refreshToken"]["refreshToken"].as_str().unwrap();
        assert_ne!(new_refresh, refresh);
        let new_access = data["refreshToken"]["token"].as_str().unwrap();
        auth.authenticate(Some(&format!("Bearer {new_access}")))
            .await
            .unwrap();

        let errors = run(&schema, REFRESH, json!({"t": refresh}))
            .await
            .unwrap_err();
        assert_eq!(
            errors,
            ["AUTHENTICATION_REQUIRED: the token has been revoked"]
        );

        let access = auth.jwt.issue("1", TokenType::Access).unwrap();
        let errors = run(&schema, REFRESH, json!({"t": access}))
            .await
            .unwrap_err();
        assert_eq!(
            errors,
            ["AUTHENTICATION_REQUIRED: an access token cannot be used as a refresh token"]
        );

        let inactive = auth.jwt.issue("2", TokenType::Refresh).unwrap();
        let errors = run(&schema, REFRESH, json!({"t": inactive}))
            .await
            .unwrap_err();
        assert_eq!(
            errors,
            ["AUTHENTICATION_REQUIRED: the token's user is inactive"]
        );
    }

    #[tokio::test]
    async fn revoke_token_revokes_either_type() {
        let auth = test_auth();
        let schema = schema(Some(auth.clone()));
        let access = auth.jwt.issue("1", TokenType::Access).unwrap();
        let data = run(&schema, REVOKE, json!({"t": access})).await.unwrap();
        assert_eq!(data, json!({"revokeToken": {"revoked": true}}));
        assert!(
            auth.authenticate(Some(&format!("Bearer {access}")))
                .await
                .is_err()
        );

        let refresh = auth.jwt.issue("1", TokenType::Refresh).unwrap();
        run(&schema, REVOKE, json!({"t": refresh})).await.unwrap();
        let errors = run(&schema, REFRESH, json!({"t": refresh}))
            .await
            .unwrap_err();
        assert_eq!(
            errors,
            ["AUTHENTICATION_REQUIRED: the token has been revoked"]
        );

        let errors = run(&schema, REVOKE, json!({"t": "garbage"}))
            .await
            .unwrap_err();
        assert_eq!(errors, ["AUTHENTICATION_REQUIRED: token is malformed"]);
    }

    #[tokio::test]
    async fn without_auth_in_the_data_the_mutations_are_a_coded_refusal() {
        let schema = schema(None);
        for (query, variables) in [
            (TOKEN_AUTH, json!({"u": "a", "p": "b"})),
            (REFRESH, json!({"t": "x"})),
            (REVOKE, json!({"t": "x"})),
        ] {
            let errors = run(&schema, query, variables).await.unwrap_err();
            assert_eq!(errors.len(), 1);
            assert!(
                errors[0].starts_with("PERMISSION_DENIED: this API issues no tokens"),
                "{errors:?}"
            );
        }
    }
}
