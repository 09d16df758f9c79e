//! `simulate`: walks one request (or a call chain) through the mesh index and explains the
//! outcome with a trace in which every step names the resource and the place that decided it.
//!
//! The walk, per hop (`../shared/reference/istio-semantics-and-peers.md` §6):
//! 1. the client: a sidecar workload (its Sidecar scope and namespace), an ingress gateway
//!    workload (Service port → targetPort → Gateway server → the bound VirtualServices, merged,
//!    catch-alls last), or a client without proxy (`external`, or a workload without sidecar);
//! 2. the host as that client sees it (`name` only in its own namespace, `name.ns`, FQDN,
//!    external), its visibility (exportTo, Sidecar egress; not imported → `outboundTrafficPolicy`);
//! 3. the VirtualService that owns the host (several: creation order decides, both outcomes are
//!    shown), the first route whose match takes the request (`mesh::request`), delegates,
//!    redirect / directResponse / fault / rewrite, timeout and retries;
//! 4. the weighted destinations (every candidate with its real share), the DestinationRule the
//!    lookup path picks, the subset, and the endpoints (workloads of the selector ∧ subset labels);
//! 5. client TLS against the server's PeerAuthentication, and authorization at the destination:
//!    both belong to the one mTLS/authz evaluator of the security work and are reported as
//!    "not evaluated" until it is wired in (never a guessed verdict).
//!
//! Several URLs make a call chain: the request lands on an endpoint of hop N, which makes hop
//! N+1 with the same headers. Injected delays add up from the end of the chain and are checked
//! against each caller's route timeout and per-try timeout with its retries.

pub mod render;
pub mod routing_tests;

use std::time::Duration;

use serde::Serialize;

use crate::authz::{self, Peer, PolicyIndex};
use crate::diag::{ResourceRef, did_you_mean};
use crate::mesh::matching::HttpCondition;
use crate::mesh::mtls::{Caller, ClientOrigin};
use crate::mesh::request::{self, Proxy, Request};
use crate::mesh::{
    ExportTo, GatewayRef, Injection, Mesh, ServiceId, ServiceSource, VsIdx, WorkloadId,
    WorkloadSource, duration, host,
};
use crate::model::networking::{HttpRoute, VirtualService};
use crate::model::{Model, Res, resource_ref};
use crate::source::Loc;

/// Why a request ends the way it does (the design's list).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cause {
    Ok,
    NoRoute,
    SubsetNotFound,
    HostNotVisible,
    NoEndpoints,
    MtlsMismatch,
    RbacDenied,
    FaultAbort,
    Timeout,
    Blackhole,
    Redirect,
    DirectResponse,
}

impl Cause {
    pub const ALL: [Cause; 12] = [
        Cause::Ok,
        Cause::NoRoute,
        Cause::SubsetNotFound,
        Cause::HostNotVisible,
        Cause::NoEndpoints,
        Cause::MtlsMismatch,
        Cause::RbacDenied,
        Cause::FaultAbort,
        Cause::Timeout,
        Cause::Blackhole,
        Cause::Redirect,
        Cause::DirectResponse,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Cause::Ok => "ok",
            Cause::NoRoute => "no-route",
            Cause::SubsetNotFound => "subset-not-found",
            Cause::HostNotVisible => "host-not-visible",
            Cause::NoEndpoints => "no-endpoints",
            Cause::MtlsMismatch => "mtls-mismatch",
            Cause::RbacDenied => "rbac-denied",
            Cause::FaultAbort => "fault-abort",
            Cause::Timeout => "timeout",
            Cause::Blackhole => "blackhole",
            Cause::Redirect => "redirect",
            Cause::DirectResponse => "direct-response",
        }
    }

    pub fn parse(s: &str) -> Option<Cause> {
        Cause::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// What the caller sees.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    /// The HTTP status; `None` for a TCP connection (or a connection that never gets one).
    pub status: Option<u16>,
    /// The Envoy response flag a user would find in the access log.
    pub flag: Option<&'static str>,
    pub cause: Cause,
    pub reason: String,
}

impl Verdict {
    fn new(status: Option<u16>, flag: Option<&'static str>, cause: Cause, reason: String) -> Self {
        Verdict {
            status,
            flag,
            cause,
            reason,
        }
    }

    /// Whether the request succeeds (a redirect is an answer, not a failure).
    pub fn succeeds(&self) -> bool {
        matches!(self.cause, Cause::Ok | Cause::Redirect)
            || (self.cause == Cause::DirectResponse && self.status.is_some_and(|s| s < 400))
    }
}

/// One step of the walk.
#[derive(Debug, Clone)]
pub struct Step {
    /// The hop (0-based) of a call chain.
    pub hop: usize,
    pub step: &'static str,
    pub detail: String,
    pub resource: Option<ResourceRef>,
    pub loc: Option<Loc>,
}

/// One destination of the matched route, with its real share of the traffic.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    pub service: String,
    pub subset: Option<String>,
    pub port: Option<u32>,
    pub weight_percent: f64,
}

/// Where the request lands.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Destination {
    pub service: String,
    pub port: Option<u32>,
    pub subset: Option<String>,
    /// `name.namespace` of the endpoint workloads (empty when unknown or none).
    pub endpoints: Vec<String>,
}

/// A route's timeout settings, for call chains.
#[derive(Debug, Clone)]
struct Timeouts {
    /// `VirtualService ns/name http[i]`.
    route: String,
    resource: ResourceRef,
    loc: Loc,
    timeout: Option<Duration>,
    per_try: Option<Duration>,
    attempts: u32,
    retry_on_timeout: bool,
}

/// An injected delay that fires.
#[derive(Debug, Clone)]
struct Delay {
    duration: Duration,
    route: String,
    resource: ResourceRef,
    loc: Loc,
}

/// The result of one hop.
#[derive(Debug, Clone)]
pub struct Hop {
    pub url: String,
    pub verdict: Verdict,
    pub destination: Option<Destination>,
    pub candidates: Vec<Candidate>,
    /// The path (and authority) the request is forwarded with after a rewrite.
    pub rewrite: Option<String>,
    pub rewrite_authority: Option<String>,
    /// The `Location` of a redirect.
    pub redirect: Option<String>,
    /// The authorization decision at the destination (`None`: not evaluated).
    pub allowed: Option<bool>,
    timeouts: Option<Timeouts>,
    delay: Option<Delay>,
    /// The workload the request lands on (the client of the next hop).
    landed: Option<WorkloadId>,
}

/// The whole simulation.
#[derive(Debug, Clone)]
pub struct Simulation {
    pub verdict: Verdict,
    /// The hop the verdict is about.
    pub deciding: usize,
    pub hops: Vec<Hop>,
    pub trace: Vec<Step>,
}

impl Simulation {
    /// The hop the verdict is about (the first that failed, else the last).
    pub fn deciding_hop(&self) -> Option<&Hop> {
        self.hops.get(self.deciding).or(self.hops.last())
    }
}

/// The question.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// `name.ns`, `ingress`, `ingress:name.ns` or `external`.
    pub from: String,
    /// One URL per hop.
    pub to: Vec<String>,
    pub method: Option<String>,
    pub headers: Vec<(String, String)>,
    /// Overrides the port of the first URL.
    pub port: Option<u32>,
    /// Follows the destination with this subset where a route splits traffic.
    pub subset: Option<String>,
}

impl Query {
    /// The question from the command line's flags (`-H` texts parsed, the method upper-cased).
    pub fn from_cli(
        from: &str,
        to: &[String],
        method: &str,
        headers: &[String],
        port: Option<u32>,
        subset: Option<&str>,
    ) -> Result<Query, UsageError> {
        Ok(Query {
            from: from.to_string(),
            to: to.to_vec(),
            method: Some(method.to_ascii_uppercase()),
            headers: headers
                .iter()
                .map(|h| parse_header(h))
                .collect::<Result<_, _>>()?,
            port,
            subset: subset.map(str::to_string),
        })
    }
}

/// The question cannot be asked (exit 2): unknown source or host, malformed URL.
#[derive(Debug, Clone, PartialEq)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parses `-H 'name: value'`.
pub fn parse_header(text: &str) -> Result<(String, String), UsageError> {
    match text.split_once(':') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.trim().to_string())),
        _ => Err(UsageError(format!(
            "bad header {text:?}: expected 'name: value'"
        ))),
    }
}

/// Who sends a hop's request.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Client {
    Sidecar(WorkloadId),
    Gateway(WorkloadId),
    /// No proxy: `external`, or a workload without sidecar.
    Plain(Option<WorkloadId>),
}

/// Runs the simulation.
pub fn simulate(model: &Model, mesh: &Mesh, q: &Query) -> Result<Simulation, UsageError> {
    simulate_with(model, mesh, &PolicyIndex::build(model, mesh), q)
}

/// Runs the simulation with a policy index built once (for many requests).
pub fn simulate_with(
    model: &Model,
    mesh: &Mesh,
    policies: &PolicyIndex,
    q: &Query,
) -> Result<Simulation, UsageError> {
    if q.to.is_empty() {
        return Err(UsageError("no --to URL given".into()));
    }
    let first = resolve_source(model, mesh, &q.from)?;
    let mut requests = Vec::with_capacity(q.to.len());
    for (i, url) in q.to.iter().enumerate() {
        let mut r = Request::parse_url(url).map_err(UsageError)?;
        if let Some(m) = &q.method {
            r.method = m.to_ascii_uppercase();
        }
        for (k, v) in &q.headers {
            r.set_header(k, v);
        }
        if i == 0
            && let Some(p) = q.port
        {
            r.port = p;
            r.explicit_port = true;
        }
        requests.push(r);
    }
    let mut walker = Walker {
        model,
        mesh,
        policies,
        client: None,
        subset: q.subset.as_deref(),
        trace: Vec::new(),
        hop: 0,
        alternatives: true,
        validator: false,
    };
    let mut hops: Vec<Hop> = Vec::new();
    let mut client = first;
    walker.source_step(client, true);
    for (i, req) in requests.iter().enumerate() {
        walker.hop = i;
        if i > 0 {
            walker.source_step(client, false);
        }
        let hop = walker.hop_from(client, req, None)?;
        let landed = hop.landed;
        let ok = hop.verdict.succeeds() && hop.verdict.cause == Cause::Ok;
        hops.push(hop);
        if !ok {
            if i + 1 < requests.len() {
                walker.push(
                    "chain",
                    format!(
                        "the request ends here: the {} later call(s) of the chain are not made",
                        requests.len() - i - 1
                    ),
                    None,
                );
            }
            break;
        }
        if i + 1 < requests.len() {
            match landed {
                Some(w) => client = client_for(mesh, model, w),
                None => {
                    walker.push(
                        "chain",
                        "the endpoints of this hop are not in the files: the next call is made by a client without sidecar".into(),
                        None,
                    );
                    client = Client::Plain(None);
                }
            }
        }
    }
    let (deciding, verdict) = walker.chain_verdict(&hops);
    Ok(Simulation {
        verdict,
        deciding,
        hops,
        trace: walker.trace,
    })
}

fn client_for(mesh: &Mesh, model: &Model, w: WorkloadId) -> Client {
    if mesh.is_gateway_workload(model, w) {
        Client::Gateway(w)
    } else if mesh.workload(w).injection == Injection::NotInjected {
        Client::Plain(Some(w))
    } else {
        Client::Sidecar(w)
    }
}

