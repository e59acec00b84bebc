//! Query analysis on arbitrary input. The bytes up to the first NUL are the document (as UTF-8,
//! lossily), the bytes after it the variables as JSON. `limits::check_request` with the default
//! limits, introspection off and on, must return without a panic or a stack overflow, never with
//! `INTERNAL_ERROR`; the parse it hands to execution must then be there without one either.
//!
//! It runs on a thread with a 2 MiB stack, the size of tokio's worker threads, where requests
//! run in the server: a recursion that would overflow there overflows here.

#![no_main]

use async_graphql::{Request, Variables};
use gqlgen_runtime::ErrorCode;
use gqlgen_runtime::config::QueryLimits;
use gqlgen_runtime::limits::check_request;
use libfuzzer_sys::fuzz_target;

/// The stack of a tokio worker thread.
const STACK: usize = 2 << 20;

/// The example app's default page size.
const DEFAULT_PAGE_SIZE: u32 = 20;

fuzz_target!(|data: &[u8]| {
    let (document, variables) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let document = String::from_utf8_lossy(document).into_owned();
    // The HTTP layer reads the body with serde_json too, so its nesting limit applies there.
    let variables = serde_json::from_slice::<serde_json::Value>(variables).ok();
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(STACK)
            .spawn_scoped(scope, || analyse(&document, variables.as_ref()))
            .expect("a thread")
            .join()
            .expect("no panic");
    });
});

fn analyse(document: &str, variables: Option<&serde_json::Value>) {
    let limits = QueryLimits::default();
    for introspection in [false, true] {
        let mut request = Request::new(document);
        if let Some(variables) = variables {
            request = request.variables(Variables::from_json(variables.clone()));
        }
        match check_request(&mut request, &limits, DEFAULT_PAGE_SIZE, introspection) {
            // Execution starts from this parse (made again when the analysis could not parse).
            Ok(()) => drop(request.parsed_query()),
            Err(err) => assert_ne!(
                err.code,
                ErrorCode::InternalError,
                "INTERNAL_ERROR from the analysis: {}",
                err.message
            ),
        }
    }
}
