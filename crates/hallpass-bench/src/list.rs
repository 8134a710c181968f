//! Listing one identifier's sessions in a database of a million: the bulk fill and the
//! latency measurement.
//!
//! `fill` starts one real session over HTTP and copies its row with SQL, giving each copy a
//! new ULID (its creation time, one second apart, then random bits), an identifier
//! `user-<n % identifiers>`, and a refresh hash of its own (registered in `refresh_tokens`
//! too). So every identifier's sessions are spread over the whole table, as real logins are.

use std::str::FromStr as _;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, ensure};
use rand::Rng as _;
use serde_json::json;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{PgPool, Row as _, SqlitePool};

use hallpass_core::store::IdentifierFilter;

use crate::api::Api;
use crate::stats::{Samples, ms};

/// Rows inserted per statement (and transaction).
const CHUNK: u64 = 100_000;
const CROCKFORD: &str = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The SQL expression of `chars` Crockford base32 characters of the integer `expr`, most
/// significant first (valid on SQLite and PostgreSQL).
fn base32(expr: &str, chars: u32) -> String {
    (0..chars)
        .map(|i| {
            let shift = 5 * (chars - 1 - i);
            format!("substr('{CROCKFORD}', CAST((({expr}) >> {shift}) & 31 AS INTEGER) + 1, 1)")
        })
        .collect::<Vec<_>>()
        .join(" || ")
}

/// A ULID from the columns `g.ts` (milliseconds) and `g.r1`, `g.r2` (40 random bits each).
fn ulid_expr() -> String {
    format!(
        "{} || {} || {}",
        base32("g.ts", 10),
        base32("g.r1", 8),
        base32("g.r2", 8)
    )
}

/// The copied columns, computed from the template row `t` and the generated row `g`.
fn copy_columns(refresh_hash: &str) -> String {
    format!(
        "{id}, t.product, t.env, t.tag, 'user-' || (g.n % $IDS), t.data_jwe, g.ts, \
         t.token_lifetime_secs, g.ts, g.ts + t.token_lifetime_secs * 1000, \
         g.ts + (t.refresh_expires_at - t.created_at), g.ts, NULL, NULL, NULL, {refresh_hash}, \
         NULL, NULL, NULL",
        id = ulid_expr()
    )
}

const COLUMNS: &str = "id, product, env, tag, identifier, data_jwe, created_at, \
    token_lifetime_secs, token_issued_at, token_expires_at, refresh_expires_at, last_active_at, \
    device_ip, device_user_agent, revoked_at, refresh_hash, previous_refresh_hash, rotated_at, \
    grace_answer";

const REGISTER_HASHES: &str = "INSERT INTO refresh_tokens (hash, session_id) \
    SELECT s.refresh_hash, s.id FROM sessions s \
    WHERE NOT EXISTS (SELECT 1 FROM refresh_tokens r WHERE r.session_id = s.id)";

fn now_millis() -> anyhow::Result<i64> {
    Ok(i64::try_from(
        SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis(),
    )?)
}

/// Revokes every session of the database now, each with a token valid for another hour, so
/// that a node started on it holds them all in its revocation set.
pub(crate) async fn revoke_all_for_an_hour(database_url: &str) -> anyhow::Result<()> {
    let now = now_millis()?;
    let revoked = if database_url.starts_with("postgres") {
        let pool = PgPool::connect(database_url).await?;
        sqlx::query(
            "UPDATE sessions SET revoked_at = $1, token_expires_at = $1 + 3600000 \
             WHERE revoked_at IS NULL",
        )
        .bind(now)
        .execute(&pool)
        .await?
        .rows_affected()
    } else {
        let pool = SqlitePool::connect(database_url).await?;
        let done = sqlx::query(
            "UPDATE sessions SET revoked_at = ?1, token_expires_at = ?1 + 3600000 \
             WHERE revoked_at IS NULL",
        )
        .bind(now)
        .execute(&pool)
        .await?
        .rows_affected();
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&pool)
            .await?;
        done
    };
    eprintln!("fill: {revoked} sessions revoked, their tokens valid for another hour");
    Ok(())
}

/// Runs the fill statement `sql` (parameters: template id, first time, step, chunk start and
/// end, identifiers) over `0..sessions` in chunks of [`CHUNK`], on either kind of pool.
macro_rules! insert_in_chunks {
    ($pool:expr, $sql:expr, $template:expr, $first:expr, $step:expr, $sessions:expr, $identifiers:expr, $started:expr) => {
        for lo in (0..$sessions).step_by(CHUNK as usize) {
            let hi = (lo + CHUNK).min($sessions);
            sqlx::query($sql)
                .bind($template)
                .bind($first)
                .bind($step)
                .bind(i64::try_from(lo)?)
                .bind(i64::try_from(hi)?)
                .bind(i64::try_from($identifiers)?)
                .execute($pool)
                .await
                .context("inserting sessions")?;
            eprintln!("fill: {hi} sessions ({:.0?})", $started.elapsed());
        }
    };
}

