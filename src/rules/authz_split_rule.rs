//! `authz-split-rule` (info): `from` and `to` written as two items of `rules` (ORed) where one
//! rule with both (ANDed) was almost certainly meant — a dash too many:
//!
//! ```yaml
//! rules:
//! - from: [...]   # rule 0: these callers, any operation
//! - to: [...]     # rule 1: any caller, these operations
//! ```

use crate::authz::Action;
use crate::diag::{Diagnostic, Severity};
use crate::model::security::AuthzRule;
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "authz-split-rule",
    code: None,
    codes: &[],
    severity: Severity::Info,
    summary: "`from` and `to` in two rules (OR) where one rule (AND) was probably meant",
    doc: include_str!("../../rules/authz-split-rule.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn only_from(r: &AuthzRule) -> bool {
    !r.from.is_empty() && r.to.is_empty() && r.when.is_empty()
}

fn only_to(r: &AuthzRule) -> bool {
    r.from.is_empty() && !r.to.is_empty() && r.when.is_empty()
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for p in &cx.model.authorization_policies {
        let rules = &p.spec.rules;
        for (i, pair) in rules.windows(2).enumerate() {
            let [a, b] = pair else { continue };
            if !(only_from(a) && only_to(b) || only_to(a) && only_from(b)) {
                continue;
            }
            let effect = match Action::of(&p.spec) {
                Some(Action::Deny) => {
                    "so it denies every request of those callers and every such operation from anyone"
                }
                _ => "so those callers may do anything and anyone may do those operations",
            };
            out.push(
                Diagnostic::new(
                    &RULE,
                    cx.model.sources.first_line(b.at),
                    format!(
                        "rules[{i}] has only `{}` and rules[{}] only `{}`: two rules match independently (OR), {effect}",
                        if only_from(a) { "from" } else { "to" },
                        i + 1,
                        if only_to(b) { "to" } else { "from" },
                    ),
                )
                .help("if both must hold, write them in one rule: remove the `-` before this key so it joins the rule above")
                .related(cx.model.sources.first_line(a.at), format!("rules[{i}]"))
                .resource(Some(p.resource_ref())),
            );
        }
    }
}
