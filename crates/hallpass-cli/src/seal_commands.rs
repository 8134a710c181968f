//! `hallpass seal` and `hallpass unseal` (docs/API.md §7.3): stdin to stdout, no server.
//! They parse, call `hallpass_iron`, and print.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::process::ExitCode;

use anyhow::Context as _;
use hallpass_iron::{self as seal, Algorithm, MAX_SEAL_LEN, Passwords, SealOptions};

use crate::args::SealArgs;

/// Most bytes read from stdin.
const MAX_INPUT: u64 = MAX_SEAL_LEN as u64;

/// Seals the JSON on stdin and prints the seal.
pub(crate) fn seal(args: &SealArgs) -> anyhow::Result<ExitCode> {
    let passwords = passwords(args, true)?;
    let options = options(args)?;
    let input = stdin()?;
    let value: serde_json::Value =
        serde_json::from_str(&input).context("stdin is not JSON: seal reads one JSON value")?;
    println!("{}", seal::seal(&value, &passwords, &options, now_ms())?);
    Ok(ExitCode::SUCCESS)
}

/// Opens the seal on stdin and prints its JSON.
pub(crate) fn unseal(args: &SealArgs) -> anyhow::Result<ExitCode> {
    let passwords = passwords(args, false)?;
    let options = options(args)?;
    let value = seal::unseal(&stdin()?, &passwords, &options, now_ms())?;
    println!("{value}");
    Ok(ExitCode::SUCCESS)
}

fn stdin() -> anyhow::Result<String> {
    let mut input = String::new();
    std::io::stdin()
        .take(MAX_INPUT + 1)
        .read_to_string(&mut input)
        .context("cannot read stdin as UTF-8 text")?;
    anyhow::ensure!(
        input.len() as u64 <= MAX_INPUT,
        "stdin is longer than {MAX_INPUT} bytes"
    );
    Ok(input)
}

fn options(args: &SealArgs) -> anyhow::Result<SealOptions> {
    Ok(SealOptions {
        algorithm: Algorithm::parse(&args.algorithm)?,
        iterations: args.iterations,
        ttl_ms: args.ttl.map_or(0, |secs| secs.saturating_mul(1000)),
        ..SealOptions::default()
    })
}

/// The password file: a JSON object of passwords by id, else one password (one trailing
/// newline dropped).
fn passwords(args: &SealArgs, sealing: bool) -> anyhow::Result<Passwords> {
    let text = std::fs::read_to_string(&args.password_file)
        .with_context(|| format!("cannot read {}", args.password_file.display()))?;
    let text = text
        .strip_suffix('\n')
        .map_or(text.as_str(), |t| t.strip_suffix('\r').unwrap_or(t));
    let passwords = match serde_json::from_str::<BTreeMap<String, String>>(text) {
        Ok(by_id) if text.trim_start().starts_with('{') => {
            let current = match (&args.password_id, sealing) {
                (Some(id), _) => id.clone(),
                (None, false) => by_id.keys().next().cloned().unwrap_or_default(),
                (None, true) => anyhow::bail!(
                    "the password file is a map of passwords by id: choose one with --password-id"
                ),
            };
            Passwords::Map { current, by_id }
        }
        _ => Passwords::Single(text.to_owned()),
    };
    passwords.validate()?;
    Ok(passwords)
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
