//! `model`: documents become typed resources. Every typed field keeps its location, and any other
//! field stays reachable through the document arena (`Res::node`).

pub mod k8s;
pub mod kinds;
pub mod mesh_config;
pub mod networking;
pub mod node;
pub mod other;
pub mod schema;
pub mod security;

use rayon::prelude::*;

use crate::diag::{Diagnostic, ResourceRef};
use crate::load::Loaded;
use crate::load::yaml::{Document, NodeId, PathSeg};
use crate::source::{Loc, SourceDb};
pub use kinds::{KindId, KindInfo};
pub use mesh_config::MeshConfig;
pub use node::{FromNode, Map, Raw, Spanned};

type S = Spanned<String>;

/// Metadata every resource has.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Meta {
    pub kind: KindId,
    pub api_version: S,
    /// The name (empty when missing; `missing-field` reports it).
    pub name: S,
    /// The effective namespace: as written, else the run's default (`-n`); empty for
    /// cluster-scoped kinds.
    pub namespace: String,
    /// Where `metadata.namespace` is written, if it is.
    pub namespace_loc: Option<Loc>,
    pub labels: Map<S>,
    pub annotations: Map<S>,
    pub creation_timestamp: Option<S>,
}

/// Where a resource comes from: its document and the node of the object in it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Origin {
    /// Index into `Model::documents`.
    pub doc: u32,
    /// The object's mapping (for `kind: List` items, the item).
    pub node: NodeId,
    /// Where the object starts.
    pub at: Loc,
}

/// A typed resource: metadata, the typed body and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Res<T> {
    pub meta: Meta,
    pub spec: T,
    pub origin: Origin,
}

impl<T> Res<T> {
    pub fn name(&self) -> &str {
        &self.meta.name.value
    }
    pub fn namespace(&self) -> &str {
        &self.meta.namespace
    }
    pub fn kind(&self) -> &'static str {
        self.meta.kind.info().kind
    }
    pub fn resource_ref(&self) -> ResourceRef {
        resource_ref(&self.meta)
    }
    /// The location to report when nothing more precise exists: the name, else the object.
    pub fn loc(&self) -> Loc {
        if self.meta.name.value.is_empty() {
            self.origin.at
        } else {
            self.meta.name.loc
        }
    }
}

pub fn resource_ref(meta: &Meta) -> ResourceRef {
    ResourceRef {
        kind: meta.kind.info().kind.to_string(),
        name: meta.name.value.clone(),
        namespace: (!meta.namespace.is_empty()).then(|| meta.namespace.clone()),
    }
}

/// The typed model of one run.
#[derive(Debug, Default)]
pub struct Model {
    pub sources: SourceDb,
    pub documents: Vec<Document>,

    pub namespaces: Vec<Res<k8s::Namespace>>,
    pub services: Vec<Res<k8s::Service>>,
    pub service_accounts: Vec<Res<k8s::ServiceAccount>>,
    /// Pods and everything with a pod template.
    pub workloads: Vec<Res<k8s::Workload>>,
    pub config_maps: Vec<Res<k8s::ConfigMap>>,
    pub secrets: Vec<Res<k8s::Secret>>,

    pub gateways: Vec<Res<networking::Gateway>>,
    pub virtual_services: Vec<Res<networking::VirtualService>>,
    pub destination_rules: Vec<Res<networking::DestinationRule>>,
    pub service_entries: Vec<Res<networking::ServiceEntry>>,
    pub sidecars: Vec<Res<networking::Sidecar>>,
    pub workload_entries: Vec<Res<networking::WorkloadEntry>>,
    pub workload_groups: Vec<Res<networking::WorkloadGroup>>,
    pub envoy_filters: Vec<Res<networking::EnvoyFilter>>,
    pub proxy_configs: Vec<Res<networking::ProxyConfig>>,

    pub peer_authentications: Vec<Res<security::PeerAuthentication>>,
    pub request_authentications: Vec<Res<security::RequestAuthentication>>,
    pub authorization_policies: Vec<Res<security::AuthorizationPolicy>>,

    pub telemetries: Vec<Res<other::Telemetry>>,
    pub wasm_plugins: Vec<Res<other::WasmPlugin>>,

    pub k8s_gateways: Vec<Res<other::K8sGateway>>,
    pub http_routes: Vec<Res<other::HttpRoute>>,
    pub grpc_routes: Vec<Res<other::GrpcRoute>>,
    pub reference_grants: Vec<Res<other::ReferenceGrant>>,

    /// Removed kinds (Mixer, rbac.istio.io, authentication.istio.io), kept so rules can name them.
    pub legacy: Vec<Res<()>>,
    /// Kinds meshlint does not model (other CRDs): counted, never reported.
    pub opaque: Vec<Res<()>>,

