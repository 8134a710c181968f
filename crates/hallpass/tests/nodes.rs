//! Several nodes on one database, in process: what one node changes, the others apply within
//! one second — through PostgreSQL's change feed, or through the catch-up query alone (which
//! is all two nodes on one SQLite file have). Refresh races between nodes rotate once.
//!
//! PostgreSQL cases run on a fresh database from `HALLPASS_TEST_DATABASE_URL` and skip loudly
//! without it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use hallpass::core::Timestamp;
use hallpass::core::model::{KeyKind, Principal, Scope};
use hallpass::core::secrets::MasterKey;
use hallpass::core::session_type::SessionTypeInput;
use hallpass::core::store::Store;
use hallpass::core::{Error, Result};
use hallpass::{
    Actor, Background, Clock, Hallpass, ManualClock, NewProduct, Settings, StartInput, SystemClock,
};
use hallpass_store_conformance::TestDatabase;

/// What the nodes share: one database and one master key.
struct Cluster {
    url: String,
    master: String,
    /// The database (or its directory), removed when the cluster is dropped.
    _db: Box<dyn std::any::Any + Send>,
}

impl Cluster {
    async fn postgres(test: &str) -> Option<Self> {
        let db = TestDatabase::create(test).await?;
        Some(Self {
            url: db.url().to_owned(),
            master: MasterKey::generate_base64(),
            _db: Box::new(db),
        })
    }

    fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        Self {
            url: format!("sqlite://{}", dir.path().join("hallpass.db").display()),
            master: MasterKey::generate_base64(),
            _db: Box::new(dir),
        }
    }

    /// A node without background tasks (nothing applied unless the test asks).
    async fn idle_node(&self) -> Arc<Hallpass> {
        self.idle_node_on(Arc::new(SystemClock)).await
    }

    /// [`Cluster::idle_node`] reading the time from `clock`.
    async fn idle_node_on(&self, clock: Arc<dyn Clock>) -> Arc<Hallpass> {
        let store: Arc<dyn Store> = hallpass_store::open(&self.url).await.expect("store");
        let master = MasterKey::from_base64(&self.master).expect("master key");
        Arc::new(
            Hallpass::open(store, master, clock, Settings::default())
                .await
                .expect("open node"),
        )
    }

    /// A node following the others, as `hallpass serve` runs it.
    async fn node(&self) -> (Arc<Hallpass>, Background) {
        let node = self.idle_node().await;
        let background = node.spawn_background(Duration::from_secs(60));
        (node, background)
    }
}

fn admin() -> Principal {
    Principal {
        key_id: "test-admin".into(),
        kind: KeyKind::Admin,
        product: None,
        env: None,
    }
}

fn scope() -> Scope {
    Scope {
        product: "shop".into(),
        env: "dev".into(),
    }
}

/// Creates product `shop` and session type `user` (selector `$Session{userId}`).
async fn set_up(node: &Hallpass) {
    node.create_product(
        &admin(),
        NewProduct {
            tag: "shop".into(),
            name: "Shop".into(),
            ..Default::default()
        },
    )
    .await
    .expect("product");
    let user = SessionTypeInput {
        name: Some("User".into()),
        selector: Some(Some("$Session{userId}".into())),
        expiry: Some(1),
        period: Some("hours".into()),
        ..Default::default()
    };
    node.create_session_type(&admin(), Some("shop"), "user", user)
        .await
        .expect("session type");
}

async fn start(node: &Hallpass, user: &str) -> hallpass::Issued {
    node.start(
        &scope(),
        &Actor::system(),
        StartInput {
            tag: "user".into(),
            data: serde_json::json!({ "userId": user }),
            ..Default::default()
        },
    )
    .await
    .expect("start")
}

