//! `hallpass seal` / `unseal`: the round trip and every refusal, exit code and message. Interop
//! with the npm package iron-webcrypto is proven in interop/iron.

use std::io::Write as _;
use std::process::{Command, Stdio};

use crate::support::BIN;

const PASSWORD: &str = "a-password-of-at-least-32-characters!";

/// Runs `hallpass <args>` with `input` on stdin: (exit code, stdout, stderr).
fn run(args: &[&str], input: &str) -> (i32, String, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run hallpass");
    // A refusal of the settings exits before stdin is read: the pipe may then be closed.
    if let Err(e) = child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
    {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "write stdin: {e}");
    }
    let out = child.wait_with_output().expect("wait");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).trim().to_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn password_file(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write password file");
    path.display().to_string()
}

#[test]
fn a_value_sealed_by_the_cli_opens_with_the_cli() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pw = password_file(&dir, "pw", &format!("{PASSWORD}\n"));
    let (code, sealed, err) = run(
        &["seal", "--password-file", &pw, "--algorithm", "aes-128-ctr"],
        r#"{"user":"zoë"}"#,
    );
    assert_eq!(code, 0, "{err}");
    let (code, opened, err) = run(
        &[
            "unseal",
            "--password-file",
            &pw,
            "--algorithm",
            "aes-128-ctr",
        ],
        &sealed,
    );
    assert_eq!((code, opened.as_str()), (0, r#"{"user":"zoë"}"#), "{err}");
}

#[test]
fn bad_input_and_settings_exit_1_with_a_message_that_says_what_to_fix() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pw = password_file(&dir, "pw", PASSWORD);
    let short = password_file(&dir, "short", "too-short");
    let map = password_file(
        &dir,
        "map",
        &format!(r#"{{"a": "{PASSWORD}", "b": "{PASSWORD}"}}"#),
    );
    let missing = dir.path().join("nope").display().to_string();
    for (args, input, expected) in [
        (
            vec!["seal", "--password-file", &pw],
            "not json",
            "stdin is not JSON",
        ),
        (
            vec!["seal", "--password-file", &short],
            "1",
            "at least 32 characters",
        ),
        (vec!["seal", "--password-file", &map], "1", "--password-id"),
        (
            vec!["seal", "--password-file", &map, "--password-id", "c"],
            "1",
            "'c'",
        ),
        (
            vec!["seal", "--password-file", &pw, "--algorithm", "aes-512-gcm"],
            "1",
            "unknown algorithm",
        ),
        (
            vec!["seal", "--password-file", &pw, "--iterations", "0"],
            "1",
            "iterations must be between",
        ),
        (
            vec!["seal", "--password-file", &missing],
            "1",
            "cannot read",
        ),
        (
            vec!["unseal", "--password-file", &pw],
            "Fe26.2*x",
            "not a valid seal",
        ),
    ] {
        let (code, out, err) = run(&args, input);
        assert_eq!(code, 1, "{args:?}: {out}");
        assert!(
            err.starts_with("error: ") && err.contains(expected),
            "{args:?}: {err}"
        );
    }
}
