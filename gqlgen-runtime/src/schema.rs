//! Assembling the schema: [`query_root!`](crate::query_root) merges the root fields generated
//! for each model into one query type, and [`build`] makes the executable schema with the
//! database and settings in its data.

use async_graphql::{EmptyMutation, EmptySubscription, ObjectType, Schema};
use sea_orm::DatabaseConnection;

use crate::auth::Auth;
use crate::config::Config;

/// The schema of a read-only API over the query root `Q`.
pub type ReadSchema<Q> = Schema<Q, EmptyMutation, EmptySubscription>;

/// Declares the query root: a struct merging the root fields of every listed model, Relay's
/// `node(id:)` and `nodes(ids:)` over them (see [`node`](crate::node)), with
/// `me = user::Model` the `me` field: the caller's row of that model, `null` when anonymous, and
/// with `custom = [MyQuery, …]` your own `#[Object]` types (each `Default`), whose fields can
/// use [`resolver`](crate::resolver).
///
/// ```
/// # mod user { use sea_orm::entity::prelude::*;
/// # #[sea_orm::model] #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, gqlgen_runtime::GraphQLModel)]
/// # #[sea_orm(table_name = "user")] pub struct Model { #[sea_orm(primary_key)] pub id: i32 }
/// # impl ActiveModelBehavior for ActiveModel {} }
/// # mod product { use sea_orm::entity::prelude::*;
/// # #[sea_orm::model] #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, gqlgen_runtime::GraphQLModel)]
/// # #[sea_orm(table_name = "product")] pub struct Model { #[sea_orm(primary_key)] pub id: i32 }
/// # impl ActiveModelBehavior for ActiveModel {} }
/// use gqlgen_runtime::{Config, schema};
///
/// gqlgen_runtime::query_root!(pub Query { user::Model, product::Model }, me = user::Model);
///
/// # fn main() {
/// # let db = sea_orm::DatabaseConnection::default();
/// let schema = schema::build::<Query>(db, Config::development());
/// assert!(schema.sdl().contains("users(first: Int"));
/// assert!(schema.sdl().contains("me: User"));
/// assert!(schema.sdl().contains("product(id: ID!): Product"));
/// assert!(schema.sdl().contains("type Product implements Node"));
/// assert!(schema.sdl().contains("node(id: ID!): Node"));
/// # }
/// ```
#[macro_export]
macro_rules! query_root {
    ($vis:vis $name:ident { $($model:ty),+ $(,)? } $(, me = $user:ty)? $(, custom = [$($custom:ty),+ $(,)?])? $(,)?) => {
        // async-graphql takes its path as a string, which cannot hold `$crate`: an alias can,
        // so a renamed runtime dependency works too.
        #[doc(hidden)]
        #[allow(unused_imports)]
        use $crate::__private::async_graphql as __gqlgen_query_root_async_graphql;
        /// The query root: the root fields of every model.
        #[derive(::std::default::Default, $crate::__private::async_graphql::MergedObject)]
        #[graphql(crate = "__gqlgen_query_root_async_graphql", name = "Query")]
        $vis struct $name(
            $(pub <$model as $crate::GraphQLModel>::Query,)+
            pub $crate::node::NodeQuery<$name>,
            $(pub $crate::__private::query::MeQuery<$user>,)?
            $($(pub $custom,)+)?
        );
        impl $crate::node::NodeTypes for $name {
            const TYPES: &'static [$crate::node::NodeType] =
                &[$($crate::node::NodeType::of::<$model>()),+];
        }
    };
}

/// Declares the mutation root: a struct merging the mutations of every listed model, the
/// token mutations `tokenAuth`, `refreshToken` and `revokeToken`, and with
/// `custom = [MyMutation, …]` your own `#[Object]` types (each `Default`).
#[macro_export]
macro_rules! mutation_root {
    ($vis:vis $name:ident { $($model:ty),+ $(,)? } $(, custom = [$($custom:ty),+ $(,)?])? $(,)?) => {
        #[doc(hidden)]
        #[allow(unused_imports)]
        use $crate::__private::async_graphql as __gqlgen_mutation_root_async_graphql;
        /// The mutation root: the mutations of every model.
        #[derive(::std::default::Default, $crate::__private::async_graphql::MergedObject)]
        #[graphql(crate = "__gqlgen_mutation_root_async_graphql", name = "Mutation")]
        $vis struct $name(
            $(pub <$model as $crate::GraphQLMutations>::Mutation,)+
            pub $crate::auth::AuthMutation,
            $($(pub $custom,)+)?
        );
    };
}

