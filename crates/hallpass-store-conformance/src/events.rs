//! Cases for events: each change records its event in its own transaction, a change that does
//! not apply records none, and the audit query filters, pages and sweeps them.

use std::sync::Arc;

use hallpass_core::events::{ActorKind, Event, EventType, RevokeCause};
use hallpass_core::model::{Device, EnvKeyRecord, KeyKind, KeyPurpose, SessionRecord};
use hallpass_core::store::{EventFilter, RevokeContext, SessionUpdate, Store};
use serde_json::json;

use crate::fixtures::{
    api_key, at, audit, env_key, filter, first_keys, insert_sessions, must_get, now, product,
    revoking, rotation, session, session_of, session_type, sid,
};

/// Every event of product `shop`, oldest first.
pub(crate) async fn all_events(store: &dyn Store) -> Vec<Event> {
    let mut page = store
        .events(
            &EventFilter {
                product: Some("shop".into()),
                ..EventFilter::default()
            },
            1000,
        )
        .await
        .expect("events");
    page.events.reverse();
    page.events
}

fn kinds(events: &[Event]) -> Vec<&'static str> {
    events.iter().map(|e| e.kind.as_str()).collect()
}

/// Start, refresh, update, reauthenticate and revoke each record their event, with the actor,
/// the time and the session's facts, and never its data or tokens.
pub async fn each_session_change_records_its_event(store: Arc<dyn Store>) {
    let s = session(1);
    insert_sessions(&*store, std::slice::from_ref(&s)).await;
    assert!(
        store
            .rotate_refresh(&s, &s.refresh_hash, &rotation("rh-2", 30), &audit(at(30)))
            .await
            .expect("rotate")
    );
    let update = SessionUpdate {
        session_id: s.id.clone(),
        expected_version: 0,
        data_jwe: "jwe-v1".into(),
        version: 1,
        auth_time: s.auth_time,
        amr: s.amr.clone(),
        token: None,
        at: now(),
    };
    let reauth = SessionUpdate {
        expected_version: 1,
        auth_time: now(),
        amr: Some(vec!["hwk".into()]),
        ..update.clone()
    };
    store
        .update_sessions(&[update], &audit(now()))
        .await
        .expect("update");
    store
        .update_sessions(&[reauth], &audit(now()))
        .await
        .expect("reauth");
    store
        .revoke_session(&s.id, &revoking(at(90)))
        .await
        .expect("revoke");

    let events = all_events(&*store).await;
    assert_eq!(
        kinds(&events),
        [
            "session.started",
            "session.refreshed",
            "session.updated",
            "session.reauthenticated",
            "session.revoked"
        ]
    );
    let started = &events[0];
    assert_eq!(
        started.data,
        json!({"sessionId": s.id, "tag": "user", "identifier": "u1",
               "device": {"ip": "203.0.113.7", "userAgent": "Mozilla/5.0 (conformance)"}})
    );
    assert_eq!(
        (
            started.product.as_deref(),
            started.env.as_deref(),
            started.session_id.as_deref()
        ),
        (Some("shop"), Some("dev"), Some(s.id.as_str()))
    );
    assert_eq!(
        (started.actor.kind, started.actor.key_id.as_deref()),
        (ActorKind::Access, Some("key_test"))
    );
    assert_eq!(started.at, s.created_at);
    assert_eq!(events[1].at, at(30));
    assert_eq!(events[3].data["amr"], json!(["hwk"]));
    let mut revoked = started.data.clone();
    revoked["cause"] = json!("revoke");
    assert_eq!(
        events[4].data, revoked,
        "session.revoked says what session.started does, and why"
    );
    assert!(
        events.windows(2).all(|w| w[0].id < w[1].id),
        "ids sort in creation order"
    );
    for e in &events {
        let text = e.data.to_string();
        assert!(
            !text.contains("jwe") && !text.contains("rh-"),
            "no data or token: {text}"
        );
    }
}

