//! The client commands against a real server.

use serde_json::json;

use crate::support::{Server, stderr, tempdir};

#[test]
fn dev_setup_prints_working_keys_and_the_session_commands_drive_a_session() {
    let dir = tempdir();
    let server = Server::start(dir.path(), &["--dev"], &[]);
    assert!(
        server.printed.iter().any(|l| l.contains("curl -s")),
        "{:?}",
        server.printed
    );
    let key = server
        .access_key
        .clone()
        .expect("--dev prints an access key");
    assert!(key.starts_with("hp_sk_"));

    let data = r#"{"userId":"user-123","email":"user@example.com","role":"admin"}"#;
    let started = server.cli_json(
        &key,
        &["sessions", "start", "--tag", "user-session", "--data", data],
    );
    assert_eq!(started["identifier"], "user-123");
    let token = started["token"].as_str().unwrap();
    let sid = started["sessionId"].as_str().unwrap();

    let verified = server.cli_json(
        &key,
        &[
            "sessions",
            "verify",
            "--tag",
            "user-session",
            "--token",
            token,
        ],
    );
    assert_eq!(
        verified["data"],
        json!({"userId": "user-123", "email": "user@example.com", "role": "admin"})
    );
    assert_eq!(verified["sessionId"], sid);

    let refreshed = server.cli_json(
        &key,
        &[
            "sessions",
            "refresh",
            "--tag",
            "user-session",
            "--refresh-token",
            started["refreshToken"].as_str().unwrap(),
        ],
    );
    assert_eq!(refreshed["sessionId"], sid);
    assert_ne!(refreshed["refreshToken"], started["refreshToken"]);

    let listed = server.cli_json(
        &key,
        &[
            "sessions",
            "list",
            "--tag",
            "user-session",
            "--identifier",
            "user-123",
        ],
    );
    assert_eq!(listed["count"], 1);

    let revoked = server.cli_json(
        &key,
        &[
            "sessions",
            "revoke",
            "--tag",
            "user-session",
            "--session-id",
            sid,
        ],
    );
    assert_eq!(revoked["revoked"], true);

    let out = server.cli(
        &key,
        &[
            "sessions",
            "verify",
            "--tag",
            "user-session",
            "--token",
            token,
        ],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("session_revoked"), "{}", stderr(&out));

    let revoked_all = server.cli_json(
        &key,
        &[
            "sessions",
            "revoke-all",
            "--tag",
            "user-session",
            "--identifier",
            "user-123",
        ],
    );
    assert_eq!(revoked_all["revokedCount"], 0);
}

