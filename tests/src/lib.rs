//! Integration tests live in `tests/`; see `tests/common/mod.rs` for the server harness.
