//! Route match conditions as Istio evaluates them, and whether one condition covers another.
//!
//! A VirtualService `http[].match[]` entry (an `HTTPMatchRequest`) becomes an [`HttpCondition`];
//! a `tcp[].match[]` or `tls[].match[]` entry becomes an [`L4Condition`]. Both are normalised the
//! way Istio translates them (`pilot/pkg/networking/core/route/route.go` `TranslateRouteMatch`,
//! `sourceMatchHTTP`; `core/tls.go` `matchTCP`/`matchTLS`):
//!
//! * fields inside one match are ANDed; the entries of a `match` list are ORed (each becomes its
//!   own Envoy route);
//! * `uri` is a raw string prefix/exact/RE2 full-match; `ignoreUriCase` makes prefix and exact
//!   case-insensitive (Envoy ignores it for regexes);
//! * `method`, `authority` and `scheme` are pseudo-headers; header names are case-insensitive;
//! * an empty `StringMatch` (`{}`) means "present with any value";
//! * `withoutHeaders` is an inverted header match: the request must not carry a matching value;
//! * `port`, `sourceLabels`, `sourceNamespace` and `gateways` decide whether the route exists on a
//!   given proxy at all. For HTTP, `match.gateways` replaces the source checks; an absent
//!   `match.gateways` means every gateway the VirtualService is bound to.
//!
//! The central question is [`HttpCondition::covers`]: *is every request that `other` matches also
//! matched by `self`?* Routes are tried in order, so an earlier route whose condition covers a later
//! one makes the later one unreachable. The answer is conservative: `true` only when it is certain
//! (regexes are analysed only in simple shapes: a literal, `.*`, or a literal followed by `.*`).
//!
//! [`HttpCondition::matches`] evaluates one concrete request, for `simulate`.
//!
//! [`delegate_conflict`] mirrors `pilot/pkg/model/virtualservice.go` `hasConflict`: a delegate
//! VirtualService's match must be a subset of its root route's match, or Istio drops the delegate
//! route.

use std::collections::BTreeSet;
use std::fmt;

use ipnet::IpNet;
use regex::Regex;

use crate::mesh::{GatewayRef, resolve_gateway_name};
use crate::model::Map;
use crate::model::networking::{HttpMatch, L4Match, StringMatch, TlsMatch};

/// A regular expression as written, with its compiled form (RE2 full match). `None` when it does
/// not compile; such a pattern never covers nor matches anything.
#[derive(Debug, Clone)]
pub struct Pattern {
    pub source: String,
    compiled: Option<Regex>,
}

impl Pattern {
    pub fn new(source: &str) -> Pattern {
        let compiled = regex::RegexBuilder::new(&format!("^(?:{source})$"))
            .size_limit(1 << 20)
            .build()
            .ok();
        Pattern {
            source: source.to_string(),
            compiled,
        }
    }

    pub fn is_match(&self, value: &str) -> bool {
        self.compiled.as_ref().is_some_and(|r| r.is_match(value))
    }

    /// Matches every string (`.*`), as Istio's catch-all check sees it.
    pub fn is_match_all(&self) -> bool {
        matches!(strip_anchors(&self.source), ".*")
    }
}

/// Why Istio's webhook rejects a `regex` string match, or `None` (`validation.go`
/// `validateStringMatchRegexp`: an empty regex, or one Go's RE2 `regexp.Compile` refuses, such as
/// `*` or `/api(`). Rust's `regex` crate implements the same syntax, without backreferences or
/// lookaround like RE2; only the first line of its error is kept.
pub fn regex_error(source: &str) -> Option<String> {
    if source.is_empty() {
        return Some("an empty regex".to_string());
    }
    let err = regex::RegexBuilder::new(source)
        .size_limit(1 << 20)
        .build()
        .err()?;
    let text = err.to_string();
    let reason = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .unwrap_or_else(|| text.lines().last().unwrap_or("does not compile"))
        .trim()
        .to_string();
    Some(reason)
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

/// One string condition (Istio `StringMatch`).
#[derive(Debug, Clone, PartialEq)]
pub enum StrMatch {
    /// `{}`: present, with any value.
    Present,
    Exact(String),
    Prefix(String),
    Regex(Pattern),
}

impl StrMatch {
    /// Reads a `StringMatch`; when several of `exact`/`prefix`/`regex` are written (invalid),
    /// the first of that order is used.
    pub fn from_model(m: &StringMatch) -> StrMatch {
        if let Some(e) = &m.exact {
            StrMatch::Exact(e.value.clone())
        } else if let Some(p) = &m.prefix {
            StrMatch::Prefix(p.value.clone())
        } else if let Some(r) = &m.regex {
            StrMatch::Regex(Pattern::new(&r.value))
        } else {
            StrMatch::Present
        }
    }

    /// Whether a present value matches. `ignore_case` applies to exact and prefix only.
    pub fn matches(&self, value: &str, ignore_case: bool) -> bool {
        match self {
            StrMatch::Present => true,
            StrMatch::Exact(x) => eq_case(value, x, ignore_case),
            StrMatch::Prefix(p) => starts_case(value, p, ignore_case),
            StrMatch::Regex(r) => r.is_match(value),
        }
    }

    /// Matches every value, including the empty one.
    fn matches_everything(&self) -> bool {
        match self {
            StrMatch::Present => true,
            StrMatch::Prefix(p) => p.is_empty(),
            StrMatch::Regex(r) => r.is_match_all(),
            StrMatch::Exact(_) => false,
        }
    }
}

impl fmt::Display for StrMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StrMatch::Present => f.write_str("present"),
            StrMatch::Exact(x) => write!(f, "exact {x:?}"),
            StrMatch::Prefix(p) => write!(f, "prefix {p:?}"),
            StrMatch::Regex(r) => write!(f, "regex {:?}", r.source),
        }
    }
}

