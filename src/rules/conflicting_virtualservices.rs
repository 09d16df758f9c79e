use crate::diag::{Diagnostic, Severity};
use crate::mesh::{ExportTo, VsIdx, host};
use crate::rules::{Context, Rule};
use crate::source::Loc;

pub const RULE: Rule = Rule {
    name: "conflicting-virtualservices",
    code: Some("IST0109"),
    codes: &["IST0109", "KIA1106"],
    severity: Severity::Error,
    summary: "several VirtualServices for sidecars define the same host; only one of them is used",
    doc: include_str!("../../rules/conflicting-virtualservices.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

/// Where two VirtualServices are both visible.
enum Common {
    /// Both are exported to every namespace.
    Everywhere,
    Namespaces(Vec<String>),
}

fn common(a: &ExportTo, b: &ExportTo) -> Option<Common> {
    match (a, b) {
        (ExportTo::All, ExportTo::All) => Some(Common::Everywhere),
        (ExportTo::All, ExportTo::Namespaces(l)) | (ExportTo::Namespaces(l), ExportTo::All) => {
            (!l.is_empty()).then(|| Common::Namespaces(l.clone()))
        }
        (ExportTo::Namespaces(x), ExportTo::Namespaces(y)) => {
            let both: Vec<String> = x.iter().filter(|n| y.contains(n)).cloned().collect();
            (!both.is_empty()).then_some(Common::Namespaces(both))
        }
    }
}

/// The order sidecars of namespace `ns` consider VirtualServices in (`SelectVirtualServices`):
/// private to the namespace, then exported to it by name, then exported to every namespace.
fn rank(cx: &Context<'_>, vs: VsIdx, ns: &str) -> u8 {
    match &cx.mesh.virtual_services[vs].export_to {
        ExportTo::All => 2,
        ExportTo::Namespaces(_) if cx.model.virtual_services[vs].namespace() == ns => 0,
        ExportTo::Namespaces(_) => 1,
    }
}

fn full_name(cx: &Context<'_>, vs: VsIdx) -> String {
    let r = &cx.model.virtual_services[vs];
    format!("{}/{}", r.namespace(), r.name())
}

/// The same object written twice: the later copy replaces the earlier when applied.
fn same_identity(cx: &Context<'_>, a: VsIdx, b: VsIdx) -> bool {
    let (a, b) = (&cx.model.virtual_services[a], &cx.model.virtual_services[b]);
    a.name() == b.name() && a.namespace() == b.namespace()
}

/// The winner of a tie in one bucket (`configCompareByCreationTime`): the older, then by name and
/// namespace. `None` when a creation time is missing.
fn older(cx: &Context<'_>, a: VsIdx, b: VsIdx) -> Option<(VsIdx, String)> {
    let (ra, rb) = (&cx.model.virtual_services[a], &cx.model.virtual_services[b]);
    let (ta, tb) = (
        ra.meta.creation_timestamp.as_ref()?,
        rb.meta.creation_timestamp.as_ref()?,
    );
    let ka = (ta.value.as_str(), ra.name(), ra.namespace());
    let kb = (tb.value.as_str(), rb.name(), rb.namespace());
    Some(if ka <= kb {
        (a, ta.value.clone())
    } else {
        (b, tb.value.clone())
    })
}

/// Who wins between `a` and `b` where both are visible, in words, and whether creation time
/// decides it anywhere (otherwise the namespace-private or exported-by-name one always wins, the
/// documented way to override a VirtualService for one namespace).
fn outcome(cx: &Context<'_>, a: VsIdx, b: VsIdx, where_: &Common) -> (String, bool) {
    let tie = || match older(cx, a, b) {
        Some((w, ts)) => format!(
            "{} wins because it was created first ({ts})",
            full_name(cx, w)
        ),
        None => format!(
            "which of {} and {} wins depends on which was created first, which these files do not show",
            full_name(cx, a),
            full_name(cx, b)
        ),
    };
    let namespaces = match where_ {
        Common::Everywhere => return (tie(), true),
        Common::Namespaces(n) => n,
    };
    let mut parts: Vec<String> = Vec::new();
    let mut tied: Vec<&str> = Vec::new();
    for ns in namespaces {
        let (ra, rb) = (rank(cx, a, ns), rank(cx, b, ns));
        if ra == rb {
            tied.push(ns);
            continue;
        }
        let (winner, r) = if ra < rb { (a, ra) } else { (b, rb) };
        let why = if r == 0 {
            "VirtualServices private to the client's namespace come first"
        } else {
            "VirtualServices exported to the client's namespace by name come before those exported to every namespace"
        };
        parts.push(format!(
            "for clients in namespace {ns}, {} wins ({why})",
            full_name(cx, winner)
        ));
    }
    let by_time = !tied.is_empty();
    if by_time {
        parts.push(format!(
            "for clients in namespace {}, {}",
            tied.join(", "),
            tie()
        ));
    }
    (parts.join("; "), by_time)
}

/// The location of the `spec.hosts` entry that resolves to `resolved`.
fn host_loc(cx: &Context<'_>, vs: VsIdx, resolved: &str) -> Loc {
    let r = &cx.model.virtual_services[vs];
    cx.mesh.virtual_services[vs]
        .hosts
        .iter()
        .position(|h| h == resolved)
        .and_then(|i| r.spec.hosts.get(i))
        .map_or(r.loc(), |h| h.loc)
}

fn mesh_vss(cx: &Context<'_>, host: &str) -> Vec<VsIdx> {
    let mut out: Vec<VsIdx> = cx
        .mesh
        .virtual_services_for_host(host)
        .iter()
        .copied()
        .filter(|&i| cx.mesh.virtual_services[i].binds_mesh())
        .collect();
    out.dedup();
    out
}

/// A host of one VirtualService and the other VirtualServices that define it where both are seen.
type HostConflict<'a> = (&'a str, Vec<(VsIdx, Common)>);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    // VirtualService → (host, the other VirtualServices defining it where both are visible).
    let mut conflicts: std::collections::BTreeMap<VsIdx, Vec<HostConflict<'_>>> =
        Default::default();
    for host in cx.mesh.virtual_service_hosts() {
        let vss = mesh_vss(cx, host);
        if vss.is_empty() {
            continue;
        }
        for &a in &vss {
            let others: Vec<(VsIdx, Common)> = vss
                .iter()
                .copied()
                .filter(|&b| b != a && !same_identity(cx, a, b))
                .filter_map(|b| {
                    common(
                        &cx.mesh.virtual_services[a].export_to,
                        &cx.mesh.virtual_services[b].export_to,
                    )
                    .map(|c| (b, c))
                })
                .collect();
            if !others.is_empty() {
                conflicts.entry(a).or_default().push((host, others));
            }
        }
        overlapping_wildcards(cx, host, &vss, out);
    }
    // One finding per VirtualService (as istioctl), at its first conflicting host.
    for (a, hosts) in conflicts {
        let mut parts: Vec<String> = Vec::new();
        let mut outcomes: Vec<String> = Vec::new();
        let mut by_time = false;
        for (host, others) in &hosts {
            let names: Vec<String> = others.iter().map(|(b, _)| full_name(cx, *b)).collect();
            parts.push(format!(
                "host {host} is also defined by VirtualService {}",
                names.join(", ")
            ));
            for (b, c) in others {
                let (o, t) = outcome(cx, a, *b, c);
                by_time |= t;
                if !outcomes.contains(&o) {
                    outcomes.push(o);
                }
            }
        }
        let message = format!(
            "{}: sidecars (the `mesh` gateway) use only one VirtualService per host and ignore the routes of the others; {}",
            parts.join("; "),
            outcomes.join("; ")
        );
        let (first_host, _) = hosts[0];
        let (severity, help) = if by_time {
            (
                Severity::Error,
                "merge the routes for each of these hosts into one VirtualService",
            )
        } else {
            (
                Severity::Warning,
                "if this namespace-specific override is intended, nothing to do; otherwise merge the routes into one VirtualService",
            )
        };
        let mut d = Diagnostic::new(&RULE, host_loc(cx, a, first_host), message)
            .severity(severity)
            .help(help)
            .resource(Some(cx.model.virtual_services[a].resource_ref()));
        for (i, (host, others)) in hosts.iter().enumerate() {
            if i > 0 {
                d = d.related(host_loc(cx, a, host), format!("host {host} conflicts too"));
            }
            for (b, _) in others {
                d = d.related(
                    host_loc(cx, *b, host),
                    format!("VirtualService {} defines the same host", full_name(cx, *b)),
                );
            }
        }
        out.push(d);
    }
}

