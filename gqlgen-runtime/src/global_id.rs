//! Relay global ids: every `id` and foreign-key field reads as one opaque `ID` naming the type
//! and the primary key (`Product:12`, base64url without padding: `UHJvZHVjdDoxMg`), so that one
//! `node(id:)` root can find any row and an id of one type is refused where another is expected.
//! Clients treat ids as opaque strings; [`encode`] and [`decode`] are here for tests, seeds and
//! hand-written resolvers.

use std::fmt::{Display, Write as _};
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::GqlError;

/// The global id of the row of GraphQL type `type_name` whose primary key is `key`.
///
/// ```
/// assert_eq!(gqlgen_runtime::global_id::encode("Product", 12), "UHJvZHVjdDoxMg");
/// ```
pub fn encode(type_name: &str, key: impl Display) -> String {
    let mut out = String::new();
    write(type_name, key, &mut out);
    out
}

/// Appends the global id of `type_name`'s row `key` to `out`.
pub(crate) fn write(type_name: &str, key: impl Display, out: &mut String) {
    // Keys are short: one allocation of the usual size holds the plain text.
    let mut plain = String::with_capacity(type_name.len() + 24);
    let _ = write!(plain, "{type_name}:{key}");
    URL_SAFE_NO_PAD.encode_string(plain.as_bytes(), out);
}

/// The type name and the primary key's text inside a global id, or `None` when `id` is not
/// one (not base64url, not text, or no `Type:key` inside).
pub fn split(id: &str) -> Option<(String, String)> {
    let bytes = URL_SAFE_NO_PAD.decode(id).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (type_name, key) = text.split_once(':')?;
    if type_name.is_empty() || key.is_empty() {
        return None;
    }
    Some((type_name.to_owned(), key.to_owned()))
}

/// The primary key inside `id`, a global id of a `type_name` row. A forged id, one of another
/// type or a key that does not parse is `BAD_USER_INPUT` naming `field`.
///
/// ```
/// use gqlgen_runtime::global_id::{decode, encode};
/// assert_eq!(decode::<i32>("Product", "id", &encode("Product", 12)).unwrap(), 12);
/// assert!(decode::<i32>("Category", "id", &encode("Product", 12)).is_err());
/// assert!(decode::<i32>("Product", "id", "12").is_err());
/// ```
pub fn decode<T: FromStr + Display>(type_name: &str, field: &str, id: &str) -> Result<T, GqlError> {
    decode_key(type_name, id)
        .map_err(|problem| GqlError::bad_input(format!("`{field}`: `{}` {problem}", shorten(id))))
}

/// Why an id is refused, as the end of a sentence that starts with the id.
fn decode_key<T: FromStr + Display>(type_name: &str, id: &str) -> Result<T, String> {
    let Some((found, key)) = split(id) else {
        return Err("is not a valid id".to_owned());
    };
    if found != type_name {
        return Err(format!("is not an id of a {type_name}"));
    }
    let value: T = key.parse().map_err(|_| "is not a valid id".to_owned())?;
    // One row, one id: `Product:012` or `Product:+12` would be a second id of row 12.
    if value.to_string() != key {
        return Err("is not a valid id".to_owned());
    }
    Ok(value)
}

/// At most 64 characters of a refused id, so that a huge one does not fill the error.
pub(crate) fn shorten(id: &str) -> &str {
    match id.char_indices().nth(64) {
        Some((end, _)) => &id[..end],
        None => id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_numbers_uuids_and_text_with_colons() {
        assert_eq!(
            decode::<i64>("Order", "id", &encode("Order", -7)).unwrap(),
            -7
        );
        let uuid = uuid::Uuid::from_u128(42);
        assert_eq!(
            decode::<uuid::Uuid>("Tag", "id", &encode("Tag", uuid)).unwrap(),
            uuid
        );
        assert_eq!(
            decode::<String>("Page", "id", &encode("Page", "a:b")).unwrap(),
            "a:b"
        );
    }

    #[test]
    fn ids_are_url_safe() {
        let id = encode("Product", u64::MAX);
        assert!(
            id.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
    }

    #[test]
    fn refuses_raw_keys_other_types_and_garbage_naming_the_field() {
        let message = |id: &str| {
            decode::<i32>("Product", "categoryId", id)
                .unwrap_err()
                .message
        };
        assert_eq!(message("1"), "`categoryId`: `1` is not a valid id");
        assert_eq!(
            message(&encode("Category", 1)),
            format!(
                "`categoryId`: `{}` is not an id of a Product",
                encode("Category", 1)
            )
        );
        assert!(message(&encode("Product", "x")).ends_with("is not a valid id"));
        assert!(message("!!!").ends_with("is not a valid id"));
        assert!(message(&URL_SAFE_NO_PAD.encode([0xff, 0xfe])).ends_with("is not a valid id"));
        assert!(message(&URL_SAFE_NO_PAD.encode("Product:")).ends_with("is not a valid id"));
        assert!(message(&"A".repeat(10_000)).len() < 200);
        // A row has one id: other spellings of its key are not ids of it.
        for key in ["012", "+12", " 12", "12 "] {
            let id = encode("Product", key);
            assert!(message(&id).ends_with("is not a valid id"), "{key}");
        }
        let upper = uuid::Uuid::from_u128(0xABCD).to_string().to_uppercase();
        assert!(decode::<uuid::Uuid>("Tag", "id", &encode("Tag", upper)).is_err());
    }
}
