//! The HTTP transport under the client: reqwest for every request, except one
//! whose URL the WHATWG parser behind reqwest would rewrite. That parser removes
//! `.` and `..` path segments (also spelled `%2e`), so an object named `a/../b`
//! would be sent as `b`: another object, and a signature over a path OSS never
//! sees. OSS keys are not paths and the official SDKs send them as they are, so
//! such requests go through hyper, whose `Uri` keeps the path byte for byte.
//! Both paths share the resolver override, the timeouts and TLS roots.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures::future::BoxFuture;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::dns::{GaiResolver, Name};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::error::TransportKind;

const USER_AGENT: &str = concat!("ossweep/", env!("CARGO_PKG_VERSION"));

/// A reply of any status.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

/// Why no reply arrived; the text never holds the URL.
#[derive(Debug)]
pub struct TransportError {
    pub kind: TransportKind,
    pub detail: String,
    /// The reply's body was larger than the caller's limit (it was not read
    /// past it): `(status, limit)`.
    pub too_large: Option<(u16, usize)>,
}

impl TransportError {
    fn new(kind: TransportKind, detail: String) -> Self {
        TransportError {
            kind,
            detail,
            too_large: None,
        }
    }

    fn too_large(status: u16, limit: usize) -> Self {
        TransportError {
            kind: TransportKind::Other,
            detail: format!("the reply is larger than {limit} bytes"),
            too_large: Some((status, limit)),
        }
    }
}

/// How connections are made.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The whole exchange, reply body included.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Connect here whatever the host name resolves to (emulators, tests).
    pub connect_to: Option<IpAddr>,
}

type RawClient = hyper_util::client::legacy::Client<
    hyper_rustls::HttpsConnector<HttpConnector<Resolver>>,
    Full<Bytes>,
>;

pub struct Http {
    reqwest: reqwest::Client,
    raw: RawClient,
    timeout: Duration,
}

/// Resolves every name to one address (the URL's port is kept), or asks the system.
#[derive(Clone)]
enum Resolver {
    System(GaiResolver),
    Fixed(IpAddr),
}

/// reqwest's side of `Resolver::Fixed`.
struct FixedResolver(IpAddr);

impl reqwest::dns::Resolve for FixedResolver {
    fn resolve(&self, _name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let addr = SocketAddr::new(self.0, 0);
        Box::pin(async move { Ok(Box::new(std::iter::once(addr)) as reqwest::dns::Addrs) })
    }
}

impl tower_service::Service<Name> for Resolver {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = std::io::Error;
    type Future = BoxFuture<'static, Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Self::Future {
        match self {
            Resolver::Fixed(ip) => {
                let addr = SocketAddr::new(*ip, 0);
                Box::pin(async move { Ok(vec![addr].into_iter()) })
            }
            Resolver::System(gai) => {
                let lookup = gai.call(name);
                Box::pin(async move { Ok(lookup.await?.collect::<Vec<_>>().into_iter()) })
            }
        }
    }
}

impl Http {
    pub fn new(s: &Settings) -> Self {
        let mut b = reqwest::Client::builder()
            .timeout(s.timeout)
            .connect_timeout(s.connect_timeout)
            .pool_max_idle_per_host(64)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(USER_AGENT);
        let resolver = match s.connect_to {
            Some(ip) => {
                b = b.dns_resolver(Arc::new(FixedResolver(ip)));
                Resolver::Fixed(ip)
            }
            None => Resolver::System(GaiResolver::new()),
        };
        let mut tcp = HttpConnector::new_with_resolver(resolver);
        tcp.enforce_http(false);
        tcp.set_nodelay(true);
        tcp.set_connect_timeout(Some(s.connect_timeout));
        let tls = hyper_rustls::HttpsConnectorBuilder::new()
            .with_webpki_roots()
            .https_or_http()
            .enable_http1()
            .wrap_connector(tcp);
        Http {
            reqwest: b.build().expect("the HTTP client configuration is valid"),
            raw: hyper_util::client::legacy::Client::builder(TokioExecutor::new())
                .pool_max_idle_per_host(64)
                .build(tls),
            timeout: s.timeout,
        }
    }

    /// Whether reqwest would send `url` as it is written.
    pub fn kept_as_written(url: &str) -> bool {
        reqwest::Url::parse(url).is_ok_and(|u| u.as_str() == url)
    }

