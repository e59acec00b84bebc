//! Darling receivers that mirror the attribute grammar of docs/attributes.md, one struct per
//! attribute position. They only parse; rules that relate several attributes are in `check`.

use darling::util::{Flag, SpannedValue};
use darling::{FromDeriveInput, FromField, FromMeta, FromVariant};
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Attribute, Ident, Token, Type};

/// `#[graphql(...)]` on the model struct.
#[derive(FromDeriveInput)]
#[darling(
    attributes(graphql),
    forward_attrs(doc, sea_orm),
    supports(struct_named)
)]
pub struct ContainerAttrs {
    pub ident: Ident,
    pub data: darling::ast::Data<(), FieldAttrs>,
    pub attrs: Vec<Attribute>,
    /// GraphQL type name; default: the table name in PascalCase.
    pub name: Option<SpannedValue<NameValue>>,
    /// Name of the list field; default: the camelCase type name, pluralised.
    pub plural: Option<SpannedValue<NameValue>>,
    pub description: Option<String>,
    /// Expose only these fields.
    pub fields: Option<SpannedValue<IdentList>>,
    /// Expose every field but these.
    pub exclude: Option<SpannedValue<IdentList>>,
    /// `filter(name(exact, icontains), price(gte))`: lookups named per field.
    pub filter: Option<ContainerFilter>,
    /// `computed(total_amount: Decimal, item_count: i64)`.
    pub computed: Option<ComputedList>,
    /// `mutations(create, update, delete)`: which mutations to generate; all when absent.
    pub mutations: Option<SpannedValue<IdentList>>,
    /// `subscriptions(created, updated, deleted)`: which subscription fields to generate; none
    /// when absent.
    pub subscriptions: Option<SpannedValue<IdentList>>,
    /// `cache(ttl = 1800, vary_on_user)`, or a plain `cache` (the configured TTL): answers that
    /// read this model may be cached.
    pub cache: Option<SpannedValue<darling::util::Override<CacheAttrs>>>,
    /// `validator = Type`: rules across fields, a `ModelValidator` of the active model.
    pub validator: Option<syn::Path>,
    /// `permissions(IsAuthenticated, HasPermission("shop.change_product"))`.
    pub permissions: Option<SpannedValue<PermissionList>>,
    /// `owner = user_id`: the column holding the owning user's id.
    pub owner: Option<syn::Path>,
    /// `crate = "path"`: where the runtime is, when the dependency is renamed.
    #[darling(rename = "crate")]
    pub krate: Option<syn::Path>,
    /// Staff may choose a row's owner: the owner column is an optional field of the inputs,
    /// which only staff may give (anyone else's rows are theirs).
    pub staff_sets_owner: Flag,
}

/// The options of `cache(...)`.
#[derive(FromMeta, Default)]
pub struct CacheAttrs {
    /// Seconds an answer may be served from the cache.
    pub ttl: Option<SpannedValue<u32>>,
    /// Cached answers are per caller.
    pub vary_on_user: Flag,
}

impl ContainerAttrs {
    /// The lookups the struct's `filter(...)` gives the field `name`, if it names it.
    pub fn filter_of(&self, name: &str) -> Option<&SpannedValue<LookupList>> {
        self.filter
            .iter()
            .flat_map(|f| f.0.iter())
            .find(|(ident, _)| ident == name)
            .map(|(_, lookups)| lookups)
    }
}

/// `#[graphql(...)]` on a field.
#[derive(FromField)]
#[darling(attributes(graphql), forward_attrs(doc, sea_orm))]
pub struct FieldAttrs {
    pub ident: Option<Ident>,
    pub ty: Type,
    pub attrs: Vec<Attribute>,
    pub skip: Flag,
    pub name: Option<SpannedValue<NameValue>>,
    pub description: Option<SpannedValue<String>>,
    pub filter: Option<SpannedValue<LookupList>>,
    pub order: Flag,
    /// On a has-many relation: a plain list instead of a connection.
    pub list: Flag,
    /// `validate(length(min = 1), email, ...)`: checks of mutation inputs.
    pub validate: Option<SpannedValue<ValidateAttrs>>,
    /// Clean HTML in the input value (ammonia's allow-list).
    pub sanitize_html: Flag,
    /// `permission = "users.view_user_email"`: readable by holders of the codename and the row's owner.
    pub permission: Option<SpannedValue<String>>,
    /// `default` or `default = expr`: optional in the create input, this value when absent.
    pub default: Option<SpannedValue<InputDefault>>,
    /// `default_fn = path`: optional in the create input, `path()` when absent (a new UUID).
    pub default_fn: Option<SpannedValue<syn::Path>>,
}

