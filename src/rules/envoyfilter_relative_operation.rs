//! `envoyfilter-relative-operation`: an EnvoyFilter without `priority` whose patch uses a
//! relative operation (istioctl `envoyfilter.EnvoyPatchAnalyzer`, IST0151
//! `EnvoyFilterUsesRelativeOperation`). [`patch_findings`] is the analyzer itself, shared by the
//! four other EnvoyFilter rules (IST0152–IST0155).

use crate::diag::{Diagnostic, Severity};
use crate::model::Model;
use crate::model::networking::EnvoyConfigPatch;
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "envoyfilter-relative-operation",
    code: Some("IST0151"),
    codes: &["IST0151"],
    severity: Severity::Warning,
    summary: "an EnvoyFilter without priority uses a relative patch operation, whose effect depends on the order filters are applied",
    doc: include_str!("../../rules/envoyfilter-relative-operation.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

/// What is wrong with one patch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchFinding {
    /// IST0151: relative operation, no priority.
    Relative,
    /// IST0155: relative operation, no priority, and an earlier patch with `proxyVersion` names
    /// the same filter.
    RelativeWithProxyVersion,
    /// IST0152: `REPLACE` on something other than a filter or virtual host.
    Replace,
    /// IST0153: `ADD` to `ROUTE_CONFIGURATION` or `HTTP_ROUTE`.
    Add,
    /// IST0154: `REMOVE` of `ROUTE_CONFIGURATION` or `HTTP_ROUTE`.
    Remove,
}

/// The filter a patch is about: the patch value's `name`, else the listener filter it matches.
fn instance_name(p: &EnvoyConfigPatch) -> &str {
    let patch = p.patch.as_ref();
    if let Some(n) = patch.and_then(|x| x.value.as_ref()).and_then(|v| v.name.as_ref()) {
        return &n.value;
    }
    if patch.is_none_or(|x| x.value.is_none()) {
        return "";
    }
    p.match_
        .as_ref()
        .and_then(|m| m.listener.as_ref())
        .and_then(|l| l.filter_chain.as_ref())
        .and_then(|f| f.filter.as_ref())
        .and_then(|f| f.name.as_ref())
        .map_or("", |n| n.value.as_str())
}

/// Every finding of every EnvoyFilter: (index into `Model::envoy_filters`, patch index,
/// finding). Like upstream, filters are visited by namespace and name, and the filter names of
/// patches with a `proxyVersion` carry over from one EnvoyFilter to the next.
pub fn patch_findings(model: &Model) -> Vec<(usize, usize, PatchFinding)> {
    let mut order: Vec<usize> = (0..model.envoy_filters.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&model.envoy_filters[a], &model.envoy_filters[b]);
        (x.namespace(), x.name()).cmp(&(y.namespace(), y.name()))
    });
    let mut versioned: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut out = Vec::new();
    for i in order {
        let ef = &model.envoy_filters[i];
        let priority = ef.spec.priority.as_ref().map_or(0, |p| p.value);
        for (j, p) in ef.spec.config_patches.iter().enumerate() {
            let Some(patch) = p.patch.as_ref() else { break };
            let name = instance_name(p);
            let op = patch.operation.as_ref().map_or("", |o| o.value.as_str());
            let apply_to = p.apply_to.as_ref().map_or("", |a| a.value.as_str());
            let route_level = matches!(apply_to, "ROUTE_CONFIGURATION" | "HTTP_ROUTE");
            let relative = match op {
                "ADD" => {
                    if route_level {
                        out.push((i, j, PatchFinding::Add));
                    }
                    false
                }
                "REMOVE" if route_level => {
                    out.push((i, j, PatchFinding::Remove));
                    false
                }
                "REPLACE" if !matches!(apply_to, "HTTP_FILTER" | "NETWORK_FILTER" | "VIRTUAL_HOST") => {
                    out.push((i, j, PatchFinding::Replace));
                    false
                }
                "REMOVE" | "REPLACE" | "INSERT_BEFORE" | "INSERT_AFTER" => true,
                _ => false,
            };
            if relative && priority == 0 {
                let finding = if versioned.contains(name) {
                    PatchFinding::RelativeWithProxyVersion
                } else {
                    PatchFinding::Relative
                };
                out.push((i, j, finding));
            }
            if p.match_
                .as_ref()
                .and_then(|m| m.proxy.as_ref())
                .and_then(|x| x.proxy_version.as_ref())
                .is_some_and(|v| !v.value.is_empty())
            {
                versioned.insert(name.to_string());
            }
        }
    }
    out
}

/// One diagnostic per EnvoyFilter and finding kind (upstream reports identical messages once),
/// at the first offending patch's operation, with the other patches as related locations.
pub fn report(
    cx: &Context<'_>,
    rule: &'static Rule,
    kind: PatchFinding,
    message: impl Fn(&str, &str) -> String,
    help: &str,
    out: &mut Vec<Diagnostic>,
) {
    let model = cx.model;
    let mut by_filter: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for (i, j, k) in patch_findings(model) {
        if k == kind {
            by_filter.entry(i).or_default().push(j);
        }
    }
    for (i, patches) in by_filter {
        let ef = &model.envoy_filters[i];
        let loc_of = |j: usize| {
            ef.spec.config_patches.get(j).map_or(ef.loc(), |p| {
                p.patch
                    .as_ref()
                    .and_then(|x| x.operation.as_ref())
                    .map_or(p.at, |o| o.loc)
            })
        };
        let Some(&first) = patches.first() else { continue };
        let p = &ef.spec.config_patches[first];
        let op = p
            .patch
            .as_ref()
            .and_then(|x| x.operation.as_ref())
            .map_or("", |o| o.value.as_str());
        let apply_to = p.apply_to.as_ref().map_or("", |a| a.value.as_str());
        let mut d = Diagnostic::new(rule, loc_of(first), message(op, apply_to))
            .help(help)
            .resource(Some(ef.resource_ref()));
        for &j in patches.iter().skip(1) {
            d = d.related(loc_of(j), format!("configPatches[{j}] too"));
        }
        out.push(d);
    }
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    report(
        cx,
        &RULE,
        PatchFinding::Relative,
        |op, _| {
            format!(
                "{op} is relative to a filter another patch may add or remove, and this EnvoyFilter has no `priority`: \
                 EnvoyFilters of equal priority apply in creation order, so the patch may find nothing to act on and be skipped"
            )
        },
        "set `priority` on the EnvoyFilter, or use an absolute operation (INSERT_FIRST, ADD)",
        out,
    );
}
