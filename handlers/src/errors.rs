//! SDK errors to contract error names.

use aws_sdk_kinesisanalytics::error::{ProvideErrorMetadata, SdkError};
use kdaflow_workflow::contract::errors;
use kdaflow_workflow::input::TaskFailure;

/// The AWS error name of a failed call, if the service answered.
pub fn code<E: ProvideErrorMetadata, R>(e: &SdkError<E, R>) -> Option<String> {
    match e {
        SdkError::ServiceError(s) => s.err().code().map(str::to_string),
        _ => None,
    }
}

/// Maps a failed Kinesis Analytics call to a task failure: throttling and unavailability are
/// retryable, anything else is reported with the AWS error name and message.
pub fn classify<E, R>(operation: &str, application: &str, e: SdkError<E, R>) -> TaskFailure
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug,
{
    match &e {
        SdkError::ServiceError(s) => {
            let err = s.err();
            let name = err.code().unwrap_or("UnknownError");
            let message = err.message().unwrap_or_default();
            match name {
                "ThrottlingException" | "TooManyRequestsException" | "RequestLimitExceeded" => {
                    TaskFailure::new(
                        errors::THROTTLED,
                        format!(
                            "{operation} of {application} was throttled ({name}: {message}); retrying with backoff"
                        ),
                    )
                }
                "ServiceUnavailableException"
                | "ServiceUnavailable"
                | "InternalFailure"
                | "InternalServerError" => TaskFailure::new(
                    errors::SERVICE_UNAVAILABLE,
                    format!(
                        "{operation} of {application}: Kinesis Analytics is unavailable ({name}: {message}); retrying with backoff"
                    ),
                ),
                "ConcurrentModificationException" => TaskFailure::new(
                    errors::APPLICATION_BUSY,
                    format!(
                        "{operation} of {application}: the application changed concurrently ({message}); retrying"
                    ),
                ),
                _ => TaskFailure::new(
                    errors::SERVICE_ERROR,
                    format!(
                        "{operation} of {application} failed with KinesisAnalytics.{name}: {message}"
                    ),
                ),
            }
        }
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) | SdkError::ResponseError(_) => {
            TaskFailure::new(
                errors::SERVICE_UNAVAILABLE,
                format!(
                    "{operation} of {application}: Kinesis Analytics could not be reached ({}); retrying with backoff",
                    describe(&e)
                ),
            )
        }
        _ => TaskFailure::new(
            errors::SERVICE_ERROR,
            format!(
                "{operation} of {application} could not be sent: {}",
                describe(&e)
            ),
        ),
    }
}

fn describe<E: std::error::Error + 'static, R: std::fmt::Debug>(e: &SdkError<E, R>) -> String {
    use std::error::Error;
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
