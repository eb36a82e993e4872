//! ossweep: empty and delete Alibaba Cloud OSS buckets safely.

pub mod oss;
pub mod emulator;