/// A change that does not apply (a stale rotation, a second revocation, a duplicate start)
/// records nothing.
pub async fn a_change_that_does_not_apply_records_nothing(store: Arc<dyn Store>) {
    let s = session(1);
    insert_sessions(&*store, std::slice::from_ref(&s)).await;
    let before = all_events(&*store).await.len();
    assert!(
        !store
            .rotate_refresh(&s, "rh-stale", &rotation("rh-2", 30), &audit(at(30)))
            .await
            .expect("stale rotation")
    );
    assert!(
        store.insert_session(&s, &audit(now())).await.is_err(),
        "a duplicate id fails"
    );
    store
        .revoke_session(&s.id, &revoking(now()))
        .await
        .expect("revoke");
    assert_eq!(
        store
            .revoke_session(&s.id, &revoking(at(70)))
            .await
            .expect("again"),
        None
    );
    assert_eq!(
        all_events(&*store).await.len(),
        before + 1,
        "only the revocation"
    );
}

/// Revocations record one `session.revoked` per session with their cause; a reused refresh
/// token also records `refresh_token.reused` with the device that presented it.
pub async fn revocations_record_their_cause(store: Arc<dyn Store>) {
    let sessions = [
        session(1),
        session(2),
        session(3),
        session_of(4, Some("u2")),
    ];
    insert_sessions(&*store, &sessions).await;
    let thief = Device {
        ip: Some("198.51.100.66".into()),
        user_agent: Some("curl/8".into()),
    };
    let theft = RevokeContext {
        cause: RevokeCause::RefreshTokenReused,
        presenter: Some(thief),
        ..revoking(now())
    };
    store.revoke_session(&sid(1), &theft).await.expect("theft");
    store
        .revoke_all(&filter("u1"), None, &audit(now()))
        .await
        .expect("revoke all");
    let events = all_events(&*store).await;
    let after_starts = &events[4..];
    assert_eq!(
        kinds(after_starts),
        [
            "session.revoked",
            "refresh_token.reused",
            "session.revoked",
            "session.revoked"
        ]
    );
    assert_eq!(after_starts[0].data["cause"], "refresh_token_reused");
    assert_eq!(
        after_starts[0].data["device"]["ip"], "203.0.113.7",
        "the session's device"
    );
    assert_eq!(
        after_starts[1].data["device"],
        json!({"ip": "198.51.100.66", "userAgent": "curl/8"}),
        "the presenter's device"
    );
    assert!(
        after_starts[2..]
            .iter()
            .all(|e| e.data["cause"] == "revoke_all")
    );
}

