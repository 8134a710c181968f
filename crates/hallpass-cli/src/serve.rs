//! `hallpass serve`: open the store, load keys, bootstrap the admin key, listen.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context as _, bail};
use hallpass::core::model::{KeyKind, Principal};
use hallpass::core::secrets::MasterKey;
use hallpass::core::session_type::{CookieSettings, SessionTypeInput};
use hallpass::{Hallpass, NewProduct, Settings, SystemClock};

use crate::settings::ServeSettings;

/// The SQLite file a `sqlite:` URL names, if it names a file.
fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && !path.contains(":memory:")).then(|| PathBuf::from(path))
}

/// The master key: `HALLPASS_MASTER_KEY`, else `<sqlite file>.master.key` (created 0600 on
/// first start), else an ephemeral key for an in-memory database.
async fn master_key(
    settings: &ServeSettings,
    store: &Arc<dyn hallpass::core::store::Store>,
) -> anyhow::Result<MasterKey> {
    if let Some(text) = &settings.master_key {
        return MasterKey::from_base64(text).context("HALLPASS_MASTER_KEY is invalid");
    }
    let Some(db) = sqlite_path(&settings.database_url) else {
        if settings.database_url.starts_with("sqlite:") {
            return MasterKey::from_base64(&MasterKey::generate_base64())
                .context("generating a master key");
        }
        bail!(
            "HALLPASS_MASTER_KEY is required with this database: set it to 32 random bytes in base64 (openssl rand -base64 32), the same on every node"
        );
    };
    let file = key_file_for(&db);
    match std::fs::read_to_string(&file) {
        Ok(text) => MasterKey::from_base64(&text)
            .with_context(|| format!("master key file {} is invalid", file.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if !store.env_keys().await?.is_empty() {
                bail!(
                    "master key file {} is missing but the database holds keys encrypted under a master key: restore the file or set HALLPASS_MASTER_KEY",
                    file.display()
                );
            }
            let text = MasterKey::generate_base64();
            write_private(&file, &text)?;
            MasterKey::from_base64(&text).context("generating a master key")
        }
        Err(e) => Err(e).with_context(|| format!("cannot read master key file {}", file.display())),
    }
}

/// The database URL without its password, for messages.
fn redacted(url: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let mut out = match (base.find("://"), base.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &base[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _password)) => {
                    format!("{}{user}:***{}", &base[..scheme_end + 3], &base[at..])
                }
                None => base.to_owned(),
            }
        }
        _ => base.to_owned(),
    };
    if let Some(query) = query {
        let params: Vec<String> = query
            .split('&')
            .map(|param| match param.split_once('=') {
                Some((name, _)) if name.eq_ignore_ascii_case("password") => format!("{name}=***"),
                _ => param.to_owned(),
            })
            .collect();
        out.push('?');
        out.push_str(&params.join("&"));
    }
    out
}

/// New databases are created 0600 (and SQLite gives its `-wal` and `-shm` files the same
/// mode); one created by an older version, or by hand, may be readable by others. It holds
/// identifiers, addresses and user agents, so say so rather than change an operator's modes.
fn warn_if_readable_by_others(db: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        if let Ok(meta) = std::fs::metadata(db)
            && meta.permissions().mode() & 0o077 != 0
        {
            eprintln!(
                "warning: the database {} is readable by other users (mode {:o}): run chmod 600 {}*",
                db.display(),
                meta.permissions().mode() & 0o777,
                db.display()
            );
        }
    }
    #[cfg(not(unix))]
    let _ = db;
}

fn key_file_for(db: &Path) -> PathBuf {
    let mut name = db
        .file_name()
        .map(std::ffi::OsStr::to_os_string)
        .unwrap_or_default();
    name.push(".master.key");
    db.with_file_name(name)
}

fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options
        .open(path)
        .with_context(|| format!("cannot create master key file {}", path.display()))?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    Ok(())
}

