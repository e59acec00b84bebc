//! The example app's binary as a user runs it.

use std::process::Command;

fn example_app() -> Command {
    Command::new(env!("CARGO_BIN_EXE_example-app"))
}

#[test]
fn schema_prints_the_committed_sdl() {
    let output = example_app().arg("schema").output().expect("runs");
    assert!(output.status.success());
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql")).unwrap();
    assert_eq!(String::from_utf8(output.stdout).unwrap(), committed);
}

fn assert_one_line_failure(args: &[&str], expected: &str) {
    let output = example_app()
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
    assert!(stderr.contains(expected), "{args:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
}

#[test]
fn a_bad_database_url_ends_with_one_line_not_a_panic() {
    for url in [
        "postgres://nobody:secret@127.0.0.1:1/nothing",
        "mysqlx://what",
        "sqlite:///no/such/dir/x.sqlite",
    ] {
        let output = example_app()
            .args(["serve", "--database-url", url])
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{url}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{url}: {stderr}");
        assert!(
            stderr.starts_with("error: cannot open database"),
            "{url}: {stderr}"
        );
        assert!(
            !stderr.contains("secret"),
            "the password is redacted: {stderr}"
        );
    }
}

#[test]
fn bad_arguments_are_explained() {
    assert_one_line_failure(&["frobnicate"], "unknown command `frobnicate`");
    assert_one_line_failure(&["serve", "--addr", "here"], "HOST:PORT");
    assert_one_line_failure(&["serve", "--port", "1"], "unknown option `--port`");
}

#[test]
fn an_unknown_profile_is_refused_by_name() {
    let output = example_app()
        .args(["serve", "--database-url", "sqlite::memory:"])
        .env("GQLGEN_PROFILE", "prod")
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.starts_with("error: GQLGEN_PROFILE"), "{stderr}");
    assert!(stderr.contains("`prod`"), "{stderr}");
}

#[test]
fn production_refuses_to_start_without_a_usable_signing_key_or_with_a_malformed_setting() {
    let cases: [(&[(&str, &str)], &str); 4] = [
        (&[], "JWT_SECRET_KEY"),
        (&[("JWT_SECRET_KEY", "short")], "JWT_SECRET_KEY"),
        (
            &[
                ("JWT_SECRET_KEY", "0123456789abcdef0123456789abcdef"),
                ("RATE_LIMIT_RPM", "lots"),
            ],
            "RATE_LIMIT_RPM",
        ),
        (
            &[
                ("JWT_SECRET_KEY", "0123456789abcdef0123456789abcdef"),
                ("JWT_ALGORITHM", "none"),
            ],
            "JWT_ALGORITHM",
        ),
    ];
    for (vars, named) in cases {
        let mut command = example_app();
        command
            .args(["serve", "--database-url", "sqlite::memory:"])
            .env("GQLGEN_PROFILE", "production");
        for name in [
            "JWT_SECRET_KEY",
            "JWT_ALGORITHM",
            "RATE_LIMIT_RPM",
            "GQLGEN_CONFIG",
        ] {
            command.env_remove(name);
        }
        for (name, value) in vars {
            command.env(name, value);
        }
        let output = command.output().expect("runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{vars:?}: {stderr}");
        assert!(stderr.starts_with("error: "), "{vars:?}: {stderr}");
        assert!(stderr.contains(named), "{vars:?}: {stderr}");
        assert!(
            !stderr.contains("short"),
            "the value is not echoed: {stderr}"
        );
    }
}
