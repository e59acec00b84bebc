//! Case conversion, plurals and "did you mean" for names the derive makes or checks.

/// `created_at` → `createdAt`.
pub fn camel(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for ch in snake.trim_start_matches("r#").chars() {
        if ch == '_' {
            upper = !out.is_empty();
        } else if upper {
            out.extend(ch.to_uppercase());
            upper = false;
        } else {
            out.push(ch);
        }
    }
    out
}

/// `order_item` → `OrderItem`.
pub fn pascal(snake: &str) -> String {
    let camel = camel(snake);
    let mut chars = camel.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => camel,
    }
}

/// `OrderItem` → `orderItem`.
pub fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `Pending` → `PENDING`, `OnHold` → `ON_HOLD`.
pub fn screaming(name: &str) -> String {
    let mut out = String::new();
    for (i, ch) in name.chars().enumerate() {
        if ch.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.extend(ch.to_uppercase());
    }
    out
}

/// English plural of a camelCase name: `category` → `categories`, `box` → `boxes`.
pub fn plural(name: &str) -> String {
    let ends = |s: &str| name.ends_with(s);
    if ends("y") && !(ends("ay") || ends("ey") || ends("oy") || ends("uy")) {
        format!("{}ies", &name[..name.len() - 1])
    } else if ends("s") || ends("x") || ends("z") || ends("ch") || ends("sh") {
        format!("{name}es")
    } else {
        format!("{name}s")
    }
}

/// A GraphQL name: `[_A-Za-z][_0-9A-Za-z]*`, not starting with `__`.
pub fn is_graphql_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
        && !name.starts_with("__")
}

/// The closest of `candidates` to `name`, if close enough to be a likely typo.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(name, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// `; did you mean `x`?` or nothing.
pub fn hint(name: &str, candidates: &[String]) -> String {
    did_you_mean(name, candidates.iter().map(String::as_str))
        .map(|c| format!("; did you mean `{c}`?"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        assert_eq!(camel("created_at"), "createdAt");
        assert_eq!(camel("r#type"), "type");
        assert_eq!(pascal("order_item"), "OrderItem");
        assert_eq!(lower_first("OrderItem"), "orderItem");
        assert_eq!(screaming("OnHold"), "ON_HOLD");
    }

    #[test]
    fn plurals() {
        assert_eq!(plural("category"), "categories");
        assert_eq!(plural("product"), "products");
        assert_eq!(plural("day"), "days");
        assert_eq!(plural("box"), "boxes");
        assert_eq!(plural("address"), "addresses");
    }

    #[test]
    fn graphql_names() {
        assert!(is_graphql_name("Product"));
        assert!(is_graphql_name("_private2"));
        assert!(!is_graphql_name("2x"));
        assert!(!is_graphql_name("with space"));
        assert!(!is_graphql_name("__reserved"));
    }

    #[test]
    fn suggestions() {
        assert_eq!(did_you_mean("nmae", ["name", "price"]), Some("name"));
        assert_eq!(did_you_mean("zzz", ["name", "price"]), None);
    }
}
