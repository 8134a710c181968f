//! A real nginx in front of an app, its `auth_request` pointed at hallpass's forward-auth
//! (docs/API.md §6): the configuration `docs/PROXIES.md` gives, proven end to end. nginx must
//! be installed (`scripts/test.sh` installs it); the test fails, not skips, without it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, Method, Uri};
use serde_json::{Value, json};

use crate::support::{Api, PROPAGATION_BOUND, Reply, Server, poll_until, tempdir};

/// What `serve --dev` creates: product `demo`, env `dev`, session type `user-session`.
const PRODUCT: &str = "demo";
const ENV: &str = "dev";
const TAG: &str = "user-session";
/// The cookie the test gives the session type.
const COOKIE: &str = "sid";

/// nginx on PATH or in /usr/sbin, else a failure that says how to install it.
fn nginx_binary() -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join("nginx"))
        .find(|p| p.is_file());
    let fallback = PathBuf::from("/usr/sbin/nginx");
    on_path
        .or_else(|| fallback.is_file().then_some(fallback))
        .unwrap_or_else(|| {
            panic!(
                "nginx is not installed (not on PATH, not /usr/sbin/nginx): this test runs a real \
                 nginx in front of hallpass. Install it: `apt-get install nginx-light` (or \
                 `nginx`); scripts/test.sh does so on Debian."
            )
        })
}

/// One request the upstream app received.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    headers: Vec<(String, String)>,
}

/// The app behind nginx: records every request and answers with the request's headers as JSON
/// (`{"method", "uri", "headers": {name: [values]}}`).
struct Upstream {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Upstream {
    async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the upstream app");
        let addr = listener.local_addr().expect("upstream address");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = Arc::clone(&seen);
        let app = axum::Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap| async move {
                let pairs: Vec<(String, String)> = headers
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.as_str().to_owned(),
                            String::from_utf8_lossy(v.as_bytes()).into_owned(),
                        )
                    })
                    .collect();
                let mut echoed = serde_json::Map::new();
                for (name, value) in &pairs {
                    echoed
                        .entry(name.clone())
                        .or_insert_with(|| json!([]))
                        .as_array_mut()
                        .expect("an array")
                        .push(json!(value));
                }
                record.lock().expect("lock").push(Seen {
                    path: uri.to_string(),
                    headers: pairs,
                });
                axum::Json(json!({
                    "method": method.as_str(),
                    "uri": uri.to_string(),
                    "headers": echoed,
                }))
            },
        );
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { addr, seen, task }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("lock").clone()
    }
}

impl Drop for Upstream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A running nginx (one process, `master_process off`), killed on drop.
struct Nginx {
    child: Child,
    url: String,
    dir: PathBuf,
}

