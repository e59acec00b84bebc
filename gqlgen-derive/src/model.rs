//! The checked model of an entity: what the emit modules read. It keeps the user's idents and
//! types, so spans survive into generated code.

use std::collections::HashMap;

use darling::FromDeriveInput;
use proc_macro2::Span;
use syn::{DeriveInput, Ident, Type};

use crate::attr::{self, ContainerAttrs, FieldAttrs, LookupList, SeaOrmAttrs};
use crate::check;
use crate::names;
use crate::types::{self, Kind, Lookup, RelationKind};

/// One exposed column.
pub struct Column {
    pub ident: Ident,
    /// The field's type as written, `Option` included.
    pub ty: Type,
    pub nullable: bool,
    pub kind: Kind,
    /// For an `Id` column, the kind of the underlying Rust type.
    pub key_type: Type,
    pub gql_name: String,
    /// Prefix of its filter fields: the GraphQL name, or `category` for `category_id`.
    pub filter_name: String,
    pub description: Option<String>,
    pub lookups: Vec<Lookup>,
    pub order: bool,
    /// `Column::CategoryId`.
    pub variant: Ident,
    pub primary_key: bool,
    /// How mutation inputs treat the column.
    pub input: InputRole,
    pub validators: Vec<Validator>,
    pub sanitize_html: bool,
    /// `permission = "app.codename"`: who may read the field (and filter or order by it).
    pub permission: Option<String>,
}

/// How mutation inputs treat a column.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum InputRole {
    /// A field of the create and update inputs.
    Writable,
    /// Left out: an auto-increment key.
    Generated,
    /// Left out, set to now on create: `created_at`.
    CreatedAt,
    /// Left out, set to now on every write: `updated_at`.
    UpdatedAt,
}

/// One check of `validate(...)`.
pub enum Validator {
    Length(Option<f64>, Option<f64>),
    Range(Option<f64>, Option<f64>),
    Email,
    Url,
    Regex(String),
    Custom(syn::Path),
    Required,
}

/// Which mutations a model has.
#[derive(Clone, Copy)]
pub struct Mutations {
    pub create: bool,
    pub update: bool,
    pub delete: bool,
}

impl Column {
    /// The GraphQL name of one of its filter fields: `name`, `name_Icontains`.
    pub fn filter_field(&self, lookup: Lookup) -> String {
        if lookup == Lookup::Exact {
            self.filter_name.clone()
        } else {
            format!("{}_{}", self.filter_name, lookup.variant())
        }
    }
}

/// What column pruning does with a column the request does not read.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Placeholder {
    Never,
    /// The type has a `Default`: not selected, decoded as the default.
    Skip,
    /// A key whose type has a `Default`: read when the request needs it, else as `Skip`.
    Key,
}

/// Any column of the table, exposed or not, for column pruning.
pub struct ColumnMeta {
    /// The struct field.
    pub ident: Ident,
    pub variant: Ident,
    pub field: Option<String>,
    pub placeholder: Placeholder,
}

/// A relation field of the dense format's `ModelEx`.
pub struct Relation {
    pub ident: Ident,
    pub gql_name: String,
    pub description: Option<String>,
    pub kind: RelationKind,
    /// The related entity: `super::category::Entity`.
    pub target: Type,
    /// `relation_enum = "Parent"`: the relation is `Relation::Parent`.
    pub relation_enum: Option<Ident>,
    /// A has-many field as a plain list rather than a connection.
    pub list: bool,
    /// A belongs-to relation whose target's lookups the filter offers, prefixed.
    pub filter: bool,
    /// The foreign key column of a belongs-to relation: `category_id`.
    pub from: Option<String>,
    /// A many-to-many relation through a junction.
    pub via: bool,
}

/// A computed field of `computed(...)`.
pub struct Computed {
    pub ident: Ident,
    pub ty: Type,
    pub gql_name: String,
}

/// A model ready to emit.
pub struct Model {
    pub ident: Ident,
    pub gql_name: String,
    pub list_name: String,
    pub detail_name: String,
    pub description: Option<String>,
    pub columns: Vec<Column>,
    pub relations: Vec<Relation>,
    pub computed: Vec<Computed>,
    pub all_columns: Vec<ColumnMeta>,
    /// The `#[sea_orm(ignore)]` fields: not columns, `Default` when a row is read.
    pub ignored: Vec<Ident>,
    pub mutations: Mutations,
    pub validator: Option<syn::Path>,
    /// `permissions(...)`, as written; `None`: the runtime's default.
    pub permissions: Option<Vec<syn::Expr>>,
    /// `owner = ...`: who owns a row.
    pub owner: Option<Owner>,
    /// `crate = "path"`: the runtime's path; `None` for `::gqlgen_runtime`.
    pub runtime: Option<syn::Path>,
}