pub(crate) async fn fill(
    api: &Api,
    database_url: &str,
    sessions: u64,
    identifiers: u64,
) -> anyhow::Result<()> {
    ensure!(sessions > 0 && identifiers > 0, "nothing to fill");
    let template = api.start("template").await?.session_id;
    // One session a second, ending now (closer together for more than ~20 days' worth), so
    // that every copy's refresh lifetime (copied from the template) is still running.
    let step = i64::try_from((20 * 86_400_000 / sessions).clamp(1, 1000))?;
    let first = now_millis()? - i64::try_from(sessions)? * step;
    let started = Instant::now();
    if database_url.starts_with("postgres") {
        let pool = PgPool::connect(database_url).await?;
        let sql = format!(
            "INSERT INTO sessions ({COLUMNS}) SELECT {} FROM \
             (SELECT n, $2 + n * $3 AS ts, (random() * 1099511627775)::bigint AS r1, \
              (random() * 1099511627775)::bigint AS r2 \
              FROM generate_series($4::bigint, $5::bigint - 1) AS n) AS g, \
             (SELECT * FROM sessions WHERE id = $1) AS t",
            copy_columns(
                "encode(sha256(convert_to('hallpass-bench ' || g.ts || ' ' || g.n, 'UTF8')), 'hex')"
            )
            .replace("$IDS", "$6")
        );
        insert_in_chunks!(
            &pool,
            &sql,
            &template,
            first,
            step,
            sessions,
            identifiers,
            started
        );
        sqlx::query(REGISTER_HASHES).execute(&pool).await?;
        // What autovacuum would do shortly after such a load.
        for table in ["sessions", "refresh_tokens"] {
            sqlx::raw_sql(&format!("VACUUM ANALYZE {table}"))
                .execute(&pool)
                .await?;
        }
    } else {
        let options = SqliteConnectOptions::from_str(database_url)?
            .busy_timeout(Duration::from_secs(60))
            .foreign_keys(true);
        let pool = SqlitePool::connect_with(options).await?;
        let sql = format!(
            "INSERT INTO sessions ({COLUMNS}) \
             WITH RECURSIVE seq(n) AS (SELECT ?4 UNION ALL SELECT n + 1 FROM seq WHERE n + 1 < ?5) \
             SELECT {} FROM \
             (SELECT n, ?2 + n * ?3 AS ts, random() & 1099511627775 AS r1, \
              random() & 1099511627775 AS r2 FROM seq) AS g, \
             (SELECT * FROM sessions WHERE id = ?1) AS t",
            copy_columns("hex(randomblob(32))").replace("$IDS", "?6")
        );
        insert_in_chunks!(
            &pool,
            &sql,
            &template,
            first,
            step,
            sessions,
            identifiers,
            started
        );
        sqlx::query(REGISTER_HASHES).execute(&pool).await?;
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&pool)
            .await?;
    }
    eprintln!(
        "fill: {sessions} sessions over {identifiers} identifiers in {:.1?}",
        started.elapsed()
    );
    Ok(())
}

/// What `measure` runs.
pub(crate) struct ListSetup {
    pub(crate) identifiers: u64,
    pub(crate) per_identifier: u64,
    pub(crate) requests: usize,
}

