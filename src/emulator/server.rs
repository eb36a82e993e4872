//! The HTTP side: parses requests (addressing, query, body limits), verifies
//! signatures, applies latency and faults, calls `ops`, and writes OSS replies.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use base64::Engine;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;

use crate::oss::{encode, time};

use super::auth::{self, Signed};
use super::endpoints;
use super::faults::{FaultKind, LogEntry};
use super::op::Op;
use super::ops::{self, Ctx, EmuError, Reply, Request};
use super::State;
use super::{metadata, sts};

/// Bodies larger than this are refused (OSS objects can be larger; the emulator need not).
const MAX_BODY: usize = 64 * 1024 * 1024;

/// (bucket, region) from a host of the form `[bucket.]oss-<region>[-internal].aliyuncs.com`,
/// or a virtual-hosted `bucket.localhost`; `None` for path style.
pub fn parse_host(host: &str) -> (Option<String>, Option<String>, bool) {
    let host = host.to_ascii_lowercase();
    // Accelerators: `<bucket>.<zone>-internal.oss-data-acc.aliyuncs.com`.
    if let Some(rest) = host.strip_suffix("-internal.oss-data-acc.aliyuncs.com") {
        if let Some((bucket, zone)) = rest.rsplit_once('.') {
            return (Some(bucket.to_string()), Some(region_of_zone(zone)), true);
        }
    }
    if let Some(rest) = host.strip_suffix(".aliyuncs.com") {
        let (bucket, endpoint) = match rest.rsplit_once('.') {
            Some((b, e)) => (Some(b.to_string()), e),
            None => (None, rest),
        };
        if let Some(region) = crate::oss::endpoint::region_of_host(endpoint) {
            return (bucket, Some(region), true);
        }
    }
    if let Some(b) = host.strip_suffix(".localhost") {
        return (Some(b.to_string()), None, true);
    }
    (None, None, false)
}

/// `cn-hangzhou-j` -> `cn-hangzhou`, `ap-southeast-1c` -> `ap-southeast-1`.
pub fn region_of_zone(zone: &str) -> String {
    if let Some((region, letter)) = zone.rsplit_once('-') {
        if letter.len() == 1 && letter.bytes().all(|b| b.is_ascii_lowercase()) {
            return region.to_string();
        }
    }
    match zone.as_bytes() {
        [.., d, l] if d.is_ascii_digit() && l.is_ascii_lowercase() => {
            zone[..zone.len() - 1].to_string()
        }
        _ => zone.to_string(),
    }
}

fn split_host_port(h: &str) -> &str {
    if h.starts_with('[') {
        return h.split(']').next().map(|s| &h[..s.len() + 1]).unwrap_or(h);
    }
    h.rsplit_once(':').map(|(a, _)| a).unwrap_or(h)
}

/// Builds the parsed request from the HTTP parts; the region comes from the Host.
pub fn to_request(
    method: &str,
    host_header: &str,
    raw_path: &str,
    raw_query: &str,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
) -> Request {
    let host = split_host_port(host_header).to_string();
    let query = encode::parse_query(raw_query);
    // OSS Vectors: by host as on OSS (the path is the key), or by the ARN path
    // (emulator path style).
    let vectors = match super::vectors::parse_host(&host.to_ascii_lowercase()) {
        Some(addr) => {
            let path = raw_path.strip_prefix('/').unwrap_or(raw_path);
            Some((addr, (!path.is_empty()).then(|| encode::decode(path))))
        }
        None => super::vectors::parse_path(&encode::decode(raw_path)),
    };
    if let Some((addr, key)) = vectors {
        return Request {
            method: method.to_string(),
            host,
            bucket: addr.bucket.clone(),
            key,
            query,
            headers,
            body,
            region: Some(addr.region.clone()),
            vectors: Some(addr),
        };
    }
    let (virtual_bucket, region, is_virtual) = parse_host(&host);
    let path = raw_path.strip_prefix('/').unwrap_or(raw_path);
    let (bucket, key) = match (is_virtual, virtual_bucket) {
        (true, Some(b)) => (Some(b), Some(encode::decode(path))),
        (true, None) => (None, None),
        (false, _) => match path.split_once('/') {
            Some((b, k)) => (Some(encode::decode(b)), Some(encode::decode(k))),
            None => (Some(encode::decode(path)), None),
        },
    };
    let bucket = bucket.filter(|b| !b.is_empty());
    let key = key.filter(|k| !k.is_empty() && bucket.is_some());
    Request {
        method: method.to_string(),
        host,
        bucket,
        key,
        query,
        headers,
        body,
        region,
        vectors: None,
    }
}

