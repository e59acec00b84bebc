use sea_orm::entity::prelude::*;

/// Something for sale.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "product")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The product's display name.
    pub name: String,
    /// Long description; may be empty.
    pub description: Option<String>,
    /// Unit price.
    #[sea_orm(column_type = "Decimal(Some((10, 2)))")]
    pub price: Decimal,
    /// Units in stock.
    pub stock: i32,
    /// Shipping weight in kilograms, when known.
    pub weight: Option<f64>,
    /// Stock-keeping unit.
    #[sea_orm(unique)]
    pub sku: Uuid,
    /// Whether the product is listed.
    pub is_active: bool,
    /// Free-form attributes.
    pub attributes: Option<Json>,
    /// The product's category.
    pub category_id: i32,
    /// The user who sells the product.
    pub owner_id: i32,
    /// When the product was listed.
    pub created_at: DateTimeUtc,
    /// The product's category; the filter offers its lookups: `category_Name_Icontains`.
    #[sea_orm(belongs_to, from = "category_id", to = "id")]
    pub category: BelongsTo<super::category::Entity>,
    /// The seller; the filter offers `owner_Username`.
    #[sea_orm(belongs_to, from = "owner_id", to = "id")]
    pub owner: BelongsTo<super::user::Entity>,
    /// The product's tags; the filter offers `tags` (one id), `tags_In` and `tags_Name_Icontains`:
    /// a product matches when any of its tags does.
    #[sea_orm(has_many, via = "product_tag")]
    pub tags: HasMany<super::tag::Entity>,
    /// The product's reviews; the filter offers `reviews_Rating_Gte` and the like.
    #[sea_orm(has_many)]
    pub reviews: HasMany<super::review::Entity>,
    #[sea_orm(has_many)]
    pub order_items: HasMany<super::order_item::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
