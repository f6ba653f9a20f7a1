//! The seam between the gateway and s3s: virtual hosts, who may call, and request bodies.
//!
//! The twin accepts any credentials (as every service of the twin does), but s3s verifies
//! every signature it is shown. So the gateway shows it none: the `Authorization` header and
//! a presigned URL's `X-Amz-*` parameters (or SigV2's `AWSAccessKeyId`, `Signature` and
//! `Expires`, which botocore still writes for S3) are taken off, and an `aws-chunked` body — which
//! current SDKs and the AWS CLI send, with per-chunk signatures or unsigned with a trailing
//! checksum — is decoded here into the plain body it carries. The trailing checksum
//! (`x-amz-trailer: x-amz-checksum-crc32`, ...) is checked against the bytes; a mismatch fails
//! the upload with `BadDigest` and stores nothing. Plain bodies (older clients, with
//! `Content-MD5`) pass through unchanged.

use std::borrow::Cow;

use axum::response::{IntoResponse, Response};
use bytes::{Buf, Bytes, BytesMut};
use futures::{Stream, StreamExt};
use http::{HeaderMap, HeaderValue, StatusCode};
use s3s::S3Result;
use s3s::host::{S3Host, VirtualHost};

use super::S3;
use super::store::hasher;

/// The error message prefix that makes a failed body `BadDigest` rather than `IncompleteBody`.
pub const BAD_DIGEST: &str = "BadDigest: ";

/// The twin's S3 host names: `localhost`, `s3.localhost` and the AWS ones, each also as
/// `<bucket>.<host>` (virtual-host style). Any other name, and an IP address, is path style.
pub struct Hosts;

const BASES: &[&str] = &["s3.localhost", "localhost", "s3.amazonaws.com"];

impl S3Host for Hosts {
    fn parse_host_header<'a>(&'a self, host: &'a str) -> S3Result<VirtualHost<'a>> {
        let name = match host.rsplit_once(':') {
            Some((n, port)) if port.bytes().all(|b| b.is_ascii_digit()) => n,
            _ => host,
        };
        // s3.<region>.amazonaws.com as well.
        let regional = name
            .find(".s3.")
            .map(|i| &name[i + 1..])
            .filter(|b| b.ends_with(".amazonaws.com"));
        for base in BASES.iter().copied().chain(regional) {
            if name == base {
                return Ok(VirtualHost::new(Cow::Borrowed(base)));
            }
            if let Some(bucket) = name.strip_suffix(base).and_then(|b| b.strip_suffix('.')) {
                return Ok(VirtualHost::new(Cow::Borrowed(base)).with_bucket(Cow::Borrowed(bucket)));
            }
        }
        Ok(VirtualHost::new(Cow::Borrowed(name)))
    }
}

/// Every caller may call: the gateway has already checked what the twin checks.
pub struct Open;

#[async_trait::async_trait]
impl s3s::access::S3Access for Open {
    async fn check(&self, _cx: &mut s3s::access::S3AccessContext<'_>) -> S3Result<()> {
        Ok(())
    }
}

const PRESIGNED: &[&str] = &[
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-SignedHeaders",
    "X-Amz-Signature",
    "X-Amz-Security-Token",
    // The older (SigV2) query form that botocore still writes for S3 presigned URLs.
    "AWSAccessKeyId",
    "Signature",
    "Expires",
];

fn without_presigned(uri: &http::Uri) -> http::Uri {
    let Some(query) = uri.query() else {
        return uri.clone();
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|kv| {
            let name = kv.split('=').next().unwrap_or_default();
            !PRESIGNED.iter().any(|p| p.eq_ignore_ascii_case(name))
        })
        .collect();
    let pq = if kept.is_empty() {
        uri.path().to_string()
    } else {
        format!("{}?{}", uri.path(), kept.join("&"))
    };
    pq.parse().unwrap_or_else(|_| uri.clone())
}

