//! The schema as users see it: the committed SDL is current, and hidden columns are nowhere.

#[test]
fn committed_schema_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../example-app/schema.graphql");
    let committed = std::fs::read_to_string(path).expect("example-app/schema.graphql exists");
    let current = example_app::sdl();
    assert!(
        committed == current,
        "example-app/schema.graphql is stale; regenerate it with `cargo run -p example-app -- schema > example-app/schema.graphql`"
    );
}

#[test]
fn excluded_and_skipped_columns_appear_nowhere() {
    let sdl = example_app::sdl();
    for hidden in [
        "passwordHash",
        "password_hash",
        "socialSecurityNumber",
        "social_security_number",
    ] {
        assert!(!sdl.contains(hidden), "`{hidden}` leaks into the schema");
    }
    // But the User type, its filter and its ordering exist.
    for present in [
        "type User implements Node {",
        "input UserFilter {",
        "input UserOrderBy {",
        "username_Icontains: String",
    ] {
        assert!(sdl.contains(present), "missing `{present}`");
    }
}

#[test]
fn descriptions_come_from_doc_comments() {
    let sdl = example_app::sdl();
    assert!(
        sdl.contains("\"\"\"\nSomething for sale.\n\"\"\"\ntype Product"),
        "type description"
    );
    assert!(
        sdl.contains("The product's display name."),
        "field description"
    );
    assert!(
        sdl.contains("Placed, not paid yet."),
        "enum value description"
    );
}

#[test]
fn the_committed_api_docs_are_current() {
    let docs = example_app::api_docs().expect("the SDL parses");
    for (name, text) in docs.files() {
        let path = format!("{}/../example-app/docs/{name}", env!("CARGO_MANIFEST_DIR"));
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == text,
            "example-app/docs/{name} is stale; regenerate the docs with `cargo run -p example-app -- docs --out example-app/docs`"
        );
    }
}
