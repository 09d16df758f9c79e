//! Istio's Go validation (`pkg/config/validation`) where it goes beyond the CRDs' schemas and
//! CEL rules, and is certain from the resource alone: the cross-field rules of ServiceEntry
//! (addresses, resolution and endpoints), WorkloadEntry addresses (a unix socket is checked by the
//! CRD's rules; any other address must be an IP or a DNS name), Telemetry overrides and
//! tracing, and EnvoyFilter patch matches. Each is an `invalid-value` where the webhook rejects
//! the object (warnings where it only warns), at the offending value.

use std::net::IpAddr;

use super::{Diagnostic, NodeId, Severity, Walker, invalid_value};
use crate::source::Loc;

/// The checks of the resource's kind.
pub(super) fn check(w: &mut Walker<'_>, spec: NodeId) {
    let group = w.meta.kind.info().group;
    match (group, w.kind) {
        ("networking.istio.io", "ServiceEntry") => service_entry(w, spec),
        ("networking.istio.io", "WorkloadEntry") => workload_entry(w, spec),
        ("networking.istio.io", "EnvoyFilter") => envoy_filter(w, spec),
        ("telemetry.istio.io", "Telemetry") => telemetry(w, spec),
        _ => {}
    }
}

fn flag(w: &mut Walker<'_>, node: NodeId, severity: Severity, message: String, help: &str) {
    let doc = w.doc;
    let span = doc.span(node);
    let help = help.to_string();
    w.report(node, span, |loc| {
        Diagnostic::new(&invalid_value::RULE, loc, message)
            .help(help)
            .severity(severity)
    });
}

fn flag_related(
    w: &mut Walker<'_>,
    node: NodeId,
    message: String,
    help: &str,
    related: NodeId,
    why: &str,
) {
    let doc = w.doc;
    let span = doc.span(node);
    let help = help.to_string();
    let related = Loc::new(doc.file, doc.span(related));
    let why = why.to_string();
    w.report(node, span, |loc| {
        Diagnostic::new(&invalid_value::RULE, loc, message)
            .help(help)
            .related(related, why)
    });
}

/// Istio's `labels.IsDNS1123Label`: 1-63 of `[A-Za-z0-9-]`, alphanumeric at both ends.
fn dns1123_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// Istio's `agent.ValidateFQDN`: DNS-1123 labels, an optional final dot, a TLD not all digits.
fn fqdn(s: &str) -> bool {
    if s.is_empty() || s.len() > 255 {
        return false;
    }
    let labels: Vec<&str> = s.split('.').collect();
    if labels.last().is_some_and(|t| t.parse::<i64>().is_ok()) {
        return false;
    }
    labels
        .iter()
        .enumerate()
        .all(|(i, l)| dns1123_label(l) || (i + 1 == labels.len() && l.is_empty() && i > 0))
}

fn ip(s: &str) -> bool {
    s.parse::<IpAddr>().is_ok()
}

/// Istio's `agent.ValidateIPSubnet`: an IP, or one `/` and a CIDR block.
fn ip_or_cidr(s: &str) -> bool {
    if s.matches('/').count() == 1 {
        s.parse::<ipnet::IpNet>().is_ok()
    } else {
        ip(s)
    }
}

/// Istio's protocol classes (`protocol.Parse`, case-insensitive).
fn protocol_class(p: &str) -> &'static str {
    match p.to_ascii_uppercase().as_str() {
        "HTTP" | "HTTP2" | "GRPC" | "GRPC-WEB" | "HTTP_PROXY" => "http",
        "HTTPS" | "TLS" => "tls",
        "" | "TCP" | "MONGO" | "REDIS" | "MYSQL" => "tcp",
        "UDP" => "udp",
        _ => "other",
    }
}

