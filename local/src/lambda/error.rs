//! The errors Lambda answers with (restJson1: the name in `X-Amzn-ErrorType`, the HTTP status
//! the Lambda API reference gives each).

crate::aws_errors! {
    /// An error of the Lambda API.
    pub enum LambdaApiError {
        /// No function, version or alias by that name (404).
        ResourceNotFound = "ResourceNotFoundException" => 404,
        /// The name is taken, or the function is not in a state that allows the call (409).
        ResourceConflict = "ResourceConflictException" => 409,
        /// A parameter is not valid (400).
        InvalidParameterValue = "InvalidParameterValueException" => 400,
        /// The request body is not what the operation takes (400).
        InvalidRequestContent = "InvalidRequestContentException" => 400,
        /// The function's concurrency is used up (429).
        TooManyRequests = "TooManyRequestsException" => 429,
        /// The payload is over the 6 MB synchronous limit (413).
        RequestEntityTooLarge = "RequestEntityTooLargeException" => 413,
        /// A `RevisionId` that is not the current one (412).
        PreconditionFailed = "PreconditionFailedException" => 412,
        /// The function cannot run: its runtime could not be prepared (502).
        ServiceException = "ServiceException" => 500,
        /// The code package is too large (400).
        CodeStorageExceeded = "CodeStorageExceededException" => 400,
    }
}
