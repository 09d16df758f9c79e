//! `ineffective-match`: one `match` entry of a route that is never used, while the route itself
//! stays reachable through its other entries. The analysis is `mesh::shadowing`, whose
//! unreachable routes `unreachable-route` reports.

use crate::diag::{Diagnostic, Severity};
use crate::mesh::shadowing::{self, Condition, Finding, RouteList};
use crate::model::Res;
use crate::model::networking::VirtualService;
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "ineffective-match",
    code: Some("IST0131"),
    codes: &["IST0131"],
    severity: Severity::Info,
    summary: "a `match` entry that never takes a request because an earlier match takes them all",
    doc: include_str!("../../rules/ineffective-match.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (i, vs) in cx.model.virtual_services.iter().enumerate() {
        let found = shadowing::virtual_service(cx.model, cx.mesh, i);
        describe(vs, &found.http, out);
        describe(vs, &found.tcp, out);
        describe(vs, &found.tls, out);
    }
}

fn describe<C: Condition>(
    vs: &Res<VirtualService>,
    list: &RouteList<C>,
    out: &mut Vec<Diagnostic>,
) {
    let (routes, unit) = (&list.routes, list.unit);
    for finding in &list.findings {
        let Finding::Ineffective {
            route,
            index,
            by,
            same_route,
        } = finding
        else {
            continue;
        };
        let view = &routes[*route];
        let (cond, loc) = &view.matches[*index];
        let by_text = if *same_route {
            let k = by.index.unwrap_or(0);
            format!(
                "match[{k}] of the same route ({}) comes first and matches all of them",
                view.matches[k].0
            )
        } else {
            format!(
                "{} before it takes every {unit} this entry matches",
                list.shadower_text(*by)
            )
        };
        let message = format!(
            "{} match[{index}] ({cond}) is never used: {by_text}",
            view.label
        );
        let help = if *same_route {
            "remove this redundant `match` entry".to_string()
        } else {
            format!(
                "remove this `match` entry, or move {} above {} if these {unit}s should go to it",
                view.label, routes[by.route].label
            )
        };
        out.push(
            Diagnostic::new(&RULE, *loc, message)
                .help(help)
                .related(
                    list.shadower_loc(*by),
                    format!("{} matches these {unit}s first", list.match_label(*by)),
                )
                .resource(Some(vs.resource_ref())),
        );
    }
}
