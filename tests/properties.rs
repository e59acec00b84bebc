//! Property tests of the read path (issue #9, point 4), over the example app served on SQLite.
//!
//! * [`filters_select_the_rows_a_reference_evaluation_selects`]: random `ProductFilter` trees
//!   inside the limits select exactly the rows that an evaluation of the same tree in Rust
//!   selects. The reference follows SQL's three-valued logic: a comparison with a NULL column is
//!   unknown, `not` of unknown is unknown, and only rows where the filter is true are selected.
//!   Case-insensitive lookups compare Unicode lower case on both sides; `or: []` selects
//!   nothing; `and: []` and `{}` select everything (so `not: {}` selects nothing).
//! * `hostile_*`: inputs that may be outside the limits (deep nesting, wide lists, long
//!   strings, huge `_In` lists, values of the wrong type, random documents and bodies) get an
//!   answer that is not a 5xx, every error carries an `extensions.code` that is not
//!   `INTERNAL_ERROR`, and the server still answers afterwards.
//!
//! The runs are deterministic: a fixed seed and a fixed number of cases. `PROPTEST_CASES`
//! changes the number of cases of every property, `PROPERTIES_SEED` (an integer) the seed.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{TimeZone, Utc};
use example_app::entities::product;
use gqlgen_runtime::Config;
use gqlgen_runtime::testing::TestServer;
use gqlgen_tests::{insert_fixture, relaxed};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{
    Config as ProptestConfig, RngAlgorithm, TestCaseError, TestRng, TestRunner,
};
use rust_decimal::Decimal;
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};
use serde_json::{Map, Value, json};

// ---------------------------------------------------------------------------------------------
// The app under test
// ---------------------------------------------------------------------------------------------

/// The example app on an in-memory SQLite database holding the fixture and [`EXTRA_NAMES`],
/// served over HTTP by a current-thread runtime that the properties drive with `block_on`.
struct App {
    server: TestServer,
    rows: Vec<product::Model>,
    rt: tokio::runtime::Runtime,
}

impl App {
    fn start(config: Config) -> App {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let (server, rows) = rt.block_on(async {
            let options = gqlgen_runtime::db::options("sqlite::memory:");
            let db = sea_orm::Database::connect(options)
                .await
                .expect("in-memory SQLite opens");
            example_app::migrate::migrate(&db).await.expect("migrate");
            insert_fixture(&db).await;
            insert_extra_products(&db).await;
            // The reference evaluates the rows as stored, read back through sea-orm.
            let rows = product::Entity::find().all(&db).await.expect("products");
            let config = example_app::with_signing_key(config);
            let router = example_app::router(db, config).expect("the app starts");
            let server = TestServer::start(router)
                .await
                .expect("bind a loopback port");
            (server, rows)
        });
        App { server, rows, rt }
    }

    /// POSTs `body` to `/graphql`; `Err` when no HTTP answer came back.
    fn post(&self, body: &[u8]) -> Result<gqlgen_runtime::testing::TestResponse, String> {
        let headers = [("Content-Type", "application/json")];
        let response = self
            .rt
            .block_on(self.server.request("POST", "/graphql", &headers, body))
            .map_err(|err| format!("no answer: {err}"))?;
        if response.status == 0 {
            return Err(format!(
                "no answer: the connection closed without a response ({} bytes)",
                response.text.len()
            ));
        }
        Ok(response)
    }

    fn graphql(
        &self,
        query: &str,
        variables: &Value,
    ) -> Result<gqlgen_runtime::testing::TestResponse, String> {
        let body = json!({ "query": query, "variables": variables });
        self.post(body.to_string().as_bytes())
    }

    /// Panics unless the server still answers `/health`.
    fn assert_alive(&self) {
        let response = self
            .rt
            .block_on(self.server.request("GET", "/health", &[], b""))
            .expect("the server still answers after the hostile inputs");
        assert_eq!(response.status, 200, "GET /health: {}", response.text);
    }
}

/// Names of the products added to the fixture (ids 7 onwards): LIKE's wildcards and escape,
/// case pairs whose lower case is not ASCII, and letters whose lower case changes length.
#[rustfmt::skip]
const EXTRA_NAMES: &[&str] = &[
    "", "%", "_", "\\", "100% cotton", "a_b", "a\\b", "aXb", "É", "é", "ÉCLAIRS", "éclairs",
    "İstanbul", "ΣΊΣΥΦΟΣ", "σίσυφος", "STRASSE", "straße", "ǅemal", "MiXeD cAsE", " padded ",
    "quote ' \"", "emoji 😀 ok", "ÀÉÎÕÜ", "àéîõü",
];

const EXTRA_DESCRIPTIONS: &[Option<&str>] = &[
    None,
    Some(""),
    Some("%"),
    None,
    Some("50% OFF"),
    Some("É"),
    Some("é_e"),
    None,
    Some("back\\slash"),
    Some("Straße"),
    Some("İ"),
];

const EXTRA_STOCKS: &[i32] = &[i32::MIN, -1, 0, 1, 5, 7, 12, 100, i32::MAX, 3, 2];

const EXTRA_WEIGHTS: &[Option<f64>] = &[
    None,
    Some(0.0),
    Some(0.5),
    None,
    Some(1.25),
    Some(2.0),
    Some(-1.0),
    None,
    Some(3.5),
    Some(1e10),
];

async fn insert_extra_products(db: &DatabaseConnection) {
    let created = Utc
        .with_ymd_and_hms(2026, 2, 1, 12, 0, 0)
        .single()
        .expect("a valid date");
    let products = EXTRA_NAMES.iter().enumerate().map(|(i, name)| {
        let id = 7 + i as i32;
        product::ActiveModel {
            id: Set(id),
            name: Set((*name).to_owned()),
            description: Set(EXTRA_DESCRIPTIONS[i % EXTRA_DESCRIPTIONS.len()].map(str::to_owned)),
            price: Set(Decimal::new(i as i64 * 125, 2)),
            stock: Set(EXTRA_STOCKS[i % EXTRA_STOCKS.len()]),
            weight: Set(EXTRA_WEIGHTS[i % EXTRA_WEIGHTS.len()]),
            sku: Set(uuid::Uuid::from_u128(0xdef0_0000 + id as u128)),
            is_active: Set(i % 3 != 0),
            attributes: Set(None),
            category_id: Set(i as i32 % 3 + 1),
            owner_id: Set(i as i32 % 2 + 1),
            created_at: Set(created),
        }
    });
    product::Entity::insert_many(products)
        .exec(db)
        .await
        .expect("extra products");
}

// ---------------------------------------------------------------------------------------------
// Running properties deterministically
// ---------------------------------------------------------------------------------------------

/// A runner with `cases` cases (unless `PROPTEST_CASES` says otherwise), a fixed seed (unless
/// `PROPERTIES_SEED` says otherwise) and no regression files.
fn runner(cases: u32, salt: u64) -> TestRunner {
    let mut config = ProptestConfig {
        failure_persistence: None,
        max_shrink_iters: 256,
        ..ProptestConfig::default()
    };
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = cases;
    }
    let seed = std::env::var("PROPERTIES_SEED")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(0x9e37_79b9_7f4a_7c15);
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    bytes[8..16].copy_from_slice(&salt.to_le_bytes());
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
}

/// Runs `test` on `cases` values of `strategy`, panicking with the smallest failing value.
fn check<S: Strategy>(
    name: &str,
    cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), String>,
) {
    let salt = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    let result =
        runner(cases, salt).run(&strategy, |value| test(value).map_err(TestCaseError::fail));
    if let Err(err) = result {
        panic!("{name}: {err}");
    }
}

// ---------------------------------------------------------------------------------------------
// 1. Filters select the rows a reference evaluation selects
// ---------------------------------------------------------------------------------------------

const FILTERED: &str = "query($f: ProductFilter) { products(filter: $f, first: 100) { \
                        edges { node { id } } totalCount } }";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TextOp {
    Exact,
    Iexact,
    Contains,
    Icontains,
    Startswith,
    Istartswith,
    Endswith,
    Iendswith,
}

