//! The Kubernetes CEL library functions the Istio CRDs' rules call, beside the `cel` crate's
//! standard library and string extension, with Kubernetes' semantics
//! (`k8s.io/apiserver/pkg/cel/library`):
//!
//! - `url(string) -> URL`, `isURL(string) -> bool` and the URL accessors `getScheme`,
//!   `getHost`, `getHostname`, `getPort`, `getEscapedPath`, `getQuery` (`urls.go`): a string is
//!   a URL when Go's `url.ParseRequestURI` accepts it, i.e. an absolute URI or an absolute path.
//! - `duration(string)` as cel-go parses it (Go's `time.ParseDuration`): the `cel` crate's own
//!   parser also takes exponents (`1e3s`) and no `µs`, so the macro in `super` routes the calls
//!   here.

use std::collections::HashMap;
use std::sync::Arc;

use cel::extractors::This;
use cel::objects::{Opaque, Value};
use cel::{Context, ExecutionError, ResolveResult};

/// A parsed URL: the parts Go's `url.URL` keeps that the accessors read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Url {
    pub scheme: String,
    pub opaque: String,
    pub host: String,
    /// The path as written (still escaped).
    pub raw_path: String,
    pub raw_query: String,
}

impl Opaque for Url {
    fn runtime_type_name(&self) -> &str {
        "kubernetes.URL"
    }
}

/// Go's `url.ParseRequestURI`: an absolute URI (`scheme:...`) or an absolute path; no
/// fragment is split off (Kubernetes parses a second time with `url.Parse` for that).
pub fn parse_request_uri(raw: &str) -> Result<Url, String> {
    parse(raw, true)
}

/// Go's `url.Parse`: as above, but a fragment is cut off and relative references are allowed.
pub fn parse_url(raw: &str) -> Result<Url, String> {
    let (before, _fragment) = raw.split_once('#').unwrap_or((raw, ""));
    parse(before, false)
}

fn parse(raw: &str, via_request: bool) -> Result<Url, String> {
    if raw.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Err("invalid control character in URL".into());
    }
    if raw.is_empty() && via_request {
        return Err("empty url".into());
    }
    let mut url = Url::default();
    if raw == "*" {
        url.raw_path = "*".into();
        return Ok(url);
    }
    let (scheme, mut rest) = split_scheme(raw)?;
    url.scheme = scheme.to_ascii_lowercase();
    if rest.ends_with('?') && rest.matches('?').count() == 1 {
        rest = &rest[..rest.len() - 1];
    } else if let Some((r, q)) = rest.split_once('?') {
        url.raw_query = q.to_string();
        rest = r;
    }
    if !rest.starts_with('/') {
        if !url.scheme.is_empty() {
            url.opaque = rest.to_string();
            return Ok(url);
        }
        if via_request {
            return Err("invalid URI for request".into());
        }
        // A relative reference whose first segment has a colon would read as a scheme.
        let first = rest.split('/').next().unwrap_or("");
        if first.contains(':') {
            return Err("first path segment in URL cannot contain colon".into());
        }
    }
    if (!url.scheme.is_empty() || !via_request && !rest.starts_with("///"))
        && rest.starts_with("//")
    {
        let after = &rest[2..];
        let (authority, path) = match after.find('/') {
            Some(i) => (&after[..i], &after[i..]),
            None => (after, ""),
        };
        url.host = parse_authority(authority)?;
        rest = path;
    } else if !url.scheme.is_empty() && rest.starts_with('/') {
        url.host = String::new();
    }
    unescape(rest, false)?;
    url.raw_path = rest.to_string();
    Ok(url)
}

/// Go's `getScheme`: letters first, then letters, digits, `+`, `-`, `.` up to a `:`.
fn split_scheme(raw: &str) -> Result<(&str, &str), String> {
    for (i, c) in raw.bytes().enumerate() {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' => {
                if i == 0 {
                    return Ok(("", raw));
                }
            }
            b':' => {
                if i == 0 {
                    return Err("missing protocol scheme".into());
                }
                return Ok((&raw[..i], &raw[i + 1..]));
            }
            _ => return Ok(("", raw)),
        }
    }
    Ok(("", raw))
}

