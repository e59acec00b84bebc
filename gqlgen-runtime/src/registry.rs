//! The boilerplate of GraphQL types registered by hand rather than by async-graphql's derives:
//! the types whose fields depend on a model's table (`XAggregate`, the mutation payloads) or on
//! the schema's list of models (`Node`). Each builds its fields and objects through these two
//! functions, which fill in the many federation and visibility options with their defaults.

use async_graphql::indexmap::IndexMap;
use async_graphql::registry::{MetaField, MetaType};

/// A field without arguments of type `ty` (`"Int!"`, `"Product"`).
pub(crate) fn field(name: &str, ty: String, description: Option<&str>) -> MetaField {
    MetaField {
        name: name.to_owned(),
        description: description.map(str::to_owned),
        args: IndexMap::new(),
        ty,
        deprecation: Default::default(),
        cache_control: Default::default(),
        external: false,
        requires: None,
        provides: None,
        visible: None,
        shareable: false,
        inaccessible: false,
        tags: Vec::new(),
        override_from: None,
        compute_complexity: None,
        directive_invocations: Vec::new(),
        requires_scopes: Vec::new(),
    }
}

/// An object type named `name` with `fields`, registered for the Rust type `rust_typename` (which
/// async-graphql uses to tell two Rust types claiming one name apart), if any.
pub(crate) fn object(
    name: String,
    description: Option<String>,
    fields: IndexMap<String, MetaField>,
    rust_typename: Option<&'static str>,
) -> MetaType {
    MetaType::Object {
        name,
        description,
        fields,
        cache_control: Default::default(),
        extends: false,
        shareable: false,
        resolvable: true,
        keys: None,
        visible: None,
        inaccessible: false,
        interface_object: false,
        tags: Vec::new(),
        is_subscription: false,
        rust_typename,
        directive_invocations: Vec::new(),
        requires_scopes: Vec::new(),
    }
}
