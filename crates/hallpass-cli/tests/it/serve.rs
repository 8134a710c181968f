//! `hallpass serve`: bootstrap, persistence across restarts, master key handling.

use crate::support::{Server, key_file, serve_to_exit, stderr, tempdir};

const ADMIN: &str = "hp_admin_e2e_0123456789abcdefghijklmnopqrstuv";

#[test]
fn a_supplied_bootstrap_admin_key_is_taken_from_the_environment_and_never_printed() {
    let dir = tempdir();
    let first = Server::start(dir.path(), &[], &[("HALLPASS_BOOTSTRAP_ADMIN_KEY", ADMIN)]);
    let everything = format!("{}\n{}", first.printed.join("\n"), first.log());
    assert!(
        !everything.contains(ADMIN),
        "the operator's key reached the output:\n{everything}"
    );
    assert_eq!(
        first.admin_key.as_deref(),
        Some("created from HALLPASS_BOOTSTRAP_ADMIN_KEY (the database had none)")
    );
    let products = first.cli_json(ADMIN, &["products", "list"]);
    assert_eq!(products["products"], serde_json::json!([]));
    first.kill();
    let second = Server::start(dir.path(), &[], &[("HALLPASS_BOOTSTRAP_ADMIN_KEY", ADMIN)]);
    assert_eq!(
        second.admin_key, None,
        "an existing admin key is not printed again"
    );
}

#[test]
fn a_different_bootstrap_key_on_a_bootstrapped_database_is_reported_as_ignored() {
    let dir = tempdir();
    let first = Server::start(dir.path(), &[], &[]);
    let existing = first
        .admin_key
        .clone()
        .expect("a random admin key is printed");
    first.kill();
    let second = Server::start(dir.path(), &[], &[("HALLPASS_BOOTSTRAP_ADMIN_KEY", ADMIN)]);
    assert_eq!(second.admin_key, None);
    let log = second.log();
    assert!(
        log.contains("HALLPASS_BOOTSTRAP_ADMIN_KEY was ignored"),
        "the operator must learn that their key does not work; the server logged:\n{log}"
    );
    let products = second.cli_json(&existing, &["products", "list"]);
    assert_eq!(products["products"], serde_json::json!([]));
}

