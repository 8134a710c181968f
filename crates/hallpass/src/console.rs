//! Console sign-ins (docs/API.md §16): an admin or access key exchanged for a cookie token, the
//! caller a token acts as, and signing out. The key is checked as any key is (and failures
//! count toward the same limit); the sign-in is kept in the store, so every node honours it
//! and a sign-out or the key's deletion ends it everywhere.

use std::net::IpAddr;
use std::sync::Arc;

use hallpass_core::console::{self, ConsoleSessionRecord};
use hallpass_core::model::Principal;
use hallpass_core::secrets::credential_hash;
use hallpass_core::store::Store;
use hallpass_core::{Error, Result, Timestamp};

use crate::access::Access;
use crate::clock::Clock;

/// A console sign-in as its page sees it: who it acts as and until when, if not used again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsoleCaller {
    /// The key it acts as.
    pub principal: Principal,
    /// When it ends unless used before.
    pub expires_at: Timestamp,
}

/// A new console sign-in: its cookie token (shown to the browser only, as an httpOnly
/// cookie) and its caller.
#[derive(Clone, Debug)]
pub struct ConsoleGrant {
    /// The token for the cookie.
    pub token: String,
    /// Who it acts as.
    pub caller: ConsoleCaller,
}

/// Console sign-ins.
pub(crate) struct Console {
    store: Arc<dyn Store>,
    access: Arc<Access>,
    clock: Arc<dyn Clock>,
}

impl Console {
    pub(crate) fn new(store: Arc<dyn Store>, access: Arc<Access>, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            access,
            clock,
        }
    }

    /// Signs in with `key`, an admin or access key.
    pub(crate) async fn sign_in(
        &self,
        key: Option<&str>,
        client: Option<IpAddr>,
    ) -> Result<ConsoleGrant> {
        let who = self.access.authenticate(key, client).await?;
        let (record, token) = ConsoleSessionRecord::begin(&who, self.clock.now())?;
        self.store.insert_console_session(&record).await?;
        Ok(ConsoleGrant {
            token,
            caller: ConsoleCaller {
                principal: who,
                expires_at: record.expires_at(),
            },
        })
    }

    /// The caller the console token acts as, noting its use; failures count toward the
    /// failed-authentication limit of `client`.
    pub(crate) async fn caller(
        &self,
        token: &str,
        client: Option<IpAddr>,
    ) -> Result<ConsoleCaller> {
        self.access.limited(client, self.lookup(token)).await
    }

    async fn lookup(&self, token: &str) -> Result<ConsoleCaller> {
        if !console::is_well_formed(token) {
            return Err(ended());
        }
        let hash = credential_hash(token);
        let found = self.store.console_session(&hash).await?.ok_or_else(ended)?;
        let principal = found.principal();
        let mut session = found.session;
        let now = self.clock.now();
        if !session.is_live(now) {
            self.store.delete_console_session(&hash).await?;
            return Err(ended());
        }
        if session.needs_touch(now) {
            self.store.touch_console_session(&hash, now).await?;
            session.last_seen_at = now;
        }
        Ok(ConsoleCaller {
            principal,
            expires_at: session.expires_at(),
        })
    }

    /// Ends the sign-in of `token`, if there is one.
    pub(crate) async fn sign_out(&self, token: &str) -> Result<()> {
        if console::is_well_formed(token) {
            self.store
                .delete_console_session(&credential_hash(token))
                .await?;
        }
        Ok(())
    }

    /// Deletes the sign-ins that have ended by `now`.
    pub(crate) async fn sweep(&self, now: Timestamp) -> Result<u64> {
        self.store
            .sweep_console_sessions(
                now.plus_secs(-console::IDLE_SECS),
                now.plus_secs(-console::MAX_SECS),
            )
            .await
    }
}

fn ended() -> Error {
    Error::Unauthorized(
        "the console sign-in has ended (signed out, 30 minutes idle, 12 hours old, or its key \
         was deleted): sign in again"
            .into(),
    )
}
