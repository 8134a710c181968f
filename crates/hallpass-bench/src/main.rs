//! `hallpass-bench`: the measuring half of `bench/run.sh`, and the HTTP ceiling it compares
//! hallpass with.
//!
//! It talks to running `hallpass serve` processes over HTTP, exactly as a backend would, and to
//! their database only to create and drop benchmark databases and to bulk-fill sessions. Each
//! measurement prints one `SUMMARY|…` line on stdout for the script's table; progress and
//! details go to stderr.

mod api;
mod db;
mod echo;
mod eddsa;
mod feed;
mod list;
mod propagation;
mod seal;
mod stats;
mod webhooks;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Benchmarks of hallpass storage and multi-node behaviour (run through `bench/run.sh`).
#[derive(Parser)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create an empty PostgreSQL database (the name must start with `hallpass_bench_`).
    CreateDb {
        /// URL of an existing database to connect through, e.g. `postgres://postgres@127.0.0.1/postgres`.
        #[arg(long)]
        admin_url: String,
        /// Name of the database to create.
        #[arg(long)]
        name: String,
    },
    /// Drop a database made by `create-db` (if it exists), disconnecting its clients.
    DropDb {
        /// URL of an existing database to connect through.
        #[arg(long)]
        admin_url: String,
        /// Name of the database to drop.
        #[arg(long)]
        name: String,
    },
    /// Propagation between nodes: start on node A, revoke (or update) on A, poll verify of the
    /// first token on node B.
    Propagation {
        /// Base URL of node A.
        #[arg(long)]
        a: String,
        /// Base URL of node B.
        #[arg(long)]
        b: String,
        #[command(flatten)]
        common: Common,
        /// What A does to each session: `revoke` (B answers `session_revoked`) or `update`
        /// its data (B answers `token_superseded` for the token issued before).
        #[arg(long, value_enum, default_value_t = propagation::Change::Revoke)]
        change: propagation::Change,
        /// Sessions to start and change, one after another.
        #[arg(long, default_value_t = 1000)]
        sessions: usize,
        /// Pause between two verify polls on B, in microseconds (0: back to back).
        #[arg(long, default_value_t = 1000)]
        poll_interval_us: u64,
    },
    /// The revocation feed: many subscribers on node B, revocations on node A, the delay from
    /// each revoke's answer to each subscriber's event, and B's memory with the subscribers.
    Feed {
        /// Base URL of node A (where sessions are revoked).
        #[arg(long)]
        a: String,
        /// Base URL of node B (where the subscribers listen; may be A).
        #[arg(long)]
        b: String,
        /// Process id of node B, to read its resident size.
        #[arg(long)]
        b_pid: Option<u32>,
        #[command(flatten)]
        common: Common,
        /// The product and env of the feed (the `--dev` ones by default).
        #[arg(long, default_value = "demo")]
        product: String,
        /// The env of the feed.
        #[arg(long, default_value = "dev")]
        env: String,
        /// Subscribers to connect to B.
        #[arg(long, default_value_t = 1000)]
        subscribers: usize,
        /// Sessions to start and revoke on A, one after another.
        #[arg(long, default_value_t = 100)]
        revocations: usize,
    },
    /// Bulk-insert sessions (copies of one real session with new ids) straight into the database.
    Fill {
        /// Base URL of a node on that database (starts the real session that is copied).
        #[arg(long)]
        url: String,
        #[command(flatten)]
        common: Common,
        /// The node's database (`postgres://…` or `sqlite://…`).
        #[arg(long)]
        database_url: String,
        /// Sessions to insert.
        #[arg(long, default_value_t = 1_000_000)]
        sessions: u64,
        /// Identifiers they are spread over (`user-00000`, `user-00001`, …), round robin.
        #[arg(long, default_value_t = 10_000)]
        identifiers: u64,
        /// Then revoke every session, with tokens valid for another hour: the revocations a
        /// node restarted on the database holds in memory.
        #[arg(long)]
        revoked: bool,
    },
    /// List latency: `POST /v1/sessions/list` for random identifiers of `fill`, one at a time.
    List {
        /// Base URL of the node.
        #[arg(long)]
        url: String,
        #[command(flatten)]
        common: Common,
        /// The node's database, to print the query plans of the list statements.
        #[arg(long)]
        database_url: Option<String>,
        /// Identifiers `fill` spread the sessions over.
        #[arg(long, default_value_t = 10_000)]
        identifiers: u64,
        /// Sessions each identifier holds (checked against every answer's `count`).
        #[arg(long, default_value_t = 100)]
        per_identifier: u64,
        /// Measured requests (after as many warm-up requests as a tenth of them).
        #[arg(long, default_value_t = 5000)]
        requests: usize,
    },
    /// Warm a node up: start a session then refresh it, over and over, for some seconds.
    ///
    /// Every request is answered before it ends (unlike the end of a wrk run, which drops the
    /// requests in flight), so the node is left in a clean state for the measured run.
    WarmUp {
        /// Base URL of the node.
        #[arg(long)]
        url: String,
        #[command(flatten)]
        common: Common,
        /// How long, in seconds.
        #[arg(long, default_value_t = 3)]
        seconds: u64,
        /// Concurrent requests.
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
    },
    /// Start sessions and write their refresh tokens (or session tokens, or session ids), one
    /// a line, for the wrk refresh (or verify, or revoke) script.
    Pool {
        /// Base URL of the node.
        #[arg(long)]
        url: String,
        #[command(flatten)]
        common: Common,
        /// Sessions to start.
        #[arg(long)]
        count: usize,
        /// Concurrent requests.
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
        /// File to write the refresh tokens to (none: the sessions only).
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        /// Write the session tokens (JWTs) instead of the refresh tokens.
        #[arg(long, conflicts_with = "session_ids")]
        session_tokens: bool,
        /// Write the session ids instead of the refresh tokens.
        #[arg(long)]
        session_ids: bool,
        /// Then update each session's data once (`POST /v1/sessions/update`), superseding
        /// its first token: the supersessions a node restarted on the database holds in memory.
        #[arg(long)]
        update: bool,
    },
    /// Webhook delivery to a receiver in this process: latency from the answer of a start to
    /// the receipt of its `session.started` delivery, one session at a time, then the
    /// sustained delivery rate of a burst of starts. The node needs `--allow-private-webhooks`.
    Webhooks {
        /// Base URL of the node.
        #[arg(long)]
        url: String,
        #[command(flatten)]
        common: Common,
        /// Admin key, to create the webhook (`HALLPASS_BOOTSTRAP_ADMIN_KEY` of the node).
        #[arg(long, env = "HALLPASS_ADMIN_KEY", hide_env_values = true)]
        admin_key: String,
        /// The product of the access key (`demo` under `--dev`).
        #[arg(long, default_value = "demo")]
        product: String,
        /// Sessions started one at a time for the latency, each awaited to its delivery.
        #[arg(long, default_value_t = 200)]
        sessions: usize,
        /// Most random pause between two of them, in milliseconds: at least the dispatcher's
        /// polling period (200 ms), or each start follows the last receipt, so one poll, at the
        /// same phase of the period, and the latency is biased to the period's end.
        #[arg(long, default_value_t = 200)]
        max_pause_ms: u64,
        /// Sessions started at once for the delivery rate.
        #[arg(long, default_value_t = 2000)]
        burst: usize,
        /// Concurrent starts of the burst.
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
    },
    /// The HTTP ceiling: a minimal axum server whose one route, `POST /echo`, parses a JSON
    /// body and answers it back, on the same stack and build settings as hallpass.
    Echo {
        /// Address to listen on (`127.0.0.1:0` picks a free port, printed as `listening on …`).
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: String,
    },
    /// The in-process EdDSA verify rate on one core (jwt-simple, as hallpass).
    Eddsa {
        /// How long to measure, in seconds.
        #[arg(long, default_value_t = 3)]
        seconds: u64,
    },
    /// Seal and unseal rates of iron "Fe26.2" values on one core (`bench/seal.sh`).
    Seal {
        /// How long to measure each operation, in seconds.
        #[arg(long, default_value_t = 3)]
        seconds: u64,
        /// PBKDF2 iterations (1 as iron-webcrypto and h3 1.x, 8192 as h3 2.x).
        #[arg(long, default_value_t = 1)]
        iterations: u32,
    },
}

