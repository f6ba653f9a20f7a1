//! The errors Kinesis Data Streams answers with, as its API reference lists them per operation.

crate::aws_errors! {
    /// An error of the Kinesis Data Streams API.
    pub enum KinesisError {
        /// No stream (or shard) by that name or id.
        ResourceNotFound = "ResourceNotFoundException",
        /// The name is taken.
        ResourceInUse = "ResourceInUseException",
        /// A value is valid in shape but not in meaning.
        InvalidArgument = "InvalidArgumentException",
        /// The account's shard quota would be exceeded.
        LimitExceeded = "LimitExceededException",
        /// A shard iterator older than five minutes.
        ExpiredIterator = "ExpiredIteratorException",
        /// A hot shard (per-record failures in PutRecords use the name too).
        ProvisionedThroughputExceeded = "ProvisionedThroughputExceededException",
        /// The service could not make the request's records durable (500).
        InternalFailure = "InternalFailureException",
    }
}
