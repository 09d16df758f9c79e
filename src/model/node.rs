//! Typed views over the YAML arena. Conversion is lenient: a value of the wrong type becomes
//! `None`/empty here (the schema validator reports it), so the typed model never fails.

use crate::load::yaml::{Document, NodeId, Scalar};
use crate::source::Loc;

/// A value with the location of its value and of its key (the item itself for list items).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Spanned<T> {
    pub value: T,
    pub loc: Loc,
    pub key: Loc,
}

impl<T> Spanned<T> {
    pub fn new(value: T, loc: Loc) -> Self {
        Spanned {
            value,
            loc,
            key: loc,
        }
    }
}

impl<T> std::ops::Deref for Spanned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl std::fmt::Display for Spanned<String> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.value)
    }
}

/// Builds a typed value from a node. `key` is the mapping key the value sits under, if any.
pub trait FromNode: Sized {
    fn from_node(doc: &Document, id: NodeId, key: Option<NodeId>) -> Option<Self>;
}

pub fn loc(doc: &Document, id: NodeId) -> Loc {
    Loc::new(doc.file, doc.span(id))
}

impl FromNode for String {
    fn from_node(doc: &Document, id: NodeId, _: Option<NodeId>) -> Option<Self> {
        match doc.scalar(id)? {
            Scalar::Null => None,
            _ => doc.str(id).map(str::to_string),
        }
    }
}

impl FromNode for bool {
    fn from_node(doc: &Document, id: NodeId, _: Option<NodeId>) -> Option<Self> {
        match doc.scalar(id)? {
            Scalar::Bool(b) => Some(b),
            _ => None,
        }
    }
}

impl FromNode for i64 {
    fn from_node(doc: &Document, id: NodeId, _: Option<NodeId>) -> Option<Self> {
        match doc.scalar(id)? {
            Scalar::Int(i) => i64::try_from(i).ok(),
            _ => None,
        }
    }
}

impl FromNode for u32 {
    fn from_node(doc: &Document, id: NodeId, _: Option<NodeId>) -> Option<Self> {
        match doc.scalar(id)? {
            Scalar::Int(i) => u32::try_from(i).ok(),
            _ => None,
        }
    }
}

impl FromNode for f64 {
    fn from_node(doc: &Document, id: NodeId, _: Option<NodeId>) -> Option<Self> {
        match doc.scalar(id)? {
            Scalar::Int(i) => Some(i as f64),
            Scalar::Float(f) => Some(f),
            _ => None,
        }
    }
}

/// Kubernetes' IntOrString (`targetPort: 8080` or `targetPort: http`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum IntOrString {
    Int(i64),
    String(String),
}

impl FromNode for IntOrString {
    fn from_node(doc: &Document, id: NodeId, _: Option<NodeId>) -> Option<Self> {
        match doc.scalar(id)? {
            Scalar::Int(i) => i64::try_from(i).ok().map(IntOrString::Int),
            Scalar::Str(s) => Some(IntOrString::String(s.to_string())),
            _ => None,
        }
    }
}

impl<T: FromNode> FromNode for Spanned<T> {
    fn from_node(doc: &Document, id: NodeId, key: Option<NodeId>) -> Option<Self> {
        let value = T::from_node(doc, id, key)?;
        let at = loc(doc, id);
        Some(Spanned {
            value,
            loc: at,
            key: key.map_or(at, |k| loc(doc, k)),
        })
    }
}

impl<T: FromNode> FromNode for Option<T> {
    fn from_node(doc: &Document, id: NodeId, key: Option<NodeId>) -> Option<Self> {
        Some(T::from_node(doc, id, key))
    }
}

/// Lists in typed structs: one pointer wide, and no allocation when empty (most optional lists
/// of a resource are absent).
impl<T: FromNode> FromNode for thin_vec::ThinVec<T> {
    fn from_node(doc: &Document, id: NodeId, _: Option<NodeId>) -> Option<Self> {
        let items = doc.items(id);
        let mut out = thin_vec::ThinVec::with_capacity(items.len());
        out.extend(
            items
                .iter()
                .filter_map(|&item| T::from_node(doc, item, None)),
        );
        Some(out)
    }
}

