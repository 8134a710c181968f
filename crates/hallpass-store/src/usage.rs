//! Pool usage of an sqlx pool, as `/metrics` reports it; the same for both backends.

use hallpass_core::store::PoolUsage;

/// How `pool` is used now.
pub(crate) fn pool_usage<DB: sqlx::Database>(pool: &sqlx::Pool<DB>) -> PoolUsage {
    PoolUsage {
        open: pool.size(),
        idle: u32::try_from(pool.num_idle()).unwrap_or(u32::MAX),
        max: pool.options().get_max_connections(),
    }
}
