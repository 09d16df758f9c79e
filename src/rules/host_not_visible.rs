//! `host-not-visible`: the Sidecar that scopes the VirtualService's namespace (its selector-less
//! Sidecar, else the root namespace's) does not import a host the VirtualService uses, so sidecars
//! there cannot apply the route. A destination outside the egress scope has no cluster (503 `NC`);
//! a VirtualService host outside it is not selected at all (`SelectVirtualServices`), and traffic
//! to it takes the outbound traffic policy instead (passthrough or 502 blackhole).


use crate::diag::{Diagnostic, Severity};
use crate::mesh::routes::destinations;
use crate::mesh::{Labels, Mesh, ServiceId, SidecarIdx};
use crate::model::Model;
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "host-not-visible",
    code: None,
    codes: &[],
    severity: Severity::Warning,
    summary: "a host the VirtualService uses is outside its namespace's Sidecar egress scope",
    doc: include_str!("../../rules/host-not-visible.md"),
    check: Some(check),
};

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

fn imported(mesh: &Mesh, model: &Model, sidecar: SidecarIdx, services: &[ServiceId]) -> bool {
    services
        .iter()
        .any(|&id| mesh.sidecar_imports(model, sidecar, id))
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
        let sc = &model.sidecars[sidecar];
        let sc_name = format!("Sidecar {}/{}", sc.namespace(), sc.name());
        let scope = if sc.namespace() == ns {
            format!("namespace {ns}")
        } else {
            format!("namespace {ns} (mesh-wide default)")
        };
        let scopes = [ns.to_string()];
        let mut vs_hidden = false;
        for written in &vs.spec.hosts {
            let found = mesh.lookup_host(&written.value, ns, &scopes);
            if found.visible.is_empty() || imported(mesh, model, sidecar, &found.visible) {
                continue;
            }
            vs_hidden = true;
            out.push(
                Diagnostic::new(
                    &RULE,
                    written.loc,
                    format!(
                        "{sc_name}, which scopes the sidecars of {scope}, does not import host {} (egress hosts: {}): those sidecars never apply this VirtualService",
                        found.host,
                        egress_hosts(model, sidecar)
                    ),
                )
                .help(format!(
                    "add \"{}/{}\" (or \"{}/*\") to the egress hosts of {sc_name}",
                    mesh.service(found.visible[0]).namespace,
                    found.host,
                    mesh.service(found.visible[0]).namespace
                ))
                .related(sc.loc(), format!("{sc_name} is defined here"))
                .resource(Some(vs.resource_ref())),
            );
        }
        if vs_hidden {
            continue; // Its destinations do not matter to sidecars that never apply it.
        }
        for d in destinations(&vs.spec) {
            let Some(written) = d.host() else { continue };
            let found = mesh.lookup_host(&written.value, ns, &scopes);
            if found.visible.is_empty() || imported(mesh, model, sidecar, &found.visible) {
                continue;
            }
            let svc = mesh.service(found.visible[0]);
            out.push(
                Diagnostic::new(
                    &RULE,
                    written.loc,
                    format!(
                        "{sc_name}, which scopes the sidecars of {scope}, does not import {} (egress hosts: {}): they have no cluster for it, so this {} fails with 503 NC",
                        found.host,
                        egress_hosts(model, sidecar),
                        if d.role.is_mirror() { "mirror" } else { "route" }
                    ),
                )
                .help(format!("add \"{}/{}\" (or \"{}/*\") to the egress hosts of {sc_name}", svc.namespace, found.host, svc.namespace))
                .related(sc.loc(), format!("{sc_name} is defined here"))
                .resource(Some(vs.resource_ref())),
            );
        }
    }
}
