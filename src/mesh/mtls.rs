//! Effective mutual TLS, computed once in the index and reused by rules, `authz` and `simulate`.
//!
//! **Server side** (`MtlsIndex::build` and, per workload on first use, [`Mesh::workload_mtls`]; Istio `pilot/pkg/security/authn/policy_applier.go`
//! `ComposePeerAuthentication`): per workload, the PeerAuthentication scopes mesh (root namespace,
//! no selector) < namespace (no selector) < workload (selector, not in the root namespace: Istio
//! ignores root-namespace selector policies). Within a scope the oldest policy wins (by
//! `creationTimestamp`, then name, as Istio sorts them; files rarely carry timestamps). `UNSET`
//! or an absent `mtls` inherits the parent scope; the default is PERMISSIVE. `portLevelMtls`
//! applies only with a selector and is keyed by the *workload (container) port*: ask with
//! [`Mesh::server_mtls`] and a port mapped through [`Mesh::target_port`].
//!
//! **Client side** ([`Mesh::client_tls`], `cluster_tls.go` `buildUpstreamTLSSettings`): the TLS
//! settings of the DestinationRule selection that [`Mesh::destination_rule_for`] returns (subset
//! port-level > subset > port-level > top-level, `MergeTrafficPolicy`), used as written; else
//! automatic mTLS when MeshConfig `enableAutoMtls` is on and the service is not `MESH_EXTERNAL`
//! and its namespace mode (namespace/mesh PeerAuthentication only, `BestEffortInferServiceMTLSMode`)
//! is not DISABLE: ISTIO_MUTUAL to endpoints with a sidecar, plaintext to the others; else
//! plaintext. A client without a sidecar always sends plaintext.
//!
//! [`Mesh::connect`] puts both together for one endpoint: whether the connection is accepted
//! and whether it carries the caller's identity (what `principals`/`namespaces` read).

use rustc_hash::FxHashMap as HashMap;

use super::keys::{Key, key};
use super::{Injection, Mesh, ServiceId, WorkloadId, WorkloadSource};
use crate::model::networking::{ClientTls, TrafficPolicy};
use crate::model::node::Spanned;
use crate::model::security::MutualTls;
use crate::model::{Model, Res};
use crate::source::Loc;

/// A server's PeerAuthentication mode after `UNSET` is resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ServerMode {
    Strict,
    Permissive,
    Disable,
}

impl ServerMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ServerMode::Strict => "STRICT",
            ServerMode::Permissive => "PERMISSIVE",
            ServerMode::Disable => "DISABLE",
        }
    }

    /// `None` for `UNSET` (inherit) and for values Istio rejects.
    pub fn parse(s: &str) -> Option<ServerMode> {
        match s {
            "STRICT" => Some(ServerMode::Strict),
            "PERMISSIVE" => Some(ServerMode::Permissive),
            "DISABLE" => Some(ServerMode::Disable),
            _ => None,
        }
    }

    /// Whether a plaintext caller is accepted.
    pub fn accepts_plaintext(self) -> bool {
        self != ServerMode::Strict
    }
}

/// Which PeerAuthentication scope decided a mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MtlsScope {
    /// No PeerAuthentication: Istio's default, PERMISSIVE.
    Default,
    /// Root namespace, no selector.
    Mesh,
    /// The workload's namespace, no selector.
    Namespace,
    /// A selector policy of the workload's namespace.
    Workload,
    /// A `portLevelMtls` entry of a selector policy.
    Port,
}

impl MtlsScope {
    pub fn as_str(self) -> &'static str {
        match self {
            MtlsScope::Default => "default",
            MtlsScope::Mesh => "mesh",
            MtlsScope::Namespace => "namespace",
            MtlsScope::Workload => "workload",
            MtlsScope::Port => "port",
        }
    }
}

/// An effective server mode and where it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerMtls {
    pub mode: ServerMode,
    pub scope: MtlsScope,
    /// Index into `Model::peer_authentications` (`None` for the default).
    pub policy: Option<usize>,
    /// The `mode` value (or the policy) that decided it.
    pub loc: Option<Loc>,
}

impl ServerMtls {
    const DEFAULT: ServerMtls = ServerMtls {
        mode: ServerMode::Permissive,
        scope: MtlsScope::Default,
        policy: None,
        loc: None,
    };
}

