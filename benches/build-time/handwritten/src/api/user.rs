//! `User`: the object, its filter and order inputs and its root fields. Users have no
//! mutations: accounts are managed outside the API, and `passwordHash` and
//! `socialSecurityNumber` are never exposed.

use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect, QueryTrait,
    Select,
};

use super::common::*;
use super::order::{Order, OrderFilter, OrderOrderBy};
use super::product::{Product, ProductFilter, ProductOrderBy};
use super::review::{Review, ReviewFilter, ReviewOrderBy};
use crate::entities::order::OrderStatus;
use crate::entities::{order, product, review, user};

/// A customer or staff account.
pub struct User(pub user::Model);

impl From<user::Model> for User {
    fn from(row: user::Model) -> Self {
        User(row)
    }
}

#[Object]
impl User {
    pub async fn id(&self) -> ID {
        self.0.id.into()
    }

    /// Unique identifier for the user.
    async fn username(&self) -> &str {
        &self.0.username
    }

    /// The user's email address for communication: readable by the user and by holders of
    /// `users.view_user_email`.
    async fn email(&self) -> Option<&str> {
        // Without authentication there is no reader to check; see the crate's documentation.
        Some(&self.0.email)
    }

    /// Staff may manage every row.
    async fn is_staff(&self) -> bool {
        self.0.is_staff
    }

    /// An inactive account cannot sign in.
    async fn is_active(&self) -> bool {
        self.0.is_active
    }

    /// When the account was created.
    async fn date_joined(&self) -> DateTime<Utc> {
        self.0.date_joined
    }

    async fn products(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<ProductFilter>,
        order_by: Option<Vec<ProductOrderBy>>,
    ) -> Result<Page<Product>> {
        let select = product::Entity::find().filter(product::Column::OwnerId.eq(self.0.id));
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        super::product::page(ctx.data()?, select, args, filter, order_by).await
    }

    async fn orders(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<OrderFilter>,
        order_by: Option<Vec<OrderOrderBy>>,
    ) -> Result<Page<Order>> {
        let select = order::Entity::find().filter(order::Column::UserId.eq(self.0.id));
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        super::order::page(ctx.data()?, select, args, filter, order_by).await
    }

    /// The user's reviews, as a plain list.
    async fn reviews(
        &self,
        ctx: &Context<'_>,
        filter: Option<ReviewFilter>,
        order_by: Option<Vec<ReviewOrderBy>>,
    ) -> Result<Vec<Review>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let select = review::Entity::find().filter(review::Column::UserId.eq(self.0.id));
        let select = super::review::filtered(select, filter, order_by)?;
        let rows = select.limit(MAX_LIST_LENGTH as u64).all(db).await?;
        Ok(rows.into_iter().map(Review).collect())
    }
}

/// Selects `User` rows; every field set must hold.
#[derive(InputObject, Clone, Default)]
pub struct UserFilter {
    pub id: Option<ID>,
    #[graphql(name = "id_In")]
    pub id_in: Option<Vec<ID>>,
    pub username: Option<String>,
    #[graphql(name = "username_Iexact")]
    pub username_iexact: Option<String>,
    #[graphql(name = "username_Icontains")]
    pub username_icontains: Option<String>,
    #[graphql(name = "username_Istartswith")]
    pub username_istartswith: Option<String>,
    #[graphql(name = "username_In")]
    pub username_in: Option<Vec<String>>,
    pub email: Option<String>,
    #[graphql(name = "email_Iexact")]
    pub email_iexact: Option<String>,
    #[graphql(name = "email_Icontains")]
    pub email_icontains: Option<String>,
    pub is_staff: Option<bool>,
    pub is_active: Option<bool>,
    #[graphql(name = "dateJoined_Gte")]
    pub date_joined_gte: Option<DateTime<Utc>>,
    #[graphql(name = "dateJoined_Lte")]
    pub date_joined_lte: Option<DateTime<Utc>>,
    #[graphql(name = "dateJoined_Range")]
    pub date_joined_range: Option<Vec<DateTime<Utc>>>,
    pub orders: Option<ID>,
    #[graphql(name = "orders_In")]
    pub orders_in: Option<Vec<ID>>,
    #[graphql(name = "orders_User")]
    pub orders_user: Option<ID>,
    #[graphql(name = "orders_User_In")]
    pub orders_user_in: Option<Vec<ID>>,
    #[graphql(name = "orders_Status")]
    pub orders_status: Option<OrderStatus>,
    #[graphql(name = "orders_Status_In")]
    pub orders_status_in: Option<Vec<OrderStatus>>,
    #[graphql(name = "orders_Note_Icontains")]
    pub orders_note_icontains: Option<String>,
    #[graphql(name = "orders_Note_Isnull")]
    pub orders_note_isnull: Option<bool>,
    #[graphql(name = "orders_CreatedAt_Gte")]
    pub orders_created_at_gte: Option<DateTime<Utc>>,
    #[graphql(name = "orders_CreatedAt_Lte")]
    pub orders_created_at_lte: Option<DateTime<Utc>>,
    #[graphql(name = "orders_CreatedAt_Range")]
    pub orders_created_at_range: Option<Vec<DateTime<Utc>>>,
    /// Every filter of the list holds.
    pub and: Option<Vec<UserFilter>>,
    /// At least one filter of the list holds.
    pub or: Option<Vec<UserFilter>>,
    /// The filter does not hold.
    pub not: Option<Box<UserFilter>>,
}

