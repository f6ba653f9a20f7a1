//! A minimal HTTP/1.1 client over hyper for talking to the twin's control endpoints and for
//! load generation (the AWS APIs themselves are reached through the official SDKs).

use anyhow::Context;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// One keep-alive connection.
pub type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

/// Opens a keep-alive connection to `host:port`.
pub async fn connect(addr: &str) -> anyhow::Result<Sender> {
    let stream = TcpStream::connect(addr)
        .await
        .with_context(|| format!("cannot connect to {addr}; is `kdaflow serve` running there?"))?;
    stream.set_nodelay(true)?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    Ok(sender)
}

/// Sends one request and returns the status and body.
pub async fn send(
    sender: &mut Sender,
    request: Request<Full<Bytes>>,
) -> anyhow::Result<(u16, Bytes)> {
    sender.ready().await?;
    let resp = sender.send_request(request).await?;
    let status = resp.status().as_u16();
    let bytes = resp.into_body().collect().await?.to_bytes();
    Ok((status, bytes))
}

/// `host:port` of an `http://host:port[/]` endpoint URL.
pub fn authority(endpoint: &str) -> anyhow::Result<String> {
    let rest = endpoint
        .strip_prefix("http://")
        .with_context(|| format!("{endpoint}: the twin speaks plain http://host:port"))?;
    Ok(rest.trim_end_matches('/').to_string())
}
