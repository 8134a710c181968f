//! Env signing and data keys, and signing key rotation.

use hallpass_core::model::{EnvKeyRecord, KeyPurpose};
use hallpass_core::{Error, Result, Timestamp};
use sqlx::{PgConnection, PgPool};

use crate::error::map_err;
use crate::rows::{EnvKeyRow, convert_all, env_key_columns};

/// Inserts one key on a connection that is already in a transaction.
pub(super) async fn insert(conn: &mut PgConnection, key: &EnvKeyRecord) -> Result<()> {
    sqlx::query(concat!(
        "INSERT INTO env_keys (",
        env_key_columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    ))
    .bind(key.kid.as_str())
    .bind(key.product.as_str())
    .bind(key.env.as_str())
    .bind(key.purpose.as_str())
    .bind(key.alg.as_str())
    .bind(key.sealed_secret.as_slice())
    .bind(key.created_at.as_millis())
    .bind(key.retired_at.map(Timestamp::as_millis))
    .bind(key.verify_until.map(Timestamp::as_millis))
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

/// Every env key, by product, env and age.
pub(super) async fn list(pool: &PgPool) -> Result<Vec<EnvKeyRecord>> {
    let rows = sqlx::query_as::<_, EnvKeyRow>(concat!(
        "SELECT ",
        env_key_columns!(),
        " FROM env_keys ORDER BY product, env, created_at, kid"
    ))
    .fetch_all(pool)
    .await
    .map_err(map_err)?;
    convert_all(rows)
}

/// Retires the env's current signing keys and inserts `new`, in one transaction.
pub(super) async fn rotate_signing(
    pool: &PgPool,
    new: &EnvKeyRecord,
    retired_at: Timestamp,
    verify_until: Timestamp,
) -> Result<()> {
    if new.purpose != KeyPurpose::Signing {
        return Err(Error::Internal(format!(
            "key '{}' is a {} key: only signing keys are rotated this way",
            new.kid,
            new.purpose.as_str()
        )));
    }
    let mut tx = pool.begin().await.map_err(map_err)?;
    // Lock the product row so concurrent rotations of one env (on any node) run one at a
    // time and leave exactly one current signing key.
    sqlx::query("SELECT 1 FROM products WHERE tag = $1 FOR UPDATE")
        .bind(new.product.as_str())
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    sqlx::query(
        "UPDATE env_keys SET retired_at = $1, verify_until = $2 \
         WHERE product = $3 AND env = $4 AND purpose = 'signing' AND retired_at IS NULL",
    )
    .bind(retired_at.as_millis())
    .bind(verify_until.as_millis())
    .bind(new.product.as_str())
    .bind(new.env.as_str())
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    insert(&mut tx, new).await?;
    tx.commit().await.map_err(map_err)
}

/// The latest `token_expires_at` of any session of the env, revoked ones included.
pub(super) async fn max_token_expiry(
    pool: &PgPool,
    product: &str,
    env: &str,
) -> Result<Option<Timestamp>> {
    let max: Option<i64> = sqlx::query_scalar(
        "SELECT MAX(token_expires_at) FROM sessions WHERE product = $1 AND env = $2",
    )
    .bind(product)
    .bind(env)
    .fetch_one(pool)
    .await
    .map_err(map_err)?;
    Ok(max.map(Timestamp::from_millis))
}