fn eq_case(a: &str, b: &str, ignore_case: bool) -> bool {
    if ignore_case {
        a.to_lowercase() == b.to_lowercase()
    } else {
        a == b
    }
}

fn starts_case(s: &str, prefix: &str, ignore_case: bool) -> bool {
    if ignore_case {
        s.to_lowercase().starts_with(&prefix.to_lowercase())
    } else {
        s.starts_with(prefix)
    }
}

/// Text whose every case variant is itself (no letters that change with case).
fn caseless(s: &str) -> bool {
    s.chars()
        .all(|c| c.to_lowercase().eq(std::iter::once(c)) && c.to_uppercase().eq(std::iter::once(c)))
}

/// Whether every value `b` matches is matched by `a` (`b ⊆ a`). The `*_ic` flags are
/// `ignoreUriCase` (meaningful for exact and prefix only). Conservative: `false` when unsure.
pub fn str_covers(a: &StrMatch, a_ic: bool, b: &StrMatch, b_ic: bool) -> bool {
    if a.matches_everything() {
        return true;
    }
    let a_ic = a_ic && !matches!(a, StrMatch::Regex(_));
    let b_ic = b_ic && !matches!(b, StrMatch::Regex(_));
    // `a` compares case-sensitively but `b` accepts every case variant of its text: `a` can only
    // cover it when the text `a` compares has no case.
    let needs_caseless = b_ic && !a_ic;
    match (a, b) {
        (_, StrMatch::Present) => false,
        (StrMatch::Present, _) => true,
        (StrMatch::Exact(x), StrMatch::Exact(y)) => {
            eq_case(y, x, a_ic) && (!needs_caseless || caseless(x))
        }
        (StrMatch::Exact(x), StrMatch::Regex(r)) => {
            regex_full_literal(&r.source).is_some_and(|lit| eq_case(&lit, x, a_ic))
        }
        (StrMatch::Exact(_), StrMatch::Prefix(_)) => false,
        (StrMatch::Prefix(p), StrMatch::Exact(y) | StrMatch::Prefix(y)) => {
            starts_case(y, p, a_ic) && (!needs_caseless || caseless(p))
        }
        (StrMatch::Prefix(p), StrMatch::Regex(r)) => {
            starts_case(&regex_literal_prefix(&r.source), p, a_ic)
        }
        (StrMatch::Regex(r), StrMatch::Exact(y)) => r.is_match(y) && (!b_ic || caseless(y)),
        (StrMatch::Regex(r), StrMatch::Prefix(q)) => regex_prefix_then_any(&r.source)
            .is_some_and(|lit| q.starts_with(&lit) && (!b_ic || caseless(&lit))),
        (StrMatch::Regex(r), StrMatch::Regex(s)) => r.source == s.source,
    }
}

/// Whether no value can match both (conservative: `false` when unsure).
pub fn str_disjoint(a: &StrMatch, b: &StrMatch) -> bool {
    match (a, b) {
        (StrMatch::Exact(x), StrMatch::Exact(y)) => x != y,
        (StrMatch::Exact(x), StrMatch::Prefix(p)) | (StrMatch::Prefix(p), StrMatch::Exact(x)) => {
            !x.starts_with(p.as_str())
        }
        (StrMatch::Prefix(p), StrMatch::Prefix(q)) => {
            !p.starts_with(q.as_str()) && !q.starts_with(p.as_str())
        }
        (StrMatch::Exact(x), StrMatch::Regex(r)) | (StrMatch::Regex(r), StrMatch::Exact(x)) => {
            r.compiled.is_some() && !r.is_match(x)
        }
        _ => false,
    }
}

// ---- simple regex shapes ----------------------------------------------------------------------

fn strip_anchors(re: &str) -> &str {
    let re = re.strip_prefix('^').unwrap_or(re);
    match re.strip_suffix('$') {
        Some(r) if !r.ends_with('\\') => r,
        _ => re,
    }
}

/// Splits a regex into its leading literal text and the rest (starting at the first operator).
/// A literal character followed by a `*`, `?` or `{` quantifier is not part of the literal.
fn split_literal(re: &str) -> (String, &str) {
    let mut literal = String::new();
    let mut chars = re.char_indices().peekable();
    let mut rest_at = re.len();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => match chars.peek() {
                Some(&(_, n)) if n.is_ascii_punctuation() => {
                    literal.push(n);
                    chars.next();
                }
                _ => {
                    rest_at = i;
                    break;
                }
            },
            '.' | '[' | ']' | '(' | ')' | '{' | '}' | '*' | '+' | '?' | '|' | '^' | '$' => {
                rest_at = i;
                break;
            }
            c => literal.push(c),
        }
    }
    let rest = &re[rest_at..];
    if rest.starts_with(['*', '?', '{']) {
        literal.pop();
    }
    (literal, rest)
}

/// Text every match of the regex starts with ("" when unknown, e.g. with an alternation).
pub fn regex_literal_prefix(re: &str) -> String {
    if re.contains('|') {
        return String::new();
    }
    split_literal(re.strip_prefix('^').unwrap_or(re)).0
}

/// The one string a regex matches, when it is a plain literal.
fn regex_full_literal(re: &str) -> Option<String> {
    let (literal, rest) = split_literal(strip_anchors(re));
    rest.is_empty().then_some(literal)
}

/// `L` when the regex is `L.*`: it matches exactly the strings starting with the literal `L`.
fn regex_prefix_then_any(re: &str) -> Option<String> {
    let (literal, rest) = split_literal(strip_anchors(re));
    (rest == ".*").then_some(literal)
}

