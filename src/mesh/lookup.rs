//! Lookups the routing passes share, on top of the index in `mod.rs`: which namespaces a
//! VirtualService is used from, what a destination host resolves to for them, and name lists for
//! "did you mean". Every function is a handful of hash lookups, or linear in one list of the index
//! (the name lists, meant for the failure path only).

use super::{GatewayRef, Mesh, ServiceId, SubsetRef, VsIdx, host};
use crate::model::Model;

/// What a destination host resolves to, seen from the namespaces that use a VirtualService.
#[derive(Debug, Clone, PartialEq)]
pub struct HostLookup {
    /// The host resolved against the VirtualService's namespace (`host::resolve`).
    pub host: String,
    /// Services for the host visible from at least one of those namespaces.
    pub visible: Vec<ServiceId>,
    /// Services for the host that exist but are exported to none of those namespaces.
    pub hidden: Vec<ServiceId>,
}

impl HostLookup {
    pub fn is_known(&self) -> bool {
        !self.visible.is_empty()
    }

    /// A hidden service written for exactly this host (not a wildcard ServiceEntry that merely
    /// covers it): the host exists, it is just not exported to the namespaces asking.
    pub fn hidden_exact(&self, mesh: &Mesh) -> Option<ServiceId> {
        self.hidden
            .iter()
            .copied()
            .find(|&id| !host::is_wildcard(&mesh.service(id).host))
    }

    /// A wildcard ServiceEntry that covers the host while no visible service is written for
    /// the host itself (`storage.googleapis.com` under `*.googleapis.com`). As a route
    /// destination such a host has no cluster: Istio names the route's cluster after the
    /// destination host as written (`route.go` `GetDestinationCluster`, also for TCP and TLS in
    /// `networkfilter.go`) and looks the service up by exact name only, while clusters exist per
    /// service host (`outbound|443||*.googleapis.com`); istio/istio#49482.
    pub fn wildcard_only(&self, mesh: &Mesh) -> Option<ServiceId> {
        if self
            .visible
            .iter()
            .any(|&id| mesh.service(id).host == self.host)
        {
            return None;
        }
        self.visible.first().copied()
    }

    /// Neither visible nor defined elsewhere under this exact name.
    pub fn is_unknown(&self, mesh: &Mesh) -> bool {
        self.visible.is_empty() && self.hidden_exact(mesh).is_none()
    }
}

impl Mesh {
    /// The namespaces whose proxies use a VirtualService, for "does this reference exist" checks,
    /// the way istioctl's analyzers scope them (`util.GetDestinationHost`): an explicit `exportTo`
    /// list (`.` = own namespace) names them; `*`, no `exportTo`, or `~` mean the VirtualService's
    /// own namespace.
    pub fn vs_scope_namespaces(&self, model: &Model, vs: VsIdx) -> Vec<String> {
        let own = model.virtual_services[vs].meta.namespace.clone();
        match &self.virtual_services[vs].export_to {
            super::ExportTo::Namespaces(list) if !list.is_empty() => list.clone(),
            _ => vec![own],
        }
    }

