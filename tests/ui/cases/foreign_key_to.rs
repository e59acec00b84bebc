//! A foreign key is exposed as the related row's global id, which names the row by its primary
//! key: a belongs-to relation reading another column of it (`to = "code"`) fails the build at
//! its `to`. The error comes from a `const` of the generated code, so it shows only once the
//! derive's own errors are gone: the case has a file of its own.

mod category {
    use gqlgen_runtime::GraphQLModel;
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
    #[sea_orm(table_name = "category")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[sea_orm(unique)]
        pub code: i32,
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
        pub category_code: i32,
        #[sea_orm(belongs_to, from = "category_code", to = "code")]
        pub category: BelongsTo<super::category::Entity>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

fn main() {}
