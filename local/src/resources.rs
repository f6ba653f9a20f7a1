//! One resource table for every service: applications, delivery streams, streams, state
//! machines, executions, rules.
//!
//! A [`Table`] maps a key (a name, or an ARN for executions) to a [`Row`]: the persisted
//! [`Record`] and the row's in-memory `extra` state that is not persisted (a stream's records,
//! a compiled pattern, a cached response). It is written once here:
//!
//! - **load**: every record of the store's table, settled to the clock's now;
//! - **get / read**: the settled row, or the service's own not-found error;
//! - **mutate**: the change is made on a *copy* of the record, the copy is written to the store,
//!   and only then does it replace the record — so an answer is given only for what is stored,
//!   and a failed write changes nothing;
//! - **insert / remove**: persisted before the map changes;
//! - **ARNs**: [`ArnScheme`] formats a key's ARN and resolves a name-or-ARN argument.
//!
//! Locks: the map's read-write lock, then one row's mutex, never the other way round, and never
//! across an `.await`.

use std::fmt::Debug;
use std::sync::Arc;

use indexmap::IndexMap;
use kdaflow_asl::clock::SharedClock;
use parking_lot::{Mutex, RwLock};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::config::TwinConfig;
use crate::error::LocalError;
use crate::protocol::{AwsError, CommonError};
use crate::store::Store;

/// A persisted resource.
pub trait Record: Serialize + DeserializeOwned + Clone + Debug + Send + 'static {
    /// Applies every transition due at `now_ms` (lifecycles that are stored as "becomes X at
    /// T"); returns whether anything changed. Default: nothing changes by itself.
    fn settle(&mut self, _now_ms: i64) -> bool {
        false
    }

    /// Whether the record has settled out of existence (a finished delete): it is then absent
    /// to every caller and removed from the store.
    fn gone(&self) -> bool {
        false
    }
}

/// One resource: what is stored, what is not, and a counter of stored changes.
#[derive(Debug)]
pub struct Row<R, X> {
    /// The persisted record.
    pub record: R,
    /// In-memory state kept beside it (not persisted).
    pub extra: X,
    /// Bumped by every [`Table::mutate`]; caches keyed by it are never stale.
    pub generation: u64,
}

/// A shared row.
pub type Shared<R, X> = Arc<Mutex<Row<R, X>>>;

/// How a service names its resources in ARNs: `arn:aws:<service>:<region>:<account>:<resource><key>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArnScheme {
    /// The ARN's service (`kinesisanalytics`).
    pub service: &'static str,
    /// What precedes the name (`application/`, `stateMachine:`).
    pub resource: &'static str,
}

impl ArnScheme {
    /// The ARN of `name` in `config`'s region and account.
    pub fn arn(&self, config: &TwinConfig, name: &str) -> String {
        format!(
            "arn:aws:{}:{}:{}:{}{name}",
            self.service, config.region, config.account_id, self.resource
        )
    }

    /// The name a name-or-ARN argument designates: a plain name as is, an ARN of this kind in
    /// this region and account by its name, anything else `None`.
    pub fn name_of<'a>(&self, config: &TwinConfig, value: &'a str) -> Option<&'a str> {
        let Some(rest) = value.strip_prefix("arn:") else {
            return Some(value);
        };
        // <partition>:<service>:<region>:<account>:<resource><name>
        let mut parts = rest.splitn(5, ':');
        let _partition = parts.next()?;
        let (s, r, a, resource) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if s != self.service || r != config.region || a != config.account_id {
            return None;
        }
        resource
            .strip_prefix(self.resource)
            .filter(|n| !n.is_empty())
    }
}

/// What [`Table::insert`] does.
#[derive(Debug)]
pub enum Insert<R, X, T> {
    /// Store this record (with its extra state) and answer `T`.
    New(R, X, T),
    /// Keep what is there and answer `T` (an idempotent repeat).
    Keep(T),
}

/// The records of a table other than the one being inserted, for quota checks.
#[derive(Debug)]
pub struct Others<'a, R: Record, X> {
    rows: &'a IndexMap<String, Shared<R, X>>,
    key: &'a str,
    now: i64,
}

impl<R: Record, X> Others<'_, R, X> {
    /// The sum of `f` over the present records.
    pub fn sum(&self, f: impl Fn(&R) -> usize) -> usize {
        self.rows
            .iter()
            .filter(|(k, _)| k.as_str() != self.key)
            .map(|(_, r)| {
                let mut r = r.lock();
                r.record.settle(self.now);
                if r.record.gone() { 0 } else { f(&r.record) }
            })
            .sum()
    }

    /// How many records are present.
    pub fn count(&self) -> usize {
        self.sum(|_| 1)
    }
}

