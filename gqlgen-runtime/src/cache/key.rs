//! The key of a cached answer, and the `ETag` of a body.

use sha2::{Digest, Sha256};

use super::Plan;
use crate::auth::Caller;

/// The text of `query` without what does not change its meaning: comments, commas and
/// whitespace between tokens (one space is kept where two names would otherwise join).
pub(crate) fn normalize(query: &str) -> String {
    let mut out = String::with_capacity(query.len());
    let mut chars = query.chars().peekable();
    let mut pending_space = false;
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_';
    while let Some(c) = chars.next() {
        match c {
            '#' => {
                while chars.next_if(|&c| c != '\n' && c != '\r').is_some() {}
                pending_space = true;
            }
            c if c.is_whitespace() || c == ',' || c == '\u{feff}' => pending_space = true,
            '"' => {
                if pending_space && out.ends_with(is_name) {
                    out.push(' ');
                }
                pending_space = false;
                out.push('"');
                // A block string keeps its text as written.
                if chars.peek() == Some(&'"') {
                    chars.next();
                    if chars.peek() == Some(&'"') {
                        chars.next();
                        out.push_str("\"\"");
                        let mut quotes = 0;
                        for c in chars.by_ref() {
                            out.push(c);
                            quotes = if c == '"' { quotes + 1 } else { 0 };
                            if quotes == 3 && !out[..out.len() - 3].ends_with('\\') {
                                break;
                            }
                        }
                    } else {
                        out.push('"');
                    }
                    continue;
                }
                let mut escaped = false;
                for c in chars.by_ref() {
                    out.push(c);
                    if escaped {
                        escaped = false;
                    } else if c == '\\' {
                        escaped = true;
                    } else if c == '"' {
                        break;
                    }
                }
            }
            c => {
                if pending_space && is_name(c) && out.ends_with(is_name) {
                    out.push(' ');
                }
                // `...` before a name keeps its meaning without a space; `... on` needs one
                // between `on` and the type, which the rule above keeps.
                pending_space = false;
                out.push(c);
            }
        }
    }
    out
}

/// The key of an answer: the schema (`schema`: its fingerprint, so that a deploy that changes
/// it never serves answers shaped by the old one), the normalised document, the operation name, the variables (object
/// keys in order) and, for a private plan, who asks.
pub(crate) fn key(
    schema: &str,
    plan: &Plan,
    query: &str,
    operation: Option<&str>,
    variables: &async_graphql::Variables,
    caller: &Caller,
) -> String {
    let mut hash = Sha256::new();
    hash.update(schema.as_bytes());
    hash.update([0]);
    hash.update(normalize(query).as_bytes());
    hash.update([0]);
    hash.update(operation.unwrap_or_default().as_bytes());
    hash.update([0]);
    let mut canonical = Vec::new();
    write_canonical(&mut canonical, &variables.clone().into_value());
    hash.update(&canonical);
    hash.update([0]);
    if plan.private {
        hash.update(caller_fingerprint(caller).as_bytes());
    }
    hex(&hash.finalize())
}

/// Who the caller is, as far as permissions can tell: user id, staff and superuser flags and
/// permissions. `anonymous` for a caller without a user.
fn caller_fingerprint(caller: &Caller) -> String {
    match caller.user() {
        None => "anonymous".to_owned(),
        Some(user) => {
            let mut permissions = user.permissions.clone();
            permissions.sort();
            format!(
                "user:{}:{}:{}:{}",
                user.id,
                user.is_staff,
                user.is_superuser,
                permissions.join(",")
            )
        }
    }
}

/// `value` as JSON with object keys sorted, so that key order does not change the key.
fn write_canonical(out: &mut Vec<u8>, value: &async_graphql::Value) {
    use async_graphql::Value;
    match value {
        Value::Object(object) => {
            let mut entries: Vec<_> = object.iter().collect();
            entries.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
            out.push(b'{');
            for (i, (name, value)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(
                    serde_json::to_string(name.as_str())
                        .unwrap_or_default()
                        .as_bytes(),
                );
                out.push(b':');
                write_canonical(out, value);
            }
            out.push(b'}');
        }
        Value::List(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(out, item);
            }
            out.push(b']');
        }
        other => out.extend_from_slice(serde_json::to_string(other).unwrap_or_default().as_bytes()),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of `text`, in hex.
pub(crate) fn fingerprint(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

/// The strong validator of a body, for `ETag`.
pub(crate) fn etag(body: &[u8]) -> String {
    format!("\"{}\"", &hex(&Sha256::digest(body))[..32])
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::cache::sample_callers;

    #[test]
    fn normalising_keeps_meaning_and_drops_layout() {
        assert_eq!(
            normalize(
                "query Q($a: Int, $b: [ID!]) {\n  products(first: $a) { # rows\n edges { node { id name } } }\n}"
            ),
            "query Q($a:Int$b:[ID!]){products(first:$a){edges{node{id name}}}}"
        );
        assert_eq!(
            normalize("{ a(s: \"x  ,  y # not a comment\") ...on T { b } ... F }"),
            "{a(s:\"x  ,  y # not a comment\")...on T{b}...F}"
        );
        assert_eq!(
            normalize("{a(s: \"\"\" x\n  y \"\"\")}"),
            "{a(s:\"\"\" x\n  y \"\"\")}"
        );
        assert_eq!(normalize("{ a }"), normalize("{a}"));
        assert_ne!(normalize("{ a b }"), normalize("{ ab }"));
        assert_ne!(normalize("{ x: a }"), normalize("{ y: a }"));
    }

    #[test]
    fn variables_key_whatever_their_order() {
        let plan = Plan {
            ttl: 60,
            private: false,
            models: BTreeSet::new(),
        };
        let vars = |json: &str| {
            async_graphql::Variables::from_json(serde_json::from_str(json).expect("json"))
        };
        let anonymous = Caller::default();
        let a = key(
            "s",
            &plan,
            "{ a }",
            None,
            &vars(r#"{"x": {"p": 1, "q": [1, 2]}, "y": "s"}"#),
            &anonymous,
        );
        let b = key(
            "s",
            &plan,
            "{a}",
            None,
            &vars(r#"{"y": "s", "x": {"q": [1, 2], "p": 1}}"#),
            &anonymous,
        );
        assert_eq!(a, b);
        let c = key(
            "s",
            &plan,
            "{a}",
            None,
            &vars(r#"{"y": "t", "x": {"q": [1, 2], "p": 1}}"#),
            &anonymous,
        );
        assert_ne!(a, c);
        assert_ne!(
            a,
            key(
                "s",
                &plan,
                "{a}",
                Some("Q"),
                &vars(r#"{"y": "s", "x": {"q": [1, 2], "p": 1}}"#),
                &anonymous
            )
        );
    }

    #[test]
    fn a_private_key_names_the_caller() {
        let [anonymous, user, staff, _] = sample_callers();
        let shared = Plan {
            ttl: 60,
            private: false,
            models: BTreeSet::new(),
        };
        let private = Plan {
            private: true,
            ..shared.clone()
        };
        let vars = async_graphql::Variables::default();
        let k = |plan: &Plan, caller: &Caller| key("s", plan, "{a}", None, &vars, caller);
        assert_eq!(k(&shared, &anonymous), k(&shared, &user));
        assert_ne!(k(&private, &anonymous), k(&private, &user));
        assert_ne!(k(&private, &user), k(&private, &staff));
    }
}
