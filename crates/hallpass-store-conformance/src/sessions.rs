//! Cases for sessions: storage, lookup by refresh hash, rotation and listing.

use crate::fixtures::{audit, revoking};
use std::sync::Arc;

use hallpass_core::Error;
use hallpass_core::model::{Device, SessionRecord};
use hallpass_core::store::{Activity, IdentifierFilter, Store};

use super::fixtures::{
    TOKEN_SECS, at, filter, insert_sessions, must_get, now, rotation, session, session_of, sid,
};

/// A session comes back field for field, by id and by its refresh hash; unknown ones are `None`.
pub async fn session_insert_get_and_by_refresh_hash(store: Arc<dyn Store>) {
    let full = session(1);
    let bare = SessionRecord {
        identifier: None,
        device: Device::default(),
        ..session(2)
    };
    let rotated_before = SessionRecord {
        previous_refresh_hash: Some("rh-older".into()),
        rotated_at: Some(at(30)),
        grace_answer: Some(vec![0, 1, 2, 255]),
        ..session(3)
    };
    insert_sessions(
        &*store,
        &[full.clone(), bare.clone(), rotated_before.clone()],
    )
    .await;
    assert_eq!(must_get(&*store, &full.id).await, full);
    assert_eq!(must_get(&*store, &bare.id).await, bare);
    assert_eq!(must_get(&*store, &rotated_before.id).await, rotated_before);
    assert_eq!(store.session("nope").await.expect("get"), None);
    let by_hash = store
        .session_by_refresh_hash(&full.refresh_hash)
        .await
        .expect("by hash");
    assert_eq!(by_hash, Some(full));
    let by_older = store
        .session_by_refresh_hash("rh-older")
        .await
        .expect("by older hash");
    assert_eq!(by_older, Some(rotated_before));
    assert_eq!(
        store
            .session_by_refresh_hash("rh-unknown")
            .await
            .expect("by hash"),
        None
    );
}

/// A session reusing an id or a refresh hash is refused as an internal error, leaving no trace.
pub async fn session_duplicate_is_internal_error(store: Arc<dyn Store>) {
    let first = session(1);
    insert_sessions(&*store, std::slice::from_ref(&first)).await;
    let same_id = SessionRecord {
        refresh_hash: "rh-new".into(),
        ..session(1)
    };
    let same_hash = SessionRecord {
        refresh_hash: first.refresh_hash.clone(),
        ..session(2)
    };
    for dup in [&same_id, &same_hash] {
        let result = store.insert_session(dup, &audit(now())).await;
        assert!(matches!(result, Err(Error::Internal(_))), "got {result:?}");
    }
    assert_eq!(must_get(&*store, &first.id).await, first);
    assert_eq!(store.session(&sid(2)).await.expect("get"), None);
    assert_eq!(
        store
            .session_by_refresh_hash("rh-new")
            .await
            .expect("by hash"),
        None
    );
}

/// A rotation applies once: the expected hash is then stale, the fields are updated, and
/// every hash the session ever had still finds it.
pub async fn rotate_refresh_applies_once(store: Arc<dyn Store>) {
    let original = session(1);
    insert_sessions(&*store, std::slice::from_ref(&original)).await;
    let first = rotation("rh-1", 100);
    assert!(
        store
            .rotate_refresh(&original, &original.refresh_hash, &first, &audit(now()))
            .await
            .expect("rotate")
    );
    let expected = SessionRecord {
        refresh_hash: "rh-1".into(),
        previous_refresh_hash: Some(original.refresh_hash.clone()),
        token_issued_at: first.token_issued_at,
        token_expires_at: first.token_expires_at,
        last_active_at: first.rotated_at,
        rotated_at: Some(first.rotated_at),
        grace_answer: Some(first.grace_answer.clone()),
        ..original.clone()
    };
    assert_eq!(must_get(&*store, &original.id).await, expected);

    let replay = rotation("rh-replay", 101);
    let applied = store
        .rotate_refresh(&original, &original.refresh_hash, &replay, &audit(now()))
        .await
        .expect("replay");
    assert!(!applied, "a stale expected hash must not rotate");
    assert_eq!(must_get(&*store, &original.id).await, expected);
    assert_eq!(
        store
            .session_by_refresh_hash("rh-replay")
            .await
            .expect("by hash"),
        None
    );

    let second = rotation("rh-2", 200);
    assert!(
        store
            .rotate_refresh(&original, "rh-1", &second, &audit(now()))
            .await
            .expect("rotate again")
    );
    let now_stored = must_get(&*store, &original.id).await;
    assert_eq!(now_stored.refresh_hash, "rh-2");
    assert_eq!(now_stored.previous_refresh_hash.as_deref(), Some("rh-1"));
    for hash in [original.refresh_hash.as_str(), "rh-1", "rh-2"] {
        let found = store.session_by_refresh_hash(hash).await.expect("by hash");
        assert_eq!(
            found.map(|s| s.id),
            Some(original.id.clone()),
            "hash {hash}"
        );
    }
}

