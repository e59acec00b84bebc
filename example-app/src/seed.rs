//! Deterministic demo data: the same rows on every run and every database, so that examples,
//! tests and benchmarks can name them. 20 users (the demo accounts `admin`, `alice` and `bob`
//! first), 20 categories in two levels, 50 tags, 1,000 products, 300 orders and 2,000 reviews.

use chrono::{DateTime, Duration, TimeZone, Utc};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveValue::Set, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, TransactionTrait,
};

use crate::entities::order::OrderStatus;
use crate::entities::*;

/// Counts of the seeded rows.
pub const USERS: usize = 20;
pub const CATEGORIES: usize = 20;
pub const TAGS: usize = 50;
pub const PRODUCTS: usize = 1_000;
pub const ORDERS: usize = 300;
pub const REVIEWS: usize = 2_000;

/// The demo accounts of DESIGN.md: username, password, staff.
pub const DEMO_ACCOUNTS: [(&str, &str, bool); 3] = [
    ("admin", "admin-password", true),
    ("alice", "alice-password", false),
    ("bob", "bob-password", false),
];

/// Argon2id hashes of the demo passwords, computed once so that seeding stays fast and
/// deterministic (argon2's default parameters: m=19456, t=2, p=1).
const DEMO_PASSWORD_HASHES: [&str; 3] = [
    "$argon2id$v=19$m=19456,t=2,p=1$ViKfEuy9Wzy5XKbQ/zT1/Q$u8ppk8BkhaW+qUZU1uY4PVgbF1BEEPCW/zYLjsIxfiE",
    "$argon2id$v=19$m=19456,t=2,p=1$4a11FtRUFDO1mHWGW7J+jg$YfpywfzCba/uT5PkuqqTzQ7VE6L7ZrJjcYQ7efYRhuM",
    "$argon2id$v=19$m=19456,t=2,p=1$0qdzWg91qHNi5+WxO+rpmw$wyM7c7sEqsuw/8B8EZxtHvIYEX4mUSihG5oo6h25R6I",
];

/// A small linear congruential generator: deterministic on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn epoch() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .expect("valid date")
}

const COLORS: [&str; 3] = ["red", "blue", "green"];
const TOP_CATEGORIES: [&str; 5] = ["Electronics", "Books", "Home & Kitchen", "Sports", "Toys"];
const SUB_CATEGORIES: [&str; 15] = [
    "Phones",
    "Laptops",
    "Audio",
    "Novels",
    "Comics",
    "Cookbooks",
    "Furniture",
    "Cookware",
    "Lighting",
    "Cycling",
    "Running",
    "Camping",
    "Puzzles",
    "Board Games",
    "Plush",
];
const ADJECTIVES: [&str; 20] = [
    "Classic",
    "Compact",
    "Deluxe",
    "Élégant",
    "Ergonomic",
    "Fancy",
    "Gentle",
    "Handmade",
    "Île",
    "Luminous",
    "Modern",
    "Nordic",
    "Öko",
    "Premium",
    "Rustic",
    "Sleek",
    "Smart",
    "Straße",
    "Vintage",
    "Zen",
];
const NOUNS: [&str; 25] = [
    "Lamp",
    "Chair",
    "Phone",
    "Kettle",
    "Novel",
    "Puzzle",
    "Backpack",
    "Tent",
    "Headphones",
    "Bicycle",
    "Blender",
    "Desk",
    "Mug",
    "Watch",
    "Jacket",
    "Speaker",
    "Camera",
    "Pan",
    "Rug",
    "Shelf",
    "Sofa",
    "Tablet",
    "Teapot",
    "Towel",
    "Crème",
];
const TAG_WORDS: [&str; 50] = [
    "new",
    "sale",
    "eco",
    "gift",
    "bestseller",
    "limited",
    "handmade",
    "imported",
    "local",
    "organic",
    "vegan",
    "durable",
    "compact",
    "wireless",
    "portable",
    "waterproof",
    "kids",
    "outdoor",
    "indoor",
    "premium",
    "budget",
    "classic",
    "modern",
    "vintage",
    "smart",
    "quiet",
    "fast",
    "light",
    "heavy-duty",
    "travel",
    "office",
    "kitchen",
    "garden",
    "winter",
    "summer",
    "sport",
    "music",
    "reading",
    "fitness",
    "pets",
    "baby",
    "party",
    "retro",
    "minimal",
    "colorful",
    "recycled",
    "fair-trade",
    "artisan",
    "café",
    "über",
];

