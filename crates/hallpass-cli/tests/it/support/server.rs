//! The real binary as a server: started on SQLite or PostgreSQL (alone, under a wrapper, or as
//! nodes of one deployment), its CLI run against it, stopped with SIGTERM or SIGKILL; and
//! `serve` runs that must fail.

use std::fs::File;
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;
use std::time::Duration;
#[cfg(unix)]
use std::time::Instant;

use super::{ADMIN_KEY, Api, BIN, MASTER_KEY};

/// A running server and what it printed at start.
pub struct Server {
    child: Child,
    pub url: String,
    pub admin_key: Option<String>,
    pub access_key: Option<String>,
    pub printed: Vec<String>,
    log: PathBuf,
}

impl Server {
    /// Starts `hallpass serve --listen 127.0.0.1:0 --database-url sqlite://<dir>/h.db <extra>`.
    pub fn start(dir: &Path, extra: &[&str], env: &[(&str, &str)]) -> Self {
        let db = format!("sqlite://{}", dir.join("h.db").display());
        Self::start_on(dir, &db, extra, env)
    }

    /// Starts `hallpass serve --listen 127.0.0.1:0 --database-url <database_url> <extra>` in
    /// `dir`, with only `env` among the `HALLPASS_*` secrets set. Its stderr goes to a log
    /// file in `dir`, printed when the test fails.
    pub fn start_on(dir: &Path, database_url: &str, extra: &[&str], env: &[(&str, &str)]) -> Self {
        Self::start_under(&[], dir, database_url, extra, env)
    }

    /// As [`Server::start_on`], with the binary run by `wrapper` (a command and its arguments,
    /// such as `prlimit --nofile=256`), or directly when it is empty.
    pub fn start_under(
        wrapper: &[&str],
        dir: &Path,
        database_url: &str,
        extra: &[&str],
        env: &[(&str, &str)],
    ) -> Self {
        static NEXT_LOG: AtomicU32 = AtomicU32::new(0);
        let log = dir.join(format!(
            "serve-{}.log",
            NEXT_LOG.fetch_add(1, Ordering::Relaxed)
        ));
        let mut cmd = match wrapper.split_first() {
            Some((program, args)) => {
                let mut cmd = Command::new(program);
                cmd.args(args).arg(BIN);
                cmd
            }
            None => Command::new(BIN),
        };
        cmd.args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--database-url",
            database_url,
        ])
        .args(extra)
        .current_dir(dir)
        .env_remove("HALLPASS_MASTER_KEY")
        .env_remove("HALLPASS_BOOTSTRAP_ADMIN_KEY")
        .stdout(Stdio::piped())
        .stderr(File::create(&log).expect("create the server's log file"));
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
            let line = rx.recv_timeout(Duration::from_secs(60)).unwrap_or_else(|e| {
                panic!(
                    "server did not print 'listening on' ({e}); it printed {printed:?} and logged:\n{}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                )
            });
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
            log,
        }
    }

    /// Starts a node of a deployment on `database_url` (SQLite or PostgreSQL), with the
    /// deployment's [`MASTER_KEY`] and [`ADMIN_KEY`] as every node of it has.
    pub fn start_node(dir: &Path, database_url: &str) -> Self {
        Self::start_node_with(dir, database_url, &[])
    }

    /// As [`Server::start_node`], with `extra` arguments of `serve`.
    pub fn start_node_with(dir: &Path, database_url: &str, extra: &[&str]) -> Self {
        Self::start_on(
            dir,
            database_url,
            extra,
            &[
                ("HALLPASS_MASTER_KEY", MASTER_KEY),
                ("HALLPASS_BOOTSTRAP_ADMIN_KEY", ADMIN_KEY),
            ],
        )
    }

    /// Starts `n` nodes on `database_url` at once (concurrent migrations and bootstrap), in
    /// the order they were asked for.
    pub fn start_nodes(dir: &Path, database_url: &str, n: usize) -> Vec<Self> {
        Self::start_nodes_with(dir, database_url, n, &[])
    }

    /// As [`Server::start_nodes`], with `extra` arguments of `serve`.
    pub fn start_nodes_with(dir: &Path, database_url: &str, n: usize, extra: &[&str]) -> Vec<Self> {
        start_together(n, || Self::start_node_with(dir, database_url, extra))
    }

    /// What the server wrote to stderr so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// An HTTP client of this server with `key`.
    pub fn api(&self, key: &str) -> Api {
        Api::new(&self.url, key)
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

    /// The `host:port` it listens on.
    pub fn addr(&self) -> &str {
        self.url.strip_prefix("http://").unwrap_or(&self.url)
    }

    /// Sends SIGTERM and waits up to `within` for the process to exit; its status, or `None`
    /// when it is still running then.
    #[cfg(unix)]
    pub fn terminate(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -TERM failed");
        let began = Instant::now();
        while began.elapsed() < within {
            if let Some(status) = self.child.try_wait().expect("wait for the server") {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
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
        if std::thread::panicking() {
            eprintln!("--- log of the server at {}:\n{}", self.url, self.log());
        }
    }
}

/// Runs `start` `n` times at once, each on a thread of its own, and returns the servers.
pub fn start_together(n: usize, start: impl Fn() -> Server + Sync) -> Vec<Server> {
    std::thread::scope(|scope| {
        let starting: Vec<_> = (0..n).map(|_| scope.spawn(&start)).collect();
        starting
            .into_iter()
            .map(|s| s.join().expect("server started"))
            .collect()
    })
}

/// Runs `serve` on `sqlite://h.db` in `dir` with only `env` among the `HALLPASS_*` secrets
/// set, and waits for it to exit: for start-ups that must fail.
pub fn serve_to_exit(dir: &Path, env: &[(&str, &str)]) -> Output {
    serve_on_to_exit(dir, "sqlite://h.db", env)
}

/// As [`serve_to_exit`], on `database_url`.
pub fn serve_on_to_exit(dir: &Path, database_url: &str, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args([
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--database-url",
        database_url,
    ])
    .current_dir(dir)
    .env_remove("HALLPASS_MASTER_KEY")
    .env_remove("HALLPASS_BOOTSTRAP_ADMIN_KEY");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run hallpass serve")
}
