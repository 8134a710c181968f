//! Group commit: the hot session writes (start's insert, refresh's rotation) of concurrent
//! requests are applied together, in one transaction.
//!
//! Through sqlx every SQLite statement is a round trip to the connection's worker thread, and a
//! session write took four of them (begin, two statements, commit) while holding the writer
//! lock: under load the time went to thread hand-offs, not to SQLite. Here writes queue for one
//! task. It takes the writer lock and a pooled connection, borrows the connection's SQLite
//! handle from sqlx (`lock_handle`, sqlx's own API for direct calls), and applies every queued
//! write with rusqlite in one transaction. Should one fail, the transaction is rolled back and
//! the batch applied again with each write inside a savepoint of its own, so that the failed
//! one leaves the others intact. (Savepoints in every batch cost more than they saved: SQLite
//! copies each page a savepoint touches first into a sub-journal, and a start touches about
//! ten, so a profile of `start` found the writer spending a tenth of its time, and half of the
//! bytes it wrote, on sub-journals.) Callers hear their result only after the commit, so an
//! acknowledged write is exactly as durable as before. A caller that goes away does not cancel
//! its write: once queued, it is applied.

use std::marker::PhantomData;
use std::sync::Arc;

use hallpass_core::{Error, Result};
use rusqlite::Connection;
use sqlx::sqlite::LockedSqliteHandle;
use sqlx::{SqliteConnection, SqlitePool};
use tokio::sync::{Mutex, mpsc, oneshot};

use crate::error::map_err;

/// Most writes applied in one transaction, which bounds how long one holds the writer lock.
const MAX_BATCH: usize = 64;
/// Writes waiting beyond this make callers wait to queue (the HTTP layer bounds requests in
/// flight well below it).
const QUEUE: usize = 4096;

/// A queued write, run inside the transaction (twice, when the batch is applied again) and
/// then answered.
type Job = Box<dyn Queued>;

/// What the writer does with a queued write.
trait Queued: Send {
    /// Runs the write on `db`, keeping its outcome in place of an earlier run's; answers
    /// whether it succeeded.
    fn run(&mut self, db: &Connection) -> bool;
    /// Tells the caller the outcome, given how the transaction ended.
    fn reply(self: Box<Self>, ended: Result<()>);
}

/// A write and where its caller waits for the outcome.
struct Write<W, T> {
    work: W,
    outcome: Option<Result<T>>,
    answer: oneshot::Sender<Result<T>>,
}

impl<W, T> Queued for Write<W, T>
where
    W: Fn(&Connection) -> Result<T> + Send,
    T: Send,
{
    fn run(&mut self, db: &Connection) -> bool {
        let outcome = (self.work)(db);
        let succeeded = outcome.is_ok();
        self.outcome = Some(outcome);
        succeeded
    }

    fn reply(self: Box<Self>, ended: Result<()>) {
        let result = match (ended, self.outcome) {
            (Err(e), _) => Err(e),
            (Ok(()), Some(outcome)) => outcome,
            (Ok(()), None) => Err(Error::Internal("a queued write did not run".into())),
        };
        // The caller may have gone away; the write stands all the same.
        let _ = self.answer.send(result);
    }
}

/// The queue of writes of one SQLite database.
#[derive(Clone, Debug)]
pub(crate) struct GroupCommit {
    jobs: mpsc::Sender<Job>,
}

/// Where the group commit writes.
pub(super) enum Connections {
    /// A connection of its own, held for the store's lifetime, so that its page cache stays
    /// warm and its statements stay prepared (file databases). Its batches run on a thread of
    /// their own: a commit that checkpoints the WAL syncs the file, which may take
    /// milliseconds, and must not stall a runtime thread serving other requests.
    Own(SqliteConnection),
    /// A connection of the pool, borrowed for each batch (a memory database, whose one
    /// connection is the pool's).
    Pool(SqlitePool),
}

