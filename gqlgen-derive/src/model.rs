//! The checked model of an entity: what the emit modules read. It keeps the user's idents and
//! types, so spans survive into generated code.

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
    /// For an `Id` column, whose global ids it holds.
    pub id_of: Option<IdOf>,
    /// For a foreign key, the related column its belongs-to relation reads (`to = "id"`): the
    /// generated code checks that it is the related model's primary key.
    pub references_column: Option<syn::LitStr>,
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
    /// The kind of the type without `Option` and before keys become `Id`: what validators check.
    pub base_kind: Kind,
    /// The scale a decimal column declares (`column_type = "Decimal(Some((10, 2)))"`): its
    /// values are written with that many decimal places whatever the database returns.
    pub decimal_scale: Option<u32>,
    /// What an absent field of the create input becomes; `None`: the field is required.
    pub default: Option<ColumnDefault>,
    /// The field as written, for the rules of `check`.
    pub field: Field,
}

/// Whose global ids an `ID` column holds.
pub enum IdOf {
    /// The primary key: the model's own.
    Own,
    /// A foreign key: the related entity's, as the belongs-to relation reading from it names it
    /// (`super::category::Entity`).
    Related(Box<Type>),
}

/// What a create input's absent field becomes.
pub enum ColumnDefault {
    /// `default`: the type's `Default`.
    Trait,
    /// `default = expr`.
    Expr(syn::Expr),
    /// `default_fn = path`: `path()`.
    Fn(syn::Path),
    /// Nothing is written: the database's default applies (`#[sea_orm(default_value = ...)]`),
    /// or, for the owner column, the runtime writes the caller's id.
    Later,
}

/// A struct field as written: its `#[graphql(...)]` receiver and its `#[sea_orm(...)]` keys, each
/// parsed once.
pub struct Field {
    pub attrs: FieldAttrs,
    pub sea: SeaOrmAttrs,
}

impl Field {
    pub fn ident(&self) -> &Ident {
        self.attrs
            .ident
            .as_ref()
            .expect("darling checks struct_named")
    }

    /// The Rust name: `category_id`.
    pub fn name(&self) -> String {
        self.ident().to_string()
    }
}

/// A field the schema does not show, kept for `check`: it must not take options that only a
/// shown field has.
pub struct Hidden {
    pub field: Field,
    pub by: HiddenBy,
}

/// What hides a field.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum HiddenBy {
    /// `#[graphql(skip)]`.
    Skip,
    /// `#[sea_orm(ignore)]`: not a column either.
    SeaOrmIgnore,
    /// Left out by the struct's `fields(...)` or `exclude(...)`.
    Container,
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
    /// Left out, the caller's id on create: the column of `owner = ...`, unless
    /// `staff_sets_owner`.
    Owner,
}

/// One check of `validate(...)`.
pub enum Validator {
    Length(Option<f64>, Option<f64>),
    Range(Option<f64>, Option<f64>),
    Email,
    Url,
    Regex(String),
    Custom(syn::Path),
    /// `clean = path`: replaces the value before the other checks.
    Clean(syn::Path),
    Required,
}

/// Which mutations a model has.
#[derive(Clone, Copy)]
pub struct Mutations {
    pub create: bool,
    pub update: bool,
    pub delete: bool,
}

/// Which subscription fields a model has: `xCreated`, `xUpdated`, `xDeleted`.
#[derive(Clone, Copy, Default)]
pub struct Subscriptions {
    pub created: bool,
    pub updated: bool,
    pub deleted: bool,
}

impl Subscriptions {
    pub fn any(self) -> bool {
        self.created || self.updated || self.deleted
    }

    /// `subscriptions(created, deleted)`; none when absent. An unknown event is an error.
    fn of(
        list: &Option<darling::util::SpannedValue<attr::IdentList>>,
        errors: &mut darling::error::Accumulator,
    ) -> Subscriptions {
        let Some(list) = list else {
            return Subscriptions::default();
        };
        if list.0.is_empty() {
            errors.push(check::error(
                list.span(),
                "`subscriptions()` names no event; list them: `subscriptions(created, updated, deleted)`, or remove it",
            ));
        }
        let [created, updated, deleted] = three_of(
            list,
            ["created", "updated", "deleted"],
            "unknown event `{}`{}; the events are created, updated and deleted",
            errors,
        );
        Subscriptions {
            created,
            updated,
            deleted,
        }
    }
}