impl UserFilter {
    pub fn condition(&self) -> Result<Condition> {
        use user::Column;
        let mut all = Condition::all();
        if let Some(id) = &self.id {
            all = all.add(Column::Id.eq(parse_id(id)?));
        }
        if let Some(ids) = &self.id_in {
            all = all.add(Column::Id.is_in(parse_ids(ids)?));
        }
        if let Some(username) = &self.username {
            all = all.add(Column::Username.eq(username));
        }
        if let Some(text) = &self.username_iexact {
            all = all.add(iexact(Column::Username, text));
        }
        if let Some(text) = &self.username_icontains {
            all = all.add(icontains(Column::Username, text));
        }
        if let Some(text) = &self.username_istartswith {
            all = all.add(istartswith(Column::Username, text));
        }
        if let Some(usernames) = &self.username_in {
            all = all.add(Column::Username.is_in(usernames));
        }
        if let Some(email) = &self.email {
            all = all.add(Column::Email.eq(email));
        }
        if let Some(text) = &self.email_iexact {
            all = all.add(iexact(Column::Email, text));
        }
        if let Some(text) = &self.email_icontains {
            all = all.add(icontains(Column::Email, text));
        }
        if let Some(staff) = self.is_staff {
            all = all.add(Column::IsStaff.eq(staff));
        }
        if let Some(active) = self.is_active {
            all = all.add(Column::IsActive.eq(active));
        }
        if let Some(at) = self.date_joined_gte {
            all = all.add(Column::DateJoined.gte(at));
        }
        if let Some(at) = self.date_joined_lte {
            all = all.add(Column::DateJoined.lte(at));
        }
        if let Some(bounds) = &self.date_joined_range {
            all = all.add(range(Column::DateJoined, bounds)?);
        }
        // A user matches when any of their orders does.
        let orders = OrderFilter {
            id: self.orders.clone(),
            id_in: self.orders_in.clone(),
            user: self.orders_user.clone(),
            user_in: self.orders_user_in.clone(),
            status: self.orders_status,
            status_in: self.orders_status_in.clone(),
            note_icontains: self.orders_note_icontains.clone(),
            note_isnull: self.orders_note_isnull,
            created_at_gte: self.orders_created_at_gte,
            created_at_lte: self.orders_created_at_lte,
            created_at_range: self.orders_created_at_range.clone(),
            ..OrderFilter::default()
        };
        let order_condition = orders.condition()?;
        if !order_condition.is_empty() {
            let ordering = order::Entity::find()
                .select_only()
                .column(order::Column::UserId)
                .filter(order_condition)
                .into_query();
            all = all.add(Column::Id.in_subquery(ordering));
        }
        if let Some(filters) = &self.and {
            for filter in filters {
                all = all.add(filter.condition()?);
            }
        }
        if let Some(filters) = &self.or {
            let mut any = Condition::any();
            for filter in filters {
                any = any.add(filter.condition()?);
            }
            all = all.add(any);
        }
        if let Some(filter) = &self.not {
            all = all.add(filter.condition()?.not());
        }
        Ok(all)
    }

    /// The ids of the users the filter selects, for the filters of related models.
    pub fn ids(&self) -> Result<sea_orm::sea_query::SelectStatement> {
        Ok(user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .filter(self.condition()?)
            .into_query())
    }
}

/// One sort key of `User`: set exactly one field. The id breaks ties.
#[derive(InputObject)]
pub struct UserOrderBy {
    pub id: Option<OrderDirection>,
    pub username: Option<OrderDirection>,
    pub date_joined: Option<OrderDirection>,
}

impl UserOrderBy {
    fn key(&self) -> Result<(user::Column, OrderDirection)> {
        use user::Column;
        order_key(vec![
            (Column::Id, self.id),
            (Column::Username, self.username),
            (Column::DateJoined, self.date_joined),
        ])
    }
}

/// A page of `select` with a connection field's filter and order.
pub async fn page(
    db: &DatabaseConnection,
    select: Select<user::Entity>,
    args: PageArgs,
    filter: Option<UserFilter>,
    order_by: Option<Vec<UserOrderBy>>,
) -> Result<Page<User>> {
    let mut select = select;
    if let Some(filter) = filter {
        select = select.filter(filter.condition()?);
    }
    let keys = order_by
        .unwrap_or_default()
        .iter()
        .map(UserOrderBy::key)
        .collect::<Result<_>>()?;
    let select = ordered(select, keys, user::Column::Id);
    paginate(db, select, args).await
}

/// The root fields of `User`.
#[derive(Default)]
pub struct UserQuery;

#[Object]
impl UserQuery {
    /// The `User` with this id, or null.
    async fn user(&self, ctx: &Context<'_>, id: ID) -> Result<Option<User>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let row = user::Entity::find_by_id(parse_id(&id)?).one(db).await?;
        Ok(row.map(User))
    }

    /// The logged-in user, or null when the request carries no token.
    async fn me(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let Some(caller) = ctx.data_opt::<Caller>() else {
            return Ok(None);
        };
        let db = ctx.data::<DatabaseConnection>()?;
        let row = user::Entity::find_by_id(caller.user_id).one(db).await?;
        Ok(row.map(User))
    }

    /// `User` rows, filtered, ordered and paginated.
    async fn users(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<UserFilter>,
        order_by: Option<Vec<UserOrderBy>>,
    ) -> Result<Page<User>> {
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        let db = ctx.data::<DatabaseConnection>()?;
        page(db, user::Entity::find(), args, filter, order_by).await
    }
}
