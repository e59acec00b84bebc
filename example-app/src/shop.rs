//! Hand-written root fields beside the generated ones, merged into the query root by
//! `query_root!(…, custom = [ShopQuery])`: they answer with the generated types through
//! `gqlgen_runtime::resolver`, so filters, ordering, paging, row scopes and batched relations
//! work as on the generated fields, over a query of their own.

use async_graphql::{Context, Object};
use gqlgen_runtime::GraphQLModel;
use gqlgen_runtime::resolver::{self, Connection, PageArgs};
use sea_orm::sea_query::{Expr, ExprTrait, Func, Query, SubQueryStatement};
use sea_orm::{ColumnTrait, EntityTrait, Order, QueryFilter, QueryOrder, QuerySelect, QueryTrait};

use crate::entities::{product, review};

type ProductFilter = <product::Model as GraphQLModel>::Filter;
type ProductOrderBy = <product::Model as GraphQLModel>::OrderBy;

/// The example app's own root fields.
#[derive(Default)]
pub struct ShopQuery;

#[Object]
impl ShopQuery {
    /// Reviewed products, best average rating first (ties: `orderBy`, then the id).
    async fn top_rated_products(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<ProductFilter>,
        order_by: Option<Vec<ProductOrderBy>>,
    ) -> async_graphql::Result<Connection<product::Model>> {
        let average = Query::select()
            .expr(Func::avg(Expr::col((
                review::Entity,
                review::Column::Rating,
            ))))
            .from(review::Entity)
            .and_where(
                Expr::col((review::Entity, review::Column::ProductId))
                    .equals((product::Entity, product::Column::Id)),
            )
            .to_owned();
        let reviewed = review::Entity::find()
            .select_only()
            .column(review::Column::ProductId)
            .into_query();
        let base = product::Entity::find()
            .filter(product::Column::Id.in_subquery(reviewed))
            .order_by(
                Expr::SubQuery(None, Box::new(SubQueryStatement::SelectStatement(average))),
                Order::Desc,
            );
        let args = PageArgs {
            first,
            after,
            ..PageArgs::default()
        };
        resolver::connection(ctx, base, args, filter, order_by).await
    }
}
