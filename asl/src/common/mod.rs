//! Machinery shared by every state: payload templates, variables, JSONata, retry and catch.

pub mod io;
pub mod jsonata;
pub mod retry;
pub mod template;
pub mod vars;

pub use template::{Scope, Template};
pub use vars::Vars;