fn service_entry(w: &mut Walker<'_>, spec: NodeId) {
    let doc = w.doc;
    let resolution = doc.get_str(spec, "resolution").unwrap_or("NONE");
    let hosts: Vec<NodeId> = doc
        .get(spec, "hosts")
        .map_or(Vec::new(), |h| doc.items(h).to_vec());
    let addresses: Vec<NodeId> = doc
        .get(spec, "addresses")
        .map_or(Vec::new(), |a| doc.items(a).to_vec());
    let endpoints: Vec<NodeId> = doc
        .get(spec, "endpoints")
        .map_or(Vec::new(), |e| doc.items(e).to_vec());
    let ports: Vec<NodeId> = doc
        .get(spec, "ports")
        .map_or(Vec::new(), |p| doc.items(p).to_vec());
    let port_names: Vec<&str> = ports
        .iter()
        .filter_map(|&p| doc.get_str(p, "name"))
        .collect();
    let resolution_node = doc.get(spec, "resolution");

    for &a in &addresses {
        if let Some(t) = doc.str(a)
            && !ip_or_cidr(t)
        {
            let what = if t.contains('/') {
                "a valid CIDR block"
            } else {
                "an IP address or CIDR block"
            };
            flag(
                w,
                a,
                Severity::Error,
                format!("ServiceEntry address \"{t}\" is not {what} (Istio's ValidateIPSubnet)"),
                "write an IP address (10.0.0.1) or a CIDR block (10.0.0.0/24); host names go in `hosts`",
            );
        }
    }

    match resolution {
        "DNS" | "DNS_ROUND_ROBIN" if endpoints.is_empty() => {
            for &h in &hosts {
                if let Some(t) = doc.str(h)
                    && t != "*"
                    && !fqdn(t)
                {
                    flag(
                        w,
                        h,
                        Severity::Error,
                        format!(
                            "host \"{t}\" cannot be resolved: with resolution {resolution} and no endpoints, every host must be a DNS name (Istio rejects the ServiceEntry)"
                        ),
                        "name a concrete host, add `endpoints:` to resolve instead, or use resolution DYNAMIC_DNS for wildcard hosts",
                    );
                    break;
                }
            }
        }
        "DYNAMIC_DNS" => {
            for &h in &hosts {
                if let Some(t) = doc.str(h)
                    && !t.starts_with('*')
                {
                    flag(
                        w,
                        h,
                        Severity::Error,
                        format!(
                            "host \"{t}\" must be a wildcard (e.g. \"*.example.com\") for resolution DYNAMIC_DNS"
                        ),
                        "write the host as a wildcard domain, or use resolution DNS for a single host",
                    );
                }
            }
            if let Some(&a) = addresses.first() {
                flag(
                    w,
                    a,
                    Severity::Error,
                    "addresses cannot be set for resolution DYNAMIC_DNS: routes are generated from the hosts".into(),
                    "remove `addresses`",
                );
            }
            if let Some(&e) = endpoints.first() {
                flag(
                    w,
                    e,
                    Severity::Error,
                    "endpoints cannot be set for resolution DYNAMIC_DNS: the destination comes from the host of each request".into(),
                    "remove `endpoints`, or use resolution STATIC or DNS",
                );
            }
            for &p in &ports {
                let proto = doc.get(p, "protocol");
                let t = proto.and_then(|n| doc.str(n)).unwrap_or("");
                if !matches!(
                    t.to_ascii_uppercase().as_str(),
                    "HTTP" | "TLS" | "GRPC" | "HTTP2"
                ) {
                    flag(
                        w,
                        proto.unwrap_or(p),
                        Severity::Error,
                        format!(
                            "protocol \"{t}\" is not supported for resolution DYNAMIC_DNS: only HTTP, TLS, GRPC and HTTP2 are"
                        ),
                        "use protocol HTTP, TLS, GRPC or HTTP2",
                    );
                }
            }
        }
        _ => {}
    }

    // Endpoints: what their address may be, and which ports they may name.
    if matches!(resolution, "STATIC" | "DNS" | "DNS_ROUND_ROBIN") {
        for &e in &endpoints {
            let Some(addr) = doc.get(e, "address") else {
                continue;
            };
            let t = doc.str(addr).unwrap_or("");
            if let Some(path) = t.strip_prefix("unix://") {
                if resolution == "STATIC" && ports.len() != 1 && !path.is_empty() {
                    flag(
                        w,
                        addr,
                        Severity::Error,
                        format!(
                            "unix endpoint \"{t}\" needs exactly one service port, and the ServiceEntry has {}",
                            ports.len()
                        ),
                        "declare exactly one port in `ports` for a unix domain socket endpoint",
                    );
                }
            } else if !t.is_empty() && !ip(t) {
                if resolution == "STATIC" {
                    flag(
                        w,
                        addr,
                        Severity::Error,
                        format!(
                            "endpoint address \"{t}\" is not a valid IP address, which resolution STATIC needs"
                        ),
                        "use the endpoint's IP address, or resolution DNS to resolve host names",
                    );
                } else if !fqdn(t) {
                    flag(
                        w,
                        addr,
                        Severity::Error,
                        format!("endpoint address \"{t}\" is not a valid FQDN or an IP address"),
                        "use an IP address or a DNS name such as db.example.com",
                    );
                }
            }
            if let Some(eports) = doc.get(e, "ports") {
                for &(k, _) in doc.entries(eports) {
                    if let Some(name) = doc.str(k)
                        && !port_names.contains(&name)
                    {
                        let message = format!(
                            "endpoint port \"{name}\" is not defined by the service entry (its ports: {})",
                            if port_names.is_empty() {
                                "none".to_string()
                            } else {
                                port_names.join(", ")
                            }
                        );
                        let help = match crate::diag::did_you_mean(name, port_names.iter().copied())
                        {
                            Some(b) => format!("did you mean \"{b}\"?"),
                            None => "name one of the ServiceEntry's ports".to_string(),
                        };
                        flag(w, k, Severity::Error, message, &help);
                    }
                }
            }
        }
    }

    // Several hosts and a plain TCP port: the proxy cannot tell the hosts apart.
    if resolution != "NONE" && hosts.len() > 1 {
        for &p in &ports {
            let proto = doc.get_str(p, "protocol").unwrap_or("");
            if !matches!(protocol_class(proto), "http" | "tls") {
                let at = doc.get(p, "protocol").unwrap_or(p);
                let related = resolution_node.unwrap_or(hosts[1]);
                flag_related(
                    w,
                    at,
                    format!(
                        "ServiceEntry has {} hosts and a {} port with resolution {resolution}: for plain TCP the proxy cannot tell the hosts apart (Istio rejects it: \"multiple hosts provided with non-HTTP, non-TLS ports\")",
                        hosts.len(),
                        if proto.is_empty() {
                            "TCP (unset)"
                        } else {
                            proto
                        }
                    ),
                    "split it into one ServiceEntry per host, use an HTTP or TLS protocol, or resolution NONE",
                    related,
                    "resolution",
                );
                break;
            }
        }
    }
}

