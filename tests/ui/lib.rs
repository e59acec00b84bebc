//! Empty: this package exists for its `ui` test (see `ui.rs`).
