//! `subscriptions(created, updated, deleted)`: the fields `productCreated(filter)`,
//! `productUpdated(filter)` (rows) and `productDeleted(filter)` (ids), each a stream the runtime's
//! `subscription` module serves, and the `GraphQLSubscriptions` impl `subscription_root!` names.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{ASYNC_GRAPHQL, private};
use crate::model::Model;

pub fn emit(model: &Model) -> TokenStream {
    let events = model.subscriptions;
    if !events.any() {
        return TokenStream::new();
    }
    let p = private();
    let ident = &model.ident;
    let subscription = format_ident!("{}Subscription", model.gql_name);
    let subscription_name = subscription.to_string();
    let filter = format_ident!("{}Filter", model.gql_name);
    let detail = &model.detail_name;
    let gql_name = &model.gql_name;
    let mut fields = Vec::new();
    for (on, change, event) in [
        (events.created, quote!(Created), "Created"),
        (events.updated, quote!(Updated), "Updated"),
    ] {
        if !on {
            continue;
        }
        let name = format!("{detail}{event}");
        let method = format_ident!("__gqlgen_{}", event.to_lowercase());
        let doc = format!(
            "Each `{gql_name}` {} from now on that you may see and `filter` selects.",
            event.to_lowercase()
        );
        fields.push(quote! {
            #[doc = #doc]
            #[graphql(name = #name)]
            async fn #method(
                &self,
                ctx: &#p::async_graphql::Context<'_>,
                filter: ::std::option::Option<#filter>,
            ) -> #p::async_graphql::Result<impl #p::futures_util::Stream<Item = #p::async_graphql::Result<#ident>> + use<>> {
                #p::subscription::rows::<#ident>(ctx, #p::events::Change::#change, filter)
            }
        });
    }
    if events.deleted {
        let name = format!("{detail}Deleted");
        let doc = format!(
            "The id of each `{gql_name}` deleted from now on that you could see and `filter` \
             selected, as it was before it was deleted."
        );
        fields.push(quote! {
            #[doc = #doc]
            #[graphql(name = #name)]
            async fn __gqlgen_deleted(
                &self,
                ctx: &#p::async_graphql::Context<'_>,
                filter: ::std::option::Option<#filter>,
            ) -> #p::async_graphql::Result<impl #p::futures_util::Stream<Item = #p::async_graphql::Result<#p::async_graphql::ID>> + use<>> {
                #p::subscription::deleted::<#ident>(ctx, filter)
            }
        });
    }
    quote! {
        /// The subscription fields of this model, merged into the subscription root by
        /// `subscription_root!`.
        #[derive(::std::default::Default)]
        pub struct #subscription;

        #[doc(hidden)]
        const _: () = {
            #[#p::async_graphql::Subscription(crate = #ASYNC_GRAPHQL, name = #subscription_name)]
            impl #subscription {
                #(#fields)*
            }

            impl #p::GraphQLSubscriptions for #ident {
                type Subscription = #subscription;
            }
        };
    }
}
