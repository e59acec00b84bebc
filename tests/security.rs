//! Attacks on every protection of the example app, over real HTTP, on SQLite and (with
//! `DATABASE_URL`) PostgreSQL. Each attack asserts the code it gets back (and the HTTP status
//! where the router answers before GraphQL does) and that no row leaked into the response nor
//! changed in the database.
//!
//! 1. Tokens: `alg: none`, another key's signature, expired beyond the leeway, not valid yet,
//!    a refresh token as access token, a revoked token, an inactive user's token, a `Basic`
//!    header, a refresh token used twice; with `REDIS_URL`, a token revoked on one instance used
//!    on another.
//! 2. Rows: another customer's order through detail, list, count, relation, filter, order and
//!    cursors, update, delete and bulk mutations; products written by a non-owner; a field
//!    permission (email) per row, and filtering on it; order items.
//! 3. Query analysis: depth, aliases, both hidden in fragments, fragment cycles, batches, huge
//!    pages, introspection and suggestions in production.
//! 4. Rate limit: 429 with `Retry-After`, a bucket per user apart from the client's IP.
//! 5. Body limit: 413 on 10 MB, the server lives on.
//! 6. CORS: only the configured origin is allowed.
//! 7. Errors and logs: every error has a code, every response an `x-request-id`, logs carry the
//!    request id and never a password or token.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use example_app::entities::{order, product, user};
use gqlgen_runtime::Config;
use gqlgen_runtime::auth::{Claims, Jwt, TokenType};
use gqlgen_runtime::config::{JwtSettings, RateLimitSettings};
use gqlgen_runtime::testing::{TestResponse, TestServer};
use gqlgen_tests::{
    Api, Captured, FIXTURE_PASSWORD, backends, cleanup, fixture_servers, gid, ids, insert_fixture,
    login,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, DatabaseConnection, EntityTrait, PaginatorTrait,
};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// Helpers