const TEXT_OPS: &[TextOp] = &[
    TextOp::Exact,
    TextOp::Iexact,
    TextOp::Contains,
    TextOp::Icontains,
    TextOp::Startswith,
    TextOp::Istartswith,
    TextOp::Endswith,
    TextOp::Iendswith,
];

impl TextOp {
    fn suffix(self) -> &'static str {
        match self {
            TextOp::Exact => "",
            TextOp::Iexact => "_Iexact",
            TextOp::Contains => "_Contains",
            TextOp::Icontains => "_Icontains",
            TextOp::Startswith => "_Startswith",
            TextOp::Istartswith => "_Istartswith",
            TextOp::Endswith => "_Endswith",
            TextOp::Iendswith => "_Iendswith",
        }
    }

    /// Whether `column` matches `value`: `LIKE` with every wildcard escaped is a plain
    /// substring test, and the case-insensitive lookups lower-case both sides.
    fn matches(self, column: &str, value: &str) -> bool {
        let (column, value) = match self {
            TextOp::Iexact | TextOp::Icontains | TextOp::Istartswith | TextOp::Iendswith => {
                (column.to_lowercase(), value.to_lowercase())
            }
            _ => (column.to_owned(), value.to_owned()),
        };
        match self {
            TextOp::Exact | TextOp::Iexact => column == value,
            TextOp::Contains | TextOp::Icontains => column.contains(&value),
            TextOp::Startswith | TextOp::Istartswith => column.starts_with(&value),
            TextOp::Endswith | TextOp::Iendswith => column.ends_with(&value),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Exact,
    Gt,
    Gte,
    Lt,
    Lte,
}

const CMPS: &[Cmp] = &[Cmp::Exact, Cmp::Gt, Cmp::Gte, Cmp::Lt, Cmp::Lte];

impl Cmp {
    fn suffix(self) -> &'static str {
        match self {
            Cmp::Exact => "",
            Cmp::Gt => "_Gt",
            Cmp::Gte => "_Gte",
            Cmp::Lt => "_Lt",
            Cmp::Lte => "_Lte",
        }
    }

    fn holds<T: PartialOrd>(self, column: T, value: T) -> bool {
        match self {
            Cmp::Exact => column == value,
            Cmp::Gt => column > value,
            Cmp::Gte => column >= value,
            Cmp::Lt => column < value,
            Cmp::Lte => column <= value,
        }
    }
}

/// One lookup of `ProductFilter`.
#[derive(Debug, Clone)]
enum Lookup {
    Name(TextOp, String),
    NameIn(Vec<String>),
    Stock(Cmp, i32),
    StockRange(i32, i32),
    StockIn(Vec<i32>),
    IsActive(bool),
    /// `weight_Gt` (true) or `weight_Lt` (false).
    Weight(bool, f64),
    WeightIsnull(bool),
    DescriptionIsnull(bool),
    DescriptionIcontains(String),
}

impl Lookup {
    fn key(&self) -> String {
        match self {
            Lookup::Name(op, _) => format!("name{}", op.suffix()),
            Lookup::NameIn(_) => "name_In".to_owned(),
            Lookup::Stock(cmp, _) => format!("stock{}", cmp.suffix()),
            Lookup::StockRange(..) => "stock_Range".to_owned(),
            Lookup::StockIn(_) => "stock_In".to_owned(),
            Lookup::IsActive(_) => "isActive".to_owned(),
            Lookup::Weight(true, _) => "weight_Gt".to_owned(),
            Lookup::Weight(false, _) => "weight_Lt".to_owned(),
            Lookup::WeightIsnull(_) => "weight_Isnull".to_owned(),
            Lookup::DescriptionIsnull(_) => "description_Isnull".to_owned(),
            Lookup::DescriptionIcontains(_) => "description_Icontains".to_owned(),
        }
    }

    fn value(&self) -> Value {
        match self {
            Lookup::Name(_, v) | Lookup::DescriptionIcontains(v) => json!(v),
            Lookup::NameIn(vs) => json!(vs),
            Lookup::Stock(_, v) => json!(v),
            Lookup::StockRange(low, high) => json!([low, high]),
            Lookup::StockIn(vs) => json!(vs),
            Lookup::Weight(_, v) => json!(v),
            Lookup::IsActive(v) | Lookup::WeightIsnull(v) | Lookup::DescriptionIsnull(v) => {
                json!(v)
            }
        }
    }

    /// The lookup on `row`; `None` is SQL's unknown (a comparison with NULL).
    fn holds(&self, row: &product::Model) -> Option<bool> {
        Some(match self {
            Lookup::Name(op, v) => op.matches(&row.name, v),
            Lookup::NameIn(vs) => vs.contains(&row.name),
            Lookup::Stock(cmp, v) => cmp.holds(row.stock, *v),
            Lookup::StockRange(low, high) => *low <= row.stock && row.stock <= *high,
            Lookup::StockIn(vs) => vs.contains(&row.stock),
            Lookup::IsActive(v) => row.is_active == *v,
            Lookup::Weight(gt, v) => {
                let cmp = if *gt { Cmp::Gt } else { Cmp::Lt };
                cmp.holds(row.weight?, *v)
            }
            Lookup::WeightIsnull(v) => row.weight.is_none() == *v,
            Lookup::DescriptionIsnull(v) => row.description.is_none() == *v,
            Lookup::DescriptionIcontains(v) => {
                TextOp::Icontains.matches(row.description.as_deref()?, v)
            }
        })
    }
}

/// A `ProductFilter`: lookups (each key once) AND-ed with `and`, `or` and `not`.
#[derive(Clone)]
struct Filter {
    lookups: Vec<Lookup>,
    and: Option<Vec<Filter>>,
    or: Option<Vec<Filter>>,
    not: Option<Box<Filter>>,
}

/// Kleene's AND: false wins over unknown.
fn and3(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

/// Kleene's OR: true wins over unknown.
fn or3(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    }
}

impl Filter {
    fn to_json(&self) -> Value {
        let mut object = Map::new();
        for lookup in &self.lookups {
            object.insert(lookup.key(), lookup.value());
        }
        if let Some(and) = &self.and {
            object.insert("and".into(), and.iter().map(Filter::to_json).collect());
        }
        if let Some(or) = &self.or {
            object.insert("or".into(), or.iter().map(Filter::to_json).collect());
        }
        if let Some(not) = &self.not {
            object.insert("not".into(), not.to_json());
        }
        Value::Object(object)
    }

    /// The filter on `row`, in three-valued logic.
    fn holds(&self, row: &product::Model) -> Option<bool> {
        let mut result = Some(true);
        for lookup in &self.lookups {
            result = and3(result, lookup.holds(row));
        }
        for filter in self.and.iter().flatten() {
            result = and3(result, filter.holds(row));
        }
        if let Some(or) = &self.or {
            let mut any = Some(false);
            for filter in or {
                any = or3(any, filter.holds(row));
            }
            result = and3(result, any);
        }
        if let Some(not) = &self.not {
            result = and3(result, not.holds(row).map(|b| !b));
        }
        result
    }
}

impl fmt::Debug for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_json())
    }
}

/// Values of the text lookups: LIKE's wildcards and escape, case pairs, parts of the names.
#[rustfmt::skip]
const TEXTS: &[&str] = &[
    "", "%", "_", "\\", "%%", "_%", "a", "A", "b", "X", "a_b", "a%b", "a\\b", "\\b", "100%", "% c",
    "cotton", "COTTON", "É", "é", "éc", "ÉC", "ÉCLAIR", "éclair", "clair", "ß", "SS", "ss",
    "straße", "STRASSE", "strasse", "İ", "i̇", "i", "istanbul", "Σ", "σ", "ς", "σίσυφος",
    "ΣΊΣΥΦΟΣ", "ǅ", "ǆ", "Ǆ", "graphic", "Graphic", "GRAPHIC", "raph", "Lamp", "lamp", "Über",
    "über", "crème", "CRÈME BRÛLÉE", "torch", " ", "padded ", "'", "\"", "😀", "mixed case",
    "MiXeD cAsE", "ÀÉÎÕÜ", "àéîõü", "Novel", "book", "pan", "Map", "light", "off_sale",
];

