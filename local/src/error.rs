//! Errors of the twin itself (starting, persistence). Errors returned to API callers are
//! [`crate::protocol::AwsError`]s.

use std::path::PathBuf;

/// What can go wrong while setting up or running the twin.
#[derive(Debug, thiserror::Error)]
pub enum LocalError {
    /// The state directory could not be created or opened.
    #[error("cannot use state directory {path}: {source}")]
    StateDir {
        /// The directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The embedded database failed.
    #[error(
        "state database error: {0}. If the file is damaged, move the state directory aside and start again"
    )]
    Database(String),
    /// A stored record could not be read back.
    #[error("stored record {key} in {table} is unreadable: {source}")]
    Corrupt {
        /// The table.
        table: String,
        /// The key.
        key: String,
        /// The JSON error.
        source: serde_json::Error,
    },
    /// Binding or serving the socket failed.
    #[error(
        "cannot listen on {addr}: {source}. Pick another port with --port (0 picks a free one)"
    )]
    Bind {
        /// The address.
        addr: String,
        /// Why.
        source: std::io::Error,
    },
}

macro_rules! db_error {
    ($($ty:ty),*) => {$(
        impl From<$ty> for LocalError {
            fn from(e: $ty) -> Self {
                LocalError::Database(e.to_string())
            }
        }
    )*};
}
db_error!(
    redb::Error,
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError
);
