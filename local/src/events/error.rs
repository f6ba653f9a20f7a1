//! The errors EventBridge answers with, as its API reference lists them per operation.

crate::aws_errors! {
    /// An error of the EventBridge API.
    pub enum EventBridgeError {
        /// No rule (or event bus) by that name.
        ResourceNotFound = "ResourceNotFoundException",
        /// The pattern does not compile (event-ruler's reason in the message).
        InvalidEventPattern = "InvalidEventPatternException",
        /// Too many targets on a rule.
        LimitExceeded = "LimitExceededException",
    }
}
