//! The schema compiler: Istio's CRDs (OpenAPI v3 with Kubernetes extensions) become the compact
//! shape table of `istio.json`. Descriptions are dropped, identical subtrees (and so identical
//! versions) are stored once, and every CEL rule (`x-kubernetes-validations`) is kept as written
//! in the table's rule list, referred to by the shape it sits on, and evaluated by
//! `crate::model::cel` wherever its field is present.
//!
//! `tests/schema_sync.rs` runs it over `../shared/reference/istio-crds.gen.yaml` and compares
//! the result with the committed file (`UPDATE_SCHEMA=1` rewrites it).

use std::collections::HashMap;

use super::{
    ArrShape, Count, Group, IntOrStrShape, IntShape, KindSchema, NameRule, NumShape, ObjShape,
    Prop, Shape, ShapeId, StrFormat, StrShape, Table,
};
use crate::load::yaml::{Document, NodeId, Scalar};
use crate::model::cel::Rule;

/// Deprecations the CRD descriptions do not spell out, from `istioctl analyze`'s
/// `deprecation.FieldAnalyzer` and the Istio API reference: (kind, path, what to do instead).
const DEPRECATED: &[(&str, &str, &str)] = &[
    (
        "VirtualService",
        "spec.http[].fault.delay.percent",
        "use `percentage` instead (a double, e.g. `percentage: {value: 50}`)",
    ),
    (
        "VirtualService",
        "spec.http[].mirrorPercent",
        "use `mirrorPercentage` instead (e.g. `mirrorPercentage: {value: 50}`)",
    ),
    (
        "VirtualService",
        "spec.http[].mirror_percent",
        "use `mirrorPercentage` instead (e.g. `mirrorPercentage: {value: 50}`)",
    ),
    (
        "Sidecar",
        "spec.outboundTrafficPolicy.egressProxy",
        "Istio ignores it; send external traffic through an egress gateway with a ServiceEntry and VirtualService instead",
    ),
];

/// Port fields Istio's own validation (`ValidatePort` in pkg/config/validation) restricts to
/// 1-65535 although their CRD type is a uint32: (kind, path, whether 0 means "not set").
const PORTS: &[(&str, &str, bool)] = &[
    ("Gateway", "spec.servers[].port.number", false),
    ("Gateway", "spec.servers[].port.targetPort", true),
    ("Sidecar", "spec.ingress[].port.number", false),
    ("Sidecar", "spec.ingress[].port.targetPort", true),
    ("Sidecar", "spec.egress[].port.number", false),
    ("Sidecar", "spec.egress[].port.targetPort", true),
    (
        "DestinationRule",
        "spec.trafficPolicy.portLevelSettings[].port.number",
        false,
    ),
    (
        "DestinationRule",
        "spec.subsets[].trafficPolicy.portLevelSettings[].port.number",
        false,
    ),
    (
        "DestinationRule",
        "spec.trafficPolicy.tunnel.targetPort",
        false,
    ),
    (
        "DestinationRule",
        "spec.subsets[].trafficPolicy.tunnel.targetPort",
        false,
    ),
    (
        "VirtualService",
        "spec.http[].route[].destination.port.number",
        false,
    ),
    (
        "VirtualService",
        "spec.tcp[].route[].destination.port.number",
        false,
    ),
    (
        "VirtualService",
        "spec.tls[].route[].destination.port.number",
        false,
    ),
    ("VirtualService", "spec.http[].mirror.port.number", false),
    (
        "VirtualService",
        "spec.http[].mirrors[].destination.port.number",
        false,
    ),
    ("VirtualService", "spec.http[].match[].port", true),
    ("VirtualService", "spec.tcp[].match[].port", true),
    ("VirtualService", "spec.tls[].match[].port", true),
    ("VirtualService", "spec.http[].redirect.port", true),
];

/// Where `minimumRingSize` ("Deprecated.") went.
const RING_SIZE: &str = "use `ringHash.minimumRingSize` instead";

