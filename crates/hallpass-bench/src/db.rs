//! Creating and dropping the benchmark's own PostgreSQL databases.

use anyhow::{Context as _, ensure};
use sqlx::Connection as _;
use sqlx::PgConnection;

/// Only databases named like this are ever created or dropped.
const PREFIX: &str = "hallpass_bench_";

fn checked(name: &str) -> anyhow::Result<&str> {
    ensure!(
        name.starts_with(PREFIX)
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
        "database name '{name}' must start with {PREFIX} and hold only a-z, 0-9 and _"
    );
    Ok(name)
}

async fn connect(admin_url: &str) -> anyhow::Result<PgConnection> {
    PgConnection::connect(admin_url)
        .await
        .context("connecting to PostgreSQL (set BENCH_PG_URL)")
}

pub(crate) async fn create(admin_url: &str, name: &str) -> anyhow::Result<()> {
    let name = checked(name)?;
    let mut conn = connect(admin_url).await?;
    sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .with_context(|| format!("creating database {name}"))?;
    Ok(())
}

pub(crate) async fn drop(admin_url: &str, name: &str) -> anyhow::Result<()> {
    let name = checked(name)?;
    let mut conn = connect(admin_url).await?;
    sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut conn)
        .await
        .with_context(|| format!("dropping database {name}"))?;
    Ok(())
}