fn is_chunked(headers: &HeaderMap) -> bool {
    let sha = headers
        .get("x-amz-content-sha256")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let encoding = headers
        .get(http::header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    sha.starts_with("STREAMING-") || encoding.split(',').any(|e| e.trim() == "aws-chunked")
}

/// The checksum algorithm an `x-amz-trailer` names (`x-amz-checksum-crc32` -> `CRC32`).
fn trailer_algorithm(headers: &HeaderMap) -> Option<String> {
    let t = headers.get("x-amz-trailer")?.to_str().ok()?;
    t.trim()
        .strip_prefix("x-amz-checksum-")
        .map(str::to_ascii_uppercase)
}

fn xml_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{}</Message></Error>",
        message
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    );
    let mut r = (status, body).into_response();
    r.headers_mut()
        .insert("content-type", HeaderValue::from_static("application/xml"));
    r
}

/// Serves one S3 request (the gateway has routed it here by its credential scope).
pub async fn serve(s3: &S3, request: http::Request<axum::body::Body>) -> Response {
    let (mut parts, body) = request.into_parts();
    parts.headers.remove(http::header::AUTHORIZATION);
    parts.headers.remove("x-amz-security-token");
    parts.uri = without_presigned(&parts.uri);
    let body = if is_chunked(&parts.headers) {
        let Some(decoded) = parts
            .headers
            .get("x-amz-decoded-content-length")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
        else {
            return xml_error(
                StatusCode::LENGTH_REQUIRED,
                "MissingContentLength",
                "You must provide the Content-Length HTTP header (an aws-chunked body names its decoded length in x-amz-decoded-content-length).",
            );
        };
        let algorithm = trailer_algorithm(&parts.headers);
        if let Some(a) = &algorithm
            && !parts.headers.contains_key("x-amz-sdk-checksum-algorithm")
            && let Ok(v) = HeaderValue::from_str(a)
        {
            parts.headers.insert("x-amz-sdk-checksum-algorithm", v);
        }
        let encoding: Vec<String> = parts
            .headers
            .get(http::header::CONTENT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty() && *e != "aws-chunked")
            .map(str::to_string)
            .collect();
        match HeaderValue::from_str(&encoding.join(",")) {
            Ok(v) if !encoding.is_empty() => {
                parts.headers.insert(http::header::CONTENT_ENCODING, v);
            }
            _ => {
                parts.headers.remove(http::header::CONTENT_ENCODING);
            }
        }
        parts.headers.remove("x-amz-content-sha256");
        parts.headers.remove("x-amz-trailer");
        parts.headers.remove(http::header::TRANSFER_ENCODING);
        parts
            .headers
            .insert(http::header::CONTENT_LENGTH, HeaderValue::from(decoded));
        let stream = decode(body.into_data_stream(), decoded, algorithm);
        let frames = stream.map(|r| r.map(http_body::Frame::data));
        s3s::Body::http_body_unsync(http_body_util::StreamBody::new(frames))
    } else {
        parts.headers.remove("x-amz-content-sha256");
        s3s::Body::http_body_unsync(body)
    };
    let request = http::Request::from_parts(parts, body);
    match s3.http.call(request).await {
        Ok(response) => response.map(axum::body::Body::new),
        Err(e) => xml_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            &format!("We encountered an internal error. Please try again. ({e:?})"),
        ),
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Phase {
    /// Reading a chunk's size line.
    Header,
    /// This many bytes of the chunk's data are still to come.
    Data(u64),
    /// The CRLF after a chunk's data.
    DataEnd,
    /// After the last (empty) chunk: trailing headers until an empty line.
    Trailers,
    Done,
}

/// The longest chunk size line or trailer line accepted.
const MAX_LINE: usize = 8 * 1024;

struct Decoder<S> {
    inner: S,
    buf: BytesMut,
    phase: Phase,
    expected: u64,
    seen: u64,
    algorithm: Option<String>,
    sums: s3s::checksum::ChecksumHasher,
    trailer_value: Option<String>,
}

fn bad(message: impl Into<String>) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, message.into())
}

