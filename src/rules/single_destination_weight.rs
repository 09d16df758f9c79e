//! `single-destination-weight`: a route with one destination whose weight is between 0 and 100
//! (Kiali KIA1104). Istio sends that destination all the traffic: the weight is ignored.

use crate::diag::{Diagnostic, Severity};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "single-destination-weight",
    code: None,
    codes: &["KIA1104"],
    severity: Severity::Warning,
    summary: "a route with a single destination whose weight is below 100: it gets all the traffic anyway",
    doc: include_str!("../../rules/single-destination-weight.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for vs in &cx.model.virtual_services {
        let spec = &vs.spec;
        let http = spec.http.iter().map(|r| r.route.iter().map(|d| d.weight.as_ref()).collect::<Vec<_>>());
        let tls = spec.tls.iter().map(|r| r.route.iter().map(|d| d.weight.as_ref()).collect::<Vec<_>>());
        let tcp = spec.tcp.iter().map(|r| r.route.iter().map(|d| d.weight.as_ref()).collect::<Vec<_>>());
        for weights in http.chain(tls).chain(tcp) {
            let &[Some(w)] = weights.as_slice() else { continue };
            if w.value <= 0 || w.value >= 100 {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &RULE,
                    w.loc,
                    format!(
                        "this is the route's only destination, so it receives 100% of the traffic: the weight {} does not \
                         split anything",
                        w.value
                    ),
                )
                .help("remove `weight`, or add the destination that should get the rest of the traffic")
                .resource(Some(vs.resource_ref())),
            );
        }
    }
}