impl<T: FromNode> FromNode for Box<T> {
    fn from_node(doc: &Document, id: NodeId, key: Option<NodeId>) -> Option<Self> {
        T::from_node(doc, id, key).map(Box::new)
    }
}

/// A string-keyed map (labels, annotations, selectors, headers): a vector sorted by key, exactly
/// sized. Manifests hold a handful of entries per map, for which a `BTreeMap` would allocate a whole
/// 11-slot node (≈ 700 bytes for `Spanned<String>` values); lookups are binary searches.
pub type Map<V> = litemap::LiteMap<String, V>;

/// String-keyed maps. A key written twice keeps its last value, as Kubernetes' decoder does
/// (`duplicate-key` reports it).
impl<T: FromNode> FromNode for Map<T> {
    fn from_node(doc: &Document, id: NodeId, _: Option<NodeId>) -> Option<Self> {
        let entries = doc.entries(id);
        let mut out: Vec<(String, T)> = Vec::with_capacity(entries.len());
        for &(k, v) in entries {
            if let (Some(key), Some(value)) = (doc.str(k), T::from_node(doc, v, Some(k))) {
                out.push((key.to_string(), value));
            }
        }
        // Stable, so the last of equal keys stays last; `dedup_by` keeps the first of a run, so
        // it is handed the later value first.
        out.sort_by(|a, b| a.0.cmp(&b.0));
        let len = out.len();
        out.dedup_by(|later, earlier| {
            let same = later.0 == earlier.0;
            if same {
                std::mem::swap(later, earlier);
            }
            same
        });
        if out.len() != len {
            out.shrink_to_fit();
        }
        Some(Map::from_sorted_store_unchecked(out))
    }
}

/// A reference to an untyped subtree (free-form fields such as EnvoyFilter patches).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Raw {
    pub node: NodeId,
    pub loc: Loc,
}

impl FromNode for Raw {
    fn from_node(doc: &Document, id: NodeId, _: Option<NodeId>) -> Option<Self> {
        Some(Raw {
            node: id,
            loc: loc(doc, id),
        })
    }
}

/// The nesting of a typed value, for tests that compare the typed model with the CRD schemas.
/// Built from `fn` pointers only, so it costs nothing unless someone walks it.
#[derive(Clone, Copy)]
pub enum Shape {
    /// A string, number or boolean.
    Scalar,
    /// An untyped subtree: anything goes.
    Raw,
    /// A typed mapping: its Rust name and its keys.
    Struct(&'static str, &'static [FieldShape]),
    /// A list of the inner shape.
    List(fn() -> Shape),
    /// A string-keyed map of the inner shape.
    Map(fn() -> Shape),
}

impl std::fmt::Debug for Shape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Shape::Scalar => f.write_str("Scalar"),
            Shape::Raw => f.write_str("Raw"),
            Shape::Struct(name, _) => write!(f, "Struct({name})"),
            Shape::List(inner) => write!(f, "List({:?})", inner()),
            Shape::Map(inner) => write!(f, "Map({:?})", inner()),
        }
    }
}

/// One key of a typed mapping and the shape of its value.
#[derive(Clone, Copy, Debug)]
pub struct FieldShape {
    pub key: &'static str,
    pub shape: fn() -> Shape,
}

/// Every typed value knows its shape.
pub trait HasShape {
    fn shape() -> Shape;
}

macro_rules! scalar_shape {
    ($($t:ty),*) => { $(impl HasShape for $t { fn shape() -> Shape { Shape::Scalar } })* };
}
scalar_shape!(String, bool, i64, u32, f64, IntOrString);