impl Nginx {
    /// Writes `nginx.conf` into `dir` and runs nginx on it, on a free port; waits until the port
    /// accepts connections.
    async fn start(dir: &Path, upstream: SocketAddr, hallpass: &str) -> Self {
        let bin = nginx_binary();
        let version = Command::new(&bin).arg("-V").output().expect("run nginx -V");
        // nginx prints -V on stderr.
        let build = String::from_utf8_lossy(&version.stderr).into_owned();
        std::fs::create_dir_all(dir).expect("nginx dir");
        // The port is free when asked; another process may take it before nginx binds it, so
        // try again on "Address already in use".
        for _attempt in 0..5 {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("a free port")
                .port();
            let conf = dir.join("nginx.conf");
            std::fs::write(&conf, nginx_conf(dir, &build, port, upstream, hallpass))
                .expect("write nginx.conf");
            let _ = std::fs::remove_file(dir.join("error.log"));
            let mut cmd = Command::new(&bin);
            cmd.arg("-p").arg(dir).arg("-c").arg(&conf);
            if supports_e_flag(&build) {
                cmd.arg("-e").arg(dir.join("error.log"));
            }
            let child = cmd
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(dir.join("stderr.log")).expect("nginx stderr file"))
                .spawn()
                .unwrap_or_else(|e| panic!("spawn {}: {e}", bin.display()));
            let mut nginx = Self {
                child,
                url: format!("http://127.0.0.1:{port}"),
                dir: dir.to_owned(),
            };
            let began = Instant::now();
            loop {
                if let Some(status) = nginx.child.try_wait().expect("nginx status") {
                    let log = nginx.log();
                    if log.contains("Address already in use") {
                        break;
                    }
                    panic!(
                        "nginx exited at start ({status}); conf:\n{}\nlog:\n{log}",
                        std::fs::read_to_string(&conf).unwrap_or_default()
                    );
                }
                if tokio::net::TcpStream::connect(("127.0.0.1", port))
                    .await
                    .is_ok()
                {
                    return nginx;
                }
                assert!(
                    began.elapsed() < Duration::from_secs(10),
                    "nginx did not listen on port {port} within 10 s; log:\n{}",
                    nginx.log()
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        panic!("nginx found no free port in 5 attempts");
    }

    /// nginx's error log and stderr.
    fn log(&self) -> String {
        let read = |name: &str| std::fs::read_to_string(self.dir.join(name)).unwrap_or_default();
        format!("{}{}", read("stderr.log"), read("error.log"))
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("--- log of nginx at {}:\n{}", self.url, self.log());
        }
    }
}

/// `-e <error log>` exists since nginx 1.19.5; older versions only read `error_log` from the
/// configuration (and warn when they cannot open the built-in path first).
fn supports_e_flag(build: &str) -> bool {
    let Some(version) = build
        .split_whitespace()
        .find_map(|w| w.strip_prefix("nginx/"))
    else {
        return false;
    };
    let parts: Vec<u32> = version.split('.').map(|p| p.parse().unwrap_or(0)).collect();
    parts >= vec![1, 19, 5]
}

/// The configuration of docs/PROXIES.md, with every file nginx writes inside `dir` so that it
/// runs as any user.
fn nginx_conf(dir: &Path, build: &str, port: u16, upstream: SocketAddr, hallpass: &str) -> String {
    let d = dir.display();
    // Temp paths of modules this nginx has; naming a module it was built without is an error.
    let temp_paths: String = ["fastcgi", "uwsgi", "scgi"]
        .iter()
        .filter(|m| !build.contains(&format!("--without-http_{m}_module")))
        .map(|m| format!("    {m}_temp_path \"{d}/{m}_temp\";\n"))
        .collect();
    format!(
        r#"daemon off;
master_process off;
worker_processes 1;
pid "{d}/nginx.pid";
error_log "{d}/error.log" info;

events {{
    worker_connections 64;
}}

http {{
    access_log "{d}/access.log";
    client_body_temp_path "{d}/client_body_temp";
    proxy_temp_path "{d}/proxy_temp";
{temp_paths}
    server {{
        listen 127.0.0.1:{port};

        location /app/ {{
            auth_request /_hallpass;
            auth_request_set $session_id $upstream_http_x_session_id;
            auth_request_set $session_identifier $upstream_http_x_session_identifier;
            auth_request_set $session_tag $upstream_http_x_session_tag;
            auth_request_set $session_data $upstream_http_x_session_data;
            # Overwrite (or, when empty, drop) whatever X-Session-* the client sent.
            proxy_set_header X-Session-Id $session_id;
            proxy_set_header X-Session-Identifier $session_identifier;
            proxy_set_header X-Session-Tag $session_tag;
            proxy_set_header X-Session-Data $session_data;
            proxy_set_header Host $host;
            proxy_pass http://{upstream};
        }}

        location = /_hallpass {{
            internal;
            proxy_pass http://{hallpass}/v1/forward-auth?product={PRODUCT}&env={ENV}&tag={TAG};
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
            proxy_set_header X-Original-URI $request_uri;
        }}
    }}
}}
"#
    )
}

/// A client of nginx (no system proxy: everything is on 127.0.0.1).
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("HTTP client")
}

