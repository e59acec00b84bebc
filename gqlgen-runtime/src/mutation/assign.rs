//! How one input field lands in its `ActiveModel` column, for every column the same way: the
//! generated `MutationInput::apply` names each field's conversion and checks ([`InputField`])
//! and calls [`assign`] or [`assign_nullable`] with what the caller gave ([`Given`]).

use async_graphql::{ID, MaybeUndefined};
use sea_orm::ActiveValue;

use crate::validate::{FieldCode, FieldErrors};

/// What a mutation input says about one field.
pub enum Given<'a, I> {
    /// A value: write it (once converted and checked).
    Value(&'a I),
    /// `null`: clear a nullable column, or refuse it if the field is `required`.
    Null,
    /// Left out of an update: keep the stored value.
    Absent,
}

impl<'a, I> Given<'a, I> {
    /// A nullable field of a create input: absent and `null` both mean no value.
    pub fn create(value: &'a Option<I>) -> Self {
        value.as_ref().map_or(Given::Null, Given::Value)
    }

    /// A non-null field of an update input: absent keeps the stored value.
    pub fn update(value: &'a Option<I>) -> Self {
        value.as_ref().map_or(Given::Absent, Given::Value)
    }

    /// A nullable field of an update input: absent keeps, `null` clears.
    pub fn update_nullable(value: &'a MaybeUndefined<I>) -> Self {
        match value {
            MaybeUndefined::Value(value) => Given::Value(value),
            MaybeUndefined::Null => Given::Null,
            MaybeUndefined::Undefined => Given::Absent,
        }
    }
}

/// One field of a generated input: its GraphQL name, how its input value `I` becomes the
/// column's value `T`, and the checks of `validate(...)` on that value.
pub struct InputField<I, T> {
    /// The GraphQL name, which field errors carry.
    pub name: &'static str,
    /// The value to store, or `None` after recording why not (a malformed id).
    pub convert: fn(&mut FieldErrors, &'static str, &I) -> Option<T>,
    /// The checks of `validate(...)`, after `clean = path` has replaced the value with the
    /// cleaned one; they record errors and the value is written regardless, since any error
    /// stops the whole write.
    pub check: fn(&mut FieldErrors, &mut T),
    /// `validate(required)`: `null` is an error rather than a cleared column.
    pub required: bool,
}

/// Moves a non-null field into its column; `null` (a create input's missing field) is a
/// `REQUIRED` field error.
pub fn assign<I, T>(
    column: &mut ActiveValue<T>,
    given: Given<'_, I>,
    field: &InputField<I, T>,
    errors: &mut FieldErrors,
) where
    T: Into<sea_orm::Value>,
{
    match given {
        Given::Value(given) => {
            if let Some(mut value) = (field.convert)(errors, field.name, given) {
                (field.check)(errors, &mut value);
                *column = ActiveValue::Set(value);
            }
        }
        Given::Null => errors.add(field.name, FieldCode::Required, "is required"),
        Given::Absent => {}
    }
}

/// Moves a nullable field into its column: `null` clears it unless the field is `required`.
pub fn assign_nullable<I, T>(
    column: &mut ActiveValue<Option<T>>,
    given: Given<'_, I>,
    field: &InputField<I, T>,
    errors: &mut FieldErrors,
) where
    Option<T>: Into<sea_orm::Value>,
{
    match given {
        Given::Value(given) => {
            if let Some(mut value) = (field.convert)(errors, field.name, given) {
                (field.check)(errors, &mut value);
                *column = ActiveValue::Set(Some(value));
            }
        }
        Given::Null if field.required => errors.add(field.name, FieldCode::Required, "is required"),
        Given::Null => *column = ActiveValue::Set(None),
        Given::Absent => {}
    }
}

/// The input value as it is: most columns.
pub fn cloned<T: Clone>(_: &mut FieldErrors, _: &'static str, value: &T) -> Option<T> {
    Some(value.clone())
}

/// Text cleaned of unsafe HTML: `sanitize_html`.
// `&String`, not `&str`: it is an `InputField<String, String>::convert`.
#[allow(clippy::ptr_arg)]
pub fn sanitized(_: &mut FieldErrors, _: &'static str, value: &String) -> Option<String> {
    Some(crate::validate::sanitize_html(value))
}

/// A foreign key's global id, decoded into the key's type: `M` is the model it refers to. An id
/// that is not one of an `M` is a `BAD_USER_INPUT` field error.
pub fn id<T: std::str::FromStr + std::fmt::Display, M: crate::model::GraphQLModel>(
    errors: &mut FieldErrors,
    field: &'static str,
    id: &ID,
) -> Option<T> {
    match crate::global_id::decode(M::TYPE_NAME, field, id) {
        Ok(value) => Some(value),
        Err(err) => {
            errors.add(field, FieldCode::BadUserInput, err.message);
            None
        }
    }
}

/// No checks: a field without `validate(...)`.
pub fn unchecked<T>(_: &mut FieldErrors, _: &mut T) {}

#[cfg(test)]
mod tests {
    use super::*;