fn error_reply(e: &EmuError, request_id: &str, host: &str, head: bool, json: bool) -> Reply {
    // OSS Vectors errors are JSON (F38); every other API's are XML.
    let (xml, content_type) = if json {
        (
            super::vectors::error_json(e, request_id, host),
            "application/json",
        )
    } else {
        (e.to_xml(request_id, host), "application/xml")
    };
    let mut headers = vec![("Content-Type".to_string(), content_type.to_string())];
    if let Some(ec) = &e.ec {
        headers.push(("x-oss-ec".into(), ec.clone()));
    }
    headers.extend(e.headers.iter().cloned());
    if head {
        headers.push((
            "x-oss-err".into(),
            base64::engine::general_purpose::STANDARD.encode(xml.as_bytes()),
        ));
        return Reply {
            status: e.status,
            headers,
            body: Vec::new(),
        };
    }
    Reply {
        status: e.status,
        headers,
        body: xml.into_bytes(),
    }
}

enum Outcome {
    Reply(Reply),
    Drop,
    /// Accept and never answer.
    Hang,
}

async fn process(state: &State, req: hyper::Request<Incoming>) -> (Outcome, LogEntry) {
    let arrived = std::time::Instant::now();
    let method = req.method().as_str().to_string();
    let host_header = req
        .headers()
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| req.uri().authority().map(|a| a.to_string()))
        .unwrap_or_default();
    let raw_path = req.uri().path().to_string();
    let raw_query = req.uri().query().unwrap_or_default().to_string();
    let headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).to_string(),
            )
        })
        .collect();
    let request_id = format!(
        "{:024X}",
        state.request_counter.fetch_add(1, Ordering::Relaxed) + 0x5C3D_0000_0000
    );
    let too_large = EmuError::new(
        400,
        "EntityTooLarge",
        "Your proposed upload exceeds the maximum allowed size.",
    );
    let (body, body_err) = match Limited::new(req.into_body(), MAX_BODY).collect().await {
        Ok(b) => (b.to_bytes().to_vec(), None),
        Err(_) => (Vec::new(), Some(too_large)),
    };
    // The ECS metadata service (no signature: it is the instance's own).
    let unsigned = !headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("authorization"));
    if let (Some(role), true) = (&state.ecs_role, unsigned) {
        let now = state.now();
        let issue = |creds, expires| {
            let mut issued = state.keys.issued.lock().unwrap();
            // Expired ones are kept a while, to be refused as expired.
            issued.retain(|(_, e): &(_, i64)| *e > now - 3600);
            issued.push((creds, expires));
        };
        let served = match raw_path.as_str() {
            "/" if method == "GET" => sts::serve(
                role,
                &state.keys,
                &raw_query,
                now,
                &state.issued_counter,
                issue,
            ),
            _ => metadata::serve(role, &method, &raw_path, now, &state.issued_counter, issue),
        };
        if let Some(reply) = served {
            let entry = LogEntry {
                op: if raw_path == "/" {
                    "AssumeRole"
                } else {
                    "EcsMetadata"
                }
                .into(),
                method,
                bucket: None,
                key: None,
                status: reply.status,
                keys_in_body: 0,
            };
            return (Outcome::Reply(reply), entry);
        }
    }
    let mut r = to_request(&method, &host_header, &raw_path, &raw_query, headers, body);
    // A custom domain bound to a bucket (PutCname): the whole path is the key.
    let owner = state.store.lock().unwrap().cname_owner(&r.host);
    if let (Some((bucket, region)), None) = (owner, &r.vectors) {
        let path = raw_path.strip_prefix('/').unwrap_or(&raw_path);
        r.key = Some(crate::oss::encode::decode(path)).filter(|k| !k.is_empty());
        r.bucket = Some(bucket);
        r.region = Some(region);
    }
    let routed = ops::route(&r);
    // Logs, statistics and fault rules name the operation as OSS does.
    let op = routed.map_or("Unknown", Op::name);
    let keys: Vec<String> = match routed {
        Some(Op::DeleteMultipleObjects) => ops::keys_in_delete_body(&r.body),
        _ => r.key.iter().cloned().collect(),
    };
    let mut entry = LogEntry {
        op: op.to_string(),
        method: method.clone(),
        bucket: r.bucket.clone(),
        key: r.key.clone(),
        status: 0,
        keys_in_body: if routed == Some(Op::DeleteMultipleObjects) {
            keys.len()
        } else {
            0
        },
    };
    let head = method == "HEAD";

    state.faults.pass_gate(op).await;
    let result = match body_err {
        Some(e) => Err(e),
        None => authorize_and_run(state, &r, routed, &keys),
    };
    // Injected latency is a minimum response time counted from arrival: the
    // emulator's own work happens within it, as a real server's does.
    let latency = state.faults.latency();
    if !latency.is_zero() {
        tokio::time::sleep_until(tokio::time::Instant::from_std(arrived + latency)).await;
    }
    let outcome = match result {
        Ok(Outcome::Reply(mut reply)) => {
            if head {
                reply.body.clear();
            }
            Outcome::Reply(reply)
        }
        Ok(other) => other,
        Err(e) => Outcome::Reply(error_reply(
            &e,
            &request_id,
            &r.host,
            head,
            r.vectors.is_some(),
        )),
    };
    let outcome = match outcome {
        Outcome::Reply(mut reply) => {
            reply.headers.push(("x-oss-request-id".into(), request_id));
            reply
                .headers
                .push(("Date".into(), time::rfc1123(state.now())));
            reply.headers.push(("Server".into(), "AliyunOSS".into()));
            entry.status = reply.status;
            Outcome::Reply(reply)
        }
        other => other,
    };
    (outcome, entry)
}

