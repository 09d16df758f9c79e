//! Acceptance tests of the routing rules on the users' scenarios (`../shared/scenarios`), the
//! upstream samples, and the istioctl analyzer conformance cases these rules mirror. Skipped with a
//! notice when `../shared` is absent.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use meshlint::diag::{Diagnostic, Severity};
use meshlint::engine::{self, Analysis, Options};
use meshlint::rules::{self, Context};

/// Every rule of the routing family.
const ROUTING: &[&str] = &[
    "unknown-host",
    "unknown-gateway",
    "subset-not-found",
    "subset-no-workloads",
    "weights-not-100",
    "port-not-found",
    "port-required",
    "delegate-not-found",
    "retries-exceed-timeout",
    "fault-delay-exceeds-timeout",
    "host-not-visible",
];

fn shared() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if p.is_dir() {
        Some(p)
    } else {
        println!("notice: ../shared is absent; skipping this test");
        None
    }
}

fn analyze_with(paths: &[PathBuf], options: &Options) -> Analysis {
    let args: Vec<String> = paths
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    engine::analyze(&args, &mut || Ok(Vec::new()), options).expect("inputs load")
}

fn analyze(paths: &[PathBuf]) -> Analysis {
    analyze_with(paths, &Options::default())
}

fn routing(a: &Analysis) -> Vec<&Diagnostic> {
    a.diagnostics
        .iter()
        .filter(|d| ROUTING.contains(&d.rule.name))
        .collect()
}

fn line_of(a: &Analysis, d: &Diagnostic) -> usize {
    let text = &a.model.sources.get(d.loc.file).text;
    text[..d.loc.span.start as usize].matches('\n').count() + 1
}

