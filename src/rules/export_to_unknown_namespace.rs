//! `export-to-unknown-namespace` (Kiali KIA0005): an `exportTo` entry of a VirtualService,
//! DestinationRule or ServiceEntry naming a namespace that no resource of the inputs lives in.
//! Without Namespace objects in the inputs the files cannot show every namespace of the cluster,
//! so the finding is an info; with them, a warning.

use std::collections::BTreeSet;

use crate::diag::{self, Diagnostic, Severity};
use crate::model::{Meta, Res, Spanned};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "export-to-unknown-namespace",
    code: None,
    codes: &["KIA0005"],
    severity: Severity::Warning,
    summary: "an exportTo entry names a namespace that is not in the inputs: it exports to nobody",
    doc: include_str!("../../rules/export-to-unknown-namespace.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

/// Every namespace the inputs show: Namespace objects, the namespaces resources live in (the
/// index's list, and those of the kinds it does not index), and the root namespace.
pub fn known_namespaces<'a>(cx: &Context<'a>) -> BTreeSet<&'a str> {
    let model = cx.model;
    let mut known: BTreeSet<&str> = cx.mesh.namespaces.keys().map(String::as_str).collect();
    for (meta, _) in model.metas() {
        known.insert(meta.namespace.as_str());
    }
    known.insert(cx.mesh.root_namespace.as_str());
    known.remove("");
    known
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let model = cx.model;
    let lists = model
        .virtual_services
        .iter()
        .map(|r| entries(r, r.spec.export_to.as_deref()))
        .chain(model.destination_rules.iter().map(|r| entries(r, r.spec.export_to.as_deref())))
        .chain(model.service_entries.iter().map(|r| entries(r, r.spec.export_to.as_deref())));
    let mut lists = lists.filter(|(_, l)| l.iter().any(|e| !matches!(e.value.as_str(), "." | "*" | "~"))).peekable();
    if lists.peek().is_none() {
        return;
    }
    let known = known_namespaces(cx);
    let declared = !model.namespaces.is_empty();
    for (meta, list) in lists {
        let kind = meta.kind.info().kind;
        for e in list {
            let v = e.value.as_str();
            if matches!(v, "." | "*" | "~") || known.contains(v) {
                continue;
            }
            let help = match diag::did_you_mean(v, known.iter().copied()) {
                Some(s) => format!("did you mean {s:?}?"),
                None => format!("export to an existing namespace, or remove {v:?}"),
            };
            let (severity, basis) = if declared {
                (Severity::Warning, "no Namespace of the inputs is named")
            } else {
                (Severity::Info, "no resource of the inputs lives in namespace")
            };
            out.push(
                Diagnostic::new(
                    &RULE,
                    e.loc,
                    format!(
                        "exported to {v:?}, but {basis} {v:?}: this entry makes the {kind} visible to no client (unless \
                         the namespace exists in the cluster outside these files)"
                    ),
                )
                .severity(severity)
                .help(help)
                .resource(Some(crate::model::resource_ref(meta))),
            );
        }
    }
}

fn entries<'m, T>(r: &'m Res<T>, list: Option<&'m [Spanned<String>]>) -> (&'m Meta, &'m [Spanned<String>]) {
    (&r.meta, list.unwrap_or(&[]))
}
