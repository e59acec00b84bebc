//! Hand-written resolvers beside the generated ones. A field of your own `#[Object]` type,
//! merged into the query root with `query_root!(…, custom = [MyQuery])` (or the mutation root
//! with `mutation_root!`), can answer with the generated types and reuse what a generated field
//! does: [`connection`] pages, filters and orders a base query of your own (the seed's
//! `get_queryset`) within the caller's row scope, and the selection's relations load batched, one
//! statement per relation whatever the page size; [`find_by_id`] finds one row by its global id.
//!
//! ```
//! # mod product { use sea_orm::entity::prelude::*;
//! # #[sea_orm::model] #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, gqlgen_runtime::GraphQLModel)]
//! # #[sea_orm(table_name = "product")] pub struct Model { #[sea_orm(primary_key)] pub id: i32,
//! #   #[graphql(filter(exact, icontains))] pub name: String, pub stock: i32 }
//! # impl ActiveModelBehavior for ActiveModel {} }
//! use gqlgen_runtime::resolver::{self, Connection, PageArgs};
//! use gqlgen_runtime::{Context, GraphQLModel};
//! use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
//!
//! type ProductFilter = <product::Model as GraphQLModel>::Filter;
//!
//! #[derive(Default)]
//! pub struct ShopQuery;
//!
//! #[async_graphql::Object]
//! impl ShopQuery {
//!     /// Products running out, fewest in stock first.
//!     async fn low_stock(
//!         &self,
//!         ctx: &Context<'_>,
//!         first: Option<i32>,
//!         after: Option<String>,
//!         filter: Option<ProductFilter>,
//!     ) -> async_graphql::Result<Connection<product::Model>> {
//!         let base = product::Entity::find()
//!             .filter(product::Column::Stock.lt(5))
//!             .order_by_asc(product::Column::Stock);
//!         let args = PageArgs { first, after, ..PageArgs::default() };
//!         resolver::connection(ctx, base, args, filter, None).await
//!     }
//! }
//!
//! gqlgen_runtime::query_root!(pub Query { product::Model }, custom = [ShopQuery]);
//!
//! # fn main() {
//! let sdl = gqlgen_runtime::schema::build::<Query>(Default::default(), gqlgen_runtime::Config::development()).sdl();
//! assert!(sdl.contains("lowStock(first: Int, after: String, filter: ProductFilter): ProductConnection!"), "{sdl}");
//! # }
//! ```

use std::str::FromStr;

use async_graphql::{Context, ID};
use sea_orm::{EntityTrait, PrimaryKeyTrait, Select};

pub use crate::connection::{Connection, PageArgs};
use crate::model::GraphQLModel;
use crate::plan::Fields;

/// A connection over the rows of `M` that `base` selects, as a generated list field answers:
/// `base`'s conditions and order come first, then the caller's row scope, `filter`, `order_by`
/// and the primary key as the last tiebreak; the window comes from `args`, with the same checks
/// (`max_page_size`, cursors). Cursors carry the field's name, so a cursor of another field is
/// refused.
pub async fn connection<M: GraphQLModel>(
    ctx: &Context<'_>,
    base: Select<M::Entity>,
    args: PageArgs,
    filter: Option<M::Filter>,
    order_by: Option<Vec<M::OrderBy>>,
) -> async_graphql::Result<Connection<M>> {
    let field = ctx.field().name();
    crate::connection::over(ctx, base, field, args, filter, order_by)
}

/// The row of `M` whose global id is `id`, within the caller's row scope, or `None`; an id of
/// another type is `BAD_USER_INPUT`.
pub async fn find_by_id<M>(ctx: &Context<'_>, id: &ID) -> async_graphql::Result<Option<M>>
where
    M: Fields,
    <<M::Entity as EntityTrait>::PrimaryKey as PrimaryKeyTrait>::ValueType:
        FromStr + std::fmt::Display,
{
    crate::query::find_by_id::<M>(ctx, id).await
}