/// Compiles every CustomResourceDefinition among `docs`.
pub fn compile(docs: &[Document]) -> Table {
    let mut c = Compiler {
        shapes: Vec::new(),
        index: HashMap::new(),
        rules: Vec::new(),
        rule_index: HashMap::new(),
    };
    let mut kinds = Vec::new();
    for doc in docs {
        let Some(root) = doc.root else { continue };
        if doc.get_str(root, "kind") != Some("CustomResourceDefinition") {
            continue;
        }
        let Some(spec) = doc.get(root, "spec") else {
            continue;
        };
        let group = doc.get_str(spec, "group").unwrap_or("").to_string();
        let kind = doc
            .get(spec, "names")
            .and_then(|n| doc.get_str(n, "kind"))
            .unwrap_or("")
            .to_string();
        let mut versions = Vec::new();
        for &v in doc.items(doc.get(spec, "versions").unwrap_or(spec)) {
            if doc
                .get(v, "served")
                .is_some_and(|s| doc.scalar(s) == Some(Scalar::Bool(false)))
            {
                continue;
            }
            let Some(name) = doc.get_str(v, "name") else {
                continue;
            };
            let Some(schema) = doc
                .get(v, "schema")
                .and_then(|s| doc.get(s, "openAPIV3Schema"))
            else {
                continue;
            };
            let root_shape = c.root(doc, schema, &kind);
            versions.push((name.to_string(), root_shape));
        }
        kinds.push(KindSchema {
            group,
            kind,
            versions,
        });
    }
    kinds.sort_by(|a, b| (&a.group, &a.kind).cmp(&(&b.group, &b.kind)));
    Table {
        shapes: c.shapes,
        kinds,
        rules: c.rules,
    }
}

/// The committed text of a table: one kind or shape per line, so diffs stay readable.
pub fn to_json(table: &Table) -> String {
    let mut out = String::from("{\"kinds\":[\n");
    for (i, k) in table.kinds.iter().enumerate() {
        out.push_str(&serde_json::to_string(k).unwrap_or_default());
        out.push_str(if i + 1 < table.kinds.len() {
            ",\n"
        } else {
            "\n"
        });
    }
    out.push_str("],\"shapes\":[\n");
    for (i, s) in table.shapes.iter().enumerate() {
        out.push_str(&serde_json::to_string(s).unwrap_or_default());
        out.push_str(if i + 1 < table.shapes.len() {
            ",\n"
        } else {
            "\n"
        });
    }
    out.push_str("],\"rules\":[\n");
    for (i, r) in table.rules.iter().enumerate() {
        out.push_str(&serde_json::to_string(r).unwrap_or_default());
        out.push_str(if i + 1 < table.rules.len() {
            ",\n"
        } else {
            "\n"
        });
    }
    out.push_str("]}\n");
    out
}

/// Loads a CRD file with meshlint's own loader and compiles it to the committed text.
pub fn compile_file(path: &str) -> Result<String, String> {
    let loaded = crate::load::load(
        &[path.to_string()],
        &mut || Ok(Vec::new()),
        &crate::load::LoadOptions::default(),
    )
    .map_err(|e| e.to_string())?;
    if let Some(d) = loaded.diagnostics.first() {
        return Err(format!("{path}: {}", d.message));
    }
    Ok(to_json(&compile(&loaded.documents)))
}

struct Compiler {
    shapes: Vec<Shape>,
    /// Hash-consing: the JSON of a shape → its id.
    index: HashMap<String, ShapeId>,
    /// Every CEL rule, once.
    rules: Vec<Rule>,
    rule_index: HashMap<Rule, u32>,
}

/// The CEL rules of a schema node, as written.
fn rules(doc: &Document, node: NodeId) -> Vec<Rule> {
    let Some(list) = doc.get(node, "x-kubernetes-validations") else {
        return Vec::new();
    };
    doc.items(list)
        .iter()
        .filter_map(|&r| {
            Some(Rule {
                rule: doc.get_str(r, "rule")?.to_string(),
                message: doc.get_str(r, "message").unwrap_or("").to_string(),
                message_expression: doc.get_str(r, "messageExpression").map(str::to_string),
            })
        })
        .collect()
}

fn flag(doc: &Document, node: NodeId, key: &str) -> bool {
    doc.get(node, key)
        .is_some_and(|v| doc.scalar(v) == Some(Scalar::Bool(true)))
}

fn int(doc: &Document, node: NodeId, key: &str) -> Option<i64> {
    match doc.scalar(doc.get(node, key)?)? {
        Scalar::Int(i) => i64::try_from(i).ok(),
        Scalar::Float(f) if f.fract() == 0.0 && f.abs() < 9e18 => Some(f as i64),
        _ => None,
    }
}

fn float(doc: &Document, node: NodeId, key: &str) -> Option<f64> {
    match doc.scalar(doc.get(node, key)?)? {
        Scalar::Int(i) => Some(i as f64),
        Scalar::Float(f) => Some(f),
        _ => None,
    }
}