fn workload_entry(w: &mut Walker<'_>, spec: NodeId) {
    let doc = w.doc;
    if let Some(addr) = doc.get(spec, "address")
        && let Some(t) = doc.str(addr)
        && !t.is_empty()
        && !t.starts_with("unix://")
        && !ip(t)
        && !fqdn(t)
    {
        flag(
            w,
            addr,
            Severity::Error,
            format!("WorkloadEntry address \"{t}\" is not a valid FQDN or an IP address"),
            "use the workload's IP address, a DNS name, or unix:///path for a socket",
        );
    }
}

fn telemetry(w: &mut Walker<'_>, spec: NodeId) {
    let doc = w.doc;
    for &m in doc.get(spec, "metrics").map_or(&[][..], |m| doc.items(m)) {
        for &o in doc.get(m, "overrides").map_or(&[][..], |o| doc.items(o)) {
            let Some(tags) = doc.get(o, "tagOverrides") else {
                continue;
            };
            for &(k, v) in doc.entries(tags) {
                // The operation defaults to UPSERT, which needs a value (the CRD's rule only
                // checks an explicit UPSERT).
                let op = doc.get_str(v, "operation");
                let value = doc.get(v, "value").filter(|&n| !doc.is_null(n));
                if op.is_none() && doc.is_map(v) && value.is_none_or(|n| doc.str(n) == Some("")) {
                    let name = doc.str(k).unwrap_or("");
                    flag(
                        w,
                        k,
                        Severity::Error,
                        format!(
                            "tag override \"{name}\" has no value: its operation defaults to UPSERT, which needs one (Istio: \"tagOverrides.value must be set when operation is UPSERT\")"
                        ),
                        "add `value:` (a CEL expression), or `operation: REMOVE` to drop the tag",
                    );
                }
            }
        }
    }
    let tracing = doc.get(spec, "tracing").map_or(&[][..], |t| doc.items(t));
    if tracing.len() > 1 {
        flag(
            w,
            tracing[1],
            Severity::Warning,
            "Telemetry has several tracing entries: Istio supports one (\"multiple tracing is not currently supported\")".into(),
            "merge them into one `tracing` entry",
        );
    }
    for &t in tracing {
        let providers = doc.get(t, "providers").map_or(&[][..], |p| doc.items(p));
        if providers.len() > 1 {
            flag(
                w,
                providers[1],
                Severity::Warning,
                "a tracing entry names several providers: Istio uses one (\"multiple providers is not currently supported\")".into(),
                "keep one provider per tracing entry",
            );
        }
    }
}

/// Istio's classes of `applyTo`, with the match each may use.
fn apply_class(apply_to: &str) -> Option<(&'static str, &'static str)> {
    match apply_to {
        "LISTENER" | "FILTER_CHAIN" | "NETWORK_FILTER" | "HTTP_FILTER" => {
            Some(("listener", "listener"))
        }
        "ROUTE_CONFIGURATION" | "VIRTUAL_HOST" | "HTTP_ROUTE" => {
            Some(("http route", "routeConfiguration"))
        }
        "CLUSTER" => Some(("cluster", "cluster")),
        _ => None,
    }
}

