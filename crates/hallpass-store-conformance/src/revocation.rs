//! Cases for revocation, the live revocation set and sweeping ended sessions.

use crate::fixtures::{
    audit, live_revocations, live_supersessions, revocations_since, revoking, supersessions_since,
};
use std::sync::Arc;

use hallpass_core::model::SessionRecord;
use hallpass_core::store::{IdentifierFilter, Revoked, Store};

use super::fixtures::{
    REFRESH_SECS, TOKEN_SECS, at, filter, insert_sessions, must_get, now, rotation, session,
    session_of, sid,
};

/// The revocation of `s` at the time its last token expires.
fn revoked(s: &SessionRecord) -> Revoked {
    Revoked {
        session_id: s.id.clone(),
        product: s.product.clone(),
        env: s.env.clone(),
        forget_after: s.token_expires_at,
    }
}

/// An active session is revoked once (at `now`, until its token expires); then, or when it
/// is over or unknown, revocation returns `None` and changes nothing.
pub async fn revoke_session_once_and_only_active(store: Arc<dyn Store>) {
    let active = session(1);
    let over = SessionRecord {
        refresh_expires_at: now(),
        ..session(2)
    };
    insert_sessions(&*store, &[active.clone(), over.clone()]).await;
    let first = store
        .revoke_session(&active.id, &revoking(now()))
        .await
        .expect("revoke");
    assert_eq!(first, Some(revoked(&active)));
    assert_eq!(must_get(&*store, &active.id).await.revoked_at, Some(now()));
    assert_eq!(
        store
            .revoke_session(&active.id, &revoking(at(120)))
            .await
            .expect("revoke again"),
        None
    );
    assert_eq!(must_get(&*store, &active.id).await.revoked_at, Some(now()));
    assert_eq!(
        store
            .revoke_session(&over.id, &revoking(now()))
            .await
            .expect("revoke over"),
        None
    );
    assert_eq!(must_get(&*store, &over.id).await, over);
    assert_eq!(
        store
            .revoke_session("nope", &revoking(now()))
            .await
            .expect("revoke unknown"),
        None
    );
}

/// Revoke-all ends the identifier's active sessions except `exclude`, and nobody else's.
pub async fn revoke_all_excludes_and_filters(store: Arc<dyn Store>) {
    let mine = [session(1), session(2), session(3)];
    let untouched = vec![
        SessionRecord {
            revoked_at: Some(at(5)),
            ..session(4)
        },
        SessionRecord {
            refresh_expires_at: now(),
            ..session(5)
        },
        session_of(6, Some("u2")),
        session_of(7, None),
        SessionRecord {
            tag: "admin".into(),
            ..session(8)
        },
        SessionRecord {
            env: "prd".into(),
            ..session(9)
        },
        SessionRecord {
            product: "blog".into(),
            ..session(10)
        },
    ];
    insert_sessions(&*store, &mine).await;
    insert_sessions(&*store, &untouched).await;

    let f = filter("u1");
    let out = store
        .revoke_all(&f, Some(&sid(2)), &audit(now()))
        .await
        .expect("revoke all");
    assert_eq!(out, vec![revoked(&mine[0]), revoked(&mine[2])]);
    assert_eq!(must_get(&*store, &sid(1)).await.revoked_at, Some(now()));
    assert_eq!(must_get(&*store, &sid(2)).await.revoked_at, None);
    for s in &untouched {
        assert_eq!(&must_get(&*store, &s.id).await, s);
    }
    let page = store
        .list_sessions(&f, None, 10, now())
        .await
        .expect("list");
    assert_eq!((page.count, page.sessions.len()), (1, 1));

    let out = store
        .revoke_all(&f, None, &audit(at(70)))
        .await
        .expect("revoke rest");
    assert_eq!(out, vec![revoked(&mine[1])]);
    assert_eq!(
        store
            .revoke_all(&f, None, &audit(at(80)))
            .await
            .expect("nothing left"),
        vec![]
    );
    let nobody = IdentifierFilter {
        identifier: "nobody".into(),
        ..f
    };
    assert_eq!(
        store
            .revoke_all(&nobody, None, &audit(now()))
            .await
            .expect("nobody"),
        vec![]
    );
}

/// Revocations stay live until the session's last token expires; active sessions never appear.
pub async fn live_revocations_until_last_token_expires(store: Arc<dyn Store>) {
    let short = session(1);
    let long = SessionRecord {
        token_expires_at: at(TOKEN_SECS * 2),
        ..session(2)
    };
    let active = session(3);
    let old = SessionRecord {
        revoked_at: Some(at(1)),
        token_expires_at: at(2),
        ..session(4)
    };
    insert_sessions(&*store, &[short.clone(), long.clone(), active, old]).await;
    assert_eq!(live_revocations(&*store, now()).await, vec![]);
    for s in [&short, &long] {
        assert!(
            store
                .revoke_session(&s.id, &revoking(now()))
                .await
                .expect("revoke")
                .is_some()
        );
    }
    let live = live_revocations(&*store, now()).await;
    assert_eq!(live, vec![revoked(&short), revoked(&long)]);
    let live = live_revocations(&*store, short.token_expires_at).await;
    assert_eq!(live, vec![revoked(&long)]);
    let live = live_revocations(&*store, long.token_expires_at).await;
    assert_eq!(live, vec![]);
}