fn show(a: &Analysis, ds: &[&Diagnostic]) -> String {
    ds.iter()
        .map(|d| {
            format!(
                "{} {} line {}: {}",
                d.severity.as_str(),
                d.rule.name,
                line_of(a, d),
                d.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn bookinfo_broken_routing() {
    let Some(shared) = shared() else { return };
    let s = shared.join("scenarios");
    let a = analyze(&[
        s.join("bookinfo-broken-routing"),
        s.join("bookinfo-platform"),
    ]);
    let found = routing(&a);
    let one = |rule: &str, line: usize| -> &Diagnostic {
        let hits: Vec<&&Diagnostic> = found
            .iter()
            .filter(|d| d.rule.name == rule && line_of(&a, d) == line)
            .collect();
        assert_eq!(
            hits.len(),
            1,
            "expected one {rule} on line {line}; got:\n{}",
            show(&a, &found)
        );
        hits[0]
    };

    let v4 = one("subset-not-found", 21);
    assert_eq!(v4.severity, Severity::Error);
    assert!(
        v4.message.contains("\"v4\"") && v4.message.contains("DestinationRule default/reviews"),
        "{}",
        v4.message
    );
    assert_eq!(
        v4.help.as_deref(),
        Some(
            "define subset \"v4\" in DestinationRule default/reviews, or route to one of: v1, v2, v3"
        )
    );

    let weights = one("weights-not-100", 30);
    assert_eq!(weights.severity, Severity::Warning);
    for share in ["11.1 %", "33.3 %", "55.6 %"] {
        assert!(weights.message.contains(share), "{}", weights.message);
    }

    let rating = one("unknown-host", 51);
    assert_eq!(rating.severity, Severity::Error);
    assert!(rating.message.contains("\"rating\""), "{}", rating.message);
    assert_eq!(rating.help.as_deref(), Some("did you mean \"ratings\"?"));

    let gw = one("unknown-gateway", 63);
    assert!(gw.message.contains("\"bookinfo-gw\""), "{}", gw.message);
    assert_eq!(
        gw.help.as_deref(),
        Some("did you mean \"bookinfo-gateway\"?")
    );

    let port = one("port-not-found", 69);
    assert!(
        port.message.contains("9090") && port.help.as_deref().unwrap().contains("9080"),
        "{}",
        port.message
    );

    // Nothing else: the subset of the unknown host `rating` is not reported a second time.
    assert_eq!(found.len(), 5, "{}", show(&a, &found));
}

#[test]
fn bookinfo_canary_is_clean() {
    let Some(shared) = shared() else { return };
    let s = shared.join("scenarios");
    let a = analyze(&[s.join("bookinfo-canary"), s.join("bookinfo-platform")]);
    let loud: Vec<&Diagnostic> = routing(&a)
        .into_iter()
        .filter(|d| d.severity >= Severity::Warning)
        .collect();
    assert!(loud.is_empty(), "{}", show(&a, &loud));
}

#[test]
fn upstream_samples_on_the_platform_raise_no_false_alarm() {
    let Some(shared) = shared() else { return };
    let net = shared.join("corpus/istio-samples/bookinfo/networking");
    let a = analyze(&[
        shared.join("scenarios/bookinfo-platform"),
        net.join("destination-rule-all.yaml"),
        net.join("virtual-service-all-v1.yaml"),
        net.join("bookinfo-gateway.yaml"),
    ]);
    let found = routing(&a);
    let loud: Vec<&&Diagnostic> = found
        .iter()
        .filter(|d| d.severity >= Severity::Warning)
        .collect();
    assert!(loud.is_empty(), "{}", show(&a, &found));
    // The subsets nobody routes to and no workload backs (ratings v2…, details v2) are infos.
    let infos: Vec<String> = found
        .iter()
        .map(|d| format!("{} {}", d.rule.name, line_of(&a, d)))
        .collect();
    assert!(
        infos.iter().all(|i| i.starts_with("subset-no-workloads")),
        "{infos:?}"
    );
    assert_eq!(infos.len(), 4, "{}", show(&a, &found));
}

#[test]
fn fault_vs_timeout_is_an_info_about_the_callers() {
    let Some(shared) = shared() else { return };
    let s = shared.join("scenarios");
    let a = analyze(&[s.join("fault-vs-timeout"), s.join("bookinfo-platform")]);
    let found = routing(&a);
    assert!(
        found.iter().all(|d| d.severity < Severity::Error),
        "{}",
        show(&a, &found)
    );
    let fault: Vec<&&Diagnostic> = found
        .iter()
        .filter(|d| d.rule.name == "fault-delay-exceeds-timeout")
        .collect();
    assert_eq!(fault.len(), 1, "{}", show(&a, &found));
    let m = &fault[0].message;
    assert!(
        m.contains("7s")
            && m.contains("3s per-try")
            && m.contains("jason")
            && m.contains("reviews"),
        "{m}"
    );
    assert_eq!(line_of(&a, fault[0]), 44);
}

#[test]
fn weights_depend_on_the_istio_version() {
    let Some(shared) = shared() else { return };
    let s = shared.join("scenarios");
    let paths = [
        s.join("bookinfo-broken-routing"),
        s.join("bookinfo-platform"),
    ];
    let weights = |version: (u32, u32)| -> Vec<(Severity, String)> {
        let options = Options {
            istio_version: version,
            ..Options::default()
        };
        let a = analyze_with(&paths, &options);
        a.diagnostics
            .iter()
            .filter(|d| d.rule.name == "weights-not-100")
            .map(|d| (d.severity, d.message.clone()))
            .collect()
    };
    let old = weights((1, 14));
    assert_eq!(old.len(), 1);
    assert_eq!(old[0].0, Severity::Error);
    assert!(old[0].1.contains("rejects"), "{}", old[0].1);
    let new = weights((1, 15));
    assert_eq!(new.len(), 1);
    assert_eq!(new[0].0, Severity::Warning);
    assert!(new[0].1.contains("11.1 %"), "{}", new[0].1);
}

/// Each routing pass asks the index a bounded number of questions per resource: doubling the
/// mesh doubles the lookups (no all-pairs pass).
#[test]
fn routing_passes_are_linear() {
    fn mesh(n: usize) -> String {
        let mut y = String::new();
        for i in 0..n {
            let ns = format!("ns{}", i % 7);
            y.push_str(&format!(
                "---\napiVersion: v1\nkind: Service\nmetadata: {{name: svc{i}, namespace: {ns}}}\nspec:\n  selector: {{app: svc{i}}}\n  ports: [{{name: http, port: 80}}, {{name: grpc, port: 90}}]\n\
                 ---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: svc{i}, namespace: {ns}}}\nspec:\n  selector: {{matchLabels: {{app: svc{i}}}}}\n  template:\n    metadata: {{labels: {{app: svc{i}, version: v1}}}}\n    spec: {{containers: [{{name: app, image: app}}]}}\n\
                 ---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {{name: svc{i}, namespace: {ns}}}\nspec:\n  host: svc{i}\n  subsets: [{{name: v1, labels: {{version: v1}}}}, {{name: v2, labels: {{version: v2}}}}]\n\
                 ---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {{name: svc{i}, namespace: {ns}}}\nspec:\n  hosts: [svc{i}]\n  gateways: [mesh, gw{i}]\n  http:\n  - match: [{{headers: {{user: {{exact: u{}}}}}}}]\n    fault: {{delay: {{fixedDelay: 5s, percentage: {{value: 100}}}}}}\n    timeout: 2s\n    retries: {{attempts: 3, perTryTimeout: 1s}}\n    route:\n    - destination: {{host: svc{}, subset: v2, port: {{number: 80}}}}\n      weight: 30\n    - destination: {{host: nosuch{i}, subset: v3}}\n      weight: 30\n",
                i % 5,
                (i + 1) % n
            ));
        }
        y
    }
    fn lookups(n: usize) -> (u64, usize) {
        let dir = std::env::temp_dir().join(format!(
            "meshlint-routing-linear-{}-{n}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("mesh.yaml");
        std::fs::write(&file, mesh(n)).unwrap();
        let a = analyze(&[file]);
        std::fs::remove_dir_all(&dir).ok();
        let before = a.mesh.lookup_count();
        let options = Options::default();
        let cx = Context {
            model: &a.model,
            mesh: &a.mesh,
            options: &options,
        };
        let mut out = Vec::new();
        for name in ROUTING {
            let rule = rules::find(name)[0];
            (rules::check_of(rule).expect("routing rules are passes"))(&cx, &mut out);
        }
        (a.mesh.lookup_count() - before, out.len())
    }
    let (small, found_small) = lookups(200);
    let (large, found_large) = lookups(400);
    assert!(found_small > 0 && found_large > found_small);
    let ratio = large as f64 / small as f64;
    println!("routing lookups: {small} for 200 services, {large} for 400 (×{ratio:.2})");
    assert!(
        (1.8..2.3).contains(&ratio),
        "lookups {small} → {large} (×{ratio:.2}) for twice the mesh"
    );
}

/// The istioctl analyzers these rules mirror, and the codes they produce for them.
const MIRRORED: &[(&str, &[(&str, &str)])] = &[
    (
        "virtualservice.DestinationHostAnalyzer",
        &[
            ("unknown-host", "IST0101"),
            ("port-not-found", "IST0101"),
            ("port-required", "IST0112"),
        ],
    ),
    (
        "virtualservice.DestinationRuleAnalyzer",
        &[("subset-not-found", "IST0101")],
    ),
    (
        "virtualservice.GatewayAnalyzer",
        &[("unknown-gateway", "IST0101")],
    ),
    (
        "destinationrule.SubsetSelectPodAnalyzer",
        &[("subset-no-workloads", "IST0173")],
    ),
];

/// Cases where meshlint deliberately says less than istioctl, and why.
const DIVERGES: &[(&str, &str)] = &[(
    "TestAnalyzers/DestinationRuleSubsetsNotSelectPods",
    "no workload of the host is in the inputs, so the files cannot tell whether the subset is empty",
)];

#[test]
fn istioctl_conformance_for_the_mirrored_analyzers() {
    let Some(shared) = shared() else { return };
    let base = shared.join("conformance/istio-analyze");
    let cases: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(base.join("cases.json")).unwrap()).unwrap();
    let (mut passed, mut failures) = (0, Vec::new());
    for case in cases.as_array().unwrap() {
        let analyzer = case["analyzers"][0].as_str().unwrap();
        let Some((_, rules)) = MIRRORED.iter().find(|(a, _)| *a == analyzer) else {
            continue;
        };
        let id = case["id"].as_str().unwrap();
        let mut paths: Vec<PathBuf> = case["input_files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| base.join("testdata").join(f.as_str().unwrap()))
            .collect();
        paths.push(base.join("harness/default-ingress.yaml"));
        let a = analyze(&paths);
        let mut got: BTreeMap<String, usize> = BTreeMap::new();
        for d in &a.diagnostics {
            if let Some((_, code)) = rules.iter().find(|(r, _)| *r == d.rule.name) {
                let r = d.resource.as_ref().unwrap();
                *got.entry(format!(
                    "{code} {} {}/{}",
                    r.kind,
                    r.namespace.as_deref().unwrap_or(""),
                    r.name
                ))
                .or_default() += 1;
            }
        }
        let codes: Vec<&str> = rules.iter().map(|(_, c)| *c).collect();
        let mut want: BTreeMap<String, usize> = BTreeMap::new();
        for e in case["expected"].as_array().unwrap() {
            let code = e["code"].as_str().unwrap();
            if codes.contains(&code) {
                // The upstream harness leaves namespace-less resources without namespace; meshlint
                // puts them in `default`, like `istioctl analyze -n default`.
                let ns = e["namespace"].as_str().unwrap_or("default");
                let key = format!(
                    "{code} {} {ns}/{}",
                    e["kind"].as_str().unwrap(),
                    e["resource_name"].as_str().unwrap()
                );
                *want.entry(key).or_default() += 1;
            }
        }
        if got == want {
            passed += 1;
        } else if !DIVERGES.iter().any(|(c, _)| *c == id) {
            failures.push(format!("{id}: expected {want:?}, got {got:?}"));
        }
    }
    println!(
        "routing conformance: {passed} cases match istioctl, {} documented divergence(s)",
        DIVERGES.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(passed >= 12, "only {passed} cases ran");
}