    pub mesh_config: MeshConfig,
    pub stats: Stats,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    pub files: usize,
    /// Every object with `apiVersion` and `kind`, modelled or not.
    pub resources: usize,
    /// Documents without `apiVersion`/`kind` (values files, CI configs).
    pub skipped_documents: usize,
}

/// Options of the model phase.
#[derive(Debug)]
pub struct ModelOptions {
    /// Namespace of resources that have none.
    pub default_namespace: String,
    /// `--mesh-config`: a loaded file whose documents hold the MeshConfig.
    pub mesh_config: Option<Loaded>,
}

impl Default for ModelOptions {
    fn default() -> Self {
        ModelOptions {
            default_namespace: "default".into(),
            mesh_config: None,
        }
    }
}

/// One object read from a document, before it is sorted into the model.
enum Object {
    Namespace(Res<k8s::Namespace>),
    Service(Res<k8s::Service>),
    ServiceAccount(Res<k8s::ServiceAccount>),
    Workload(Res<k8s::Workload>),
    ConfigMap(Res<k8s::ConfigMap>),
    Secret(Res<k8s::Secret>),
    Gateway(Res<networking::Gateway>),
    VirtualService(Res<networking::VirtualService>),
    DestinationRule(Res<networking::DestinationRule>),
    ServiceEntry(Res<networking::ServiceEntry>),
    Sidecar(Res<networking::Sidecar>),
    WorkloadEntry(Res<networking::WorkloadEntry>),
    WorkloadGroup(Res<networking::WorkloadGroup>),
    EnvoyFilter(Res<networking::EnvoyFilter>),
    ProxyConfig(Res<networking::ProxyConfig>),
    PeerAuthentication(Res<security::PeerAuthentication>),
    RequestAuthentication(Res<security::RequestAuthentication>),
    AuthorizationPolicy(Res<security::AuthorizationPolicy>),
    Telemetry(Res<other::Telemetry>),
    WasmPlugin(Res<other::WasmPlugin>),
    K8sGateway(Res<other::K8sGateway>),
    HttpRoute(Res<other::HttpRoute>),
    GrpcRoute(Res<other::GrpcRoute>),
    ReferenceGrant(Res<other::ReferenceGrant>),
    Legacy(Res<()>),
    Opaque(Res<()>),
}

#[derive(Default)]
struct DocResult {
    objects: Vec<Object>,
    diagnostics: Vec<Diagnostic>,
    skipped: usize,
}