/// Declares the subscription root: a struct merging the subscription fields of every listed
/// model (each with `subscriptions(...)`) and, with `custom = [MySubscription, …]`, your own
/// `#[Subscription]` types (each `Default`).
#[macro_export]
macro_rules! subscription_root {
    ($vis:vis $name:ident { $($model:ty),+ $(,)? } $(, custom = [$($custom:ty),+ $(,)?])? $(,)?) => {
        #[doc(hidden)]
        #[allow(unused_imports)]
        use $crate::__private::async_graphql as __gqlgen_subscription_root_async_graphql;
        /// The subscription root: the subscription fields of every model.
        #[derive(::std::default::Default, $crate::__private::async_graphql::MergedSubscription)]
        #[graphql(crate = "__gqlgen_subscription_root_async_graphql", name = "Subscription")]
        $vis struct $name(
            $(pub <$model as $crate::GraphQLSubscriptions>::Subscription,)+
            $($(pub $custom,)+)?
        );
    };
}

/// The schema of an API with queries `Q`, mutations `M` and subscriptions `S` (none unless
/// named).
pub type AppSchema<Q, M, S = EmptySubscription> = Schema<Q, M, S>;

/// Builds the schema with mutations over `db` with `config` in its data.
pub fn build_with_mutations<Q, M>(db: DatabaseConnection, config: Config) -> AppSchema<Q, M>
where
    Q: ObjectType + Default + 'static,
    M: ObjectType + Default + 'static,
{
    finish(
        Schema::build(Q::default(), M::default(), EmptySubscription),
        db,
        config,
    )
}

/// Builds the schema with mutations, with `auth` in its data for the token mutations.
pub fn build_with_auth<Q, M>(db: DatabaseConnection, config: Config, auth: Auth) -> AppSchema<Q, M>
where
    Q: ObjectType + Default + 'static,
    M: ObjectType + Default + 'static,
{
    finish(
        Schema::build(Q::default(), M::default(), EmptySubscription).data(auth),
        db,
        config,
    )
}

/// Builds the schema with mutations and subscriptions, with `auth` (if any) in its data for the
/// token mutations; `http::router_with` serves its subscriptions at `/graphql/ws`.
pub fn build_with_subscriptions<Q, M, S>(
    db: DatabaseConnection,
    config: Config,
    auth: Option<Auth>,
) -> AppSchema<Q, M, S>
where
    Q: ObjectType + Default + 'static,
    M: ObjectType + Default + 'static,
    S: async_graphql::SubscriptionType + Default + 'static,
{
    let mut builder = Schema::build(Q::default(), M::default(), S::default());
    if let Some(auth) = auth {
        builder = builder.data(auth);
    }
    finish(builder, db, config)
}

/// Builds the schema over `db` with `config` in its data.
pub fn build<Q: ObjectType + Default + 'static>(
    db: DatabaseConnection,
    config: Config,
) -> ReadSchema<Q> {
    finish(
        Schema::build(Q::default(), EmptyMutation, EmptySubscription),
        db,
        config,
    )
}

/// What clients read of the `Decimal` scalar in the SDL.
const DECIMAL_DESCRIPTION: &str = "A decimal number, as a string so that no digit is lost. A \
     column that declares a scale (`Decimal(Some((10, 2)))`) answers with that many decimal \
     places (`\"999.60\"`) on every database.";

/// The settings every schema shares: the database, the config and an anonymous caller in its
/// data; introspection and
/// "did you mean" suggestions (which name fields a probe did not know) as the config says.
fn finish<Q, M, S>(
    builder: async_graphql::SchemaBuilder<Q, M, S>,
    db: DatabaseConnection,
    config: Config,
) -> Schema<Q, M, S>
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: async_graphql::SubscriptionType + 'static,
{
    // The caller of a request that brings none (a schema executed directly, without the
    // router): anonymous, under the configured schema-wide access rules.
    let anonymous = crate::auth::Caller {
        user: None,
        access: std::sync::Arc::new(config.access.clone()),
    };
    let mut builder = builder
        .data(db)
        .data(config.clone())
        .data(anonymous)
        .data(crate::events::Events::default())
        .override_output_type_description::<rust_decimal::Decimal>(DECIMAL_DESCRIPTION)
        .override_input_type_description::<rust_decimal::Decimal>(DECIMAL_DESCRIPTION);
    if !config.introspection {
        builder = builder.disable_introspection().disable_suggestions();
    }
    builder.finish()
}