// ---- HTTP ---------------------------------------------------------------------------------------

/// One HTTP match entry, normalised.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HttpCondition {
    /// `None`: any path.
    pub uri: Option<StrMatch>,
    pub ignore_uri_case: bool,
    pub scheme: Option<StrMatch>,
    pub method: Option<StrMatch>,
    pub authority: Option<StrMatch>,
    /// Header name (lower-cased) → condition.
    pub headers: Map<StrMatch>,
    /// Header name (lower-cased) → values the request must not carry.
    pub without_headers: Map<StrMatch>,
    pub query_params: Map<StrMatch>,
    pub port: Option<u32>,
    pub source_labels: Map<String>,
    pub source_namespace: Option<String>,
    /// The proxies the condition applies to: `match.gateways` resolved, else the
    /// VirtualService's own gateways.
    pub gateways: BTreeSet<GatewayRef>,
    /// `match.gateways` was written (only then is it shown in descriptions).
    pub explicit_gateways: bool,
}

/// A concrete HTTP request seen by one proxy, for [`HttpCondition::matches`].
#[derive(Debug, Clone)]
pub struct HttpRequest<'a> {
    /// The path without the query string.
    pub path: &'a str,
    pub method: &'a str,
    /// The `Host`/`:authority` header.
    pub authority: &'a str,
    pub scheme: &'a str,
    /// Header name (lower-cased) → value.
    pub headers: &'a Map<String>,
    /// Query parameters in order (the first occurrence of a name is the one matched).
    pub query: &'a [(String, String)],
    /// The port the request arrived on (the listener port).
    pub port: u32,
    /// Labels and namespace of the proxy that routes the request (client sidecar or gateway).
    pub source_labels: &'a Map<String>,
    pub source_namespace: &'a str,
    /// The gateway the request is routed by (`Mesh` for sidecars).
    pub gateway: &'a GatewayRef,
}

impl HttpCondition {
    /// The condition of a route without `match`: every request, on every proxy the VirtualService
    /// is bound to.
    pub fn any(vs_gateways: &[GatewayRef]) -> HttpCondition {
        HttpCondition {
            gateways: vs_gateways.iter().cloned().collect(),
            ..HttpCondition::default()
        }
    }

    /// Normalises one `match` entry of a VirtualService in namespace `vs_ns` bound to `vs_gateways`.
    pub fn from_match(m: &HttpMatch, vs_ns: &str, vs_gateways: &[GatewayRef]) -> HttpCondition {
        let map = |m: &Map<StringMatch>, lower: bool| -> Map<StrMatch> {
            m.iter()
                .map(|(k, v)| {
                    (
                        if lower {
                            k.to_ascii_lowercase()
                        } else {
                            k.clone()
                        },
                        StrMatch::from_model(v),
                    )
                })
                .collect()
        };
        let explicit_gateways = !m.gateways.is_empty();
        let gateways = if explicit_gateways {
            m.gateways
                .iter()
                .map(|g| resolve_gateway_name(&g.value, vs_ns))
                .collect()
        } else {
            vs_gateways.iter().cloned().collect()
        };
        // `sourceMatchHTTP`: with `match.gateways`, source labels and namespace are not checked.
        let (source_labels, source_namespace) = if explicit_gateways {
            (Map::new(), None)
        } else {
            (
                m.source_labels.clone(),
                m.source_namespace.as_ref().map(|s| s.value.clone()),
            )
        };
        HttpCondition {
            uri: m.uri.as_deref().map(StrMatch::from_model),
            ignore_uri_case: m.ignore_uri_case.unwrap_or(false),
            scheme: m.scheme.as_deref().map(StrMatch::from_model),
            method: m.method.as_deref().map(StrMatch::from_model),
            authority: m.authority.as_deref().map(StrMatch::from_model),
            headers: map(&m.headers, true),
            without_headers: map(&m.without_headers, true),
            query_params: map(&m.query_params, false),
            port: m.port.as_ref().map(|p| p.value),
            source_labels,
            source_namespace,
            gateways,
            explicit_gateways,
        }
    }

    /// Envoy's `IsCatchAllRoute`: any path (prefix `/` or regex `.*`) and no header, pseudo-header
    /// or query condition. Port and source conditions only decide on which proxies it exists.
    pub fn is_catch_all(&self) -> bool {
        let any_path = match &self.uri {
            None => true,
            Some(StrMatch::Prefix(p)) => p == "/" || p.is_empty(),
            Some(StrMatch::Regex(r)) => r.is_match_all(),
            Some(_) => false,
        };
        any_path
            && self.scheme.is_none()
            && self.method.is_none()
            && self.authority.is_none()
            && self.headers.is_empty()
            && self.without_headers.is_empty()
            && self.query_params.is_empty()
    }

