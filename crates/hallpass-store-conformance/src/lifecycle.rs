//! Cases for the session lifecycle after login: updates of a live session (data versions and
//! the supersessions they leave), starts under a session limit, and the idle cutoff.

use crate::fixtures::{audit, live_supersessions, revoking, supersessions_since};
use std::sync::Arc;

use hallpass_core::model::SessionRecord;
use hallpass_core::session_type::{OnLimit, SessionLimit};
use hallpass_core::store::{
    IdentifierFilter, LimitedStart, Revoked, SessionUpdate, Store, Superseded, Updated,
};

use super::fixtures::{
    TOKEN_SECS, at, filter, insert_sessions, must_get, now, rotation, session, session_of, sid,
};

/// The update of session `s` to data `jwe` and version `version`, at `now()`, with a token
/// issued then.
fn data_update(s: &SessionRecord, jwe: &str, version: i64) -> SessionUpdate {
    SessionUpdate {
        session_id: s.id.clone(),
        expected_version: s.data_version,
        data_jwe: jwe.to_owned(),
        version,
        auth_time: s.auth_time,
        amr: s.amr.clone(),
        token: Some((at(60), at(60 + TOKEN_SECS))),
        at: now(),
    }
}

/// An update applies once at its expected version: it replaces the data, the version, the
/// token times (the expiry never back) and the activity, and says until when the tokens of
/// the older version live. A stale version, a revoked session or an unknown id apply nothing.
pub async fn update_sessions_applies_at_the_expected_version(store: Arc<dyn Store>) {
    let s = session(1);
    let revoked = session(2);
    insert_sessions(&*store, &[s.clone(), revoked.clone()]).await;
    store
        .revoke_session(&revoked.id, &revoking(at(30)))
        .await
        .expect("revoke");

    let update = data_update(&s, "jwe-v1", 1);
    let applied = store
        .update_sessions(std::slice::from_ref(&update), &audit(now()))
        .await
        .expect("update");
    assert_eq!(
        applied,
        vec![Updated {
            session_id: s.id.clone(),
            superseded: Some(Superseded {
                session_id: s.id.clone(),
                product: s.product.clone(),
                env: s.env.clone(),
                version: 1,
                at: now(),
                forget_after: s.token_expires_at,
            }),
        }]
    );
    let stored = must_get(&*store, &s.id).await;
    assert_eq!(
        stored,
        SessionRecord {
            data_jwe: "jwe-v1".into(),
            data_version: 1,
            token_issued_at: at(60),
            token_expires_at: at(60 + TOKEN_SECS),
            last_active_at: now(),
            ..s.clone()
        }
    );

    assert_eq!(
        store
            .update_sessions(&[update], &audit(now()))
            .await
            .expect("stale"),
        vec![],
        "version 0 is no longer current"
    );
    let unknown = SessionUpdate {
        session_id: "nope".into(),
        ..data_update(&s, "x", 1)
    };
    assert_eq!(
        store
            .update_sessions(&[data_update(&revoked, "x", 1), unknown], &audit(now()))
            .await
            .expect("ended"),
        vec![]
    );
    assert_eq!(must_get(&*store, &revoked.id).await.data_version, 0);
}

/// An update that keeps the version (a reauthentication) changes the authentication and
/// supersedes nothing.
pub async fn update_sessions_at_the_same_version_supersedes_nothing(store: Arc<dyn Store>) {
    let s = session(1);
    insert_sessions(&*store, std::slice::from_ref(&s)).await;
    let reauth = SessionUpdate {
        auth_time: at(50),
        amr: Some(vec!["hwk".into()]),
        ..data_update(&s, &s.data_jwe, 0)
    };
    let applied = store
        .update_sessions(&[reauth], &audit(now()))
        .await
        .expect("update");
    assert_eq!(
        applied,
        vec![Updated {
            session_id: s.id.clone(),
            superseded: None
        }]
    );
    let stored = must_get(&*store, &s.id).await;
    assert_eq!(
        (stored.auth_time, stored.amr),
        (at(50), Some(vec!["hwk".into()]))
    );
    assert_eq!(live_supersessions(&*store, now()).await, vec![]);
}