/// Seeds an empty database; does nothing when users exist already.
pub async fn seed(db: &DatabaseConnection) -> Result<bool, DbErr> {
    if user::Entity::find().count(db).await? > 0 {
        return Ok(false);
    }
    let txn = db.begin().await?;
    let mut rng = Rng(0x5eed);
    let start = epoch();

    let users = (0..USERS).map(|i| {
        let (username, is_staff) = match DEMO_ACCOUNTS.get(i) {
            Some((name, _, staff)) => (name.to_string(), *staff),
            None => (format!("user{i:02}"), false),
        };
        user::ActiveModel {
            id: Set(i as i32 + 1),
            email: Set(format!("{username}@example.com")),
            username: Set(username),
            // The demo accounts can log in; "!" is no argon2 hash, so the others cannot.
            password_hash: Set(DEMO_PASSWORD_HASHES
                .get(i)
                .map_or("!", |hash| *hash)
                .to_owned()),
            social_security_number: Set(Some(format!(
                "{:03}-{:02}-{:04}",
                100 + i,
                10 + i,
                1000 + i
            ))),
            is_staff: Set(is_staff),
            is_active: Set(i != USERS - 1),
            date_joined: Set(start + Duration::days(i as i64)),
        }
    });
    user::Entity::insert_many(users).exec(&txn).await?;

    let categories = (0..CATEGORIES).map(|i| {
        let (name, parent) = if i < TOP_CATEGORIES.len() {
            (TOP_CATEGORIES[i].to_owned(), None)
        } else {
            let sub = i - TOP_CATEGORIES.len();
            (SUB_CATEGORIES[sub].to_owned(), Some((sub / 3) as i32 + 1))
        };
        category::ActiveModel {
            id: Set(i as i32 + 1),
            slug: Set(name.to_lowercase().replace(" & ", "-").replace(' ', "-")),
            description: Set((i % 3 != 0).then(|| format!("Everything in {name}."))),
            name: Set(name),
            parent_id: Set(parent),
            homepage: Set(
                (i < TOP_CATEGORIES.len()).then(|| format!("https://shop.example.com/c/{}", i + 1))
            ),
        }
    });
    category::Entity::insert_many(categories).exec(&txn).await?;

    let tags = TAG_WORDS
        .iter()
        .enumerate()
        .map(|(i, name)| tag::ActiveModel {
            id: Set(i as i32 + 1),
            name: Set(name.to_string()),
        });
    tag::Entity::insert_many(tags).exec(&txn).await?;

    let mut products = Vec::with_capacity(PRODUCTS);
    let mut product_tags = Vec::new();
    let mut prices = Vec::with_capacity(PRODUCTS);
    for i in 0..PRODUCTS {
        let adjective = ADJECTIVES[rng.below(ADJECTIVES.len() as u64) as usize];
        let noun = NOUNS[rng.below(NOUNS.len() as u64) as usize];
        let price = Decimal::new(rng.below(99_900) as i64 + 100, 2);
        prices.push(price);
        let id = i as i32 + 1;
        products.push(product::ActiveModel {
            id: Set(id),
            name: Set(format!("{adjective} {noun} {id:04}")),
            description: Set((i % 4 != 0).then(|| {
                format!(
                    "A {} {} for every day.",
                    adjective.to_lowercase(),
                    noun.to_lowercase()
                )
            })),
            price: Set(price),
            stock: Set(rng.below(500) as i32),
            weight: Set((i % 5 != 0).then(|| (rng.below(5_000) as f64) / 100.0)),
            sku: Set(uuid::Uuid::from_u128(
                0x5eed_0000_0000_0000_0000_0000_0000_0000 + i as u128,
            )),
            is_active: Set(i % 10 != 0),
            attributes: Set((i % 2 == 0).then(|| serde_json::json!({ "color": COLORS[i % 3] }))),
            category_id: Set(rng.below(CATEGORIES as u64) as i32 + 1),
            owner_id: Set((i % USERS) as i32 + 1),
            created_at: Set(start + Duration::hours(i as i64)),
        });
        let tag_count = rng.below(5);
        let mut chosen = Vec::new();
        while (chosen.len() as u64) < tag_count {
            let tag = rng.below(TAGS as u64) as i32 + 1;
            if !chosen.contains(&tag) {
                chosen.push(tag);
                product_tags.push(product_tag::ActiveModel {
                    product_id: Set(id),
                    tag_id: Set(tag),
                });
            }
        }
    }
    for chunk in products.chunks(100) {
        product::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await?;
    }
    for chunk in product_tags.chunks(200) {
        product_tag::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await?;
    }

    let statuses = [
        OrderStatus::Pending,
        OrderStatus::Paid,
        OrderStatus::Shipped,
        OrderStatus::Delivered,
        OrderStatus::Cancelled,
    ];
    let mut orders = Vec::with_capacity(ORDERS);
    let mut items = Vec::new();
    for i in 0..ORDERS {
        let id = i as i32 + 1;
        orders.push(order::ActiveModel {
            id: Set(id),
            user_id: Set((i % USERS) as i32 + 1),
            status: Set(statuses[i % statuses.len()]),
            contact_email: Set((i % 3 == 0).then(|| format!("buyer{i}@example.com"))),
            note: Set((i % 7 == 0).then(|| "Leave at the door".to_owned())),
            created_at: Set(start + Duration::hours(6 * i as i64)),
        });
        for _ in 0..=rng.below(3) {
            let product = rng.below(PRODUCTS as u64) as usize;
            items.push(order_item::ActiveModel {
                id: Set(items.len() as i32 + 1),
                order_id: Set(id),
                product_id: Set(product as i32 + 1),
                quantity: Set(rng.below(4) as i32 + 1),
                unit_price: Set(prices[product]),
            });
        }
    }
    for chunk in orders.chunks(100) {
        order::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await?;
    }
    for chunk in items.chunks(100) {
        order_item::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await?;
    }

    let reviews: Vec<_> = (0..REVIEWS)
        .map(|i| review::ActiveModel {
            id: Set(i as i32 + 1),
            product_id: Set(rng.below(PRODUCTS as u64) as i32 + 1),
            user_id: Set(rng.below(USERS as u64) as i32 + 1),
            rating: Set(rng.below(5) as i32 + 1),
            comment: Set((i % 3 != 0).then(|| format!("Review number {i}"))),
            created_at: Set(start + Duration::minutes(37 * i as i64)),
        })
        .collect();
    for chunk in reviews.chunks(100) {
        review::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await?;
    }
    crate::migrate::reset_sequences(&txn).await?;
    txn.commit().await?;
    Ok(true)
}
