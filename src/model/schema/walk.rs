//! The validator: walks a resource's YAML arena against its shape.
//!
//! Values are read the way the API server reads them after `kubectl` turns YAML into JSON:
//! null means "not set" (Kubernetes prunes it), a whole float is an integer, quoted text is a
//! string. Each node is reported at most once, aliases are walked once per shape, and nothing
//! allocates on the happy path except the path stack (one per resource).

mod go;

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use regex::Regex;

use cel::Value as CelValue;
use cel::objects::Key as CelKey;

use super::{
    ArrShape, Count, IntShape, NumShape, ObjShape, Schema, Shape, ShapeId, StrRule, StrShape,
};
use super::{cel_value, formats};
use crate::catalog::{deprecated_field, invalid_value, missing_field, unknown_field};
use crate::diag::{Diagnostic, Severity, did_you_mean};
use crate::load::yaml::{Document, NodeId, Scalar, Style, Value};
use crate::model::cel::{Rules, Verdict};
use crate::model::{Meta, resource_ref};
use crate::source::{Loc, Span};

/// Fields that were removed from an API, with what replaced them: (kind, field, help).
const REMOVED: &[(&str, &str, &str)] = &[
    (
        "EnvoyFilter",
        "workloadLabels",
        "`workloadLabels` was removed from EnvoyFilter; use `workloadSelector: {labels: ...}`",
    ),
    (
        "EnvoyFilter",
        "filters",
        "`filters` was removed from EnvoyFilter; rewrite them as `configPatches`",
    ),
    (
        "Service",
        "topologyKeys",
        "`topologyKeys` was removed in Kubernetes 1.22; use `trafficDistribution` or topology-aware routing",
    ),
];

#[derive(Clone, Copy)]
enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

struct Walker<'a> {
    schema: &'a Schema,
    doc: &'a Document,
    kind: &'static str,
    meta: &'a Meta,
    out: &'a mut Vec<Diagnostic>,
    path: Vec<Seg<'a>>,
    /// Object shapes from the root down to the current node, each with the length of `path`
    /// where it sits, for indentation hints.
    ancestors: Vec<(&'a ObjShape, usize)>,
    /// (alias target, shape) pairs already walked.
    visited: HashSet<(NodeId, ShapeId)>,
    /// Nodes already reported.
    reported: HashSet<NodeId>,
    /// (object, field) pairs already reported missing (an anchored object may be aliased).
    missing: HashSet<(NodeId, String)>,
    /// Nodes reported for a broken CEL rule: the index of the finding in `out`.
    cel_reported: HashMap<NodeId, usize>,
}

pub(super) fn validate(
    schema: &Schema,
    doc: &Document,
    root: NodeId,
    shape: ShapeId,
    kind: &'static str,
    meta: &Meta,
    out: &mut Vec<Diagnostic>,
) {
    let at = doc
        .get_entry(root, "kind")
        .map_or(doc.span(root), |(_, v)| doc.span(v));
    let mut w = Walker {
        schema,
        doc,
        kind,
        meta,
        out,
        path: Vec::with_capacity(16),
        ancestors: Vec::with_capacity(16),
        visited: HashSet::new(),
        reported: HashSet::new(),
        missing: HashSet::new(),
        cel_reported: HashMap::new(),
    };
    w.walk(root, shape, at);
    istio_checks(&mut w, root);
}

/// How a node reads after YAML → JSON.
enum Found<'a> {
    Null,
    Scalar(Scalar<'a>),
    Map,
    Seq,
}

