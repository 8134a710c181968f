//! Hot writes of concurrent requests, written together: one statement (or one short
//! transaction) and one commit for every write of a kind queued meanwhile.
//!
//! A profile of `start` on PostgreSQL showed the database server spending about as much CPU as
//! hallpass itself, most of it on per-statement and per-commit work (parse, bind, plan, lock,
//! WAL flush) for one row at a time; `revoke`, once it recorded its event, showed the same.
//! Here the writes of one kind queue for one task, which sends each batch as statements over
//! arrays (`UNNEST`) whose text is the same for every batch size, so they stay prepared and,
//! on these connections, planned once. Callers hear their own answer after the commit. If a
//! batch fails (one row holding a value PostgreSQL refuses, a deadlock), its writes are
//! retried one by one, so each caller gets the answer its own write deserves. A caller that
//! goes away does not cancel its write: once queued, it is written.

use std::collections::HashSet;
use std::sync::Arc;

use hallpass_core::{Error, Result};
use sqlx::PgPool;
use tokio::sync::{Semaphore, mpsc, oneshot};

/// Most writes in one batch.
const MAX_BATCH: usize = 128;
/// Batches of one kind in flight at once (each on a connection of its own), so that a
/// commit's wait for the disk does not hold up the next batch. Two, not more: with more, 16
/// concurrent starts were written about two to a statement, and each statement's fixed cost
/// (bind, plan, commit) dominated; with two, about four share one (docs/BENCHMARKS.md,
/// "PostgreSQL start: fewer statements, planned once").
const MAX_IN_FLIGHT: usize = 2;
/// Writes waiting beyond this make callers wait to queue.
const QUEUE: usize = 4096;

/// One kind of write that concurrent requests share statements for.
pub(super) trait BatchedWrite: Send + Sync + Sized + 'static {
    /// What the caller hears once the write has committed.
    type Answer: Send + 'static;
    /// What the queue is, for the error a caller gets when it has stopped.
    const KIND: &'static str;

    /// The session the write changes, where two writes of one session must not share a batch:
    /// the later is then written after the batch commits, as if it had come after it.
    fn session(&self) -> Option<&str>;
    /// Writes every one of `writes` together, atomically; answers in their order.
    fn write_many(
        pool: &PgPool,
        writes: &[Self],
    ) -> impl Future<Output = Result<Vec<Self::Answer>>> + Send;
    /// Writes one alone (a batch of one, or each write of a batch that failed).
    fn write_one(pool: &PgPool, write: &Self) -> impl Future<Output = Result<Self::Answer>> + Send;
}

type Job<W> = (W, oneshot::Sender<Result<<W as BatchedWrite>::Answer>>);

/// The queue of one kind of write to one database.
pub(crate) struct Batched<W: BatchedWrite> {
    jobs: mpsc::Sender<Job<W>>,
}

/// Names the queue; the writes in it are session records, never printed.
impl<W: BatchedWrite> std::fmt::Debug for Batched<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batched").field("kind", &W::KIND).finish()
    }
}

impl<W: BatchedWrite> Batched<W> {
    /// Starts the task that writes queued writes; it ends when the last handle is dropped.
    pub(super) fn start(pool: &PgPool) -> Self {
        let (jobs, queue) = mpsc::channel(QUEUE);
        tokio::spawn(run(planned_once(pool), queue));
        Self { jobs }
    }

    /// Queues the write in the next batch; answers once that batch has committed.
    pub(super) async fn write(&self, write: W) -> Result<W::Answer> {
        let (answer, answered) = oneshot::channel();
        self.jobs
            .send((write, answer))
            .await
            .map_err(|_| stopped::<W>())?;
        answered.await.map_err(|_| stopped::<W>())?
    }
}

/// The batches' own connections, [`MAX_IN_FLIGHT`] of them, opened when first needed, with the
/// main pool's settings and `plan_cache_mode = force_generic_plan`: a batch statement's plan
/// never depends on its values (it writes whatever the arrays hold), yet PostgreSQL planned
/// it anew for every batch, since its estimate of the generic plan, with arrays of unknown
/// length, came out dearer than the custom ones. Only these connections plan this way; the
/// main pool's queries keep custom plans (the audit query needs them to pick its index).
fn planned_once(pool: &PgPool) -> PgPool {
    let options = (*pool.connect_options())
        .clone()
        .options([("plan_cache_mode", "force_generic_plan")]);
    pool.options()
        .clone()
        .max_connections(u32::try_from(MAX_IN_FLIGHT).unwrap_or(1))
        .min_connections(0)
        .connect_lazy_with(options)
}

fn stopped<W: BatchedWrite>() -> Error {
    Error::StoreUnavailable(format!(
        "the PostgreSQL {} queue has stopped; restart hallpass",
        W::KIND
    ))
}

async fn run<W: BatchedWrite>(pool: PgPool, mut queue: mpsc::Receiver<Job<W>>) {
    let slots = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
    let mut batch = Vec::with_capacity(MAX_BATCH);
    loop {
        let Ok(slot) = Arc::clone(&slots).acquire_owned().await else {
            return;
        };
        if queue.recv_many(&mut batch, MAX_BATCH).await == 0 {
            return;
        }
        let jobs = std::mem::take(&mut batch);
        let pool = pool.clone();
        tokio::spawn(async move {
            write(&pool, jobs).await;
            drop(slot);
        });
    }
}

/// Writes a batch together, or one by one when that fails; a second write of a session in the
/// batch goes after the rest has committed.
async fn write<W: BatchedWrite>(pool: &PgPool, jobs: Vec<Job<W>>) {
    let mut sessions = HashSet::new();
    let (together, after): (Vec<_>, Vec<_>) = jobs
        .into_iter()
        .partition(|(w, _)| w.session().is_none_or(|id| sessions.insert(id.to_owned())));
    if together.len() > 1 {
        let (writes, answers): (Vec<W>, Vec<_>) = together.into_iter().unzip();
        match W::write_many(pool, &writes).await {
            Ok(results) if results.len() == writes.len() => {
                for (answer, result) in answers.into_iter().zip(results) {
                    let _ = answer.send(Ok(result));
                }
            }
            _ => one_by_one(pool, writes.into_iter().zip(answers)).await,
        }
    } else {
        one_by_one(pool, together).await;
    }
    one_by_one(pool, after).await;
}

async fn one_by_one<W: BatchedWrite>(pool: &PgPool, jobs: impl IntoIterator<Item = Job<W>>) {
    for (write, answer) in jobs {
        let _ = answer.send(W::write_one(pool, &write).await);
    }
}
