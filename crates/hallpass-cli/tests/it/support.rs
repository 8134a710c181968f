//! Starting the real binary (one server or several nodes of a deployment), running CLI
//! commands against it, and talking to it over HTTP.

use std::fs::File;
use std::future::Future;
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub const BIN: &str = env!("CARGO_BIN_EXE_hallpass");

/// The master key every node of a test deployment shares (base64 of 32 bytes).
pub const MASTER_KEY: &str = "aGFsbHBhc3MtY2x1c3Rlci10ZXN0cy1tYXN0ZXItayE=";
/// The admin key a test deployment bootstraps with.
pub const ADMIN_KEY: &str = "hp_admin_cluster_0123456789abcdefghijklmnopq";
/// The session type [`set_up_shop`] creates.
pub const TAG: &str = "user-session";
/// How soon every node must reject a session revoked on any node (SPEC section 3).
pub const PROPAGATION_BOUND: Duration = Duration::from_secs(1);

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
        Self::start_on(
            dir,
            database_url,
            &[],
            &[
                ("HALLPASS_MASTER_KEY", MASTER_KEY),
                ("HALLPASS_BOOTSTRAP_ADMIN_KEY", ADMIN_KEY),
            ],
        )
    }

    /// Starts `n` nodes on `database_url` at once (concurrent migrations and bootstrap), in
    /// the order they were asked for.
    pub fn start_nodes(dir: &Path, database_url: &str, n: usize) -> Vec<Self> {
        start_together(n, || Self::start_node(dir, database_url))
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

/// An HTTP client of one server, authenticated with one key.
#[derive(Clone)]
pub struct Api {
    client: reqwest::Client,
    url: String,
    key: String,
}

/// An HTTP answer: status and JSON body (the text as a JSON string when the body is not JSON,
/// `Value::Null` when empty).
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl Reply {
    /// The error code of an error answer, or "" for a success.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or_default()
    }

    /// `self[field]` as a string, panicking with the whole answer when it is not one.
    pub fn str(&self, field: &str) -> String {
        self.body[field]
            .as_str()
            .unwrap_or_else(|| panic!("no string {field:?} in {self:?}"))
            .to_owned()
    }

    /// Panics with the whole answer unless the status is `status`.
    #[track_caller]
    pub fn expect_status(self, status: u16) -> Self {
        assert_eq!(self.status, status, "unexpected answer: {self:?}");
        self
    }
}

impl Api {
    pub fn new(url: &str, key: &str) -> Self {
        Self {
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(20))
                .build()
                .expect("HTTP client"),
            url: url.to_owned(),
            key: key.to_owned(),
        }
    }

    /// The same server with another key.
    pub fn with_key(&self, key: &str) -> Self {
        Self {
            client: self.client.clone(),
            url: self.url.clone(),
            key: key.to_owned(),
        }
    }

    /// Sends a request; transport errors (server gone) are returned, not panicked on.
    pub async fn try_send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Reply, reqwest::Error> {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.url))
            .bearer_auth(&self.key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await?;
        Ok(Reply {
            status,
            body: if bytes.is_empty() {
                Value::Null
            } else {
                serde_json::from_slice(&bytes)
                    .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
            },
        })
    }

    pub async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Reply {
        self.try_send(method.clone(), path, body)
            .await
            .unwrap_or_else(|e| panic!("{method} {}{path} failed: {e}", self.url))
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(reqwest::Method::GET, path, None).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Reply {
        self.send(reqwest::Method::PATCH, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send(reqwest::Method::DELETE, path, None).await
    }

    /// Starts a session of [`TAG`] for `user` (the identifier).
    pub async fn start(&self, user: &str) -> Reply {
        self.post(
            "/v1/sessions/start",
            json!({"tag": TAG, "data": {"userId": user}}),
        )
        .await
    }

    pub async fn verify(&self, token: &str) -> Reply {
        self.post("/v1/sessions/verify", json!({"tag": TAG, "token": token}))
            .await
    }

    pub async fn refresh(&self, refresh_token: &str) -> Reply {
        self.post(
            "/v1/sessions/refresh",
            json!({"tag": TAG, "refreshToken": refresh_token}),
        )
        .await
    }

    pub async fn revoke(&self, session_id: &str) -> Reply {
        self.post(
            "/v1/sessions/revoke",
            json!({"tag": TAG, "sessionId": session_id}),
        )
        .await
    }

    /// Every active session of `identifier`, following `nextCursor` to the end.
    pub async fn list_all(&self, identifier: &str) -> Vec<Value> {
        let mut all = Vec::new();
        let mut cursor = Value::Null;
        loop {
            let page = self
                .post(
                    "/v1/sessions/list",
                    json!({"tag": TAG, "identifier": identifier, "limit": 1000, "cursor": cursor}),
                )
                .await
                .expect_status(200);
            all.extend(
                page.body["sessions"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default(),
            );
            cursor = page.body["nextCursor"].clone();
            if cursor.is_null() {
                return all;
            }
        }
    }
}

/// Creates product `shop` (envs dev, prd), an access key for shop/dev, and, with `admin`,
/// session type [`TAG`] (`{"userId": ...}`, selector `$Session{userId}`, one-hour tokens);
/// returns the access key.
pub async fn set_up_shop(admin: &Api) -> String {
    admin
        .post("/v1/products", json!({"tag": "shop", "name": "Shop"}))
        .await
        .expect_status(201);
    let key = admin
        .post(
            "/v1/keys",
            json!({"kind": "access", "product": "shop", "env": "dev", "name": "backend"}),
        )
        .await
        .expect_status(201)
        .str("key");
    // Session types are shared by every env: the admin key (or a key of all envs) makes them.
    admin
        .post(
            "/v1/session-types",
            json!({
                "product": "shop",
                "name": "User session", "tag": TAG, "schema": {"userId": "u"},
                "selector": "$Session{userId}", "expiry": 1, "period": "hours"
            }),
        )
        .await
        .expect_status(201);
    key
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
