//! The derive of gqlgen. Each entry point parses with darling receivers ([`attr`]), builds a
//! checked model of the entity ([`model`], [`check`]: every error collected at once, each at the
//! user's span) and emits one artifact per module of [`emit`]. Generated code is declarations
//! plus calls into `gqlgen_runtime`, which it reaches only through `::gqlgen_runtime::__private`
//! (or the path `#[graphql(crate = "...")]` gives).

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

mod attr;
mod check;
mod emit;
mod model;
mod names;
mod types;

/// See `gqlgen_runtime::GraphQLModel` and docs/attributes.md.
#[proc_macro_derive(GraphQLModel, attributes(graphql))]
pub fn derive_graphql_model(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    emit::graphql_model(&input).into()
}

/// See `gqlgen_runtime::GraphQLEnum` and docs/attributes.md.
#[proc_macro_derive(GraphQLEnum, attributes(graphql))]
pub fn derive_graphql_enum(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    emit::graphql_enum(&input).into()
}