/// Sends a raw HTTP request. Every response must carry `x-request-id`, and every error in it a
/// code.
async fn send(
    server: &Api,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> TestResponse {
    let reply = server
        .request(method, path, headers, body)
        .await
        .expect("the test server answers");
    assert!(
        reply
            .header("x-request-id")
            .is_some_and(|id| !id.is_empty()),
        "{method} {path}: no x-request-id in {:?}",
        reply.headers
    );
    assert!(
        !reply.codes().iter().any(|c| c == "<none>"),
        "{method} {path}: an error without a code: {}",
        reply.text
    );
    reply
}

/// POSTs a GraphQL request with these extra headers.
async fn gql_with(
    server: &Api,
    headers: &[(&str, &str)],
    query: &str,
    vars: Value,
) -> TestResponse {
    let body = json!({
        "query": gqlgen_tests::with_global_ids(query),
        "variables": gqlgen_tests::variables_with_global_ids(vars),
    })
    .to_string();
    let mut all = vec![("Content-Type", "application/json")];
    all.extend_from_slice(headers);
    send(server, "POST", "/graphql", &all, body.as_bytes()).await
}

/// POSTs a GraphQL request with `token` as bearer, or anonymously.
async fn gql(server: &Api, token: Option<&str>, query: &str, vars: Value) -> TestResponse {
    match token {
        Some(token) => {
            let bearer = format!("Bearer {token}");
            gql_with(server, &[("Authorization", &bearer)], query, vars).await
        }
        None => gql_with(server, &[], query, vars).await,
    }
}

/// The data of a request that must succeed.
async fn ok(server: &Api, token: Option<&str>, query: &str) -> Value {
    let r = gql(server, token, query, json!({})).await;
    assert!(
        r.status == 200 && r.codes().is_empty(),
        "{query}: {} {}",
        r.status,
        r.text
    );
    r.data().clone()
}

/// Asserts a refusal: this status, exactly this one code, and no data.
fn refused(r: &TestResponse, status: u16, code: &str, what: &str) {
    assert_eq!(r.status, status, "{what}: {}", r.text);
    assert_eq!(r.codes(), [code], "{what}: {}", r.text);
    assert!(r.data().is_null(), "{what}: data came back: {}", r.text);
}

/// An HS256 secret the suite knows, so that it can sign tokens the server accepts.
const SECRET: &str = "security-suite-secret-that-is-long-enough";

/// `config` signing tokens with [`SECRET`] (`Backend::serve` keeps a key that is set).
fn keyed(config: Config) -> Config {
    Config {
        jwt: JwtSettings {
            secret_key: Some(SECRET.into()),
            ..JwtSettings::default()
        },
        ..config
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
}

fn claims(user_id: &str, token_type: TokenType, nbf: u64, exp: u64) -> Claims {
    Claims {
        token_type,
        user_id: user_id.into(),
        exp,
        iat: nbf,
        nbf,
        jti: uuid::Uuid::new_v4().simple().to_string(),
        iss: None,
        aud: None,
    }
}

/// `claims` signed with HS256 and `secret`.
fn sign(claims: &Claims, secret: &str) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("sign")
}

/// A fresh access token of fixture user `user_id`, signed with [`SECRET`].
fn access(user_id: &str) -> String {
    let now = now();
    sign(&claims(user_id, TokenType::Access, now, now + 600), SECRET)
}

async fn order_row(db: &DatabaseConnection, id: i32) -> Option<order::Model> {
    order::Entity::find_by_id(id).one(db).await.expect("query")
}

async fn product_row(db: &DatabaseConnection, id: i32) -> Option<product::Model> {
    product::Entity::find_by_id(id)
        .one(db)
        .await
        .expect("query")
}

/// Everything alice's order 1 holds that must never reach bob.
const ALICE_NOTE: &str = "Ring twice";

// ---------------------------------------------------------------------------------------------
// 1. Tokens

/// A query whose answer as alice holds her order.
const PROBE: &str = "{ orders { totalCount edges { node { id note } } } }";

#[tokio::test]
async fn forged_expired_early_refresh_revoked_and_inactive_tokens_are_401() {
    let servers = fixture_servers(keyed(Config::testing())).await;
    for (backend, server) in &servers {
        let n = backend.name;
        let t = now();
        // The control: a token signed like these, but valid, is accepted.
        let d = ok(server, Some(&access("1")), PROBE).await;
        assert_eq!(
            ids(&d_wrap(&d), "orders"),
            [1],
            "{n}: the control token works"
        );

        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD
            .encode(serde_json::to_vec(&claims("1", TokenType::Access, t, t + 600)).expect("json"));
        let other_key = Jwt::new(&JwtSettings {
            secret_key: Some("another-secret-that-is-also-long-enough".into()),
            ..JwtSettings::default()
        })
        .expect("another key")
        .issue("1", TokenType::Access)
        .expect("issue");
        let leeway = JwtSettings::default().leeway.as_secs();
        let attacks = [
            ("alg none", format!("Bearer {header}.{payload}.")),
            ("another key's signature", format!("Bearer {other_key}")),
            (
                "expired beyond the leeway",
                format!(
                    "Bearer {}",
                    sign(
                        &claims("1", TokenType::Access, t - 7200, t - leeway - 60),
                        SECRET
                    )
                ),
            ),
            (
                "nbf in the future",
                format!(
                    "Bearer {}",
                    sign(
                        &claims("1", TokenType::Access, t + leeway + 600, t + 7200),
                        SECRET
                    )
                ),
            ),
            (
                "a refresh token as access token",
                format!(
                    "Bearer {}",
                    sign(&claims("1", TokenType::Refresh, t, t + 600), SECRET)
                ),
            ),
            ("a Basic header", "Basic xyz".to_owned()),
        ];
        for (what, authorization) in &attacks {
            let r = gql_with(
                server,
                &[("Authorization", authorization)],
                PROBE,
                json!({}),
            )
            .await;
            refused(&r, 401, "AUTHENTICATION_REQUIRED", &format!("{n}: {what}"));
            assert!(!r.text.contains(ALICE_NOTE), "{n}: {what}: {}", r.text);
        }

        // A refresh token from tokenAuth is no access token either.
        let pair = ok(
            server,
            None,
            &format!(
                r#"mutation {{ tokenAuth(username: "alice", password: "{FIXTURE_PASSWORD}") {{ token refreshToken }} }}"#
            ),
        )
        .await;
        let token = pair["tokenAuth"]["token"]
            .as_str()
            .expect("token")
            .to_owned();
        let refresh = pair["tokenAuth"]["refreshToken"]
            .as_str()
            .expect("refresh token")
            .to_owned();
        let r = gql(server, Some(&refresh), PROBE, json!({})).await;
        refused(
            &r,
            401,
            "AUTHENTICATION_REQUIRED",
            &format!("{n}: refresh as access"),
        );

        // Rotation: a refresh token works once.
        const REFRESH: &str =
            "mutation($t: String!) { refreshToken(refreshToken: $t) { token refreshToken } }";
        let r = gql(server, None, REFRESH, json!({ "t": refresh })).await;
        assert!(r.codes().is_empty(), "{n}: first refresh: {}", r.text);
        let rotated = r.data()["refreshToken"]["token"]
            .as_str()
            .expect("new token")
            .to_owned();
        let r = gql(server, None, REFRESH, json!({ "t": refresh })).await;
        assert_eq!(
            r.codes(),
            ["AUTHENTICATION_REQUIRED"],
            "{n}: second refresh: {}",
            r.text
        );
        assert!(
            r.data().is_null(),
            "{n}: no pair the second time: {}",
            r.text
        );
        ok(server, Some(&rotated), PROBE).await;

        // Revocation: the token stops working at once.
        ok(server, Some(&token), PROBE).await;
        let r = gql(
            server,
            None,
            "mutation($t: String!) { revokeToken(token: $t) { revoked } }",
            json!({ "t": token }),
        )
        .await;
        assert_eq!(r.data()["revokeToken"]["revoked"], true, "{n}: {}", r.text);
        let r = gql(server, Some(&token), PROBE, json!({})).await;
        refused(&r, 401, "AUTHENTICATION_REQUIRED", &format!("{n}: revoked"));

        // An inactive user's token stops working, and the user cannot log in again.
        let token = login(server, "alice").await;
        ok(server, Some(&token), PROBE).await;
        user::ActiveModel {
            id: Set(1),
            is_active: Set(false),
            ..Default::default()
        }
        .update(&backend.db)
        .await
        .expect("deactivate alice");
        let r = gql(server, Some(&token), PROBE, json!({})).await;
        refused(
            &r,
            401,
            "AUTHENTICATION_REQUIRED",
            &format!("{n}: inactive user"),
        );
        let r = gql(
            server,
            None,
            "mutation($p: String!) { tokenAuth(username: \"alice\", password: $p) { token } }",
            json!({ "p": FIXTURE_PASSWORD }),
        )
        .await;
        assert_eq!(r.codes(), ["AUTHENTICATION_REQUIRED"], "{n}: {}", r.text);
        assert!(r.data().is_null(), "{n}: {}", r.text);
    }
    cleanup(servers).await;
}

/// `{ "data": d }`, for [`ids`].
fn d_wrap(d: &Value) -> Value {
    json!({ "data": d })
}

/// Two instances of the app over one database and one Redis: a token revoked through one is
/// refused by the other. Runs when `REDIS_URL` names a server (CI sets it), skipped otherwise.
#[tokio::test]
async fn a_token_revoked_on_one_instance_is_refused_by_another_through_redis() {
    let Ok(url) = std::env::var("REDIS_URL") else {
        eprintln!("skipped: REDIS_URL is not set");
        return;
    };
    for backend in backends().await {
        let n = backend.name;
        insert_fixture(&backend.db).await;
        let config = Config {
            redis_url: Some(url.clone()),
            ..keyed(Config::testing())
        };
        let instance = || async {
            let router = example_app::app(backend.db.clone(), config.clone())
                .await
                .expect("the app connects to Redis");
            Api(TestServer::start(router).await.expect("bind"))
        };
        let (first, second) = (instance().await, instance().await);
        let token = login(&first, "alice").await;
        let d = ok(&second, Some(&token), "{ orders { totalCount } }").await;
        assert_eq!(d["orders"]["totalCount"], 1, "{n}: the token works on both");
        let d = ok(
            &first,
            Some(&token),
            &format!("mutation {{ revokeToken(token: \"{token}\") {{ revoked }} }}"),
        )
        .await;
        assert_eq!(d["revokeToken"]["revoked"], true, "{n}");
        let r = gql(&second, Some(&token), PROBE, json!({})).await;
        refused(&r, 401, "AUTHENTICATION_REQUIRED", n);
        drop((first, second));
        backend.cleanup().await;
    }
}

// ---------------------------------------------------------------------------------------------
// 2. Rows

/// Every order id bob's view of `orders` shows, walking pages of one with `orderBy`.
async fn walk_orders(server: &Api, token: &str, order_by: &str) -> Vec<i64> {
    let mut seen = Vec::new();
    let mut after = Value::Null;
    for _ in 0..10 {
        let r = gql(
            server,
            Some(token),
            &format!(
                "query($after: String) {{ orders(first: 1, after: $after, orderBy: [{order_by}]) {{
                    edges {{ cursor node {{ id }} }} pageInfo {{ hasNextPage endCursor }} }} }}"
            ),
            json!({ "after": after }),
        )
        .await;
        assert!(r.codes().is_empty(), "{order_by}: {}", r.text);
        seen.extend(ids(&r.body, "orders"));
        let page = &r.data()["orders"]["pageInfo"];
        if page["hasNextPage"] != true {
            return seen;
        }
        after = page["endCursor"].clone();
    }
    panic!("{order_by}: more than 10 pages of one order each: {seen:?}")
}

