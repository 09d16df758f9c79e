//! The MeshNetworks of the run: `data.meshNetworks` of the `istio` ConfigMap (in `istio-system`,
//! else `istio-<revision>` there, else `istio` anywhere), as istiod reads it. Only what the
//! analysis needs: each network's name and the registries its endpoints come from.
//!
//! Written as a literal block (`meshNetworks: |`), every location is exact in the file; any other
//! string style points at the value as a whole.

use std::sync::Arc;

use crate::diag::{Diagnostic, ResourceRef};
use crate::load::yaml::{self, Document, NodeId};
use crate::model::{Model, Spanned};
use crate::source::{Loc, Span};

#[derive(Debug, Clone, PartialEq)]
pub struct MeshNetworks {
    /// The ConfigMap it is written in.
    pub resource: ResourceRef,
    /// The `meshNetworks` value.
    pub at: Loc,
    pub networks: Vec<Network>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    pub name: Spanned<String>,
    /// `endpoints[].fromRegistry`, in order.
    pub from_registry: Vec<Spanned<String>>,
}

const KEY: &str = "meshNetworks";

/// Finds and reads the MeshNetworks; a value that is not YAML is an `invalid-value`.
pub fn read(model: &Model, diagnostics: &mut Vec<Diagnostic>) -> Option<Box<MeshNetworks>> {
    let candidates: Vec<usize> = (0..model.config_maps.len())
        .filter(|&i| model.config_maps[i].spec.data.contains_key(KEY))
        .collect();
    let pick = |pred: &dyn Fn(&str, &str) -> bool| {
        candidates
            .iter()
            .copied()
            .filter(|&i| {
                pred(
                    model.config_maps[i].namespace(),
                    model.config_maps[i].name(),
                )
            })
            .min_by(|&a, &b| model.config_maps[a].name().cmp(model.config_maps[b].name()))
    };
    let index = pick(&|ns, name| ns == "istio-system" && name == "istio")
        .or_else(|| pick(&|ns, name| ns == "istio-system" && name.starts_with("istio-")))
        .or_else(|| pick(&|_, name| name == "istio"))?;
    let cm = &model.config_maps[index];
    let value = cm.spec.data.get(KEY)?;
    let file_text = &model.sources.get(value.loc.file).text;
    let (text, collapse) = match exact_text(file_text, value.loc.span) {
        Some(t) => (t, None),
        None => (Arc::from(value.value.as_str()), Some(value.loc.span)),
    };
    let chunk = yaml::Chunk {
        start: 0,
        end: text.len(),
        helm_source: None,
    };
    let parsed = yaml::parse_chunk(value.loc.file, &text, &chunk, 0, &yaml::Budgets::default());
    if let Some(error) = parsed.errors.first() {
        let at = collapse.map_or(Loc::new(value.loc.file, error.span), |s| {
            Loc::new(value.loc.file, s)
        });
        diagnostics.push(
            Diagnostic::new(
                &crate::catalog::invalid_value::RULE,
                at,
                "`data.meshNetworks` is not valid YAML, so istiod cannot read the mesh networks",
            )
            .help("write the MeshNetworks as a literal block: `meshNetworks: |` followed by `networks:`, indented")
            .resource(Some(cm.resource_ref())),
        );
        return None;
    }
    let doc = parsed.documents.into_iter().next()?;
    let at = |id: NodeId| match collapse {
        Some(s) => Loc::new(value.loc.file, s),
        None => Loc::new(value.loc.file, doc.span(id)),
    };
    let mut networks = Vec::new();
    let root = doc.root?;
    if let Some(nets) = doc.get(root, "networks") {
        for &(k, v) in doc.entries(nets) {
            let Some(name) = doc.str(k) else { continue };
            let from_registry = endpoints(&doc, v)
                .filter_map(|e| doc.get(e, "fromRegistry"))
                .filter_map(|r| doc.str(r).map(|s| Spanned::new(s.to_string(), at(r))))
                .collect();
            networks.push(Network {
                name: Spanned::new(name.to_string(), at(k)),
                from_registry,
            });
        }
    }
    Some(Box::new(MeshNetworks {
        resource: cm.resource_ref(),
        at: value.loc,
        networks,
    }))
}

fn endpoints(doc: &Document, network: NodeId) -> impl Iterator<Item = NodeId> + '_ {
    doc.get(network, "endpoints")
        .map(|e| doc.items(e))
        .unwrap_or_default()
        .iter()
        .copied()
}

/// For a literal block scalar (`|`, `|-`, `|+` without indentation indicator) whose content is
/// at `span`: the file's text with everything but the block's content blanked (newlines kept),
/// so that parsing it gives spans exact in the file.
fn exact_text(text: &str, span: Span) -> Option<Arc<str>> {
    let (start, end) = (span.start as usize, (span.end as usize).min(text.len()));
    text.get(start..end)?;
    let before = text.get(..start)?.trim_end_matches([' ', '\t', '\n', '\r']);
    if !(before.ends_with(": |") || before.ends_with(": |-") || before.ends_with(": |+")) {
        return None;
    }
    // Byte for byte, so offsets stay; the kept range starts and ends on character boundaries.
    let blanked: Vec<u8> = text
        .bytes()
        .enumerate()
        .map(|(i, b)| {
            if b == b'\n' || (start..end).contains(&i) {
                b
            } else {
                b' '
            }
        })
        .collect();
    String::from_utf8(blanked).ok().map(Arc::from)
}
