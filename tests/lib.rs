//! Shared fixtures of the integration tests: a database per test (SQLite in memory, and a fresh
//! PostgreSQL schema when `DATABASE_URL` names one), the example app's tables with a small,
//! hand-written data set whose answers the tests know, and the router served over real HTTP.

use std::sync::atomic::{AtomicU32, Ordering};

use chrono::{TimeZone, Utc};
use example_app::entities::order::OrderStatus;
use example_app::entities::*;
use gqlgen_runtime::Config;
use gqlgen_runtime::testing::{StatementLog, TestResponse, TestServer};
use rust_decimal::Decimal;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DatabaseConnection, EntityTrait};
use serde_json::{Value, json};

/// One backend under test.
pub struct Backend {
    pub name: &'static str,
    pub db: DatabaseConnection,
    pub statements: StatementLog,
    pg_schema: Option<(String, String)>,
}

static NEXT: AtomicU32 = AtomicU32::new(0);

/// The PostgreSQL URL to test against, if any.
pub fn postgres_url() -> Option<String> {
    std::env::var("DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
}

async fn connect(url: &str, schema: Option<&str>) -> DatabaseConnection {
    let mut options = gqlgen_runtime::db::options(url);
    if let Some(schema) = schema {
        options
            .set_schema_search_path(schema.to_owned())
            .max_connections(4);
    }
    sea_orm::Database::connect(options)
        .await
        .expect("the test database opens")
}

/// SQLite in memory, and PostgreSQL in a schema of its own when `DATABASE_URL` is set; each
/// with the example app's tables and nothing in them.
pub async fn backends() -> Vec<Backend> {
    let mut out = Vec::new();
    let mut db = connect("sqlite::memory:", None).await;
    let statements = StatementLog::record(&mut db);
    example_app::migrate::migrate(&db)
        .await
        .expect("migrate sqlite");
    out.push(Backend {
        name: "sqlite",
        db,
        statements,
        pg_schema: None,
    });
    if let Some(url) = postgres_url() {
        let schema = format!(
            "gqlgen_t_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let admin = connect(&url, None).await;
        admin
            .execute_unprepared(&format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
            ))
            .await
            .expect("create schema");
        let mut db = connect(&url, Some(&schema)).await;
        let statements = StatementLog::record(&mut db);
        example_app::migrate::migrate(&db)
            .await
            .expect("migrate postgres");
        out.push(Backend {
            name: "postgres",
            db,
            statements,
            pg_schema: Some((url, schema)),
        });
    }
    out
}

impl Backend {
    /// Serves the example app's schema over this backend.
    pub async fn serve(&self, config: Config) -> Api {
        let config = example_app::with_signing_key(config);
        let router = example_app::router(self.db.clone(), config).expect("the app starts");
        Api(TestServer::start(router)
            .await
            .expect("bind a loopback port"))
    }

    /// Drops the PostgreSQL schema of this backend.
    pub async fn cleanup(self) {
        if let Some((url, schema)) = self.pg_schema {
            self.db.close().await.ok();
            let admin = connect(&url, None).await;
            admin
                .execute_unprepared(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                .await
                .ok();
        }
    }
}

fn at(day: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, day, 12, 0, 0)
        .single()
        .expect("valid date")
}

fn dec(text: &str) -> Decimal {
    text.parse().expect("decimal literal")
}

/// The SKU of fixture product `id`.
pub fn sku(id: i32) -> uuid::Uuid {
    uuid::Uuid::from_u128(0xabc0_0000 + id as u128)
}

/// Inserts the fixture: 2 users, 3 categories, 6 products, 3 tags, 2 orders with items, tag
/// links and 11 reviews (ratings by product, in id order: 1: 5 3 4, 2: 1, 4: 2 2, 5: 5,
/// 6: 4 1 3 5; product 3 has none). Tags (1 new, 2 sale, 3 café) by product: 1: 1 3, 2: 1,
/// 3: 2 3, 5: 1 2 3, 6: 2.
///
/// | id | name                | description      | price   | stock | weight | active | category | owner |
/// |----|---------------------|------------------|---------|-------|--------|--------|----------|-------|
/// | 1  | Crème Brûlée Torch  | Kitchen torch    | 19.99   | 5     | 0.5    | yes    | 3        | 1     |
/// | 2  | ÉCLAIR pan          | —                | 100.00  | 0     | —      | yes    | 3        | 2     |
/// | 3  | Graphic Novel       | 50% off_sale     | 9.50    | 12    | 1.25   | no     | 2        | 1     |
/// | 4  | graphic design book | Learn design     | 45.00   | 7     | 2.0    | yes    | 1        | 2     |
/// | 5  | Straße Map          | maps of Straße   | 5.00    | 100   | —      | yes    | 1        | 1     |
/// | 6  | Über Lamp           | LIGHT            | 1000.00 | 3     | 3.5    | yes    | 3        | 2     |
///
/// Product `n` was created on 2026-01-0n at noon UTC; products 1 and 4 have JSON attributes.
pub async fn insert_fixture(db: &DatabaseConnection) {
    let users = [(1, "alice"), (2, "bob"), (3, "admin")].map(|(id, name)| user::ActiveModel {
        id: Set(id),
        username: Set(name.to_owned()),
        email: Set(format!("{name}@example.com")),
        password_hash: Set(FIXTURE_PASSWORD_HASH.to_owned()),
        social_security_number: Set(Some("123-45-6789".to_owned())),
        is_staff: Set(name == "admin"),
        is_active: Set(true),
        date_joined: Set(at(1)),
    });
    user::Entity::insert_many(users)
        .exec(db)
        .await
        .expect("users");
    let categories = [
        (1, "Books", None, Some("Paper")),
        (2, "Comics", Some(1), None),
        (3, "Électronique", None, None),
    ]
    .map(|(id, name, parent, description)| category::ActiveModel {
        id: Set(id),
        name: Set(name.to_owned()),
        slug: Set(name.to_lowercase()),
        description: Set(description.map(str::to_owned)),
        parent_id: Set(parent),
        homepage: Set(None),
    });
    category::Entity::insert_many(categories)
        .exec(db)
        .await
        .expect("categories");
    let rows = [
        (
            1,
            "Crème Brûlée Torch",
            Some("Kitchen torch"),
            "19.99",
            5,
            Some(0.5),
            true,
            3,
            1,
        ),
        (2, "ÉCLAIR pan", None, "100.00", 0, None, true, 3, 2),
        (
            3,
            "Graphic Novel",
            Some("50% off_sale"),
            "9.50",
            12,
            Some(1.25),
            false,
            2,
            1,
        ),
        (
            4,
            "graphic design book",
            Some("Learn design"),
            "45.00",
            7,
            Some(2.0),
            true,
            1,
            2,
        ),
        (
            5,
            "Straße Map",
            Some("maps of Straße"),
            "5.00",
            100,
            None,
            true,
            1,
            1,
        ),
        (
            6,
            "Über Lamp",
            Some("LIGHT"),
            "1000.00",
            3,
            Some(3.5),
            true,
            3,
            2,
        ),
    ];
    let products = rows.map(
        |(id, name, description, price, stock, weight, active, category, owner)| {
            product::ActiveModel {
                id: Set(id),
                name: Set(name.to_owned()),
                description: Set(description.map(str::to_owned)),
                price: Set(dec(price)),
                stock: Set(stock),
                weight: Set(weight),
                sku: Set(sku(id)),
                is_active: Set(active),
                attributes: Set((id == 1 || id == 4).then(|| json!({ "color": "red" }))),
                category_id: Set(category),
                owner_id: Set(owner),
                created_at: Set(at(id as u32)),
            }
        },
    );
    product::Entity::insert_many(products)
        .exec(db)
        .await
        .expect("products");
    let tags = [(1, "new"), (2, "sale"), (3, "café")].map(|(id, name)| tag::ActiveModel {
        id: Set(id),
        name: Set(name.to_owned()),
    });
    tag::Entity::insert_many(tags).exec(db).await.expect("tags");
    let orders = [
        (1, 1, OrderStatus::Paid, Some("Ring twice")),
        (2, 2, OrderStatus::Cancelled, None),
    ]
    .map(|(id, user, status, note)| order::ActiveModel {
        id: Set(id),
        user_id: Set(user),
        status: Set(status),
        contact_email: Set(None),
        note: Set(note.map(str::to_owned)),
        created_at: Set(at(10 + id as u32)),
    });
    order::Entity::insert_many(orders)
        .exec(db)
        .await
        .expect("orders");
    let items = [
        (1, 1, 1, 2, "19.99"),
        (2, 1, 6, 1, "1000.00"),
        (3, 2, 5, 3, "5.00"),
    ]
    .map(
        |(id, order, product, quantity, price)| order_item::ActiveModel {
            id: Set(id),
            order_id: Set(order),
            product_id: Set(product),
            quantity: Set(quantity),
            unit_price: Set(dec(price)),
        },
    );
    order_item::Entity::insert_many(items)
        .exec(db)
        .await
        .expect("order items");
    let links = [
        (1, 1),
        (1, 3),
        (2, 1),
        (3, 2),
        (3, 3),
        (5, 1),
        (5, 2),
        (5, 3),
        (6, 2),
    ];
    let links = links.map(|(product, tag)| product_tag::ActiveModel {
        product_id: Set(product),
        tag_id: Set(tag),
    });
    product_tag::Entity::insert_many(links)
        .exec(db)
        .await
        .expect("product tags");
    let ratings = [
        (1, 5),
        (1, 3),
        (1, 4),
        (2, 1),
        (4, 2),
        (4, 2),
        (5, 5),
        (6, 4),
        (6, 1),
        (6, 3),
        (6, 5),
    ];
    let reviews = ratings
        .iter()
        .enumerate()
        .map(|(i, (product, rating))| review::ActiveModel {
            id: Set(i as i32 + 1),
            product_id: Set(*product),
            user_id: Set(i as i32 % 2 + 1),
            rating: Set(*rating),
            comment: Set((i % 2 == 0).then(|| format!("review {}", i + 1))),
            created_at: Set(at(20 + i as u32 % 8)),
        });
    review::Entity::insert_many(reviews)
        .exec(db)
        .await
        .expect("reviews");
    example_app::migrate::reset_sequences(db)
        .await
        .expect("reset sequences");
}

/// The global id of fixture row `key` of GraphQL type `type_name`: what the API answers for
/// its `id`.
pub fn gid(type_name: &str, key: i64) -> String {
    gqlgen_runtime::global_id::encode(type_name, key)
}

/// The primary key inside a global id that the API answered.
pub fn key_of(id: &Value) -> i64 {
    let text = id.as_str().unwrap_or_else(|| panic!("an id, got {id}"));
    let (_, key) = gqlgen_runtime::global_id::split(text)
        .unwrap_or_else(|| panic!("`{text}` is no global id"));
    key.parse().expect("a numeric key")
}

/// `data.<field>.edges[].node.id` as primary keys.
pub fn ids(body: &Value, field: &str) -> Vec<i64> {
    body["data"][field]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("no edges for `{field}` in {body}"))
        .iter()
        .map(|e| key_of(&e["node"]["id"]))
        .collect()
}

