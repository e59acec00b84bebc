//! Compile errors of `computed(...)` and the options a relation field refuses. Each module is one case; the expected errors of all of them
//! are in `computed_and_relations.stderr`, each at its case's span.

mod computed_malformed {
    use gqlgen_runtime::GraphQLModel;
    mod product {
        use super::*;
        use sea_orm::entity::prelude::*;
        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "product")]
        #[graphql(computed(total Decimal))]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub name: String,
            pub stock: i32,
        }
        impl ActiveModelBehavior for ActiveModel {}
    }
}

mod relation_misuse {
    use gqlgen_runtime::GraphQLModel;

    mod category {
        use super::*;
        use sea_orm::entity::prelude::*;

        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "category")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub name: String,
            #[sea_orm(has_many)]
            #[graphql(filter, order)]
            pub products: HasMany<super::product::Entity>,
        }

        impl ActiveModelBehavior for ActiveModel {}
    }

    mod product {
        use super::*;
        use sea_orm::entity::prelude::*;

        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "product")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub category_id: i32,
            #[sea_orm(belongs_to, from = "category_id", to = "id")]
            #[graphql(filter(icontains), list)]
            pub category: BelongsTo<super::category::Entity>,
        }

        impl ActiveModelBehavior for ActiveModel {}
    }
}

fn main() {}
