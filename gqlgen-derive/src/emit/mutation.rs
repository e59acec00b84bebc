//! Mutations: the create and update inputs (with their validation), the payloads, and the
//! `XMutation` object whose fields forward to `gqlgen_runtime::mutation`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use super::{ASYNC_GRAPHQL, private};
use crate::model::{Column, InputRole, Model, Validator};
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

/// Checks of one value `v` (the column's base type) of field `name`.
fn checks(column: &Column, name: &str) -> TokenStream {
    let p = private();
    let calls = column.validators.iter().map(|v| match v {
        Validator::Length(min, max) => {
            let (min, max) = (opt(*min), opt(*max));
            quote!(#p::validate::length(errors, #name, &v, #min.map(|n: f64| n as usize), #max.map(|n: f64| n as usize));)
        }
        Validator::Range(min, max) => {
            let (min, max) = (opt(*min), opt(*max));
            if column.kind == Kind::Decimal {
                quote!(#p::validate::decimal_range(errors, #name, &v, #min, #max);)
            } else {
                quote!(#p::validate::range(errors, #name, v as f64, #min, #max);)
            }
        }
        Validator::Email => quote!(#p::validate::email(errors, #name, &v);),
        Validator::Url => quote!(#p::validate::url(errors, #name, &v);),
        Validator::Regex(pattern) => quote!(#p::validate::regex(errors, #name, &v, #pattern);),
        Validator::Custom(path) => quote!(#p::validate::custom(errors, #name, #path(&v));),
        Validator::Required if column.kind == Kind::Text => {
            quote!(#p::validate::required_text(errors, #name, &v);)
        }
        // On a nullable column, `required` is checked where null is handled.
        Validator::Required => quote!(),
    });
    quote!(#(#calls)*)
}

fn required(column: &Column) -> bool {
    column
        .validators
        .iter()
        .any(|v| matches!(v, Validator::Required))
}

/// The input field's type and the statements that move its value into `model`.
fn field(column: &Column, mode: Mode) -> (TokenStream, TokenStream) {
    let p = private();
    let ident = &column.ident;
    let name = &column.gql_name;
    let key_type = &column.key_type;
    let base = if column.kind == Kind::Id {
        quote!(#p::async_graphql::ID)
    } else {
        quote!(#key_type)
    };
    // `v` from a reference `given` to the input value, or `None` after recording an error.
    let convert = if column.kind == Kind::Id {
        quote!(#p::mutation::id_field::<#key_type>(errors, #name, given))
    } else if column.sanitize_html {
        quote!(::std::option::Option::Some(#p::validate::sanitize_html(given)))
    } else {
        quote!(::std::option::Option::Some(::std::clone::Clone::clone(
            given
        )))
    };
    let checks = checks(column, name);
    let set = |value: TokenStream| quote!(model.#ident = #p::sea_orm::ActiveValue::Set(#value););
    let set_value = if column.nullable {
        set(quote!(::std::option::Option::Some(v)))
    } else {
        set(quote!(v))
    };
    let apply_given = quote! {
        if let ::std::option::Option::Some(v) = #convert {
            #checks
            #set_value
        }
    };
    let null_given = if required(column) {
        quote!(errors.add(#name, #p::validate::FieldCode::Required, "is required");)
    } else {
        set(quote!(::std::option::Option::None))
    };
    match (mode, column.nullable) {
        (Mode::Create, false) => (base, quote! { { let given = &self.#ident; #apply_given } }),
        (Mode::Create, true) => (
            quote!(::std::option::Option<#base>),
            quote! {
                match &self.#ident {
                    ::std::option::Option::Some(given) => #apply_given,
                    ::std::option::Option::None => { #null_given }
                }
            },
        ),
        (Mode::Update, false) => (
            quote!(::std::option::Option<#base>),
            quote! {
                if let ::std::option::Option::Some(given) = &self.#ident { #apply_given }
            },
        ),
        (Mode::Update, true) => (
            quote!(#p::async_graphql::MaybeUndefined<#base>),
            quote! {
                match &self.#ident {
                    #p::async_graphql::MaybeUndefined::Value(given) => #apply_given,
                    #p::async_graphql::MaybeUndefined::Null => { #null_given }
                    #p::async_graphql::MaybeUndefined::Undefined => {}
                }
            },
        ),
    }
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
        let (ty, apply) = field(column, mode);
        let rust = &column.ident;
        let name = &column.gql_name;
        let field_doc = super::doc(&column.description);
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
            references.push(
                quote!(#p::Reference { field: #name, column: Column::#variant, spec: #spec }),
            );
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
            links.push(quote!(#p::Link { field: #name, spec: #spec, ids: ::std::clone::Clone::clone(&self.#rust) }));
        }
    }
    let columns = writable.iter().map(|c| {
        let column = c.ident.to_string();
        let name = &c.gql_name;
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
    let payload = |kind: &str| {
        let payload = format_ident!("{}{}Payload", kind, name);
        let payload_name = payload.to_string();
        let doc = format!(
            "The result of `{}{}`: the row, or why nothing was written.",
            names::lower_first(kind),
            name
        );
        let ty = quote! {
            #[doc = #doc]
            #[derive(#p::async_graphql::SimpleObject)]
            #[graphql(crate = #ASYNC_GRAPHQL, name = #payload_name)]
            pub struct #payload {
                /// Whether the row was written.
                pub success: bool,
                #[graphql(name = #detail)]
                pub node: ::std::option::Option<#ident>,
                /// Every problem with the input; empty on success.
                pub errors: ::std::vec::Vec<#p::FieldError>,
            }
        };
        (payload, ty)
    };
    let mut types = Vec::new();
    let mut fields = Vec::new();
    let outcome = |payload: &proc_macro2::Ident| {
        quote! {
            ::std::result::Result::Ok(match outcome {
                #p::Outcome::Done(row) => #payload { success: true, node: ::std::option::Option::Some(row), errors: ::std::vec::Vec::new() },
                #p::Outcome::Invalid(errors) => #payload { success: false, node: ::std::option::Option::None, errors },
            })
        }
    };
    if m.create {
        types.push(input(model, Mode::Create));
        let (create_payload, ty) = payload("Create");
        types.push(ty);
        let many_payload = format_ident!("Create{}Payload", names::pascal(list));
        let many_name = many_payload.to_string();
        let create_name = format!("create{name}");
        let create_many_name = format!("create{}", names::pascal(list));
        let done = outcome(&create_payload);
        types.push(quote! {
            #[doc = "The result of a bulk create: every row, or none and why."]
            #[derive(#p::async_graphql::SimpleObject)]
            #[graphql(crate = #ASYNC_GRAPHQL, name = #many_name)]
            pub struct #many_payload {
                /// Whether the rows were written.
                pub success: bool,
                #[graphql(name = #list)]
                pub nodes: ::std::vec::Vec<#ident>,
                /// Every problem with the inputs, fields named `inputs.N.field`.
                pub errors: ::std::vec::Vec<#p::FieldError>,
            }
        });
        fields.push(quote! {
            #[graphql(name = #create_name)]
            async fn __gqlgen_create(&self, ctx: &#p::async_graphql::Context<'_>, input: #create_input) -> #p::async_graphql::Result<#create_payload> {
                let outcome = #p::mutation::create::<#ident, _>(ctx, &input).await?;
                #done
            }

            #[graphql(name = #create_many_name)]
            async fn __gqlgen_create_many(&self, ctx: &#p::async_graphql::Context<'_>, inputs: ::std::vec::Vec<#create_input>) -> #p::async_graphql::Result<#many_payload> {
                ::std::result::Result::Ok(match #p::mutation::create_many::<#ident, _>(ctx, &inputs).await? {
                    ::std::result::Result::Ok(nodes) => #many_payload { success: true, nodes, errors: ::std::vec::Vec::new() },
                    ::std::result::Result::Err(errors) => #many_payload { success: false, nodes: ::std::vec::Vec::new(), errors },
                })
            }
        });
    }
    if m.update {
        types.push(input(model, Mode::Update));
        let (update_payload, ty) = payload("Update");
        types.push(ty);
        let update_name = format!("update{name}");
        let update_many_name = format!("update{}", names::pascal(list));
        let done = outcome(&update_payload);
        fields.push(quote! {
            #[graphql(name = #update_name)]
            async fn __gqlgen_update(&self, ctx: &#p::async_graphql::Context<'_>, id: #p::async_graphql::ID, input: #update_input) -> #p::async_graphql::Result<#update_payload> {
                let outcome = #p::mutation::update::<#ident, _>(ctx, &id, &input).await?;
                #done
            }

            #[graphql(name = #update_many_name)]
            async fn __gqlgen_update_many(&self, ctx: &#p::async_graphql::Context<'_>, filter: #filter, input: #update_input) -> #p::async_graphql::Result<#p::mutation::BulkPayload> {
                ::std::result::Result::Ok(#p::mutation::update_many::<#ident, _>(ctx, &filter, &input).await?)
            }
        });
    }
    if m.delete {
        let delete_payload = format_ident!("Delete{}Payload", name);
        let delete_payload_name = delete_payload.to_string();
        let delete_name = format!("delete{name}");
        let delete_many_name = format!("delete{}", names::pascal(list));
        types.push(quote! {
            #[doc = "The result of a delete: the id of the deleted row, or why nothing was deleted."]
            #[derive(#p::async_graphql::SimpleObject)]
            #[graphql(crate = #ASYNC_GRAPHQL, name = #delete_payload_name)]
            pub struct #delete_payload {
                /// Whether the row was deleted.
                pub success: bool,
                #[graphql(name = "deletedId")]
                pub deleted_id: ::std::option::Option<#p::async_graphql::ID>,
                pub errors: ::std::vec::Vec<#p::FieldError>,
            }
        });
        fields.push(quote! {
            #[graphql(name = #delete_name)]
            async fn __gqlgen_delete(&self, ctx: &#p::async_graphql::Context<'_>, id: #p::async_graphql::ID) -> #p::async_graphql::Result<#delete_payload> {
                ::std::result::Result::Ok(match #p::mutation::delete::<#ident>(ctx, &id).await? {
                    ::std::result::Result::Ok(id) => #delete_payload { success: true, deleted_id: ::std::option::Option::Some(id), errors: ::std::vec::Vec::new() },
                    ::std::result::Result::Err(errors) => #delete_payload { success: false, deleted_id: ::std::option::Option::None, errors },
                })
            }

            #[graphql(name = #delete_many_name)]
            async fn __gqlgen_delete_many(&self, ctx: &#p::async_graphql::Context<'_>, filter: #filter) -> #p::async_graphql::Result<#p::mutation::BulkPayload> {
                ::std::result::Result::Ok(#p::mutation::delete_many::<#ident>(ctx, &filter).await?)
            }
        });
    }
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
            }
        };
    }
}