impl<'a> Walker<'a> {
    fn found(&self, node: NodeId) -> Found<'a> {
        match self.doc.value(node) {
            Value::Map(_) => Found::Map,
            Value::Seq(_) => Found::Seq,
            _ => match self.doc.scalar(node) {
                Some(Scalar::Null) | None => Found::Null,
                Some(s) => Found::Scalar(s),
            },
        }
    }

    fn walk(&mut self, node: NodeId, shape: ShapeId, key_span: Span) {
        if matches!(self.doc.node(node).value, Value::Alias(_)) {
            let target = self.doc.resolve(node);
            if !self.visited.insert((target, shape)) {
                return;
            }
        }
        let schema = self.schema;
        match schema.shape(shape) {
            Shape::Any => {}
            Shape::Meta(rule) => self.walk(node, schema.meta(*rule), key_span),
            Shape::Obj(o) => self.object(node, o, key_span),
            Shape::Arr(a) => self.array(node, a, key_span),
            scalar => self.scalar(node, scalar),
        }
        let rules = cel_rules(schema.shape(shape));
        if !rules.is_empty() {
            self.cel(node, shape, rules, key_span);
        }
    }

    // ----- CEL rules -----

    /// Evaluates the CRD's CEL rules of a present field whose value has the schema's type (a
    /// value of the wrong type is reported above; the API server would not run its rules).
    fn cel(&mut self, node: NodeId, shape: ShapeId, rules: &'a [u32], key_span: Span) {
        if self.reported.contains(&node) || matches!(self.found(node), Found::Null) {
            return;
        }
        let mut budget = CEL_VALUE_BUDGET;
        // Of an object, only the fields its rules name, when they read nothing else.
        let mut only: Vec<&str> = Vec::new();
        let mut all_fields = !matches!(self.schema.shape(shape), Shape::Obj(_));
        for &id in rules {
            match self.schema.rules.compiled(id) {
                Some(Ok(c)) if c.reads_fields_only => {
                    only.extend(c.fields.iter().map(String::as_str));
                }
                _ => all_fields = true,
            }
        }
        let only = (!all_fields).then_some(&only[..]);
        let Some(value) =
            cel_value::convert_fields(self.schema, self.doc, node, shape, only, &mut budget)
        else {
            return;
        };
        for &id in rules {
            if let Verdict::Fail { message, error } = self.schema.rules.check_memo(id, &value) {
                self.cel_failure(node, shape, id, &value, message, error, key_span);
            }
        }
    }

    /// Reports a broken rule at the field, or at what in it breaks the rule: the entries of a
    /// map or list that break it on their own, else the fields of an object the rule names.
    #[allow(clippy::too_many_arguments)]
    fn cel_failure(
        &mut self,
        node: NodeId,
        shape: ShapeId,
        id: u32,
        value: &CelValue,
        crd_message: String,
        error: Option<String>,
        key_span: Span,
    ) {
        let message = crd_message.as_str();
        let doc = self.doc;
        let schema = self.schema;
        let Some(Ok(compiled)) = schema.rules.compiled(id) else {
            return;
        };
        let rule_text = schema.rules.rule(id).map_or("", |r| r.rule.as_str());
        // Why the evaluation failed, if it did: for a duration, in the words of the format check.
        let because = match (&error, value) {
            (Some(_), CelValue::String(t)) if compiled.calls_duration => {
                match formats::check(super::StrFormat::Duration, t) {
                    Err(why) => format!(" ({why})"),
                    Ok(()) => String::new(),
                }
            }
            (Some(e), _) => format!(" ({})", e.trim_start_matches("Error executing function ")),
            (None, _) => String::new(),
        };
        let crd_help = format!("Istio's CRD requires `{}`", collapse(rule_text));
        match (schema.shape(shape), value) {
            (Shape::Obj(o), CelValue::Map(map)) if o.values.is_some() => {
                // A map: the keys whose entry alone breaks the rule.
                let mut culprits = Vec::new();
                for &(k, _) in doc.entries(node) {
                    let Some(key) = doc.str(k) else { continue };
                    let Some(v) = map.map.get(&CelKey::from(key)) else {
                        continue;
                    };
                    let one = CelValue::from(std::collections::HashMap::from([(
                        key.to_string(),
                        v.clone(),
                    )]));
                    if matches!(schema.rules.check(id, &one), Verdict::Fail { .. }) {
                        culprits.push((k, key));
                    }
                }
                if !culprits.is_empty() {
                    for (k, key) in culprits {
                        let message = format!(
                            "key \"{key}\" is not valid in {}: {message}{because}",
                            self.place()
                        );
                        let span = doc.span(k);
                        let help = crd_help.clone();
                        self.cel_report(&crd_message, k, span, |loc| {
                            Diagnostic::new(&invalid_value::RULE, loc, message).help(help)
                        });
                    }
                    return;
                }
            }
            (Shape::Arr(_), CelValue::List(list)) => {
                let items = doc.items(node);
                if items.len() > 1
                    && items.len() == list.len()
                    && let Some((i, related)) = list_culprit(&schema.rules, id, list)
                {
                    let item = items[i];
                    self.path.push(Seg::Index(i));
                    let with = related
                        .map(|j| format!(" (together with item {j})"))
                        .unwrap_or_default();
                    let message = format!("{}: {message}{because}{with}", self.place());
                    self.path.pop();
                    let span = doc.span(item);
                    let related = related.map(|j| Loc::new(doc.file, doc.span(items[j])));
                    self.cel_report(&crd_message, item, span, |loc| {
                        let d = Diagnostic::new(&invalid_value::RULE, loc, message).help(crd_help);
                        match related {
                            Some(r) => d.related(r, "the item it conflicts with"),
                            None => d,
                        }
                    });
                    return;
                }
            }
            (Shape::Obj(_), CelValue::Map(_)) => {
                // The fields the rule names that are set, in the order written: point at the
                // last, relate the others.
                let set: Vec<(NodeId, &str)> = doc
                    .entries(node)
                    .iter()
                    .filter(|&&(_, v)| !doc.is_null(v))
                    .filter_map(|&(k, _)| {
                        let key = doc.str(k)?;
                        compiled.fields.iter().any(|f| f == key).then_some((k, key))
                    })
                    .collect();
                let message = format!("{}: {message}{because}", self.place());
                if let Some((&(last, last_key), others)) = set.split_last() {
                    let help = if set.len() > 1 {
                        let names = set
                            .iter()
                            .map(|(_, k)| format!("\"{k}\""))
                            .collect::<Vec<_>>()
                            .join(", ");
                        format!("{names} are set here; {crd_help}")
                    } else {
                        format!("\"{last_key}\" is set here; {crd_help}")
                    };
                    let related: Vec<Loc> = others
                        .iter()
                        .map(|&(k, _)| Loc::new(doc.file, doc.span(k)))
                        .collect();
                    let span = doc.span(last);
                    self.cel_report(&crd_message, last, span, |loc| {
                        related.into_iter().fold(
                            Diagnostic::new(&invalid_value::RULE, loc, message).help(help),
                            |d, r| d.related(r, "also set"),
                        )
                    });
                } else {
                    self.cel_report(&crd_message, node, key_span, |loc| {
                        Diagnostic::new(&invalid_value::RULE, loc, message).help(crd_help)
                    });
                }
                return;
            }
            _ => {}
        }
        let (message, help) = match value {
            CelValue::String(t) => {
                let shown = if t.chars().count() > 60 {
                    format!("{}…", t.chars().take(60).collect::<String>())
                } else {
                    t.to_string()
                };
                let help = if compiled.calls_duration {
                    match formats::suggest(super::StrFormat::Duration, t) {
                        Some(fix) => format!("write \"{fix}\""),
                        None => format!("use {}", formats::describe(super::StrFormat::Duration)),
                    }
                } else {
                    crd_help
                };
                (
                    format!(
                        "\"{shown}\" is not valid for {}: {message}{because}",
                        self.place()
                    ),
                    help,
                )
            }
            CelValue::Int(_) | CelValue::UInt(_) | CelValue::Float(_) => {
                let raw = doc.str(node).unwrap_or("");
                (
                    format!(
                        "{raw} is not valid for {}: {message}{because}",
                        self.place()
                    ),
                    crd_help,
                )
            }
            _ => (format!("{}: {message}{because}", self.place()), crd_help),
        };
        let span = match value {
            CelValue::Map(_) | CelValue::List(_) => key_span,
            _ => doc.span(node),
        };
        self.cel_report(&crd_message, node, span, |loc| {
            Diagnostic::new(&invalid_value::RULE, loc, message).help(help)
        });
    }

    /// Reports a CEL failure once per node: a second rule broken at the same place adds its
    /// message to the first finding (the API server lists every broken rule); a node reported
    /// for something else (its type, its range) is not reported again.
    fn cel_report(
        &mut self,
        crd_message: &str,
        node: NodeId,
        span: Span,
        diagnostic: impl FnOnce(Loc) -> Diagnostic,
    ) {
        if let Some(&i) = self.cel_reported.get(&node) {
            if let Some(d) = self.out.get_mut(i)
                && !d.message.contains(crd_message)
            {
                d.message.push_str("; ");
                d.message.push_str(crd_message);
            }
            return;
        }
        if self.reported.contains(&node) {
            return;
        }
        self.report(node, span, diagnostic);
        self.cel_reported.insert(node, self.out.len() - 1);
    }

    // ----- reporting -----

    /// `Kind path` of the current node, e.g. `DestinationRule spec.subsets[0]`.
    fn place(&self) -> String {
        let mut s = String::from(self.kind);
        if !self.path.is_empty() {
            s.push(' ');
            s.push_str(&self.path_text());
        }
        s
    }

    fn path_text(&self) -> String {
        render(&self.path)
    }

    fn report(&mut self, node: NodeId, span: Span, diagnostic: impl FnOnce(Loc) -> Diagnostic) {
        if !self.reported.insert(node) {
            return;
        }
        let d = diagnostic(Loc::new(self.doc.file, span)).resource(Some(resource_ref(self.meta)));
        self.out.push(d);
    }

    fn invalid(&mut self, node: NodeId, message: String, help: Option<String>) {
        let span = self.doc.span(node);
        self.report(node, span, |loc| {
            let d = Diagnostic::new(&invalid_value::RULE, loc, message);
            match help {
                Some(h) => d.help(h),
                None => d,
            }
        });
    }

    fn type_error(&mut self, node: NodeId, expected: &str) {
        let (found, help) = match self.found(node) {
            Found::Map => (
                "a mapping".to_string(),
                match expected {
                    e if e.starts_with("a list") => {
                        "make it a list: put `- ` in front of the first key of each item"
                            .to_string()
                    }
                    _ => {
                        format!("write {expected} here (check the indentation of the lines below)")
                    }
                },
            ),
            Found::Seq => (
                "a list".to_string(),
                if expected.starts_with("a mapping") {
                    "remove the `- ` in front of the keys: this field takes one object, not a list"
                        .to_string()
                } else {
                    format!("write a single value: {expected}")
                },
            ),
            Found::Scalar(s) => {
                let raw = self.doc.str(node).unwrap_or("");
                let quoted = !matches!(self.doc.style(node), Some(Style::Plain) | None);
                let help = match (&s, expected) {
                    (Scalar::Str(t), e)
                        if quoted && e.contains("integer") && t.trim().parse::<i64>().is_ok() =>
                    {
                        format!("remove the quotes: {}", t.trim())
                    }
                    (Scalar::Str(t), e)
                        if quoted && e.contains("number") && t.trim().parse::<f64>().is_ok() =>
                    {
                        format!("remove the quotes: {}", t.trim())
                    }
                    (Scalar::Str(t), e)
                        if quoted && e.contains("boolean") && matches!(*t, "true" | "false") =>
                    {
                        format!("remove the quotes: {t}")
                    }
                    (Scalar::Int(_) | Scalar::Float(_) | Scalar::Bool(_), e)
                        if e.contains("string") =>
                    {
                        format!("quote it: \"{raw}\"")
                    }
                    (_, e) if e.starts_with("a list") => format!("write it as a list: [{raw}]"),
                    _ => format!("write {expected} here"),
                };
                let what = match s {
                    Scalar::Str(_) => format!("the string \"{raw}\""),
                    other => format!("the {} {raw}", other.type_name()),
                };
                (what, help)
            }
            Found::Null => return,
        };
        let message = format!("{} must be {expected}, not {found}", self.place());
        self.invalid(node, message, Some(help));
    }

    fn missing(&mut self, node: NodeId, key_span: Span, field: &str) {
        let message = if self.path.is_empty() {
            format!("{} has no \"{field}\", which is required", self.kind)
        } else {
            format!("{} has no \"{field}\", which is required", self.place())
        };
        let under = if self.path.is_empty() {
            "at the top level".to_string()
        } else {
            match self.path.last() {
                Some(Seg::Index(_)) => "to this list item".to_string(),
                _ => format!(
                    "under `{}`",
                    self.path_text().rsplit('.').next().unwrap_or("")
                ),
            }
        };
        let help = format!("add `{field}:` {under}");
        let span = key_span;
        // Not on an object already reported as wrong, and once per object however often it is
        // aliased.
        let target = self.doc.resolve(node);
        if self.reported.contains(&node) || !self.missing.insert((target, field.to_string())) {
            return;
        }
        self.out.push(
            Diagnostic::new(&missing_field::RULE, Loc::new(self.doc.file, span), message)
                .help(help)
                .resource(Some(resource_ref(self.meta))),
        );
    }

    // ----- objects -----

    fn object(&mut self, node: NodeId, o: &'a ObjShape, key_span: Span) {
        let doc = self.doc;
        let entries = match doc.value(node) {
            Value::Map(entries) => entries.of(&doc.pairs),
            _ => {
                if !matches!(self.found(node), Found::Null) {
                    self.type_error(node, "a mapping (key: value)");
                }
                return;
            }
        };
        self.ancestors.push((o, self.path.len()));
        for &(k, v) in entries {
            let Some(key) = doc.str(k) else { continue };
            if let Some(prop) = o.prop(key) {
                if let Some(note) = &prop.deprecated
                    && !matches!(self.found(v), Found::Null)
                {
                    self.deprecated(k, key, note);
                }
                self.path.push(Seg::Key(key));
                self.walk(v, prop.shape, doc.span(k));
                self.path.pop();
            } else if let Some(values) = o.values {
                if let Some(keys) = o.keys {
                    self.map_key(k, key, keys);
                }
                self.path.push(Seg::Key(key));
                self.walk(v, values, doc.span(k));
                self.path.pop();
            } else if !o.open {
                self.unknown(k, key, o);
            }
        }
        self.ancestors.pop();

        let present = |name: &str| {
            entries.iter().any(|&(k, v)| {
                doc.str(k) == Some(name) && !matches!(doc.scalar(v), Some(Scalar::Null))
            })
        };
        for field in &o.required {
            if !present(field) {
                self.missing(node, key_span, field);
            }
        }
        for g in &o.groups {
            let is_meta_name = g.fields.first().is_some_and(|f| f == "name")
                && g.fields.iter().any(|f| f == "generateName");
            // The first two keys of the group that are set, and how many are (no allocation).
            let mut set: [Option<NodeId>; 2] = [None, None];
            let mut count = 0;
            for &(k, v) in entries {
                let in_group = doc.str(k).is_some_and(|k| g.fields.iter().any(|f| f == k));
                // An empty name is no name (Kubernetes' typed ObjectMeta).
                if in_group && !doc.is_null(v) && !(is_meta_name && doc.str(v) == Some("")) {
                    if count < 2 {
                        set[count] = Some(k);
                    }
                    count += 1;
                }
            }
            let list = || {
                g.fields
                    .iter()
                    .map(|f| format!("\"{f}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            match (g.count, count) {
                (Count::AtLeastOne | Count::ExactlyOne, 0) => {
                    if is_meta_name {
                        self.missing(node, key_span, "name");
                    } else {
                        let list = list();
                        let message = format!("{} needs one of {list}", self.place());
                        let help = format!("add one of {list}");
                        self.out.push(
                            Diagnostic::new(
                                &missing_field::RULE,
                                Loc::new(doc.file, key_span),
                                message,
                            )
                            .help(help)
                            .resource(Some(resource_ref(self.meta))),
                        );
                    }
                }
                (Count::AtMostOne | Count::ExactlyOne, n) if n > 1 => {
                    let (Some(first_key), Some(second_key)) = (set[0], set[1]) else {
                        continue;
                    };
                    let first = doc.str(first_key).unwrap_or("");
                    let second = doc.str(second_key).unwrap_or("");
                    let list = list();
                    let message = format!(
                        "\"{second}\" cannot be set together with \"{first}\" in {}: only one of {list} may be set",
                        self.place()
                    );
                    let span = doc.span(second_key);
                    self.report(second_key, span, |loc| {
                        Diagnostic::new(&invalid_value::RULE, loc, message)
                            .help(format!("keep \"{first}\" or \"{second}\", not both"))
                    });
                }
                _ => {}
            }
        }
        let n = entries.len() as u32;
        if let Some(max) = o.max_props
            && n > max
        {
            self.invalid(
                node,
                format!(
                    "{} has {n} entries, more than the {max} allowed",
                    self.place()
                ),
                None,
            );
        }
        if let Some(min) = o.min_props
            && n < min
        {
            let message = format!(
                "{} must have at least {min} entr{}",
                self.place(),
                if min == 1 { "y" } else { "ies" }
            );
            self.invalid(
                node,
                message,
                Some("add an entry or remove the empty field".into()),
            );
        }
    }

    fn deprecated(&mut self, key_node: NodeId, key: &str, note: &str) {
        let message = format!("\"{key}\" is deprecated in {}", self.place());
        let span = self.doc.span(key_node);
        self.report(key_node, span, |loc| {
            Diagnostic::new(&deprecated_field::RULE, loc, message).help(note.to_string())
        });
    }

    fn unknown(&mut self, key_node: NodeId, key: &str, o: &ObjShape) {
        let known = || o.props.iter().map(|p| p.name.as_str());
        let camel = to_camel(key);
        let help = if let Some((_, _, why)) = REMOVED
            .iter()
            .find(|(k, f, _)| *k == self.kind && *f == key)
        {
            why.to_string()
        } else if camel != key && o.prop(&camel).is_some() {
            format!("did you mean \"{camel}\"? (Kubernetes expects camelCase field names)")
        } else if let Some(&(_, depth)) = self.ancestors[..self.ancestors.len().saturating_sub(1)]
            .iter()
            .rev()
            .find(|(a, _)| a.prop(key).is_some())
        {
            let owner = self.path_place(depth);
            format!("\"{key}\" is a field of {owner}: check the indentation of this line")
        } else if let Some(best) = did_you_mean(key, known()) {
            format!("did you mean \"{best}\"?")
        } else {
            let mut names: Vec<&str> = known().collect();
            let total = names.len();
            names.truncate(8);
            if total == 0 {
                "this object takes no fields; remove it".to_string()
            } else if total > names.len() {
                format!(
                    "known fields here: {}, … ({total} in all)",
                    names.join(", ")
                )
            } else {
                format!("known fields here: {}", names.join(", "))
            }
        };
        let message = if self.path.is_empty() {
            format!("unknown field \"{key}\" in {}", self.kind)
        } else {
            format!("unknown field \"{key}\" in {}", self.place())
        };
        let span = self.doc.span(key_node);
        self.report(key_node, span, |loc| {
            Diagnostic::new(&unknown_field::RULE, loc, message).help(help)
        });
    }

    /// `Kind path` of the node `depth` segments down the current path.
    fn path_place(&self, depth: usize) -> String {
        let mut s = String::from(self.kind);
        if depth > 0 {
            s.push(' ');
            s.push_str(&render(&self.path[..depth]));
        }
        s
    }

    fn map_key(&mut self, key_node: NodeId, key: &str, keys: ShapeId) {
        let Shape::Str(s) = self.schema.shape(keys) else {
            return;
        };
        if let Some(why) = self.string_problem(s, key) {
            let message = format!("key \"{key}\" is not valid in {}: {}", self.place(), why.0);
            let span = self.doc.span(key_node);
            self.report(key_node, span, |loc| {
                let d = Diagnostic::new(&invalid_value::RULE, loc, message);
                match why.1 {
                    Some(h) => d.help(h),
                    None => d,
                }
            });
        }
    }

    // ----- arrays -----

    fn array(&mut self, node: NodeId, a: &'a ArrShape, _key_span: Span) {
        let doc = self.doc;
        let items = match doc.value(node) {
            Value::Seq(items) => items.of(&doc.items),
            _ => {
                if !matches!(self.found(node), Found::Null) {
                    self.type_error(node, "a list");
                }
                return;
            }
        };
        let item_any = matches!(self.schema.shape(a.items), Shape::Any);
        for (i, &item) in items.iter().enumerate() {
            self.path.push(Seg::Index(i));
            if matches!(self.found(item), Found::Null) && !item_any {
                let message = format!("{} is an empty list item", self.place());
                self.invalid(
                    item,
                    message,
                    Some("remove the lone `-` or give the item a value".into()),
                );
            } else {
                let span = item_anchor(doc, item);
                self.walk(item, a.items, span);
            }
            self.path.pop();
        }
        let n = items.len() as u32;
        if let Some(max) = a.max
            && n > max
        {
            self.invalid(
                node,
                format!(
                    "{} has {n} items, more than the {max} allowed",
                    self.place()
                ),
                None,
            );
        }
        if let Some(min) = a.min
            && n < min
        {
            let message = format!(
                "{} must have at least {min} item{}",
                self.place(),
                if min == 1 { "" } else { "s" }
            );
            self.invalid(
                node,
                message,
                Some("add an item or remove the field".into()),
            );
        }
        for keys in &a.unique {
            self.unique(items, keys);
        }
        if items.len() > 1 {
            for field in &a.required_if_many {
                for (i, &item) in items.iter().enumerate() {
                    let named = doc
                        .get(item, field)
                        .is_some_and(|v| !doc.is_null(v) && doc.str(v) != Some(""));
                    if doc.is_map(item) && !named && !self.reported.contains(&item) {
                        self.path.push(Seg::Index(i));
                        let message = format!(
                            "{} has no \"{field}\", which is required when the list has more than one item",
                            self.place()
                        );
                        self.path.pop();
                        self.out.push(
                            Diagnostic::new(
                                &missing_field::RULE,
                                Loc::new(doc.file, item_anchor(doc, item)),
                                message,
                            )
                            .help(format!(
                                "add `{field}:` to this list item (each item needs a distinct one)"
                            ))
                            .resource(Some(resource_ref(self.meta))),
                        );
                    }
                }
            }
        }
    }

    /// Items must differ in `keys` (at most two, as in every schema here). One hash map per
    /// list, so a hostile list of many items stays linear.
    fn unique(&mut self, items: &[NodeId], keys: &[String]) {
        let doc = self.doc;
        if items.len() < 2 {
            return;
        }
        let key_of = |item: NodeId| -> [Option<&'a str>; 2] {
            let field = |k: Option<&String>| {
                let v = doc.get(item, k?)?;
                if doc.is_null(v) { None } else { doc.str(v) }
            };
            [field(keys.first()), field(keys.get(1))]
        };
        let mut seen: HashMap<[Option<&'a str>; 2], usize> = HashMap::with_capacity(items.len());
        for (i, &item) in items.iter().enumerate() {
            if !doc.is_map(item) {
                continue;
            }
            let key = key_of(item);
            if key.iter().all(Option::is_none) {
                continue;
            }
            let j = *seen.entry(key).or_insert(i);
            if j == i {
                continue;
            }
            let shown = keys
                .iter()
                .zip(&key)
                .filter_map(|(k, v)| v.map(|v| format!("{k} {v}")))
                .collect::<Vec<_>>()
                .join(", ");
            self.path.push(Seg::Index(i));
            let message = format!("{} repeats item {j} ({shown})", self.place());
            self.path.pop();
            let first = Loc::new(doc.file, doc.span(items[j]));
            let span = doc.span(item);
            self.report(item, span, |loc| {
                Diagnostic::new(&invalid_value::RULE, loc, message)
                    .help(format!(
                        "each item needs a distinct {}; merge or remove one",
                        keys.join(" and ")
                    ))
                    .related(first, "first defined here")
            });
        }
    }

    // ----- scalars -----

    fn scalar(&mut self, node: NodeId, shape: &Shape) {
        let s = match self.found(node) {
            Found::Null => return,
            Found::Scalar(s) => s,
            Found::Map | Found::Seq => {
                self.type_error(node, expected(shape));
                return;
            }
        };
        let plain = self.doc.style(node) == Some(Style::Plain) && self.doc.tag(node).is_none();
        match (shape, s) {
            (Shape::Bool, Scalar::Bool(_)) => {}
            // kubectl reads YAML 1.1, where these are booleans.
            (Shape::Bool, Scalar::Str(t)) if plain && yaml11_bool(t) => {}
            (Shape::Int(i), Scalar::Int(n)) => self.int_range(node, i, n),
            (Shape::Int(i), Scalar::Float(f)) => match whole(f) {
                Some(n) => self.int_range(node, i, n),
                None => self.number_problem(node, f, true),
            },
            (Shape::Num(r), Scalar::Int(n)) => self.num_range(node, r, n as f64),
            (Shape::Num(r), Scalar::Float(f)) if f.is_finite() => self.num_range(node, r, f),
            (Shape::Num(_), Scalar::Float(f)) => self.number_problem(node, f, false),
            (Shape::Str(st), Scalar::Str(t)) => {
                if plain && yaml11_bool(t) {
                    self.yaml11(node, t);
                } else {
                    self.string(node, st, t);
                }
            }
            (Shape::IntOrStr(ios), Scalar::Int(n)) => self.int_or_str_int(node, ios.port, n),
            (Shape::IntOrStr(ios), Scalar::Float(f)) => match whole(f) {
                Some(n) => self.int_or_str_int(node, ios.port, n),
                None => self.number_problem(node, f, true),
            },
            (Shape::IntOrStr(ios), Scalar::Str(t)) => {
                if ios.port && !formats::is_iana_svc_name(t) {
                    let message = format!(
                        "\"{t}\" is not a valid port for {}: {}",
                        self.place(),
                        formats::describe(super::StrFormat::IanaSvcName)
                    );
                    let help = match t.trim().parse::<i64>() {
                        Ok(n) => format!("remove the quotes: {n}"),
                        Err(_) => "use a port number or the name of a container port".to_string(),
                    };
                    self.invalid(node, message, Some(help));
                }
            }
            _ => self.type_error(node, expected(shape)),
        }
    }

    fn yaml11(&mut self, node: NodeId, t: &str) {
        let message = format!(
            "{} must be a string, but kubectl reads an unquoted `{t}` as a boolean (YAML 1.1)",
            self.place()
        );
        let span = self.doc.span(node);
        self.report(node, span, |loc| {
            Diagnostic::new(&invalid_value::RULE, loc, message)
                .help(format!("quote it: \"{t}\""))
                .severity(Severity::Warning)
        });
    }

    fn int_range(&mut self, node: NodeId, i: &IntShape, n: i128) {
        let lo = i.min.unwrap_or(i64::MIN) as i128;
        let hi = i.max.unwrap_or(i64::MAX) as i128;
        if (lo..=hi).contains(&n) {
            return;
        }
        let raw = self.doc.str(node).unwrap_or("").to_string();
        let (message, help) = if i.port {
            (
                format!("port {raw} is out of range for {}", self.place()),
                "use a port between 1 and 65535".to_string(),
            )
        } else if n > i64::MAX as i128 || n < i64::MIN as i128 {
            (
                format!(
                    "{raw} is too large for {}: it does not fit in a 64-bit integer",
                    self.place()
                ),
                format!("use a value between {lo} and {hi}"),
            )
        } else {
            (
                format!("{raw} is out of range for {}", self.place()),
                format!("use a value between {lo} and {hi}"),
            )
        };
        self.invalid(node, message, Some(help));
    }

    fn int_or_str_int(&mut self, node: NodeId, port: bool, n: i128) {
        let range = if port {
            (1, 65535)
        } else {
            (i64::MIN as i128, i64::MAX as i128)
        };
        if !(range.0..=range.1).contains(&n) {
            let i = IntShape {
                cel: Vec::new(),
                min: Some(range.0 as i64),
                max: Some(range.1 as i64),
                port,
            };
            self.int_range(node, &i, n);
        }
    }

    fn num_range(&mut self, node: NodeId, r: &NumShape, f: f64) {
        let below = r.min.is_some_and(|m| f < m);
        let above = r.max.is_some_and(|m| f > m);
        if below || above {
            let raw = self.doc.str(node).unwrap_or("");
            let bounds = match (r.min, r.max) {
                (Some(a), Some(b)) => format!("use a value between {a} and {b}"),
                (Some(a), None) => format!("use a value of at least {a}"),
                (None, Some(b)) => format!("use a value of at most {b}"),
                _ => String::new(),
            };
            let message = format!("{raw} is out of range for {}", self.place());
            self.invalid(node, message, Some(bounds));
        }
    }

    fn number_problem(&mut self, node: NodeId, f: f64, want_int: bool) {
        let raw = self.doc.str(node).unwrap_or("").to_string();
        let (message, help) = if f.is_infinite() {
            (
                format!(
                    "{raw} is too large for {}: it overflows a 64-bit number",
                    self.place()
                ),
                "use a smaller value".to_string(),
            )
        } else if f.is_nan() {
            (
                format!("{} must be a number, not NaN", self.place()),
                "use a number".to_string(),
            )
        } else if want_int {
            (
                format!("{} must be an integer, not {raw}", self.place()),
                format!("use a whole number such as {}", f.round()),
            )
        } else {
            return;
        };
        self.invalid(node, message, Some(help));
    }

    fn string(&mut self, node: NodeId, st: &StrShape, t: &str) {
        if !st.values.is_empty() && !st.values.iter().any(|v| v == t) {
            let message = format!("\"{t}\" is not a valid value for {}", self.place());
            let help = match did_you_mean(t, st.values.iter().map(String::as_str)) {
                Some(best) => format!(
                    "did you mean \"{best}\"? (allowed: {})",
                    st.values.join(", ")
                ),
                None => format!("use one of: {}", st.values.join(", ")),
            };
            self.invalid(node, message, Some(help));
            return;
        }
        if let Some((why, help)) = self.string_problem(st, t) {
            let shown = if t.chars().count() > 60 {
                format!("{}…", t.chars().take(60).collect::<String>())
            } else {
                t.to_string()
            };
            let message = format!("\"{shown}\" is not valid for {}: {why}", self.place());
            self.invalid(node, message, help);
        }
    }

    /// Why a string breaks the shape (and a fix), or `None` when it is fine.
    fn string_problem(&self, st: &StrShape, t: &str) -> Option<(String, Option<String>)> {
        if !st.values.is_empty() && !st.values.iter().any(|v| v == t) {
            let help = did_you_mean(t, st.values.iter().map(String::as_str))
                .map(|b| format!("did you mean \"{b}\"?"))
                .unwrap_or_else(|| format!("use one of: {}", st.values.join(", ")));
            return Some((
                format!("must be one of {}", st.values.join(", ")),
                Some(help),
            ));
        }
        let len = t.chars().count() as u32;
        if let Some(min) = st.min_len
            && len < min
        {
            return Some((
                if min == 1 {
                    "it must not be empty".into()
                } else {
                    format!("it must be at least {min} characters")
                },
                None,
            ));
        }
        if let Some(max) = st.max_len
            && len > max
        {
            return Some((
                format!("it is {len} characters long, more than the {max} allowed"),
                None,
            ));
        }
        if let Some(format) = st.format
            && let Err(why) = formats::check(format, t)
        {
            let help = match formats::suggest(format, t) {
                Some(fix) => format!("write \"{fix}\""),
                None => format!("use {}", formats::describe(format)),
            };
            let why = if why.starts_with("not ") || why.starts_with("a ") {
                why
            } else {
                format!("must be {why}")
            };
            return Some((why, Some(help)));
        }
        if let Some(pattern) = &st.pattern
            && let Some(re) = pattern_regex(pattern)
            && !re.is_match(t)
        {
            return Some((format!("it must match the pattern {pattern}"), None));
        }
        for rule in &st.rules {
            let broken = match rule {
                StrRule::NoWildcard(m) => t.contains('*').then_some(m),
                StrRule::Not(v, m) => (t == v).then_some(m),
                StrRule::Empty(m) => (!t.is_empty()).then_some(m),
                StrRule::Scheme(schemes, m) => {
                    let scheme = t.split_once("://").map_or("", |(s, _)| s);
                    (!schemes.iter().any(|s| s.eq_ignore_ascii_case(scheme))).then_some(m)
                }
            };
            if let Some(m) = broken {
                let help = match rule {
                    StrRule::Empty(_) => Some("remove this field".to_string()),
                    StrRule::Not(v, _) if v == "*" => Some(
                        "name a specific host, or a wildcard domain such as \"*.example.com\""
                            .to_string(),
                    ),
                    StrRule::Not(v, _) => Some(format!("use a value other than \"{v}\"")),
                    StrRule::NoWildcard(_) => {
                        Some("remove the '*': wildcards are not supported here".to_string())
                    }
                    StrRule::Scheme(s, _) => {
                        Some(format!("start it with {}://", s.join(":// or ")))
                    }
                };
                return Some((m.clone(), help));
            }
        }
        None
    }
}

/// How many YAML nodes one CEL `self` may hold (aliases expand): past it, the rule is not
/// evaluated rather than a hostile file being copied without bound.
const CEL_VALUE_BUDGET: usize = 100_000;

/// The CEL rules a shape carries.
fn cel_rules(shape: &Shape) -> &[u32] {
    match shape {
        Shape::Obj(o) => &o.cel,
        Shape::Arr(a) => &a.cel,
        Shape::Str(s) => &s.cel,
        Shape::Int(i) => &i.cel,
        Shape::Num(n) => &n.cel,
        Shape::IntOrStr(i) => &i.cel,
        Shape::Any | Shape::Bool | Shape::Meta(_) => &[],
    }
}

/// Lists up to this long are searched for the item that breaks a rule.
const CEL_LOCATE_MAX: usize = 64;

/// The item of a list that breaks a rule: one that breaks it alone, else the first whose
/// addition to the items before it breaks it (with the earlier item it conflicts with, if one
/// alone does). Evaluations only, so any rule is located; short lists only (a rule may be
/// quadratic in the items).
fn list_culprit(rules: &Rules, id: u32, list: &[CelValue]) -> Option<(usize, Option<usize>)> {
    if list.len() > CEL_LOCATE_MAX {
        return None;
    }
    let fails = |items: Vec<CelValue>| {
        matches!(
            rules.check(id, &CelValue::List(std::sync::Arc::new(items))),
            Verdict::Fail { .. }
        )
    };
    if let Some(i) = (0..list.len()).find(|&i| fails(vec![list[i].clone()])) {
        return Some((i, None));
    }
    let n = (2..=list.len()).find(|&n| fails(list[..n].to_vec()))?;
    let last = n - 1;
    let with = (0..last).find(|&j| fails(vec![list[j].clone(), list[last].clone()]));
    Some((last, with))
}

/// A rule on one line.
fn collapse(rule: &str) -> String {
    rule.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Patterns are few; each is compiled once and shared by every thread.
fn pattern_regex(pattern: &str) -> Option<&'static Regex> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<String, Option<&'static Regex>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut map = cache.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(r) = map.get(pattern) {
        return *r;
    }
    let compiled = Regex::new(pattern).ok().map(|r| &*Box::leak(Box::new(r)));
    map.insert(pattern.to_string(), compiled);
    compiled
}

/// Where to point for "this list item": its `-`, else its first key, else the item.
fn item_anchor(doc: &Document, item: NodeId) -> Span {
    let span = doc.span(item);
    let mut before = doc.text.get(..span.start as usize).unwrap_or("");
    // Skip an anchor or tag written between the dash and the item (`- &d {...}`).
    for _ in 0..3 {
        before = before.trim_end_matches([' ', '\t']);
        if before.ends_with('-') {
            let dash = before.len() - 1;
            return Span::new(dash, dash + 1);
        }
        let token_start = before.rfind([' ', '\t', '\n']).map_or(0, |i| i + 1);
        if !before[token_start..].starts_with(['&', '!']) {
            break;
        }
        before = &before[..token_start];
    }
    match doc.entries(item).first() {
        Some(&(k, _)) => doc.span(k),
        None => span,
    }
}

fn render(path: &[Seg<'_>]) -> String {
    let mut s = String::new();
    for (i, seg) in path.iter().enumerate() {
        match seg {
            Seg::Key(k) if i == 0 => s.push_str(k),
            Seg::Key(k) => {
                let _ = write!(s, ".{k}");
            }
            Seg::Index(n) => {
                let _ = write!(s, "[{n}]");
            }
        }
    }
    s
}

fn whole(f: f64) -> Option<i128> {
    (f.is_finite() && f.fract() == 0.0 && f.abs() < 1e30).then_some(f as i128)
}

fn yaml11_bool(t: &str) -> bool {
    matches!(
        t,
        "yes" | "Yes" | "YES" | "no" | "No" | "NO" | "on" | "On" | "ON" | "off" | "Off" | "OFF"
    )
}

/// `snake_case` or `kebab-case` to `camelCase`, for "did you mean" on misspelt keys.
pub(crate) fn to_camel(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for c in key.chars() {
        if c == '_' || c == '-' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn expected(shape: &Shape) -> &'static str {
    match shape {
        Shape::Bool => "a boolean (true or false)",
        Shape::Int(_) => "an integer",
        Shape::Num(_) => "a number",
        Shape::Str(_) => "a string",
        Shape::IntOrStr(_) => "an integer or a string",
        Shape::Arr(_) => "a list",
        Shape::Obj(_) | Shape::Meta(_) => "a mapping (key: value)",
        Shape::Any => "a value",
    }
}

/// Istio's own validation of single resources beyond the CRD schema
/// (`pkg/config/validation/validation.go`), where it is certain from the resource alone.
fn istio_checks(w: &mut Walker<'_>, root: NodeId) {
    if let Some(spec) = w.doc.get(root, "spec").filter(|&s| w.doc.is_map(s)) {
        go::check(w, spec);
    }
    if w.kind != "VirtualService" || w.meta.kind.info().group != "networking.istio.io" {
        return;
    }
    let doc = w.doc;
    let Some((spec_key, spec)) = doc.get_entry(root, "spec") else {
        return;
    };
    if !doc.is_map(spec) {
        return;
    }
    // ValidateVirtualService: "http, tcp or tls must be provided in virtual service".
    // Present and not an empty list (a value of the wrong type is reported by the schema).
    let has = |k: &str| {
        doc.get(spec, k).is_some_and(|v| {
            !doc.is_null(v) && !matches!(doc.value(v), Value::Seq(items) if items.is_empty())
        })
    };
    if !has("http") && !has("tcp") && !has("tls") {
        w.out.push(
            Diagnostic::new(
                &missing_field::RULE,
                Loc::new(doc.file, doc.span(spec_key)),
                "VirtualService spec has no routes: Istio requires at least one of \"http\", \"tcp\" or \"tls\"",
            )
            .help("add an `http:` (or `tcp:`/`tls:`) list of routes under `spec`")
            .resource(Some(resource_ref(w.meta))),
        );
    }
    // validateHost: a wildcard-only host "*" is rejected for VirtualServices bound to the mesh.
    let gateways = doc.get(spec, "gateways").map_or(&[][..], |g| doc.items(g));
    let no_gateways = gateways.is_empty();
    let bound_to_mesh = no_gateways || gateways.iter().any(|&g| doc.str(g) == Some("mesh"));
    if bound_to_mesh && let Some(hosts) = doc.get(spec, "hosts") {
        for &h in doc.items(hosts) {
            if doc.str(h) == Some("*") {
                let message =
                    "host \"*\" is not allowed in a VirtualService bound to the mesh gateway";
                let help = if no_gateways {
                    "name the services it routes (e.g. `reviews`), or bind it to a gateway with `gateways:`"
                } else {
                    "name the services it routes for the mesh, or move \"mesh\" to a VirtualService with specific hosts"
                };
                let span = doc.span(h);
                w.report(h, span, |loc| {
                    Diagnostic::new(&invalid_value::RULE, loc, message).help(help)
                });
            }
        }
    }
}
