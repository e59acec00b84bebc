//! Custom validators of the inputs.

/// Tag names are lower case, so that `Sale` and `sale` are not two tags.
pub fn lowercase(value: &str) -> Result<(), String> {
    if value.chars().any(char::is_uppercase) {
        Err("must be lower case".to_owned())
    } else {
        Ok(())
    }
}
