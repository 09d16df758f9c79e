//! `dr-host-not-found`: a DestinationRule whose `host` is no Service or ServiceEntry of the
//! inputs (istioctl `destinationrule.SubsetSelectPodAnalyzer`, IST0174
//! `UnknownDestinationRuleHost`; Kiali KIA0202). Wildcard hosts are not checked, and nothing is
//! reported when the inputs hold no Service or ServiceEntry at all (a repository of routing
//! rules only: the files cannot tell).

use crate::diag::{Diagnostic, Severity, Subject};
use crate::mesh::host;
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "dr-host-not-found",
    code: Some("IST0174"),
    codes: &["IST0174", "KIA0202"],
    severity: Severity::Warning,
    summary: "a DestinationRule whose host is no Service or ServiceEntry: its policy applies to nothing",
    doc: include_str!("../../rules/dr-host-not-found.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mesh = cx.mesh;
    if mesh.services.is_empty() {
        return;
    }
    for dr in &cx.model.destination_rules {
        let Some(written) = dr.spec.host.as_ref() else { continue };
        if written.value.is_empty() || written.value.starts_with('*') {
            continue;
        }
        let resolved = host::resolve(&written.value, dr.namespace());
        if !mesh.services_for_host(&resolved).is_empty() {
            continue;
        }
        let shown = if resolved == written.value {
            resolved.clone()
        } else {
            format!("{} ({resolved})", written.value)
        };
        out.push(
            Diagnostic::new(
                &RULE,
                written.loc,
                format!(
                    "host {shown} is no Service or ServiceEntry in the inputs: this DestinationRule's traffic policy and \
                     subsets apply to nothing"
                ),
            )
            .help("fix the host (short names resolve in the DestinationRule's namespace), or add the ServiceEntry for an external host")
            .resource(Some(dr.resource_ref()))
            // A host `.meshlint.yaml` declares `external:` exists, only not in these files.
            .subject(Subject::Host(resolved)),
        );
    }
}