impl<S, E> Decoder<S>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    /// A line from the buffer (without its CRLF), if a whole one is there.
    fn line(&mut self) -> Result<Option<Bytes>, std::io::Error> {
        match self.buf.windows(2).position(|w| w == b"\r\n") {
            Some(i) => {
                let line = self.buf.split_to(i).freeze();
                self.buf.advance(2);
                Ok(Some(line))
            }
            None if self.buf.len() > MAX_LINE => Err(bad("an aws-chunked line is too long")),
            None => Ok(None),
        }
    }

    /// Reads more input; `false` at its end.
    async fn fill(&mut self) -> Result<bool, std::io::Error> {
        match self.inner.next().await {
            Some(Ok(b)) => {
                self.buf.extend_from_slice(&b);
                Ok(true)
            }
            Some(Err(e)) => Err(bad(format!("the request body failed: {e}"))),
            None => Ok(false),
        }
    }

    fn finish(&mut self) -> Result<(), std::io::Error> {
        if self.seen != self.expected {
            return Err(bad(format!(
                "IncompleteBody: the aws-chunked body carried {} bytes, x-amz-decoded-content-length said {}",
                self.seen, self.expected
            )));
        }
        if let Some(alg) = &self.algorithm {
            let sums = std::mem::take(&mut self.sums).finalize();
            let computed = super::store::Checksums::from(sums)
                .algorithm()
                .map(|(_, v)| v.to_string());
            match &self.trailer_value {
                Some(sent) if Some(sent) != computed.as_ref() => {
                    return Err(bad(format!(
                        "{BAD_DIGEST}The {alg} you specified did not match the calculated checksum."
                    )));
                }
                _ => {}
            }
        }
        self.phase = Phase::Done;
        Ok(())
    }

    /// The next piece of decoded data, `None` at the end.
    async fn next_data(&mut self) -> Result<Option<Bytes>, std::io::Error> {
        loop {
            match self.phase {
                Phase::Done => return Ok(None),
                Phase::Header => match self.line()? {
                    Some(line) => {
                        let text = std::str::from_utf8(&line)
                            .map_err(|_| bad("an aws-chunked size line is not text"))?;
                        let size = text.split(';').next().unwrap_or_default().trim();
                        let size = u64::from_str_radix(size, 16)
                            .map_err(|_| bad(format!("bad aws-chunked size line {text:?}")))?;
                        self.phase = if size == 0 {
                            Phase::Trailers
                        } else {
                            Phase::Data(size)
                        };
                    }
                    None => {
                        if !self.fill().await? {
                            return Err(bad("the aws-chunked body ended inside a chunk header"));
                        }
                    }
                },
                Phase::Data(left) => {
                    if self.buf.is_empty() && !self.fill().await? {
                        return Err(bad(
                            "IncompleteBody: the aws-chunked body ended inside a chunk",
                        ));
                    }
                    let n = (left as usize).min(self.buf.len());
                    let data = self.buf.split_to(n).freeze();
                    self.phase = if left as usize == n {
                        Phase::DataEnd
                    } else {
                        Phase::Data(left - n as u64)
                    };
                    self.seen += n as u64;
                    if self.algorithm.is_some() {
                        self.sums.update(&data);
                    }
                    return Ok(Some(data));
                }
                Phase::DataEnd => {
                    if self.buf.len() < 2 {
                        if !self.fill().await? {
                            return Err(bad("the aws-chunked body ended after a chunk"));
                        }
                        continue;
                    }
                    if &self.buf[..2] != b"\r\n" {
                        return Err(bad(
                            "an aws-chunked chunk is longer than its size line says",
                        ));
                    }
                    self.buf.advance(2);
                    self.phase = Phase::Header;
                }
                Phase::Trailers => match self.line()? {
                    Some(line) if line.is_empty() => self.finish()?,
                    Some(line) => {
                        let text = String::from_utf8_lossy(&line);
                        if let Some((name, value)) = text.split_once(':')
                            && name
                                .trim()
                                .to_ascii_lowercase()
                                .starts_with("x-amz-checksum-")
                        {
                            self.trailer_value = Some(value.trim().to_string());
                        }
                    }
                    None => {
                        if !self.fill().await? {
                            // Some clients end the body right after the last trailer line.
                            let rest = std::mem::take(&mut self.buf);
                            let text = String::from_utf8_lossy(&rest);
                            if let Some((name, value)) = text.split_once(':')
                                && name
                                    .trim()
                                    .to_ascii_lowercase()
                                    .starts_with("x-amz-checksum-")
                            {
                                self.trailer_value = Some(value.trim().to_string());
                            }
                            self.finish()?;
                        }
                    }
                },
            }
        }
    }
}