/// `GET <nginx>/app/<path>` with `headers`: the status and the JSON body (Null when not JSON,
/// as nginx's own 401 page).
async fn through_nginx(
    client: &reqwest::Client,
    nginx: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, Value) {
    let mut request = client.get(format!("{nginx}/app/{path}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {nginx}/app/{path}: {e}"));
    let status = response.status().as_u16();
    let bytes = response.bytes().await.expect("body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// The values of header `name` the upstream app echoed.
fn echoed<'b>(body: &'b Value, name: &str) -> Vec<&'b str> {
    body["headers"][name]
        .as_array()
        .map(|values| values.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

async fn start_session(api: &Api, user: &str) -> Reply {
    api.post(
        "/v1/sessions/start",
        json!({"tag": TAG, "data": {"userId": user, "email": "user@example.com"}}),
    )
    .await
    .expect_status(200)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nginx_auth_request_lets_only_live_sessions_through_to_the_app() {
    let began = Instant::now();
    let dir = tempdir();
    let (server, key) = Server::start_dev(dir.path());
    let api = server.api(&key);
    let hallpass = server
        .url
        .strip_prefix("http://")
        .expect("an http:// url")
        .to_owned();
    let upstream = Upstream::start().await;
    let nginx = Nginx::start(&dir.path().join("nginx"), upstream.addr, &hallpass).await;
    let http = client();
    let url = nginx.url.clone();

    // (a) No session, or a token that is not one: 401 at the client, the app never asked.
    for headers in [
        vec![],
        vec![("authorization", "Bearer not.a.token")],
        vec![("x-hallpass-session", "garbage")],
        vec![("cookie", "sid=garbage")],
    ] {
        let (status, _) = through_nginx(&http, &url, "hello", &headers).await;
        assert_eq!(status, 401, "{headers:?}");
    }
    assert!(
        upstream.seen().is_empty(),
        "the app must see no request without a session: {:?}",
        upstream.seen()
    );

    // (b) A valid token as Bearer: through, with the session's headers.
    let session = start_session(&api, "user-123").await;
    let token = session.str("token");
    let session_id = session.str("sessionId");
    assert_eq!(session.str("identifier"), "user-123");
    let bearer = format!("Bearer {token}");
    let (status, body) =
        through_nginx(&http, &url, "hello?x=1", &[("authorization", &bearer)]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["uri"], "/app/hello?x=1");
    assert_eq!(echoed(&body, "x-session-identifier"), ["user-123"]);
    assert_eq!(echoed(&body, "x-session-id"), [session_id.as_str()]);
    assert_eq!(echoed(&body, "x-session-tag"), [TAG]);
    assert!(
        echoed(&body, "x-session-data").is_empty(),
        "no X-Session-Data without forwardData: {body}"
    );
    let seen = upstream.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].path, "/app/hello?x=1");
    assert!(
        seen[0]
            .headers
            .iter()
            .any(|(k, v)| k == "x-session-identifier" && v == "user-123"),
        "{seen:?}"
    );

    // The same token in X-Hallpass-Session.
    let (status, body) =
        through_nginx(&http, &url, "other", &[("x-hallpass-session", &token)]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(echoed(&body, "x-session-identifier"), ["user-123"]);

    // X-Session-* sent by the client never reach the app: nginx overwrites or drops them.
    let (status, body) = through_nginx(
        &http,
        &url,
        "spoof",
        &[
            ("authorization", &bearer),
            ("x-session-identifier", "admin"),
            ("x-session-id", "forged"),
            ("x-session-data", "eyJyb2xlIjoiYWRtaW4ifQ"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(echoed(&body, "x-session-identifier"), ["user-123"]);
    assert_eq!(echoed(&body, "x-session-id"), [session_id.as_str()]);
    assert!(echoed(&body, "x-session-data").is_empty(), "{body}");
    // ...nor does a valid-looking header without a session get anything through.
    let (status, _) =
        through_nginx(&http, &url, "spoof", &[("x-session-identifier", "admin")]).await;
    assert_eq!(status, 401);

    // An identifier a header cannot hold arrives percent-encoded.
    let odd = start_session(&api, "zoë 100%").await;
    let (status, body) = through_nginx(
        &http,
        &url,
        "odd",
        &[("authorization", &format!("Bearer {}", odd.str("token")))],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(echoed(&body, "x-session-identifier"), ["zo%C3%AB 100%25"]);

    // (c) The session type's cookie (set with the admin key: types are shared by every env).
    let admin = server
        .admin_key
        .as_deref()
        .expect("--dev prints the admin key");
    server
        .api(admin)
        .patch(
            &format!("/v1/session-types/{TAG}"),
            json!({"product": "demo", "cookie": {"name": COOKIE, "secure": false}}),
        )
        .await
        .expect_status(200);
    let by_cookie = start_session(&api, "cookie-user").await;
    let cookie_token = by_cookie.str("token");
    let set_cookie = by_cookie.body["cookies"]
        .as_array()
        .and_then(|all| {
            all.iter()
                .filter_map(Value::as_str)
                .find(|c| c.starts_with(&format!("{COOKIE}=")))
        })
        .unwrap_or_else(|| panic!("no {COOKIE} cookie in {by_cookie:?}"));
    let pair = set_cookie.split(';').next().expect("name=value");
    assert_eq!(pair, format!("{COOKIE}={cookie_token}"));
    let cookies = format!("theme=dark; {pair}");
    let (status, body) = through_nginx(&http, &url, "cookie", &[("cookie", &cookies)]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(echoed(&body, "x-session-identifier"), ["cookie-user"]);
    assert_eq!(
        echoed(&body, "x-session-id"),
        [by_cookie.str("sessionId").as_str()]
    );

    // (d) Revoked: 401 again within the bound, and from then on the app is not asked.
    for (revoked, headers) in [
        (&session, vec![("authorization", bearer.clone())]),
        (&by_cookie, vec![("cookie", cookies.clone())]),
    ] {
        api.post(
            "/v1/sessions/revoke",
            json!({"tag": TAG, "sessionId": revoked.str("sessionId")}),
        )
        .await
        .expect_status(200);
        let took = poll_until(
            "a revoked session is refused by nginx",
            PROPAGATION_BOUND,
            || {
                let (http, url, headers) = (http.clone(), url.clone(), headers.clone());
                async move {
                    let headers: Vec<(&str, &str)> =
                        headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
                    through_nginx(&http, &url, "after-revoke", &headers).await.0 == 401
                }
            },
        )
        .await;
        println!(
            "revocation of {} ({}) took effect at nginx after {took:?}",
            revoked.str("sessionId"),
            headers[0].0
        );
        let reached = upstream.seen().len();
        let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, _) = through_nginx(&http, &url, "after-revoke", &headers).await;
        assert_eq!(status, 401, "the flip must stick");
        assert_eq!(
            upstream.seen().len(),
            reached,
            "a request with a revoked session reached the app"
        );
    }
    println!("nginx test took {:?}", began.elapsed());
}
