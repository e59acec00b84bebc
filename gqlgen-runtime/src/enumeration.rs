//! GraphQL enums for sea-orm active enums. `#[derive(GraphQLEnum)]` lists the variants; the type
//! registration, parsing and output here are shared by every enum.

use std::borrow::Cow;

use async_graphql::registry::{Deprecation, MetaEnumValue, MetaType, MetaTypeId, Registry};
use async_graphql::resolver_utils::{EnumType, enum_value, parse_enum};
use async_graphql::{InputType, InputValueResult, Value};

/// A variant's GraphQL name and description.
pub struct VariantInfo {
    pub name: &'static str,
    pub description: Option<&'static str>,
}

/// Registers the enum `T` named `name`.
pub fn type_info<T: EnumType + InputType>(
    registry: &mut Registry,
    name: &'static str,
    description: Option<&'static str>,
    variants: &[VariantInfo],
) -> String {
    registry.create_input_type::<T, _>(MetaTypeId::Enum, |_| MetaType::Enum {
        name: name.to_owned(),
        description: description.map(str::to_owned),
        enum_values: variants
            .iter()
            .map(|v| {
                let value = MetaEnumValue {
                    name: v.name.to_owned(),
                    description: v.description.map(str::to_owned),
                    deprecation: Deprecation::NoDeprecated,
                    visible: None,
                    inaccessible: false,
                    tags: Vec::new(),
                    directive_invocations: Vec::new(),
                };
                (v.name.to_owned(), value)
            })
            .collect(),
        visible: None,
        inaccessible: false,
        tags: Vec::new(),
        rust_typename: Some(std::any::type_name::<T>()),
        directive_invocations: Vec::new(),
        requires_scopes: Vec::new(),
    })
}

/// Parses an input value into the enum.
pub fn parse<T: EnumType + InputType>(value: Option<Value>) -> InputValueResult<T> {
    parse_enum(value.unwrap_or_default())
}

/// The enum's output value.
pub fn to_value<T: EnumType>(value: T) -> Value {
    enum_value(value)
}

/// The name as a `Cow`, for the `type_name` functions.
pub fn name(name: &'static str) -> Cow<'static, str> {
    Cow::Borrowed(name)
}
