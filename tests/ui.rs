//! Compile errors are user interface: each misuse of the derive has a case under `ui/` whose
//! expected message, at the user's span, is committed beside it. Regenerate after a deliberate
//! change with `TRYBUILD=overwrite cargo test -p gqlgen-tests --test ui` and read the diff.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/*.rs");
    t.pass("ui/pass/*.rs");
}