/// The value of a create input's absent field: `default` (the type's `Default`) or
/// `default = expr`.
#[derive(Clone)]
pub enum InputDefault {
    Trait,
    Expr(syn::Expr),
}

impl FromMeta for InputDefault {
    fn from_word() -> darling::Result<Self> {
        Ok(InputDefault::Trait)
    }

    fn from_expr(expr: &syn::Expr) -> darling::Result<Self> {
        Ok(InputDefault::Expr(expr.clone()))
    }
}

/// The validators of `validate(...)`.
#[derive(FromMeta, Default)]
pub struct ValidateAttrs {
    pub length: Option<SpannedValue<Bounds>>,
    pub range: Option<SpannedValue<Bounds>>,
    pub email: Flag,
    pub url: Flag,
    pub regex: Option<SpannedValue<String>>,
    pub custom: Option<syn::Path>,
    /// `clean = path`: a `fn(&T) -> Result<T, String>` whose value is the one checked and
    /// stored.
    pub clean: Option<syn::Path>,
    pub required: Flag,
}

/// `min = ..., max = ...` of `length` and `range`.
#[derive(FromMeta, Default)]
pub struct Bounds {
    pub min: Option<Number>,
    pub max: Option<Number>,
}

/// A number literal, negative or not, integer or float.
#[derive(Clone, Copy)]
pub struct Number(pub f64);

impl FromMeta for Number {
    fn from_expr(expr: &syn::Expr) -> darling::Result<Self> {
        let (negative, lit) = match expr {
            syn::Expr::Unary(syn::ExprUnary {
                op: syn::UnOp::Neg(_),
                expr,
                ..
            }) => (true, &**expr),
            other => (false, other),
        };
        let value = match lit {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Int(i),
                ..
            }) => i.base10_parse::<f64>().ok(),
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Float(f),
                ..
            }) => f.base10_parse::<f64>().ok(),
            _ => None,
        };
        match value {
            Some(v) => Ok(Number(if negative { -v } else { v })),
            None => {
                Err(darling::Error::custom("expected a number, such as `min = 1`").with_span(expr))
            }
        }
    }
}

/// `#[graphql(...)]` on a `GraphQLEnum` enum.
#[derive(FromDeriveInput)]
#[darling(attributes(graphql), forward_attrs(doc), supports(enum_unit))]
pub struct EnumAttrs {
    pub ident: Ident,
    pub data: darling::ast::Data<EnumVariantAttrs, ()>,
    pub attrs: Vec<Attribute>,
    pub name: Option<SpannedValue<NameValue>>,
    pub description: Option<String>,
    /// `crate = "path"`: where the runtime is, when the dependency is renamed.
    #[darling(rename = "crate")]
    pub krate: Option<syn::Path>,
}

/// `#[graphql(...)]` on a variant of a `GraphQLEnum`.
#[derive(FromVariant)]
#[darling(attributes(graphql), forward_attrs(doc))]
pub struct EnumVariantAttrs {
    pub ident: Ident,
    pub attrs: Vec<Attribute>,
    pub name: Option<SpannedValue<NameValue>>,
}

/// A name given as a string: `name = "Product"`. Anything else is refused with an example.
pub struct NameValue(pub String);

impl std::ops::Deref for NameValue {
    type Target = String;
    fn deref(&self) -> &String {
        &self.0
    }
}

impl FromMeta for NameValue {
    fn from_string(value: &str) -> darling::Result<Self> {
        Ok(NameValue(value.to_owned()))
    }

    fn from_value(value: &syn::Lit) -> darling::Result<Self> {
        match value {
            syn::Lit::Str(s) => Ok(NameValue(s.value())),
            other => Err(
                darling::Error::custom("expected a string, such as `name = \"Product\"`")
                    .with_span(other),
            ),
        }
    }
}

/// A list of identifiers: `fields(a, b)`.
#[derive(Default)]
pub struct IdentList(pub Vec<Ident>);

impl FromMeta for IdentList {
    fn from_list(items: &[darling::ast::NestedMeta]) -> darling::Result<Self> {
        let mut errors = darling::Error::accumulator();
        let mut idents = Vec::new();
        for item in items {
            match item {
                darling::ast::NestedMeta::Meta(syn::Meta::Path(path))
                    if path.get_ident().is_some() =>
                {
                    idents.push(path.get_ident().cloned().expect("checked"));
                }
                other => errors.push(
                    darling::Error::custom("expected a field name, such as `fields(id, name)`")
                        .with_span(other),
                ),
            }
        }
        errors.finish_with(IdentList(idents))
    }
}

/// Lookups of one field: `filter` (every lookup the column type allows) or `filter(exact, ...)`.
pub enum LookupList {
    All,
    Some(Vec<Ident>),
}

