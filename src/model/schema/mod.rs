//! Schema validation of every field of every modelled kind.
//!
//! Shapes live in one flat table (`Schema::shapes`); children are indices into it, so identical
//! subtrees are stored once. The Istio part of the table is compiled from the CRDs' OpenAPI v3
//! schemas (`compile`, run by `tests/schema_sync.rs`) into the committed `istio.json`, embedded
//! here and parsed once on first use. The Kubernetes and Gateway API kinds are written by hand
//! in `k8s` with the same shapes and appended to the table at start-up.
//!
//! `validate` walks a resource's YAML arena against its shape and reports `unknown-field`,
//! `invalid-value`, `missing-field` and `deprecated-field`.

pub(crate) mod cel_value;
pub mod compile;
pub mod formats;
pub mod k8s;
pub(crate) mod walk;

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::diag::Diagnostic;
use crate::load::yaml::{Document, NodeId};
use crate::model::{KindId, Meta};

/// Index into `Schema::shapes`.
pub type ShapeId = u32;

/// What a value may be. Unknown keywords are not represented: the validator only checks what it
/// can check exactly. CEL rules are kept as written and evaluated (`crate::model::cel`).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// Anything (`x-kubernetes-preserve-unknown-fields` without properties, or no type).
    Any,
    Bool,
    Int(IntShape),
    Num(NumShape),
    Str(StrShape),
    /// `x-kubernetes-int-or-string`.
    IntOrStr(IntOrStrShape),
    Arr(ArrShape),
    Obj(ObjShape),
    /// `metadata` of an object: Kubernetes' ObjectMeta, whose name follows `NameRule`. Resolved
    /// to the hand-written ObjectMeta shape at run time.
    Meta(NameRule),
}

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Default)]
pub struct IntShape {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    /// A port number (the CEL rule `0 < self && self <= 65535`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub port: bool,
    /// The CRD's CEL rules on this node: indices into `Table::rules`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cel: Vec<u32>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Default)]
pub struct NumShape {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// The CRD's CEL rules on this node: indices into `Table::rules`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cel: Vec<u32>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Default)]
pub struct StrShape {
    #[serde(rename = "enum", default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_len: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_len: Option<u32>,
    /// An ECMA/RE2 pattern the whole value must match (OpenAPI `pattern` is a search, so the
    /// CRD's anchors are kept as written).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<StrFormat>,
    /// Checks written by hand (the Kubernetes kinds), with their message.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<StrRule>,
    /// The CRD's CEL rules on this node: indices into `Table::rules`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cel: Vec<u32>,
}

/// Formats checked exactly (see `formats`).
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum StrFormat {
    /// A Go duration (`1h2m3.5s`), at least 1ms (Istio's `duration(self) >= duration('1ms')`).
    Duration,
    /// Gateway API duration: `^([0-9]{1,5}(h|m|s|ms)){1,4}$`.
    GatewayDuration,
    /// Base64 (`format: byte`).
    Byte,
    /// RFC 3339 (`format: date-time`).
    DateTime,
    Dns1123Label,
    Dns1123Subdomain,
    Dns1035Label,
    /// A label value: empty or up to 63 of `[A-Za-z0-9_.-]`, alphanumeric at both ends.
    LabelValue,
    /// A label or annotation key: `[prefix/]name`.
    QualifiedName,
    /// A named port (`IANA_SVC_NAME`): up to 15 of `[a-z0-9-]`, with a letter.
    IanaSvcName,
    /// A port number written as a string (map keys such as `portLevelMtls`).
    PortNumber,
    /// A ConfigMap or Secret key: `[-._a-zA-Z0-9]+`.
    ConfigKey,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum StrRule {
    /// `!self.contains("*")`
    NoWildcard(String),
    /// `self != "<value>"`: (value, message)
    Not(String, String),
    /// `self.size() == 0`
    Empty(String),
    /// `url(self).getScheme() in [...]`: (schemes, message)
    Scheme(Vec<String>, String),
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Default)]
pub struct IntOrStrShape {
    /// A port: integers 1-65535, strings a port name (`IANA_SVC_NAME`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub port: bool,
    /// The CRD's CEL rules on this node: indices into `Table::rules`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cel: Vec<u32>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct ArrShape {
    pub items: ShapeId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<u32>,
    /// Sets of keys by which items must be unique (`x-kubernetes-list-type: map` keys, the CEL
    /// rule `self.all(l1, self.exists_one(l2, l1.k == l2.k))`); each set has one or two keys.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unique: Vec<Vec<String>>,
    /// Fields every item needs once the list has more than one item (a Service's port names).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required_if_many: Vec<String>,
    /// The CRD's CEL rules on this node: indices into `Table::rules`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cel: Vec<u32>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Default)]
pub struct ObjShape {
    /// Sorted by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub props: Vec<Prop>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required: Vec<String>,
    /// The shape of values of keys not in `props` (`additionalProperties`); `None` with
    /// `open == false` means other keys are unknown fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<ShapeId>,
    /// The shape of keys of a map (a `Str` shape).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keys: Option<ShapeId>,
    /// `x-kubernetes-preserve-unknown-fields`: other keys are allowed and not checked.
    #[serde(default, skip_serializing_if = "is_false")]
    pub open: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_props: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_props: Option<u32>,
    /// Constraints between fields (`oneOf` of `required`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<Group>,
    /// The CRD's CEL rules on this node: indices into `Table::rules`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cel: Vec<u32>,
}

impl ObjShape {
    pub fn prop(&self, name: &str) -> Option<&Prop> {
        // Most objects have a handful of fields: comparing lengths first skips nearly every
        // `memcmp` a binary search would make (it was 4% of a run's time).
        if self.props.len() <= 16 {
            return self
                .props
                .iter()
                .find(|p| p.name.len() == name.len() && p.name == name);
        }
        self.props
            .binary_search_by(|p| p.name.as_str().cmp(name))
            .ok()
            .map(|i| &self.props[i])
    }
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Prop {
    #[serde(rename = "n")]
    pub name: String,
    #[serde(rename = "s")]
    pub shape: ShapeId,
    /// Set when the field is deprecated: what to do instead.
    #[serde(rename = "d", default, skip_serializing_if = "Option::is_none")]
    pub deprecated: Option<String>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Group {
    pub fields: Vec<String>,
    pub count: Count,
    /// The CRD's own message, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Count {
    AtMostOne,
    ExactlyOne,
    AtLeastOne,
}

/// How `metadata.name` is validated.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum NameRule {
    /// Most kinds, custom resources included.
    Subdomain,
    /// Namespaces.
    Label,
    /// Services.
    Dns1035,
    /// Pod templates: no name required, none checked.
    Template,
}

/// One kind's shapes by served version.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct KindSchema {
    pub group: String,
    pub kind: String,
    /// Version → root shape; identical versions share one root.
    pub versions: Vec<(String, ShapeId)>,
}

/// The serialized form of `istio.json`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub shapes: Vec<Shape>,
    pub kinds: Vec<KindSchema>,
    /// Every CEL rule of the CRDs, once; shapes refer to them by index.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<crate::model::cel::Rule>,
}

/// The table every validation uses.
#[derive(Debug)]
pub struct Schema {
    pub shapes: Vec<Shape>,
    kinds: Vec<KindSchema>,
    /// The CEL rules the shapes refer to, compiled on first use.
    pub rules: crate::model::cel::Rules,
    /// ObjectMeta by `NameRule` (indexed by `NameRule as usize`).
    meta: [ShapeId; 4],
}

/// The compiled Istio schemas (regenerate with `UPDATE_SCHEMA=1 cargo test --test schema_sync`).
pub const ISTIO_JSON: &str = include_str!("istio.json");

static SCHEMA: OnceLock<Schema> = OnceLock::new();

impl Schema {
    /// The schema, parsed on first use.
    pub fn get() -> &'static Schema {
        SCHEMA.get_or_init(|| {
            Schema::from_table(serde_json::from_str(ISTIO_JSON).unwrap_or_default())
        })
    }