/// What `owner = ...` names.
pub enum Owner {
    /// A column holding the owner's user id: its `Column` variant.
    Column(Ident),
    /// A belongs-to relation whose row's owner owns this row: the foreign key's variant and the
    /// related entity.
    Through { key: Ident, target: Box<Type> },
}

/// What a run of the derive is for.
pub enum Pass {
    /// Emit the model.
    Model(Box<Model>),
    /// The relation-free `Model` run of the dense format: the `ModelEx` run, which sees the
    /// relations too, emits everything.
    Skip,
}

/// The type rows load into: the `ModelEx` run of the dense format emits for `Model`.
pub fn model_ident(ident: &Ident) -> Ident {
    match ident.to_string().strip_suffix("Ex") {
        Some(model) if !model.is_empty() => Ident::new(model, ident.span()),
        _ => ident.clone(),
    }
}

/// `crate = "path"` of the container attribute, read leniently: for the stand-ins of a model
/// whose attributes did not parse.
pub fn runtime_path(input: &DeriveInput) -> Option<syn::Path> {
    let mut path = None;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("graphql")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("crate") {
                let text: syn::LitStr = meta.value()?.parse()?;
                path = text.parse().ok();
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            } else if meta.input.peek(syn::token::Paren) {
                let content;
                syn::parenthesized!(content in meta.input);
                let _: proc_macro2::TokenStream = content.parse()?;
            }
            Ok(())
        });
    }
    path
}

