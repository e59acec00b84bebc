use gqlgen_runtime::{GraphQLModel, IsOwnerOrReadOnly};
use sea_orm::entity::prelude::*;

/// A customer's review of a product.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
#[sea_orm(table_name = "review")]
#[graphql(permissions(IsOwnerOrReadOnly), owner = user_id, cache(ttl = 300))]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[graphql(filter(exact, in))]
    pub product_id: i32,
    #[graphql(filter(exact, in))]
    pub user_id: i32,
    /// From 1 to 5 stars.
    #[graphql(filter, order, validate(range(min = 1, max = 5)))]
    pub rating: i32,
    #[graphql(filter(icontains, isnull), sanitize_html)]
    pub comment: Option<String>,
    #[graphql(filter(gte, lte), order)]
    pub created_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "product_id", to = "id", on_delete = "Cascade")]
    pub product: BelongsTo<super::product::Entity>,
    #[sea_orm(belongs_to, from = "user_id", to = "id")]
    pub user: BelongsTo<super::user::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
