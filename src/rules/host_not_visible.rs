//! `host-not-visible`: the Sidecar that scopes the VirtualService's namespace (its selector-less
//! Sidecar, else the root namespace's) does not import the VirtualService, so sidecars there never
//! apply its routes (`SelectVirtualServices`: egress hosts are looked up under the
//! VirtualService's namespace and `*`); traffic to its hosts takes the outbound traffic policy
//! instead (passthrough or 502 blackhole). The destinations of an imported VirtualService are in
//! scope (`collectImportedServices`), so they are never reported.

use crate::diag::{Diagnostic, Severity};
use crate::mesh::{Labels, SidecarIdx};
use crate::model::Model;
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "host-not-visible",
    code: None,
    codes: &[],
    severity: Severity::Warning,
    summary: "a VirtualService that its namespace's Sidecar does not import (egress hosts select it by its own namespace)",
    doc: include_str!("../../rules/host-not-visible.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn egress_hosts(model: &Model, sidecar: SidecarIdx) -> String {
    let hosts: Vec<&str> = model.sidecars[sidecar]
        .spec
        .egress
        .iter()
        .flat_map(|e| &e.hosts)
        .map(|h| h.value.as_str())
        .collect();
    hosts.join(", ")
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let (model, mesh) = (cx.model, cx.mesh);
    let no_labels = Labels::new();
    for (i, vs) in model.virtual_services.iter().enumerate() {
        if !mesh.virtual_services[i].binds_mesh() {
            continue; // Gateways always use the default scope.
        }
        let ns = vs.namespace();
        let Some(sidecar) = mesh.sidecar_for(model, ns, &no_labels) else {
            continue;
        };
        // `SelectVirtualServices`: imported by the VirtualService's own namespace (or `*`);
        // then every destination of it is in scope too (`collectImportedServices`), so only the
        // VirtualService itself can be out of scope.
        if mesh.sidecar_imports_vs(model, sidecar, ns, i) {
            continue;
        }
        let sc = &model.sidecars[sidecar];
        let sc_name = format!("Sidecar {}/{}", sc.namespace(), sc.name());
        let scope = if sc.namespace() == ns {
            format!("namespace {ns}")
        } else {
            format!("namespace {ns} (mesh-wide default)")
        };
        let scopes = [ns.to_string()];
        for written in &vs.spec.hosts {
            let found = mesh.lookup_host(&written.value, ns, &scopes);
            if found.visible.is_empty() {
                continue; // Not a registry host: `unknown-host` territory.
            }
            let imports_service = found
                .visible
                .iter()
                .any(|&id| mesh.sidecar_imports_for(model, sidecar, ns, id));
            let why = if imports_service {
                format!(
                    "; the Sidecar imports the service, but egress hosts select VirtualServices by the VirtualService's namespace ({ns}), not by the host's"
                )
            } else {
                String::new()
            };
            out.push(
                Diagnostic::new(
                    &RULE,
                    written.loc,
                    format!(
                        "{sc_name}, which scopes the sidecars of {scope}, does not import this VirtualService for host {} (egress hosts: {}): those sidecars never apply it{why}",
                        found.host,
                        egress_hosts(model, sidecar)
                    ),
                )
                .help(format!(
                    "add \"{ns}/{}\" (or \"./*\") to the egress hosts of {sc_name}",
                    found.host
                ))
                .related(sc.loc(), format!("{sc_name} is defined here"))
                .resource(Some(vs.resource_ref())),
            );
        }
    }
}
