//! Acceptance tests from `../shared/scenarios` for the route-shadowing, conflict and gateway rules,
//! plus the upstream bookinfo samples. Skipped with a notice when `../shared` is absent.

use std::path::{Path, PathBuf};

use meshlint::diag::{Diagnostic, Severity};
use meshlint::engine::{self, Options};

/// The rules of this branch.
const RULES: &[&str] = &[
    "unreachable-route",
    "ineffective-match",
    "conflicting-virtualservices",
    "vs-host-not-in-gateway",
    "gateway-no-workload",
    "gateway-port-not-on-service",
    "conflicting-gateways",
    "port-name",
    "delegate-conflict",
];

fn shared() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if dir.join("scenarios").is_dir() {
        Some(dir)
    } else {
        eprintln!("skipping: ../shared is not available");
        None
    }
}

fn analyze(paths: &[PathBuf]) -> Vec<Diagnostic> {
    let args: Vec<String> = paths
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let analysis =
        engine::analyze(&args, &mut || Ok(Vec::new()), &Options::default()).expect("inputs load");
    analysis
        .diagnostics
        .into_iter()
        .filter(|d| RULES.contains(&d.rule.name))
        .collect()
}

fn at_or_above_warning(found: &[Diagnostic]) -> Vec<String> {
    found
        .iter()
        .filter(|d| d.severity >= Severity::Warning)
        .map(|d| {
            format!(
                "{} {}: {}",
                d.rule.name,
                d.resource.as_ref().map_or(String::new(), |r| r.to_string()),
                d.message
            )
        })
        .collect()
}

#[test]
fn broken_routing_reports_each_route_after_the_catch_all() {
    let Some(shared) = shared() else { return };
    let scenarios = shared.join("scenarios");
    let paths = [
        scenarios.join("bookinfo-broken-routing"),
        scenarios.join("bookinfo-platform"),
    ];
    let found = analyze(&paths);
    let unreachable: Vec<&Diagnostic> = found
        .iter()
        .filter(|d| d.rule.name == "unreachable-route")
        .collect();
    assert_eq!(
        unreachable.len(),
        2,
        "{:#?}",
        found.iter().map(|d| &d.message).collect::<Vec<_>>()
    );
    let text =
        std::fs::read_to_string(scenarios.join("bookinfo-broken-routing/virtual-services.yaml"))
            .unwrap();
    let mut lines: Vec<usize> = Vec::new();
    for d in &unreachable {
        assert_eq!(d.severity, Severity::Warning);
        let r = d.resource.as_ref().expect("resource");
        assert_eq!(
            (r.kind.as_str(), r.name.as_str(), r.namespace.as_deref()),
            ("VirtualService", "reviews", Some("default"))
        );
        let offset = d.loc.span.start as usize;
        lines.push(text[..offset].matches('\n').count() + 1);
        // The shadowing route (the match-less first route) is named and pointed at.
        assert!(
            d.message.contains("http[0]") && d.message.contains("no `match`"),
            "{}",
            d.message
        );
        assert_eq!(d.related.len(), 1);
        let related_line = text[..d.related[0].loc.span.start as usize]
            .matches('\n')
            .count()
            + 1;
        assert_eq!(related_line, 10, "related points at `- route:` of http[0]");
    }
    lines.sort_unstable();
    // Each finding points at the shadowed route's match: the `headers` of http[1] and http[2].
    assert_eq!(lines, [15, 23]);
    assert!(unreachable[0].message.contains("jason") || unreachable[1].message.contains("jason"));
    assert!(unreachable.iter().any(|d| d.message.contains("roundrobin")));
    // No other finding of these rules at warning or above.
    let others: Vec<String> = at_or_above_warning(&found)
        .into_iter()
        .filter(|m| !m.starts_with("unreachable-route"))
        .collect();
    assert!(others.is_empty(), "{others:#?}");
}

#[test]
fn canary_is_clean() {
    let Some(shared) = shared() else { return };
    let scenarios = shared.join("scenarios");
    let found = analyze(&[
        scenarios.join("bookinfo-canary"),
        scenarios.join("bookinfo-platform"),
    ]);
    assert!(
        at_or_above_warning(&found).is_empty(),
        "{:#?}",
        at_or_above_warning(&found)
    );
}

#[test]
fn upstream_bookinfo_samples_with_the_platform_are_clean() {
    let Some(shared) = shared() else { return };
    let networking = shared.join("corpus/istio-samples/bookinfo/networking");
    let found = analyze(&[
        shared.join("scenarios/bookinfo-platform"),
        networking.join("destination-rule-all.yaml"),
        networking.join("virtual-service-all-v1.yaml"),
        networking.join("bookinfo-gateway.yaml"),
    ]);
    assert!(
        at_or_above_warning(&found).is_empty(),
        "{:#?}",
        at_or_above_warning(&found)
    );
}

#[test]
fn moving_the_canary_default_route_first_makes_both_canary_routes_unreachable() {
    // The same rule on a reordered copy of the canary: guards against a rule that only keys on
    // file names or counts.
    let Some(shared) = shared() else { return };
    let canary =
        std::fs::read_to_string(shared.join("scenarios/bookinfo-canary/virtual-services.yaml"))
            .unwrap();
    let dir = std::env::temp_dir().join(format!("meshlint-shadowing-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // Move the default route (`- route:` with subset v1 and no match, last in the file's reviews
    // VirtualService) to the top of `http:`.
    let default_route = "  - route:\n    - destination:\n        host: reviews.default.svc.cluster.local\n        subset: v1\n";
    assert!(canary.contains(default_route));
    let reordered = canary.replacen(default_route, "", 1).replacen(
        "  http:\n",
        &format!("  http:\n{default_route}"),
        1,
    );
    std::fs::write(dir.join("vs.yaml"), &reordered).unwrap();
    let found = analyze(&[
        dir.join("vs.yaml"),
        shared.join("scenarios/bookinfo-platform"),
    ]);
    let unreachable = found
        .iter()
        .filter(|d| d.rule.name == "unreachable-route")
        .count();
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(
        unreachable,
        2,
        "{:#?}",
        found.iter().map(|d| &d.message).collect::<Vec<_>>()
    );
}
