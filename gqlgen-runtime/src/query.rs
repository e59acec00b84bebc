//! Root detail fields: `product(id: ID!)` finds one row by its primary key, within the caller's
//! row scope; `me` finds the caller's own user row the same way.

use std::borrow::Cow;
use std::marker::PhantomData;
use std::str::FromStr;

use async_graphql::{Context, ID, Object, OutputType, TypeName};
use sea_orm::{ConnectionTrait, EntityTrait, IdenStatic, PrimaryKeyTrait, QueryFilter, QueryTrait};

use crate::permission::Action;

use crate::connection::database;
use crate::error::GqlError;
use crate::model::Placeholder;
use crate::plan::Fields;

type KeyOf<M> = <<<M as crate::model::GraphQLModel>::Entity as EntityTrait>::PrimaryKey as PrimaryKeyTrait>::ValueType;

/// The row whose global id is `id`, or `null`; an id of another type is `BAD_USER_INPUT`.
pub async fn find_by_id<M>(ctx: &Context<'_>, id: &ID) -> async_graphql::Result<Option<M>>
where
    M: Fields,
    KeyOf<M>: FromStr + std::fmt::Display,
{
    let key: KeyOf<M> = crate::global_id::decode(M::TYPE_NAME, "id", id)?;
    find_by_key::<M>(ctx, key).await
}

/// The row whose primary key is `key`, or `null`.
async fn find_by_key<M: Fields>(
    ctx: &Context<'_>,
    key: KeyOf<M>,
) -> async_graphql::Result<Option<M>> {
    let db = database(ctx)?;
    let caller = crate::auth::Caller::of(ctx);
    let look = ctx.look_ahead();
    let reads_all = M::COMPUTED.iter().any(|field| look.field(field).exists());
    let select = M::Entity::find_by_id(key);
    // Keys are read whatever the selection: relation fields under the row match on them, and
    // a guarded field checks the owner.
    let (mut select, columns) = crate::fetch::prune::<M>(select, reads_all, |info| {
        info.placeholder == Placeholder::Key
            || info.field.is_some_and(|field| look.field(field).exists())
            || M::owner().is_column(info.column.as_str())
    });
    // A row outside the caller's scope is `null`, like a missing one: no hint that it exists.
    if let Some(scope) = crate::permission::authorize::<M>(caller, Action::Read)? {
        select = select.filter(scope);
    }
    let row = db
        .query_one(&select.into_query())
        .await
        .map_err(GqlError::from)?;
    Ok(row
        .map(|row| M::from_row(&row, &columns))
        .transpose()
        .map_err(GqlError::from)?)
}

/// The `me` root field, merged into the query root by `query_root!(..., me = user::Model)`:
/// the caller's row of the app's user model, within that model's row scope as every read is,
/// or `null` when the request carries no token.
pub struct MeQuery<U>(PhantomData<fn() -> U>);

impl<U> Default for MeQuery<U> {
    fn default() -> Self {
        MeQuery(PhantomData)
    }
}

impl<U> TypeName for MeQuery<U> {
    fn type_name() -> Cow<'static, str> {
        Cow::Borrowed("MeQuery")
    }
}

#[Object(name_type)]
impl<U> MeQuery<U>
where
    U: Fields + OutputType,
    <<U::Entity as EntityTrait>::PrimaryKey as PrimaryKeyTrait>::ValueType: FromStr,
{
    /// The logged-in user, or null when the request carries no token.
    #[graphql(cache_control(private))]
    async fn me(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<U>> {
        match crate::auth::Caller::of(ctx).user() {
            // The token holds the raw key, which parses unless the user model changed type.
            Some(user) => match user.id.parse::<KeyOf<U>>().ok() {
                Some(key) => find_by_key::<U>(ctx, key).await,
                None => Ok(None),
            },
            None => Ok(None),
        }
    }
}
