//! The errors Managed Service for Apache Flink answers with, as its API reference lists them per
//! operation.

crate::aws_errors! {
    /// An error of the kinesisanalyticsv2 API.
    pub enum FlinkError {
        /// No application, snapshot, operation or version by that name or id.
        ResourceNotFound = "ResourceNotFoundException",
        /// The application's status does not allow the operation, or the name is taken.
        ResourceInUse = "ResourceInUseException",
        /// A value is valid in shape but not in meaning (a wrong CreateTimestamp, an unknown id).
        InvalidArgument = "InvalidArgumentException",
        /// The request is not valid for this application (JSON that fits no operation, a
        /// member of another runtime).
        InvalidRequest = "InvalidRequestException",
        /// The application cannot do this as configured (snapshots disabled, no code).
        InvalidApplicationConfiguration = "InvalidApplicationConfigurationException",
        /// The application code cannot be used (missing object, not a zip, wrong content type).
        CodeValidation = "CodeValidationException",
        /// A stale `CurrentApplicationVersionId` or `ConditionalToken`.
        ConcurrentModification = "ConcurrentModificationException",
        /// Too many applications or snapshots.
        LimitExceeded = "LimitExceededException",
        /// More than 50 tags.
        TooManyTags = "TooManyTagsException",
        /// The request needs something the service (here: the twin) does not offer.
        UnsupportedOperation = "UnsupportedOperationException",
    }
}