    /// Sends a request and reads its reply, at most `limit` bytes of body: a
    /// longer one (announced or streamed) is not read past the limit.
    pub async fn send(
        &self,
        method: http::Method,
        url: &str,
        headers: http::HeaderMap,
        body: Option<Bytes>,
        limit: usize,
    ) -> Result<Response, TransportError> {
        if Self::kept_as_written(url) {
            self.via_reqwest(method, url, headers, body, limit).await
        } else {
            self.via_hyper(method, url, headers, body, limit).await
        }
    }

    async fn via_reqwest(
        &self,
        method: http::Method,
        url: &str,
        headers: http::HeaderMap,
        body: Option<Bytes>,
        limit: usize,
    ) -> Result<Response, TransportError> {
        let mut rb = self.reqwest.request(method, url).headers(headers);
        if let Some(b) = body {
            rb = rb.body(b);
        }
        let mut resp = rb.send().await.map_err(from_reqwest)?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        if resp.content_length().is_some_and(|n| n > limit as u64) {
            return Err(TransportError::too_large(status, limit));
        }
        let mut read = bytes::BytesMut::new();
        while let Some(chunk) = resp.chunk().await.map_err(from_reqwest)? {
            if read.len() + chunk.len() > limit {
                return Err(TransportError::too_large(status, limit));
            }
            read.extend_from_slice(&chunk);
        }
        Ok(Response {
            status,
            headers,
            body: read.freeze(),
        })
    }

    async fn via_hyper(
        &self,
        method: http::Method,
        url: &str,
        headers: http::HeaderMap,
        body: Option<Bytes>,
        limit: usize,
    ) -> Result<Response, TransportError> {
        let uri: http::Uri = url.parse().map_err(|e: http::uri::InvalidUri| {
            TransportError::new(
                TransportKind::Other,
                format!("the request target cannot be sent: {e}"),
            )
        })?;
        let mut req = http::Request::builder()
            .method(method)
            .uri(uri)
            .body(Full::new(body.unwrap_or_default()))
            .map_err(|e| TransportError::new(TransportKind::Other, e.to_string()))?;
        *req.headers_mut() = headers;
        req.headers_mut().insert(
            http::header::USER_AGENT,
            http::HeaderValue::from_static(USER_AGENT),
        );
        let exchange = async {
            let resp = self.raw.request(req).await.map_err(|e| {
                TransportError::new(
                    if e.is_connect() {
                        TransportKind::Connect
                    } else {
                        TransportKind::Other
                    },
                    chain(&e),
                )
            })?;
            let (parts, body) = resp.into_parts();
            let status = parts.status.as_u16();
            let body = http_body_util::Limited::new(body, limit)
                .collect()
                .await
                .map_err(|e| {
                    if e.is::<http_body_util::LengthLimitError>() {
                        TransportError::too_large(status, limit)
                    } else {
                        TransportError::new(TransportKind::Other, e.to_string())
                    }
                })?;
            Ok(Response {
                status: parts.status.as_u16(),
                headers: parts.headers,
                body: body.to_bytes(),
            })
        };
        match tokio::time::timeout(self.timeout, exchange).await {
            Ok(r) => r,
            Err(_) => Err(TransportError::new(
                TransportKind::Timeout,
                format!("no reply within {} s", self.timeout.as_secs()),
            )),
        }
    }
}

fn from_reqwest(e: reqwest::Error) -> TransportError {
    let kind = if e.is_timeout() {
        TransportKind::Timeout
    } else if e.is_connect() {
        TransportKind::Connect
    } else {
        TransportKind::Other
    };
    TransportError::new(kind, chain(&e))
}

/// An error and its sources, without a URL (short messages, never secrets).
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = src {
        let text = s.to_string();
        let text = match text.find(" for url (") {
            Some(i) => text[..i].to_string(),
            None => text,
        };
        if !parts.contains(&text) {
            parts.push(text);
        }
        src = s.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_with_dot_segments_are_not_left_to_reqwest() {
        for url in [
            "http://h/b/a.txt",
            "http://h/b/a%20b?x=1",
            "http://h/b/.hidden/..x",
        ] {
            assert!(Http::kept_as_written(url), "{url}");
        }
        for url in [
            "http://h/b/a/./c",
            "http://h/b/a/../c",
            "http://h/b/%2e%2e/c",
            "http://h/b/dir/.",
            "http://h/b/..",
        ] {
            assert!(!Http::kept_as_written(url), "{url}");
        }
    }
}
