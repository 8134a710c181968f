//! Products, stored with their envs' first keys.

use hallpass_core::model::{EnvKeyRecord, Product};
use hallpass_core::{Result, Timestamp};
use sqlx::PgPool;

use super::env_keys;
use crate::error::map_err;
use crate::rows::{ProductRow, convert_all, json_list, product_columns};

/// Inserts the product and its keys in one transaction; false (nothing written) if the tag exists.
pub(super) async fn insert(
    pool: &PgPool,
    product: &Product,
    keys: &[EnvKeyRecord],
) -> Result<bool> {
    let envs = json_list(&product.envs)?;
    let origins = json_list(&product.allowed_origins)?;
    let mut tx = pool.begin().await.map_err(map_err)?;
    let inserted = sqlx::query(concat!(
        "INSERT INTO products (",
        product_columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tag) DO NOTHING"
    ))
    .bind(product.tag.as_str())
    .bind(product.name.as_str())
    .bind(envs)
    .bind(origins)
    .bind(product.created_at.as_millis())
    .bind(product.updated_at.as_millis())
    .execute(&mut *tx)
    .await
    .map_err(map_err)?
    .rows_affected()
        == 1;
    if !inserted {
        tx.rollback().await.map_err(map_err)?;
        return Ok(false);
    }
    for key in keys {
        env_keys::insert(&mut tx, key).await?;
    }
    tx.commit().await.map_err(map_err)?;
    Ok(true)
}

/// The product with this tag.
pub(super) async fn get(pool: &PgPool, tag: &str) -> Result<Option<Product>> {
    sqlx::query_as::<_, ProductRow>(concat!(
        "SELECT ",
        product_columns!(),
        " FROM products WHERE tag = $1"
    ))
    .bind(tag)
    .fetch_optional(pool)
    .await
    .map_err(map_err)?
    .map(Product::try_from)
    .transpose()
}

/// Every product, by tag.
pub(super) async fn list(pool: &PgPool) -> Result<Vec<Product>> {
    let rows = sqlx::query_as::<_, ProductRow>(concat!(
        "SELECT ",
        product_columns!(),
        " FROM products ORDER BY tag"
    ))
    .fetch_all(pool)
    .await
    .map_err(map_err)?;
    convert_all(rows)
}

/// Replaces name, allowed origins and `updated_at` (never envs nor `created_at`).
pub(super) async fn update(pool: &PgPool, product: &Product, previous: Timestamp) -> Result<bool> {
    let result = sqlx::query(
        "UPDATE products SET name = $1, allowed_origins = $2, updated_at = $3 WHERE tag = $4 AND updated_at = $5",
    )
    .bind(product.name.as_str())
    .bind(json_list(&product.allowed_origins)?)
    .bind(product.updated_at.as_millis())
    .bind(product.tag.as_str())
    .bind(previous.as_millis())
    .execute(pool)
    .await
    .map_err(map_err)?;
    Ok(result.rows_affected() == 1)
}
