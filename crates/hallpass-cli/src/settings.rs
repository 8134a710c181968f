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
        Ok(Self {
            trusted_proxies,
            limits,
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
