//! MeshConfig: Istio's defaults, overlaid with `--mesh-config` or the `istio` ConfigMap.
//!
//! Where it comes from, in order:
//! 1. `--mesh-config FILE`: a bare MeshConfig (what `istioctl analyze --meshConfigFile` takes), or a
//!    ConfigMap whose `data.mesh` holds one;
//! 2. the ConfigMap `istio` (else `istio-<revision>`) in `istio-system` among the inputs, else a
//!    ConfigMap `istio` with a `mesh` key in any namespace (istiod installed elsewhere);
//! 3. Istio's defaults (`pkg/config/mesh/mesh.go` `DefaultMeshConfig`).
//!
//! The file (or the `mesh` string) is overlaid on the defaults the way `mesh.ApplyMeshConfig`
//! does: every field replaces its default, except `extensionProviders` (merged by name with the
//! built-in `prometheus`, `stackdriver` and `envoy`) and `trustDomainAliases` (a union).
//!
//! The embedded `mesh` string is parsed with meshlint's own YAML layer. For a literal block scalar
//! (`mesh: |`) every position maps exactly into the ConfigMap's file; for any other style every
//! position is the `mesh:` value. Istio decodes MeshConfig leniently (unknown fields are ignored,
//! `protomarshal.ApplyYAML` retries with `AllowUnknownFields`), so an unknown key is a warning;
//! a value of the wrong type makes Istio reject the whole MeshConfig, so it is an error.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::catalog::{
    duplicate_key, input_too_large, invalid_value, missing_field, unknown_field, yaml_syntax,
};
use crate::diag::{Diagnostic, ResourceRef, did_you_mean};
use crate::load::Loaded;
use crate::load::yaml::{self, Budgets, Chunk, Document, NodeId, Scalar, Style, YamlProblem};
use crate::model::node::Raw;
use crate::model::{Model, ModelOptions};
use crate::source::{FileId, Loc, Span};

/// The MeshConfig fields the analysis depends on, with Istio's defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct MeshConfig {
    pub root_namespace: String,
    pub enable_auto_mtls: bool,
    /// `ALLOW_ANY` or `REGISTRY_ONLY`.
    pub outbound_traffic_policy: String,
    pub default_service_export_to: Vec<String>,
    pub default_virtual_service_export_to: Vec<String>,
    pub default_destination_rule_export_to: Vec<String>,
    pub trust_domain: String,
    pub ingress_service: String,
    pub ingress_selector: String,
    /// Sorted and de-duplicated, as Istio keeps them.
    pub trust_domain_aliases: Vec<String>,
    pub ingress_class: String,
    /// `STRICT` (default), `DEFAULT`, `OFF` or `UNSPECIFIED`.
    pub ingress_controller_mode: String,
    pub access_log_file: String,
    pub enable_tracing: bool,
    /// `defaultConfig` (ProxyConfig) as written, read through `document` (`holdApplicationUntilProxyStarts`,
    /// `proxyMetadata`, ...); Istio merges it over the proxy defaults.
    pub default_config: Option<Raw>,
    pub default_providers: DefaultProviders,
    /// The built-in providers, merged by name with the configured ones.
    pub extension_providers: Vec<ExtensionProvider>,
    /// `localityLbSetting` as written (Istio's default: `{enabled: true}`).
    pub locality_lb_setting: Option<Raw>,
    pub discovery_selectors: Vec<Raw>,
    /// `meshMTLS.minProtocolVersion` (`TLSV1_2`, `TLSV1_3`); `None` is `TLS_AUTO` (TLS 1.2).
    pub mesh_mtls_min_protocol_version: Option<String>,
    /// Where the MeshConfig is written: the `mesh:` value of the ConfigMap, or the file's document.
    /// `None` when the defaults apply.
    pub source: Option<Loc>,
    /// Where each configured top-level field (camelCase) and a few nested ones
    /// (`outboundTrafficPolicy.mode`, `meshMTLS.minProtocolVersion`) are written.
    pub locs: BTreeMap<String, Loc>,
    /// The ConfigMap the MeshConfig was read from, if any.
    pub config_map: Option<ResourceRef>,
    /// The parsed MeshConfig, for the `Raw` fields.
    pub document: Option<MeshDocument>,
}

/// The parsed MeshConfig document (shared; compared by identity).
#[derive(Debug, Clone)]
pub struct MeshDocument(pub Arc<Document>);

impl PartialEq for MeshDocument {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl std::ops::Deref for MeshDocument {
    type Target = Document;
    fn deref(&self) -> &Document {
        &self.0
    }
}

/// `defaultProviders`: the providers Telemetry uses when it names none.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DefaultProviders {
    pub tracing: Vec<String>,
    pub metrics: Vec<String>,
    pub access_logging: Vec<String>,
}

