//! API keys, stored by the hash of their secret; creating and deleting one records its event.

use hallpass_core::Result;
use hallpass_core::events::{Audit, EventIds, EventType, api_key_event};
use hallpass_core::model::ApiKeyRecord;
use sqlx::Pool;

use super::events;
use crate::dialect::Dialect;
use crate::error::map_err;
use crate::records::api_key_columns;
use crate::sql::{Db, begin};

/// Inserts a key and its `api_key.created`, in one transaction; a duplicate id or hash is a
/// constraint violation, hence an internal error.
pub(crate) async fn insert<D: Dialect>(
    pool: &Pool<D>,
    ids: &EventIds,
    key: &ApiKeyRecord,
    audit: &Audit,
) -> Result<()> {
    let mut tx = begin(pool, D::BEGIN_WRITE).await?;
    insert_row(&mut *tx, key).await?;
    let created = api_key_event(ids, EventType::ApiKeyCreated, audit, key);
    events::insert_all(&mut *tx, &[created]).await?;
    tx.commit().await.map_err(map_err)
}

/// Inserts the key's row.
async fn insert_row(db: impl Db, key: &ApiKeyRecord) -> Result<()> {
    db.execute(
        concat!(
            "INSERT INTO api_keys (",
            api_key_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7)"
        ),
        &[
            key.id.as_str().into(),
            key.kind.as_str().into(),
            key.product.as_deref().into(),
            key.env.as_deref().into(),
            key.name.as_str().into(),
            key.hash.as_str().into(),
            key.created_at.into(),
        ],
    )
    .await?;
    Ok(())
}

/// The key whose secret hashes to `hash`.
pub(crate) async fn by_hash(db: impl Db, hash: &str) -> Result<Option<ApiKeyRecord>> {
    db.fetch_optional(
        concat!(
            "SELECT ",
            api_key_columns!(),
            " FROM api_keys WHERE hash = $1"
        ),
        &[hash.into()],
    )
    .await
}

/// Keys of one product, or all keys (admin ones too) for `None`, oldest first.
pub(crate) async fn list(db: impl Db, product: Option<&str>) -> Result<Vec<ApiKeyRecord>> {
    match product {
        Some(product) => {
            db.fetch_all(
                concat!(
                    "SELECT ",
                    api_key_columns!(),
                    " FROM api_keys WHERE product = $1 ORDER BY created_at, id"
                ),
                &[product.into()],
            )
            .await
        }
        None => {
            db.fetch_all(
                concat!(
                    "SELECT ",
                    api_key_columns!(),
                    " FROM api_keys ORDER BY created_at, id"
                ),
                &[],
            )
            .await
        }
    }
}

/// Deletes a key and records its `api_key.deleted`, in one transaction; false (nothing
/// written) if it did not exist.
pub(crate) async fn delete<D: Dialect>(
    pool: &Pool<D>,
    ids: &EventIds,
    id: &str,
    audit: &Audit,
) -> Result<bool> {
    let mut tx = begin(pool, D::BEGIN_WRITE).await?;
    let deleted: Option<ApiKeyRecord> = tx
        .fetch_optional(
            concat!(
                "DELETE FROM api_keys WHERE id = $1 RETURNING ",
                api_key_columns!()
            ),
            &[id.into()],
        )
        .await?;
    let Some(key) = deleted else {
        tx.rollback().await.map_err(map_err)?;
        return Ok(false);
    };
    let event = api_key_event(ids, EventType::ApiKeyDeleted, audit, &key);
    events::insert_all(&mut *tx, &[event]).await?;
    tx.commit().await.map_err(map_err)?;
    Ok(true)
}

/// Inserts the admin key only if no admin key exists, in a write transaction that first takes
/// the dialect's bootstrap lock, so that nodes bootstrapping at once insert one key between them.
pub(crate) async fn insert_first_admin<D: Dialect>(
    pool: &Pool<D>,
    ids: &EventIds,
    key: &ApiKeyRecord,
    audit: &Audit,
) -> Result<bool> {
    let mut tx = begin(pool, D::BEGIN_WRITE).await?;
    if let Some(lock) = D::LOCK_BOOTSTRAP {
        tx.execute(lock, &[]).await?;
    }
    let admins: i64 = tx
        .fetch_one("SELECT COUNT(*) FROM api_keys WHERE kind = 'admin'", &[])
        .await?;
    if admins != 0 {
        tx.rollback().await.map_err(map_err)?;
        return Ok(false);
    }
    insert_row(&mut *tx, key).await?;
    let created = api_key_event(ids, EventType::ApiKeyCreated, audit, key);
    events::insert_all(&mut *tx, &[created]).await?;
    tx.commit().await.map_err(map_err)?;
    Ok(true)
}