#[tokio::test]
async fn another_customers_order_is_unreachable_for_reading() {
    let servers = fixture_servers(keyed(Config::testing())).await;
    for (backend, server) in &servers {
        let n = backend.name;
        let bob_token = access("2");
        let bob = Some(bob_token.as_str());

        let r = gql(server, bob, "{ order(id: Order:1) { id note } }", json!({})).await;
        assert_eq!(r.data()["order"], Value::Null, "{n}: detail: {}", r.text);

        let d = ok(
            server,
            bob,
            "{ orders { totalCount edges { node { id userId note } } } }",
        )
        .await;
        assert_eq!(ids(&d_wrap(&d), "orders"), [2], "{n}: list");
        assert_eq!(d["orders"]["totalCount"], 1, "{n}: count");

        let r = gql(
            server,
            bob,
            "{ user(id: User:1) { username orders { totalCount edges { node { id note } } } } }",
            json!({}),
        )
        .await;
        assert!(r.codes().is_empty(), "{n}: relation: {}", r.text);
        assert_eq!(
            r.data()["user"]["orders"],
            json!({ "totalCount": 0, "edges": [] }),
            "{n}: relation: {}",
            r.text
        );

        for filter in [
            r#"{user: "User:1"}"#,
            r#"{id: "Order:1"}"#,
            r#"{id_In: ["Order:1", "Order:2"], user_In: ["User:1"]}"#,
            r#"{or: [{id: "Order:1"}, {noteIcontains: "ring"}]}"#,
            r#"{note_Icontains: "ring"}"#,
            r#"{not: {user: "User:2"}}"#,
        ] {
            let r = gql(
                server,
                bob,
                &format!(
                    "{{ orders(filter: {filter}) {{ totalCount edges {{ node {{ id }} }} }} }}"
                ),
                json!({}),
            )
            .await;
            if filter.contains("noteIcontains") {
                // Misspelt on purpose: an unknown filter field is refused, with a code.
                assert_eq!(r.data(), &Value::Null, "{n}: {filter}: {}", r.text);
                assert!(!r.codes().is_empty(), "{n}: {filter}");
                continue;
            }
            assert!(r.codes().is_empty(), "{n}: {filter}: {}", r.text);
            assert_eq!(
                r.data()["orders"],
                json!({ "totalCount": 0, "edges": [] }),
                "{n}: filter {filter}"
            );
        }

        for order_by in [
            "{id: ASC}",
            "{id: DESC}",
            "{createdAt: DESC}",
            "{status: ASC}",
        ] {
            let seen = walk_orders(server, &bob_token, order_by).await;
            assert_eq!(seen, [2], "{n}: pages ordered by {order_by}");
        }
        let r = gql(
            server,
            bob,
            "{ orders(last: 5, orderBy: [{id: DESC}]) { edges { node { id } } } }",
            json!({}),
        )
        .await;
        assert_eq!(ids(&r.body, "orders"), [2], "{n}: last");

        let r = gql(server, None, "{ orders { totalCount } }", json!({})).await;
        assert_eq!(
            r.codes(),
            ["AUTHENTICATION_REQUIRED"],
            "{n}: anonymous: {}",
            r.text
        );
        assert!(!r.text.contains(ALICE_NOTE), "{n}");
        let r = gql(server, None, "{ order(id: Order:1) { note } }", json!({})).await;
        assert!(
            !r.text.contains(ALICE_NOTE),
            "{n}: anonymous detail: {}",
            r.text
        );
        assert_eq!(r.data()["order"], Value::Null, "{n}: {}", r.text);
    }
    cleanup(servers).await;
}