impl HasShape for Raw {
    fn shape() -> Shape {
        Shape::Raw
    }
}
impl<T: HasShape> HasShape for Spanned<T> {
    fn shape() -> Shape {
        T::shape()
    }
}
impl<T: HasShape> HasShape for Option<T> {
    fn shape() -> Shape {
        T::shape()
    }
}
impl<T: HasShape> HasShape for Box<T> {
    fn shape() -> Shape {
        T::shape()
    }
}
impl<T: HasShape> HasShape for thin_vec::ThinVec<T> {
    fn shape() -> Shape {
        Shape::List(T::shape)
    }
}
impl<T: HasShape> HasShape for Map<T> {
    fn shape() -> Shape {
        Shape::Map(T::shape)
    }
}

/// Declares a typed struct over a YAML mapping: each field names its YAML key. Every struct gets
/// `at` (the location of the mapping itself), `KEYS` (the keys it models) and `FIELDS` (each key
/// with the shape of its value), which a test checks against the CRD schemas.
#[macro_export]
macro_rules! node_struct {
    ($(#[$meta:meta])* pub struct $name:ident { $($(#[$fmeta:meta])* $key:literal => $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct $name {
            $($(#[$fmeta])* pub $field: $ty,)*
            /// Where this mapping is written.
            pub at: $crate::source::Loc,
        }
        impl $name {
            /// The YAML keys this struct models.
            pub const KEYS: &'static [&'static str] = &[$($key),*];
            /// Each key with the shape of its value (for the schema test).
            pub const FIELDS: &'static [$crate::model::node::FieldShape] = &[
                $($crate::model::node::FieldShape { key: $key, shape: <$ty as $crate::model::node::HasShape>::shape }),*
            ];
        }
        impl $crate::model::node::HasShape for $name {
            fn shape() -> $crate::model::node::Shape {
                $crate::model::node::Shape::Struct(stringify!($name), Self::FIELDS)
            }
        }
        impl $crate::model::node::FromNode for $name {
            fn from_node(
                doc: &$crate::load::yaml::Document,
                id: $crate::load::yaml::NodeId,
                _key: Option<$crate::load::yaml::NodeId>,
            ) -> Option<Self> {
                if !doc.is_map(id) {
                    return None;
                }
                #[allow(unused_mut, clippy::needless_update)]
                let mut out = Self { at: $crate::model::node::loc(doc, id), ..Default::default() };
                #[allow(clippy::never_loop, unused_variables)]
                for &(k, v) in doc.entries(id) {
                    match doc.str(k) {
                        $(Some($key) => {
                            if let Some(value) = <$ty as $crate::model::node::FromNode>::from_node(doc, v, Some(k)) {
                                out.$field = value;
                            }
                        })*
                        _ => {}
                    }
                }
                Some(out)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::load::yaml::{Budgets, parse_chunk, split};
    use crate::source::FileId;

    fn labels(text: &str) -> Map<Spanned<String>> {
        let text: Arc<str> = Arc::from(text);
        let chunk = &split(&text)[0];
        let parsed = parse_chunk(FileId(0), &text, chunk, 0, &Budgets::default());
        let doc = &parsed.documents[0];
        Map::from_node(doc, doc.root.unwrap(), None).unwrap()
    }

    #[test]
    fn map_is_sorted_exactly_sized_and_keeps_the_last_duplicate() {
        let map = labels("b: 1\na: 2\nc: 3\na: 4\n");
        let entries: Vec<(&str, &str)> = map
            .iter()
            .map(|(k, v)| (k.as_str(), v.value.as_str()))
            .collect();
        assert_eq!(entries, [("a", "4"), ("b", "1"), ("c", "3")]);
        assert_eq!(map.get("a").unwrap().loc.span.start, 18);
        assert_eq!(map.into_tuple_vec().capacity(), 3);
    }

    #[test]
    fn map_skips_entries_that_are_not_strings() {
        let map = labels("a: [1]\nb: x\n? [k]\n: y\n");
        assert_eq!(map.keys().collect::<Vec<_>>(), ["b"]);
    }
}
