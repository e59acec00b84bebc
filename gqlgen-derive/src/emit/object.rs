//! The object type: one resolver per exposed column and computed field, named `__gqlgen_*` so
//! they cannot clash with the model's own methods (computed fields call those).

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use super::{ASYNC_GRAPHQL, doc, private};
use crate::model::{Model, Relation};
use crate::types::Kind;
use crate::types::RelationKind;

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
        match &c.permission {
            // Denied: `null` here and PERMISSION_DENIED at this path; the rest of the row stands.
            Some(codename) => {
                let ret = if c.nullable {
                    ret
                } else {
                    quote!(::std::option::Option<#ret>)
                };
                let (body, denied) = if c.nullable && c.kind == Kind::Id {
                    (body, quote!(::std::option::Option::None))
                } else if c.nullable {
                    (body, quote!(&::std::option::Option::None))
                } else {
                    (
                        quote!(::std::option::Option::Some(#body)),
                        quote!(::std::option::Option::None),
                    )
                };
                quote! {
                    #field_doc
                    #[graphql(name = #name)]
                    async fn #method(&self, ctx: &#p::async_graphql::Context<'_>) -> #ret {
                        if !#p::permission::field_allowed::<#ident>(ctx, self, #name, #codename) {
                            return #denied;
                        }
                        #body
                    }
                }
            }
            None => quote! {
                #field_doc
                #[graphql(name = #name)]
                async fn #method(&self) -> #ret {
                    #body
                }
            },
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
    let relations = model.relations.iter().map(|r| relation(model, r));
    quote! {
        #type_doc
        #[#p::async_graphql::Object(crate = #ASYNC_GRAPHQL, name = #gql_name)]
        impl #ident {
            #(#columns)*
            #(#computed)*
            #(#relations)*
        }
    }
}

/// A relation field: it forwards to the runtime's batched loader with the relation's spec.
fn relation(model: &Model, relation: &Relation) -> TokenStream {
    let p = private();
    let ident = &model.ident;
    let method = format_ident!("__gqlgen_rel_{}", relation.ident);
    let name = &relation.gql_name;
    let field_doc = doc(&relation.description);
    let target = &relation.target;
    let related = quote_spanned!(target.span()=> <#target as #p::sea_orm::EntityTrait>::Model);
    let spec = super::relation_spec(relation);
    let g = quote!(#p::GraphQLModel);
    match (relation.kind, relation.list) {
        (RelationKind::BelongsTo | RelationKind::HasOne, _) => quote! {
            #field_doc
            #[graphql(name = #name)]
            async fn #method(
                &self,
                ctx: &#p::async_graphql::Context<'_>,
            ) -> #p::async_graphql::Result<::std::option::Option<#related>> {
                #p::loader::related_one::<#ident, #related>(ctx, self, #spec).await
            }
        },
        (RelationKind::HasMany, true) => quote! {
            #field_doc
            #[graphql(name = #name)]
            async fn #method(
                &self,
                ctx: &#p::async_graphql::Context<'_>,
                filter: ::std::option::Option<<#related as #g>::Filter>,
                #[graphql(name = "orderBy")] order_by: ::std::option::Option<::std::vec::Vec<<#related as #g>::OrderBy>>,
            ) -> #p::async_graphql::Result<::std::vec::Vec<#related>> {
                #p::loader::related_list::<#ident, #related>(ctx, self, #spec, filter, order_by).await
            }
        },
        (RelationKind::HasMany, false) => quote! {
            #field_doc
            #[graphql(name = #name)]
            #[allow(clippy::too_many_arguments)]
            async fn #method(
                &self,
                ctx: &#p::async_graphql::Context<'_>,
                first: ::std::option::Option<i32>,
                after: ::std::option::Option<::std::string::String>,
                last: ::std::option::Option<i32>,
                before: ::std::option::Option<::std::string::String>,
                filter: ::std::option::Option<<#related as #g>::Filter>,
                #[graphql(name = "orderBy")] order_by: ::std::option::Option<::std::vec::Vec<<#related as #g>::OrderBy>>,
            ) -> #p::async_graphql::Result<#p::Connection<#related>> {
                let args = #p::PageArgs { first, after, last, before };
                #p::loader::related_connection::<#ident, #related>(ctx, self, #spec, args, filter, order_by).await
            }
        },
    }
}
