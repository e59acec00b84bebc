//! Settings the generated API reads at run time: page sizes, debug. They are placed in the
//! schema's data by [`crate::schema::build`]; resolvers fall back to the defaults when absent.

/// Run-time settings of the read API.
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
}

impl Default for Config {
    fn default() -> Self {
        Config { default_page_size: 20, max_page_size: 100, debug: true, introspection: true }
    }
}

impl Config {
    /// The settings of a request: those of the schema, or the defaults.
    pub fn of(ctx: &async_graphql::Context<'_>) -> Config {
        ctx.data_opt::<Config>().cloned().unwrap_or_default()
    }
}
