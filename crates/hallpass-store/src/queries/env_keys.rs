//! Env signing and data keys, and signing key rotation.

use hallpass_core::events::{Audit, EventIds, signing_key_rotated};
use hallpass_core::model::{EnvKeyRecord, KeyPurpose};
use hallpass_core::{Error, Result, Timestamp};
use sqlx::Pool;

use super::events;
use crate::dialect::Dialect;
use crate::error::map_err;
use crate::records::env_key_columns;
use crate::sql::{Db, begin};

/// Inserts one key (within the transaction that writes its product or rotation).
pub(crate) async fn insert(db: impl Db, key: &EnvKeyRecord) -> Result<()> {
    db.execute(
        concat!(
            "INSERT INTO env_keys (",
            env_key_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        ),
        &[
            key.kid.as_str().into(),
            key.product.as_str().into(),
            key.env.as_str().into(),
            key.purpose.as_str().into(),
            key.alg.as_str().into(),
            key.sealed_secret.as_slice().into(),
            key.created_at.into(),
            key.retired_at.into(),
            key.verify_until.into(),
        ],
    )
    .await?;
    Ok(())
}

/// Every env key, by product, env and age.
pub(crate) async fn list(db: impl Db) -> Result<Vec<EnvKeyRecord>> {
    db.fetch_all(
        concat!(
            "SELECT ",
            env_key_columns!(),
            " FROM env_keys ORDER BY product, env, created_at, kid"
        ),
        &[],
    )
    .await
}

/// Retires the env's current signing keys and inserts `new`, with its `signing_key.rotated`,
/// in one write transaction that first takes the dialect's lock of the product, so that
/// concurrent rotations of one env (on any node) run one at a time and leave exactly one
/// current signing key.
pub(crate) async fn rotate_signing<D: Dialect>(
    pool: &Pool<D>,
    ids: &EventIds,
    new: &EnvKeyRecord,
    verify_until: Timestamp,
    audit: &Audit,
) -> Result<()> {
    if new.purpose != KeyPurpose::Signing {
        return Err(Error::Internal(format!(
            "key '{}' is a {} key: only signing keys are rotated this way",
            new.kid,
            new.purpose.as_str()
        )));
    }
    let mut tx = begin(pool, D::BEGIN_WRITE).await?;
    if let Some(lock) = D::LOCK_PRODUCT {
        tx.execute(lock, &[new.product.as_str().into()]).await?;
    }
    let retired: Vec<String> = tx
        .fetch_all(
            "UPDATE env_keys SET retired_at = $1, verify_until = $2 \
             WHERE product = $3 AND env = $4 AND purpose = 'signing' AND retired_at IS NULL \
             RETURNING kid",
            &[
                audit.at.into(),
                verify_until.into(),
                new.product.as_str().into(),
                new.env.as_str().into(),
            ],
        )
        .await?;
    insert(&mut *tx, new).await?;
    let event = signing_key_rotated(ids, audit, new, &retired);
    events::insert_all(&mut *tx, &[event]).await?;
    tx.commit().await.map_err(map_err)
}

/// The latest `token_expires_at` of any session of the env, revoked ones included.
pub(crate) async fn max_token_expiry(
    db: impl Db,
    product: &str,
    env: &str,
) -> Result<Option<Timestamp>> {
    let max: Option<i64> = db
        .fetch_one(
            "SELECT MAX(token_expires_at) FROM sessions WHERE product = $1 AND env = $2",
            &[product.into(), env.into()],
        )
        .await?;
    Ok(max.map(Timestamp::from_millis))
}
