//! The errors Data Firehose answers with, as its API reference lists them per operation.

crate::aws_errors! {
    /// An error of the Firehose API.
    pub enum FirehoseError {
        /// No delivery stream by that name.
        ResourceNotFound = "ResourceNotFoundException",
        /// The name is taken.
        ResourceInUse = "ResourceInUseException",
        /// A value is valid in shape but not in meaning.
        InvalidArgument = "InvalidArgumentException",
        /// The account's delivery stream quota is used up.
        LimitExceeded = "LimitExceededException",
        /// The stream is throttled (per-record failures in PutRecordBatch use the name too).
        ServiceUnavailable = "ServiceUnavailableException",
    }
}
