//! Settings resolved from flags, then `HALLPASS_*` environment variables (both through clap),
//! then `hallpass.toml`, then defaults.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, bail};
use serde::Deserialize;

use crate::args::{ClientArgs, ServeArgs};

/// Default listen address.
const DEFAULT_LISTEN: &str = "127.0.0.1:8420";
/// Default database.
const DEFAULT_DATABASE_URL: &str = "sqlite://hallpass.db";

/// `hallpass.toml`: every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    listen: Option<String>,
    database_url: Option<String>,
    issuer: Option<String>,
    body_limit: Option<usize>,
    trusted_proxies: Option<Vec<String>>,
    header_read_timeout: Option<u64>,
    body_read_timeout: Option<u64>,
    idle_timeout: Option<u64>,
    max_connections: Option<usize>,
    shutdown_timeout: Option<u64>,
    event_retention: Option<String>,
    auth_failure_burst: Option<u32>,
    allow_private_webhooks: Option<bool>,
    url: Option<String>,
    key: Option<String>,
    product: Option<String>,
    env: Option<String>,
}

fn load_file(explicit: Option<&Path>) -> anyhow::Result<FileSettings> {
    let path = explicit.map_or_else(|| PathBuf::from("hallpass.toml"), Path::to_path_buf);
    match std::fs::read_to_string(&path) {
        Ok(text) => toml::from_str(&text)
            .with_context(|| format!("cannot read settings file {}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && explicit.is_none() => {
            Ok(FileSettings::default())
        }
        Err(e) => Err(e).with_context(|| format!("cannot read settings file {}", path.display())),
    }
}

/// Settings of `serve`.
#[derive(Debug)]
pub(crate) struct ServeSettings {
    pub listen: String,
    pub database_url: String,
    pub issuer: Option<String>,
    pub body_limit: usize,
    pub trusted_proxies: Vec<hallpass_http::IpNet>,
    pub limits: hallpass_http::Limits,
    pub event_retention: Duration,
    pub auth_failure_burst: u32,
    pub allow_private_webhooks: bool,
    pub dev: bool,
    pub master_key: Option<String>,
    pub bootstrap_admin_key: Option<String>,
}

impl ServeSettings {
    pub(crate) fn resolve(args: ServeArgs) -> anyhow::Result<Self> {
        let file = load_file(args.config.as_deref())?;
        let limits = connection_limits(&args, &file)?;
        let body_limit = args
            .body_limit
            .or(file.body_limit)
            .unwrap_or(hallpass_http::DEFAULT_BODY_LIMIT);
        if body_limit < 1024 {
            bail!("body limit must be at least 1024 bytes");
        }
        let proxies = if args.trusted_proxies.is_empty() {
            file.trusted_proxies.unwrap_or_default()
        } else {
            args.trusted_proxies
        };
        let trusted_proxies = proxies
            .iter()
            .map(|p| parse_network(p.trim()))
            .collect::<anyhow::Result<_>>()?;
        let event_retention = args
            .event_retention
            .or(file.event_retention)
            .map(|text| parse_retention(&text))
            .transpose()?
            .unwrap_or(hallpass::DEFAULT_EVENT_RETENTION);
        let auth_failure_burst = args
            .auth_failure_burst
            .or(file.auth_failure_burst)
            .unwrap_or(DEFAULT_AUTH_FAILURE_BURST);
        if !(1..=MAX_AUTH_FAILURE_BURST).contains(&auth_failure_burst) {
            bail!(
                "auth failure burst must be between 1 and {MAX_AUTH_FAILURE_BURST}, got {auth_failure_burst}"
            );
        }
        Ok(Self {
            trusted_proxies,
            limits,
            event_retention,
            auth_failure_burst,
            allow_private_webhooks: args.allow_private_webhooks
                || file.allow_private_webhooks.unwrap_or(false),
            listen: args
                .listen
                .or(file.listen)
                .unwrap_or_else(|| DEFAULT_LISTEN.into()),
            database_url: args
                .database_url
                .or(file.database_url)
                .unwrap_or_else(|| DEFAULT_DATABASE_URL.into()),
            issuer: args.issuer.or(file.issuer),
            body_limit,
            dev: args.dev,
            master_key: std::env::var("HALLPASS_MASTER_KEY")
                .ok()
                .filter(|k| !k.trim().is_empty()),
            bootstrap_admin_key: std::env::var("HALLPASS_BOOTSTRAP_ADMIN_KEY")
                .ok()
                .filter(|k| !k.trim().is_empty()),
        })
    }
}

/// The server's connection limits: each from its flag or variable, the file, or the default.
fn connection_limits(
    args: &ServeArgs,
    file: &FileSettings,
) -> anyhow::Result<hallpass_http::Limits> {
    let defaults = hallpass_http::Limits::default();
    let seconds =
        |name: &str, arg: Option<u64>, file: Option<u64>, default: Duration| match arg.or(file) {
            None => Ok(default),
            Some(0) => bail!("{name} must be at least 1 second"),
            Some(secs) if secs > 86_400 => bail!("{name} must be at most 86400 seconds (a day)"),
            Some(secs) => Ok(Duration::from_secs(secs)),
        };
    let max_connections = args
        .max_connections
        .or(file.max_connections)
        .unwrap_or(defaults.max_connections);
    if !(1..=1_000_000).contains(&max_connections) {
        bail!("max connections must be between 1 and 1000000");
    }
    Ok(hallpass_http::Limits {
        header_read_timeout: seconds(
            "header read timeout",
            args.header_read_timeout,
            file.header_read_timeout,
            defaults.header_read_timeout,
        )?,
        body_read_timeout: seconds(
            "body read timeout",
            args.body_read_timeout,
            file.body_read_timeout,
            defaults.body_read_timeout,
        )?,
        idle_timeout: seconds(
            "idle timeout",
            args.idle_timeout,
            file.idle_timeout,
            defaults.idle_timeout,
        )?,
        max_connections,
        shutdown_timeout: seconds(
            "shutdown timeout",
            args.shutdown_timeout,
            file.shutdown_timeout,
            defaults.shutdown_timeout,
        )?,
    })
}

/// Failed authentications a client address may make in a burst, by default.
const DEFAULT_AUTH_FAILURE_BURST: u32 = 100;
/// The largest burst: beyond it the limit no longer slows a guesser down at all.
const MAX_AUTH_FAILURE_BURST: u32 = 1_000_000;

/// Shortest and longest event retention: an audit log kept less than an hour is no log, and
/// ten years bounds the arithmetic.
const RETENTION_RANGE: (u64, u64) = (3600, 10 * 365 * 86_400);

/// An event retention: whole seconds, or a number with `m`, `h` or `d` (`30d`, `12h`).
fn parse_retention(text: &str) -> anyhow::Result<Duration> {
    let text = text.trim();
    let (number, unit) = match text.char_indices().last() {
        Some((i, 's')) => (&text[..i], 1),
        Some((i, 'm')) => (&text[..i], 60),
        Some((i, 'h')) => (&text[..i], 3600),
        Some((i, 'd')) => (&text[..i], 86_400),
        _ => (text, 1),
    };
    let secs = number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(unit))
        .with_context(|| {
            format!("event retention '{text}' is not a duration: write e.g. 30d, 12h, 90m or 86400")
        })?;
    let (min, max) = RETENTION_RANGE;
    if !(min..=max).contains(&secs) {
        bail!("event retention must be between 1 hour and 10 years (3650d), got '{text}'");
    }
    Ok(Duration::from_secs(secs))
}