#[test]
fn a_malformed_bootstrap_key_stops_the_server_with_a_clear_message() {
    let dir = tempdir();
    let out = serve_to_exit(
        dir.path(),
        &[("HALLPASS_BOOTSTRAP_ADMIN_KEY", "hp_admin_short")],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("at least 32 characters"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_supplied_bootstrap_key_with_little_entropy_stops_the_server() {
    let dir = tempdir();
    let weak = format!("hp_admin_{}", "a".repeat(32));
    let out = serve_to_exit(dir.path(), &[("HALLPASS_BOOTSTRAP_ADMIN_KEY", &weak)]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("too easy to guess"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn connection_limits_out_of_range_stop_the_server_with_a_clear_message() {
    for (variable, value, says) in [
        (
            "HALLPASS_HEADER_READ_TIMEOUT",
            "0",
            "header read timeout must be at least 1 second",
        ),
        (
            "HALLPASS_IDLE_TIMEOUT",
            "100000",
            "idle timeout must be at most 86400 seconds",
        ),
        (
            "HALLPASS_MAX_CONNECTIONS",
            "0",
            "max connections must be between 1 and 1000000",
        ),
        ("HALLPASS_SHUTDOWN_TIMEOUT", "soon", "invalid value 'soon'"),
        (
            "HALLPASS_EVENT_RETENTION",
            "10m",
            "event retention must be between 1 hour and 10 years",
        ),
        (
            "HALLPASS_EVENT_RETENTION",
            "a month",
            "event retention 'a month' is not a duration",
        ),
        (
            "HALLPASS_AUTH_FAILURE_BURST",
            "0",
            "auth failure burst must be between 1 and 1000000",
        ),
        (
            "HALLPASS_AUTH_FAILURE_BURST",
            "2000000",
            "auth failure burst must be between 1 and 1000000",
        ),
        ("HALLPASS_AUTH_FAILURE_BURST", "-5", "invalid value '-5'"),
    ] {
        let dir = tempdir();
        let out = serve_to_exit(dir.path(), &[(variable, value)]);
        assert!(!out.status.success(), "{variable}={value} was accepted");
        assert!(
            stderr(&out).contains(says),
            "{variable}={value}: {}",
            stderr(&out)
        );
    }
}

#[tokio::test]
async fn the_auth_failure_burst_sets_how_many_wrong_keys_an_address_may_try() {
    let dir = tempdir();
    let server = Server::start(dir.path(), &["--auth-failure-burst", "3"], &[]);
    let wrong = server.api(&format!("hp_sk_{}", "w".repeat(43)));
    for _ in 0..3 {
        wrong.get("/v1/session-types").await.expect_status(401);
    }
    let limited = wrong.get("/v1/session-types").await.expect_status(429);
    assert_eq!(limited.code(), "rate_limited");
}

#[cfg(unix)]
#[test]
fn the_master_key_file_is_private() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempdir();
    let _server = Server::start(dir.path(), &[], &[]);
    let mode = std::fs::metadata(key_file(dir.path()))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[cfg(unix)]
#[test]
fn the_sqlite_database_and_its_wal_and_shm_files_are_created_private() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempdir();
    let (_server, _key) = Server::start_dev(dir.path());
    for file in ["h.db", "h.db-wal", "h.db-shm"] {
        let mode = std::fs::metadata(dir.path().join(file))
            .unwrap_or_else(|e| panic!("{file}: {e}"))
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{file} has mode {:o}", mode & 0o777);
    }
}

#[cfg(unix)]
#[test]
fn a_database_file_others_can_read_is_reported_at_start() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempdir();
    let db = dir.path().join("h.db");
    std::fs::write(&db, b"").unwrap();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    let server = Server::start(dir.path(), &[], &[]);
    let log = server.log();
    assert!(
        log.contains("readable by other users") && log.contains("chmod 600"),
        "{log}"
    );
}

#[test]
fn sessions_and_revocations_survive_a_kill_and_restart() {
    let dir = tempdir();
    let (server, key) = Server::start_dev(dir.path());
    let data = r#"{"userId":"u1","email":"e"}"#;
    let kept = server.cli_json(
        &key,
        &["sessions", "start", "--tag", "user-session", "--data", data],
    );
    let gone = server.cli_json(
        &key,
        &["sessions", "start", "--tag", "user-session", "--data", data],
    );
    server.cli_json(
        &key,
        &[
            "sessions",
            "revoke",
            "--tag",
            "user-session",
            "--session-id",
            gone["sessionId"].as_str().unwrap(),
        ],
    );
    server.kill();

    let (server, key) = Server::start_dev(dir.path());
    let verified = server.cli_json(
        &key,
        &[
            "sessions",
            "verify",
            "--tag",
            "user-session",
            "--token",
            kept["token"].as_str().unwrap(),
        ],
    );
    assert_eq!(verified["identifier"], "u1");
    let out = server.cli(
        &key,
        &[
            "sessions",
            "verify",
            "--tag",
            "user-session",
            "--token",
            gone["token"].as_str().unwrap(),
        ],
    );
    assert!(
        stderr(&out).contains("session_revoked"),
        "revocations are reloaded at start: {}",
        stderr(&out)
    );
}

#[test]
fn a_missing_master_key_file_with_existing_keys_is_refused() {
    let dir = tempdir();
    Server::start(dir.path(), &["--dev"], &[]).kill();
    std::fs::remove_file(key_file(dir.path())).unwrap();
    let out = serve_to_exit(dir.path(), &[]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("master key file"), "{}", stderr(&out));
}

#[test]
fn http_answers_on_the_printed_address() {
    let dir = tempdir();
    let server = Server::start(dir.path(), &[], &[]);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let health: serde_json::Value = reqwest::get(format!("{}/healthz", server.url))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(health["status"], "ok");
        let response = reqwest::Client::new()
            .post(format!("{}/v1/sessions/start", server.url))
            .body("{not json")
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            401,
            "authentication comes before the body"
        );
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "unauthorized");
        let doc: serde_json::Value = reqwest::get(format!("{}/v1/openapi.json", server.url))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    });
}
