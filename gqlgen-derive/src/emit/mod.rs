//! One module per generated artifact. Each returns tokens for one model; `graphql_model` puts
//! them together, or emits the collected errors instead.

use proc_macro2::TokenStream;
use std::cell::RefCell;

use quote::{ToTokens, quote};
use syn::DeriveInput;

use crate::model::{self, Pass};

mod connection;
mod enumeration;
mod filter;
mod mutation;
mod object;
mod order;
mod subscription;

pub use enumeration::graphql_enum;

thread_local! {
    /// The runtime's path for the expansion under way (`crate = "..."`); `None`: the default,
    /// `::gqlgen_runtime`. Set by [`RuntimePath`] for one expansion, so that every emitter
    /// reaches it through [`private`] without passing it down.
    static RUNTIME: RefCell<Option<syn::Path>> = const { RefCell::new(None) };
}

/// Sets the runtime's path for one expansion; the previous one is back when it drops.
pub struct RuntimePath(Option<syn::Path>);

impl RuntimePath {
    pub fn set(path: Option<syn::Path>) -> RuntimePath {
        RuntimePath(RUNTIME.replace(path))
    }
}

impl Drop for RuntimePath {
    fn drop(&mut self) {
        RUNTIME.set(self.0.take());
    }
}

/// The runtime path generated code goes through.
pub fn private() -> TokenStream {
    RUNTIME.with_borrow(|path| match path {
        Some(path) => quote!(#path::__private),
        None => quote!(::gqlgen_runtime::__private),
    })
}

/// The `crate = "..."` argument of async-graphql's macros: a string literal of the runtime's
/// re-export, written when quoted.
pub struct AsyncGraphqlCrate;

pub const ASYNC_GRAPHQL: AsyncGraphqlCrate = AsyncGraphqlCrate;

impl ToTokens for AsyncGraphqlCrate {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let path = format!("{}::async_graphql", private()).replace(' ', "");
        tokens.extend(quote!(#path));
    }
}

/// `#[doc = "..."]` for an optional description.
pub fn doc(description: &Option<String>) -> TokenStream {
    match description {
        Some(text) => quote!(#[doc = #text]),
        None => quote!(),
    }
}

/// The runtime's `RelationSpec` of a relation field.
pub fn relation_spec(relation: &crate::model::Relation) -> TokenStream {
    let p = private();
    let target = &relation.target;
    let owns_key = relation.kind == crate::types::RelationKind::BelongsTo;
    match &relation.relation_enum {
        Some(variant) => quote! {
            #p::RelationSpec::direct::<Entity, #target>(#p::sea_orm::RelationTrait::def(&Relation::#variant), #owns_key)
        },
        None => quote!(#p::RelationSpec::related::<Entity, #target>(#owns_key)),
    }
}

/// The errors of a model the derive refused, and stand-ins for its traits (thiserror's
/// fallback), so that the roots and other models naming it add no errors of their own.
fn refused(input: &DeriveInput, errors: darling::Error) -> TokenStream {
    // Not a struct, so not a sea-orm model: there is no `Entity` to stand in for.
    if !matches!(input.data, syn::Data::Struct(_)) {
        return errors.write_errors();
    }
    with_stand_ins(
        input,
        errors,
        "stub_model",
        &model::model_ident(&input.ident),
    )
}

/// `errors`, then the runtime's stand-in macro `stub` (`stub_model`, `stub_enum`) for `ident`.
pub fn with_stand_ins(
    input: &DeriveInput,
    errors: darling::Error,
    stub: &str,
    ident: &syn::Ident,
) -> TokenStream {
    let _runtime = RuntimePath::set(model::runtime_path(input));
    let p = private();
    let stub = syn::Ident::new(stub, proc_macro2::Span::call_site());
    let errors = errors.write_errors();
    quote! {
        #errors
        #p::#stub!(#ident);
    }
}

/// Expands `#[derive(GraphQLModel)]`.
pub fn graphql_model(input: &DeriveInput) -> TokenStream {
    let model = match model::build(input) {
        Ok(Pass::Model(model)) => model,
        Ok(Pass::Skip) => return TokenStream::new(),
        Err(errors) => return refused(input, errors),
    };
    let _runtime = RuntimePath::set(model.runtime.clone());
    let object = object::emit(&model);
    let filter = filter::emit(&model);
    let order = order::emit(&model);
    let connection = connection::emit(&model);
    let mutation = mutation::emit(&model);
    let subscription = subscription::emit(&model);
    quote! {
        #filter
        #mutation
        #subscription
        #order
        #connection
        // `Shape`'s resolvers are `match *self {}` on a type without values, and its arguments
        // only declare the schema.
        #[doc(hidden)]
        #[allow(unreachable_code, unused_variables)]
        const _: () = {
            #object
        };
    }
}

/// The model whose global ids an `ID` column holds: this one for its key, the related one for
/// a foreign key.
pub(crate) fn id_model(model: &model::Model, column: &model::Column) -> TokenStream {
    let p = private();
    match &column.id_of {
        Some(model::IdOf::Related(target)) => {
            quote::quote_spanned!(syn::spanned::Spanned::span(target)=> <#target as #p::sea_orm::EntityTrait>::Model)
        }
        _ => model.ident.to_token_stream(),
    }
}

/// The GraphQL type name in an `ID` column's global ids.
fn id_type_name(model: &model::Model, column: &model::Column) -> TokenStream {
    match &column.id_of {
        Some(model::IdOf::Related(_)) => {
            let p = private();
            let related = id_model(model, column);
            quote!(<#related as #p::GraphQLModel>::TYPE_NAME)
        }
        _ => model.gql_name.to_token_stream(),
    }
}

#[cfg(test)]
/// How much code the derive emits for the example app's entities: emitted size is the user's
/// build time. The budget catches growth; docs/performance.md records the numbers.
mod size {
    use proc_macro2::{TokenStream, TokenTree};

    /// Tokens, counting each token inside groups.
    fn count(tokens: TokenStream) -> usize {
        tokens
            .into_iter()
            .map(|token| match token {
                TokenTree::Group(group) => 2 + count(group.stream()),
                _ => 1,
            })
            .sum()
    }

    /// Every `#[derive(..., GraphQLModel)]` struct of the example entities, as written.
    fn example_models() -> Vec<(String, syn::DeriveInput)> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../example-app/src/entities");
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .expect("the example entities")
            .map(|entry| entry.expect("an entry").path())
            .collect();
        files.sort();
        let mut models = Vec::new();
        for path in files {
            let file = syn::parse_file(&std::fs::read_to_string(&path).expect("readable"))
                .expect("an entity file parses");
            for item in file.items {
                let syn::Item::Struct(item) = item else {
                    continue;
                };
                let derives_model = item.attrs.iter().any(|attr| {
                    attr.path().is_ident("derive")
                        && attr
                            .meta
                            .to_token_stream()
                            .to_string()
                            .contains("GraphQLModel")
                });
                if derives_model {
                    let name = path
                        .file_stem()
                        .expect("a name")
                        .to_string_lossy()
                        .into_owned();
                    models.push((name, syn::DeriveInput::from(item)));
                }
            }
        }
        models
    }

    use quote::ToTokens;

    #[test]
    fn emitted_tokens_per_example_model_stay_within_budget() {
        let models = example_models();
        assert!(models.len() >= 7, "found {} models", models.len());
        let mut total = 0;
        for (name, input) in &models {
            let emitted = super::graphql_model(input);
            let text = emitted.to_string();
            assert!(!text.contains("compile_error"), "{name}: {text}");
            let tokens = count(emitted);
            let Ok(crate::model::Pass::Model(model)) = crate::model::build(input) else {
                panic!("{name}: not a model");
            };
            println!(
                "{name}: {tokens} tokens (object {}, filter {}, order {}, connection {}, mutation {}, subscription {})",
                count(super::object::emit(&model)),
                count(super::filter::emit(&model)),
                count(super::order::emit(&model)),
                count(super::connection::emit(&model)),
                count(super::mutation::emit(&model)),
                count(super::subscription::emit(&model)),
            );
            total += tokens;
        }
        println!("total: {total} tokens for {} models", models.len());
        // The count of docs/performance.md ("Emitted code", 56,814), plus 10%.
        const BUDGET: usize = 62_500;
        assert!(
            total <= BUDGET,
            "{total} tokens emitted, over the budget of {BUDGET}"
        );
    }
}