/// Revokes arriving together (which a store may write in one batch) each revoke their own
/// session and record their own events; of two revokes of one session exactly one applies,
/// and a session that is over or unknown is revoked by none.
pub async fn concurrent_revokes_each_apply_once_and_record_theirs(store: Arc<dyn Store>) {
    let mut sessions: Vec<SessionRecord> = (1..=30).map(session).collect();
    sessions[9].refresh_expires_at = now();
    insert_sessions(&*store, &sessions).await;
    let theft = RevokeContext {
        cause: RevokeCause::RefreshTokenReused,
        presenter: Some(Device::default()),
        ..revoking(at(90))
    };
    let mut tasks = Vec::new();
    for (n, s) in sessions.iter().enumerate() {
        let times = if n == 4 { 2 } else { 1 };
        for _ in 0..times {
            let (store, id) = (Arc::clone(&store), s.id.clone());
            let context = if n == 6 {
                theft.clone()
            } else {
                revoking(at(90))
            };
            tasks.push(tokio::spawn(async move {
                (n, store.revoke_session(&id, &context).await)
            }));
        }
    }
    let unknown = {
        let store = Arc::clone(&store);
        tokio::spawn(async move { store.revoke_session("nope", &revoking(at(90))).await })
    };
    let mut applied = vec![0; sessions.len()];
    for task in tasks {
        let (n, result) = task.await.expect("revoke task");
        if let Some(revoked) = result.expect("revoke") {
            assert_eq!(revoked.session_id, sessions[n].id);
            applied[n] += 1;
        }
    }
    assert_eq!(unknown.await.expect("task").expect("revoke"), None);
    for (n, s) in sessions.iter().enumerate() {
        let expected = usize::from(n != 9);
        assert_eq!(applied[n], expected, "revokes of session {n} that applied");
        let stored = must_get(&*store, &s.id).await;
        assert_eq!(stored.revoked_at, (n != 9).then(|| at(90)), "session {n}");
    }
    let events = all_events(&*store).await;
    let revocations = &events[sessions.len()..];
    for (n, s) in sessions.iter().enumerate() {
        let of: Vec<&Event> = revocations
            .iter()
            .filter(|e| e.session_id.as_deref() == Some(s.id.as_str()))
            .collect();
        let expected: &[&str] = match n {
            6 => &["session.revoked", "refresh_token.reused"],
            9 => &[],
            _ => &["session.revoked"],
        };
        let of_kinds: Vec<&str> = of.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(of_kinds, expected, "events of session {n}");
        if let Some(first) = of.first() {
            let cause = if n == 6 {
                "refresh_token_reused"
            } else {
                "revoke"
            };
            assert_eq!(first.data["cause"], cause, "session {n}");
        }
    }
    assert_eq!(
        revocations.len(),
        sessions.len(),
        "29 revocations and one reuse"
    );
}

/// Session-type changes record theirs; a forced deletion records each session it revoked.
pub async fn session_type_changes_record_theirs(store: Arc<dyn Store>) {
    let user = session_type("shop", "user");
    store
        .insert_session_type(&user, &audit(at(0)))
        .await
        .expect("insert");
    let changed = hallpass_core::session_type::SessionTypeRecord {
        updated_at: at(10),
        ..user.clone()
    };
    assert!(
        store
            .update_session_type(&changed, user.updated_at, &audit(at(10)))
            .await
            .expect("update")
    );
    assert!(
        !store
            .update_session_type(&changed, user.updated_at, &audit(at(11)))
            .await
            .expect("stale update"),
        "a stale update records nothing"
    );
    insert_sessions(&*store, &[session(1)]).await;
    store
        .delete_session_type("shop", "user", true, &audit(now()))
        .await
        .expect("delete");
    let events = all_events(&*store).await;
    assert_eq!(
        kinds(&events),
        [
            "session_type.created",
            "session_type.updated",
            "session.started",
            "session.revoked",
            "session_type.deleted"
        ]
    );
    assert_eq!(events[0].data["tag"], "user");
    assert_eq!(events[3].data["cause"], "type_deleted");
}

