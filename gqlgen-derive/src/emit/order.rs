//! The ordering input `XOrderBy`: one optional direction per orderable column.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{ASYNC_GRAPHQL, private};
use crate::model::Model;

pub fn emit(model: &Model) -> TokenStream {
    let p = private();
    let order = format_ident!("{}OrderBy", model.gql_name);
    let order_name = order.to_string();
    let doc = format!(
        "One sort key of `{}`: set exactly one field. The id breaks ties.",
        model.gql_name
    );
    let columns: Vec<_> = model.columns.iter().filter(|c| c.order).collect();
    let fields = columns.iter().map(|c| {
        let ident = &c.ident;
        let name = &c.gql_name;
        quote! {
            #[graphql(name = #name)]
            pub #ident: ::std::option::Option<#p::OrderDirection>,
        }
    });
    let pushes = columns.iter().map(|c| {
        let ident = &c.ident;
        let variant = &c.variant;
        match &c.permission {
            Some(codename) => {
                let name = &c.gql_name;
                quote!(keys.push_guarded(Column::#variant, self.#ident, #name, #codename);)
            }
            None => quote!(keys.push(Column::#variant, self.#ident);),
        }
    });
    quote! {
        #[doc = #doc]
        #[derive(::std::default::Default, #p::async_graphql::InputObject)]
        #[graphql(crate = #ASYNC_GRAPHQL, name = #order_name)]
        pub struct #order {
            #(#fields)*
        }

        impl #p::OrderInput for #order {
            type Entity = Entity;
            fn push_keys(&self, keys: &mut #p::order::OrderKeys<Column>) {
                #(#pushes)*
            }
        }
    }
}