    /// Whether every request `other` matches is also matched by `self` (conservative).
    pub fn covers(&self, other: &HttpCondition) -> bool {
        let uri_ok = match (&self.uri, &other.uri) {
            (None, _) => true,
            // Every request path starts with `/`: a `/` prefix takes them all.
            (Some(a), None) => {
                a.matches_everything() || matches!(a, StrMatch::Prefix(p) if p == "/")
            }
            (Some(a), Some(b)) => {
                (matches!(a, StrMatch::Prefix(p) if p == "/") && !matches!(b, StrMatch::Present))
                    || str_covers(a, self.ignore_uri_case, b, other.ignore_uri_case)
            }
        };
        let single = |a: &Option<StrMatch>, b: &Option<StrMatch>| match (a, b) {
            (None, _) => true,
            // Pseudo-headers are always present, so `{}` and `.*` take every request.
            (Some(a), None) => a.matches_everything(),
            (Some(a), Some(b)) => str_covers(a, false, b, false),
        };
        let all_of = |mine: &Map<StrMatch>, theirs: &Map<StrMatch>| {
            mine.iter().all(|(k, a)| {
                theirs
                    .get(k)
                    .is_some_and(|b| str_covers(a, false, b, false))
            })
        };
        uri_ok
            && single(&self.scheme, &other.scheme)
            && single(&self.method, &other.method)
            && single(&self.authority, &other.authority)
            && all_of(&self.headers, &other.headers)
            && all_of(&self.query_params, &other.query_params)
            && self.without_headers.iter().all(|(k, a)| {
                // `other` must exclude at least these values, or require a value outside them.
                other
                    .without_headers
                    .get(k)
                    .is_some_and(|b| str_covers(b, false, a, false))
                    || other.headers.get(k).is_some_and(|b| str_disjoint(a, b))
            })
            && self.port.is_none_or(|p| other.port == Some(p))
            && self
                .source_labels
                .iter()
                .all(|(k, v)| other.source_labels.get(k) == Some(v))
            && self
                .source_namespace
                .as_ref()
                .is_none_or(|n| other.source_namespace.as_ref() == Some(n))
            && other.gateways.is_subset(&self.gateways)
    }

    /// Whether the two conditions match exactly the same requests (as far as can be told).
    pub fn equivalent(&self, other: &HttpCondition) -> bool {
        self.covers(other) && other.covers(self)
    }

    /// Evaluates one request.
    pub fn matches(&self, req: &HttpRequest<'_>) -> bool {
        let header = |name: &str| req.headers.get(name).map(String::as_str);
        let query = |name: &str| {
            req.query
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let one =
            |m: &Option<StrMatch>, value: &str| m.as_ref().is_none_or(|m| m.matches(value, false));
        self.port.is_none_or(|p| p == req.port)
            && self.gateways.contains(req.gateway)
            && self
                .source_labels
                .iter()
                .all(|(k, v)| req.source_labels.get(k) == Some(v))
            && self
                .source_namespace
                .as_deref()
                .is_none_or(|n| n == req.source_namespace)
            && self
                .uri
                .as_ref()
                .is_none_or(|m| m.matches(req.path, self.ignore_uri_case))
            && one(&self.scheme, req.scheme)
            && one(&self.method, req.method)
            && one(&self.authority, req.authority)
            && self
                .headers
                .iter()
                .all(|(k, m)| header(k).is_some_and(|v| m.matches(v, false)))
            && self
                .without_headers
                .iter()
                .all(|(k, m)| !header(k).is_some_and(|v| m.matches(v, false)))
            && self
                .query_params
                .iter()
                .all(|(k, m)| query(k).is_some_and(|v| m.matches(v, false)))
    }
}

impl fmt::Display for HttpCondition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        if let Some(uri) = &self.uri {
            let ic = if self.ignore_uri_case && !matches!(uri, StrMatch::Regex(_)) {
                " (any case)"
            } else {
                ""
            };
            parts.push(format!("uri {uri}{ic}"));
        }
        for (name, m) in [
            ("scheme", &self.scheme),
            ("method", &self.method),
            ("authority", &self.authority),
        ] {
            if let Some(m) = m {
                parts.push(format!("{name} {m}"));
            }
        }
        parts.extend(self.headers.iter().map(|(k, m)| format!("header {k} {m}")));
        parts.extend(
            self.without_headers
                .iter()
                .map(|(k, m)| format!("without header {k} {m}")),
        );
        parts.extend(
            self.query_params
                .iter()
                .map(|(k, m)| format!("query {k} {m}")),
        );
        if let Some(p) = self.port {
            parts.push(format!("port {p}"));
        }
        describe_source(
            parts,
            &self.source_labels,
            self.source_namespace.as_deref(),
            self.explicit_gateways.then_some(&self.gateways),
            "every request",
            f,
        )
    }
}

/// The source conditions every route kind shares, after the kind's own parts; `whole` when there
/// is no condition at all.
fn describe_source(
    mut parts: Vec<String>,
    source_labels: &Map<String>,
    source_namespace: Option<&str>,
    gateways: Option<&BTreeSet<GatewayRef>>,
    whole: &str,
    f: &mut fmt::Formatter<'_>,
) -> fmt::Result {
    if !source_labels.is_empty() {
        let labels: Vec<String> = source_labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        parts.push(format!("source labels {}", labels.join(",")));
    }
    if let Some(ns) = source_namespace {
        parts.push(format!("source namespace {ns}"));
    }
    if let Some(gateways) = gateways {
        let gws: Vec<String> = gateways.iter().map(ToString::to_string).collect();
        parts.push(format!("gateways {}", gws.join(",")));
    }
    if parts.is_empty() {
        f.write_str(whole)
    } else {
        f.write_str(&parts.join(", "))
    }
}

// ---- TCP and TLS --------------------------------------------------------------------------------

/// One `tcp[].match[]` or `tls[].match[]` entry, normalised. An absent list means "any".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct L4Condition {
    /// TLS SNI hosts, lower-cased (may be wildcards).
    pub sni_hosts: Vec<String>,
    /// Destination IPs or CIDRs as written.
    pub destination_subnets: Vec<String>,
    pub port: Option<u32>,
    /// TCP only.
    pub source_subnet: Option<String>,
    pub source_labels: Map<String>,
    pub source_namespace: Option<String>,
    pub gateways: BTreeSet<GatewayRef>,
    pub explicit_gateways: bool,
}

impl L4Condition {
    /// The condition of a route without `match`.
    pub fn any(vs_gateways: &[GatewayRef]) -> L4Condition {
        L4Condition {
            gateways: vs_gateways.iter().cloned().collect(),
            ..L4Condition::default()
        }
    }

