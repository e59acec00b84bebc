//! Compile errors of the container attribute: unknown options, duplicates, names, `mutations(...)`, `subscriptions(...)`, `cache(...)`, and every mistake of one model reported at once. Each module is one case; the expected errors of all of them
//! are in `container.stderr`, each at its case's span.

mod attribute_unknown {
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
            #[graphql(filtr(exact))]
            pub name: String,
            pub stock: i32,
        }
        impl ActiveModelBehavior for ActiveModel {}
    }
}

mod option_duplicate {
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
            #[graphql(order, order)]
            pub name: String,
            pub stock: i32,
        }
        impl ActiveModelBehavior for ActiveModel {}
    }
}

mod name_malformed {
    use gqlgen_runtime::GraphQLModel;
    mod product {
        use super::*;
        use sea_orm::entity::prelude::*;
        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "product")]
        #[graphql(name = "my product")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub name: String,
            pub stock: i32,
        }
        impl ActiveModelBehavior for ActiveModel {}
    }
}

mod name_not_a_string {
    use gqlgen_runtime::GraphQLModel;
    mod product {
        use super::*;
        use sea_orm::entity::prelude::*;
        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "product")]
        #[graphql(name = 5)]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub name: String,
            pub stock: i32,
        }
        impl ActiveModelBehavior for ActiveModel {}
    }
}

mod mutations_unknown {
    use gqlgen_runtime::GraphQLModel;

    mod product {
        use super::*;
        use sea_orm::entity::prelude::*;

        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "product")]
        #[graphql(mutations(create, upsert))]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub name: String,
            pub stock: i32,
        }

        impl ActiveModelBehavior for ActiveModel {}
    }
}

mod subscriptions_unknown_or_empty {
    use gqlgen_runtime::GraphQLModel;

    mod product {
        use super::*;
        use sea_orm::entity::prelude::*;

        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "product")]
        #[graphql(subscriptions(created, upated))]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
        }

        impl ActiveModelBehavior for ActiveModel {}
    }

    mod tag {
        use super::*;
        use sea_orm::entity::prelude::*;

        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "tag")]
        #[graphql(subscriptions())]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
        }

        impl ActiveModelBehavior for ActiveModel {}
    }
}

mod cache_ttl_zero_or_unknown_option {
    use gqlgen_runtime::GraphQLModel;

    mod product {
        use super::*;
        use sea_orm::entity::prelude::*;

        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "product")]
        #[graphql(cache(ttl = 0))]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
        }

        impl ActiveModelBehavior for ActiveModel {}
    }

    mod tag {
        use super::*;
        use sea_orm::entity::prelude::*;

        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "tag")]
        #[graphql(cache(ttl = 60, vary_on_users))]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
        }

        impl ActiveModelBehavior for ActiveModel {}
    }
}

mod every_error_at_once {
    use gqlgen_runtime::GraphQLModel;
    mod product {
        use super::*;
        use sea_orm::entity::prelude::*;
        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "product")]
        #[graphql(name = "bad name", exclude(nmae))]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            #[graphql(filter(icontain))]
            pub name: String,
            #[graphql(filter(istartswith))]
            pub stock: i32,
        }
        impl ActiveModelBehavior for ActiveModel {}
    }
}

mod crate_not_a_path {
    use gqlgen_runtime::GraphQLModel;
    mod product {
        use super::*;
        use sea_orm::entity::prelude::*;
        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "product")]
        #[graphql(crate = "not a path")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
        }
        impl ActiveModelBehavior for ActiveModel {}
    }
}

fn main() {}

mod primary_key_renamed {
    use gqlgen_runtime::GraphQLModel;
    mod country {
        use super::*;
        use sea_orm::entity::prelude::*;
        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "country")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            #[graphql(name = "code")]
            pub code: String,
        }
        impl ActiveModelBehavior for ActiveModel {}
    }
}

mod primary_key_not_an_id {
    use gqlgen_runtime::GraphQLModel;
    mod day {
        use super::*;
        use sea_orm::entity::prelude::*;
        #[sea_orm::model]
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
        #[sea_orm(table_name = "day")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Date,
        }
        impl ActiveModelBehavior for ActiveModel {}
    }
}
