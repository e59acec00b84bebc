//! Stand-ins for a model or an enum the derive refused. On an error the derive emits the error
//! and [`__stub_model!`](crate::__stub_model) (or [`__stub_enum!`](crate::__stub_enum)), which
//! implements the type's traits with [`Unavailable`] types, so that `query_root!`,
//! `mutation_root!`, the relation fields of other models and the columns of an enum's type
//! still type-check: one mistake is one message, at the attribute, not also a trait error at
//! every use. Nothing here runs: the build fails.

use std::borrow::Cow;
use std::marker::PhantomData;

use async_graphql::parser::types::Field;
use async_graphql::registry::Registry;
use async_graphql::{
    ContainerType, Context, ContextSelectionSet, InputObjectType, InputType, InputValueResult,
    ObjectType, OutputType, Positioned, ServerResult, Value,
};
use sea_orm::{Condition, EntityTrait};

use crate::error::GqlError;
use crate::filter::{Budget, FilterInput};
use crate::order::{OrderInput, OrderKeys};

/// The generated inputs and roots of a refused model: a GraphQL type with no fields.
pub struct Unavailable<E>(PhantomData<fn() -> E>);

impl<E> Default for Unavailable<E> {
    fn default() -> Self {
        Unavailable(PhantomData)
    }
}

const NAME: &str = "Unavailable";

impl<E: 'static> InputType for Unavailable<E> {
    type RawValueType = Self;

    fn type_name() -> Cow<'static, str> {
        Cow::Borrowed(NAME)
    }

    fn create_type_info(_: &mut Registry) -> String {
        NAME.to_owned()
    }

    fn parse(_: Option<Value>) -> InputValueResult<Self> {
        Ok(Self::default())
    }

    fn to_value(&self) -> Value {
        Value::Null
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(self)
    }
}

impl<E: 'static> InputObjectType for Unavailable<E> {}

impl<E: 'static> OutputType for Unavailable<E> {
    fn type_name() -> Cow<'static, str> {
        Cow::Borrowed(NAME)
    }

    fn create_type_info(_: &mut Registry) -> String {
        NAME.to_owned()
    }

    async fn resolve(
        &self,
        _: &ContextSelectionSet<'_>,
        _: &Positioned<Field>,
    ) -> ServerResult<Value> {
        Ok(Value::Null)
    }
}

impl<E: 'static> ContainerType for Unavailable<E> {
    async fn resolve_field(&self, _: &Context<'_>) -> ServerResult<Option<Value>> {
        Ok(None)
    }
}

impl<E: 'static> ObjectType for Unavailable<E> {}

impl<E: Send + Sync + 'static> async_graphql::SubscriptionType for Unavailable<E> {
    fn type_name() -> Cow<'static, str> {
        Cow::Borrowed(NAME)
    }

    fn create_type_info(_: &mut Registry) -> String {
        NAME.to_owned()
    }

    fn create_field_stream<'a>(
        &'a self,
        _: &'a Context<'_>,
    ) -> Option<
        std::pin::Pin<Box<dyn futures_util::Stream<Item = async_graphql::Response> + Send + 'a>>,
    > {
        None
    }
}

impl<E: EntityTrait> FilterInput for Unavailable<E> {
    type Entity = E;

    fn condition(&self, _: &Budget<'_>) -> Result<Condition, GqlError> {
        Ok(Condition::all())
    }
}

impl<E: EntityTrait> OrderInput for Unavailable<E> {
    type Entity = E;

    fn push_keys(&self, _: &mut OrderKeys<E::Column>) {}
}

