//! ossweep: empty and delete Alibaba Cloud OSS buckets safely.

pub mod emulator;
pub mod oss;
