//! `#[derive(GraphQLEnum)]`: a sea-orm active enum as a GraphQL enum, variants in
//! SCREAMING_CASE. The impls forward to `gqlgen_runtime::enumeration`.

use darling::FromDeriveInput;
use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

use super::private;
use crate::attr::{EnumAttrs, doc_string};
use crate::check;
use crate::names;

pub fn graphql_enum(input: &DeriveInput) -> TokenStream {
    match expand(input) {
        Ok(tokens) => tokens,
        Err(errors) => errors.write_errors(),
    }
}

fn expand(input: &DeriveInput) -> darling::Result<TokenStream> {
    let parsed = EnumAttrs::from_derive_input(input)?;
    let mut errors = darling::Error::accumulator();
    if let Some(name) = &parsed.name {
        errors.handle(check::graphql_name(name, "enum"));
    }
    let variants = parsed
        .data
        .as_ref()
        .take_enum()
        .expect("darling checks enum_unit");
    for v in &variants {
        if let Some(name) = &v.name {
            errors.handle(check::graphql_name(name, "enum value"));
        }
    }
    errors.finish()?;
    let _runtime = super::RuntimePath::set(parsed.krate.clone());
    let p = private();
    let ident = &parsed.ident;
    let name = parsed
        .name
        .as_ref()
        .map(|n| n.0.clone())
        .unwrap_or_else(|| ident.to_string());
    let description = match parsed
        .description
        .clone()
        .or_else(|| doc_string(&parsed.attrs))
    {
        Some(d) => quote!(::std::option::Option::Some(#d)),
        None => quote!(::std::option::Option::None),
    };
    let items = variants.iter().map(|v| {
        let variant = &v.ident;
        let value = v.name.as_ref().map(|n| n.0.clone()).unwrap_or_else(|| names::screaming(&variant.to_string()));
        let desc = match doc_string(&v.attrs) {
            Some(d) => quote!(::std::option::Option::Some(#d)),
            None => quote!(::std::option::Option::None),
        };
        (
            quote!(#p::async_graphql::resolver_utils::EnumItem { name: #value, value: #ident::#variant }),
            quote!(#p::enumeration::VariantInfo { name: #value, description: #desc }),
        )
    });
    let (items, infos): (Vec<_>, Vec<_>) = items.unzip();
    Ok(quote! {
        #[doc(hidden)]
        const _: () = {
            use #p::async_graphql as __ag;
            impl __ag::resolver_utils::EnumType for #ident {
                fn items() -> &'static [__ag::resolver_utils::EnumItem<#ident>] {
                    &[#(#items),*]
                }
            }
            impl __ag::InputType for #ident {
                type RawValueType = Self;
                fn type_name() -> ::std::borrow::Cow<'static, str> {
                    #p::enumeration::name(#name)
                }
                fn create_type_info(registry: &mut __ag::registry::Registry) -> ::std::string::String {
                    #p::enumeration::type_info::<Self>(registry, #name, #description, &[#(#infos),*])
                }
                fn parse(value: ::std::option::Option<__ag::Value>) -> __ag::InputValueResult<Self> {
                    #p::enumeration::parse(value)
                }
                fn to_value(&self) -> __ag::Value {
                    #p::enumeration::to_value(::std::clone::Clone::clone(self))
                }
                fn as_raw_value(&self) -> ::std::option::Option<&Self> {
                    ::std::option::Option::Some(self)
                }
            }
            impl __ag::OutputType for #ident {
                fn type_name() -> ::std::borrow::Cow<'static, str> {
                    #p::enumeration::name(#name)
                }
                fn create_type_info(registry: &mut __ag::registry::Registry) -> ::std::string::String {
                    <Self as __ag::InputType>::create_type_info(registry)
                }
                async fn resolve(
                    &self,
                    _: &__ag::ContextSelectionSet<'_>,
                    _: &__ag::Positioned<__ag::parser::types::Field>,
                ) -> __ag::ServerResult<__ag::Value> {
                    ::std::result::Result::Ok(#p::enumeration::to_value(::std::clone::Clone::clone(self)))
                }
            }
        };
    })
}