#[tokio::test]
async fn another_customers_order_cannot_be_written() {
    let servers = fixture_servers(keyed(Config::testing())).await;
    for (backend, server) in &servers {
        let n = backend.name;
        let db = &backend.db;
        let bob = access("2");
        let bob = Some(bob.as_str());
        let before = order_row(db, 1).await.expect("order 1");

        let r = gql(
            server,
            bob,
            "mutation { updateOrder(id: Order:1, input: {note: \"pwned\", status: CANCELLED}) { success order { id note } } }",
            json!({}),
        )
        .await;
        assert_eq!(r.codes(), ["NOT_FOUND"], "{n}: update: {}", r.text);
        assert!(!r.text.contains(ALICE_NOTE), "{n}: {}", r.text);
        assert_eq!(
            order_row(db, 1).await.as_ref(),
            Some(&before),
            "{n}: unchanged"
        );

        let r = gql(
            server,
            bob,
            "mutation { deleteOrder(id: Order:1) { success deletedId } }",
            json!({}),
        )
        .await;
        assert_eq!(r.codes(), ["NOT_FOUND"], "{n}: delete: {}", r.text);
        assert_eq!(
            order_row(db, 1).await.as_ref(),
            Some(&before),
            "{n}: still there"
        );

        // The owner of a new order is its creator: the input has no `userId` to name alice.
        let r = gql(
            server,
            bob,
            "mutation { createOrder(input: {userId: User:1}) { success } }",
            json!({}),
        )
        .await;
        assert_eq!(
            r.codes(),
            ["BAD_USER_INPUT"],
            "{n}: create for alice: {}",
            r.text
        );
        let r = gql(
            server,
            bob,
            "mutation { createOrder(input: {}) { success order { id userId status } } }",
            json!({}),
        )
        .await;
        assert!(r.codes().is_empty(), "{n}: create: {}", r.text);
        let created = &r.data()["createOrder"]["order"];
        assert_eq!(
            created["userId"],
            gid("User", 2),
            "{n}: bob's own: {}",
            r.text
        );
        assert_eq!(created["status"], "PENDING", "{n}: the default: {}", r.text);
        let id = created["id"].as_str().expect("id").to_owned();
        let r = gql(
            server,
            bob,
            &format!("mutation {{ deleteOrder(id: \"{id}\") {{ success }} }}"),
            json!({}),
        )
        .await;
        assert_eq!(r.data()["deleteOrder"]["success"], true, "{n}: {}", r.text);
        assert_eq!(
            order::Entity::find().count(db).await.expect("count"),
            2,
            "{n}"
        );

        // Products let staff choose the owner (`staff_sets_owner`); anyone else who names one,
        // even themselves, is refused: on create and on update.
        let r = gql(
            server,
            bob,
            r#"mutation { createProduct(input: {name: "Gift", price: "1", categoryId: Category:1, ownerId: User:1}) { success } }"#,
            json!({}),
        )
        .await;
        assert_eq!(
            r.codes(),
            ["PERMISSION_DENIED"],
            "{n}: create for alice: {}",
            r.text
        );
        let r = gql(
            server,
            bob,
            r#"mutation { updateProduct(id: Product:2, input: {ownerId: User:1}) { success } }"#,
            json!({}),
        )
        .await;
        assert_eq!(
            r.codes(),
            ["PERMISSION_DENIED"],
            "{n}: give away: {}",
            r.text
        );
        let r = gql(
            server,
            bob,
            "mutation { updateOrder(id: Order:2, input: {userId: User:1}) { success } }",
            json!({}),
        )
        .await;
        assert_eq!(
            r.codes(),
            ["BAD_USER_INPUT"],
            "{n}: no userId to change: {}",
            r.text
        );
        assert_eq!(order_row(db, 2).await.expect("order 2").user_id, 2, "{n}");

        let r = gql(
            server,
            bob,
            r#"mutation { updateOrders(filter: {id_In: [Order:1, Order:2]}, input: {note: "bulk"}) { success count } }"#,
            json!({}),
        )
        .await;
        assert!(r.codes().is_empty(), "{n}: bulk update: {}", r.text);
        assert_eq!(r.data()["updateOrders"]["count"], 1, "{n}: {}", r.text);
        assert_eq!(
            order_row(db, 1).await.as_ref(),
            Some(&before),
            "{n}: bulk update"
        );
        assert_eq!(
            order_row(db, 2).await.expect("order 2").note.as_deref(),
            Some("bulk"),
            "{n}: bob's own row is updated"
        );

        let r = gql(
            server,
            bob,
            r#"mutation { deleteOrders(filter: {id_In: [Order:1, Order:2]}) { success count } }"#,
            json!({}),
        )
        .await;
        assert!(r.codes().is_empty(), "{n}: bulk delete: {}", r.text);
        assert_eq!(r.data()["deleteOrders"]["count"], 1, "{n}: {}", r.text);
        assert_eq!(
            order_row(db, 1).await.as_ref(),
            Some(&before),
            "{n}: bulk delete"
        );
        assert_eq!(
            order_row(db, 2).await,
            None,
            "{n}: bob's own row is deleted"
        );
    }
    cleanup(servers).await;
}

const UPDATE_PRODUCT: &str = "mutation($id: ID!) { updateProduct(id: $id, input: {stock: 77}) { success product { stock } } }";

#[tokio::test]
async fn products_are_written_only_by_their_owner_or_staff() {
    let servers = fixture_servers(keyed(Config::testing())).await;
    for (backend, server) in &servers {
        let n = backend.name;
        let db = &backend.db;
        let bob = access("2");
        let bob = Some(bob.as_str());
        let alices = product_row(db, 1).await.expect("product 1");

        let r = gql(server, bob, UPDATE_PRODUCT, json!({ "id": "Product:1" })).await;
        assert_eq!(r.codes(), ["PERMISSION_DENIED"], "{n}: update: {}", r.text);
        assert_eq!(r.data()["updateProduct"], Value::Null, "{n}");
        let r = gql(
            server,
            bob,
            "mutation { deleteProduct(id: Product:1) { success } }",
            json!({}),
        )
        .await;
        assert_eq!(r.codes(), ["PERMISSION_DENIED"], "{n}: delete: {}", r.text);
        let r = gql(
            server,
            bob,
            r#"mutation { updateProducts(filter: {id_In: [Product:1, Product:3, Product:5]}, input: {stock: 0}) { success count } }"#,
            json!({}),
        )
        .await;
        assert!(r.codes().is_empty(), "{n}: {}", r.text);
        assert_eq!(
            r.data()["updateProducts"]["count"],
            0,
            "{n}: bulk update of alice's products: {}",
            r.text
        );
        let r = gql(
            server,
            bob,
            r#"mutation { deleteProducts(filter: {id_In: [Product:1, Product:3, Product:5]}) { success count } }"#,
            json!({}),
        )
        .await;
        assert!(r.codes().is_empty(), "{n}: {}", r.text);
        assert_eq!(
            r.data()["deleteProducts"]["count"],
            0,
            "{n}: bulk delete of alice's products: {}",
            r.text
        );
        assert_eq!(
            product_row(db, 1).await.as_ref(),
            Some(&alices),
            "{n}: unchanged"
        );
        for id in [3, 5] {
            assert!(
                product_row(db, id).await.is_some_and(|p| p.stock != 0),
                "{n}: {id}"
            );
        }

        const CREATE: &str = "mutation($input: ProductCreateInput!) { createProduct(input: $input) { success product { id } } }";
        let input = json!({
            "name": "Fake", "price": "1.00", "stock": 1, "isActive": true,
            "sku": "00000000-0000-0000-0000-00000000f00d", "categoryId": "Category:1", "ownerId": "User:1"
        });
        let r = gql(server, bob, CREATE, json!({ "input": input })).await;
        assert_eq!(
            r.codes(),
            ["PERMISSION_DENIED"],
            "{n}: create as alice: {}",
            r.text
        );
        let r = gql(server, None, CREATE, json!({ "input": input })).await;
        assert_eq!(
            r.codes(),
            ["AUTHENTICATION_REQUIRED"],
            "{n}: anonymous create: {}",
            r.text
        );
        assert_eq!(
            product::Entity::find().count(db).await.expect("count"),
            6,
            "{n}: nothing written"
        );

        let r = gql(server, bob, UPDATE_PRODUCT, json!({ "id": "Product:2" })).await;
        assert_eq!(
            r.data()["updateProduct"]["success"],
            true,
            "{n}: own: {}",
            r.text
        );
        assert_eq!(
            product_row(db, 2).await.expect("product 2").stock,
            77,
            "{n}"
        );
        let admin = login(server, "admin").await;
        let r = gql(
            server,
            Some(&admin),
            UPDATE_PRODUCT,
            json!({ "id": "Product:1" }),
        )
        .await;
        assert_eq!(
            r.data()["updateProduct"]["success"],
            true,
            "{n}: admin: {}",
            r.text
        );
        assert_eq!(
            product_row(db, 1).await.expect("product 1").stock,
            77,
            "{n}"
        );
    }
    cleanup(servers).await;
}

