//! `mesh`: the index every consumer shares (rules, simulate, authz, graph). Istio's name
//! resolution lives here and only here: FQDN expansion, wildcard matching, exportTo visibility,
//! the DestinationRule lookup path, Sidecar scope, gateway name and host binding, and
//! label-selector matching. Built once per run in time linear in the number of resources.

pub mod duration;
pub mod graph;
pub mod host;
pub mod injection;
mod keys;
pub mod lookup;
pub mod matching;
pub mod mtls;
pub mod ports;
pub mod request;
pub mod routes;
pub mod shadowing;
pub mod workloads;

use std::collections::BTreeMap;

use rustc_hash::FxHashMap as HashMap;

use crate::model::networking::{DestinationRule, Gateway, VirtualService};
use crate::model::node::{Map, Spanned};
use crate::model::{Model, Res};
use crate::source::Loc;
use keys::{Key, key, push};
pub use ports::Protocol;

/// Namespaces `istioctl analyze` never reports on (Kubernetes' own and kind's storage).
pub const SYSTEM_NAMESPACES: &[&str] = &[
    "kube-system",
    "kube-public",
    "kube-node-lease",
    "local-path-storage",
];

/// Index into `Mesh::services`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServiceId(pub u32);
/// Index into `Mesh::workloads`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WorkloadId(pub u32);
/// Index into `Model::virtual_services`.
pub type VsIdx = usize;
/// Index into `Model::destination_rules`.
pub type DrIdx = usize;
/// Index into `Model::gateways`.
pub type GwIdx = usize;
/// Index into `Model::sidecars`.
pub type SidecarIdx = usize;

/// Where a resource is visible (`exportTo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportTo {
    All,
    /// The listed namespaces (`.` already replaced by the owner's namespace).
    Namespaces(Vec<String>),
}

impl ExportTo {
    /// Reads an `exportTo` list; an absent or empty list takes the mesh default.
    pub fn parse<'a>(
        values: impl IntoIterator<Item = &'a str>,
        own_ns: &str,
        default: &[String],
    ) -> ExportTo {
        let mut values: Vec<&str> = values.into_iter().collect();
        if values.is_empty() {
            values = default.iter().map(String::as_str).collect();
        }
        if values.contains(&"*") {
            return ExportTo::All;
        }
        let mut out: Vec<String> = values
            .into_iter()
            .filter(|v| *v != "~")
            .map(|v| {
                if v == "." {
                    own_ns.to_string()
                } else {
                    v.to_string()
                }
            })
            .collect();
        out.sort();
        out.dedup();
        ExportTo::Namespaces(out)
    }

    pub fn visible_to(&self, ns: &str) -> bool {
        match self {
            ExportTo::All => true,
            ExportTo::Namespaces(list) => list.iter().any(|n| n == ns),
        }
    }

    /// Whether some namespace sees both.
    pub fn overlaps(&self, other: &ExportTo) -> bool {
        match (self, other) {
            (ExportTo::All, _) | (_, ExportTo::All) => true,
            (ExportTo::Namespaces(x), ExportTo::Namespaces(y)) => x.iter().any(|n| y.contains(n)),
        }
    }
}

/// Whether a workload runs an Istio proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Injection {
    Injected,
    NotInjected,
    /// The namespace is not in the inputs and the pod says nothing.
    Unknown,
}

/// A Kubernetes namespace, declared in the inputs or only referred to.
#[derive(Debug, Clone, Default)]
pub struct NamespaceInfo {
    pub name: String,
    /// Index into `Model::namespaces`, when the Namespace is in the inputs.
    pub res: Option<usize>,
    pub labels: Labels,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkloadSource {
    /// Index into `Model::workloads`.
    Pod(usize),
    /// Index into `Model::workload_entries`.
    WorkloadEntry(usize),
    /// An inline endpoint of a ServiceEntry: (service entry index, endpoint index).
    Endpoint(usize, usize),
}

/// Something that receives traffic: a pod template, a WorkloadEntry or a ServiceEntry endpoint.
#[derive(Debug, Clone)]
pub struct WorkloadInfo {
    pub source: WorkloadSource,
    pub name: String,
    pub namespace: String,
    pub labels: Labels,
    pub service_account: String,
    pub injection: Injection,
    pub loc: Loc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceSource {
    /// Index into `Model::services`.
    Kubernetes(usize),
    /// (index into `Model::service_entries`, index of the host in `spec.hosts`).
    ServiceEntry(usize, usize),
}

#[derive(Debug, Clone, PartialEq)]
pub struct PortInfo {
    pub number: u32,
    pub name: String,
    /// The workload port (Kubernetes `targetPort` number, or the SE `targetPort`), if numeric.
    pub target_port: Option<u32>,
    /// A named `targetPort`, resolved per workload by container port name.
    pub target_port_name: Option<String>,
    pub protocol: Protocol,
    pub loc: Loc,
}

/// A host that routes can send traffic to: a Kubernetes Service or one host of a ServiceEntry.
#[derive(Debug, Clone)]
pub struct ServiceInfo {
    pub source: ServiceSource,
    /// The FQDN (`reviews.default.svc.cluster.local`) or the ServiceEntry host as written
    /// (lower-cased; may be a wildcard).
    pub host: String,
    pub name: String,
    pub namespace: String,
    pub ports: Vec<PortInfo>,
    pub export_to: ExportTo,
    /// Label selector for endpoints; `None` when endpoints are not selected by labels
    /// (a Service without selector, a ServiceEntry with inline endpoints or DNS resolution).
    pub selector: Option<Labels>,
    /// `MESH_EXTERNAL` ServiceEntry.
    pub external: bool,
    pub loc: Loc,
}

/// How a VirtualService is bound.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GatewayRef {
    /// The reserved `mesh` gateway: every sidecar.
    Mesh,
    /// A Gateway `namespace/name` (it may not exist).
    Named { namespace: String, name: String },
}

impl std::fmt::Display for GatewayRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GatewayRef::Mesh => f.write_str("mesh"),
            GatewayRef::Named { namespace, name } => write!(f, "{namespace}/{name}"),
        }
    }
}

/// A VirtualService as the index sees it.
#[derive(Debug, Clone)]
pub struct VsInfo {
    /// Hosts resolved against the VirtualService's namespace, in `spec.hosts` order.
    pub hosts: Vec<String>,
    /// `spec.gateways` resolved (empty list = `mesh`), with the location of each entry.
    pub gateways: Vec<(GatewayRef, Option<Loc>)>,
    pub export_to: ExportTo,
    /// A delegate: a VirtualService without hosts, used by another's `delegate`.
    pub is_delegate: bool,
}

