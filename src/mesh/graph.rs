//! The traffic graph: Gateway → VirtualService → route → destination → DestinationRule subset →
//! Service/ServiceEntry → workloads, on petgraph. Broken references become edges to `Missing`
//! nodes labelled with the rule that reports them, so people see where traffic falls off.

use std::collections::HashMap;

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use serde::Serialize;

use crate::mesh::routes::{self, RouteKind};
use crate::mesh::{GatewayRef, Mesh, ServiceId, WorkloadId, host};
use crate::model::Model;
use crate::model::networking::Destination;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Node {
    Mesh,
    Gateway {
        namespace: String,
        name: String,
    },
    VirtualService {
        namespace: String,
        name: String,
    },
    Route {
        namespace: String,
        vs: String,
        kind: &'static str,
        index: usize,
        name: Option<String>,
    },
    Service {
        namespace: String,
        host: String,
        kind: &'static str,
    },
    Subset {
        namespace: String,
        host: String,
        subset: String,
        destination_rule: String,
    },
    Workload {
        namespace: String,
        name: String,
    },
    /// A reference that resolves to nothing.
    Missing {
        what: String,
    },
}

impl Node {
    /// The namespace the node is drawn in (clusters), if any.
    pub fn namespace(&self) -> Option<&str> {
        match self {
            Node::Mesh | Node::Missing { .. } => None,
            Node::Gateway { namespace, .. }
            | Node::VirtualService { namespace, .. }
            | Node::Route { namespace, .. }
            | Node::Service { namespace, .. }
            | Node::Subset { namespace, .. }
            | Node::Workload { namespace, .. } => Some(namespace),
        }
    }