/// A trusted proxy: a network (`10.0.0.0/8`) or one address (`10.0.0.1`, `::1`).
fn parse_network(text: &str) -> anyhow::Result<hallpass_http::IpNet> {
    text.parse::<hallpass_http::IpNet>()
        .or_else(|_| {
            text.parse::<std::net::IpAddr>()
                .map(hallpass_http::IpNet::from)
        })
        .with_context(|| {
            format!("trusted proxy '{text}' is not an IP address or a network such as 10.0.0.0/8")
        })
}

/// Settings of the client commands.
#[derive(Debug)]
pub(crate) struct ClientSettings {
    pub url: String,
    pub key: String,
    pub product: Option<String>,
    pub env: Option<String>,
    pub json: bool,
}

impl ClientSettings {
    pub(crate) fn resolve(args: &ClientArgs) -> anyhow::Result<Self> {
        let file = load_file(args.config.as_deref())?;
        let key = args.key.clone().or(file.key).context(
            "no API key: pass --key or set HALLPASS_KEY (serve prints the admin key on first start)",
        )?;
        Ok(Self {
            url: args
                .url
                .clone()
                .or(file.url)
                .unwrap_or_else(|| format!("http://{DEFAULT_LISTEN}")),
            key,
            product: args.product.clone().or(file.product),
            env: args.env.clone().or(file.env),
            json: args.json,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_retention_takes_days_hours_minutes_or_seconds() {
        for (text, secs) in [
            ("30d", 30 * 86_400),
            ("12h", 12 * 3600),
            ("90m", 5400),
            ("86400", 86_400),
            ("7200s", 7200),
        ] {
            assert_eq!(
                parse_retention(text).expect(text),
                Duration::from_secs(secs)
            );
        }
        for bad in [
            "",
            "d",
            "thirty days",
            "-1d",
            "59m",
            "3651d",
            "99999999999999999999d",
        ] {
            let message = parse_retention(bad).expect_err(bad).to_string();
            assert!(message.contains("event retention"), "{bad}: {message}");
        }
    }
}
