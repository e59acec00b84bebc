//! Signing and checking of tokens: one configured algorithm, `exp` / `nbf` checked with the
//! configured leeway, `iss` / `aud` required when configured, and a token type so that a
//! refresh token never passes as an access token.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use super::unauthenticated;
use crate::config::{JwtAlgorithm, JwtSettings};
use crate::error::GqlError;

/// Shortest HS256 secret accepted: a shorter one can be brute-forced from a single token.
const MIN_HS256_SECRET_BYTES: usize = 32;

/// What a token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenType {
    /// Sent with every request, short-lived.
    Access,
    /// Exchanged once for a new pair, long-lived.
    Refresh,
}

/// The claims of a token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// Access or refresh: only access tokens authenticate requests.
    pub token_type: TokenType,
    /// The account's key ([`crate::AuthUser::id`]).
    pub user_id: String,
    /// Expiry, in seconds since the Unix epoch.
    pub exp: u64,
    /// Issue time, in seconds since the Unix epoch.
    pub iat: u64,
    /// Start of validity, in seconds since the Unix epoch.
    pub nbf: u64,
    /// The token's unique id: what revocation records.
    pub jti: String,
    /// The issuer, when `JWT_ISSUER` is set; then checked on every token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// The audience, when `JWT_AUDIENCE` is set; then checked on every token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
}

/// Signs and checks tokens.
pub struct Jwt {
    algorithm: Algorithm,
    encoding_key: EncodingKey,
    decoding_key: DecodingKey,
    validation: Validation,
    access_lifetime: Duration,
    refresh_lifetime: Duration,
    leeway: Duration,
    issuer: Option<String>,
    audience: Option<String>,
}

impl std::fmt::Debug for Jwt {
    // The keys are secrets: only the settings that are not reach `{:?}`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jwt")
            .field("algorithm", &self.algorithm)
            .field("access_lifetime", &self.access_lifetime)
            .field("refresh_lifetime", &self.refresh_lifetime)
            .field("leeway", &self.leeway)
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

impl Jwt {
    /// Keys and checks from the settings. The error names the setting at fault
    /// (`JWT_SECRET_KEY` / `JWT_PUBLIC_KEY`) and never shows a key.
    pub fn new(settings: &JwtSettings) -> Result<Jwt, String> {
        let secret_key = settings.secret_key.as_deref().filter(|key| !key.is_empty());
        let (algorithm, encoding_key, decoding_key) = match settings.algorithm {
            JwtAlgorithm::Hs256 => {
                let secret = secret_key.ok_or(
                    "JWT_SECRET_KEY is not set; HS256 needs a shared secret of at least 32 bytes",
                )?;
                if secret.len() < MIN_HS256_SECRET_BYTES {
                    return Err(format!(
                        "JWT_SECRET_KEY is {} bytes long; HS256 needs at least \
                         {MIN_HS256_SECRET_BYTES} (a short secret can be guessed from one token)",
                        secret.len()
                    ));
                }
                (
                    Algorithm::HS256,
                    EncodingKey::from_secret(secret.as_bytes()),
                    DecodingKey::from_secret(secret.as_bytes()),
                )
            }
            JwtAlgorithm::Rs256 => {
                let private_pem = secret_key
                    .ok_or("JWT_SECRET_KEY is not set; RS256 needs the RSA private key PEM")?;
                let public_pem = settings
                    .public_key
                    .as_deref()
                    .filter(|key| !key.is_empty())
                    .ok_or("JWT_PUBLIC_KEY is not set; RS256 needs the RSA public key PEM")?;
                let encoding_key = EncodingKey::from_rsa_pem(private_pem.as_bytes())
                    .map_err(|e| format!("JWT_SECRET_KEY is not an RSA private key PEM ({e})"))?;
                let decoding_key = DecodingKey::from_rsa_pem(public_pem.as_bytes())
                    .map_err(|e| format!("JWT_PUBLIC_KEY is not an RSA public key PEM ({e})"))?;
                (Algorithm::RS256, encoding_key, decoding_key)
            }
        };

        // Only the configured algorithm: this refuses `alg: none` and HS256 tokens signed with
        // the (public) RSA key.
        let mut validation = Validation::new(algorithm);
        validation.leeway = settings.leeway.as_secs();
        validation.validate_exp = true;
        validation.validate_nbf = true;
        let mut required = vec!["exp", "nbf"];
        if let Some(issuer) = &settings.issuer {
            validation.set_issuer(&[issuer]);
            required.push("iss");
        }
        if let Some(audience) = &settings.audience {
            validation.set_audience(&[audience]);
            required.push("aud");
        }
        validation.set_required_spec_claims(&required);

        let jwt = Jwt {
            algorithm,
            encoding_key,
            decoding_key,
            validation,
            access_lifetime: settings.access_lifetime,
            refresh_lifetime: settings.refresh_lifetime,
            leeway: settings.leeway,
            issuer: settings.issuer.clone(),
            audience: settings.audience.clone(),
        };
        jwt.check_keys()?;
        Ok(jwt)
    }

