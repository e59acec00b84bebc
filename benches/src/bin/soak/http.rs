//! A kept-alive HTTP/1.1 connection that can carry an `Authorization` header and gives up on a
//! request after a deadline (the soak must see a hang as a hang, not wait on it). The crate's
//! `client` module has no headers, so this is its own small copy.

use std::io::{Error, ErrorKind, Result};
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// One connection to the server, opened on first use and again after any failure.
pub struct Conn {
    addr: SocketAddr,
    stream: Option<BufReader<TcpStream>>,
}

/// Why a request got no HTTP response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    /// No response before the deadline.
    Timeout,
    /// The connection failed or closed.
    Io(String),
}

impl std::fmt::Display for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Transport::Timeout => f.write_str("no response before the deadline"),
            Transport::Io(message) => write!(f, "connection error: {message}"),
        }
    }
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidData, message.into())
}

impl Conn {
    pub fn new(addr: SocketAddr) -> Conn {
        Conn { addr, stream: None }
    }

    /// POSTs the JSON `body` to `path`, with `Bearer token` when given: status and body.
    pub async fn post(
        &mut self,
        path: &str,
        body: &[u8],
        token: Option<&str>,
        deadline: Duration,
    ) -> std::result::Result<(u16, Vec<u8>), Transport> {
        self.request("POST", path, body, token, deadline).await
    }

    /// GETs `path`.
    pub async fn get(
        &mut self,
        path: &str,
        deadline: Duration,
    ) -> std::result::Result<(u16, Vec<u8>), Transport> {
        self.request("GET", path, &[], None, deadline).await
    }

    async fn request(
        &mut self,
        method: &str,
        path: &str,
        body: &[u8],
        token: Option<&str>,
        deadline: Duration,
    ) -> std::result::Result<(u16, Vec<u8>), Transport> {
        let outcome =
            tokio::time::timeout(deadline, self.exchange(method, path, body, token)).await;
        match outcome {
            Ok(Ok(response)) => Ok(response),
            Ok(Err(err)) => {
                self.stream = None;
                Err(Transport::Io(err.to_string()))
            }
            Err(_) => {
                // The response may still come: this connection can no longer be trusted.
                self.stream = None;
                Err(Transport::Timeout)
            }
        }
    }

    async fn exchange(
        &mut self,
        method: &str,
        path: &str,
        body: &[u8],
        token: Option<&str>,
    ) -> Result<(u16, Vec<u8>)> {
        if self.stream.is_none() {
            let stream = TcpStream::connect(self.addr).await?;
            stream.set_nodelay(true)?;
            self.stream = Some(BufReader::new(stream));
        }
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\nAccept: application/json\r\n",
            self.addr,
            body.len()
        );
        if !body.is_empty() {
            head.push_str("Content-Type: application/json\r\n");
        }
        if let Some(token) = token {
            head.push_str(&format!("Authorization: Bearer {token}\r\n"));
        }
        head.push_str("\r\n");
        let stream = self.stream.as_mut().expect("connected above");
        stream.get_mut().write_all(head.as_bytes()).await?;
        stream.get_mut().write_all(body).await?;
        read_response(stream).await
    }
}

async fn read_line(stream: &mut BufReader<TcpStream>) -> Result<String> {
    let mut line = String::new();
    if stream.read_line(&mut line).await? == 0 {
        return Err(Error::new(
            ErrorKind::UnexpectedEof,
            "the server closed the connection",
        ));
    }
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

async fn read_response(stream: &mut BufReader<TcpStream>) -> Result<(u16, Vec<u8>)> {
    let status_line = read_line(stream).await?;
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| invalid(format!("not an HTTP status line: {status_line:?}")))?;
    let mut length = None;
    let mut chunked = false;
    loop {
        let line = read_line(stream).await?;
        if line.is_empty() {
            break;
        }
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            length = Some(
                value
                    .parse::<usize>()
                    .map_err(|_| invalid("a bad Content-Length"))?,
            );
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = value.eq_ignore_ascii_case("chunked");
        }
    }
    let body = match (chunked, length) {
        (true, _) => read_chunked(stream).await?,
        (false, Some(length)) => {
            let mut body = vec![0; length];
            stream.read_exact(&mut body).await?;
            body
        }
        (false, None) => return Err(invalid("a response with neither length nor chunks")),
    };
    Ok((status, body))
}

async fn read_chunked(stream: &mut BufReader<TcpStream>) -> Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line = read_line(stream).await?;
        let size = line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size, 16).map_err(|_| invalid("a bad chunk size"))?;
        if size == 0 {
            while !read_line(stream).await?.is_empty() {}
            return Ok(body);
        }
        let start = body.len();
        body.resize(start + size, 0);
        stream.read_exact(&mut body[start..]).await?;
        read_line(stream).await?;
    }
}
