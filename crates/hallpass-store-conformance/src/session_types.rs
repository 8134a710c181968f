//! Cases for session types and their deletion.

use crate::fixtures::audit;
use std::sync::Arc;

use hallpass_core::model::SessionRecord;
use hallpass_core::session_type::SessionTypeRecord;
use hallpass_core::store::{DeleteTypeOutcome, Revoked, Store};

use super::fixtures::{
    REFRESH_SECS, at, filter, insert_sessions, must_get, now, session, session_type, sid,
};

/// Types come back whole (configuration JSON included), list by tag per product, and update
/// replaces configuration and `updated_at` only when the type exists.
pub async fn session_type_insert_get_list_update(store: Arc<dyn Store>) {
    let user = session_type("shop", "user");
    let admin = session_type("shop", "admin");
    let other = session_type("blog", "user");
    for t in [&user, &admin, &other] {
        assert_eq!(
            store
                .insert_session_type(t, &audit(now()))
                .await
                .expect("insert"),
            Some(vec![])
        );
    }
    assert_eq!(
        store.session_type("shop", "user").await.expect("get"),
        Some(user.clone())
    );
    assert_eq!(store.session_type("shop", "nope").await.expect("get"), None);
    assert_eq!(
        store.session_types("shop").await.expect("list"),
        vec![admin, user.clone()]
    );
    assert_eq!(
        store.session_types("blog").await.expect("list"),
        vec![other.clone()]
    );

    let mut changed = user.clone();
    changed.config.name = "Renamed".into();
    changed.config.cookie = None;
    changed.config.schema = serde_json::Value::Null;
    changed.updated_at = at(100);
    let stale = SessionTypeRecord {
        updated_at: at(90),
        ..changed.clone()
    };
    assert!(
        !store
            .update_session_type(&stale, at(5), &audit(now()))
            .await
            .expect("update from a stale read"),
        "an update based on an outdated read must not apply"
    );
    assert_eq!(
        store.session_type("shop", "user").await.expect("get"),
        Some(user.clone())
    );
    assert!(
        store
            .update_session_type(&changed, user.updated_at, &audit(now()))
            .await
            .expect("update")
    );
    assert_eq!(
        store.session_type("shop", "user").await.expect("get"),
        Some(changed)
    );
    assert_eq!(
        store.session_type("blog", "user").await.expect("get"),
        Some(other)
    );
    let ghost = session_type("shop", "ghost");
    assert!(
        !store
            .update_session_type(&ghost, ghost.updated_at, &audit(now()))
            .await
            .expect("update absent")
    );
    assert_eq!(
        store.session_type("shop", "ghost").await.expect("get"),
        None
    );
}

/// A second type with an existing (product, tag) is refused and changes nothing.
pub async fn session_type_duplicate_writes_nothing(store: Arc<dyn Store>) {
    let user = session_type("shop", "user");
    assert_eq!(
        store
            .insert_session_type(&user, &audit(now()))
            .await
            .expect("insert"),
        Some(vec![])
    );
    let mut again = session_type("shop", "user");
    again.config.name = "Other".into();
    again.created_at = at(50);
    assert_eq!(
        store
            .insert_session_type(&again, &audit(now()))
            .await
            .expect("insert again"),
        None
    );
    assert_eq!(
        store.session_type("shop", "user").await.expect("get"),
        Some(user)
    );
}

/// Deleting a type that does not exist says so.
pub async fn delete_session_type_not_found(store: Arc<dyn Store>) {
    assert_eq!(
        store
            .insert_session_type(&session_type("blog", "user"), &audit(now()))
            .await
            .expect("insert"),
        Some(vec![])
    );
    let outcome = store
        .delete_session_type("shop", "user", true, &audit(now()))
        .await
        .expect("delete");
    assert_eq!(outcome, DeleteTypeOutcome::NotFound);
    assert!(
        store
            .session_type("blog", "user")
            .await
            .expect("get")
            .is_some()
    );
}

/// Sessions of the type: active in two envs, one revoked, one over, and one of another type.
fn type_sessions() -> Vec<SessionRecord> {
    vec![
        session(1),
        SessionRecord {
            env: "prd".into(),
            ..session(2)
        },
        SessionRecord {
            revoked_at: Some(at(10)),
            ..session(3)
        },
        SessionRecord {
            refresh_expires_at: at(30),
            ..session(4)
        },
        SessionRecord {
            tag: "admin".into(),
            ..session(5)
        },
    ]
}

