//! The root fields `x(id: ID!)` and `xs(first, after, last, before, filter, orderBy)`, and the
//! `GraphQLModel` impl tying the generated types together. The connection type itself is the
//! runtime's generic `Connection<Model>`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use super::{ASYNC_GRAPHQL, private};
use crate::model::{IdOf, Model, Owner, Placeholder};
use crate::types::{Kind, option_inner};

pub fn emit(model: &Model) -> TokenStream {
    let p = private();
    let ident = &model.ident;
    let gql_name = &model.gql_name;
    let query = format_ident!("{}Query", model.gql_name);
    let query_name = query.to_string();
    let filter = format_ident!("{}Filter", model.gql_name);
    let order = format_ident!("{}OrderBy", model.gql_name);
    let lookups = format_ident!("{}Lookups", model.gql_name);
    let detail = &model.detail_name;
    let list = &model.list_name;
    let columns = model.all_columns.iter().map(|c| {
        let variant = &c.variant;
        let field = match &c.field {
            Some(name) => quote!(::std::option::Option::Some(#name)),
            None => quote!(::std::option::Option::None),
        };
        let placeholder = match c.placeholder {
            Placeholder::Never => quote!(Never),
            Placeholder::Skip => quote!(Skip),
            Placeholder::Key => quote!(Key),
        };
        quote!(#p::model::ColumnInfo { column: Column::#variant, field: #field, placeholder: #p::model::Placeholder::#placeholder })
    });
    let computed = model.computed.iter().map(|c| &c.gql_name);
    let aggregates = aggregate_columns(model);
    let cache = model.cache.as_ref().map(|cache| {
        let ttl = match cache.ttl {
            Some(ttl) => quote!(::std::option::Option::Some(#ttl)),
            None => quote!(::std::option::Option::None),
        };
        let vary_on_user = cache.vary_on_user;
        quote! {
            const CACHE: ::std::option::Option<#p::model::CachePolicy> =
                ::std::option::Option::Some(#p::model::CachePolicy { ttl: #ttl, vary_on_user: #vary_on_user });
        }
    });
    let primary_key = model
        .all_columns
        .iter()
        .find(|c| c.primary_key)
        .map(|c| c.ident.to_string())
        .unwrap_or_default();
    // A foreign key is the related row's global id: its relation must read that row's key.
    let key_checks = model.columns.iter().filter_map(|c| {
        let to = c.references_column.as_ref()?;
        if !matches!(c.id_of, Some(IdOf::Related(_))) {
            return None;
        }
        let related = super::id_model(model, c);
        // The call carries the span of `to`, where the build fails.
        let check = quote_spanned! {to.span()=>
            check(<#related as #p::GraphQLModel>::PRIMARY_KEY, #to)
        };
        Some(quote! {
            const _: () = {
                use #p::model::assert_references_primary_key as check;
                #check
            };
        })
    });
    // Each permission coerces to `&dyn Permission` at its own span, so a type that does not
    // implement the trait is reported at the user's attribute.
    let permissions = match &model.permissions {
        Some(list) => {
            let items = list
                .iter()
                .map(|expr| quote_spanned!(expr.span()=> &#expr as &'static dyn #p::Permission));
            quote!(&[#(#items),*])
        }
        None => quote!(#p::permission::DEFAULT_PERMISSIONS),
    };
    let owner = match &model.owner {
        Some(Owner::Column(variant)) => quote!(#p::model::Owner::Column(Column::#variant)),
        Some(Owner::Through { key, target }) => quote! {
            #p::model::Owner::Through {
                key: Column::#key,
                parents: #p::permission::owned_keys::<<#target as #p::sea_orm::EntityTrait>::Model>,
            }
        },
        None => quote!(#p::model::Owner::Nobody),
    };
    let detail_doc = format!("The `{gql_name}` with this id, or null.");
    let list_doc = format!("`{gql_name}` rows, filtered, ordered and paginated.");
    quote! {
        /// The root fields of this model, merged into the query root by `query_root!`.
        #[derive(::std::default::Default)]
        pub struct #query;

        #[doc(hidden)]
        const _: () = {
            #[#p::async_graphql::Object(crate = #ASYNC_GRAPHQL, name = #query_name)]
            impl #query {
                #[doc = #detail_doc]
                #[graphql(name = #detail)]
                async fn __gqlgen_detail(
                    &self,
                    ctx: &#p::async_graphql::Context<'_>,
                    id: #p::async_graphql::ID,
                ) -> #p::async_graphql::Result<::std::option::Option<#ident>> {
                    #p::query::find_by_id::<#ident>(ctx, &id).await
                }

                #[doc = #list_doc]
                #[graphql(name = #list)]
                #[allow(clippy::too_many_arguments)]
                async fn __gqlgen_list(
                    &self,
                    ctx: &#p::async_graphql::Context<'_>,
                    first: ::std::option::Option<i32>,
                    after: ::std::option::Option<::std::string::String>,
                    last: ::std::option::Option<i32>,
                    before: ::std::option::Option<::std::string::String>,
                    filter: ::std::option::Option<#filter>,
                    #[graphql(name = "orderBy")] order_by: ::std::option::Option<::std::vec::Vec<#order>>,
                ) -> #p::async_graphql::Result<#p::Connection<#ident>> {
                    let args = #p::PageArgs { first, after, last, before };
                    #p::connection::resolve::<#ident>(ctx, args, filter, order_by).await
                }
            }

            #(#key_checks)*

            impl #p::GraphQLModel for #ident {
                type Entity = Entity;
                type Filter = #filter;
                type Lookups = #lookups;
                type OrderBy = #order;
                type Query = #query;
                const TYPE_NAME: &'static str = #gql_name;
                const PRIMARY_KEY: &'static str = #primary_key;
                const COLUMNS: &'static [#p::model::ColumnInfo<Column>] = &[#(#columns),*];
                const COMPUTED: &'static [&'static str] = &[#(#computed),*];
                const PERMISSIONS: &'static [&'static dyn #p::Permission] = #permissions;
                const AGGREGATES: &'static [#p::model::AggregateColumn<Column>] = &[#(#aggregates),*];
                #cache
                fn owner() -> #p::model::Owner<Entity> {
                    #owner
                }
            }
        };
    }
}

/// The columns `aggregate` offers: numbers and dates every caller may read (a guarded column's
/// sum would tell what the guard hides).
fn aggregate_columns(model: &Model) -> impl Iterator<Item = TokenStream> + '_ {
    let p = private();
    model
        .columns
        .iter()
        .filter(|c| c.permission.is_none())
        .filter_map(move |c| {
            let kind = match c.kind {
                Kind::Int => quote!(Int),
                Kind::Float => quote!(Float),
                Kind::Decimal => quote!(Decimal),
                Kind::Temporal => quote!(Temporal),
                _ => return None,
            };
            let variant = &c.variant;
            let name = &c.gql_name;
            let ty = option_inner(&c.ty).unwrap_or(&c.ty);
            let scale = match c.decimal_scale {
                Some(scale) => quote!(::std::option::Option::Some(#scale)),
                None => quote!(::std::option::Option::None),
            };
            Some(quote_spanned! {ty.span()=>
                #p::model::AggregateColumn {
                    column: Column::#variant,
                    field: #name,
                    kind: #p::model::AggregateKind::#kind,
                    type_name: <#ty as #p::async_graphql::OutputType>::type_name,
                    bound: #p::aggregate::bound::<#ty>,
                    scale: #scale,
                }
            })
        })
}
