//! End-to-end tests of the twin's services through the real AWS SDK clients, over HTTP on an
//! ephemeral loopback port, on virtual time.

mod support;

mod concurrency;
mod corpus;
mod dataplane;
mod discover;
mod errors;
mod event_patterns;
mod events;
mod faults;
mod firehose;
mod flink_api;
mod kinesis;
mod lambda;
mod lifecycle;
mod notebook;
mod operations;
mod persistence;
mod protocol;
mod s3;
mod states;
mod tables;
mod timestamps;
