//! `authz-conflict`: AuthorizationPolicies on the same workloads that defeat each other.
//!
//! * an ALLOW rule that can never take effect, because a DENY rule of a policy that applies to
//!   every workload the ALLOW policy applies to matches every request the ALLOW rule matches
//!   (DENY is evaluated first); identical rules in ALLOW and DENY are the common case;
//! * (info) an ALLOW rule each of whose requests a CUSTOM rule on the same workloads sends to an
//!   external authorizer first: whether the ALLOW rule ever takes effect depends on what that
//!   provider answers, which the files cannot show, so the finding says so instead of guessing;
//! * an ALLOW policy without rules (allow-nothing) beside other ALLOW policies on the same
//!   workloads: it changes nothing there, and was usually meant to be a deny-all.
//!
//! "Matches every request" is `authz::conditions::rule_covers`, the authz extension of the
//! route subsumption of `mesh::matching` (`str_covers`): conservative, so a finding is certain.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::authz::conditions::rule_covers;
use crate::authz::{Action, PolicyIndex};
use crate::diag::{Diagnostic, Severity};
use crate::mesh::WorkloadId;
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "authz-conflict",
    code: None,
    codes: &[],
    severity: Severity::Warning,
    summary: "an ALLOW rule that a DENY rule always overrides, or an allow-nothing policy beside other ALLOW policies",
    doc: include_str!("../../rules/authz-conflict.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let (model, mesh) = (cx.model, cx.mesh);
    let aps = &model.authorization_policies;
    let interesting = aps.iter().any(|p| {
        matches!(Action::of(&p.spec), Some(Action::Deny | Action::Custom))
            || (Action::of(&p.spec) == Some(Action::Allow) && p.spec.rules.is_empty())
    });
    if !interesting {
        return;
    }
    let index = PolicyIndex::build(model, mesh);
    let mut selected: HashMap<usize, HashSet<WorkloadId>> = HashMap::default();
    let mut seen: HashSet<(usize, usize)> = HashSet::default();
    let mut reported_rules: HashSet<(usize, usize)> = HashSet::default();
    let mut reported_empty: HashSet<usize> = HashSet::default();
    let cache = |selected: &mut HashMap<usize, HashSet<WorkloadId>>, i: usize| {
        selected.entry(i).or_insert_with(|| {
            PolicyIndex::selected_workloads(model, mesh, i)
                .into_iter()
                .collect()
        });
    };
    for w in 0..mesh.workloads.len() {
        let applied = index.for_workload(model, mesh, WorkloadId(w as u32));
        let allows: Vec<usize> = applied
            .iter()
            .filter(|p| p.enforced() && p.action == Action::Allow)
            .map(|p| p.index)
            .collect();
        // CUSTOM is evaluated before DENY, so it comes first among the overriding policies.
        let denies: Vec<usize> = applied
            .iter()
            .filter(|p| p.enforced() && matches!(p.action, Action::Custom | Action::Deny))
            .map(|p| p.index)
            .collect();
        for &a in &allows {
            if aps[a].spec.rules.is_empty() && allows.len() > 1 && reported_empty.insert(a) {
                let others: Vec<String> = allows
                    .iter()
                    .filter(|&&o| o != a)
                    .take(3)
                    .map(|&o| format!("{}/{}", aps[o].namespace(), aps[o].name()))
                    .collect();
                let p = &aps[a];
                out.push(
                    Diagnostic::new(
                        &RULE,
                        p.loc(),
                        format!(
                            "this ALLOW policy has no rules (allow-nothing), but other ALLOW policies apply to the same workloads ({}): they already deny what they do not allow, so it changes nothing",
                            others.join(", ")
                        ),
                    )
                    .help("to deny every request, use `action: DENY` with `rules: [{}]`; otherwise remove this policy")
                    .resource(Some(p.resource_ref())),
                );
            }
            for &d in &denies {
                if !seen.insert((d, a)) {
                    continue;
                }
                cache(&mut selected, a);
                cache(&mut selected, d);
                let covered = match (selected.get(&a), selected.get(&d)) {
                    (Some(sa), Some(sd)) => !sa.is_empty() && sa.len() <= sd.len() && sa.is_subset(sd),
                    _ => false,
                };
                if !covered {
                    continue;
                }
                for (ar, allow_rule) in aps[a].spec.rules.iter().enumerate() {
                    let Some((dr, deny_rule)) = aps[d]
                        .spec
                        .rules
                        .iter()
                        .enumerate()
                        .find(|(_, r)| rule_covers(r, allow_rule))
                    else {
                        continue;
                    };
                    if !reported_rules.insert((a, ar)) {
                        continue;
                    }
                    let dp = &aps[d];
                    if Action::of(&dp.spec) == Some(Action::Custom) {
                        let provider = dp
                            .spec
                            .provider
                            .as_ref()
                            .and_then(|p| p.name.as_ref())
                            .map_or("(no provider named)", |n| n.value.as_str());
                        out.push(
                            Diagnostic::new(
                                &RULE,
                                model.sources.first_line(allow_rule.at),
                                format!(
                                    "rules[{ar}] of this ALLOW policy takes effect only for requests that the external authorizer \"{provider}\" allows: CUSTOM policy {}/{} rules[{dr}] matches every request it matches, applies to the same workloads, and is evaluated first; what that provider answers is not in the files",
                                    dp.namespace(),
                                    dp.name()
                                ),
                            )
                            .severity(Severity::Info)
                            .help("if the provider denies these requests, remove this ALLOW rule; otherwise narrow the CUSTOM rule to the requests the provider must see")
                            .related(model.sources.first_line(deny_rule.at), format!("CUSTOM rule {}/{} rules[{dr}]", dp.namespace(), dp.name()))
                            .resource(Some(aps[a].resource_ref())),
                        );
                        continue;
                    }
                    let identical = rule_covers(allow_rule, deny_rule);
                    let how = if identical {
                        "is identical to"
                    } else {
                        "matches every request of"
                    };
                    out.push(
                        Diagnostic::new(
                            &RULE,
                            model.sources.first_line(allow_rule.at),
                            format!(
                                "rules[{ar}] of this ALLOW policy never takes effect: DENY policy {}/{} rules[{dr}] {how} it and applies to the same workloads, and DENY is evaluated first",
                                dp.namespace(),
                                dp.name()
                            ),
                        )
                        .help("narrow the DENY rule (or remove this ALLOW rule if the requests are meant to be denied)")
                        .related(model.sources.first_line(deny_rule.at), format!("DENY rule {}/{} rules[{dr}]", dp.namespace(), dp.name()))
                        .resource(Some(aps[a].resource_ref())),
                    );
                }
            }
        }
    }
}
