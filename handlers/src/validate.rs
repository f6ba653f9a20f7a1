//! ValidatePrerequisites: parse the execution input, check the seven ARNs, render the spec.

use kdaflow_workflow::input::{BootstrapRequest, TaskFailure, normalise};

/// Validates the raw execution input; every problem is reported at once.
pub async fn validate_prerequisites(
    event: serde_json::Value,
) -> Result<BootstrapRequest, TaskFailure> {
    normalise(&event)
}
