//! Settings the generated API reads at run time: page sizes, debug, introspection. They are
//! placed in the schema's data by [`crate::schema::build`]. The default is the production
//! profile: security on unless a development profile is chosen on purpose.

/// Run-time settings of the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Page size of a connection asked for with neither `first` nor `last`.
    pub default_page_size: u32,
    /// Largest `first` / `last` accepted; a larger one is `BAD_USER_INPUT`, not a silent clamp.
    pub max_page_size: u32,
    /// Show internal error messages and serve GraphiQL.
    pub debug: bool,
    /// Answer `__schema` / `__type` queries.
    pub introspection: bool,
    /// Most rows one bulk mutation may create, update or delete.
    pub max_batch_size: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config::production()
    }
}

impl Config {
    /// No debug output, no GraphiQL, no introspection.
    pub fn production() -> Config {
        Config {
            default_page_size: 20,
            max_page_size: 100,
            debug: false,
            introspection: false,
            max_batch_size: 100,
        }
    }

    /// Debug messages, GraphiQL and introspection: for a developer's machine.
    pub fn development() -> Config {
        Config {
            debug: true,
            introspection: true,
            ..Config::production()
        }
    }

    /// The development settings, for test suites.
    pub fn testing() -> Config {
        Config::development()
    }

    /// The settings of a profile named by `GQLGEN_PROFILE`.
    pub fn from_profile(profile: &str) -> Result<Config, String> {
        match profile {
            "production" => Ok(Config::production()),
            "development" => Ok(Config::development()),
            "testing" => Ok(Config::testing()),
            other => Err(format!(
                "GQLGEN_PROFILE is `{other}`; use development, production or testing"
            )),
        }
    }

    /// The settings of a request: those of the schema, or the defaults.
    pub fn of(ctx: &async_graphql::Context<'_>) -> Config {
        ctx.data_opt::<Config>().cloned().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_production_and_profiles_are_checked() {
        assert_eq!(Config::default(), Config::production());
        assert!(!Config::default().debug && !Config::default().introspection);
        assert!(Config::from_profile("development").unwrap().debug);
        let err = Config::from_profile("prod").unwrap_err();
        assert!(err.contains("GQLGEN_PROFILE"), "{err}");
    }
}
