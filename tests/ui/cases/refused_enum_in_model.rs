//! An enum `GraphQLEnum` refuses is its own errors only: the stand-ins emitted beside them
//! keep a model with a column of it, filtered and in the roots, from adding trait errors.

mod ticket {
    use gqlgen_runtime::{GraphQLEnum, GraphQLModel};
    use sea_orm::entity::prelude::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, GraphQLEnum)]
    #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
    #[graphql(name = "Ticket Status")]
    pub enum Status {
        #[sea_orm(string_value = "open")]
        Open,
    }

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, GraphQLModel)]
    #[sea_orm(table_name = "ticket")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[graphql(filter)]
        pub status: Status,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

gqlgen_runtime::query_root!(pub Query { ticket::Model });
gqlgen_runtime::mutation_root!(pub Mutation { ticket::Model });

fn main() {}
