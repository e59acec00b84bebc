//! Root detail fields: `product(id: ID!)` finds one row by its primary key.

use std::str::FromStr;

use async_graphql::{Context, ID};
use sea_orm::{EntityTrait, PrimaryKeyTrait};

use crate::connection::database;
use crate::error::GqlError;
use crate::filter::parse_id;
use crate::model::GraphQLModel;

/// The row whose primary key is `id`, or `null`.
pub async fn find_by_id<M>(ctx: &Context<'_>, id: &ID) -> async_graphql::Result<Option<M>>
where
    M: GraphQLModel,
    <<M::Entity as EntityTrait>::PrimaryKey as PrimaryKeyTrait>::ValueType: FromStr,
{
    let key: <<M::Entity as EntityTrait>::PrimaryKey as PrimaryKeyTrait>::ValueType =
        parse_id("id", id)?;
    let db = database(ctx)?;
    let select = crate::loader::prune::<M>(M::Entity::find_by_id(key), &ctx.look_ahead());
    Ok(select.one(db).await.map_err(GqlError::from)?)
}