/// One `extensionProviders` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtensionProvider {
    pub name: String,
    /// The provider's kind: its one key besides `name` (`envoyExtAuthzHttp`, `zipkin`, `prometheus`,
    /// `envoyFileAccessLog`, ...).
    pub kind: String,
    /// The kind's settings (service, port, ...), when configured.
    pub config: Option<Raw>,
    /// Where the entry is written; `None` for the built-in defaults.
    pub loc: Option<Loc>,
}

impl Default for MeshConfig {
    fn default() -> Self {
        let builtin = |name: &str, kind: &str| ExtensionProvider {
            name: name.into(),
            kind: kind.into(),
            config: None,
            loc: None,
        };
        MeshConfig {
            root_namespace: "istio-system".into(),
            enable_auto_mtls: true,
            outbound_traffic_policy: "ALLOW_ANY".into(),
            default_service_export_to: vec!["*".into()],
            default_virtual_service_export_to: vec!["*".into()],
            default_destination_rule_export_to: vec!["*".into()],
            trust_domain: "cluster.local".into(),
            ingress_service: "istio-ingressgateway".into(),
            ingress_selector: "ingressgateway".into(),
            trust_domain_aliases: Vec::new(),
            ingress_class: "istio".into(),
            ingress_controller_mode: "STRICT".into(),
            access_log_file: String::new(),
            enable_tracing: true,
            default_config: None,
            default_providers: DefaultProviders::default(),
            extension_providers: vec![
                builtin("prometheus", "prometheus"),
                builtin("stackdriver", "stackdriver"),
                builtin("envoy", "envoyFileAccessLog"),
            ],
            locality_lb_setting: None,
            discovery_selectors: Vec::new(),
            mesh_mtls_min_protocol_version: None,
            source: None,
            locs: BTreeMap::new(),
            config_map: None,
            document: None,
        }
    }
}

impl MeshConfig {
    /// Where a configured field is written (camelCase path such as `enableAutoMtls` or
    /// `outboundTrafficPolicy.mode`), else where the MeshConfig is, else `None` (defaults).
    pub fn loc_of(&self, key: &str) -> Option<Loc> {
        self.locs.get(key).copied().or(self.source)
    }

    pub fn extension_provider(&self, name: &str) -> Option<&ExtensionProvider> {
        self.extension_providers.iter().find(|p| p.name == name)
    }

