//! SOCKS5 (RFC 1928) on the proxy's port, for clients that speak only it: no authentication,
//! `CONNECT` only, names passed to vault (the `socks5h` behaviour; the child cannot resolve
//! anything itself). The proxy tells it from HTTP by the first byte (`0x05`).

use std::io::{self, Read, Write};

/// Reply codes.
pub const OK: u8 = 0x00;
pub const GENERAL_FAILURE: u8 = 0x01;
pub const NOT_ALLOWED: u8 = 0x02;
pub const HOST_UNREACHABLE: u8 = 0x04;
pub const COMMAND_NOT_SUPPORTED: u8 = 0x07;
pub const ADDRESS_NOT_SUPPORTED: u8 = 0x08;

/// What the client asked for: a raw host (a name, or an address as text) and a port.
#[derive(Debug, PartialEq, Eq)]
pub struct Request {
    pub host: String,
    pub port: u16,
}

/// Why the handshake ended without a request.
#[derive(Debug)]
pub enum Refused {
    /// Send this reply code, then close.
    Reply(u8, &'static str),
    /// The client offered no acceptable method (already answered), or the stream failed.
    Closed(&'static str),
}

/// Runs the greeting and reads the request from `input` (the bytes already read, then the
/// stream), answering on `out`. Reads exactly the handshake's bytes.
///
/// # Errors
/// [`Refused`] when the client cannot be served.
pub fn handshake(input: &mut impl Read, out: &mut impl Write) -> Result<Request, Refused> {
    let io = |_: io::Error| Refused::Closed("the SOCKS5 handshake was cut short");
    let mut head = [0u8; 2];
    input.read_exact(&mut head).map_err(io)?;
    let mut methods = vec![0u8; usize::from(head[1])];
    input.read_exact(&mut methods).map_err(io)?;
    if !methods.contains(&0x00) {
        let _ = out.write_all(&[0x05, 0xFF]);
        return Err(Refused::Closed(
            "the SOCKS5 client offered no method without authentication",
        ));
    }
    out.write_all(&[0x05, 0x00]).map_err(io)?;
    let mut req = [0u8; 4];
    input.read_exact(&mut req).map_err(io)?;
    if req[0] != 0x05 {
        return Err(Refused::Reply(
            GENERAL_FAILURE,
            "not a SOCKS5 request after the greeting",
        ));
    }
    let host = match req[3] {
        0x01 => {
            let mut a = [0u8; 4];
            input.read_exact(&mut a).map_err(io)?;
            std::net::Ipv4Addr::from(a).to_string()
        }
        0x04 => {
            let mut a = [0u8; 16];
            input.read_exact(&mut a).map_err(io)?;
            std::net::Ipv6Addr::from(a).to_string()
        }
        0x03 => {
            let mut len = [0u8; 1];
            input.read_exact(&mut len).map_err(io)?;
            let mut name = vec![0u8; usize::from(len[0])];
            input.read_exact(&mut name).map_err(io)?;
            String::from_utf8(name).map_err(|_| {
                Refused::Reply(
                    ADDRESS_NOT_SUPPORTED,
                    "a SOCKS5 host name that is not UTF-8",
                )
            })?
        }
        _ => {
            return Err(Refused::Reply(
                ADDRESS_NOT_SUPPORTED,
                "an unknown SOCKS5 address type",
            ));
        }
    };
    let mut port = [0u8; 2];
    input.read_exact(&mut port).map_err(io)?;
    if req[1] != 0x01 {
        return Err(Refused::Reply(
            COMMAND_NOT_SUPPORTED,
            "only SOCKS5 CONNECT is supported (not BIND or UDP)",
        ));
    }
    Ok(Request {
        host,
        port: u16::from_be_bytes(port),
    })
}

/// The reply to a request: `code`, with an unspecified bound address.
#[must_use]
pub fn reply(code: u8) -> [u8; 10] {
    [0x05, code, 0x00, 0x01, 0, 0, 0, 0, 0, 0]
}

#[cfg(test)]
mod tests {
    use super::{NOT_ALLOWED, Refused, Request, handshake, reply};

    #[test]
    fn parses_a_domain_connect() {
        let mut input: &[u8] = b"\x05\x01\x00\x05\x01\x00\x03\x0bexample.com\x01\xbbREST";
        let mut out = Vec::new();
        let r = handshake(&mut input, &mut out).unwrap();
        assert_eq!(
            r,
            Request {
                host: "example.com".into(),
                port: 443
            }
        );
        assert_eq!(out, b"\x05\x00");
        assert_eq!(input, b"REST");
        assert_eq!(reply(NOT_ALLOWED)[1], 2);
    }

    #[test]
    fn parses_addresses_and_refuses_the_rest() {
        let mut input: &[u8] = b"\x05\x01\x00\x05\x01\x00\x01\x7f\x00\x00\x01\x00\x50";
        let r = handshake(&mut input, &mut Vec::new()).unwrap();
        assert_eq!((r.host.as_str(), r.port), ("127.0.0.1", 80));
        let mut input: &[u8] = b"\x05\x01\x02";
        let mut out = Vec::new();
        assert!(matches!(
            handshake(&mut input, &mut out),
            Err(Refused::Closed(_))
        ));
        assert_eq!(out, b"\x05\xff");
        let mut input: &[u8] = b"\x05\x01\x00\x05\x03\x00\x01\x7f\x00\x00\x01\x00\x50";
        assert!(matches!(
            handshake(&mut input, &mut Vec::new()),
            Err(Refused::Reply(7, _))
        ));
        let mut input: &[u8] = b"\x05\x01\x00\x05\x01";
        assert!(matches!(
            handshake(&mut input, &mut Vec::new()),
            Err(Refused::Closed(_))
        ));
    }
}
