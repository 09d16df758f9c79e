//! The typed model agrees with Istio's CRD schemas.
//!
//! For every Istio kind meshlint types, the typed struct of its `spec` is walked alongside the
//! CRD's OpenAPI schema (`../shared/reference/istio-crds.gen.yaml`, read with meshlint's own
//! loader) for every served version:
//! - every key a typed struct declares must exist in the schema at the same path, and its shape
//!   (mapping, list, map, scalar) must agree with the schema's type: this fails the test;
//! - every schema property the typed layer does not cover is listed (they stay reachable with
//!   spans through `Model::field`, and the schema validator knows them all): this is a report.

use std::collections::BTreeSet;
use std::path::Path;

use meshlint::load::yaml::{Document, NodeId};
use meshlint::load::{self, LoadOptions};
use meshlint::model::node::{HasShape, Shape};
use meshlint::model::{networking, other, security};

const CRDS: &str = "../shared/reference/istio-crds.gen.yaml";

/// Every typed Istio kind and the shape of its `spec`.
fn typed_kinds() -> Vec<(&'static str, &'static str, Shape)> {
    vec![
        (
            "networking.istio.io",
            "VirtualService",
            networking::VirtualService::shape(),
        ),
        (
            "networking.istio.io",
            "DestinationRule",
            networking::DestinationRule::shape(),
        ),
        (
            "networking.istio.io",
            "Gateway",
            networking::Gateway::shape(),
        ),
        (
            "networking.istio.io",
            "ServiceEntry",
            networking::ServiceEntry::shape(),
        ),
        (
            "networking.istio.io",
            "Sidecar",
            networking::Sidecar::shape(),
        ),
        (
            "networking.istio.io",
            "WorkloadEntry",
            networking::WorkloadEntry::shape(),
        ),
        (
            "networking.istio.io",
            "WorkloadGroup",
            networking::WorkloadGroup::shape(),
        ),
        (
            "networking.istio.io",
            "EnvoyFilter",
            networking::EnvoyFilter::shape(),
        ),
        (
            "networking.istio.io",
            "ProxyConfig",
            networking::ProxyConfig::shape(),
        ),
        (
            "security.istio.io",
            "PeerAuthentication",
            security::PeerAuthentication::shape(),
        ),
        (
            "security.istio.io",
            "RequestAuthentication",
            security::RequestAuthentication::shape(),
        ),
        (
            "security.istio.io",
            "AuthorizationPolicy",
            security::AuthorizationPolicy::shape(),
        ),
        ("telemetry.istio.io", "Telemetry", other::Telemetry::shape()),
        (
            "extensions.istio.io",
            "WasmPlugin",
            other::WasmPlugin::shape(),
        ),
        // Not typed: only its CRD schema (and CEL rules) validate it.
        ("extensions.istio.io", "TrafficExtension", Shape::Raw),
    ]
}

#[derive(Default)]
struct Report {
    /// Typed keys missing from the schema, or whose shape disagrees with it.
    errors: Vec<String>,
    /// Schema property paths the typed layer does not model.
    uncovered: BTreeSet<String>,
    /// Schema property paths held as `Raw` (typed as an untyped subtree).
    raw: BTreeSet<String>,
    /// Typed keys checked.
    typed: usize,
}

/// The schema's `type`, if any.
fn schema_type(doc: &Document, schema: NodeId) -> Option<&str> {
    doc.get_str(schema, "type")
}

fn preserves_unknown(doc: &Document, schema: NodeId) -> bool {
    doc.get_str(schema, "x-kubernetes-preserve-unknown-fields") == Some("true")
}