/// Parses and checks `input`, with every error of the input in one `darling::Error`.
pub fn build(input: &DeriveInput) -> darling::Result<Pass> {
    // Decided before parsing, so that an attribute error is reported once, not once per pass.
    let sea = SeaOrmAttrs::from_attrs(&input.attrs);
    if sea.model_ex {
        return Ok(Pass::Skip);
    }
    let parsed = ContainerAttrs::from_derive_input(input)?;
    let mut errors = darling::Error::accumulator();
    let fields = parsed
        .data
        .as_ref()
        .take_struct()
        .expect("darling checks struct_named")
        .fields;

    // Fields that are columns (not `#[sea_orm(ignore)]`), by Rust name.
    let field_names: Vec<String> = fields
        .iter()
        .filter(|f| !SeaOrmAttrs::from_attrs(&f.attrs).ignore)
        .map(|f| f.ident.as_ref().expect("named").to_string())
        .collect();

    // fields(...) / exclude(...)
    if let (Some(_), Some(exclude)) = (&parsed.fields, &parsed.exclude) {
        errors.push(check::error(
            exclude.span(),
            "`exclude(...)` conflicts with `fields(...)`; keep one: `fields` lists what is exposed, `exclude` what is not",
        ));
    }
    for (list, attribute) in [(&parsed.fields, "fields"), (&parsed.exclude, "exclude")] {
        for ident in list.iter().flat_map(|l| l.0.iter()) {
            errors.handle(check::known_field(ident, attribute, &field_names));
        }
    }
    let exposed_by_container = |name: &str| -> bool {
        let in_list = |l: &Option<darling::util::SpannedValue<attr::IdentList>>| {
            l.as_ref().is_some_and(|l| l.0.iter().any(|i| i == name))
        };
        match (&parsed.fields, &parsed.exclude) {
            (Some(_), _) => in_list(&parsed.fields),
            (None, Some(_)) => !in_list(&parsed.exclude),
            (None, None) => true,
        }
    };

    // Container filter(field(lookups)), checked against columns.
    let mut container_filters: HashMap<String, &darling::util::SpannedValue<LookupList>> =
        HashMap::new();
    for (ident, lookups) in parsed.filter.iter().flat_map(|f| f.0.iter()) {
        if errors
            .handle(check::known_field(ident, "filter", &field_names))
            .is_none()
        {
            continue;
        }
        if container_filters
            .insert(ident.to_string(), lookups)
            .is_some()
        {
            errors.push(check::error(
                ident.span(),
                format!("`{ident}` appears twice in `filter(...)`; merge its lookups"),
            ));
        }
    }

    // Columns that relations join on: read even when no field asks for them.
    // So are the owner's column, which guarded fields and permissions read from rows.
    let mut relation_keys: Vec<String> = fields
        .iter()
        .filter_map(|f| SeaOrmAttrs::from_attrs(&f.attrs).from)
        .collect();
    relation_keys.extend(
        parsed
            .owner
            .as_ref()
            .and_then(|path| path.get_ident())
            .map(ToString::to_string),
    );
    let mut columns = Vec::new();
    let mut relations = Vec::new();
    let mut all_columns = Vec::new();
    let mut ignored = Vec::new();
    for field in &fields {
        if let Some((kind, target)) = types::relation_of(&field.ty) {
            if let Some(relation) =
                build_relation(field, kind, target, &exposed_by_container, &mut errors)
            {
                relations.push(relation);
            }
            continue;
        }
        let sea = SeaOrmAttrs::from_attrs(&field.attrs);
        if sea.ignore {
            ignored.extend(field.ident.clone());
            continue;
        }
        let column = build_column(
            field,
            &exposed_by_container,
            &container_filters,
            &mut errors,
        );
        let rust_name = field.ident.as_ref().expect("named").to_string();
        let nullable = types::option_inner(&field.ty).is_some();
        let is_key =
            sea.primary_key || rust_name.ends_with("_id") || relation_keys.contains(&rust_name);
        // Types with a `Default` are not selected when unread; the others need a value.
        let placeholder = match types::kind_of(&field.ty) {
            _ if nullable => Placeholder::Skip,
            // chrono's dates and times (the only ones sea-orm and async-graphql share here)
            // default to the epoch.
            Kind::Text
            | Kind::Int
            | Kind::Float
            | Kind::Decimal
            | Kind::Bool
            | Kind::Uuid
            | Kind::Temporal => Placeholder::Skip,
            Kind::Id | Kind::Json | Kind::Other => Placeholder::Never,
        };
        // A key is read whenever a relation or an owner check needs it (the runtime knows
        // when); it can be left out only if its type has a default.
        let placeholder = match placeholder {
            Placeholder::Skip if is_key => Placeholder::Key,
            _ if is_key => Placeholder::Never,
            other => other,
        };
        all_columns.push(ColumnMeta {
            ident: field.ident.clone().expect("named"),
            variant: Ident::new(&names::pascal(&rust_name), Span::call_site()),
            field: column.as_ref().map(|c| c.gql_name.clone()),
            placeholder,
        });
        columns.extend(column);
    }

    let mut mutations = Mutations {
        create: true,
        update: true,
        delete: true,
    };
    if let Some(list) = &parsed.mutations {
        mutations = Mutations {
            create: false,
            update: false,
            delete: false,
        };
        let known: Vec<String> = ["create", "update", "delete"].map(String::from).to_vec();
        for ident in &list.0 {
            match ident.to_string().as_str() {
                "create" => mutations.create = true,
                "update" => mutations.update = true,
                "delete" => mutations.delete = true,
                other => errors.push(check::error(
                    ident.span(),
                    format!(
                        "unknown mutation `{other}`{}; mutations are create, update and delete",
                        names::hint(other, &known)
                            .trim_end_matches('?')
                            .replace("; did", ", did")
                    ),
                )),
            }
        }
    }
    if parsed.validator.is_some() && !(mutations.create || mutations.update) {
        errors.push(check::error(
            parsed.ident.span(),
            "`validator` checks mutation inputs, and this model has no create or update mutation",
        ));
    }

    // Names
    let table = sea
        .table_name
        .clone()
        .unwrap_or_else(|| parsed.ident.to_string());
    if let Some(name) = &parsed.name {
        errors.handle(check::graphql_name(name, "type"));
    }
    if let Some(plural) = &parsed.plural {
        errors.handle(check::graphql_name(plural, "field"));
    }
    let gql_name = parsed
        .name
        .as_ref()
        .map(|n| n.0.clone())
        .unwrap_or_else(|| names::pascal(&table));
    let detail_name = names::lower_first(&gql_name);
    let list_name = parsed
        .plural
        .as_ref()
        .map(|p| p.0.clone())
        .unwrap_or_else(|| names::plural(&detail_name));
    if list_name == detail_name {
        errors.push(check::error(
            parsed.plural.as_ref().map_or(Span::call_site(), |p| p.span()),
            format!("the list field `{list_name}` has the name of the detail field; set `plural = \"...\"` to another name"),
        ));
    }

    let computed: Vec<Computed> = parsed
        .computed
        .iter()
        .flat_map(|c| c.0.iter())
        .map(|c| Computed {
            ident: c.ident.clone(),
            ty: c.ty.clone(),
            gql_name: names::camel(&c.ident.to_string()),
        })
        .collect();

    // Each GraphQL field name once.
    let mut seen: HashMap<&str, Span> = HashMap::new();
    let named = columns
        .iter()
        .map(|c| (c.gql_name.as_str(), c.ident.span()))
        .chain(
            computed
                .iter()
                .map(|c| (c.gql_name.as_str(), c.ident.span())),
        )
        .chain(
            relations
                .iter()
                .map(|r| (r.gql_name.as_str(), r.ident.span())),
        );
    for (name, span) in named {
        if seen.insert(name, span).is_some() {
            errors.push(check::error(
                span,
                format!(
                    "GraphQL field `{name}` is defined twice; rename one with `name = \"...\"`"
                ),
            ));
        }
    }

    // Each filter field name once: `owner_id` (filter `owner`) beside a column `owner` would clash,
    // and so would a column named `and`, `or` or `not`.
    let mut filter_fields: HashMap<String, &Ident> = HashMap::new();
    for column in &columns {
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
                errors.push(check::error(
                    column.ident.span(),
                    format!(
                        "filter field `{name}` of `{}` {problem}; rename the column with `name = \"...\"`",
                        column.ident
                    ),
                ));
            }
        }
    }

    let primary_keys = columns.iter().filter(|c| c.primary_key).count();
    let all_primary_keys = fields
        .iter()
        .filter(|f| types::relation_of(&f.ty).is_none())
        .filter(|f| SeaOrmAttrs::from_attrs(&f.attrs).primary_key)
        .count();
    if all_primary_keys != 1 {
        errors.push(check::error(
            parsed.ident.span(),
            "GraphQLModel needs exactly one `#[sea_orm(primary_key)]` column, exposed as the `id` of the type",
        ));
    } else if primary_keys == 0 {
        errors.push(check::error(
            parsed.ident.span(),
            "the primary key is not exposed (skipped or excluded); it is the object's `id` and the tiebreak of orderings: expose it",
        ));
    }

    // owner = column or belongs-to relation, and the permissions that need it.
    let owner = parsed.owner.as_ref().and_then(|path| {
        let Some(ident) = path.get_ident() else {
            errors.push(check::error(
                syn::spanned::Spanned::span(path),
                "expected a column or belongs-to relation, such as `owner = user_id` or `owner = order`",
            ));
            return None;
        };
        let name = ident.to_string();
        if let Some(relation) = relations.iter().find(|r| r.ident == name) {
            return match (&relation.kind, &relation.from) {
                (RelationKind::BelongsTo, Some(from)) => Some(Owner::Through {
                    key: Ident::new(&names::pascal(from), ident.span()),
                    target: Box::new(relation.target.clone()),
                }),
                _ => {
                    errors.push(check::error(
                        ident.span(),
                        format!("`owner = {name}` names a relation that is not belongs-to; the owner is a column holding a user id, or a belongs-to relation whose row has an owner"),
                    ));
                    None
                }
            };
        }
        let mut known = field_names.clone();
        known.extend(relations.iter().map(|r| r.ident.to_string()));
        if !known.contains(&name) {
            errors.push(check::error(
                ident.span(),
                format!(
                    "unknown column or relation `{name}` in `owner = ...`{}",
                    names::hint(&name, &known)
                ),
            ));
            return None;
        }
        Some(Owner::Column(Ident::new(&names::pascal(&name), ident.span())))
    });
    if let Some(list) = &parsed.permissions {
        // Only when `owner` is absent: a misspelt one is reported by itself.
        if parsed.owner.is_none() {
            for expr in &list.0 {
                errors.handle(check::owner_needed(expr));
            }
        }
    }

    errors.finish()?;
    Ok(Pass::Model(Box::new(Model {
        ident: model_ident(&parsed.ident),
        gql_name,
        list_name,
        detail_name,
        description: parsed
            .description
            .clone()
            .or_else(|| attr::doc_string(&parsed.attrs)),
        columns,
        relations,
        computed,
        all_columns,
        ignored,
        mutations,
        validator: parsed.validator.clone(),
        runtime: parsed.krate.clone(),
        permissions: parsed.permissions.as_ref().map(|l| l.0.clone()),
        owner,
    })))
}