/// The server side of one workload.
#[derive(Debug, Clone)]
pub struct WorkloadMtls {
    /// The workload-wide mode.
    pub mode: ServerMtls,
    /// `portLevelMtls` of the deciding selector policy, by container port, already composed
    /// (an `UNSET` port entry is not listed).
    pub ports: Vec<(u32, ServerMtls)>,
    /// Other PeerAuthentications of the same scope that the oldest one shadowed.
    pub shadowed: Vec<usize>,
}

/// What composing a workload's mode needs of one selector PeerAuthentication, read once.
#[derive(Debug)]
struct SelectorPa {
    /// Index into `Model::peer_authentications`.
    index: usize,
    /// Istio's order within a scope: creation time, then name (then input order: `index`).
    order: (String, String),
    labels: super::Labels,
    mode: Option<(ServerMode, Loc)>,
    /// `portLevelMtls` entries that set a mode (`UNSET` ones inherit and are left out).
    ports: Vec<(u32, ServerMode, Loc)>,
}

/// The server-side mTLS index (a field of `Mesh`). The mesh-wide and namespace modes are
/// composed when the index is built; a workload's own mode is composed the first time it is
/// asked for (`Mesh::workload_mtls`), so a query about one workload composes one, and a rule
/// that walks every workload composes each once.
#[derive(Debug, Default)]
pub struct MtlsIndex {
    /// Per `WorkloadId`, filled on first use.
    workloads: Vec<std::sync::OnceLock<WorkloadMtls>>,
    /// namespace → the namespace-or-mesh mode (no workload policy), for namespaces with a
    /// namespace-wide PeerAuthentication. Others take `mesh`.
    namespaces: HashMap<String, ServerMtls>,
    /// Selector PeerAuthentications outside the root namespace.
    selector_pas: Vec<SelectorPa>,
    /// (namespace, label key, label value) → `selector_pas` whose smallest label is that one.
    by_label: HashMap<Key<3>, Vec<usize>>,
    /// namespace → `selector_pas` with an empty selector (every workload of the namespace).
    empty_selector: HashMap<String, Vec<usize>>,
    /// The mesh-wide mode.
    pub mesh: Option<ServerMtls>,
    pub auto_mtls: bool,
    pub trust_domain: String,
}

fn mode_of(mtls: Option<&MutualTls>) -> Option<(ServerMode, Loc)> {
    let m = mtls?.mode.as_ref()?;
    ServerMode::parse(&m.value).map(|mode| (mode, m.loc))
}

fn order_key(model: &Model, i: usize) -> (String, String) {
    let m = &model.peer_authentications[i].meta;
    (
        m.creation_timestamp
            .as_ref()
            .map_or(String::new(), |t| t.value.clone()),
        m.name.value.clone(),
    )
}

/// Istio's order within one scope: oldest first, then name, then input order.
fn oldest(model: &Model, candidates: &mut [usize]) {
    candidates.sort_by_cached_key(|&i| (order_key(model, i), i));
}