    fn gateways(
        written: &[crate::model::Spanned<String>],
        vs_ns: &str,
        vs_gateways: &[GatewayRef],
    ) -> BTreeSet<GatewayRef> {
        if written.is_empty() {
            vs_gateways.iter().cloned().collect()
        } else {
            written
                .iter()
                .map(|g| resolve_gateway_name(&g.value, vs_ns))
                .collect()
        }
    }

    pub fn from_tcp(m: &L4Match, vs_ns: &str, vs_gateways: &[GatewayRef]) -> L4Condition {
        L4Condition {
            sni_hosts: Vec::new(),
            destination_subnets: m
                .destination_subnets
                .iter()
                .map(|s| s.value.clone())
                .collect(),
            port: m.port.as_ref().map(|p| p.value),
            source_subnet: m.source_subnet.as_ref().map(|s| s.value.clone()),
            source_labels: m.source_labels.clone(),
            source_namespace: m.source_namespace.as_ref().map(|s| s.value.clone()),
            gateways: Self::gateways(&m.gateways, vs_ns, vs_gateways),
            explicit_gateways: !m.gateways.is_empty(),
        }
    }

    pub fn from_tls(m: &TlsMatch, vs_ns: &str, vs_gateways: &[GatewayRef]) -> L4Condition {
        L4Condition {
            sni_hosts: m
                .sni_hosts
                .iter()
                .map(|s| s.value.to_ascii_lowercase())
                .collect(),
            destination_subnets: m
                .destination_subnets
                .iter()
                .map(|s| s.value.clone())
                .collect(),
            port: m.port.as_ref().map(|p| p.value),
            source_subnet: None,
            source_labels: m.source_labels.clone(),
            source_namespace: m.source_namespace.as_ref().map(|s| s.value.clone()),
            gateways: Self::gateways(&m.gateways, vs_ns, vs_gateways),
            explicit_gateways: !m.gateways.is_empty(),
        }
    }

    /// Whether every connection `other` matches is also matched by `self` (conservative).
    pub fn covers(&self, other: &L4Condition) -> bool {
        // SNI hosts are not tried in order: each `tls` route is its own filter chain, and Envoy
        // picks the chain whose server name is the most specific match (`core/tls.go`
        // `buildSidecarOutboundTLSFilterChainOpts`; Envoy filter chain matching: exact server
        // name before wildcard, any name last). An earlier route therefore takes only the SNI
        // names it lists literally; `*.example.com` first does not shadow `api.example.com`.
        let sni_ok = other
            .sni_hosts
            .iter()
            .all(|b| self.sni_hosts.iter().any(|a| a == b))
            && (self.sni_hosts.is_empty() == other.sni_hosts.is_empty());
        let subnets_ok = self.destination_subnets.is_empty()
            || (!other.destination_subnets.is_empty()
                && other
                    .destination_subnets
                    .iter()
                    .all(|b| self.destination_subnets.iter().any(|a| net_contains(a, b))));
        let source_ok = match (&self.source_subnet, &other.source_subnet) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(a), Some(b)) => net_contains(a, b),
        };
        sni_ok
            && subnets_ok
            && source_ok
            && self.port.is_none_or(|p| other.port == Some(p))
            && self
                .source_labels
                .iter()
                .all(|(k, v)| other.source_labels.get(k) == Some(v))
            && self
                .source_namespace
                .as_ref()
                .is_none_or(|n| other.source_namespace.as_ref() == Some(n))
            && other.gateways.is_subset(&self.gateways)
    }
}

impl fmt::Display for L4Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        if !self.sni_hosts.is_empty() {
            parts.push(format!("sniHosts {}", self.sni_hosts.join(",")));
        }
        if !self.destination_subnets.is_empty() {
            parts.push(format!(
                "destinationSubnets {}",
                self.destination_subnets.join(",")
            ));
        }
        if let Some(p) = self.port {
            parts.push(format!("port {p}"));
        }
        if let Some(s) = &self.source_subnet {
            parts.push(format!("sourceSubnet {s}"));
        }
        describe_source(
            parts,
            &self.source_labels,
            self.source_namespace.as_deref(),
            self.explicit_gateways.then_some(&self.gateways),
            "every connection",
            f,
        )
    }
}

/// An IP or CIDR as written (`10.0.0.1` is `10.0.0.1/32`).
pub fn parse_net(s: &str) -> Option<IpNet> {
    s.parse::<IpNet>()
        .ok()
        .or_else(|| s.parse::<std::net::IpAddr>().ok().map(IpNet::from))
}

/// Whether subnet `b` lies inside subnet `a` (text equality when either does not parse).
fn net_contains(a: &str, b: &str) -> bool {
    match (parse_net(a), parse_net(b)) {
        (Some(a), Some(b)) => a.contains(&b),
        _ => a == b,
    }
}

// ---- delegates ----------------------------------------------------------------------------------

/// Why a delegate VirtualService's match `leaf` conflicts with its root route's match `root`
/// (Istio's `hasConflict`), or `None` when the leaf can merge under the root. A conflicting
/// delegate match cannot be merged; a delegate route none of whose matches merges with some root
/// match is dropped.
pub fn delegate_conflict(root: &HttpMatch, leaf: &HttpMatch) -> Option<String> {
    delegate_conflict_in(root, "", leaf, "")
}