/// Concurrent rotations from the same hash: exactly one applies, and only its hash is stored.
pub async fn rotate_refresh_concurrent_applies_once(store: Arc<dyn Store>) {
    let original = session(1);
    insert_sessions(&*store, std::slice::from_ref(&original)).await;

    let (to_a, to_b) = (rotation("rh-a", 100), rotation("rh-b", 100));
    let by = audit(now());
    let (a, b) = tokio::join!(
        store.rotate_refresh(&original, &original.refresh_hash, &to_a, &by),
        store.rotate_refresh(&original, &original.refresh_hash, &to_b, &by),
    );
    let (a, b) = (a.expect("rotate a"), b.expect("rotate b"));
    assert!(
        a ^ b,
        "exactly one of two joined rotations applies (a={a}, b={b})"
    );
    let current = must_get(&*store, &original.id).await.refresh_hash;

    let tasks: Vec<_> = (0..8)
        .map(|n| {
            let store = Arc::clone(&store);
            let (original, expected) = (original.clone(), current.clone());
            tokio::spawn(async move {
                let new = rotation(&format!("rh-race-{n}"), 200);
                let applied = store
                    .rotate_refresh(&original, &expected, &new, &audit(now()))
                    .await
                    .expect("rotate");
                (n, applied)
            })
        })
        .collect();
    let mut winners = Vec::new();
    for task in tasks {
        let (n, applied) = task.await.expect("task");
        if applied {
            winners.push(n);
        }
    }
    assert_eq!(
        winners.len(),
        1,
        "exactly one spawned rotation applies: {winners:?}"
    );
    let stored = must_get(&*store, &original.id).await;
    assert_eq!(stored.refresh_hash, format!("rh-race-{}", winners[0]));
    assert_eq!(stored.previous_refresh_hash, Some(current));
    for n in (0..8).filter(|n| !winners.contains(n)) {
        let found = store
            .session_by_refresh_hash(&format!("rh-race-{n}"))
            .await
            .expect("by hash");
        assert_eq!(
            found, None,
            "losing hash rh-race-{n} must not be registered"
        );
    }
}

/// A revoked or unknown session is never rotated.
pub async fn rotate_refresh_refuses_revoked_or_unknown(store: Arc<dyn Store>) {
    let s = session(1);
    insert_sessions(&*store, std::slice::from_ref(&s)).await;
    assert!(
        store
            .revoke_session(&s.id, &revoking(now()))
            .await
            .expect("revoke")
            .is_some()
    );
    let before = must_get(&*store, &s.id).await;
    let applied = store
        .rotate_refresh(&s, &s.refresh_hash, &rotation("rh-1", 100), &audit(now()))
        .await
        .expect("rotate");
    assert!(!applied);
    assert_eq!(must_get(&*store, &s.id).await, before);
    assert_eq!(
        store
            .session_by_refresh_hash("rh-1")
            .await
            .expect("by hash"),
        None
    );
    let ghost = SessionRecord {
        id: "nope".into(),
        ..session(99)
    };
    let unknown = store
        .rotate_refresh(&ghost, "rh-x", &rotation("rh-2", 100), &audit(now()))
        .await
        .expect("rotate");
    assert!(!unknown);
}

/// Pages go newest (highest id) first, continue below `before`, and `count` covers all active.
pub async fn list_sessions_pages_newest_first(store: Arc<dyn Store>) {
    let sessions: Vec<SessionRecord> = [3, 1, 5, 2, 4].into_iter().map(session).collect();
    insert_sessions(&*store, &sessions).await;
    let ids = |page: &[SessionRecord]| page.iter().map(|s| s.id.clone()).collect::<Vec<_>>();
    let f = filter("u1");

    let page = store
        .list_sessions(&f, None, 2, now())
        .await
        .expect("page 1");
    assert_eq!(ids(&page.sessions), vec![sid(5), sid(4)]);
    assert_eq!((page.count, page.has_more), (5, true));
    assert_eq!(page.sessions[0], session(5));

    let page = store
        .list_sessions(&f, Some(&sid(4)), 2, now())
        .await
        .expect("page 2");
    assert_eq!(ids(&page.sessions), vec![sid(3), sid(2)]);
    assert_eq!((page.count, page.has_more), (5, true));

    let page = store
        .list_sessions(&f, Some(&sid(2)), 2, now())
        .await
        .expect("page 3");
    assert_eq!(ids(&page.sessions), vec![sid(1)]);
    assert_eq!((page.count, page.has_more), (5, false));

    let page = store
        .list_sessions(&f, None, 5, now())
        .await
        .expect("exact page");
    assert_eq!(
        ids(&page.sessions),
        vec![sid(5), sid(4), sid(3), sid(2), sid(1)]
    );
    assert!(!page.has_more);

    let page = store
        .list_sessions(&f, Some(&sid(1)), 5, now())
        .await
        .expect("past the end");
    assert!(page.sessions.is_empty());
    assert_eq!((page.count, page.has_more), (5, false));
}

