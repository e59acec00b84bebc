//! Mutations end to end: validation, database errors as field errors, transactions and bulk
//! operations, on SQLite and (with `DATABASE_URL`) PostgreSQL.

use gqlgen_runtime::Config;
use gqlgen_runtime::testing::error_codes;
use gqlgen_tests::{Api, cleanup, fixture_servers_as, gid};
use serde_json::{Value, json};

async fn run(server: &Api, query: &str, variables: Value) -> Value {
    let r = server.graphql(query, variables).await;
    assert!(error_codes(&r.body).is_empty(), "{query}: {}", r.text);
    r.body["data"].clone()
}

/// `(field, code)` of a payload's errors, sorted.
fn field_errors(payload: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = payload["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors in {payload}"))
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap_or("").to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

/// `(field, code)` pairs of a payload's errors.
type Errors = Vec<(String, String)>;

fn errs(list: &[(&str, &str)]) -> Errors {
    let mut out: Vec<(String, String)> = list
        .iter()
        .map(|(f, c)| (f.to_string(), c.to_string()))
        .collect();
    out.sort();
    out
}

const CREATE_PRODUCT: &str = "mutation($input: ProductCreateInput!) { createProduct(input: $input) { success errors { field message code } product { id name description price tags(orderBy: [{id: ASC}]) { edges { node { id } } } } } }";

fn product_input(name: &str, sku: &str) -> Value {
    json!({
        "name": name, "price": "12.50", "stock": 3, "sku": sku, "isActive": true,
        "categoryId": "Category:1", "ownerId": "User:1", "tagIds": ["Tag:1", "Tag:3"]
    })
}

