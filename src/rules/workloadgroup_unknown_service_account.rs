//! `workloadgroup-unknown-service-account` (Kiali KIA1701): a WorkloadGroup
//! `template.serviceAccount` that is not a ServiceAccount of its namespace in the inputs (the
//! `default` account exists in every namespace). A warning where the inputs hold ServiceAccounts
//! of that namespace, else an info (the files may just not show them).

use std::collections::{BTreeSet, HashSet};

use crate::diag::{self, Diagnostic, Severity};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "workloadgroup-unknown-service-account",
    code: None,
    codes: &["KIA1701"],
    severity: Severity::Warning,
    summary: "a WorkloadGroup template runs as a ServiceAccount that is not in the inputs",
    doc: include_str!("../../rules/workloadgroup-unknown-service-account.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let model = cx.model;
    if model.workload_groups.is_empty() {
        return;
    }
    let accounts: BTreeSet<(&str, &str)> = model.service_accounts.iter().map(|s| (s.namespace(), s.name())).collect();
    let namespaces: HashSet<&str> = accounts.iter().map(|(ns, _)| *ns).collect();
    for wg in &model.workload_groups {
        let Some(sa) = wg.spec.template.as_ref().and_then(|t| t.service_account.as_ref()) else { continue };
        let ns = wg.namespace();
        if sa.value.is_empty() || sa.value == "default" || accounts.contains(&(ns, sa.value.as_str())) {
            continue;
        }
        let in_ns = accounts.iter().filter(|(n, _)| *n == ns).map(|(_, s)| *s);
        let help = match diag::did_you_mean(&sa.value, in_ns) {
            Some(s) => format!("did you mean service account {s:?}?"),
            None => format!("add the ServiceAccount {ns}/{} (the VMs' identity), or fix the name", sa.value),
        };
        let severity = if namespaces.contains(ns) { Severity::Warning } else { Severity::Info };
        out.push(
            Diagnostic::new(
                &RULE,
                sa.loc,
                format!(
                    "the workloads of this group run as service account {:?}, which is not a ServiceAccount of \
                     namespace {ns} in the inputs: the VMs of this group join the mesh with a token of that account \
                     (`istioctl x workload entry configure` asks for one), so without the account they cannot",
                    sa.value
                ),
            )
            .severity(severity)
            .help(help)
            .resource(Some(wg.resource_ref())),
        );
    }
}
