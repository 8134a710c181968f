//! The PostgreSQL change feed between two stores (two nodes) on one database: every change
//! another node must apply is delivered once its transaction commits, nothing is announced for
//! writes that change nothing, and a lost listening connection is reported as a gap and then
//! recovers by itself.

use std::sync::Arc;
use std::time::Duration;

use hallpass_core::model::{KeyKind, KeyPurpose};
use hallpass_core::store::{Change, ChangeFeed, Revoked, SessionUpdate, Store, Superseded};
use hallpass_store_conformance::TestDatabase;
use hallpass_store_conformance::fixtures::{
    api_key, audit, env_key, first_keys, now, product, revoking, session, session_type,
};
use sqlx::{Connection, PgConnection};

/// Two nodes' stores on one fresh database, and the database (dropped last).
async fn two_nodes() -> Option<(Arc<dyn Store>, Arc<dyn Store>, TestDatabase)> {
    let db = TestDatabase::create("PostgreSQL change feed").await?;
    let a = hallpass_store::open(db.url()).await.expect("node a");
    let b = hallpass_store::open(db.url()).await.expect("node b");
    Some((a, b, db))
}

/// The next change, failing the test if none comes within a second.
async fn next(feed: &mut Box<dyn ChangeFeed>) -> Change {
    tokio::time::timeout(Duration::from_secs(1), feed.next())
        .await
        .expect("a change within one second")
        .expect("the feed answers")
}

/// Asserts that no change arrives for a while.
async fn quiet(feed: &mut Box<dyn ChangeFeed>) {
    if let Ok(change) = tokio::time::timeout(Duration::from_millis(300), feed.next()).await {
        panic!("expected no change, got {change:?}");
    }
}

#[tokio::test]
async fn every_kind_of_change_reaches_the_other_node_on_commit() {
    let Some((a, b, _db)) = two_nodes().await else {
        return;
    };
    let mut feed = b
        .changes()
        .await
        .expect("subscribe")
        .expect("postgres has a feed");
    let shop = product("shop", &["dev"]);
    assert!(
        a.insert_product(&shop, &first_keys(&shop))
            .await
            .expect("product")
    );
    assert_eq!(next(&mut feed).await, Change::EnvKeysChanged);

    let mut renamed = shop.clone();
    renamed.name = "Renamed".into();
    assert!(
        a.update_product(&renamed, shop.updated_at)
            .await
            .expect("update product")
    );
    assert_eq!(
        next(&mut feed).await,
        Change::ProductChanged { tag: "shop".into() }
    );

    let key = api_key("key_gone", KeyKind::Access, Some("shop"), None, 1);
    a.insert_api_key(&key, &audit(now())).await.expect("key");
    quiet(&mut feed).await;
    assert!(
        a.delete_api_key("key_gone", &audit(now()))
            .await
            .expect("delete key")
    );
    assert_eq!(
        next(&mut feed).await,
        Change::ApiKeyDeleted {
            id: "key_gone".into()
        }
    );

    let user = session_type("shop", "user");
    assert_eq!(
        a.insert_session_type(&user, &audit(now()))
            .await
            .expect("type"),
        Some(vec![])
    );
    assert!(
        a.update_session_type(&user, user.updated_at, &audit(now()))
            .await
            .expect("update type")
    );
    assert_eq!(
        next(&mut feed).await,
        Change::SessionTypeChanged {
            product: "shop".into(),
            tag: "user".into()
        }
    );

    let s = session(1);
    a.insert_session(&s, &audit(now())).await.expect("session");
    quiet(&mut feed).await;
    assert!(
        a.revoke_session(&s.id, &revoking(now()))
            .await
            .expect("revoke")
            .is_some()
    );
    assert_eq!(
        next(&mut feed).await,
        Change::Revoked(Revoked {
            session_id: s.id.clone(),
            product: "shop".into(),
            env: "dev".into(),
            forget_after: s.token_expires_at
        })
    );
    // Revoking again changes nothing and announces nothing.
    assert!(
        a.revoke_session(&s.id, &revoking(now()))
            .await
            .expect("revoke again")
            .is_none()
    );
    quiet(&mut feed).await;

    // A data change says the new version, when it moved and the session's product and env.
    let updated = session(2);
    a.insert_session(&updated, &audit(now()))
        .await
        .expect("session");
    let change = SessionUpdate {
        session_id: updated.id.clone(),
        expected_version: 0,
        data_jwe: "jwe-v1".into(),
        version: 1,
        auth_time: updated.auth_time,
        amr: None,
        token: None,
        at: now().plus_secs(5),
    };
    a.update_sessions(&[change], &audit(now().plus_secs(5)))
        .await
        .expect("update");
    assert_eq!(
        next(&mut feed).await,
        Change::Superseded(Superseded {
            session_id: updated.id.clone(),
            product: "shop".into(),
            env: "dev".into(),
            version: 1,
            at: now().plus_secs(5),
            forget_after: updated.token_expires_at,
        })
    );

    let new_key = env_key("kid-2", "shop", "dev", KeyPurpose::Signing);
    a.rotate_signing_key(&new_key, now(), &audit(now()))
        .await
        .expect("rotate");
    assert_eq!(next(&mut feed).await, Change::EnvKeysChanged);
}

