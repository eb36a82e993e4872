//! The OSS client: pure signing, request building and parsing, with the I/O in `client`.

pub mod credentials;
pub mod encode;
pub mod sign;
pub mod time;
