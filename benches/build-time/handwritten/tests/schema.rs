//! The hand-written API offers what the generated one does: every type of
//! `example-app/schema.graphql`, with the same fields, arguments and types (descriptions and
//! the order of members aside), except what is listed below: the authentication types and
//! mutations, which gqlgen's runtime adds, and the example app's own root field.

use std::collections::{BTreeMap, BTreeSet};

/// The committed SDL of the generated API.
const GENERATED_SDL: &str = include_str!("../../../../example-app/schema.graphql");

/// Types of the generated API that are not about the seven models: gqlgen's authentication.
const LEFT_OUT_TYPES: &[&str] = &["TokenPair", "RevokePayload"];

/// Root fields of the generated API left out for the same reason.
const LEFT_OUT_MUTATIONS: &[&str] = &["tokenAuth", "refreshToken", "revokeToken"];

/// Connection aggregates (`aggregate { count sum avg min max }`): not written by hand here, so
/// the generated API builds more than the hand-written one it is compared with.
const LEFT_OUT_TYPE_SUFFIXES: &[&str] = &["Aggregate", "SumFields", "AvgFields", "MinMaxFields"];

/// Subscriptions (`productCreated` and the like): not written by hand here either.
const LEFT_OUT_SUBSCRIPTIONS: &[&str] = &["Subscription"];

/// The example app's own root field (`example-app/src/shop.rs`), hand-written in both APIs: it
/// is not part of what the comparison measures.
const LEFT_OUT_QUERIES: &[&str] = &["topRatedProducts"];

/// `kind Name` (`type Product`, `scalar UUID`) to the member lines of its block: fields with
/// their arguments and types, input fields, enum values. Descriptions are dropped.
fn definitions(sdl: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut definitions = BTreeMap::new();
    let mut current: Option<(String, BTreeSet<String>)> = None;
    let mut in_description = false;
    for line in sdl.lines().map(str::trim) {
        if line.starts_with("\"\"\"") {
            // A one-line description opens and closes on the same line.
            let closes_here = line.len() > 3 && line.ends_with("\"\"\"");
            if !closes_here {
                in_description = !in_description;
            }
            continue;
        }
        if in_description || line.is_empty() {
            continue;
        }
        if let Some((name, members)) = current.as_mut() {
            if line == "}" {
                definitions.insert(name.clone(), std::mem::take(members));
                current = None;
            } else {
                members.insert(line.to_owned());
            }
            continue;
        }
        let mut words = line.split_whitespace();
        match (words.next(), words.next()) {
            (Some(kind @ ("type" | "input" | "enum")), Some(name)) => {
                current = Some((format!("{kind} {name}"), BTreeSet::new()));
            }
            (Some("scalar"), Some(name)) => {
                definitions.insert(format!("scalar {name}"), BTreeSet::new());
            }
            _ => {}
        }
    }
    definitions
}

fn member_name(member: &str) -> &str {
    member.split(['(', ':']).next().unwrap_or(member).trim()
}

#[test]
fn hand_written_sdl_has_every_type_and_field_of_the_generated_one() {
    let generated = definitions(GENERATED_SDL);
    let hand_written = definitions(&build_time_handwritten::sdl());
    assert_eq!(
        generated.len(),
        103,
        "the committed SDL did not parse as expected"
    );

    let mut problems = Vec::new();
    for (definition, members) in &generated {
        let name = definition.split_whitespace().nth(1).unwrap_or_default();
        if LEFT_OUT_TYPES.contains(&name)
            || LEFT_OUT_SUBSCRIPTIONS.contains(&name)
            || LEFT_OUT_TYPE_SUFFIXES
                .iter()
                .any(|suffix| name.ends_with(suffix))
        {
            assert!(
                !hand_written.contains_key(definition),
                "{definition} is listed as left out but is present"
            );
            continue;
        }
        let Some(ours) = hand_written.get(definition) else {
            problems.push(format!("missing {definition}"));
            continue;
        };
        for member in members {
            let left_out = (definition == "type Mutation"
                && LEFT_OUT_MUTATIONS.contains(&member_name(member)))
                || (definition == "type Query" && LEFT_OUT_QUERIES.contains(&member_name(member)))
                || (definition.ends_with("Connection") && member_name(member) == "aggregate");
            if !left_out && !ours.contains(member) {
                problems.push(format!("{definition}: missing `{member}`"));
            }
        }
        for member in ours {
            if !members.contains(member) {
                problems.push(format!("{definition}: extra `{member}`"));
            }
        }
    }
    for definition in hand_written.keys() {
        if !generated.contains_key(definition) {
            problems.push(format!("extra {definition}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_model_has_its_types() {
    let sdl = build_time_handwritten::sdl();
    let models = [
        "User",
        "Category",
        "Product",
        "Tag",
        "Order",
        "OrderItem",
        "Review",
    ];
    for model in models {
        let mut names = vec![
            format!("type {model} implements Node "),
            format!("type {model}Connection "),
            format!("type {model}Edge "),
            format!("input {model}Filter "),
            format!("input {model}OrderBy "),
        ];
        // Users are read-only.
        if model != "User" {
            names.extend([
                format!("input {model}CreateInput "),
                format!("input {model}UpdateInput "),
                format!("type Create{model}Payload "),
                format!("type Update{model}Payload "),
                format!("type Delete{model}Payload "),
            ]);
        }
        for name in names {
            assert!(sdl.contains(&format!("{name}{{")), "no `{name}` in the SDL");
        }
    }
}
