//! One attempt at a request: sign, send, read the reply; and the watch over
//! it (waiting notices, the request's deadline).

use super::*;

pub(super) fn header_str<'a>(h: &'a http::HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// The wait OSS asks for (`x-oss-qos-delay-time`, in ms), capped: a server
/// controls this number, so it is honoured up to `MAX_SERVER_DELAY` only.
pub(super) fn qos_delay(h: &http::HeaderMap) -> Option<Duration> {
    header_str(h, "x-oss-qos-delay-time")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(|ms| Duration::from_millis(ms).min(crate::oss::budget::MAX_SERVER_DELAY))
}

pub(super) enum Attempt {
    Done(Reply),
    Failed(OssError, Option<Duration>),
}

impl Client {
    pub(super) async fn attempt(
        &self,
        http: &Http,
        url: &str,
        authority: &str,
        region: &str,
        vectors_account: Option<&str>,
        req: &OssRequest,
    ) -> Attempt {
        let cfg = &self.inner.cfg;
        let mut headers = req.headers.clone();
        let now = time::unix_secs((self.inner.clock)());
        let renewed;
        let credentials = match &cfg.renewing {
            None => &cfg.credentials,
            Some(r) => match r.current(now).await {
                Ok(c) => {
                    renewed = c;
                    &renewed
                }
                Err(detail) => {
                    return Attempt::Failed(OssError::Credentials { op: req.op, detail }, None)
                }
            },
        };
        sign::sign_headers(
            cfg.signature_version,
            sign::Addressed {
                method: req.method,
                bucket: req.bucket.as_deref(),
                key: req.key.as_deref(),
                query: &req.query,
                vectors_account,
            },
            &mut headers,
            credentials,
            region,
            now,
        );
        let method =
            http::Method::from_bytes(req.method.as_bytes()).expect("builders use valid methods");
        let mut map = http::HeaderMap::new();
        for (n, v) in &headers {
            let name = http::HeaderName::from_bytes(n.as_bytes());
            match (name, http::HeaderValue::from_str(v)) {
                (Ok(name), Ok(mut hv)) => {
                    if n.eq_ignore_ascii_case("authorization")
                        || n.eq_ignore_ascii_case("x-oss-security-token")
                    {
                        hv.set_sensitive(true);
                    }
                    map.append(name, hv);
                }
                _ => {
                    return Attempt::Failed(
                        OssError::InvalidInput(format!(
                            "{}: header {n} has characters HTTP cannot carry",
                            req.op
                        )),
                        None,
                    )
                }
            }
        }
        let body = (!req.body.is_empty() || matches!(req.method, "POST" | "PUT"))
            .then(|| Bytes::from(req.body.clone()));
        self.count(|s| {
            s.requests.fetch_add(1, Ordering::Relaxed);
        });
        let sent = std::time::Instant::now();
        let Response {
            status,
            headers,
            body,
        } = match http
            .send(method, url, map, body, request::reply_limit(req.op))
            .await
        {
            Ok(r) => r,
            // A reply larger than any this operation has: malformed (asked
            // again, then a clear error), never read past the limit.
            Err(e) if e.too_large.is_some() => {
                let (status, limit) = e.too_large.unwrap_or_default();
                return Attempt::Failed(
                    OssError::Malformed {
                        op: req.op,
                        status,
                        detail: format!(
                            "the reply is larger than {}, the most a {} reply may be; ossweep did not read past that",
                            crate::units::bytes(limit as u64),
                            req.op
                        ),
                        snippet: String::new(),
                    },
                    None,
                );
            }
            Err(e) => {
                tracing::debug!(
                    op = req.op,
                    bucket = req.bucket.as_deref().unwrap_or(""),
                    host = authority,
                    latency_ms = sent.elapsed().as_millis() as u64,
                    error = %e.detail,
                    "request failed before a reply"
                );
                return Attempt::Failed(
                    OssError::Transport {
                        op: req.op,
                        host: authority.to_string(),
                        kind: e.kind,
                        detail: e.detail,
                    },
                    None,
                );
            }
        };
        tracing::debug!(
            op = req.op,
            bucket = req.bucket.as_deref().unwrap_or(""),
            status,
            request_id = header_str(&headers, "x-oss-request-id").unwrap_or(""),
            latency_ms = sent.elapsed().as_millis() as u64,
            bytes = body.len(),
            "reply"
        );
        if (200..300).contains(&status) {
            if let Some(delay) = qos_delay(&headers) {
                // Served, but OSS asks for a slower pace (bandwidth limits).
                self.inner.budget.throttled(Some(delay));
                self.count(|s| {
                    s.throttles.fetch_add(1, Ordering::Relaxed);
                });
            }
            return Attempt::Done(Reply {
                status,
                headers,
                body,
            });
        }
        let eh = ErrorHeaders {
            request_id: header_str(&headers, "x-oss-request-id"),
            ec: header_str(&headers, "x-oss-ec"),
            err: header_str(&headers, "x-oss-err"),
            error_type: header_str(&headers, "x-oss-error-type"),
        };
        let mut api: ApiError = parse_error(req.op, status, &body, &eh);
        api.permission = Some(req.permission);
        Attempt::Failed(OssError::Api(Box::new(api)), qos_delay(&headers))
    }

    /// A timeout says how long ossweep waited and how often it asked.
    pub(super) fn timed_out(&self, err: OssError, attempts: u32) -> OssError {
        match err {
            OssError::Transport {
                op,
                host,
                kind: crate::oss::error::TransportKind::Timeout,
                detail,
            } if !detail.starts_with("no reply within") => OssError::Transport {
                op,
                host,
                kind: crate::oss::error::TransportKind::Timeout,
                detail: format!(
                    "no reply within {} s ({attempts} attempt(s), each cut off after {} s); OSS accepted the connection but did not answer",
                    self.inner.cfg.deadline.as_secs(),
                    self.inner.cfg.timeout.as_secs()
                ),
            },
            other => other,
        }
    }

    /// Waits for one attempt, announcing the wait every few seconds, and cuts it
    /// off at the request's deadline.
    /// Runs `attempt` (the wait for a place in the budget, then the request)
    /// with notices while it is slow, and fails it at the request's deadline.
    pub(super) async fn watching<T>(
        &self,
        attempt: impl std::future::Future<Output = T>,
        op: &'static str,
        attempt_no: u32,
        started: tokio::time::Instant,
        deadline: tokio::time::Instant,
        authority: &str,
    ) -> Result<T, OssError> {
        tokio::pin!(attempt);
        let mut tick = tokio::time::interval_at(
            tokio::time::Instant::now() + WAIT_NOTICE_EVERY,
            WAIT_NOTICE_EVERY,
        );
        let cut = tokio::time::sleep_until(deadline);
        tokio::pin!(cut);
        loop {
            tokio::select! {
                done = &mut attempt => return Ok(done),
                _ = tick.tick() => {
                    let w = WaitNotice {
                        op,
                        attempt: attempt_no,
                        max_attempts: self.inner.cfg.retry.max_attempts,
                        elapsed: started.elapsed(),
                    };
                    tracing::debug!("{w}");
                    self.notify(Notice::Waiting(w));
                }
                _ = &mut cut => {
                    return Err(OssError::Transport {
                        op,
                        host: authority.to_string(),
                        kind: crate::oss::error::TransportKind::Timeout,
                        detail: format!(
                            "no reply within {} s ({attempt_no} attempt(s)), counting the waits OSS asked for",
                            self.inner.cfg.deadline.as_secs()
                        ),
                    })
                }
            }
        }
    }
}