impl Model {
    /// Builds the typed model from loaded documents; schema diagnostics go to `diagnostics`.
    pub fn build(
        loaded: Loaded,
        options: &ModelOptions,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Model {
        let Loaded {
            sources,
            documents,
            diagnostics: load_diagnostics,
        } = loaded;
        diagnostics.extend(load_diagnostics);
        let results: Vec<DocResult> = documents
            .par_iter()
            .enumerate()
            .map(|(i, doc)| read_document(i as u32, doc, &options.default_namespace))
            .collect();
        let mut model = Model {
            stats: Stats {
                files: sources.len(),
                ..Stats::default()
            },
            ..Model::default()
        };
        for result in results {
            model.stats.skipped_documents += result.skipped;
            diagnostics.extend(result.diagnostics);
            for object in result.objects {
                model.stats.resources += 1;
                model.push(object);
            }
        }
        model.sources = sources;
        model.documents = documents;
        model.mesh_config = mesh_config::resolve(&mut model, options, diagnostics);
        model
    }

    fn push(&mut self, object: Object) {
        match object {
            Object::Namespace(r) => self.namespaces.push(r),
            Object::Service(r) => self.services.push(r),
            Object::ServiceAccount(r) => self.service_accounts.push(r),
            Object::Workload(r) => self.workloads.push(r),
            Object::ConfigMap(r) => self.config_maps.push(r),
            Object::Secret(r) => self.secrets.push(r),
            Object::Gateway(r) => self.gateways.push(r),
            Object::VirtualService(r) => self.virtual_services.push(r),
            Object::DestinationRule(r) => self.destination_rules.push(r),
            Object::ServiceEntry(r) => self.service_entries.push(r),
            Object::Sidecar(r) => self.sidecars.push(r),
            Object::WorkloadEntry(r) => self.workload_entries.push(r),
            Object::WorkloadGroup(r) => self.workload_groups.push(r),
            Object::EnvoyFilter(r) => self.envoy_filters.push(r),
            Object::ProxyConfig(r) => self.proxy_configs.push(r),
            Object::PeerAuthentication(r) => self.peer_authentications.push(r),
            Object::RequestAuthentication(r) => self.request_authentications.push(r),
            Object::AuthorizationPolicy(r) => self.authorization_policies.push(r),
            Object::Telemetry(r) => self.telemetries.push(r),
            Object::WasmPlugin(r) => self.wasm_plugins.push(r),
            Object::K8sGateway(r) => self.k8s_gateways.push(r),
            Object::HttpRoute(r) => self.http_routes.push(r),
            Object::GrpcRoute(r) => self.grpc_routes.push(r),
            Object::ReferenceGrant(r) => self.reference_grants.push(r),
            Object::Legacy(r) => self.legacy.push(r),
            Object::Opaque(r) => self.opaque.push(r),
        }
    }

    pub fn document<T>(&self, res: &Res<T>) -> &Document {
        &self.documents[res.origin.doc as usize]
    }

    /// Any field of a resource, by path from the object root, with its location.
    pub fn field<T>(&self, res: &Res<T>, path: &[PathSeg<'_>]) -> Option<(NodeId, Loc)> {
        let doc = self.document(res);
        let id = doc.path(res.origin.node, path)?;
        Some((id, Loc::new(doc.file, doc.span(id))))
    }
}

fn read_document(index: u32, doc: &Document, default_namespace: &str) -> DocResult {
    let mut out = DocResult::default();
    let Some(root) = doc.root else { return out };
    if !doc.is_map(root) {
        out.skipped += 1;
        return out;
    }
    let (api_version, kind) = (doc.get_str(root, "apiVersion"), doc.get_str(root, "kind"));
    let (Some(api_version), Some(kind)) = (api_version, kind) else {
        out.skipped += 1;
        return out;
    };
    if kind == "List" || kind.ends_with("List") && api_version == "v1" {
        if let Some(items) = doc.get(root, "items") {
            for &item in doc.items(items) {
                if doc.get_str(item, "apiVersion").is_some() && doc.get_str(item, "kind").is_some()
                {
                    read_object(index, doc, item, default_namespace, &mut out);
                } else {
                    out.skipped += 1;
                }
            }
        }
        return out;
    }
    read_object(index, doc, root, default_namespace, &mut out);
    out
}

fn read_object(
    index: u32,
    doc: &Document,
    root: NodeId,
    default_namespace: &str,
    out: &mut DocResult,
) {
    let at = Loc::new(doc.file, doc.span(root));
    let api_version_node = doc.get_entry(root, "apiVersion");
    let kind_node = doc.get_entry(root, "kind");
    let (Some((avk, avv)), Some((_, kv))) = (api_version_node, kind_node) else {
        return;
    };
    let api_version = doc.str(avv).unwrap_or("");
    let kind = doc.str(kv).unwrap_or("");
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));

    let resolved = kinds::resolve(group, version, kind);
    let kind_id = match resolved {
        kinds::Resolved::Known(id) => id,
        kinds::Resolved::Legacy(id) => id,
        kinds::Resolved::Unknown => KindId::OPAQUE,
        kinds::Resolved::UnservedVersion(id) => id,
    };
    let meta = read_meta(doc, root, kind_id, default_namespace, (avk, avv));
    let origin = Origin {
        doc: index,
        node: root,
        at,
    };

    // Schema checks cover every field, typed or not.
    kinds::check_version(&resolved, doc, root, &meta, &mut out.diagnostics);
    if let kinds::Resolved::Known(id) = resolved {
        schema::validate(doc, root, id, version, &meta, &mut out.diagnostics);
    }

