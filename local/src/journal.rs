//! Group commit: the appends of many callers made durable by one redb transaction.
//!
//! Kinesis PutRecord(s) and Firehose PutRecord(Batch) answer only once their records are on
//! disk. A redb commit is one fsync (a few milliseconds), so one commit per call would cap a
//! stream at a few hundred calls a second. The journal runs one writer thread: callers hand it
//! a job, and it takes every job waiting, runs each job's `prepare` in one write transaction,
//! commits once, and only then runs each job's `publish` (which makes its records visible to
//! readers) and answers the callers, in the order the jobs arrived. While one group commits
//! the next one gathers, so the more callers there are, the more each fsync carries.
//!
//! A job's `prepare` decides what it writes (a Kinesis job assigns its sequence numbers there,
//! so numbers follow commit order) and must not change what readers see; its `publish` gets
//! whether the group committed and either shows the records or undoes the reservation. When
//! the transaction cannot be made durable, every job of the group fails (the services answer
//! with their unavailability error) and nothing of it is visible, before or after a restart.
//!
//! Locks: `prepare` and `publish` run on the writer thread and may lock only a service's
//! record state (never a [`crate::resources::Table`] row), and nobody holds record state while
//! waiting on the store, so the writer cannot deadlock with a metadata write.
//!
//! Without a database (no `--state-dir`) there is nothing to wait for: `prepare` and
//! `publish` run at once on the caller's thread, the same code path minus the disk.

use std::any::Any;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;

use redb::{Database, WriteTransaction};
use tokio::sync::oneshot;

use crate::error::LocalError;

/// The key prefix of a stream's records: its name and creation time, so that a stream
/// deleted and created again under the same name never sees the records of the first.
pub fn incarnation(name: &str, create_ms: i64) -> String {
    format!("{name}@{create_ms}")
}

/// Makes a prepared job's records visible (`true`: the group committed) or undoes what its
/// `prepare` reserved (`false`).
pub type Publish = Box<dyn FnOnce(bool) + Send>;

type Output = Box<dyn Any + Send>;
type Prepare = Box<dyn FnOnce(Option<&WriteTransaction>) -> PrepareResult + Send>;
type PrepareResult = Result<(Output, Publish), LocalError>;

/// The most jobs one transaction carries (bounds the latency of the first of them).
pub const MAX_GROUP: usize = 256;

struct Job {
    prepare: Prepare,
    reply: oneshot::Sender<Result<Output, String>>,
}

/// Counters of the writer, for benchmarks.
#[derive(Debug, Default)]
pub struct JournalStats {
    /// Transactions committed.
    pub commits: AtomicU64,
    /// Jobs they carried.
    pub jobs: AtomicU64,
}

/// The group-commit writer of a [`crate::store::Store`].
pub struct Journal {
    /// Without a database, appends run one at a time under this lock, as the writer would
    /// run them (a `prepare` and its `publish` are never interleaved with another's).
    inline: parking_lot::Mutex<()>,
    sender: Option<mpsc::Sender<Job>>,
    writer: Option<std::thread::JoinHandle<()>>,
    stats: Arc<JournalStats>,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal")
            .field("durable", &self.is_durable())
            .finish()
    }
}

impl Journal {
    /// A journal with no disk behind it.
    pub(crate) fn memory() -> Self {
        Self {
            inline: parking_lot::Mutex::new(()),
            sender: None,
            writer: None,
            stats: Arc::default(),
        }
    }

    /// A journal writing to `db` from its own thread.
    pub(crate) fn start(db: Arc<Database>) -> Result<Self, LocalError> {
        let (sender, receiver) = mpsc::channel::<Job>();
        let stats = Arc::new(JournalStats::default());
        let counters = stats.clone();
        let writer = std::thread::Builder::new()
            .name("kdaflow-journal".into())
            .spawn(move || write_groups(&db, &receiver, &counters))
            .map_err(|e| LocalError::Database(format!("cannot start the journal writer: {e}")))?;
        Ok(Self {
            inline: parking_lot::Mutex::new(()),
            sender: Some(sender),
            writer: Some(writer),
            stats,
        })
    }

