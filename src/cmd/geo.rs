//! Geo commands (geo.c).

use super::table::*;

pub const COMMANDS: &[Command] = &[];
