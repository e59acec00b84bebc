//! The mixed workload: 64 clients on kept-alive connections reading products with their
//! relations and orders with their items, and creating products with tags and orders with an
//! item. Every request is recorded; every write remembers what it asked for, so that the
//! database can be checked against what the server reported.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::app::{Answer, graphql};
use crate::http::{Conn, Transport};

/// Products with every kind of relation; the price floor varies so that pages differ.
pub const READ_PRODUCTS: &str = "query($min: Decimal!) { products(first: 10, \
    filter: {price_Gte: $min}, orderBy: [{price: ASC}]) { totalCount edges { node { id name \
    price category { name parent { name } } tags { edges { node { name } } } owner { username } \
    reviews(first: 3) { edges { node { rating } } } } } } }";

/// The caller's orders with their items (a private, row-scoped list).
pub const READ_ORDERS: &str = "{ orders(first: 5, orderBy: [{createdAt: DESC}]) { totalCount \
    edges { node { id status note totalAmount itemCount items(first: 5) { edges { node { \
    quantity unitPrice product { name } } } } } } } }";

pub const CREATE_PRODUCT: &str = "mutation($input: ProductCreateInput!) { \
    createProduct(input: $input) { success product { id name } errors { field message code } } }";

pub const CREATE_ORDER: &str = "mutation($input: OrderCreateInput!) { \
    createOrder(input: $input) { success order { id } errors { field message code } } }";

pub const CREATE_ORDER_ITEM: &str = "mutation($input: OrderItemCreateInput!) { \
    createOrderItem(input: $input) { success orderItem { id } errors { field message code } } }";

/// A read that the database must answer: a filter no other request uses.
pub const PROBE: &str =
    "query($name: String!) { products(first: 1, filter: {name: $name}) { totalCount } }";

pub const TOKEN_AUTH: &str = "mutation($username: String!, $password: String!) { \
    tokenAuth(username: $username, password: $password) { token refreshToken } }";

/// What a request was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    ReadProducts,
    ReadOrders,
    CreateProduct,
    CreateOrder,
    CreateOrderItem,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::ReadProducts => "products (anonymous)",
            Kind::ReadOrders => "orders (token)",
            Kind::CreateProduct => "createProduct (token)",
            Kind::CreateOrder => "createOrder (token)",
            Kind::CreateOrderItem => "createOrderItem (token)",
        }
    }

    /// The mutation's field, for writes.
    pub fn field(self) -> Option<&'static str> {
        match self {
            Kind::CreateProduct => Some("createProduct"),
            Kind::CreateOrder => Some("createOrder"),
            Kind::CreateOrderItem => Some("createOrderItem"),
            Kind::ReadProducts | Kind::ReadOrders => None,
        }
    }
}

/// One request: when it was sent (from the start of the load), how long it took, and what came
/// back.
#[derive(Debug, Clone)]
pub struct Record {
    pub kind: Kind,
    pub sent: Duration,
    pub latency: Duration,
    pub answer: Result<Answer, Transport>,
}

impl Record {
    pub fn done(&self) -> Duration {
        self.sent + self.latency
    }

    /// Whether the request did what it was asked: a clean 200, and `success: true` for a write.
    pub fn ok(&self) -> bool {
        match &self.answer {
            Ok(answer) => {
                answer.is_clean()
                    && self
                        .kind
                        .field()
                        .is_none_or(|field| answer.success(field) == Some(true))
            }
            Err(_) => false,
        }
    }
}

/// What the server said about a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reported {
    /// `success: true`.
    Success,
    /// An answer without `success: true`: a top-level error or `success: false`.
    Failure,
    /// No answer (timeout, connection lost): either outcome is allowed, half of one is not.
    Unknown,
}

impl Reported {
    fn of(record: &Record) -> Reported {
        match &record.answer {
            Err(_) => Reported::Unknown,
            Ok(answer) => match record.kind.field().and_then(|f| answer.success(f)) {
                Some(true) => Reported::Success,
                _ => Reported::Failure,
            },
        }
    }
}

/// A `createProduct`: the product's unique name, the tags it asked for, the report.
#[derive(Debug, Clone)]
pub struct ProductWrite {
    pub name: String,
    pub tags: Vec<String>,
    pub reported: Reported,
}

/// A `createOrder` (unique note) and, when it succeeded, the `createOrderItem` that followed.
#[derive(Debug, Clone)]
pub struct OrderWrite {
    pub note: String,
    pub reported: Reported,
    pub item: Option<Reported>,
}

/// Ids the workload needs, read from the seeded database through the API.
pub struct Fixtures {
    /// (name, access token, global user id) of alice and bob.
    pub users: Vec<(String, String, String)>,
    pub categories: Vec<String>,
    /// (global id, name).
    pub tags: Vec<(String, String)>,
    pub products: Vec<String>,
}

