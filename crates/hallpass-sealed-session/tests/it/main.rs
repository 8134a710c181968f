//! The sealed-session layer and extractor driven through an axum router with `oneshot`, a
//! manual clock, and seals made as h3 makes them.

mod chunked;
mod lifecycle;
mod migration;
mod refusals;
mod support;
