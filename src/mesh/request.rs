//! One concrete HTTP request, and whether (and why not) a route match condition takes it.
//!
//! [`HttpCondition`](crate::mesh::matching::HttpCondition) (from `matching.rs`) is the normalised
//! `HTTPMatchRequest`; this module evaluates it against a [`Request`] the way Envoy does once
//! Istio has translated it (`route.go` `TranslateRouteMatch`, `sourceMatchHTTP`): every field of
//! one match entry must hold (AND), `uri` is a raw prefix / exact / RE2 full match (case-folded
//! for prefix and exact with `ignoreUriCase`), header names are case-insensitive, `{}` means
//! "present", `withoutHeaders` must not match, query parameters compare the first occurrence,
//! and `port`, `sourceLabels`, `sourceNamespace` and `gateways` decide whether the route exists on
//! the proxy at all. The answer is either a match or the first condition that fails, in words,
//! for `simulate`'s trace.

use crate::mesh::GatewayRef;
use crate::mesh::matching::{HttpCondition, StrMatch};
use crate::model::Map;

/// A concrete request as the client sends it.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// `http` or `https`.
    pub scheme: String,
    /// The host of the URL, lower-cased, without port.
    pub host: String,
    /// The `:authority` header as sent (`host` or `host:port`, as written in the URL).
    pub authority: String,
    /// The port the client connects to.
    pub port: u32,
    /// Whether the URL named its port (`http://reviews:9080/`).
    pub explicit_port: bool,
    /// The path without query string; always starts with `/`.
    pub path: String,
    /// Query parameters in order.
    pub query: Vec<(String, String)>,
    pub method: String,
    /// Header name (lower-cased) → value.
    pub headers: Map<String>,
}