impl VsInfo {
    pub fn binds_mesh(&self) -> bool {
        self.gateways.iter().any(|(g, _)| *g == GatewayRef::Mesh)
    }
}

/// A DestinationRule as the index sees it.
#[derive(Debug, Clone)]
pub struct DrInfo {
    pub host: String,
    pub export_to: ExportTo,
    /// A DR with `workloadSelector` applies only to the selected workloads of its namespace.
    pub has_selector: bool,
    /// `workloadSelector.matchLabels` (an empty selector selects every workload).
    pub selector: Option<Labels>,
    /// Indexed for the clients of its own namespace (`setDestinationRules` `namespaceLocal`):
    /// `exportTo` absent, `*`, `.` or naming its namespace, or a `workloadSelector` rule. A rule
    /// exported only to other namespaces is not used in its own.
    pub local: bool,
    /// Visible in its own namespace only (`isPrivateOnly`: `exportTo: [.]`, `[<own ns>]`, absent
    /// with a private mesh default, or a `workloadSelector` rule): not in the exported index that
    /// other namespaces' clients consult. In the root namespace, these are the only rules its own
    /// clients try first.
    pub private_only: bool,
    /// `exportTo` as written (`.` not replaced; empty = absent), for the exported index's check
    /// (`getExportedDestinationRuleFromNamespace`: absent, `*` or the client's namespace).
    export_written: Vec<String>,
}

impl DrInfo {
    /// Whether this rule, found in the exported index of its namespace, applies to a client in
    /// `client_ns` (`getExportedDestinationRuleFromNamespace`).
    pub fn exported_to(&self, client_ns: &str) -> bool {
        !self.private_only
            && (self.export_written.is_empty()
                || self
                    .export_written
                    .iter()
                    .any(|e| e == "*" || e == client_ns))
    }
}

/// How a DestinationRule lookup went (`Mesh::destination_rule_lookup`), for explaining it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DrLookup {
    /// The rules the client uses, if any.
    pub selection: Option<DrSelection>,
    /// `workloadSelector` rules for the matched host of the client's namespace: the outcome
    /// depends on the workload (one they select uses it; any other ignores them, and when the
    /// namespace has no selector-less rule for that host, the lookup ends with nothing).
    pub selectors: Vec<DrIdx>,
    /// The most specific rules of a namespace on the path that are not exported to the client:
    /// they hide that namespace's less specific rules (no fallback within a namespace).
    pub hidden: Vec<DrIdx>,
}

/// One server host of a Gateway (`ns/host`, `./host`, `*/host` or `host`).
#[derive(Debug, Clone, PartialEq)]
pub struct ServerHost {
    /// `None` = any namespace.
    pub namespace: Option<String>,
    pub host: String,
    pub loc: Loc,
}

/// The DestinationRule(s) a client uses for a host: those of one namespace, merged.
#[derive(Debug, Clone, PartialEq)]
pub struct DrSelection {
    /// Indices into `Model::destination_rules`, in merge order (the first's trafficPolicy wins).
    pub rules: Vec<DrIdx>,
    /// The host those rules are written for (exact or wildcard).
    pub host: String,
    pub namespace: String,
}

/// A subset defined by a DestinationRule.
#[derive(Debug, Clone, Copy)]
pub struct SubsetRef {
    pub dr: DrIdx,
    /// Index into the DR's `subsets`.
    pub index: usize,
}

/// The index.
#[derive(Debug, Default)]
pub struct Mesh {
    pub root_namespace: String,
    pub namespaces: BTreeMap<String, NamespaceInfo>,
    pub workloads: Vec<WorkloadInfo>,
    pub services: Vec<ServiceInfo>,
    /// Per `Model::virtual_services` index.
    pub virtual_services: Vec<VsInfo>,
    /// Per `Model::destination_rules` index.
    pub destination_rules: Vec<DrInfo>,
    /// Per `Model::gateways` index: resolved server hosts, per server.
    pub gateway_hosts: Vec<Vec<Vec<ServerHost>>>,
    /// Per `Model::gateways` index: the gateway proxies its selector picks (application pods it
    /// happens to match are left out: they do not apply Gateway servers).
    pub gateway_workloads: Vec<Vec<WorkloadId>>,
    /// Per `Model::k8s_gateways` index: one host per listener (`*` for a listener without
    /// `hostname`, which accepts every host).
    pub k8s_gateway_hosts: Vec<Vec<ServerHost>>,
    /// Effective server-side mTLS per workload (`mtls.rs`).
    pub mtls: mtls::MtlsIndex,

    services_by_host: HashMap<String, Vec<ServiceId>>,
    /// namespace → services declared in it (for "did you mean" among a namespace's names).
    services_by_ns: HashMap<String, Vec<ServiceId>>,
    /// Wildcard ServiceEntry hosts, by the host as written (`*.example.com`).
    wildcard_services: HashMap<String, Vec<ServiceId>>,
    /// (namespace, label key, label value) → workloads, for selector matching.
    labels: HashMap<Key<3>, Vec<WorkloadId>>,
    /// (label key, label value) → workloads in every namespace, for gateway selectors.
    labels_any_namespace: HashMap<Key<2>, Vec<WorkloadId>>,
    workloads_by_ns: HashMap<String, Vec<WorkloadId>>,
    /// namespace → Kubernetes Services of that namespace.
    k8s_services_by_ns: HashMap<String, Vec<ServiceId>>,
    /// (namespace, host as written resolved) → DRs (with and without workload selector), in
    /// input order.
    drs_by_ns_host: HashMap<Key<2>, Vec<DrIdx>>,
    /// namespace → wildcard DR hosts in that namespace.
    dr_wildcards_by_ns: HashMap<String, Vec<String>>,
    /// host → DRs (every namespace), for "exists somewhere" questions.
    drs_by_host: HashMap<String, Vec<DrIdx>>,
    /// host → VirtualServices defining it (resolved host), in input order.
    vs_by_host: HashMap<String, Vec<VsIdx>>,
    /// (namespace, name) → VirtualService, for delegates.
    vs_by_name: HashMap<Key<2>, VsIdx>,
    /// (namespace, name) → Gateway.
    gateways_by_name: HashMap<Key<2>, GwIdx>,
    /// (namespace, name) → Gateway API Gateway (`Model::k8s_gateways`).
    k8s_gateways_by_name: HashMap<Key<2>, usize>,
    /// namespace → Sidecars of that namespace (indices into `Model::sidecars`).
    sidecars_by_ns: HashMap<String, Vec<SidecarIdx>>,
    /// Counts every index lookup, for the linear-growth regression test.
    lookups: std::sync::atomic::AtomicU64,
}