/// The validators of `validate(...)`, each checked against the column's type.
///
/// `validate(length(min = 1))` on an `i32` is refused, as are `length(max = 1, min = 2)`, a
/// `regex` that does not compile and a bound-less `length()`.
fn build_validators(
    field: &FieldAttrs,
    rust_name: &str,
    kind: Kind,
    nullable: bool,
    errors: &mut darling::error::Accumulator,
) -> Vec<Validator> {
    let Some(validate) = &field.validate else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let text_only = |what: &str, span: Span, errors: &mut darling::error::Accumulator| {
        if kind != Kind::Text {
            errors.push(check::error(
                span,
                format!(
                    "`{what}` applies to text columns; `{rust_name}` is {}",
                    kind.describe()
                ),
            ));
        }
    };
    let bounds = |name: &str,
                  b: &darling::util::SpannedValue<attr::Bounds>,
                  errors: &mut darling::error::Accumulator| {
        let (min, max) = (b.min.map(|n| n.0), b.max.map(|n| n.0));
        if min.is_none() && max.is_none() {
            errors.push(check::error(
                b.span(),
                format!(
                    "`{name}` needs `min`, `max` or both, such as `{name}(min = 1, max = 100)`"
                ),
            ));
        }
        if let (Some(a), Some(z)) = (min, max)
            && a > z
        {
            errors.push(check::error(
                b.span(),
                format!("`{name}` has min {a} above max {z}"),
            ));
        }
        (min, max)
    };
    if let Some(length) = &validate.length {
        text_only("length", length.span(), errors);
        let (min, max) = bounds("length", length, errors);
        if min.is_some_and(|m| m < 0.0 || m.fract() != 0.0)
            || max.is_some_and(|m| m < 0.0 || m.fract() != 0.0)
        {
            errors.push(check::error(
                length.span(),
                "`length` bounds are whole numbers of characters, 0 or more",
            ));
        }
        out.push(Validator::Length(min, max));
    }
    if let Some(range) = &validate.range {
        if !matches!(kind, Kind::Int | Kind::Float | Kind::Decimal) {
            errors.push(check::error(
                range.span(),
                format!(
                    "`range` applies to number columns; `{rust_name}` is {}",
                    kind.describe()
                ),
            ));
        }
        let (min, max) = bounds("range", range, errors);
        out.push(Validator::Range(min, max));
    }
    if validate.email.is_present() {
        text_only("email", validate.email.span(), errors);
        out.push(Validator::Email);
    }
    if validate.url.is_present() {
        text_only("url", validate.url.span(), errors);
        out.push(Validator::Url);
    }
    if let Some(pattern) = &validate.regex {
        text_only("regex", pattern.span(), errors);
        if let Err(err) = regex::Regex::new(pattern) {
            let first = err
                .to_string()
                .lines()
                .last()
                .unwrap_or_default()
                .trim()
                .trim_start_matches("error: ")
                .to_owned();
            errors.push(check::error(
                pattern.span(),
                format!("`regex` does not compile: {first}"),
            ));
        }
        out.push(Validator::Regex(pattern.to_string()));
    }
    if let Some(path) = &validate.custom {
        out.push(Validator::Custom(path.clone()));
    }
    if validate.required.is_present() {
        if !nullable && kind != Kind::Text {
            errors.push(check::error(
                validate.required.span(),
                format!("`required` applies to text and `Option` columns; `{rust_name}` always has a value"),
            ));
        }
        out.push(Validator::Required);
    }
    out
}