/// The audit query: newest first, by type, identifier, session and env, a page at a time; the
/// sweep deletes what is older than its cutoff, a batch at a time.
pub async fn the_audit_query_filters_pages_and_sweeps(store: Arc<dyn Store>) {
    let mut prd = session_of(3, Some("u2"));
    prd.env = "prd".into();
    insert_sessions(&*store, &[session(1), session(2), prd.clone()]).await;
    store
        .revoke_session(&sid(1), &revoking(now()))
        .await
        .expect("revoke");
    let query = |f: EventFilter, limit| {
        let store = Arc::clone(&store);
        async move { store.events(&f, limit).await.expect("events") }
    };
    let base = EventFilter {
        product: Some("shop".into()),
        ..EventFilter::default()
    };
    let page = query(base.clone(), 2).await;
    assert_eq!(
        (kinds(&page.events), page.has_more),
        (vec!["session.revoked", "session.started"], true)
    );
    let next = query(
        EventFilter {
            before: Some(page.events[1].id.clone()),
            ..base.clone()
        },
        2,
    )
    .await;
    assert_eq!((next.events.len(), next.has_more), (2, false));
    let revoked = query(
        EventFilter {
            types: vec![EventType::SessionRevoked, EventType::SessionRefreshed],
            ..base.clone()
        },
        10,
    )
    .await;
    assert_eq!(kinds(&revoked.events), ["session.revoked"]);
    let of_u2 = query(
        EventFilter {
            identifier: Some("u2".into()),
            ..base.clone()
        },
        10,
    )
    .await;
    assert_eq!(of_u2.events.len(), 1);
    let of_prd = query(
        EventFilter {
            env: Some("prd".into()),
            ..base.clone()
        },
        10,
    )
    .await;
    assert_eq!(
        of_prd.events[0].session_id.as_deref(),
        Some(prd.id.as_str())
    );
    let of_one = query(
        EventFilter {
            session_id: Some(sid(1)),
            ..base.clone()
        },
        10,
    )
    .await;
    assert_eq!(
        kinds(&of_one.events),
        ["session.revoked", "session.started"]
    );
    let other = query(
        EventFilter {
            product: Some("blog".into()),
            ..EventFilter::default()
        },
        10,
    )
    .await;
    assert!(other.events.is_empty(), "another product's");

    assert_eq!(
        store.sweep_events(now(), 2).await.expect("sweep"),
        2,
        "a batch at a time"
    );
    assert_eq!(
        store.sweep_events(now(), 10).await.expect("sweep"),
        1,
        "the starts, at T0"
    );
    assert_eq!(
        all_events(&*store).await.len(),
        1,
        "the revocation, at the cutoff, stays"
    );
}

/// Creating and deleting API keys and rotating a signing key record their events in the
/// key's product and env (an admin key's in none), and a delete of no key records nothing.
pub async fn key_changes_record_theirs(store: Arc<dyn Store>) {
    let shop = product("shop", &["dev", "prd"]);
    assert!(
        store
            .insert_product(&shop, &first_keys(&shop))
            .await
            .expect("product")
    );
    let access = api_key("key_acc", KeyKind::Access, Some("shop"), Some("dev"), 1);
    let admin = api_key("key_adm", KeyKind::Admin, None, None, 1);
    store
        .insert_api_key(&access, &audit(at(1)))
        .await
        .expect("insert");
    assert!(
        store
            .insert_first_admin_key(&admin, &audit(at(1)))
            .await
            .expect("admin")
    );
    assert!(
        !store
            .insert_first_admin_key(
                &api_key("key_adm2", KeyKind::Admin, None, None, 2),
                &audit(at(2))
            )
            .await
            .expect("second admin"),
        "refused: no event either"
    );
    assert!(
        !store
            .delete_api_key("key_none", &audit(at(2)))
            .await
            .expect("none")
    );
    assert!(
        store
            .delete_api_key("key_acc", &audit(at(3)))
            .await
            .expect("delete")
    );
    let rotated = EnvKeyRecord {
        created_at: at(4),
        ..env_key("shop-prd-sig-2", "shop", "prd", KeyPurpose::Signing)
    };
    store
        .rotate_signing_key(&rotated, at(100), &audit(at(4)))
        .await
        .expect("rotate");

    let events = all_events(&*store).await;
    assert_eq!(
        kinds(&events),
        ["api_key.created", "api_key.deleted", "signing_key.rotated"]
    );
    assert_eq!(
        events[0].data,
        json!({"keyId": "key_acc", "kind": "access", "name": "key key_acc"})
    );
    assert_eq!(
        (events[1].env.as_deref(), events[1].at),
        (Some("dev"), at(3))
    );
    assert_eq!(
        events[2].data,
        json!({"kid": "shop-prd-sig-2", "alg": rotated.alg, "retiredKids": ["shop-prd-sig-1"]})
    );
    let everything = store
        .events(&EventFilter::default(), 100)
        .await
        .expect("every product's");
    let deployment: Vec<_> = everything
        .events
        .iter()
        .filter(|e| e.product.is_none())
        .collect();
    assert_eq!(deployment.len(), 1, "the admin key's creation");
    assert_eq!(deployment[0].data["keyId"], "key_adm");
}
