//! The OSS client: pure signing, request building and parsing, with the I/O in `client`.
//!
//! How ossweep talks to OSS, in detail (this was the README's section of that name):
//!
//! # How ossweep talks to OSS
//!
//! * **Signing**: OSS V4 (`OSS4-HMAC-SHA256`) by default, V1 (HMAC-SHA1) with
//!   `signature_version = 1`, STS tokens either way. Pure functions, time injected, checked
//!   stage by stage (canonical request, string to sign, signature) against the official
//!   vectors of Alibaba's SDKs (`src/oss/sign/tests.rs`).
//! * **Addressing**: virtual-hosted style by default, HTTPS by default, path style and a
//!   custom endpoint as options, internal endpoints with `internal = true`. ListBuckets
//!   learns each bucket's region; later calls go to that region's endpoint. A wrong-region
//!   reply that names the right endpoint is followed once, never looped.
//! * **Listings are checked**: a ListObjectsV2, ListObjectVersions or
//!   ListMultipartUploads page with more entries than `max-keys` asked for, a key
//!   outside the prefix, a key before where the page was asked to start, or keys out
//!   of order is a malformed reply: asked again, then a clear error (`a page of more
//!   than the 1000 entries asked for`), never data that could be booked or deleted.
//! * **Retries**: transport errors, 5xx and throttling (503 codes, 429,
//!   `x-oss-qos-delay-time`, whose delay is honoured as a minimum, up to 5 s: a server
//!   controls that number, so a larger one is not trusted) are retried with capped
//!   exponential backoff and full jitter; other 4xx never are. The same header on a 200
//!   (bandwidth throttling) pauses the budget, within the same cap. Every retry is
//!   counted and reported to an observer the UI can show. Each attempt is cut off after
//!   20 s and a request, its waits for a place in the budget, retries and backoffs
//!   included, after `--timeout` (50 s by default); while it waits, the observer hears
//!   `waiting for OSS (op, attempt n of m, t s)` every 5 s. So the first Ctrl-C stops a
//!   run within the cap, however long OSS asks it to wait.
//!   A read (GET or HEAD) whose reply does not parse (cut or garbled in transit) is
//!   asked for again, three times in all.
//! * **Replies are bounded**: a listing page or a batch delete's reply is read up to
//!   16 MiB (a page of 1000 entries with 1023-byte URL-encoded keys takes about 4 MB),
//!   any other reply up to 4 MiB. A longer body, announced or endless, is not read past
//!   that: it is a malformed reply, asked for again, then an error naming the operation
//!   and the limit.
//! * **Listings never loop**: a next-page marker or token must move forward (equal to
//!   this page's or one of the last eight, or a key marker going backwards, ends the
//!   listing with an error naming the operation and the marker), and a hundred empty
//!   pages in a row end it too. An upload's parts listing (ListParts, for its size) ends
//!   at an empty truncated page or at part 10,000, the last there can be.
//! * **Config errors never show a secret**: an error in the value of
//!   `access_key_secret`, `security_token` (or any key naming a secret, token or
//!   password) names the key and line only, and no secret value written in the file
//!   appears in any config error.
//! * **Errors** carry the HTTP status, OSS code, message, request id and EC, with a
//!   one-line hint for the common codes (which `oss:` permission AccessDenied needs, a wrong
//!   secret or clock for SignatureDoesNotMatch, ...). An HTML or empty body where XML was
//!   expected is reported with the status and its first bytes. Invalid bucket names are
//!   refused before any request.
//! * **One request budget per account** (`src/oss/budget.rs`): every request the client
//!   sends, listing pages, probes, deletes and configuration calls alike, first takes a
//!   place in the client's budget, which every clone of the client shares (the wizard's
//!   scans, a run, a batch of buckets). Concurrency starts at 8 and grows by one per
//!   success (slow start) until OSS first throttles, then by one per round of
//!   successes, and halves on throttling; it holds while replies are slower than twice
//!   the fastest seen (+20 ms), so a busy server is not pushed harder. A rate
//!   (requests per second) is paced under the `--qps` ceiling: it starts at 100/s (or,
//!   once replies come, at the rate that puts ten requests in one round trip, 500/s at
//!   20 ms: what finding an unknown limit costs) and doubles every second while the
//!   requests use it (at least 80% of it served in the last second: a per-second limit
//!   shows only once a whole second was sent at a rate) until OSS first throttles; then
//!   it drops to 70% of what OSS served in the last second, nothing starts until `x-oss-qos-delay-time`
//!   has passed (requests then resume one pacing interval apart, not in a burst), and
//!   it recovers by a quarter a second, staying under 90% of the refused rate for 30 s.
//!   The refused rate is remembered for 15 minutes in `throttling.json` under the state
//!   directory (accounts named by a digest, never a credential), so the next command of
//!   the account (`scan` then `delete`, a script's loop over buckets) starts at 80% of
//!   it and grows carefully, instead of being throttled again to find it.
//!   The progress line and the wizard show the concurrency and the throttling; the
//!   events carry both (`concurrency`, `throttled`).
//! * **Listings** are streams that hold one page at a time. Batch deletes run in verbose
//!   mode and return one outcome per requested key; a key or version missing from the
//!   reply's `Deleted` list counts as not deleted. Under `encoding-type=url` every
//!   key-like field is percent-decoded, continuation tokens included (real tokens are
//!   base64 and hold `+`, `/` and `=`), in the full parse and in the look-ahead that
//!   requests the next page early alike.
//! * **GetBucketStat is optional.** Without `oss:GetBucketStat` (or on a server without
//!   `?stat`) scans, the preflight, deletions and the wizard work from the listings and
//!   say `OSS estimate unavailable (reason)`; the bucket list shows `n/a`.
//! * **Access points** are deleted directly (deleting one removes its policy), after
//!   waiting while one is `creating`; one already `deleting` is only awaited. Only when
//!   OSS refuses the access point is its policy deleted, and the access point is then
//!   tried again whatever the policy step answered. "No policy" is recognised by its
//!   404 status, not by an error code. `CreationDate` is kept as text, as the SDKs type
//!   it.
//! * **Dates** go through jiff: an impossible date in a reply (31 February, hour 24, a
//!   weekday that does not match) is refused, not wrapped into another day.
//! * **Accelerators** can only be managed from inside their region's network; the client
//!   gives up after a short connect timeout and says so, instead of hanging.
//! * **Keys are not paths.** reqwest's URL parser removes `.` and `..` path segments
//!   (also spelled `%2e`), so an object named `a/../b` would be sent as `b`: another
//!   object, under a signature over a path OSS never sees. A request whose URL that
//!   parser would rewrite goes through hyper instead, whose request target keeps the
//!   path byte for byte, as the official Go SDK sends it (`src/oss/http.rs`); both share
//!   the timeouts, TLS roots and resolver override.

pub mod budget;
pub mod credentials;
pub mod encode;
pub mod error;
pub mod external;
pub mod listing;
pub mod metadata;
pub mod model;
pub mod parse;
pub mod sign;
pub mod sts;
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
