//! The errors Step Functions answers with, as its API reference lists them per operation.

crate::aws_errors! {
    /// An error of the Step Functions API.
    pub enum StatesError {
        /// A state machine or execution name that breaks the naming rules.
        InvalidName = "InvalidName",
        /// An ARN of the wrong shape or kind.
        InvalidArn = "InvalidArn",
        /// A definition that does not validate (every problem listed).
        InvalidDefinition = "InvalidDefinition",
        /// No state machine by that ARN.
        StateMachineDoesNotExist = "StateMachineDoesNotExist",
        /// The name is taken by a different state machine.
        StateMachineAlreadyExists = "StateMachineAlreadyExists",
        /// No execution by that ARN.
        ExecutionDoesNotExist = "ExecutionDoesNotExist",
        /// The name was used by another execution of the machine.
        ExecutionAlreadyExists = "ExecutionAlreadyExists",
        /// The input is not JSON or is too large.
        InvalidExecutionInput = "InvalidExecutionInput",
        /// The operation does not apply to the machine's type (STANDARD or EXPRESS).
        StateMachineTypeNotSupported = "StateMachineTypeNotSupported",
        /// A pagination token from another listing, or a made-up one.
        InvalidToken = "InvalidToken",
        /// UpdateStateMachine with nothing to update.
        MissingRequiredParameter = "MissingRequiredParameter",
        /// No Map Run by that ARN.
        ResourceNotFound = "ResourceNotFound",
        /// A value the model allows but the operation does not (Step Functions models it).
        Validation = "ValidationException",
    }
}
