use gqlgen_runtime::{GraphQLModel, IsAdminOrReadOnly};
use sea_orm::entity::prelude::*;

/// A label products can carry.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
#[sea_orm(table_name = "tag")]
#[graphql(permissions(IsAdminOrReadOnly), cache)]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The tag as shown.
    #[sea_orm(unique)]
    #[graphql(filter(exact, icontains, in), order, validate(length(min = 1, max = 50), custom = crate::validators::lowercase))]
    pub name: String,
    #[sea_orm(has_many, via = "product_tag")]
    pub products: HasMany<super::product::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