#[tokio::test]
async fn email_is_denied_per_row_and_cannot_be_filtered_on() {
    let servers = fixture_servers(keyed(Config::testing())).await;
    for (backend, server) in &servers {
        let n = backend.name;
        let bob = access("2");
        let query = "{ users(orderBy: [{id: ASC}]) { edges { node { username email } } } }";
        let r = gql(server, Some(&bob), query, json!({})).await;
        assert_eq!(r.status, 200, "{n}");
        let nodes: Vec<&Value> = r.data()["users"]["edges"]
            .as_array()
            .unwrap_or_else(|| panic!("{n}: {}", r.text))
            .iter()
            .map(|e| &e["node"])
            .collect();
        let names: Vec<&str> = nodes
            .iter()
            .map(|u| u["username"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["alice", "bob", "admin"], "{n}: the rest stands");
        let emails: Vec<&Value> = nodes.iter().map(|u| &u["email"]).collect();
        assert_eq!(
            emails,
            [&Value::Null, &json!("bob@example.com"), &Value::Null],
            "{n}: {}",
            r.text
        );
        assert_eq!(r.codes(), ["PERMISSION_DENIED", "PERMISSION_DENIED"], "{n}");
        let mut paths: Vec<&Value> = r.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| &e["path"])
            .collect();
        paths.sort_by_key(|p| p[2].as_i64());
        assert_eq!(
            paths,
            [
                &json!(["users", "edges", 0, "node", "email"]),
                &json!(["users", "edges", 2, "node", "email"])
            ],
            "{n}"
        );
        assert!(
            !r.text.contains("alice@") && !r.text.contains("admin@"),
            "{n}"
        );

        let admin = access("3");
        let d = ok(server, Some(&admin), query).await;
        let emails: Vec<&str> = d["users"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["email"].as_str().expect("admin sees every email"))
            .collect();
        assert_eq!(
            emails,
            ["alice@example.com", "bob@example.com", "admin@example.com"],
            "{n}"
        );

        for filter in [
            r#"{email_Icontains: "alice"}"#,
            r#"{email: "alice@example.com"}"#,
            r#"{or: [{username: "nobody"}, {email_Iexact: "ALICE@example.com"}]}"#,
        ] {
            let r = gql(
                server,
                Some(&bob),
                &format!(
                    "{{ users(filter: {filter}) {{ totalCount edges {{ node {{ id }} }} }} }}"
                ),
                json!({}),
            )
            .await;
            assert_eq!(
                r.codes(),
                ["PERMISSION_DENIED"],
                "{n}: {filter}: {}",
                r.text
            );
            assert!(r.data().is_null(), "{n}: {filter}: no data: {}", r.text);
        }
        // email is not orderable: the schema refuses ordering on it before anything runs
        let r = gql(
            server,
            Some(&bob),
            "{ users(orderBy: [{email: ASC}]) { totalCount } }",
            json!({}),
        )
        .await;
        assert!(
            !r.codes().is_empty() && r.data().is_null(),
            "{n}: {}",
            r.text
        );
    }
    cleanup(servers).await;
}

/// The ids of `orderItems` in `r`, or none when the whole list is `PERMISSION_DENIED`.
fn item_ids_or_denied(r: &TestResponse, n: &str) -> Vec<i64> {
    if r.data().is_null() {
        assert_eq!(r.codes(), ["PERMISSION_DENIED"], "{n}: {}", r.text);
        return Vec::new();
    }
    assert!(r.codes().is_empty(), "{n}: {}", r.text);
    match r.data()["orderItems"]["edges"].as_array() {
        Some(_) => ids(&r.body, "orderItems"),
        None => Vec::new(),
    }
}

#[tokio::test]
async fn items_of_another_customers_order_stay_hidden() {
    let servers = fixture_servers(keyed(Config::testing())).await;
    for (backend, server) in &servers {
        let n = backend.name;
        let bob = access("2");
        // An item belongs to its order's owner: bob reaches item 3 of his order 2, by any way
        // in, and never items 1 and 2 of alice's order 1.
        for query in [
            "{ orderItems { totalCount edges { node { id orderId } } } }",
            "{ orderItems(filter: {order_In: [Order:1, Order:2]}) { totalCount edges { node { id } } } }",
            "{ orderItems(filter: {id_In: [OrderItem:1, OrderItem:2, OrderItem:3]}) { totalCount edges { node { id } } } }",
        ] {
            let r = gql(server, Some(&bob), query, json!({})).await;
            assert_eq!(item_ids_or_denied(&r, n), [3], "{n}: {query}: {}", r.text);
            assert_eq!(r.data()["orderItems"]["totalCount"], 1, "{n}: {query}");
        }
        let r = gql(
            server,
            Some(&bob),
            "{ orderItem(id: OrderItem:1) { id orderId } }",
            json!({}),
        )
        .await;
        assert_eq!(
            r.data()["orderItem"],
            Value::Null,
            "{n}: detail: {}",
            r.text
        );
        let d = ok(
            server,
            Some(&bob),
            "{ user(id: User:1) { orders(first: 5) { edges { node { items(first: 5) { edges { node { id } } } } } } } }",
        )
        .await;
        assert_eq!(d["user"]["orders"]["edges"], json!([]), "{n}: nested");
        // Alice reaches her own items through her order.
        let alice = access("1");
        let d = ok(
            server,
            Some(&alice),
            "{ order(id: Order:1) { items(orderBy: [{id: ASC}]) { totalCount edges { node { id } } } } }",
        )
        .await;
        assert_eq!(d["order"]["items"]["totalCount"], 2, "{n}: alice's items");
        // Writes: an item of alice's order is NOT_FOUND for bob; adding one to it is denied.
        let r = gql(
            server,
            Some(&bob),
            "mutation { updateOrderItem(id: OrderItem:1, input: {quantity: 99}) { success } }",
            json!({}),
        )
        .await;
        assert_eq!(r.codes(), ["NOT_FOUND"], "{n}: {}", r.text);
        let r = gql(
            server,
            Some(&bob),
            "mutation { createOrderItem(input: {orderId: Order:1, productId: Product:1, quantity: 1, unitPrice: \"1.00\"}) { success } }",
            json!({}),
        )
        .await;
        assert_eq!(r.codes(), ["PERMISSION_DENIED"], "{n}: {}", r.text);
        let r = gql(
            server,
            Some(&bob),
            "mutation { createOrderItem(input: {orderId: Order:2, productId: Product:1, quantity: 1, unitPrice: \"1.00\"}) { success } }",
            json!({}),
        )
        .await;
        assert_eq!(
            r.data()["createOrderItem"]["success"],
            true,
            "{n}: his own order: {}",
            r.text
        );
        let admin = access("3");
        let d = ok(server, Some(&admin), "{ orderItems(filter: {order: Order:1}, orderBy: [{id: ASC}]) { edges { node { id } } } }").await;
        assert_eq!(
            ids(&d_wrap(&d), "orderItems"),
            [1, 2],
            "{n}: admin sees them, and bob's writes left them alone"
        );
    }
    cleanup(servers).await;
}

