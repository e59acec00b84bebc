//! The object type: one resolver per exposed column and computed field, named `__gqlgen_*` so
//! they cannot clash with the model's own methods (computed fields call those).

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use super::{ASYNC_GRAPHQL, doc, private};
use crate::model::Model;
use crate::types::Kind;

pub fn emit(model: &Model) -> TokenStream {
    let p = private();
    let ident = &model.ident;
    let gql_name = &model.gql_name;
    let type_doc = doc(&model.description);
    let columns = model.columns.iter().map(|c| {
        let field = &c.ident;
        let method = format_ident!("__gqlgen_{}", field);
        let name = &c.gql_name;
        let field_doc = doc(&c.description);
        let ty = &c.ty;
        let (ret, body) = match (c.kind, c.nullable) {
            (Kind::Id, false) => (
                quote!(#p::async_graphql::ID),
                quote!(#p::async_graphql::ID(::std::string::ToString::to_string(&self.#field))),
            ),
            (Kind::Id, true) => (
                quote!(::std::option::Option<#p::async_graphql::ID>),
                quote!(self.#field.as_ref().map(|v| #p::async_graphql::ID(::std::string::ToString::to_string(v)))),
            ),
            _ => (quote_spanned!(ty.span()=> &#ty), quote!(&self.#field)),
        };
        quote! {
            #field_doc
            #[graphql(name = #name)]
            async fn #method(&self) -> #ret {
                #body
            }
        }
    });
    let computed = model.computed.iter().map(|c| {
        let method = format_ident!("__gqlgen_computed_{}", c.ident);
        let user_method = &c.ident;
        let name = &c.gql_name;
        let ty = &c.ty;
        let call = quote_spanned!(c.ident.span()=> #ident::#user_method(self, ctx).await.map_err(#p::ensure_code));
        quote! {
            #[graphql(name = #name)]
            async fn #method(&self, ctx: &#p::async_graphql::Context<'_>) -> #p::async_graphql::Result<#ty> {
                #call
            }
        }
    });
    quote! {
        #type_doc
        #[#p::async_graphql::Object(crate = #ASYNC_GRAPHQL, name = #gql_name)]
        impl #ident {
            #(#columns)*
            #(#computed)*
        }
    }
}