impl FromMeta for LookupList {
    fn from_word() -> darling::Result<Self> {
        Ok(LookupList::All)
    }

    fn from_list(items: &[darling::ast::NestedMeta]) -> darling::Result<Self> {
        if items.is_empty() {
            return Err(darling::Error::custom(
                "`filter()` names no lookup; write `filter` for every lookup the type allows, or list them: `filter(exact, icontains)`",
            ));
        }
        let mut errors = darling::Error::accumulator();
        let mut lookups = Vec::new();
        for item in items {
            match item {
                darling::ast::NestedMeta::Meta(syn::Meta::Path(path))
                    if path.get_ident().is_some() =>
                {
                    lookups.push(path.get_ident().cloned().expect("checked"));
                }
                other => errors.push(
                    darling::Error::custom(
                        "expected a lookup name, such as `filter(exact, icontains)`",
                    )
                    .with_span(other),
                ),
            }
        }
        errors.finish_with(LookupList::Some(lookups))
    }
}

/// The permission values of `permissions(...)`: a type path (`IsAuthenticated`) or a call
/// (`HasPermission("shop.change_product")`), each an expression of a `Permission` type.
#[derive(Default)]
pub struct PermissionList(pub Vec<syn::Expr>);

impl FromMeta for PermissionList {
    fn from_list(items: &[darling::ast::NestedMeta]) -> darling::Result<Self> {
        if items.is_empty() {
            return Err(darling::Error::custom(
                "`permissions()` lists no permission; name at least one, such as `permissions(IsAuthenticated)`, or leave it out for the settings' default (GRAPHQL_DEFAULT_PERMISSIONS)",
            ));
        }
        let mut errors = darling::Error::accumulator();
        let mut exprs = Vec::new();
        for item in items {
            let expr = match item {
                darling::ast::NestedMeta::Meta(syn::Meta::Path(path)) => {
                    syn::parse2::<syn::Expr>(quote::quote!(#path)).ok()
                }
                darling::ast::NestedMeta::Meta(syn::Meta::List(list)) => {
                    let (path, tokens) = (&list.path, &list.tokens);
                    syn::parse2::<syn::Expr>(quote::quote!(#path(#tokens))).ok()
                }
                _ => None,
            };
            match expr {
                Some(expr) => exprs.push(expr),
                None => errors.push(
                    darling::Error::custom(
                        "expected a permission, such as `permissions(IsAuthenticated, HasPermission(\"shop.change_product\"))`",
                    )
                    .with_span(item),
                ),
            }
        }
        errors.finish_with(PermissionList(exprs))
    }
}

/// The container's `filter(field(lookups), ...)`.
#[derive(Default)]
pub struct ContainerFilter(pub Vec<(Ident, SpannedValue<LookupList>)>);

impl FromMeta for ContainerFilter {
    fn from_list(items: &[darling::ast::NestedMeta]) -> darling::Result<Self> {
        let mut errors = darling::Error::accumulator();
        let mut entries = Vec::new();
        for item in items {
            let darling::ast::NestedMeta::Meta(meta) = item else {
                errors.push(
                    darling::Error::custom(
                        "expected `field(lookups)`, such as `filter(name(exact, icontains))`",
                    )
                    .with_span(item),
                );
                continue;
            };
            let Some(ident) = meta.path().get_ident().cloned() else {
                errors.push(darling::Error::custom("expected a field name").with_span(meta.path()));
                continue;
            };
            if let Some(lookups) = errors.handle(LookupList::from_meta(meta)) {
                entries.push((
                    ident,
                    SpannedValue::new(lookups, syn::spanned::Spanned::span(meta)),
                ));
            }
        }
        errors.finish_with(ContainerFilter(entries))
    }
}

/// One `name: Type` of `computed(...)`.
pub struct ComputedField {
    pub ident: Ident,
    pub ty: Type,
}

impl Parse for ComputedField {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let ident: Ident = input.parse()?;
        input.parse::<Token![:]>().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected `name: Type`, such as `computed(total_amount: Decimal)`",
            )
        })?;
        let ty: Type = input.parse()?;
        Ok(ComputedField { ident, ty })
    }
}

/// `computed(total_amount: Decimal, ...)`: fields resolved by a method of the same name.
pub struct ComputedList(pub Vec<ComputedField>);

impl FromMeta for ComputedList {
    fn from_meta(item: &syn::Meta) -> darling::Result<Self> {
        let syn::Meta::List(list) = item else {
            return Err(darling::Error::custom(
                "expected `computed(name: Type, ...)`, such as `computed(total_amount: Decimal)`",
            )
            .with_span(item));
        };
        let fields = list
            .parse_args_with(Punctuated::<ComputedField, Token![,]>::parse_terminated)
            .map_err(darling::Error::from)?;
        Ok(ComputedList(fields.into_iter().collect()))
    }
}

