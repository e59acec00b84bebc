//! The hand-written crate's entities are the example app's, without gqlgen's attributes: the
//! comparison of build times holds only while both sides compile the same sea-orm models.

/// `(name, example app's file, this crate's copy)` of each entity.
const ENTITIES: &[(&str, &str, &str)] = &[
    (
        "category",
        include_str!("../../../../example-app/src/entities/category.rs"),
        include_str!("../src/entities/category.rs"),
    ),
    (
        "order",
        include_str!("../../../../example-app/src/entities/order.rs"),
        include_str!("../src/entities/order.rs"),
    ),
    (
        "order_item",
        include_str!("../../../../example-app/src/entities/order_item.rs"),
        include_str!("../src/entities/order_item.rs"),
    ),
    (
        "product",
        include_str!("../../../../example-app/src/entities/product.rs"),
        include_str!("../src/entities/product.rs"),
    ),
    (
        "product_tag",
        include_str!("../../../../example-app/src/entities/product_tag.rs"),
        include_str!("../src/entities/product_tag.rs"),
    ),
    (
        "review",
        include_str!("../../../../example-app/src/entities/review.rs"),
        include_str!("../src/entities/review.rs"),
    ),
    (
        "tag",
        include_str!("../../../../example-app/src/entities/tag.rs"),
        include_str!("../src/entities/tag.rs"),
    ),
    (
        "user",
        include_str!("../../../../example-app/src/entities/user.rs"),
        include_str!("../src/entities/user.rs"),
    ),
];

/// `source` without its `#[graphql(...)]` attributes, which may span lines.
fn without_graphql_attributes(source: &str) -> String {
    let mut out = String::new();
    let mut rest = source;
    while let Some(start) = rest.find("#[graphql(") {
        out.push_str(&rest[..start]);
        // Past the `#`, brackets and parentheses balance at the attribute's closing `]`.
        let after_hash = start + 1;
        let mut depth = 0;
        let mut end = rest.len();
        for (i, c) in rest[after_hash..].char_indices() {
            match c {
                '[' | '(' => depth += 1,
                ']' | ')' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                end = after_hash + i + 1;
                break;
            }
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The trimmed, non-empty lines of the block that starts at `head` (`pub struct Model {`) and
/// ends at the first line that is `}`, with the `#[sea_orm(...)]` attributes just above it;
/// blank lines and plain comments are dropped.
fn block(source: &str, head: &str) -> Vec<String> {
    let lines: Vec<&str> = source.lines().map(str::trim).collect();
    let Some(start) = lines.iter().position(|line| *line == head) else {
        return Vec::new();
    };
    // The container attributes above `head`, past blank lines and plain comments.
    let above = lines[..start]
        .iter()
        .rev()
        .take_while(|line| line.is_empty() || is_comment(line) || line.starts_with("#[sea_orm("))
        .count();
    lines[start - above..]
        .iter()
        .take_while(|line| **line != "}")
        .filter(|line| !line.is_empty() && !is_comment(line))
        .map(|line| (*line).to_owned())
        .collect()
}

/// A plain comment: doc comments are part of the model.
fn is_comment(line: &str) -> bool {
    line.starts_with("//") && !line.starts_with("///")
}

#[test]
fn entities_are_the_example_apps_without_graphql_attributes() {
    for (name, example, copy) in ENTITIES {
        let example = without_graphql_attributes(example);
        for head in ["pub struct Model {", "pub enum OrderStatus {"] {
            assert_eq!(
                block(&example, head),
                block(copy, head),
                "`{head}` of {name}.rs differs from the example app's"
            );
        }
        assert!(
            !block(copy, "pub struct Model {").is_empty(),
            "{name}.rs has no model"
        );
    }
}