/// Supersessions are listed while tokens of an older version may live: from when the
/// version moved (the catch-up) and until the stored token expiry at that moment; a later
/// update extends them to the expiry of the token it replaced.
pub async fn supersessions_live_until_older_tokens_expire(store: Arc<dyn Store>) {
    let s = session(1);
    let other = session(2);
    insert_sessions(&*store, &[s.clone(), other]).await;
    store
        .update_sessions(&[data_update(&s, "jwe-v1", 1)], &audit(now()))
        .await
        .expect("first update");
    let first = Superseded {
        session_id: s.id.clone(),
        product: s.product.clone(),
        env: s.env.clone(),
        version: 1,
        at: now(),
        forget_after: s.token_expires_at,
    };
    assert_eq!(
        live_supersessions(&*store, now()).await,
        vec![first.clone()]
    );
    assert_eq!(
        live_supersessions(&*store, s.token_expires_at).await,
        vec![]
    );
    assert_eq!(
        supersessions_since(&*store, now(), now()).await,
        vec![first]
    );
    assert_eq!(
        supersessions_since(&*store, now().plus_millis(1), now()).await,
        vec![]
    );

    let v1 = must_get(&*store, &s.id).await;
    let second = SessionUpdate {
        token: Some((at(120), at(120 + TOKEN_SECS))),
        at: at(120),
        ..data_update(&v1, "jwe-v2", 2)
    };
    store
        .update_sessions(&[second], &audit(now()))
        .await
        .expect("second");
    assert_eq!(
        live_supersessions(&*store, now()).await,
        vec![Superseded {
            session_id: s.id.clone(),
            product: s.product.clone(),
            env: s.env.clone(),
            version: 2,
            at: at(120),
            forget_after: v1.token_expires_at,
        }]
    );
}

/// A rotation computed from an older data version applies nothing.
pub async fn rotate_refresh_refuses_an_older_data_version(store: Arc<dyn Store>) {
    let s = session(1);
    insert_sessions(&*store, std::slice::from_ref(&s)).await;
    store
        .update_sessions(&[data_update(&s, "jwe-v1", 1)], &audit(now()))
        .await
        .expect("update");
    assert!(
        !store
            .rotate_refresh(&s, &s.refresh_hash, &rotation("rh-new", 70), &audit(now()))
            .await
            .expect("stale rotation")
    );
    let current = hallpass_core::store::Rotation {
        data_version: 1,
        ..rotation("rh-new", 70)
    };
    assert!(
        store
            .rotate_refresh(&s, &s.refresh_hash, &current, &audit(now()))
            .await
            .expect("rotation")
    );
}

const LIMIT_REFUSE: SessionLimit = SessionLimit {
    max: 2,
    on_limit: OnLimit::Refuse,
};
const LIMIT_REVOKE: SessionLimit = SessionLimit {
    max: 2,
    on_limit: OnLimit::RevokeOldest,
};

/// Session `n` of `u1`, last active `secs` after `T0`.
fn active_at(n: u32, secs: i64) -> SessionRecord {
    SessionRecord {
        last_active_at: at(secs),
        ..session(n)
    }
}

