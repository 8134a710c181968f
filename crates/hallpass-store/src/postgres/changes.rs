//! The change feed on PostgreSQL: `LISTEN hallpass_changes`, fed by the triggers of the
//! schema, which `NOTIFY` as part of the writing transaction, so a change is announced exactly
//! when it commits.

use std::time::{Duration, Instant};

use hallpass_core::store::{Change, ChangeFeed, Revoked, Superseded};
use hallpass_core::{Result, Timestamp};
use sqlx::PgPool;
use sqlx::postgres::PgListener;

use crate::error::map_err;

/// The channel the schema's triggers notify.
const CHANNEL: &str = "hallpass_changes";
/// The payload of a liveness check: sent by any node, proof to every node that its listening
/// connection still delivers.
const CHECK: &str = "check";
/// After this long without any notification, the feed checks its connection.
const QUIET_BEFORE_CHECK: Duration = Duration::from_secs(10);
/// How long a check may take to come back before the connection counts as lost.
const CHECK_TIMEOUT: Duration = Duration::from_secs(5);

/// A dedicated connection listening for changes. When it is lost, the next call connects
/// anew and, once listening again, reports [`Change::Gap`]: changes committed meanwhile were
/// not delivered. Until then calls fail, so a node keeps what it holds in memory throughout an
/// outage and refreshes it only when the database is back.
///
/// A listening connection never sends anything, so one that a firewall, NAT or failover drops
/// without a word would wait forever. The feed therefore notifies its own channel after a
/// quiet spell, and counts the connection as lost when that check does not come back.
pub(crate) struct PgChangeFeed {
    pool: PgPool,
    listener: Option<PgListener>,
    /// When the pending liveness check was sent.
    check_sent: Option<Instant>,
}

impl PgChangeFeed {
    /// Starts listening; changes committed from now on are delivered.
    pub(crate) async fn listen(pool: &PgPool) -> Result<Self> {
        Ok(Self {
            listener: Some(subscribe(pool).await?),
            pool: pool.clone(),
            check_sent: None,
        })
    }

    /// Asks the database to notify every listener (this one included). Bounded in time, since
    /// the pool's connections may be as unreachable as the listening one.
    async fn send_check(&mut self) {
        let sent = tokio::time::timeout(
            CHECK_TIMEOUT,
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(CHECK)
                .execute(&self.pool),
        )
        .await;
        if !matches!(sent, Ok(Ok(_))) {
            tracing::debug!("the change feed's liveness check could not be sent");
        }
        self.check_sent = Some(Instant::now());
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
        if self.listener.is_none() {
            self.listener = Some(subscribe(&self.pool).await?);
            self.check_sent = None;
            return Ok(Change::Gap);
        }
        loop {
            let wait = self.check_sent.map_or(QUIET_BEFORE_CHECK, |sent| {
                CHECK_TIMEOUT.saturating_sub(sent.elapsed())
            });
            let Some(listener) = self.listener.as_mut() else {
                return Err(lost("the connection listening for changes was lost"));
            };
            // `try_recv` is cancel-safe: a notification is never half-read.
            let received = match tokio::time::timeout(wait, listener.try_recv()).await {
                Ok(received) => received,
                Err(_quiet) if self.check_sent.is_none() => {
                    self.send_check().await;
                    continue;
                }
                Err(_quiet) => {
                    self.listener = None;
                    return Err(lost(
                        "the connection listening for changes stopped delivering notifications",
                    ));
                }
            };
            match received {
                Ok(Some(notification)) => {
                    // Anything that arrives proves the connection works.
                    self.check_sent = None;
                    if notification.payload() == CHECK {
                        continue;
                    }
                    match parse(notification.payload()) {
                        Some(change) => return Ok(change),
                        None => tracing::warn!(
                            payload = notification.payload(),
                            "ignoring an unrecognised change notification"
                        ),
                    }
                }
                // The connection was lost (`None`) or failed: start over on the next call.
                Ok(None) => {
                    self.listener = None;
                    return Err(lost("the connection listening for changes was lost"));
                }
                Err(e) => {
                    self.listener = None;
                    return Err(map_err(e));
                }
            }
        }
    }
}

fn lost(what: &str) -> hallpass_core::Error {
    hallpass_core::Error::StoreUnavailable(what.into())
}

/// Parses a trigger's payload: `<kind> <fields…>` separated by single spaces.
fn parse(payload: &str) -> Option<Change> {
    let mut fields = payload.split(' ');
    let kind = fields.next()?;
    let mut field = || fields.next().filter(|f| !f.is_empty()).map(str::to_owned);
    let change = match kind {
        // The order of the triggers' fields (migration 0006): what the sets need first, then
        // the product and env the revocation feed is kept by.
        "revoked" => Change::Revoked(Revoked {
            session_id: field()?,
            forget_after: Timestamp::from_millis(field()?.parse().ok()?),
            product: field()?,
            env: field()?,
        }),
        "superseded" => Change::Superseded(Superseded {
            session_id: field()?,
            version: field()?.parse().ok()?,
            forget_after: Timestamp::from_millis(field()?.parse().ok()?),
            product: field()?,
            env: field()?,
            at: Timestamp::from_millis(field()?.parse().ok()?),
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
            parse("revoked 01J0000000000000000000000A 1700000000123 shop prd"),
            Some(Change::Revoked(Revoked {
                session_id: "01J0000000000000000000000A".into(),
                product: "shop".into(),
                env: "prd".into(),
                forget_after: Timestamp::from_millis(1_700_000_000_123),
            }))
        );
        assert_eq!(
            parse("superseded 01J0000000000000000000000A 3 1700000000123 shop prd 1699999000000"),
            Some(Change::Superseded(Superseded {
                session_id: "01J0000000000000000000000A".into(),
                product: "shop".into(),
                env: "prd".into(),
                version: 3,
                at: Timestamp::from_millis(1_699_999_000_000),
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
            "revoked id 1",
            "revoked id 1 shop",
            "revoked id 1 shop prd extra",
            "superseded id 1",
            "superseded id x 1 shop prd 1",
            "superseded id 1 1 shop prd",
            "superseded id 1 1 shop prd x",
            "session_type shop",
            "product ",
            "env_keys extra",
            "dropped shop",
        ] {
            assert_eq!(parse(payload), None, "{payload:?}");
        }
    }
}