impl MtlsIndex {
    /// One pass over the PeerAuthentications: the mesh-wide and namespace modes, and the
    /// selector policies indexed by namespace and label. Workloads are composed on demand.
    pub fn build(model: &Model, mesh: &Mesh) -> MtlsIndex {
        let root = mesh.root_namespace.as_str();
        let mut mesh_wide: Vec<usize> = Vec::new();
        let mut ns_wide: HashMap<&str, Vec<usize>> = HashMap::default();
        let mut index = MtlsIndex {
            auto_mtls: model.mesh_config.enable_auto_mtls,
            trust_domain: model.mesh_config.trust_domain.clone(),
            ..MtlsIndex::default()
        };
        for (i, pa) in model.peer_authentications.iter().enumerate() {
            let ns = pa.namespace();
            match &pa.spec.selector {
                None => {
                    if ns == root {
                        mesh_wide.push(i);
                    } else {
                        ns_wide.entry(ns).or_default().push(i);
                    }
                }
                // Istio ignores selector policies of the root namespace.
                Some(sel) if ns != root => {
                    let labels = super::plain(&sel.match_labels);
                    let slot = index.selector_pas.len();
                    match labels.iter().next() {
                        Some((k, v)) => index
                            .by_label
                            .entry(Key::new([ns, k, v]))
                            .or_default()
                            .push(slot),
                        None => index
                            .empty_selector
                            .entry(ns.to_string())
                            .or_default()
                            .push(slot),
                    }
                    let ports = pa
                        .spec
                        .port_level_mtls
                        .iter()
                        .filter_map(|(port, entry)| {
                            let (Ok(number), Some((m, loc))) =
                                (port.parse::<u32>(), mode_of(Some(entry)))
                            else {
                                return None;
                            };
                            Some((number, m, loc))
                        })
                        .collect();
                    index.selector_pas.push(SelectorPa {
                        index: i,
                        order: order_key(model, i),
                        labels,
                        mode: mode_of(pa.spec.mtls.as_ref()),
                        ports,
                    });
                }
                Some(_) => {}
            }
        }
        let scoped = |list: &mut Vec<usize>, scope: MtlsScope, parent: ServerMtls| {
            oldest(model, list);
            let Some(&first) = list.first() else {
                return (parent, None);
            };
            let pa = &model.peer_authentications[first];
            let mode = match mode_of(pa.spec.mtls.as_ref()) {
                Some((mode, loc)) => ServerMtls {
                    mode,
                    scope,
                    policy: Some(first),
                    loc: Some(loc),
                },
                None => parent,
            };
            (mode, Some(first))
        };
        let (mesh_mode, mesh_pa) = scoped(&mut mesh_wide, MtlsScope::Mesh, ServerMtls::DEFAULT);
        for (ns, mut list) in ns_wide {
            let (mode, _) = scoped(&mut list, MtlsScope::Namespace, mesh_mode);
            index.namespaces.insert(ns.to_string(), mode);
        }
        index.mesh = mesh_pa.map(|_| mesh_mode);
        index.workloads = (0..mesh.workloads.len())
            .map(|_| std::sync::OnceLock::new())
            .collect();
        index
    }

    /// The namespace-or-mesh mode of a namespace (what auto-mTLS consults for a service).
    pub fn namespace_mode(&self, namespace: &str) -> ServerMtls {
        self.namespaces
            .get(namespace)
            .copied()
            .or(self.mesh)
            .unwrap_or(ServerMtls::DEFAULT)
    }

    /// Composes one workload: the oldest selector policy of its namespace that selects it
    /// decides (its `mtls`, else the namespace mode; its `portLevelMtls` per port), the others
    /// are shadowed; without one, the namespace mode.
    fn compose(&self, w: &super::WorkloadInfo) -> WorkloadMtls {
        let ns_mode = self.namespace_mode(&w.namespace);
        let mut candidates: Vec<usize> = self
            .empty_selector
            .get(&w.namespace)
            .cloned()
            .unwrap_or_default();
        for (k, v) in &w.labels {
            for &c in self
                .by_label
                .get(key(&[w.namespace.as_str(), k, v]))
                .into_iter()
                .flatten()
            {
                let pa = &self.selector_pas[c];
                if pa.labels.iter().all(|(k, v)| w.labels.get(k) == Some(v)) {
                    candidates.push(c);
                }
            }
        }
        if candidates.is_empty() {
            return WorkloadMtls {
                mode: ns_mode,
                ports: Vec::new(),
                shadowed: Vec::new(),
            };
        }
        candidates.sort_by(|&a, &b| {
            let (pa, pb) = (&self.selector_pas[a], &self.selector_pas[b]);
            (&pa.order, pa.index).cmp(&(&pb.order, pb.index))
        });
        candidates.dedup();
        let decider = &self.selector_pas[candidates[0]];
        let mode = match decider.mode {
            Some((mode, loc)) => ServerMtls {
                mode,
                scope: MtlsScope::Workload,
                policy: Some(decider.index),
                loc: Some(loc),
            },
            None => ns_mode,
        };
        let ports = decider
            .ports
            .iter()
            .map(|&(number, m, loc)| {
                (
                    number,
                    ServerMtls {
                        mode: m,
                        scope: MtlsScope::Port,
                        policy: Some(decider.index),
                        loc: Some(loc),
                    },
                )
            })
            .collect();
        WorkloadMtls {
            mode,
            ports,
            shadowed: candidates[1..]
                .iter()
                .map(|&c| self.selector_pas[c].index)
                .collect(),
        }
    }
}