/// The example app served over HTTP, as tests talk to it: a query or a variable names a fixture
/// row as `Product:3` (a type name, a colon and a numeric key, bare or quoted), and
/// [`Api::graphql`] sends the row's global id in its place, so that tests read like the data
/// they check. Everything else is the runtime's [`TestServer`]; `tests/global_ids.rs` checks
/// the ids' wire form without this help.
pub struct Api(pub TestServer);

impl std::ops::Deref for Api {
    type Target = TestServer;
    fn deref(&self) -> &TestServer {
        &self.0
    }
}

impl std::ops::DerefMut for Api {
    fn deref_mut(&mut self) -> &mut TestServer {
        &mut self.0
    }
}

impl Api {
    /// [`TestServer::graphql`] with `Type:key` written as global ids.
    pub async fn graphql(&self, query: &str, variables: Value) -> TestResponse {
        self.0
            .graphql(
                &with_global_ids(query),
                variables_with_global_ids(variables),
            )
            .await
    }

    /// [`TestServer::graphql_as`] with `Type:key` written as global ids.
    pub async fn graphql_as(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> TestResponse {
        self.0
            .graphql_as(
                token,
                &with_global_ids(query),
                variables_with_global_ids(variables),
            )
            .await
    }
}

/// `text` with every `Type:key` (an upper-case word right before a colon and digits, and not
/// inside a longer word) replaced by the quoted global id; a quoted one keeps one pair of
/// quotes.
pub fn with_global_ids(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let starts_word = bytes[i].is_ascii_uppercase()
            && (i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_'));
        if starts_word {
            let name_end = i + bytes[i..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric())
                .count();
            let key_end = name_end
                + 1
                + bytes
                    .get(name_end + 1..)
                    .unwrap_or_default()
                    .iter()
                    .take_while(|b| b.is_ascii_digit())
                    .count();
            let word_ends = bytes
                .get(key_end)
                .is_none_or(|b| !(b.is_ascii_alphanumeric() || *b == b'_'));
            if bytes.get(name_end) == Some(&b':') && key_end > name_end + 1 && word_ends {
                let key: i64 = text[name_end + 1..key_end].parse().expect("digits");
                let quoted = out.ends_with('"') && bytes.get(key_end) == Some(&b'"');
                if quoted {
                    out.push_str(&gid(&text[i..name_end], key));
                } else {
                    out.push('"');
                    out.push_str(&gid(&text[i..name_end], key));
                    out.push('"');
                }
                i = key_end;
                continue;
            }
        }
        let ch = text[i..].chars().next().expect("in bounds");
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

/// Variables with every string that is exactly `Type:key` replaced by the global id.
pub fn variables_with_global_ids(value: Value) -> Value {
    match value {
        Value::String(text) => {
            let replaced = with_global_ids(&text);
            match replaced.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
                Some(id) if !id.contains('"') => Value::String(id.to_owned()),
                _ => Value::String(text),
            }
        }
        Value::Array(items) => {
            Value::Array(items.into_iter().map(variables_with_global_ids).collect())
        }
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, variables_with_global_ids(v)))
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod global_id_tokens {
    use super::*;

    #[test]
    fn type_key_tokens_become_global_ids_and_nothing_else_changes() {
        let p3 = gid("Product", 3);
        assert_eq!(
            with_global_ids(
                "{ product(id: Product:3) { id } x: products(filter: {id_In: [\"Product:3\"]}) }"
            ),
            format!(
                "{{ product(id: \"{p3}\") {{ id }} x: products(filter: {{id_In: [\"{p3}\"]}}) }}"
            )
        );
        for unchanged in [
            "a: deleteProduct",
            "... on Product { id }",
            "\"Note: 3\"",
            "AProduct:x",
            "Product:3a",
        ] {
            assert_eq!(with_global_ids(unchanged), unchanged);
        }
        assert_eq!(
            variables_with_global_ids(json!({"ids": ["Tag:1", "Tag: 1"], "n": 1})),
            json!({"ids": [gid("Tag", 1), "Tag: 1"], "n": 1})
        );
    }
}

/// The testing settings with the query-cost limits raised: for tests of relations at page
/// sizes up to 1,000 and depth 4, not of the limits (`security.rs` tests those).
pub fn relaxed() -> Config {
    let mut config = Config::testing();
    config.limits.max_complexity = u64::MAX;
    config.limits.max_aliases = 1_000;
    config.limits.max_depth = 20;
    config
}

/// The password of every fixture user.
pub const FIXTURE_PASSWORD: &str = "fixture-password";

/// The argon2id hash of [`FIXTURE_PASSWORD`].
const FIXTURE_PASSWORD_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$2dqMMVyaROMXHCUw/kcd7g$kfbkHnTmvwZGKT28JmT779Ifot2LQFPbVf7/5Zch2Zw";

/// An access token of fixture user `username`, from `tokenAuth`.
pub async fn login(server: &TestServer, username: &str) -> String {
    login_with(server, username, FIXTURE_PASSWORD).await
}

/// An access token from `tokenAuth` with these credentials.
pub async fn login_with(server: &TestServer, username: &str, password: &str) -> String {
    let body = server
        .graphql_as(
            None,
            "mutation($u: String!, $p: String!) { tokenAuth(username: $u, password: $p) { token } }",
            json!({ "u": username, "p": password }),
        )
        .await
        .body;
    body["data"]["tokenAuth"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("{username} logs in: {body}"))
        .to_owned()
}

/// [`fixture_servers`] whose requests carry the token of `username`.
pub async fn fixture_servers_as(config: Config, username: &str) -> Vec<(Backend, Api)> {
    let mut servers = fixture_servers(config).await;
    for (_, server) in &mut servers {
        server.token = Some(login(server, username).await);
    }
    servers
}

/// Every backend with the fixture inserted, each served with `config`.
pub async fn fixture_servers(config: Config) -> Vec<(Backend, Api)> {
    let mut out = Vec::new();
    for backend in backends().await {
        insert_fixture(&backend.db).await;
        let server = backend.serve(config.clone()).await;
        out.push((backend, server));
    }
    out
}

/// Stops the servers and drops the PostgreSQL schemas of [`fixture_servers`].
pub async fn cleanup(servers: Vec<(Backend, Api)>) {
    for (backend, server) in servers {
        drop(server);
        backend.cleanup().await;
    }
}

/// A log sink a test can read: `tracing_subscriber::fmt().with_writer(move || sink.clone())`.
#[derive(Clone, Default)]
pub struct Captured(pub std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Captured {
    /// What was logged so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
    }

    /// Forgets what was logged so far.
    pub fn clear(&self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The Node.js project `tests/<name>` (a `package.json` with pinned packages), its packages
/// installed on first use, for a test that drives a Node tool; `None` when this machine lacks
/// what the test needs (`node`, and the files of `also_needs`): the test then says it was
/// skipped, unless the environment variable `required_var` is `required` (as `.ci/run` sets),
/// where a missing tool fails it.
pub fn node_project(
    name: &str,
    required_var: &str,
    also_needs: &[&str],
) -> Option<std::path::PathBuf> {
    use std::process::Command;
    let node = Command::new("node").arg("--version").output().is_ok();
    let missing: Vec<&str> = also_needs
        .iter()
        .copied()
        .filter(|path| !std::path::Path::new(path).exists())
        .chain((!node).then_some("node"))
        .collect();
    if !missing.is_empty() {
        let required = std::env::var(required_var).is_ok_and(|v| v == "required");
        assert!(
            !required,
            "{required_var}=required, and {missing:?} is missing"
        );
        eprintln!("skipped: tests/{name} needs {missing:?}");
        return None;
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
    if !dir.join("node_modules").exists() {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .status()
            .expect("npm runs");
        assert!(status.success(), "npm ci in {}", dir.display());
    }
    Some(dir)
}
