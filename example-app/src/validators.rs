//! Custom validators of the example app's inputs, named in `validate(custom = ...)`.

/// Tag names are lower case, so that `Sale` and `sale` are not two tags.
pub fn lowercase(value: &str) -> Result<(), String> {
    if value.chars().any(char::is_uppercase) {
        Err("must be lower case".to_owned())
    } else {
        Ok(())
    }
}
