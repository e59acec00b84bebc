//! Custom validators of the example app's inputs, named in `validate(custom = ...)`, and
//! cleaners, named in `validate(clean = ...)`, whose value is the one checked and stored.

/// Emails are stored trimmed and lower-cased (the seed's `validate_email`), so that one address
/// is one value whatever the client typed.
pub fn normalised_email(value: &str) -> Result<String, String> {
    Ok(value.trim().to_lowercase())
}

/// Display names are stored without leading, trailing or repeated spaces.
pub fn tidy_name(value: &str) -> Result<String, String> {
    Ok(value.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Tag names are lower case, so that `Sale` and `sale` are not two tags.
pub fn lowercase(value: &str) -> Result<(), String> {
    if value.chars().any(char::is_uppercase) {
        Err("must be lower case".to_owned())
    } else {
        Ok(())
    }
}