fn strings(doc: &Document, node: NodeId, key: &str) -> Vec<String> {
    doc.get(node, key)
        .map(|l| {
            doc.items(l)
                .iter()
                .filter_map(|&i| doc.str(i).map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

impl Compiler {
    /// The indices of a node's CEL rules in the table's rule list.
    fn cel(&mut self, doc: &Document, node: NodeId) -> Vec<u32> {
        rules(doc, node)
            .into_iter()
            .map(|r| {
                if let Some(&i) = self.rule_index.get(&r) {
                    return i;
                }
                let i = self.rules.len() as u32;
                self.rules.push(r.clone());
                self.rule_index.insert(r, i);
                i
            })
            .collect()
    }

    fn intern(&mut self, shape: Shape) -> ShapeId {
        let key = serde_json::to_string(&shape).unwrap_or_default();
        if let Some(&id) = self.index.get(&key) {
            return id;
        }
        let id = self.shapes.len() as ShapeId;
        self.shapes.push(shape);
        self.index.insert(key, id);
        id
    }

    /// The root of a kind: the CRD's schema plus the fields every object has.
    fn root(&mut self, doc: &Document, schema: NodeId, kind: &str) -> ShapeId {
        let shape = self.node(doc, schema, kind, "");
        let mut root = match self.shapes[shape as usize].clone() {
            Shape::Obj(o) => o,
            _ => ObjShape::default(),
        };
        let str = self.intern(Shape::Str(StrShape::default()));
        let meta = self.intern(Shape::Meta(NameRule::Subdomain));
        root.props
            .retain(|p| !matches!(p.name.as_str(), "apiVersion" | "kind" | "metadata"));
        for (name, s) in [("apiVersion", str), ("kind", str), ("metadata", meta)] {
            root.props.push(Prop {
                name: name.into(),
                shape: s,
                deprecated: None,
            });
        }
        root.props.sort_by(|a, b| a.name.cmp(&b.name));
        self.intern(Shape::Obj(root))
    }

    fn node(&mut self, doc: &Document, node: NodeId, kind: &str, path: &str) -> ShapeId {
        let cel = self.cel(doc, node);
        if flag(doc, node, "x-kubernetes-int-or-string") {
            return self.intern(Shape::IntOrStr(IntOrStrShape {
                cel,
                ..IntOrStrShape::default()
            }));
        }
        let mut shape = match doc.get_str(node, "type") {
            Some("object") => self.object(doc, node, kind, path),
            Some("array") => self.array(doc, node, kind, path),
            Some("string") => self.string(doc, node),
            Some("integer") => self.integer(doc, node, kind, path, !cel.is_empty()),
            Some("number") => Shape::Num(NumShape {
                min: float(doc, node, "minimum"),
                max: float(doc, node, "maximum"),
                cel: Vec::new(),
            }),
            Some("boolean") => Shape::Bool,
            _ if doc.get(node, "properties").is_some() => self.object(doc, node, kind, path),
            _ => Shape::Any,
        };
        if !cel.is_empty() {
            match &mut shape {
                Shape::Obj(o) => o.cel = cel,
                Shape::Arr(a) => a.cel = cel,
                Shape::Str(s) => s.cel = cel,
                Shape::Int(i) => i.cel = cel,
                Shape::Num(n) => n.cel = cel,
                Shape::IntOrStr(i) => i.cel = cel,
                // No CRD puts a rule on a boolean or an untyped node; should one, it is evaluated
                // on nothing, and `tests/cel_rules.rs` (a finding for every rule) fails.
                Shape::Bool | Shape::Any | Shape::Meta(_) => {}
            }
        }
        self.intern(shape)
    }

    fn object(&mut self, doc: &Document, node: NodeId, kind: &str, path: &str) -> Shape {
        let open = flag(doc, node, "x-kubernetes-preserve-unknown-fields");
        let mut o = ObjShape {
            open,
            ..ObjShape::default()
        };
        if let Some(props) = doc.get(node, "properties") {
            for &(k, v) in doc.entries(props) {
                let Some(name) = doc.str(k) else { continue };
                let child_path = if path.is_empty() {
                    name.to_string()
                } else {
                    format!("{path}.{name}")
                };
                let shape = self.node(doc, v, kind, &child_path);
                let deprecated = DEPRECATED
                    .iter()
                    .find(|(k, p, _)| *k == kind && *p == child_path)
                    .map(|(_, _, note)| note.to_string())
                    .or_else(|| {
                        let description = doc.get_str(v, "description")?;
                        let rest = description.strip_prefix("Deprecated")?;
                        let rest = rest.trim_start_matches([':', '.']).trim();
                        Some(if name == "minimumRingSize" {
                            RING_SIZE.to_string()
                        } else if rest.is_empty() {
                            "it is deprecated; see the Istio API reference for its replacement"
                                .to_string()
                        } else {
                            rest.to_string()
                        })
                    });
                o.props.push(Prop {
                    name: name.to_string(),
                    shape,
                    deprecated,
                });
            }
        }
        o.props.sort_by(|a, b| a.name.cmp(&b.name));
        o.required = strings(doc, node, "required");
        if let Some(additional) = doc.get(node, "additionalProperties") {
            if doc.is_map(additional) {
                o.values = Some(self.node(doc, additional, kind, &format!("{path}{{}}")));
            } else if doc.scalar(additional) == Some(Scalar::Bool(true)) {
                o.open = true;
            }
        }
        if o.open && o.props.is_empty() && o.values.is_none() {
            return Shape::Any;
        }
        o.min_props = int(doc, node, "minProperties").map(|v| v as u32);
        o.max_props = int(doc, node, "maxProperties").map(|v| v as u32);
        self.one_of_groups(doc, node, &mut o.groups);
        if let Some(all) = doc.get(node, "allOf") {
            for &branch in doc.items(all) {
                self.one_of_groups(doc, branch, &mut o.groups);
            }
        }
        Shape::Obj(o)
    }

    /// `oneOf: [not: {anyOf: [required: [a], ...]}, required: [a], ...]` is "at most one of";
    /// without the `not` branch it is "exactly one of".
    fn one_of_groups(&mut self, doc: &Document, node: NodeId, groups: &mut Vec<Group>) {
        let Some(one_of) = doc.get(node, "oneOf") else {
            return;
        };
        let mut fields = Vec::new();
        let mut none_allowed = false;
        for &branch in doc.items(one_of) {
            if doc.get(branch, "not").is_some() {
                none_allowed = true;
                continue;
            }
            let required = strings(doc, branch, "required");
            if required.len() != 1 || doc.entries(branch).len() != 1 {
                return; // a form this compiler does not know: check nothing rather than guess
            }
            fields.extend(required);
        }
        if fields.len() > 1 || (!none_allowed && !fields.is_empty()) {
            let count = if none_allowed {
                Count::AtMostOne
            } else {
                Count::ExactlyOne
            };
            groups.push(Group {
                fields,
                count,
                message: None,
            });
        }
    }

    fn array(&mut self, doc: &Document, node: NodeId, kind: &str, path: &str) -> Shape {
        let items = match doc.get(node, "items") {
            Some(items) => self.node(doc, items, kind, &format!("{path}[]")),
            None => self.intern(Shape::Any),
        };
        let mut unique = Vec::new();
        if doc.get_str(node, "x-kubernetes-list-type") == Some("map") {
            unique.push(strings(doc, node, "x-kubernetes-list-map-keys"));
        }
        Shape::Arr(ArrShape {
            items,
            min: int(doc, node, "minItems").map(|v| v as u32),
            max: int(doc, node, "maxItems").map(|v| v as u32),
            unique,
            required_if_many: Vec::new(),
            cel: Vec::new(),
        })
    }

    fn string(&mut self, doc: &Document, node: NodeId) -> Shape {
        let s = StrShape {
            values: strings(doc, node, "enum"),
            min_len: int(doc, node, "minLength").map(|v| v as u32),
            max_len: int(doc, node, "maxLength").map(|v| v as u32),
            pattern: doc.get_str(node, "pattern").map(str::to_string),
            format: match doc.get_str(node, "format") {
                Some("byte") => Some(StrFormat::Byte),
                Some("date-time") => Some(StrFormat::DateTime),
                _ => None,
            },
            rules: Vec::new(),
            cel: Vec::new(),
        };
        Shape::Str(s)
    }

    /// `has_cel`: the CRD checks the field with a CEL rule, which then decides (Istio's port
    /// checks of `PORTS` apply to the fields without one).
    fn integer(
        &mut self,
        doc: &Document,
        node: NodeId,
        kind: &str,
        path: &str,
        has_cel: bool,
    ) -> Shape {
        let mut i = IntShape {
            min: int(doc, node, "minimum"),
            max: int(doc, node, "maximum"),
            port: false,
            cel: Vec::new(),
        };
        let (lo, hi) = match doc.get_str(node, "format") {
            Some("int32") => (Some(i32::MIN as i64), Some(i32::MAX as i64)),
            Some("uint32") => (Some(0), Some(u32::MAX as i64)),
            _ => (None, None),
        };
        i.min = i.min.max(lo);
        i.max = match (i.max, hi) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if let Some(&(_, _, zero_ok)) = PORTS
            .iter()
            .find(|(k, p, _)| !has_cel && *k == kind && *p == path)
        {
            i.min = Some(if zero_ok { 0 } else { 1 });
            i.max = Some(65535);
            i.port = !zero_ok;
        }
        Shape::Int(i)
    }
}