// ---------------------------------------------------------------------------------------------
// 3. Query analysis

/// Asserts that `query` is refused before execution with one of `codes`, in under two seconds.
async fn refused_fast(server: &Api, query: &str, codes: &[&str], what: &str) {
    let started = Instant::now();
    let r = gql(server, None, query, json!({})).await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{what}: took {:?}",
        started.elapsed()
    );
    let got = r.codes();
    assert!(
        got.len() == 1 && codes.contains(&got[0].as_str()),
        "{what}: expected one of {codes:?}: {}",
        r.text.chars().take(500).collect::<String>()
    );
    assert!(r.data().is_null(), "{what}: data came back");
}

/// `n` aliased ids, `a0: id a1: id ...`.
fn aliases(n: usize, field: &str) -> String {
    (0..n).map(|i| format!("a{i}: {field} ")).collect()
}

#[tokio::test]
async fn deep_wide_cyclic_batched_and_huge_queries_are_refused_before_execution() {
    let servers = fixture_servers(Config::testing()).await;
    for (backend, server) in &servers {
        let n = backend.name;
        let deep = format!(
            "{{ categories {{ edges {{ node {{ {} id {} }} }} }} }}",
            "parent { ".repeat(1000),
            "} ".repeat(1000)
        );
        refused_fast(
            server,
            &deep,
            &["QUERY_TOO_DEEP"],
            &format!("{n}: depth 1,000"),
        )
        .await;
        let braces = format!("{}{}", "{".repeat(1000), "}".repeat(1000));
        refused_fast(
            server,
            &braces,
            &["QUERY_TOO_DEEP"],
            &format!("{n}: 1,000 braces"),
        )
        .await;

        // Aliases: 30 pass, 31 and 10,000 do not.
        ok(
            server,
            None,
            &format!("{{ {} }}", aliases(30, "__typename")),
        )
        .await;
        let large = ["QUERY_TOO_LARGE"];
        refused_fast(
            server,
            &format!("{{ {} }}", aliases(31, "__typename")),
            &large,
            n,
        )
        .await;
        refused_fast(
            server,
            &format!("{{ {} }}", aliases(10_000, "__typename")),
            &large,
            n,
        )
        .await;

        // Aliases hidden in fragments count once per spread: one spread of 10 passes, 5 do not.
        let fragment = format!("fragment F on Product {{ {} }}", aliases(10, "id"));
        let spread = |k: usize| {
            format!(
                "{{ products(first: 1) {{ edges {{ node {{ {} }} }} }} }} {fragment}",
                "...F ".repeat(k)
            )
        };
        ok(server, None, &spread(1)).await;
        refused_fast(
            server,
            &spread(5),
            &large,
            &format!("{n}: aliases in fragments"),
        )
        .await;

        // Depth hidden in a chain of fragments, each one level deep.
        let mut chain = String::from("{ categories(first: 1) { edges { node { ...P0 } } } }");
        for i in 0..12 {
            chain.push_str(&format!(
                " fragment P{i} on Category {{ parent {{ ...P{} }} }}",
                i + 1
            ));
        }
        chain.push_str(" fragment P12 on Category { id }");
        refused_fast(
            server,
            &chain,
            &["QUERY_TOO_DEEP"],
            &format!("{n}: depth in fragments"),
        )
        .await;

        let cycle = "{ products { edges { node { ...A } } } } \
                     fragment A on Product { id ...B } fragment B on Product { name ...A }";
        let codes = [
            "BAD_USER_INPUT",
            "QUERY_TOO_DEEP",
            "QUERY_TOO_LARGE",
            "GRAPHQL_VALIDATION_FAILED",
        ];
        refused_fast(server, cycle, &codes, &format!("{n}: fragment cycle")).await;

        let huge = "{ products(first: 1000000) { edges { node { id name } } } }";
        refused_fast(
            server,
            huge,
            &["QUERY_TOO_COMPLEX", "BAD_USER_INPUT"],
            &format!("{n}: first"),
        )
        .await;

        // Batches: 10 operations run, 1,000 are refused as a whole.
        let batch = |k: usize| {
            let ops: Vec<Value> = (0..k)
                .map(|_| json!({ "query": "{ products { totalCount } }" }))
                .collect();
            Value::Array(ops).to_string()
        };
        let headers = [("Content-Type", "application/json")];
        let r = send(server, "POST", "/graphql", &headers, batch(10).as_bytes()).await;
        let answers = r
            .body
            .as_array()
            .unwrap_or_else(|| panic!("{n}: {}", r.text));
        assert_eq!(answers.len(), 10, "{n}");
        assert!(
            answers
                .iter()
                .all(|a| a["data"]["products"]["totalCount"] == 6),
            "{n}"
        );
        let r = send(server, "POST", "/graphql", &headers, batch(1000).as_bytes()).await;
        refused(&r, 200, "QUERY_TOO_LARGE", &format!("{n}: batch of 1,000"));
        assert!(!r.text.contains("totalCount"), "{n}: nothing ran");
    }
    cleanup(servers).await;
}