    /// The namespaces of the proxies that apply a VirtualService's routes, i.e. the client
    /// namespace of the DestinationRule lookup path: the VirtualService's namespace when it binds
    /// the `mesh` gateway; for a bound Istio Gateway, the namespaces of the workloads its selector
    /// picks (else the Gateway's namespace); for a Gateway API Gateway, its namespace. Gateways
    /// that do not exist contribute nothing. In binding order, without duplicates.
    pub fn vs_client_namespaces(&self, model: &Model, vs: VsIdx) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut push = |ns: &str| {
            if !out.iter().any(|o| o == ns) {
                out.push(ns.to_string());
            }
        };
        for (reference, _) in &self.virtual_services[vs].gateways {
            match reference {
                GatewayRef::Mesh => push(&model.virtual_services[vs].meta.namespace),
                GatewayRef::Named { namespace, .. } => {
                    if let Some(gw) = self.gateway(reference) {
                        let workloads = &self.gateway_workloads[gw];
                        if workloads.is_empty() {
                            push(namespace);
                        }
                        for &w in workloads {
                            push(&self.workload(w).namespace);
                        }
                    } else if self.k8s_gateway(reference).is_some() {
                        push(namespace);
                    }
                }
            }
        }
        out
    }

    /// The one port every proxy listener of a VirtualService is on, when there is only one: the
    /// VirtualService binds only the `mesh` gateway and the services its hosts name (visible from
    /// its namespace) expose exactly one port number together. Sidecars build one route table per
    /// listener port and drop matches for other ports (`route.go` `TranslateRoute`), so there a
    /// `port` condition equal to that port always holds: a route gated only by it is a catch-all.
    pub fn vs_single_port(&self, model: &Model, vs: VsIdx) -> Option<u32> {
        let info = &self.virtual_services[vs];
        if info.is_delegate || info.gateways.iter().any(|(g, _)| *g != GatewayRef::Mesh) {
            return None;
        }
        let ns = model.virtual_services[vs].meta.namespace.as_str();
        let mut port: Option<u32> = None;
        for h in &info.hosts {
            let services = self.visible_services(h, ns);
            if services.is_empty() {
                return None;
            }
            for id in services {
                for p in &self.service(id).ports {
                    match port {
                        None => port = Some(p.number),
                        Some(q) if q != p.number => return None,
                        Some(_) => {}
                    }
                }
            }
        }
        port
    }

    /// Resolves a destination host written in a resource of `config_ns` and splits its services
    /// by visibility from `scopes` (see `vs_scope_namespaces`). Wildcard ServiceEntries that cover
    /// the host count (`services_for_host`).
    pub fn lookup_host(&self, written: &str, config_ns: &str, scopes: &[String]) -> HostLookup {
        let host = host::resolve(written, config_ns);
        let (mut visible, mut hidden) = (Vec::new(), Vec::new());
        for id in self.services_for_host(&host) {
            let s = self.service(id);
            if scopes
                .iter()
                .any(|ns| s.namespace == *ns || s.export_to.visible_to(ns))
            {
                visible.push(id);
            } else {
                hidden.push(id);
            }
        }
        HostLookup {
            host,
            visible,
            hidden,
        }
    }

    /// The services declared in a namespace, in input order.
    pub fn services_in(&self, namespace: &str) -> &[ServiceId] {
        self.services_by_ns
            .get(namespace)
            .map_or(&[], Vec::as_slice)
    }

    /// Names of the VirtualServices of a namespace, sorted (for "did you mean").
    pub fn virtual_service_names_in(&self, namespace: &str) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .vs_by_name
            .keys()
            .filter(|k| k.part(0) == namespace)
            .map(|k| k.part(1))
            .collect();
        names.sort_unstable();
        names
    }

    /// `ns/name` of every Gateway API Gateway, sorted (VirtualServices may bind to them too).
    pub fn k8s_gateway_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .k8s_gateways_by_name
            .keys()
            .map(|k| format!("{}/{}", k.part(0), k.part(1)))
            .collect();
        names.sort();
        names
    }

    /// Every definition of subset `name` for `service_host` (a concrete resolved host), in any
    /// namespace and whatever its visibility: DRs written for the host itself or for a wildcard
    /// that covers it. For explaining why a client cannot see a subset.
    pub fn subset_definitions(
        &self,
        model: &Model,
        service_host: &str,
        name: &str,
    ) -> Vec<SubsetRef> {
        let candidates = std::iter::once(service_host.to_string()).chain(
            if host::is_wildcard(service_host) {
                None
            } else {
                Some(host::wildcard_parents(service_host))
            }
            .into_iter()
            .flatten(),
        );
        let mut out = Vec::new();
        for candidate in candidates {
            for &dr in self.destination_rules_for_host(&candidate) {
                for (index, subset) in model.destination_rules[dr].spec.subsets.iter().enumerate() {
                    if subset.name.as_ref().is_some_and(|n| n.value == name) {
                        out.push(SubsetRef { dr, index });
                    }
                }
            }
        }
        out
    }

    /// The namespace whose DestinationRules come second on the lookup path for `host`: the
    /// namespace of its service (the first of `services`), else the namespace a Kubernetes FQDN
    /// names, else `fallback`.
    pub fn service_namespace_of<'a>(
        &'a self,
        host: &'a str,
        services: &[ServiceId],
        fallback: &'a str,
    ) -> &'a str {
        services
            .first()
            .map(|&id| self.service(id).namespace.as_str())
            .or_else(|| host::service_namespace(host))
            .unwrap_or(fallback)
    }
}

impl super::ServiceInfo {
    /// `Service` or `ServiceEntry`.
    pub fn kind(&self) -> &'static str {
        match self.source {
            super::ServiceSource::Kubernetes(_) => "Service",
            super::ServiceSource::ServiceEntry(..) => "ServiceEntry",
        }
    }

    /// `Service default/reviews`, `ServiceEntry shop/external-api`.
    pub fn describe(&self) -> String {
        format!("{} {}/{}", self.kind(), self.namespace, self.name)
    }

    /// The port numbers, sorted and without duplicates.
    pub fn port_numbers(&self) -> Vec<u32> {
        let mut ports: Vec<u32> = self.ports.iter().map(|p| p.number).collect();
        ports.sort_unstable();
        ports.dedup();
        ports
    }
}