    pub fn label(&self) -> String {
        match self {
            Node::Mesh => "mesh (all sidecars)".into(),
            Node::Gateway { name, .. } => format!("Gateway {name}"),
            Node::VirtualService { name, .. } => format!("VirtualService {name}"),
            Node::Route {
                kind, index, name, ..
            } => match name {
                Some(n) => format!("{kind}[{index}] {n}"),
                None => format!("{kind}[{index}]"),
            },
            Node::Service { host, kind, .. } => format!("{kind} {}", host::short(host)),
            Node::Subset {
                subset,
                destination_rule,
                ..
            } => format!("subset {subset} ({destination_rule})"),
            Node::Workload { name, .. } => name.clone(),
            Node::Missing { what } => format!("missing: {what}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Edge {
    pub label: String,
    /// The rule that reports this edge as broken, if it is.
    pub broken: Option<&'static str>,
}

impl Edge {
    fn ok(label: impl Into<String>) -> Edge {
        Edge {
            label: label.into(),
            broken: None,
        }
    }
    fn broken(label: impl Into<String>, rule: &'static str) -> Edge {
        Edge {
            label: label.into(),
            broken: Some(rule),
        }
    }
}

#[derive(Debug, Default)]
pub struct TrafficGraph {
    pub graph: DiGraph<Node, Edge>,
    index: HashMap<Node, NodeIndex>,
}

impl TrafficGraph {
    fn node(&mut self, node: Node) -> NodeIndex {
        if let Some(&i) = self.index.get(&node) {
            return i;
        }
        let i = self.graph.add_node(node.clone());
        self.index.insert(node, i);
        i
    }

    fn edge(&mut self, from: NodeIndex, to: NodeIndex, edge: Edge) {
        if !self
            .graph
            .edges_connecting(from, to)
            .any(|e| *e.weight() == edge)
        {
            self.graph.add_edge(from, to, edge);
        }
    }

    pub fn build(model: &Model, mesh: &Mesh) -> TrafficGraph {
        let mut g = TrafficGraph::default();
        // Every Gateway of the inputs is drawn, bound or not: beside a VirtualService's broken
        // gateway reference, the real Gateway shows what it should have named.
        for gw in &model.gateways {
            g.node(Node::Gateway {
                namespace: gw.namespace().to_string(),
                name: gw.name().to_string(),
            });
        }
        for (vi, vs) in model.virtual_services.iter().enumerate() {
            let info = &mesh.virtual_services[vi];
            let ns = vs.namespace().to_string();
            let vs_node = g.node(Node::VirtualService {
                namespace: ns.clone(),
                name: vs.name().to_string(),
            });
            for (gw, _) in &info.gateways {
                let hosts = info
                    .hosts
                    .iter()
                    .map(|h| host::short(h))
                    .collect::<Vec<_>>()
                    .join(", ");
                match gw {
                    GatewayRef::Mesh => {
                        let m = g.node(Node::Mesh);
                        g.edge(m, vs_node, Edge::ok(hosts));
                    }
                    GatewayRef::Named { namespace, name } => {
                        let exists = mesh.gateway(gw).is_some() || mesh.k8s_gateway(gw).is_some();
                        // A Gateway node only for a Gateway that exists: a name that resolves
                        // to nothing is drawn as the missing node alone.
                        if exists {
                            let gw_node = g.node(Node::Gateway {
                                namespace: namespace.clone(),
                                name: name.clone(),
                            });
                            g.edge(gw_node, vs_node, Edge::ok(hosts));
                        } else {
                            let missing = g.node(Node::Missing {
                                what: format!("Gateway {namespace}/{name}"),
                            });
                            g.edge(missing, vs_node, Edge::broken(hosts, "unknown-gateway"));
                        }
                    }
                }
            }
            // Route nodes for every rule (a redirect has no destination but is a route), then
            // the destinations of each rule from the shared walk over routes.
            let rules = vs
                .spec
                .http
                .iter()
                .enumerate()
                .map(|(i, r)| (RouteKind::Http, i, r.name.as_ref().map(|n| n.value.clone())))
                .chain((0..vs.spec.tls.len()).map(|i| (RouteKind::Tls, i, None)))
                .chain((0..vs.spec.tcp.len()).map(|i| (RouteKind::Tcp, i, None)))
                .collect::<Vec<_>>();
            let destinations = routes::destinations(&vs.spec);
            let mut destinations = destinations
                .iter()
                .filter(|d| !d.role.is_mirror())
                .peekable();
            for (kind, index, name) in rules {
                let route = g.node(Node::Route {
                    namespace: ns.clone(),
                    vs: vs.name().to_string(),
                    kind: kind.key(),
                    index,
                    name,
                });
                g.edge(vs_node, route, Edge::ok(""));
                while let Some(d) = destinations.next_if(|d| d.kind == kind && d.rule == index) {
                    let weight = d.weight.map(|w| w.value);
                    g.add_destination(model, mesh, &ns, route, d.destination, weight);
                }
            }
        }
        g
    }

    fn add_destination(
        &mut self,
        model: &Model,
        mesh: &Mesh,
        client_ns: &str,
        route: NodeIndex,
        dest: &Destination,
        weight: Option<i64>,
    ) {
        let Some(written) = &dest.host else { return };
        let fqdn = host::resolve(&written.value, client_ns);
        let label = weight.map(|w| format!("{w}%")).unwrap_or_default();
        let services = mesh.visible_services(&fqdn, client_ns);
        let Some(&service) = services.first() else {
            let missing = self.node(Node::Missing {
                what: format!("host {}", written.value),
            });
            self.edge(route, missing, Edge::broken(label, "unknown-host"));
            return;
        };
        let svc_node = self.service_node(mesh, service);
        // A port the service does not expose: the route points at no cluster.
        if let Some(port) = dest.port.as_ref().and_then(|p| p.number.as_ref()) {
            let exposes = services.iter().any(|&id| {
                let ports = &mesh.service(id).ports;
                ports.is_empty() || ports.iter().any(|p| p.number == port.value)
            });
            if !exposes {
                let label = format!("{label} port {}", port.value).trim().to_string();
                self.edge(route, svc_node, Edge::broken(label, "port-not-found"));
                return;
            }
        }
        match &dest.subset {
            None => self.edge(route, svc_node, Edge::ok(label)),
            Some(subset) => {
                let svc = mesh.service(service);
                let selection = mesh.destination_rule_for(client_ns, &svc.host, &svc.namespace);
                let found = selection.as_ref().and_then(|sel| {
                    mesh.subsets(model, sel)
                        .into_iter()
                        .find(|(n, _)| *n == subset.value)
                        .map(|(_, r)| r)
                });
                match found {
                    Some(r) => {
                        let dr = &model.destination_rules[r.dr];
                        let subset_node = self.node(Node::Subset {
                            namespace: dr.namespace().to_string(),
                            host: svc.host.clone(),
                            subset: subset.value.clone(),
                            destination_rule: dr.name().to_string(),
                        });
                        self.edge(route, subset_node, Edge::ok(label));
                        self.edge(subset_node, svc_node, Edge::ok(""));
                        let labels = dr.spec.subsets[r.index]
                            .labels
                            .iter()
                            .map(|(k, v)| (k.clone(), v.value.clone()))
                            .chain(svc.selector.clone().unwrap_or_default())
                            .collect();
                        for w in mesh.select(&svc.namespace, &labels) {
                            let wn = self.workload_node(mesh, w);
                            self.edge(subset_node, wn, Edge::ok("selects"));
                        }
                    }
                    None => {
                        let missing = self.node(Node::Missing {
                            what: format!("subset {} of {}", subset.value, host::short(&svc.host)),
                        });
                        self.edge(route, missing, Edge::broken(label, "subset-not-found"));
                    }
                }
            }
        }
    }

    fn service_node(&mut self, mesh: &Mesh, id: ServiceId) -> NodeIndex {
        let svc = mesh.service(id);
        let kind = match svc.source {
            crate::mesh::ServiceSource::Kubernetes(_) => "Service",
            crate::mesh::ServiceSource::ServiceEntry(..) => "ServiceEntry",
        };
        let existed = self.index.len();
        let node = self.node(Node::Service {
            namespace: svc.namespace.clone(),
            host: svc.host.clone(),
            kind,
        });
        if self.index.len() > existed {
            for w in mesh.endpoints(id).unwrap_or_default() {
                let wn = self.workload_node(mesh, w);
                self.edge(node, wn, Edge::ok("endpoints"));
            }
        }
        node
    }

    fn workload_node(&mut self, mesh: &Mesh, id: WorkloadId) -> NodeIndex {
        let w = mesh.workload(id);
        self.node(Node::Workload {
            namespace: w.namespace.clone(),
            name: w.name.clone(),
        })
    }

    /// Graphviz DOT: one cluster per namespace, broken edges red and dashed with their rule.
    pub fn to_dot(&self) -> String {
        let mut out = String::from(
            "digraph meshlint {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n",
        );
        let mut by_ns: std::collections::BTreeMap<Option<&str>, Vec<NodeIndex>> =
            Default::default();
        for i in self.graph.node_indices() {
            by_ns.entry(self.graph[i].namespace()).or_default().push(i);
        }
        for (ns, nodes) in &by_ns {
            let indent = if ns.is_some() { "    " } else { "  " };
            if let Some(ns) = ns {
                let ns = escape(ns);
                out.push_str(&format!(
                    "  subgraph \"cluster_{ns}\" {{\n    label=\"namespace {ns}\";\n"
                ));
            }
            for &i in nodes {
                let node = &self.graph[i];
                let style = match node {
                    Node::Missing { .. } => ", color=red, fontcolor=red, style=dashed",
                    Node::Gateway { .. } | Node::Mesh => ", shape=hexagon",
                    Node::Workload { .. } => ", shape=ellipse",
                    _ => "",
                };
                out.push_str(&format!(
                    "{indent}n{} [label=\"{}\"{style}];\n",
                    i.index(),
                    escape(&node.label())
                ));
            }
            if ns.is_some() {
                out.push_str("  }\n");
            }
        }
        for e in self.graph.edge_references() {
            let w = e.weight();
            let (label, style) = match w.broken {
                Some(rule) => (
                    format!("{} ✗ {rule}", w.label).trim().to_string(),
                    ", color=red, fontcolor=red, style=dashed",
                ),
                None => (w.label.clone(), ""),
            };
            out.push_str(&format!(
                "  n{} -> n{} [label=\"{}\"{style}];\n",
                e.source().index(),
                e.target().index(),
                escape(&label)
            ));
        }
        out.push_str("}\n");
        out
    }

    /// Mermaid flowchart: a subgraph per namespace, broken edges dotted and red.
    pub fn to_mermaid(&self) -> String {
        let mut out = String::from("flowchart LR\n");
        let mut by_ns: std::collections::BTreeMap<Option<&str>, Vec<NodeIndex>> =
            Default::default();
        for i in self.graph.node_indices() {
            by_ns.entry(self.graph[i].namespace()).or_default().push(i);
        }
        for (ns, nodes) in &by_ns {
            if let Some(ns) = ns {
                let ns = crate::escape::visible(ns).replace('"', "'");
                out.push_str(&format!(
                    "  subgraph ns_{}[\"namespace {ns}\"]\n",
                    ns.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
                ));
            }
            for &i in nodes {
                let label = crate::escape::visible(&self.graph[i].label()).replace('"', "'");
                let shape = match self.graph[i] {
                    Node::Gateway { .. } | Node::Mesh => format!("{{{{\"{label}\"}}}}"),
                    Node::Workload { .. } => format!("([\"{label}\"])"),
                    _ => format!("[\"{label}\"]"),
                };
                out.push_str(&format!("    n{}{shape}\n", i.index()));
            }
            if ns.is_some() {
                out.push_str("  end\n");
            }
        }
        let mut broken_links = Vec::new();
        for (k, e) in self.graph.edge_references().enumerate() {
            let w = e.weight();
            let (s, t) = (e.source().index(), e.target().index());
            match w.broken {
                Some(rule) => {
                    out.push_str(&format!(
                        "  n{s} -.->|\"{} ✗ {rule}\"| n{t}\n",
                        crate::escape::visible(&w.label).replace('"', "'")
                    ));
                    broken_links.push(k);
                }
                None if w.label.is_empty() => out.push_str(&format!("  n{s} --> n{t}\n")),
                None => out.push_str(&format!(
                    "  n{s} -->|\"{}\"| n{t}\n",
                    crate::escape::visible(&w.label).replace('"', "'")
                )),
            }
        }
        for (i, node) in self.graph.node_indices().map(|i| (i, &self.graph[i])) {
            if matches!(node, Node::Missing { .. }) {
                out.push_str(&format!(
                    "  style n{} stroke:#d00,color:#d00,stroke-dasharray: 5 5\n",
                    i.index()
                ));
            }
        }
        for k in broken_links {
            out.push_str(&format!("  linkStyle {k} stroke:#d00,color:#d00\n"));
        }
        out
    }

    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct J<'a> {
            nodes: Vec<JNode<'a>>,
            edges: Vec<JEdge<'a>>,
        }
        #[derive(Serialize)]
        struct JNode<'a> {
            id: usize,
            label: String,
            #[serde(flatten)]
            node: &'a Node,
        }
        #[derive(Serialize)]
        struct JEdge<'a> {
            from: usize,
            to: usize,
            #[serde(flatten)]
            edge: &'a Edge,
        }
        let j = J {
            nodes: self
                .graph
                .node_indices()
                .map(|i| JNode {
                    id: i.index(),
                    label: self.graph[i].label(),
                    node: &self.graph[i],
                })
                .collect(),
            edges: self
                .graph
                .edge_references()
                .map(|e| JEdge {
                    from: e.source().index(),
                    to: e.target().index(),
                    edge: e.weight(),
                })
                .collect(),
        };
        serde_json::to_string_pretty(&j).unwrap_or_default() + "\n"
    }
}

fn escape(s: &str) -> String {
    crate::escape::visible(s)
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
}
