//! Session type management, part of the administration.

use hallpass_core::events::{Actor, Audit};
use hallpass_core::ids::validate_tag;
use hallpass_core::model::Principal;
use hallpass_core::session_type::{SessionTypeConfig, SessionTypeInput, SessionTypeRecord};
use hallpass_core::store::DeleteTypeOutcome;
use hallpass_core::{Error, Result};

use super::Admin;
use crate::revocations::Cause;
use crate::updates::{UPDATE_ATTEMPTS, next_updated_at, too_contended};

impl Admin {
    /// Creates a session type in the caller's product (admin or product-wide access key).
    pub(crate) async fn create_session_type(
        &self,
        who: &Principal,
        product: Option<&str>,
        tag: &str,
        input: SessionTypeInput,
    ) -> Result<SessionTypeRecord> {
        let product = self
            .access
            .resolve_product_wide(who, product, "create session types")
            .await?;
        validate_tag("tag", tag)?;
        let config = SessionTypeConfig::create(input)?;
        let now = self.clock.now();
        let record = SessionTypeRecord {
            product: product.tag.clone(),
            tag: tag.to_owned(),
            config,
            created_at: now,
            updated_at: now,
        };
        let audit = Audit {
            actor: Actor::key(who),
            at: now,
        };
        let Some(left_over) = self.store.insert_session_type(&record, &audit).await? else {
            return Err(Error::Conflict(format!(
                "session type '{tag}' already exists in product '{}': update it with PATCH /v1/session-types/{tag}",
                product.tag
            )));
        };
        self.revocations.record(&left_over, Cause::TagReused);
        self.catalog.session_type_changed(&product.tag, tag);
        Ok(record)
    }

    /// Merges the given fields into a session type (a compare-and-set: concurrent updates of
    /// other fields, on any node, are kept).
    pub(crate) async fn update_session_type(
        &self,
        who: &Principal,
        product: Option<&str>,
        tag: &str,
        input: SessionTypeInput,
    ) -> Result<SessionTypeRecord> {
        let product = self
            .access
            .resolve_product_wide(who, product, "change session types")
            .await?;
        let not_found = || Error::SessionTypeNotFound {
            product: product.tag.clone(),
            tag: tag.to_owned(),
        };
        for _ in 0..UPDATE_ATTEMPTS {
            let current = self
                .store
                .session_type(&product.tag, tag)
                .await?
                .ok_or_else(not_found)?;
            let previous = current.updated_at;
            let record = SessionTypeRecord {
                config: current.config.merged(input.clone())?,
                updated_at: next_updated_at(self.clock.now(), previous),
                ..current
            };
            let audit = Audit {
                actor: Actor::key(who),
                at: record.updated_at,
            };
            if self
                .store
                .update_session_type(&record, previous, &audit)
                .await?
            {
                self.catalog.session_type_changed(&product.tag, tag);
                return Ok(record);
            }
        }
        Err(too_contended(&format!("session type '{tag}'")))
    }

    /// One session type.
    pub(crate) async fn get_session_type(
        &self,
        who: &Principal,
        product: Option<&str>,
        tag: &str,
    ) -> Result<SessionTypeRecord> {
        let product = self.access.resolve_product(who, product).await?;
        self.store
            .session_type(&product.tag, tag)
            .await?
            .ok_or_else(|| Error::SessionTypeNotFound {
                product: product.tag.clone(),
                tag: tag.to_owned(),
            })
    }

    /// Every session type of the product.
    pub(crate) async fn list_session_types(
        &self,
        who: &Principal,
        product: Option<&str>,
    ) -> Result<Vec<SessionTypeRecord>> {
        let product = self.access.resolve_product(who, product).await?;
        self.store.session_types(&product.tag).await
    }

    /// Deletes a session type. With active sessions it refuses unless `force`, which revokes
    /// them (on every node, through the revocation set).
    pub(crate) async fn delete_session_type(
        &self,
        who: &Principal,
        product: Option<&str>,
        tag: &str,
        force: bool,
    ) -> Result<()> {
        let product = self
            .access
            .resolve_product_wide(who, product, "delete session types")
            .await?;
        let outcome = self
            .store
            .delete_session_type(
                &product.tag,
                tag,
                force,
                &Audit {
                    actor: Actor::key(who),
                    at: self.clock.now(),
                },
            )
            .await?;
        self.catalog.session_type_changed(&product.tag, tag);
        match outcome {
            DeleteTypeOutcome::NotFound => Err(Error::SessionTypeNotFound {
                product: product.tag.clone(),
                tag: tag.to_owned(),
            }),
            DeleteTypeOutcome::HasActiveSessions(n) => Err(Error::Conflict(format!(
                "session type '{tag}' has {n} active session(s): revoke them first, or delete with ?force=true to revoke them all"
            ))),
            DeleteTypeOutcome::Deleted(revoked) => {
                self.revocations.record(&revoked, Cause::TypeDeleted);
                Ok(())
            }
        }
    }
}