/// A service's table of resources of one kind.
pub struct Table<R: Record, X = ()> {
    name: &'static str,
    store: Arc<Store>,
    clock: SharedClock,
    missing: Box<dyn Fn(&str) -> AwsError + Send + Sync>,
    rows: RwLock<IndexMap<String, Shared<R, X>>>,
}

impl<R: Record, X> Debug for Table<R, X> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Table")
            .field("name", &self.name)
            .field("rows", &self.rows.read().len())
            .finish()
    }
}

/// The error a failed store write answers with: nothing changed.
pub fn unsaved(e: impl std::fmt::Display) -> AwsError {
    CommonError::ServiceUnavailable.with(format!("The change was not saved and has no effect: {e}"))
}

impl<R: Record, X> Table<R, X> {
    /// Loads table `name` of `store` (records that settle to gone are dropped from the store);
    /// `extra` builds each loaded row's in-memory state; `missing` is the service's not-found
    /// error for a key.
    pub fn load(
        name: &'static str,
        store: Arc<Store>,
        clock: SharedClock,
        missing: impl Fn(&str) -> AwsError + Send + Sync + 'static,
        extra: impl Fn(&R) -> X,
    ) -> Result<Self, LocalError> {
        let now = clock.now().timestamp_millis();
        let mut rows = IndexMap::new();
        for (key, mut record) in store.load_all::<R>(name)? {
            record.settle(now);
            if record.gone() {
                store.delete(name, &key)?;
                continue;
            }
            let extra = extra(&record);
            rows.insert(
                key,
                Arc::new(Mutex::new(Row {
                    record,
                    extra,
                    generation: 0,
                })),
            );
        }
        Ok(Self {
            name,
            store,
            clock,
            missing: Box::new(missing),
            rows: RwLock::new(rows),
        })
    }

    fn now_ms(&self) -> i64 {
        self.clock.now().timestamp_millis()
    }

    /// The not-found error for `key`.
    pub fn missing(&self, key: &str) -> AwsError {
        (self.missing)(key)
    }

    /// The row of `key`, not settled (for callers that lock it themselves).
    pub fn get(&self, key: &str) -> Result<Shared<R, X>, AwsError> {
        self.rows
            .read()
            .get(key)
            .cloned()
            .ok_or_else(|| self.missing(key))
    }

    /// The row a name-or-ARN argument designates (by `scheme`, in `config`'s region and
    /// account), with its name; an ARN of another kind, region or account is not found.
    pub fn resolve(
        &self,
        scheme: &ArnScheme,
        config: &TwinConfig,
        name_or_arn: &str,
    ) -> Result<(String, Shared<R, X>), AwsError> {
        let name = scheme
            .name_of(config, name_or_arn)
            .ok_or_else(|| self.missing(name_or_arn))?;
        Ok((name.to_string(), self.get(name)?))
    }

    /// Whether `key` is present (and not gone).
    pub fn contains(&self, key: &str) -> bool {
        self.read(key, |_| ()).is_ok()
    }

    /// Drops a row that settled to gone (map lock first, then the row's).
    fn prune(&self, key: &str) {
        let mut rows = self.rows.write();
        let now = self.now_ms();
        let gone = rows.get(key).is_some_and(|r| {
            let mut r = r.lock();
            r.record.settle(now);
            r.record.gone()
        });
        if gone {
            rows.shift_remove(key);
            if let Err(e) = self.store.delete(self.name, key) {
                tracing::warn!(table = self.name, key, error = %e, "could not delete a gone record from the store");
            }
        }
    }

    /// Runs `f` on the settled row of `key`.
    pub fn read<T>(&self, key: &str, f: impl FnOnce(&mut Row<R, X>) -> T) -> Result<T, AwsError> {
        let shared = self.get(key)?;
        let mut row = shared.lock();
        row.record.settle(self.now_ms());
        if row.record.gone() {
            drop(row);
            self.prune(key);
            return Err(self.missing(key));
        }
        Ok(f(&mut row))
    }

    /// Runs `f` on a copy of the settled record of `key` (and the row's extra state); when `f`
    /// succeeds, the copy is stored durably and then replaces the record. `f` gets the clock's
    /// now in epoch milliseconds. Changes `f` makes to the extra state stay even if the store
    /// write fails; use [`Table::mutate_with`] for extra state derived from the record.
    pub fn mutate<T>(
        &self,
        key: &str,
        f: impl FnOnce(&mut R, &mut X, i64) -> Result<T, AwsError>,
    ) -> Result<T, AwsError> {
        self.change(key, |record, extra, now| Ok((f(record, extra, now)?, None)))
    }