#[tokio::test]
async fn a_lost_listening_connection_is_a_gap_then_the_feed_recovers() {
    let Some((a, b, db)) = two_nodes().await else {
        return;
    };
    let mut feed = b
        .changes()
        .await
        .expect("subscribe")
        .expect("postgres has a feed");
    let mut admin = PgConnection::connect(db.url()).await.expect("connect");
    let killed: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND query LIKE 'LISTEN%'",
    )
    .fetch_all(&mut admin)
    .await
    .expect("terminate the listener");
    assert_eq!(killed, vec![true], "exactly one listening connection");
    let lost = tokio::time::timeout(Duration::from_secs(1), feed.next())
        .await
        .expect("the loss is reported at once");
    assert!(
        matches!(lost, Err(hallpass_core::Error::StoreUnavailable(_))),
        "{lost:?}"
    );
    assert_eq!(next(&mut feed).await, Change::Gap, "reconnected");

    // The next call reconnects and listens again: later changes arrive.
    let waiting = tokio::spawn(async move {
        let change = tokio::time::timeout(Duration::from_secs(5), feed.next()).await;
        (change, feed)
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let s = session(1);
    a.insert_session(&s, &audit(now())).await.expect("session");
    assert!(
        a.revoke_session(&s.id, &revoking(now()))
            .await
            .expect("revoke")
            .is_some()
    );
    let (change, _feed) = waiting.await.expect("task");
    assert_eq!(
        change.expect("within five seconds").expect("feed answers"),
        Change::Revoked(Revoked {
            session_id: s.id.clone(),
            product: "shop".into(),
            env: "dev".into(),
            forget_after: s.token_expires_at
        })
    );
}

#[tokio::test]
async fn an_unreachable_server_is_store_unavailable_without_the_password() {
    // Port 1 on loopback refuses connections at once.
    let err = hallpass_store::open("postgres://hallpass:s3cret@127.0.0.1:1/hallpass")
        .await
        .err()
        .expect("nothing listens there");
    match err {
        hallpass_core::Error::StoreUnavailable(message) => {
            assert!(!message.contains("s3cret"), "{message}");
        }
        other => panic!("expected StoreUnavailable, got {other:?}"),
    }
}

#[tokio::test]
async fn tls_connections_work_when_the_url_requires_them() {
    let Some(db) = TestDatabase::create("PostgreSQL over TLS").await else {
        return;
    };
    let mut conn = PgConnection::connect(db.url()).await.expect("connect");
    let ssl: String = sqlx::query_scalar("SHOW ssl")
        .fetch_one(&mut conn)
        .await
        .expect("show ssl");
    if ssl != "on" {
        eprintln!("\n*** SKIPPED the TLS case: the test server has ssl = {ssl}\n");
        return;
    }
    let separator = if db.url().contains('?') { '&' } else { '?' };
    let store = hallpass_store::open(&format!("{}{separator}sslmode=require", db.url()))
        .await
        .expect("a TLS-only URL opens the store");
    store.ping().await.expect("and it answers");
}