impl GroupCommit {
    /// Starts what applies queued writes (a thread for a connection of its own, a task for the
    /// pool's), each batch under `writer`, the lock every other write of the store takes too.
    /// It ends when the last handle is dropped.
    ///
    /// # Errors
    /// [`Error::StoreUnavailable`] when the writer thread cannot be started.
    pub(super) fn start(connections: Connections, writer: Arc<Mutex<()>>) -> Result<Self> {
        let (jobs, queue) = mpsc::channel(QUEUE);
        spawn_writer(connections, writer, queue)?;
        Ok(Self { jobs })
    }

    /// Applies `work` in the next transaction and answers its result once that transaction has
    /// committed. An error of `work` undoes only what `work` did. `work` may run twice (the
    /// first run undone): when another write of its batch fails, the batch is applied again.
    pub(super) async fn write<T: Send + 'static>(
        &self,
        work: impl Fn(&Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let (answer, answered) = oneshot::channel();
        let job: Job = Box::new(Write {
            work,
            outcome: None,
            answer,
        });
        self.jobs.send(job).await.map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }
}

/// Starts applying the writes `queue` receives.
fn spawn_writer(
    connections: Connections,
    writer: Arc<Mutex<()>>,
    queue: mpsc::Receiver<Job>,
) -> Result<()> {
    match connections {
        Connections::Own(conn) => {
            let runtime = tokio::runtime::Handle::current();
            std::thread::Builder::new()
                .name("hallpass-sqlite-writer".into())
                .spawn(move || runtime.block_on(run_on_own(conn, writer, queue)))
                .map_err(|e| {
                    Error::StoreUnavailable(format!("cannot start the SQLite writer thread: {e}"))
                })?;
        }
        Connections::Pool(pool) => {
            tokio::spawn(run_on_pool(pool, writer, queue));
        }
    }
    Ok(())
}

fn stopped() -> Error {
    Error::StoreUnavailable("the SQLite writer has stopped; restart hallpass".into())
}

/// Applies batches on `conn`, whose handle it borrows from sqlx once and for all, until every
/// handle is dropped.
async fn run_on_own(
    mut conn: SqliteConnection,
    writer: Arc<Mutex<()>>,
    queue: mpsc::Receiver<Job>,
) {
    let mut handle = match conn.lock_handle().await {
        Ok(handle) => handle,
        Err(e) => return refuse_all(queue, map_err(e)).await,
    };
    match borrow(&mut handle) {
        Ok(db) => apply_batches(db, writer, queue).await,
        Err(e) => refuse_all(queue, e).await,
    }
}

/// Applies batches on `db` until every handle is dropped.
async fn apply_batches(db: Borrowed<'_>, writer: Arc<Mutex<()>>, mut queue: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let _writer = writer.lock().await;
        answer(transaction(&db, std::mem::take(&mut batch)));
    }
}

/// Applies each batch on a connection borrowed from `pool` until every handle is dropped.
async fn run_on_pool(pool: SqlitePool, writer: Arc<Mutex<()>>, mut queue: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let _writer = writer.lock().await;
        let jobs = std::mem::take(&mut batch);
        answer(match pool.acquire().await {
            Ok(mut conn) => match conn.lock_handle().await {
                Ok(mut handle) => match borrow(&mut handle) {
                    Ok(db) => transaction(&db, jobs),
                    Err(e) => not_begun(jobs, e),
                },
                Err(e) => not_begun(jobs, map_err(e)),
            },
            Err(e) => not_begun(jobs, map_err(e)),
        });
    }
}

/// A rusqlite connection on the handle sqlx opened. The borrow checker keeps it from
/// outliving `handle`.
fn borrow<'h>(handle: &'h mut LockedSqliteHandle<'_>) -> Result<Borrowed<'h>> {
    #[expect(
        unsafe_code,
        reason = "the only way to reach the handle sqlx opened; see SAFETY"
    )]
    // SAFETY: `lock_handle` guarantees that sqlx's worker makes no call on the handle while
    // `handle` lives; `from_handle` never closes the handle, and the `Borrowed` it is wrapped in
    // cannot outlive `handle`, so every statement rusqlite prepares is finalized before sqlx
    // gets the handle back.
    let db = unsafe { Connection::from_handle(handle.as_raw_handle().as_ptr()) };
    db.map(|db| Borrowed {
        db,
        _handle: PhantomData,
    })
    .map_err(map_sql_err)
}