/// Without `force`, a type with active sessions (in any env) is kept and nothing changes.
pub async fn delete_session_type_refuses_with_active_sessions(store: Arc<dyn Store>) {
    let user = session_type("shop", "user");
    assert_eq!(
        store
            .insert_session_type(&user, &audit(now()))
            .await
            .expect("insert"),
        Some(vec![])
    );
    let sessions = type_sessions();
    insert_sessions(&*store, &sessions).await;
    let outcome = store
        .delete_session_type("shop", "user", false, &audit(now()))
        .await
        .expect("delete");
    assert_eq!(outcome, DeleteTypeOutcome::HasActiveSessions(2));
    assert_eq!(
        store.session_type("shop", "user").await.expect("get"),
        Some(user)
    );
    for s in &sessions {
        assert_eq!(&must_get(&*store, &s.id).await, s);
    }
}

/// With `force`, the active sessions are revoked at `now` and the type is gone; a type
/// created again with the tag does not bring the revoked sessions back.
pub async fn delete_session_type_force_revokes_and_reuse_keeps_them_revoked(store: Arc<dyn Store>) {
    assert_eq!(
        store
            .insert_session_type(&session_type("shop", "user"), &audit(now()))
            .await
            .expect("insert"),
        Some(vec![])
    );
    assert_eq!(
        store
            .insert_session_type(&session_type("shop", "admin"), &audit(now()))
            .await
            .expect("insert"),
        Some(vec![])
    );
    let sessions = type_sessions();
    insert_sessions(&*store, &sessions).await;
    let outcome = store
        .delete_session_type("shop", "user", true, &audit(now()))
        .await
        .expect("delete");
    let expected: Vec<Revoked> = [&sessions[0], &sessions[1]]
        .iter()
        .map(|s| Revoked {
            session_id: s.id.clone(),
            product: s.product.clone(),
            env: s.env.clone(),
            forget_after: s.token_expires_at,
        })
        .collect();
    assert_eq!(outcome, DeleteTypeOutcome::Deleted(expected));
    assert_eq!(store.session_type("shop", "user").await.expect("get"), None);
    assert_eq!(must_get(&*store, &sid(1)).await.revoked_at, Some(now()));
    assert_eq!(must_get(&*store, &sid(2)).await.revoked_at, Some(now()));
    assert_eq!(must_get(&*store, &sid(3)).await.revoked_at, Some(at(10)));
    assert_eq!(must_get(&*store, &sid(4)).await.revoked_at, None);
    assert_eq!(must_get(&*store, &sid(5)).await, sessions[4]);

    let reused = SessionTypeRecord {
        created_at: now(),
        updated_at: now(),
        ..session_type("shop", "user")
    };
    assert_eq!(
        store
            .insert_session_type(&reused, &audit(now()))
            .await
            .expect("reuse tag"),
        Some(vec![])
    );
    let page = store
        .list_sessions(&filter("u1"), None, 10, now())
        .await
        .expect("list");
    assert_eq!(page.count, 0);
    assert!(page.sessions.is_empty());
    assert_eq!(must_get(&*store, &sid(1)).await.revoked_at, Some(now()));

    // Without active sessions (at `now`) no `force` is needed and nothing is revoked.
    let outcome = store
        .delete_session_type("shop", "user", false, &audit(now()))
        .await
        .expect("delete");
    assert_eq!(outcome, DeleteTypeOutcome::Deleted(vec![]));
    let after_all = at(REFRESH_SECS + 1);
    let outcome = store
        .delete_session_type("shop", "admin", false, &audit(after_all))
        .await
        .expect("delete");
    assert_eq!(outcome, DeleteTypeOutcome::Deleted(vec![]));
    assert_eq!(must_get(&*store, &sid(5)).await, sessions[4]);
}

/// A start that raced the deletion of its type can leave an active session behind; creating a
/// type with that tag again revokes it rather than reviving it.
pub async fn reusing_a_tag_revokes_sessions_left_from_the_old_type(store: Arc<dyn Store>) {
    let old = session_type("shop", "user");
    assert_eq!(
        store
            .insert_session_type(&old, &audit(now()))
            .await
            .expect("insert"),
        Some(vec![])
    );
    assert_eq!(
        store
            .delete_session_type("shop", "user", false, &audit(now()))
            .await
            .expect("delete"),
        DeleteTypeOutcome::Deleted(vec![])
    );
    // Committed just after the deletion, by a start that had checked the type before it.
    let left_over = session(1);
    insert_sessions(&*store, std::slice::from_ref(&left_over)).await;

    let reused = SessionTypeRecord {
        created_at: now(),
        updated_at: now(),
        ..session_type("shop", "user")
    };
    let revoked = store
        .insert_session_type(&reused, &audit(now()))
        .await
        .expect("reuse tag");
    assert_eq!(
        revoked,
        Some(vec![Revoked {
            session_id: left_over.id.clone(),
            product: left_over.product.clone(),
            env: left_over.env.clone(),
            forget_after: left_over.token_expires_at,
        }])
    );
    assert_eq!(
        must_get(&*store, &left_over.id).await.revoked_at,
        Some(now())
    );
    let page = store
        .list_sessions(&filter("u1"), None, 10, now())
        .await
        .expect("list");
    assert_eq!(page.count, 0);
}
