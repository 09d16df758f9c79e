//! Which resources a change touches: added, removed, or with a different text. Only these
//! decide what the traffic and security sections recompute; what they report is always an
//! outcome that differs, so a resource counted as changed for its comments costs a little time
//! and reports nothing.

use std::collections::{HashMap, HashSet};
use std::hash::Hasher;

use crate::model::Model;

/// `(kind, namespace, name)`.
pub type Key = (String, String, String);

#[derive(Debug, Default)]
pub struct Changes {
    pub changed: HashSet<Key>,
}

/// Every resource of a model with a hash of its text (the text from where the object starts
/// to the end of its document; comments and blank lines at the end are left out).
fn texts(model: &Model) -> HashMap<Key, u64> {
    let mut out = HashMap::new();
    for (meta, origin) in model.metas() {
        let Some(doc) = model.documents.get(origin.doc as usize) else {
            continue;
        };
        let Some(file) = model.sources.files().get(doc.file.0 as usize) else {
            continue;
        };
        let start = (origin.at.span.start as usize).min(file.text.len());
        let end = (doc.span.end as usize).clamp(start, file.text.len());
        let text = file.text.get(start..end).unwrap_or("");
        let mut hasher = rustc_hash::FxHasher::default();
        for line in text.lines() {
            let line = line.trim_end();
            if line.is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            hasher.write(line.as_bytes());
            hasher.write_u8(b'\n');
        }
        let h = hasher.finish();
        let key = (
            meta.kind.info().kind.to_string(),
            meta.namespace.clone(),
            meta.name.value.clone(),
        );
        // Two resources of one identity (a duplicate): any difference counts.
        out.entry(key)
            .and_modify(|old: &mut u64| *old ^= h.rotate_left(1))
            .or_insert(h);
    }
    out
}

impl Changes {
    pub fn between(base: &Model, head: &Model) -> Changes {
        let (a, b) = rayon::join(|| texts(base), || texts(head));
        let mut changed = HashSet::new();
        for (k, h) in &a {
            if b.get(k) != Some(h) {
                changed.insert(k.clone());
            }
        }
        for k in b.keys() {
            if !a.contains_key(k) {
                changed.insert(k.clone());
            }
        }
        Changes { changed }
    }

    pub fn is_changed(&self, kind: &str, namespace: &str, name: &str) -> bool {
        self.changed
            .contains(&(kind.to_string(), namespace.to_string(), name.to_string()))
    }

    /// The changed resources of one kind.
    pub fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Key> + 'a {
        self.changed.iter().filter(move |k| k.0 == kind)
    }
}