#[rustfmt::skip]
const ALPHABET: &[char] = &[
    'a', 'A', 'b', 'x', ' ', '%', '_', '\\', '\'', 'É', 'é', 'ß', 'İ', 'Σ', 'σ', 'ς', 'ǅ', '😀',
];

#[rustfmt::skip]
const STOCKS: &[i32] = &[
    i32::MIN, i32::MIN + 1, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 12, 99, 100, 101, i32::MAX - 1,
    i32::MAX,
];

#[rustfmt::skip]
const WEIGHTS: &[f64] = &[
    -1e300, -1.0, -0.0, 0.0, 0.25, 0.5, 1.0, 1.25, 2.0, 3.5, 10.0, 1e10, 1e300,
];

/// The names of the fixture's products (the others are [`EXTRA_NAMES`]).
const FIXTURE_NAMES: &[&str] = &[
    "Crème Brûlée Torch",
    "ÉCLAIR pan",
    "Graphic Novel",
    "graphic design book",
    "Straße Map",
    "Über Lamp",
];

/// A part of a stored name, as stored, upper-cased or lower-cased: values that select rows.
fn name_part() -> impl Strategy<Value = String> {
    let name = prop_oneof![select(FIXTURE_NAMES), select(EXTRA_NAMES)];
    (name, 0..12usize, 0..20usize, 0..4u8).prop_map(|(name, start, len, case)| {
        let chars: Vec<char> = name.chars().collect();
        let start = start.min(chars.len());
        let end = (start + len).min(chars.len());
        let part: String = chars[start..end].iter().collect();
        match case {
            0 => part.to_uppercase(),
            1 => part.to_lowercase(),
            _ => part,
        }
    })
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => select(TEXTS).prop_map(str::to_owned),
        3 => name_part(),
        1 => vec(select(ALPHABET), 0..4).prop_map(String::from_iter),
    ]
}

fn stock() -> impl Strategy<Value = i32> {
    prop_oneof![
        6 => select(STOCKS),
        2 => -20..120i32,
        1 => any::<i32>(),
    ]
}

fn lookup() -> impl Strategy<Value = Lookup> {
    prop_oneof![
        4 => (select(TEXT_OPS), text()).prop_map(|(op, v)| Lookup::Name(op, v)),
        1 => vec(text(), 0..4).prop_map(Lookup::NameIn),
        2 => (select(CMPS), stock()).prop_map(|(cmp, v)| Lookup::Stock(cmp, v)),
        1 => (stock(), stock()).prop_map(|(low, high)| Lookup::StockRange(low, high)),
        1 => vec(stock(), 0..4).prop_map(Lookup::StockIn),
        1 => any::<bool>().prop_map(Lookup::IsActive),
        1 => (any::<bool>(), select(WEIGHTS)).prop_map(|(gt, v)| Lookup::Weight(gt, v)),
        1 => any::<bool>().prop_map(Lookup::WeightIsnull),
        1 => any::<bool>().prop_map(Lookup::DescriptionIsnull),
        1 => text().prop_map(Lookup::DescriptionIcontains),
    ]
}

/// Lookups with distinct keys: an input object names each field once.
fn lookups(range: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = Vec<Lookup>> {
    vec(lookup(), range).prop_map(|lookups| {
        let mut seen = BTreeSet::new();
        lookups
            .into_iter()
            .filter(|l| seen.insert(l.key()))
            .collect()
    })
}

/// A list of filters, now and then empty.
fn filters(inner: impl Strategy<Value = Filter> + Clone) -> impl Strategy<Value = Vec<Filter>> {
    prop_oneof![8 => vec(inner, 1..=3), 1 => Just(Vec::new())]
}

/// Filter trees with `and` / `or` / `not` nested up to four deep.
fn filter() -> impl Strategy<Value = Filter> {
    let leaf =
        prop_oneof![12 => lookups(1..=2), 1 => Just(Vec::new())].prop_map(|lookups| Filter {
            lookups,
            and: None,
            or: None,
            not: None,
        });
    leaf.prop_recursive(4, 40, 3, |inner| {
        (
            lookups(0..=1),
            proptest::option::weighted(0.3, filters(inner.clone())),
            proptest::option::weighted(0.4, filters(inner.clone())),
            proptest::option::weighted(0.3, inner.prop_map(Box::new)),
        )
            .prop_map(|(lookups, and, or, not)| Filter {
                lookups,
                and,
                or,
                not,
            })
    })
}

#[test]
fn filters_select_the_rows_a_reference_evaluation_selects() {
    let app = App::start(relaxed());
    assert!(
        app.rows.len() > 20 && app.rows.len() <= 100,
        "one page holds every row"
    );
    check("filters", 256, filter(), |filter| {
        let variables = json!({ "f": filter.to_json() });
        let response = app.graphql(FILTERED, &variables)?;
        let expected: BTreeSet<i64> = app
            .rows
            .iter()
            .filter(|row| filter.holds(row) == Some(true))
            .map(|row| i64::from(row.id))
            .collect();
        if response.status != 200 || !response.codes().is_empty() {
            return Err(format!(
                "status {} with errors {}",
                response.status, response.body["errors"]
            ));
        }
        let found: BTreeSet<i64> = gqlgen_tests::ids(&response.body, "products")
            .into_iter()
            .collect();
        if found != expected {
            return Err(format!(
                "selected {found:?}; the reference selects {expected:?} (only in the answer: \
                 {:?}, only in the reference: {:?})",
                found.difference(&expected).collect::<Vec<_>>(),
                expected.difference(&found).collect::<Vec<_>>()
            ));
        }
        let total = &response.body["data"]["products"]["totalCount"];
        if total.as_u64() != Some(expected.len() as u64) {
            return Err(format!(
                "totalCount {total}; {} rows are selected",
                expected.len()
            ));
        }
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------
// 2. Hostile inputs get a coded answer
// ---------------------------------------------------------------------------------------------

/// One hostile request: a GraphQL document with variables, or a raw body.
#[derive(Clone)]
enum Hostile {
    Graphql {
        label: String,
        query: String,
        variables: Value,
    },
    Raw {
        label: String,
        body: Vec<u8>,
    },
}

impl Hostile {
    fn graphql(label: impl Into<String>, query: impl Into<String>, variables: Value) -> Self {
        Hostile::Graphql {
            label: label.into(),
            query: query.into(),
            variables,
        }
    }

    /// A `products` query with filter `filter` as the variable `$f`.
    fn filter(label: impl Into<String>, filter: Value) -> Self {
        Hostile::graphql(
            label,
            "query($f: ProductFilter) { products(filter: $f, first: 5) { totalCount \
             edges { node { id } } } }",
            json!({ "f": filter }),
        )
    }

    /// A `products` query with `filter` written into the document.
    fn inline_filter(label: impl Into<String>, filter: &Value) -> Self {
        Hostile::graphql(
            label,
            format!(
                "{{ products(filter: {}, first: 5) {{ totalCount edges {{ node {{ id }} }} }} }}",
                literal(filter)
            ),
            json!({}),
        )
    }

    fn body(&self) -> Vec<u8> {
        match self {
            Hostile::Graphql {
                query, variables, ..
            } => json!({ "query": query, "variables": variables })
                .to_string()
                .into_bytes(),
            Hostile::Raw { body, .. } => body.clone(),
        }
    }
}

/// The start of a long text, with its length.
fn clip(text: &str) -> String {
    const MAX: usize = 400;
    if text.len() <= MAX {
        return text.to_owned();
    }
    let mut end = MAX;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes)", &text[..end], text.len())
}

impl fmt::Debug for Hostile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Hostile::Graphql {
                label,
                query,
                variables,
            } => write!(
                f,
                "[{label}] query: {} variables: {}",
                clip(query),
                clip(&variables.to_string())
            ),
            Hostile::Raw { label, body } => {
                write!(
                    f,
                    "[{label}] body: {}",
                    clip(&String::from_utf8_lossy(body))
                )
            }
        }
    }
}