/// A rusqlite connection on a handle borrowed from sqlx, for as long as the borrow.
struct Borrowed<'h> {
    db: Connection,
    _handle: PhantomData<&'h mut ()>,
}

impl std::ops::Deref for Borrowed<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        &self.db
    }
}

/// Answers each job's caller with how its transaction ended.
fn answer((jobs, ended): (Vec<Job>, Result<()>)) {
    for job in jobs {
        job.reply(ended.clone());
    }
}

/// Fails every write queued from now on with `e` (the writer's connection is unusable).
async fn refuse_all(mut queue: mpsc::Receiver<Job>, e: Error) {
    tracing::error!(error = %e, "the SQLite writer cannot use its connection; writes will fail");
    while let Some(job) = queue.recv().await {
        answer(not_begun(vec![job], e.clone()));
    }
}

/// Runs every job in one transaction; answers the jobs and how the transaction ended.
fn transaction(db: &Connection, mut jobs: Vec<Job>) -> (Vec<Job>, Result<()>) {
    let ended = match all_at_once(db, &mut jobs) {
        Some(ended) => ended,
        None => one_savepoint_each(db, &mut jobs),
    };
    (jobs, ended)
}

/// Runs the jobs in one transaction and commits it, unless one fails: then it rolls everything
/// back and answers `None`.
fn all_at_once(db: &Connection, jobs: &mut [Job]) -> Option<Result<()>> {
    if let Err(e) = db.execute_batch("BEGIN IMMEDIATE") {
        return Some(Err(map_sql_err(e)));
    }
    // Some failures (a full disk, an I/O error) make SQLite roll the whole transaction back on
    // its own; the jobs after one must not run outside it, in autocommit.
    let all_succeeded = jobs
        .iter_mut()
        .all(|job| job.run(db) && !db.is_autocommit());
    if all_succeeded {
        return Some(commit(db));
    }
    if !db.is_autocommit() {
        let _ = db.execute_batch("ROLLBACK");
    }
    None
}

/// Runs each job inside a savepoint of its own, so that one that fails is undone alone, and
/// commits the transaction.
fn one_savepoint_each(db: &Connection, jobs: &mut [Job]) -> Result<()> {
    db.execute_batch("BEGIN IMMEDIATE").map_err(map_sql_err)?;
    for job in jobs {
        let ran = db.execute_batch("SAVEPOINT write").and_then(|()| {
            let end = if job.run(db) {
                "RELEASE write"
            } else {
                "ROLLBACK TO write; RELEASE write"
            };
            db.execute_batch(end)
        });
        if let Err(e) = ran {
            let _ = db.execute_batch("ROLLBACK");
            return Err(map_sql_err(e));
        }
        if db.is_autocommit() {
            // A write ended the whole transaction (as above): what the batch wrote is gone.
            return Err(Error::StoreUnavailable(
                "the database rolled the transaction back on its own".into(),
            ));
        }
    }
    commit(db)
}

/// Commits the transaction.
fn commit(db: &Connection) -> Result<()> {
    db.execute_batch("COMMIT").map_err(|e| {
        // A failed COMMIT may leave the transaction open: end it, so the connection goes back
        // to the pool clean.
        let _ = db.execute_batch("ROLLBACK");
        map_sql_err(e)
    })
}

/// The jobs, for a transaction that could not begin.
fn not_begun(jobs: Vec<Job>, e: Error) -> (Vec<Job>, Result<()>) {
    (jobs, Err(e))
}