/// Decodes an `aws-chunked` body of `expected` bytes, checking a trailing checksum of
/// `algorithm` (chunk and trailer signatures are not checked: the twin accepts any
/// credentials).
pub fn decode<S, E>(
    inner: S,
    expected: u64,
    algorithm: Option<String>,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send
where
    S: Stream<Item = Result<Bytes, E>> + Unpin + Send,
    E: std::fmt::Display,
{
    let decoder = Decoder {
        inner,
        buf: BytesMut::new(),
        phase: Phase::Header,
        expected,
        seen: 0,
        sums: hasher(algorithm.as_deref()),
        algorithm,
        trailer_value: None,
    };
    futures::stream::unfold(Some(decoder), |state| async move {
        let mut d = state?;
        match d.next_data().await {
            Ok(Some(data)) => Some((Ok(data), Some(d))),
            Ok(None) => None,
            Err(e) => Some((Err(e), None)),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn decoded(body: &'static [u8], len: u64, alg: Option<&str>) -> Result<Vec<u8>, String> {
        // Split the input at every byte boundary: the decoder must not care where frames end.
        let pieces: Vec<Result<Bytes, std::io::Error>> = body
            .chunks(3)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        let mut s = std::pin::pin!(decode(
            futures::stream::iter(pieces),
            len,
            alg.map(str::to_string)
        ));
        let mut out = Vec::new();
        while let Some(b) = s.next().await {
            out.extend_from_slice(&b.map_err(|e| e.to_string())?);
        }
        Ok(out)
    }

    #[tokio::test]
    async fn signed_chunks_and_unsigned_trailers_decode() {
        let signed = b"5;chunk-signature=abc\r\nhello\r\n6;chunk-signature=def\r\n world\r\n0;chunk-signature=000\r\n\r\n";
        assert_eq!(decoded(signed, 11, None).await.unwrap(), b"hello world");
        // CRC32 of "hello world" is 0x0d4a1185 -> base64 "DUoRhQ==".
        let trailer = b"b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n";
        assert_eq!(
            decoded(trailer, 11, Some("CRC32")).await.unwrap(),
            b"hello world"
        );
    }

    #[tokio::test]
    async fn a_wrong_trailer_or_length_fails() {
        let wrong = b"b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n";
        let e = decoded(wrong, 11, Some("CRC32")).await.unwrap_err();
        assert!(e.starts_with(BAD_DIGEST), "{e}");
        let short = b"b\r\nhello world\r\n0\r\n\r\n";
        let e = decoded(short, 12, None).await.unwrap_err();
        assert!(e.contains("IncompleteBody"), "{e}");
        let cut = b"b\r\nhello";
        assert!(decoded(cut, 11, None).await.is_err());
    }

    #[test]
    fn hosts_name_buckets_by_subdomain() {
        let h = Hosts;
        let v = h.parse_host_header("data.localhost:4590").unwrap();
        assert_eq!(v.bucket(), Some("data"));
        let v = h.parse_host_header("logs.s3.localhost:4590").unwrap();
        assert_eq!(v.bucket(), Some("logs"));
        let v = h.parse_host_header("b.s3.eu-west-1.amazonaws.com").unwrap();
        assert_eq!(v.bucket(), Some("b"));
        let v = h.parse_host_header("localhost:4590").unwrap();
        assert_eq!(v.bucket(), None);
        let v = h.parse_host_header("twin.internal:4590").unwrap();
        assert_eq!(v.bucket(), None);
    }
}