/// A JSON value as a GraphQL literal. Strings keep JSON's escapes, which GraphQL shares.
fn literal(value: &Value) -> String {
    match value {
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(literal).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(fields) => {
            let fields: Vec<String> = fields
                .iter()
                .map(|(k, v)| format!("{k}: {}", literal(v)))
                .collect();
            format!("{{{}}}", fields.join(", "))
        }
        other => other.to_string(),
    }
}

/// The answer is an HTTP answer below 500 whose body is GraphQL's response shape (or a batch
/// of them), and each of its errors has a code other than `INTERNAL_ERROR`.
fn coded_answer(app: &App, request: &Hostile) -> Result<(), String> {
    let response = app.post(&request.body())?;
    if response.status >= 500 {
        return Err(format!(
            "status {}: {}",
            response.status,
            clip(&response.text)
        ));
    }
    let responses: Vec<&Value> = match &response.body {
        Value::Array(batch) => batch.iter().collect(),
        Value::Object(_) => vec![&response.body],
        _ => {
            return Err(format!(
                "status {}, a body that is not GraphQL's response: {}",
                response.status,
                clip(&response.text)
            ));
        }
    };
    for body in responses {
        if body.get("data").is_none() && body.get("errors").is_none() {
            return Err(format!(
                "neither data nor errors: {}",
                clip(&body.to_string())
            ));
        }
        for error in body["errors"].as_array().into_iter().flatten() {
            match error["extensions"]["code"].as_str() {
                None => return Err(format!("an error without a code: {error}")),
                Some("INTERNAL_ERROR") => {
                    return Err(format!("INTERNAL_ERROR: {}", clip(&error.to_string())));
                }
                Some(_) => {}
            }
        }
    }
    Ok(())
}

/// Sends each fixed request and then `cases` random ones, and panics listing every fixed
/// request that failed, or the smallest random one.
fn hostile<S>(name: &str, fixed: Vec<Hostile>, cases: u32, strategy: S)
where
    S: Strategy<Value = Hostile>,
{
    let app = App::start(Config::testing());
    let failures: Vec<String> = fixed
        .iter()
        .filter_map(|request| {
            coded_answer(&app, request)
                .err()
                .map(|err| format!("{request:?}\n    -> {err}"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{name}: {} of {} fixed inputs fail:\n{}",
        failures.len(),
        fixed.len(),
        failures.join("\n")
    );
    check(name, cases, strategy, |request| {
        coded_answer(&app, &request)
    });
    app.assert_alive();
}

/// A small lookup, the leaf of hostile trees.
fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!({})),
        Just(json!({ "stock_Gt": 1 })),
        Just(json!({ "name_Icontains": "a%_\\é" })),
        Just(json!({ "weight_Isnull": true })),
        Just(json!({ "category_Name_Icontains": "b" })),
        Just(json!({ "price_Range": ["1", "100"] })),
    ]
}

/// `leaf` under `depth` levels of `not`, `and`, `or` (kinds cycle through `kinds`).
fn nest(depth: usize, kinds: &[u8], leaf: Value) -> Value {
    let mut value = leaf;
    for i in 0..depth {
        value = match kinds.get(i % kinds.len().max(1)).copied().unwrap_or(0) % 3 {
            0 => json!({ "not": value }),
            1 => json!({ "and": [value] }),
            _ => json!({ "or": [value, { "stock": 1 }] }),
        };
    }
    value
}

#[test]
fn hostile_deep_filters() {
    let mut fixed = Vec::new();
    for depth in [11, 32, 33, 64, 80] {
        for (kind, kinds) in [("not", [0u8]), ("and", [1]), ("or", [2])] {
            let filter = nest(depth, &kinds, json!({ "stock_Gt": 1 }));
            fixed.push(Hostile::filter(format!("{kind} × {depth}"), filter.clone()));
            fixed.push(Hostile::inline_filter(
                format!("inline {kind} × {depth}"),
                &filter,
            ));
        }
    }
    let strategy = (0..=80usize, vec(any::<u8>(), 1..8), leaf(), any::<bool>()).prop_map(
        |(depth, kinds, leaf, inline)| {
            let filter = nest(depth, &kinds, leaf);
            let label = format!("depth {depth}");
            if inline {
                Hostile::inline_filter(label, &filter)
            } else {
                Hostile::filter(label, filter)
            }
        },
    );
    hostile("hostile_deep_filters", fixed, 48, strategy);
}

/// `and` / `or` of `width` lookups, or of `width` lists of `width` lookups when `square`.
fn wide(kind: &str, width: usize, square: bool) -> Value {
    let item = |i: usize| {
        if i.is_multiple_of(2) {
            json!({ "stock": i })
        } else {
            json!({ "name_Icontains": format!("x{i}") })
        }
    };
    let items: Vec<Value> = if square {
        (0..width)
            .map(|i| json!({ "and": (0..width).map(|j| item(i * width + j)).collect::<Vec<_>>() }))
            .collect()
    } else {
        (0..width).map(item).collect()
    };
    json!({ kind: items })
}

#[test]
fn hostile_wide_filters() {
    let mut fixed = Vec::new();
    for width in [1000, 1001, 3000] {
        for kind in ["or", "and"] {
            fixed.push(Hostile::filter(
                format!("{kind} of {width}"),
                wide(kind, width, false),
            ));
        }
    }
    fixed.push(Hostile::filter("or of 60 and of 60", wide("or", 60, true)));
    fixed.push(Hostile::inline_filter(
        "inline or of 3000",
        &wide("or", 3000, false),
    ));
    let width = prop_oneof![0..=3000usize, Just(3000)];
    let strategy = (width, any::<bool>(), any::<bool>()).prop_map(|(width, or, square)| {
        let kind = if or { "or" } else { "and" };
        let width = if square { width / 40 } else { width };
        Hostile::filter(
            format!("{kind} of {width}{}", if square { " squared" } else { "" }),
            wide(kind, width, square),
        )
    });
    hostile("hostile_wide_filters", fixed, 16, strategy);
}

#[rustfmt::skip]
const TEXT_FIELDS: &[&str] = &[
    "name", "name_Iexact", "name_Contains", "name_Icontains", "name_Startswith",
    "name_Istartswith", "name_Endswith", "name_Iendswith", "description_Icontains",
    "category_Name", "category_Name_Icontains", "category_Slug", "owner_Username_Icontains",
    "owner_Email_Iexact",
];

const LONG_CHARS: &[char] = &['a', 'É', '%', '_', '\\', '😀', '\u{0}', '"', '\n'];

/// `length` characters repeating `pattern`.
fn long_text(pattern: &[char], length: usize) -> String {
    pattern.iter().copied().cycle().take(length).collect()
}

#[test]
fn hostile_long_strings() {
    let mut fixed = Vec::new();
    for field in TEXT_FIELDS {
        for length in [1000, 1001, 50_001, 100_000] {
            for pattern in [&['a'][..], &['%', '_'], &['é', '😀']] {
                let value = long_text(pattern, length);
                fixed.push(Hostile::filter(
                    format!("{field}: {length} × {pattern:?}"),
                    json!({ *field: value }),
                ));
            }
        }
    }
    fixed.push(Hostile::filter(
        "name_In with a 100,000-character item",
        json!({ "name_In": [long_text(&['%'], 100_000)] }),
    ));
    fixed.push(Hostile::inline_filter(
        "inline 100,000-character name_Icontains",
        &json!({ "name_Icontains": long_text(&['a'], 100_000) }),
    ));
    fixed.push(Hostile::graphql(
        "100,000-character after cursor",
        "query($a: String) { products(after: $a, first: 5) { totalCount } }",
        json!({ "a": long_text(&['Q'], 100_000) }),
    ));
    let length = prop_oneof![0..=100_000usize, Just(100_000), 990..=1010usize];
    let strategy = (select(TEXT_FIELDS), length, vec(select(LONG_CHARS), 1..6)).prop_map(
        |(field, length, pattern)| {
            Hostile::filter(
                format!("{field}: {length} × {pattern:?}"),
                json!({ field: long_text(&pattern, length) }),
            )
        },
    );
    hostile("hostile_long_strings", fixed, 32, strategy);
}

