use sea_orm::entity::prelude::*;

/// A label products can carry.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tag")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The tag as shown.
    #[sea_orm(unique)]
    pub name: String,
    #[sea_orm(has_many, via = "product_tag")]
    pub products: HasMany<super::product::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
