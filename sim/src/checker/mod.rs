//! Linearizability checker: a generic search engine ([`engine`]), sequential models
//! ([`models`]), parsers for Jepsen-style histories ([`jepsen`]) and the `sim check` command
//! ([`cli`]).

pub mod cli;
pub mod engine;
pub mod hash;
pub mod html;
pub mod jepsen;
pub mod models;

pub use engine::{check, CheckResult, FailureInfo, Model, Operation, Verdict};
pub use models::{KvModel, RegisterModel};