/// Where the client's TLS setting comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientOrigin {
    /// `tls` of a DestinationRule (index into `Model::destination_rules`) at `level`.
    DestinationRule { dr: usize, level: DrLevel, loc: Loc },
    /// A DestinationRule was selected but sets no TLS for this port and subset (it replaces any
    /// wider rule: rules for different hosts are not merged).
    DestinationRuleWithoutTls { dr: usize },
    /// No DestinationRule for the host.
    NoDestinationRule,
    /// The calling workload has no sidecar.
    NoSidecar,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrLevel {
    TopLevel,
    PortLevel,
    Subset,
    SubsetPortLevel,
}

impl DrLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            DrLevel::TopLevel => "trafficPolicy.tls",
            DrLevel::PortLevel => "trafficPolicy.portLevelSettings[].tls",
            DrLevel::Subset => "subsets[].trafficPolicy.tls",
            DrLevel::SubsetPortLevel => "subsets[].trafficPolicy.portLevelSettings[].tls",
        }
    }
}

/// What a client sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientMode {
    /// DestinationRule `ISTIO_MUTUAL`.
    IstioMutual,
    /// DestinationRule `MUTUAL` (user certificates).
    Mutual,
    /// DestinationRule `SIMPLE`.
    Simple,
    /// Plaintext: DestinationRule `DISABLE`, no TLS with auto-mTLS off, or no sidecar.
    Plaintext,
    /// Automatic mTLS: ISTIO_MUTUAL to endpoints with a sidecar, plaintext to the others.
    Auto,
}

impl ClientMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ClientMode::IstioMutual => "ISTIO_MUTUAL",
            ClientMode::Mutual => "MUTUAL",
            ClientMode::Simple => "SIMPLE",
            ClientMode::Plaintext => "plaintext",
            ClientMode::Auto => "auto mTLS",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientTlsDecision {
    pub mode: ClientMode,
    pub origin: ClientOrigin,
}

/// Who calls: a workload with or without sidecar, in a namespace.
#[derive(Debug, Clone, Copy)]
pub struct Caller<'a> {
    pub namespace: &'a str,
    pub sidecar: bool,
}

/// The outcome of one connection, client to endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// The server accepts it.
    pub accepted: bool,
    /// Istio mTLS carried the caller's identity (principal, namespace).
    pub identity: bool,
    /// What the wire carries: `ISTIO_MUTUAL`, `plaintext`, `SIMPLE`, `MUTUAL`.
    pub wire: &'static str,
    pub server: Option<ServerMtls>,
    /// One sentence: why.
    pub reason: String,
}

fn tls_of(tp: Option<&TrafficPolicy>, port: Option<u32>) -> Option<(&Spanned<String>, bool)> {
    let tp = tp?;
    if let Some(port) = port {
        for p in &tp.port_level_settings {
            if p.port
                .as_ref()
                .and_then(|s| s.number.as_ref())
                .map(|n| n.value)
                == Some(port)
                && let Some(mode) = p.tls.as_deref().and_then(|t: &ClientTls| t.mode.as_ref())
            {
                return Some((mode, true));
            }
        }
    }
    tp.tls.as_deref()?.mode.as_ref().map(|m| (m, false))
}

impl Mesh {
    /// The effective server mode of a workload on a container port (`None`: the workload-wide
    /// mode). A workload without a sidecar has no PeerAuthentication in effect; the mode is still
    /// returned (what the policies say) and [`Mesh::connect`] treats it as plaintext only.
    pub fn server_mtls(&self, workload: WorkloadId, container_port: Option<u32>) -> ServerMtls {
        let Some(w) = self.workload_mtls(workload) else {
            return ServerMtls::DEFAULT;
        };
        if let Some(port) = container_port
            && let Some((_, m)) = w.ports.iter().find(|(p, _)| *p == port)
        {
            return *m;
        }
        w.mode
    }

    /// The server side of a workload (composed on first use, then kept); `None` for an id
    /// outside the index.
    pub fn workload_mtls(&self, workload: WorkloadId) -> Option<&WorkloadMtls> {
        let slot = self.mtls.workloads.get(workload.0 as usize)?;
        let w = self.workloads.get(workload.0 as usize)?;
        Some(slot.get_or_init(|| self.mtls.compose(w)))
    }

