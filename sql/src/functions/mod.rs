//! Built-in functions: scalar functions, and the stateful table functions of the dialect.

pub mod distinct;
pub mod rcf;
pub mod scalar;
pub mod topk;