    /// Signs and checks one token, so that a key that parses but cannot sign, or an RSA public
    /// key of another pair, stops the server at startup instead of failing every login.
    fn check_keys(&self) -> Result<(), String> {
        let claims = self.claims_at("key-check", TokenType::Access, now_secs());
        let token = jsonwebtoken::encode(&Header::new(self.algorithm), &claims, &self.encoding_key)
            .map_err(|e| format!("JWT_SECRET_KEY cannot sign tokens ({e})"))?;
        match jsonwebtoken::decode::<Claims>(&token, &self.decoding_key, &self.validation) {
            Ok(_) => Ok(()),
            Err(e) if matches!(e.kind(), ErrorKind::InvalidSignature) => {
                Err("JWT_PUBLIC_KEY does not belong to the private key in JWT_SECRET_KEY".into())
            }
            Err(e) => Err(format!("JWT_PUBLIC_KEY cannot check tokens ({e})")),
        }
    }

    /// Clock skew tolerated on `exp` and `nbf`.
    pub fn leeway(&self) -> Duration {
        self.leeway
    }

    /// A new signed token of `token_type` for `user_id`, valid from now.
    pub fn issue(&self, user_id: &str, token_type: TokenType) -> Result<String, GqlError> {
        self.issue_at(user_id, token_type, now_secs())
    }

    /// A token issued at `now` (seconds since the epoch): lets tests make expired and
    /// not-yet-valid tokens.
    pub(crate) fn issue_at(
        &self,
        user_id: &str,
        token_type: TokenType,
        now: u64,
    ) -> Result<String, GqlError> {
        let claims = self.claims_at(user_id, token_type, now);
        jsonwebtoken::encode(&Header::new(self.algorithm), &claims, &self.encoding_key)
            .map_err(GqlError::internal)
    }

    fn claims_at(&self, user_id: &str, token_type: TokenType, now: u64) -> Claims {
        let lifetime = match token_type {
            TokenType::Access => self.access_lifetime,
            TokenType::Refresh => self.refresh_lifetime,
        };
        Claims {
            token_type,
            user_id: user_id.to_owned(),
            exp: now.saturating_add(lifetime.as_secs()),
            iat: now,
            nbf: now,
            jti: uuid::Uuid::new_v4().simple().to_string(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
        }
    }

    /// The claims of a valid token of the `expected` type; `AUTHENTICATION_REQUIRED` saying
    /// what is wrong otherwise. Revocation is not checked here (see [`super::Revocations`]).
    pub fn decode(&self, token: &str, expected: TokenType) -> Result<Claims, GqlError> {
        let claims = self.decode_any(token)?;
        if claims.token_type != expected {
            return Err(unauthenticated(match expected {
                TokenType::Access => "a refresh token cannot be used as an access token",
                TokenType::Refresh => "an access token cannot be used as a refresh token",
            }));
        }
        Ok(claims)
    }

    /// The claims of a valid token of either type.
    pub fn decode_any(&self, token: &str) -> Result<Claims, GqlError> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding_key, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| unauthenticated(decode_failure(e.kind())))
    }
}

/// The client's explanation of a rejected token. Details beyond these (which claim failed to
/// parse, say) help an attacker more than a client.
fn decode_failure(kind: &ErrorKind) -> &'static str {
    match kind {
        ErrorKind::ExpiredSignature => "token has expired",
        ErrorKind::ImmatureSignature => "token is not valid yet",
        ErrorKind::InvalidSignature => "token signature is invalid",
        ErrorKind::InvalidAlgorithm => {
            "token is signed with an algorithm this server does not accept"
        }
        ErrorKind::InvalidIssuer => "token has the wrong issuer",
        ErrorKind::MissingRequiredClaim(claim) if claim == "iss" => "token has the wrong issuer",
        ErrorKind::InvalidAudience => "token has the wrong audience",
        ErrorKind::MissingRequiredClaim(claim) if claim == "aud" => "token has the wrong audience",
        _ => "token is malformed",
    }
}

