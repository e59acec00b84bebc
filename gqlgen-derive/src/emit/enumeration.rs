//! `#[derive(GraphQLEnum)]`: a sea-orm active enum as a GraphQL enum, variants in
//! SCREAMING_CASE. The impls forward to `gqlgen_runtime::enumeration`.

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

use super::private;
use crate::model::{self, EnumModel};

pub fn graphql_enum(input: &DeriveInput) -> TokenStream {
    match model::build_enum(input) {
        Ok(model) => emit(&model),
        // As for a model: the errors, and stand-ins so the models using the enum add none.
        Err(errors) => super::with_stand_ins(input, errors, "stub_enum", &input.ident),
    }
}

fn emit(model: &EnumModel) -> TokenStream {
    let _runtime = super::RuntimePath::set(model.runtime.clone());
    let p = private();
    let ident = &model.ident;
    let name = &model.gql_name;
    let optional = |text: &Option<String>| match text {
        Some(text) => quote!(::std::option::Option::Some(#text)),
        None => quote!(::std::option::Option::None),
    };
    let description = optional(&model.description);
    let items = model.values.iter().map(|v| {
        let variant = &v.variant;
        let value = &v.gql_name;
        let desc = optional(&v.description);
        (
            quote!(#p::async_graphql::resolver_utils::EnumItem { name: #value, value: #ident::#variant }),
            quote!(#p::enumeration::VariantInfo { name: #value, description: #desc }),
        )
    });
    let (items, infos): (Vec<_>, Vec<_>) = items.unzip();
    quote! {
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
    }
}
