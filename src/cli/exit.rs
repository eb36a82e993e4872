//! Exit codes, documented in the README.

/// Everything asked for was done.
pub const DONE: u8 = 0;
/// An error stopped the command (network, permissions, configuration...).
pub const ERROR: u8 = 1;
/// The command line was wrong.
pub const USAGE: u8 = 2;
/// Part of the work was done: some items failed, were skipped, or the run was cancelled.
pub const PARTIAL: u8 = 3;
/// Nothing was done: the confirmation was missing or did not match.
pub const REFUSED: u8 = 4;
/// Nothing was done: the preflight found that the action cannot be carried out
/// (the bucket cannot be deleted by API, or what it would clear could not be listed).
pub const NOT_DELETABLE: u8 = 5;
