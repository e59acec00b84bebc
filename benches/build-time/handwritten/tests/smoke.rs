//! The hand-written resolvers run: a few mutations and queries over SQLite in memory. This
//! crate exists to be compiled, so this checks only that its code is real, not every path.

use async_graphql::{Request, Value};
use build_time_handwritten::api::common::Caller;
use build_time_handwritten::entities::{
    category, order, order_item, product, product_tag, review, tag, user,
};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Database, DatabaseConnection, Schema, Set};

async fn database() -> DatabaseConnection {
    // One connection, so that every statement sees the same in-memory database.
    let mut options = sea_orm::ConnectOptions::new("sqlite::memory:");
    options.max_connections(1);
    let db = Database::connect(options).await.expect("SQLite opens");
    let schema = Schema::new(db.get_database_backend());
    let tables = [
        schema.create_table_from_entity(user::Entity),
        schema.create_table_from_entity(category::Entity),
        schema.create_table_from_entity(tag::Entity),
        schema.create_table_from_entity(product::Entity),
        schema.create_table_from_entity(product_tag::Entity),
        schema.create_table_from_entity(order::Entity),
        schema.create_table_from_entity(order_item::Entity),
        schema.create_table_from_entity(review::Entity),
    ];
    for table in &tables {
        db.execute(table).await.expect("the table is created");
    }
    user::ActiveModel {
        username: Set("ada".to_owned()),
        email: Set("ada@example.com".to_owned()),
        password_hash: Set("!".to_owned()),
        social_security_number: Set(None),
        is_staff: Set(false),
        is_active: Set(true),
        date_joined: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(&db)
    .await
    .expect("the user is inserted");
    db
}

/// The data of `query`, sent by user 1, who is not staff.
async fn run(schema: &build_time_handwritten::AppSchema, query: &str) -> serde_json::Value {
    let caller = Caller {
        user_id: 1,
        is_staff: false,
    };
    let response = schema.execute(Request::new(query).data(caller)).await;
    assert!(response.errors.is_empty(), "{query}: {:?}", response.errors);
    let Value::Object(data) = response.data else {
        panic!("{query}: no data");
    };
    serde_json::to_value(data).expect("the data is JSON")
}

#[tokio::test]
async fn mutations_filters_relations_and_pages_work() {
    let schema = build_time_handwritten::schema(database().await);

    let created = run(
        &schema,
        r#"mutation {
            createCategory(input: { name: "Garden", slug: "garden" }) { success category { id } }
            createTags(inputs: [{ name: "sale" }, { name: "new" }]) { success tags { id } }
        }"#,
    )
    .await;
    assert_eq!(created["createCategory"]["success"], true);
    assert_eq!(created["createTags"]["success"], true);

    let created = run(
        &schema,
        r#"mutation {
            createProduct(input: {
                name: "Rake", description: "<b>Sturdy</b><script>x()</script>", price: "12.50",
                stock: 3, sku: "6f1c3d4e-0a5b-4c2d-9e8f-1a2b3c4d5e6f", isActive: true,
                categoryId: "1", tagIds: ["1", "2"]
            }) { success errors { field code } product { description sku owner { username } tags { totalCount } } }
        }"#,
    )
    .await;
    let product = &created["createProduct"];
    assert_eq!(product["success"], true, "{product}");
    assert_eq!(product["product"]["description"], "<b>Sturdy</b>");
    assert_eq!(product["product"]["tags"]["totalCount"], 2);
    // The owner is the caller; the SKU has its default.
    assert_eq!(product["product"]["owner"]["username"], "ada");
    assert_eq!(product["product"]["sku"].as_str().map(str::len), Some(36));

    let refused = run(
        &schema,
        r#"mutation {
            createTag(input: { name: "Loud", productIds: ["99"] }) { success errors { field code } }
            createCategory(input: { name: "", slug: "Bad Slug", homepage: "ftp://x" }) {
                success errors { field code }
            }
            createReview(input: { rating: 9 }) { success errors { field code } }
        }"#,
    )
    .await;
    assert_eq!(refused["createTag"]["success"], false);
    let codes = |payload: &serde_json::Value| {
        let mut codes: Vec<String> = payload["errors"]
            .as_array()
            .expect("a list of errors")
            .iter()
            .map(|e| {
                format!(
                    "{}:{}",
                    e["field"].as_str().unwrap_or("-"),
                    e["code"].as_str().unwrap_or("-")
                )
            })
            .collect();
        codes.sort();
        codes
    };
    assert_eq!(
        codes(&refused["createTag"]),
        ["name:INVALID", "productIds:NOT_FOUND"]
    );
    assert_eq!(
        codes(&refused["createCategory"]),
        ["homepage:URL", "name:LENGTH", "slug:REGEX"]
    );
    assert_eq!(
        codes(&refused["createReview"]),
        ["productId:REQUIRED", "rating:RANGE"]
    );

    let listed = run(
        &schema,
        r#"{
            products(first: 10, filter: { category_Name_Icontains: "GARD", owner_Username: "ada" },
                     orderBy: [{ price: DESC }]) {
                totalCount pageInfo { hasNextPage }
                edges { cursor node { name category { slug } owner { username } } }
            }
            tags(filter: { or: [{ name: "sale" }, { name: "none" }], not: { id: "2" } }) { totalCount }
            user(id: "1") { reviews { id } products(last: 1) { edges { node { name } } } }
            me { username }
            tagged: products(filter: { tags_Name: "sale" }) { totalCount }
            reviewed: products(filter: { reviews_Rating_Gte: 1 }) { totalCount }
            sellers: users(filter: { orders_Status: PENDING }) { totalCount }
        }"#,
    )
    .await;
    let products = &listed["products"];
    assert_eq!(products["totalCount"], 1, "{listed}");
    assert_eq!(products["pageInfo"]["hasNextPage"], false);
    assert_eq!(products["edges"][0]["node"]["category"]["slug"], "garden");
    assert_eq!(products["edges"][0]["node"]["owner"]["username"], "ada");
    assert_eq!(listed["tags"]["totalCount"], 1);
    assert_eq!(
        listed["user"]["products"]["edges"][0]["node"]["name"],
        "Rake"
    );
    assert_eq!(listed["me"]["username"], "ada");
    // The product has the tag but no review, and nobody has ordered.
    assert_eq!(listed["tagged"]["totalCount"], 1);
    assert_eq!(listed["reviewed"]["totalCount"], 0);
    assert_eq!(listed["sellers"]["totalCount"], 0);

    let changed = run(
        &schema,
        r#"mutation {
            updateProducts(filter: { name_Istartswith: "ra" }, input: { price: "20000" }) {
                success count errors { field code }
            }
            updateProduct(id: "1", input: { stock: 5, weight: null }) { success product { stock } }
            deleteTags(filter: { name: "new" }) { success count }
        }"#,
    )
    .await;
    // An expensive product needs a description, which this one has.
    assert_eq!(changed["updateProducts"]["success"], true, "{changed}");
    assert_eq!(changed["updateProducts"]["count"], 1);
    assert_eq!(changed["updateProduct"]["product"]["stock"], 5);
    assert_eq!(changed["deleteTags"]["count"], 1);
}
