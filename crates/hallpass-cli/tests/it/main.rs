//! End-to-end tests: the real `hallpass` binary on port 0, driven by its own CLI and over HTTP.

mod cli;
mod serve;
mod support;