fn compare(doc: &Document, shape: Shape, schema: NodeId, path: &str, report: &mut Report) {
    let ty = schema_type(doc, schema);
    match shape {
        Shape::Raw => {
            report.raw.insert(path.to_string());
        }
        Shape::Scalar => {
            let int_or_string = doc.get_str(schema, "x-kubernetes-int-or-string") == Some("true");
            if !int_or_string && !matches!(ty, Some("string" | "integer" | "number" | "boolean")) {
                report
                    .errors
                    .push(format!("{path}: typed as a scalar, the schema says {ty:?}"));
            }
        }
        Shape::List(inner) => {
            if ty != Some("array") {
                report
                    .errors
                    .push(format!("{path}: typed as a list, the schema says {ty:?}"));
                return;
            }
            match doc.get(schema, "items") {
                Some(items) => compare(doc, inner(), items, &format!("{path}[]"), report),
                None => report
                    .errors
                    .push(format!("{path}: the schema's array has no items")),
            }
        }
        Shape::Map(inner) => {
            if ty != Some("object") || doc.get(schema, "properties").is_some() {
                report.errors.push(format!("{path}: typed as a string-keyed map, the schema has fixed properties or type {ty:?}"));
                return;
            }
            match doc.get(schema, "additionalProperties") {
                Some(values) if doc.is_map(values) => {
                    compare(doc, inner(), values, &format!("{path}.*"), report)
                }
                _ if preserves_unknown(doc, schema) => {}
                _ => report.errors.push(format!(
                    "{path}: typed as a map, the schema has no additionalProperties"
                )),
            }
        }
        Shape::Struct(name, fields) => {
            if ty != Some("object") {
                report.errors.push(format!(
                    "{path}: typed as {name} (a mapping), the schema says {ty:?}"
                ));
                return;
            }
            let Some(props) = doc.get(schema, "properties") else {
                // A free-form object (`google.protobuf.Struct`, e.g. an EnvoyFilter patch value)
                // may have a few well-known keys typed.
                if preserves_unknown(doc, schema) {
                    return;
                }
                report.errors.push(format!(
                    "{path}: typed as {name}, the schema has no properties"
                ));
                return;
            };
            let mut known = BTreeSet::new();
            for field in fields {
                report.typed += 1;
                known.insert(field.key);
                let sub = join(path, field.key);
                match doc.get(props, field.key) {
                    Some(prop) => compare(doc, (field.shape)(), prop, &sub, report),
                    None => report.errors.push(format!(
                        "{sub}: key \"{}\" of {name} is not in the schema",
                        field.key
                    )),
                }
            }
            for &(k, _) in doc.entries(props) {
                let key = doc.str(k).unwrap_or("");
                if !known.contains(key) {
                    report.uncovered.insert(join(path, key));
                }
            }
        }
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// `(group, kind, version) → spec schema` for every CRD version in the file.
fn spec_schemas(doc: &Document) -> Vec<(String, String, String, NodeId)> {
    let mut out = Vec::new();
    let Some(root) = doc.root else { return out };
    if doc.get_str(root, "kind") != Some("CustomResourceDefinition") {
        return out;
    }
    let Some(spec) = doc.get(root, "spec") else {
        return out;
    };
    let group = doc.get_str(spec, "group").unwrap_or("").to_string();
    let kind = doc
        .get(spec, "names")
        .and_then(|n| doc.get_str(n, "kind"))
        .unwrap_or("")
        .to_string();
    for &version in doc.get(spec, "versions").map_or(&[][..], |v| doc.items(v)) {
        let name = doc.get_str(version, "name").unwrap_or("").to_string();
        let schema = doc
            .get(version, "schema")
            .and_then(|s| doc.get(s, "openAPIV3Schema"))
            .and_then(|s| doc.get(s, "properties"))
            .and_then(|p| doc.get(p, "spec"));
        if let Some(schema) = schema {
            out.push((group.clone(), kind.clone(), name, schema));
        }
    }
    out
}

fn load_crds() -> Option<load::Loaded> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(CRDS);
    if !path.exists() {
        eprintln!("notice: {CRDS} is absent; the model/schema agreement test is skipped");
        return None;
    }
    let loaded = load::load(
        &[path.to_string_lossy().into_owned()],
        &mut || Ok(Vec::new()),
        &LoadOptions::default(),
    )
    .expect("the CRD file loads");
    assert!(
        loaded.diagnostics.is_empty(),
        "the CRD file has YAML problems: {:?}",
        loaded.diagnostics
    );
    Some(loaded)
}

#[test]
fn typed_model_agrees_with_the_crd_schemas() {
    let Some(loaded) = load_crds() else { return };
    let schemas: Vec<(String, String, String, NodeId, &Document)> = loaded
        .documents
        .iter()
        .flat_map(|doc| {
            spec_schemas(doc)
                .into_iter()
                .map(move |(g, k, v, s)| (g, k, v, s, doc))
        })
        .collect();

    // Every non-legacy Istio kind meshlint knows is in the table above.
    for info in meshlint::model::kinds::KINDS {
        if info.group.ends_with("istio.io") && info.legacy.is_none() {
            assert!(
                typed_kinds()
                    .iter()
                    .any(|(g, k, _)| *g == info.group && *k == info.kind),
                "{}/{} is not checked against its schema: add it to typed_kinds()",
                info.group,
                info.kind
            );
        }
    }

    let mut errors = Vec::new();
    let mut summary = Vec::new();
    for (group, kind, shape) in typed_kinds() {
        let versions: Vec<_> = schemas
            .iter()
            .filter(|(g, k, ..)| g == group && k == kind)
            .collect();
        assert!(!versions.is_empty(), "{group}/{kind}: no CRD in {CRDS}");
        // Every served version meshlint accepts must be in the CRD file, and vice versa.
        let info = meshlint::model::KindId::by_name(group, kind)
            .expect("known kind")
            .info();
        let crd_versions: BTreeSet<&str> =
            versions.iter().map(|(_, _, v, ..)| v.as_str()).collect();
        let our_versions: BTreeSet<&str> = info.versions.iter().copied().collect();
        assert_eq!(
            our_versions, crd_versions,
            "{group}/{kind}: served versions differ from the CRD"
        );

        let mut uncovered = BTreeSet::new();
        let mut raw = BTreeSet::new();
        let mut typed = 0;
        for (_, _, version, schema, doc) in versions {
            let mut report = Report::default();
            compare(doc, shape, *schema, "spec", &mut report);
            errors.extend(
                report
                    .errors
                    .into_iter()
                    .map(|e| format!("{kind} {version}: {e}")),
            );
            uncovered.extend(report.uncovered);
            raw.extend(report.raw);
            typed = typed.max(report.typed);
        }
        summary.push((kind, typed, raw, uncovered));
    }

    // The coverage report: what the typed layer leaves to `Model::field` and the validator.
    println!("typed-model coverage against {CRDS}:");
    for (kind, typed, raw, uncovered) in &summary {
        println!(
            "  {kind}: {typed} typed keys, {} Raw subtrees, {} schema properties not typed",
            raw.len(),
            uncovered.len()
        );
        for path in uncovered {
            println!("    not typed: {path}");
        }
        for path in raw {
            println!("    raw:       {path}");
        }
    }
    let not_modelled: BTreeSet<String> = schemas
        .iter()
        .filter(|(g, k, ..)| !typed_kinds().iter().any(|(tg, tk, _)| tg == g && tk == k))
        .map(|(g, k, ..)| format!("{g}/{k}"))
        .collect();
    println!("  kinds in the CRD file without a typed model: {not_modelled:?}");

    assert!(
        errors.is_empty(),
        "typed keys that disagree with the CRD schemas:\n{}",
        errors.join("\n")
    );
}

meshlint::node_struct! {
    /// A struct with a key that VirtualService's schema lacks and a shape that disagrees.
    pub struct BogusVirtualService {
        "hosts" => hosts: thin_vec::ThinVec<meshlint::model::Spanned<String>>,
        "gateway" => gateway: thin_vec::ThinVec<meshlint::model::Spanned<String>>,
        "http" => http: Option<meshlint::model::Spanned<String>>,
    }
}

#[test]
fn the_comparison_catches_wrong_keys_and_shapes() {
    let Some(loaded) = load_crds() else { return };
    let (doc, schema) = loaded
        .documents
        .iter()
        .find_map(|doc| {
            spec_schemas(doc)
                .into_iter()
                .find(|(_, k, v, _)| k == "VirtualService" && v == "v1")
                .map(|s| (doc, s.3))
        })
        .expect("VirtualService v1 in the CRD file");
    let mut report = Report::default();
    compare(
        doc,
        BogusVirtualService::shape(),
        schema,
        "spec",
        &mut report,
    );
    assert_eq!(report.errors.len(), 2, "{:?}", report.errors);
    assert!(
        report.errors[0].contains("spec.gateway"),
        "{:?}",
        report.errors
    );
    assert!(
        report.errors[1].contains("spec.http: typed as a scalar"),
        "{:?}",
        report.errors
    );
    assert!(
        report.uncovered.contains("spec.gateways") && report.uncovered.contains("spec.exportTo")
    );
}
