//! AuthorizationPolicy conditions: matching one request ([`rule_matches`]) and whether one rule
//! matches every request another matches ([`rule_covers`], on `mesh::matching::str_covers`).

use super::{Action, Request, RuleMatch};
use crate::mesh::matching::{StrMatch, parse_net, str_covers};
use crate::model::node::Spanned;
use crate::model::security::{AuthzRule, Condition, Operation, Source};

type S = Spanned<String>;
/// How one pattern is compared with one value.
type Matcher = fn(&str, &str) -> bool;

/// Istio's string pattern: exact, `prefix*`, `*suffix`, or `*` (any present value).
pub fn str_match(pattern: &str, value: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    if let Some(prefix) = pattern.strip_suffix('*') {
        return value.starts_with(prefix);
    }
    if let Some(suffix) = pattern.strip_prefix('*') {
        return value.ends_with(suffix);
    }
    pattern == value
}

/// A path pattern: the string patterns, plus `{*}` (one segment) and `{**}` (any segments).
pub fn path_match(pattern: &str, path: &str) -> bool {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    if !pattern.contains('{') {
        return str_match(pattern, path);
    }
    let pat: Vec<&str> = pattern.split('/').collect();
    let segs: Vec<&str> = path.split('/').collect();
    segments_match(&pat, &segs)
}

fn segments_match(pat: &[&str], segs: &[&str]) -> bool {
    match pat.split_first() {
        None => segs.is_empty(),
        Some((&"{**}", rest)) => (1..=segs.len()).any(|n| segments_match(rest, &segs[n..])),
        Some((&p, rest)) => match segs.split_first() {
            Some((&s, srest)) => {
                (p == "{*}" && !s.is_empty() || p == s) && segments_match(rest, srest)
            }
            None => false,
        },
    }
}

fn host_match(pattern: &str, host: &str) -> bool {
    let (p, h) = (pattern.to_ascii_lowercase(), host.to_ascii_lowercase());
    if str_match(&p, &h) {
        return true;
    }
    // A pattern without port also matches the host with any port.
    match h.rsplit_once(':') {
        Some((bare, port)) if port.bytes().all(|b| b.is_ascii_digit()) => str_match(&p, bare),
        _ => false,
    }
}

fn ip_match(pattern: &str, ip: &str) -> bool {
    match (parse_net(pattern), ip.parse::<std::net::IpAddr>()) {
        (Some(net), Ok(addr)) => net.contains(&addr),
        _ => false,
    }
}

/// A positive list (`values`) and a negative one (`not`) on one attribute. An absent attribute
/// matches no positive value and is outside every negative one.
fn field(values: &[S], not: &[S], value: Option<&str>, m: Matcher) -> bool {
    if !values.is_empty() && !value.is_some_and(|v| values.iter().any(|p| m(&p.value, v))) {
        return false;
    }
    !value.is_some_and(|v| not.iter().any(|p| m(&p.value, v)))
}

fn principal_match(pattern: &str, principal: &str) -> bool {
    str_match(
        pattern.strip_prefix("spiffe://").unwrap_or(pattern),
        principal,
    )
}

fn sa_match(pattern: &str, ns_sa: &str) -> bool {
    if pattern.contains('/') {
        pattern == ns_sa
    } else {
        ns_sa.rsplit('/').next() == Some(pattern)
    }
}

fn port_match(pattern: &str, port: &str) -> bool {
    pattern == port
}

/// Whether a source uses HTTP-only fields.
fn source_http_only(s: &Source) -> bool {
    !s.request_principals.is_empty() || !s.not_request_principals.is_empty()
}

fn operation_http_only(o: &Operation) -> bool {
    !(o.hosts.is_empty()
        && o.not_hosts.is_empty()
        && o.methods.is_empty()
        && o.not_methods.is_empty()
        && o.paths.is_empty()
        && o.not_paths.is_empty())
}

/// Whether a `when` key reads an HTTP attribute.
pub fn key_http_only(key: &str) -> bool {
    key.starts_with("request.") || key.starts_with("experimental.")
}

