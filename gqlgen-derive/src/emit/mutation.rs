//! Mutations: the create and update inputs (with their validation), the payloads, and the
//! `XMutation` object whose fields forward to `gqlgen_runtime::mutation`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use super::{ASYNC_GRAPHQL, private};
use crate::model::{Column, ColumnDefault, InputRole, Model, Validator};
use crate::names;
use crate::types::{Kind, RelationKind};

/// Create or update: the two inputs differ in what absence means.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Create,
    Update,
}

fn opt(value: Option<f64>) -> TokenStream {
    match value {
        Some(v) => quote!(::std::option::Option::Some(#v)),
        None => quote!(::std::option::Option::None),
    }
}

/// The checks of `validate(...)` on one value `v: &T` of field `name`: a closure for
/// `InputField::check`, or the runtime's `unchecked`.
fn checks(column: &Column, name: &str) -> TokenStream {
    let p = private();
    let calls: Vec<TokenStream> = column
        .validators
        .iter()
        .filter_map(|v| match v {
            Validator::Length(min, max) => {
                let (min, max) = (opt(*min), opt(*max));
                Some(quote!(#p::validate::length(errors, #name, v, #min.map(|n: f64| n as usize), #max.map(|n: f64| n as usize));))
            }
            Validator::Range(min, max) if column.kind == Kind::Decimal => {
                let (min, max) = (opt(*min), opt(*max));
                Some(quote!(#p::validate::decimal_range(errors, #name, v, #min, #max);))
            }
            Validator::Range(min, max) => {
                let (min, max) = (opt(*min), opt(*max));
                Some(quote!(#p::validate::range(errors, #name, *v as f64, #min, #max);))
            }
            Validator::Email => Some(quote!(#p::validate::email(errors, #name, v);)),
            Validator::Url => Some(quote!(#p::validate::url(errors, #name, v);)),
            Validator::Regex(pattern) => Some(quote!(#p::validate::regex(errors, #name, v, #pattern);)),
            Validator::Custom(path) => Some(quote!(#p::validate::custom(errors, #name, #path(v));)),
            Validator::Clean(path) => {
                Some(quote_spanned!(path.span()=> #p::validate::clean(errors, #name, v, #path);))
            }
            Validator::Required if column.kind == Kind::Text => {
                Some(quote!(#p::validate::required_text(errors, #name, v);))
            }
            // On a nullable column, `required` is checked where null is handled.
            Validator::Required => None,
        })
        .collect();
    if calls.is_empty() {
        quote!(__a::unchecked)
    } else {
        quote!(|errors, v| { #(#calls)* })
    }
}

fn required(column: &Column) -> bool {
    column
        .validators
        .iter()
        .any(|v| matches!(v, Validator::Required))
}

/// The input field's type and the statement that moves its value into `model`, through the
/// runtime's `assign` (`__a`).
fn field(model: &Model, column: &Column, mode: Mode) -> (TokenStream, TokenStream) {
    let p = private();
    let ident = &column.ident;
    let name = &column.input_name();
    let key_type = &column.key_type;
    let base = if column.input_is_id() {
        quote!(#p::async_graphql::ID)
    } else {
        quote!(#key_type)
    };
    let convert = if column.input_is_id() {
        let related = super::id_model(model, column);
        quote!(__a::id::<_, #related>)
    } else if column.sanitize_html {
        quote!(__a::sanitized)
    } else {
        quote!(__a::cloned)
    };
    let check = checks(column, name);
    let required = required(column);
    // A create input's field with a default is optional; absent, it gets the default, or is
    // left to the database (or the runtime, for the owner column).
    let optional = mode == Mode::Create && !column.nullable && column.default.is_some();
    let default = match &column.default {
        Some(ColumnDefault::Trait) => Some(quote!(::std::default::Default::default())),
        Some(ColumnDefault::Expr(expr)) => {
            Some(quote_spanned!(expr.span()=> ::std::convert::Into::into(#expr)))
        }
        Some(ColumnDefault::Fn(path)) => Some(quote_spanned!(path.span()=> #path())),
        Some(ColumnDefault::Later) | None => None,
    }
    .filter(|_| optional);
    let (ty, given) = match (mode, column.nullable) {
        (Mode::Create, false) if optional => (
            quote!(::std::option::Option<#base>),
            quote!(update(&self.#ident)),
        ),
        // Nullable in the schema even when required: a missing required value is a `REQUIRED`
        // field error in the payload, beside the input's other problems, rather than a request
        // error that hides them.
        (Mode::Create, _) => (
            quote!(::std::option::Option<#base>),
            quote!(create(&self.#ident)),
        ),
        (Mode::Update, false) => (
            quote!(::std::option::Option<#base>),
            quote!(update(&self.#ident)),
        ),
        (Mode::Update, true) => (
            quote!(#p::async_graphql::MaybeUndefined<#base>),
            quote!(update_nullable(&self.#ident)),
        ),
    };
    let assign = if column.nullable {
        quote!(__a::assign_nullable)
    } else {
        quote!(__a::assign)
    };
    let mut apply = quote! {
        #assign(&mut model.#ident, __a::Given::#given, &__a::InputField { name: #name, convert: #convert, check: #check, required: #required }, errors);
    };
    if let Some(default) = default {
        apply.extend(quote! {
            if self.#ident.is_none() {
                model.#ident = #p::sea_orm::ActiveValue::Set(#default);
            }
        });
    }
    (ty, apply)
}

/// `tags` → `tagIds`, `categories` → `categoryIds`.
fn ids_name(relation: &str) -> String {
    let singular = if let Some(stem) = relation.strip_suffix("ies") {
        format!("{stem}y")
    } else {
        relation.strip_suffix('s').unwrap_or(relation).to_owned()
    };
    format!("{singular}Ids")
}

fn input(model: &Model, mode: Mode) -> TokenStream {
    let p = private();
    let (suffix, doc) = match mode {
        Mode::Create => (
            "CreateInput",
            format!("The fields of a new `{}`.", model.gql_name),
        ),
        Mode::Update => (
            "UpdateInput",
            format!(
                "Changes to a `{}`: absent fields keep their value, null clears a nullable one.",
                model.gql_name
            ),
        ),
    };
    let ident = format_ident!("{}{}", model.gql_name, suffix);
    let ident_name = ident.to_string();
    let writable: Vec<&Column> = model
        .columns
        .iter()
        .filter(|c| c.input == InputRole::Writable)
        .collect();
    let mut fields = Vec::new();
    let mut applies = Vec::new();
    for column in &writable {
        let (ty, apply) = field(model, column, mode);
        let rust = &column.ident;
        let name = &column.input_name();
        // The schema cannot say that a create input's field is required (it is nullable, so
        // that a missing one is a field error): its description does.
        let required = mode == Mode::Create && !column.nullable && column.default.is_none();
        let description = match (&column.description, required) {
            (Some(text), true) => Some(format!("{text} Required.")),
            (None, true) => Some("Required.".to_owned()),
            (description, false) => description.clone(),
        };
        let field_doc = super::doc(&description);
        fields.push(quote! {
            #field_doc
            #[graphql(name = #name)]
            pub #rust: #ty,
        });
        applies.push(apply);
    }
    for column in &model.columns {
        let rust = &column.ident;
        let now = quote!(#p::sea_orm::ActiveValue::Set(#p::mutation::now()));
        match (column.input, mode) {
            (InputRole::CreatedAt, Mode::Create) | (InputRole::UpdatedAt, _) => {
                applies.push(quote!(model.#rust = #now;));
            }
            _ => {}
        }
    }
    let mut references = Vec::new();
    let mut links = Vec::new();
    for relation in &model.relations {
        let spec = super::relation_spec(relation);
        if relation.kind == RelationKind::BelongsTo
            && let Some(from) = &relation.from
            && let Some(column) = writable.iter().find(|c| c.ident == from.as_str())
        {
            let variant = &column.variant;
            let name = &column.gql_name;
            let type_name = super::id_type_name(model, column);
            references.push(quote!(#p::Reference {
                field: #name,
                type_name: #type_name,
                column: Column::#variant,
                spec: #spec,
            }));
        }
        if relation.via {
            let rust = format_ident!("{}_ids", relation.ident);
            let name = ids_name(&relation.gql_name);
            let field_doc = format!(
                "The ids of the row's `{}`; {}.",
                relation.gql_name,
                match mode {
                    Mode::Create => "none when absent",
                    Mode::Update => "unchanged when absent, replaced when given",
                }
            );
            fields.push(quote! {
                #[doc = #field_doc]
                #[graphql(name = #name)]
                pub #rust: ::std::option::Option<::std::vec::Vec<#p::async_graphql::ID>>,
            });
            let target = &relation.target;
            links.push(quote!(#p::Link {
                field: #name,
                type_name: <<#target as #p::sea_orm::EntityTrait>::Model as #p::GraphQLModel>::TYPE_NAME,
                valid_key: |key| key.parse::<<<#target as #p::sea_orm::EntityTrait>::PrimaryKey as #p::sea_orm::PrimaryKeyTrait>::ValueType>().is_ok(),
                spec: #spec,
                ids: ::std::clone::Clone::clone(&self.#rust),
            }));
        }
    }
    let columns = writable.iter().map(|c| {
        let column = c.ident.to_string();
        let name = &c.input_name();
        quote!((#column, #name))
    });
    quote! {
        #[doc = #doc]
        #[derive(#p::async_graphql::InputObject)]
        #[graphql(crate = #ASYNC_GRAPHQL, name = #ident_name)]
        pub struct #ident {
            #(#fields)*
        }

        impl #p::MutationInput for #ident {
            type Entity = Entity;
            fn apply(&self, model: &mut ActiveModel, errors: &mut #p::FieldErrors) {
                use #p::mutation::assign as __a;
                #(#applies)*
            }
            fn references(&self) -> ::std::vec::Vec<#p::Reference<Column>> {
                ::std::vec![#(#references),*]
            }
            fn links(&self) -> ::std::vec::Vec<#p::Link> {
                ::std::vec![#(#links),*]
            }
            fn fields() -> &'static [(&'static str, &'static str)] {
                &[#(#columns),*]
            }
        }
    }
}

pub fn emit(model: &Model) -> TokenStream {
    let mut m = model.mutations;
    // An input object needs a field: a model with no writable column has no create or update.
    let has_input = model.columns.iter().any(|c| c.input == InputRole::Writable)
        || model.relations.iter().any(|r| r.via);
    m.create &= has_input;
    m.update &= has_input;
    if !(m.create || m.update || m.delete) {
        return quote!();
    }
    let p = private();
    let ident = &model.ident;
    let name = &model.gql_name;
    let detail = &model.detail_name;
    let list = &model.list_name;
    let filter = format_ident!("{}Filter", name);
    let create_input = format_ident!("{}CreateInput", name);
    let update_input = format_ident!("{}UpdateInput", name);
    let mutation = format_ident!("{}Mutation", name);
    let mutation_name = mutation.to_string();
    // Spanned at the user's type: if it is not a validator, the error points there.
    let validator_type = match &model.validator {
        Some(path) => quote_spanned!(path.span()=> type Validator = #path;),
        None => quote!(type Validator = #p::mutation::NoValidator;),
    };
    let mut types = Vec::new();
    let mut fields = Vec::new();
    let payload = |verb: &str| {
        let verb = format_ident!("{verb}");
        quote!(#p::mutation::RowPayload<#ident, #p::mutation::#verb>)
    };
    if m.create {
        types.push(input(model, Mode::Create));
        let create_payload = payload("Create");
        let create_name = format!("create{name}");
        let create_many_name = format!("create{}", names::pascal(list));
        fields.push(quote! {
            #[graphql(name = #create_name)]
            async fn __gqlgen_create(&self, ctx: &#p::async_graphql::Context<'_>, input: #create_input) -> #p::async_graphql::Result<#create_payload> {
                ::std::result::Result::Ok(::std::convert::Into::into(#p::mutation::create::<#ident, _>(ctx, &input).await?))
            }

            #[graphql(name = #create_many_name)]
            async fn __gqlgen_create_many(&self, ctx: &#p::async_graphql::Context<'_>, inputs: ::std::vec::Vec<#create_input>) -> #p::async_graphql::Result<#p::mutation::RowsPayload<#ident>> {
                ::std::result::Result::Ok(::std::convert::Into::into(#p::mutation::create_many::<#ident, _>(ctx, &inputs).await?))
            }
        });
    }
    if m.update {
        types.push(input(model, Mode::Update));
        let update_payload = payload("Update");
        let update_name = format!("update{name}");
        let update_many_name = format!("update{}", names::pascal(list));
        fields.push(quote! {
            #[graphql(name = #update_name)]
            async fn __gqlgen_update(&self, ctx: &#p::async_graphql::Context<'_>, id: #p::async_graphql::ID, input: #update_input) -> #p::async_graphql::Result<#update_payload> {
                ::std::result::Result::Ok(::std::convert::Into::into(#p::mutation::update::<#ident, _>(ctx, &id, &input).await?))
            }

            #[graphql(name = #update_many_name)]
            async fn __gqlgen_update_many(&self, ctx: &#p::async_graphql::Context<'_>, filter: #filter, input: #update_input) -> #p::async_graphql::Result<#p::mutation::BulkPayload> {
                ::std::result::Result::Ok(#p::mutation::update_many::<#ident, _>(ctx, &filter, &input).await?)
            }
        });
    }
    if m.delete {
        let delete_name = format!("delete{name}");
        let delete_many_name = format!("delete{}", names::pascal(list));
        fields.push(quote! {
            #[graphql(name = #delete_name)]
            async fn __gqlgen_delete(&self, ctx: &#p::async_graphql::Context<'_>, id: #p::async_graphql::ID) -> #p::async_graphql::Result<#p::mutation::DeletePayload<#ident>> {
                ::std::result::Result::Ok(::std::convert::Into::into(#p::mutation::delete::<#ident>(ctx, &id).await?))
            }

            #[graphql(name = #delete_many_name)]
            async fn __gqlgen_delete_many(&self, ctx: &#p::async_graphql::Context<'_>, filter: #filter) -> #p::async_graphql::Result<#p::mutation::BulkPayload> {
                ::std::result::Result::Ok(#p::mutation::delete_many::<#ident>(ctx, &filter).await?)
            }
        });
    }
    let list_pascal = names::pascal(list);
    quote! {
        #(#types)*

        /// The mutations of this model, merged into the mutation root by `mutation_root!`.
        #[derive(::std::default::Default)]
        pub struct #mutation;

        #[doc(hidden)]
        const _: () = {
            #[#p::async_graphql::Object(crate = #ASYNC_GRAPHQL, name = #mutation_name)]
            impl #mutation {
                #(#fields)*
            }

            impl #p::GraphQLMutations for #ident {
                type Mutation = #mutation;
                #validator_type
                const NAMES: #p::mutation::MutationNames = #p::mutation::MutationNames {
                    detail: #detail,
                    list: #list,
                    list_pascal: #list_pascal,
                };
            }
        };
    }
}
