//! HTTP integration tests.
