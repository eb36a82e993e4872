//! Handler tests against an in-memory store, no HTTP.
