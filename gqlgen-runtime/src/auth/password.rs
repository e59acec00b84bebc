//! Password hashing with Argon2id (the `argon2` crate's defaults: 19 MiB, 2 passes), stored as
//! PHC strings (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`). Both functions take tens of
//! milliseconds of CPU on purpose: in async code, call them inside
//! `tokio::task::spawn_blocking`.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// The Argon2id PHC string of `password`, with a fresh random salt.
pub fn hash(password: &str) -> String {
    Argon2::default()
        .hash_password(password.as_bytes())
        // Fails only if the operating system cannot supply random bytes for the salt, where
        // no safe hash can be made at all.
        .expect("the operating system's random source failed while salting a password")
        .to_string()
}

/// Whether `password` matches the PHC string `phc`. A malformed `phc` is `false`: it matches
/// nothing.
pub fn verify(password: &str, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    // The parameters come from the PHC string, so hashes made with other settings still verify.
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let phc = hash("correct horse battery staple");
        assert!(phc.starts_with("$argon2id$"), "{phc}");
        assert!(verify("correct horse battery staple", &phc));
        assert!(!verify("correct horse battery stapler", &phc));
        assert_ne!(hash("correct horse battery staple"), phc, "salted");
    }

    #[test]
    fn a_malformed_hash_matches_nothing() {
        for phc in [
            "",
            "plain-text",
            "$argon2id$",
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$",
            "$unknown$v=1$abc$def",
        ] {
            assert!(!verify("", phc), "{phc}");
            assert!(!verify("password", phc), "{phc}");
        }
    }
}