/// `[userinfo@]host[:port]` → the host with its port; Go's `parseAuthority` and `parseHost`.
fn parse_authority(authority: &str) -> Result<String, String> {
    let host = match authority.rfind('@') {
        Some(i) => {
            let userinfo = &authority[..i];
            if !userinfo.bytes().all(valid_userinfo) {
                return Err("net/url: invalid userinfo".into());
            }
            unescape(userinfo, false)?;
            &authority[i + 1..]
        }
        None => authority,
    };
    if let Some(inner) = host.strip_prefix('[') {
        let Some(end) = inner.find(']') else {
            return Err("missing ']' in host".into());
        };
        let port = &inner[end + 1..];
        if !valid_optional_port(port) {
            return Err(format!("invalid port {port:?} after host"));
        }
    } else if let Some(i) = host.rfind(':') {
        let port = &host[i..];
        if !valid_optional_port(port) {
            return Err(format!("invalid port {port:?} after host"));
        }
    }
    unescape(host, true)?;
    Ok(host.to_string())
}

fn valid_userinfo(c: u8) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            b'-' | b'.'
                | b'_'
                | b':'
                | b'~'
                | b'!'
                | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b'%'
                | b'@'
        )
}

/// `""` or `:` followed by digits only.
fn valid_optional_port(port: &str) -> bool {
    port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit()))
}

/// Checks `%XX` escapes (and, in a host, characters a host may not hold), as Go's `unescape`.
fn unescape(s: &str, host: bool) -> Result<(), String> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let ok =
                    i + 2 < b.len() && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit();
                if !ok {
                    // Up to three characters (not bytes: the escape may be followed by a
                    // multi-byte character).
                    let shown: String = s[i..].chars().take(3).collect();
                    return Err(format!("invalid URL escape {shown:?}"));
                }
                i += 3;
            }
            c if host && c < 0x80 && !host_char(c) => {
                return Err(format!("invalid character {:?} in host name", c as char));
            }
            _ => i += 1,
        }
    }
    Ok(())
}

/// Characters Go leaves unescaped in a host (`shouldEscape(c, encodeHost)` is false).
fn host_char(c: u8) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            b'-' | b'_'
                | b'.'
                | b'~'
                | b'!'
                | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'['
                | b']'
                | b'<'
                | b'>'
                | b'"'
        )
}

impl Url {
    /// Go's `URL.Hostname`: the host without port and brackets.
    pub fn hostname(&self) -> &str {
        let (host, _) = split_host_port(&self.host);
        host.strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host)
    }

    /// Go's `URL.Port`: the digits after the last colon, if valid.
    pub fn port(&self) -> &str {
        split_host_port(&self.host).1
    }

    /// The query as Go's `url.ParseQuery` reads it (pairs it cannot unescape are dropped).
    pub fn query(&self) -> Vec<(String, String)> {
        self.raw_query
            .split('&')
            .filter(|p| !p.is_empty() && !p.contains(';'))
            .filter_map(|pair| {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                Some((query_unescape(k)?, query_unescape(v)?))
            })
            .collect()
    }
}

fn split_host_port(host: &str) -> (&str, &str) {
    let colon = match host.rfind(':') {
        Some(i) => i,
        None => return (host, ""),
    };
    if host.starts_with('[') && !host[..colon].ends_with(']') {
        return (host, "");
    }
    let port = &host[colon + 1..];
    if port.bytes().all(|b| b.is_ascii_digit()) {
        (&host[..colon], port)
    } else {
        (host, "")
    }
}

