//! `meshlint authz check <workload>.<namespace>`: the workload, its effective mTLS per port, the
//! AuthorizationPolicies that apply in evaluation order, and (with `--from`) the decision on one
//! request. The CLI parses flags into [`Query`], calls [`run`] and prints [`render_human`] or
//! [`render_json`] (contract: `../shared/design.md`, "Authz JSON").

use serde::Serialize;

use super::{AppliedPolicy, Decision, Outcome, Peer, PolicyIndex, Request};
use crate::diag;
use crate::engine::Analysis;
use crate::mesh::mtls::{Caller, ClientOrigin, MtlsScope, ServerMtls};
use crate::mesh::{Injection, Mesh, Protocol, ServiceId, WorkloadId, WorkloadSource};
use crate::model::security::AuthzRule;
use crate::model::{Model, Res};
use crate::source::Loc;

/// The question, as the command line gives it.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// `<workload>.<namespace>` or `<kind>/<name>.<namespace>`.
    pub workload: String,
    /// `<workload>.<namespace>`, a principal `<td>/ns/<ns>/sa/<sa>`, or `external`.
    pub from: Option<String>,
    pub method: Option<String>,
    pub path: Option<String>,
    pub port: Option<u32>,
    /// `-H 'name: value'`, as written.
    pub headers: Vec<String>,
    /// The JWT request principal `<iss>/<sub>`.
    pub principal: Option<String>,
}