/// The doc comment of an item, lines joined, or `None`.
pub fn doc_string(attrs: &[Attribute]) -> Option<String> {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .map(|line| line.strip_prefix(' ').unwrap_or(&line).to_owned())
        .collect();
    let text = lines.join("\n").trim().to_owned();
    (!text.is_empty()).then_some(text)
}

/// What the derive reads of `#[sea_orm(...)]` on the struct and its fields.
#[derive(Default)]
pub struct SeaOrmAttrs {
    pub table_name: Option<String>,
    /// The struct is the relation-free `Model` of the dense format.
    pub model_ex: bool,
    pub primary_key: bool,
    pub ignore: bool,
    pub belongs_to: bool,
    pub has_one: bool,
    pub has_many: bool,
    pub via: Option<String>,
    pub self_ref: bool,
    pub relation_enum: Option<String>,
    /// `from = "category_id"` of a belongs-to relation.
    pub from: Option<String>,
    /// `to = "id"` of a belongs-to relation: the related column it reads, with its span.
    pub to: Option<syn::LitStr>,
    /// `auto_increment = false` on a primary key.
    pub auto_increment: Option<bool>,
    /// The scale of `column_type = "Decimal(Some((10, 2)))"`: 2.
    pub decimal_scale: Option<u32>,
    /// `default_value = ...` or `default_expr = ...`: the database fills an absent value.
    pub database_default: bool,
}

impl SeaOrmAttrs {
    /// Reads the keys gqlgen needs and skips the rest, whatever their shape.
    pub fn from_attrs(attrs: &[Attribute]) -> Self {
        let mut out = SeaOrmAttrs::default();
        for attr in attrs.iter().filter(|a| a.path().is_ident("sea_orm")) {
            // sea-orm reports its own malformed attributes; ignore what does not parse here.
            let _ = attr.parse_nested_meta(|meta| {
                let key = meta
                    .path
                    .get_ident()
                    .map(|i| i.to_string())
                    .unwrap_or_default();
                if meta.input.peek(Token![=]) {
                    let value: syn::Expr = meta.value()?.parse()?;
                    if key == "default_value" || key == "default_expr" {
                        out.database_default = true;
                    }
                    if key == "auto_increment"
                        && let syn::Expr::Lit(syn::ExprLit {
                            lit: syn::Lit::Bool(b),
                            ..
                        }) = &value
                    {
                        out.auto_increment = Some(b.value);
                    }
                    if let syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(s),
                        ..
                    }) = value
                    {
                        match key.as_str() {
                            "table_name" => out.table_name = Some(s.value()),
                            "via" => out.via = Some(s.value()),
                            "relation_enum" => out.relation_enum = Some(s.value()),
                            "from" => out.from = Some(s.value()),
                            "to" => out.to = Some(s.clone()),
                            "column_type" => out.decimal_scale = decimal_scale(&s.value()),
                            _ => {}
                        }
                    }
                } else if meta.input.peek(syn::token::Paren) {
                    let content;
                    syn::parenthesized!(content in meta.input);
                    let _: proc_macro2::TokenStream = content.parse()?;
                } else {
                    match key.as_str() {
                        "model_ex" => out.model_ex = true,
                        "primary_key" => out.primary_key = true,
                        "ignore" => out.ignore = true,
                        "belongs_to" => out.belongs_to = true,
                        "has_one" => out.has_one = true,
                        "has_many" => out.has_many = true,
                        "self_ref" => out.self_ref = true,
                        _ => {}
                    }
                }
                Ok(())
            });
        }
        out
    }
}

/// The scale of a sea-orm `Decimal(Some((precision, scale)))` or `Money(...)` column type.
fn decimal_scale(column_type: &str) -> Option<u32> {
    let compact: String = column_type.chars().filter(|c| !c.is_whitespace()).collect();
    let arguments = compact
        .strip_prefix("Decimal(Some((")
        .or_else(|| compact.strip_prefix("Money(Some(("))?;
    let (_, scale) = arguments.split_once(',')?;
    scale.trim_end_matches(')').parse().ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn decimal_scale_of_a_column_type() {
        assert_eq!(super::decimal_scale("Decimal(Some((10, 2)))"), Some(2));
        assert_eq!(super::decimal_scale("Money(Some((19,4)))"), Some(4));
        assert_eq!(super::decimal_scale("Decimal(None)"), None);
        assert_eq!(super::decimal_scale("Text"), None);
    }
}