fn query_unescape(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => {
                let hex = s.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Go's `time.ParseDuration`: `[-+]` then one or more `<decimal><unit>`, units `ns`, `us`,
/// `µs`, `μs`, `ms`, `s`, `m`, `h`; `0` alone is zero. Nanoseconds, or why not.
pub fn parse_go_duration(s: &str) -> Result<i64, String> {
    let err = || format!("time: invalid duration {s:?}");
    let (neg, mut rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(err());
    }
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let int_end = rest
            .bytes()
            .position(|b| !b.is_ascii_digit())
            .unwrap_or(rest.len());
        let int_part = &rest[..int_end];
        rest = &rest[int_end..];
        let mut frac_part = "";
        if let Some(r) = rest.strip_prefix('.') {
            let frac_end = r
                .bytes()
                .position(|b| !b.is_ascii_digit())
                .unwrap_or(r.len());
            frac_part = &r[..frac_end];
            rest = &r[frac_end..];
            if int_part.is_empty() && frac_part.is_empty() {
                return Err(err());
            }
        } else if int_part.is_empty() {
            return Err(err());
        }
        let unit_end = rest
            .char_indices()
            .find(|&(_, c)| c == '.' || c.is_ascii_digit())
            .map_or(rest.len(), |(i, _)| i);
        let unit: u128 = match &rest[..unit_end] {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            "" => return Err(format!("time: missing unit in duration {s:?}")),
            u => return Err(format!("time: unknown unit {u:?} in duration {s:?}")),
        };
        rest = &rest[unit_end..];
        let whole: u128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().map_err(|_| err())?
        };
        let mut value = whole.checked_mul(unit).ok_or_else(err)?;
        if !frac_part.is_empty() {
            let mut scale: u128 = 1;
            let mut frac: u128 = 0;
            // Digits past the 20th change nothing at nanosecond precision (an hour is 3.6e12
            // ns), and 20 keep `frac * unit` far inside u128 whatever the input.
            for d in frac_part.bytes().take(20) {
                frac = frac * 10 + u128::from(d - b'0');
                scale *= 10;
            }
            value = value.checked_add(frac * unit / scale).ok_or_else(err)?;
        }
        total = total.checked_add(value).ok_or_else(err)?;
        if total > i64::MAX as u128 + u128::from(neg) {
            return Err(err());
        }
    }
    let total = total as i128;
    Ok((if neg { -total } else { total }) as i64)
}

fn url_arg(this: &Value) -> Result<&Url, ExecutionError> {
    match this {
        Value::Opaque(o) => o.downcast_ref::<Url>().ok_or_else(|| {
            ExecutionError::function_error("url", "receiver is not a URL (call url() first)")
        }),
        _ => Err(ExecutionError::function_error(
            "url",
            "receiver is not a URL (call url() first)",
        )),
    }
}

fn url(s: Arc<String>) -> ResolveResult {
    parse_request_uri(&s)
        .and_then(|_| parse_url(&s))
        .map(|u| Value::Opaque(Arc::new(u)))
        .map_err(|e| {
            ExecutionError::function_error(
                "url",
                format!("URL parse error during conversion from string: {e}"),
            )
        })
}

fn is_url(s: Arc<String>) -> bool {
    parse_request_uri(&s).is_ok()
}

fn get_scheme(This(this): This<Value>) -> ResolveResult {
    Ok(Value::from(url_arg(&this)?.scheme.clone()))
}

fn get_host(This(this): This<Value>) -> ResolveResult {
    Ok(Value::from(url_arg(&this)?.host.clone()))
}

fn get_hostname(This(this): This<Value>) -> ResolveResult {
    Ok(Value::from(url_arg(&this)?.hostname().to_string()))
}

fn get_port(This(this): This<Value>) -> ResolveResult {
    Ok(Value::from(url_arg(&this)?.port().to_string()))
}

fn get_escaped_path(This(this): This<Value>) -> ResolveResult {
    Ok(Value::from(url_arg(&this)?.raw_path.clone()))
}

fn get_query(This(this): This<Value>) -> ResolveResult {
    let mut map: HashMap<String, Vec<Value>> = HashMap::new();
    for (k, v) in url_arg(&this)?.query() {
        map.entry(k).or_default().push(Value::from(v));
    }
    let map: HashMap<String, Value> = map
        .into_iter()
        .map(|(k, v)| (k, Value::List(Arc::new(v))))
        .collect();
    Ok(Value::from(map))
}

/// `duration(string)` with Go's syntax, as a CEL duration.
fn go_duration(s: Arc<String>) -> ResolveResult {
    let nanos = parse_go_duration(&s).map_err(|e| ExecutionError::function_error("duration", e))?;
    Ok(Value::Duration(chrono::Duration::nanoseconds(nanos)))
}

