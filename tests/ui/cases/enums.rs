//! Compile errors of `#[derive(GraphQLEnum)]`. Each module is one case; the expected errors of all of them
//! are in `enums.stderr`, each at its case's span.

mod enum_bad_name {
    use gqlgen_runtime::GraphQLEnum;
    use sea_orm::entity::prelude::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, GraphQLEnum)]
    #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
    #[graphql(name = "Order Status")]
    pub enum Status {
        #[sea_orm(string_value = "open")]
        #[graphql(name = "open-now")]
        Open,
    }
}

fn main() {}