/// Authorizes and runs a request, with the fault (if any) it draws.
fn authorize_and_run(
    state: &State,
    r: &Request,
    routed: Option<Op>,
    keys: &[String],
) -> Result<Outcome, EmuError> {
    let r = authenticate(state, r, routed)?;
    refused_by_policy(state, &r, routed)?;
    if let (true, Some(op), Some(bucket)) = (state.public_endpoint_forbidden, routed, &r.bucket) {
        // A custom domain bound to the bucket is not the default endpoint.
        let region = {
            let store = state.store.lock().unwrap();
            let own_domain = store
                .cname_owner(&r.host)
                .is_some_and(|(b, _)| &b == bucket);
            store
                .buckets
                .get(bucket)
                .filter(|_| !own_domain)
                .map(|b| b.region.clone())
        };
        if let Some(e) = region.and_then(|region| endpoints::refused(op, &r.host, &region)) {
            return Err(e);
        }
    }
    // Over the account's QPS limit: 503 TotalQpsLimitExceeded, with how long to
    // wait in x-oss-qos-delay-time, as OSS answers.
    if let Some(wait) = state.faults.over_qps() {
        return Err(EmuError::new(
            503,
            "TotalQpsLimitExceeded",
            "Please reduce your request rate.",
        )
        .header("x-oss-qos-delay-time", &wait.as_millis().to_string())
        .ec("0004-00000302"));
    }
    let key_refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let op = routed.map_or("Unknown", Op::name);
    let fault = state.faults.pick(op, r.bucket.as_deref(), &key_refs);
    if let Some(instead) = fault.as_ref().and_then(fault_instead) {
        return instead;
    }
    let mut store = state.store.lock().unwrap();
    let mut ctx = Ctx {
        store: &mut store,
        faults: &state.faults,
        now: state.now(),
        now_ms: state.now_ms(),
        access_point_delay_ms: state.access_point_delay.as_millis() as u64,
        default_region: &state.region,
        list_v1_only: state.list_v1_only,
    };
    let result = ops::handle(&mut ctx, &r);
    if !matches!(r.method.as_str(), "GET" | "HEAD") {
        state.dirty.store(true, Ordering::Relaxed);
    }
    // The request has been carried out; a fault now loses (part of) the reply.
    Ok(match (fault, result) {
        (Some(FaultKind::DropAfter), _) => Outcome::Drop,
        (Some(FaultKind::CutReply), Ok(mut reply)) => {
            reply.body.truncate(reply.body.len() / 2);
            Outcome::Reply(reply)
        }
        (Some(FaultKind::SlowDown { delay_ms }), Ok(mut reply)) => {
            reply
                .headers
                .push(("x-oss-qos-delay-time".into(), delay_ms.to_string()));
            Outcome::Reply(reply)
        }
        (_, Ok(reply)) => Outcome::Reply(reply),
        (_, Err(e)) => return Err(e),
    })
}