    const NAME: InputField<String, String> = InputField {
        name: "name",
        convert: cloned,
        check: |errors, value| crate::validate::length(errors, "name", value, None, Some(3)),
        required: true,
    };

    #[test]
    fn a_value_is_checked_and_written_absent_keeps_null_is_refused_when_required() {
        let mut errors = FieldErrors::default();
        let mut column = ActiveValue::NotSet;
        assign_nullable(
            &mut column,
            Given::Value(&"abcd".to_owned()),
            &NAME,
            &mut errors,
        );
        assert_eq!(column, ActiveValue::Set(Some("abcd".to_owned())));
        assert_eq!(errors.0.len(), 1, "too long");

        let mut errors = FieldErrors::default();
        let mut column = ActiveValue::Unchanged(Some("old".to_owned()));
        assign_nullable(
            &mut column,
            Given::update_nullable(&MaybeUndefined::Undefined),
            &NAME,
            &mut errors,
        );
        assert_eq!(column, ActiveValue::Unchanged(Some("old".to_owned())));
        assign_nullable(&mut column, Given::Null, &NAME, &mut errors);
        assert_eq!(column, ActiveValue::Unchanged(Some("old".to_owned())));
        assert_eq!(errors.0[0].code, FieldCode::Required.as_str());

        let optional = InputField {
            required: false,
            ..NAME
        };
        let mut errors = FieldErrors::default();
        assign_nullable(&mut column, Given::create(&None), &optional, &mut errors);
        assert_eq!(column, ActiveValue::Set(None));
        assert!(errors.0.is_empty());
    }

    /// A conversion that can fail, as `id` does for a forged id.
    #[allow(clippy::ptr_arg)] // an `InputField<String, i32>::convert`
    fn number(errors: &mut FieldErrors, field: &'static str, value: &String) -> Option<i32> {
        let parsed = value.parse().ok();
        if parsed.is_none() {
            errors.add(field, FieldCode::BadUserInput, "not a number");
        }
        parsed
    }

    #[test]
    fn a_value_that_does_not_convert_is_a_field_error_and_writes_nothing() {
        let field = InputField::<String, i32> {
            name: "categoryId",
            convert: number,
            check: unchecked,
            required: false,
        };
        let mut errors = FieldErrors::default();
        let mut column = ActiveValue::NotSet;
        let forged = Some("x".to_owned());
        assign(&mut column, Given::update(&forged), &field, &mut errors);
        assert_eq!(column, ActiveValue::NotSet);
        assert_eq!(errors.0[0].code, FieldCode::BadUserInput.as_str());
        assign(
            &mut column,
            Given::Value(&"7".to_owned()),
            &field,
            &mut errors,
        );
        assert_eq!(column, ActiveValue::Set(7));
    }
}