/// The catch-up query finds sessions revoked at or after `since` (by any path) whose last
/// token is still valid, and nothing revoked earlier or already over.
pub async fn revocations_since_finds_what_was_revoked_from_then(store: Arc<dyn Store>) {
    let early = session(1);
    let late = session(2);
    let by_all = session_of(3, Some("grace"));
    let expired_token = SessionRecord {
        token_expires_at: at(30),
        ..session(4)
    };
    let active = session(5);
    insert_sessions(
        &*store,
        &[
            early.clone(),
            late.clone(),
            by_all.clone(),
            expired_token.clone(),
            active,
        ],
    )
    .await;
    assert!(
        store
            .revoke_session(&early.id, &revoking(at(10)))
            .await
            .expect("revoke")
            .is_some()
    );
    assert!(
        store
            .revoke_session(&late.id, &revoking(at(20)))
            .await
            .expect("revoke")
            .is_some()
    );
    assert!(
        store
            .revoke_session(&expired_token.id, &revoking(at(20)))
            .await
            .expect("revoke")
            .is_some()
    );
    let all = store
        .revoke_all(&filter("grace"), None, &audit(at(25)))
        .await
        .expect("revoke all");
    assert_eq!(all, vec![revoked(&by_all)]);

    assert_eq!(
        revocations_since(&*store, at(20), at(31)).await,
        vec![revoked(&late), revoked(&by_all)]
    );
    assert_eq!(
        revocations_since(&*store, at(0), at(21)).await,
        vec![
            revoked(&early),
            revoked(&late),
            revoked(&by_all),
            revoked(&expired_token)
        ]
    );
    assert_eq!(revocations_since(&*store, at(26), at(21)).await, vec![]);
}

/// Sweeping deletes at most `batch` sessions whose refresh lifetime ended strictly before the
/// cutoff, with their whole refresh history, and keeps every other session.
pub async fn sweep_expired_respects_batch_and_cutoff(store: Arc<dyn Store>) {
    let cutoff = at(1000);
    let ended: Vec<SessionRecord> = (1..=5)
        .map(|n| SessionRecord {
            refresh_expires_at: at(100 * i64::from(n)),
            revoked_at: (n == 2).then(|| at(50)),
            ..session(n)
        })
        .collect();
    let at_cutoff = SessionRecord {
        refresh_expires_at: cutoff,
        ..session(6)
    };
    let live = SessionRecord {
        refresh_expires_at: at(REFRESH_SECS),
        ..session(7)
    };
    insert_sessions(&*store, &ended).await;
    insert_sessions(&*store, &[at_cutoff.clone(), live.clone()]).await;
    assert!(
        store
            .rotate_refresh(
                &ended[0],
                &ended[0].refresh_hash,
                &rotation("rh-swept", 60),
                &audit(now())
            )
            .await
            .expect("rotate")
    );

    assert_eq!(store.sweep_expired(cutoff, 0).await.expect("sweep 0"), 0);
    assert_eq!(store.sweep_expired(cutoff, 2).await.expect("sweep"), 2);
    assert_eq!(store.sweep_expired(cutoff, 2).await.expect("sweep"), 2);
    assert_eq!(store.sweep_expired(cutoff, 2).await.expect("sweep"), 1);
    assert_eq!(store.sweep_expired(cutoff, 2).await.expect("sweep"), 0);
    for s in &ended {
        assert_eq!(store.session(&s.id).await.expect("get"), None);
    }
    assert_eq!(must_get(&*store, &at_cutoff.id).await, at_cutoff);
    assert_eq!(must_get(&*store, &live.id).await, live);

    // The history went with the session: its old and current hashes are free again.
    for hash in [ended[0].refresh_hash.as_str(), "rh-swept"] {
        assert_eq!(
            store.session_by_refresh_hash(hash).await.expect("by hash"),
            None
        );
        let reuse = SessionRecord {
            refresh_hash: hash.to_owned(),
            ..session(100 + u32::from(hash == "rh-swept"))
        };
        store
            .insert_session(&reuse, &audit(now()))
            .await
            .expect("a swept hash can be registered again");
    }
}

/// Every query that answers revocations or supersessions names each session's own product and
/// env (the revocation feed is kept per product/env), and a supersession says when it moved.
pub async fn revocations_and_supersessions_name_their_scope(store: Arc<dyn Store>) {
    let dev = session(1);
    let prd = SessionRecord {
        product: "blog".into(),
        env: "prd".into(),
        ..session(2)
    };
    insert_sessions(&*store, &[dev.clone(), prd.clone()]).await;
    let mut revoked_now = Vec::new();
    for s in [&dev, &prd] {
        let r = store
            .revoke_session(&s.id, &revoking(now()))
            .await
            .expect("revoke")
            .expect("active");
        assert_eq!(
            (r.product.as_str(), r.env.as_str()),
            (s.product.as_str(), s.env.as_str())
        );
        revoked_now.push(r);
    }
    assert_eq!(live_revocations(&*store, now()).await, revoked_now);
    assert_eq!(revocations_since(&*store, now(), now()).await, revoked_now);

    let updated = SessionRecord {
        product: "blog".into(),
        env: "stg".into(),
        ..session(3)
    };
    insert_sessions(&*store, std::slice::from_ref(&updated)).await;
    let change = hallpass_core::store::SessionUpdate {
        session_id: updated.id.clone(),
        expected_version: 0,
        data_jwe: "jwe-v1".into(),
        version: 1,
        auth_time: updated.auth_time,
        amr: None,
        token: None,
        at: at(7),
    };
    let applied = store
        .update_sessions(&[change], &audit(at(7)))
        .await
        .expect("update");
    let superseded = applied[0].superseded.clone().expect("the version moved");
    assert_eq!(
        (
            superseded.product.as_str(),
            superseded.env.as_str(),
            superseded.at
        ),
        ("blog", "stg", at(7))
    );
    assert_eq!(
        live_supersessions(&*store, now()).await,
        vec![superseded.clone()]
    );
    assert_eq!(
        supersessions_since(&*store, at(7), now()).await,
        vec![superseded]
    );
}