/// `delegate_conflict` with the namespaces of the root and the delegate VirtualService: each
/// one's `match.gateways` resolve against its own namespace before they are compared
/// (`resolveVirtualServiceShortnames` runs before `mergeVirtualServices`), so `public` in a root
/// in `shop` and `public` in a delegate in `products` are different gateways.
pub fn delegate_conflict_in(
    root: &HttpMatch,
    root_ns: &str,
    leaf: &HttpMatch,
    leaf_ns: &str,
) -> Option<String> {
    let fields: [(&str, Option<&StringMatch>, Option<&StringMatch>); 4] = [
        ("uri", root.uri.as_deref(), leaf.uri.as_deref()),
        ("scheme", root.scheme.as_deref(), leaf.scheme.as_deref()),
        ("method", root.method.as_deref(), leaf.method.as_deref()),
        (
            "authority",
            root.authority.as_deref(),
            leaf.authority.as_deref(),
        ),
    ];
    for (name, r, l) in fields {
        if let Some(why) = string_match_conflict(r, l) {
            return Some(format!("{name}: {why}"));
        }
    }
    let keyed = [
        ("header", &root.headers, &leaf.headers),
        (
            "withoutHeaders",
            &root.without_headers,
            &leaf.without_headers,
        ),
        ("query parameter", &root.query_params, &leaf.query_params),
    ];
    for (what, r, l) in keyed {
        for (key, leaf_match) in l {
            if let Some(why) = string_match_conflict(r.get(key), Some(leaf_match)) {
                return Some(format!("{what} {key}: {why}"));
            }
        }
    }
    let (ric, lic) = (
        root.ignore_uri_case.unwrap_or(false),
        leaf.ignore_uri_case.unwrap_or(false),
    );
    if ric != lic {
        return Some(format!("ignoreUriCase is {lic} here but {ric} on the root"));
    }
    if let (Some(r), Some(l)) = (&root.port, &leaf.port)
        && r.value != l.value
        && r.value > 0
        && l.value > 0
    {
        return Some(format!(
            "port {} differs from the root's port {}",
            l.value, r.value
        ));
    }
    if let Some(r) = root
        .source_namespace
        .as_ref()
        .filter(|r| !r.value.is_empty())
        && leaf.source_namespace.as_ref().map(|l| &l.value) != Some(&r.value)
    {
        return Some(format!("the root requires sourceNamespace {:?}", r.value));
    }
    for (key, value) in &leaf.source_labels {
        if let Some(rv) = root.source_labels.get(key)
            && rv != value
        {
            return Some(format!(
                "sourceLabels {key}={value} differs from the root's {key}={rv}"
            ));
        }
    }
    if !root.gateways.is_empty() && !leaf.gateways.is_empty() {
        let rootset: BTreeSet<GatewayRef> = root
            .gateways
            .iter()
            .map(|g| resolve_gateway_name(&g.value, root_ns))
            .collect();
        if let Some((extra, resolved)) = leaf
            .gateways
            .iter()
            .map(|g| (g, resolve_gateway_name(&g.value, leaf_ns)))
            .find(|(_, r)| !rootset.contains(r))
        {
            let same_name = root.gateways.iter().any(|g| g.value == extra.value);
            return Some(if same_name && root_ns != leaf_ns {
                format!(
                    "gateway {:?} resolves against the delegate's namespace to {resolved}, which is not among the root's gateways (resolved against namespace {root_ns})",
                    extra.value
                )
            } else {
                format!("gateway {:?} is not among the root's gateways", extra.value)
            });
        }
        if root.gateways.len() < leaf.gateways.len() {
            return Some("it lists more gateways than the root".to_string());
        }
    }
    None
}

fn text(o: &Option<crate::model::Spanned<String>>) -> &str {
    o.as_ref().map_or("", |s| s.value.as_str())
}

