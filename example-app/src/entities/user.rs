use gqlgen_runtime::GraphQLModel;
use sea_orm::entity::prelude::*;

/// A customer or staff account.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
#[sea_orm(table_name = "user")]
#[graphql(exclude(password_hash, social_security_number), mutations(), owner = id, cache(ttl = 300))]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Unique identifier for the user.
    #[sea_orm(unique)]
    #[graphql(filter(exact, iexact, icontains, istartswith, in), order)]
    pub username: String,
    /// The user's email address for communication: readable by the user and by holders of
    /// `users.view_user_email`.
    #[sea_orm(unique)]
    #[graphql(filter(exact, iexact, icontains), permission = "users.view_user_email")]
    pub email: String,
    pub password_hash: String,
    pub social_security_number: Option<String>,
    /// Staff may manage every row.
    #[graphql(filter)]
    pub is_staff: bool,
    /// An inactive account cannot sign in.
    #[graphql(filter)]
    pub is_active: bool,
    /// When the account was created.
    #[graphql(filter(gte, lte, range), order)]
    pub date_joined: DateTimeUtc,
    #[sea_orm(has_many)]
    pub products: HasMany<super::product::Entity>,
    /// The user's orders; the filter offers `orders_Status` and the like, over the orders the
    /// caller may see.
    #[sea_orm(has_many)]
    #[graphql(filter)]
    pub orders: HasMany<super::order::Entity>,
    /// The user's reviews, as a plain list.
    #[sea_orm(has_many)]
    #[graphql(list)]
    pub reviews: HasMany<super::review::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
