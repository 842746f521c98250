//! The simulator.

pub mod checker;
