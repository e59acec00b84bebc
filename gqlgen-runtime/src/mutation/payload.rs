//! The payloads of the generated mutations, one generic type per shape instead of four structs
//! per model: `CreateProductPayload { success product errors }` is [`RowPayload`]`<Product,
//! Create>`, `CreateProductsPayload` is [`RowsPayload`], `DeleteProductPayload` is
//! [`DeletePayload`]. Their GraphQL names and the row field's name (`product`, `products`) come
//! from [`GraphQLMutations::NAMES`], so the types are declared to async-graphql by hand here.

use std::borrow::Cow;
use std::marker::PhantomData;

use async_graphql::parser::types::Field;
use async_graphql::registry::{MetaTypeId, Registry};
use async_graphql::{
    ContainerType, Context, ContextSelectionSet, ID, ObjectType, OutputType, Positioned,
    ServerResult, Value,
};

use super::Outcome;
use crate::model::GraphQLMutations;
use crate::validate::FieldError;

/// Which single-row mutation a [`RowPayload`] answers.
pub trait Verb: Send + Sync + 'static {
    /// `Create`, as in `createProduct` and `CreateProductPayload`.
    const NAME: &'static str;
}

/// `createX`.
pub struct Create;

/// `updateX`.
pub struct Update;

impl Verb for Create {
    const NAME: &'static str = "Create";
}

impl Verb for Update {
    const NAME: &'static str = "Update";
}

/// The result of `createX` or `updateX`: the row, or why nothing was written.
pub struct RowPayload<M, V> {
    pub success: bool,
    pub node: Option<M>,
    pub errors: Vec<FieldError>,
    verb: PhantomData<V>,
}

impl<M, V> From<Outcome<M>> for RowPayload<M, V> {
    fn from(outcome: Outcome<M>) -> Self {
        let (node, errors) = match outcome {
            Outcome::Done(row) => (Some(row), Vec::new()),
            Outcome::Invalid(errors) => (None, errors),
        };
        RowPayload {
            success: node.is_some(),
            node,
            errors,
            verb: PhantomData,
        }
    }
}

/// The result of a bulk create: every row, or none and why.
pub struct RowsPayload<M> {
    pub success: bool,
    pub nodes: Vec<M>,
    pub errors: Vec<FieldError>,
}

impl<M> From<Result<Vec<M>, Vec<FieldError>>> for RowsPayload<M> {
    fn from(result: Result<Vec<M>, Vec<FieldError>>) -> Self {
        match result {
            Ok(nodes) => RowsPayload {
                success: true,
                nodes,
                errors: Vec::new(),
            },
            Err(errors) => RowsPayload {
                success: false,
                nodes: Vec::new(),
                errors,
            },
        }
    }
}

/// The result of a delete: the id of the deleted row, or why nothing was deleted.
pub struct DeletePayload<M> {
    pub success: bool,
    pub deleted_id: Option<ID>,
    pub errors: Vec<FieldError>,
    model: PhantomData<fn() -> M>,
}

impl<M> From<Result<ID, Vec<FieldError>>> for DeletePayload<M> {
    fn from(result: Result<ID, Vec<FieldError>>) -> Self {
        let (deleted_id, errors) = match result {
            Ok(id) => (Some(id), Vec::new()),
            Err(errors) => (None, errors),
        };
        DeletePayload {
            success: deleted_id.is_some(),
            deleted_id,
            errors,
            model: PhantomData,
        }
    }
}

/// One field of a payload: its name, description and Rust type's registration.
struct FieldSpec {
    name: &'static str,
    description: Option<&'static str>,
    register: fn(&mut Registry) -> String,
}

fn field<T: OutputType>(name: &'static str, description: Option<&'static str>) -> FieldSpec {
    FieldSpec {
        name,
        description,
        register: T::create_type_info,
    }
}

