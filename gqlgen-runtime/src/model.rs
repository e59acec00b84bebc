//! The trait `#[derive(GraphQLModel)]` implements: it ties a sea-orm model to the GraphQL types
//! generated for it, so that generic runtime code (connections, lookups by id) can serve every
//! model without per-model code.

use async_graphql::{ObjectType, OutputType};
use sea_orm::EntityTrait;

use crate::filter::FilterInput;
use crate::order::OrderInput;

/// A sea-orm model exposed as a GraphQL object type.
pub trait GraphQLModel:
    OutputType + sea_orm::FromQueryResult + Clone + Send + Sync + 'static
{
    /// The sea-orm entity whose rows are this model.
    type Entity: EntityTrait<Model = Self>;
    /// The generated `XFilter` input.
    type Filter: FilterInput<Entity = Self::Entity>;
    /// The column lookups of `XFilter` alone, which other models' filters embed to filter
    /// across a belongs-to relation.
    type Lookups: FilterInput<Entity = Self::Entity> + async_graphql::InputObjectType + Default;
    /// The generated `XOrderBy` input.
    type OrderBy: OrderInput<Entity = Self::Entity>;
    /// The generated root fields `x(id:)` and `xs(...)`, merged into the schema's query root.
    type Query: ObjectType + Default;
    /// The GraphQL object type name, such as `Product`.
    const TYPE_NAME: &'static str;
}