/// At the limit a start is refused (nothing stored) or revokes the least recently active
/// session; sessions of other identifiers, ended ones and idle ones do not count.
pub async fn insert_session_limited_refuses_or_revokes_the_least_recently_active(
    store: Arc<dyn Store>,
) {
    let ended = SessionRecord {
        revoked_at: Some(at(1)),
        ..session(1)
    };
    insert_sessions(&*store, &[ended, session_of(2, Some("u2"))]).await;
    for (n, secs) in [(3, 40), (4, 20)] {
        assert_eq!(
            store
                .insert_session_limited(
                    &active_at(n, secs),
                    &filter("u1"),
                    LIMIT_REFUSE,
                    &audit(now())
                )
                .await
                .expect("under the limit"),
            LimitedStart::Started(vec![])
        );
    }
    assert_eq!(
        store
            .insert_session_limited(
                &active_at(5, 50),
                &filter("u1"),
                LIMIT_REFUSE,
                &audit(now())
            )
            .await
            .expect("refused"),
        LimitedStart::LimitReached(2)
    );
    assert_eq!(store.session(&sid(5)).await.expect("read"), None);

    let made_room = store
        .insert_session_limited(
            &active_at(5, 50),
            &filter("u1"),
            LIMIT_REVOKE,
            &audit(now()),
        )
        .await
        .expect("revoke oldest");
    let oldest = must_get(&*store, &sid(4)).await;
    assert_eq!(
        made_room,
        LimitedStart::Started(vec![Revoked {
            session_id: sid(4),
            product: oldest.product.clone(),
            env: oldest.env.clone(),
            forget_after: oldest.token_expires_at,
        }]),
        "session 4 was active least recently"
    );
    assert_eq!(oldest.revoked_at, Some(now()));
    assert!(must_get(&*store, &sid(5)).await.is_active(now()));

    let idle_filter = IdentifierFilter {
        idle_cutoff: Some(at(45)),
        ..filter("u1")
    };
    assert_eq!(
        store
            .insert_session_limited(&active_at(6, 55), &idle_filter, LIMIT_REFUSE, &audit(now()))
            .await
            .expect("idle session 3 does not count"),
        LimitedStart::Started(vec![])
    );
}

/// Limited starts of one identifier fired at once never leave more active sessions than the
/// limit, whichever way the limit is enforced.
pub async fn concurrent_limited_inserts_never_exceed_the_limit(store: Arc<dyn Store>) {
    for (first, limit) in [(1, LIMIT_REFUSE), (100, LIMIT_REVOKE)] {
        let identifier = format!("racer-{first}");
        let mut tasks = Vec::new();
        for n in first..first + 24 {
            let store = Arc::clone(&store);
            let record = session_of(n, Some(&identifier));
            let filter = filter(&identifier);
            tasks.push(tokio::spawn(async move {
                store
                    .insert_session_limited(&record, &filter, limit, &audit(now()))
                    .await
            }));
        }
        let mut started = 0;
        for task in tasks {
            if let LimitedStart::Started(_) = task.await.expect("task").expect("insert") {
                started += 1;
            }
        }
        let page = store
            .list_sessions(&filter(&identifier), None, 100, now())
            .await
            .expect("list");
        assert_eq!(page.count, 2, "{limit:?}: never more than the limit");
        let expected_started = if limit.on_limit == OnLimit::Refuse {
            2
        } else {
            24
        };
        assert_eq!(started, expected_started, "{limit:?}");
    }
}

/// List, revoke-all and counts leave out sessions last active at or before the idle cutoff.
pub async fn the_idle_cutoff_leaves_idle_sessions_out(store: Arc<dyn Store>) {
    insert_sessions(&*store, &[active_at(1, 10), active_at(2, 50)]).await;
    let idle_filter = IdentifierFilter {
        idle_cutoff: Some(at(10)),
        ..filter("u1")
    };
    let page = store
        .list_sessions(&idle_filter, None, 100, now())
        .await
        .expect("list");
    assert_eq!(
        (
            page.count,
            page.sessions
                .iter()
                .map(|s| s.id.clone())
                .collect::<Vec<_>>()
        ),
        (1, vec![sid(2)])
    );
    let revoked = store
        .revoke_all(&idle_filter, None, &audit(now()))
        .await
        .expect("revoke all");
    assert_eq!(revoked.len(), 1);
    assert_eq!(revoked[0].session_id, sid(2));
    assert_eq!(must_get(&*store, &sid(1)).await.revoked_at, None);
}