async fn product_count(server: &Api) -> i64 {
    run(server, "{ products { totalCount } }", json!({})).await["products"]["totalCount"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn create_writes_the_row_and_its_links() {
    let servers = fixture_servers_as(Config::testing(), "admin").await;
    for (backend, server) in &servers {
        let n = backend.name;
        let mut input = product_input("Desk Lamp", "00000000-0000-0000-0000-000000000101");
        input["description"] = json!(
            "<b>Bright</b><script>alert(1)</script><a href=\"https://x.org\" onclick=\"steal()\">x</a>"
        );
        let d = run(server, CREATE_PRODUCT, json!({ "input": input })).await;
        let payload = &d["createProduct"];
        assert_eq!(payload["success"], true, "{n}: {payload}");
        assert_eq!(payload["errors"], json!([]));
        assert_eq!(payload["product"]["name"], "Desk Lamp");
        let description = payload["product"]["description"].as_str().unwrap();
        assert!(description.contains("<b>Bright</b>"), "{n}: {description}");
        assert!(
            !description.contains("script") && !description.contains("onclick"),
            "{n}: sanitised: {description}"
        );
        let tags: Vec<&str> = payload["product"]["tags"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["id"].as_str().unwrap())
            .collect();
        assert_eq!(tags, [gid("Tag", 1), gid("Tag", 3)], "{n}");
        assert_eq!(product_count(server).await, 7, "{n}");
        // created_at is set by the server
        let id = payload["product"]["id"].as_str().unwrap();
        let d = run(
            server,
            "query($id: ID!) { product(id: $id) { createdAt } }",
            json!({"id": id}),
        )
        .await;
        assert!(
            d["product"]["createdAt"]
                .as_str()
                .unwrap()
                .starts_with("20"),
            "{n}"
        );
    }
    cleanup(servers).await;
}

#[tokio::test]
async fn every_validation_failure_comes_back_at_once_and_nothing_is_written() {
    let servers = fixture_servers_as(Config::testing(), "admin").await;
    for (backend, server) in &servers {
        let n = backend.name;
        let mut input = product_input("", "00000000-0000-0000-0000-000000000102");
        input["price"] = json!("-1");
        input["stock"] = json!(-5);
        input["categoryId"] = json!("Category:999");
        input["tagIds"] = json!(["Tag:1", "Tag:99"]);
        let d = run(server, CREATE_PRODUCT, json!({ "input": input })).await;
        let payload = &d["createProduct"];
        assert_eq!(payload["success"], false, "{n}");
        assert_eq!(payload["product"], Value::Null);
        assert_eq!(
            field_errors(payload),
            errs(&[
                ("name", "LENGTH"),
                ("price", "RANGE"),
                ("stock", "RANGE"),
                ("categoryId", "NOT_FOUND"),
                ("tagIds", "NOT_FOUND")
            ]),
            "{n}: {payload}"
        );
        assert_eq!(product_count(server).await, 6, "{n}: nothing written");
    }
    cleanup(servers).await;
}

#[tokio::test]
async fn each_validator_and_the_container_validator() {
    let servers = fixture_servers_as(Config::testing(), "admin").await;
    for (backend, server) in &servers {
        let n = backend.name;
        let cases: Vec<(&str, Value, Errors)> = vec![
            (
                "mutation($i: CategoryCreateInput!) { createCategory(input: $i) { success errors { field code } } }",
                json!({"name": "Toys", "slug": "Bad Slug", "homepage": "ftp://files"}),
                errs(&[("slug", "REGEX"), ("homepage", "URL")]),
            ),
            (
                "mutation($i: CategoryCreateInput!) { createCategory(input: $i) { success errors { field code } } }",
                json!({"name": "Toys", "slug": "  "}),
                errs(&[("slug", "REGEX"), ("slug", "REQUIRED")]),
            ),
            (
                "mutation($i: OrderCreateInput!) { createOrder(input: $i) { success errors { field code } } }",
                json!({"status": "PENDING", "contactEmail": "not-an-email"}),
                errs(&[("contactEmail", "EMAIL")]),
            ),
            (
                "mutation($i: TagCreateInput!) { createTag(input: $i) { success errors { field code } } }",
                json!({"name": "Loud"}),
                errs(&[("name", "INVALID")]),
            ),
            (
                "mutation($i: TagCreateInput!) { createTag(input: $i) { success errors { field code } } }",
                json!({"name": "x".repeat(51)}),
                errs(&[("name", "LENGTH")]),
            ),
            (
                "mutation($i: ReviewCreateInput!) { createReview(input: $i) { success errors { field code } } }",
                json!({"productId": "Product:1", "rating": 6}),
                errs(&[("rating", "RANGE")]),
            ),
            (
                "mutation($i: ProductCreateInput!) { createProduct(input: $i) { success errors { field code } } }",
                {
                    let mut i = product_input("Yacht", "00000000-0000-0000-0000-000000000103");
                    i["price"] = json!("20000");
                    i
                },
                errs(&[("description", "REQUIRED")]),
            ),
        ];
        for (mutation, input, expected) in cases {
            let d = run(server, mutation, json!({ "i": input })).await;
            let payload = d.as_object().unwrap().values().next().unwrap();
            assert_eq!(payload["success"], false, "{n}: {input}");
            assert_eq!(field_errors(payload), expected, "{n}: {input}");
        }
        // The same inputs, corrected, pass.
        let d = run(server, "mutation { createCategory(input: {name: \"Toys\", slug: \"toys\", homepage: \"https://toys.example\"}) { success errors { field } } }", json!({})).await;
        assert_eq!(d["createCategory"]["success"], true, "{n}: {d}");
        let d = run(
            server,
            "mutation { createTag(input: {name: \"loud\"}) { success tag { name } } }",
            json!({}),
        )
        .await;
        assert_eq!(d["createTag"]["tag"]["name"], "loud", "{n}");
    }
    cleanup(servers).await;
}

#[tokio::test]
async fn cleaners_decide_what_is_checked_and_stored() {
    let servers = fixture_servers_as(Config::testing(), "alice").await;
    for (backend, server) in &servers {
        let n = backend.name;
        // A field cleaner: names lose stray spaces; emails are trimmed and lower-cased, and
        // checked as cleaned.
        let d = run(
            server,
            "mutation { createProduct(input: {name: \"  Desk   lamp \", price: \"20\", categoryId: Category:1, description: \"   \"}) { success errors { field code } product { id name description } } }",
            json!({}),
        )
        .await;
        let product = &d["createProduct"]["product"];
        assert_eq!(product["name"], "Desk lamp", "{n}: {d}");
        // The container validator's clean: a blank description is stored as none.
        assert_eq!(product["description"], Value::Null, "{n}: {d}");
        let d = run(
            server,
            "mutation { createOrder(input: {contactEmail: \"  Alice@Example.COM \"}) { success errors { field code } order { contactEmail } } }",
            json!({}),
        )
        .await;
        assert_eq!(
            d["createOrder"]["order"]["contactEmail"], "alice@example.com",
            "{n}: {d}"
        );
        // Cleaned to nothing, a name is too short: the checks see the cleaned value.
        let d = run(
            server,
            "mutation { createProduct(input: {name: \"    \", price: \"20\", categoryId: Category:1}) { success errors { field code } } }",
            json!({}),
        )
        .await;
        assert_eq!(
            field_errors(&d["createProduct"]),
            errs(&[("name", "LENGTH")]),
            "{n}: {d}"
        );
        // On update too, and what the filter finds is the stored value.
        let id = product["id"].as_str().unwrap();
        let d = run(
            server,
            &format!("mutation {{ updateProduct(id: \"{id}\", input: {{name: \" Floor  lamp\"}}) {{ success product {{ name }} }} }}"),
            json!({}),
        )
        .await;
        assert_eq!(
            d["updateProduct"]["product"]["name"], "Floor lamp",
            "{n}: {d}"
        );
        let d = run(
            server,
            "{ products(filter: {name: \"Floor lamp\"}) { totalCount } }",
            json!({}),
        )
        .await;
        assert_eq!(d["products"]["totalCount"], 1, "{n}: {d}");
    }
    cleanup(servers).await;
}

#[tokio::test]
async fn database_errors_become_field_errors_or_not_found() {
    let servers = fixture_servers_as(Config::testing(), "admin").await;
    for (backend, server) in &servers {
        let n = backend.name;
        // unique violations name the field
        let d = run(server, "mutation { createTag(input: {name: \"new\"}) { success errors { field code message } } }", json!({})).await;
        assert_eq!(
            field_errors(&d["createTag"]),
            errs(&[("name", "UNIQUE")]),
            "{n}: {d}"
        );
        let taken = gqlgen_tests::sku(1).to_string();
        let d = run(
            server,
            CREATE_PRODUCT,
            json!({ "input": product_input("Copy", &taken) }),
        )
        .await;
        assert_eq!(
            field_errors(&d["createProduct"]),
            errs(&[("sku", "UNIQUE")]),
            "{n}: {d}"
        );
        let d = run(server, "mutation { updateCategory(id: Category:2, input: {slug: \"books\"}) { success errors { field code } } }", json!({})).await;
        assert_eq!(
            field_errors(&d["updateCategory"]),
            errs(&[("slug", "UNIQUE")]),
            "{n}: {d}"
        );
        // a missing id is NOT_FOUND at the top level
        for mutation in [
            "mutation { updateProduct(id: Product:999, input: {stock: 1}) { success } }",
            "mutation { deleteProduct(id: Product:999) { success } }",
        ] {
            let r = server.graphql(mutation, json!({})).await;
            assert_eq!(error_codes(&r.body), ["NOT_FOUND"], "{n}: {}", r.text);
        }
        let r = server
            .graphql(
                "mutation { updateProduct(id: \"x\", input: {stock: 1}) { success } }",
                json!({}),
            )
            .await;
        assert_eq!(error_codes(&r.body), ["BAD_USER_INPUT"], "{n}");
        // a foreign key to a missing row on update
        let d = run(server, "mutation { updateProduct(id: Product:1, input: {ownerId: User:77}) { success errors { field code } } }", json!({})).await;
        assert_eq!(
            field_errors(&d["updateProduct"]),
            errs(&[("ownerId", "NOT_FOUND")]),
            "{n}"
        );
        // deleting a row others still reference
        let d = run(
            server,
            "mutation { deleteCategory(id: Category:1) { success deletedId errors { code } } }",
            json!({}),
        )
        .await;
        assert_eq!(d["deleteCategory"]["success"], false, "{n}: {d}");
        assert_eq!(d["deleteCategory"]["errors"][0]["code"], "REFERENCED");
        let d = run(server, "{ category(id: Category:1) { id } }", json!({})).await;
        assert_eq!(d["category"]["id"], gid("Category", 1), "{n}: still there");
    }
    cleanup(servers).await;
}

#[tokio::test]
async fn updates_are_partial_and_deletes_cascade() {
    let servers = fixture_servers_as(Config::testing(), "admin").await;
    for (backend, server) in &servers {
        let n = backend.name;
        // absent keeps, null clears a nullable column, null on a required column keeps it
        let d = run(server, "mutation { updateProduct(id: Product:1, input: {stock: 9, description: null, name: null, tagIds: [Tag:2]}) { success product { name stock description tags { edges { node { id } } } } } }", json!({})).await;
        let p = &d["updateProduct"]["product"];
        assert_eq!(d["updateProduct"]["success"], true, "{n}: {d}");
        assert_eq!(p["name"], "Crème Brûlée Torch", "{n}");
        assert_eq!(p["stock"], 9);
        assert_eq!(p["description"], Value::Null);
        assert_eq!(p["tags"]["edges"], json!([{"node": {"id": gid("Tag", 2)}}]));
        // two concurrent partial updates of different fields both survive
        let (a, b) = tokio::join!(
            server.graphql(
                "mutation { updateProduct(id: Product:2, input: {name: \"Renamed pan\"}) { success } }",
                json!({})
            ),
            server.graphql(
                "mutation { updateProduct(id: Product:2, input: {stock: 42}) { success } }",
                json!({})
            ),
        );
        assert_eq!(
            a.body["data"]["updateProduct"]["success"], true,
            "{n}: {}",
            a.text
        );
        assert_eq!(
            b.body["data"]["updateProduct"]["success"], true,
            "{n}: {}",
            b.text
        );
        let d = run(
            server,
            "{ product(id: Product:2) { name stock } }",
            json!({}),
        )
        .await;
        assert_eq!(
            d["product"],
            json!({"name": "Renamed pan", "stock": 42}),
            "{n}"
        );
        // delete: the row, its links and its reviews go; the id comes back
        let d = run(server, "mutation { a: deleteProduct(id: Product:3) { success deletedId errors { code } } b: deleteProduct(id: Product:4) { success } }", json!({})).await;
        assert_eq!(
            d["a"],
            json!({"success": true, "deletedId": gid("Product", 3), "errors": []}),
            "{n}"
        );
        assert_eq!(d["b"]["success"], true, "{n}");
        let d = run(server, "{ product(id: Product:3) { id } reviews(filter: {product: Product:4}) { totalCount } tag(id: Tag:2) { products { totalCount } } }", json!({})).await;
        assert_eq!(d["product"], Value::Null, "{n}");
        assert_eq!(d["reviews"]["totalCount"], 0, "{n}: reviews cascade");
        assert_eq!(
            d["tag"]["products"]["totalCount"], 3,
            "{n}: links of 1, 5 and 6 remain"
        );
        // a product on an order cannot go
        let d = run(
            server,
            "mutation { deleteProduct(id: Product:6) { success errors { code } } }",
            json!({}),
        )
        .await;
        assert_eq!(
            d["deleteProduct"],
            json!({"success": false, "errors": [{"code": "REFERENCED"}]}),
            "{n}"
        );
    }
    cleanup(servers).await;
}

#[tokio::test]
async fn bulk_operations_are_all_or_nothing() {
    let servers = fixture_servers_as(Config::testing(), "admin").await;
    for (backend, server) in &servers {
        let n = backend.name;
        const CREATE_MANY: &str = "mutation($inputs: [ProductCreateInput!]!) { createProducts(inputs: $inputs) { success products { name } errors { field code } } }";
        let good = |i: u32| {
            product_input(
                &format!("Bulk {i}"),
                &format!("00000000-0000-0000-0000-{:012}", 200 + i),
            )
        };
        let d = run(server, CREATE_MANY, json!({"inputs": [good(1), good(2)]})).await;
        assert_eq!(d["createProducts"]["success"], true, "{n}: {d}");
        assert_eq!(
            d["createProducts"]["products"],
            json!([{"name": "Bulk 1"}, {"name": "Bulk 2"}])
        );
        assert_eq!(product_count(server).await, 8, "{n}");
        // one bad row: none written, the errors name the row
        let mut bad = good(4);
        bad["name"] = json!("");
        let d = run(server, CREATE_MANY, json!({"inputs": [good(3), bad]})).await;
        assert_eq!(
            field_errors(&d["createProducts"]),
            errs(&[("inputs.1.name", "LENGTH")]),
            "{n}"
        );
        assert_eq!(product_count(server).await, 8, "{n}");
        // a failure after the first insert rolls it back (same SKU twice)
        let d = run(server, CREATE_MANY, json!({"inputs": [good(5), good(5)]})).await;
        assert_eq!(
            field_errors(&d["createProducts"]),
            errs(&[("inputs.1.sku", "UNIQUE")]),
            "{n}: {d}"
        );
        assert_eq!(
            product_count(server).await,
            8,
            "{n}: the first row was rolled back"
        );
        // above the maximum batch size
        let many: Vec<Value> = (0..101).map(|i| good(300 + i)).collect();
        let r = server.graphql(CREATE_MANY, json!({"inputs": many})).await;
        assert_eq!(error_codes(&r.body), ["BAD_USER_INPUT"], "{n}");
        // update and delete by filter
        let d = run(server, "mutation { updateProducts(filter: {category: Category:3}, input: {stock: 50}) { success count errors { field code } } }", json!({})).await;
        assert_eq!(
            d["updateProducts"],
            json!({"success": true, "count": 3, "errors": []}),
            "{n}"
        );
        let d = run(
            server,
            "{ products(filter: {stock: 50}) { totalCount } }",
            json!({}),
        )
        .await;
        assert_eq!(d["products"]["totalCount"], 3, "{n}");
        let d = run(server, "mutation { updateProducts(filter: {category: Category:3}, input: {price: \"-2\"}) { success count errors { field code } } }", json!({})).await;
        assert_eq!(d["updateProducts"]["success"], false, "{n}");
        assert_eq!(
            d["updateProducts"]["errors"].as_array().unwrap().len(),
            3,
            "{n}: one per row"
        );
        let d = run(
            server,
            "mutation { deleteProducts(filter: {id_In: [Product:3, Product:4]}) { success count } }",
            json!({}),
        )
        .await;
        assert_eq!(
            d["deleteProducts"],
            json!({"success": true, "count": 2}),
            "{n}"
        );
        assert_eq!(product_count(server).await, 6, "{n}");
        // a filter that selects everything is refused
        for mutation in [
            "mutation { deleteProducts(filter: {}) { count } }",
            "mutation { updateProducts(filter: {and: []}, input: {stock: 1}) { count } }",
        ] {
            let r = server.graphql(mutation, json!({})).await;
            assert_eq!(error_codes(&r.body), ["BAD_USER_INPUT"], "{n}: {mutation}");
        }
        assert_eq!(product_count(server).await, 6, "{n}");
    }
    cleanup(servers).await;
}

#[tokio::test]
async fn bulk_deletes_respect_the_batch_size() {
    let servers = fixture_servers_as(
        Config {
            max_batch_size: 2,
            ..Config::testing()
        },
        "admin",
    )
    .await;
    for (backend, server) in &servers {
        let n = backend.name;
        let r = server
            .graphql(
                "mutation { deleteProducts(filter: {id_In: [Product:2, Product:3, Product:4]}) { count } }",
                json!({}),
            )
            .await;
        assert_eq!(error_codes(&r.body), ["BAD_USER_INPUT"], "{n}: {}", r.text);
        assert_eq!(product_count(server).await, 6, "{n}: nothing deleted");
        let d = run(
            server,
            "mutation { deleteProducts(filter: {id_In: [Product:3, Product:4]}) { count } }",
            json!({}),
        )
        .await;
        assert_eq!(d["deleteProducts"]["count"], 2, "{n}");
    }
    cleanup(servers).await;
}

/// The seed's `test_create_product_success` and `test_create_product_validation_error`, as
/// written there: alice (a regular user) sends only what a client must decide.
#[tokio::test]
async fn the_seeds_two_create_product_tests() {
    let servers = fixture_servers_as(Config::testing(), "alice").await;
    for (backend, server) in &servers {
        let n = backend.name;
        let success = "mutation($input: ProductCreateInput!) { createProduct(input: $input) { success product { id name price ownerId stock isActive sku } errors { field message } } }";
        let input = json!({ "input": { "name": "New Product", "price": 149.99, "categoryId": "Category:1" } });
        let d = run(server, success, input).await;
        let payload = &d["createProduct"];
        assert_eq!(payload["success"], true, "{n}: {payload}");
        assert_eq!(payload["product"]["name"], "New Product");
        assert_eq!(payload["product"]["price"], "149.99");
        // The defaults: the caller as owner, the attribute's values, a new UUID.
        assert_eq!(
            payload["product"]["ownerId"],
            gid("User", 1),
            "{n}: alice owns it"
        );
        assert_eq!(payload["product"]["stock"], 0);
        assert_eq!(payload["product"]["isActive"], true);
        assert!(
            payload["product"]["sku"]
                .as_str()
                .is_some_and(|s| s.parse::<uuid::Uuid>().is_ok()),
            "{n}: {payload}"
        );

        let invalid = "mutation($input: ProductCreateInput!) { createProduct(input: $input) { success errors { field message code } } }";
        let input = json!({ "input": { "name": "", "price": -10 } });
        let d = run(server, invalid, input).await;
        let payload = &d["createProduct"];
        assert_eq!(payload["success"], false, "{n}: {payload}");
        assert_eq!(
            field_errors(payload),
            errs(&[
                ("categoryId", "REQUIRED"),
                ("name", "LENGTH"),
                ("price", "RANGE"),
            ]),
            "{n}: {payload}"
        );
    }
    cleanup(servers).await;
}