/// Polls `check` every 5 ms until it holds; returns how long that took, failing after a second.
async fn within_a_second<F, Fut>(what: &str, mut check: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let begun = Instant::now();
    while begun.elapsed() < Duration::from_secs(1) {
        if check().await {
            return begun.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("{what}: not seen within one second");
}

fn is_revoked(result: Result<hallpass::Verified>) -> bool {
    matches!(result, Err(Error::SessionRevoked))
}

/// Revoke on one node; verify on the other is refused within a second. PostgreSQL delivers
/// it through the change feed (milliseconds); SQLite through the catch-up.
async fn revocation_reaches_the_other_node(cluster: Cluster) {
    let (a, _a_tasks) = cluster.node().await;
    let (b, _b_tasks) = cluster.node().await;
    set_up(&a).await;
    let issued = start(&b, "u1").await;
    b.verify(&scope(), "user", &issued.token)
        .await
        .expect("valid on b");
    assert!(
        a.revoke(&scope(), &Actor::system(), "user", &issued.session.id)
            .await
            .expect("revoke")
    );
    let delay = within_a_second("revocation on the other node", || async {
        is_revoked(b.verify(&scope(), "user", &issued.token).await)
    })
    .await;
    eprintln!("revocation seen by the other node after {delay:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_revocation_reaches_the_other_node_within_a_second() {
    if let Some(cluster) = Cluster::postgres("in-process nodes: revocation").await {
        revocation_reaches_the_other_node(cluster).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_revocation_reaches_the_other_node_by_catch_up() {
    revocation_reaches_the_other_node(Cluster::sqlite()).await;
}

/// A node that missed every notification converges with one catch-up: revoke-all on one node,
/// and the idle node refuses all of them right after catching up (and not before).
async fn catch_up_alone_converges(cluster: Cluster) {
    let a = cluster.idle_node().await;
    let b = cluster.idle_node().await;
    set_up(&a).await;
    let sessions = [start(&a, "u1").await, start(&a, "u1").await];
    assert_eq!(
        a.revoke_all(&scope(), &Actor::system(), "user", "u1", None)
            .await
            .expect("revoke all"),
        2
    );
    for s in &sessions {
        b.verify(&scope(), "user", &s.token)
            .await
            .expect("b has applied nothing yet");
    }
    assert!(b.catch_up().await.expect("catch up") >= 2);
    for s in &sessions {
        assert!(is_revoked(b.verify(&scope(), "user", &s.token).await));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_catch_up_alone_converges() {
    if let Some(cluster) = Cluster::postgres("in-process nodes: catch-up").await {
        catch_up_alone_converges(cluster).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_catch_up_alone_converges() {
    catch_up_alone_converges(Cluster::sqlite()).await;
}

/// Two nodes refreshing one refresh token at the same moment: the database lets one rotation
/// through; the other node answers the same new pair (within the grace). Many rounds, so the
/// race is really run.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_concurrent_refreshes_on_two_nodes_rotate_once() {
    let Some(cluster) = Cluster::postgres("in-process nodes: refresh race").await else {
        return;
    };
    let (a, _a_tasks) = cluster.node().await;
    let (b, _b_tasks) = cluster.node().await;
    set_up(&a).await;
    let mut refresh_token = start(&a, "u1").await.refresh_token;
    for round in 0..25 {
        let (on_a, on_b) = tokio::join!(
            tokio::spawn({
                let (a, rt) = (Arc::clone(&a), refresh_token.clone());
                async move {
                    a.refresh(&scope(), &Actor::system(), "user", &rt, None)
                        .await
                }
            }),
            tokio::spawn({
                let (b, rt) = (Arc::clone(&b), refresh_token.clone());
                async move {
                    b.refresh(&scope(), &Actor::system(), "user", &rt, None)
                        .await
                }
            }),
        );
        let on_a = on_a.expect("task a").expect("refresh on a");
        let on_b = on_b.expect("task b").expect("refresh on b");
        assert_eq!(on_a.refresh_token, on_b.refresh_token, "round {round}");
        assert_eq!(on_a.token, on_b.token, "round {round}");
        assert_ne!(on_a.refresh_token, refresh_token, "round {round}");
        refresh_token = on_a.refresh_token;
    }
    // One chain of rotations: the latest refresh token still works.
    a.refresh(&scope(), &Actor::system(), "user", &refresh_token, None)
        .await
        .expect("the last pair is current");
}

/// A key deleted on one node stops authenticating on another within a second, although the
/// other node had it cached.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_deleted_key_is_refused_by_the_other_node_within_a_second() {
    let Some(cluster) = Cluster::postgres("in-process nodes: key deletion").await else {
        return;
    };
    let (a, _a_tasks) = cluster.node().await;
    let (b, _b_tasks) = cluster.node().await;
    set_up(&a).await;
    let key = a
        .create_key(&admin(), "access", Some("shop"), None, "backend")
        .await
        .expect("key");
    b.authenticate(Some(&key.secret), None)
        .await
        .expect("b authenticates (and caches) the key");
    a.delete_key(&admin(), &key.record.id)
        .await
        .expect("delete");
    within_a_second("key deletion on the other node", || async {
        matches!(
            b.authenticate(Some(&key.secret), None).await,
            Err(Error::Unauthorized(_))
        )
    })
    .await;
}

/// A session type changed on one node is seen by another within a second: a longer expiry set
/// on A governs the sessions B starts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_session_type_change_reaches_the_other_node() {
    let Some(cluster) = Cluster::postgres("in-process nodes: type change").await else {
        return;
    };
    let (a, _a_tasks) = cluster.node().await;
    let (b, _b_tasks) = cluster.node().await;
    set_up(&a).await;
    let before = start(&b, "u1").await.session;
    assert_eq!(before.token_lifetime_secs, 3600);
    a.update_session_type(
        &admin(),
        Some("shop"),
        "user",
        SessionTypeInput {
            expiry: Some(2),
            ..Default::default()
        },
    )
    .await
    .expect("update");
    within_a_second("type change on the other node", || async {
        start(&b, "u1").await.session.token_lifetime_secs == 7200
    })
    .await;
}

/// The idle check at refresh counts activity another node recorded: a verify on node A, once A
/// has written its activity, keeps the session alive for a refresh on node B; a session idle
/// for longer than its timeout is refused there, whichever node saw it last.
async fn idle_check_counts_another_nodes_activity(cluster: Cluster) {
    let clock = Arc::new(ManualClock::new(Timestamp::from_millis(1_800_000_000_000)));
    let a = cluster.idle_node_on(clock.clone()).await;
    let b = cluster.idle_node_on(clock.clone()).await;
    set_up(&a).await;
    let idle = SessionTypeInput {
        name: Some("Idle".into()),
        expiry: Some(5),
        period: Some("minutes".into()),
        idle_timeout: Some(Some(600)),
        ..Default::default()
    };
    a.create_session_type(&admin(), Some("shop"), "idle", idle)
        .await
        .expect("idle type");
    let input = StartInput {
        tag: "idle".into(),
        data: serde_json::json!({}),
        identifier: Some("u1".into()),
        ..Default::default()
    };
    let issued = a
        .start(&scope(), &Actor::system(), input)
        .await
        .expect("start");
    clock.advance_secs(290);
    a.verify(&scope(), "idle", &issued.token)
        .await
        .expect("verify on a");
    a.flush_activity().await.expect("a writes its activity");
    clock.advance_secs(500);
    let refreshed = b
        .refresh(
            &scope(),
            &Actor::system(),
            "idle",
            &issued.refresh_token,
            None,
        )
        .await
        .expect("790 s after the start but 500 s after a's verify: still active");
    clock.advance_secs(601);
    assert!(matches!(
        b.refresh(
            &scope(),
            &Actor::system(),
            "idle",
            &refreshed.refresh_token,
            None
        )
        .await,
        Err(Error::SessionIdleExpired)
    ));
    assert!(matches!(
        a.refresh(
            &scope(),
            &Actor::system(),
            "idle",
            &refreshed.refresh_token,
            None
        )
        .await,
        Err(Error::SessionRevoked)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_idle_check_counts_another_nodes_activity() {
    if let Some(cluster) = Cluster::postgres("in-process nodes: idle across nodes").await {
        idle_check_counts_another_nodes_activity(cluster).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_idle_check_counts_another_nodes_activity() {
    idle_check_counts_another_nodes_activity(Cluster::sqlite()).await;
}

/// An update on one node: the other node refuses the older token within a second (the change
/// feed on PostgreSQL, the catch-up on SQLite), and takes the new one.
async fn supersession_reaches_the_other_node(cluster: Cluster) {
    let (a, _a_tasks) = cluster.node().await;
    let (b, _b_tasks) = cluster.node().await;
    set_up(&a).await;
    let issued = start(&b, "u1").await;
    b.verify(&scope(), "user", &issued.token)
        .await
        .expect("valid on b");
    let changed = a
        .update(
            &scope(),
            &Actor::system(),
            "user",
            &issued.session.id,
            serde_json::json!({"role": "admin"}),
            true,
        )
        .await
        .expect("update");
    let delay = within_a_second("supersession on the other node", || async {
        matches!(
            b.verify(&scope(), "user", &issued.token).await,
            Err(Error::TokenSuperseded)
        )
    })
    .await;
    eprintln!("supersession seen by the other node after {delay:?}");
    let fresh = b
        .verify(&scope(), "user", &changed.token)
        .await
        .expect("new token");
    assert_eq!(fresh.data["role"], "admin");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_supersession_reaches_the_other_node_within_a_second() {
    if let Some(cluster) = Cluster::postgres("in-process nodes: supersession").await {
        supersession_reaches_the_other_node(cluster).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_supersession_reaches_the_other_node_by_catch_up() {
    supersession_reaches_the_other_node(Cluster::sqlite()).await;
}

/// The revocation feed of a node is fed by every door into its sets: its own revocations, and
/// the other node's through the catch-up (SQLite) or the change feed (PostgreSQL); the catch-up
/// reading the same revocation again publishes nothing.
async fn feed_hears_of_the_other_nodes_revocations(cluster: Cluster, follow: bool) {
    let a = cluster.idle_node().await;
    let (b, background) = if follow {
        let (b, background) = cluster.node().await;
        (b, Some(background))
    } else {
        (cluster.idle_node().await, None)
    };
    set_up(&a).await;
    let mut feed = b.revocation_feed(&scope(), None);
    let hallpass::FeedStart::Snapshot(snapshot) = &feed.start else {
        panic!("a new subscriber starts with a snapshot");
    };
    assert!(snapshot.revoked.is_empty() && snapshot.superseded.is_empty());
    let issued = start(&a, "u1").await;
    assert!(
        a.revoke(&scope(), &Actor::system(), "user", &issued.session.id)
            .await
            .expect("revoke")
    );
    if !follow {
        assert!(b.catch_up().await.expect("catch up") >= 1);
    }
    let event = tokio::time::timeout(Duration::from_secs(1), feed.next())
        .await
        .expect("within a second")
        .expect("an event");
    match &event.change {
        hallpass::core::feed::FeedChange::Revoked(r) => assert_eq!(r.session_id, issued.session.id),
        other => panic!("expected a revocation, got {other:?}"),
    }
    // Read again by the next catch-up: no news, no event. B's own revocation is one.
    b.catch_up().await.expect("catch up again");
    let own = start(&b, "u2").await;
    assert!(
        b.revoke(&scope(), &Actor::system(), "user", &own.session.id)
            .await
            .expect("revoke on b")
    );
    let next = tokio::time::timeout(Duration::from_secs(1), feed.next())
        .await
        .expect("within a second")
        .expect("an event");
    match &next.change {
        hallpass::core::feed::FeedChange::Revoked(r) => assert_eq!(r.session_id, own.session.id),
        other => panic!("expected b's own revocation next, got {other:?}"),
    }
    if let Some(background) = background {
        background.stop(Duration::from_secs(1)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_feed_hears_of_the_other_nodes_revocations_by_catch_up() {
    feed_hears_of_the_other_nodes_revocations(Cluster::sqlite(), false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_feed_hears_of_the_other_nodes_revocations_by_the_change_feed() {
    if let Some(cluster) = Cluster::postgres("in-process nodes: revocation feed").await {
        feed_hears_of_the_other_nodes_revocations(cluster, true).await;
    }
}