#[test]
fn errors_print_the_server_code_and_message_and_exit_non_zero() {
    let dir = tempdir();
    let (server, key) = Server::start_dev(dir.path());
    let out = server.cli(
        &key,
        &[
            "sessions",
            "verify",
            "--tag",
            "user-session",
            "--token",
            "not-a-token",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("token_malformed") && err.contains("three non-empty base64url parts"),
        "{err}"
    );

    let out = server.cli("hp_sk_unknown", &["types", "list"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("unauthorized"), "{}", stderr(&out));
}

#[test]
fn admin_commands_manage_products_keys_and_types() {
    let dir = tempdir();
    let server = Server::start(dir.path(), &[], &[]);
    let admin = server
        .admin_key
        .clone()
        .expect("first start prints the admin key");

    let product = server.cli_json(&admin, &["products", "create", "shop", "--name", "Shop"]);
    assert_eq!(product["envs"], json!(["dev", "prd"]));
    let products = server.cli_json(&admin, &["products", "list"]);
    assert_eq!(products["products"][0]["tag"], "shop");

    let key = server.cli_json(
        &admin,
        &["--product", "shop", "keys", "create", "--name", "backend"],
    );
    let secret = key["key"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("hp_sk_"));
    // A key of every env of shop: what manages the session types they share.
    assert_eq!(key["env"], json!(null));
    let keys = server.cli_json(&admin, &["keys", "list"]);
    assert!(
        keys["keys"]
            .as_array()
            .unwrap()
            .iter()
            .all(|k| k.get("key").is_none())
    );

    let created = server.cli_json(
        &secret,
        &[
            "types",
            "create",
            "checkout",
            "--name",
            "Checkout",
            "--expiry",
            "30",
            "--period",
            "minutes",
            "--schema",
            r#"{"cartId":"c"}"#,
        ],
    );
    assert_eq!(created["refreshGrace"], 10);
    let updated = server.cli_json(&secret, &["types", "update", "checkout", "--expiry", "45"]);
    assert_eq!(
        (updated["expiry"].as_u64(), updated["period"].as_str()),
        (Some(45), Some("minutes"))
    );
    let fetched = server.cli_json(&secret, &["types", "get", "--tag", "checkout"]);
    assert_eq!(fetched["schema"], json!({"cartId": "c"}));

    let human = server.cli(&secret, &["types", "list"]);
    assert!(String::from_utf8_lossy(&human.stdout).contains("tag: checkout"));

    let deleted = server.cli_json(&secret, &["types", "delete", "checkout"]);
    assert_eq!(deleted["deleted"], true);
    let removed = server.cli_json(&admin, &["keys", "delete", key["id"].as_str().unwrap()]);
    assert_eq!(removed["deleted"], true);
    let out = server.cli(&secret, &["types", "list"]);
    assert!(
        stderr(&out).contains("unauthorized"),
        "a deleted key stops working at once"
    );
}

#[test]
fn the_lifecycle_commands_update_reauthenticate_and_configure_limits() {
    let dir = tempdir();
    let server = Server::start(dir.path(), &["--dev"], &[]);
    let key = server
        .access_key
        .clone()
        .expect("--dev prints an access key");
    let data = r#"{"userId":"ann","email":"ann@example.com"}"#;
    let started = server.cli_json(
        &key,
        &[
            "sessions",
            "start",
            "--tag",
            "user-session",
            "--data",
            data,
            "--amr",
            "pwd,otp",
        ],
    );
    let (sid, token) = (
        started["sessionId"].as_str().unwrap(),
        started["token"].as_str().unwrap(),
    );
    let updated = server.cli_json(
        &key,
        &[
            "sessions",
            "update",
            "--tag",
            "user-session",
            "--session-id",
            sid,
            "--data",
            r#"{"role":"admin"}"#,
        ],
    );
    assert_eq!(updated["data"]["role"], "admin");
    let out = server.cli(
        &key,
        &[
            "sessions",
            "verify",
            "--tag",
            "user-session",
            "--token",
            token,
        ],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("token_superseded"),
        "{}",
        stderr(&out)
    );

    let stepped = server.cli_json(
        &key,
        &[
            "sessions",
            "reauthenticate",
            "--tag",
            "user-session",
            "--session-id",
            sid,
            "--amr",
            "hwk",
        ],
    );
    let verified = server.cli_json(
        &key,
        &[
            "sessions",
            "verify",
            "--tag",
            "user-session",
            "--token",
            stepped["token"].as_str().unwrap(),
            "--max-auth-age",
            "60",
        ],
    );
    assert_eq!(verified["amr"], json!(["hwk"]));
    let all = server.cli_json(
        &key,
        &[
            "sessions",
            "update-all",
            "--tag",
            "user-session",
            "--identifier",
            "ann",
            "--data",
            r#"{"userId":"ann","email":"new@example.com"}"#,
            "--replace",
        ],
    );
    assert_eq!(all["updatedCount"], 1);

    let admin = server
        .admin_key
        .clone()
        .expect("first start prints the admin key");
    let limited = server.cli_json(
        &admin,
        &[
            "--product",
            "demo",
            "types",
            "create",
            "kiosk",
            "--name",
            "Kiosk",
            "--expiry",
            "5",
            "--period",
            "minutes",
            "--idle-timeout",
            "600",
            "--max-sessions",
            "2",
            "--on-limit",
            "refuse",
        ],
    );
    assert_eq!(
        (
            &limited["idleTimeout"],
            &limited["maxSessions"],
            &limited["onLimit"]
        ),
        (&json!(600), &json!(2), &json!("refuse"))
    );
    let cleared = server.cli_json(
        &admin,
        &[
            "--product",
            "demo",
            "types",
            "update",
            "kiosk",
            "--idle-timeout",
            "none",
        ],
    );
    assert_eq!(cleared["idleTimeout"], json!(null));
    let out = server.cli(
        &admin,
        &[
            "--product",
            "demo",
            "types",
            "update",
            "kiosk",
            "--max-sessions",
            "lots",
        ],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("neither a whole number nor `none`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_events_command_reads_the_audit_log() {
    let dir = tempdir();
    let server = Server::start(dir.path(), &["--dev", "--event-retention", "2h"], &[]);
    let key = server
        .access_key
        .clone()
        .expect("--dev prints an access key");
    let data = r#"{"userId":"user-7","email":"u7@example.com","role":"viewer"}"#;
    let started = server.cli_json(
        &key,
        &["sessions", "start", "--tag", "user-session", "--data", data],
    );
    let sid = started["sessionId"].as_str().unwrap();
    server.cli_json(
        &key,
        &[
            "sessions",
            "revoke",
            "--tag",
            "user-session",
            "--session-id",
            sid,
        ],
    );

    let listed = server.cli_json(&key, &["events", "list", "--session-id", sid]);
    let types: Vec<&str> = listed["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["session.revoked", "session.started"]);
    let page = server.cli_json(
        &key,
        &[
            "events",
            "list",
            "--type",
            "session.started",
            "--limit",
            "1",
        ],
    );
    assert_eq!(page["events"][0]["data"]["identifier"], "user-7");

    let human = server.cli(&key, &["events", "list", "--identifier", "user-7"]);
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains("type: session.revoked") && text.contains(r#""cause":"revoke""#),
        "{text}"
    );
    let out = server.cli(&key, &["events", "list", "--type", "session.exploded"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("known types"), "{}", stderr(&out));
}