/// Options shared by the commands that call the API.
#[derive(clap::Args)]
struct Common {
    /// Access key of the product (`hp_sk_…`).
    #[arg(long, env = "HALLPASS_KEY", hide_env_values = true)]
    key: String,
    /// Session type tag (the `--dev` type by default).
    #[arg(long, default_value = "user-session")]
    tag: String,
    /// Backend name for the summary line (`postgres`, `sqlite`).
    #[arg(long, default_value = "-")]
    backend: String,
}

/// The allocator hallpass uses, so that the echo ceiling runs on the same footing.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    match run(Args::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hallpass-bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> anyhow::Result<()> {
    match args.command {
        Command::CreateDb { admin_url, name } => db::create(&admin_url, &name).await,
        Command::DropDb { admin_url, name } => db::drop(&admin_url, &name).await,
        Command::Propagation {
            a,
            b,
            common,
            change,
            sessions,
            poll_interval_us,
        } => {
            let a = api::Api::new(&a, &common.key, &common.tag)?;
            let b = api::Api::new(&b, &common.key, &common.tag)?;
            propagation::run(&a, &b, change, &common.backend, sessions, poll_interval_us).await
        }
        Command::Feed {
            a,
            b,
            b_pid,
            common,
            product,
            env,
            subscribers,
            revocations,
        } => {
            let a = api::Api::new(&a, &common.key, &common.tag)?;
            let setup = feed::FeedSetup {
                a: &a,
                b_url: &b,
                key: &common.key,
                product: &product,
                env: &env,
                b_pid,
                subscribers,
                revocations,
            };
            feed::run(&setup, &common.backend).await
        }
        Command::Fill {
            url,
            common,
            database_url,
            sessions,
            identifiers,
            revoked,
        } => {
            let api = api::Api::new(&url, &common.key, &common.tag)?;
            list::fill(&api, &database_url, sessions, identifiers).await?;
            if revoked {
                list::revoke_all_for_an_hour(&database_url).await?;
            }
            Ok(())
        }
        Command::List {
            url,
            common,
            database_url,
            identifiers,
            per_identifier,
            requests,
        } => {
            let api = api::Api::new(&url, &common.key, &common.tag)?;
            let setup = list::ListSetup {
                identifiers,
                per_identifier,
                requests,
            };
            list::measure(&api, &common.backend, database_url.as_deref(), &setup).await
        }
        Command::WarmUp {
            url,
            common,
            seconds,
            concurrency,
        } => {
            let api = api::Api::new(&url, &common.key, &common.tag)?;
            api::warm_up(&api, std::time::Duration::from_secs(seconds), concurrency).await
        }
        Command::Pool {
            url,
            common,
            count,
            concurrency,
            out,
            session_tokens,
            session_ids,
            update,
        } => {
            let api = api::Api::new(&url, &common.key, &common.tag)?;
            let written = if session_ids {
                api::Written::SessionIds
            } else if session_tokens {
                api::Written::SessionTokens
            } else {
                api::Written::RefreshTokens
            };
            api::pool(&api, count, concurrency, out.as_deref(), written, update).await
        }
        Command::Webhooks {
            url,
            common,
            admin_key,
            product,
            sessions,
            max_pause_ms,
            burst,
            concurrency,
        } => {
            let api = api::Api::new(&url, &common.key, &common.tag)?;
            let admin = api::Api::new(&url, &admin_key, &common.tag)?;
            let setup = webhooks::Setup {
                sessions,
                max_pause_ms,
                burst,
                concurrency,
            };
            webhooks::run(&api, &admin, &product, &common.backend, &setup).await
        }
        Command::Echo { listen } => echo::serve(&listen).await,
        Command::Eddsa { seconds } => eddsa::run(seconds),
        Command::Seal {
            seconds,
            iterations,
        } => seal::run(seconds, iterations),
    }
}
