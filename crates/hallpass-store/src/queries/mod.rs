//! Every statement the two databases agree on, written once, by resource. Each runs on a
//! [`Db`](crate::sql::Db) (a pool or a transaction's connection) with numbered parameters;
//! transactions begin and lock as the [`Dialect`](crate::dialect::Dialect) says.

pub(crate) mod api_keys;
pub(crate) mod console;
pub(crate) mod env_keys;
pub(crate) mod events;
pub(crate) mod lifecycle;
pub(crate) mod products;
pub(crate) mod revocation;
pub(crate) mod session_types;
pub(crate) mod sessions;
pub(crate) mod webhooks;
