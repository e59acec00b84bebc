//! This crate compiles the example app's API and nothing else of the app: its schema is the
//! committed one, so the build-time comparison is about the API `example-app/schema.graphql`
//! describes, but for the app's own hand-written root field (`example-app/src/shop.rs`), which
//! is hand-written in both APIs and left out of both.

/// The committed SDL without the example app's hand-written `topRatedProducts` and its
/// description.
fn generated_part(sdl: &str) -> String {
    let lines: Vec<&str> = sdl.lines().collect();
    let field = lines
        .iter()
        .position(|line| line.trim_start().starts_with("topRatedProducts("))
        .expect("the committed SDL has topRatedProducts");
    // Its description is the three lines before it.
    let mut kept: Vec<&str> = lines[..field - 3].to_vec();
    kept.extend(&lines[field + 1..]);
    kept.join("\n") + "\n"
}

#[test]
fn sdl_is_the_example_apps() {
    let committed = include_str!("../../../../example-app/schema.graphql");
    assert!(
        build_time_generated::sdl() == generated_part(committed),
        "the SDL differs from example-app/schema.graphql"
    );
}
