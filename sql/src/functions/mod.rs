//! Built-in functions: scalar functions, and the stateful table functions of the dialect.

pub mod datefmt;
pub mod distinct;
pub mod hotspots;
pub mod rcf;
pub mod scalar;
pub mod text;
pub mod topk;