/// An explicit Deny of the bucket's policy for this request (`policy`).
fn refused_by_policy(state: &State, r: &Request, routed: Option<Op>) -> Result<(), EmuError> {
    let (Some(op), Some(bucket), None) = (routed, &r.bucket, &r.vectors) else {
        return Ok(());
    };
    let Some(policy) = state
        .store
        .lock()
        .unwrap()
        .buckets
        .get(bucket)
        .and_then(|b| b.config.policy.clone())
    else {
        return Ok(());
    };
    let owner = auth::access_key_id(&r.headers).is_some_and(|ak| auth::is_owner(&state.keys, &ak));
    let uid = super::protocol::OWNER_ID;
    let caller = super::policy::Caller { owner, uid };
    let resource = super::policy::resource(uid, bucket, r.key.as_deref());
    if super::policy::denies(&policy, op.name(), &resource, caller, state.now()) {
        return Err(EmuError::new(
            403,
            "AccessDenied",
            "You have no right to access this object because of bucket policy.",
        ));
    }
    Ok(())
}

/// The request as its signature says it was sent (the region it was signed
/// for), once the signature and the bucket's name are valid.
fn authenticate(state: &State, r: &Request, routed: Option<Op>) -> Result<Request, EmuError> {
    let signed = Signed {
        method: &r.method,
        bucket: r.bucket.as_deref(),
        key: r.key.as_deref(),
        query: &r.query,
        headers: &r.headers,
        vectors_account: r
            .vectors
            .as_ref()
            .map(|a| a.account.as_deref().unwrap_or("")),
    };
    let signing_region = auth::verify(&signed, &state.keys, state.now(), r.region.as_deref())?;
    let mut r = r.clone();
    if r.region.is_none() {
        r.region = signing_region;
    }
    if let (Some(b), None) = (&r.bucket, &r.vectors) {
        if !ops::valid_bucket_name(b) && routed != Some(Op::PutBucket) {
            return Err(EmuError::new(
                400,
                "InvalidBucketName",
                "The specified bucket is not valid.",
            )
            .with("BucketName", b));
        }
    }
    Ok(r)
}

/// What a fault answers instead of carrying the request out (`None`: the
/// request is carried out, and the fault, if any, acts on its reply).
fn fault_instead(fault: &FaultKind) -> Option<Result<Outcome, EmuError>> {
    Some(match fault {
        FaultKind::Throttle { delay_ms } => Err(EmuError::new(
            503,
            "DownloadTrafficRateLimitExceeded",
            "Please reduce your request rate.",
        )
        .header("x-oss-qos-delay-time", &delay_ms.to_string())
        .ec("0004-00000302")),
        FaultKind::InternalError => Err(EmuError::new(
            500,
            "InternalError",
            "We encountered an internal error. Please try again.",
        )),
        FaultKind::DropConnection => Ok(Outcome::Drop),
        FaultKind::Hang => Ok(Outcome::Hang),
        FaultKind::Raw { status, body } => Ok(Outcome::Reply(Reply {
            status: *status,
            headers: vec![("Content-Type".into(), "text/html".into())],
            body: body.clone().into_bytes(),
        })),
        FaultKind::Deny => Err(EmuError::new(
            403,
            "AccessDenied",
            "You have no right to access this object because of bucket acl.",
        )),
        FaultKind::OmitKeys
        | FaultKind::FalseDeletes
        | FaultKind::SlowDown { .. }
        | FaultKind::CutReply
        | FaultKind::DropAfter => return None,
    })
}