fn build_relation(
    field: &FieldAttrs,
    kind: RelationKind,
    target: Type,
    exposed_by_container: &dyn Fn(&str) -> bool,
    errors: &mut darling::error::Accumulator,
) -> Option<Relation> {
    let ident = field.ident.clone().expect("named fields");
    let rust_name = ident.to_string();
    let sea = SeaOrmAttrs::from_attrs(&field.attrs);
    if let Some(filter) = &field.filter {
        let problem = match (kind, &**filter) {
            (RelationKind::BelongsTo, LookupList::All) => None,
            (RelationKind::BelongsTo, LookupList::Some(_)) => Some(format!(
                "`filter` on the relation `{rust_name}` takes no lookups: it offers the related type's own filter fields, prefixed (`{}_Name_Icontains`); write `filter`",
                names::camel(&rust_name)
            )),
            _ => Some(format!(
                "`filter` applies to belongs-to relations; filter `{rust_name}` with its own `filter` argument"
            )),
        };
        if let Some(problem) = problem {
            errors.push(check::error(filter.span(), problem));
        }
    }
    if field.order.is_present() {
        errors.push(check::error(
            field.order.span(),
            format!("`order` does not apply to the relation `{rust_name}`; order by the related type's fields in its `orderBy` argument"),
        ));
    }
    if field.list.is_present() && kind != RelationKind::HasMany {
        errors.push(check::error(
            field.list.span(),
            format!("`list` applies to has-many relations; `{rust_name}` is a single row"),
        ));
    }
    if field.skip.is_present() || !exposed_by_container(&rust_name) {
        return None;
    }
    if let Some(name) = &field.name {
        errors.handle(check::graphql_name(name, "field"));
    }
    if sea.self_ref && sea.via.is_some() {
        errors.push(check::error(
            ident.span(),
            format!("`{rust_name}`: self-referencing many-to-many relations are not supported yet; `#[graphql(skip)]` it"),
        ));
        return None;
    }
    Some(Relation {
        gql_name: field
            .name
            .as_ref()
            .map(|n| n.0.clone())
            .unwrap_or_else(|| names::camel(&rust_name)),
        description: field
            .description
            .as_ref()
            .map(|d| d.to_string())
            .or_else(|| attr::doc_string(&field.attrs)),
        kind,
        target,
        relation_enum: sea
            .relation_enum
            .as_ref()
            .map(|e| Ident::new(&names::pascal(e), ident.span())),
        list: field.list.is_present(),
        filter: field.filter.is_some() && kind == RelationKind::BelongsTo,
        from: sea.from.clone(),
        via: sea.via.is_some(),
        ident,
    })
}

