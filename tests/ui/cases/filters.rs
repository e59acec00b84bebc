//! Compile errors of `filter(...)` lookups on columns and on the container. Each module is one case; the expected errors of all of them
//! are in `filters.stderr`, each at its case's span.

mod container_filter_unknown_field {
    use gqlgen_runtime::GraphQLModel;
    mod product {
        use super::*;
        use sea_orm::entity::prelude::*;
        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "product")]
        #[graphql(filter(nmae(exact)))]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub name: String,
            pub stock: i32,
        }
        impl ActiveModelBehavior for ActiveModel {}
    }
}

mod filter_empty {
    use gqlgen_runtime::GraphQLModel;
    mod product {
        use super::*;
        use sea_orm::entity::prelude::*;
        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "product")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            #[graphql(filter())]
            pub name: String,
            pub stock: i32,
        }
        impl ActiveModelBehavior for ActiveModel {}
    }
}

mod filter_field_clash {
    use gqlgen_runtime::GraphQLModel;

    mod product {
        use super::*;
        use sea_orm::entity::prelude::*;

        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "product")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            #[graphql(filter(exact))]
            pub owner_id: i32,
            #[graphql(filter(exact))]
            pub owner: String,
            #[graphql(filter(exact))]
            pub not: bool,
            #[sea_orm(belongs_to, from = "owner_id", to = "id")]
            #[graphql(skip)]
            pub seller: BelongsTo<super::seller::Entity>,
        }

        impl ActiveModelBehavior for ActiveModel {}
    }

    mod seller {
        use sea_orm::entity::prelude::*;

        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "seller")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
        }

        impl ActiveModelBehavior for ActiveModel {}
    }
}

mod filter_in_two_places {
    use gqlgen_runtime::GraphQLModel;
    mod product {
        use super::*;
        use sea_orm::entity::prelude::*;
        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "product")]
        #[graphql(filter(name(exact)))]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            #[graphql(filter(icontains))]
            pub name: String,
            pub stock: i32,
        }
        impl ActiveModelBehavior for ActiveModel {}
    }
}

mod isnull_needs_option {
    use gqlgen_runtime::GraphQLModel;
    mod product {
        use super::*;
        use sea_orm::entity::prelude::*;
        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "product")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            #[graphql(filter(isnull))]
            pub name: String,
            pub stock: i32,
        }
        impl ActiveModelBehavior for ActiveModel {}
    }
}

mod json_order {
    use gqlgen_runtime::GraphQLModel;

    mod product {
        use super::*;
        use sea_orm::entity::prelude::*;

        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "product")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            #[graphql(order, filter(exact))]
            pub attributes: Json,
        }

        impl ActiveModelBehavior for ActiveModel {}
    }
}

mod lookup_duplicate {
    use gqlgen_runtime::GraphQLModel;
    mod product {
        use super::*;
        use sea_orm::entity::prelude::*;
        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "product")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            #[graphql(filter(exact, exact))]
            pub name: String,
            pub stock: i32,
        }
        impl ActiveModelBehavior for ActiveModel {}
    }
}

mod lookup_not_a_name {
    use gqlgen_runtime::GraphQLModel;

    mod product {
        use super::*;
        use sea_orm::entity::prelude::*;

        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "product")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            #[graphql(filter(exact, "icontains"))]
            pub name: String,
        }

        impl ActiveModelBehavior for ActiveModel {}
    }
}

mod lookup_unknown {
    use gqlgen_runtime::GraphQLModel;
    mod product {
        use super::*;
        use sea_orm::entity::prelude::*;
        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "product")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            #[graphql(filter(exact, icontain))]
            pub name: String,
            pub stock: i32,
        }
        impl ActiveModelBehavior for ActiveModel {}
    }
}

mod lookup_wrong_type {
    use gqlgen_runtime::GraphQLModel;
    mod product {
        use super::*;
        use sea_orm::entity::prelude::*;
        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "product")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub name: String,
            #[graphql(filter(icontains))]
            pub stock: i32,
        }
        impl ActiveModelBehavior for ActiveModel {}
    }
}

fn main() {}