/// The name the `duration` macro calls.
pub const GO_DURATION: &str = "__k8s_go_duration";

/// The functions of this library, by name (for the test that every rule's calls exist).
pub const FUNCTIONS: &[&str] = &[
    "url",
    "isURL",
    "getScheme",
    "getHost",
    "getHostname",
    "getPort",
    "getEscapedPath",
    "getQuery",
    GO_DURATION,
];

/// Adds the library to a root context.
pub fn register(ctx: &mut Context<'_, '_>) -> Result<(), cel::DeclarationError> {
    ctx.add_function("url", url)?;
    ctx.add_function("isURL", is_url)?;
    ctx.add_function("getScheme", get_scheme)?;
    ctx.add_function("getHost", get_host)?;
    ctx.add_function("getHostname", get_hostname)?;
    ctx.add_function("getPort", get_port)?;
    ctx.add_function("getEscapedPath", get_escaped_path)?;
    ctx.add_function("getQuery", get_query)?;
    ctx.add_function(GO_DURATION, go_duration)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_uris_as_go_reads_them() {
        let u = parse_request_uri("https://user@Example.com:8443/a%20b?x=1&x=2&y=a+b").unwrap();
        assert_eq!(u.scheme, "https");
        assert_eq!(u.host, "Example.com:8443");
        assert_eq!(u.hostname(), "Example.com");
        assert_eq!(u.port(), "8443");
        assert_eq!(u.raw_path, "/a%20b");
        assert_eq!(
            u.query(),
            vec![
                ("x".into(), "1".into()),
                ("x".into(), "2".into()),
                ("y".into(), "a b".into())
            ]
        );
        let v6 = parse_request_uri("http://[::1]:80/").unwrap();
        assert_eq!((v6.hostname(), v6.port()), ("::1", "80"));
        assert_eq!(parse_request_uri("/path").unwrap().scheme, "");
        assert_eq!(parse_request_uri("HTTP://x").unwrap().scheme, "http");
        assert_eq!(
            parse_request_uri("oci:repo/image").unwrap().opaque,
            "repo/image"
        );
        for bad in [
            "",
            "example.com/x",
            "ghcr.io/istio/wasm:1.0",
            ":x",
            "http://a b/",
            "http://h:8x/",
            "http://[::1/",
            "/a%zz",
            "a\nb",
        ] {
            assert!(parse_request_uri(bad).is_err(), "{bad:?} should not parse");
        }
        // A fragment is a fragment for url(), part of the path for ParseRequestURI.
        assert_eq!(parse_url("http://h/p#frag").unwrap().raw_path, "/p");
    }

    #[test]
    fn durations_as_go_reads_them() {
        assert_eq!(parse_go_duration("1h2m3.5s"), Ok(3_723_500_000_000));
        assert_eq!(parse_go_duration("1.5h"), Ok(5_400_000_000_000));
        assert_eq!(parse_go_duration(".5s"), Ok(500_000_000));
        assert_eq!(parse_go_duration("+5s"), Ok(5_000_000_000));
        assert_eq!(parse_go_duration("-1ms"), Ok(-1_000_000));
        assert_eq!(parse_go_duration("0"), Ok(0));
        assert_eq!(parse_go_duration("10µs"), Ok(10_000));
        assert_eq!(parse_go_duration("1us"), Ok(1_000));
        for bad in [
            "",
            "5",
            "1e3s",
            "1d",
            "1 s",
            "s",
            ".s",
            "-",
            "inf",
            "9999999999h",
        ] {
            assert!(parse_go_duration(bad).is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn hostile_escapes_and_fractions_are_errors_or_values_never_panics() {
        // An invalid escape followed by a multi-byte character.
        assert!(parse_url("http://h/%a\u{e9}").is_err());
        assert!(parse_request_uri("/%\u{e9}\u{e9}").is_err());
        // Thirty fractional digits of an hour.
        assert_eq!(
            parse_go_duration("1.999999999999999999999999999999h"),
            Ok(7_199_999_999_999)
        );
    }
}