/// `cache(ttl = …, vary_on_user)`.
pub struct Cache {
    /// `None`: the configured default.
    pub ttl: Option<u32>,
    pub vary_on_user: bool,
}

impl Cache {
    fn of(
        cache: &darling::util::SpannedValue<darling::util::Override<attr::CacheAttrs>>,
        errors: &mut darling::error::Accumulator,
    ) -> Cache {
        let default = attr::CacheAttrs::default();
        let options = match &**cache {
            darling::util::Override::Inherit => &default,
            darling::util::Override::Explicit(options) => options,
        };
        if let Some(ttl) = &options.ttl
            && **ttl == 0
        {
            errors.push(check::error(
                ttl.span(),
                "`ttl = 0` caches nothing; give the seconds an answer may be served from the cache, or remove `cache`",
            ));
        }
        Cache {
            ttl: options.ttl.as_ref().map(|ttl| **ttl),
            vary_on_user: options.vary_on_user.is_present(),
        }
    }
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
    pub primary_key: bool,
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
    /// `filter`: the filter offers the related type's lookups, prefixed, matching a row when its
    /// related row (belongs-to) or any of them (to-many) matches.
    pub filter: bool,
    /// The foreign key column of a belongs-to relation: `category_id`.
    pub from: Option<String>,
    /// A many-to-many relation through a junction.
    pub via: bool,
    /// The field as written, for the rules of `check`.
    pub field: Field,
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
    pub subscriptions: Subscriptions,
    /// `cache(...)`; `None`: answers reading the model are never cached.
    pub cache: Option<Cache>,
    pub validator: Option<syn::Path>,
    /// `permissions(...)`, as written; `None`: the runtime's default.
    pub permissions: Option<Vec<syn::Expr>>,
    /// `owner = ...`: who owns a row.
    pub owner: Option<Owner>,
    /// `crate = "path"`: the runtime's path; `None` for `::gqlgen_runtime`.
    pub runtime: Option<syn::Path>,
    /// Fields the schema does not show.
    pub hidden: Vec<Hidden>,
    /// The Rust names of the fields that attributes may name: all but `#[sea_orm(ignore)]`.
    pub field_names: Vec<String>,
    /// The struct's attribute as written (its fields moved into the lists above), for the rules
    /// of `check`; emit reads the resolved values.
    pub attrs: ContainerAttrs,
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

/// Parses `input`, builds its model and runs every rule of [`check`] on it, with every error of
/// the input in one `darling::Error`.
pub fn build(input: &DeriveInput) -> darling::Result<Pass> {
    // Decided before parsing, so that an attribute error is reported once, not once per pass.
    let sea = SeaOrmAttrs::from_attrs(&input.attrs);
    if sea.model_ex {
        return Ok(Pass::Skip);
    }
    let attrs = ContainerAttrs::from_derive_input(input)?;
    let mut errors = darling::Error::accumulator();
    let model = Model::new(attrs, &sea, &mut errors);
    check::model(&model, &mut errors);
    errors.finish()?;
    Ok(Pass::Model(Box::new(model)))
}

impl Model {
    /// The model of a parsed struct. Errors here are what cannot be resolved at all (an unknown
    /// lookup or mutation); the rules between attributes are [`check`]'s.
    fn new(
        mut attrs: ContainerAttrs,
        sea: &SeaOrmAttrs,
        errors: &mut darling::error::Accumulator,
    ) -> Model {
        let fields = match &mut attrs.data {
            darling::ast::Data::Struct(fields) => std::mem::take(&mut fields.fields),
            darling::ast::Data::Enum(_) => unreachable!("darling checks struct_named"),
        };
        let fields: Vec<Field> = fields
            .into_iter()
            .map(|attrs| Field {
                sea: SeaOrmAttrs::from_attrs(&attrs.attrs),
                attrs,
            })
            .collect();
        let field_names: Vec<String> = fields
            .iter()
            .filter(|f| !f.sea.ignore)
            .map(|f| f.name())
            .collect();
        let exposed_by_container = |name: &str| -> bool {
            let in_list = |l: &Option<darling::util::SpannedValue<attr::IdentList>>| {
                l.as_ref().is_some_and(|l| l.0.iter().any(|i| i == name))
            };
            match (&attrs.fields, &attrs.exclude) {
                (Some(_), _) => in_list(&attrs.fields),
                (None, Some(_)) => !in_list(&attrs.exclude),
                (None, None) => true,
            }
        };
        // Columns that relations join on, and the owner's column, are keys.
        let mut relation_keys: Vec<String> =
            fields.iter().filter_map(|f| f.sea.from.clone()).collect();
        relation_keys.extend(
            attrs
                .owner
                .as_ref()
                .and_then(|path| path.get_ident())
                .map(ToString::to_string),
        );

        // Foreign keys: the columns belongs-to relations read from, and the entity each points at.
        let references: Vec<(String, Type, Option<syn::LitStr>)> = fields
            .iter()
            .filter_map(|f| {
                let target = types::relation_of(&f.attrs.ty)?.1;
                Some((f.sea.from.clone()?, target, f.sea.to.clone()))
            })
            .collect();

        let mut columns = Vec::new();
        let mut relations = Vec::new();
        let mut all_columns = Vec::new();
        let mut ignored = Vec::new();
        let mut hidden = Vec::new();
        for field in fields {
            let name = field.name();
            let hidden_by = if field.attrs.skip.is_present() {
                Some(HiddenBy::Skip)
            } else if field.sea.ignore {
                Some(HiddenBy::SeaOrmIgnore)
            } else if !exposed_by_container(&name) {
                Some(HiddenBy::Container)
            } else {
                None
            };
            if let Some((kind, target)) = types::relation_of(&field.attrs.ty) {
                match hidden_by {
                    Some(by) => hidden.push(Hidden { field, by }),
                    None => relations.push(Relation::new(field, kind, target)),
                }
                continue;
            }
            if field.sea.ignore {
                ignored.extend(field.attrs.ident.clone());
            } else {
                let is_key =
                    field.sea.primary_key || name.ends_with("_id") || relation_keys.contains(&name);
                all_columns.push(ColumnMeta {
                    ident: field.ident().clone(),
                    variant: Ident::new(&names::pascal(&name), Span::call_site()),
                    field: None,
                    placeholder: placeholder(&field.attrs.ty, is_key),
                    primary_key: field.sea.primary_key,
                });
            }
            match hidden_by {
                Some(by) => hidden.push(Hidden { field, by }),
                None => {
                    let target = references.iter().find(|(from, _, _)| *from == name);
                    let column = Column::new(
                        field,
                        attrs.filter_of(&name),
                        target.map(|(_, target, to)| (target, to.as_ref())),
                        errors,
                    );
                    if let Some(meta) = all_columns.last_mut() {
                        meta.field = Some(column.gql_name.clone());
                    }
                    columns.push(column);
                }
            }
        }

        let table = sea
            .table_name
            .clone()
            .unwrap_or_else(|| attrs.ident.to_string());
        let gql_name = attrs
            .name
            .as_ref()
            .map(|n| n.0.clone())
            .unwrap_or_else(|| names::pascal(&table));
        let detail_name = names::lower_first(&gql_name);
        let list_name = attrs
            .plural
            .as_ref()
            .map(|p| p.0.clone())
            .unwrap_or_else(|| names::plural(&detail_name));
        let computed = attrs
            .computed
            .iter()
            .flat_map(|c| c.0.iter())
            .map(|c| Computed {
                ident: c.ident.clone(),
                ty: c.ty.clone(),
                gql_name: names::camel(&c.ident.to_string()),
            })
            .collect();
        let owner = attrs
            .owner
            .as_ref()
            .and_then(|path| Owner::resolve(path, &field_names, &relations));
        // The owner column is filled with the caller's id: out of the inputs, or an optional
        // field only staff may give.
        if let Some(Owner::Column(variant)) = &owner
            && let Some(column) = columns.iter_mut().find(|c| c.variant == *variant)
        {
            if attrs.staff_sets_owner.is_present() {
                column.default.get_or_insert(ColumnDefault::Later);
            } else {
                column.input = InputRole::Owner;
            }
        }
        Model {
            ident: model_ident(&attrs.ident),
            gql_name,
            list_name,
            detail_name,
            description: attrs
                .description
                .clone()
                .or_else(|| attr::doc_string(&attrs.attrs)),
            columns,
            relations,
            computed,
            all_columns,
            ignored,
            mutations: Mutations::of(&attrs.mutations, errors),
            subscriptions: Subscriptions::of(&attrs.subscriptions, errors),
            cache: attrs.cache.as_ref().map(|cache| Cache::of(cache, errors)),
            validator: attrs.validator.clone(),
            runtime: attrs.krate.clone(),
            permissions: attrs.permissions.as_ref().map(|l| l.0.clone()),
            owner,
            hidden,
            field_names,
            attrs,
        }
    }
}

/// What column pruning may do with a column of type `ty` that a request does not read.
fn placeholder(ty: &Type, is_key: bool) -> Placeholder {
    let nullable = types::option_inner(ty).is_some();
    // Types with a `Default` are not selected when unread; the others need a value.
    let has_default = match types::kind_of(ty) {
        _ if nullable => true,
        // chrono's dates and times (the only ones sea-orm and async-graphql share here) default
        // to the epoch.
        Kind::Text
        | Kind::Int
        | Kind::Float
        | Kind::Decimal
        | Kind::Bool
        | Kind::Uuid
        | Kind::Temporal => true,
        Kind::Id | Kind::Json | Kind::Other => false,
    };
    // A key is read whenever a relation or an owner check needs it (the runtime knows when); it
    // can be left out only if its type has a default.
    match (has_default, is_key) {
        (true, true) => Placeholder::Key,
        (true, false) => Placeholder::Skip,
        (false, _) => Placeholder::Never,
    }
}

/// Which of the three `words` a list names; any other word is an error, `message` with the
/// word and a "did you mean" in place of its two `{}`.
fn three_of(
    list: &attr::IdentList,
    words: [&str; 3],
    message: &str,
    errors: &mut darling::error::Accumulator,
) -> [bool; 3] {
    let mut named = [false; 3];
    let known: Vec<String> = words.map(String::from).to_vec();
    for ident in &list.0 {
        let word = ident.to_string();
        match words.iter().position(|w| *w == word) {
            Some(at) => named[at] = true,
            None => {
                let hint = names::hint(&word, &known)
                    .trim_end_matches('?')
                    .replace("; did", ", did");
                let text = message.replacen("{}", &word, 1).replacen("{}", &hint, 1);
                errors.push(check::error(ident.span(), text));
            }
        }
    }
    named
}

impl Mutations {
    /// `mutations(create, delete)`; all three when absent. An unknown kind is an error.
    fn of(
        list: &Option<darling::util::SpannedValue<attr::IdentList>>,
        errors: &mut darling::error::Accumulator,
    ) -> Mutations {
        let Some(list) = list else {
            return Mutations {
                create: true,
                update: true,
                delete: true,
            };
        };
        let [create, update, delete] = three_of(
            list,
            ["create", "update", "delete"],
            "unknown mutation `{}`{}; mutations are create, update and delete",
            errors,
        );
        Mutations {
            create,
            update,
            delete,
        }
    }
}

impl Owner {
    /// What `owner = name` names, if it is a column or a belongs-to relation; `check` says why
    /// not otherwise.
    fn resolve(path: &syn::Path, columns: &[String], relations: &[Relation]) -> Option<Owner> {
        let ident = path.get_ident()?;
        if let Some(relation) = relations.iter().find(|r| r.ident == *ident) {
            return match (&relation.kind, &relation.from) {
                (RelationKind::BelongsTo, Some(from)) => Some(Owner::Through {
                    key: Ident::new(&names::pascal(from), ident.span()),
                    target: Box::new(relation.target.clone()),
                }),
                _ => None,
            };
        }
        columns
            .contains(&ident.to_string())
            .then(|| Owner::Column(Ident::new(&names::pascal(&ident.to_string()), ident.span())))
    }
}

impl Relation {
    fn new(field: Field, kind: RelationKind, target: Type) -> Relation {
        let ident = field.ident().clone();
        let rust_name = ident.to_string();
        Relation {
            gql_name: field
                .attrs
                .name
                .as_ref()
                .map(|n| n.0.clone())
                .unwrap_or_else(|| names::camel(&rust_name)),
            description: field
                .attrs
                .description
                .as_ref()
                .map(|d| d.to_string())
                .or_else(|| attr::doc_string(&field.attrs.attrs)),
            kind,
            target,
            relation_enum: field
                .sea
                .relation_enum
                .as_ref()
                .map(|e| Ident::new(&names::pascal(e), ident.span())),
            list: field.attrs.list.is_present(),
            filter: field.attrs.filter.is_some(),
            from: field.sea.from.clone(),
            via: field.sea.via.is_some(),
            ident,
            field,
        }
    }
}

impl Column {
    /// The field's name in the create and update inputs: its GraphQL name, but for a key the
    /// client chooses (`auto_increment = false`), which is its value, not a global id, and keeps
    /// the Rust name (`code`).
    pub fn input_name(&self) -> String {
        if self.primary_key {
            names::camel(&self.ident.to_string())
        } else {
            self.gql_name.clone()
        }
    }