    let spec = doc.get(root, "spec");
    macro_rules! spec {
        ($ty:ty) => {
            spec.and_then(|s| <$ty>::from_node(doc, s, None))
                .unwrap_or_default()
        };
    }
    macro_rules! object {
        ($ty:ty) => {
            <$ty>::from_node(doc, root, None).unwrap_or_default()
        };
    }
    let object = match kind_id.info().kind {
        _ if kind_id == KindId::OPAQUE => Object::Opaque(Res {
            meta,
            spec: (),
            origin,
        }),
        _ if kind_id.info().legacy.is_some() => Object::Legacy(Res {
            meta,
            spec: (),
            origin,
        }),
        "Namespace" => Object::Namespace(Res {
            meta,
            spec: object!(k8s::Namespace),
            origin,
        }),
        "Service" => Object::Service(Res {
            meta,
            spec: object!(k8s::Service),
            origin,
        }),
        "ServiceAccount" => Object::ServiceAccount(Res {
            meta,
            spec: object!(k8s::ServiceAccount),
            origin,
        }),
        "Pod" | "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" | "CronJob" => {
            let spec = k8s::Workload::from_object(doc, root, kind_id.info().kind);
            Object::Workload(Res { meta, spec, origin })
        }
        "ConfigMap" => Object::ConfigMap(Res {
            meta,
            spec: object!(k8s::ConfigMap),
            origin,
        }),
        "Secret" => Object::Secret(Res {
            meta,
            spec: object!(k8s::Secret),
            origin,
        }),
        "Gateway" if kind_id.info().group == "networking.istio.io" => Object::Gateway(Res {
            meta,
            spec: spec!(networking::Gateway),
            origin,
        }),
        "Gateway" => Object::K8sGateway(Res {
            meta,
            spec: spec!(other::K8sGateway),
            origin,
        }),
        "VirtualService" => Object::VirtualService(Res {
            meta,
            spec: spec!(networking::VirtualService),
            origin,
        }),
        "DestinationRule" => Object::DestinationRule(Res {
            meta,
            spec: spec!(networking::DestinationRule),
            origin,
        }),
        "ServiceEntry" => Object::ServiceEntry(Res {
            meta,
            spec: spec!(networking::ServiceEntry),
            origin,
        }),
        "Sidecar" => Object::Sidecar(Res {
            meta,
            spec: spec!(networking::Sidecar),
            origin,
        }),
        "WorkloadEntry" => Object::WorkloadEntry(Res {
            meta,
            spec: spec!(networking::WorkloadEntry),
            origin,
        }),
        "WorkloadGroup" => Object::WorkloadGroup(Res {
            meta,
            spec: spec!(networking::WorkloadGroup),
            origin,
        }),
        "EnvoyFilter" => Object::EnvoyFilter(Res {
            meta,
            spec: spec!(networking::EnvoyFilter),
            origin,
        }),
        "ProxyConfig" => Object::ProxyConfig(Res {
            meta,
            spec: spec!(networking::ProxyConfig),
            origin,
        }),
        "PeerAuthentication" => Object::PeerAuthentication(Res {
            meta,
            spec: spec!(security::PeerAuthentication),
            origin,
        }),
        "RequestAuthentication" => Object::RequestAuthentication(Res {
            meta,
            spec: spec!(security::RequestAuthentication),
            origin,
        }),
        "AuthorizationPolicy" => Object::AuthorizationPolicy(Res {
            meta,
            spec: spec!(security::AuthorizationPolicy),
            origin,
        }),
        "Telemetry" => Object::Telemetry(Res {
            meta,
            spec: spec!(other::Telemetry),
            origin,
        }),
        "WasmPlugin" => Object::WasmPlugin(Res {
            meta,
            spec: spec!(other::WasmPlugin),
            origin,
        }),
        "HTTPRoute" => Object::HttpRoute(Res {
            meta,
            spec: spec!(other::HttpRoute),
            origin,
        }),
        "GRPCRoute" => Object::GrpcRoute(Res {
            meta,
            spec: spec!(other::GrpcRoute),
            origin,
        }),
        "ReferenceGrant" => Object::ReferenceGrant(Res {
            meta,
            spec: spec!(other::ReferenceGrant),
            origin,
        }),
        _ => Object::Opaque(Res {
            meta,
            spec: (),
            origin,
        }),
    };
    out.objects.push(object);
}

fn read_meta(
    doc: &Document,
    root: NodeId,
    kind: KindId,
    default_namespace: &str,
    (avk, avv): (NodeId, NodeId),
) -> Meta {
    let metadata = doc.get(root, "metadata");
    let field = |key: &str| {
        metadata
            .and_then(|m| doc.get_entry(m, key))
            .and_then(|(k, v)| S::from_node(doc, v, Some(k)))
    };
    let map = |key: &str| {
        metadata
            .and_then(|m| doc.get_entry(m, key))
            .and_then(|(k, v)| Map::<S>::from_node(doc, v, Some(k)))
            .unwrap_or_default()
    };
    let namespace = field("namespace");
    let namespaced = kind.info().namespaced;
    Meta {
        kind,
        api_version: S::from_node(doc, avv, Some(avk)).unwrap_or_default(),
        name: field("name").unwrap_or_else(|| {
            let at = metadata.map_or(Loc::new(doc.file, doc.span(root)), |m| {
                Loc::new(doc.file, doc.span(m))
            });
            S {
                value: String::new(),
                loc: at,
                key: at,
            }
        }),
        namespace: match (&namespace, namespaced) {
            (_, false) => String::new(),
            (Some(ns), true) => ns.value.clone(),
            (None, true) => default_namespace.to_string(),
        },
        namespace_loc: namespace.as_ref().map(|n| n.loc),
        labels: map("labels"),
        annotations: map("annotations"),
        creation_timestamp: field("creationTimestamp"),
    }
}
