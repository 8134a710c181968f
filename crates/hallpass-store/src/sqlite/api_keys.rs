//! API keys, stored by the hash of their secret.

use hallpass_core::Result;
use hallpass_core::model::ApiKeyRecord;
use sqlx::SqlitePool;

use super::begin_write;
use crate::error::map_err;
use crate::rows::{ApiKeyRow, api_key_columns, convert_all};

/// Inserts a key; a duplicate id or hash is a constraint violation, hence an internal error.
pub(super) async fn insert(conn: impl sqlx::SqliteExecutor<'_>, key: &ApiKeyRecord) -> Result<()> {
    sqlx::query(concat!(
        "INSERT INTO api_keys (",
        api_key_columns!(),
        ") VALUES (?, ?, ?, ?, ?, ?, ?)"
    ))
    .bind(key.id.as_str())
    .bind(key.kind.as_str())
    .bind(key.product.as_deref())
    .bind(key.env.as_deref())
    .bind(key.name.as_str())
    .bind(key.hash.as_str())
    .bind(key.created_at.as_millis())
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

/// The key whose secret hashes to `hash`.
pub(super) async fn by_hash(pool: &SqlitePool, hash: &str) -> Result<Option<ApiKeyRecord>> {
    sqlx::query_as::<_, ApiKeyRow>(concat!(
        "SELECT ",
        api_key_columns!(),
        " FROM api_keys WHERE hash = ?"
    ))
    .bind(hash)
    .fetch_optional(pool)
    .await
    .map_err(map_err)?
    .map(ApiKeyRecord::try_from)
    .transpose()
}

/// Keys of one product, or all keys (admin ones too) for `None`, oldest first.
pub(super) async fn list(pool: &SqlitePool, product: Option<&str>) -> Result<Vec<ApiKeyRecord>> {
    let rows = match product {
        Some(product) => {
            sqlx::query_as::<_, ApiKeyRow>(concat!(
                "SELECT ",
                api_key_columns!(),
                " FROM api_keys WHERE product = ? ORDER BY created_at, id"
            ))
            .bind(product)
            .fetch_all(pool)
            .await
        }
        None => {
            sqlx::query_as::<_, ApiKeyRow>(concat!(
                "SELECT ",
                api_key_columns!(),
                " FROM api_keys ORDER BY created_at, id"
            ))
            .fetch_all(pool)
            .await
        }
    }
    .map_err(map_err)?;
    convert_all(rows)
}

/// Deletes a key; false if it did not exist.
pub(super) async fn delete(pool: &SqlitePool, id: &str) -> Result<bool> {
    let result = sqlx::query("DELETE FROM api_keys WHERE id = ?")
        .bind(id)
        .execute(pool)
        .await
        .map_err(map_err)?;
    Ok(result.rows_affected() == 1)
}

/// Inserts the admin key only if no admin key exists, under the write lock so two nodes
/// bootstrapping at once insert one key between them.
pub(super) async fn insert_first_admin(pool: &SqlitePool, key: &ApiKeyRecord) -> Result<bool> {
    let mut tx = begin_write(pool).await?;
    let exists: i64 =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM api_keys WHERE kind = 'admin')")
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err)?;
    if exists != 0 {
        tx.rollback().await.map_err(map_err)?;
        return Ok(false);
    }
    insert(&mut *tx, key).await?;
    tx.commit().await.map_err(map_err)?;
    Ok(true)
}
