//! `model`: documents become typed resources. Every typed field keeps its location.
//!
//! Each document is read on the thread that parsed it (`read_document`, handed to
//! `load::load_with`), and its YAML arena is dropped right after: the model keeps typed data and
//! where each document is (`DocInfo`), not the YAML. Fields the model does not type are validated
//! by the schema while the arena is at hand.

pub mod annotations;
pub mod cel;
pub mod cert;
pub mod k8s;
pub mod kinds;
pub mod mesh_config;
pub mod mesh_networks;
pub mod networking;
pub mod node;
pub mod other;
pub mod schema;
pub mod security;

use crate::diag::{Diagnostic, ResourceRef};
use crate::load::Loaded;
use crate::load::yaml::{Document, NodeId};
use crate::source::{FileId, Loc, SourceDb, Span};
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
    pub creation_timestamp: Option<Box<S>>,
    /// The object's `status`, when written (controllers' output kept in some manifests).
    pub status: Option<Box<other::Status>>,
}

/// Where a resource comes from: its document and the node of the object in it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Origin {
    /// Index into `Model::documents`.
    pub doc: u32,
    /// The object's mapping (for `kind: List` items, the item), in the document's arena when the
    /// model kept it (`DocInfo::yaml`).
    pub node: NodeId,
    /// Where the object starts.
    pub at: Loc,
}

/// What the model keeps of a document once it is read.
#[derive(Debug, Clone)]
pub struct DocInfo {
    pub file: FileId,
    /// Position of the document in its file (0-based).
    pub index: u32,
    pub span: Span,
    /// Helm's `# Source: chart/templates/x.yaml` comment in front of the document, if any.
    pub helm_source: Option<String>,
    /// The YAML arena, kept only where the model reads untyped fields after all documents are
    /// read: a ConfigMap with a `data.mesh` key, which may hold the MeshConfig.
    pub yaml: Option<Box<Document>>,
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
///
/// Resources are boxed: each is allocated once, by the thread that read its document, and the
/// model takes it over without a copy (moving them into contiguous lists would hold every
/// resource twice at the peak, and leave the freed boxes behind as holes in the heap).
#[derive(Debug, Default)]
pub struct Model {
    pub sources: SourceDb,
    /// Every document read, in file and document order.
    pub documents: Vec<DocInfo>,

    pub namespaces: Vec<Box<Res<k8s::Namespace>>>,
    pub services: Vec<Box<Res<k8s::Service>>>,
    pub service_accounts: Vec<Box<Res<k8s::ServiceAccount>>>,
    /// Pods and everything with a pod template.
    pub workloads: Vec<Box<Res<k8s::Workload>>>,
    pub config_maps: Vec<Box<Res<k8s::ConfigMap>>>,
    pub secrets: Vec<Box<Res<k8s::Secret>>>,

    pub gateways: Vec<Box<Res<networking::Gateway>>>,
    pub virtual_services: Vec<Box<Res<networking::VirtualService>>>,
    pub destination_rules: Vec<Box<Res<networking::DestinationRule>>>,
    pub service_entries: Vec<Box<Res<networking::ServiceEntry>>>,
    pub sidecars: Vec<Box<Res<networking::Sidecar>>>,
    pub workload_entries: Vec<Box<Res<networking::WorkloadEntry>>>,
    pub workload_groups: Vec<Box<Res<networking::WorkloadGroup>>>,
    pub envoy_filters: Vec<Box<Res<networking::EnvoyFilter>>>,
    pub proxy_configs: Vec<Box<Res<networking::ProxyConfig>>>,

    pub peer_authentications: Vec<Box<Res<security::PeerAuthentication>>>,
    pub request_authentications: Vec<Box<Res<security::RequestAuthentication>>>,
    pub authorization_policies: Vec<Box<Res<security::AuthorizationPolicy>>>,

    pub telemetries: Vec<Box<Res<other::Telemetry>>>,
    pub wasm_plugins: Vec<Box<Res<other::WasmPlugin>>>,

    pub k8s_gateways: Vec<Box<Res<other::K8sGateway>>>,
    pub http_routes: Vec<Box<Res<other::HttpRoute>>>,
    pub grpc_routes: Vec<Box<Res<other::GrpcRoute>>>,
    pub reference_grants: Vec<Box<Res<other::ReferenceGrant>>>,
    /// Mutating and validating admission webhook configurations.
    pub webhook_configurations: Vec<Box<Res<k8s::WebhookConfiguration>>>,

