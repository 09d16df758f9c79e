//! `weights-not-100`: the destination weights of one route do not add up to 100.
//!
//! Version-aware (`--istio-version`): before Istio 1.15 the validating webhook rejected any
//! multi-destination route whose weights did not sum to 100 (error). Since 1.15 (istio/istio
//! #39544) weights are relative — each destination gets `weight / sum` — so a sum other than 100
//! is valid but rarely what the author read (warning, stating the real split). A total of 0 over
//! several destinations is still rejected (error), and a weight on a lone destination is ignored:
//! it gets 100 % (info).

use crate::diag::{Diagnostic, Severity};
use crate::model::networking::{Destination, VirtualService};
use crate::model::node::Spanned;
use crate::rules::{Context, Rule};
use crate::source::Loc;

pub const RULE: Rule = Rule {
    name: "weights-not-100",
    code: None,
    codes: &[],
    severity: Severity::Warning,
    summary: "the destination weights of a route do not add up to 100",
    doc: include_str!("../../rules/weights-not-100.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

/// The first Istio release with relative weights.
const RELATIVE_SINCE: (u32, u32) = (1, 15);

/// One route's destinations: (weight as written, where the destination is).
struct RouteWeights<'m> {
    path: String,
    weights: Vec<(Option<&'m Spanned<i64>>, Loc)>,
}

/// Where to point for a destination without weight: its host, else the list item.
fn spot(destination: Option<&Destination>, item: Loc) -> Loc {
    destination
        .and_then(|d| d.host.as_ref())
        .map_or(item, |h| h.loc)
}

fn routes(vs: &VirtualService) -> Vec<RouteWeights<'_>> {
    let mut out = Vec::new();
    for (i, r) in vs.http.iter().enumerate() {
        out.push(RouteWeights {
            path: format!("http[{i}]"),
            weights: r
                .route
                .iter()
                .map(|d| (d.weight.as_ref(), spot(d.destination.as_ref(), d.at)))
                .collect(),
        });
    }
    for (i, r) in vs.tls.iter().enumerate() {
        out.push(RouteWeights {
            path: format!("tls[{i}]"),
            weights: r
                .route
                .iter()
                .map(|d| (d.weight.as_ref(), spot(d.destination.as_ref(), d.at)))
                .collect(),
        });
    }
    for (i, r) in vs.tcp.iter().enumerate() {
        out.push(RouteWeights {
            path: format!("tcp[{i}]"),
            weights: r
                .route
                .iter()
                .map(|d| (d.weight.as_ref(), spot(d.destination.as_ref(), d.at)))
                .collect(),
        });
    }
    out
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let version = cx.options.istio_version;
    for vs in &cx.model.virtual_services {
        for route in routes(&vs.spec) {
            if let Some(d) = judge(&route, version) {
                out.push(d.resource(Some(vs.resource_ref())));
            }
        }
    }
}

fn judge(route: &RouteWeights<'_>, version: (u32, u32)) -> Option<Diagnostic> {
    let ws = &route.weights;
    let first_weight = ws.iter().find_map(|(w, _)| *w);
    // Negative weights are a schema error; count them as 0 here. Weights past int32 are an
    // `invalid-value` of the schema (Istio's weights are int32); they count as int32's largest, so that no sum overflows
    // (fewer than 2^32 destinations of at most 2^31 each).
    let values: Vec<i64> = ws
        .iter()
        .map(|(w, _)| w.map_or(0, |w| w.value.clamp(0, i64::from(i32::MAX))))
        .collect();
    let sum: i64 = values.iter().fold(0i64, |a, &v| a.saturating_add(v));
    match ws.len() {
        0 => None,
        1 => {
            let w = first_weight?;
            if w.value == 100 {
                return None;
            }
            Some(
                Diagnostic::new(
                    &RULE,
                    w.loc,
                    format!(
                        "{}: weight {} on the only destination has no effect; a lone destination always gets 100 % of the traffic",
                        route.path, w.value
                    ),
                )
                .severity(Severity::Info)
                .help("remove the weight, or add the other destination(s) the split was meant for"),
            )
        }
        _ if sum == 100 => None,
        _ => {
            let loc = first_weight.map_or(ws[0].1, |w| w.loc);
            let written = values
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(" + ");
            if sum == 0 {
                let message = if first_weight.is_none() {
                    format!(
                        "{}: {} destinations and no weights; the total weight is 0, which Istio rejects",
                        route.path,
                        ws.len()
                    )
                } else {
                    format!(
                        "{}: the weights add up to 0 ({written}), which Istio rejects",
                        route.path
                    )
                };
                return Some(
                    Diagnostic::new(&RULE, loc, message)
                        .severity(Severity::Error)
                        .help(format!(
                            "give the destinations weights that add up to 100, e.g. {}",
                            even_split(ws.len())
                        )),
                );
            }
            if version < RELATIVE_SINCE {
                return Some(
                    Diagnostic::new(
                        &RULE,
                        loc,
                        format!(
                            "{}: the weights add up to {sum} ({written}), not 100; Istio {}.{} rejects this VirtualService (relative weights came in 1.15)",
                            route.path, version.0, version.1
                        ),
                    )
                    .severity(Severity::Error)
                    .help(format!("make the weights add up to 100, e.g. {}", rescale(&values))),
                );
            }
            let shares: Vec<String> = values
                .iter()
                .map(|&v| percent(v as f64 * 100.0 / sum as f64))
                .collect();
            let zero_note = if values.contains(&0) {
                "; a destination without weight gets nothing"
            } else {
                ""
            };
            Some(
                Diagnostic::new(
                    &RULE,
                    loc,
                    format!(
                        "{}: the weights add up to {sum} ({written}), not 100; since Istio 1.15 weights are relative, so the destinations really get {}{zero_note}",
                        route.path,
                        shares.join(", ")
                    ),
                )
                .help(format!("write the split you mean so it adds up to 100, e.g. {}", rescale(&values))),
            )
        }
    }
}

/// `11.1 %`, `25 %`.
fn percent(p: f64) -> String {
    let text = format!("{p:.1}");
    format!("{} %", text.strip_suffix(".0").unwrap_or(&text))
}

/// The same proportions as whole numbers adding up to 100 (largest remainder).
fn rescale(values: &[i64]) -> String {
    let sum: i64 = values.iter().fold(0i64, |a, &v| a.saturating_add(v));
    if sum <= 0 {
        return even_split(values.len());
    }
    let exact: Vec<f64> = values
        .iter()
        .map(|&v| v as f64 * 100.0 / sum as f64)
        .collect();
    let mut whole: Vec<i64> = exact.iter().map(|e| e.floor() as i64).collect();
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| {
        (exact[b] - exact[b].floor())
            .total_cmp(&(exact[a] - exact[a].floor()))
            .then(a.cmp(&b))
    });
    let missing = 100i64.saturating_sub(whole.iter().fold(0i64, |a, &v| a.saturating_add(v)));
    for &i in order.iter().cycle().take(missing.max(0) as usize) {
        whole[i] += 1;
    }
    whole
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn even_split(n: usize) -> String {
    let n = n.max(1) as i64;
    let base = 100 / n;
    (0..n)
        .map(|i| (base + i64::from(i < 100 % n)).to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_and_rescaling() {
        assert_eq!(percent(100.0 * 10.0 / 90.0), "11.1 %");
        assert_eq!(percent(25.0), "25 %");
        assert_eq!(rescale(&[10, 30, 50]), "11, 33, 56");
        assert_eq!(rescale(&[1, 1, 1]), "34, 33, 33");
        assert_eq!(rescale(&[50, 0]), "100, 0");
        assert_eq!(even_split(3), "34, 33, 33");
    }

    #[test]
    fn weights_past_int32_neither_overflow_nor_pass() {
        let text = "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: x\nspec:\n  hosts: [a]\n  http:\n  - route:\n    - destination: {host: a}\n      weight: 9223372036854775807\n    - destination: {host: b}\n      weight: 9223372036854775807\n";
        let a = crate::engine::analyze_sources(
            vec![("w.yaml".into(), text.as_bytes().to_vec())],
            &crate::engine::Options::default(),
        )
        .unwrap();
        let invalid: Vec<_> = a
            .diagnostics
            .iter()
            .filter(|d| d.rule.name == "invalid-value" && d.message.contains("out of range"))
            .collect();
        assert_eq!(invalid.len(), 2, "{:?}", a.diagnostics);
        assert!(
            a.diagnostics
                .iter()
                .all(|d| !d.message.contains('-') || d.rule.name != "weights-not-100"),
            "{:?}",
            a.diagnostics
        );
        let graph = crate::mesh::graph::TrafficGraph::build(&a.model, &a.mesh);
        assert!(graph.to_dot().contains("n0"));
    }
}