/// Listing shows only active sessions of exactly the filter's product, env, type and identifier.
pub async fn list_sessions_excludes_inactive_and_others(store: Arc<dyn Store>) {
    let sessions = vec![
        session(1),
        SessionRecord {
            revoked_at: Some(at(10)),
            ..session(2)
        },
        SessionRecord {
            refresh_expires_at: now(),
            ..session(3)
        },
        session_of(4, Some("u2")),
        session_of(5, None),
        SessionRecord {
            tag: "admin".into(),
            ..session(6)
        },
        SessionRecord {
            env: "prd".into(),
            ..session(7)
        },
        SessionRecord {
            product: "blog".into(),
            ..session(8)
        },
        session(9),
    ];
    insert_sessions(&*store, &sessions).await;
    let page = store
        .list_sessions(&filter("u1"), None, 10, now())
        .await
        .expect("list");
    assert_eq!(page.sessions, vec![session(9), session(1)]);
    assert_eq!((page.count, page.has_more), (2, false));

    let other_env = IdentifierFilter {
        env: "prd".into(),
        ..filter("u1")
    };
    let page = store
        .list_sessions(&other_env, None, 10, now())
        .await
        .expect("list prd");
    assert_eq!(page.sessions, vec![sessions[6].clone()]);
    assert_eq!(page.count, 1);
    let page = store
        .list_sessions(&filter("nobody"), None, 10, now())
        .await
        .expect("list nobody");
    assert_eq!(
        (page.sessions.len(), page.count, page.has_more),
        (0, 0, false)
    );
}

/// Inserts arriving together (which a store may write in one batch) are each stored with every
/// refresh hash registered, and a duplicate among them fails alone.
pub async fn concurrent_session_inserts_are_each_stored(store: Arc<dyn Store>) {
    let records: Vec<SessionRecord> = (1..=60)
        .map(|n| SessionRecord {
            previous_refresh_hash: (n % 3 == 0).then(|| format!("rh-before-{n}")),
            ..session(n)
        })
        .collect();
    let duplicate = SessionRecord {
        refresh_hash: "rh-duplicate".into(),
        ..session(7)
    };
    let mut tasks = Vec::new();
    for record in records.iter().chain(std::iter::once(&duplicate)) {
        let (store, record) = (Arc::clone(&store), record.clone());
        tasks.push(tokio::spawn(async move {
            store.insert_session(&record, &audit(now())).await
        }));
    }
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.expect("insert task"));
    }
    let failed: Vec<_> = results.iter().filter(|r| r.is_err()).collect();
    assert_eq!(
        failed.len(),
        1,
        "only one of the two session 7s fails: {failed:?}"
    );
    assert!(matches!(failed[0], Err(Error::Internal(_))), "{failed:?}");
    let stored7 = must_get(&*store, &sid(7)).await;
    for record in &records {
        if record.id == sid(7) {
            continue;
        }
        assert_eq!(&must_get(&*store, &record.id).await, record);
        for hash in std::iter::once(&record.refresh_hash).chain(&record.previous_refresh_hash) {
            let found = store.session_by_refresh_hash(hash).await.expect("by hash");
            assert_eq!(found.as_ref(), Some(record), "hash {hash}");
        }
    }
    assert!(
        stored7 == records[6] || stored7 == duplicate,
        "session 7 is one of the two written: {stored7:?}"
    );
    let by_loser_hash = if stored7 == duplicate {
        &records[6].refresh_hash
    } else {
        &duplicate.refresh_hash
    };
    assert_eq!(
        store
            .session_by_refresh_hash(by_loser_hash)
            .await
            .expect("by hash"),
        None,
        "the refused insert left no refresh hash behind"
    );
}

