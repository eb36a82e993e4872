//! ossweep: empty and delete Alibaba Cloud OSS buckets safely.
//!
//! Where things are:
//!
//! # Layout
//!
//! ```text
//! src/
//!   main.rs, lib.rs
//!   cli/          command line: global flags, one module per command, confirmations,
//!                 progress runner, exit codes, tables, signals (stop.rs), stdout (out.rs)
//!   config.rs     profiles, credentials (env, file, ossutil), overrides
//!   blockers/     one module per category that blocks a deletion (the registry): its
//!                 facts, scan, clear pass, risks and manual step; listing.rs owns the
//!                 object listing's four categories
//!   scan/         the scan: the bucket's configuration, the blockers' shared context
//!                 (context.rs), its risks (pure) and found.rs: what is behind each
//!                 count, bounded (pure); vectors.rs for vector buckets
//!   delete/       the engine: the run's context and pass loop (context.rs), plan, object
//!                 pipeline with verification passes,
//!                 re-checks of lost replies (recheck.rs), what it books for a resume
//!                 through the RunJournal trait the journal implements (book.rs), events,
//!                 progress reducer (pure), audit trail, a vector bucket's end (vectors.rs)
//!   vocab.rs      what the scan and the engine share: bucket kinds, classification,
//!                 WORM release, the items a run names, the bucket facts a run is
//!                 confirmed with and compares (pure)
//!   engine/       the preflight (pure; preflight/verdict.rs whether a bucket can go,
//!                 preflight/items.rs the items an action names), the one batch runner
//!                 (fresh or resumed), the run's journal (journal.rs), the one expiry installer
//!   lifecycle.rs  lifecycle rules for server-side emptying, and rules in words (pure)
//!   freeze.rs     --freeze-writes: ossweep's Deny statement, merged into and taken out of
//!                 a bucket policy, and what lifting it sends (pure); engine/freeze.rs
//!                 puts it on before a bucket's run and lifts it after
//!   money/        the price table (prices.rs; assets/prices.toml) and what storage,
//!                 requests and early deletion cost (cost.rs, pure)
//!   tui/          the wizard: app.rs (state machine, no I/O; app/vectors.rs the vector tab,
//!                 app/interrupted.rs the interrupted-run banner),
//!                 screens/ (rendering: one module per screen, items.rs the drill-down,
//!                 bucket_details.rs the wide-terminal panel, listing.rs what both
//!                 bucket lists share (filter, sort, marks), columns.rs and mod.rs the
//!                 fitting, cutting and wrapping every screen shares),
//!                 driver.rs (effects to tasks), keymap.rs, theme.rs, msg.rs; mod.rs
//!                 holds the one event loop
//!   log.rs        --debug log file (tracing)
//!   text.rs       server text made safe for a terminal (pure)
//!   units.rs      human-readable byte sizes and counts (pure)
//!   oss/          the client
//!     sign.rs       V4 and V1 signing (pure)       request.rs   one builder per operation (pure)
//!     parse.rs      one parser per operation (pure) xml.rs       element tree and escaping writer
//!     parse/        attachments.rs (LiveChannels, access points, configuration), tests.rs
//!                   (recorded replies), fuzz.rs (proptest)
//!     endpoint.rs   addressing and routing (pure)   retry.rs     retry decisions and backoff (pure)
//!     vectors.rs    OSS Vectors: models, builders, parsers (pure)
//!     budget.rs     the account's request budget: concurrency and QPS (pure state machine + async
//!                   wrapper); budget/memory.rs keeps refusals between commands
//!     listing/      mod.rs (one Source over objects, versions, uploads), parallel.rs (ranges,
//!                   folders, ladders, work stealing, spans done and open), split.rs (where to
//!                   cut; pure), keymap.rs (where a listing found the keys; pure)
//!     client.rs     the I/O: signing at send time, region follow, retries, the budget
//!     client/       data.rs (buckets, objects, versions, uploads), attachments.rs (LiveChannels,
//!                   access points, accelerators, configuration), pages.rs (paginated streams),
//!                   vectors.rs (Vectors hosts, account id, vector bucket and index operations)
//!     error.rs      one error type with hints       model.rs     what operations return
//!   emulator/     the OSS emulator
//!     server.rs     HTTP, addressing, auth, faults  op.rs        the operations, as a type
//!     ops.rs        one exhaustive match: each Op to its handler function
//!     ops/          routing.rs (the Op a request names, once), buckets.rs (bucket
//!                   operations), objects.rs (listings, writes, deletes)
//!     protocol.rs   what every handler shares: request, reply, error reply, context, checks
//!     store.rs      data and OSS's rules            auth.rs      signature verification
//!     multipart.rs, live.rs, access_point.rs, config.rs           the other operations
//!     faults.rs     fault injection, fault scripts, request log    seed.rs, persist.rs
//!     vectors.rs    OSS Vectors: vector buckets, indexes, vectors, JSON errors
//! assets/demo.toml  the demo account
//! tests/            integration tests, conformance suite, benchmarks, fixtures, run.sh,
//!                   captures.sh (the README's wizard screens)
//! ```

pub mod blockers;
pub mod cli;
pub mod config;
pub mod delete;
pub mod emulator;
pub mod engine;
pub mod freeze;
pub mod lifecycle;
pub mod log;
pub mod money;
pub mod oss;
pub mod private;
pub mod scan;
pub mod text;
pub mod tui;
pub mod units;
pub mod vocab;