    /// The container port a Service port reaches on a workload: a numeric `targetPort`, or a
    /// named one resolved by the workload's container port names (`None` if it names none).
    pub fn target_port(
        &self,
        model: &Model,
        service: ServiceId,
        service_port: u32,
        workload: WorkloadId,
    ) -> Option<u32> {
        let port = self
            .service(service)
            .ports
            .iter()
            .find(|p| p.number == service_port)?;
        if let Some(t) = port.target_port {
            return Some(t);
        }
        let name = port.target_port_name.as_deref()?;
        let WorkloadSource::Pod(i) = self.workload(workload).source else {
            return None;
        };
        model
            .workloads
            .get(i)?
            .spec
            .spec
            .containers
            .iter()
            .find_map(|c| {
                c.ports.iter().find_map(|p| {
                    (p.name.as_ref().is_some_and(|n| n.value == name))
                        .then(|| p.container_port.as_ref().map(|n| n.value))
                        .flatten()
                })
            })
    }

    /// What a caller sends to `service:port` (and `subset`), per the DestinationRule the lookup
    /// path selects for the caller's namespace, else automatic mTLS, else plaintext.
    pub fn client_tls(
        &self,
        model: &Model,
        caller: Caller<'_>,
        service: ServiceId,
        port: u32,
        subset: Option<&str>,
    ) -> ClientTlsDecision {
        self.client_tls_for_workload(model, caller, None, service, port, subset)
    }

    /// `client_tls` for a caller with these pod labels, so that a `workloadSelector`
    /// DestinationRule of its namespace that selects it is the one used
    /// (`Mesh::destination_rule_for_workload`); `None` labels: a workload no such rule selects.
    pub fn client_tls_for_workload(
        &self,
        model: &Model,
        caller: Caller<'_>,
        labels: Option<&super::Labels>,
        service: ServiceId,
        port: u32,
        subset: Option<&str>,
    ) -> ClientTlsDecision {
        if !caller.sidecar {
            return ClientTlsDecision {
                mode: ClientMode::Plaintext,
                origin: ClientOrigin::NoSidecar,
            };
        }
        let svc = self.service(service);
        let selection =
            self.destination_rule_for_workload(caller.namespace, labels, &svc.host, &svc.namespace);
        let mut origin = ClientOrigin::NoDestinationRule;
        if let Some(selection) = &selection {
            let first = selection.rules.first().copied();
            // The first rule with a top-level trafficPolicy gives it; subsets: first definition.
            let top = selection.rules.iter().find_map(|&d| {
                model.destination_rules[d]
                    .spec
                    .traffic_policy
                    .as_deref()
                    .map(|tp| (d, tp))
            });
            let sub = subset.and_then(|name| {
                self.subsets(model, selection)
                    .into_iter()
                    .find(|(n, _)| *n == name)
                    .and_then(|(_, r)| {
                        let s = model.destination_rules[r.dr].spec.subsets.get(r.index)?;
                        s.traffic_policy.as_deref().map(|tp| (r.dr, tp))
                    })
            });
            let found = sub
                .and_then(|(d, tp)| {
                    tls_of(Some(tp), Some(port)).map(|(m, pl)| {
                        (
                            d,
                            m,
                            if pl {
                                DrLevel::SubsetPortLevel
                            } else {
                                DrLevel::Subset
                            },
                        )
                    })
                })
                .or_else(|| {
                    top.and_then(|(d, tp)| {
                        tls_of(Some(tp), Some(port)).map(|(m, pl)| {
                            (
                                d,
                                m,
                                if pl {
                                    DrLevel::PortLevel
                                } else {
                                    DrLevel::TopLevel
                                },
                            )
                        })
                    })
                });
            if let Some((dr, mode, level)) = found {
                let m = match mode.value.as_str() {
                    "ISTIO_MUTUAL" => ClientMode::IstioMutual,
                    "MUTUAL" => ClientMode::Mutual,
                    "SIMPLE" => ClientMode::Simple,
                    _ => ClientMode::Plaintext,
                };
                return ClientTlsDecision {
                    mode: m,
                    origin: ClientOrigin::DestinationRule {
                        dr,
                        level,
                        loc: mode.loc,
                    },
                };
            }
            if let Some(dr) = first {
                origin = ClientOrigin::DestinationRuleWithoutTls { dr };
            }
        }
        let auto = self.mtls.auto_mtls
            && !svc.external
            && self.mtls.namespace_mode(&svc.namespace).mode != ServerMode::Disable;
        ClientTlsDecision {
            mode: if auto {
                ClientMode::Auto
            } else {
                ClientMode::Plaintext
            },
            origin,
        }
    }

