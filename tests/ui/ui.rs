//! Compile errors are user interface: each misuse of the derive has a case under `cases/`, grouped
//! by attribute (one file holds several cases, each in a module of its own, since the derive
//! reports every error it finds), whose expected messages, at the user's spans, are committed
//! beside it. Regenerate after a deliberate change with
//! `TRYBUILD=overwrite cargo test -p gqlgen-ui --test ui` and read the diff. Models that
//! must compile are in `tests/derive_accepts.rs`: with no passing case here, trybuild only checks
//! (`cargo check`) and never builds the dependencies' code.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("cases/*.rs");
}