    /// A scalar under `defaultConfig`, by path (`["holdApplicationUntilProxyStarts"]`,
    /// `["proxyMetadata", "ISTIO_META_DNS_CAPTURE"]`).
    pub fn default_config_str(&self, path: &[&str]) -> Option<&str> {
        let doc = self.document.as_ref()?;
        let mut at = self.default_config?.node;
        for key in path {
            at = doc.get(at, key)?;
        }
        match doc.scalar(at)? {
            Scalar::Null => None,
            _ => doc.str(at),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The MeshConfig fields Istio knows (istio/api mesh/v1alpha1/config.proto, JSON names).

#[derive(Clone, Copy)]
enum Ty {
    Str,
    Bool,
    Int,
    /// A protobuf Duration: a string such as `10s`.
    Duration,
    StrList,
    Enum(&'static [&'static str]),
    Object,
    List,
}

const INGRESS_MODES: &[&str] = &["UNSPECIFIED", "OFF", "DEFAULT", "STRICT"];
const TLS_PROTOCOLS: &[&str] = &["TLS_AUTO", "TLSV1_2", "TLSV1_3"];
const OUTBOUND_MODES: &[&str] = &["REGISTRY_ONLY", "ALLOW_ANY"];

const FIELDS: &[(&str, Ty)] = &[
    ("proxyListenPort", Ty::Int),
    ("proxyInboundListenPort", Ty::Int),
    ("proxyHttpPort", Ty::Int),
    ("connectTimeout", Ty::Duration),
    ("hboneIdleTimeout", Ty::Duration),
    ("protocolDetectionTimeout", Ty::Duration),
    ("tcpKeepalive", Ty::Object),
    ("ingressClass", Ty::Str),
    ("ingressService", Ty::Str),
    ("ingressControllerMode", Ty::Enum(INGRESS_MODES)),
    ("ingressSelector", Ty::Str),
    ("enableTracing", Ty::Bool),
    ("accessLogFile", Ty::Str),
    ("accessLogFormat", Ty::Str),
    ("accessLogEncoding", Ty::Enum(&["TEXT", "JSON"])),
    ("enableEnvoyAccessLogService", Ty::Bool),
    ("disableEnvoyListenerLog", Ty::Bool),
    ("defaultConfig", Ty::Object),
    ("outboundTrafficPolicy", Ty::Object),
    ("inboundTrafficPolicy", Ty::Object),
    ("configSources", Ty::List),
    ("enableAutoMtls", Ty::Bool),
    ("trustDomain", Ty::Str),
    ("trustDomainAliases", Ty::StrList),
    ("caCertificates", Ty::List),
    ("defaultServiceExportTo", Ty::StrList),
    ("defaultVirtualServiceExportTo", Ty::StrList),
    ("defaultDestinationRuleExportTo", Ty::StrList),
    ("rootNamespace", Ty::Str),
    ("localityLbSetting", Ty::Object),
    ("zoneAwareLbSetting", Ty::Object),
    ("dnsRefreshRate", Ty::Duration),
    ("h2UpgradePolicy", Ty::Enum(&["DO_NOT_UPGRADE", "UPGRADE"])),
    ("inboundClusterStatName", Ty::Str),
    ("outboundClusterStatName", Ty::Str),
    ("certificates", Ty::List),
    ("serviceSettings", Ty::List),
    ("serviceScopeConfigs", Ty::List),
    ("enablePrometheusMerge", Ty::Bool),
    ("verifyCertificateAtClient", Ty::Bool),
    ("ca", Ty::Object),
    ("extensionProviders", Ty::List),
    ("defaultProviders", Ty::Object),
    ("discoverySelectors", Ty::List),
    ("pathNormalization", Ty::Object),
    ("defaultHttpRetryPolicy", Ty::Object),
    ("meshMTLS", Ty::Object),
    ("tlsDefaults", Ty::Object),
    ("defaultTrafficPolicy", Ty::Object),
    ("serviceEntryVisibility", Ty::Object),
];

/// Fields removed from MeshConfig (reserved in the proto): Istio ignores them.
const REMOVED: &[&str] = &[
    "mixerCheckServer",
    "mixerReportServer",
    "disablePolicyChecks",
    "disableMixerHttpReports",
    "policyCheckFailOpen",
    "sidecarToTelemetrySessionAffinity",
    "authPolicy",
    "rdsRefreshDelay",
    "mixerAddress",
    "enableClientSidePolicyCheck",
    "sdsUdsPath",
    "sdsRefreshDelay",
    "enableSdsTokenMount",
    "sdsUseK8sSaJwt",
    "terminationDrainDuration",
    "disableReportBatch",
    "reportBatchMaxEntries",
    "reportBatchMaxTime",
    "fileFlushInterval",
    "fileFlushMinSize",
    "thriftConfig",
];

/// The `oneof provider` keys of an extension provider.
const PROVIDER_KINDS: &[&str] = &[
    "envoyExtAuthzHttp",
    "envoyExtAuthzGrpc",
    "zipkin",
    "lightstep",
    "datadog",
    "stackdriver",
    "opencensus",
    "skywalking",
    "opentelemetry",
    "prometheus",
    "envoyFileAccessLog",
    "envoyHttpAls",
    "envoyTcpAls",
    "envoyOtelAls",
    "sds",
];

/// protojson accepts the proto field name as well as the JSON name: `enable_auto_mtls`.
fn json_name(key: &str) -> String {
    if !key.contains('_') || key.contains('-') {
        return key.to_string();
    }
    crate::model::schema::walk::to_camel(key)
}

// ---------------------------------------------------------------------------------------------
// Finding and parsing the MeshConfig.

/// Resolves the MeshConfig of the run. A `--mesh-config` file is added to the model's sources so
/// that diagnostics can point into it.
pub fn resolve(
    model: &mut Model,
    options: &ModelOptions,
    diagnostics: &mut Vec<Diagnostic>,
) -> MeshConfig {
    if let Some(loaded) = &options.mesh_config {
        return from_file(model, loaded, diagnostics);
    }
    match find_config_map(model) {
        Some(index) => from_config_map(model, index, diagnostics),
        None => MeshConfig::default(),
    }
}

/// The `--mesh-config` file: registered in the model's sources (reusing an input of the same
/// path and text), its load diagnostics re-pointed at it.
fn from_file(model: &mut Model, loaded: &Loaded, diagnostics: &mut Vec<Diagnostic>) -> MeshConfig {
    let mut ids: BTreeMap<FileId, (FileId, bool)> = BTreeMap::new();
    for file in loaded.sources.files() {
        let existing = model
            .sources
            .files()
            .iter()
            .find(|f| f.path == file.path && f.text == file.text)
            .map(|f| f.id);
        let id = existing
            .unwrap_or_else(|| model.sources.add(file.path.clone(), Arc::clone(&file.text)));
        ids.insert(file.id, (id, existing.is_some()));
    }
    let remap = |loc: Loc| Loc::new(ids.get(&loc.file).map_or(loc.file, |&(id, _)| id), loc.span);
    for d in &loaded.diagnostics {
        // An input that is also the mesh config already reported its own load problems.
        if ids.get(&d.loc.file).is_some_and(|&(_, reused)| reused) {
            continue;
        }
        let mut d = d.clone();
        d.loc = remap(d.loc);
        for r in &mut d.related {
            r.loc = remap(r.loc);
        }
        diagnostics.push(d);
    }
    let Some(doc) = loaded.documents.first() else {
        return MeshConfig::default();
    };
    let mut doc = doc.clone();
    doc.file = ids.get(&doc.file).map_or(doc.file, |&(id, _)| id);
    let Some(root) = doc.root else {
        return MeshConfig::default();
    };

    if doc.get_str(root, "kind") == Some("ConfigMap") {
        let resource = config_map_ref(&doc, root);
        let Some(mesh) = doc.get(root, "data").and_then(|d| doc.get(d, "mesh")) else {
            diagnostics.push(
                Diagnostic::new(&missing_field::RULE, Loc::new(doc.file, doc.span(root)), "this ConfigMap has no `data.mesh` key, so it holds no MeshConfig; Istio's defaults apply")
                    .help("put the MeshConfig under `data.mesh: |`, or pass a bare MeshConfig file to --mesh-config")
                    .resource(resource),
            );
            return MeshConfig::default();
        };
        return from_mesh_string(&doc, mesh, resource, diagnostics);
    }
    let doc = Arc::new(doc);
    let mut config = MeshConfig {
        source: Some(Loc::new(doc.file, doc.span(root))),
        ..MeshConfig::default()
    };
    apply(&mut config, &doc, root, None, diagnostics);
    config.document = Some(MeshDocument(doc));
    config
}

fn config_map_ref(doc: &Document, root: NodeId) -> Option<ResourceRef> {
    let metadata = doc.get(root, "metadata");
    Some(ResourceRef {
        kind: "ConfigMap".into(),
        name: metadata
            .and_then(|m| doc.get_str(m, "name"))
            .unwrap_or("")
            .to_string(),
        namespace: metadata
            .and_then(|m| doc.get_str(m, "namespace"))
            .map(str::to_string),
    })
}

/// The ConfigMap istiod reads: `istio` (else `istio-<revision>`) in `istio-system`, else `istio`
/// in any namespace. Only ConfigMaps with a `mesh` key count.
fn find_config_map(model: &Model) -> Option<usize> {
    let candidates: Vec<usize> = (0..model.config_maps.len())
        .filter(|&i| {
            // Any `mesh` key counts, so a value that is not a string is reported, not skipped.
            let res = &model.config_maps[i];
            model.yaml(res).is_some_and(|doc| {
                doc.get(res.origin.node, "data")
                    .and_then(|d| doc.get(d, "mesh"))
                    .is_some()
            })
        })
        .collect();
    let pick = |pred: &dyn Fn(&str, &str) -> bool| {
        let mut found: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|&i| {
                pred(
                    model.config_maps[i].namespace(),
                    model.config_maps[i].name(),
                )
            })
            .collect();
        found.sort_by(|&a, &b| model.config_maps[a].name().cmp(model.config_maps[b].name()));
        found.first().copied()
    };
    pick(&|ns, name| ns == "istio-system" && name == "istio")
        .or_else(|| pick(&|ns, name| ns == "istio-system" && name.starts_with("istio-")))
        .or_else(|| pick(&|_, name| name == "istio"))
}

fn from_config_map(model: &Model, index: usize, diagnostics: &mut Vec<Diagnostic>) -> MeshConfig {
    let res = &model.config_maps[index];
    let Some(doc) = model.yaml(res) else {
        return MeshConfig::default();
    };
    let Some(mesh) = doc
        .get(res.origin.node, "data")
        .and_then(|d| doc.get(d, "mesh"))
    else {
        return MeshConfig::default();
    };
    from_mesh_string(doc, mesh, Some(res.resource_ref()), diagnostics)
}

/// Parses the `mesh` string of a ConfigMap and overlays it on the defaults.
fn from_mesh_string(
    doc: &Document,
    mesh: NodeId,
    resource: Option<ResourceRef>,
    diagnostics: &mut Vec<Diagnostic>,
) -> MeshConfig {
    let value_loc = Loc::new(doc.file, doc.span(mesh));
    let mut config = MeshConfig {
        source: Some(value_loc),
        config_map: resource.clone(),
        ..MeshConfig::default()
    };
    let Some(text) = doc.str(mesh) else {
        diagnostics.push(
            Diagnostic::new(
                &invalid_value::RULE,
                value_loc,
                "`data.mesh` must be a string holding the MeshConfig YAML",
            )
            .help("write it as a literal block: `mesh: |` followed by the MeshConfig, indented")
            .resource(resource),
        );
        return config;
    };
    let parsed = match exact_text(doc, mesh) {
        Some(blanked) => parse_text(doc.file, blanked, None),
        None => parse_text(doc.file, Arc::from(text), Some(doc.span(mesh))),
    };
    for error in parsed.errors {
        diagnostics.push(
            yaml_diagnostic(doc.file, error, "the MeshConfig in `data.mesh`")
                .resource(resource.clone()),
        );
    }
    let Some(mesh_doc) = parsed.document else {
        return config;
    };
    let mesh_doc = Arc::new(mesh_doc);
    if let Some(root) = mesh_doc.root {
        apply(&mut config, &mesh_doc, root, resource, diagnostics);
    }
    config.document = Some(MeshDocument(mesh_doc));
    config
}

/// For a literal block scalar without an indentation indicator, the file's text with everything
/// but the block's content blanked (newlines kept): parsing it gives the MeshConfig with every
/// span exact in the original file.
fn exact_text(doc: &Document, node: NodeId) -> Option<Arc<str>> {
    if doc.style(node) != Some(Style::Literal) || doc.resolve(node) != node {
        return None;
    }
    let text: &str = &doc.text;
    let span = doc.span(node);
    let (start, end) = (span.start as usize, (span.end as usize).min(text.len()));
    let line_start = text.get(..start)?.rfind('\n').map_or(0, |i| i + 1);
    let indent = start - line_start;
    if indent == 0 || !text.get(line_start..start)?.bytes().all(|b| b == b' ') {
        return None;
    }
    // The header (`|`, `|-`, `|+`, maybe a comment) is the last non-blank line before the content.
    let before = text.get(..line_start)?.trim_end();
    let header_line = &before[before.rfind('\n').map_or(0, |i| i + 1)..];
    let header = header_line.rsplit_once('|').map(|(_, h)| h)?;
    let header = header.split('#').next().unwrap_or("").trim();
    if !matches!(header, "" | "-" | "+") {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let line_end = pos + line.len();
        let inside = pos >= line_start && pos < end;
        let body = line.trim_end_matches(['\n', '\r']);
        let keep = inside && (body.trim().is_empty() || indent_of(body) >= indent);
        if keep && indent_of(body) == indent && is_document_marker(body.trim_start()) {
            // `---` or `...` at the block's indentation is a document marker in the decoded
            // string but not in the file: the exact parse would differ.
            return None;
        }
        if keep {
            let upto = line_end.min(end.max(pos));
            out.push_str(&text[pos..upto]);
            blank(&mut out, &text[upto..line_end]);
        } else {
            blank(&mut out, line);
        }
        pos = line_end;
    }
    Some(Arc::from(out))
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn is_document_marker(line: &str) -> bool {
    (line.starts_with("---") || line.starts_with("..."))
        && line[3..].chars().next().is_none_or(char::is_whitespace)
}

fn blank(out: &mut String, s: &str) {
    for c in s.chars() {
        if c == '\n' {
            out.push('\n');
        } else {
            // Same byte length, so offsets stay exact.
            out.extend(std::iter::repeat_n(' ', c.len_utf8()));
        }
    }
}

struct ParsedMesh {
    document: Option<Document>,
    errors: Vec<yaml::YamlError>,
}

/// Parses MeshConfig text. With `collapse`, every position becomes that span (the `mesh:` value).
fn parse_text(file: FileId, text: Arc<str>, collapse: Option<Span>) -> ParsedMesh {
    let chunk = Chunk {
        start: 0,
        end: text.len(),
        helm_source: None,
    };
    let parsed = yaml::parse_chunk(file, &text, &chunk, 0, &Budgets::default());
    let mut document = parsed.documents.into_iter().next();
    let mut errors = parsed.errors;
    if let Some(span) = collapse {
        if let Some(doc) = &mut document {
            for node in &mut doc.nodes {
                node.span = span;
            }
            doc.span = span;
        }
        for error in &mut errors {
            error.span = span;
            if let YamlProblem::DuplicateKey { first, .. } = &mut error.problem {
                *first = span;
            }
        }
    }
    ParsedMesh { document, errors }
}

fn yaml_diagnostic(file: FileId, error: yaml::YamlError, what: &str) -> Diagnostic {
    let loc = Loc::new(file, error.span);
    match error.problem {
        YamlProblem::Syntax(reason) => Diagnostic::new(
            &yaml_syntax::RULE,
            loc,
            format!("invalid YAML in {what}: {reason}; Istio's defaults apply"),
        )
        .help("check the indentation and quoting of the MeshConfig"),
        YamlProblem::Budget(reason) => Diagnostic::new(&input_too_large::RULE, loc, reason),
        YamlProblem::DuplicateKey { key, first } => Diagnostic::new(
            &duplicate_key::RULE,
            loc,
            format!("key \"{key}\" appears twice in {what}; only one value can take effect"),
        )
        .help(format!("keep one \"{key}\" and delete the other"))
        .related(
            Loc::new(file, first),
            format!("\"{key}\" first defined here"),
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// Overlaying a parsed MeshConfig on the defaults.

struct Cx<'a> {
    doc: &'a Document,
    resource: Option<ResourceRef>,
    out: &'a mut Vec<Diagnostic>,
    /// Set by a problem that makes Istio reject the whole MeshConfig.
    rejected: bool,
}

impl Cx<'_> {
    fn loc(&self, id: NodeId) -> Loc {
        Loc::new(self.doc.file, self.doc.span(id))
    }

    fn unknown(&mut self, key_node: NodeId, key: &str, within: &str, known: &[&str]) {
        let (message, help) = if REMOVED.contains(&json_name(key).as_str()) && within.is_empty() {
            (
                format!("MeshConfig field `{key}` was removed from Istio; it is ignored"),
                format!("delete `{key}`"),
            )
        } else {
            let place = if within.is_empty() {
                "MeshConfig".to_string()
            } else {
                format!("MeshConfig `{within}`")
            };
            let help = match did_you_mean(key, known.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("delete `{key}`; Istio ignores fields it does not know"),
            };
            (
                format!("`{key}` is not a field of {place}; Istio ignores it"),
                help,
            )
        };
        let d = Diagnostic::new(&unknown_field::RULE, self.loc(key_node), message)
            .help(help)
            .resource(self.resource.clone());
        self.out.push(d);
    }

    fn invalid(&mut self, node: NodeId, message: String, help: String) {
        self.rejected = true;
        let d = Diagnostic::new(&invalid_value::RULE, self.loc(node), message)
            .help(help)
            .resource(self.resource.clone());
        self.out.push(d);
    }

    /// Checks a value against its type; `false` (and a diagnostic) when it does not fit.
    fn check(&mut self, path: &str, node: NodeId, ty: Ty) -> bool {
        let doc = self.doc;
        let found = describe(doc, node);
        if doc.is_null(node) {
            return true;
        }
        let scalar = doc.scalar(node);
        let ok = match ty {
            Ty::Str | Ty::Duration => matches!(scalar, Some(Scalar::Str(_))),
            Ty::Bool => matches!(scalar, Some(Scalar::Bool(_))),
            Ty::Int => matches!(scalar, Some(Scalar::Int(_))),
            Ty::Enum(values) => match scalar {
                Some(Scalar::Str(s)) => {
                    if !values.contains(&s) {
                        let suggestion = did_you_mean(s, values.iter().copied()).map_or_else(
                            || format!("use one of: {}", values.join(", ")),
                            |v| format!("did you mean {v}?"),
                        );
                        self.invalid(node, format!(
                                "`{path}` must be one of {}, not \"{s}\"; Istio rejects the MeshConfig and keeps its defaults",
                                values.join(", ")
                            ), suggestion);
                        return false;
                    }
                    true
                }
                Some(Scalar::Int(_)) => true,
                _ => false,
            },
            Ty::StrList => {
                if !matches!(doc.value(node), yaml::Value::Seq(_)) {
                    false
                } else {
                    let mut all = true;
                    for &item in doc.items(node) {
                        if !matches!(doc.scalar(item), Some(Scalar::Str(_))) {
                            let found = describe(doc, item);
                            self.invalid(
                                item,
                                format!("`{path}` must be a list of strings; this item is {found}; Istio rejects the MeshConfig"),
                                "quote the item".into(),
                            );
                            all = false;
                        }
                    }
                    return all;
                }
            }
            Ty::Object => doc.is_map(node),
            Ty::List => matches!(doc.value(node), yaml::Value::Seq(_)),
        };
        if !ok {
            let (want, help) = match ty {
                Ty::Str => ("a string", "quote the value".to_string()),
                Ty::Duration => (
                    "a duration string such as \"10s\"",
                    "write the duration with a unit, e.g. 10s or 500ms".to_string(),
                ),
                Ty::Bool => (
                    "a boolean",
                    "write true or false, without quotes".to_string(),
                ),
                Ty::Int => (
                    "an integer",
                    "write a whole number, without quotes".to_string(),
                ),
                Ty::Enum(values) => (
                    "one of the listed names",
                    format!("use one of: {}", values.join(", ")),
                ),
                Ty::StrList => (
                    "a list of strings",
                    format!("write it as a list, e.g. `{path}: [\"*\"]`"),
                ),
                Ty::Object => (
                    "a mapping",
                    format!("write `{path}` as a mapping of fields"),
                ),
                Ty::List => (
                    "a list",
                    format!("write `{path}` as a list (`- ...` items)"),
                ),
            };
            self.invalid(node, format!("`{path}` must be {want}, found {found}; Istio rejects the MeshConfig and keeps its defaults"), help);
        }
        ok
    }
}

fn describe(doc: &Document, node: NodeId) -> String {
    match doc.value(node) {
        yaml::Value::Map(_) => "a mapping".into(),
        yaml::Value::Seq(_) => "a list".into(),
        _ => match doc.scalar(node) {
            Some(Scalar::Str(s)) => format!("the string \"{s}\""),
            Some(other) => format!("{} {}", other.type_name(), doc.str(node).unwrap_or("")),
            None => "nothing".into(),
        },
    }
}

fn strings(doc: &Document, node: NodeId) -> Vec<String> {
    doc.items(node)
        .iter()
        .filter_map(|&i| match doc.scalar(i) {
            Some(Scalar::Str(s)) => Some(s.to_string()),
            _ => None,
        })
        .collect()
}

fn string(doc: &Document, node: NodeId) -> Option<String> {
    match doc.scalar(node)? {
        Scalar::Str(s) => Some(s.to_string()),
        _ => None,
    }
}

/// Overlays the MeshConfig mapping at `root` on `config`, reporting unknown keys and wrong types.
/// When Istio would reject the MeshConfig (a wrong type, an unknown enum name, an invalid
/// extension provider), the defaults stay in force, as they do for istiod and `istioctl analyze`.
fn apply(
    config: &mut MeshConfig,
    doc: &Document,
    root: NodeId,
    resource: Option<ResourceRef>,
    out: &mut Vec<Diagnostic>,
) {
    let mut cx = Cx {
        doc,
        resource,
        out,
        rejected: false,
    };
    let mut overlaid = config.clone();
    overlay(&mut overlaid, &mut cx, root);
    if !cx.rejected {
        *config = overlaid;
    }
}

fn overlay(config: &mut MeshConfig, cx: &mut Cx<'_>, root: NodeId) {
    let doc = cx.doc;
    if doc.is_null(root) {
        return;
    }
    if !doc.is_map(root) {
        let found = describe(doc, root);
        cx.invalid(
            root,
            format!("a MeshConfig must be a mapping of fields, found {found}"),
            "write the MeshConfig as `field: value` lines".into(),
        );
        return;
    }
    let known: Vec<&str> = FIELDS.iter().map(|(k, _)| *k).collect();
    for &(k, v) in doc.entries(root) {
        let Some(raw_key) = doc.str(k) else { continue };
        let key = json_name(raw_key);
        let Some(&(name, ty)) = FIELDS.iter().find(|(name, _)| *name == key) else {
            cx.unknown(k, raw_key, "", &known);
            continue;
        };
        if !cx.check(name, v, ty) || doc.is_null(v) {
            continue;
        }
        config.locs.insert(name.to_string(), cx.loc(v));
        match name {
            "rootNamespace" => config.root_namespace = string(doc, v).unwrap_or_default(),
            "enableAutoMtls" => config.enable_auto_mtls = doc.scalar(v) == Some(Scalar::Bool(true)),
            "enableTracing" => config.enable_tracing = doc.scalar(v) == Some(Scalar::Bool(true)),
            "defaultServiceExportTo" => config.default_service_export_to = strings(doc, v),
            "defaultVirtualServiceExportTo" => {
                config.default_virtual_service_export_to = strings(doc, v)
            }
            "defaultDestinationRuleExportTo" => {
                config.default_destination_rule_export_to = strings(doc, v)
            }
            "trustDomain" => config.trust_domain = string(doc, v).unwrap_or_default(),
            "trustDomainAliases" => {
                let mut all = strings(doc, v);
                all.append(&mut config.trust_domain_aliases);
                all.sort();
                all.dedup();
                config.trust_domain_aliases = all;
            }
            "ingressService" => config.ingress_service = string(doc, v).unwrap_or_default(),
            "ingressSelector" => config.ingress_selector = string(doc, v).unwrap_or_default(),
            "ingressClass" => config.ingress_class = string(doc, v).unwrap_or_default(),
            "ingressControllerMode" => {
                config.ingress_controller_mode =
                    enum_name(doc, v, INGRESS_MODES).unwrap_or_default()
            }
            "accessLogFile" => config.access_log_file = string(doc, v).unwrap_or_default(),
            "defaultConfig" => {
                config.default_config = Some(Raw {
                    node: v,
                    loc: cx.loc(v),
                })
            }
            "localityLbSetting" => {
                config.locality_lb_setting = Some(Raw {
                    node: v,
                    loc: cx.loc(v),
                })
            }
            "discoverySelectors" => {
                config.discovery_selectors = doc
                    .items(v)
                    .iter()
                    .map(|&i| Raw {
                        node: i,
                        loc: cx.loc(i),
                    })
                    .collect()
            }
            "outboundTrafficPolicy" => {
                for &(k2, v2) in doc.entries(v) {
                    match doc.str(k2).map(json_name).as_deref() {
                        Some("mode") => {
                            if cx.check("outboundTrafficPolicy.mode", v2, Ty::Enum(OUTBOUND_MODES))
                                && !doc.is_null(v2)
                            {
                                config.outbound_traffic_policy =
                                    enum_name(doc, v2, OUTBOUND_MODES).unwrap_or_default();
                                config
                                    .locs
                                    .insert("outboundTrafficPolicy.mode".into(), cx.loc(v2));
                            }
                        }
                        Some("tls") => {
                            cx.check("outboundTrafficPolicy.tls", v2, Ty::Object);
                        }
                        _ => cx.unknown(
                            k2,
                            doc.str(k2).unwrap_or(""),
                            "outboundTrafficPolicy",
                            &["mode", "tls"],
                        ),
                    }
                }
            }
            "meshMTLS" => {
                for &(k2, v2) in doc.entries(v) {
                    match doc.str(k2).map(json_name).as_deref() {
                        Some("minProtocolVersion") => {
                            if cx.check("meshMTLS.minProtocolVersion", v2, Ty::Enum(TLS_PROTOCOLS))
                                && !doc.is_null(v2)
                            {
                                config.mesh_mtls_min_protocol_version =
                                    enum_name(doc, v2, TLS_PROTOCOLS).filter(|m| m != "TLS_AUTO");
                                config
                                    .locs
                                    .insert("meshMTLS.minProtocolVersion".into(), cx.loc(v2));
                            }
                        }
                        Some(k @ ("ecdhCurves" | "cipherSuites")) => {
                            cx.check(&format!("meshMTLS.{k}"), v2, Ty::StrList);
                        }
                        _ => cx.unknown(
                            k2,
                            doc.str(k2).unwrap_or(""),
                            "meshMTLS",
                            &["minProtocolVersion", "ecdhCurves", "cipherSuites"],
                        ),
                    }
                }
            }
            "defaultProviders" => {
                for &(k2, v2) in doc.entries(v) {
                    let sub = doc.str(k2).map(json_name);
                    let target = match sub.as_deref() {
                        Some("tracing") => &mut config.default_providers.tracing,
                        Some("metrics") => &mut config.default_providers.metrics,
                        Some("accessLogging") => &mut config.default_providers.access_logging,
                        _ => {
                            cx.unknown(
                                k2,
                                doc.str(k2).unwrap_or(""),
                                "defaultProviders",
                                &["tracing", "metrics", "accessLogging"],
                            );
                            continue;
                        }
                    };
                    if cx.check(
                        &format!("defaultProviders.{}", sub.unwrap_or_default()),
                        v2,
                        Ty::StrList,
                    ) {
                        *target = strings(doc, v2);
                    }
                }
            }
            "extensionProviders" => apply_providers(config, cx, v),
            _ => {}
        }
    }
}

/// Enum values may be written as names or numbers.
fn enum_name(doc: &Document, node: NodeId, values: &[&str]) -> Option<String> {
    match doc.scalar(node)? {
        Scalar::Str(s) => Some(s.to_string()),
        Scalar::Int(i) => usize::try_from(i)
            .ok()
            .and_then(|i| values.get(i))
            .map(|s| s.to_string()),
        _ => None,
    }
}

fn apply_providers(config: &mut MeshConfig, cx: &mut Cx<'_>, list: NodeId) {
    let doc = cx.doc;
    let mut known = vec!["name"];
    known.extend_from_slice(PROVIDER_KINDS);
    for &item in doc.items(list) {
        if !cx.check("extensionProviders[]", item, Ty::Object) {
            continue;
        }
        let mut name = None;
        let mut kinds = Vec::new();
        for &(k, v) in doc.entries(item) {
            let key = doc.str(k).map(json_name).unwrap_or_default();
            if key == "name" {
                if cx.check("extensionProviders[].name", v, Ty::Str) {
                    name = string(doc, v);
                }
            } else if let Some(kind) = PROVIDER_KINDS.iter().find(|p| **p == key) {
                if cx.check(&format!("extensionProviders[].{kind}"), v, Ty::Object) {
                    kinds.push((*kind, k, v));
                }
            } else {
                cx.unknown(k, doc.str(k).unwrap_or(""), "extensionProviders[]", &known);
            }
        }
        let Some(name) = name else {
            let d = Diagnostic::new(&missing_field::RULE, cx.loc(item), "this extension provider has no `name`; Istio rejects the MeshConfig and keeps its defaults")
                .help("add `name: <provider-name>`")
                .resource(cx.resource.clone());
            cx.out.push(d);
            cx.rejected = true;
            continue;
        };
        if kinds.len() > 1 {
            let (_, second, _) = kinds[1];
            cx.invalid(
                second,
                format!("extension provider \"{name}\" sets more than one provider kind ({}); Istio rejects the MeshConfig and keeps its defaults", kinds.iter().map(|k| k.0).collect::<Vec<_>>().join(", ")),
                "split it into one provider per kind, each with its own name".into(),
            );
        }
        let Some(&(kind, _, body)) = kinds.first() else {
            let d = Diagnostic::new(&missing_field::RULE, cx.loc(item), format!("extension provider \"{name}\" names no provider kind; Istio rejects the MeshConfig and keeps its defaults"))
                .help(format!("add one of: {}", PROVIDER_KINDS.join(", ")))
                .resource(cx.resource.clone());
            cx.out.push(d);
            cx.rejected = true;
            continue;
        };
        let provider = ExtensionProvider {
            name: name.clone(),
            kind: kind.to_string(),
            config: Some(Raw {
                node: body,
                loc: cx.loc(body),
            }),
            loc: Some(cx.loc(item)),
        };
        // As `ApplyMeshConfig`: a configured provider replaces a built-in one of the same name.
        match config
            .extension_providers
            .iter_mut()
            .find(|p| p.name == name && p.loc.is_none())
        {
            Some(existing) => *existing = provider,
            None => config.extension_providers.push(provider),
        }
    }
}