    /// Whether the input field holds a global id: a foreign key.
    pub fn input_is_id(&self) -> bool {
        self.kind == Kind::Id && !self.primary_key
    }

    fn new(
        field: Field,
        container_filter: Option<&darling::util::SpannedValue<LookupList>>,
        references: Option<(&Type, Option<&syn::LitStr>)>,
        errors: &mut darling::error::Accumulator,
    ) -> Column {
        let ident = field.ident().clone();
        let rust_name = ident.to_string();
        let primary_key = field.sea.primary_key;
        let ty = field.attrs.ty.clone();
        let (inner, nullable) = match types::option_inner(&ty) {
            Some(inner) => (inner.clone(), true),
            None => (ty.clone(), false),
        };
        let base_kind = types::kind_of(&inner);
        let id_of = match references {
            _ if !types::can_be_id(base_kind) => None,
            _ if primary_key => Some(IdOf::Own),
            Some((target, _)) => Some(IdOf::Related(Box::new(target.clone()))),
            None => None,
        };
        let kind = if id_of.is_some() { Kind::Id } else { base_kind };
        // The primary key is the `id` of Relay's `Node` interface whatever its Rust name.
        let gql_name = match &field.attrs.name {
            Some(name) => name.0.clone(),
            None if primary_key => "id".to_owned(),
            None => names::camel(&rust_name),
        };
        let filter_name = if kind == Kind::Id && !primary_key && field.attrs.name.is_none() {
            names::camel(rust_name.trim_end_matches("_id"))
        } else {
            gql_name.clone()
        };
        // The field's own `filter(...)` wins; `check` refuses lookups in both places.
        let mut lookups = match field.attrs.filter.as_ref().or(container_filter) {
            Some(list) => check::lookups(list, &rust_name, kind, nullable, errors),
            None => Vec::new(),
        };
        // The primary key is always filterable by `id` and `id_In`.
        if primary_key {
            for lookup in [Lookup::Exact, Lookup::In] {
                if !lookups.contains(&lookup) {
                    lookups.push(lookup);
                }
            }
        }
        Column {
            variant: Ident::new(&names::pascal(&rust_name), ident.span()),
            key_type: inner,
            id_of,
            references_column: references.and_then(|(_, to)| to.cloned()),
            ty,
            nullable,
            kind,
            base_kind,
            decimal_scale: field
                .sea
                .decimal_scale
                .filter(|_| base_kind == Kind::Decimal),
            gql_name,
            filter_name,
            description: field
                .attrs
                .description
                .as_ref()
                .map(|d| d.to_string())
                .or_else(|| attr::doc_string(&field.attrs.attrs)),
            lookups,
            order: field.attrs.order.is_present() || primary_key,
            primary_key,
            input: if primary_key && field.sea.auto_increment != Some(false) {
                InputRole::Generated
            } else if rust_name == "created_at" && types::is_timestamp(&field.attrs.ty) {
                InputRole::CreatedAt
            } else if rust_name == "updated_at" && types::is_timestamp(&field.attrs.ty) {
                InputRole::UpdatedAt
            } else {
                InputRole::Writable
            },
            validators: field
                .attrs
                .validate
                .as_ref()
                .map(|v| Validator::list(v))
                .unwrap_or_default(),
            sanitize_html: field.attrs.sanitize_html.is_present(),
            permission: field.attrs.permission.as_ref().map(|c| c.to_string()),
            default: match (&field.attrs.default, &field.attrs.default_fn) {
                (_, Some(path)) => Some(ColumnDefault::Fn((**path).clone())),
                (Some(default), None) => Some(match &**default {
                    attr::InputDefault::Trait => ColumnDefault::Trait,
                    attr::InputDefault::Expr(expr) => ColumnDefault::Expr(expr.clone()),
                }),
                (None, None) if field.sea.database_default => Some(ColumnDefault::Later),
                (None, None) => None,
            },
            ident,
            field,
        }
    }
}

impl Validator {
    /// The checks of `validate(...)`: `clean` first, since the others check what it returns,
    /// then in the order the attribute names them.
    fn list(validate: &attr::ValidateAttrs) -> Vec<Validator> {
        let bounds = |b: &attr::Bounds| (b.min.map(|n| n.0), b.max.map(|n| n.0));
        let mut out = Vec::new();
        if let Some(path) = &validate.clean {
            out.push(Validator::Clean(path.clone()));
        }
        if let Some(length) = &validate.length {
            let (min, max) = bounds(length);
            out.push(Validator::Length(min, max));
        }
        if let Some(range) = &validate.range {
            let (min, max) = bounds(range);
            out.push(Validator::Range(min, max));
        }
        if validate.email.is_present() {
            out.push(Validator::Email);
        }
        if validate.url.is_present() {
            out.push(Validator::Url);
        }
        if let Some(pattern) = &validate.regex {
            out.push(Validator::Regex(pattern.to_string()));
        }
        if let Some(path) = &validate.custom {
            out.push(Validator::Custom(path.clone()));
        }
        if validate.required.is_present() {
            out.push(Validator::Required);
        }
        out
    }
}

/// A `#[derive(GraphQLEnum)]` enum: its GraphQL name, description and values.
pub struct EnumModel {
    pub ident: Ident,
    pub gql_name: String,
    pub description: Option<String>,
    pub values: Vec<EnumValue>,
    /// `crate = "path"`: the runtime's path; `None` for `::gqlgen_runtime`.
    pub runtime: Option<syn::Path>,
    /// The enum's attribute as written (its variants moved into `values`), for `check`.
    pub attrs: attr::EnumAttrs,
}

/// A value of a `GraphQLEnum`.
pub struct EnumValue {
    pub variant: Ident,
    /// `name = "..."`, or the variant in SCREAMING_CASE.
    pub gql_name: String,
    pub description: Option<String>,
    /// The variant's attribute as written, for `check`.
    pub attrs: attr::EnumVariantAttrs,
}

/// Parses a `GraphQLEnum`, builds its model and checks it, with every error at once.
pub fn build_enum(input: &DeriveInput) -> darling::Result<EnumModel> {
    let mut parsed = attr::EnumAttrs::from_derive_input(input)?;
    let variants = match &mut parsed.data {
        darling::ast::Data::Enum(variants) => std::mem::take(variants),
        darling::ast::Data::Struct(_) => unreachable!("darling checks enum_unit"),
    };
    let values = variants
        .into_iter()
        .map(|variant| EnumValue {
            gql_name: variant
                .name
                .as_ref()
                .map(|n| n.0.clone())
                .unwrap_or_else(|| names::screaming(&variant.ident.to_string())),
            description: attr::doc_string(&variant.attrs),
            variant: variant.ident.clone(),
            attrs: variant,
        })
        .collect();
    let model = EnumModel {
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
        attrs: parsed,
    };
    let mut errors = darling::Error::accumulator();
    check::enumeration(&model, &mut errors);
    errors.finish_with(model)
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
                pub legacy_id: i32,
                pub created_at: DateTimeUtc,
                #[graphql(skip)]
                pub secret: String,
                #[sea_orm(belongs_to, from = "product_id", to = "id")]
                #[graphql(skip)]
                pub product: HasOne<super::product::Entity>,
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
        assert!(matches!(column("product_id").id_of, Some(IdOf::Related(_))));
        assert_eq!(column("product_id").filter_name, "product");
        assert!(matches!(column("id").id_of, Some(IdOf::Own)));
        // No relation reads from it: a number like any other, whatever its name.
        assert_eq!(column("legacy_id").kind, column("quantity").kind);
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

    fn messages(input: DeriveInput) -> Vec<String> {
        match build(&input) {
            Err(errors) => errors.into_iter().map(|e| e.to_string()).collect(),
            Ok(_) => Vec::new(),
        }
    }

    #[test]
    fn rules_across_attributes_report_at_the_option() {
        let found = messages(parse_quote! {
            #[sea_orm(table_name = "review")]
            #[graphql(owner = usr_id, filter(body(exact)))]
            pub struct Model {
                #[sea_orm(primary_key)]
                pub id: i32,
                pub user_id: i32,
                #[graphql(list)]
                pub rating: i32,
                #[graphql(filter(icontains))]
                pub body: String,
                #[graphql(skip, order)]
                pub secret: String,
            }
        });
        let expected = [
            "`body` has lookups in the field's `filter(...)` and in the struct's `filter(...)`",
            "`order` on `secret`, which `skip` hides from the schema",
            "`list` applies to has-many relations; `rating` is a column",
            "unknown column or relation `usr_id` in `owner = ...`; did you mean `user_id`?",
        ];
        assert_eq!(found.len(), expected.len(), "{found:#?}");
        for (message, start) in found.iter().zip(expected) {
            assert!(
                message.starts_with(start),
                "{message:?} should start with {start:?}"
            );
        }
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