/// A list of `n` values for the `_In` lookup `field`.
fn in_list(field: &str, n: usize) -> Value {
    let values: Vec<Value> = (0..n)
        .map(|i| match field {
            "stock_In" => json!(i as i64 - 5),
            "price_In" => json!(format!("{i}.5")),
            "sku_In" => json!(uuid::Uuid::from_u128(i as u128).to_string()),
            "id_In" | "category_In" | "owner_In" | "category_Parent_In" => json!(i.to_string()),
            _ => json!(format!("n{i}")),
        })
        .collect();
    Value::Array(values)
}

#[rustfmt::skip]
const IN_FIELDS: &[&str] = &[
    "name_In", "stock_In", "price_In", "sku_In", "id_In", "category_In", "owner_In",
    "category_Slug_In", "category_Parent_In", "owner_Username_In",
];

#[test]
fn hostile_in_lists() {
    let mut fixed = Vec::new();
    for field in IN_FIELDS {
        let sizes: &[usize] = match *field {
            "name_In" | "stock_In" => &[1000, 1001, 10_001, 40_000, 100_000],
            _ => &[1001, 100_000],
        };
        for &n in sizes {
            fixed.push(Hostile::filter(
                format!("{field} of {n}"),
                json!({ *field: in_list(field, n) }),
            ));
        }
    }
    // Many lists under the length limit that add up to more values than SQLite binds.
    for branches in [11, 34, 40] {
        let or: Vec<Value> = (0..branches)
            .map(|_| json!({ "stock_In": in_list("stock_In", 999) }))
            .collect();
        fixed.push(Hostile::filter(
            format!("or of {branches} stock_In lists of 999"),
            json!({ "or": or }),
        ));
    }
    fixed.push(Hostile::graphql(
        "orderBy of 5,000",
        "query($o: [ProductOrderBy!]) { products(orderBy: $o, first: 5) { totalCount } }",
        json!({ "o": vec![json!({ "name": "ASC" }); 5000] }),
    ));
    let n = prop_oneof![0..=100_000usize, 995..=1005usize, Just(100_000)];
    let strategy = (select(IN_FIELDS), n, 1..=40usize).prop_map(|(field, n, branches)| {
        let per_branch = n / branches;
        let or: Vec<Value> = (0..branches)
            .map(|_| json!({ field: in_list(field, per_branch) }))
            .collect();
        Hostile::filter(
            format!("or of {branches} {field} lists of {per_branch}"),
            json!({ "or": or }),
        )
    });
    hostile("hostile_in_lists", fixed, 16, strategy);
}

/// Every field of `ProductFilter`.
#[rustfmt::skip]
const PRODUCT_FILTER_FIELDS: &[&str] = &[
    "id", "id_In", "name", "name_Iexact", "name_Contains", "name_Icontains", "name_Startswith",
    "name_Istartswith", "name_Endswith", "name_Iendswith", "name_In", "description_Icontains",
    "description_Isnull", "price", "price_In", "price_Gt", "price_Gte", "price_Lt", "price_Lte",
    "price_Range", "stock", "stock_Gt", "stock_Gte", "stock_Lt", "stock_Lte", "stock_Range",
    "stock_In", "weight_Gt", "weight_Lt", "weight_Isnull", "sku", "sku_In", "isActive",
    "attributes_Isnull", "category", "category_In", "owner", "owner_In", "createdAt_Gt",
    "createdAt_Gte", "createdAt_Lt", "createdAt_Lte", "createdAt_Range", "category_Id",
    "category_Id_In", "category_Name", "category_Name_Icontains", "category_Name_Istartswith",
    "category_Slug", "category_Slug_In", "category_Description_Icontains",
    "category_Description_Isnull", "category_Parent", "category_Parent_In",
    "category_Parent_Isnull", "owner_Id", "owner_Id_In", "owner_Username", "owner_Username_Iexact",
    "owner_Username_Icontains", "owner_Username_Istartswith", "owner_Username_In", "owner_Email",
    "owner_Email_Iexact", "owner_Email_Icontains", "owner_IsStaff", "owner_IsActive",
    "owner_DateJoined_Gte", "owner_DateJoined_Lte", "owner_DateJoined_Range", "and", "or", "not",
];

/// Strings that look like values of some scalar and are wrong or extreme for others.
#[rustfmt::skip]
const ODD_STRINGS: &[&str] = &[
    "", "1", "-1", "1.5", "1e400", "-0", "NaN", "inf", "99999999999999999999999999999",
    "79228162514264337593543950336", "0.0000000000000000000000000000001", "2026-01-01T00:00:00Z",
    "2026-13-45T99:99:99Z", "+999999-01-01T00:00:00Z", "00000000-0000-0000-0000-000000000000",
    "not-a-uuid", "ASC", "DESC", "null", "\u{0}", "%", "\\", "É", "UHJvZHVjdDox", "Product:1",
    "9223372036854775808", "-9223372036854775809",
];

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        select(STOCKS).prop_map(Value::from),
        any::<f64>().prop_map(|f| if f.is_finite() { json!(f) } else { json!(0.5) }),
        select(ODD_STRINGS).prop_map(Value::from),
        vec(any::<char>(), 0..12).prop_map(|c| Value::from(String::from_iter(c))),
    ]
}

fn filter_key() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => select(PRODUCT_FILTER_FIELDS).prop_map(str::to_owned),
        1 => vec(select(&['a', 'z', '_', 'N', '0'][..]), 1..8).prop_map(String::from_iter),
    ]
}

/// Random JSON whose objects mostly use `ProductFilter`'s field names.
fn json_value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Value::Array),
            vec((filter_key(), inner), 0..6)
                .prop_map(|fields| Value::Object(fields.into_iter().collect())),
        ]
    })
}

#[test]
fn hostile_wrong_types() {
    let fixed = vec![
        Hostile::filter("filter is a string", json!("stock > 1")),
        Hostile::filter("filter is a list", json!([{ "stock": 1 }])),
        Hostile::filter("stock is huge", json!({ "stock": 1u64 << 40 })),
        Hostile::filter("stock is a float", json!({ "stock": 1.5 })),
        Hostile::filter("price is too precise", json!({ "price": "1e400" })),
        Hostile::filter(
            "price beyond Decimal",
            json!({ "price_Gt": "79228162514264337593543950336" }),
        ),
        Hostile::filter("weight is a string", json!({ "weight_Gt": "heavy" })),
        Hostile::filter("id is a number", json!({ "id": 1 })),
        Hostile::filter("id beyond i32", json!({ "id": "9223372036854775808" })),
        Hostile::filter("range of one", json!({ "stock_Range": [1] })),
        Hostile::filter("range of three", json!({ "price_Range": ["1", "2", "3"] })),
        Hostile::filter("null in a list", json!({ "stock_In": [1, null] })),
        Hostile::filter("not is a list", json!({ "not": [{ "stock": 1 }] })),
        Hostile::filter("or is an object", json!({ "or": { "stock": 1 } })),
        Hostile::filter("and of null", json!({ "and": [null] })),
        Hostile::filter(
            "date in year 999999",
            json!({ "createdAt_Gt": "+999999-01-01T00:00:00Z" }),
        ),
        Hostile::filter("isActive is a string", json!({ "isActive": "yes" })),
        Hostile::filter("unknown field", json!({ "nmae": "x" })),
    ];
    let variables =
        (json_value(), json_value(), json_value(), json_value()).prop_map(|(f, n, o, a)| {
            Hostile::graphql(
                "random variables",
                "query($f: ProductFilter, $n: Int, $o: [ProductOrderBy!], $a: String) { \
                 products(filter: $f, first: $n, orderBy: $o, after: $a) { totalCount \
                 edges { node { id name } } } }",
                json!({ "f": f, "n": n, "o": o, "a": a }),
            )
        });
    let filters = vec((filter_key(), json_value()), 0..8).prop_map(|fields| {
        Hostile::filter("random filter", Value::Object(fields.into_iter().collect()))
    });
    let strategy = prop_oneof![3 => filters, 1 => variables];
    hostile("hostile_wrong_types", fixed, 128, strategy);
}

