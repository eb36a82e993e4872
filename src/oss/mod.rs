//! The OSS client: pure signing, request building and parsing, with the I/O in `client`.

pub mod budget;
pub mod credentials;
pub mod encode;
pub mod error;
pub mod listing;
pub mod model;
pub mod parse;
pub mod sign;
pub mod time;
pub mod vectors;
pub mod xml;

pub use credentials::{Credentials, Secret};
pub use error::{ApiError, OssError};
pub mod client;
pub mod endpoint;
pub mod http;
pub mod request;
pub mod retry;

pub use client::{Client, ClientConfig};