/// Seconds since the Unix epoch.
pub(crate) fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

#[cfg(test)]
pub(crate) mod tests {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;
    use crate::error::ErrorCode;

    pub(crate) const RSA_PRIVATE_PEM: &str = include_str!("../../tests/keys/rsa_private.pem");
    pub(crate) const RSA_PUBLIC_PEM: &str = include_str!("../../tests/keys/rsa_public.pem");

    /// HS256 settings with a test secret.
    pub(crate) fn hs256_settings() -> JwtSettings {
        JwtSettings {
            secret_key: Some("a-test-secret-that-is-long-enough-for-hs256".into()),
            ..JwtSettings::default()
        }
    }

    fn rs256_settings() -> JwtSettings {
        JwtSettings {
            algorithm: JwtAlgorithm::Rs256,
            secret_key: Some(RSA_PRIVATE_PEM.into()),
            public_key: Some(RSA_PUBLIC_PEM.into()),
            ..JwtSettings::default()
        }
    }

    /// The message of an `AUTHENTICATION_REQUIRED` error; panics on anything else.
    pub(crate) fn auth_failure<T: std::fmt::Debug>(result: Result<T, GqlError>) -> String {
        let err = result.expect_err("expected AUTHENTICATION_REQUIRED");
        assert_eq!(err.code, ErrorCode::AuthenticationRequired, "{err:?}");
        err.message
    }

    #[test]
    fn hs256_round_trip() {
        let jwt = Jwt::new(&hs256_settings()).unwrap();
        let token = jwt.issue("42", TokenType::Access).unwrap();
        let claims = jwt.decode(&token, TokenType::Access).unwrap();
        assert_eq!(claims.user_id, "42");
        assert_eq!(claims.token_type, TokenType::Access);
        assert_eq!(claims.exp - claims.iat, 3600);
        assert_eq!(claims.nbf, claims.iat);
        assert_ne!(
            jwt.issue("42", TokenType::Access).unwrap(),
            token,
            "jti is unique"
        );
    }

