//! The filter input `XFilter`: one field per lookup in the seed's naming (`name`,
//! `name_Icontains`, `price_Range`), plus `and` / `or` / `not`, and its translation into one
//! condition through the runtime's `Where` builder.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{ASYNC_GRAPHQL, private};
use crate::model::Model;
use crate::names;
use crate::types::{Kind, Lookup, RelationKind};

pub fn emit(model: &Model) -> TokenStream {
    let p = private();
    let filter = format_ident!("{}Filter", model.gql_name);
    let filter_name = filter.to_string();
    // The key's exact lookup: how a to-many relation's filter names its ids (`tags`, `tags_In`).
    let key_field = model
        .columns
        .iter()
        .find(|c| c.primary_key)
        .map_or("id".to_owned(), |c| c.filter_field(Lookup::Exact));
    let doc = format!(
        "Selects `{}` rows; every field set must hold.",
        model.gql_name
    );
    let mut fields = Vec::new();
    let mut calls = Vec::new();
    for column in &model.columns {
        let variant = &column.variant;
        let key_type = &column.key_type;
        let id_type = super::id_type_name(model, column);
        for &lookup in &column.lookups {
            let rust = format_ident!("{}_{}", column.ident, lookup.name());
            let name = column.filter_field(lookup);
            let lookup_variant = format_ident!("{}", lookup.variant());
            let value = match (column.kind, lookup) {
                (_, Lookup::Isnull) => quote!(bool),
                (Kind::Id, _) => quote!(#p::async_graphql::ID),
                (Kind::Text, _) => quote!(::std::string::String),
                _ => quote!(#key_type),
            };
            let ty = match lookup {
                Lookup::In | Lookup::Range => {
                    quote!(::std::option::Option<::std::vec::Vec<#value>>)
                }
                _ => quote!(::std::option::Option<#value>),
            };
            let call = match (column.kind, lookup) {
                (_, Lookup::Isnull) => quote!(w.isnull(Column::#variant, #name, &self.#rust)),
                (Kind::Id, Lookup::Exact) => {
                    quote!(w.id::<_, #key_type>(Column::#variant, #id_type, #name, &self.#rust))
                }
                (Kind::Id, Lookup::In) => {
                    quote!(w.id_in::<_, #key_type>(Column::#variant, #id_type, #name, &self.#rust))
                }
                (_, Lookup::In) => quote!(w.one_of(Column::#variant, #name, &self.#rust)),
                (_, Lookup::Range) => quote!(w.range(Column::#variant, #name, &self.#rust)),
                (_, Lookup::Exact | Lookup::Gt | Lookup::Gte | Lookup::Lt | Lookup::Lte) => {
                    quote!(w.compare(Column::#variant, #name, #p::Lookup::#lookup_variant, &self.#rust))
                }
                _ => {
                    quote!(w.text(Column::#variant, #name, #p::Lookup::#lookup_variant, &self.#rust))
                }
            };
            fields.push(quote! {
                #[graphql(name = #name)]
                pub #rust: #ty,
            });
            let call = match &column.permission {
                Some(codename) => quote! {
                    if self.#rust.is_some() {
                        w.require(#name, #codename);
                    }
                    #call
                },
                None => call,
            };
            calls.push(call);
        }
    }
    let lookups = format_ident!("{}Lookups", model.gql_name);
    let lookups_name = lookups.to_string();
    let lookups_doc = format!(
        "The column lookups of `{}`; `{filter_name}` embeds them.",
        model.gql_name
    );
    let related = model.relations.iter().filter(|r| r.filter).map(|r| {
        let field = format_ident!("__related_{}", r.ident);
        let prefix = format_ident!(
            "__{}{}FilterPrefix",
            model.gql_name,
            names::pascal(&r.ident.to_string())
        );
        let prefix_text = &r.gql_name;
        let type_name = format!(
            "{}{}RelatedFilter",
            model.gql_name,
            names::pascal(&r.ident.to_string())
        );
        let target = &r.target;
        let to_many = r.kind == RelationKind::HasMany;
        let spec = super::relation_spec(r);
        let related =
            quote!(<<#target as #p::sea_orm::EntityTrait>::Model as #p::GraphQLModel>::Lookups);
        (
            quote! {
                #[doc(hidden)]
                pub struct #prefix;
                impl #p::FilterPrefix for #prefix {
                    const PREFIX: &'static str = #prefix_text;
                    const TYPE_NAME: &'static str = #type_name;
                    const TO_MANY: bool = #to_many;
                }
            },
            quote! {
                #[graphql(flatten)]
                #[doc(hidden)]
                pub #field: #p::RelatedFilter<#related, #prefix>,
            },
            quote!(w.related(#spec, &self.#field, #p::permission::relation_scope::<<#target as #p::sea_orm::EntityTrait>::Model>);),
        )
    });
    let (prefixes, (related_fields, related_calls)): (Vec<_>, (Vec<_>, Vec<_>)) =
        related.map(|(a, b, c)| (a, (b, c))).unzip();
    quote! {
        #[doc = #lookups_doc]
        #[derive(::std::default::Default, #p::async_graphql::InputObject)]
        #[graphql(crate = #ASYNC_GRAPHQL, name = #lookups_name)]
        pub struct #lookups {
            #(#fields)*
        }

        impl #p::FilterInput for #lookups {
            type Entity = Entity;
            const KEY_FIELD: &'static str = #key_field;
            fn condition(&self, budget: &#p::filter::Budget<'_>) -> ::std::result::Result<#p::sea_orm::Condition, #p::GqlError> {
                let mut w = #p::filter::Where::new(budget);
                #(#calls;)*
                w.finish()
            }
        }

        #(#prefixes)*

        #[doc = #doc]
        #[derive(::std::default::Default, #p::async_graphql::InputObject)]
        #[graphql(crate = #ASYNC_GRAPHQL, name = #filter_name)]
        pub struct #filter {
            #[graphql(flatten)]
            #[doc(hidden)]
            pub lookups: #lookups,
            #(#related_fields)*
            /// Every filter of the list holds.
            #[graphql(name = "and")]
            pub and: ::std::option::Option<::std::vec::Vec<#filter>>,
            /// At least one filter of the list holds.
            #[graphql(name = "or")]
            pub or: ::std::option::Option<::std::vec::Vec<#filter>>,
            /// The filter does not hold.
            #[graphql(name = "not")]
            pub not: ::std::option::Option<::std::boxed::Box<#filter>>,
        }

        impl #p::FilterInput for #filter {
            type Entity = Entity;
            fn condition(&self, budget: &#p::filter::Budget<'_>) -> ::std::result::Result<#p::sea_orm::Condition, #p::GqlError> {
                let mut w = #p::filter::Where::new(budget);
                w.lookups(&self.lookups);
                #(#related_calls)*
                w.and(&self.and);
                w.or(&self.or);
                w.not(&self.not);
                w.finish()
            }
        }
    }
}
