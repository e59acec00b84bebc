//! The rules a model must follow, as serde_derive's `check.rs`: [`model`] runs one function per
//! rule on the built [`Model`], each documented with the rule and an example of what it refuses.
//! Every rule reports at the user's span and none stops the others, so one build shows every
//! mistake. The helpers at the top check single values, for `model` and for these rules.

use std::collections::HashMap;

use darling::error::Accumulator;
use darling::util::SpannedValue;
use proc_macro2::Span;
use syn::Ident;
use syn::spanned::Spanned;

use crate::attr::{self, LookupList, NameValue};
use crate::model::{EnumModel, HiddenBy, InputRole, Model};
use crate::names;
use crate::types::{Kind, Lookup, RelationKind};

/// Error at `span` with `message`.
pub fn error(span: Span, message: impl std::fmt::Display) -> darling::Error {
    darling::Error::custom(message).with_span(&span)
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

/// Runs every rule on a built model, each error at the user's span.
pub fn model(model: &Model, errors: &mut Accumulator) {
    fields_or_exclude(model, errors);
    listed_fields_exist(model, errors);
    filter_names_a_field_once(model, errors);
    lookups_in_one_place(model, errors);
    hidden_fields_take_no_options(model, errors);
    names_are_graphql_names(model, errors);
    relation_options_fit(model, errors);
    no_self_referencing_many_to_many(model, errors);
    order_fits_the_column(model, errors);
    sanitize_html_on_text(model, errors);
    validators_fit_the_column(model, errors);
    permissions_are_codenames(model, errors);
    validator_needs_an_input_mutation(model, errors);
    list_and_detail_names_differ(model, errors);
    graphql_field_names_are_unique(model, errors);
    filter_field_names_are_unique(model, errors);
    one_exposed_primary_key(model, errors);
    primary_key_is_the_node_id(model, errors);
    owner_is_a_column_or_belongs_to(model, errors);
    owner_permissions_have_an_owner(model, errors);
    defaults_fit_the_column(model, errors);
    staff_sets_owner_has_an_owner_column(model, errors);
}

/// `fields(...)` and `exclude(...)` are alternatives: one lists what is shown, the other what is
/// not.
///
/// `#[graphql(fields(id, name), exclude(price))]` → "`exclude(...)` conflicts with `fields(...)`"
fn fields_or_exclude(model: &Model, errors: &mut Accumulator) {
    if let (Some(_), Some(exclude)) = (&model.attrs.fields, &model.attrs.exclude) {
        errors.push(error(
            exclude.span(),
            "`exclude(...)` conflicts with `fields(...)`; keep one: `fields` lists what is exposed, `exclude` what is not",
        ));
    }
}

/// Every field named in `fields(...)`, `exclude(...)` and the struct's `filter(...)` is a field
/// of the struct (not `#[sea_orm(ignore)]`).
///
/// `#[graphql(fields(id, nmae))]` → "unknown field `nmae` in `fields(...)`; did you mean `name`?"
fn listed_fields_exist(model: &Model, errors: &mut Accumulator) {
    let attrs = &model.attrs;
    let listed = [(&attrs.fields, "fields"), (&attrs.exclude, "exclude")]
        .into_iter()
        .flat_map(|(list, attribute)| {
            list.iter()
                .flat_map(move |l| l.0.iter().map(move |i| (i, attribute)))
        })
        .chain(
            attrs
                .filter
                .iter()
                .flat_map(|f| f.0.iter().map(|(i, _)| (i, "filter"))),
        );
    for (ident, attribute) in listed {
        let name = ident.to_string();
        if !model.field_names.contains(&name) {
            errors.push(error(
                ident.span(),
                format!(
                    "unknown field `{name}` in `{attribute}(...)`{}",
                    names::hint(&name, &model.field_names)
                ),
            ));
        }
    }
}

/// The struct's `filter(...)` names a field once.
///
/// `#[graphql(filter(name(exact), name(icontains)))]` → "`name` appears twice in `filter(...)`"
fn filter_names_a_field_once(model: &Model, errors: &mut Accumulator) {
    let mut seen = Vec::new();
    for (ident, _) in model.attrs.filter.iter().flat_map(|f| f.0.iter()) {
        if !model.field_names.contains(&ident.to_string()) {
            continue;
        }
        if seen.contains(&ident) {
            errors.push(error(
                ident.span(),
                format!("`{ident}` appears twice in `filter(...)`; merge its lookups"),
            ));
        }
        seen.push(ident);
    }
}

/// A column's lookups are given in one place: its own `filter(...)` or the struct's.
///
/// `#[graphql(filter(name(exact)))]` on the struct and `#[graphql(filter(icontains))] name` →
/// "`name` has lookups in the field's `filter(...)` and in the struct's `filter(...)`"
fn lookups_in_one_place(model: &Model, errors: &mut Accumulator) {
    for column in &model.columns {
        if let Some(own) = &column.field.attrs.filter
            && model.attrs.filter_of(&column.field.name()).is_some()
        {
            errors.push(error(
                own.span(),
                format!(
                    "`{}` has lookups in the field's `filter(...)` and in the struct's `filter(...)`; keep one",
                    column.ident
                ),
            ));
        }
    }
}

/// A field the schema does not show (`skip`, `#[sea_orm(ignore)]`, left out by `fields`/`exclude`)
/// takes no option that only a shown field has.
///
/// `#[graphql(skip, filter)] secret` → "`filter` on `secret`, which `skip` hides from the
/// schema"
fn hidden_fields_take_no_options(model: &Model, errors: &mut Accumulator) {
    for hidden in &model.hidden {
        let attrs = &hidden.field.attrs;
        let name = hidden.field.name();
        let container_filter = model.attrs.filter_of(&name).map(|lookups| lookups.span());
        let options = [
            (attrs.name.as_ref().map(|n| n.span()), "name"),
            (attrs.description.as_ref().map(|d| d.span()), "description"),
            (attrs.validate.as_ref().map(|v| v.span()), "validate"),
            (
                attrs
                    .sanitize_html
                    .is_present()
                    .then(|| attrs.sanitize_html.span()),
                "sanitize_html",
            ),
            (
                attrs.filter.as_ref().map(|f| f.span()).or(container_filter),
                "filter",
            ),
            (attrs.permission.as_ref().map(|p| p.span()), "permission"),
            (
                attrs.order.is_present().then(|| attrs.order.span()),
                "order",
            ),
            (attrs.list.is_present().then(|| attrs.list.span()), "list"),
            (attrs.default.as_ref().map(|d| d.span()), "default"),
            (attrs.default_fn.as_ref().map(|d| d.span()), "default_fn"),
        ];
        let reason = match hidden.by {
            HiddenBy::Skip => "`skip`",
            HiddenBy::SeaOrmIgnore => "`#[sea_orm(ignore)]`",
            HiddenBy::Container => "the struct's `fields(...)`/`exclude(...)`",
        };
        for (span, option) in options {
            if let Some(span) = span {
                errors.push(error(
                    span,
                    format!("`{option}` on `{name}`, which {reason} hides from the schema; a hidden field takes no option of a shown one; remove it"),
                ));
            }
        }
    }
}

/// Names given with `name = "..."` and `plural = "..."` are GraphQL names.
///
/// `#[graphql(name = "my field")]` → "`my field` is not a valid GraphQL field name"
fn names_are_graphql_names(model: &Model, errors: &mut Accumulator) {
    if let Some(name) = &model.attrs.name {
        errors.handle(graphql_name(name, "type"));
    }
    if let Some(plural) = &model.attrs.plural {
        errors.handle(graphql_name(plural, "field"));
    }
    let fields = model
        .columns
        .iter()
        .map(|c| &c.field)
        .chain(model.relations.iter().map(|r| &r.field));
    for field in fields {
        if let Some(name) = &field.attrs.name {
            errors.handle(graphql_name(name, "field"));
        }
    }
}

/// On a relation, `filter` is a bare word (the related type's lookups, prefixed), `list` is for
/// has-many ones, and `order` does not apply; on a column, `list` does not apply.
///
/// `#[graphql(order)] category: HasOne<...>` → "`order` does not apply to the relation
/// `category`"
fn relation_options_fit(model: &Model, errors: &mut Accumulator) {
    for relation in &model.relations {
        let (attrs, rust_name) = (&relation.field.attrs, relation.ident.to_string());
        if let Some(filter) = &attrs.filter
            && let LookupList::Some(_) = &**filter
        {
            errors.push(error(
                filter.span(),
                format!(
                    "`filter` on the relation `{rust_name}` takes no lookups: it offers the related type's own filter fields, prefixed (`{}_Name_Icontains`); write `filter`",
                    names::camel(&rust_name)
                ),
            ));
        }
        if attrs.order.is_present() {
            errors.push(error(
                attrs.order.span(),
                format!("`order` does not apply to the relation `{rust_name}`; order by the related type's fields in its `orderBy` argument"),
            ));
        }
        if attrs.list.is_present() && relation.kind != RelationKind::HasMany {
            errors.push(error(
                attrs.list.span(),
                format!("`list` applies to has-many relations; `{rust_name}` is a single row"),
            ));
        }
    }
    for column in &model.columns {
        let list = &column.field.attrs.list;
        if list.is_present() {
            errors.push(error(
                list.span(),
                format!(
                    "`list` applies to has-many relations; `{}` is a column",
                    column.ident
                ),
            ));
        }
    }
}

/// A many-to-many relation of an entity with itself is not supported yet.
///
/// `#[sea_orm(self_ref, via = "follow")] followers: HasMany<Entity>` → "self-referencing
/// many-to-many relations are not supported yet"
fn no_self_referencing_many_to_many(model: &Model, errors: &mut Accumulator) {
    for relation in &model.relations {
        if relation.field.sea.self_ref && relation.via {
            errors.push(error(
                relation.ident.span(),
                format!("`{}`: self-referencing many-to-many relations are not supported yet; `#[graphql(skip)]` it", relation.ident),
            ));
        }
    }
}

/// `order` applies to columns with an order: not to JSON.
///
/// `#[graphql(order)] pub data: Json` → "`order` does not apply to a JSON column"
fn order_fits_the_column(model: &Model, errors: &mut Accumulator) {
    for column in &model.columns {
        let order = &column.field.attrs.order;
        if order.is_present() && column.kind == Kind::Json {
            errors.push(error(
                order.span(),
                format!(
                    "`order` does not apply to a JSON column (`{}`); remove it",
                    column.ident
                ),
            ));
        }
    }
}

/// `sanitize_html` cleans text: it applies to text columns.
///
/// `#[graphql(sanitize_html)] pub stock: i32` → "`sanitize_html` applies to text columns"
fn sanitize_html_on_text(model: &Model, errors: &mut Accumulator) {
    for column in &model.columns {
        let flag = &column.field.attrs.sanitize_html;
        if flag.is_present() && column.base_kind != Kind::Text {
            errors.push(error(
                flag.span(),
                format!(
                    "`sanitize_html` applies to text columns; `{}` is {}",
                    column.ident,
                    column.base_kind.describe()
                ),
            ));
        }
    }
}

/// Each check of `validate(...)` fits the column's type and has sound arguments: `length`,
/// `email`, `url` and `regex` are for text, `range` for numbers, `required` for text and
/// `Option`; bounds are given and ordered; a regex compiles.
///
/// `#[graphql(validate(length(min = 1)))] pub stock: i32` → "`length` applies to text columns"
fn validators_fit_the_column(model: &Model, errors: &mut Accumulator) {
    for column in &model.columns {
        let Some(validate) = &column.field.attrs.validate else {
            continue;
        };
        let (rust_name, kind) = (column.ident.to_string(), column.base_kind);
        let mut text_only = |what: &str, span: Span| {
            if kind != Kind::Text {
                errors.push(error(
                    span,
                    format!(
                        "`{what}` applies to text columns; `{rust_name}` is {}",
                        kind.describe()
                    ),
                ));
            }
        };
        if let Some(length) = &validate.length {
            text_only("length", length.span());
        }
        if validate.email.is_present() {
            text_only("email", validate.email.span());
        }
        if validate.url.is_present() {
            text_only("url", validate.url.span());
        }
        if let Some(pattern) = &validate.regex {
            text_only("regex", pattern.span());
        }
        if let Some(length) = &validate.length {
            bounds("length", length, errors);
            let whole =
                |n: Option<attr::Number>| n.is_none_or(|n| n.0 >= 0.0 && n.0.fract() == 0.0);
            if !whole(length.min) || !whole(length.max) {
                errors.push(error(
                    length.span(),
                    "`length` bounds are whole numbers of characters, 0 or more",
                ));
            }
        }
        if let Some(range) = &validate.range {
            if !matches!(kind, Kind::Int | Kind::Float | Kind::Decimal) {
                errors.push(error(
                    range.span(),
                    format!(
                        "`range` applies to number columns; `{rust_name}` is {}",
                        kind.describe()
                    ),
                ));
            }
            bounds("range", range, errors);
        }
        if let Some(pattern) = &validate.regex
            && let Err(err) = regex::Regex::new(pattern)
        {
            let first = err
                .to_string()
                .lines()
                .last()
                .unwrap_or_default()
                .trim()
                .trim_start_matches("error: ")
                .to_owned();
            errors.push(error(
                pattern.span(),
                format!("`regex` does not compile: {first}"),
            ));
        }
        if validate.required.is_present() && !column.nullable && kind != Kind::Text {
            errors.push(error(
                validate.required.span(),
                format!("`required` applies to text and `Option` columns; `{rust_name}` always has a value"),
            ));
        }
    }
}

/// `length(...)` and `range(...)` name a bound, and min is not above max.
fn bounds(name: &str, bounds: &SpannedValue<attr::Bounds>, errors: &mut Accumulator) {
    let (min, max) = (bounds.min.map(|n| n.0), bounds.max.map(|n| n.0));
    if min.is_none() && max.is_none() {
        errors.push(error(
            bounds.span(),
            format!("`{name}` needs `min`, `max` or both, such as `{name}(min = 1, max = 100)`"),
        ));
    }
    if let (Some(a), Some(z)) = (min, max)
        && a > z
    {
        errors.push(error(
            bounds.span(),
            format!("`{name}` has min {a} above max {z}"),
        ));
    }
}

/// A field permission is a codename in Django's `app.codename` form.
///
/// `#[graphql(permission = "view_email")]` → "`view_email` is not a permission codename"
fn permissions_are_codenames(model: &Model, errors: &mut Accumulator) {
    for column in &model.columns {
        if let Some(codename) = &column.field.attrs.permission {
            errors.handle(self::codename(codename));
        }
    }
}

/// `validator = Type` checks mutation inputs, so the model has a create or update mutation.
///
/// `#[graphql(mutations(delete), validator = Rules)]` → "`validator` checks mutation inputs, and
/// this model has no create or update mutation"
fn validator_needs_an_input_mutation(model: &Model, errors: &mut Accumulator) {
    if model.validator.is_some() && !(model.mutations.create || model.mutations.update) {
        errors.push(error(
            model.attrs.ident.span(),
            "`validator` checks mutation inputs, and this model has no create or update mutation",
        ));
    }
}

/// The list field (`plural`) and the detail field have different names.
///
/// `#[graphql(plural = "product")]` on `product` → "the list field `product` has the name of the
/// detail field"
fn list_and_detail_names_differ(model: &Model, errors: &mut Accumulator) {
    if model.list_name == model.detail_name {
        errors.push(error(
            model.attrs.plural.as_ref().map_or(Span::call_site(), |p| p.span()),
            format!(
                "the list field `{}` has the name of the detail field; set `plural = \"...\"` to another name",
                model.list_name
            ),
        ));
    }
}

/// Columns, computed fields and relations each have their own GraphQL name.
///
/// `#[graphql(name = "title")] pub name: String` beside `pub title: String` → "GraphQL field
/// `title` is defined twice"
fn graphql_field_names_are_unique(model: &Model, errors: &mut Accumulator) {
    let mut seen: HashMap<&str, Span> = HashMap::new();
    let named = model
        .columns
        .iter()
        .map(|c| (c.gql_name.as_str(), c.ident.span()))
        .chain(
            model
                .computed
                .iter()
                .map(|c| (c.gql_name.as_str(), c.ident.span())),
        )
        .chain(
            model
                .relations
                .iter()
                .map(|r| (r.gql_name.as_str(), r.ident.span())),
        );
    for (name, span) in named {
        if seen.insert(name, span).is_some() {
            errors.push(error(
                span,
                format!(
                    "GraphQL field `{name}` is defined twice; rename one with `name = \"...\"`"
                ),
            ));
        }
    }
}

/// Each filter field has its own name, and none is a combinator.
///
/// `pub owner_id: i32` (filter field `owner`) beside `#[graphql(filter)] pub owner: String` →
/// "filter field `owner` of `owner` is also the filter field of `owner_id`"
fn filter_field_names_are_unique(model: &Model, errors: &mut Accumulator) {
    let mut filter_fields: HashMap<String, &Ident> = HashMap::new();
    for column in &model.columns {
        for &lookup in &column.lookups {
            let name = column.filter_field(lookup);
            let problem = if ["and", "or", "not"].contains(&name.as_str()) {
                Some(format!("clashes with the combinator `{name}`"))
            } else {
                filter_fields
                    .insert(name.clone(), &column.ident)
                    .map(|other| format!("is also the filter field of `{other}`"))
            };
            if let Some(problem) = problem {
                errors.push(error(
                    column.ident.span(),
                    format!(
                        "filter field `{name}` of `{}` {problem}; rename the column with `name = \"...\"`",
                        column.ident
                    ),
                ));
            }
        }
    }
}

/// A model has exactly one primary key column, and it is exposed: it is the `id` of the type
/// and the tiebreak of every ordering.
///
/// `pub struct Model { pub name: String }` → "GraphQLModel needs exactly one
/// `#[sea_orm(primary_key)]` column"
fn one_exposed_primary_key(model: &Model, errors: &mut Accumulator) {
    let keys = model.all_columns.iter().filter(|c| c.primary_key).count();
    if keys != 1 {
        errors.push(error(
            model.attrs.ident.span(),
            "GraphQLModel needs exactly one `#[sea_orm(primary_key)]` column, exposed as the `id` of the type",
        ));
    } else if !model.columns.iter().any(|c| c.primary_key) {
        errors.push(error(
            model.attrs.ident.span(),
            "the primary key is not exposed (skipped or excluded); it is the object's `id` and the tiebreak of orderings: expose it",
        ));
    }
}

/// The primary key is the `id: ID!` field of Relay's `Node` interface: it keeps the name `id`
/// and a type an `ID` can hold (an integer, a UUID or text).
///
/// `#[sea_orm(primary_key)] #[graphql(name = "code")] pub id: i32` → "the primary key reads
/// as `code`, but it is the `id` of Relay's `Node` interface that every model implements; name
/// it `id`"
fn primary_key_is_the_node_id(model: &Model, errors: &mut Accumulator) {
    let Some(key) = model.columns.iter().find(|c| c.primary_key) else {
        return;
    };
    if key.gql_name != "id" {
        let span = match &key.field.attrs.name {
            Some(name) => name.span(),
            None => key.ident.span(),
        };
        errors.push(error(
            span,
            format!(
                "the primary key reads as `{}`, but it is the `id` of Relay's `Node` interface that every model implements; name it `id` (`#[graphql(name = \"id\")]`)",
                key.gql_name
            ),
        ));
    } else if key.kind != Kind::Id {
        errors.push(error(
            key.ty.span(),
            "the primary key is the `id: ID!` of Relay's `Node` interface, which holds an integer, a UUID or text: use a key of one of those types",
        ));
    }
}

/// `owner = ...` names a column holding a user id or a belongs-to relation whose row has an
/// owner.
///
/// `#[graphql(owner = usr_id)]` → "unknown column or relation `usr_id` in `owner = ...`; did you
/// mean `user_id`?"
fn owner_is_a_column_or_belongs_to(model: &Model, errors: &mut Accumulator) {
    let Some(path) = &model.attrs.owner else {
        return;
    };
    if model.owner.is_some() {
        return;
    }
    let Some(ident) = path.get_ident() else {
        errors.push(error(
            syn::spanned::Spanned::span(path),
            "expected a column or belongs-to relation, such as `owner = user_id` or `owner = order`",
        ));
        return;
    };
    let name = ident.to_string();
    if model.relations.iter().any(|r| r.ident == name) {
        errors.push(error(
            ident.span(),
            format!("`owner = {name}` names a relation that is not belongs-to; the owner is a column holding a user id, or a belongs-to relation whose row has an owner"),
        ));
        return;
    }
    let mut known = model.field_names.clone();
    known.extend(model.relations.iter().map(|r| r.ident.to_string()));
    errors.push(error(
        ident.span(),
        format!(
            "unknown column or relation `{name}` in `owner = ...`{}",
            names::hint(&name, &known)
        ),
    ));
}

/// The built-in permissions that compare a row's owner with the caller need `owner = ...`. Not
/// checked when `owner` is given but misspelt: that is reported by itself.
///
/// `#[graphql(permissions(IsOwnerOrStaff))]` without `owner` → "`IsOwnerOrStaff` compares a
/// row's owner with the caller, and this model names no owner column"
fn owner_permissions_have_an_owner(model: &Model, errors: &mut Accumulator) {
    if model.attrs.owner.is_some() {
        return;
    }
    for expr in model.permissions.iter().flatten() {
        errors.handle(owner_needed(expr));
    }
}

/// `default` and `default_fn` give a create input's absent field a value: one of them, on a
/// column the client writes and that is not already optional.
///
/// `#[graphql(default = 0)] pub id: i32` (the primary key) → "`default` on `id`, which the
/// database assigns"
fn defaults_fit_the_column(model: &Model, errors: &mut Accumulator) {
    for column in &model.columns {
        let attrs = &column.field.attrs;
        let given = match (&attrs.default, &attrs.default_fn) {
            (Some(_), Some(function)) => {
                errors.push(error(
                    function.span(),
                    format!(
                        "`{}` has both `default` and `default_fn`; keep one",
                        column.ident
                    ),
                ));
                continue;
            }
            (Some(default), None) => (default.span(), "default"),
            (None, Some(function)) => (function.span(), "default_fn"),
            (None, None) => continue,
        };
        let (span, option) = given;
        let problem = match column.input {
            InputRole::Generated => Some("which the database assigns".to_owned()),
            InputRole::CreatedAt | InputRole::UpdatedAt => {
                Some("which is set to the current time".to_owned())
            }
            InputRole::Owner => Some("which is filled with the caller's id".to_owned()),
            InputRole::Writable if column.nullable => {
                Some("which is an `Option`: an absent value is null already".to_owned())
            }
            InputRole::Writable => None,
        };
        if let Some(problem) = problem {
            errors.push(error(
                span,
                format!("`{option}` on `{}`, {problem}; remove it", column.ident),
            ));
        }
    }
}

/// `staff_sets_owner` lets staff give the owner column in the inputs, so `owner = ...` names a
/// column (not a relation).
///
/// `#[graphql(staff_sets_owner)]` without `owner` → "`staff_sets_owner` needs `owner = column`"
fn staff_sets_owner_has_an_owner_column(model: &Model, errors: &mut Accumulator) {
    let flag = &model.attrs.staff_sets_owner;
    if flag.is_present() && !matches!(model.owner, Some(crate::model::Owner::Column(_))) {
        errors.push(error(
            flag.span(),
            "`staff_sets_owner` needs `owner = column`, the column that holds a row's owner, such as `owner = user_id`",
        ));
    }
}

/// Names of a `GraphQLEnum` and its values given with `name = "..."` are GraphQL names.
///
/// `#[graphql(name = "on-hold")] OnHold` → "`on-hold` is not a valid GraphQL enum value name"
pub fn enumeration(model: &EnumModel, errors: &mut Accumulator) {
    if let Some(name) = &model.attrs.name {
        errors.handle(graphql_name(name, "enum"));
    }
    for value in &model.values {
        if let Some(name) = &value.attrs.name {
            errors.handle(graphql_name(name, "enum value"));
        }
    }
}
