use gqlgen_runtime::{GraphQLModel, IsAdminOrReadOnly};
use sea_orm::entity::prelude::*;

/// A product category; categories nest through `parent`.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
#[sea_orm(table_name = "category")]
#[graphql(
    plural = "categories",
    permissions(IsAdminOrReadOnly),
    filter(name(exact, icontains, istartswith), slug(exact, in)),
    cache(ttl = 1800)
)]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Display name.
    #[graphql(order, validate(length(min = 1, max = 100)))]
    pub name: String,
    /// URL-safe unique name.
    #[sea_orm(unique)]
    #[graphql(validate(regex = "^[a-z0-9-]+$", required))]
    pub slug: String,
    /// Longer text shown on the category page.
    #[graphql(filter(icontains, isnull), sanitize_html)]
    pub description: Option<String>,
    /// The category's landing page.
    #[graphql(validate(url))]
    pub homepage: Option<String>,
    /// The enclosing category, if any.
    #[graphql(filter(exact, in, isnull))]
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