#[tokio::test]
async fn production_hides_the_schema_and_its_suggestions() {
    let production = Config {
        rate_limit: RateLimitSettings {
            enabled: false,
            ..RateLimitSettings::default()
        },
        ..Config::production()
    };
    let servers = fixture_servers(production).await;
    for (backend, server) in &servers {
        let n = backend.name;
        for query in [
            "{ __schema { types { name } } }",
            "{ __type(name: \"User\") { fields { name } } }",
            "{ ...F } fragment F on Query { __schema { queryType { name } } }",
            "{ products { totalCount } t: __type(name: \"Order\") { name } }",
        ] {
            let r = gql(server, None, query, json!({})).await;
            refused(&r, 200, "INTROSPECTION_DISABLED", &format!("{n}: {query}"));
            assert!(!r.text.contains("totalCount"), "{n}: {}", r.text);
        }
        assert_eq!(
            ok(server, None, "{ __typename }").await["__typename"],
            "Query",
            "{n}"
        );

        let r = gql(server, None, "{ productz { totalCount } }", json!({})).await;
        assert!(
            r.data().is_null() && !r.codes().is_empty(),
            "{n}: {}",
            r.text
        );
        for e in r.body["errors"].as_array().expect("errors") {
            let message = e["message"].as_str().expect("message");
            assert!(
                !message.contains("Did you mean") && !message.contains("products"),
                "{n}: production suggests: {message}"
            );
        }
    }
    cleanup(servers).await;
}

// ---------------------------------------------------------------------------------------------
// 4. Rate limit, 5. body limit, 6. CORS

#[tokio::test]
async fn the_fourth_request_of_a_burst_of_three_is_429_per_client_and_per_user() {
    let limited = keyed(Config {
        rate_limit: RateLimitSettings {
            enabled: true,
            // One token a minute: no refill can sneak in between four requests on a slow machine.
            requests_per_minute: 1,
            burst_limit: 3,
        },
        ..Config::testing()
    });
    let servers = fixture_servers(limited).await;
    for (backend, server) in &servers {
        let n = backend.name;
        // Tokens are signed here, not fetched with tokenAuth, so that only these requests spend.
        for token in [None, Some(access("1")), Some(access("2"))] {
            let who = format!(
                "{n}: {}",
                token.as_deref().map_or("anonymous", |_| "a user")
            );
            for i in 0..3 {
                let r = gql(
                    server,
                    token.as_deref(),
                    "{ products { totalCount } }",
                    json!({}),
                )
                .await;
                assert_eq!(r.status, 200, "{who}: request {i}: {}", r.text);
            }
            let r = gql(
                server,
                token.as_deref(),
                "{ products { totalCount } }",
                json!({}),
            )
            .await;
            refused(&r, 429, "RATE_LIMITED", &format!("{who}: the 4th"));
            let retry: u64 = r
                .header("retry-after")
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{who}: no integer Retry-After: {:?}", r.headers));
            assert!(retry > 0, "{who}: Retry-After {retry}");
        }
    }
    cleanup(servers).await;
}

/// `GET /graphql` only reads: a mutation in the query string is refused and writes nothing, and
/// a hostile document in it meets the same limits as over POST.
#[tokio::test]
async fn get_refuses_mutations_and_applies_the_limits() {
    let servers = fixture_servers(keyed(Config::testing())).await;
    for (backend, server) in &servers {
        let n = backend.name;
        let admin = format!("Bearer {}", access("3"));
        let get = |query: &str| {
            let encoded: String = query
                .bytes()
                .map(|b| match b {
                    b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => (b as char).to_string(),
                    _ => format!("%{b:02X}"),
                })
                .collect();
            format!("/graphql?query={encoded}")
        };
        let delete = get("mutation { deleteProduct(id: \"1\") { success } }");
        let r = send(server, "GET", &delete, &[("Authorization", &admin)], b"").await;
        refused(&r, 405, "BAD_USER_INPUT", n);
        assert_eq!(
            product::Entity::find()
                .count(&backend.db)
                .await
                .expect("count"),
            6,
            "{n}: nothing deleted"
        );
        let deep = get(&format!(
            "{{ a{} }}",
            " { a".repeat(1000) + &" }".repeat(1000)
        ));
        let r = send(server, "GET", &deep, &[], b"").await;
        assert_eq!(r.codes(), ["QUERY_TOO_DEEP"], "{n}: {}", r.text);
        let r = send(server, "GET", &get("{ products { totalCount } }"), &[], b"").await;
        assert_eq!(r.data()["products"]["totalCount"], 6, "{n}: {}", r.text);
    }
    cleanup(servers).await;
}

#[tokio::test]
async fn a_10_mb_body_is_413_and_the_server_lives_on() {
    let servers = fixture_servers(Config::testing()).await;
    for (backend, server) in &servers {
        let n = backend.name;
        let padding = "a".repeat(10 << 20);
        let body = format!(
            r#"{{"query": "{{ products {{ totalCount }} }}", "variables": {{"x": "{padding}"}}}}"#
        );
        let r = send(
            server,
            "POST",
            "/graphql",
            &[("Content-Type", "application/json")],
            body.as_bytes(),
        )
        .await;
        refused(&r, 413, "QUERY_TOO_LARGE", &format!("{n}: 10 MB"));
        assert!(
            r.header("content-type")
                .is_some_and(|t| t.starts_with("application/json")),
            "{n}: {:?}",
            r.headers
        );
        let d = ok(server, None, "{ products { totalCount } }").await;
        assert_eq!(d["products"]["totalCount"], 6, "{n}: still answers");
    }
    cleanup(servers).await;
}