/// `stringMatchConflict`: the leaf must narrow the root. Both absent or either absent: no conflict.
fn string_match_conflict(root: Option<&StringMatch>, leaf: Option<&StringMatch>) -> Option<String> {
    let (root, leaf) = (root?, leaf?);
    let (r_exact, r_prefix, r_regex) = (text(&root.exact), text(&root.prefix), text(&root.regex));
    let (l_exact, l_prefix, l_regex) = (text(&leaf.exact), text(&leaf.prefix), text(&leaf.regex));
    let show = StrMatch::from_model;
    if !r_regex.is_empty() && (!l_regex.is_empty() || !l_prefix.is_empty() || !l_exact.is_empty()) {
        return Some(format!(
            "the root uses regex {r_regex:?}, so the delegate may not match on it again"
        ));
    }
    if !l_regex.is_empty() && (!r_regex.is_empty() || !r_prefix.is_empty() || !r_exact.is_empty()) {
        return Some(format!(
            "regex {l_regex:?} cannot narrow the root's {}",
            show(root)
        ));
    }
    if !r_exact.is_empty() {
        if !l_prefix.is_empty() {
            return Some(format!(
                "prefix {l_prefix:?} is wider than the root's exact {r_exact:?}"
            ));
        }
        if l_exact != r_exact {
            return Some(format!(
                "{} is not the root's exact {r_exact:?}",
                show(leaf)
            ));
        }
        return None;
    }
    if !r_prefix.is_empty() {
        if !l_prefix.is_empty() {
            return (!l_prefix.starts_with(r_prefix)).then(|| {
                format!("prefix {l_prefix:?} is not inside the root's prefix {r_prefix:?}")
            });
        }
        if !l_exact.is_empty() {
            return (!l_exact.starts_with(r_prefix)).then(|| {
                format!("exact {l_exact:?} is not inside the root's prefix {r_prefix:?}")
            });
        }
    }
    Some(format!(
        "{} cannot narrow the root's {}",
        show(leaf),
        show(root)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> StrMatch {
        match x.split_once(':') {
            Some(("exact", v)) => StrMatch::Exact(v.into()),
            Some(("prefix", v)) => StrMatch::Prefix(v.into()),
            Some(("regex", v)) => StrMatch::Regex(Pattern::new(v)),
            _ => StrMatch::Present,
        }
    }

    fn uri(x: &str) -> HttpCondition {
        HttpCondition {
            uri: Some(s(x)),
            gateways: [GatewayRef::Mesh].into(),
            ..Default::default()
        }
    }

    fn mesh() -> Vec<GatewayRef> {
        vec![GatewayRef::Mesh]
    }

    #[test]
    fn prefix_exact_and_regex_subsumption() {
        assert!(str_covers(
            &s("prefix:/api"),
            false,
            &s("exact:/api/v1"),
            false
        ));
        assert!(
            str_covers(&s("prefix:/api"), false, &s("prefix:/apis"), false),
            "prefixes are raw strings"
        );
        assert!(!str_covers(
            &s("prefix:/api/"),
            false,
            &s("prefix:/api"),
            false
        ));
        assert!(!str_covers(
            &s("exact:/api"),
            false,
            &s("prefix:/api"),
            false
        ));
        assert!(str_covers(&s("exact:/api"), false, &s("exact:/api"), false));
        assert!(str_covers(&s("regex:.*"), false, &s("prefix:/x"), false));
        assert!(str_covers(
            &s("regex:/api/v[0-9]+"),
            false,
            &s("exact:/api/v2"),
            false
        ));
        assert!(!str_covers(
            &s("regex:/api/v[0-9]+"),
            false,
            &s("exact:/api/vx"),
            false
        ));
        assert!(str_covers(
            &s("regex:/api/.*"),
            false,
            &s("prefix:/api/users"),
            false
        ));
        assert!(!str_covers(
            &s("regex:/api/.*"),
            false,
            &s("prefix:/ap"),
            false
        ));
        assert!(str_covers(
            &s("prefix:/api"),
            false,
            &s("regex:/api/v[0-9]+"),
            false
        ));
        assert!(
            !str_covers(&s("prefix:/api"), false, &s("regex:/api|/other"), false),
            "alternation has no prefix"
        );
        assert!(
            !str_covers(&s("prefix:/ab"), false, &s("regex:/ab?c"), false),
            "optional last char"
        );
        assert!(str_covers(
            &s("exact:/a.b"),
            false,
            &s("regex:/a\\.b"),
            false
        ));
        assert!(str_covers(&s("present"), false, &s("exact:x"), false));
        assert!(!str_covers(&s("exact:x"), false, &s("present"), false));
        assert!(
            !str_covers(&s("regex:(/a"), false, &s("exact:/a"), false),
            "bad regexes cover nothing"
        );
    }

    #[test]
    fn ignore_uri_case() {
        assert!(str_covers(
            &s("prefix:/API"),
            true,
            &s("exact:/api/v1"),
            false
        ));
        assert!(
            !str_covers(&s("prefix:/api"), false, &s("exact:/api/v1"), true),
            "/API/V1 escapes"
        );
        assert!(
            str_covers(&s("prefix:/"), false, &s("exact:/api"), true),
            "no letters in /"
        );
        assert!(str_covers(
            &s("prefix:/api"),
            true,
            &s("prefix:/API/x"),
            true
        ));
    }

    #[test]
    fn disjointness() {
        assert!(str_disjoint(&s("exact:a"), &s("exact:b")));
        assert!(!str_disjoint(&s("exact:ab"), &s("prefix:a")));
        assert!(str_disjoint(&s("prefix:ab"), &s("prefix:ac")));
        assert!(str_disjoint(&s("regex:[0-9]+"), &s("exact:x")));
        assert!(!str_disjoint(&s("regex:.*"), &s("prefix:x")));
    }

    #[test]
    fn catch_all_covers_everything_on_its_proxies() {
        let any = HttpCondition::any(&mesh());
        let slash = uri("prefix:/");
        let specific = HttpCondition {
            headers: Map::from_iter([("end-user".into(), s("exact:jason"))]),
            ..uri("exact:/reviews/0")
        };
        assert!(any.covers(&specific) && slash.covers(&specific) && slash.covers(&any));
        assert!(slash.is_catch_all() && any.is_catch_all() && !specific.is_catch_all());
        assert!(!specific.covers(&any));
        // Port-specific catch-alls cover only that port.
        let on_8080 = HttpCondition {
            port: Some(8080),
            ..slash.clone()
        };
        assert!(!on_8080.covers(&specific));
        assert!(on_8080.covers(&HttpCondition {
            port: Some(8080),
            ..specific.clone()
        }));
    }

    #[test]
    fn every_condition_of_the_earlier_match_must_be_implied() {
        let earlier = HttpCondition {
            headers: Map::from_iter([("x-user".into(), s("prefix:a"))]),
            method: Some(s("exact:GET")),
            ..uri("prefix:/api")
        };
        let later = HttpCondition {
            headers: Map::from_iter([
                ("x-user".into(), s("exact:alice")),
                ("x-other".into(), s("present")),
            ]),
            method: Some(s("exact:GET")),
            ..uri("exact:/api/v1")
        };
        assert!(earlier.covers(&later));
        let no_method = HttpCondition {
            method: None,
            ..later.clone()
        };
        assert!(
            !earlier.covers(&no_method),
            "the later route also takes POST"
        );
        let no_header = HttpCondition {
            headers: Map::new(),
            ..later.clone()
        };
        assert!(!earlier.covers(&no_header));
        // withoutHeaders: implied by a wider exclusion or by a disjoint required value.
        let without = HttpCondition {
            without_headers: Map::from_iter([("x-user".into(), s("exact:bob"))]),
            ..uri("prefix:/")
        };
        assert!(without.covers(&later), "alice is not bob");
        assert!(!without.covers(&uri("prefix:/a")));
        let wider = HttpCondition {
            without_headers: Map::from_iter([("x-user".into(), s("prefix:b"))]),
            ..uri("prefix:/a")
        };
        assert!(without.covers(&wider));
    }

    #[test]
    fn source_and_gateway_conditions() {
        let gw = GatewayRef::Named {
            namespace: "istio-system".into(),
            name: "ingress".into(),
        };
        let both = [GatewayRef::Mesh, gw.clone()];
        let on_gateway = HttpCondition {
            gateways: [gw.clone()].into(),
            explicit_gateways: true,
            ..uri("prefix:/")
        };
        let everywhere = HttpCondition {
            gateways: both.iter().cloned().collect(),
            ..uri("exact:/x")
        };
        assert!(
            !on_gateway.covers(&everywhere),
            "the later route still serves sidecars"
        );
        let later_on_gateway = HttpCondition {
            gateways: [gw].into(),
            ..uri("exact:/x")
        };
        assert!(on_gateway.covers(&later_on_gateway));
        let labelled = HttpCondition {
            source_labels: Map::from_iter([("app".into(), "a".into())]),
            ..uri("prefix:/")
        };
        assert!(!labelled.covers(&uri("exact:/x")));
        assert!(labelled.covers(&HttpCondition {
            source_labels: Map::from_iter([("app".into(), "a".into()), ("v".into(), "1".into())]),
            ..uri("exact:/x")
        }));
    }

    #[test]
    fn request_evaluation() {
        let headers: Map<String> = Map::from_iter([("end-user".to_string(), "jason".to_string())]);
        let labels = Map::new();
        let req = HttpRequest {
            path: "/reviews/0",
            method: "GET",
            authority: "reviews:9080",
            scheme: "http",
            headers: &headers,
            query: &[("v".into(), "2".into())],
            port: 9080,
            source_labels: &labels,
            source_namespace: "default",
            gateway: &GatewayRef::Mesh,
        };
        let c = HttpCondition {
            headers: Map::from_iter([("end-user".into(), s("exact:jason"))]),
            query_params: Map::from_iter([("v".into(), s("regex:[0-9]"))]),
            ..uri("prefix:/reviews")
        };
        assert!(c.matches(&req));
        assert!(
            !HttpCondition {
                port: Some(80),
                ..c.clone()
            }
            .matches(&req)
        );
        assert!(
            !HttpCondition {
                without_headers: Map::from_iter([("end-user".into(), s("present"))]),
                ..c.clone()
            }
            .matches(&req)
        );
        assert!(
            HttpCondition {
                uri: Some(s("exact:/REVIEWS/0")),
                ignore_uri_case: true,
                ..c.clone()
            }
            .matches(&req)
        );
        assert!(
            !HttpCondition {
                headers: Map::from_iter([("x".into(), s("present"))]),
                ..c
            }
            .matches(&req)
        );
    }

    #[test]
    fn l4_subsumption() {
        let a = L4Condition {
            destination_subnets: vec!["10.0.0.0/8".into()],
            ..L4Condition::any(&mesh())
        };
        let b = L4Condition {
            destination_subnets: vec!["10.1.2.3".into()],
            port: Some(80),
            ..L4Condition::any(&mesh())
        };
        assert!(a.covers(&b) && !b.covers(&a));
        let sni = L4Condition {
            sni_hosts: vec!["*.example.com".into()],
            ..L4Condition::any(&mesh())
        };
        let api = L4Condition {
            sni_hosts: vec!["api.example.com".into()],
            ..L4Condition::any(&mesh())
        };
        // Class 5 of issue #11: SNI routes are filter chains, matched most specific first
        // (`core/tls.go`): a wildcard does not shadow an exact name, only the same name does.
        assert!(!sni.covers(&api) && !api.covers(&sni));
        assert!(!L4Condition::any(&mesh()).covers(&api));
        assert!(api.covers(&api.clone()));
    }

    fn http_match(yaml_like: &[(&str, &str)]) -> HttpMatch {
        let mut m = HttpMatch::default();
        for (field, value) in yaml_like {
            let sm = |v: &str| {
                let mut out = StringMatch::default();
                let (kind, text) = v.split_once(':').unwrap();
                let spanned = Some(crate::model::Spanned::new(
                    text.to_string(),
                    Default::default(),
                ));
                match kind {
                    "exact" => out.exact = spanned,
                    "prefix" => out.prefix = spanned,
                    _ => out.regex = spanned,
                }
                out
            };
            match *field {
                "uri" => m.uri = Some(Box::new(sm(value))),
                "method" => m.method = Some(Box::new(sm(value))),
                h => {
                    m.headers.insert(h.to_string(), sm(value));
                }
            }
        }
        m
    }

    #[test]
    fn delegate_merge_rules() {
        let root = http_match(&[("uri", "prefix:/api")]);
        assert_eq!(
            delegate_conflict(&root, &http_match(&[("uri", "prefix:/api/v1")])),
            None
        );
        assert_eq!(
            delegate_conflict(&root, &http_match(&[("uri", "exact:/api/x")])),
            None
        );
        assert_eq!(
            delegate_conflict(&root, &http_match(&[("end-user", "exact:jason")])),
            None
        );
        assert!(delegate_conflict(&root, &http_match(&[("uri", "prefix:/v2")])).is_some());
        assert!(delegate_conflict(&root, &http_match(&[("uri", "regex:/api/.*")])).is_some());
        let exact = http_match(&[("uri", "exact:/api")]);
        assert!(delegate_conflict(&exact, &http_match(&[("uri", "prefix:/api")])).is_some());
        assert_eq!(
            delegate_conflict(&exact, &http_match(&[("uri", "exact:/api")])),
            None
        );
        let root_header = http_match(&[("x", "exact:a")]);
        assert!(delegate_conflict(&root_header, &http_match(&[("x", "exact:b")])).is_some());
    }
}