    #[test]
    fn rs256_round_trip_and_no_hs256_with_the_public_key() {
        let jwt = Jwt::new(&rs256_settings()).unwrap();
        let token = jwt.issue("7", TokenType::Refresh).unwrap();
        assert_eq!(jwt.decode(&token, TokenType::Refresh).unwrap().user_id, "7");

        // The public key is public: a token "signed" with it as an HS256 secret is forged.
        let claims = jwt.claims_at("7", TokenType::Access, now_secs());
        let forged = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(RSA_PUBLIC_PEM.as_bytes()),
        )
        .unwrap();
        let message = auth_failure(jwt.decode(&forged, TokenType::Access));
        assert!(message.contains("algorithm"), "{message}");
    }

    #[test]
    fn settings_errors_name_the_setting() {
        let missing = Jwt::new(&JwtSettings::default()).unwrap_err();
        assert!(missing.contains("JWT_SECRET_KEY"), "{missing}");
        let short = Jwt::new(&JwtSettings {
            secret_key: Some("too-short".into()),
            ..JwtSettings::default()
        })
        .unwrap_err();
        assert!(
            short.contains("JWT_SECRET_KEY") && short.contains("32"),
            "{short}"
        );

        let bad_private = Jwt::new(&JwtSettings {
            secret_key: Some("-----BEGIN PRIVATE KEY-----\nnot base64\n".into()),
            ..rs256_settings()
        })
        .unwrap_err();
        assert!(bad_private.contains("JWT_SECRET_KEY"), "{bad_private}");
        let no_public = Jwt::new(&JwtSettings {
            public_key: None,
            ..rs256_settings()
        })
        .unwrap_err();
        assert!(no_public.contains("JWT_PUBLIC_KEY"), "{no_public}");
        let bad_public = Jwt::new(&JwtSettings {
            public_key: Some("garbage".into()),
            ..rs256_settings()
        })
        .unwrap_err();
        assert!(bad_public.contains("JWT_PUBLIC_KEY"), "{bad_public}");
        // A public key PEM where the private one belongs parses, but cannot sign.
        let swapped = Jwt::new(&JwtSettings {
            secret_key: Some(RSA_PUBLIC_PEM.into()),
            ..rs256_settings()
        })
        .unwrap_err();
        assert!(swapped.contains("JWT_SECRET_KEY"), "{swapped}");
        assert!(!swapped.contains("BEGIN"), "no key material in {swapped}");
    }

    #[test]
    fn alg_none_is_refused() {
        let jwt = Jwt::new(&hs256_settings()).unwrap();
        let claims = jwt.claims_at("1", TokenType::Access, now_secs());
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap());
        auth_failure(jwt.decode(&format!("{header}.{payload}."), TokenType::Access));
    }

    #[test]
    fn a_token_signed_with_another_secret_is_refused() {
        let jwt = Jwt::new(&hs256_settings()).unwrap();
        let other = Jwt::new(&JwtSettings {
            secret_key: Some("another-secret-that-is-long-enough-for-hs256".into()),
            ..JwtSettings::default()
        })
        .unwrap();
        let token = other.issue("1", TokenType::Access).unwrap();
        let message = auth_failure(jwt.decode(&token, TokenType::Access));
        assert_eq!(message, "token signature is invalid");
        let message = auth_failure(jwt.decode("not-a-token", TokenType::Access));
        assert_eq!(message, "token is malformed");
    }

    #[test]
    fn expiry_is_checked_with_leeway() {
        let jwt = Jwt::new(&hs256_settings()).unwrap();
        let lifetime = 3600;
        let leeway = 30;
        let long_expired = jwt
            .issue_at("1", TokenType::Access, now_secs() - lifetime - leeway - 10)
            .unwrap();
        let message = auth_failure(jwt.decode(&long_expired, TokenType::Access));
        assert_eq!(message, "token has expired");
        let just_expired = jwt
            .issue_at("1", TokenType::Access, now_secs() - lifetime - leeway / 2)
            .unwrap();
        jwt.decode(&just_expired, TokenType::Access).unwrap();
    }

    #[test]
    fn a_token_from_the_future_is_refused() {
        let jwt = Jwt::new(&hs256_settings()).unwrap();
        let future = jwt
            .issue_at("1", TokenType::Access, now_secs() + 30 + 60)
            .unwrap();
        let message = auth_failure(jwt.decode(&future, TokenType::Access));
        assert_eq!(message, "token is not valid yet");
    }

    #[test]
    fn token_types_are_not_interchangeable() {
        let jwt = Jwt::new(&hs256_settings()).unwrap();
        let refresh = jwt.issue("1", TokenType::Refresh).unwrap();
        let message = auth_failure(jwt.decode(&refresh, TokenType::Access));
        assert_eq!(message, "a refresh token cannot be used as an access token");
        let access = jwt.issue("1", TokenType::Access).unwrap();
        auth_failure(jwt.decode(&access, TokenType::Refresh));
        assert_eq!(
            jwt.decode_any(&refresh).unwrap().token_type,
            TokenType::Refresh
        );
    }

    #[test]
    fn issuer_and_audience_must_match() {
        let checked = Jwt::new(&JwtSettings {
            issuer: Some("gqlgen".into()),
            audience: Some("shop".into()),
            ..hs256_settings()
        })
        .unwrap();
        let token = checked.issue("1", TokenType::Access).unwrap();
        let claims = checked.decode(&token, TokenType::Access).unwrap();
        assert_eq!(claims.iss.as_deref(), Some("gqlgen"));
        assert_eq!(claims.aud.as_deref(), Some("shop"));

        let other_issuer = Jwt::new(&JwtSettings {
            issuer: Some("elsewhere".into()),
            audience: Some("shop".into()),
            ..hs256_settings()
        })
        .unwrap();
        let token = other_issuer.issue("1", TokenType::Access).unwrap();
        let message = auth_failure(checked.decode(&token, TokenType::Access));
        assert_eq!(message, "token has the wrong issuer");

        let other_audience = Jwt::new(&JwtSettings {
            issuer: Some("gqlgen".into()),
            audience: Some("blog".into()),
            ..hs256_settings()
        })
        .unwrap();
        let token = other_audience.issue("1", TokenType::Access).unwrap();
        let message = auth_failure(checked.decode(&token, TokenType::Access));
        assert_eq!(message, "token has the wrong audience");

        // A token without the claims is refused where they are required (which missing claim
        // is reported first varies: jsonwebtoken keeps the required ones in a `HashSet`).
        let unchecked = Jwt::new(&hs256_settings()).unwrap();
        let token = unchecked.issue("1", TokenType::Access).unwrap();
        let message = auth_failure(checked.decode(&token, TokenType::Access));
        assert!(
            ["token has the wrong issuer", "token has the wrong audience"].contains(&&*message),
            "{message}"
        );
    }
}
