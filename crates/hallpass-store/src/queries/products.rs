//! Products, stored with their envs' first keys.

use hallpass_core::model::{EnvKeyRecord, Product};
use hallpass_core::{Result, Timestamp};
use sqlx::Pool;

use super::env_keys;
use crate::dialect::Dialect;
use crate::error::map_err;
use crate::records::{json_list, product_columns};
use crate::sql::{Db, begin};

/// Inserts the product and its keys in one transaction; false (nothing written) if the tag exists.
pub(crate) async fn insert<D: Dialect>(
    pool: &Pool<D>,
    product: &Product,
    keys: &[EnvKeyRecord],
) -> Result<bool> {
    let envs = json_list(&product.envs)?;
    let origins = json_list(&product.allowed_origins)?;
    let mut tx = begin(pool, D::BEGIN_WRITE).await?;
    let inserted = tx
        .execute(
            concat!(
                "INSERT INTO products (",
                product_columns!(),
                ") VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tag) DO NOTHING"
            ),
            &[
                product.tag.as_str().into(),
                product.name.as_str().into(),
                envs.as_str().into(),
                origins.as_str().into(),
                product.created_at.into(),
                product.updated_at.into(),
            ],
        )
        .await?
        == 1;
    if !inserted {
        tx.rollback().await.map_err(map_err)?;
        return Ok(false);
    }
    for key in keys {
        env_keys::insert(&mut *tx, key).await?;
    }
    tx.commit().await.map_err(map_err)?;
    Ok(true)
}

/// The product with this tag.
pub(crate) async fn get(db: impl Db, tag: &str) -> Result<Option<Product>> {
    db.fetch_optional(
        concat!(
            "SELECT ",
            product_columns!(),
            " FROM products WHERE tag = $1"
        ),
        &[tag.into()],
    )
    .await
}

/// Every product, by tag.
pub(crate) async fn list(db: impl Db) -> Result<Vec<Product>> {
    db.fetch_all(
        concat!("SELECT ", product_columns!(), " FROM products ORDER BY tag"),
        &[],
    )
    .await
}

/// Replaces name, allowed origins and `updated_at` (never envs nor `created_at`) if the stored
/// `updated_at` is still `previous`.
pub(crate) async fn update(db: impl Db, product: &Product, previous: Timestamp) -> Result<bool> {
    let origins = json_list(&product.allowed_origins)?;
    let updated = db
        .execute(
            "UPDATE products SET name = $1, allowed_origins = $2, updated_at = $3 \
             WHERE tag = $4 AND updated_at = $5",
            &[
                product.name.as_str().into(),
                origins.as_str().into(),
                product.updated_at.into(),
                product.tag.as_str().into(),
                previous.into(),
            ],
        )
        .await?;
    Ok(updated == 1)
}