/// Implements the traits of a model the derive refused, for `$model` of the sea-orm `Entity`
/// in scope. Emitted by the derive beside its errors.
#[doc(hidden)]
#[macro_export]
macro_rules! __stub_model {
    ($model:ident) => {
        const _: () = {
            use $crate::__private as __p;
            type __Unavailable = __p::Unavailable<Entity>;

            impl __p::GraphQLModel for $model {
                type Entity = Entity;
                type Filter = __Unavailable;
                type Lookups = __Unavailable;
                type OrderBy = __Unavailable;
                type Query = __Unavailable;
                const TYPE_NAME: &'static str = "Unavailable";
                const PRIMARY_KEY: &'static str = "";
                const COLUMNS: &'static [__p::model::ColumnInfo<Column>] = &[];
                const COMPUTED: &'static [&'static str] = &[];
                const PERMISSIONS: &'static [&'static dyn __p::Permission] = &[];
                fn owner() -> __p::model::Owner<Entity> {
                    __p::model::Owner::Nobody
                }
            }

            impl __p::GraphQLMutations for $model {
                type Mutation = __Unavailable;
                type Validator = __p::mutation::NoValidator;
                const NAMES: __p::mutation::MutationNames = __p::mutation::MutationNames {
                    detail: "unavailable",
                    list: "unavailables",
                    list_pascal: "Unavailables",
                };
            }

            impl __p::GraphQLSubscriptions for $model {
                type Subscription = __Unavailable;
            }

            impl __p::Fields for $model {
                const FIELDS: &'static [__p::FieldInfo<Self>] = &[];
                fn from_row(
                    _: &__p::sea_orm::QueryResult,
                    _: &__p::model::SelectedColumns,
                ) -> ::std::result::Result<Self, __p::sea_orm::DbErr> {
                    ::std::result::Result::Err(__p::sea_orm::DbErr::Custom(
                        ::std::string::String::new(),
                    ))
                }
            }

            impl __p::async_graphql::OutputType for $model {
                fn type_name() -> ::std::borrow::Cow<'static, str> {
                    <__Unavailable as __p::async_graphql::OutputType>::type_name()
                }
                fn create_type_info(
                    registry: &mut __p::async_graphql::registry::Registry,
                ) -> ::std::string::String {
                    <__Unavailable as __p::async_graphql::OutputType>::create_type_info(registry)
                }
                async fn resolve(
                    &self,
                    _: &__p::async_graphql::ContextSelectionSet<'_>,
                    _: &__p::async_graphql::Positioned<__p::async_graphql::parser::types::Field>,
                ) -> __p::async_graphql::ServerResult<__p::async_graphql::Value> {
                    ::std::result::Result::Ok(__p::async_graphql::Value::Null)
                }
            }
        };
    };
}

/// Implements the GraphQL traits of an enum the derive refused (`GraphQLEnum`), so that the
/// models with a column of it add no errors. Emitted by the derive beside its errors.
#[doc(hidden)]
#[macro_export]
macro_rules! __stub_enum {
    ($enum:ident) => {
        const _: () = {
            use __p::async_graphql as __ag;
            use $crate::__private as __p;
            type __Unavailable = __p::Unavailable<()>;

            impl __ag::InputType for $enum {
                type RawValueType = Self;
                fn type_name() -> ::std::borrow::Cow<'static, str> {
                    <__Unavailable as __ag::InputType>::type_name()
                }
                fn create_type_info(
                    registry: &mut __ag::registry::Registry,
                ) -> ::std::string::String {
                    <__Unavailable as __ag::InputType>::create_type_info(registry)
                }
                fn parse(_: ::std::option::Option<__ag::Value>) -> __ag::InputValueResult<Self> {
                    ::std::result::Result::Err(__ag::InputValueError::custom(""))
                }
                fn to_value(&self) -> __ag::Value {
                    __ag::Value::Null
                }
                fn as_raw_value(&self) -> ::std::option::Option<&Self> {
                    ::std::option::Option::Some(self)
                }
            }

            impl __ag::OutputType for $enum {
                fn type_name() -> ::std::borrow::Cow<'static, str> {
                    <__Unavailable as __ag::OutputType>::type_name()
                }
                fn create_type_info(
                    registry: &mut __ag::registry::Registry,
                ) -> ::std::string::String {
                    <__Unavailable as __ag::OutputType>::create_type_info(registry)
                }
                async fn resolve(
                    &self,
                    _: &__ag::ContextSelectionSet<'_>,
                    _: &__ag::Positioned<__ag::parser::types::Field>,
                ) -> __ag::ServerResult<__ag::Value> {
                    ::std::result::Result::Ok(__ag::Value::Null)
                }
            }
        };
    };
}