/// Registers the object type `T` named `name` with `fields`.
fn register<T: OutputType + ?Sized>(
    registry: &mut Registry,
    description: String,
    fields: [FieldSpec; 3],
) -> String {
    registry.create_output_type::<T, _>(MetaTypeId::Object, |registry| {
        let fields = fields
            .iter()
            .map(|spec| {
                let ty = (spec.register)(registry);
                let meta = crate::registry::field(spec.name, ty, spec.description);
                (spec.name.to_owned(), meta)
            })
            .collect();
        crate::registry::object(
            T::type_name().into_owned(),
            Some(description.clone()),
            fields,
            Some(std::any::type_name::<T>()),
        )
    })
}

/// Resolves the selected field `ctx` as `value`.
async fn resolve_as<T: OutputType>(ctx: &Context<'_>, value: &T) -> ServerResult<Option<Value>> {
    let inner = ctx.with_selection_set(&ctx.item.node.selection_set);
    value.resolve(&inner, ctx.item).await.map(Some)
}

/// The `OutputType`, `ContainerType` and `ObjectType` impls of a payload: its name, description
/// and three fields; `$row` is the row field's name, known only per model.
macro_rules! payload_type {
    (
        impl<$($param:ident),*> for $payload:ty where { $($bounds:tt)* }
        name = $name:expr, description = $description:expr;
        success: $success_doc:expr;
        $row:expr => $row_field:ident: $row_ty:ty;
        errors: $errors_doc:expr;
    ) => {
        impl<$($param),*> OutputType for $payload
        where
            $($bounds)*
        {
            fn type_name() -> Cow<'static, str> {
                Cow::Owned($name)
            }

            fn create_type_info(registry: &mut Registry) -> String {
                register::<Self>(
                    registry,
                    $description,
                    [
                        field::<bool>("success", Some($success_doc)),
                        field::<$row_ty>($row, None),
                        field::<Vec<FieldError>>("errors", $errors_doc),
                    ],
                )
            }

            async fn resolve(
                &self,
                ctx: &ContextSelectionSet<'_>,
                _field: &Positioned<Field>,
            ) -> ServerResult<Value> {
                async_graphql::resolver_utils::resolve_container(ctx, self).await
            }
        }

        impl<$($param),*> ContainerType for $payload
        where
            $($bounds)*
        {
            async fn resolve_field(&self, ctx: &Context<'_>) -> ServerResult<Option<Value>> {
                let name = ctx.item.node.name.node.as_str();
                if name == "success" {
                    resolve_as(ctx, &self.success).await
                } else if name == $row {
                    resolve_as(ctx, &self.$row_field).await
                } else if name == "errors" {
                    resolve_as(ctx, &self.errors).await
                } else {
                    Ok(None)
                }
            }
        }

        impl<$($param),*> ObjectType for $payload
        where
            $($bounds)*
        {
        }
    };
}

payload_type! {
    impl<M, V> for RowPayload<M, V> where { M: GraphQLMutations + OutputType, V: Verb }
    name = format!("{}{}Payload", V::NAME, M::TYPE_NAME),
    description = format!(
        "The result of `{}{}`: the row, or why nothing was written.",
        V::NAME.to_lowercase(),
        M::TYPE_NAME
    );
    success: "Whether the row was written.";
    M::NAMES.detail => node: Option<M>;
    errors: Some("Every problem with the input; empty on success.");
}

payload_type! {
    impl<M> for RowsPayload<M> where { M: GraphQLMutations + OutputType }
    name = format!("Create{}Payload", M::NAMES.list_pascal),
    description = "The result of a bulk create: every row, or none and why.".to_owned();
    success: "Whether the rows were written.";
    M::NAMES.list => nodes: Vec<M>;
    errors: Some("Every problem with the inputs, fields named `inputs.N.field`.");
}

payload_type! {
    impl<M> for DeletePayload<M> where { M: GraphQLMutations }
    name = format!("Delete{}Payload", M::TYPE_NAME),
    description = "The result of a delete: the id of the deleted row, or why nothing was deleted."
        .to_owned();
    success: "Whether the row was deleted.";
    "deletedId" => deleted_id: Option<ID>;
    errors: None;
}
