//! Finding fingerprints: what a finding is about, independent of where the document sits.
//!
//! A finding is identified by its rule, the resource it is about (`Kind namespace/name`) and the
//! field path of the offending key or value inside that resource (`spec.http[name=v2].route[0]
//! .destination.subset`), never by file, line or column: moving a document to another file, or
//! adding lines above it, keeps its findings' fingerprints. List items with a `name` are named by
//! it (`http[name=v2]`), so inserting a route before them does not change theirs either.
//! `diff` and the baseline (`analyze --baseline`) both match findings this way.
//!
//! The model keeps no YAML once a document is read, so the path is found by parsing again the
//! documents that have findings (only those), and walking down to the deepest node that contains
//! the finding's span.

use std::collections::HashMap;

use crate::diag::Diagnostic;
use crate::load::yaml::{self, Document};
use crate::model::Model;
use crate::source::Span;

/// What identifies one finding across runs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Identity {
    pub rule: String,
    /// `Kind namespace/name`; for a finding about a file (broken YAML), `file <path>`.
    pub resource: String,
    /// The field path inside the resource (`spec.http[0].route`), empty when the finding points
    /// at no field.
    pub path: String,
}

impl Identity {
    /// A short stable hash of the identity (64-bit FNV-1a), as the baseline file stores it.
    pub fn fingerprint(&self) -> String {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for part in [&self.rule, &self.resource, &self.path] {
            for b in part.bytes().chain([0xff]) {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
        format!("{h:016x}")
    }
}

/// The name of a finding's rule.
pub fn rule_name(d: &Diagnostic) -> &str {
    d.rule.name
}

/// The identity of every finding of `diagnostics`, in order. Documents are parsed again once
/// each, only when a finding points into them.
pub fn identities(model: &Model, diagnostics: &[Diagnostic]) -> Vec<Identity> {
    // Documents of each file, in order, for the lookup by offset.
    let mut by_file: HashMap<u32, Vec<usize>> = HashMap::new();
    for (i, d) in model.documents.iter().enumerate() {
        by_file.entry(d.file.0).or_default().push(i);
    }
    let mut parsed: HashMap<usize, Option<Document>> = HashMap::new();
    diagnostics
        .iter()
        .map(|d| {
            let resource = match &d.resource {
                Some(r) => r.to_string(),
                None => format!("file {}", shown_path(&file_path(model, d.loc.file.0))),
            };
            // A file's documents are in offset order: the first one ending at or after the
            // finding holds it, if it starts before it (a binary search, not a scan per finding:
            // a helm stream is one file of many thousands of documents).
            let doc = by_file.get(&d.loc.file.0).and_then(|docs| {
                let at = docs.partition_point(|&i| model.documents[i].span.end < d.loc.span.start);
                let i = *docs.get(at)?;
                (model.documents[i].span.start <= d.loc.span.start).then_some(i)
            });
            let path = match doc {
                Some(i) => {
                    let parsed = parsed.entry(i).or_insert_with(|| parse(model, i));
                    parsed
                        .as_ref()
                        .map(|doc| field_path(doc, d.loc.span))
                        .unwrap_or_default()
                }
                None => String::new(),
            };
            Identity {
                rule: rule_name(d).to_string(),
                resource,
                path,
            }
        })
        .collect()
}

/// A path as it is compared across runs: `/` separators, no leading `./`.
pub fn shown_path(path: &str) -> String {
    let mut p = path.replace('\\', "/");
    while let Some(rest) = p.strip_prefix("./") {
        p = rest.to_string();
    }
    p
}

fn file_path(model: &Model, file: u32) -> String {
    model
        .sources
        .files()
        .get(file as usize)
        .map(|f| f.path.clone())
        .unwrap_or_default()
}

fn parse(model: &Model, doc: usize) -> Option<Document> {
    let info = &model.documents[doc];
    let file = model.sources.files().get(info.file.0 as usize)?;
    let chunk = yaml::Chunk {
        start: info.span.start as usize,
        end: (info.span.end as usize).min(file.text.len()),
        helm_source: None,
    };
    yaml::parse_chunk(
        info.file,
        &file.text,
        &chunk,
        info.index,
        &yaml::Budgets::default(),
    )
    .documents
    .into_iter()
    .next()
}

fn contains(outer: Span, inner: Span) -> bool {
    outer.start <= inner.start && inner.end <= outer.end.max(outer.start)
}

/// The path from the document's root to the deepest node containing `target`. A `kind: List`
/// item's path starts at the item, as the item is the resource.
pub fn field_path(doc: &Document, target: Span) -> String {
    let Some(root) = doc.root else {
        return String::new();
    };
    let mut segs: Vec<String> = Vec::new();
    let mut at = root;
    let mut depth = 0;
    'walk: while depth < 256 {
        depth += 1;
        let node = doc.resolve(at);
        for &(k, v) in doc.entries(node) {
            let key = doc.str(k).unwrap_or("?");
            if contains(doc.span(k), target) {
                segs.push(key.to_string());
                break 'walk;
            }
            if contains(doc.span(v), target) {
                segs.push(key.to_string());
                at = v;
                continue 'walk;
            }
        }
        for (i, &item) in doc.items(node).iter().enumerate() {
            if contains(doc.span(item), target) {
                let named = doc.get_str(doc.resolve(item), "name");
                let seg = match named {
                    Some(n) => format!("[name={n}]"),
                    None => format!("[{i}]"),
                };
                match segs.last_mut() {
                    Some(last) => last.push_str(&seg),
                    None => segs.push(seg),
                }
                at = item;
                continue 'walk;
            }
        }
        break;
    }
    // A List item is the resource: its path starts inside the item.
    let is_list = doc
        .get_str(root, "kind")
        .is_some_and(|k| k.ends_with("List"));
    if is_list && segs.first().is_some_and(|s| s.starts_with("items[")) {
        segs.remove(0);
    }
    segs.join(".")
}

/// Matches the findings of two runs as multisets of identities: each identity of `after` is
/// paired with one equal identity of `before` while any is left. Returns, per finding of
/// `after`, whether it was already there, and per finding of `before`, whether it is still there.
pub fn pair(before: &[Identity], after: &[Identity]) -> (Vec<bool>, Vec<bool>) {
    let mut left: HashMap<&Identity, Vec<usize>> = HashMap::new();
    for (i, id) in before.iter().enumerate().rev() {
        left.entry(id).or_default().push(i);
    }
    let mut kept_before = vec![false; before.len()];
    let known = after
        .iter()
        .map(|id| match left.get_mut(id).and_then(Vec::pop) {
            Some(i) => {
                kept_before[i] = true;
                true
            }
            None => false,
        })
        .collect();
    (known, kept_before)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;
    use std::sync::Arc;

    fn doc(text: &str) -> Document {
        let text: Arc<str> = Arc::from(text);
        let chunk = yaml::Chunk {
            start: 0,
            end: text.len(),
            helm_source: None,
        };
        yaml::parse_chunk(FileId(0), &text, &chunk, 0, &yaml::Budgets::default())
            .documents
            .remove(0)
    }

    fn span_of(text: &str, needle: &str) -> Span {
        let at = text.find(needle).unwrap();
        Span::new(at, at + needle.len())
    }

    #[test]
    fn paths_name_keys_indices_and_named_items() {
        let text = "kind: VirtualService\nspec:\n  http:\n  - name: first\n    route:\n    - destination:\n        subset: v9\n  - route:\n    - destination:\n        subset: v8\n";
        let d = doc(text);
        assert_eq!(
            field_path(&d, span_of(text, "v9")),
            "spec.http[name=first].route[0].destination.subset"
        );
        assert_eq!(
            field_path(&d, span_of(text, "v8")),
            "spec.http[1].route[0].destination.subset"
        );
        assert_eq!(field_path(&d, span_of(text, "spec")), "spec");
    }

    #[test]
    fn list_items_start_at_the_item() {
        let text = "kind: List\nitems:\n- kind: Service\n  spec:\n    ports:\n    - port: 80\n";
        let d = doc(text);
        assert_eq!(field_path(&d, span_of(text, "80")), "spec.ports[0].port");
    }

    #[test]
    fn pairing_is_a_multiset_match() {
        let id = |p: &str| Identity {
            rule: "r".into(),
            resource: "VirtualService a/b".into(),
            path: p.into(),
        };
        let before = [id("x"), id("x"), id("y")];
        let after = [id("x"), id("z"), id("x"), id("x")];
        let (known, kept) = pair(&before, &after);
        assert_eq!(known, [true, false, true, false]);
        assert_eq!(kept, [true, true, false]);
    }
}