// Random documents ---------------------------------------------------------------------------

#[rustfmt::skip]
const TOKENS: &[&str] = &[
    "{", "}", "(", ")", "[", "]", ":", "$", "!", "...", "@", "=", "|", "&", ",", "query",
    "mutation", "subscription", "fragment", "on", "products", "product", "edges", "node", "id",
    "name", "totalCount", "pageInfo", "hasNextPage", "filter", "first", "last", "after", "orderBy",
    "reviews", "category", "tags", "owner", "__typename", "__schema", "__type", "types", "fields",
    "Product", "ProductFilter", "Int", "String", "ID", "true", "false", "null", "ASC", "DESC", "0",
    "-1", "1e999", "99999999999999999999", "0.5", "\"x\"", "\"\"", "\"\\u0000\"",
    "\"\"\"block \" \"\"\"", "\"unterminated", "#comment\n", "\u{feff}", "é", "😀", "\u{0}", "$f",
    "f", "a", "include", "skip", "if", "deprecated", "\\", "\"\\uD800\"",
];

/// How a field of the example schema is shaped, for the schema-aware generator.
#[derive(Clone, Copy)]
enum Shape {
    Scalar,
    Object(&'static str),
    ById(&'static str),
    Connection(&'static str),
    List(&'static str),
}

fn fields_of(type_name: &str) -> &'static [(&'static str, Shape)] {
    use Shape::*;
    match type_name {
        "Query" => &[
            ("products", Connection("Product")),
            ("product", ById("Product")),
            ("categories", Connection("Category")),
            ("category", ById("Category")),
            ("users", Connection("User")),
            ("user", ById("User")),
            ("tags", Connection("Tag")),
            ("tag", ById("Tag")),
            ("orders", Connection("Order")),
            ("order", ById("Order")),
            ("reviews", Connection("Review")),
            ("review", ById("Review")),
            ("__typename", Scalar),
        ],
        "Product" => &[
            ("id", Scalar),
            ("name", Scalar),
            ("description", Scalar),
            ("price", Scalar),
            ("stock", Scalar),
            ("weight", Scalar),
            ("sku", Scalar),
            ("isActive", Scalar),
            ("attributes", Scalar),
            ("categoryId", Scalar),
            ("ownerId", Scalar),
            ("createdAt", Scalar),
            ("category", Object("Category")),
            ("owner", Object("User")),
            ("tags", Connection("Tag")),
            ("reviews", Connection("Review")),
            ("orderItems", Connection("OrderItem")),
        ],
        "Category" => &[
            ("id", Scalar),
            ("name", Scalar),
            ("slug", Scalar),
            ("description", Scalar),
            ("parentId", Scalar),
            ("parent", Object("Category")),
            ("children", Connection("Category")),
            ("products", Connection("Product")),
        ],
        "User" => &[
            ("id", Scalar),
            ("username", Scalar),
            ("email", Scalar),
            ("isStaff", Scalar),
            ("dateJoined", Scalar),
            ("products", Connection("Product")),
            ("orders", Connection("Order")),
            ("reviews", List("Review")),
        ],
        "Tag" => &[
            ("id", Scalar),
            ("name", Scalar),
            ("products", Connection("Product")),
        ],
        "Review" => &[
            ("id", Scalar),
            ("rating", Scalar),
            ("comment", Scalar),
            ("createdAt", Scalar),
            ("product", Object("Product")),
            ("user", Object("User")),
        ],
        "Order" => &[
            ("id", Scalar),
            ("status", Scalar),
            ("note", Scalar),
            ("totalAmount", Scalar),
            ("itemCount", Scalar),
            ("user", Object("User")),
            ("items", Connection("OrderItem")),
        ],
        "OrderItem" => &[
            ("id", Scalar),
            ("quantity", Scalar),
            ("unitPrice", Scalar),
            ("order", Object("Order")),
            ("product", Object("Product")),
        ],
        _ => &[("id", Scalar)],
    }
}

/// Separates the good values of a list (before it) from the bad ones (after it).
const BAD: &str = "<bad>";

/// Filter fields of a type, each with good values and, after [`BAD`], bad ones (as literals).
fn filter_fields_of(type_name: &str) -> &'static [(&'static str, &'static [&'static str])] {
    const TEXT: &[&str] = &["\"a\"", "\"%\"", "\"É\"", "\"\"", BAD, "1", "null"];
    const INT: &[&str] = &[
        "1",
        "0",
        "-1",
        "2147483647",
        BAD,
        "2147483648",
        "\"1\"",
        "1.5",
    ];
    const IDS: &[&str] = &[
        "\"1\"",
        "\"2\"",
        "\"0\"",
        BAD,
        "\"x\"",
        "1",
        "\"99999999999\"",
    ];
    const ID_LIST: &[&str] = &["[\"1\", \"2\"]", "[]", BAD, "[\"x\"]", "\"1\"", "[null]"];
    const BOOL: &[&str] = &["true", "false", BAD, "\"true\"", "null"];
    const DEC: &[&str] = &[
        "\"1.5\"",
        "\"-0\"",
        "\"100\"",
        BAD,
        "\"1e400\"",
        "1",
        "\"x\"",
    ];
    const RANGE: &[&str] = &[
        "[\"1\", \"20\"]",
        "[\"2\", \"1\"]",
        BAD,
        "[\"1\"]",
        "[]",
        "[1, 2]",
    ];
    const INT_RANGE: &[&str] = &["[1, 20]", "[2, 1]", BAD, "[1]", "[]", "[\"1\", 2]"];
    const DATE: &[&str] = &[
        "\"2026-01-03T00:00:00Z\"",
        BAD,
        "\"yesterday\"",
        "0",
        "\"\"",
    ];
    const NAMES: &[&str] = &["[\"Über Lamp\", \"a\"]", "[]", BAD, "\"a\"", "[1]"];
    const STATUS: &[&str] = &["PAID", "CANCELLED", BAD, "\"PAID\"", "NOPE"];
    match type_name {
        "Product" => &[
            ("id", IDS),
            ("id_In", ID_LIST),
            ("name", TEXT),
            ("name_Icontains", TEXT),
            ("name_In", NAMES),
            ("price_Gte", DEC),
            ("price_Range", RANGE),
            ("stock_Gt", INT),
            ("stock_Range", INT_RANGE),
            ("weight_Isnull", BOOL),
            ("isActive", BOOL),
            ("category", IDS),
            ("createdAt_Gte", DATE),
            ("category_Name_Icontains", TEXT),
            ("owner_Username", TEXT),
        ],
        "Category" => &[
            ("id", IDS),
            ("name_Icontains", TEXT),
            ("parent_Isnull", BOOL),
            ("parent_In", ID_LIST),
        ],
        "User" => &[
            ("username_Icontains", TEXT),
            ("isStaff", BOOL),
            ("email", TEXT),
        ],
        "Tag" => &[("name_Icontains", TEXT), ("id_In", ID_LIST)],
        "Review" => &[
            ("rating_Gte", INT),
            ("rating_Range", INT_RANGE),
            ("comment_Isnull", BOOL),
        ],
        "Order" => &[("status", STATUS), ("note_Icontains", TEXT)],
        "OrderItem" => &[("quantity_Gt", INT), ("unitPrice_Gte", DEC)],
        _ => &[],
    }
}

