use sea_orm::entity::prelude::*;

/// A product category; categories nest through `parent`.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "category")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Display name.
    pub name: String,
    /// URL-safe unique name.
    #[sea_orm(unique)]
    pub slug: String,
    /// Longer text shown on the category page.
    pub description: Option<String>,
    /// The category's landing page.
    pub homepage: Option<String>,
    /// The enclosing category, if any.
    pub parent_id: Option<i32>,
    #[sea_orm(
        self_ref,
        relation_enum = "Parent",
        relation_reverse = "Children",
        from = "parent_id",
        to = "id"
    )]
    pub parent: BelongsTo<Option<Entity>>,
    #[sea_orm(self_ref, relation_enum = "Children", relation_reverse = "Parent")]
    pub children: HasMany<Entity>,
    #[sea_orm(has_many)]
    pub products: HasMany<super::product::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