/// The HTTP-only fields a rule uses, as `from.source.requestPrincipals`-style names.
pub fn http_only_fields(rule: &AuthzRule) -> Vec<&'static str> {
    let mut out = Vec::new();
    for f in &rule.from {
        if let Some(s) = &f.source {
            if !s.request_principals.is_empty() {
                out.push("requestPrincipals");
            }
            if !s.not_request_principals.is_empty() {
                out.push("notRequestPrincipals");
            }
        }
    }
    for t in &rule.to {
        if let Some(o) = &t.operation {
            for (name, list) in [
                ("hosts", &o.hosts),
                ("notHosts", &o.not_hosts),
                ("methods", &o.methods),
                ("notMethods", &o.not_methods),
                ("paths", &o.paths),
                ("notPaths", &o.not_paths),
            ] {
                if !list.is_empty() {
                    out.push(name);
                }
            }
        }
    }
    for c in &rule.when {
        if c.key.as_ref().is_some_and(|k| key_http_only(&k.value)) {
            out.push("when request.*");
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

pub fn rule_uses_http_only(rule: &AuthzRule) -> bool {
    rule.from
        .iter()
        .filter_map(|f| f.source.as_ref())
        .any(source_http_only)
        || rule
            .to
            .iter()
            .filter_map(|t| t.operation.as_ref())
            .any(operation_http_only)
        || rule
            .when
            .iter()
            .any(|c| c.key.as_ref().is_some_and(|k| key_http_only(&k.value)))
}

fn source_matches(s: &Source, req: &Request, http: bool) -> bool {
    let peer = req.peer.as_ref();
    let ns_sa = peer.map(|p| format!("{}/{}", p.namespace, p.service_account));
    field(
        &s.principals,
        &s.not_principals,
        peer.map(|p| p.principal.as_str()),
        principal_match,
    ) && field(
        &s.namespaces,
        &s.not_namespaces,
        peer.map(|p| p.namespace.as_str()),
        str_match,
    ) && field(
        &s.service_accounts,
        &s.not_service_accounts,
        ns_sa.as_deref(),
        sa_match,
    ) && field(
        &s.trust_domains,
        &s.not_trust_domains,
        peer.map(|p| p.trust_domain.as_str()),
        str_match,
    ) && field(
        &s.ip_blocks,
        &s.not_ip_blocks,
        req.source_ip.as_deref(),
        ip_match,
    ) && field(
        &s.remote_ip_blocks,
        &s.not_remote_ip_blocks,
        req.source_ip.as_deref(),
        ip_match,
    ) && (!http
        || field(
            &s.request_principals,
            &s.not_request_principals,
            req.request_principal.as_deref(),
            str_match,
        ))
}

fn operation_matches(o: &Operation, req: &Request, http: bool) -> bool {
    let port = req.port.map(|p| p.to_string());
    field(&o.ports, &o.not_ports, port.as_deref(), port_match)
        && (!http
            || field(&o.hosts, &o.not_hosts, req.host.as_deref(), host_match)
                && field(&o.methods, &o.not_methods, req.method.as_deref(), str_match)
                && field(&o.paths, &o.not_paths, req.path.as_deref(), path_match))
}

fn header<'r>(req: &'r Request, name: &str) -> Option<&'r str> {
    req.headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn condition_matches(c: &Condition, req: &Request, http: bool) -> bool {
    let Some(key) = c.key.as_ref().map(|k| k.value.as_str()) else {
        return false;
    };
    if !http && key_http_only(key) {
        return true;
    }
    let peer = req.peer.as_ref();
    let port = req.port.map(|p| p.to_string());
    let (value, m): (Option<&str>, Matcher) = if let Some(name) = key
        .strip_prefix("request.headers[")
        .and_then(|r| r.strip_suffix(']'))
    {
        (header(req, name), str_match)
    } else {
        match key {
            "source.ip" | "remote.ip" => (req.source_ip.as_deref(), ip_match),
            "source.namespace" => (peer.map(|p| p.namespace.as_str()), str_match),
            "source.principal" => (peer.map(|p| p.principal.as_str()), principal_match),
            "request.auth.principal" => (req.request_principal.as_deref(), str_match),
            "destination.port" => (port.as_deref(), port_match),
            _ => (None, str_match),
        }
    };
    field(&c.values, &c.not_values, value, m)
}

/// Whether a rule matches a request (module documentation of `authz` for the semantics).
pub fn rule_matches(rule: &AuthzRule, action: Action, req: &Request) -> RuleMatch {
    let http = req.http;
    if !http && matches!(action, Action::Allow | Action::Custom) && rule_uses_http_only(rule) {
        return RuleMatch::SkippedOnTcp;
    }
    let from = rule.from.is_empty()
        || rule.from.iter().any(|f| {
            f.source
                .as_ref()
                .is_none_or(|s| source_matches(s, req, http))
        });
    let to = rule.to.is_empty()
        || rule.to.iter().any(|t| {
            t.operation
                .as_ref()
                .is_none_or(|o| operation_matches(o, req, http))
        });
    let when = rule.when.iter().all(|c| condition_matches(c, req, http));
    if from && to && when {
        RuleMatch::Yes
    } else {
        RuleMatch::No
    }
}

// ---- subsumption -----------------------------------------------------------------------------

/// An Istio string pattern as a route `StringMatch`, for `str_covers`.
fn as_str_match(pattern: &str) -> StrMatch {
    if pattern == "*" {
        StrMatch::Present
    } else if pattern.contains('{') {
        StrMatch::Exact(pattern.to_string())
    } else if let Some(p) = pattern.strip_suffix('*') {
        StrMatch::Prefix(p.to_string())
    } else if let Some(s) = pattern.strip_prefix('*') {
        StrMatch::Regex(crate::mesh::matching::Pattern::new(&format!(
            ".*{}",
            regex::escape(s)
        )))
    } else {
        StrMatch::Exact(pattern.to_string())
    }
}

fn pattern_covers(a: &str, b: &str) -> bool {
    a == b || str_covers(&as_str_match(a), false, &as_str_match(b), false)
}

/// Every value `b`'s field lets through is let through by `a`'s (conservative).
fn field_covers(a_pos: &[S], a_not: &[S], b_pos: &[S], b_not: &[S]) -> bool {
    let pos = a_pos.is_empty()
        || (!b_pos.is_empty()
            && b_pos
                .iter()
                .all(|b| a_pos.iter().any(|a| pattern_covers(&a.value, &b.value))));
    let not = a_not.iter().all(|a| {
        b_not.iter().any(|b| pattern_covers(&b.value, &a.value))
            || (!b_pos.is_empty()
                && b_pos.iter().all(|b| {
                    // b's values are exact and none of them is excluded by `a`.
                    !b.value.contains('*') && !str_match(&a.value, &b.value)
                }))
    });
    pos && not
}

fn source_covers(a: &Source, b: &Source) -> bool {
    field_covers(
        &a.principals,
        &a.not_principals,
        &b.principals,
        &b.not_principals,
    ) && field_covers(
        &a.request_principals,
        &a.not_request_principals,
        &b.request_principals,
        &b.not_request_principals,
    ) && field_covers(
        &a.namespaces,
        &a.not_namespaces,
        &b.namespaces,
        &b.not_namespaces,
    ) && field_covers(
        &a.ip_blocks,
        &a.not_ip_blocks,
        &b.ip_blocks,
        &b.not_ip_blocks,
    ) && field_covers(
        &a.remote_ip_blocks,
        &a.not_remote_ip_blocks,
        &b.remote_ip_blocks,
        &b.not_remote_ip_blocks,
    ) && field_covers(
        &a.service_accounts,
        &a.not_service_accounts,
        &b.service_accounts,
        &b.not_service_accounts,
    ) && field_covers(
        &a.trust_domains,
        &a.not_trust_domains,
        &b.trust_domains,
        &b.not_trust_domains,
    )
}

fn operation_covers(a: &Operation, b: &Operation) -> bool {
    field_covers(&a.hosts, &a.not_hosts, &b.hosts, &b.not_hosts)
        && field_covers(&a.ports, &a.not_ports, &b.ports, &b.not_ports)
        && field_covers(&a.methods, &a.not_methods, &b.methods, &b.not_methods)
        && field_covers(&a.paths, &a.not_paths, &b.paths, &b.not_paths)
}

static EMPTY_SOURCE: std::sync::LazyLock<Source> = std::sync::LazyLock::new(Source::default);
static EMPTY_OPERATION: std::sync::LazyLock<Operation> =
    std::sync::LazyLock::new(Operation::default);

/// Whether every request rule `b` matches is matched by rule `a` (both on HTTP ports).
/// Conservative: `false` when unsure.
pub fn rule_covers(a: &AuthzRule, b: &AuthzRule) -> bool {
    fn sources(r: &AuthzRule) -> Vec<&Source> {
        if r.from.is_empty() {
            vec![&*EMPTY_SOURCE]
        } else {
            r.from
                .iter()
                .map(|f| f.source.as_ref().unwrap_or(&EMPTY_SOURCE))
                .collect()
        }
    }
    fn operations(r: &AuthzRule) -> Vec<&Operation> {
        if r.to.is_empty() {
            vec![&*EMPTY_OPERATION]
        } else {
            r.to.iter()
                .map(|t| t.operation.as_ref().unwrap_or(&EMPTY_OPERATION))
                .collect()
        }
    }
    let (a_src, b_src) = (sources(a), sources(b));
    let (a_op, b_op) = (operations(a), operations(b));
    b_src
        .iter()
        .all(|bs| a_src.iter().any(|as_| source_covers(as_, bs)))
        && b_op
            .iter()
            .all(|bo| a_op.iter().any(|ao| operation_covers(ao, bo)))
        && a.when.iter().all(|ac| {
            b.when.iter().any(|bc| {
                ac.key.as_ref().map(|k| &k.value) == bc.key.as_ref().map(|k| &k.value)
                    && field_covers(&ac.values, &ac.not_values, &bc.values, &bc.not_values)
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_patterns() {
        assert!(str_match("*", "x"));
        assert!(str_match("/api*", "/api/v1"));
        assert!(str_match("*.local", "a.local"));
        assert!(!str_match("GET", "get"));
        assert!(path_match("/users/{*}/profile", "/users/7/profile"));
        assert!(!path_match("/users/{*}/profile", "/users/7/8/profile"));
        assert!(path_match("/files/{**}", "/files/a/b"));
        assert!(!path_match("/files/{**}", "/files"));
        assert!(path_match("/a", "/a?x=1"));
        assert!(host_match("Example.com", "example.com:8080"));
        assert!(ip_match("10.0.0.0/8", "10.1.2.3"));
    }

    #[test]
    fn covers_uses_patterns() {
        assert!(pattern_covers("/api*", "/api/v1"));
        assert!(pattern_covers("*", "/x"));
        assert!(pattern_covers("*.local", "a.b.local"));
        assert!(!pattern_covers("/api/v1", "/api*"));
    }
}