fn order_fields_of(type_name: &str) -> &'static [&'static str] {
    match type_name {
        "Product" => &["id", "name", "price", "stock", "weight", "createdAt"],
        "Category" => &["id", "name"],
        "User" => &["id", "username", "dateJoined"],
        "Review" => &["id", "rating", "createdAt"],
        "Order" => &["id", "status", "createdAt"],
        "OrderItem" => &["id", "quantity", "unitPrice"],
        _ => &["id", "name"],
    }
}

/// A small deterministic generator (SplitMix64) for the schema-aware documents.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Builds a random document over the example schema: random selections (up to 14 deep, past
/// the depth limit), aliases, fragments, directives and arguments of every kind, good and bad.
struct DocumentBuilder {
    rng: Gen,
    /// How often, in percent, a value is a bad one.
    mischief: u64,
    aliases: usize,
    variables: Vec<String>,
    values: Map<String, Value>,
}

impl DocumentBuilder {
    /// A good value of `values` or, `mischief` percent of the time, a bad one.
    fn value(&mut self, values: &[&'static str]) -> &'static str {
        let split = values
            .iter()
            .position(|v| *v == BAD)
            .unwrap_or(values.len());
        let (good, bad) = values.split_at(split);
        if bad.len() > 1 && (good.is_empty() || self.rng.chance(self.mischief)) {
            let i = self.rng.below(bad.len() - 1);
            bad[1 + i]
        } else {
            good[self.rng.below(good.len())]
        }
    }

    fn bad(&mut self) -> bool {
        self.rng.chance(self.mischief)
    }

    fn page_size(&mut self) -> String {
        #[rustfmt::skip]
        const SIZES: &[&str] = &[
            "0", "1", "2", "5", "20", "100", BAD, "101", "1000", "-1", "2147483647", "2147483648",
            "99999999999999999999", "1.5", "\"10\"", "null", "true", "[1]", "{a: 1}", "$nope",
        ];
        self.value(SIZES).to_owned()
    }

    fn cursor(&mut self, type_name: &str) -> String {
        let offset = *self.rng.pick(&[0, 1, 5, 1 << 40, u64::MAX - 1, u64::MAX]);
        match self.rng.below(4) {
            0 => format!(
                "{:?}",
                gqlgen_runtime::connection::encode_cursor(type_name, "", offset)
            ),
            1 => format!(
                "{:?}",
                gqlgen_runtime::connection::encode_cursor("Product", "id", offset)
            ),
            2 => self
                .rng
                .pick(&["\"\"", "\"!!!\"", "\"YQ\"", "null", "5"])
                .to_string(),
            _ => format!("\"{:x}\"", self.rng.next()),
        }
    }

    fn filter(&mut self, type_name: &str, depth: u32) -> String {
        let fields = filter_fields_of(type_name);
        let mut parts = Vec::new();
        for _ in 0..self.rng.below(4) {
            if fields.is_empty() {
                break;
            }
            let (name, values) = *self.rng.pick(fields);
            if parts
                .iter()
                .any(|p: &String| p.starts_with(&format!("{name}:")))
            {
                continue;
            }
            let value = self.value(values);
            parts.push(format!("{name}: {value}"));
        }
        if depth < 3 {
            if self.rng.chance(20) {
                let items: Vec<String> = (0..self.rng.below(3))
                    .map(|_| self.filter(type_name, depth + 1))
                    .collect();
                parts.push(format!("or: [{}]", items.join(", ")));
            }
            if self.rng.chance(15) {
                let items: Vec<String> = (0..self.rng.below(3))
                    .map(|_| self.filter(type_name, depth + 1))
                    .collect();
                parts.push(format!("and: [{}]", items.join(", ")));
            }
            if self.rng.chance(15) {
                parts.push(format!("not: {}", self.filter(type_name, depth + 1)));
            }
        }
        if self.bad() && self.rng.chance(10) {
            parts.push("bogus: 1".to_owned());
        }
        format!("{{{}}}", parts.join(", "))
    }

    fn order_by(&mut self, type_name: &str) -> String {
        let fields = order_fields_of(type_name);
        let mut used = BTreeSet::new();
        let mut items = Vec::new();
        for _ in 0..self.rng.below(4) {
            let field = *self.rng.pick(fields);
            // Naming a field twice is refused; only a bad document does it.
            if !used.insert(field) && !self.bad() {
                continue;
            }
            let direction = self.value(&["ASC", "DESC", BAD, "\"ASC\"", "UP", "null"]);
            if self.bad() && self.rng.chance(20) {
                items.push(format!("{{{field}: {direction}, id: ASC}}"));
            } else {
                items.push(format!("{{{field}: {direction}}}"));
            }
        }
        format!("[{}]", items.join(", "))
    }

    /// An argument through a variable now and then, declared with `ty` (sometimes wrongly).
    fn maybe_variable(&mut self, literal: String, ty: &str, json: Value) -> String {
        if !self.rng.chance(20) {
            return literal;
        }
        let name = format!("v{}", self.variables.len());
        let ty = if self.bad() { "String" } else { ty };
        self.variables.push(format!("${name}: {ty}"));
        if !self.bad() {
            self.values.insert(name.clone(), json);
        }
        format!("${name}")
    }

    fn connection_args(&mut self, type_name: &str) -> String {
        let mut args = Vec::new();
        if self.rng.chance(70) {
            let size = self.page_size();
            let value = json!(*self.rng.pick(&[0i64, 1, 5, 100, 101, -1, 1 << 40]));
            let size = self.maybe_variable(size, "Int", value);
            args.push(format!("first: {size}"));
        }
        if (args.is_empty() || self.bad()) && self.rng.chance(15) {
            args.push(format!("last: {}", self.page_size()));
        }
        if self.rng.chance(10) {
            args.push(format!("after: {}", self.cursor(type_name)));
        }
        if self.rng.chance(5) {
            args.push(format!("before: {}", self.cursor(type_name)));
        }
        if self.rng.chance(40) {
            let filter = self.filter(type_name, 0);
            let filter = self.maybe_variable(
                filter,
                &format!("{type_name}Filter"),
                json!({ "id_In": ["1", "2"], "or": [{}, { "id": "x" }] }),
            );
            args.push(format!("filter: {filter}"));
        }
        if self.rng.chance(30) {
            args.push(format!("orderBy: {}", self.order_by(type_name)));
        }
        if args.is_empty() {
            String::new()
        } else {
            format!("({})", args.join(", "))
        }
    }

    /// A selection set's content on `type_name`; `alias_all` aliases every field (inside an
    /// inline fragment, so that it never merges with a field of its parent).
    fn selection(
        &mut self,
        type_name: &str,
        depth: u32,
        max_depth: u32,
        alias_all: bool,
    ) -> String {
        let fields = fields_of(type_name);
        let count = 1 + self.rng.below(if depth == 0 { 2 } else { 4 });
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for _ in 0..count {
            let (name, shape) = *self.rng.pick(fields);
            let mut field = String::new();
            // A second field of the same name merges with the first, and clashes when their
            // arguments differ: an alias keeps them apart, unless the document is to be bad.
            let repeated = !seen.insert(name) && !self.bad();
            if alias_all || repeated || self.rng.chance(15) {
                self.aliases += 1;
                field.push_str(&format!("a{}: ", self.aliases));
            }
            field.push_str(name);
            if self.bad() && self.rng.chance(10) {
                let typo = *self.rng.pick(&["Typo", "(bogus: 1)", "(first: 1)"]);
                field.push_str(typo);
            }
            let directive = if self.rng.chance(5) {
                let directive = self.value(&[
                    "@include(if: true)",
                    "@skip(if: true)",
                    "@include(if: false)",
                    BAD,
                    "@skip(if: $nope)",
                    "@unknown",
                    "@deprecated",
                ]);
                format!(" {directive}")
            } else {
                String::new()
            };
            let deeper = depth + 1 < max_depth;
            match shape {
                Shape::Scalar => field.push_str(&directive),
                Shape::Object(target) => {
                    field.push_str(&directive);
                    field.push_str(&self.object_selection(target, depth, max_depth, deeper));
                }
                Shape::ById(target) => {
                    let id = self.value(&["\"1\"", "\"2\"", "\"999\"", BAD, "\"x\"", "1", "null"]);
                    field.push_str(&format!("(id: {id}){directive}"));
                    field.push_str(&self.object_selection(target, depth, max_depth, deeper));
                }
                Shape::List(target) => {
                    if self.rng.chance(30) {
                        field.push_str(&format!("(filter: {})", self.filter(target, 0)));
                    }
                    field.push_str(&directive);
                    field.push_str(&self.object_selection(target, depth, max_depth, deeper));
                }
                Shape::Connection(target) => {
                    field.push_str(&self.connection_args(target));
                    field.push_str(&directive);
                    let mut parts = Vec::new();
                    if self.rng.chance(50) {
                        parts.push("totalCount".to_owned());
                    }
                    if self.rng.chance(25) {
                        parts.push(
                            "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"
                                .to_owned(),
                        );
                    }
                    if deeper && (parts.is_empty() || self.rng.chance(70)) {
                        let cursor = if self.rng.chance(30) { "cursor " } else { "" };
                        let node = self.selection(target, depth + 2, max_depth + 1, false);
                        parts.push(format!("edges {{ {cursor}node {{ {node} }} }}"));
                    }
                    if parts.is_empty() {
                        parts.push("totalCount".to_owned());
                    }
                    field.push_str(&format!(" {{ {} }}", parts.join(" ")));
                }
            }
            out.push(field);
        }
        if self.rng.chance(8) {
            let inner = self.selection(type_name, depth, max_depth, true);
            let on = if !self.bad() { type_name } else { "Query" };
            out.push(format!("... on {on} {{ {inner} }}"));
        }
        out.join(" ")
    }

    fn object_selection(
        &mut self,
        target: &str,
        depth: u32,
        max_depth: u32,
        deeper: bool,
    ) -> String {
        if deeper {
            format!(
                " {{ {} }}",
                self.selection(target, depth + 1, max_depth, false)
            )
        } else {
            " { id }".to_owned()
        }
    }
}

fn schema_document(seed: u64) -> Hostile {
    let mut builder = DocumentBuilder {
        rng: Gen(seed),
        mischief: 0,
        aliases: 0,
        variables: Vec::new(),
        values: Map::new(),
    };
    builder.mischief = *builder.rng.pick(&[0, 0, 5, 20, 50]);
    let max_depth = 1 + builder.rng.below(13) as u32;
    let operation = builder.rng.below(100);
    let body = if operation < 88 {
        builder.selection("Query", 0, max_depth, false)
    } else {
        let filter = builder.filter("Product", 0);
        let id = builder.rng.pick(&["\"1\"", "\"x\"", "\"999\""]).to_string();
        builder
            .rng
            .pick(&[
                format!("deleteProduct(id: {id}) {{ success deletedId }}"),
                format!("deleteProducts(filter: {filter}) {{ success count }}"),
                "tokenAuth(username: \"alice\", password: \"\") { token }".to_owned(),
                format!(
                    "createProduct(input: {{name: \"\", price: \"-1\", stock: -1, \
                     sku: \"00000000-0000-0000-0000-000000000009\", isActive: true, \
                     categoryId: {id}, ownerId: \"1\"}}) {{ success errors {{ field code }} }}"
                ),
                format!("updateProduct(id: {id}, input: {{}}) {{ success }}"),
            ])
            .clone()
    };
    let keyword = if operation < 88 {
        "query"
    } else if operation < 98 {
        "mutation"
    } else {
        "subscription"
    };
    let variables = if builder.variables.is_empty() {
        String::new()
    } else {
        format!("({})", builder.variables.join(", "))
    };
    let mut query = format!("{keyword} Q{variables} {{ {body} }}");
    if builder.bad() && builder.rng.chance(10) {
        query.push_str(" fragment F on Product { id ...F }");
    }
    if builder.bad() && builder.rng.chance(10) {
        query.push_str(" query Other { __typename }");
    }
    Hostile::graphql(
        format!("schema document {seed:#x}"),
        query,
        Value::Object(builder.values),
    )
}

#[test]
fn hostile_documents() {
    let fixed = vec![
        Hostile::graphql("empty document", "", json!({})),
        Hostile::graphql("1,000 nested braces", "{".repeat(1000), json!({})),
        Hostile::graphql(
            "1,000 nested lists",
            format!("{{ a(b: {}) }}", "[".repeat(1000)),
            json!({}),
        ),
        Hostile::graphql(
            "100,000 bytes of fields",
            format!("{{ {} }}", "__typename ".repeat(9_000)),
            json!({}),
        ),
        Hostile::graphql(
            "deep selection",
            format!(
                "{{ {}id{} }}",
                "products { edges { node { category { products { edges { node { ".repeat(3),
                " } } } } } } }".repeat(3)
            ),
            json!({}),
        ),
        Hostile::graphql(
            "fragment cycle",
            "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }",
            json!({}),
        ),
        Hostile::graphql(
            "introspection",
            "{ __schema { types { name } } }",
            json!({}),
        ),
    ];
    let tokens = vec(select(TOKENS), 0..200)
        .prop_map(|tokens| Hostile::graphql("random tokens", tokens.join(" "), json!({ "f": {} })));
    let documents = any::<u64>().prop_map(schema_document);
    let strategy = prop_oneof![1 => tokens, 3 => documents];
    hostile("hostile_documents", fixed, 160, strategy);
}

#[test]
fn hostile_bodies() {
    let fixed = vec![
        Hostile::Raw {
            label: "empty".into(),
            body: Vec::new(),
        },
        Hostile::Raw {
            label: "empty batch".into(),
            body: b"[]".to_vec(),
        },
        Hostile::Raw {
            label: "batch of 11".into(),
            body: json!(vec![json!({ "query": "{ __typename }" }); 11])
                .to_string()
                .into_bytes(),
        },
        Hostile::Raw {
            label: "JSON nested 200 deep".into(),
            body: format!(
                "{{\"query\": \"{{ __typename }}\", \"variables\": {{\"x\": {}1{}}}}}",
                "[".repeat(200),
                "]".repeat(200)
            )
            .into_bytes(),
        },
        Hostile::Raw {
            label: "query is a number".into(),
            body: br#"{"query": 5}"#.to_vec(),
        },
        Hostile::Raw {
            label: "invalid UTF-8".into(),
            body: b"{\"query\": \"{ \xff }\"}".to_vec(),
        },
    ];
    let bytes = vec(any::<u8>(), 0..200).prop_map(|body| Hostile::Raw {
        label: "random bytes".into(),
        body,
    });
    let json_bodies =
        (json_value(), json_value(), json_value()).prop_map(|(q, v, o)| Hostile::Raw {
            label: "random request fields".into(),
            body: json!({ "query": q, "variables": v, "operationName": o })
                .to_string()
                .into_bytes(),
        });
    let batches = vec(
        prop_oneof![
            Just(json!({ "query": "{ __typename }" })),
            Just(json!({ "query": "query($f: ProductFilter) { products(filter: $f) { totalCount } }", "variables": { "f": { "not": {} } } })),
            json_value(),
        ],
        0..14,
    )
    .prop_map(|items| Hostile::Raw {
        label: "random batch".into(),
        body: Value::Array(items).to_string().into_bytes(),
    });
    let strategy = prop_oneof![bytes, json_bodies, batches];
    hostile("hostile_bodies", fixed, 64, strategy);
}