fn build_column(
    field: &FieldAttrs,
    exposed_by_container: &dyn Fn(&str) -> bool,
    container_filters: &HashMap<String, &darling::util::SpannedValue<LookupList>>,
    errors: &mut darling::error::Accumulator,
) -> Option<Column> {
    let ident = field.ident.clone().expect("named fields");
    let rust_name = ident.to_string();
    let sea = SeaOrmAttrs::from_attrs(&field.attrs);
    let container_filter = container_filters.get(&rust_name).copied();
    if let (Some(own), Some(_)) = (&field.filter, container_filter) {
        errors.push(check::error(
            own.span(),
            format!("`{rust_name}` has lookups in the field's `filter(...)` and in the struct's `filter(...)`; keep one"),
        ));
    }
    let filter = field.filter.as_ref().or(container_filter);

    let hidden_by = if field.skip.is_present() {
        Some("`skip`")
    } else if sea.ignore {
        Some("`#[sea_orm(ignore)]`")
    } else if !exposed_by_container(&rust_name) {
        Some("the struct's `fields(...)`/`exclude(...)`")
    } else {
        None
    };
    if let Some(reason) = hidden_by {
        let conflicts = [
            (field.name.as_ref().map(|n| n.span()), "name"),
            (field.description.as_ref().map(|d| d.span()), "description"),
            (field.validate.as_ref().map(|v| v.span()), "validate"),
            (
                field
                    .sanitize_html
                    .is_present()
                    .then(|| field.sanitize_html.span()),
                "sanitize_html",
            ),
            (filter.map(|f| f.span()), "filter"),
            (field.permission.as_ref().map(|p| p.span()), "permission"),
            (
                field.order.is_present().then(|| field.order.span()),
                "order",
            ),
        ];
        for (span, option) in conflicts {
            if let Some(span) = span {
                errors.push(check::error(
                    span,
                    format!("`{option}` on `{rust_name}`, which {reason} hides from the schema; a hidden field cannot be named, filtered or ordered"),
                ));
            }
        }
        return None;
    }

    let ty = field.ty.clone();
    let (inner, nullable) = match types::option_inner(&ty) {
        Some(inner) => (inner.clone(), true),
        None => (ty.clone(), false),
    };
    let base_kind = types::kind_of(&inner);
    let is_foreign_key = rust_name.ends_with("_id") && rust_name != "_id";
    let kind = if (sea.primary_key || is_foreign_key) && types::can_be_id(base_kind) {
        Kind::Id
    } else {
        base_kind
    };
    if let Some(name) = &field.name {
        errors.handle(check::graphql_name(name, "field"));
    }
    let gql_name = field
        .name
        .as_ref()
        .map(|n| n.0.clone())
        .unwrap_or_else(|| names::camel(&rust_name));
    let filter_name = if kind == Kind::Id && !sea.primary_key && field.name.is_none() {
        names::camel(rust_name.trim_end_matches("_id"))
    } else {
        gql_name.clone()
    };
    let mut lookups = match filter {
        Some(list) => check::lookups(list, &rust_name, kind, nullable, errors),
        None => Vec::new(),
    };
    // The primary key is always filterable by `id` and `id_In`.
    if sea.primary_key {
        for lookup in [Lookup::Exact, Lookup::In] {
            if !lookups.contains(&lookup) {
                lookups.push(lookup);
            }
        }
    }
    if field.order.is_present() && kind == Kind::Json {
        errors.push(check::error(
            field.order.span(),
            format!("`order` does not apply to a JSON column (`{rust_name}`); remove it"),
        ));
    }
    Some(Column {
        variant: Ident::new(&names::pascal(&rust_name), ident.span()),
        ident,
        key_type: inner,
        ty,
        nullable,
        kind,
        gql_name,
        filter_name,
        description: field
            .description
            .as_ref()
            .map(|d| d.to_string())
            .or_else(|| attr::doc_string(&field.attrs)),
        lookups,
        order: field.order.is_present() || sea.primary_key,
        primary_key: sea.primary_key,
        input: if sea.primary_key && sea.auto_increment != Some(false) {
            InputRole::Generated
        } else if rust_name == "created_at" && types::is_timestamp(&field.ty) {
            InputRole::CreatedAt
        } else if rust_name == "updated_at" && types::is_timestamp(&field.ty) {
            InputRole::UpdatedAt
        } else {
            InputRole::Writable
        },
        validators: build_validators(field, &rust_name, base_kind, nullable, errors),
        sanitize_html: {
            if field.sanitize_html.is_present() && base_kind != Kind::Text {
                errors.push(check::error(
                    field.sanitize_html.span(),
                    format!(
                        "`sanitize_html` applies to text columns; `{rust_name}` is {}",
                        base_kind.describe()
                    ),
                ));
            }
            field.sanitize_html.is_present()
        },
        permission: field.permission.as_ref().map(|codename| {
            errors.handle(check::codename(codename));
            codename.to_string()
        }),
    })
}