/// Why the question cannot be asked (exit 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Place {
    pub file: String,
    pub line: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ResourceAt {
    pub kind: String,
    pub name: String,
    pub namespace: String,
    pub file: String,
    pub line: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct PortOut {
    /// The container port.
    pub port: u32,
    /// `service:port (name)` entries that reach it.
    pub services: Vec<String>,
    pub protocol: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct WorkloadOut {
    pub kind: String,
    pub name: String,
    pub namespace: String,
    pub labels: std::collections::BTreeMap<String, String>,
    pub service_account: String,
    /// `true`, `false`, or null when the files cannot tell.
    pub sidecar: Option<bool>,
    pub ports: Vec<PortOut>,
    pub file: String,
    pub line: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct MtlsOut {
    /// The container port; null for the workload-wide mode.
    pub port: Option<u32>,
    pub mode: &'static str,
    pub scope: &'static str,
    /// The PeerAuthentication that decides; null for Istio's default (PERMISSIVE).
    pub source: Option<ResourceAt>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleOut {
    pub index: usize,
    pub summary: String,
    pub file: String,
    pub line: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct PolicyOut {
    pub name: String,
    pub namespace: String,
    pub action: &'static str,
    pub scope: &'static str,
    /// Enforced on this workload (false for dry-run and targetRef policies).
    pub enforced: bool,
    /// Why not enforced, if it is not.
    pub note: Option<&'static str>,
    pub rules: Vec<RuleOut>,
    pub file: String,
    pub line: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConnectionOut {
    /// What the client sends: `ISTIO_MUTUAL`, `plaintext`, `SIMPLE`, `MUTUAL`.
    pub wire: &'static str,
    /// Where the client's TLS setting comes from.
    pub client_tls: String,
    pub accepted: bool,
    /// The caller's identity as mTLS carried it (null: no identity).
    pub identity: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DecisionOut {
    pub allowed: bool,
    /// `allowed`, `denied`, or `provider` (a CUSTOM policy hands the request to an external
    /// authorizer, which the files cannot show).
    pub outcome: &'static str,
    /// `namespace/name` of the deciding policy.
    pub policy: Option<String>,
    pub rule: Option<usize>,
    pub reason: String,
    pub request: String,
    pub port: Option<u32>,
    pub mtls: ConnectionOut,
    /// Dry-run policies that would have matched (`namespace/name rules[i] ACTION`).
    pub dry_run: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub workload: WorkloadOut,
    pub mtls: Vec<MtlsOut>,
    pub policies: Vec<PolicyOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<DecisionOut>,
}

fn place(model: &Model, loc: Loc) -> (String, usize) {
    if (loc.file.0 as usize) >= model.sources.len() {
        return (String::new(), 0);
    }
    let (line, _) = model.sources.line_col(loc);
    (model.sources.get(loc.file).path.clone(), line)
}

fn kind_of(model: &Model, mesh: &Mesh, id: WorkloadId) -> &'static str {
    match mesh.workload(id).source {
        WorkloadSource::Pod(i) => model.workloads.get(i).map_or("Pod", |w| w.kind()),
        WorkloadSource::WorkloadEntry(_) => "WorkloadEntry",
        WorkloadSource::Endpoint(..) => "ServiceEntry endpoint",
    }
}

/// Resolves `<workload>.<namespace>` or `<kind>/<name>.<namespace>`: a workload's name, else
/// the `app` label value. Unknown names get "did you mean"; ambiguous ones list the choices.
pub fn resolve_workload(
    model: &Model,
    mesh: &Mesh,
    written: &str,
) -> Result<WorkloadId, UsageError> {
    let (kind, rest) = match written.split_once('/') {
        Some((k, r)) => (Some(k), r),
        None => (None, written),
    };
    let Some((name, ns)) = rest
        .rsplit_once('.')
        .filter(|(n, s)| !n.is_empty() && !s.is_empty())
    else {
        return Err(UsageError(format!(
            "{written:?} is not <workload>.<namespace> (e.g. reviews-v1.default, or deployment/reviews-v1.default)"
        )));
    };
    let in_ns: Vec<WorkloadId> = (0..mesh.workloads.len() as u32)
        .map(WorkloadId)
        .filter(|&id| mesh.workload(id).namespace == ns)
        .filter(|&id| kind.is_none_or(|k| kind_of(model, mesh, id).eq_ignore_ascii_case(k)))
        .collect();
    let mut found: Vec<WorkloadId> = in_ns
        .iter()
        .copied()
        .filter(|&id| mesh.workload(id).name == name)
        .collect();
    if found.is_empty() {
        found = in_ns
            .iter()
            .copied()
            .filter(|&id| {
                mesh.workload(id)
                    .labels
                    .get("app")
                    .is_some_and(|v| v == name)
            })
            .collect();
    }
    match found.as_slice() {
        [one] => Ok(*one),
        [] => {
            let all: Vec<String> = (0..mesh.workloads.len() as u32)
                .map(WorkloadId)
                .map(|id| format!("{}.{}", mesh.workload(id).name, mesh.workload(id).namespace))
                .collect();
            let target = format!("{name}.{ns}");
            let hint = match diag::did_you_mean(&target, all.iter().map(String::as_str)) {
                Some(s) => format!("; did you mean {s}?"),
                None if all.is_empty() => "; the inputs hold no workload".to_string(),
                None => {
                    let mut some: Vec<&str> = all.iter().map(String::as_str).take(8).collect();
                    some.sort_unstable();
                    format!("; workloads in the inputs: {}", some.join(", "))
                }
            };
            Err(UsageError(format!(
                "no workload {written} in the inputs{hint}"
            )))
        }
        many => {
            // Same name under several kinds: ask for the kind; several `app` matches: the name.
            let same_name = many.iter().all(|&id| mesh.workload(id).name == name);
            let choices: Vec<String> = many
                .iter()
                .map(|&id| {
                    let w = mesh.workload(id);
                    if same_name {
                        format!(
                            "{}/{}.{}",
                            kind_of(model, mesh, id).to_ascii_lowercase(),
                            w.name,
                            w.namespace
                        )
                    } else {
                        format!("{}.{}", w.name, w.namespace)
                    }
                })
                .collect();
            let ask = if same_name {
                "name one as <kind>/<name>.<namespace>"
            } else {
                "name one of these workloads"
            };
            Err(UsageError(format!(
                "{written} is ambiguous: {}; {ask}",
                choices.join(", ")
            )))
        }
    }
}

/// A container port, the Service ports that reach it (service, port, label) and its protocol.
type WorkloadPort = (u32, Vec<(ServiceId, u32, String)>, Protocol);

/// The container ports of a workload and the Service ports that reach them.
fn ports_of(model: &Model, mesh: &Mesh, id: WorkloadId) -> Vec<WorkloadPort> {
    let mut out: Vec<WorkloadPort> = Vec::new();
    for sid in mesh.services_selecting(id) {
        let svc = mesh.service(sid);
        for p in &svc.ports {
            let Some(target) = mesh.target_port(model, sid, p.number, id) else {
                continue;
            };
            let label = format!(
                "{}:{} ({})",
                svc.name,
                p.number,
                if p.name.is_empty() {
                    "unnamed"
                } else {
                    &p.name
                }
            );
            match out.iter_mut().find(|(n, _, _)| *n == target) {
                Some(entry) => entry.1.push((sid, p.number, label)),
                None => out.push((target, vec![(sid, p.number, label)], p.protocol)),
            }
        }
    }
    if let WorkloadSource::Pod(i) = mesh.workload(id).source
        && let Some(w) = model.workloads.get(i)
    {
        for c in &w.spec.spec.containers {
            for p in &c.ports {
                if let Some(n) = p.container_port.as_ref().map(|n| n.value)
                    && !out.iter().any(|(x, _, _)| *x == n)
                {
                    out.push((n, Vec::new(), Protocol::Unknown));
                }
            }
        }
    }
    out.sort_by_key(|(n, _, _)| *n);
    out
}

fn protocol_name(p: Protocol) -> &'static str {
    match p {
        Protocol::Http => "HTTP",
        Protocol::Http2 => "HTTP2",
        Protocol::Https => "HTTPS",
        Protocol::Grpc => "GRPC",
        Protocol::GrpcWeb => "GRPC-Web",
        Protocol::Tcp => "TCP",
        Protocol::Tls => "TLS",
        Protocol::Mongo => "Mongo",
        Protocol::Redis => "Redis",
        Protocol::Mysql => "MySQL",
        Protocol::Udp => "UDP",
        Protocol::Unknown => "sniffed",
    }
}

fn is_tcp(p: Protocol) -> bool {
    matches!(
        p,
        Protocol::Tcp | Protocol::Tls | Protocol::Mongo | Protocol::Redis | Protocol::Mysql
    )
}

fn mtls_out(model: &Model, port: Option<u32>, m: ServerMtls) -> MtlsOut {
    let source = m
        .policy
        .and_then(|i| model.peer_authentications.get(i))
        .map(|pa| {
            let (file, line) = place(model, m.loc.unwrap_or(pa.loc()));
            ResourceAt {
                kind: "PeerAuthentication".into(),
                name: pa.name().to_string(),
                namespace: pa.namespace().to_string(),
                file,
                line,
            }
        });
    MtlsOut {
        port,
        mode: m.mode.as_str(),
        scope: m.scope.as_str(),
        source,
    }
}

fn list(values: &[crate::model::Spanned<String>]) -> String {
    values
        .iter()
        .map(|v| v.value.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// One line per rule: `from: principals=a,b; to: methods=GET paths=/x; when: key=v`.
pub fn summarize_rule(rule: &AuthzRule) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut froms: Vec<String> = Vec::new();
    for s in rule.from.iter().filter_map(|f| f.source.as_ref()) {
        let mut fields = Vec::new();
        for (name, v) in [
            ("principals", &s.principals),
            ("notPrincipals", &s.not_principals),
            ("requestPrincipals", &s.request_principals),
            ("notRequestPrincipals", &s.not_request_principals),
            ("namespaces", &s.namespaces),
            ("notNamespaces", &s.not_namespaces),
            ("serviceAccounts", &s.service_accounts),
            ("notServiceAccounts", &s.not_service_accounts),
            ("ipBlocks", &s.ip_blocks),
            ("notIpBlocks", &s.not_ip_blocks),
            ("remoteIpBlocks", &s.remote_ip_blocks),
            ("notRemoteIpBlocks", &s.not_remote_ip_blocks),
            ("trustDomains", &s.trust_domains),
            ("notTrustDomains", &s.not_trust_domains),
        ] {
            if !v.is_empty() {
                fields.push(format!("{name}={}", list(v)));
            }
        }
        froms.push(if fields.is_empty() {
            "any".into()
        } else {
            fields.join(" ")
        });
    }
    if !froms.is_empty() {
        parts.push(format!("from: {}", froms.join(" | ")));
    }
    let mut tos: Vec<String> = Vec::new();
    for o in rule.to.iter().filter_map(|t| t.operation.as_ref()) {
        let mut fields = Vec::new();
        for (name, v) in [
            ("hosts", &o.hosts),
            ("notHosts", &o.not_hosts),
            ("ports", &o.ports),
            ("notPorts", &o.not_ports),
            ("methods", &o.methods),
            ("notMethods", &o.not_methods),
            ("paths", &o.paths),
            ("notPaths", &o.not_paths),
        ] {
            if !v.is_empty() {
                fields.push(format!("{name}={}", list(v)));
            }
        }
        tos.push(if fields.is_empty() {
            "any".into()
        } else {
            fields.join(" ")
        });
    }
    if !tos.is_empty() {
        parts.push(format!("to: {}", tos.join(" | ")));
    }
    let whens: Vec<String> = rule
        .when
        .iter()
        .map(|c| {
            let key = c.key.as_ref().map_or("?", |k| k.value.as_str());
            match (c.values.is_empty(), c.not_values.is_empty()) {
                (false, _) => format!("{key}={}", list(&c.values)),
                (true, false) => format!("{key}!={}", list(&c.not_values)),
                _ => key.to_string(),
            }
        })
        .collect();
    if !whens.is_empty() {
        parts.push(format!("when: {}", whens.join(" ")));
    }
    if parts.is_empty() {
        "any request (empty rule)".into()
    } else {
        parts.join("; ")
    }
}

fn policy_out(model: &Model, p: &AppliedPolicy) -> PolicyOut {
    let res: &Res<crate::model::security::AuthorizationPolicy> =
        &model.authorization_policies[p.index];
    let (file, line) = place(model, res.loc());
    let rules = res
        .spec
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let (file, line) = place(model, model.sources.first_line(r.at));
            RuleOut {
                index: i,
                summary: summarize_rule(r),
                file,
                line,
            }
        })
        .collect();
    let note = if !p.applies {
        Some("targetRef policy: does not apply to sidecars")
    } else if p.dry_run {
        Some("istio.io/dry-run: evaluated and logged, not enforced")
    } else {
        None
    };
    PolicyOut {
        name: res.name().to_string(),
        namespace: res.namespace().to_string(),
        action: p.action.as_str(),
        scope: p.scope.as_str(),
        enforced: p.enforced(),
        note,
        rules,
        file,
        line,
    }
}

fn parse_header(h: &str) -> Result<(String, String), UsageError> {
    match h.split_once(':') {
        Some((k, v)) if !k.trim().is_empty() && !k.trim().contains(char::is_whitespace) => {
            Ok((k.trim().to_ascii_lowercase(), v.trim().to_string()))
        }
        _ => Err(UsageError(format!(
            "-H {h:?} is not 'name: value' (e.g. -H 'x-user: jason')"
        ))),
    }
}

fn policy_name(model: &Model, i: usize) -> String {
    let p = &model.authorization_policies[i];
    format!("{}/{}", p.namespace(), p.name())
}

/// Answers the query.
pub fn run(analysis: &Analysis, query: &Query) -> Result<Report, UsageError> {
    let (model, mesh) = (&analysis.model, &analysis.mesh);
    // Flags first: a malformed request is a usage error whatever the files say.
    let headers = query
        .headers
        .iter()
        .map(|h| parse_header(h))
        .collect::<Result<Vec<_>, _>>()?;
    if query.from.is_none()
        && (query.method.is_some()
            || query.path.is_some()
            || !headers.is_empty()
            || query.principal.is_some())
    {
        return Err(UsageError(
            "--method, --path, -H and --principal describe a request: give its caller with --from"
                .into(),
        ));
    }
    if let Some(m) = &query.method
        && (m.is_empty() || !m.bytes().all(|b| b.is_ascii_alphabetic()))
    {
        return Err(UsageError(format!(
            "--method {m:?} is not an HTTP method (e.g. GET, POST)"
        )));
    }
    if let Some(p) = &query.path
        && !p.starts_with('/')
    {
        return Err(UsageError(format!("--path {p:?} must start with /")));
    }
    let id = resolve_workload(model, mesh, &query.workload)?;
    let w = mesh.workload(id);
    let ports = ports_of(model, mesh, id);
    let (file, line) = place(model, w.loc);
    let workload = WorkloadOut {
        kind: kind_of(model, mesh, id).to_string(),
        name: w.name.clone(),
        namespace: w.namespace.clone(),
        labels: w
            .labels
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        service_account: w.service_account.clone(),
        sidecar: match w.injection {
            Injection::Injected => Some(true),
            Injection::NotInjected => Some(false),
            Injection::Unknown => None,
        },
        ports: ports
            .iter()
            .map(|(n, s, p)| PortOut {
                port: *n,
                services: s.iter().map(|(_, _, l)| l.clone()).collect(),
                protocol: protocol_name(*p).to_string(),
            })
            .collect(),
        file,
        line,
    };
    let mut mtls = vec![mtls_out(model, None, mesh.server_mtls(id, None))];
    for (n, _, _) in &ports {
        mtls.push(mtls_out(model, Some(*n), mesh.server_mtls(id, Some(*n))));
    }
    if let Some(wm) = mesh.workload_mtls(id) {
        for (n, m) in &wm.ports {
            if !ports.iter().any(|(p, _, _)| p == n) {
                mtls.push(mtls_out(model, Some(*n), *m));
            }
        }
    }
    // One workload: no index of every policy (the rules build that).
    let applied = PolicyIndex::for_one_workload(model, mesh, id);
    let policies = applied.iter().map(|p| policy_out(model, p)).collect();
    let decision = match &query.from {
        None => None,
        Some(from) => Some(decide(
            analysis, query, id, &ports, &applied, headers, from,
        )?),
    };
    Ok(Report {
        workload,
        mtls,
        policies,
        decision,
    })
}

fn decide(
    analysis: &Analysis,
    query: &Query,
    dest: WorkloadId,
    ports: &[WorkloadPort],
    applied: &[AppliedPolicy],
    headers: Vec<(String, String)>,
    from: &str,
) -> Result<DecisionOut, UsageError> {
    let (model, mesh) = (&analysis.model, &analysis.mesh);
    // The port: a Service port of the workload's services, else a container port.
    let (container, service): (Option<u32>, Option<(ServiceId, u32)>) = match query.port {
        Some(n) => {
            if let Some((c, s)) = ports.iter().find_map(|(c, s, _)| {
                s.iter()
                    .find(|(_, sp, _)| *sp == n)
                    .map(|(sid, sp, _)| (*c, (*sid, *sp)))
            }) {
                (Some(c), Some(s))
            } else if let Some((c, s, _)) = ports.iter().find(|(c, _, _)| *c == n) {
                (Some(*c), s.first().map(|(sid, sp, _)| (*sid, *sp)))
            } else {
                let known: Vec<String> = ports
                    .iter()
                    .flat_map(|(c, s, _)| {
                        std::iter::once(c.to_string())
                            .chain(s.iter().map(|(_, sp, _)| sp.to_string()))
                    })
                    .collect();
                return Err(UsageError(format!(
                    "--port {n} is neither a container port of {} nor a port of a Service in front of it{}",
                    mesh.workload(dest).name,
                    if known.is_empty() {
                        String::new()
                    } else {
                        format!(" (known: {})", known.join(", "))
                    }
                )));
            }
        }
        None => match ports.first() {
            Some((c, s, _)) => (Some(*c), s.first().map(|(sid, sp, _)| (*sid, *sp))),
            None => (None, None),
        },
    };
    let protocol = container
        .and_then(|c| ports.iter().find(|(p, _, _)| *p == c))
        .map_or(Protocol::Unknown, |(_, _, p)| *p);
    // The caller.
    let mut caller_labels: Option<crate::mesh::Labels> = None;
    let (caller_ns, caller_sidecar, peer_if_mtls, who): (
        Option<String>,
        bool,
        Option<Peer>,
        String,
    ) = if from == "external" || from == "plaintext" {
        (
            None,
            false,
            None,
            "a caller without sidecar (plaintext)".into(),
        )
    } else if from.contains("/ns/") {
        let peer = Peer::parse(from).ok_or_else(|| {
                UsageError(format!("--from {from:?} is not a principal <trust domain>/ns/<namespace>/sa/<service account>"))
            })?;
        (
            Some(peer.namespace.clone()),
            true,
            Some(peer),
            format!("principal {from}"),
        )
    } else {
        let src = resolve_workload(model, mesh, from).map_err(|e| {
                UsageError(format!(
                    "--from: {} (--from takes <workload>.<namespace>, a principal cluster.local/ns/<ns>/sa/<sa>, or external)",
                    e.0
                ))
            })?;
        let sw = mesh.workload(src);
        let sidecar = sw.injection == Injection::Injected;
        caller_labels = Some(sw.labels.clone());
        (
            Some(sw.namespace.clone()),
            sidecar,
            Some(Peer::of_workload(mesh, src)),
            format!(
                "{}.{} (service account {})",
                sw.name, sw.namespace, sw.service_account
            ),
        )
    };
    let conn = match (service, &caller_ns) {
        (Some((sid, sp)), Some(ns)) => {
            let client = mesh.client_tls_for_workload(
                model,
                Caller {
                    namespace: ns,
                    sidecar: caller_sidecar,
                },
                caller_labels.as_ref(),
                sid,
                sp,
                None,
            );
            let origin = match &client.origin {
                ClientOrigin::DestinationRule { dr, level, .. } => {
                    let d = &model.destination_rules[*dr];
                    format!(
                        "DestinationRule {}/{} {}",
                        d.namespace(),
                        d.name(),
                        level.as_str()
                    )
                }
                ClientOrigin::DestinationRuleWithoutTls { dr } => {
                    let d = &model.destination_rules[*dr];
                    format!(
                        "DestinationRule {}/{} sets no TLS; {}",
                        d.namespace(),
                        d.name(),
                        if mesh.mtls.auto_mtls {
                            "automatic mTLS"
                        } else {
                            "automatic mTLS is off"
                        }
                    )
                }
                ClientOrigin::NoDestinationRule => if mesh.mtls.auto_mtls {
                    "automatic mTLS (no DestinationRule)"
                } else {
                    "no DestinationRule, automatic mTLS off"
                }
                .to_string(),
                ClientOrigin::NoSidecar => "the caller has no sidecar".to_string(),
            };
            let c = mesh.connect(&client, dest, container);
            (c.accepted, c.identity, c.wire, origin, c.reason)
        }
        _ => {
            // No Service in front (or an external caller): the server mode alone decides.
            let server = mesh.server_mtls(dest, container);
            let sidecar_dest = mesh.workload(dest).injection == Injection::Injected;
            if caller_sidecar && sidecar_dest {
                let ok = server.mode != crate::mesh::mtls::ServerMode::Disable;
                (
                    ok,
                    ok,
                    "ISTIO_MUTUAL",
                    "automatic mTLS (sidecar to sidecar)".to_string(),
                    format!(
                        "Istio mTLS from the caller's sidecar, server {}",
                        server.mode.as_str()
                    ),
                )
            } else {
                let ok = !sidecar_dest || server.mode.accepts_plaintext();
                (
                    ok,
                    false,
                    "plaintext",
                    "the caller has no sidecar".to_string(),
                    if ok {
                        format!(
                            "plaintext accepted ({}): the caller has no identity",
                            server.mode.as_str()
                        )
                    } else {
                        "plaintext rejected: the workload requires mTLS (STRICT)".to_string()
                    },
                )
            }
        }
    };
    let (accepted, identity, wire, client_tls, conn_reason) = conn;
    let peer = if identity { peer_if_mtls } else { None };
    let method = query
        .method
        .clone()
        .unwrap_or_else(|| "GET".into())
        .to_ascii_uppercase();
    let path = query.path.clone().unwrap_or_else(|| "/".into());
    let host = headers
        .iter()
        .find(|(k, _)| k == "host" || k == ":authority")
        .map(|(_, v)| v.clone())
        .or_else(|| service.map(|(sid, sp)| format!("{}:{sp}", mesh.service(sid).host)));
    let http = !is_tcp(protocol);
    let request_text = if http {
        format!(
            "{method} {path}{} from {who}",
            container.map_or(String::new(), |c| format!(" on port {c}"))
        )
    } else {
        format!(
            "TCP connection{} from {who}",
            container.map_or(String::new(), |c| format!(" to port {c}"))
        )
    };
    let mtls = ConnectionOut {
        wire,
        client_tls,
        accepted,
        identity: peer.as_ref().map(|p| p.principal.clone()),
        reason: conn_reason.clone(),
    };
    if !accepted {
        return Ok(DecisionOut {
            allowed: false,
            outcome: "denied",
            policy: None,
            rule: None,
            reason: format!("the connection is refused before any policy runs: {conn_reason}"),
            request: request_text,
            port: container,
            mtls,
            dry_run: Vec::new(),
        });
    }
    let request = Request {
        peer,
        port: container,
        http,
        method: Some(method),
        path: Some(path),
        host,
        headers,
        request_principal: query.principal.clone(),
        source_ip: None,
    };
    let d: Decision = super::evaluate(model, applied, &request);
    let mut reason = d.reason.clone();
    if !d.allowed && request.peer.is_none() && applied.iter().any(|p| p.enforced()) {
        reason.push_str(" (the caller has no mTLS identity: identity conditions cannot match it)");
    }
    for s in &d.skipped_on_tcp {
        reason.push_str(&format!(
            "; {} rules[{}] skipped: HTTP-only fields on a TCP port",
            policy_name(model, s.policy),
            s.rule
        ));
    }
    Ok(DecisionOut {
        allowed: d.allowed,
        outcome: match d.outcome {
            Outcome::Allowed => "allowed",
            Outcome::Denied => "denied",
            Outcome::Provider => "provider",
        },
        policy: d.policy.map(|i| policy_name(model, i)),
        rule: d.rule,
        reason,
        request: request_text,
        port: container,
        mtls,
        dry_run: d
            .dry_run
            .iter()
            .map(|r| {
                format!(
                    "{} rules[{}] {}",
                    policy_name(model, r.policy),
                    r.rule,
                    r.action.as_str()
                )
            })
            .collect(),
    })
}

/// Exit status of a query: 1 when the request is not (known to be) allowed.
pub fn exit_code(report: &Report) -> u8 {
    match &report.decision {
        Some(d) if !d.allowed => 1,
        _ => 0,
    }
}

pub fn render_json(report: &Report, diagnostics: Option<serde_json::Value>) -> String {
    let mut value = serde_json::to_value(report).unwrap_or(serde_json::Value::Null);
    if let (Some(d), serde_json::Value::Object(map)) = (diagnostics, &mut value) {
        map.insert("diagnostics".into(), d);
    }
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

fn scope_text(m: &MtlsOut) -> String {
    match &m.source {
        Some(s) => format!(
            "PeerAuthentication {}/{} ({} scope)  {}:{}",
            s.namespace, s.name, m.scope, s.file, s.line
        ),
        None if m.scope == MtlsScope::Default.as_str() => {
            "no PeerAuthentication: Istio's default".into()
        }
        None => m.scope.to_string(),
    }
}

/// Input text is printed as is, except what could rewrite a terminal: control characters
/// (other than the table's own line breaks) and bidirectional overrides are shown escaped.
fn terminal_safe(text: String) -> String {
    let unsafe_char = |c: char| {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(unsafe_char) {
        return text;
    }
    text.chars()
        .map(|c| {
            if unsafe_char(c) {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// A readable table.
pub fn render_human(report: &Report) -> String {
    terminal_safe(render_table(report))
}

fn render_table(report: &Report) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let w = &report.workload;
    let _ = writeln!(
        out,
        "Workload {} {}/{}  ({}:{})",
        w.kind, w.namespace, w.name, w.file, w.line
    );
    let labels: Vec<String> = w.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let _ = writeln!(
        out,
        "  labels           {}",
        if labels.is_empty() {
            "-".into()
        } else {
            labels.join(", ")
        }
    );
    let _ = writeln!(out, "  service account  {}", w.service_account);
    let _ = writeln!(
        out,
        "  sidecar          {}",
        match w.sidecar {
            Some(true) => "yes",
            Some(false) => "no (policies and PeerAuthentication do not apply)",
            None => "unknown (namespace not in the inputs)",
        }
    );
    if w.ports.is_empty() {
        let _ = writeln!(out, "  ports            -");
    }
    for (i, p) in w.ports.iter().enumerate() {
        let via = if p.services.is_empty() {
            "no Service".to_string()
        } else {
            p.services.join(", ")
        };
        let _ = writeln!(
            out,
            "  {:<16} {} {} via {via}",
            if i == 0 { "ports" } else { "" },
            p.port,
            p.protocol
        );
    }
    let _ = writeln!(out, "\nmTLS (server side)");
    let _ = writeln!(out, "  {:<10} {:<11} FROM", "PORT", "MODE");
    for m in &report.mtls {
        let port = m.port.map_or("(all)".to_string(), |p| p.to_string());
        let _ = writeln!(out, "  {:<10} {:<11} {}", port, m.mode, scope_text(m));
    }
    let _ = writeln!(
        out,
        "\nAuthorizationPolicies (evaluation order: CUSTOM, DENY, ALLOW, AUDIT)"
    );
    if report.policies.is_empty() {
        let _ = writeln!(
            out,
            "  none: every request that reaches the workload is allowed"
        );
    } else {
        let width = report
            .policies
            .iter()
            .map(|p| p.namespace.len() + p.name.len() + 1)
            .max()
            .unwrap_or(0)
            .max(6);
        let _ = writeln!(
            out,
            "  {:<7} {:<width$} {:<10} {:<6} WHERE",
            "ACTION", "POLICY", "SCOPE", "RULES"
        );
        for p in &report.policies {
            let _ = writeln!(
                out,
                "  {:<7} {:<width$} {:<10} {:<6} {}:{}{}",
                p.action,
                format!("{}/{}", p.namespace, p.name),
                p.scope,
                p.rules.len(),
                p.file,
                p.line,
                p.note
                    .map_or(String::new(), |n| format!("  [not enforced: {n}]"))
            );
            if p.rules.is_empty() {
                let what = if p.action == "ALLOW" {
                    "no rules: matches nothing (allow-nothing)"
                } else {
                    "no rules: matches nothing"
                };
                let _ = writeln!(out, "      {what}");
            }
            for r in &p.rules {
                let _ = writeln!(
                    out,
                    "      rules[{}]  {}  ({}:{})",
                    r.index, r.summary, r.file, r.line
                );
            }
        }
    }
    if let Some(d) = &report.decision {
        let _ = writeln!(out, "\nRequest  {}", d.request);
        let _ = writeln!(
            out,
            "  mTLS      {} ({}): {}{}",
            d.mtls.wire,
            d.mtls.client_tls,
            d.mtls.reason,
            d.mtls
                .identity
                .as_ref()
                .map_or(String::new(), |i| format!("; identity {i}"))
        );
        let verdict = match d.outcome {
            "allowed" => "ALLOWED",
            "provider" => "EXTERNAL AUTHORIZER DECIDES",
            _ => "DENIED",
        };
        let _ = writeln!(out, "  decision  {verdict}: {}", d.reason);
        for r in &d.dry_run {
            let _ = writeln!(out, "  dry-run   {r} would match (not enforced)");
        }
    }
    out
}
