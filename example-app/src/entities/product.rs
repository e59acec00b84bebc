use gqlgen_runtime::{GraphQLModel, IsOwnerOrReadOnly};
use sea_orm::entity::prelude::*;

/// Something for sale.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, GraphQLModel)]
#[sea_orm(table_name = "product")]
#[graphql(
    validator = ProductRules,
    permissions(IsOwnerOrReadOnly),
    owner = owner_id,
    staff_sets_owner,
    subscriptions(created, updated, deleted),
    cache(ttl = 300)
)]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The product's display name.
    #[graphql(
        filter(
            exact,
            iexact,
            contains,
            icontains,
            startswith,
            istartswith,
            endswith,
            iendswith,
            in
        ),
        order,
        validate(clean = crate::validators::tidy_name, length(min = 1, max = 200))
    )]
    pub name: String,
    /// Long description; may be empty.
    #[graphql(filter(icontains, isnull), sanitize_html, validate(length(max = 5000)))]
    pub description: Option<String>,
    /// Unit price.
    #[sea_orm(column_type = "Decimal(Some((10, 2)))")]
    #[graphql(filter, order, validate(range(min = 0, max = 1000000)))]
    pub price: Decimal,
    /// Units in stock.
    #[graphql(
        filter(exact, gt, gte, lt, lte, range, in),
        order,
        validate(range(min = 0)),
        default = 0
    )]
    pub stock: i32,
    /// Shipping weight in kilograms, when known.
    #[graphql(filter(gt, lt, isnull), order)]
    pub weight: Option<f64>,
    /// Stock-keeping unit.
    #[sea_orm(unique)]
    #[graphql(filter(exact, in), default_fn = Uuid::new_v4)]
    pub sku: Uuid,
    /// Whether the product is listed.
    #[graphql(filter, default = true)]
    pub is_active: bool,
    /// Free-form attributes.
    #[graphql(filter(isnull))]
    pub attributes: Option<Json>,
    /// The product's category.
    #[graphql(filter(exact, in))]
    pub category_id: i32,
    /// The user who sells the product.
    #[graphql(filter(exact, in))]
    pub owner_id: i32,
    /// When the product was listed.
    #[graphql(filter(gt, gte, lt, lte, range), order)]
    pub created_at: DateTimeUtc,
    /// The product's category; the filter offers its lookups: `category_Name_Icontains`.
    #[sea_orm(belongs_to, from = "category_id", to = "id")]
    #[graphql(filter)]
    pub category: BelongsTo<super::category::Entity>,
    /// The seller; the filter offers `owner_Username`.
    #[sea_orm(belongs_to, from = "owner_id", to = "id")]
    #[graphql(filter)]
    pub owner: BelongsTo<super::user::Entity>,
    /// The product's tags; the filter offers `tags` (one id), `tags_In` and `tags_Name_Icontains`:
    /// a product matches when any of its tags does.
    #[sea_orm(has_many, via = "product_tag")]
    #[graphql(filter)]
    pub tags: HasMany<super::tag::Entity>,
    /// The product's reviews; the filter offers `reviews_Rating_Gte` and the like.
    #[sea_orm(has_many)]
    #[graphql(filter)]
    pub reviews: HasMany<super::review::Entity>,
    #[sea_orm(has_many)]
    pub order_items: HasMany<super::order_item::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}

/// Rules across a product's fields, checked on create and update.
pub struct ProductRules;

impl gqlgen_runtime::ModelValidator<ActiveModel> for ProductRules {
    /// A blank description is stored as none.
    fn clean(model: &mut ActiveModel, _: &mut gqlgen_runtime::FieldErrors) {
        let blank = model
            .description
            .try_as_ref()
            .is_some_and(|d| d.as_ref().is_some_and(|d| d.trim().is_empty()));
        if blank {
            model.description = sea_orm::ActiveValue::Set(None);
        }
    }

    /// An expensive product needs a description.
    fn validate(model: &ActiveModel, errors: &mut gqlgen_runtime::FieldErrors) {
        let expensive = model
            .price
            .try_as_ref()
            .is_some_and(|p| *p > Decimal::from(10_000));
        let described = model
            .description
            .try_as_ref()
            .is_some_and(|d| d.as_ref().is_some_and(|d| !d.trim().is_empty()));
        if expensive && !described {
            errors.add(
                "description",
                "REQUIRED",
                "a product above 10000 needs a description",
            );
        }
    }
}