fn envoy_filter(w: &mut Walker<'_>, spec: NodeId) {
    let doc = w.doc;
    const HCM: [&str; 2] = [
        "envoy.filters.network.http_connection_manager",
        "envoy.http_connection_manager",
    ];
    for &cp in doc
        .get(spec, "configPatches")
        .map_or(&[][..], |c| doc.items(c))
    {
        let m = doc.get(cp, "match").filter(|&n| doc.is_map(n));
        if m.is_some_and(|m| doc.get_str(m, "context") == Some("WAYPOINT")) {
            continue;
        }
        let apply = doc.get(cp, "applyTo");
        let Some(apply_to) = apply.and_then(|a| doc.str(a)) else {
            continue;
        };
        if let Some(m) = m
            && let Some(pv) = doc.get(m, "proxy").and_then(|p| doc.get(p, "proxyVersion"))
            && let Some(re) = doc.str(pv)
            && re.len() <= 1024
            && regex::Regex::new(re).is_err()
        {
            flag(
                w,
                pv,
                Severity::Error,
                format!(
                    "proxyVersion \"{re}\" is not a valid regular expression (Envoy filter: invalid regex for proxy version)"
                ),
                "write an RE2 regular expression such as '^1\\.2[0-9].*'",
            );
        }
        let (Some(m), Some((class, wanted))) = (m, apply_class(apply_to)) else {
            continue;
        };
        let object = ["listener", "routeConfiguration", "cluster"]
            .into_iter()
            .find_map(|k| {
                doc.get_entry(m, k)
                    .filter(|&(_, v)| !doc.is_null(v))
                    .map(|e| (k, e))
            });
        let Some((object_key, (key_node, object_node))) = object else {
            continue;
        };
        if object_key != wanted {
            flag_related(
                w,
                key_node,
                format!(
                    "applyTo {apply_to} patches {class} objects, but the match is on a {object_key}: Istio rejects it (\"applyTo for {class} class objects cannot have non {} match\")",
                    if wanted == "routeConfiguration" {
                        "route configuration"
                    } else {
                        wanted
                    }
                ),
                &format!("match on `{wanted}:` instead, or change `applyTo`"),
                apply.unwrap_or(cp),
                "applyTo",
            );
            continue;
        }
        if object_key != "listener" {
            continue;
        }
        let Some(filter) = doc
            .get(object_node, "filterChain")
            .and_then(|fc| doc.get(fc, "filter"))
            .filter(|&f| doc.is_map(f))
        else {
            continue;
        };
        let name = doc.get_str(filter, "name").unwrap_or("");
        let sub = doc.get(filter, "subFilter").filter(|&s| doc.is_map(s));
        if apply_to == "LISTENER" || apply_to == "FILTER_CHAIN" {
            flag(
                w,
                filter,
                Severity::Warning,
                format!("a filter match has no effect with applyTo {apply_to}"),
                "remove `filter:` from the match, or patch NETWORK_FILTER or HTTP_FILTER",
            );
        }
        if name.is_empty() {
            flag(
                w,
                filter,
                Severity::Error,
                "the filter match has no name to match on (Envoy filter: filter match has no name)"
                    .into(),
                "add `name:`, e.g. envoy.filters.network.http_connection_manager",
            );
            continue;
        }
        let Some(sub) = sub else { continue };
        if apply_to != "HTTP_FILTER" {
            flag(
                w,
                sub,
                Severity::Error,
                format!(
                    "a subFilter match can be used with applyTo HTTP_FILTER only, not {apply_to}"
                ),
                "remove `subFilter:`, or patch HTTP_FILTER",
            );
        } else if !HCM.contains(&name) {
            flag(
                w,
                sub,
                Severity::Error,
                format!(
                    "a subFilter match needs the filter match to be {}, not \"{name}\"",
                    HCM[0]
                ),
                &format!("match `name: {}`", HCM[0]),
            );
        } else if doc.get_str(sub, "name").unwrap_or("").is_empty() {
            flag(
                w,
                sub,
                Severity::Error,
                "the subFilter match has no name to match on".into(),
                "add `name:`, e.g. envoy.filters.http.router",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_as_istio_reads_them() {
        assert!(fqdn("db.example.com") && fqdn("db.example.com.") && fqdn("Db-1.example"));
        assert!(!fqdn("*.example.com") && !fqdn("a..b") && !fqdn("host.123") && !fqdn("a_b.c"));
        assert!(ip_or_cidr("10.0.0.1") && ip_or_cidr("10.0.0.0/24") && ip_or_cidr("2001:db8::/32"));
        assert!(
            !ip_or_cidr("10.0.0.0/33") && !ip_or_cidr("db.example.com") && !ip_or_cidr("1/2/3")
        );
        assert!(dns1123_label("http-web") && !dns1123_label("-x") && !dns1123_label("a_b"));
    }
}