/// A `#[derive(GraphQLEnum)]` enum: its GraphQL name, description and values.
pub struct EnumModel {
    pub ident: Ident,
    pub gql_name: String,
    pub description: Option<String>,
    pub values: Vec<EnumValue>,
    /// `crate = "path"`: the runtime's path; `None` for `::gqlgen_runtime`.
    pub runtime: Option<syn::Path>,
}

/// A value of a `GraphQLEnum`.
pub struct EnumValue {
    pub variant: Ident,
    /// `name = "..."`, or the variant in SCREAMING_CASE.
    pub gql_name: String,
    pub description: Option<String>,
}

/// Parses and checks a `GraphQLEnum`, with every error at once.
pub fn build_enum(input: &DeriveInput) -> darling::Result<EnumModel> {
    let parsed = attr::EnumAttrs::from_derive_input(input)?;
    let mut errors = darling::Error::accumulator();
    if let Some(name) = &parsed.name {
        errors.handle(check::graphql_name(name, "enum"));
    }
    let variants = parsed
        .data
        .as_ref()
        .take_enum()
        .expect("darling checks enum_unit");
    for variant in &variants {
        if let Some(name) = &variant.name {
            errors.handle(check::graphql_name(name, "enum value"));
        }
    }
    errors.finish()?;
    let values = variants
        .iter()
        .map(|variant| EnumValue {
            variant: variant.ident.clone(),
            gql_name: variant
                .name
                .as_ref()
                .map(|n| n.0.clone())
                .unwrap_or_else(|| names::screaming(&variant.ident.to_string())),
            description: attr::doc_string(&variant.attrs),
        })
        .collect();
    Ok(EnumModel {
        ident: parsed.ident.clone(),
        gql_name: parsed
            .name
            .as_ref()
            .map(|n| n.0.clone())
            .unwrap_or_else(|| parsed.ident.to_string()),
        description: parsed
            .description
            .clone()
            .or_else(|| attr::doc_string(&parsed.attrs)),
        values,
        runtime: parsed.krate.clone(),
    })
}