    /// Appends the hand-written Kubernetes and Gateway API kinds to a compiled table.
    pub fn from_table(table: Table) -> Schema {
        let mut b = k8s::Builder {
            shapes: table.shapes,
        };
        let meta = k8s::object_metas(&mut b);
        let mut kinds = table.kinds;
        for (group, kind, versions, root) in k8s::kinds(&mut b) {
            kinds.retain(|k| !(k.group == group && k.kind == kind));
            kinds.push(KindSchema {
                group: group.to_string(),
                kind: kind.to_string(),
                versions: versions.iter().map(|v| (v.to_string(), root)).collect(),
            });
        }
        let shapes = b.shapes;
        // A table that refers outside itself would panic in the walker: keep only sound ones.
        let len = shapes.len() as u32;
        let sound = shapes.iter().all(|s| children(s).all(|c| c < len))
            && meta.iter().all(|&m| m < len)
            && kinds
                .iter()
                .flat_map(|k| &k.versions)
                .all(|&(_, r)| r < len);
        if !sound {
            return Schema {
                shapes: vec![Shape::Any],
                kinds: Vec::new(),
                rules: crate::model::cel::Rules::new(Vec::new()),
                meta: [0; 4],
            };
        }
        Schema {
            shapes,
            kinds,
            rules: crate::model::cel::Rules::new(table.rules),
            meta,
        }
    }

    pub fn shape(&self, id: ShapeId) -> &Shape {
        &self.shapes[id as usize]
    }

    /// The root shape of a kind at a version.
    pub fn root(&self, group: &str, kind: &str, version: &str) -> Option<ShapeId> {
        // Kinds are few: a scan is as fast as a hash lookup and allocates nothing.
        self.kinds
            .iter()
            .find(|k| k.group == group && k.kind == kind)
            .and_then(|k| {
                k.versions
                    .iter()
                    .find(|(v, _)| v == version)
                    .map(|&(_, r)| r)
            })
    }

    pub fn meta(&self, rule: NameRule) -> ShapeId {
        self.meta[rule as usize]
    }

    /// Every (group, kind) with a schema.
    pub fn kinds(&self) -> impl Iterator<Item = (&str, &str)> {
        self.kinds
            .iter()
            .map(|k| (k.group.as_str(), k.kind.as_str()))
    }
}

fn children(shape: &Shape) -> impl Iterator<Item = ShapeId> + '_ {
    let (a, b): (Vec<ShapeId>, Option<ShapeId>) = match shape {
        Shape::Arr(a) => (vec![a.items], None),
        Shape::Obj(o) => (
            o.props.iter().map(|p| p.shape).chain(o.keys).collect(),
            o.values,
        ),
        _ => (Vec::new(), None),
    };
    a.into_iter().chain(b)
}

/// Validates one object (`root`, the mapping with `apiVersion` and `kind`) against the schema
/// of its kind and version; findings go to `out`.
pub fn validate(
    doc: &Document,
    root: NodeId,
    kind: KindId,
    version: &str,
    meta: &Meta,
    out: &mut Vec<Diagnostic>,
) {
    let info = kind.info();
    let schema = Schema::get();
    let Some(shape) = schema.root(info.group, info.kind, version) else {
        return;
    };
    walk::validate(schema, doc, root, shape, info.kind, meta, out);
}

#[cfg(test)]
mod tests;
