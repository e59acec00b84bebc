//! Benchmarks of gqlgen. The relations benchmark (`benches/relations.rs`) compares the example
//! app's generated API with [`baseline`], the same listing written by hand with async-graphql's
//! DataLoader; `bench-server` serves either one as a process of its own so that its memory can
//! be measured apart from the load generator.

pub mod baseline;
pub mod client;

use gqlgen_runtime::Config;
use sea_orm::DatabaseConnection;

/// The two servers the benchmark compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The example app's generated API.
    Gqlgen,
    /// The hand-written async-graphql + DataLoader server of [`baseline`].
    Baseline,
}

impl Kind {
    pub const ALL: [Kind; 2] = [Kind::Gqlgen, Kind::Baseline];

    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Gqlgen => "gqlgen",
            Kind::Baseline => "baseline",
        }
    }

    /// Parses a name given by [`Kind::name`].
    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.name() == name)
    }
}

/// The settings the example app runs with in the benchmark: development, with pages of up to
/// 1,000 rows.
pub fn gqlgen_config() -> Config {
    let mut config = Config {
        max_page_size: 1000,
        ..Config::development()
    };
    // The load generator is one client: the limits would measure themselves, not the API.
    config.rate_limit.enabled = false;
    config.limits.max_complexity = u64::MAX;
    config
}

/// The router of `kind` over `db`.
pub fn router(kind: Kind, db: DatabaseConnection) -> axum::Router {
    match kind {
        Kind::Gqlgen => example_app::router(db, example_app::with_signing_key(gqlgen_config()))
            .expect("the example app starts"),
        Kind::Baseline => baseline::router(db),
    }
}

/// The list-with-relations query of the benchmark, for a page of `first` products.
pub fn relations_query(first: u32) -> String {
    format!(
        "{{ products(first: {first}) {{ edges {{ node {{ name category {{ name parent {{ name }} }} \
         tags {{ edges {{ node {{ name }} }} }} owner {{ username }} \
         reviews(first: 3) {{ edges {{ node {{ rating }} }} }} }} }} }} }}"
    )
}
