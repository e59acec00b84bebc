//! This crate compiles the example app's API and nothing else of the app: its schema is the
//! committed one, so the build-time comparison is about the API `example-app/schema.graphql`
//! describes.

#[test]
fn sdl_is_the_example_apps() {
    let committed = include_str!("../../../../example-app/schema.graphql");
    assert!(
        build_time_generated::sdl() == committed,
        "the SDL differs from example-app/schema.graphql"
    );
}
