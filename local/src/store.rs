//! Persistence: an embedded database under `--state-dir`, or nothing (memory only).
//!
//! The database is [redb](https://docs.rs/redb): pure Rust (no C toolchain on a fresh machine),
//! ACID, and every write transaction is durable when `commit` returns (fsync), so a record the
//! twin acknowledged survives a killed process and a half-written one never becomes visible.
//! Records are JSON documents keyed by name, one table per kind of resource; services write the
//! new version of a record *before* they change their in-memory state and answer the caller.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::LocalError;
use crate::journal::Journal;

/// The file inside the state directory.
pub const DATABASE_FILE: &str = "kdaflow.redb";

/// Where records live.
#[derive(Debug)]
pub struct Store {
    db: Option<Arc<Database>>,
    path: Option<PathBuf>,
    journal: Journal,
}

impl Store {
    /// A store that keeps nothing: every write succeeds and nothing is loaded.
    pub fn memory() -> Self {
        Self {
            db: None,
            path: None,
            journal: Journal::memory(),
        }
    }

    /// Opens (or creates) the database in `dir`, creating the directory if needed.
    pub fn open(dir: &Path) -> Result<Self, LocalError> {
        std::fs::create_dir_all(dir).map_err(|source| LocalError::StateDir {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = dir.join(DATABASE_FILE);
        let db = Arc::new(Database::create(&path)?);
        let journal = Journal::start(db.clone())?;
        Ok(Self {
            db: Some(db),
            path: Some(path),
            journal,
        })
    }

    /// The group-commit writer for records (Kinesis and Firehose appends).
    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    /// A read transaction over the database, `None` without one.
    pub fn begin_read(&self) -> Result<Option<redb::ReadTransaction>, LocalError> {
        match &self.db {
            Some(db) => Ok(Some(db.begin_read()?)),
            None => Ok(None),
        }
    }

    /// The database file, when there is one.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Writes one record durably.
    pub fn put<T: Serialize>(&self, table: &str, key: &str, value: &T) -> Result<(), LocalError> {
        let Some(db) = &self.db else { return Ok(()) };
        let bytes = serde_json::to_vec(value).map_err(|e| LocalError::Database(e.to_string()))?;
        let tx = db.begin_write()?;
        {
            let mut t = tx.open_table(TableDefinition::<&str, &[u8]>::new(table))?;
            t.insert(key, bytes.as_slice())?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Removes one record durably (absent records are fine).
    pub fn delete(&self, table: &str, key: &str) -> Result<(), LocalError> {
        let Some(db) = &self.db else { return Ok(()) };
        let tx = db.begin_write()?;
        {
            let mut t = tx.open_table(TableDefinition::<&str, &[u8]>::new(table))?;
            t.remove(key)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Every record of a table, in key order.
    pub fn load_all<T: DeserializeOwned>(
        &self,
        table: &str,
    ) -> Result<Vec<(String, T)>, LocalError> {
        let Some(db) = &self.db else {
            return Ok(Vec::new());
        };
        let tx = db.begin_read()?;
        let Some(t) = open_table(&tx, TableDefinition::<&str, &[u8]>::new(table))? else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for entry in t.iter()? {
            let (k, v) = entry?;
            let key = k.value().to_string();
            let value =
                serde_json::from_slice(v.value()).map_err(|source| LocalError::Corrupt {
                    table: table.to_string(),
                    key: key.clone(),
                    source,
                })?;
            out.push((key, value));
        }
        Ok(out)
    }
}

/// A table of a read transaction, `None` when nothing was ever written to it.
pub fn open_table<K: redb::Key + 'static, V: redb::Value + 'static>(
    read: &redb::ReadTransaction,
    def: TableDefinition<K, V>,
) -> Result<Option<redb::ReadOnlyTable<K, V>>, LocalError> {
    match read.open_table(def) {
        Ok(t) => Ok(Some(t)),
        Err(redb::TableError::TableDoesNotExist(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_survive_reopen() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            store.put("t", "a", &1u32).unwrap();
            store.put("t", "b", &2u32).unwrap();
            store.delete("t", "a").unwrap();
        }
        let store = Store::open(dir.path()).unwrap();
        let all: Vec<(String, u32)> = store.load_all("t").unwrap();
        assert_eq!(all, vec![("b".to_string(), 2)]);
        let none: Vec<(String, u32)> = store.load_all("missing").unwrap();
        assert!(none.is_empty());
    }

    #[test]
    fn memory_store_keeps_nothing() {
        let store = Store::memory();
        store.put("t", "a", &1u32).unwrap();
        let all: Vec<(String, u32)> = store.load_all("t").unwrap();
        assert!(all.is_empty());
    }
}