/// Labels, selectors and annotations of the index: sorted by key, exactly sized.
pub type Labels = Map<String>;

fn plain(labels: &Map<Spanned<String>>) -> Labels {
    labels
        .iter()
        .map(|(k, v)| (k.clone(), v.value.clone()))
        .collect()
}

impl Mesh {
    pub fn build(model: &Model) -> Mesh {
        let mesh_config = &model.mesh_config;
        let mut mesh = Mesh {
            root_namespace: mesh_config.root_namespace.clone(),
            ..Mesh::default()
        };
        mesh.index_namespaces(model);
        mesh.index_workloads(model);
        mesh.index_services(model);
        mesh.index_destination_rules(model);
        mesh.index_virtual_services(model);
        mesh.index_gateways(model);
        for (i, sc) in model.sidecars.iter().enumerate() {
            let ns = &sc.meta.namespace;
            push(&mut mesh.sidecars_by_ns, ns.as_str(), || ns.clone(), i);
        }
        mesh.mtls = mtls::MtlsIndex::build(model, &mesh);
        mesh
    }

    fn index_namespaces(&mut self, model: &Model) {
        for (i, ns) in model.namespaces.iter().enumerate() {
            let entry = self.namespaces.entry(ns.name().to_string()).or_default();
            entry.name = ns.name().to_string();
            entry.res = Some(i);
            entry.labels = plain(&ns.meta.labels);
        }
        let mentioned = model
            .services
            .iter()
            .map(|r| &r.meta.namespace)
            .chain(model.workloads.iter().map(|r| &r.meta.namespace))
            .chain(model.virtual_services.iter().map(|r| &r.meta.namespace))
            .chain(model.destination_rules.iter().map(|r| &r.meta.namespace))
            .chain(model.gateways.iter().map(|r| &r.meta.namespace))
            .chain(model.service_entries.iter().map(|r| &r.meta.namespace));
        let mut previous: Option<&String> = None;
        for ns in mentioned {
            // Resources come grouped by namespace; the map is asked once per group.
            if previous == Some(ns) {
                continue;
            }
            previous = Some(ns);
            if !self.namespaces.contains_key(ns) {
                self.namespaces.insert(
                    ns.clone(),
                    NamespaceInfo {
                        name: ns.clone(),
                        ..Default::default()
                    },
                );
            }
        }
    }

    fn injection(&self, namespace: &str, labels: &Labels, annotations: &Labels) -> Injection {
        let pod_says = labels
            .get("sidecar.istio.io/inject")
            .or_else(|| annotations.get("sidecar.istio.io/inject"));
        match pod_says.map(String::as_str) {
            Some("false") => return Injection::NotInjected,
            Some("true") => return Injection::Injected,
            _ => {}
        }
        if labels.contains_key("istio.io/rev") {
            return Injection::Injected;
        }
        let Some(ns) = self.namespaces.get(namespace).filter(|n| n.res.is_some()) else {
            return Injection::Unknown;
        };
        match ns.labels.get("istio-injection").map(String::as_str) {
            Some("enabled") => Injection::Injected,
            Some(_) => Injection::NotInjected,
            None if ns.labels.contains_key("istio.io/rev") => Injection::Injected,
            None => Injection::NotInjected,
        }
    }

    fn add_workload(&mut self, info: WorkloadInfo) {
        let id = WorkloadId(self.workloads.len() as u32);
        let ns = &info.namespace;
        for (k, v) in &info.labels {
            let parts = [ns.as_str(), k.as_str(), v.as_str()];
            push(&mut self.labels, key(&parts), || Key::new(parts), id);
            let parts = [k.as_str(), v.as_str()];
            push(
                &mut self.labels_any_namespace,
                key(&parts),
                || Key::new(parts),
                id,
            );
        }
        push(&mut self.workloads_by_ns, ns.as_str(), || ns.clone(), id);
        self.workloads.push(info);
    }

    fn index_workloads(&mut self, model: &Model) {
        // ServiceEntry endpoints come later and may grow the list beyond this.
        self.workloads
            .reserve_exact(model.workloads.len() + model.workload_entries.len());
        for (i, w) in model.workloads.iter().enumerate() {
            let labels = plain(&w.spec.pod_labels);
            let annotations = plain(&w.spec.pod_annotations);
            // Gateway deployments run a proxy without injection labels; istio-proxy image says so.
            let runs_proxy_image = w.spec.spec.containers.iter().any(|c| {
                c.image
                    .as_ref()
                    .is_some_and(|i| i.value.contains("proxyv2"))
            });
            let injection = if runs_proxy_image {
                Injection::Injected
            } else {
                self.injection(&w.meta.namespace, &labels, &annotations)
            };
            self.add_workload(WorkloadInfo {
                source: WorkloadSource::Pod(i),
                name: w.name().to_string(),
                namespace: w.meta.namespace.clone(),
                labels,
                service_account: w.spec.service_account().to_string(),
                injection,
                loc: w.loc(),
            });
        }
        for (i, we) in model.workload_entries.iter().enumerate() {
            self.add_workload(WorkloadInfo {
                source: WorkloadSource::WorkloadEntry(i),
                name: we.name().to_string(),
                namespace: we.meta.namespace.clone(),
                labels: plain(&we.spec.labels),
                service_account: we
                    .spec
                    .service_account
                    .as_ref()
                    .map_or("default".into(), |s| s.value.clone()),
                injection: Injection::Injected,
                loc: we.loc(),
            });
        }
    }

