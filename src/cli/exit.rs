//! Exit codes, documented in the README.

/// Everything asked for was done.
pub const DONE: u8 = 0;
/// An error stopped the command (network, permissions, configuration...).
pub const ERROR: u8 = 1;
/// The command line was wrong.
pub const USAGE: u8 = 2;
