//! Integration tests of kdaflow-sql: the reference application end to end, validation
//! errors, error_stream, and the wider dialect.

mod bench;
mod common;
mod corpus;
mod dialect;
mod errors;
mod join;
mod reference;
mod reference_app;
mod validation;