fn workload_names(mesh: &Mesh, gateways: bool, model: &Model) -> Vec<String> {
    let mut names: Vec<String> = (0..mesh.workloads.len() as u32)
        .map(WorkloadId)
        .filter(|&id| {
            matches!(mesh.workload(id).source, WorkloadSource::Pod(_))
                && mesh.is_gateway_workload(model, id) == gateways
        })
        .map(|id| {
            let w = mesh.workload(id);
            format!("{}.{}", w.name, w.namespace)
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

fn resolve_source(model: &Model, mesh: &Mesh, from: &str) -> Result<Client, UsageError> {
    let from = from.trim();
    if from == "external" {
        return Ok(Client::Plain(None));
    }
    let find = |text: &str, gateway: bool| -> Result<WorkloadId, UsageError> {
        let (name, ns) = text.rsplit_once('.').ok_or_else(|| {
            UsageError(format!(
                "source {text:?}: expected <workload>.<namespace> (e.g. productpage-v1.default)"
            ))
        })?;
        match mesh.find_workload(name, ns) {
            Some(id) => Ok(id),
            None => {
                let names = workload_names(mesh, gateway, model);
                let hint = did_you_mean(text, names.iter().map(String::as_str))
                    .map(|s| format!("; did you mean {s}?"))
                    .unwrap_or_else(|| {
                        if names.is_empty() {
                            String::new()
                        } else {
                            format!("; known: {}", names.join(", "))
                        }
                    });
                Err(UsageError(format!(
                    "no workload {name} in namespace {ns} in the inputs{hint}"
                )))
            }
        }
    };
    if from == "ingress" {
        let gateways: Vec<WorkloadId> = {
            let mut ids: Vec<WorkloadId> =
                mesh.gateway_workloads.iter().flatten().copied().collect();
            ids.sort();
            ids.dedup();
            ids.retain(|&id| mesh.is_gateway_workload(model, id));
            ids
        };
        return match gateways.as_slice() {
            [one] => Ok(Client::Gateway(*one)),
            [] => Err(UsageError(
                "no ingress gateway in the inputs: no Gateway selects a gateway workload (use --from <workload>.<namespace> or external)".into(),
            )),
            several => Err(UsageError(format!(
                "several gateway workloads: choose one of {}",
                several
                    .iter()
                    .map(|&id| {
                        let w = mesh.workload(id);
                        format!("ingress:{}.{}", w.name, w.namespace)
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        };
    }
    if let Some(rest) = from.strip_prefix("ingress:") {
        let id = find(rest, true)?;
        return Ok(Client::Gateway(id));
    }
    let id = find(from, false)?;
    Ok(client_for(mesh, model, id))
}

/// An HTTP route as it applies after delegation: the leaf's fields, else the root's.
struct Effective<'m> {
    vs: VsIdx,
    route: &'m HttpRoute,
    root: Option<(VsIdx, &'m HttpRoute)>,
    /// `VirtualService ns/name http[i]` (with the delegate part).
    name: String,
    loc: Loc,
    /// The match condition that took the request.
    matched: String,
}

impl<'m> Effective<'m> {
    fn pick<T>(&self, f: impl Fn(&'m HttpRoute) -> Option<T>) -> Option<T> {
        f(self.route).or_else(|| self.root.and_then(|(_, r)| f(r)))
    }
}

struct Walker<'a> {
    model: &'a Model,
    mesh: &'a Mesh,
    policies: &'a PolicyIndex,
    /// The workload that sends the current hop's request.
    client: Option<WorkloadId>,
    subset: Option<&'a str>,
    trace: Vec<Step>,
    hop: usize,
    /// Whether an ambiguous VirtualService choice is also walked the other way.
    alternatives: bool,
    /// istio-config-validator semantics: no proxy, delegates kept as written.
    validator: bool,
}

fn vs_desc(vs: &Res<VirtualService>) -> String {
    format!("VirtualService {}/{}", vs.namespace(), vs.name())
}

fn percent_of(p: Option<&crate::model::networking::Percent>, legacy: Option<i64>) -> (f64, bool) {
    match (p.and_then(|p| p.value.as_ref()), legacy) {
        (Some(v), _) => (v.value, true),
        (None, Some(n)) => (n as f64, true),
        (None, None) => (100.0, false),
    }
}

fn fmt_pct(p: f64) -> String {
    let s = format!("{p:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

impl<'a> Walker<'a> {
    fn push(&mut self, step: &'static str, detail: String, at: Option<(ResourceRef, Loc)>) {
        let (resource, loc) = match at {
            Some((r, l)) => (Some(r), Some(l)),
            None => (None, None),
        };
        self.trace.push(Step {
            hop: self.hop,
            step,
            detail,
            resource,
            loc,
        });
    }

    fn workload_at(&self, id: WorkloadId) -> Option<(ResourceRef, Loc)> {
        let w = self.mesh.workload(id);
        let r = match w.source {
            WorkloadSource::Pod(i) => self.model.workloads.get(i)?.resource_ref(),
            WorkloadSource::WorkloadEntry(i) => self.model.workload_entries.get(i)?.resource_ref(),
            WorkloadSource::Endpoint(i, _) => self.model.service_entries.get(i)?.resource_ref(),
        };
        Some((r, w.loc))
    }

    fn service_at(&self, id: ServiceId) -> Option<(ResourceRef, Loc)> {
        let s = self.mesh.service(id);
        let r = match s.source {
            ServiceSource::Kubernetes(i) => self.model.services.get(i)?.resource_ref(),
            ServiceSource::ServiceEntry(i, _) => self.model.service_entries.get(i)?.resource_ref(),
        };
        Some((r, s.loc))
    }

    fn vs_at(&self, vs: VsIdx, loc: Loc) -> Option<(ResourceRef, Loc)> {
        Some((self.model.virtual_services.get(vs)?.resource_ref(), loc))
    }

    fn source_step(&mut self, client: Client, first: bool) {
        let (detail, at) = match client {
            Client::Sidecar(id) | Client::Gateway(id) | Client::Plain(Some(id)) => {
                let w = self.mesh.workload(id);
                let kind = self
                    .workload_at(id)
                    .map_or("workload".to_string(), |(r, _)| r.kind);
                let role = match client {
                    Client::Sidecar(_) => "with a sidecar",
                    Client::Gateway(_) => "a gateway proxy",
                    _ => "without sidecar: no client-side routing, plaintext",
                };
                let lead = if first {
                    "from"
                } else {
                    "then, from the endpoint"
                };
                (
                    format!(
                        "{lead} {kind} {}.{} ({role}), namespace {}, service account {}",
                        w.name, w.namespace, w.namespace, w.service_account
                    ),
                    self.workload_at(id),
                )
            }
            Client::Plain(None) => (
                "from outside the mesh: no client proxy, plaintext".into(),
                None,
            ),
        };
        self.push("source", detail, at);
    }

    fn outbound_policy(&self, sidecar: Option<usize>) -> (String, Option<(ResourceRef, Loc)>) {
        if let Some(sc) = sidecar.and_then(|i| self.model.sidecars.get(i))
            && let Some(mode) = sc
                .spec
                .outbound_traffic_policy
                .as_ref()
                .and_then(|p| p.mode.as_ref())
        {
            return (mode.value.clone(), Some((sc.resource_ref(), mode.loc)));
        }
        let mc = &self.model.mesh_config;
        let at = mc
            .locs
            .get("outboundTrafficPolicy.mode")
            .copied()
            .zip(mc.config_map.clone())
            .map(|(l, r)| (r, l));
        (mc.outbound_traffic_policy.clone(), at)
    }

    /// One hop from `client`. `force_vs` walks a given VirtualService (the other outcome of an
    /// ambiguous choice).
    fn hop_from(
        &mut self,
        client: Client,
        req: &Request,
        force_vs: Option<VsIdx>,
    ) -> Result<Hop, UsageError> {
        let mut hop = Hop {
            url: format!("{}://{}{}", req.scheme, req.authority, req.path_and_query()),
            verdict: Verdict::new(Some(200), None, Cause::Ok, String::new()),
            destination: None,
            candidates: Vec::new(),
            rewrite: None,
            rewrite_authority: None,
            redirect: None,
            allowed: None,
            timeouts: None,
            delay: None,
            landed: None,
        };
        self.client = match client {
            Client::Sidecar(id) | Client::Gateway(id) | Client::Plain(Some(id)) => Some(id),
            Client::Plain(None) => None,
        };
        match client {
            Client::Gateway(id) => self.ingress(id, req, &mut hop)?,
            Client::Sidecar(id) => self.sidecar(id, req, &mut hop, force_vs)?,
            Client::Plain(id) => self.plain(id, req, &mut hop)?,
        }
        Ok(hop)
    }

    // ---- host resolution -------------------------------------------------------------------

    /// The host a client in `ns` means, and its services (any visibility). `Ok(None)`: an
    /// external host.
    fn resolve_host(
        &self,
        written: &str,
        ns: &str,
    ) -> Result<Option<(String, Vec<ServiceId>)>, UsageError> {
        let mut candidates: Vec<String> = Vec::new();
        let dots = written.matches('.').count();
        if dots == 0 {
            candidates.push(host::resolve(written, ns));
        } else {
            candidates.push(written.to_string());
            if dots == 1 {
                candidates.push(format!("{written}.svc.{}", host::CLUSTER_DOMAIN));
            } else if written.ends_with(".svc") {
                candidates.push(format!("{written}.{}", host::CLUSTER_DOMAIN));
            }
        }
        for c in &candidates {
            let services = self.mesh.services_for_host(c);
            if !services.is_empty() || !self.mesh.virtual_services_for_host(c).is_empty() {
                return Ok(Some((c.clone(), services)));
            }
        }
        let in_cluster = dots <= 1
            || written.ends_with(".svc")
            || written.ends_with(&format!(".{}", host::CLUSTER_DOMAIN));
        if in_cluster {
            let names = self.mesh.visible_host_names(ns);
            let hint = did_you_mean(written, names.iter().map(String::as_str))
                .map(|s| format!("; did you mean {s}?"))
                .unwrap_or_default();
            let why = if dots == 0 {
                format!(
                    " (a short name means a Service of the client's namespace {ns}: write name.namespace for another)"
                )
            } else {
                String::new()
            };
            return Err(UsageError(format!(
                "no Service or ServiceEntry for host {written} in the inputs{why}{hint}"
            )));
        }
        Ok(None)
    }

    fn check_port(&self, svc: ServiceId, req: &Request) -> Result<(), UsageError> {
        let s = self.mesh.service(svc);
        if s.ports.is_empty() || s.ports.iter().any(|p| p.number == req.port) {
            return Ok(());
        }
        let ports = s.port_numbers();
        let hint = match ports.as_slice() {
            [one] => format!(
                "; did you mean {}://{}:{one}{}?",
                req.scheme,
                req.host,
                req.path_and_query()
            ),
            _ => format!(
                "; its ports: {}",
                ports
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        Err(UsageError(format!(
            "{} has no port {}{}",
            s.describe(),
            req.port,
            hint
        )))
    }

    // ---- clients ---------------------------------------------------------------------------

    fn plain(
        &mut self,
        id: Option<WorkloadId>,
        req: &Request,
        hop: &mut Hop,
    ) -> Result<(), UsageError> {
        let ns = id.map_or(String::new(), |w| self.mesh.workload(w).namespace.clone());
        let resolved = self.resolve_host(&req.host, if ns.is_empty() { "default" } else { &ns })?;
        if id.is_none()
            && resolved
                .as_ref()
                .is_none_or(|(_, services)| services.is_empty())
            && let Some((g, gw_workload)) = self.gateway_for_host(&req.host)
        {
            // An external host that a Gateway serves: the request enters through that gateway.
            let gw = &self.model.gateways[g];
            self.push(
                "ingress",
                format!(
                    "{} is served by Gateway {}/{}: the request enters the mesh through its workload",
                    req.host,
                    gw.namespace(),
                    gw.name()
                ),
                Some((gw.resource_ref(), gw.loc())),
            );
            self.client = Some(gw_workload);
            return self.ingress(gw_workload, req, hop);
        }
        let Some((fqdn, services)) = resolved else {
            self.push(
                "host",
                format!(
                    "{} is outside the mesh: the request leaves without any mesh routing",
                    req.host
                ),
                None,
            );
            hop.verdict = Verdict::new(
                Some(200),
                None,
                Cause::Ok,
                format!("{} is reached directly, outside the mesh", req.host),
            );
            return Ok(());
        };
        let Some(&svc) = services.first() else {
            return Err(UsageError(format!("no Service for host {fqdn}")));
        };
        self.check_port(svc, req)?;
        self.push(
            "host",
            format!(
                "{} resolves to {}; without a client proxy there is no VirtualService routing: kube-proxy picks an endpoint (round-robin)",
                req.host,
                self.mesh.service(svc).describe()
            ),
            self.service_at(svc),
        );
        let port = req.port;
        hop.candidates = vec![Candidate {
            service: fqdn.clone(),
            subset: None,
            port: Some(port),
            weight_percent: 100.0,
        }];
        self.land(hop, svc, &fqdn, Some(port), None, "", false, None, req);
        Ok(())
    }

    /// A Gateway with a gateway workload whose servers accept `host` (an exact or wildcard
    /// server host before `*`), and that workload.
    fn gateway_for_host(&self, host_name: &str) -> Option<(usize, WorkloadId)> {
        let mut best: Option<(bool, usize, WorkloadId)> = None;
        for (g, servers) in self.mesh.gateway_hosts.iter().enumerate() {
            let Some(&w) = self.mesh.gateway_workloads.get(g).and_then(|ws| {
                ws.iter()
                    .find(|&&w| self.mesh.is_gateway_workload(self.model, w))
            }) else {
                continue;
            };
            for sh in servers.iter().flatten() {
                if host::matches(&sh.host, host_name) {
                    let specific = sh.host != "*";
                    if best.is_none_or(|(b, _, _)| specific && !b) {
                        best = Some((specific, g, w));
                    }
                }
            }
        }
        best.map(|(_, g, w)| (g, w))
    }

    fn sidecar(
        &mut self,
        id: WorkloadId,
        req: &Request,
        hop: &mut Hop,
        force_vs: Option<VsIdx>,
    ) -> Result<(), UsageError> {
        let (ns, labels) = {
            let w = self.mesh.workload(id);
            (w.namespace.clone(), w.labels.clone())
        };
        let sidecar = self.mesh.sidecar_for(self.model, &ns, &labels);
        if force_vs.is_none() {
            match sidecar.and_then(|i| self.model.sidecars.get(i)) {
                Some(sc) => {
                    let egress: Vec<String> = sc
                        .spec
                        .egress
                        .iter()
                        .flat_map(|e| e.hosts.iter().map(|h| h.value.clone()))
                        .collect();
                    let detail = format!(
                        "Sidecar {}/{} scopes the client: egress hosts {}",
                        sc.namespace(),
                        sc.name(),
                        if egress.is_empty() {
                            "*/* (no egress listed)".into()
                        } else {
                            egress.join(", ")
                        }
                    );
                    self.push("sidecar", detail, Some((sc.resource_ref(), sc.loc())));
                }
                None => self.push(
                    "sidecar",
                    "no Sidecar applies: the default scope imports every exported host (*/*)"
                        .into(),
                    None,
                ),
            }
        }
        let (policy, policy_at) = self.outbound_policy(sidecar);
        let Some((fqdn, services)) = self.resolve_host(&req.host, &ns)? else {
            // An external host without ServiceEntry.
            if policy == "REGISTRY_ONLY" {
                self.push(
                    "host",
                    format!("{} is no Service or ServiceEntry: outboundTrafficPolicy REGISTRY_ONLY sends it to the BlackHoleCluster", req.host),
                    policy_at,
                );
                hop.verdict = Verdict::new(
                    Some(502),
                    None,
                    Cause::Blackhole,
                    format!(
                        "{} is not in the registry and outboundTrafficPolicy is REGISTRY_ONLY: BlackHoleCluster",
                        req.host
                    ),
                );
            } else {
                self.push(
                    "host",
                    format!("{} is no Service or ServiceEntry: outboundTrafficPolicy ALLOW_ANY lets it through the PassthroughCluster (no routing, no DestinationRule, no mTLS)", req.host),
                    policy_at,
                );
                hop.verdict = Verdict::new(
                    Some(200),
                    None,
                    Cause::Ok,
                    format!("{} is reached through the PassthroughCluster", req.host),
                );
            }
            return Ok(());
        };
        if let Some(&svc) = services.first() {
            self.check_port(svc, req)?;
        }
        let visible: Vec<ServiceId> = services
            .iter()
            .copied()
            .filter(|&s| {
                let info = self.mesh.service(s);
                (info.namespace == ns || info.export_to.visible_to(&ns))
                    && sidecar.is_none_or(|sc| self.mesh.sidecar_imports(self.model, sc, s))
            })
            .collect();
        if force_vs.is_none() {
            let written = if req.host == fqdn {
                fqdn.clone()
            } else {
                format!("{} → {}", req.host, fqdn)
            };
            match services.first() {
                Some(&svc) => {
                    let p = self
                        .mesh
                        .service(svc)
                        .ports
                        .iter()
                        .find(|p| p.number == req.port);
                    let port = p.map_or(String::new(), |p| {
                        let proto = format!("{:?}", p.protocol).to_ascii_uppercase();
                        if p.name.is_empty() {
                            format!(", port {} ({proto})", p.number)
                        } else {
                            format!(", port {} (name {}, {proto})", p.number, p.name)
                        }
                    });
                    self.push(
                        "host",
                        format!("{written}: {}{port}", self.mesh.service(svc).describe()),
                        self.service_at(svc),
                    );
                }
                None => self.push(
                    "host",
                    format!("{written}: no Service, only VirtualService hosts"),
                    None,
                ),
            }
        }
        if !services.is_empty() && visible.is_empty() {
            let svc = services[0];
            let why = {
                let info = self.mesh.service(svc);
                if !(info.namespace == ns || info.export_to.visible_to(&ns)) {
                    format!("{} is not exported to namespace {ns}", info.describe())
                } else {
                    format!(
                        "the Sidecar's egress hosts do not import {}",
                        info.describe()
                    )
                }
            };
            if policy == "REGISTRY_ONLY" {
                self.push(
                    "visibility",
                    format!("{why}: outboundTrafficPolicy REGISTRY_ONLY sends it to the BlackHoleCluster"),
                    policy_at.or_else(|| self.service_at(svc)),
                );
                hop.verdict = Verdict::new(
                    Some(502),
                    None,
                    Cause::HostNotVisible,
                    format!("{why}, and outboundTrafficPolicy is REGISTRY_ONLY"),
                );
                return Ok(());
            }
            self.push(
                "visibility",
                format!("{why}: outboundTrafficPolicy ALLOW_ANY passes it through to the Service address unrouted (no VirtualService, no DestinationRule, no mTLS)"),
                self.service_at(svc),
            );
            hop.candidates = vec![Candidate {
                service: fqdn.clone(),
                subset: None,
                port: Some(req.port),
                weight_percent: 100.0,
            }];
            self.land(hop, svc, &fqdn, Some(req.port), None, "", false, None, req);
            return Ok(());
        }
        // The VirtualService that owns the host for this client.
        let owners = self.sidecar_virtual_services(&fqdn, &ns);
        let chosen = force_vs.or_else(|| owners.first().copied());
        let Some(vs) = chosen else {
            let Some(&svc) = visible.first() else {
                return Err(UsageError(format!("no Service for host {fqdn}")));
            };
            let protocol_tcp = self.is_tcp(svc, req.port);
            self.push(
                "route",
                format!(
                    "no VirtualService for {fqdn}: Istio's default route to {} port {} (round-robin over its endpoints)",
                    self.mesh.service(svc).describe(),
                    req.port
                ),
                self.service_at(svc),
            );
            hop.candidates = vec![Candidate {
                service: fqdn.clone(),
                subset: None,
                port: Some(req.port),
                weight_percent: 100.0,
            }];
            self.land(
                hop,
                svc,
                &fqdn,
                Some(req.port),
                None,
                &ns,
                protocol_tcp,
                None,
                req,
            );
            return Ok(());
        };
        if force_vs.is_none() && owners.len() > 1 && self.alternatives {
            let names: Vec<String> = owners
                .iter()
                .map(|&v| vs_desc(&self.model.virtual_services[v]))
                .collect();
            let first = &self.model.virtual_services[owners[0]];
            self.push(
                "virtualservice",
                format!(
                    "several VirtualServices define {fqdn} for sidecars: {}. Sidecars do not merge them: the oldest wins, and creation order is not in the files. This walk uses {}; the other outcomes follow",
                    names.join(", "),
                    names[0]
                ),
                Some((first.resource_ref(), first.loc())),
            );
            for &other in &owners[1..] {
                let saved = std::mem::take(&mut self.trace);
                self.alternatives = false;
                let alt = self.hop_from(Client::Sidecar(id), req, Some(other));
                self.alternatives = true;
                self.trace = saved;
                if let Ok(alt) = alt {
                    let o = &self.model.virtual_services[other];
                    self.push(
                        "virtualservice",
                        format!(
                            "if {} is older: {} {} ({})",
                            vs_desc(o),
                            alt.verdict
                                .status
                                .map_or("-".to_string(), |s| s.to_string()),
                            alt.verdict.cause.as_str(),
                            alt.verdict.reason
                        ),
                        Some((o.resource_ref(), o.loc())),
                    );
                }
            }
        } else if force_vs.is_none() {
            let v = &self.model.virtual_services[vs];
            self.push(
                "virtualservice",
                format!("{} owns {fqdn} for this client", vs_desc(v)),
                Some((v.resource_ref(), v.loc())),
            );
        }
        let svc_for_proto = visible.first().copied();
        if svc_for_proto.is_some_and(|s| self.is_tcp(s, req.port)) {
            return self.tcp_routes(vs, req, hop, &ns, &labels, svc_for_proto);
        }
        let routes: Vec<(VsIdx, usize)> = (0..self.model.virtual_services[vs].spec.http.len())
            .map(|i| (vs, i))
            .collect();
        let proxy = Proxy {
            labels: &labels,
            namespace: &ns,
            gateway: &GatewayRef::Mesh,
        };
        self.routed(routes, req, proxy, hop, &ns, &fqdn);
        Ok(())
    }

    fn is_tcp(&self, svc: ServiceId, port: u32) -> bool {
        self.mesh
            .service(svc)
            .ports
            .iter()
            .find(|p| p.number == port)
            .is_some_and(|p| !p.protocol.is_http() && p.protocol != crate::mesh::Protocol::Unknown)
    }

    /// VirtualServices bound to sidecars that own `fqdn` for a client in `ns`, best first: the
    /// most specific host (exact, then the longest wildcard); among equals, namespace-private,
    /// then exported to the namespace, then public, each by creation time (else input order).
    fn sidecar_virtual_services(&self, fqdn: &str, ns: &str) -> Vec<VsIdx> {
        let levels = std::iter::once(fqdn.to_string())
            .chain(host::wildcard_parents(fqdn).filter(|h| h != "*"));
        for level in levels {
            let mut found: Vec<VsIdx> = self
                .mesh
                .virtual_services_for_host(&level)
                .iter()
                .copied()
                .filter(|&v| {
                    let info = &self.mesh.virtual_services[v];
                    let vns = self.model.virtual_services[v].namespace();
                    info.binds_mesh()
                        && !info.is_delegate
                        && (vns == ns || info.export_to.visible_to(ns))
                })
                .collect();
            found.dedup();
            if !found.is_empty() {
                let class = |v: VsIdx| match &self.mesh.virtual_services[v].export_to {
                    ExportTo::All => 2,
                    ExportTo::Namespaces(l) if l.len() == 1 && l[0] == ns => 0,
                    ExportTo::Namespaces(_) => 1,
                };
                let created = |v: VsIdx| {
                    self.model.virtual_services[v]
                        .meta
                        .creation_timestamp
                        .as_ref()
                        .map(|t| t.value.clone())
                };
                found.sort_by(|&a, &b| {
                    class(a)
                        .cmp(&class(b))
                        .then_with(|| match (created(a), created(b)) {
                            (Some(x), Some(y)) => x.cmp(&y),
                            _ => std::cmp::Ordering::Equal,
                        })
                        .then(a.cmp(&b))
                });
                return found;
            }
        }
        Vec::new()
    }

    fn ingress(&mut self, id: WorkloadId, req: &Request, hop: &mut Hop) -> Result<(), UsageError> {
        let (gw_ns, labels) = {
            let w = self.mesh.workload(id);
            (w.namespace.clone(), w.labels.clone())
        };
        // Service port → targetPort.
        let mut listen = vec![req.port];
        for s in self.mesh.services_selecting(id) {
            if let Some(p) = self
                .mesh
                .service(s)
                .ports
                .iter()
                .find(|p| p.number == req.port)
            {
                let target = p.target_port.unwrap_or(p.number);
                listen.push(target);
                let detail = format!(
                    "{} port {} ({}) → targetPort {target} of the gateway pods",
                    self.mesh.service(s).describe(),
                    p.number,
                    p.name
                );
                let at = self.service_at(s).map(|(r, _)| (r, p.loc));
                self.push("ingress", detail, at);
                break;
            }
        }
        // Gateways selecting this workload, and their servers on that port.
        let mut servers = Vec::new();
        for (g, picked) in self.mesh.gateway_workloads.iter().enumerate() {
            if !picked.contains(&id) {
                continue;
            }
            let gw = &self.model.gateways[g];
            for (si, server) in gw.spec.servers.iter().enumerate() {
                let Some(n) = server.port.as_ref().and_then(|p| p.number.as_ref()) else {
                    continue;
                };
                if listen.contains(&n.value) {
                    servers.push((g, si));
                }
            }
        }
        if servers.is_empty() {
            self.push(
                "ingress",
                format!(
                    "no Gateway server of this gateway workload listens on port {}",
                    req.port
                ),
                self.workload_at(id),
            );
            hop.verdict = Verdict::new(
                None,
                None,
                Cause::NoRoute,
                format!(
                    "the gateway has no listener on port {}: the connection is refused",
                    req.port
                ),
            );
            return Ok(());
        }
        let matching: Vec<(usize, usize)> = servers
            .iter()
            .copied()
            .filter(|&(g, si)| {
                self.mesh.gateway_hosts[g]
                    .get(si)
                    .is_some_and(|hosts| hosts.iter().any(|h| host::matches(&h.host, &req.host)))
            })
            .collect();
        let Some(&(g, si)) = matching.first() else {
            let (g, si) = servers[0];
            let gw = &self.model.gateways[g];
            self.push(
                "ingress",
                format!(
                    "no server host of Gateway {}/{} on this port accepts {}",
                    gw.namespace(),
                    gw.name(),
                    req.host
                ),
                Some((gw.resource_ref(), gw.spec.servers[si].at)),
            );
            hop.verdict = Verdict::new(
                Some(404),
                Some("NR"),
                Cause::NoRoute,
                format!("no Gateway server accepts host {}", req.host),
            );
            return Ok(());
        };
        let gw = &self.model.gateways[g];
        let server = &gw.spec.servers[si];
        let protocol = server
            .port
            .as_ref()
            .and_then(|p| p.protocol.as_ref())
            .map_or("HTTP".to_string(), |p| p.value.to_ascii_uppercase());
        let hosts: Vec<String> = server.hosts.iter().map(|h| h.value.clone()).collect();
        self.push(
            "gateway",
            format!(
                "Gateway {}/{} server {} port {} {protocol}, hosts {}{}",
                gw.namespace(),
                gw.name(),
                server
                    .name
                    .as_ref()
                    .map_or(format!("servers[{si}]"), |n| n.value.clone()),
                server
                    .port
                    .as_ref()
                    .and_then(|p| p.number.as_ref())
                    .map_or(0, |n| n.value),
                hosts.join(", "),
                server
                    .tls
                    .as_deref()
                    .map(|t| {
                        let mode = t.mode.as_ref().map(|m| format!(", TLS {}", m.value));
                        let redirect = if t.https_redirect.unwrap_or(false) {
                            ", httpsRedirect"
                        } else {
                            ""
                        };
                        format!("{}{redirect}", mode.unwrap_or_default())
                    })
                    .unwrap_or_default()
            ),
            Some((gw.resource_ref(), server.at)),
        );
        let tls = server.tls.as_deref();
        if req.scheme == "http" && tls.and_then(|t| t.https_redirect).unwrap_or(false) {
            let location = format!("https://{}{}", req.host, req.path_and_query());
            self.push(
                "gateway",
                format!("tls.httpsRedirect: a plaintext request is redirected to {location}"),
                Some((gw.resource_ref(), tls.map_or(server.at, |t| t.at))),
            );
            hop.redirect = Some(location.clone());
            hop.verdict = Verdict::new(
                Some(301),
                None,
                Cause::Redirect,
                format!("the Gateway server redirects plaintext to {location}"),
            );
            return Ok(());
        }
        let gw_ref = GatewayRef::Named {
            namespace: gw.namespace().to_string(),
            name: gw.name().to_string(),
        };
        // VirtualServices bound to this gateway for the host, merged.
        let mut bound: Vec<VsIdx> = Vec::new();
        let server_hosts = self.mesh.gateway_hosts[g]
            .get(si)
            .cloned()
            .unwrap_or_default();
        for level in std::iter::once(req.host.clone()).chain(host::wildcard_parents(&req.host)) {
            for &v in self.mesh.virtual_services_for_host(&level) {
                let info = &self.mesh.virtual_services[v];
                let vns = self.model.virtual_services[v].namespace();
                if info.gateways.iter().any(|(r, _)| *r == gw_ref)
                    && (vns == gw_ns || info.export_to.visible_to(&gw_ns) || vns == gw.namespace())
                    && self.mesh.server_accepts(&server_hosts, vns, &level)
                    && !bound.contains(&v)
                {
                    bound.push(v);
                }
            }
        }
        bound.sort();
        if bound.is_empty() {
            self.push(
                "virtualservice",
                format!(
                    "no VirtualService bound to Gateway {} serves host {}",
                    gw_ref, req.host
                ),
                Some((gw.resource_ref(), server.at)),
            );
            hop.verdict = Verdict::new(
                Some(404),
                Some("NR"),
                Cause::NoRoute,
                format!(
                    "no VirtualService bound to Gateway {gw_ref} serves {}",
                    req.host
                ),
            );
            return Ok(());
        }
        let names: Vec<String> = bound
            .iter()
            .map(|&v| vs_desc(&self.model.virtual_services[v]))
            .collect();
        let first = &self.model.virtual_services[bound[0]];
        self.push(
            "virtualservice",
            if bound.len() == 1 {
                format!("{} is bound to Gateway {gw_ref} for {}", names[0], req.host)
            } else {
                format!(
                    "{} are bound to Gateway {gw_ref} for {}: gateways merge their routes (order between them is creation order, not in the files; catch-all routes last)",
                    names.join(", "),
                    req.host
                )
            },
            Some((first.resource_ref(), first.loc())),
        );
        let mut routes: Vec<(VsIdx, usize)> = Vec::new();
        let mut catch_all: Vec<(VsIdx, usize)> = Vec::new();
        for &v in &bound {
            let vs = &self.model.virtual_services[v];
            let gws: Vec<GatewayRef> = self.mesh.virtual_services[v]
                .gateways
                .iter()
                .map(|(r, _)| r.clone())
                .collect();
            for (i, r) in vs.spec.http.iter().enumerate() {
                let is_catch_all = bound.len() > 1
                    && (r.matches.is_empty()
                        || r.matches.iter().any(|m| {
                            HttpCondition::from_match(m, vs.namespace(), &gws).is_catch_all()
                        }));
                if is_catch_all {
                    catch_all.push((v, i));
                } else {
                    routes.push((v, i));
                }
            }
        }
        routes.extend(catch_all);
        let proxy = Proxy {
            labels: &labels,
            namespace: &gw_ns,
            gateway: &gw_ref,
        };
        let fqdn = req.host.clone();
        self.routed(routes, req, proxy, hop, &gw_ns, &fqdn);
        Ok(())
    }

    // ---- routes ----------------------------------------------------------------------------

    /// Finds the route that takes the request, following delegates.
    fn find_route(
        &mut self,
        routes: &[(VsIdx, usize)],
        req: &Request,
        proxy: Option<Proxy<'_>>,
    ) -> Option<Effective<'a>> {
        let model = self.model;
        for &(v, i) in routes {
            let vs = &model.virtual_services[v];
            let Some(route) = vs.spec.http.get(i) else {
                continue;
            };
            let gws: Vec<GatewayRef> = self.mesh.virtual_services[v]
                .gateways
                .iter()
                .map(|(r, _)| r.clone())
                .collect();
            let name = format!(
                "{} http[{i}]{}",
                vs_desc(vs),
                route
                    .name
                    .as_ref()
                    .map_or(String::new(), |n| format!(" ({})", n.value))
            );
            let (taken, matched) = if route.matches.is_empty() {
                (Some(route.at), "no match: every request".to_string())
            } else {
                let mut why = Vec::new();
                let mut hit = None;
                for (j, m) in route.matches.iter().enumerate() {
                    let cond = HttpCondition::from_match(m, vs.namespace(), &gws);
                    match request::check(&cond, req, proxy) {
                        Ok(()) => {
                            hit = Some((m.at, format!("match[{j}] ({cond})")));
                            break;
                        }
                        Err(e) => why.push(if route.matches.len() > 1 {
                            format!("match[{j}]: {e}")
                        } else {
                            e
                        }),
                    }
                }
                match hit {
                    Some((at, text)) => (Some(at), text),
                    None => {
                        self.push(
                            "route",
                            format!("{name} not taken: {}", why.join("; ")),
                            self.vs_at(v, route.at),
                        );
                        (None, String::new())
                    }
                }
            };
            let Some(at) = taken else { continue };
            let Some(delegate) = route.delegate.as_deref() else {
                return Some(Effective {
                    vs: v,
                    route,
                    root: None,
                    name,
                    loc: at,
                    matched,
                });
            };
            // A delegate: its routes replace this one.
            let dname = delegate.name.as_ref().map_or("", |n| n.value.as_str());
            let dns = delegate
                .namespace
                .as_ref()
                .map_or(vs.namespace(), |n| n.value.as_str());
            let leaf = self.mesh.virtual_service_by_name(dns, dname).filter(|&l| {
                let info = &self.mesh.virtual_services[l];
                info.is_delegate
                    && (dns == vs.namespace() || info.export_to.visible_to(vs.namespace()))
            });
            let Some(l) = leaf else {
                self.push(
                    "route",
                    format!("{name} matches ({matched}) but delegates to VirtualService {dns}/{dname}, which does not exist or is not exported to {}: Istio drops the route", vs.namespace()),
                    self.vs_at(v, delegate.at),
                );
                if self.validator {
                    // istio-config-validator keeps the root route (its delegate is what it asserts).
                    return Some(Effective {
                        vs: v,
                        route,
                        root: None,
                        name,
                        loc: at,
                        matched,
                    });
                }
                continue;
            };
            let lvs = &model.virtual_services[l];
            self.push(
                "delegate",
                format!(
                    "{name} matches ({matched}) and delegates to {}",
                    vs_desc(lvs)
                ),
                self.vs_at(v, delegate.at),
            );
            for (k, lr) in lvs.spec.http.iter().enumerate() {
                let lname = format!("{name} → {} http[{k}]", vs_desc(lvs));
                let mut hit = None;
                let mut why = Vec::new();
                if lr.matches.is_empty() {
                    hit = Some((lr.at, "no match: every request".to_string()));
                }
                for (j, m) in lr.matches.iter().enumerate() {
                    if !self.validator
                        && let Some(conflict) = route
                            .matches
                            .iter()
                            .map(|rm| crate::mesh::matching::delegate_conflict(rm, m))
                            .collect::<Option<Vec<String>>>()
                            .and_then(|v| v.into_iter().next())
                    {
                        why.push(format!("match[{j}] dropped by Istio ({conflict})"));
                        continue;
                    }
                    let cond = HttpCondition::from_match(m, lvs.namespace(), &gws);
                    match request::check(&cond, req, proxy) {
                        Ok(()) => {
                            hit = Some((m.at, format!("match[{j}] ({cond})")));
                            break;
                        }
                        Err(e) => why.push(e),
                    }
                }
                match hit {
                    Some((at, text)) => {
                        return Some(Effective {
                            vs: l,
                            route: lr,
                            root: Some((v, route)),
                            name: lname,
                            loc: at,
                            matched: text,
                        });
                    }
                    None => self.push(
                        "route",
                        format!("{lname} not taken: {}", why.join("; ")),
                        self.vs_at(l, lr.at),
                    ),
                }
            }
        }
        None
    }

    fn routed(
        &mut self,
        routes: Vec<(VsIdx, usize)>,
        req: &Request,
        proxy: Proxy<'_>,
        hop: &mut Hop,
        client_ns: &str,
        fqdn: &str,
    ) {
        let Some(eff) = self.find_route(&routes, req, Some(proxy)) else {
            let vs = routes.first().map(|&(v, _)| v);
            let at = vs.map(|v| {
                let r = &self.model.virtual_services[v];
                (r.resource_ref(), r.loc())
            });
            self.push(
                "route",
                format!("none of the {} routes takes the request; the Service's default route is gone once a VirtualService owns the host", routes.len()),
                at,
            );
            hop.verdict = Verdict::new(
                Some(404),
                Some("NR"),
                Cause::NoRoute,
                format!(
                    "no route of the VirtualService for {fqdn} matches {} {}",
                    req.method,
                    req.path_and_query()
                ),
            );
            return;
        };
        let at = self.vs_at(eff.vs, eff.loc);
        self.push(
            "route",
            format!("{} takes the request: {}", eff.name, eff.matched),
            at.clone(),
        );
        let route = eff.route;
        // Redirect and direct response end the request at the proxy.
        if let Some(r) = eff.pick(|r| r.redirect.as_deref()) {
            let scheme = r
                .scheme
                .as_ref()
                .map_or(req.scheme.as_str(), |s| s.value.as_str());
            let authority = r
                .authority
                .as_ref()
                .map_or(req.host.as_str(), |s| s.value.as_str());
            let port = r
                .port
                .as_ref()
                .map(|p| format!(":{}", p.value))
                .unwrap_or_default();
            let path = match (&r.uri, &r.prefix_rewrite) {
                (Some(u), _) => u.value.clone(),
                (None, Some(p)) => rewrite_prefix(&req.path, route, p),
                (None, None) => req.path.clone(),
            };
            let code = r
                .redirect_code
                .as_ref()
                .map_or(301, |c| u16::try_from(c.value).unwrap_or(301));
            let location = format!("{scheme}://{authority}{port}{path}");
            self.push(
                "redirect",
                format!("redirect {code} to {location}"),
                self.vs_at(eff.vs, r.at),
            );
            hop.redirect = Some(location.clone());
            hop.verdict = Verdict::new(
                Some(code),
                None,
                Cause::Redirect,
                format!("{} redirects to {location}", eff.name),
            );
            return;
        }
        if let Some(d) = eff.pick(|r| r.direct_response.as_deref()) {
            let status = d
                .status
                .as_ref()
                .map_or(200, |s| u16::try_from(s.value).unwrap_or(200));
            self.push(
                "direct-response",
                format!("directResponse {status}"),
                self.vs_at(eff.vs, d.at),
            );
            hop.verdict = Verdict::new(
                Some(status),
                None,
                Cause::DirectResponse,
                format!("{} answers {status} itself (directResponse)", eff.name),
            );
            return;
        }
        // Faults: the delay comes first, then the abort.
        if let Some(f) = eff.pick(|r| r.fault.as_deref()) {
            if let Some(d) = &f.delay {
                let (pct, set) =
                    percent_of(d.percentage.as_ref(), d.percent.as_ref().map(|p| p.value));
                let fixed = d
                    .fixed_delay
                    .as_ref()
                    .and_then(|t| duration::parse(&t.value));
                let fires = pct >= 50.0;
                let note = if set {
                    String::new()
                } else {
                    " (no percentage: taken as 100%)".into()
                };
                if let Some(dur) = fixed {
                    self.push(
                        "fault",
                        format!(
                            "delay {} on {}% of requests{note}: {} (flag DI)",
                            duration::show(dur),
                            fmt_pct(pct),
                            if fires {
                                "this walk takes the delayed case"
                            } else {
                                "this walk takes the undelayed case"
                            }
                        ),
                        self.vs_at(eff.vs, d.at),
                    );
                    if fires {
                        hop.delay = Some(Delay {
                            duration: dur,
                            route: eff.name.clone(),
                            resource: self.model.virtual_services[eff.vs].resource_ref(),
                            loc: d.fixed_delay.as_ref().map_or(d.at, |t| t.loc),
                        });
                    }
                }
            }
            if let Some(a) = &f.abort {
                let (pct, set) = percent_of(a.percentage.as_ref(), None);
                let status = a
                    .http_status
                    .as_ref()
                    .map(|s| u16::try_from(s.value).unwrap_or(500));
                let fires = pct >= 50.0;
                let note = if set {
                    String::new()
                } else {
                    " (no percentage: taken as 100%)".into()
                };
                let what = status.map_or_else(
                    || {
                        a.grpc_status.as_ref().map_or("an error".to_string(), |g| {
                            format!("gRPC status {}", g.value)
                        })
                    },
                    |s| format!("status {s}"),
                );
                self.push(
                    "fault",
                    format!(
                        "abort with {what} on {}% of requests{note}: {} (flag FI)",
                        fmt_pct(pct),
                        if fires {
                            "this walk takes the aborted case"
                        } else {
                            "this walk takes the case that passes"
                        }
                    ),
                    self.vs_at(eff.vs, a.at),
                );
                if fires {
                    hop.verdict = Verdict::new(
                        status.or(Some(200)),
                        Some("FI"),
                        Cause::FaultAbort,
                        format!(
                            "{} injects an abort with {what} on {}% of requests",
                            eff.name,
                            fmt_pct(pct)
                        ),
                    );
                    // The route is still what a routing test asserts.
                    hop.candidates = self.candidates(&eff, client_ns, req);
                    return;
                }
            }
        }
        if let Some(rw) = eff.pick(|r| r.rewrite.as_deref()) {
            let mut parts = Vec::new();
            if let Some(u) = &rw.uri {
                let to = rewrite_prefix(&req.path, route_with_uri(&eff), &u.value);
                parts.push(format!("path {} → {to}", req.path));
                hop.rewrite = Some(to);
            } else if let Some(rr) = &rw.uri_regex_rewrite
                && let (Some(m), Some(r)) = (&rr.match_, &rr.rewrite)
                && let Ok(re) = regex::Regex::new(&m.value)
            {
                let replacement = regex_replacement(&r.value);
                let to = re.replace_all(&req.path, replacement.as_str()).to_string();
                parts.push(format!("path {} → {to} (uriRegexRewrite)", req.path));
                hop.rewrite = Some(to);
            }
            if let Some(a) = &rw.authority {
                parts.push(format!("authority → {}", a.value));
                hop.rewrite_authority = Some(a.value.clone());
            }
            if !parts.is_empty() {
                self.push("rewrite", parts.join(", "), self.vs_at(eff.vs, rw.at));
            }
        }
        if let Some(m) = eff.pick(|r| r.mirror.as_deref()) {
            let h = m.host.as_ref().map_or("", |h| h.value.as_str());
            self.push(
                "mirror",
                format!("a copy goes to {h} (responses ignored)"),
                self.vs_at(eff.vs, m.at),
            );
        }
        // Timeout and retries, for call chains.
        let timeout_s = eff.pick(|r| r.timeout.as_ref());
        let retries = eff.pick(|r| r.retries.as_deref());
        let timeout = timeout_s
            .and_then(|t| duration::parse(&t.value))
            .filter(|d| !d.is_zero());
        let per_try = retries
            .and_then(|r| r.per_try_timeout.as_ref())
            .and_then(|t| duration::parse(&t.value))
            .filter(|d| !d.is_zero());
        let attempts = retries
            .and_then(|r| r.attempts.as_ref())
            .map_or(2, |a| u32::try_from(a.value.max(0)).unwrap_or(0));
        let retry_on = retries
            .and_then(|r| r.retry_on.as_ref())
            .map(|r| r.value.clone())
            .unwrap_or_else(|| {
                "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes".into()
            });
        let retry_on_timeout = retry_on
            .split(',')
            .any(|c| matches!(c.trim(), "5xx" | "gateway-error" | "reset"));
        {
            let mut parts = Vec::new();
            parts.push(match timeout {
                Some(t) => format!("timeout {}", duration::show(t)),
                None => "no route timeout".to_string(),
            });
            parts.push(format!(
                "{} {}",
                attempts,
                if retries.is_some() {
                    "retries"
                } else {
                    "retries (Istio's default policy)"
                }
            ));
            if let Some(p) = per_try {
                parts.push(format!("per-try timeout {}", duration::show(p)));
            }
            let loc = timeout_s
                .map(|t| t.key)
                .or(retries.map(|r| r.at))
                .unwrap_or(eff.loc);
            if timeout.is_some() || retries.is_some() {
                self.push("timeout", parts.join(", "), self.vs_at(eff.vs, loc));
            }
            hop.timeouts = Some(Timeouts {
                route: eff.name.clone(),
                resource: self.model.virtual_services[eff.vs].resource_ref(),
                loc,
                timeout,
                per_try,
                attempts,
                retry_on_timeout,
            });
        }
        // Destinations.
        let candidates = self.candidates(&eff, client_ns, req);
        if candidates.is_empty() {
            self.push(
                "destination",
                format!("{} names no destination", eff.name),
                at,
            );
            hop.verdict = Verdict::new(
                Some(404),
                Some("NR"),
                Cause::NoRoute,
                format!("{} has no destination", eff.name),
            );
            return;
        }
        if candidates.len() > 1 {
            let list: Vec<String> = candidates
                .iter()
                .map(|c| {
                    format!(
                        "{}{} {}%",
                        host::short(&c.service),
                        c.subset
                            .as_ref()
                            .map_or(String::new(), |s| format!(" subset {s}")),
                        fmt_pct(c.weight_percent)
                    )
                })
                .collect();
            self.push(
                "destination",
                format!("traffic splits: {}", list.join(", ")),
                self.vs_at(eff.vs, route.route.first().map_or(route.at, |r| r.at)),
            );
        }
        let pick = match self.subset {
            Some(s) => candidates
                .iter()
                .position(|c| c.subset.as_deref() == Some(s)),
            None => None,
        };
        let chosen = pick.unwrap_or_else(|| {
            let mut best = 0;
            for (i, c) in candidates.iter().enumerate() {
                if c.weight_percent > candidates[best].weight_percent {
                    best = i;
                }
            }
            best
        });
        if let Some(s) = self.subset
            && pick.is_none()
            && candidates.len() > 1
        {
            self.push(
                "destination",
                format!("no destination has subset {s}: following the heaviest"),
                None,
            );
        }
        hop.candidates = candidates.clone();
        let c = &candidates[chosen];
        let Some(dest) = route
            .route
            .iter()
            .filter_map(|r| r.destination.as_ref())
            .filter(|d| d.host.is_some())
            .nth(chosen)
        else {
            return;
        };
        let dest_at = dest.at;
        let dhost = c.service.clone();
        let services = self.mesh.visible_services(&dhost, client_ns);
        let Some(&svc) = services.first() else {
            let hidden = !self.mesh.services_for_host(&dhost).is_empty();
            let why = if hidden {
                format!("{dhost} exists but is not exported to namespace {client_ns}")
            } else {
                format!("no Service or ServiceEntry for {dhost}")
            };
            self.push(
                "destination",
                format!("{why}: the route points at a cluster that does not exist"),
                self.vs_at(eff.vs, dest_at),
            );
            hop.verdict = Verdict::new(
                Some(503),
                Some("NC"),
                Cause::HostNotVisible,
                format!("{} routes to {dhost}: {why}", eff.name),
            );
            return;
        };
        let port = c.port.or_else(|| {
            let s = self.mesh.service(svc);
            if s.ports.iter().any(|p| p.number == req.port) && proxy.gateway == &GatewayRef::Mesh {
                Some(req.port)
            } else if s.ports.len() == 1 {
                Some(s.ports[0].number)
            } else {
                None
            }
        });
        let tcp = port.is_some_and(|p| self.is_tcp(svc, p));
        self.land(
            hop,
            svc,
            &dhost,
            port,
            c.subset.clone(),
            client_ns,
            tcp,
            Some((eff.vs, dest_at)),
            req,
        );
    }

    fn candidates(&self, eff: &Effective<'_>, _client_ns: &str, _req: &Request) -> Vec<Candidate> {
        let vs_ns = self.model.virtual_services[eff.vs].namespace();
        let dests: Vec<(&crate::model::networking::Destination, Option<i64>)> = eff
            .route
            .route
            .iter()
            .filter_map(|r| {
                r.destination
                    .as_ref()
                    .filter(|d| d.host.is_some())
                    .map(|d| (d, r.weight.as_ref().map(|w| w.value)))
            })
            .collect();
        weighted(&dests.iter().map(|(_, w)| *w).collect::<Vec<_>>())
            .into_iter()
            .zip(&dests)
            .map(|(pct, (d, _))| Candidate {
                service: host::resolve(d.host.as_ref().map_or("", |h| h.value.as_str()), vs_ns),
                subset: d.subset.as_ref().map(|s| s.value.clone()),
                port: d
                    .port
                    .as_ref()
                    .and_then(|p| p.number.as_ref())
                    .map(|n| n.value),
                weight_percent: pct,
            })
            .collect()
    }

    fn tcp_routes(
        &mut self,
        vs: VsIdx,
        req: &Request,
        hop: &mut Hop,
        ns: &str,
        labels: &crate::mesh::Labels,
        svc: Option<ServiceId>,
    ) -> Result<(), UsageError> {
        let v = &self.model.virtual_services[vs];
        // A TLS or HTTPS port: the `tls` routes first, each its own filter chain picked by the
        // connection's SNI (here the host connected to): an exact server name before a
        // wildcard, a route naming no SNI host last, then the order written. Only when none
        // matches do the `tcp` routes apply (Istio appends them as the chain without SNI).
        let tls_port = svc.is_some_and(|s| {
            self.mesh
                .service(s)
                .ports
                .iter()
                .find(|p| p.number == req.port)
                .is_some_and(|p| {
                    matches!(
                        p.protocol,
                        crate::mesh::Protocol::Tls | crate::mesh::Protocol::Https
                    )
                })
        });
        let source_ok = |port: Option<u32>, sl: &crate::model::Map<String>, sn: Option<&str>| {
            port.is_none_or(|p| p == req.port)
                && sl.iter().all(|(k, val)| labels.get(k) == Some(val))
                && sn.is_none_or(|n| n == ns)
        };
        let sni = req.host.to_ascii_lowercase();
        let mut tls_taken: Option<(usize, u8)> = None;
        if tls_port {
            for (i, r) in v.spec.tls.iter().enumerate() {
                let score = r
                    .matches
                    .iter()
                    .filter(|m| {
                        source_ok(
                            m.port.as_ref().map(|p| p.value),
                            &m.source_labels,
                            m.source_namespace.as_ref().map(|n| n.value.as_str()),
                        )
                    })
                    .filter_map(|m| {
                        if m.sni_hosts.is_empty() {
                            return Some(0u8);
                        }
                        m.sni_hosts
                            .iter()
                            .filter_map(|h| {
                                let h = h.value.to_ascii_lowercase();
                                if h == sni {
                                    Some(2u8)
                                } else if host::is_wildcard(&h) && host::matches(&h, &sni) {
                                    Some(1u8)
                                } else {
                                    None
                                }
                            })
                            .max()
                    })
                    .max()
                    .or(r.matches.is_empty().then_some(0u8));
                if let Some(score) = score
                    && tls_taken.is_none_or(|(_, best)| score > best)
                {
                    tls_taken = Some((i, score));
                }
            }
        }
        let taken: Option<(
            &'static str,
            usize,
            &[crate::model::networking::RouteDestination],
            crate::source::Loc,
        )> = match tls_taken {
            Some((i, _)) => {
                let r = &v.spec.tls[i];
                Some(("tls", i, &r.route[..], r.at))
            }
            None => v
                .spec
                .tcp
                .iter()
                .enumerate()
                .find(|(_, r)| {
                    r.matches.is_empty()
                        || r.matches.iter().any(|m| {
                            source_ok(
                                m.port.as_ref().map(|p| p.value),
                                &m.source_labels,
                                m.source_namespace.as_ref().map(|n| n.value.as_str()),
                            )
                        })
                })
                .map(|(i, r)| ("tcp", i, &r.route[..], r.at)),
        };
        let Some((kind, i, route, at)) = taken else {
            let what = if tls_port { "tls or tcp" } else { "tcp" };
            self.push(
                "route",
                format!("{} has no {what} route for port {}", vs_desc(v), req.port),
                Some((v.resource_ref(), v.loc())),
            );
            hop.verdict = Verdict::new(
                None,
                None,
                Cause::NoRoute,
                format!("no {what} route of {} takes the connection", vs_desc(v)),
            );
            return Ok(());
        };
        let sni_note = if kind == "tls" {
            format!(" with SNI {sni}")
        } else {
            String::new()
        };
        self.push(
            "route",
            format!("{} {kind}[{i}] takes the connection{sni_note}", vs_desc(v)),
            Some((v.resource_ref(), at)),
        );
        let weights: Vec<Option<i64>> = route
            .iter()
            .map(|d| d.weight.as_ref().map(|w| w.value))
            .collect();
        let pcts = weighted(&weights);
        hop.candidates = route
            .iter()
            .zip(&pcts)
            .filter_map(|(d, p)| {
                let d = d.destination.as_ref()?;
                Some(Candidate {
                    service: host::resolve(
                        d.host.as_ref().map_or("", |h| h.value.as_str()),
                        v.namespace(),
                    ),
                    subset: d.subset.as_ref().map(|s| s.value.clone()),
                    port: d
                        .port
                        .as_ref()
                        .and_then(|p| p.number.as_ref())
                        .map(|n| n.value),
                    weight_percent: *p,
                })
            })
            .collect();
        let Some(c) = hop
            .candidates
            .iter()
            .enumerate()
            .max_by(|a, b| {
                a.1.weight_percent
                    .total_cmp(&b.1.weight_percent)
                    .then(b.0.cmp(&a.0))
            })
            .map(|(_, c)| c.clone())
        else {
            hop.verdict = Verdict::new(
                None,
                None,
                Cause::NoRoute,
                "the tcp route has no destination".into(),
            );
            return Ok(());
        };
        let services = self.mesh.visible_services(&c.service, ns);
        let Some(&dsvc) = services.first().or(svc.as_ref()) else {
            hop.verdict = Verdict::new(
                None,
                Some("UH"),
                Cause::HostNotVisible,
                format!("no Service for {}", c.service),
            );
            return Ok(());
        };
        self.land(
            hop,
            dsvc,
            &c.service,
            c.port.or(Some(req.port)),
            c.subset.clone(),
            ns,
            true,
            Some((vs, at)),
            req,
        );
        Ok(())
    }

    /// DestinationRule, subset, endpoints, and the server-side steps.
    #[allow(clippy::too_many_arguments)]
    fn land(
        &mut self,
        hop: &mut Hop,
        svc: ServiceId,
        fqdn: &str,
        port: Option<u32>,
        subset: Option<String>,
        client_ns: &str,
        tcp: bool,
        dest_at: Option<(VsIdx, Loc)>,
        req: &Request,
    ) {
        let info = self.mesh.service(svc).clone();
        let mut destination = Destination {
            service: fqdn.to_string(),
            port,
            subset: subset.clone(),
            endpoints: Vec::new(),
        };
        let routed = !client_ns.is_empty();
        let mut subset_labels: Option<crate::mesh::Labels> = None;
        if routed {
            match self
                .mesh
                .destination_rule_for(client_ns, &info.host, &info.namespace)
            {
                Some(sel) => {
                    let names: Vec<String> = sel
                        .rules
                        .iter()
                        .map(|&d| {
                            let r = &self.model.destination_rules[d];
                            format!("{}/{}", r.namespace(), r.name())
                        })
                        .collect();
                    let first = &self.model.destination_rules[sel.rules[0]];
                    self.push(
                        "destinationrule",
                        format!(
                            "DestinationRule {} (host {}) applies: found in namespace {} on the lookup path client {client_ns} → service {} → root {}",
                            names.join(" + "),
                            sel.host,
                            sel.namespace,
                            info.namespace,
                            self.mesh.root_namespace
                        ),
                        Some((first.resource_ref(), first.loc())),
                    );
                    if let Some(name) = &subset {
                        let subsets = self.mesh.subsets(self.model, &sel);
                        match subsets.iter().find(|(n, _)| n == name) {
                            Some((_, r)) => {
                                let dr = &self.model.destination_rules[r.dr];
                                let s = &dr.spec.subsets[r.index];
                                let labels: crate::mesh::Labels = s
                                    .labels
                                    .iter()
                                    .map(|(k, v)| (k.clone(), v.value.clone()))
                                    .collect();
                                let text: Vec<String> =
                                    labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
                                self.push(
                                    "subset",
                                    format!("subset {name}: labels {}", text.join(",")),
                                    Some((dr.resource_ref(), s.at)),
                                );
                                subset_labels = Some(labels);
                            }
                            None => {
                                let known: Vec<&str> = subsets.iter().map(|(n, _)| *n).collect();
                                let at = dest_at
                                    .and_then(|(v, l)| self.vs_at(v, l))
                                    .or(Some((first.resource_ref(), first.loc())));
                                self.push(
                                    "subset",
                                    format!(
                                        "subset {name} is not defined by DestinationRule {} (it defines: {}): the route points at a cluster that does not exist",
                                        names.join(" + "),
                                        if known.is_empty() { "none".into() } else { known.join(", ") }
                                    ),
                                    at,
                                );
                                hop.destination = Some(destination);
                                hop.verdict = Verdict::new(
                                    Some(503),
                                    Some("NC"),
                                    Cause::SubsetNotFound,
                                    format!(
                                        "subset {name} of {} is not defined by the DestinationRule this client uses ({})",
                                        host::short(fqdn),
                                        names.join(" + ")
                                    ),
                                );
                                return;
                            }
                        }
                    }
                }
                None => {
                    self.push(
                        "destinationrule",
                        format!(
                            "no DestinationRule for {} on the lookup path of namespace {client_ns}",
                            info.host
                        ),
                        None,
                    );
                    if let Some(name) = &subset {
                        let at = dest_at.and_then(|(v, l)| self.vs_at(v, l));
                        self.push(
                            "subset",
                            format!("subset {name} needs a DestinationRule that defines it"),
                            at,
                        );
                        hop.destination = Some(destination);
                        hop.verdict = Verdict::new(
                            Some(503),
                            Some("NC"),
                            Cause::SubsetNotFound,
                            format!(
                                "subset {name} of {}: no DestinationRule for the host on this client's lookup path",
                                host::short(fqdn)
                            ),
                        );
                        return;
                    }
                }
            }
        }
        // Endpoints.
        match self.mesh.endpoints(svc) {
            Some(ids) => {
                let picked: Vec<WorkloadId> = ids
                    .into_iter()
                    .filter(|&id| {
                        subset_labels.as_ref().is_none_or(|sl| {
                            let w = self.mesh.workload(id);
                            sl.iter().all(|(k, v)| w.labels.get(k) == Some(v))
                        })
                    })
                    .collect();
                destination.endpoints = picked
                    .iter()
                    .map(|&id| {
                        let w = self.mesh.workload(id);
                        format!("{}.{}", w.name, w.namespace)
                    })
                    .collect();
                if picked.is_empty() {
                    let what = match &subset {
                        Some(s) => format!(
                            "no workload matches the selector of {} and the labels of subset {s}",
                            info.describe()
                        ),
                        None => format!("no workload matches the selector of {}", info.describe()),
                    };
                    self.push("endpoints", what.clone(), self.service_at(svc));
                    hop.destination = Some(destination);
                    hop.verdict = Verdict::new(
                        Some(503),
                        Some("UH"),
                        Cause::NoEndpoints,
                        format!("{what}: no healthy upstream"),
                    );
                    return;
                }
                let shown: Vec<&str> = destination
                    .endpoints
                    .iter()
                    .take(5)
                    .map(String::as_str)
                    .collect();
                let more = if picked.len() > 5 {
                    format!(" and {} more", picked.len() - 5)
                } else {
                    String::new()
                };
                self.push(
                    "endpoints",
                    format!("{} endpoint(s): {}{more}", picked.len(), shown.join(", ")),
                    self.workload_at(picked[0]),
                );
                hop.landed = picked
                    .iter()
                    .copied()
                    .find(|&id| matches!(self.mesh.workload(id).source, WorkloadSource::Pod(_)))
                    .or(picked.first().copied());
            }
            None => {
                let why = match info.source {
                    ServiceSource::ServiceEntry(i, _) => {
                        let res = self
                            .model
                            .service_entries
                            .get(i)
                            .and_then(|se| se.spec.resolution.as_ref())
                            .map_or("NONE".to_string(), |r| r.value.clone());
                        format!(
                            "{} (resolution {res}): its endpoints are resolved at run time, not in the files",
                            info.describe()
                        )
                    }
                    _ => format!(
                        "{} selects no pods by labels: its endpoints are not in the files",
                        info.describe()
                    ),
                };
                self.push("endpoints", why, self.service_at(svc));
            }
        }
        // Client TLS against the server's PeerAuthentication, then authorization.
        if let Some(endpoint) = hop.landed
            && !self.server_side(
                hop,
                svc,
                port,
                subset.as_deref(),
                client_ns,
                tcp,
                endpoint,
                req,
            )
        {
            hop.destination = Some(destination);
            return;
        }
        if hop.landed.is_none() {
            self.push(
                "mtls",
                "not evaluated: no endpoint workload in the files, so no server-side PeerAuthentication or AuthorizationPolicy to check".into(),
                None,
            );
        }
        hop.destination = Some(destination);
        hop.verdict = if tcp {
            Verdict::new(
                None,
                None,
                Cause::Ok,
                format!("the connection reaches {}", host::short(fqdn)),
            )
        } else {
            Verdict::new(
                Some(200),
                None,
                Cause::Ok,
                format!(
                    "the request reaches {}{}",
                    host::short(fqdn),
                    subset.map_or(String::new(), |s| format!(" subset {s}"))
                ),
            )
        };
    }

    /// The server side of one endpoint: the client's TLS against its PeerAuthentication
    /// (`Mesh::client_tls`, `Mesh::connect`), then its AuthorizationPolicies (`authz::evaluate`).
    /// `false` when the request ends here (the verdict is set).
    #[allow(clippy::too_many_arguments)]
    fn server_side(
        &mut self,
        hop: &mut Hop,
        svc: ServiceId,
        port: Option<u32>,
        subset: Option<&str>,
        client_ns: &str,
        tcp: bool,
        endpoint: WorkloadId,
        req: &Request,
    ) -> bool {
        let model = self.model;
        let mesh = self.mesh;
        let routed = !client_ns.is_empty();
        let caller = Caller {
            namespace: if routed { client_ns } else { "" },
            sidecar: routed,
        };
        let port = port.unwrap_or(req.port);
        let client = mesh.client_tls(model, caller, svc, port, subset);
        let container_port = mesh.target_port(model, svc, port, endpoint);
        let conn = mesh.connect(&client, endpoint, container_port);
        let origin = match &client.origin {
            ClientOrigin::DestinationRule { dr, level, loc } => {
                let r = &model.destination_rules[*dr];
                (
                    format!(
                        "DestinationRule {}/{} {} sets {}",
                        r.namespace(),
                        r.name(),
                        level.as_str(),
                        client.mode.as_str()
                    ),
                    Some((r.resource_ref(), *loc)),
                )
            }
            ClientOrigin::DestinationRuleWithoutTls { dr } => {
                let r = &model.destination_rules[*dr];
                let auto = if mesh.mtls.auto_mtls {
                    "automatic mTLS applies"
                } else {
                    "with automatic mTLS off (MeshConfig enableAutoMtls: false) the client sends plaintext"
                };
                (
                    format!(
                        "DestinationRule {}/{} sets no TLS and replaces any wider DestinationRule for this host (rules for different hosts are not merged): {auto}",
                        r.namespace(),
                        r.name()
                    ),
                    Some((r.resource_ref(), r.loc())),
                )
            }
            ClientOrigin::NoDestinationRule => (
                if mesh.mtls.auto_mtls {
                    "no DestinationRule sets TLS: automatic mTLS".to_string()
                } else {
                    "no DestinationRule sets TLS and automatic mTLS is off: plaintext".to_string()
                },
                None,
            ),
            ClientOrigin::NoSidecar => ("the client has no proxy: plaintext".to_string(), None),
        };
        let server_at = conn.server.and_then(|sm| {
            let i = sm.policy?;
            let pa = model.peer_authentications.get(i)?;
            Some((pa.resource_ref(), sm.loc.unwrap_or(pa.loc())))
        });
        let server_mode = conn.server.map_or(String::new(), |sm| {
            format!("; server mode {} ({})", sm.mode.as_str(), sm.scope.as_str())
        });
        self.push(
            "client-tls",
            format!("{} (on the wire: {})", origin.0, conn.wire),
            origin.1.clone(),
        );
        self.push(
            "mtls",
            format!("{}{server_mode}", conn.reason),
            server_at.clone().or_else(|| self.workload_at(endpoint)),
        );
        if !conn.accepted {
            hop.verdict = Verdict::new(
                Some(503),
                Some("UF"),
                Cause::MtlsMismatch,
                format!("{}: {}", conn.reason, origin.0),
            );
            if tcp {
                hop.verdict.status = None;
            }
            return false;
        }
        let policies = self.policies.for_workload(model, mesh, endpoint);
        let peer = conn
            .identity
            .then(|| self.client.map(|c| Peer::of_workload(mesh, c)))
            .flatten();
        let authority = hop
            .rewrite_authority
            .clone()
            .unwrap_or_else(|| req.authority.clone());
        let areq = authz::Request {
            peer,
            port: container_port.or(Some(port)),
            http: !tcp,
            method: (!tcp).then(|| req.method.clone()),
            path: (!tcp).then(|| hop.rewrite.clone().unwrap_or_else(|| req.path_and_query())),
            host: (!tcp).then_some(authority),
            headers: req
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            ..authz::Request::default()
        };
        let decision = authz::evaluate(model, &policies, &areq);
        let at = decision.policy.and_then(|i| {
            let p = model.authorization_policies.get(i)?;
            let loc = decision
                .rule
                .and_then(|r| p.spec.rules.get(r))
                .map_or(p.loc(), |r| r.at);
            Some((p.resource_ref(), loc))
        });
        let enforced = policies.iter().filter(|p| p.enforced()).count();
        // An implicit deny names the ALLOW policies none of which matched.
        let allows: Vec<&Res<crate::model::security::AuthorizationPolicy>> = policies
            .iter()
            .filter(|p| p.enforced() && p.action == authz::Action::Allow)
            .filter_map(|p| model.authorization_policies.get(p.index).map(|b| &**b))
            .collect();
        let mut reason = decision.reason.clone();
        let at = at.or_else(|| {
            if decision.outcome != authz::Outcome::Denied {
                return None;
            }
            let first = allows.first()?;
            let names: Vec<String> = allows
                .iter()
                .map(|p| format!("{}/{}", p.namespace(), p.name()))
                .collect();
            reason = format!("{reason} (ALLOW policies: {})", names.join(", "));
            Some((first.resource_ref(), first.loc()))
        });
        self.push(
            "authorization",
            if enforced == 0 && decision.policy.is_none() {
                format!("no AuthorizationPolicy applies to the endpoint: {reason}")
            } else {
                reason.clone()
            },
            at.clone(),
        );
        match decision.outcome {
            authz::Outcome::Allowed => {
                hop.allowed = Some(true);
                true
            }
            authz::Outcome::Provider => {
                hop.allowed = None;
                true
            }
            authz::Outcome::Denied => {
                hop.allowed = Some(false);
                hop.verdict = Verdict::new(
                    (!tcp).then_some(403),
                    Some("RBAC"),
                    Cause::RbacDenied,
                    reason,
                );
                false
            }
        }
    }

    // ---- call chains -----------------------------------------------------------------------

    /// Adds up injected delays from the end of the chain and checks them against each caller's
    /// timeouts. The delay of hop i is injected by hop i's client before its router, so it counts
    /// against the timeouts of the hops before it.
    fn chain_verdict(&mut self, hops: &[Hop]) -> (usize, Verdict) {
        let first_failure = hops
            .iter()
            .position(|h| !(h.verdict.succeeds() && h.verdict.cause == Cause::Ok));
        let reached = first_failure.map_or(hops.len(), |i| i + 1);
        // Latency each hop's client sees from upstream (the rest of the chain).
        let mut upstream = Duration::ZERO;
        let mut upstream_cause: Option<&Delay> = None;
        let mut fired: Option<(usize, Verdict)> = None;
        for i in (0..reached).rev() {
            let h = &hops[i];
            if let Some(t) = &h.timeouts
                && !upstream.is_zero()
            {
                let (limit, what) = match (t.per_try, t.timeout) {
                    (Some(p), Some(r)) if upstream > p => {
                        let total = p.saturating_mul(if t.retry_on_timeout {
                            t.attempts.saturating_add(1)
                        } else {
                            1
                        });
                        (
                            Some(total.min(r)),
                            format!(
                                "per-try timeout {} ({} attempt(s) in all{}) and route timeout {}",
                                duration::show(p),
                                if t.retry_on_timeout {
                                    t.attempts.saturating_add(1)
                                } else {
                                    1
                                },
                                if t.retry_on_timeout {
                                    ""
                                } else {
                                    ": retryOn does not retry timeouts"
                                },
                                duration::show(r)
                            ),
                        )
                    }
                    (Some(p), None) if upstream > p => {
                        let n = if t.retry_on_timeout {
                            t.attempts.saturating_add(1)
                        } else {
                            1
                        };
                        (
                            Some(p.saturating_mul(n)),
                            format!(
                                "per-try timeout {} ({n} attempt(s) in all)",
                                duration::show(p)
                            ),
                        )
                    }
                    (_, Some(r)) if upstream > r => {
                        (Some(r), format!("route timeout {}", duration::show(r)))
                    }
                    _ => (None, String::new()),
                };
                if let Some(limit) = limit {
                    let source = upstream_cause.map_or(String::new(), |d| {
                        format!(
                            " (the {} delay injected by {})",
                            duration::show(d.duration),
                            d.route
                        )
                    });
                    let detail = format!(
                        "{} waits for an answer that takes {}{source}: its {what} fires, 504 after {} (flag UT)",
                        t.route,
                        duration::show(upstream),
                        duration::show(limit)
                    );
                    self.trace.push(Step {
                        hop: i,
                        step: "timeout",
                        detail: detail.clone(),
                        resource: Some(t.resource.clone()),
                        loc: Some(t.loc),
                    });
                    fired = Some((
                        i,
                        Verdict::new(
                            Some(504),
                            Some("UT"),
                            Cause::Timeout,
                            format!(
                                "{} times out: its {what} is shorter than the {} the call takes{source}; 504 after {}",
                                t.route,
                                duration::show(upstream),
                                duration::show(limit)
                            ),
                        ),
                    ));
                    upstream = limit;
                    upstream_cause = None;
                } else {
                    self.trace.push(Step {
                        hop: i,
                        step: "timeout",
                        detail: format!(
                            "{} waits {} for the rest of the chain: within its timeouts",
                            t.route,
                            duration::show(upstream)
                        ),
                        resource: Some(t.resource.clone()),
                        loc: Some(t.loc),
                    });
                }
            }
            if let Some(d) = &h.delay {
                upstream = upstream.saturating_add(d.duration);
                upstream_cause = Some(d);
                if i == 0 {
                    self.trace.push(Step {
                        hop: 0,
                        step: "fault",
                        detail: format!("the caller waits {} longer ({} delay of {}); no mesh timeout applies before the first proxy", duration::show(upstream), duration::show(d.duration), d.route),
                        resource: Some(d.resource.clone()),
                        loc: Some(d.loc),
                    });
                }
            }
        }
        if let Some(found) = fired {
            return found;
        }
        match first_failure {
            Some(i) => {
                let mut v = hops[i].verdict.clone();
                if i > 0 {
                    v.reason = format!("hop {} ({}): {}", i + 1, hops[i].url, v.reason);
                }
                (i, v)
            }
            None => {
                let mut v = hops.last().map_or_else(
                    || Verdict::new(None, None, Cause::NoRoute, "no request".into()),
                    |h| h.verdict.clone(),
                );
                if let Some(d) = hops.iter().rev().find_map(|h| h.delay.as_ref()) {
                    v.flag = Some("DI");
                    v.reason = format!(
                        "{} (delayed {} by {})",
                        v.reason,
                        duration::show(d.duration),
                        d.route
                    );
                }
                (hops.len().saturating_sub(1), v)
            }
        }
    }
}

/// Real shares of weighted destinations (`route.go`): one destination gets 100%; otherwise
/// weights are relative, weight-0 destinations get nothing, and no weights at all split evenly.
pub fn weighted(weights: &[Option<i64>]) -> Vec<f64> {
    if weights.len() == 1 {
        return vec![100.0];
    }
    let total: i64 = weights
        .iter()
        .map(|w| w.unwrap_or(0).max(0))
        .fold(0i64, |a, b| a.saturating_add(b));
    if total == 0 {
        let n = weights.len().max(1) as f64;
        return weights.iter().map(|_| 100.0 / n).collect();
    }
    weights
        .iter()
        .map(|w| {
            let w = w.unwrap_or(0).max(0) as f64;
            (w * 1000.0 / total as f64).round() / 10.0
        })
        .collect()
}

/// The route whose `match.uri` decides how `rewrite.uri` applies: the leaf.
fn route_with_uri<'m>(eff: &Effective<'m>) -> &'m HttpRoute {
    eff.route
}

/// `rewrite.uri` / `redirect.prefixRewrite`: with a prefix match the matched prefix is replaced;
/// with an exact or regex match the whole path; a route without uri match replaces the prefix `/`.
fn rewrite_prefix(path: &str, route: &HttpRoute, to: &str) -> String {
    let prefix = route
        .matches
        .iter()
        .find_map(|m| m.uri.as_deref())
        .map(|u| match (&u.prefix, &u.exact, &u.regex) {
            (Some(p), _, _) => Some(p.value.clone()),
            _ => None,
        });
    match prefix {
        Some(Some(p)) if path.starts_with(&p) => format!("{to}{}", &path[p.len()..]),
        Some(_) => to.to_string(),
        None => match path.strip_prefix('/') {
            Some(rest) => format!("{to}{rest}"),
            None => to.to_string(),
        },
    }
}

/// RE2 / Envoy `\1` substitutions become the regex crate's `${1}`.
fn regex_replacement(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\'
            && let Some(d) = chars.peek().copied().filter(char::is_ascii_digit)
        {
            chars.next();
            out.push_str(&format!("${{{d}}}"));
        } else if c == '$' {
            out.push_str("$$");
        } else {
            out.push(c);
        }
    }
    out
}

/// Resource reference of a model resource, for callers outside this module.
pub fn reference<T>(r: &Res<T>) -> ResourceRef {
    resource_ref(&r.meta)
}

/// The route istio-config-validator's semantics pick for a request: the first VirtualService (in
/// input order) whose hosts contain the authority, the first of its routes whose match takes the
/// request (no proxy conditions), delegates followed (a missing delegate keeps the root route).
#[derive(Debug, Clone)]
pub struct RouteHit<'m> {
    pub vs: VsIdx,
    /// The route that applies (the delegate's, when delegated).
    pub route: &'m HttpRoute,
    /// The root route, when the request went through a delegate.
    pub root: Option<&'m HttpRoute>,
    /// `VirtualService ns/name http[i]`.
    pub name: String,
}

impl<'m> RouteHit<'m> {
    /// A field of the route, else of the root route (delegates inherit unset fields).
    pub fn pick<T>(&self, f: impl Fn(&'m HttpRoute) -> Option<T>) -> Option<T> {
        f(self.route).or_else(|| self.root.and_then(&f))
    }
}

/// Finds the route for `req` the way istio-config-validator does, with the trace of the search.
pub fn validator_route<'m>(
    model: &'m Model,
    mesh: &'m Mesh,
    policies: &'m PolicyIndex,
    req: &Request,
) -> (Option<RouteHit<'m>>, Vec<Step>) {
    let mut walker = Walker {
        model,
        mesh,
        policies,
        client: None,
        subset: None,
        trace: Vec::new(),
        hop: 0,
        alternatives: false,
        validator: true,
    };
    let authority = req.host.as_str();
    let mut owners: Vec<VsIdx> = mesh.virtual_services_for_host(authority).to_vec();
    if !authority.contains('.') {
        for (i, vs) in model.virtual_services.iter().enumerate() {
            if vs
                .spec
                .hosts
                .iter()
                .any(|h| h.value.eq_ignore_ascii_case(authority))
            {
                owners.push(i);
            }
        }
    }
    owners.retain(|&v| !mesh.virtual_services[v].is_delegate);
    owners.sort_unstable();
    owners.dedup();
    if owners.is_empty() {
        walker.push(
            "virtualservice",
            format!("no VirtualService lists host {authority}"),
            None,
        );
    }
    for v in owners {
        let vs = &model.virtual_services[v];
        walker.push(
            "virtualservice",
            format!("{} lists host {authority}", vs_desc(vs)),
            Some((vs.resource_ref(), vs.loc())),
        );
        let routes: Vec<(VsIdx, usize)> = (0..vs.spec.http.len()).map(|i| (v, i)).collect();
        if let Some(eff) = walker.find_route(&routes, req, None) {
            walker.push(
                "route",
                format!("{} takes the request: {}", eff.name, eff.matched),
                walker.vs_at(eff.vs, eff.loc),
            );
            let hit = RouteHit {
                vs: eff.vs,
                route: eff.route,
                root: eff.root.map(|(_, r)| r),
                name: eff.name,
            };
            return (Some(hit), walker.trace);
        }
    }
    (None, walker.trace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_are_relative_and_single_destinations_take_everything() {
        assert_eq!(weighted(&[Some(7)]), vec![100.0]);
        assert_eq!(
            weighted(&[Some(10), Some(30), Some(60)]),
            vec![10.0, 30.0, 60.0]
        );
        assert_eq!(
            weighted(&[Some(10), Some(30), Some(50)]),
            vec![11.1, 33.3, 55.6]
        );
        assert_eq!(weighted(&[Some(0), Some(5)]), vec![0.0, 100.0]);
        assert_eq!(weighted(&[None, None]), vec![50.0, 50.0]);
        assert_eq!(
            weighted(&[Some(-3), Some(i64::MAX), Some(i64::MAX)]).len(),
            3
        );
    }

    #[test]
    fn regex_rewrite_substitutions() {
        assert_eq!(regex_replacement(r"/v2/\1"), "/v2/${1}");
        assert_eq!(regex_replacement("a$b"), "a$$b");
    }

    #[test]
    fn causes_round_trip() {
        for c in Cause::ALL {
            assert_eq!(Cause::parse(c.as_str()), Some(c));
        }
        assert_eq!(Cause::parse("nope"), None);
    }

    #[test]
    fn headers_parse() {
        assert_eq!(
            parse_header("End-User: jason").unwrap(),
            ("End-User".to_string(), "jason".to_string())
        );
        assert_eq!(parse_header("x:").unwrap().1, "");
        assert!(parse_header(": v").is_err());
    }
}
