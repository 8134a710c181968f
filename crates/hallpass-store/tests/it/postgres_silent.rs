//! A listening connection that goes silent (a firewall or NAT dropping the flow without a
//! word, a failover moving the address) is noticed by the feed's liveness check, reported, and
//! replaced once the network works again.

use std::net::SocketAddr;
use std::str::FromStr as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use hallpass_core::store::Change;
use hallpass_store_conformance::TestDatabase;
use hallpass_store_conformance::fixtures::{first_keys, product};
use sqlx::postgres::PgConnectOptions;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// A TCP relay to PostgreSQL that can go silent: its connections stay open, but what is sent
/// either way is dropped, as a network that loses a flow does.
struct Relay {
    addr: SocketAddr,
    silent: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<()>,
}

impl Relay {
    async fn start(target: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let silent = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&silent);
        let task = tokio::spawn(async move {
            while let Ok((inbound, _)) = listener.accept().await {
                let Ok(outbound) = TcpStream::connect(target).await else {
                    continue;
                };
                let (in_read, in_write) = inbound.into_split();
                let (out_read, out_write) = outbound.into_split();
                tokio::spawn(pump(in_read, out_write, Arc::clone(&flag)));
                tokio::spawn(pump(out_read, in_write, Arc::clone(&flag)));
            }
        });
        Self { addr, silent, task }
    }

    fn set_silent(&self, silent: bool) {
        self.silent.store(silent, Ordering::SeqCst);
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    silent: Arc<AtomicBool>,
) {
    let mut buf = vec![0; 16 * 1024];
    while let Ok(n) = from.read(&mut buf).await {
        if n == 0 {
            return;
        }
        if !silent.load(Ordering::SeqCst) && to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

/// `url` with its host and port replaced by `addr`.
fn through(url: &str, addr: SocketAddr) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    let (authority, path) = rest.split_once('/').expect("a database name");
    let userinfo = authority
        .rsplit_once('@')
        .map_or(String::new(), |(u, _)| format!("{u}@"));
    format!("{scheme}://{userinfo}{addr}/{path}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silently_dropped_listening_connection_is_noticed_and_replaced() {
    let Some(db) = TestDatabase::create("a silent listening connection").await else {
        return;
    };
    let options = PgConnectOptions::from_str(db.url()).expect("URL");
    let target = tokio::net::lookup_host((options.get_host(), options.get_port()))
        .await
        .expect("resolve")
        .next()
        .expect("an address");
    let relay = Relay::start(target).await;
    let node = hallpass_store::open(&through(db.url(), relay.addr))
        .await
        .expect("node through the relay");
    let other = hallpass_store::open(db.url()).await.expect("other node");
    let mut feed = node.changes().await.expect("subscribe").expect("a feed");

    relay.set_silent(true);
    let shop = product("shop", &["dev"]);
    assert!(
        other
            .insert_product(&shop, &first_keys(&shop))
            .await
            .expect("a change the silent node misses")
    );
    let began = Instant::now();
    let lost = tokio::time::timeout(Duration::from_secs(40), feed.next())
        .await
        .expect("the silence is noticed");
    assert!(
        matches!(lost, Err(hallpass_core::Error::StoreUnavailable(_))),
        "{lost:?}"
    );
    println!(
        "a silent listening connection was noticed after {:?}",
        began.elapsed()
    );

    relay.set_silent(false);
    let reconnected = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            match feed.next().await {
                Ok(change) => return change,
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        }
    })
    .await
    .expect("the feed reconnects once the network works");
    assert_eq!(
        reconnected,
        Change::Gap,
        "what was missed is reported as a gap"
    );
}