    /// Like [`Table::mutate`], for extra state that follows the record (a compiled definition):
    /// `f` returns the answer and, optionally, the row's new extra state, which replaces the
    /// old one together with the record, only once the record is stored.
    pub fn mutate_with<T>(
        &self,
        key: &str,
        f: impl FnOnce(&mut R, &X, i64) -> Result<(T, Option<X>), AwsError>,
    ) -> Result<T, AwsError> {
        self.change(key, |record, extra, now| f(record, extra, now))
    }

    fn change<T>(
        &self,
        key: &str,
        f: impl FnOnce(&mut R, &mut X, i64) -> Result<(T, Option<X>), AwsError>,
    ) -> Result<T, AwsError> {
        let shared = self.get(key)?;
        let mut row = shared.lock();
        let now = self.now_ms();
        row.record.settle(now);
        if row.record.gone() {
            drop(row);
            self.prune(key);
            return Err(self.missing(key));
        }
        let mut copy = row.record.clone();
        let (out, extra) = f(&mut copy, &mut row.extra, now)?;
        self.store.put(self.name, key, &copy).map_err(unsaved)?;
        row.record = copy;
        if let Some(x) = extra {
            row.extra = x;
        }
        row.generation += 1;
        Ok(out)
    }

    /// Adds a record under `key`. `make` sees the record already there (settled; `None` if
    /// absent or gone) and the other records present (for quotas), and decides: a new record
    /// with its extra state ([`Insert::New`]), the existing one kept ([`Insert::Keep`]: an
    /// idempotent repeat), or an error (a conflict, a quota). A new record is stored before the
    /// map changes.
    pub fn insert<T>(
        &self,
        key: &str,
        make: impl FnOnce(Option<&R>, &Others<'_, R, X>) -> Result<Insert<R, X, T>, AwsError>,
    ) -> Result<T, AwsError> {
        let mut rows = self.rows.write();
        let now = self.now_ms();
        let existing = rows.get(key).cloned();
        let guard = existing.as_ref().map(|r| {
            let mut r = r.lock();
            r.record.settle(now);
            r
        });
        let current = guard
            .as_ref()
            .filter(|r| !r.record.gone())
            .map(|r| &r.record);
        let others = Others {
            rows: &rows,
            key,
            now,
        };
        let (record, extra, out) = match make(current, &others)? {
            Insert::Keep(out) => return Ok(out),
            Insert::New(record, extra, out) => (record, extra, out),
        };
        drop(guard);
        self.store.put(self.name, key, &record).map_err(unsaved)?;
        rows.insert(
            key.to_string(),
            Arc::new(Mutex::new(Row {
                record,
                extra,
                generation: 0,
            })),
        );
        Ok(out)
    }

    /// Removes `key` if `check` allows it (it sees the settled record); returns the removed
    /// record, `None` if there was none. The store forgets it before the map does.
    pub fn remove(
        &self,
        key: &str,
        check: impl FnOnce(&R) -> Result<(), AwsError>,
    ) -> Result<Option<R>, AwsError> {
        let mut rows = self.rows.write();
        let Some(shared) = rows.get(key).cloned() else {
            return Ok(None);
        };
        let row = shared.lock();
        check(&row.record)?;
        self.store.delete(self.name, key).map_err(unsaved)?;
        let record = row.record.clone();
        drop(row);
        rows.shift_remove(key);
        Ok(Some(record))
    }

    /// Runs `f` on every present row, in insertion order, under the table's read lock (the
    /// hot path of routing: nothing is copied).
    pub fn scan(&self, mut f: impl FnMut(&str, &mut Row<R, X>)) {
        let now = self.now_ms();
        for (key, row) in self.rows.read().iter() {
            let mut row = row.lock();
            row.record.settle(now);
            if !row.record.gone() {
                f(key, &mut row);
            }
        }
    }

    /// Every key, in insertion order.
    pub fn keys(&self) -> Vec<String> {
        self.rows.read().keys().cloned().collect()
    }

    /// Every present row, in insertion order (each settled; gone ones left out).
    pub fn rows(&self) -> Vec<(String, Shared<R, X>)> {
        let now = self.now_ms();
        self.rows
            .read()
            .iter()
            .filter(|(_, r)| {
                let mut r = r.lock();
                r.record.settle(now);
                !r.record.gone()
            })
            .map(|(k, r)| (k.clone(), r.clone()))
            .collect()
    }

    /// A copy of every present record, in insertion order.
    pub fn records(&self) -> Vec<R> {
        self.rows()
            .into_iter()
            .map(|(_, r)| r.lock().record.clone())
            .collect()
    }

    /// How many rows the table holds (gone ones not yet pruned included).
    pub fn len(&self) -> usize {
        self.rows.read().len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kdaflow_asl::clock::{Clock, VirtualClock};
    use serde::Deserialize;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Thing {
        value: u32,
        /// Gone from this time on.
        gone_at: Option<i64>,
        #[serde(skip)]
        settled_gone: bool,
    }

    impl Record for Thing {
        fn settle(&mut self, now_ms: i64) -> bool {
            let gone = self.gone_at.is_some_and(|t| t <= now_ms);
            let changed = gone != self.settled_gone;
            self.settled_gone = gone;
            changed
        }
        fn gone(&self) -> bool {
            self.settled_gone
        }
    }

    fn missing(key: &str) -> AwsError {
        AwsError::client("ResourceNotFoundException", format!("{key} not found"))
    }

    fn thing(value: u32) -> Thing {
        Thing {
            value,
            gone_at: None,
            settled_gone: false,
        }
    }

    #[test]
    fn mutations_are_stored_before_they_are_seen() {
        let dir = tempfile::tempdir().unwrap();
        let clock: SharedClock = Arc::new(VirtualClock::at_epoch_seconds(1_700_000_000));
        let store = Arc::new(Store::open(dir.path()).unwrap());
        let t: Table<Thing> =
            Table::load("things", store.clone(), clock.clone(), missing, |_| ()).unwrap();
        t.insert("a", |old, others| {
            assert!(old.is_none());
            assert_eq!(others.count(), 0);
            Ok(Insert::New(thing(1), (), ()))
        })
        .unwrap();
        t.mutate("a", |r, _, _| {
            r.value = 2;
            Ok(())
        })
        .unwrap();
        // A failed change leaves the record as it was.
        let err = t
            .mutate("a", |r, _, _| {
                r.value = 3;
                Err::<(), _>(missing("x"))
            })
            .unwrap_err();
        assert_eq!(err.code, "ResourceNotFoundException");
        assert_eq!(t.read("a", |r| r.record.value).unwrap(), 2);
        assert_eq!(t.read("a", |r| r.generation).unwrap(), 1);
        assert_eq!(t.read("b", |_| ()).unwrap_err().message, "b not found");
        drop(t);
        let again: Table<Thing> = Table::load("things", store, clock, missing, |_| ()).unwrap();
        assert_eq!(again.records(), vec![thing(2)]);
    }

    #[test]
    fn records_that_settle_to_gone_disappear() {
        let clock = Arc::new(VirtualClock::at_epoch_seconds(1_700_000_000));
        let now = clock.now().timestamp_millis();
        let t: Table<Thing> = Table::load(
            "things",
            Arc::new(Store::memory()),
            clock.clone(),
            missing,
            |_| (),
        )
        .unwrap();
        t.insert("a", |_, _| {
            Ok(Insert::New(
                Thing {
                    gone_at: Some(now + 1000),
                    ..thing(1)
                },
                (),
                (),
            ))
        })
        .unwrap();
        assert!(t.contains("a"));
        clock.advance(chrono::Duration::seconds(1));
        assert!(!t.contains("a"));
        assert!(t.is_empty(), "the gone row is pruned");
        let removed = t.remove("a", |_| Ok(())).unwrap();
        assert!(removed.is_none());
    }

    #[test]
    fn arns_resolve_only_in_this_region_and_account() {
        let config = TwinConfig::default();
        let scheme = ArnScheme {
            service: "kinesis",
            resource: "stream/",
        };
        let arn = scheme.arn(&config, "s1");
        assert_eq!(arn, "arn:aws:kinesis:us-east-1:000000000000:stream/s1");
        assert_eq!(scheme.name_of(&config, &arn), Some("s1"));
        assert_eq!(scheme.name_of(&config, "s1"), Some("s1"));
        assert_eq!(
            scheme.name_of(&config, "arn:aws:kinesis:eu-west-1:000000000000:stream/s1"),
            None
        );
        assert_eq!(
            scheme.name_of(
                &config,
                "arn:aws:firehose:us-east-1:000000000000:deliverystream/s1"
            ),
            None
        );
    }
}
