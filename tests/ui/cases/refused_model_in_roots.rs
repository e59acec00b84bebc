//! A model the derive refuses is one error, at its attribute: the stand-ins emitted beside it
//! keep `query_root!`, `mutation_root!`, `subscription_root!` and another model's relation to it
//! from adding theirs.

mod category {
    use gqlgen_runtime::GraphQLModel;
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
    #[sea_orm(table_name = "category")]
    #[graphql(nmae = "Kind")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub name: String,
        #[sea_orm(has_many)]
        pub products: HasMany<super::product::Entity>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

mod product {
    use gqlgen_runtime::GraphQLModel;
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
    #[sea_orm(table_name = "product")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[graphql(filter)]
        pub name: String,
        pub category_id: i32,
        #[sea_orm(belongs_to, from = "category_id", to = "id")]
        #[graphql(filter)]
        pub category: BelongsTo<super::category::Entity>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

gqlgen_runtime::query_root!(pub Query { category::Model, product::Model });
gqlgen_runtime::mutation_root!(pub Mutation { category::Model, product::Model });
gqlgen_runtime::subscription_root!(pub Subscription { category::Model });

fn main() {}