/// What one client did.
#[derive(Default)]
pub struct ClientLog {
    pub records: Vec<Record>,
    pub products: Vec<ProductWrite>,
    pub orders: Vec<OrderWrite>,
}

fn nodes(answer: &Answer, path: &[&str]) -> Vec<Value> {
    let mut value = &answer.data;
    for key in path {
        value = &value[*key];
    }
    value["edges"]
        .as_array()
        .map(|edges| edges.iter().map(|e| e["node"].clone()).collect())
        .unwrap_or_default()
}

/// Logs in a demo account: its access token.
pub async fn log_in(addr: SocketAddr, username: &str, password: &str) -> Result<String, String> {
    let mut conn = Conn::new(addr);
    let answer = graphql(
        &mut conn,
        TOKEN_AUTH,
        json!({ "username": username, "password": password }),
        None,
        Duration::from_secs(30),
    )
    .await
    .map_err(|err| format!("tokenAuth as {username}: {err}"))?;
    answer.data["tokenAuth"]["token"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("tokenAuth as {username}: {}", answer.describe()))
}

/// Logs in alice and bob and reads the ids the writes refer to; checks that every query of
/// the workload is answered cleanly before the load starts.
pub async fn fixtures(addr: SocketAddr) -> Result<Fixtures, String> {
    let mut conn = Conn::new(addr);
    let deadline = Duration::from_secs(30);
    let mut ask = async |query: &str, variables: Value, token: Option<&str>| {
        let answer = graphql(&mut conn, query, variables, token, deadline)
            .await
            .map_err(|err| format!("{query:.60}: {err}"))?;
        if answer.is_clean() {
            Ok(answer)
        } else {
            Err(format!("{query:.60}: {}", answer.describe()))
        }
    };
    let mut users = Vec::new();
    for (username, password) in [("alice", "alice-password"), ("bob", "bob-password")] {
        let token = log_in(addr, username, password).await?;
        let answer = ask(
            "query($u: String!) { users(first: 1, filter: {username: $u}) { edges { node { id } } } }",
            json!({ "u": username }),
            Some(&token),
        )
        .await?;
        let id = nodes(&answer, &["users"])
            .first()
            .and_then(|n| n["id"].as_str().map(str::to_owned))
            .ok_or_else(|| format!("no user {username}"))?;
        ask(READ_ORDERS, json!({}), Some(&token)).await?;
        users.push((username.to_owned(), token, id));
    }
    let categories = nodes(
        &ask(
            "{ categories(first: 50) { edges { node { id } } } }",
            json!({}),
            None,
        )
        .await?,
        &["categories"],
    )
    .iter()
    .filter_map(|n| n["id"].as_str().map(str::to_owned))
    .collect::<Vec<_>>();
    let tags = nodes(
        &ask(
            "{ tags(first: 50) { edges { node { id name } } } }",
            json!({}),
            None,
        )
        .await?,
        &["tags"],
    )
    .iter()
    .filter_map(|n| Some((n["id"].as_str()?.to_owned(), n["name"].as_str()?.to_owned())))
    .collect::<Vec<_>>();
    let products = nodes(
        &ask(READ_PRODUCTS, json!({ "min": "0" }), None).await?,
        &["products"],
    )
    .iter()
    .filter_map(|n| n["id"].as_str().map(str::to_owned))
    .collect::<Vec<_>>();
    ask(PROBE, json!({ "name": "soak-probe-setup" }), None).await?;
    if categories.is_empty() || tags.len() < 3 || products.is_empty() {
        return Err("the seeded database lacks categories, tags or products".into());
    }
    Ok(Fixtures {
        users,
        categories,
        tags,
        products,
    })
}

/// A small deterministic generator per client.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// Settings of one client.
pub struct ClientPlan {
    pub index: usize,
    pub run: String,
    pub addr: SocketAddr,
    pub start: Instant,
    pub until: Instant,
    /// How long a request may take before it counts as hung.
    pub deadline: Duration,
}