/// Maps a rusqlite error as [`map_err`] maps sqlx's: constraint violations and unreadable
/// values are broken invariants ([`Error::Internal`]); anything else means the database cannot
/// serve writes now ([`Error::StoreUnavailable`]).
pub(super) fn map_sql_err(e: rusqlite::Error) -> Error {
    match e {
        rusqlite::Error::SqliteFailure(f, message)
            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            Error::Internal(format!(
                "the database refused a write that breaks its constraints: {}",
                message.unwrap_or_else(|| f.to_string())
            ))
        }
        rusqlite::Error::FromSqlConversionFailure(..)
        | rusqlite::Error::IntegralValueOutOfRange(..)
        | rusqlite::Error::InvalidColumnType(..) => {
            Error::Internal(format!("stored data cannot be read: {e}"))
        }
        other => Error::StoreUnavailable(format!("the database answered with an error: {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Work = Box<dyn Fn(&Connection) -> Result<()> + Send>;

    /// Writes applied in one batch on a fresh database file with the store's schema: they are
    /// all queued before the writer starts. Answers their results in order, and the pool.
    async fn one_batch(
        dir: &tempfile::TempDir,
        writes: Vec<Work>,
    ) -> (Vec<Result<()>>, GroupCommit, SqlitePool) {
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let opened = super::super::connect::connect(&url).await.expect("open");
        let own = opened
            .writer
            .expect("a file database has a writer connection");
        let (jobs, queue) = mpsc::channel(QUEUE);
        let commit = GroupCommit { jobs };
        let count = writes.len();
        let mut tasks = Vec::new();
        for work in writes {
            let commit = commit.clone();
            tasks.push(tokio::spawn(async move { commit.write(work).await }));
        }
        while queue.len() < count {
            tokio::task::yield_now().await;
        }
        spawn_writer(Connections::Own(own), Arc::default(), queue).expect("start");
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.expect("write task"));
        }
        (results, commit, opened.pool)
    }

    async fn api_keys(pool: &SqlitePool) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM api_keys")
            .fetch_one(pool)
            .await
            .expect("count")
    }

    fn insert_key(db: &Connection, id: &str) -> Result<()> {
        db.execute(
            "INSERT INTO api_keys (id, kind, product, env, name, hash, created_at) \
             VALUES (?1, 'admin', NULL, NULL, 'k', ?1, 0)",
            [id],
        )
        .map(drop)
        .map_err(map_sql_err)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failing_write_is_undone_alone_and_the_others_commit() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (results, _, pool) = one_batch(
            &dir,
            vec![
                Box::new(|db| insert_key(db, "a")),
                Box::new(|db| {
                    insert_key(db, "x")?;
                    insert_key(db, "x")
                }),
                Box::new(|db| insert_key(db, "b")),
            ],
        )
        .await;
        assert_eq!((&results[0], &results[2]), (&Ok(()), &Ok(())));
        assert!(matches!(results[1], Err(Error::Internal(_))), "{results:?}");
        assert_eq!(api_keys(&pool).await, 2, "the failed write left no row");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn writes_after_the_transaction_ended_on_its_own_are_not_autocommitted() {
        let dir = tempfile::tempdir().expect("tempdir");
        // What SQLite does on some I/O errors: the whole transaction is rolled back. The
        // writes queued after it must neither run in autocommit nor be reported as written.
        let (results, commit, pool) = one_batch(
            &dir,
            vec![
                Box::new(|db| insert_key(db, "a")),
                Box::new(|db| db.execute_batch("ROLLBACK").map_err(map_sql_err)),
                Box::new(|db| insert_key(db, "b")),
            ],
        )
        .await;
        for result in &results {
            assert!(
                matches!(result, Err(Error::StoreUnavailable(_))),
                "{results:?}"
            );
        }
        assert_eq!(api_keys(&pool).await, 0);
        // The writer goes on with the next batch.
        commit
            .write(|db| insert_key(db, "c"))
            .await
            .expect("the next write");
        assert_eq!(api_keys(&pool).await, 1);
    }
}
