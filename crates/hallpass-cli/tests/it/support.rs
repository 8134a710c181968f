//! Starting the real binary and running CLI commands against it.

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_hallpass");

/// A running server and what it printed at start.
pub struct Server {
    child: Child,
    pub url: String,
    pub admin_key: Option<String>,
    pub access_key: Option<String>,
    pub printed: Vec<String>,
}

impl Server {
    /// Starts `hallpass serve --listen 127.0.0.1:0 --database-url sqlite://<dir>/h.db <extra>`.
    pub fn start(dir: &Path, extra: &[&str], env: &[(&str, &str)]) -> Self {
        let db = format!("sqlite://{}", dir.join("h.db").display());
        let mut cmd = Command::new(BIN);
        cmd.args(["serve", "--listen", "127.0.0.1:0", "--database-url", &db])
            .args(extra)
            .current_dir(dir)
            .env_remove("HALLPASS_MASTER_KEY")
            .env_remove("HALLPASS_BOOTSTRAP_ADMIN_KEY")
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn hallpass");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut printed = Vec::new();
        loop {
            let line = rx
                .recv_timeout(Duration::from_secs(60))
                .expect("server printed 'listening on' in time");
            let done = line.starts_with("listening on ");
            printed.push(line);
            if done {
                break;
            }
        }
        let find = |prefix: &str| {
            printed
                .iter()
                .find_map(|l| l.strip_prefix(prefix).map(str::to_owned))
        };
        Self {
            url: find("listening on ").expect("url"),
            admin_key: find("admin key: "),
            access_key: find("access key (demo/dev): "),
            printed,
            child,
        }
    }

    /// Starts `serve --dev` and returns the server with the access key it printed.
    pub fn start_dev(dir: &Path) -> (Self, String) {
        let server = Self::start(dir, &["--dev"], &[]);
        let key = server
            .access_key
            .clone()
            .expect("--dev prints an access key");
        (server, key)
    }

    /// Runs a client command against this server with `key`.
    pub fn cli(&self, key: &str, args: &[&str]) -> Output {
        Command::new(BIN)
            .args(args)
            .env("HALLPASS_URL", &self.url)
            .env("HALLPASS_KEY", key)
            .env_remove("HALLPASS_PRODUCT")
            .env_remove("HALLPASS_ENV")
            .output()
            .expect("run hallpass")
    }

    /// Runs a client command that must succeed with `--json`, returning the parsed answer.
    pub fn cli_json(&self, key: &str, args: &[&str]) -> serde_json::Value {
        let mut all = args.to_vec();
        all.push("--json");
        let out = self.cli(key, &all);
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("JSON output")
    }

    /// Stops the server with SIGKILL (no chance to flush anything).
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn key_file(dir: &Path) -> PathBuf {
    dir.join("h.db.master.key")
}

/// Runs `serve` on `sqlite://h.db` in `dir` with only `env` among the `HALLPASS_*` secrets
/// set, and waits for it to exit: for start-ups that must fail.
pub fn serve_to_exit(dir: &Path, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args([
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--database-url",
        "sqlite://h.db",
    ])
    .current_dir(dir)
    .env_remove("HALLPASS_MASTER_KEY")
    .env_remove("HALLPASS_BOOTSTRAP_ADMIN_KEY");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run hallpass serve")
}