    /// Removed kinds (Mixer, rbac.istio.io, authentication.istio.io), kept so rules can name them.
    pub legacy: Vec<Box<Res<()>>>,
    /// Kinds meshlint does not model (other CRDs): counted, never reported.
    pub opaque: Vec<Box<Res<()>>>,

    pub mesh_config: MeshConfig,
    /// The MeshNetworks of the `istio` ConfigMap (`data.meshNetworks`), if any.
    pub mesh_networks: Option<Box<mesh_networks::MeshNetworks>>,
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

/// Every modelled kind: its `Object` variant, its typed body and the `Model` field that holds it.
macro_rules! objects {
    ($($variant:ident($ty:ty) => $field:ident,)*) => {
        /// One object read from a document, before it is sorted into the model (boxed, as the
        /// model keeps it).
        enum Object {
            $($variant(Box<Res<$ty>>),)*
        }

        impl Model {
            /// Hands the objects of every document to the per-kind lists, each allocated at its
            /// exact size.
            fn sort_in(&mut self, objects: Vec<Object>) {
                $(
                    let count = objects.iter().filter(|o| matches!(o, Object::$variant(_))).count();
                    self.$field.reserve_exact(count);
                )*
                for object in objects {
                    match object {
                        $(Object::$variant(r) => self.$field.push(r),)*
                    }
                }
            }
        }

        impl Model {
            /// The metadata and origin of every resource, kind by kind (suppression annotations,
            /// per-resource reports).
            pub fn metas(&self) -> impl Iterator<Item = (&Meta, &Origin)> + '_ {
                std::iter::empty()
                    $(.chain(self.$field.iter().map(|r| (&r.meta, &r.origin))))*
            }
        }

        impl Object {
            fn origin_mut(&mut self) -> &mut Origin {
                match self {
                    $(Object::$variant(r) => &mut r.origin,)*
                }
            }

            fn meta_and_origin(&self) -> (&Meta, &Origin) {
                match self {
                    $(Object::$variant(r) => (&r.meta, &r.origin),)*
                }
            }
        }
    };
}

objects! {
    Namespace(k8s::Namespace) => namespaces,
    Service(k8s::Service) => services,
    ServiceAccount(k8s::ServiceAccount) => service_accounts,
    Workload(k8s::Workload) => workloads,
    ConfigMap(k8s::ConfigMap) => config_maps,
    Secret(k8s::Secret) => secrets,
    Gateway(networking::Gateway) => gateways,
    VirtualService(networking::VirtualService) => virtual_services,
    DestinationRule(networking::DestinationRule) => destination_rules,
    ServiceEntry(networking::ServiceEntry) => service_entries,
    Sidecar(networking::Sidecar) => sidecars,
    WorkloadEntry(networking::WorkloadEntry) => workload_entries,
    WorkloadGroup(networking::WorkloadGroup) => workload_groups,
    EnvoyFilter(networking::EnvoyFilter) => envoy_filters,
    ProxyConfig(networking::ProxyConfig) => proxy_configs,
    PeerAuthentication(security::PeerAuthentication) => peer_authentications,
    RequestAuthentication(security::RequestAuthentication) => request_authentications,
    AuthorizationPolicy(security::AuthorizationPolicy) => authorization_policies,
    Telemetry(other::Telemetry) => telemetries,
    WasmPlugin(other::WasmPlugin) => wasm_plugins,
    K8sGateway(other::K8sGateway) => k8s_gateways,
    HttpRoute(other::HttpRoute) => http_routes,
    GrpcRoute(other::GrpcRoute) => grpc_routes,
    ReferenceGrant(other::ReferenceGrant) => reference_grants,
    WebhookConfiguration(k8s::WebhookConfiguration) => webhook_configurations,
    Legacy(()) => legacy,
    Opaque(()) => opaque,
}

/// A document read into typed objects (`read_document`), before the model sorts them by kind.
pub struct ReadDocument {
    info: DocInfo,
    objects: Vec<Object>,
    diagnostics: Vec<Diagnostic>,
    /// Documents without `apiVersion`/`kind` (0 or 1; `kind: List` items count one each).
    skipped: usize,
    /// A top-level scalar or sequence: where, and which (`not-an-object` unless the file is
    /// clearly not a manifest; then it stays skipped).
    not_object: Option<(Loc, &'static str)>,
}

impl Model {
    /// Builds the typed model from documents already read (`load::load_with(.., read_document)`);
    /// schema diagnostics go to `diagnostics`.
    pub fn build(
        loaded: Loaded<ReadDocument>,
        options: &ModelOptions,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Model {
        let Loaded {
            sources,
            documents,
            diagnostics: load_diagnostics,
            skipped_documents,
        } = loaded;
        diagnostics.extend(load_diagnostics);
        let mut model = Model {
            stats: Stats {
                files: sources.len(),
                skipped_documents,
                ..Stats::default()
            },
            ..Model::default()
        };
        let mut objects = Vec::with_capacity(documents.iter().map(|d| d.objects.len()).sum());
        model.documents.reserve_exact(documents.len());
        for (i, read) in documents.into_iter().enumerate() {
            model.stats.skipped_documents += read.skipped;
            if let Some((at, what)) = read.not_object
                && looks_like_a_manifest(&sources.get(at.file).path)
            {
                model.stats.skipped_documents -= 1;
                diagnostics.push(
                    Diagnostic::new(
                        &crate::catalog::not_an_object::RULE,
                        at,
                        format!(
                            "this document is {what}, not an object; kubectl and istioctl reject \
                             the file"
                        ),
                    )
                    .help("make it a comment, delete it, or wrap a list of objects in `kind: List` with `items:`"),
                );
            }
            model.stats.resources += read.objects.len();
            diagnostics.extend(read.diagnostics);
            for mut object in read.objects {
                object.origin_mut().doc = i as u32;
                objects.push(object);
            }
            model.documents.push(read.info);
        }
        let objects = one_per_identity(objects, diagnostics);
        model.sort_in(objects);
        model.sources = sources;
        model.mesh_config = mesh_config::resolve(&mut model, options, diagnostics);
        model.mesh_networks = mesh_networks::read(&model, diagnostics);
        model
    }

    /// Builds the typed model from parsed documents (`load::load`): reads them in parallel, then
    /// as `build`.
    pub fn from_documents(
        loaded: Loaded,
        options: &ModelOptions,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Model {
        let loaded = loaded.map(|doc| read_document(doc, &options.default_namespace));
        Model::build(loaded, options, diagnostics)
    }

    pub fn document<T>(&self, res: &Res<T>) -> &DocInfo {
        &self.documents[res.origin.doc as usize]
    }

    /// The YAML arena of a resource's document, when the model kept it (`DocInfo::yaml`).
    pub fn yaml<T>(&self, res: &Res<T>) -> Option<&Document> {
        self.document(res).yaml.as_deref()
    }
}

/// Whether the document carries a strategic-merge-patch directive (`$patch: delete`,
/// `$setElementOrder/containers`, `$retainKeys`, `$deleteFromPrimitiveList/args`): a kustomize
/// patch, which only means something applied to its base.
fn is_strategic_merge_patch(doc: &Document) -> bool {
    doc.pairs.iter().any(|&(k, _)| {
        doc.str(k).is_some_and(|key| {
            key.starts_with('$')
                && (key == "$patch"
                    || key == "$retainKeys"
                    || key.starts_with("$setElementOrder/")
                    || key.starts_with("$deleteFromPrimitiveList/"))
        })
    })
}

/// Whether a file of this path is read as a manifest: everything but Helm values files, charts'
/// metadata, kustomizations and CI configurations.
fn looks_like_a_manifest(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let stem = name
        .strip_suffix(".yaml")
        .or_else(|| name.strip_suffix(".yml"))
        .unwrap_or(&name);
    let ci_dir = [
        ".github/",
        ".circleci/",
        ".gitlab/",
        ".buildkite/",
        ".tekton/",
    ]
    .iter()
    .any(|d| path.contains(d));
    !(ci_dir
        || stem.starts_with("values")
        || stem.ends_with("-values")
        || stem.ends_with(".values")
        || matches!(
            stem,
            "chart"
                | "requirements"
                | "kustomization"
                | ".gitlab-ci"
                | ".travis"
                | "azure-pipelines"
                | "bitbucket-pipelines"
                | "cloudbuild"
                | "codecov"
                | ".pre-commit-config"
                | ".pre-commit-hooks"
                | "docker-compose"
                | "compose"
                | "mkdocs"
                | ".golangci"
                | ".yamllint"
                | "skaffold"
        ))
}

/// Keeps one object per identity (API group, kind, namespace, name), as a cluster does: of two
/// definitions the later in load order wins, which the `duplicate-resource` finding at the later
/// one says. Objects without a name are kept (`missing-field` reports them).
fn one_per_identity(objects: Vec<Object>, diagnostics: &mut Vec<Diagnostic>) -> Vec<Object> {
    let mut last: std::collections::HashMap<(&str, &str, &str, &str), usize> =
        std::collections::HashMap::with_capacity(objects.len());
    let mut replaced = vec![false; objects.len()];
    let mut found = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        let (meta, _) = object.meta_and_origin();
        if meta.name.value.is_empty() {
            continue;
        }
        let info = meta.kind.info();
        let key = (
            info.group,
            info.kind,
            meta.namespace.as_str(),
            meta.name.value.as_str(),
        );
        if let Some(earlier) = last.insert(key, i) {
            replaced[earlier] = true;
            found.push((earlier, i));
        }
    }
    for (earlier, later) in found {
        let (first, first_origin) = objects[earlier].meta_and_origin();
        let (meta, origin) = objects[later].meta_and_origin();
        let what = "the object";
        let at = if meta.name.loc.span.is_empty() {
            origin.at
        } else {
            meta.name.loc
        };
        let first_at = if first.name.loc.span.is_empty() {
            first_origin.at
        } else {
            first.name.loc
        };
        diagnostics.push(
            Diagnostic::new(
                &crate::catalog::duplicate_resource::RULE,
                at,
                format!(
                    "{what} is defined twice: a cluster holds one object of that kind, namespace \
                     and name, so applying both leaves this later definition, which replaces the \
                     first; meshlint analyzes only this one"
                ),
            )
            .help("did you mean to rename it? Give the copy its own metadata.name, or delete one of the two")
            .related(first_at, "first defined here")
            .resource(Some(resource_ref(meta))),
        );
    }
    objects
        .into_iter()
        .zip(replaced)
        .filter_map(|(object, replaced)| (!replaced).then_some(object))
        .collect()
}

/// Reads one parsed document into typed objects and schema diagnostics. Runs on the thread that
/// parsed the document; the arena is dropped on return unless a later phase needs it.
pub fn read_document(doc: Document, default_namespace: &str) -> ReadDocument {
    let mut out = DocResult::default();
    read_objects(&doc, default_namespace, &mut out);
    let info = DocInfo {
        file: doc.file,
        index: doc.index,
        span: doc.span,
        helm_source: doc.helm_source.clone(),
        yaml: out.keep_yaml.then(|| Box::new(doc)),
    };
    ReadDocument {
        info,
        objects: out.objects,
        diagnostics: out.diagnostics,
        skipped: out.skipped,
        not_object: out.not_object,
    }
}

#[derive(Default)]
struct DocResult {
    objects: Vec<Object>,
    diagnostics: Vec<Diagnostic>,
    skipped: usize,
    not_object: Option<(Loc, &'static str)>,
    /// Whether the arena must outlive the read (see `DocInfo::yaml`).
    keep_yaml: bool,
}

fn read_objects(doc: &Document, default_namespace: &str, out: &mut DocResult) {
    let Some(root) = doc.root else { return };
    if !doc.is_map(root) {
        out.skipped += 1;
        let what = match doc.value(root) {
            crate::load::yaml::Value::Seq(_) => "a list",
            _ => "a scalar",
        };
        out.not_object = Some((Loc::new(doc.file, doc.span(root)), what));
        return;
    }
    let (api_version, kind) = (doc.get_str(root, "apiVersion"), doc.get_str(root, "kind"));
    let (Some(api_version), Some(kind)) = (api_version, kind) else {
        out.skipped += 1;
        return;
    };
    // kustomize's own files and strategic-merge patches are inputs of `kustomize build`, not
    // objects: skipped and counted, never checked against a schema.
    if api_version.starts_with("kustomize.config.k8s.io/")
        || matches!(kind, "Kustomization" | "Component") && !api_version.contains('.')
        || is_strategic_merge_patch(doc)
    {
        out.skipped += 1;
        return;
    }
    if kind == "List" || kind.ends_with("List") && api_version == "v1" {
        if let Some(items) = doc.get(root, "items") {
            for &item in doc.items(items) {
                if doc.get_str(item, "apiVersion").is_some() && doc.get_str(item, "kind").is_some()
                {
                    read_object(doc, item, default_namespace, out);
                } else {
                    out.skipped += 1;
                }
            }
        }
        return;
    }
    read_object(doc, root, default_namespace, out);
}

fn read_object(doc: &Document, root: NodeId, default_namespace: &str, out: &mut DocResult) {
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
    // `doc` is the document's index in the model, known once all are read (`Model::build`).
    let origin = Origin {
        doc: 0,
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
        _ if kind_id == KindId::OPAQUE => Object::Opaque(Box::new(Res {
            meta,
            spec: (),
            origin,
        })),
        _ if kind_id.info().legacy.is_some() => Object::Legacy(Box::new(Res {
            meta,
            spec: (),
            origin,
        })),
        "Namespace" => Object::Namespace(Box::new(Res {
            meta,
            spec: object!(k8s::Namespace),
            origin,
        })),
        "Service" => Object::Service(Box::new(Res {
            meta,
            spec: object!(k8s::Service),
            origin,
        })),
        "ServiceAccount" => Object::ServiceAccount(Box::new(Res {
            meta,
            spec: object!(k8s::ServiceAccount),
            origin,
        })),
        "Pod" | "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" | "CronJob" => {
            let spec = k8s::Workload::from_object(doc, root, kind_id.info().kind);
            Object::Workload(Box::new(Res { meta, spec, origin }))
        }
        "ConfigMap" => {
            // The MeshConfig is read from `data.mesh` once every document is read.
            out.keep_yaml |= doc
                .get(root, "data")
                .and_then(|data| doc.get(data, "mesh"))
                .is_some();
            Object::ConfigMap(Box::new(Res {
                meta,
                spec: object!(k8s::ConfigMap),
                origin,
            }))
        }
        "Secret" => Object::Secret(Box::new(Res {
            meta,
            spec: object!(k8s::Secret),
            origin,
        })),
        "Gateway" if kind_id.info().group == "networking.istio.io" => {
            Object::Gateway(Box::new(Res {
                meta,
                spec: spec!(networking::Gateway),
                origin,
            }))
        }
        "Gateway" => Object::K8sGateway(Box::new(Res {
            meta,
            spec: spec!(other::K8sGateway),
            origin,
        })),
        "VirtualService" => Object::VirtualService(Box::new(Res {
            meta,
            spec: spec!(networking::VirtualService),
            origin,
        })),
        "DestinationRule" => Object::DestinationRule(Box::new(Res {
            meta,
            spec: spec!(networking::DestinationRule),
            origin,
        })),
        "ServiceEntry" => Object::ServiceEntry(Box::new(Res {
            meta,
            spec: spec!(networking::ServiceEntry),
            origin,
        })),
        "Sidecar" => Object::Sidecar(Box::new(Res {
            meta,
            spec: spec!(networking::Sidecar),
            origin,
        })),
        "WorkloadEntry" => Object::WorkloadEntry(Box::new(Res {
            meta,
            spec: spec!(networking::WorkloadEntry),
            origin,
        })),
        "WorkloadGroup" => Object::WorkloadGroup(Box::new(Res {
            meta,
            spec: spec!(networking::WorkloadGroup),
            origin,
        })),
        "EnvoyFilter" => Object::EnvoyFilter(Box::new(Res {
            meta,
            spec: spec!(networking::EnvoyFilter),
            origin,
        })),
        "ProxyConfig" => Object::ProxyConfig(Box::new(Res {
            meta,
            spec: spec!(networking::ProxyConfig),
            origin,
        })),
        "PeerAuthentication" => Object::PeerAuthentication(Box::new(Res {
            meta,
            spec: spec!(security::PeerAuthentication),
            origin,
        })),
        "RequestAuthentication" => Object::RequestAuthentication(Box::new(Res {
            meta,
            spec: spec!(security::RequestAuthentication),
            origin,
        })),
        "AuthorizationPolicy" => Object::AuthorizationPolicy(Box::new(Res {
            meta,
            spec: spec!(security::AuthorizationPolicy),
            origin,
        })),
        "Telemetry" => Object::Telemetry(Box::new(Res {
            meta,
            spec: spec!(other::Telemetry),
            origin,
        })),
        "WasmPlugin" => Object::WasmPlugin(Box::new(Res {
            meta,
            spec: spec!(other::WasmPlugin),
            origin,
        })),
        "HTTPRoute" => Object::HttpRoute(Box::new(Res {
            meta,
            spec: spec!(other::HttpRoute),
            origin,
        })),
        "GRPCRoute" => Object::GrpcRoute(Box::new(Res {
            meta,
            spec: spec!(other::GrpcRoute),
            origin,
        })),
        "ReferenceGrant" => Object::ReferenceGrant(Box::new(Res {
            meta,
            spec: spec!(other::ReferenceGrant),
            origin,
        })),
        "MutatingWebhookConfiguration" | "ValidatingWebhookConfiguration" => {
            Object::WebhookConfiguration(Box::new(Res {
                meta,
                spec: object!(k8s::WebhookConfiguration),
                origin,
            }))
        }
        _ => Object::Opaque(Box::new(Res {
            meta,
            spec: (),
            origin,
        })),
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
        creation_timestamp: field("creationTimestamp").map(Box::new),
        status: doc
            .get(root, "status")
            .and_then(|st| other::Status::from_node(doc, st, None))
            .map(Box::new),
    }
}
