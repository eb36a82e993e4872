//! ossweep: empty and delete Alibaba Cloud OSS buckets safely.

pub mod cli;
pub mod config;
pub mod delete;
pub mod emulator;
pub mod engine;
pub mod expire;
pub mod log;
pub mod oss;
pub mod private;
pub mod scan;
pub mod text;
pub mod tui;
pub mod units;
pub mod vocab;