/// The wildcard names that cover `h` (`a.b.c` → `*.b.c`, `*.c`; `*.b.c` → `*.c`). The bare `*` is
/// left out: a sidecar VirtualService cannot use it.
fn wildcard_ancestors(h: &str) -> Vec<String> {
    let base = h.strip_prefix("*.").unwrap_or(h);
    if h.starts_with('*') && !h.starts_with("*.") {
        return Vec::new();
    }
    // For `*.b.c` the base is `b.c`, whose parents (`*.c`) are all strictly wider.
    host::wildcard_parents(base)
        .filter(|p| p != "*" && p != h)
        .collect()
}

/// A wildcard host of one VirtualService covering a more specific host of another, both visible
/// to some sidecars: not a conflict (the most specific host wins), but worth knowing.
fn overlapping_wildcards(
    cx: &Context<'_>,
    specific: &str,
    vss: &[VsIdx],
    out: &mut Vec<Diagnostic>,
) {
    for wider in wildcard_ancestors(specific) {
        for b in mesh_vss(cx, &wider) {
            for &a in vss {
                if a == b || same_identity(cx, a, b) {
                    continue;
                }
                let (ea, eb) = (
                    &cx.mesh.virtual_services[a].export_to,
                    &cx.mesh.virtual_services[b].export_to,
                );
                let Some(c) = common(ea, eb) else { continue };
                let seen = match &c {
                    Common::Everywhere => "every namespace".to_string(),
                    Common::Namespaces(n) => format!("namespace {}", n.join(", ")),
                };
                let (sa, sb) = (host_loc(cx, a, specific), host_loc(cx, b, &wider));
                let (na, nb) = (full_name(cx, a), full_name(cx, b));
                let text = format!(
                    "host {specific} of VirtualService {na} lies within host {wider} of VirtualService {nb}, and sidecars in {seen} \
                     see both: names under {specific} use {na} (the most specific host wins), the other names under {wider} use {nb}"
                );
                let help =
                    "nothing to do if this split is intended; otherwise make the hosts disjoint";
                out.push(
                    Diagnostic::new(&RULE, sa, text.clone())
                        .severity(Severity::Info)
                        .help(help)
                        .related(sb, format!("the wider host of VirtualService {nb}"))
                        .resource(Some(cx.model.virtual_services[a].resource_ref())),
                );
                out.push(
                    Diagnostic::new(&RULE, sb, text)
                        .severity(Severity::Info)
                        .help(help)
                        .related(sa, format!("the more specific host of VirtualService {na}"))
                        .resource(Some(cx.model.virtual_services[b].resource_ref())),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::wildcard_ancestors;

    #[test]
    fn ancestors() {
        assert_eq!(wildcard_ancestors("a.b.c"), ["*.b.c", "*.c"]);
        assert_eq!(wildcard_ancestors("*.productpage.d"), ["*.d"]);
        assert!(wildcard_ancestors("*").is_empty());
    }
}