    fn index_services(&mut self, model: &Model) {
        self.services
            .reserve_exact(model.services.len() + model.service_entries.len());
        let default_export = &model.mesh_config.default_service_export_to;
        for (i, svc) in model.services.iter().enumerate() {
            let ns = &svc.meta.namespace;
            let export_values: Vec<String> = svc
                .meta
                .annotations
                .get("networking.istio.io/exportTo")
                .map(|a| {
                    a.value
                        .split(',')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default();
            let spec = &svc.spec.spec;
            let ports = spec.ports.iter().filter_map(ports::k8s_port).collect();
            let external_name = spec
                .service_type
                .as_ref()
                .is_some_and(|t| t.value == "ExternalName");
            let info = ServiceInfo {
                source: ServiceSource::Kubernetes(i),
                host: host::resolve(svc.name(), ns),
                name: svc.name().to_string(),
                namespace: ns.clone(),
                ports,
                export_to: ExportTo::parse(
                    export_values.iter().map(String::as_str),
                    ns,
                    default_export,
                ),
                selector: if external_name {
                    None
                } else {
                    spec.selector.as_ref().map(plain)
                },
                external: external_name,
                loc: svc.loc(),
            };
            self.add_service(info);
        }
        for (i, se) in model.service_entries.iter().enumerate() {
            let ns = &se.meta.namespace;
            let export_to = ExportTo::parse(
                se.spec.export_to.iter().flatten().map(|s| s.value.as_str()),
                ns,
                default_export,
            );
            let ports: Vec<PortInfo> = se.spec.ports.iter().filter_map(ports::se_port).collect();
            let selector = se.spec.workload_selector.as_ref().map(|s| plain(&s.labels));
            for (h, written) in se.spec.hosts.iter().enumerate() {
                let info = ServiceInfo {
                    source: ServiceSource::ServiceEntry(i, h),
                    // ServiceEntry hosts are taken literally (a short name stays short).
                    host: written.value.to_ascii_lowercase(),
                    name: se.name().to_string(),
                    namespace: ns.clone(),
                    ports: ports.clone(),
                    export_to: export_to.clone(),
                    selector: selector.clone(),
                    external: se
                        .spec
                        .location
                        .as_ref()
                        .is_some_and(|l| l.value == "MESH_EXTERNAL"),
                    loc: written.loc,
                };
                self.add_service(info);
            }
            for (e, endpoint) in se.spec.endpoints.iter().enumerate() {
                self.add_workload(WorkloadInfo {
                    source: WorkloadSource::Endpoint(i, e),
                    name: format!("{}[{e}]", se.name()),
                    namespace: ns.clone(),
                    labels: plain(&endpoint.labels),
                    service_account: endpoint
                        .service_account
                        .as_ref()
                        .map_or("default".into(), |s| s.value.clone()),
                    injection: Injection::Unknown,
                    loc: endpoint.at,
                });
            }
        }
    }

    fn add_service(&mut self, info: ServiceInfo) {
        let id = ServiceId(self.services.len() as u32);
        let (ns, host) = (&info.namespace, &info.host);
        if matches!(info.source, ServiceSource::Kubernetes(_)) {
            push(&mut self.k8s_services_by_ns, ns.as_str(), || ns.clone(), id);
        }
        let by_host = if host::is_wildcard(host) {
            &mut self.wildcard_services
        } else {
            &mut self.services_by_host
        };
        push(by_host, host.as_str(), || host.clone(), id);
        push(&mut self.services_by_ns, ns.as_str(), || ns.clone(), id);
        self.services.push(info);
    }

    fn index_destination_rules(&mut self, model: &Model) {
        self.destination_rules
            .reserve_exact(model.destination_rules.len());
        let default_export = &model.mesh_config.default_destination_rule_export_to;
        for (i, dr) in model.destination_rules.iter().enumerate() {
            let ns = &dr.meta.namespace;
            let host = dr
                .spec
                .host
                .as_ref()
                .map(|h| host::resolve(&h.value, ns))
                .unwrap_or_default();
            let has_selector = dr.spec.workload_selector.is_some();
            let export_to = ExportTo::parse(
                dr.spec.export_to.iter().flatten().map(|s| s.value.as_str()),
                ns,
                default_export,
            );
            if !host.is_empty() {
                push(&mut self.drs_by_host, host.as_str(), || host.clone(), i);
                let parts = [ns.as_str(), host.as_str()];
                let first = !self.drs_by_ns_host.contains_key(key(&parts));
                push(&mut self.drs_by_ns_host, key(&parts), || Key::new(parts), i);
                if first && host::is_wildcard(&host) {
                    push(
                        &mut self.dr_wildcards_by_ns,
                        ns.as_str(),
                        || ns.clone(),
                        host.clone(),
                    );
                }
            }
            // `setDestinationRules`: a workloadSelector rule is private; otherwise the written
            // exportTo decides which of the namespace-local and exported indexes hold it.
            let export_written: Vec<String> = if has_selector {
                vec![".".to_string()]
            } else {
                dr.spec
                    .export_to
                    .iter()
                    .flatten()
                    .map(|s| s.value.clone())
                    .collect()
            };
            let own = |e: &String| e == "." || e == ns;
            let local =
                export_written.is_empty() || export_written.iter().any(|e| e == "*" || own(e));
            let private_only = if export_written.is_empty() {
                default_export.iter().any(|e| e == ".")
            } else {
                export_written.len() == 1 && export_written.iter().all(own)
            };
            let selector = dr
                .spec
                .workload_selector
                .as_ref()
                .map(|s| plain(&s.match_labels));
            self.destination_rules.push(DrInfo {
                host,
                export_to,
                has_selector,
                selector,
                local,
                private_only,
                export_written,
            });
        }
    }

    fn index_virtual_services(&mut self, model: &Model) {
        self.virtual_services
            .reserve_exact(model.virtual_services.len());
        let default_export = &model.mesh_config.default_virtual_service_export_to;
        for (i, vs) in model.virtual_services.iter().enumerate() {
            let ns = &vs.meta.namespace;
            let hosts: Vec<String> = vs
                .spec
                .hosts
                .iter()
                .map(|h| host::resolve(&h.value, ns))
                .collect();
            let gateways = if vs.spec.gateways.is_empty() {
                vec![(GatewayRef::Mesh, None)]
            } else {
                vs.spec
                    .gateways
                    .iter()
                    .map(|g| (resolve_gateway_name(&g.value, ns), Some(g.loc)))
                    .collect()
            };
            for h in &hosts {
                push(&mut self.vs_by_host, h.as_str(), || h.clone(), i);
            }
            self.vs_by_name.insert(Key::new([ns, vs.name()]), i);
            self.virtual_services.push(VsInfo {
                is_delegate: hosts.is_empty(),
                hosts,
                gateways,
                export_to: ExportTo::parse(
                    vs.spec.export_to.iter().flatten().map(|s| s.value.as_str()),
                    ns,
                    default_export,
                ),
            });
        }
    }

    fn index_gateways(&mut self, model: &Model) {
        for (i, gw) in model.gateways.iter().enumerate() {
            let ns = &gw.meta.namespace;
            self.gateways_by_name.insert(Key::new([ns, gw.name()]), i);
            let servers = gw
                .spec
                .servers
                .iter()
                .map(|s| s.hosts.iter().map(|h| parse_server_host(h, ns)).collect())
                .collect();
            self.gateway_hosts.push(servers);
            // Istio gateways select their pods in any namespace (unless scoped by pilot flags).
            // Only gateway proxies apply Gateway servers (`mergeGateways` runs for router
            // proxies); an application pod the selector happens to match does not.
            let selector = plain(&gw.spec.selector);
            let mut picked = if selector.is_empty() {
                Vec::new()
            } else {
                self.select_any_namespace(&selector)
            };
            picked.retain(|&w| self.is_gateway_workload(model, w));
            self.gateway_workloads.push(picked);
        }
        for (i, gw) in model.k8s_gateways.iter().enumerate() {
            self.k8s_gateways_by_name
                .insert(Key::new([&gw.meta.namespace, gw.name()]), i);
            let hosts = gw
                .spec
                .listeners
                .iter()
                .map(|l| match &l.hostname {
                    Some(h) if !h.value.is_empty() => parse_server_host(h, &gw.meta.namespace),
                    _ => ServerHost {
                        namespace: None,
                        host: "*".to_string(),
                        loc: l.at,
                    },
                })
                .collect();
            self.k8s_gateway_hosts.push(hosts);
        }
    }

    fn count(&self) {
        self.lookups
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// How many index lookups were made so far (for the linear-growth regression test).
    pub fn lookup_count(&self) -> u64 {
        self.lookups.load(std::sync::atomic::Ordering::Relaxed)
    }

    // ---- workloads and selectors -------------------------------------------------------------

    /// Workloads of `namespace` whose labels include every pair of `selector`. An empty selector
    /// selects every workload of the namespace.
    pub fn select(&self, namespace: &str, selector: &Labels) -> Vec<WorkloadId> {
        self.count();
        if selector.is_empty() {
            return self
                .workloads_by_ns
                .get(namespace)
                .cloned()
                .unwrap_or_default();
        }
        let mut postings: Vec<&Vec<WorkloadId>> = Vec::with_capacity(selector.len());
        for (k, v) in selector {
            match self.labels.get(key(&[namespace, k, v])) {
                Some(p) => postings.push(p),
                None => return Vec::new(),
            }
        }
        intersect(postings)
    }

    /// One lookup per label of the selector, whatever the number of namespaces (every gateway
    /// selects this way, and there is usually one gateway per namespace).
    fn select_any_namespace(&self, selector: &Labels) -> Vec<WorkloadId> {
        self.count();
        if selector.is_empty() {
            return (0..self.workloads.len() as u32).map(WorkloadId).collect();
        }
        let mut postings: Vec<&Vec<WorkloadId>> = Vec::with_capacity(selector.len());
        for (k, v) in selector {
            match self.labels_any_namespace.get(key(&[k, v])) {
                Some(p) => postings.push(p),
                None => return Vec::new(),
            }
        }
        intersect(postings)
    }

    /// Workloads a selector picks in any namespace (gateway selectors).
    pub fn select_in_any_namespace(&self, selector: &Labels) -> Vec<WorkloadId> {
        self.select_any_namespace(selector)
    }

    /// The Kubernetes Services that front a workload: those of its namespace whose (non-empty)
    /// selector its labels satisfy. Linear in the Services of that namespace.
    pub fn services_selecting(&self, id: WorkloadId) -> Vec<ServiceId> {
        self.count();
        let w = self.workload(id);
        self.k8s_services_by_ns
            .get(&w.namespace)
            .into_iter()
            .flatten()
            .copied()
            .filter(|&s| {
                self.service(s).selector.as_ref().is_some_and(|sel| {
                    !sel.is_empty() && sel.iter().all(|(k, v)| w.labels.get(k) == Some(v))
                })
            })
            .collect()
    }

    /// Whether a workload is a gateway proxy (an ingress or egress gateway deployment): a pod whose
    /// only container is the Istio proxy (`istio-proxy` or a `proxyv2` image), as gateway
    /// deployments and `kubectl get pod` dumps of them are written. Sidecar-injected application
    /// pods have other containers and are not gateways.
    pub fn is_gateway_workload(&self, model: &Model, id: WorkloadId) -> bool {
        let WorkloadSource::Pod(i) = self.workload(id).source else {
            return false;
        };
        let containers = &model.workloads[i].spec.spec.containers;
        !containers.is_empty()
            && containers.iter().all(|c| {
                c.name.as_ref().is_some_and(|n| n.value == "istio-proxy")
                    || c.image
                        .as_ref()
                        .is_some_and(|img| img.value.contains("proxyv2"))
            })
    }

    pub fn workload(&self, id: WorkloadId) -> &WorkloadInfo {
        &self.workloads[id.0 as usize]
    }

    /// Finds a workload by `<name>.<namespace>` as users write it (Deployment, Pod, …).
    pub fn find_workload(&self, name: &str, namespace: &str) -> Option<WorkloadId> {
        self.count();
        self.workloads_by_ns
            .get(namespace)?
            .iter()
            .copied()
            .find(|&id| self.workload(id).name == name)
    }

    /// The endpoints of a service: the workloads its selector picks (`None` when the service does
    /// not select its endpoints by labels, so the files cannot tell).
    pub fn endpoints(&self, service: ServiceId) -> Option<Vec<WorkloadId>> {
        let svc = self.service(service);
        match (&svc.source, &svc.selector) {
            (ServiceSource::ServiceEntry(se, _), None) => {
                let ids: Vec<WorkloadId> = self
                    .workloads_by_ns
                    .get(&svc.namespace)
                    .into_iter()
                    .flatten()
                    .copied()
                    .filter(|&id| matches!(self.workload(id).source, WorkloadSource::Endpoint(s, _) if s == *se))
                    .collect();
                if ids.is_empty() { None } else { Some(ids) }
            }
            (_, Some(selector)) => Some(self.select(&svc.namespace, selector)),
            (_, None) => None,
        }
    }

    // ---- services and hosts ------------------------------------------------------------------

    pub fn service(&self, id: ServiceId) -> &ServiceInfo {
        &self.services[id.0 as usize]
    }

    /// Every service (any visibility) for a resolved host. Exact hosts first; for a concrete
    /// host, wildcard ServiceEntries that cover it follow; for a wildcard host, the wildcard
    /// ServiceEntries equal to or wider than it (`*.eu.example.com` is covered by
    /// `*.eu.example.com`, `*.example.com` and `*`).
    pub fn services_for_host(&self, host: &str) -> Vec<ServiceId> {
        self.count();
        let mut out: Vec<ServiceId> = self.services_by_host.get(host).cloned().unwrap_or_default();
        if self.wildcard_services.is_empty() {
            // No wildcard ServiceEntry at all (the common case): no parent domain to try.
            return out;
        }
        if host::is_wildcard(host) {
            out.extend(self.wildcard_services.get(host).into_iter().flatten());
            if let Some(rest) = host.strip_prefix("*.") {
                for parent in host::wildcard_parents(rest) {
                    out.extend(self.wildcard_services.get(&parent).into_iter().flatten());
                }
            } else if host != "*" {
                // `*foo.com` (no dot): only `*` covers it.
                out.extend(self.wildcard_services.get("*").into_iter().flatten());
            }
        } else {
            for parent in host::wildcard_parents(host) {
                out.extend(self.wildcard_services.get(&parent).into_iter().flatten());
            }
        }
        out
    }

    /// The services for `host` that namespace `from_ns` can see (exportTo).
    pub fn visible_services(&self, host: &str, from_ns: &str) -> Vec<ServiceId> {
        self.services_for_host(host)
            .into_iter()
            .filter(|&id| {
                let s = self.service(id);
                s.namespace == from_ns || s.export_to.visible_to(from_ns)
            })
            .collect()
    }

    /// Hosts visible from a namespace, for "did you mean" suggestions (short form for services
    /// in the same namespace).
    pub fn visible_host_names(&self, from_ns: &str) -> Vec<String> {
        let mut out: Vec<String> = self
            .services
            .iter()
            .filter(|s| s.namespace == from_ns || s.export_to.visible_to(from_ns))
            .map(|s| {
                if matches!(s.source, ServiceSource::Kubernetes(_)) && s.namespace == from_ns {
                    s.name.clone()
                } else {
                    host::short(&s.host).to_string()
                }
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }

    // ---- destination rules -------------------------------------------------------------------

    /// The DestinationRules a client in `client_ns` uses for `service_host` (a resolved, concrete
    /// host whose service lives in `service_ns`), for a workload of that namespace that no
    /// `workloadSelector` rule selects. See `destination_rule_lookup` for the path.
    pub fn destination_rule_for(
        &self,
        client_ns: &str,
        service_host: &str,
        service_ns: &str,
    ) -> Option<DrSelection> {
        self.destination_rule_lookup(client_ns, None, service_host, service_ns)
            .selection
    }

    /// The DestinationRules a workload with `labels` in `client_ns` uses for `service_host`
    /// (`None` labels: a workload no `workloadSelector` rule selects).
    pub fn destination_rule_for_workload(
        &self,
        client_ns: &str,
        labels: Option<&Labels>,
        service_host: &str,
        service_ns: &str,
    ) -> Option<DrSelection> {
        self.destination_rule_lookup(client_ns, labels, service_host, service_ns)
            .selection
    }

    /// Istio's DestinationRule lookup path (`push_context.go` `destinationRule()`,
    /// `getExportedDestinationRuleFromNamespace`, `setDestinationRules`, and
    /// `SidecarScope.DestinationRule` for `workloadSelector`):
    /// 1. the client's namespace: its rules exported to itself (no `exportTo`, `*`, `.` or its
    ///    own name; a rule exported only elsewhere is not used there) and its `workloadSelector`
    ///    rules. A client in the root namespace only tries the root's private rules here
    ///    (`exportTo: .`), so that a mesh-wide `*.local` rule there does not hide the service
    ///    namespace's rules from the ingress gateway. A match ends the lookup: the first
    ///    `workloadSelector` rule that selects the workload, else the rules without selector for
    ///    that host, else nothing.
    /// 2. the service's namespace, then 3. the root namespace: their exported rules. The most
    ///    specific host is chosen *before* `exportTo` is checked, with no fallback to a less
    ///    specific host of the same namespace: if its rules are not exported to the client, the
    ///    next namespace is tried.
    ///
    /// In each namespace the most specific host wins (exact over wildcard, longer wildcard over
    /// shorter); rules of that namespace for that host merge in input order.
    pub fn destination_rule_lookup(
        &self,
        client_ns: &str,
        labels: Option<&Labels>,
        service_host: &str,
        service_ns: &str,
    ) -> DrLookup {
        self.count();
        let root = self.root_namespace.as_str();
        let mut out = DrLookup::default();
        let in_client_index = |i: DrIdx| {
            let info = &self.destination_rules[i];
            if client_ns == root {
                info.private_only
            } else {
                info.local
            }
        };
        if let Some((host, rules)) = self.most_specific_dr(client_ns, service_host, in_client_index)
        {
            let selectors: Vec<DrIdx> = rules
                .iter()
                .copied()
                .filter(|&i| self.destination_rules[i].selector.is_some())
                .collect();
            let chosen = selectors.iter().copied().find(|&i| {
                let selector = self.destination_rules[i].selector.as_ref();
                labels.is_some_and(|l| {
                    selector.is_some_and(|s| s.iter().all(|(k, v)| l.get(k) == Some(v)))
                })
            });
            let rules: Vec<DrIdx> = match chosen {
                Some(i) => vec![i],
                None => rules
                    .into_iter()
                    .filter(|&i| self.destination_rules[i].selector.is_none())
                    .collect(),
            };
            out.selectors = selectors;
            if !rules.is_empty() {
                out.selection = Some(DrSelection {
                    rules,
                    host,
                    namespace: client_ns.to_string(),
                });
            }
            return out;
        }
        let exported = |i: DrIdx| !self.destination_rules[i].private_only;
        for ns in [service_ns, root] {
            let Some((host, rules)) = self.most_specific_dr(ns, service_host, exported) else {
                continue;
            };
            let (visible, hidden): (Vec<DrIdx>, Vec<DrIdx>) = rules
                .into_iter()
                .partition(|&i| self.destination_rules[i].exported_to(client_ns));
            if visible.is_empty() {
                out.hidden.extend(hidden);
                continue;
            }
            out.selection = Some(DrSelection {
                rules: visible,
                host,
                namespace: ns.to_string(),
            });
            return out;
        }
        out
    }

    /// The most specific host of namespace `ns` that has rules in the index `member` describes
    /// (`MostSpecificHostMatch`), and those rules in input order.
    fn most_specific_dr(
        &self,
        ns: &str,
        service_host: &str,
        member: impl Fn(DrIdx) -> bool,
    ) -> Option<(String, Vec<DrIdx>)> {
        let members = |list: &Vec<DrIdx>| -> Vec<DrIdx> {
            list.iter().copied().filter(|&i| member(i)).collect()
        };
        // Candidate hosts from most to least specific: the host itself, then its wildcard parents
        // (only when the namespace has wildcard DestinationRules for them to match).
        let selection = |candidate: &str| {
            let rules = members(self.drs_by_ns_host.get(key(&[ns, candidate]))?);
            (!rules.is_empty()).then(|| (candidate.to_string(), rules))
        };
        if let Some(found) = selection(service_host) {
            return Some(found);
        }
        let wildcards =
            self.dr_wildcards_by_ns.contains_key(ns) && !host::is_wildcard(service_host);
        if wildcards
            && let Some(found) = host::wildcard_parents(service_host).find_map(|c| selection(&c))
        {
            return Some(found);
        }
        // A wildcard service host (`*.example.com`) is matched by wildcard DRs that cover it.
        if host::is_wildcard(service_host) {
            let mut best: Option<(&String, Vec<DrIdx>)> = None;
            for w in self.dr_wildcards_by_ns.get(ns).into_iter().flatten() {
                if host::subset_of(service_host, w)
                    && best.as_ref().is_none_or(|(b, _)| host::more_specific(w, b))
                    && let Some(list) = self.drs_by_ns_host.get(key(&[ns, w]))
                {
                    let rules = members(list);
                    if !rules.is_empty() {
                        best = Some((w, rules));
                    }
                }
            }
            return best.map(|(h, rules)| (h.clone(), rules));
        }
        None
    }

    /// The subsets of a DR selection, merged in order: the first definition of a name wins.
    pub fn subsets<'m>(
        &self,
        model: &'m Model,
        selection: &DrSelection,
    ) -> Vec<(&'m str, SubsetRef)> {
        let mut out: Vec<(&'m str, SubsetRef)> = Vec::new();
        for &dr in &selection.rules {
            for (index, subset) in model.destination_rules[dr].spec.subsets.iter().enumerate() {
                if let Some(name) = &subset.name
                    && !out.iter().any(|(n, _)| *n == name.value)
                {
                    out.push((name.value.as_str(), SubsetRef { dr, index }));
                }
            }
        }
        out
    }

    /// Every DR written for a host, in any namespace and whatever its visibility.
    pub fn destination_rules_for_host(&self, host: &str) -> &[DrIdx] {
        self.count();
        self.drs_by_host.get(host).map_or(&[], Vec::as_slice)
    }

    // ---- virtual services and gateways -------------------------------------------------------

    /// VirtualServices that list `host` (resolved) in their hosts.
    pub fn virtual_services_for_host(&self, host: &str) -> &[VsIdx] {
        self.count();
        self.vs_by_host.get(host).map_or(&[], Vec::as_slice)
    }

    /// Every distinct VirtualService host, sorted (for passes that group by host).
    pub fn virtual_service_hosts(&self) -> Vec<&str> {
        let mut hosts: Vec<&str> = self.vs_by_host.keys().map(String::as_str).collect();
        hosts.sort_unstable();
        hosts
    }

    pub fn virtual_service_by_name(&self, namespace: &str, name: &str) -> Option<VsIdx> {
        self.count();
        self.vs_by_name.get(key(&[namespace, name])).copied()
    }

    /// The Istio Gateway a reference names, if it exists in the inputs.
    pub fn gateway(&self, reference: &GatewayRef) -> Option<GwIdx> {
        self.count();
        match reference {
            GatewayRef::Mesh => None,
            GatewayRef::Named { namespace, name } => {
                self.gateways_by_name.get(key(&[namespace, name])).copied()
            }
        }
    }

    /// A Gateway API Gateway of that name (VirtualServices may bind to them too).
    pub fn k8s_gateway(&self, reference: &GatewayRef) -> Option<usize> {
        match reference {
            GatewayRef::Mesh => None,
            GatewayRef::Named { namespace, name } => self
                .k8s_gateways_by_name
                .get(key(&[namespace, name]))
                .copied(),
        }
    }

    /// Gateway names visible for suggestions: `ns/name` of every Istio Gateway.
    pub fn gateway_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .gateways_by_name
            .keys()
            .map(|k| format!("{}/{}", k.part(0), k.part(1)))
            .collect();
        names.sort();
        names
    }

    /// The hosts a VirtualService in `vs_ns` may bind on a gateway server: the intersection of
    /// the server's hosts (as visible from `vs_ns`) with `vs_host` (`gateway.go`).
    pub fn server_accepts(&self, server_hosts: &[ServerHost], vs_ns: &str, vs_host: &str) -> bool {
        server_hosts.iter().any(|sh| {
            sh.namespace.as_deref().is_none_or(|ns| ns == vs_ns) && host::matches(&sh.host, vs_host)
        })
    }

    /// The virtual host names a VirtualService host in `vs_ns` yields on one gateway server
    /// (`gateway.go`): for every server host visible from `vs_ns` that matches `vs_host`, the more
    /// specific of the two names. Routes of VirtualServices yielding the same name on one route
    /// table are merged into one virtual host. Linear in the server's hosts.
    pub fn server_vhosts(
        &self,
        server_hosts: &[ServerHost],
        vs_ns: &str,
        vs_host: &str,
    ) -> Vec<String> {
        let mut out: Vec<String> = server_hosts
            .iter()
            .filter(|sh| {
                sh.namespace.as_deref().is_none_or(|ns| ns == vs_ns)
                    && host::matches(&sh.host, vs_host)
            })
            .map(|sh| {
                if host::subset_of(vs_host, &sh.host) {
                    vs_host.to_string()
                } else {
                    sh.host.clone()
                }
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }

    // ---- sidecar scope -----------------------------------------------------------------------

    /// The Sidecar that applies to a workload (`doGetSidecarScope`): a Sidecar of its namespace
    /// whose selector matches, else the namespace's Sidecar without selector, else the root
    /// namespace's Sidecar without selector. `None` means the default scope (`*/*`).
    pub fn sidecar_for(
        &self,
        model: &Model,
        namespace: &str,
        labels: &Labels,
    ) -> Option<SidecarIdx> {
        self.count();
        let in_ns = |ns: &str| {
            self.sidecars_by_ns
                .get(ns)
                .into_iter()
                .flatten()
                .map(|&i| (i, &model.sidecars[i]))
                .collect::<Vec<_>>()
        };
        let selected = in_ns(namespace).into_iter().find(|(_, s)| {
            s.spec.workload_selector.as_ref().is_some_and(|sel| {
                !sel.labels.is_empty()
                    && sel
                        .labels
                        .iter()
                        .all(|(k, v)| labels.get(k) == Some(&v.value))
            })
        });
        if let Some((i, _)) = selected {
            return Some(i);
        }
        if let Some((i, _)) = in_ns(namespace)
            .into_iter()
            .find(|(_, s)| s.spec.workload_selector.is_none())
        {
            return Some(i);
        }
        in_ns(&self.root_namespace)
            .into_iter()
            .find(|(_, s)| s.spec.workload_selector.is_none())
            .map(|(i, _)| i)
    }

    /// Whether a Sidecar's egress imports `service`, for a proxy of the Sidecar's own namespace
    /// (see `sidecar_imports_for`).
    pub fn sidecar_imports(&self, model: &Model, sidecar: SidecarIdx, service: ServiceId) -> bool {
        let own = model.sidecars[sidecar].meta.namespace.as_str();
        self.sidecar_imports_for(model, sidecar, own, service)
    }

    /// The egress hosts of a Sidecar as `(namespace, dnsName)` for a proxy of `proxy_ns`
    /// (`convertIstioListenerToWrapper`): `.` is the proxy's namespace — for the root namespace's
    /// Sidecar, which `doGetSidecarScope` converts for each proxy namespace, that is the proxy's,
    /// not the root's; `*` stays `*`; `~` and hosts without `/` import nothing.
    fn egress_hosts_for<'m>(
        &self,
        model: &'m Model,
        sidecar: SidecarIdx,
        proxy_ns: &'m str,
    ) -> Vec<(&'m str, &'m str)> {
        model.sidecars[sidecar]
            .spec
            .egress
            .iter()
            .flat_map(|e| &e.hosts)
            .filter_map(|h| {
                let (ns, dns) = h.value.split_once('/')?;
                match ns {
                    "~" => None,
                    "." => Some((proxy_ns, dns)),
                    _ => Some((ns, dns)),
                }
            })
            .collect()
    }

    /// Whether the Sidecar, applied to a proxy in `proxy_ns`, imports `service`
    /// (`selectServices`): an egress host `ns/dnsName` whose namespace is the service's (or
    /// `*`) and whose name matches its host. A Sidecar without egress imports everything.
    pub fn sidecar_imports_for(
        &self,
        model: &Model,
        sidecar: SidecarIdx,
        proxy_ns: &str,
        service: ServiceId,
    ) -> bool {
        if model.sidecars[sidecar].spec.egress.is_empty() {
            return true;
        }
        let svc = self.service(service);
        self.egress_hosts_for(model, sidecar, proxy_ns)
            .into_iter()
            .any(|(ns, dns)| {
                (ns == "*" || svc.namespace == ns)
                    && egress_name_matches(dns, &svc.namespace, &svc.host)
            })
    }

    /// Whether the Sidecar, applied to a proxy in `proxy_ns`, imports VirtualService `vs`
    /// (`virtualservice.go` `SelectVirtualServices`): the egress hosts are looked up under the
    /// **VirtualService's** namespace and `*` — not under the namespace of the services its hosts
    /// name — and one matching host imports the whole VirtualService. A Sidecar without egress
    /// imports everything. The destinations of an imported VirtualService are in the scope too
    /// (`collectImportedServices`, since Istio 1.5).
    pub fn sidecar_imports_vs(
        &self,
        model: &Model,
        sidecar: SidecarIdx,
        proxy_ns: &str,
        vs: VsIdx,
    ) -> bool {
        if model.sidecars[sidecar].spec.egress.is_empty() {
            return true;
        }
        let vs_ns = model.virtual_services[vs].meta.namespace.as_str();
        let egress = self.egress_hosts_for(model, sidecar, proxy_ns);
        self.virtual_services[vs].hosts.iter().any(|h| {
            egress
                .iter()
                .any(|&(ns, dns)| (ns == "*" || ns == vs_ns) && egress_name_matches(dns, vs_ns, h))
        })
    }
}

/// An egress `dnsName` against a resolved host: `*` matches any, otherwise wildcard overlap
/// (`host.Name.Matches`), with a short name read in namespace `ns` (the host's).
fn egress_name_matches(dns: &str, ns: &str, resolved: &str) -> bool {
    let dns = dns.to_ascii_lowercase();
    dns == "*" || host::matches(&dns, resolved) || host::matches(&host::resolve(&dns, ns), resolved)
}

/// Workloads in every posting list (each sorted, as ids are pushed in increasing order).
fn intersect(mut postings: Vec<&Vec<WorkloadId>>) -> Vec<WorkloadId> {
    postings.sort_by_key(|p| p.len());
    let Some((first, rest)) = postings.split_first() else {
        return Vec::new();
    };
    first
        .iter()
        .copied()
        .filter(|id| rest.iter().all(|p| p.binary_search(id).is_ok()))
        .collect()
}

/// Resolves a `gateways:` entry of a VirtualService in `vs_ns` (`resolveGatewayName`):
/// `mesh`, `ns/name`, `name` (the VirtualService's namespace) or `name.ns.svc.cluster.local`.
pub fn resolve_gateway_name(name: &str, vs_ns: &str) -> GatewayRef {
    if name == "mesh" {
        return GatewayRef::Mesh;
    }
    if let Some((ns, n)) = name.split_once('/') {
        let ns = if ns == "." { vs_ns } else { ns };
        return GatewayRef::Named {
            namespace: ns.to_string(),
            name: n.to_string(),
        };
    }
    if let Some((n, rest)) = name.split_once('.') {
        // `name.namespace[.svc.cluster.local]`
        let ns = rest.split('.').next().unwrap_or(vs_ns);
        return GatewayRef::Named {
            namespace: ns.to_string(),
            name: n.to_string(),
        };
    }
    GatewayRef::Named {
        namespace: vs_ns.to_string(),
        name: name.to_string(),
    }
}

/// A Gateway server host: `ns/host`, `./host`, `*/host` or a bare host (any namespace).
pub fn parse_server_host(written: &Spanned<String>, gateway_ns: &str) -> ServerHost {
    let (namespace, h) = match written.value.split_once('/') {
        Some(("*", h)) => (None, h),
        Some((".", h)) => (Some(gateway_ns.to_string()), h),
        Some((ns, h)) => (Some(ns.to_string()), h),
        None => (None, written.value.as_str()),
    };
    ServerHost {
        namespace,
        host: h.to_ascii_lowercase(),
        loc: written.loc,
    }
}

/// Convenience accessors used by passes.
impl Mesh {
    pub fn vs<'m>(&self, model: &'m Model, i: VsIdx) -> &'m Res<VirtualService> {
        &model.virtual_services[i]
    }
    pub fn dr<'m>(&self, model: &'m Model, i: DrIdx) -> &'m Res<DestinationRule> {
        &model.destination_rules[i]
    }
    pub fn gw<'m>(&self, model: &'m Model, i: GwIdx) -> &'m Res<Gateway> {
        &model.gateways[i]
    }
}
