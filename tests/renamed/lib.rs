//! A model, an enum and the roots with the runtime depended on as `gqlgen`: this crate compiles
//! only if every path the derives emit goes through `#[graphql(crate = "gqlgen")]`.

pub mod ticket {
    use sea_orm::entity::prelude::*;

    #[derive(
        Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, gqlgen::GraphQLEnum,
    )]
    #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
    #[graphql(crate = "gqlgen")]
    pub enum Status {
        #[sea_orm(string_value = "open")]
        Open,
        #[sea_orm(string_value = "closed")]
        Closed,
    }

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, gqlgen::GraphQLModel)]
    #[sea_orm(table_name = "ticket")]
    #[graphql(crate = "gqlgen")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[graphql(filter, order, validate(length(min = 1)))]
        pub title: String,
        #[graphql(filter)]
        pub status: Status,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

gqlgen::query_root!(pub Query { ticket::Model });
gqlgen::mutation_root!(pub Mutation { ticket::Model });

#[cfg(test)]
mod tests {
    #[test]
    fn the_schema_builds_under_the_renamed_runtime() {
        let sdl = gqlgen::schema::build_with_mutations::<super::Query, super::Mutation>(
            Default::default(),
            gqlgen::Config::development(),
        )
        .sdl();
        assert!(sdl.contains("createTicket"), "{sdl}");
        assert!(
            sdl.contains("enum TicketStatus") || sdl.contains("enum Status"),
            "{sdl}"
        );
    }
}