pub(crate) async fn measure(
    api: &Api,
    backend: &str,
    database_url: Option<&str>,
    setup: &ListSetup,
) -> anyhow::Result<()> {
    let page = setup.per_identifier.min(100);
    let warm_up = (setup.requests / 10).max(100);
    let mut latencies = Vec::with_capacity(setup.requests);
    let started = Instant::now();
    let mut measured_from = started;
    for i in 0..warm_up + setup.requests {
        if i == warm_up {
            measured_from = Instant::now();
        }
        let identifier = format!(
            "user-{}",
            rand::thread_rng().gen_range(0..setup.identifiers)
        );
        let body = json!({"tag": api.tag, "identifier": identifier});
        let sent = Instant::now();
        let (status, answer) = api.post("/v1/sessions/list", &body).await?;
        let took = sent.elapsed();
        ensure!(status == 200, "list answered {status}: {answer}");
        ensure!(
            answer["count"] == setup.per_identifier
                && answer["sessions"].as_array().map(Vec::len) == usize::try_from(page).ok(),
            "list of {identifier} answered {} sessions of count {}, expected {page} of {}",
            answer["sessions"].as_array().map_or(0, Vec::len),
            answer["count"],
            setup.per_identifier
        );
        if i >= warm_up {
            latencies.push(took);
        }
    }
    let rate = setup.requests as f64 / measured_from.elapsed().as_secs_f64();
    let s = Samples::new(latencies);
    eprintln!(
        "list ({backend}): {} requests one at a time (after {warm_up} warm-up), {page} sessions \
         an answer; {rate:.0} req/s, mean {} ms, p50 {} ms, p99 {} ms, max {} ms",
        s.len(),
        ms(s.mean()),
        ms(s.percentile(50.0)),
        ms(s.percentile(99.0)),
        ms(s.max())
    );
    let statements = match database_url {
        Some(url) => {
            explain(url, &api.tag, "user-0")
                .await
                .context("printing the list query plans")?;
            Some(
                statements_only(url, &api.tag, setup)
                    .await
                    .context("timing the list statements")?,
            )
        }
        None => None,
    };
    println!(
        "SUMMARY|list, 1 of {} identifiers|{backend}|{} requests|{rate:.0}|{} ms|{} ms|{} ms|p99 <= 5 ms: {}",
        setup.identifiers,
        s.len(),
        ms(s.percentile(50.0)),
        ms(s.percentile(99.0)),
        ms(s.max()),
        if s.percentile(99.0) <= Duration::from_millis(5) {
            "met"
        } else {
            "MISSED"
        }
    );
    if let Some(s) = statements {
        println!(
            "SUMMARY|list: the store only, no HTTP|{backend}|{} lists|-|{} ms|{} ms|{} ms|Store::list_sessions in process",
            s.len(),
            ms(s.percentile(50.0)),
            ms(s.percentile(99.0)),
            ms(s.max()),
        );
    }
    Ok(())
}

/// Times the store's own `list_sessions` (the very code the server runs, without HTTP and
/// JSON), for random identifiers: what the database part of a list costs.
async fn statements_only(
    database_url: &str,
    tag: &str,
    setup: &ListSetup,
) -> anyhow::Result<Samples> {
    let store = hallpass_store::open(database_url).await?;
    let now = hallpass_core::Timestamp::from_millis(now_millis()?);
    let warm_up = (setup.requests / 10).max(100);
    let mut samples = Vec::with_capacity(setup.requests);
    for i in 0..warm_up + setup.requests {
        let filter = IdentifierFilter {
            product: "demo".into(),
            env: "dev".into(),
            tag: tag.into(),
            identifier: format!(
                "user-{}",
                rand::thread_rng().gen_range(0..setup.identifiers)
            ),
            idle_cutoff: None,
        };
        let started = Instant::now();
        let page = store.list_sessions(&filter, None, 100, now).await?;
        let took = started.elapsed();
        ensure!(page.sessions.len() as u64 == setup.per_identifier.min(100) && page.count > 0);
        if i >= warm_up {
            samples.push(took);
        }
    }
    let s = Samples::new(samples);
    eprintln!(
        "list through the store, no HTTP: {} lists (after {warm_up} warm-up); \
         mean {} ms, p50 {} ms, p99 {} ms, max {} ms",
        s.len(),
        ms(s.mean()),
        ms(s.percentile(50.0)),
        ms(s.percentile(99.0)),
        ms(s.max())
    );
    Ok(s)
}

/// Prints the plans of the two statements of a list (page and count), as the store runs them.
async fn explain(database_url: &str, tag: &str, identifier: &str) -> anyhow::Result<()> {
    let now = now_millis()?;
    let filter = format!(
        "product = 'demo' AND env = 'dev' AND tag = '{tag}' AND identifier = '{identifier}' \
         AND revoked_at IS NULL AND refresh_expires_at > {now}"
    );
    let statements = [
        format!("SELECT {COLUMNS} FROM sessions WHERE {filter} ORDER BY id DESC LIMIT 101"),
        format!("SELECT COUNT(*) FROM sessions WHERE {filter}"),
    ];
    if database_url.starts_with("postgres") {
        let pool = PgPool::connect(database_url).await?;
        for statement in &statements {
            eprintln!("EXPLAIN (ANALYZE, BUFFERS) {statement}");
            for row in sqlx::query(&format!("EXPLAIN (ANALYZE, BUFFERS) {statement}"))
                .fetch_all(&pool)
                .await?
            {
                eprintln!("  {}", row.try_get::<String, _>(0)?);
            }
        }
    } else {
        let pool = SqlitePool::connect(database_url).await?;
        for statement in &statements {
            eprintln!("EXPLAIN QUERY PLAN {statement}");
            for row in sqlx::query(&format!("EXPLAIN QUERY PLAN {statement}"))
                .fetch_all(&pool)
                .await?
            {
                eprintln!("  {}", row.try_get::<String, _>(3)?);
            }
            let sent = Instant::now();
            sqlx::query(statement).fetch_all(&pool).await?;
            eprintln!("  ran in {} ms", ms(sent.elapsed()));
        }
    }
    Ok(())
}
