//! Rules over several attributes at once. Each returns errors at the user's span and never stops
//! at the first: `model::build` collects them all, so one build shows every mistake.

use darling::util::SpannedValue;
use proc_macro2::Span;
use syn::Ident;

use crate::attr::{LookupList, NameValue};
use crate::names;
use crate::types::{Kind, Lookup};

/// Error at `span` with `message`.
pub fn error(span: Span, message: impl std::fmt::Display) -> darling::Error {
    darling::Error::custom(message).with_span(&span)
}

/// A field named in an attribute must be a column of the model.
///
/// `#[graphql(fields(id, nmae))]` → "unknown field `nmae` in `fields(...)`; did you mean `name`?"
pub fn known_field(
    ident: &Ident,
    attribute: &str,
    columns: &[String],
) -> Result<(), darling::Error> {
    let name = ident.to_string();
    if columns.contains(&name) {
        return Ok(());
    }
    Err(error(
        ident.span(),
        format!(
            "unknown field `{name}` in `{attribute}(...)`{}",
            names::hint(&name, columns)
        ),
    ))
}

/// A GraphQL name set by `name = "..."` must be one: `name = "my field"` is refused.
pub fn graphql_name(value: &SpannedValue<NameValue>, what: &str) -> Result<(), darling::Error> {
    if names::is_graphql_name(value) {
        Ok(())
    } else {
        Err(error(
            value.span(),
            format!(
                "`{}` is not a valid GraphQL {what} name; use letters, digits and `_`, not starting with a digit or `__`",
                value.as_str()
            ),
        ))
    }
}

/// The lookups of a filter attribute, resolved against the column's kind.
///
/// Every lookup must exist (`filter(icontain)` → did you mean `icontains`), appear once, and fit
/// the column: `filter(icontains)` on an `i32` is refused, and `isnull` needs an `Option`.
pub fn lookups(
    list: &SpannedValue<LookupList>,
    field: &str,
    kind: Kind,
    nullable: bool,
    errors: &mut darling::error::Accumulator,
) -> Vec<Lookup> {
    let mut allowed: Vec<Lookup> = kind.lookups().to_vec();
    if nullable {
        allowed.push(Lookup::Isnull);
    }
    let names = |lookups: &[Lookup]| -> String {
        let names: Vec<&str> = lookups.iter().map(|l| l.name()).collect();
        names.join(", ")
    };
    match &**list {
        LookupList::All => {
            if allowed.is_empty() {
                errors.push(error(
                    list.span(),
                    format!(
                        "no lookup applies to {} (`{field}`); remove `filter`",
                        kind.describe()
                    ),
                ));
            }
            allowed
        }
        LookupList::Some(idents) => {
            let mut chosen: Vec<Lookup> = Vec::new();
            for ident in idents {
                let name = ident.to_string();
                let Some(lookup) = Lookup::from_name(&name) else {
                    let all: Vec<String> =
                        Lookup::ALL.iter().map(|l| l.name().to_owned()).collect();
                    let hint = names::hint(&name, &all);
                    let separator = if hint.is_empty() { ";" } else { "" };
                    errors.push(error(
                        ident.span(),
                        format!(
                            "unknown lookup `{name}`{hint}{separator} the lookups are: {}",
                            names(&Lookup::ALL)
                        ),
                    ));
                    continue;
                };
                if chosen.contains(&lookup) {
                    errors.push(error(
                        ident.span(),
                        format!("lookup `{name}` is listed twice; remove one"),
                    ));
                    continue;
                }
                if lookup == Lookup::Isnull && !nullable {
                    errors.push(error(
                        ident.span(),
                        format!("`isnull` needs a nullable column, and `{field}` is not an `Option<_>`; remove `isnull`"),
                    ));
                    continue;
                }
                if !allowed.contains(&lookup) {
                    errors.push(error(
                        ident.span(),
                        format!(
                            "lookup `{name}` does not apply to {} (`{field}`); it allows: {}",
                            kind.describe(),
                            if allowed.is_empty() {
                                "none".to_owned()
                            } else {
                                names(&allowed)
                            }
                        ),
                    ));
                    continue;
                }
                chosen.push(lookup);
            }
            chosen
        }
    }
}

/// A field permission is a codename in Django's `app.codename` form.
pub fn codename(value: &SpannedValue<String>) -> Result<(), darling::Error> {
    let valid = value
        .split_once('.')
        .is_some_and(|(app, name)| !app.is_empty() && !name.is_empty() && !name.contains('.'))
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    if valid {
        Ok(())
    } else {
        Err(error(
            value.span(),
            format!(
                "`{}` is not a permission codename; write `app.codename`, such as `permission = \"users.view_user_email\"`",
                value.as_str()
            ),
        ))
    }
}

/// The built-in permissions that compare a row's owner need `owner = column`.
pub fn owner_needed(expr: &syn::Expr) -> Result<(), darling::Error> {
    let syn::Expr::Path(path) = expr else {
        return Ok(());
    };
    let Some(last) = path.path.segments.last() else {
        return Ok(());
    };
    let name = last.ident.to_string();
    if name == "IsOwnerOrReadOnly" || name == "IsOwnerOrStaff" {
        return Err(error(
            last.ident.span(),
            format!(
                "`{name}` compares a row's owner with the caller, and this model names no owner column; add `owner = user_id` (the column holding the owner's id)"
            ),
        ));
    }
    Ok(())
}
