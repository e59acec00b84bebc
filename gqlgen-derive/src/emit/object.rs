//! The object type, in three parts:
//! - `Shape`, an enum without values whose `#[Object]` impl declares the type to async-graphql
//!   (field names, arguments, descriptions): its resolvers cannot run;
//! - the model's `OutputType`, which registers `Shape`'s type and renders a row through the
//!   runtime's read planner;
//! - the model's `Fields` table: per field, how to read it (a column, a computed method, a
//!   relation planned by the runtime's generic `plan::relation`).

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
    let never = quote!(match *self {});
    let columns = model.columns.iter().map(|c| {
        let method = format_ident!("__gqlgen_{}", c.ident);
        let name = &c.gql_name;
        let field_doc = doc(&c.description);
        let ty = &c.ty;
        let ret = match (c.kind, c.nullable) {
            (Kind::Id, false) => quote!(#p::async_graphql::ID),
            (Kind::Id, true) => quote!(::std::option::Option<#p::async_graphql::ID>),
            _ => quote_spanned!(ty.span()=> #ty),
        };
        // Denied, a guarded field is `null`: it is nullable whatever its column.
        let ret = if c.permission.is_some() && !c.nullable {
            quote!(::std::option::Option<#ret>)
        } else {
            ret
        };
        // What a guarded field answers depends on the caller: a cached answer holding it is
        // the caller's own.
        let private = c
            .permission
            .is_some()
            .then(|| quote!(, cache_control(private)));
        quote! {
            #field_doc
            #[graphql(name = #name #private)]
            async fn #method(&self) -> #ret { #never }
        }
    });
    let computed = model.computed.iter().map(|c| {
        let method = format_ident!("__gqlgen_computed_{}", c.ident);
        let name = &c.gql_name;
        let ty = &c.ty;
        quote! {
            #[graphql(name = #name)]
            async fn #method(&self) -> #ty { #never }
        }
    });
    let relations = model.relations.iter().map(relation_shape);
    let fields = field_table(model);
    quote! {
        pub enum Shape {}

        #type_doc
        #[#p::async_graphql::Object(crate = #ASYNC_GRAPHQL, name = #gql_name)]
        impl Shape {
            #(#columns)*
            #(#computed)*
            #(#relations)*
        }

        impl #p::async_graphql::OutputType for #ident {
            fn type_name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(#gql_name)
            }

            fn create_type_info(registry: &mut #p::async_graphql::registry::Registry) -> ::std::string::String {
                let name = <Shape as #p::async_graphql::OutputType>::create_type_info(registry);
                #p::cache::annotate::<Self>(registry, &name);
                name
            }

            async fn resolve(
                &self,
                ctx: &#p::async_graphql::ContextSelectionSet<'_>,
                field: &#p::async_graphql::Positioned<#p::async_graphql::parser::types::Field>,
            ) -> #p::async_graphql::ServerResult<#p::async_graphql::Value> {
                #p::render::object::<Self>(self, ctx, field).await
            }
        }

        #fields
    }
}

/// A relation field of `Shape`: its arguments and type, for the schema.
fn relation_shape(relation: &Relation) -> TokenStream {
    let p = private();
    let method = format_ident!("__gqlgen_rel_{}", relation.ident);
    let name = &relation.gql_name;
    let field_doc = doc(&relation.description);
    let target = &relation.target;
    let related = quote_spanned!(target.span()=> <#target as #p::sea_orm::EntityTrait>::Model);
    let g = quote!(#p::GraphQLModel);
    let never = quote!(match *self {});
    match (relation.kind, relation.list) {
        (RelationKind::BelongsTo | RelationKind::HasOne, _) => quote! {
            #field_doc
            #[graphql(name = #name)]
            async fn #method(&self) -> ::std::option::Option<#related> { #never }
        },
        (RelationKind::HasMany, true) => quote! {
            #field_doc
            #[graphql(name = #name)]
            async fn #method(
                &self,
                filter: ::std::option::Option<<#related as #g>::Filter>,
                #[graphql(name = "orderBy")] order_by: ::std::option::Option<::std::vec::Vec<<#related as #g>::OrderBy>>,
            ) -> ::std::vec::Vec<#related> { #never }
        },
        (RelationKind::HasMany, false) => quote! {
            #field_doc
            #[graphql(name = #name)]
            #[allow(clippy::too_many_arguments)]
            async fn #method(
                &self,
                first: ::std::option::Option<i32>,
                after: ::std::option::Option<::std::string::String>,
                last: ::std::option::Option<i32>,
                before: ::std::option::Option<::std::string::String>,
                filter: ::std::option::Option<<#related as #g>::Filter>,
                #[graphql(name = "orderBy")] order_by: ::std::option::Option<::std::vec::Vec<<#related as #g>::OrderBy>>,
            ) -> #p::Connection<#related> { #never }
        },
    }
}

/// `impl Fields`: how the planner reads each field.
fn field_table(model: &Model) -> TokenStream {
    let p = private();
    let ident = &model.ident;
    let columns = model.columns.iter().map(|c| {
        let field = &c.ident;
        let name = &c.gql_name;
        let ty = &c.ty;
        let id_type = super::id_type_name(model, c);
        let read = match (c.kind, c.nullable) {
            (Kind::Id, false) => quote!(#p::render::id(#id_type, &row.#field, out)),
            (Kind::Id, true) => quote!(#p::render::optional_id(#id_type, &row.#field, out)),
            (Kind::Decimal, _) if c.decimal_scale.is_some() => {
                let scale = c.decimal_scale;
                quote_spanned!(ty.span()=> #p::render::decimal(&row.#field, #scale, out))
            }
            _ => quote_spanned!(ty.span()=> #p::render::column::<#ty>(&row.#field, ctx, field, out)),
        };
        let permission = match &c.permission {
            Some(codename) => quote!(::std::option::Option::Some(#codename)),
            None => quote!(::std::option::Option::None),
        };
        quote! {
            #p::FieldInfo {
                name: #name,
                kind: #p::FieldKind::Column { read: |row: &#ident, ctx, field, out| #read, permission: #permission },
            }
        }
    });
    let computed = model.computed.iter().map(|c| {
        let user_method = &c.ident;
        let name = &c.gql_name;
        let ty = &c.ty;
        let call = quote_spanned!(c.ident.span()=> #ident::#user_method(row, ctx).await.map_err(#p::ensure_code));
        quote! {
            #p::FieldInfo {
                name: #name,
                kind: #p::FieldKind::Computed {
                    resolve: |row, ctx| ::std::boxed::Box::pin(async move {
                        #p::render::computed::<#ty>(ctx, #call).await
                    }),
                    type_name: <#ty as #p::async_graphql::OutputType>::qualified_type_name,
                },
            }
        }
    });
    let relations = model.relations.iter().map(|r| {
        let name = &r.gql_name;
        let target = &r.target;
        let related = quote_spanned!(target.span()=> <#target as #p::sea_orm::EntityTrait>::Model);
        let shape = match (r.kind, r.list) {
            (RelationKind::BelongsTo | RelationKind::HasOne, _) => quote!(One),
            (RelationKind::HasMany, true) => quote!(List),
            (RelationKind::HasMany, false) => quote!(Connection),
        };
        let spec = super::relation_spec(r);
        quote! {
            #p::FieldInfo {
                name: #name,
                kind: #p::FieldKind::Relation {
                    shape: #p::RelationShape::#shape,
                    spec: || #spec,
                    plan: #p::plan::relation::<#ident, #related>,
                },
            }
        }
    });
    // Rows are read by position, the columns in `COLUMNS` order as `fetch::prune` selects them;
    // a column it leaves out is the field's default.
    let read = model.all_columns.iter().enumerate().map(|(index, c)| {
        let field = &c.ident;
        if matches!(
            c.placeholder,
            crate::model::Placeholder::Skip | crate::model::Placeholder::Key
        ) {
            quote!(#field: columns.read_or_default(row, #index, &mut at)?)
        } else {
            quote!(#field: columns.read(row, &mut at)?)
        }
    });
    let ignored = &model.ignored;
    quote! {
        impl #p::Fields for #ident {
            const FIELDS: &'static [#p::FieldInfo<Self>] = &[#(#columns,)* #(#computed,)* #(#relations,)*];
            fn from_row(
                row: &#p::sea_orm::QueryResult,
                columns: &#p::model::SelectedColumns,
            ) -> ::std::result::Result<Self, #p::sea_orm::DbErr> {
                let mut at = columns.start();
                ::std::result::Result::Ok(Self {
                    #(#read,)*
                    #(#ignored: ::std::default::Default::default(),)*
                })
            }
        }
    }
}
