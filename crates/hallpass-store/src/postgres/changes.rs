//! The change feed on PostgreSQL: `LISTEN hallpass_changes`, fed by the triggers of the
//! schema, which `NOTIFY` as part of the writing transaction, so a change is announced exactly
//! when it commits.

use hallpass_core::store::{Change, ChangeFeed, Revoked};
use hallpass_core::{Result, Timestamp};
use sqlx::PgPool;
use sqlx::postgres::PgListener;

use crate::error::map_err;

/// The channel the schema's triggers notify.
const CHANNEL: &str = "hallpass_changes";

/// A dedicated connection listening for changes. When it is lost, the next call connects
/// anew and, once listening again, reports [`Change::Gap`]: changes committed meanwhile were
/// not delivered. Until then calls fail, so a node keeps what it holds in memory throughout an
/// outage and refreshes it only when the database is back.
pub(crate) struct PgChangeFeed {
    pool: PgPool,
    listener: Option<PgListener>,
}

impl PgChangeFeed {
    /// Starts listening; changes committed from now on are delivered.
    pub(crate) async fn listen(pool: &PgPool) -> Result<Self> {
        Ok(Self {
            listener: Some(subscribe(pool).await?),
            pool: pool.clone(),
        })
    }
}

/// A new listening connection.
async fn subscribe(pool: &PgPool) -> Result<PgListener> {
    let mut listener = PgListener::connect_with(pool).await.map_err(map_err)?;
    listener.listen(CHANNEL).await.map_err(map_err)?;
    Ok(listener)
}

#[async_trait::async_trait]
impl ChangeFeed for PgChangeFeed {
    async fn next(&mut self) -> Result<Change> {
        let Some(listener) = self.listener.as_mut() else {
            self.listener = Some(subscribe(&self.pool).await?);
            return Ok(Change::Gap);
        };
        loop {
            match listener.try_recv().await {
                Ok(Some(notification)) => match parse(notification.payload()) {
                    Some(change) => return Ok(change),
                    None => tracing::warn!(
                        payload = notification.payload(),
                        "ignoring an unrecognised change notification"
                    ),
                },
                // The connection was lost (`None`) or failed: start over on the next call.
                Ok(None) => {
                    self.listener = None;
                    return Err(hallpass_core::Error::StoreUnavailable(
                        "the connection listening for changes was lost".into(),
                    ));
                }
                Err(e) => {
                    self.listener = None;
                    return Err(map_err(e));
                }
            }
        }
    }
}

/// Parses a trigger's payload: `<kind> <fields…>` separated by single spaces.
fn parse(payload: &str) -> Option<Change> {
    let mut fields = payload.split(' ');
    let kind = fields.next()?;
    let mut field = || fields.next().filter(|f| !f.is_empty()).map(str::to_owned);
    let change = match kind {
        "revoked" => Change::Revoked(Revoked {
            session_id: field()?,
            forget_after: Timestamp::from_millis(field()?.parse().ok()?),
        }),
        "api_key_deleted" => Change::ApiKeyDeleted { id: field()? },
        "product" => Change::ProductChanged { tag: field()? },
        "session_type" => Change::SessionTypeChanged {
            product: field()?,
            tag: field()?,
        },
        "env_keys" => Change::EnvKeysChanged,
        _ => return None,
    };
    field().is_none().then_some(change)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_of_every_trigger_parse() {
        assert_eq!(
            parse("revoked 01J0000000000000000000000A 1700000000123"),
            Some(Change::Revoked(Revoked {
                session_id: "01J0000000000000000000000A".into(),
                forget_after: Timestamp::from_millis(1_700_000_000_123),
            }))
        );
        assert_eq!(
            parse("api_key_deleted key_abc"),
            Some(Change::ApiKeyDeleted {
                id: "key_abc".into()
            })
        );
        assert_eq!(
            parse("product shop"),
            Some(Change::ProductChanged { tag: "shop".into() })
        );
        assert_eq!(
            parse("session_type shop user"),
            Some(Change::SessionTypeChanged {
                product: "shop".into(),
                tag: "user".into()
            })
        );
        assert_eq!(parse("env_keys"), Some(Change::EnvKeysChanged));
    }

    #[test]
    fn malformed_payloads_are_ignored() {
        for payload in [
            "",
            "revoked",
            "revoked id",
            "revoked id not-a-number",
            "revoked id 1 extra",
            "session_type shop",
            "product ",
            "env_keys extra",
            "dropped shop",
        ] {
            assert_eq!(parse(payload), None, "{payload:?}");
        }
    }
}