/// Rotations arriving together (which a store may write in one batch) each apply to their own
/// session; of two for one session with the same expected hash, exactly one applies.
pub async fn concurrent_rotations_each_apply_once(store: Arc<dyn Store>) {
    let sessions: Vec<SessionRecord> = (1..=40).map(session).collect();
    insert_sessions(&*store, &sessions).await;
    let mut tasks = Vec::new();
    for (n, s) in sessions.iter().enumerate() {
        let twice = if n == 5 { 2 } else { 1 };
        for attempt in 0..twice {
            let store = Arc::clone(&store);
            let (s, expected) = (s.clone(), s.refresh_hash.clone());
            let new = rotation(&format!("rh-new-{n}-{attempt}"), 100);
            tasks.push(tokio::spawn(async move {
                let applied = store
                    .rotate_refresh(&s, &expected, &new, &audit(now()))
                    .await;
                (n, attempt, applied)
            }));
        }
    }
    let mut applied_for_5 = Vec::new();
    for task in tasks {
        let (n, attempt, result) = task.await.expect("rotation task");
        let applied = result.expect("rotate");
        if n == 5 {
            if applied {
                applied_for_5.push(attempt);
            }
        } else {
            assert!(applied, "the rotation of session {n} applied");
        }
    }
    assert_eq!(
        applied_for_5.len(),
        1,
        "one of two rotations of session 5 applies"
    );
    for (n, s) in sessions.iter().enumerate() {
        let attempt = if n == 5 { applied_for_5[0] } else { 0 };
        let new_hash = format!("rh-new-{n}-{attempt}");
        let stored = must_get(&*store, &s.id).await;
        assert_eq!(
            (
                stored.refresh_hash.as_str(),
                stored.previous_refresh_hash.as_deref()
            ),
            (new_hash.as_str(), Some(s.refresh_hash.as_str())),
            "session {n}"
        );
        let by_new = store
            .session_by_refresh_hash(&new_hash)
            .await
            .expect("by hash");
        assert_eq!(by_new.map(|f| f.id), Some(s.id.clone()), "session {n}");
    }
    let mut refreshed: Vec<String> = crate::events::all_events(&*store)
        .await
        .into_iter()
        .filter(|e| e.kind.as_str() == "session.refreshed")
        .filter_map(|e| e.session_id)
        .collect();
    refreshed.sort();
    assert_eq!(
        refreshed,
        sessions.iter().map(|s| s.id.clone()).collect::<Vec<_>>(),
        "one session.refreshed per rotation that applied, none for the one that did not"
    );
    let loser = format!("rh-new-5-{}", 1 - applied_for_5[0]);
    assert_eq!(
        store
            .session_by_refresh_hash(&loser)
            .await
            .expect("by hash"),
        None,
        "the rotation that did not apply registered nothing"
    );
}

/// Activity moves `last_active_at` forward only, replaces the device only when one is given,
/// and skips unknown sessions.
pub async fn record_activity_moves_forward_and_sets_devices(store: Arc<dyn Store>) {
    let (a, b) = (session(1), session(2));
    insert_sessions(&*store, &[a.clone(), b.clone()]).await;
    let seen = Device {
        ip: Some("2001:db8::1".into()),
        user_agent: Some("Mozilla/5.0 (seen)".into()),
    };
    store
        .record_activity(&[
            Activity {
                session_id: a.id.clone(),
                at: at(90),
                device: Some(seen.clone()),
            },
            Activity {
                session_id: b.id.clone(),
                at: at(80),
                device: None,
            },
            Activity {
                session_id: "unknown".into(),
                at: at(80),
                device: None,
            },
        ])
        .await
        .expect("record");
    let (stored_a, stored_b) = (
        must_get(&*store, &a.id).await,
        must_get(&*store, &b.id).await,
    );
    assert_eq!((stored_a.last_active_at, stored_a.device), (at(90), seen));
    assert_eq!(
        (stored_b.last_active_at, stored_b.device),
        (at(80), b.device.clone())
    );

    store
        .record_activity(&[Activity {
            session_id: b.id.clone(),
            at: at(70),
            device: None,
        }])
        .await
        .expect("record");
    assert_eq!(
        must_get(&*store, &b.id).await.last_active_at,
        at(80),
        "never back"
    );
    store.record_activity(&[]).await.expect("nothing to record");
}

/// A rotation never moves the stored token expiry earlier: a token issued before it (a
/// browser's sliding re-issue racing a refresh) stays covered by any later revocation.
pub async fn rotate_refresh_never_moves_the_token_expiry_back(store: Arc<dyn Store>) {
    let original = session(1);
    insert_sessions(&*store, std::slice::from_ref(&original)).await;
    let shorter = hallpass_core::store::Rotation {
        token_expires_at: at(TOKEN_SECS - 100),
        ..rotation("rh-1", 10)
    };
    assert!(
        store
            .rotate_refresh(&original, &original.refresh_hash, &shorter, &audit(now()))
            .await
            .expect("rotate")
    );
    let stored = must_get(&*store, &original.id).await;
    assert_eq!(stored.token_expires_at, original.token_expires_at);
    assert_eq!(stored.refresh_hash, "rh-1", "the rotation itself applied");
    let longer = rotation("rh-2", 20);
    assert!(
        store
            .rotate_refresh(&original, "rh-1", &longer, &audit(now()))
            .await
            .expect("rotate")
    );
    assert_eq!(
        must_get(&*store, &original.id).await.token_expires_at,
        longer.token_expires_at
    );
}