pub(crate) async fn run(settings: ServeSettings) -> anyhow::Result<ExitCode> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HALLPASS_LOG")
                .unwrap_or_else(|_| "hallpass=info,warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();

    let store = hallpass_store::open(&settings.database_url)
        .await
        .with_context(|| format!("cannot open database {}", redacted(&settings.database_url)))?;
    if let Some(db) = sqlite_path(&settings.database_url) {
        warn_if_readable_by_others(&db);
    }
    let master = master_key(&settings, &store).await?;
    let listener = tokio::net::TcpListener::bind(&settings.listen)
        .await
        .with_context(|| format!("cannot listen on {}", settings.listen))?;
    let addr = listener.local_addr()?;
    let base_url = format!("http://{addr}");
    let issuer = settings.issuer.clone().unwrap_or_else(|| base_url.clone());
    let service = Hallpass::open(
        store,
        master,
        Arc::new(SystemClock),
        Settings {
            issuer,
            event_retention: settings.event_retention,
            // Refilled in 50 seconds, as the default 100 at 2 per second.
            auth_failure_burst: settings.auth_failure_burst,
            auth_failure_refill_per_sec: f64::from(settings.auth_failure_burst) / 50.0,
            allow_private_webhooks: settings.allow_private_webhooks,
            ..Settings::default()
        },
    )
    .await
    .context("cannot load keys and revocations")?;
    let service = Arc::new(service);

    println!("hallpass: database {}", redacted(&settings.database_url));
    let provided = settings.bootstrap_admin_key.as_deref();
    if let Some(admin) = service.bootstrap_admin(provided).await? {
        // A key the operator supplied is already in their secrets: printing it would only copy
        // it into log pipelines. A generated one exists nowhere else, so it is shown once.
        if provided.is_some() {
            println!(
                "admin key: created from HALLPASS_BOOTSTRAP_ADMIN_KEY (the database had none)"
            );
        } else {
            println!("admin key: {admin}");
            println!(
                "  (created because the database had none; it is shown only now: store it safely)"
            );
        }
    } else if let Some(provided) = provided {
        // Another node (or an earlier start) bootstrapped with a different key: say so, since
        // the operator expects this one to work.
        let works = service
            .authenticate(Some(provided), None)
            .await
            .is_ok_and(|p| p.kind == KeyKind::Admin);
        if !works {
            eprintln!(
                "warning: HALLPASS_BOOTSTRAP_ADMIN_KEY was ignored: the database already has an admin key, and it is a different one"
            );
        }
    }
    if settings.dev {
        dev_setup(&service, &base_url).await?;
    }
    let background = service.spawn_background(hallpass::SWEEP_EVERY);
    let app = hallpass_http::router_with_body_limit(
        hallpass_http::AppState::new(Arc::clone(&service))
            .with_trusted_proxies(settings.trusted_proxies.clone()),
        settings.body_limit,
    );
    let limits = hallpass_http::Limits {
        max_connections: within_open_file_limit(settings.limits.max_connections),
        ..settings.limits.clone()
    };
    println!("console: {base_url}/console (sign in with an admin or access key)");
    println!("listening on {base_url}");
    flush_stdout();
    hallpass_http::serve(listener, app, limits, shutdown_signal()).await;
    // The requests are done: write the session activity they noted before exiting.
    if !background.stop(FINAL_ACTIVITY_WRITE).await {
        eprintln!(
            "warning: the last session activity was not written within {} s; it is lost",
            FINAL_ACTIVITY_WRITE.as_secs()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// How long a stopping node waits for its last session activity to be written.
const FINAL_ACTIVITY_WRITE: std::time::Duration = std::time::Duration::from_secs(5);

/// File descriptors kept for everything but client connections: the listener, database
/// connections, the key file, logs.
const RESERVED_FILES: u64 = 64;

/// Raises the soft open-file limit to the hard one (often 1024 and 524288: a server may use
/// what the system allows) and returns `wanted` lowered to what the limit leaves for
/// connections, so the server refuses extra connections with an answer instead of failing to
/// accept them.
fn within_open_file_limit(wanted: usize) -> usize {
    #[cfg(unix)]
    {
        use rustix::process::{Resource, getrlimit, setrlimit};
        let mut limit = getrlimit(Resource::Nofile);
        if limit.current < limit.maximum {
            limit.current = limit.maximum;
            if setrlimit(Resource::Nofile, limit).is_err() {
                limit = getrlimit(Resource::Nofile);
            }
        }
        if let Some(files) = limit.current {
            let allowed =
                usize::try_from(files.saturating_sub(RESERVED_FILES).max(1)).unwrap_or(usize::MAX);
            if allowed < wanted {
                eprintln!(
                    "warning: at most {allowed} connections, not {wanted}: the open-file limit is {files} (raise it with ulimit -n or LimitNOFILE=)"
                );
                return allowed;
            }
        }
    }
    wanted
}

fn flush_stdout() {
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
}

/// `--dev`: product `demo` (dev, prd), session type `user-session` (with a cookie, so that a
/// frontend on `http://localhost` can use the browser routes at once), fresh keys for env dev
/// and an access key of every env (for session types).
async fn dev_setup(service: &Hallpass, base_url: &str) -> anyhow::Result<()> {
    let admin = Principal {
        key_id: "dev-setup".into(),
        kind: KeyKind::Admin,
        product: None,
        env: None,
    };
    match service
        .create_product(
            &admin,
            NewProduct {
                tag: "demo".into(),
                name: "Demo".into(),
                envs: None,
                allowed_origins: None,
            },
        )
        .await
    {
        Ok(_) | Err(hallpass::core::Error::Conflict(_)) => {}
        Err(e) => return Err(e).context("creating the demo product"),
    }
    let input = SessionTypeInput {
        name: Some("User session".into()),
        description: Some(Some("Signed-in users of the demo app".into())),
        schema: Some(serde_json::json!({"userId": "user-123", "email": "user@example.com"})),
        selector: Some(Some("$Session{userId}".into())),
        expiry: Some(1),
        period: Some("hours".into()),
        // Not `Secure`: development pages are served over plain http (Safari drops a Secure
        // cookie there even on localhost). A real type keeps the default, `Secure`.
        cookie: Some(Some(CookieSettings {
            secure: false,
            ..CookieSettings::default()
        })),
        ..SessionTypeInput::default()
    };
    match service
        .create_session_type(&admin, Some("demo"), "user-session", input)
        .await
    {
        Ok(_) | Err(hallpass::core::Error::Conflict(_)) => {}
        Err(e) => return Err(e).context("creating the demo session type"),
    }
    for old in service.list_keys(&admin).await? {
        if old.product.as_deref() == Some("demo") && old.name.starts_with("dev ") {
            service.delete_key(&admin, &old.id).await?;
        }
    }
    let access = service
        .create_key(
            &admin,
            "access",
            Some("demo"),
            Some("dev"),
            "dev access key",
        )
        .await?;
    let publishable = service
        .create_key(
            &admin,
            "publishable",
            Some("demo"),
            Some("dev"),
            "dev publishable key",
        )
        .await?;
    // Session types are shared by every env, so the env's key reads them but a key of every
    // env (or the admin key) changes them.
    let product_wide = service
        .create_key(&admin, "access", Some("demo"), None, "dev product key")
        .await?;
    println!(
        "dev setup: product demo (envs dev, prd), session type user-session (selector $Session{{userId}}, 1 hour tokens, cookie hallpass.session without Secure for http pages, browser routes at /v1/browser/demo/dev/user-session/)"
    );
    println!("access key (demo/dev): {}", access.secret);
    println!("publishable key (demo/dev): {}", publishable.secret);
    println!(
        "access key (demo, every env; manages session types): {}",
        product_wide.secret
    );
    println!("try it:");
    println!(
        "  curl -s {base_url}/v1/sessions/start -H 'Authorization: Bearer {}' -H 'Content-Type: application/json' \\\n    -d '{{\"tag\":\"user-session\",\"data\":{{\"userId\":\"user-123\",\"email\":\"user@example.com\"}}}}'",
        access.secret
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_name_their_file_and_key_file() {
        assert_eq!(
            sqlite_path("sqlite://hallpass.db"),
            Some(PathBuf::from("hallpass.db"))
        );
        assert_eq!(
            sqlite_path("sqlite:///var/lib/h.db?mode=rwc"),
            Some(PathBuf::from("/var/lib/h.db"))
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://x"), None);
        assert_eq!(
            key_file_for(Path::new("/a/h.db")),
            PathBuf::from("/a/h.db.master.key")
        );
    }

    #[test]
    fn passwords_never_appear_in_printed_urls() {
        assert_eq!(
            redacted("postgres://app:s3cret@db:5432/h"),
            "postgres://app:***@db:5432/h"
        );
        assert_eq!(redacted("sqlite://hallpass.db"), "sqlite://hallpass.db");
        assert_eq!(
            redacted("postgres://postgres@127.0.0.1:5432/h"),
            "postgres://postgres@127.0.0.1:5432/h"
        );
        assert_eq!(
            redacted("postgres://db/h?user=app&password=s3cret&sslmode=require"),
            "postgres://db/h?user=app&password=***&sslmode=require"
        );
    }
}
