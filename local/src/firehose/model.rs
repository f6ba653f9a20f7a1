//! Request shapes of the Firehose operations the twin implements (model member names).
//! Required members are `Option`s so a missing one is a `ValidationException`, as the service
//! reports it. Responses are built as JSON in the operation files.

use serde::Deserialize;

/// `{Key, Value}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct Tag {
    pub key: Option<String>,
    pub value: Option<String>,
}

/// CreateDeliveryStream.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct CreateRequest {
    pub delivery_stream_name: Option<String>,
    pub delivery_stream_type: Option<String>,
    pub kinesis_stream_source_configuration: Option<serde_json::Value>,
    pub tags: Option<Vec<Tag>>,
    /// Every other member, among them the `*DestinationConfiguration`s.
    #[serde(flatten)]
    pub rest: serde_json::Map<String, serde_json::Value>,
}

/// DescribeDeliveryStream.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct DescribeRequest {
    pub delivery_stream_name: Option<String>,
    pub limit: Option<i64>,
    pub exclusive_start_destination_id: Option<String>,
}

/// ListDeliveryStreams.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct ListRequest {
    pub limit: Option<i64>,
    pub delivery_stream_type: Option<String>,
    pub exclusive_start_delivery_stream_name: Option<String>,
}

/// DeleteDeliveryStream.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct DeleteRequest {
    pub delivery_stream_name: Option<String>,
    pub allow_force_delete: Option<bool>,
}

/// `Record`: a base64 blob.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct Record {
    pub data: Option<String>,
}

/// PutRecord.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct PutRecordRequest {
    pub delivery_stream_name: Option<String>,
    pub record: Option<Record>,
}

/// PutRecordBatch.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct PutRecordBatchRequest {
    pub delivery_stream_name: Option<String>,
    pub records: Option<Vec<Record>>,
}