/// One client: requests back to back on one connection until `until`.
pub async fn client(plan: ClientPlan, fixtures: Arc<Fixtures>) -> ClientLog {
    let mut log = ClientLog::default();
    let mut conn = Conn::new(plan.addr);
    let mut rng = Rng(plan.index as u64 * 7919 + 17);
    let (_, token, user_id) = &fixtures.users[plan.index % fixtures.users.len()];
    let mut sequence = 0;
    while Instant::now() < plan.until {
        sequence += 1;
        let roll = rng.below(100);
        if roll < 45 {
            let min = format!("{}.00", rng.below(900));
            send(
                &mut log,
                &mut conn,
                &plan,
                Kind::ReadProducts,
                READ_PRODUCTS,
                json!({ "min": min }),
                None,
            )
            .await;
        } else if roll < 65 {
            send(
                &mut log,
                &mut conn,
                &plan,
                Kind::ReadOrders,
                READ_ORDERS,
                json!({}),
                Some(token),
            )
            .await;
        } else if roll < 90 {
            let name = format!("soak-{}-{}-{sequence}", plan.run, plan.index);
            let mut tags: Vec<usize> = Vec::new();
            let wanted = 1 + rng.below(3);
            while tags.len() < wanted {
                let tag = rng.below(fixtures.tags.len());
                if !tags.contains(&tag) {
                    tags.push(tag);
                }
            }
            let input = json!({
                "name": name,
                "description": "written by the soak run",
                "price": format!("{}.{:02}", 1 + rng.below(500), rng.below(100)),
                "stock": rng.below(50),
                "sku": uuid::Uuid::new_v4().to_string(),
                "isActive": true,
                "categoryId": fixtures.categories[rng.below(fixtures.categories.len())],
                "ownerId": user_id,
                "tagIds": tags.iter().map(|&t| fixtures.tags[t].0.clone()).collect::<Vec<_>>(),
            });
            let record = send(
                &mut log,
                &mut conn,
                &plan,
                Kind::CreateProduct,
                CREATE_PRODUCT,
                json!({ "input": input }),
                Some(token),
            )
            .await;
            log.products.push(ProductWrite {
                name,
                tags: tags.iter().map(|&t| fixtures.tags[t].1.clone()).collect(),
                reported: Reported::of(&record),
            });
        } else {
            let note = format!("soak-order-{}-{}-{sequence}", plan.run, plan.index);
            let input = json!({ "userId": user_id, "status": "PENDING", "note": note });
            let record = send(
                &mut log,
                &mut conn,
                &plan,
                Kind::CreateOrder,
                CREATE_ORDER,
                json!({ "input": input }),
                Some(token),
            )
            .await;
            let reported = Reported::of(&record);
            let order_id = match &record.answer {
                Ok(answer) if reported == Reported::Success => answer.data["createOrder"]["order"]
                    ["id"]
                    .as_str()
                    .map(str::to_owned),
                _ => None,
            };
            let item = match order_id {
                Some(order_id) => {
                    let input = json!({
                        "orderId": order_id,
                        "productId": fixtures.products[rng.below(fixtures.products.len())],
                        "quantity": 1 + rng.below(3),
                        "unitPrice": "10.00",
                    });
                    let record = send(
                        &mut log,
                        &mut conn,
                        &plan,
                        Kind::CreateOrderItem,
                        CREATE_ORDER_ITEM,
                        json!({ "input": input }),
                        Some(token),
                    )
                    .await;
                    Some(Reported::of(&record))
                }
                None => None,
            };
            log.orders.push(OrderWrite {
                note,
                reported,
                item,
            });
        }
    }
    log
}

async fn send(
    log: &mut ClientLog,
    conn: &mut Conn,
    plan: &ClientPlan,
    kind: Kind,
    query: &str,
    variables: Value,
    token: Option<&str>,
) -> Record {
    let sent = Instant::now();
    let answer = graphql(conn, query, variables, token, plan.deadline).await;
    let record = Record {
        kind,
        sent: sent - plan.start,
        latency: sent.elapsed(),
        answer,
    };
    log.records.push(record.clone());
    record
}

/// One probe: a read the database must answer, on a connection of its own.
#[derive(Debug, Clone)]
pub struct Probe {
    pub sent: Duration,
    pub latency: Duration,
    pub answer: Result<Answer, Transport>,
}

impl Probe {
    pub fn done(&self) -> Duration {
        self.sent + self.latency
    }

    pub fn ok(&self) -> bool {
        self.answer.as_ref().is_ok_and(Answer::is_clean)
    }
}

/// Sends a probe every `every` until `stop` resolves, each on a fresh connection so that a
/// slow one never delays the next; returns them all once each has finished.
pub async fn probes(
    addr: SocketAddr,
    start: Instant,
    every: Duration,
    deadline: Duration,
    stop: tokio::sync::watch::Receiver<bool>,
) -> Vec<Probe> {
    let mut tasks = Vec::new();
    let mut n = 0;
    while !*stop.borrow() {
        n += 1;
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::new(addr);
            let sent = Instant::now();
            let answer = graphql(
                &mut conn,
                PROBE,
                json!({ "name": format!("soak-probe-{n}") }),
                None,
                deadline,
            )
            .await;
            Probe {
                sent: sent - start,
                latency: sent.elapsed(),
                answer,
            }
        }));
        tokio::time::sleep(every).await;
    }
    let mut probes = Vec::new();
    for task in tasks {
        if let Ok(probe) = task.await {
            probes.push(probe);
        }
    }
    probes
}
