//! Starting the real binary (one server or several nodes of a deployment), running CLI
//! commands against it, and talking to it over HTTP: `server.rs` starts and stops it, `api.rs`
//! talks to it, `cluster.rs` runs several nodes on one PostgreSQL database.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

mod api;
pub mod cluster;
/// The webhook receiver of the HTTP layer's tests, shared rather than written twice.
#[path = "../../../../hallpass-http/tests/it/support/receiver.rs"]
pub mod receiver;
mod server;

pub use api::{Api, Reply, set_up_shop};
pub use server::{Server, serve_on_to_exit, serve_to_exit, start_together};

pub const BIN: &str = env!("CARGO_BIN_EXE_hallpass");

/// The master key every node of a test deployment shares (base64 of 32 bytes).
pub const MASTER_KEY: &str = "aGFsbHBhc3MtY2x1c3Rlci10ZXN0cy1tYXN0ZXItayE=";

/// The admin key a test deployment bootstraps with.
pub const ADMIN_KEY: &str = "hp_admin_cluster_0123456789abcdefghijklmnopq";

/// The session type [`set_up_shop`] creates.
pub const TAG: &str = "user-session";

/// How soon every node must reject a session revoked on any node (docs/API.md §12).
pub const PROPAGATION_BOUND: Duration = Duration::from_secs(1);

pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn key_file(dir: &Path) -> PathBuf {
    dir.join("h.db.master.key")
}

/// Calls `probe` every 10 ms until it returns true, and returns how long that took; panics
/// with `what` when it has not within `bound`.
pub async fn poll_until<F, Fut>(what: &str, bound: Duration, probe: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    try_poll_until(bound, probe)
        .await
        .unwrap_or_else(|| panic!("{what}: not within {bound:?}"))
}

/// Calls `probe` every 10 ms until it returns true, and returns how long that took, or `None`
/// when it has not within `bound`.
pub async fn try_poll_until<F, Fut>(bound: Duration, mut probe: F) -> Option<Duration>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let began = Instant::now();
    loop {
        if probe().await {
            return Some(began.elapsed());
        }
        if began.elapsed() >= bound {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
