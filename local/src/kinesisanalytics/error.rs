//! The errors Kinesis Analytics answers with, as its API reference lists them per operation.

crate::aws_errors! {
    /// An error of the Kinesis Analytics v1 API.
    pub enum KinesisAnalyticsError {
        /// No application (or component of one) by that name or id.
        ResourceNotFound = "ResourceNotFoundException",
        /// The application's status does not allow the operation, or the name is taken.
        ResourceInUse = "ResourceInUseException",
        /// A value is valid in shape but not in meaning (a wrong CreateTimestamp, an unknown id).
        InvalidArgument = "InvalidArgumentException",
        /// The application cannot start as configured (no input, missing resources).
        InvalidApplicationConfiguration = "InvalidApplicationConfigurationException",
        /// The application code does not validate.
        CodeValidation = "CodeValidationException",
        /// A stale `CurrentApplicationVersionId`.
        ConcurrentModification = "ConcurrentModificationException",
        /// Too many applications, inputs, outputs or reference sources.
        LimitExceeded = "LimitExceededException",
        /// More than 50 tags.
        TooManyTags = "TooManyTagsException",
        /// DiscoverInputSchema found nothing to infer from.
        UnableToDetectSchema = "UnableToDetectSchemaException",
        /// The request needs something the service (here: the twin) does not offer.
        UnsupportedOperation = "UnsupportedOperationException",
    }
}
