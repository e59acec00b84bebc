//! Compile errors are user interface: each misuse of the derive has a case under `cases/`, grouped
//! by attribute (one file holds several cases, each in a module of its own, since the derive
//! reports every error it finds), whose expected messages, at the user's spans, are committed
//! beside it. Regenerate after a deliberate change with
//! `TRYBUILD=overwrite cargo test -p gqlgen-ui --test ui` and read the diff. Models that
//! must compile are in `tests/derive_accepts.rs`: with no passing case here, trybuild only checks
//! (`cargo check`) and never builds the dependencies' code.

/// The flags trybuild gives rustc when it checks the cases. It checks the dependencies first with
/// these flags but `--diagnostic-width`, then the cases with it, and flags are part of what
/// cargo caches by: a cold run checked all ~450 dependencies twice (86 s, then 49 s more on
/// 2 cores). `CARGO_ENCODED_RUSTFLAGS` outranks the flags trybuild passes as `--config`, so
/// both runs get these, the same ones, and the dependencies are checked once.
const RUSTFLAGS: [&str; 6] = [
    "--cfg",
    "trybuild",
    "--verbose",
    "-A",
    "dead_code",
    "--diagnostic-width=140",
];

#[test]
fn ui() {
    // SAFETY: the only test of this binary; no other thread reads the environment yet.
    unsafe { std::env::set_var("CARGO_ENCODED_RUSTFLAGS", RUSTFLAGS.join("\u{1f}")) };
    let t = trybuild::TestCases::new();
    t.compile_fail("cases/*.rs");
}