impl Request {
    /// Parses `http://host[:port]/path?query` (a missing scheme means `http`). Errors say what is
    /// wrong, for a usage error.
    pub fn parse_url(url: &str) -> Result<Request, String> {
        let url = url.trim();
        let (scheme, rest) = match url.split_once("://") {
            Some((s, rest)) => (s.to_ascii_lowercase(), rest),
            None => ("http".to_string(), url),
        };
        if scheme != "http" && scheme != "https" {
            return Err(format!(
                "unsupported scheme {scheme:?} in {url:?}: use http:// or https://"
            ));
        }
        let (authority, path_query) = match rest.find(['/', '?']) {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        if authority.is_empty() {
            return Err(format!(
                "no host in {url:?}: expected http://host[:port]/path"
            ));
        }
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) => {
                let port: u32 = p
                    .parse()
                    .ok()
                    .filter(|n| (1..=65535).contains(n))
                    .ok_or_else(|| format!("bad port {p:?} in {url:?}: expected 1-65535"))?;
                (h, Some(port))
            }
            _ => (authority, None),
        };
        if host.is_empty()
            || host
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '@')
        {
            return Err(format!("bad host {host:?} in {url:?}"));
        }
        let (path, query) = match path_query.split_once('?') {
            Some((p, q)) => (p, q),
            None => (path_query, ""),
        };
        let path = if path.is_empty() { "/" } else { path };
        let query = query
            .split('&')
            .filter(|kv| !kv.is_empty())
            .map(|kv| match kv.split_once('=') {
                Some((k, v)) => (k.to_string(), v.to_string()),
                None => (kv.to_string(), String::new()),
            })
            .collect();
        let default_port = if scheme == "https" { 443 } else { 80 };
        Ok(Request {
            host: host.to_ascii_lowercase(),
            authority: authority.to_ascii_lowercase(),
            port: port.unwrap_or(default_port),
            explicit_port: port.is_some(),
            path: path.to_string(),
            query,
            method: "GET".to_string(),
            headers: Map::new(),
            scheme,
        })
    }

    /// Adds a header (`name: value`); the name is lower-cased, a repeated name keeps the last.
    pub fn set_header(&mut self, name: &str, value: &str) {
        self.headers
            .insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
    }

    /// The path and query as sent (`/reviews/0?x=1`).
    pub fn path_and_query(&self) -> String {
        if self.query.is_empty() {
            return self.path.clone();
        }
        let q: Vec<String> = self
            .query
            .iter()
            .map(|(k, v)| {
                if v.is_empty() {
                    k.clone()
                } else {
                    format!("{k}={v}")
                }
            })
            .collect();
        format!("{}?{}", self.path, q.join("&"))
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The proxy that routes the request: its labels, namespace and the gateway it is (`Mesh` for a
/// sidecar). Route conditions on `port`, `sourceLabels`, `sourceNamespace` and `gateways` are
/// judged against it.
#[derive(Debug, Clone, Copy)]
pub struct Proxy<'a> {
    pub labels: &'a Map<String>,
    pub namespace: &'a str,
    pub gateway: &'a GatewayRef,
}

fn judge(m: &StrMatch, value: Option<&str>, ignore_case: bool, what: &str) -> Result<(), String> {
    match value {
        None => Err(format!("{what}: the request has none (needs {m})")),
        Some(v) if m.matches(v, ignore_case) => Ok(()),
        Some(v) => Err(format!("{what} is {v:?} (needs {m})")),
    }
}

/// Whether `cond` takes `req` on `proxy` (`None`: proxy-level conditions are not judged, as
/// istio-config-validator's test cases have no proxy). `Err` names the first condition that
/// fails.
pub fn check(cond: &HttpCondition, req: &Request, proxy: Option<Proxy<'_>>) -> Result<(), String> {
    if let Some(proxy) = proxy {
        if let Some(p) = cond.port
            && p != req.port
        {
            return Err(format!("port {} (needs port {p})", req.port));
        }
        if !cond.gateways.contains(proxy.gateway) {
            let gws: Vec<String> = cond.gateways.iter().map(ToString::to_string).collect();
            return Err(format!(
                "applies to gateways {} only, not {}",
                gws.join(","),
                proxy.gateway
            ));
        }
        for (k, v) in &cond.source_labels {
            if proxy.labels.get(k) != Some(v) {
                return Err(format!(
                    "source label {k}={v} needed; the client has {}",
                    proxy
                        .labels
                        .get(k)
                        .map_or("none".to_string(), |x| format!("{k}={x}"))
                ));
            }
        }
        if let Some(ns) = &cond.source_namespace
            && ns != proxy.namespace
        {
            return Err(format!(
                "source namespace is {} (needs {ns})",
                proxy.namespace
            ));
        }
    }
    if let Some(m) = &cond.uri {
        judge(m, Some(&req.path), cond.ignore_uri_case, "uri")?;
    }
    if let Some(m) = &cond.scheme {
        judge(m, Some(&req.scheme), false, "scheme")?;
    }
    if let Some(m) = &cond.method {
        judge(m, Some(&req.method), false, "method")?;
    }
    if let Some(m) = &cond.authority {
        judge(m, Some(&req.authority), false, "authority")?;
    }
    for (k, m) in &cond.headers {
        judge(m, req.header(k), false, &format!("header {k}"))?;
    }
    for (k, m) in &cond.without_headers {
        if let Some(v) = req.header(k)
            && m.matches(v, false)
        {
            return Err(format!("header {k} is {v:?} (must not be {m})"));
        }
    }
    for (k, m) in &cond.query_params {
        judge(
            m,
            req.query_param(k),
            false,
            &format!("query parameter {k}"),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mesh::matching::Pattern;

    fn req(url: &str) -> Request {
        Request::parse_url(url).unwrap()
    }

    #[test]
    fn parses_urls() {
        let r = req("http://reviews:9080/reviews/0?a=1&b");
        assert_eq!(
            (r.host.as_str(), r.port, r.explicit_port),
            ("reviews", 9080, true)
        );
        assert_eq!(r.path, "/reviews/0");
        assert_eq!(
            r.query,
            vec![("a".into(), "1".into()), ("b".into(), String::new())]
        );
        assert_eq!(r.path_and_query(), "/reviews/0?a=1&b");
        let r = req("https://Example.COM");
        assert_eq!(
            (r.host.as_str(), r.port, r.path.as_str()),
            ("example.com", 443, "/")
        );
        let r = req("reviews.default?x=y");
        assert_eq!(
            (r.scheme.as_str(), r.port, r.path.as_str()),
            ("http", 80, "/")
        );
        for bad in [
            "ftp://x/",
            "http:///x",
            "http://x:0/",
            "http://x:99999/",
            "http://a b/",
        ] {
            assert!(Request::parse_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn judges_each_condition_and_names_the_failing_one() {
        let mut r = req("http://reviews:9080/api/v1?user=jason");
        r.set_header("End-User", "jason");
        let mut cond = HttpCondition {
            uri: Some(StrMatch::Prefix("/API".into())),
            ..HttpCondition::default()
        };
        assert!(check(&cond, &r, None).unwrap_err().contains("uri"));
        cond.ignore_uri_case = true;
        assert!(check(&cond, &r, None).is_ok());
        cond.headers
            .insert("end-user".into(), StrMatch::Exact("jason".into()));
        cond.query_params
            .insert("user".into(), StrMatch::Regex(Pattern::new("j.*")));
        assert!(check(&cond, &r, None).is_ok());
        cond.without_headers
            .insert("end-user".into(), StrMatch::Present);
        assert!(check(&cond, &r, None).unwrap_err().contains("must not"));
        cond.without_headers = Map::new();
        cond.method = Some(StrMatch::Regex(Pattern::new("(GET|OPTIONS)")));
        assert!(check(&cond, &r, None).is_ok());
        r.method = "PUT".into();
        assert!(check(&cond, &r, None).unwrap_err().contains("method"));
    }

    #[test]
    fn proxy_conditions() {
        let r = req("http://reviews:9080/");
        let labels: Map<String> = [("app".to_string(), "web".to_string())]
            .into_iter()
            .collect();
        let proxy = Proxy {
            labels: &labels,
            namespace: "shop",
            gateway: &GatewayRef::Mesh,
        };
        let mut cond = HttpCondition::any(&[GatewayRef::Mesh]);
        assert!(check(&cond, &r, Some(proxy)).is_ok());
        cond.port = Some(80);
        assert!(check(&cond, &r, Some(proxy)).unwrap_err().contains("port"));
        assert!(check(&cond, &r, None).is_ok());
        cond.port = None;
        cond.source_namespace = Some("other".into());
        assert!(check(&cond, &r, Some(proxy)).is_err());
        cond.source_namespace = None;
        cond.source_labels.insert("app".into(), "api".into());
        assert!(
            check(&cond, &r, Some(proxy))
                .unwrap_err()
                .contains("source label")
        );
        let gw = GatewayRef::Named {
            namespace: "istio-system".into(),
            name: "gw".into(),
        };
        let cond = HttpCondition::any(&[gw]);
        assert!(
            check(&cond, &r, Some(proxy))
                .unwrap_err()
                .contains("gateways")
        );
    }
}
