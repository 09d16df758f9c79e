//! Suppression and configuration: the two annotations, `--suppress`, `.meshlint.yaml` (found in
//! the working directory or a parent, or `--config`), rule severities, `external:`,
//! `--show-suppressed`, `unused-suppression`, and config mistakes as usage errors.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn run_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_meshlint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("meshlint runs");
    let mut pipe = child.stdin.take().unwrap();
    if let Some(bytes) = stdin {
        pipe.write_all(bytes).unwrap();
    }
    drop(pipe);
    child.wait_with_output().unwrap()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn rules_of(report: &Value, key: &str) -> Vec<String> {
    report[key]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|d| d["rule"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// A VirtualService in shop with two unknown hosts (one is istiod, which lives elsewhere), and a
/// Service with an unnamed port (port-name, IST0118, info).
fn mesh(annotations: &str) -> String {
    format!(
        "apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: front
  namespace: shop
{annotations}spec:
  hosts: [front]
  http:
  - route:
    - destination: {{host: istiod.istio-system.svc.cluster.local}}
      weight: 50
    - destination: {{host: catalg}}
      weight: 50
---
apiVersion: v1
kind: Service
metadata:
  name: front
  namespace: shop
spec:
  ports:
  - port: 8080
"
    )
}

fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

#[test]
fn without_suppression_both_hosts_and_the_port_are_reported() {
    let dir = dir_with(&[("mesh.yaml", &mesh(""))]);
    let report = json(&run_in(
        dir.path(),
        &["analyze", "-o", "json", "mesh.yaml"],
        None,
    ));
    assert_eq!(
        rules_of(&report, "diagnostics"),
        ["unknown-host", "unknown-host", "port-name"]
    );
}

#[test]
fn annotations_suppress_codes_and_rule_names_with_spaces_trimmed() {
    for annotation in [
        "galley.istio.io/analyze-suppress: \" IST0101 \"",
        "galley.istio.io/analyze-suppress: \"IST0999,  unknown-host\"",
        "kiali.io/ignore-validations: unknown-host",
        "galley.istio.io/analyze-suppress: \"*\"",
    ] {
        let dir = dir_with(&[(
            "mesh.yaml",
            &mesh(&format!("  annotations:\n    {annotation}\n")),
        )]);
        let out = run_in(
            dir.path(),
            &["analyze", "-o", "json", "--show-suppressed", "mesh.yaml"],
            None,
        );
        let report = json(&out);
        let kept = rules_of(&report, "diagnostics");
        assert!(
            !kept.contains(&"unknown-host".to_string()),
            "{annotation}: {kept:?}"
        );
        // The Service's port-name finding is on another resource and stays.
        assert!(kept.contains(&"port-name".to_string()), "{annotation}");
        assert_eq!(
            rules_of(&report, "suppressed"),
            ["unknown-host", "unknown-host"],
            "{annotation}"
        );
        assert_eq!(report["summary"]["suppressed"], 2);
        assert!(
            report["suppressed"][0]["suppressed_by"]
                .as_str()
                .unwrap()
                .starts_with("annotation ")
        );
        // IST0999 suppresses nothing: that entry is reported, the used one is not.
        let unused: Vec<&Value> = report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["rule"] == "unused-suppression")
            .collect();
        if annotation.contains("IST0999") {
            assert_eq!(unused.len(), 1, "{unused:?}");
            assert!(unused[0]["message"].as_str().unwrap().contains("IST0999"));
            assert_eq!(unused[0]["severity"], "info");
        } else {
            assert!(unused.is_empty(), "{annotation}: {unused:?}");
        }
        assert_eq!(
            out.status.code(),
            Some(0),
            "{annotation}: nothing left at error"
        );
    }
}

#[test]
fn suppress_flags_take_globs_and_report_when_unused() {
    let dir = dir_with(&[("mesh.yaml", &mesh(""))]);
    let out = run_in(
        dir.path(),
        &[
            "analyze",
            "-o",
            "json",
            "--suppress",
            "IST0101=VirtualService shop/*",
            "--suppress",
            "port-name=Service other/*",
            "mesh.yaml",
        ],
        None,
    );
    let report = json(&out);
    assert_eq!(rules_of(&report, "diagnostics"), ["port-name"]);
    assert!(
        report.get("suppressed").is_none(),
        "listed only with --show-suppressed"
    );
    assert_eq!(report["summary"]["suppressed"], 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--suppress 'port-name=Service other/*' suppressed nothing"),
        "{stderr}"
    );
    // A misspelt rule is a usage error with a suggestion.
    let out = run_in(
        dir.path(),
        &[
            "analyze",
            "--suppress",
            "unknwn-host=VirtualService shop/front",
            "mesh.yaml",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean unknown-host"));
    let out = run_in(
        dir.path(),
        &["analyze", "--suppress", "unknown-host", "mesh.yaml"],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn external_hosts_silence_exactly_the_findings_about_them() {
    let config = "external:\n  hosts: [istiod.istio-system.svc.cluster.local]\n";
    let dir = dir_with(&[("mesh.yaml", &mesh("")), (".meshlint.yaml", config)]);
    let out = run_in(
        dir.path(),
        &["analyze", "-o", "json", "--show-suppressed", "mesh.yaml"],
        None,
    );
    let report = json(&out);
    let kept: Vec<&Value> = report["diagnostics"].as_array().unwrap().iter().collect();
    assert_eq!(kept.len(), 2, "{kept:?}");
    assert!(kept[0]["message"].as_str().unwrap().contains("catalg"));
    assert_eq!(kept[1]["rule"], "port-name");
    assert_eq!(report["suppressed"].as_array().unwrap().len(), 1);
    assert!(
        report["suppressed"][0]["message"]
            .as_str()
            .unwrap()
            .contains("istiod")
    );
    // DestinationRules for both hosts: the one for istiod is about it too, the other stays.
    let rules = "---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: istiod
  namespace: shop
spec:
  host: istiod.istio-system.svc.cluster.local
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: catalg
  namespace: shop
spec:
  host: catalg
";
    let config = "external:\n  hosts: [istiod.istio-system.svc.cluster.local]\n";
    let with_rules = format!("{}{rules}", mesh(""));
    let dir = dir_with(&[("mesh.yaml", &with_rules), (".meshlint.yaml", config)]);
    let report = json(&run_in(
        dir.path(),
        &["analyze", "-o", "json", "--show-suppressed", "mesh.yaml"],
        None,
    ));
    let about = |key: &str| -> Vec<(String, String)> {
        report[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                let m = d["message"].as_str().unwrap();
                let host = if m.contains("istiod") {
                    "istiod"
                } else if m.contains("catalg") {
                    "catalg"
                } else {
                    ""
                };
                (d["rule"].as_str().unwrap().to_string(), host.to_string())
            })
            .collect()
    };
    let pair = |r: &str, h: &str| (r.to_string(), h.to_string());
    let mut kept = about("diagnostics");
    kept.sort();
    assert_eq!(
        kept,
        [
            pair("dr-host-not-found", "catalg"),
            pair("port-name", ""),
            pair("unknown-host", "catalg")
        ]
    );
    let mut gone = about("suppressed");
    gone.sort();
    assert_eq!(
        gone,
        [
            pair("dr-host-not-found", "istiod"),
            pair("unknown-host", "istiod")
        ]
    );
    // A whole namespace declared external covers every host in it.
    let config = "external:\n  namespaces: [istio-system]\n";
    let dir = dir_with(&[("mesh.yaml", &mesh("")), (".meshlint.yaml", config)]);
    let report = json(&run_in(
        dir.path(),
        &["analyze", "-o", "json", "mesh.yaml"],
        None,
    ));
    assert_eq!(
        rules_of(&report, "diagnostics"),
        ["unknown-host", "port-name"]
    );
}

#[test]
fn external_workloads_satisfy_a_gateway_selector() {
    let gateways = "apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: public
  namespace: shop
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: ['*']
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: internal-gateway
  namespace: istio-system
spec:
  selector:
    matchLabels: {istio: internal-gateway}
  template:
    metadata:
      labels: {istio: internal-gateway}
    spec:
      containers:
      - name: istio-proxy
        image: auto
";
    let dir = dir_with(&[("gw.yaml", gateways)]);
    let report = json(&run_in(
        dir.path(),
        &["analyze", "-o", "json", "gw.yaml"],
        None,
    ));
    assert!(
        rules_of(&report, "diagnostics").contains(&"gateway-no-workload".to_string()),
        "{report}"
    );
    let config = "external:\n  workloads:\n    - namespace: istio-system\n      labels: {istio: ingressgateway}\n";
    let dir = dir_with(&[("gw.yaml", gateways), (".meshlint.yaml", config)]);
    let report = json(&run_in(
        dir.path(),
        &["analyze", "-o", "json", "gw.yaml"],
        None,
    ));
    assert!(
        !rules_of(&report, "diagnostics").contains(&"gateway-no-workload".to_string()),
        "{report}"
    );
}

#[test]
fn the_config_file_is_found_in_a_parent_and_sets_severities_suppressions_and_defaults() {
    let config = "rules:
  port-name: off
  unknown-host: warning
suppress:
  - rule: unknown-host
    resource: VirtualService shop/front
    reason: catalg is being renamed
  - rule: IST0118
    resource: Service nowhere/*
    reason: stale
";
    let dir = dir_with(&[("deploy/mesh.yaml", &mesh("")), (".meshlint.yaml", config)]);
    let sub = dir.path().join("deploy");
    let out = run_in(
        &sub,
        &["analyze", "-o", "json", "--show-suppressed", "mesh.yaml"],
        None,
    );
    let report = json(&out);
    // port-name is off; both unknown-host findings are suppressed; the second entry is stale.
    assert_eq!(
        rules_of(&report, "diagnostics"),
        ["unused-suppression"],
        "{report}"
    );
    let unused = &report["diagnostics"][0];
    assert!(unused["file"].as_str().unwrap().ends_with(".meshlint.yaml"));
    assert_eq!(unused["line"], 8, "points at the stale entry");
    assert_eq!(
        rules_of(&report, "suppressed"),
        ["unknown-host", "unknown-host"]
    );
    let by = report["suppressed"][0]["suppressed_by"].as_str().unwrap();
    assert!(
        by.contains("catalg is being renamed") && by.contains(".meshlint.yaml"),
        "{by}"
    );
    assert_eq!(
        report["suppressed"][0]["severity"], "warning",
        "the override applies first"
    );
    assert_eq!(out.status.code(), Some(0));
    // --no-config ignores it; --config names another file.
    let report = json(&run_in(
        &sub,
        &["analyze", "-o", "json", "--no-config", "mesh.yaml"],
        None,
    ));
    assert_eq!(
        rules_of(&report, "diagnostics"),
        ["unknown-host", "unknown-host", "port-name"]
    );
    std::fs::write(
        sub.join("other.yaml"),
        "namespace: shop\nrules:\n  port-name: error\n",
    )
    .unwrap();
    let out = run_in(
        &sub,
        &[
            "analyze",
            "-o",
            "json",
            "--config",
            "other.yaml",
            "mesh.yaml",
        ],
        None,
    );
    assert_eq!(json(&out)["summary"]["errors"], 3);
}

#[test]
fn exclude_skips_paths_and_namespace_is_a_default() {
    let config = "namespace: shop\nexclude: [vendor/*]\n";
    let vs = "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: a\nspec:\n  hosts: [a]\n  http:\n  - route:\n    - destination: {host: missing}\n";
    let dir = dir_with(&[
        (".meshlint.yaml", config),
        ("mine/a.yaml", vs),
        ("vendor/b.yaml", "not: [valid"),
    ]);
    let report = json(&run_in(dir.path(), &["analyze", "-o", "json", "."], None));
    assert_eq!(report["summary"]["files"], 1, "{report}");
    assert_eq!(report["diagnostics"][0]["resource"]["namespace"], "shop");
    // The flag wins over the file.
    let report = json(&run_in(
        dir.path(),
        &["analyze", "-o", "json", "-n", "other", "."],
        None,
    ));
    assert_eq!(report["diagnostics"][0]["resource"]["namespace"], "other");
}

#[test]
fn config_mistakes_are_usage_errors_with_location_and_suggestion() {
    for (config, expected) in [
        (
            "rulez: {}\n",
            ".meshlint.yaml:1:1: unknown key `rulez` in the file (did you mean `rules`?)",
        ),
        (
            "rules:\n  unknown-hots: off\n",
            ".meshlint.yaml:2:3: no rule named `unknown-hots`; did you mean `unknown-host`?",
        ),
        ("rules:\n  port-name: of\n", "did you mean `off`?"),
        (
            "suppress:\n  - rule: port-name\n    resource: Service a/b\n",
            "needs a `reason`",
        ),
        (
            "external:\n  hosts: [a]\n  namespace: [b]\n",
            "did you mean `namespaces`?",
        ),
        ("rules: [\n", ".meshlint.yaml:"),
    ] {
        let dir = dir_with(&[(".meshlint.yaml", config), ("a.yaml", "")]);
        let out = run_in(dir.path(), &["analyze", "a.yaml"], None);
        assert_eq!(out.status.code(), Some(2), "{config}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expected), "{config}: {stderr}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn show_suppressed_lists_them_in_human_output_too() {
    let dir = dir_with(&[(
        "mesh.yaml",
        &mesh("  annotations:\n    galley.istio.io/analyze-suppress: IST0101\n"),
    )]);
    let text = String::from_utf8(
        run_in(
            dir.path(),
            &["analyze", "--show-suppressed", "mesh.yaml"],
            None,
        )
        .stdout,
    )
    .unwrap();
    assert!(
        text.contains("suppressed:\n  mesh.yaml:12:27 unknown-host"),
        "{text}"
    );
    assert!(
        text.contains("by annotation galley.istio.io/analyze-suppress: IST0101"),
        "{text}"
    );
    assert!(
        text.trim_end().ends_with("(2 resources, 2 suppressed)"),
        "{text}"
    );
    let text =
        String::from_utf8(run_in(dir.path(), &["analyze", "mesh.yaml"], None).stdout).unwrap();
    assert!(!text.contains("suppressed:\n"), "{text}");
}

/// Two VirtualServices in shop, each with one unknown host, and the Service with an unnamed port:
/// a suppression that names `front` must leave `back`'s finding of the same rule.
fn two_services(front_annotations: &str) -> String {
    let vs = |name: &str, annotations: &str, host: &str| {
        format!(
            "apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: {name}
  namespace: shop
{annotations}spec:
  hosts: [{name}]
  http:
  - route:
    - destination: {{host: {host}}}
---
"
        )
    };
    format!(
        "{}{}apiVersion: v1
kind: Service
metadata:
  name: front
  namespace: shop
spec:
  ports:
  - port: 8080
",
        vs("front", front_annotations, "catalg"),
        vs("back", "", "stok")
    )
}

/// (rule, resource name or "") of each finding in a report's `key` list.
fn findings(report: &Value, key: &str) -> Vec<(String, String)> {
    report[key]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|d| {
                    (
                        d["rule"].as_str().unwrap().to_string(),
                        d["resource"]["name"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn each_mechanism_removes_exactly_what_it_names_and_show_suppressed_says_by_what() {
    let config = "suppress:\n  - rule: IST0101\n    resource: VirtualService shop/front\n    reason: catalg is being renamed\n";
    // (mechanism, mesh, .meshlint.yaml, flags, what --show-suppressed names)
    type Case<'a> = (&'a str, String, Option<&'a str>, Vec<&'a str>, &'a str);
    let cases: [Case<'_>; 4] = [
        (
            "galley annotation",
            two_services("  annotations:\n    galley.istio.io/analyze-suppress: IST0101\n"),
            None,
            vec![],
            "annotation galley.istio.io/analyze-suppress: IST0101",
        ),
        (
            "kiali annotation",
            two_services("  annotations:\n    kiali.io/ignore-validations: unknown-host\n"),
            None,
            vec![],
            "annotation kiali.io/ignore-validations: unknown-host",
        ),
        (
            "--suppress",
            two_services(""),
            None,
            vec!["--suppress", "unknown-host=VirtualService shop/front"],
            "--suppress 'unknown-host=VirtualService shop/front'",
        ),
        (
            ".meshlint.yaml",
            two_services(""),
            Some(config),
            vec![],
            "in .meshlint.yaml",
        ),
    ];
    for (what, mesh, config, flags, by) in cases {
        let mut files = vec![("mesh.yaml", mesh.as_str())];
        if let Some(config) = config {
            files.push((".meshlint.yaml", config));
        }
        let dir = dir_with(&files);
        let mut args = vec!["analyze", "-o", "json", "--show-suppressed"];
        args.extend(&flags);
        args.push("mesh.yaml");
        let out = run_in(dir.path(), &args, None);
        let report = json(&out);
        let pair = |rule: &str, name: &str| (rule.to_string(), name.to_string());
        assert_eq!(
            findings(&report, "diagnostics"),
            [pair("unknown-host", "back"), pair("port-name", "front")],
            "{what}: only front's unknown-host goes"
        );
        assert_eq!(
            findings(&report, "suppressed"),
            [pair("unknown-host", "front")],
            "{what}"
        );
        let shown_by = report["suppressed"][0]["suppressed_by"].as_str().unwrap();
        assert!(shown_by.contains(by), "{what}: {shown_by}");
        assert_eq!(report["summary"]["suppressed"], 1, "{what}");
        // back's error is left, so the run still fails.
        assert_eq!(out.status.code(), Some(1), "{what}");
        // Without --show-suppressed they are counted, not listed.
        args.retain(|a| *a != "--show-suppressed");
        let report = json(&run_in(dir.path(), &args, None));
        assert!(report.get("suppressed").is_none(), "{what}");
        assert_eq!(report["summary"]["suppressed"], 1, "{what}");
        assert_eq!(findings(&report, "diagnostics").len(), 2, "{what}");
    }
}

/// A Sidecar and a Telemetry select a workload of namespace shop that another chart deploys:
/// declared under `external: workloads:`, their findings go, and only theirs.
#[test]
fn external_workloads_satisfy_sidecar_and_telemetry_selectors_in_their_namespace() {
    let selectors = "apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: payments
  namespace: shop
spec:
  workloadSelector:
    labels: {app: payments}
  egress:
  - hosts: ['./*']
---
apiVersion: telemetry.istio.io/v1
kind: Telemetry
metadata:
  name: payments
  namespace: shop
spec:
  selector:
    matchLabels: {app: payments}
  accessLogging:
  - providers:
    - name: envoy
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: ledger
  namespace: shop
spec:
  workloadSelector:
    labels: {app: ledger}
  egress:
  - hosts: ['./*']
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: web
";
    let names = |report: &Value, key: &str| -> Vec<(String, String)> {
        let mut v = findings(report, key);
        v.sort();
        v
    };
    let pair = |r: &str, n: &str| (r.to_string(), n.to_string());
    let dir = dir_with(&[("mesh.yaml", selectors)]);
    let report = json(&run_in(
        dir.path(),
        &["analyze", "-o", "json", "mesh.yaml"],
        None,
    ));
    assert_eq!(
        names(&report, "diagnostics"),
        [
            pair("sidecar-selects-nothing", "ledger"),
            pair("sidecar-selects-nothing", "payments"),
            pair("telemetry-selects-nothing", "payments"),
        ],
        "{report}"
    );
    // Declared in another namespace, it is not the one they select.
    for (config, left) in [
        (
            "external:\n  workloads:\n    - namespace: shop\n      labels: {app: payments}\n",
            vec![pair("sidecar-selects-nothing", "ledger")],
        ),
        (
            "external:\n  workloads:\n    - namespace: other\n      labels: {app: payments}\n",
            vec![
                pair("sidecar-selects-nothing", "ledger"),
                pair("sidecar-selects-nothing", "payments"),
                pair("telemetry-selects-nothing", "payments"),
            ],
        ),
    ] {
        let dir = dir_with(&[("mesh.yaml", selectors), (".meshlint.yaml", config)]);
        let report = json(&run_in(
            dir.path(),
            &["analyze", "-o", "json", "--show-suppressed", "mesh.yaml"],
            None,
        ));
        assert_eq!(names(&report, "diagnostics"), left, "{config}: {report}");
        let gone = names(&report, "suppressed");
        assert_eq!(gone.len(), 3 - left.len(), "{config}: {report}");
        for d in report["suppressed"].as_array().into_iter().flatten() {
            assert_eq!(d["suppressed_by"], "external: in .meshlint.yaml");
        }
    }
}

#[test]
fn external_workloads_satisfy_authz_selectors_and_subsets_in_their_namespace() {
    let mesh = "apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: payments
  namespace: shop
spec:
  selector:
    matchLabels: {app: payments}
  action: ALLOW
  rules:
  - from:
    - source:
        namespaces: [shop]
---
apiVersion: v1
kind: Service
metadata:
  name: reviews
  namespace: shop
spec:
  selector: {app: reviews}
  ports:
  - name: http
    port: 9080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: reviews-v1
  namespace: shop
spec:
  selector:
    matchLabels: {app: reviews, version: v1}
  template:
    metadata:
      labels: {app: reviews, version: v1}
    spec:
      containers:
      - name: reviews
        image: reviews
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
  namespace: shop
spec:
  host: reviews
  subsets:
  - name: v1
    labels: {version: v1}
  - name: v2
    labels: {version: v2}
";
    let names = |report: &Value| -> Vec<(String, String)> {
        let mut v = findings(report, "diagnostics");
        v.retain(|(rule, _)| rule == "authz-no-workload" || rule == "subset-no-workloads");
        v.sort();
        v
    };
    let pair = |r: &str, n: &str| (r.to_string(), n.to_string());
    let both = vec![
        pair("authz-no-workload", "payments"),
        pair("subset-no-workloads", "reviews"),
    ];
    let dir = dir_with(&[("mesh.yaml", mesh)]);
    let report = json(&run_in(
        dir.path(),
        &["analyze", "-o", "json", "mesh.yaml"],
        None,
    ));
    assert_eq!(names(&report), both, "{report}");
    for (config, left) in [
        (
            "external:\n  workloads:\n    - namespace: shop\n      labels: {app: payments}\n",
            vec![pair("subset-no-workloads", "reviews")],
        ),
        // The subset's workloads carry the Service's selector and the subset's labels.
        (
            "external:\n  workloads:\n    - namespace: shop\n      labels: {app: reviews, version: v2}\n",
            vec![pair("authz-no-workload", "payments")],
        ),
        (
            "external:\n  workloads:\n    - namespace: shop\n      labels: {version: v2}\n",
            both.clone(),
        ),
        (
            "external:\n  workloads:\n    - namespace: other\n      labels: {app: payments}\n",
            both.clone(),
        ),
    ] {
        let dir = dir_with(&[("mesh.yaml", mesh), (".meshlint.yaml", config)]);
        let report = json(&run_in(
            dir.path(),
            &["analyze", "-o", "json", "mesh.yaml"],
            None,
        ));
        assert_eq!(names(&report), left, "{config}: {report}");
    }
}