/// The model built from `parse_quote!` input, as darling tests its receivers: what the IR holds
/// for a valid model, and how many errors a broken one collects.
#[cfg(test)]
mod tests {
    use syn::parse_quote;

    use super::*;

    fn build_model(input: DeriveInput) -> Model {
        match build(&input) {
            Ok(Pass::Model(model)) => *model,
            Ok(Pass::Skip) => panic!("skipped"),
            Err(errors) => panic!("errors: {errors}"),
        }
    }

    fn error_count(input: DeriveInput) -> usize {
        match build(&input) {
            Err(errors) => errors.len(),
            Ok(_) => 0,
        }
    }

    #[test]
    fn a_model_holds_its_names_lookups_and_pruning() {
        let model = build_model(parse_quote! {
            #[sea_orm(table_name = "order_item")]
            #[graphql(plural = "lines")]
            pub struct Model {
                #[sea_orm(primary_key)]
                pub id: i32,
                /// How many.
                #[graphql(filter(gte, lte), order)]
                pub quantity: i32,
                #[graphql(filter)]
                pub note: Option<String>,
                pub product_id: i32,
                pub created_at: DateTimeUtc,
                #[graphql(skip)]
                pub secret: String,
            }
        });
        assert_eq!(model.gql_name, "OrderItem");
        assert_eq!(model.list_name, "lines");
        let column = |name: &str| {
            model
                .columns
                .iter()
                .find(|c| c.ident == name)
                .unwrap_or_else(|| panic!("no column {name}"))
        };
        assert_eq!(column("quantity").lookups, [Lookup::Gte, Lookup::Lte]);
        assert_eq!(column("quantity").description.as_deref(), Some("How many."));
        assert!(column("quantity").order);
        assert!(column("note").lookups.contains(&Lookup::Isnull));
        assert!(column("note").lookups.contains(&Lookup::Icontains));
        assert_eq!(column("id").lookups, [Lookup::Exact, Lookup::In]);
        assert_eq!(column("product_id").kind, Kind::Id);
        assert_eq!(column("product_id").filter_name, "product");
        assert!(model.columns.iter().all(|c| c.ident != "secret"));
        let placeholder = |name: &str| {
            model
                .all_columns
                .iter()
                .find(|c| c.ident == name)
                .map(|c| c.placeholder)
                .unwrap_or_else(|| panic!("no column {name}"))
        };
        assert!(placeholder("id") == Placeholder::Key);
        assert!(placeholder("product_id") == Placeholder::Key);
        assert!(placeholder("created_at") == Placeholder::Skip);
        assert!(placeholder("secret") == Placeholder::Skip);
    }

    #[test]
    fn every_mistake_of_a_model_is_collected() {
        // An unknown exclude, a misspelt lookup, a lookup the type refuses: three errors.
        let count = error_count(parse_quote! {
            #[sea_orm(table_name = "product")]
            #[graphql(exclude(nmae))]
            pub struct Model {
                #[sea_orm(primary_key)]
                pub id: i32,
                #[graphql(filter(icontain))]
                pub name: String,
                #[graphql(filter(istartswith))]
                pub stock: i32,
            }
        });
        assert_eq!(count, 3);
        // One mistake, one error.
        let count = error_count(parse_quote! {
            #[sea_orm(table_name = "product")]
            pub struct Model {
                #[sea_orm(primary_key)]
                pub id: i32,
                #[graphql(filter(isnull))]
                pub name: String,
            }
        });
        assert_eq!(count, 1);
    }

    #[test]
    fn an_enum_holds_its_values_in_screaming_case() {
        let model = build_enum(&parse_quote! {
            #[graphql(name = "OrderStatus")]
            pub enum Status {
                /// Waiting.
                OnHold,
                #[graphql(name = "DONE")]
                Shipped,
            }
        })
        .expect("a valid enum");
        assert_eq!(model.gql_name, "OrderStatus");
        let names: Vec<&str> = model.values.iter().map(|v| v.gql_name.as_str()).collect();
        assert_eq!(names, ["ON_HOLD", "DONE"]);
        assert_eq!(model.values[0].description.as_deref(), Some("Waiting."));
        let broken = build_enum(&parse_quote! {
            #[graphql(name = "Order Status")]
            pub enum Status {
                #[graphql(name = "on-hold")]
                OnHold,
            }
        });
        assert_eq!(broken.err().map(|e| e.len()), Some(2));
    }
}