#[tokio::test]
async fn cors_allows_the_configured_origin_only() {
    const SHOP: &str = "https://shop.example.com";
    const EVIL: &str = "https://evil.example.com";
    let config = Config {
        cors_allowed_origins: vec![SHOP.into()],
        ..Config::testing()
    };
    let servers = fixture_servers(config).await;
    for (backend, server) in &servers {
        let n = backend.name;
        let body = json!({ "query": "{ products { totalCount } }" }).to_string();
        for origin in [SHOP, EVIL] {
            let preflight = [
                ("Origin", origin),
                ("Access-Control-Request-Method", "POST"),
                (
                    "Access-Control-Request-Headers",
                    "authorization, content-type",
                ),
            ];
            let r = send(server, "OPTIONS", "/graphql", &preflight, b"").await;
            assert!(r.status < 300, "{n}: preflight from {origin}: {}", r.status);
            let post = [("Origin", origin), ("Content-Type", "application/json")];
            let p = send(server, "POST", "/graphql", &post, body.as_bytes()).await;
            assert_eq!(p.data()["products"]["totalCount"], 6, "{n}: {}", p.text);
            for (what, reply) in [("preflight", &r), ("POST", &p)] {
                let allowed = reply.header("access-control-allow-origin");
                if origin == SHOP {
                    assert_eq!(allowed, Some(SHOP), "{n}: {what} from {origin}");
                } else {
                    assert_eq!(
                        allowed, None,
                        "{n}: {what} from {origin}: {:?}",
                        reply.headers
                    );
                    assert!(
                        reply.header("access-control-allow-methods").is_none()
                            && reply.header("access-control-allow-credentials").is_none(),
                        "{n}: {what} from {origin}: {:?}",
                        reply.headers
                    );
                }
            }
        }
    }
    cleanup(servers).await;
}

// ---------------------------------------------------------------------------------------------
// 7. Logs

// One thread: the servers' tasks run where the subscriber is the default.
#[tokio::test(flavor = "current_thread")]
async fn logs_carry_the_request_id_and_never_a_password_or_token() {
    let logs = Captured::default();
    let sink = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || sink.clone())
        .finish();
    // The process's subscriber, not a scoped one: with a scoped subscriber the router's events
    // went missing whenever other tests of this binary ran alongside (callsites they met first
    // stayed without interest). The other tests' logs land here too, and are checked as well.
    tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber");

    let servers = fixture_servers(keyed(Config::testing())).await;
    for (backend, server) in &servers {
        let n = backend.name;
        let r = gql(
            server,
            None,
            "mutation($u: String!, $p: String!) { tokenAuth(username: $u, password: $p) { token refreshToken } }",
            json!({ "u": "alice", "p": FIXTURE_PASSWORD }),
        )
        .await;
        let token = r.data()["tokenAuth"]["token"]
            .as_str()
            .expect("token")
            .to_owned();
        let refresh = r.data()["tokenAuth"]["refreshToken"]
            .as_str()
            .expect("refresh")
            .to_owned();
        let r = gql(server, Some(&token), PROBE, json!({})).await;
        assert!(r.codes().is_empty(), "{n}: {}", r.text);
        let request_id = r.header("x-request-id").expect("request id").to_owned();
        // A failed login with a wrong password: that password must not be logged either.
        let r = gql(
            server,
            None,
            "mutation { tokenAuth(username: \"alice\", password: \"wrong-secret-guess\") { token } }",
            json!({}),
        )
        .await;
        assert_eq!(r.codes(), ["AUTHENTICATION_REQUIRED"], "{n}");

        let text = logs.text();
        assert!(
            text.contains("request_id"),
            "{n}: no request_id in the logs:\n{text}"
        );
        assert!(
            text.contains(&request_id),
            "{n}: the response's id {request_id} is not logged"
        );
        for secret in [
            FIXTURE_PASSWORD,
            "wrong-secret-guess",
            &token,
            &refresh,
            SECRET,
        ] {
            assert!(
                !text.contains(secret),
                "{n}: a secret reached the logs:\n{text}"
            );
        }
        // The signature alone is enough to replay a token: it must not appear either.
        let signature = token.rsplit('.').next().expect("signature");
        assert!(
            !text.contains(signature),
            "{n}: a token signature reached the logs"
        );
    }
    cleanup(servers).await;
}

#[tokio::test]
async fn schema_wide_defaults_apply_where_a_model_names_no_permissions() {
    use gqlgen_runtime::config::BuiltinPermission;
    // The user model names no permissions; products name IsOwnerOrReadOnly.
    let mut config = Config::testing();
    config.access.permissions = vec![BuiltinPermission::IsAuthenticated];
    let servers = fixture_servers(config).await;
    for (backend, server) in &servers {
        let n = backend.name;
        let r = gql(server, None, "{ users { totalCount } }", json!({})).await;
        assert_eq!(r.codes(), ["AUTHENTICATION_REQUIRED"], "{n}: {}", r.text);
        let r = gql(server, None, "{ products { totalCount } }", json!({})).await;
        assert!(
            r.codes().is_empty(),
            "{n}: the model's own list wins: {}",
            r.text
        );
        let alice = login(server, "alice").await;
        let d = ok(server, Some(&alice), "{ users { totalCount } }").await;
        assert_eq!(d["users"]["totalCount"], 3, "{n}");
    }
    cleanup(servers).await;
}

#[tokio::test]
async fn authentication_required_refuses_anonymous_callers_but_lets_them_log_in() {
    let mut config = Config::testing();
    config.access.authentication_required = true;
    let servers = fixture_servers(config.clone()).await;
    for (backend, server) in &servers {
        let n = backend.name;
        for query in [
            "{ products { totalCount } }",
            "{ product(id: Product:1) { name } }",
            "{ node(id: Product:1) { id } }",
            "{ tags { totalCount } }",
            "{ topRatedProducts { totalCount } }",
        ] {
            let r = gql(server, None, query, json!({})).await;
            assert_eq!(
                r.codes(),
                ["AUTHENTICATION_REQUIRED"],
                "{n}: {query}: {}",
                r.text
            );
        }
        let r = gql(
            server,
            None,
            "mutation { createTag(input: {name: \"x\"}) { success } }",
            json!({}),
        )
        .await;
        assert_eq!(r.codes(), ["AUTHENTICATION_REQUIRED"], "{n}: {}", r.text);
        // The seed's `test_unauthorized_access`, and then the way in.
        let alice = login(server, "alice").await;
        let d = ok(
            server,
            Some(&alice),
            "{ products { totalCount } tags { totalCount } }",
        )
        .await;
        assert_eq!(d["products"]["totalCount"], 6, "{n}");

        // The same rules hold for the schema executed directly, without the router.
        let schema = example_app::schema(backend.db.clone(), config.clone());
        let response = schema.execute("{ products { totalCount } }").await;
        let codes: Vec<_> = response
            .errors
            .iter()
            .filter_map(|e| e.extensions.as_ref()?.get("code").cloned())
            .collect();
        assert_eq!(
            codes,
            [async_graphql::Value::from("AUTHENTICATION_REQUIRED")],
            "{n}: {:?}",
            response.errors
        );
    }
    cleanup(servers).await;
}