    /// Whether appends wait for the disk.
    pub fn is_durable(&self) -> bool {
        self.sender.is_some()
    }

    /// The writer's counters.
    pub fn stats(&self) -> &JournalStats {
        &self.stats
    }

    /// Runs `prepare` in the next group's transaction (at once, with `None`, without a
    /// database) and answers its output once the group is durable; see the module docs.
    pub async fn append<T: Send + 'static>(
        &self,
        prepare: impl FnOnce(Option<&WriteTransaction>) -> Result<(T, Publish), LocalError>
        + Send
        + 'static,
    ) -> Result<T, LocalError> {
        let Some(sender) = &self.sender else {
            let _one_at_a_time = self.inline.lock();
            let (out, publish) = prepare(None)?;
            publish(true);
            return Ok(out);
        };
        let (reply, answer) = oneshot::channel();
        let job = Job {
            prepare: Box::new(move |tx| {
                prepare(tx).map(|(out, publish)| (Box::new(out) as Output, publish))
            }),
            reply,
        };
        let gone = || LocalError::Database("the journal writer has stopped".into());
        sender.send(job).map_err(|_| gone())?;
        let out = answer
            .await
            .map_err(|_| gone())?
            .map_err(LocalError::Database)?;
        out.downcast::<T>()
            .map(|b| *b)
            .map_err(|_| LocalError::Database("the journal answered the wrong type".into()))
    }

    /// Like [`Journal::append`] for a write nobody waits for (removing a deleted stream's
    /// records): it is ordered after every append already handed in.
    pub fn submit(
        &self,
        write: impl FnOnce(&WriteTransaction) -> Result<(), LocalError> + Send + 'static,
    ) {
        let Some(sender) = &self.sender else { return };
        let (reply, _) = oneshot::channel();
        let job = Job {
            prepare: Box::new(move |tx| {
                if let Some(tx) = tx {
                    write(tx)?;
                }
                Ok((Box::new(()) as Output, Box::new(|_| {}) as Publish))
            }),
            reply,
        };
        let _ = sender.send(job);
    }
}

impl Drop for Journal {
    fn drop(&mut self) {
        // Closing the channel lets the writer finish what it holds and release the database.
        self.sender.take();
        if let Some(w) = self.writer.take() {
            let _ = w.join();
        }
    }
}

fn write_groups(db: &Database, receiver: &mpsc::Receiver<Job>, stats: &JournalStats) {
    while let Ok(first) = receiver.recv() {
        let mut jobs = vec![first];
        while jobs.len() < MAX_GROUP {
            match receiver.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        let tx = match db.begin_write() {
            Ok(tx) => tx,
            Err(e) => {
                let why = format!("cannot begin a write: {e}");
                for j in jobs {
                    let _ = j.reply.send(Err(why.clone()));
                }
                continue;
            }
        };
        let mut prepared = Vec::with_capacity(jobs.len());
        let mut failure: Option<String> = None;
        for job in jobs {
            if let Some(why) = &failure {
                let _ = job.reply.send(Err(why.clone()));
                continue;
            }
            match (job.prepare)(Some(&tx)) {
                Ok((out, publish)) => prepared.push((out, publish, job.reply)),
                Err(e) => {
                    let why = e.to_string();
                    let _ = job.reply.send(Err(why.clone()));
                    failure = Some(why);
                }
            }
        }
        let outcome = match failure {
            Some(why) => {
                let _ = tx.abort();
                Err(why)
            }
            None => tx.commit().map_err(|e| format!("cannot commit: {e}")),
        };
        if outcome.is_ok() {
            stats.commits.fetch_add(1, Ordering::Relaxed);
            stats
                .jobs
                .fetch_add(prepared.len() as u64, Ordering::Relaxed);
        }
        for (out, publish, reply) in prepared {
            publish(outcome.is_ok());
            let _ = reply.send(outcome.clone().map(|()| out));
        }
    }
}