pub async fn serve(
    state: Arc<State>,
    req: hyper::Request<Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, std::io::Error> {
    let (outcome, entry) = process(&state, req).await;
    state.faults.record(entry);
    if let Outcome::Hang = outcome {
        // The connection stays open and silent until the client gives up (or the
        // emulator stops, which drops this task).
        tokio::time::sleep(std::time::Duration::from_secs(24 * 3600)).await;
    }
    match outcome {
        Outcome::Drop | Outcome::Hang => Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "fault injection: connection dropped",
        )),
        Outcome::Reply(reply) => {
            let mut b = hyper::Response::builder().status(reply.status);
            for (n, v) in &reply.headers {
                b = b.header(n.as_str(), v.as_str());
            }
            Ok(b.body(Full::new(Bytes::from(reply.body)))
                .unwrap_or_else(|_| {
                    let mut resp = hyper::Response::new(Full::new(Bytes::new()));
                    *resp.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
                    resp
                }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addressing_from_host_and_path() {
        let r = to_request(
            "GET",
            "b1.oss-cn-hangzhou.aliyuncs.com:9000",
            "/dir/a%20b",
            "versions",
            vec![],
            vec![],
        );
        assert_eq!(
            (r.bucket.as_deref(), r.key.as_deref(), r.region.as_deref()),
            (Some("b1"), Some("dir/a b"), Some("cn-hangzhou"))
        );
        let r = to_request(
            "GET",
            "oss-cn-beijing-internal.aliyuncs.com",
            "/",
            "",
            vec![],
            vec![],
        );
        assert_eq!((r.bucket, r.region.as_deref()), (None, Some("cn-beijing")));
        let r = to_request("PUT", "127.0.0.1:9000", "/b2/k%2B1/x", "", vec![], vec![]);
        assert_eq!(
            (r.bucket.as_deref(), r.key.as_deref(), r.region),
            (Some("b2"), Some("k+1/x"), None)
        );
        let r = to_request("GET", "127.0.0.1:9000", "/b2/", "", vec![], vec![]);
        assert_eq!((r.bucket.as_deref(), r.key), (Some("b2"), None));
        let r = to_request("GET", "mybucket.localhost:9000", "/k", "", vec![], vec![]);
        assert_eq!(
            (r.bucket.as_deref(), r.key.as_deref()),
            (Some("mybucket"), Some("k"))
        );
        let r = to_request(
            "GET",
            "lake.cn-shanghai-g-internal.oss-data-acc.aliyuncs.com",
            "/",
            "dataAccelerator=",
            vec![],
            vec![],
        );
        assert_eq!(
            (r.bucket.as_deref(), r.region.as_deref()),
            (Some("lake"), Some("cn-shanghai"))
        );
        assert_eq!(region_of_zone("ap-southeast-1c"), "ap-southeast-1");
        let r = to_request("GET", "[::1]:9000", "/", "", vec![], vec![]);
        assert_eq!((r.bucket, r.host.as_str()), (None, "[::1]"));
        // OSS Vectors: by host, and by the ARN path.
        let r = to_request(
            "POST",
            "vec-123.cn-shanghai.oss-vectors.aliyuncs.com:9000",
            "/",
            "listVectorIndexes",
            vec![],
            vec![],
        );
        let a = r.vectors.expect("a Vectors request");
        assert_eq!(
            (
                a.account.as_deref(),
                r.bucket.as_deref(),
                r.region.as_deref()
            ),
            (Some("123"), Some("vec"), Some("cn-shanghai"))
        );
        let r = to_request(
            "GET",
            "127.0.0.1:9000",
            "/acs%3Aossvector%3Acn-beijing%3A%3A/",
            "",
            vec![],
            vec![],
        );
        assert_eq!(
            (r.vectors.is_some(), r.bucket, r.region.as_deref()),
            (true, None, Some("cn-beijing"))
        );
    }
}