    /// Whether `connect` would accept the connection, without building its texts (for passes
    /// over every endpoint).
    pub fn accepts(
        &self,
        client: &ClientTlsDecision,
        endpoint: WorkloadId,
        container_port: Option<u32>,
    ) -> bool {
        let sidecar = self.workload(endpoint).injection == Injection::Injected;
        let wire = match client.mode {
            ClientMode::Auto if sidecar => ClientMode::IstioMutual,
            ClientMode::Auto => ClientMode::Plaintext,
            m => m,
        };
        if !sidecar {
            return wire != ClientMode::IstioMutual;
        }
        match (wire, self.server_mtls(endpoint, container_port).mode) {
            (ClientMode::IstioMutual, mode) => mode != ServerMode::Disable,
            (_, mode) => mode != ServerMode::Strict,
        }
    }

    /// Whether a client setting reaches one endpoint on a container port, and with which
    /// identity. An endpoint without a sidecar (or whose injection is unknown and which runs no
    /// proxy) takes plaintext only.
    pub fn connect(
        &self,
        client: &ClientTlsDecision,
        endpoint: WorkloadId,
        container_port: Option<u32>,
    ) -> Connection {
        let sidecar = self.workload(endpoint).injection == Injection::Injected;
        let wire = match client.mode {
            ClientMode::Auto if sidecar => ClientMode::IstioMutual,
            ClientMode::Auto => ClientMode::Plaintext,
            m => m,
        };
        let name = &self.workload(endpoint).name;
        if !sidecar {
            let (accepted, reason) = match wire {
                ClientMode::IstioMutual => (
                    false,
                    format!(
                        "the client sends Istio mTLS (ISTIO_MUTUAL) but {name} has no sidecar to terminate it"
                    ),
                ),
                ClientMode::Plaintext => {
                    (true, format!("plaintext to {name}, which has no sidecar"))
                }
                _ => (
                    true,
                    format!(
                        "{} TLS to {name}, which has no sidecar: the application terminates it",
                        wire.as_str()
                    ),
                ),
            };
            return Connection {
                accepted,
                identity: false,
                wire: wire_str(wire),
                server: None,
                reason,
            };
        }
        let server = self.server_mtls(endpoint, container_port);
        let mode = server.mode.as_str();
        let (accepted, identity, reason) = match (wire, server.mode) {
            (ClientMode::IstioMutual, ServerMode::Disable) => (
                false,
                false,
                format!("the client sends Istio mTLS but {name} has mTLS DISABLE"),
            ),
            (ClientMode::IstioMutual, _) => (
                true,
                true,
                format!("Istio mTLS to {name} ({mode}): the caller's identity is known"),
            ),
            (ClientMode::Plaintext, ServerMode::Strict) => (
                false,
                false,
                format!("the client sends plaintext but {name} requires mTLS (STRICT)"),
            ),
            (ClientMode::Plaintext, _) => (
                true,
                false,
                format!("plaintext to {name} ({mode}): the caller has no identity"),
            ),
            (_, ServerMode::Strict) => (
                false,
                false,
                format!(
                    "the client originates {} TLS, not Istio mTLS, but {name} requires Istio mTLS (STRICT)",
                    wire.as_str()
                ),
            ),
            (_, _) => (
                true,
                false,
                format!(
                    "{} TLS to {name} ({mode}) is passed to the application: no Istio identity",
                    wire.as_str()
                ),
            ),
        };
        Connection {
            accepted,
            identity,
            wire: wire_str(wire),
            server: Some(server),
            reason,
        }
    }

    /// The SPIFFE-less principal of a workload: `<trust domain>/ns/<ns>/sa/<sa>`.
    pub fn principal_of(&self, workload: WorkloadId) -> String {
        let w = self.workload(workload);
        format!(
            "{}/ns/{}/sa/{}",
            self.mtls.trust_domain, w.namespace, w.service_account
        )
    }
}

fn wire_str(m: ClientMode) -> &'static str {
    match m {
        ClientMode::IstioMutual | ClientMode::Auto => "ISTIO_MUTUAL",
        ClientMode::Mutual => "MUTUAL",
        ClientMode::Simple => "SIMPLE",
        ClientMode::Plaintext => "plaintext",
    }
}

/// A PeerAuthentication's description for messages.
pub fn describe_pa(pa: &Res<crate::model::security::PeerAuthentication>) -> String {
    format!("PeerAuthentication {}/{}", pa.namespace(), pa.name())
}
