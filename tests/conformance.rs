//! `istioctl analyze` conformance: every case of the upstream analyzer corpus
//! (`../shared/conformance/istio-analyze/`) is run the way its README's harness rules say, and
//! the pass rate may only rise.
//!
//! Harness rules followed (README "Matching the upstream harness"):
//! - only the codes of the case's analyzer (`analyzers.tsv`, column `codes`) are compared; a
//!   meshlint finding counts under its rule's istioctl `code` when that code is one of them, else
//!   under the first of the rule's `codes` that is. A code several analyzers emit (IST0101,
//!   IST0002, the schema codes) counts only for the rules mirroring this analyzer (`SHARED`), and
//!   for a per-kind schema analyzer only on resources of its kind;
//! - `harness/default-ingress.yaml` is always added; `mesh_config_file` is the `--mesh-config`
//!   overlay on Istio's defaults; `mesh_networks_file` is wrapped as `data.meshNetworks` of the
//!   ConfigMap `istio-system/istio` (where istiod reads it), and findings on that ConfigMap count
//!   as upstream's synthesized `MeshNetworks istio-system/meshnetworks`;
//! - findings on resources in `kube-system`, `kube-public`, `kube-node-lease` and
//!   `local-path-storage` are dropped, as upstream drops those resources;
//! - pass means the multiset of `(code, kind, namespace, name)` equals `expected`, after removing
//!   findings identical in code, resource, location and message (upstream removes identical
//!   rendered messages).
//!
//! Upstream applies no default namespace, meshlint puts namespace-less resources in `default`:
//! a namespace-less expectation matches a finding in `default` or without namespace.
//!
//! Applicable cases: those whose analyzer is in istioctl's default set (`in_all_analyzers`) and
//! that run on one cluster (103 of 105). The recorded figure is `tests/conformance-pass-rate.txt`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use meshlint::engine::{self, Options};

const RECORD: &str = "tests/conformance-pass-rate.txt";
const DROPPED_NAMESPACES: &[&str] = &[
    "kube-system",
    "kube-public",
    "kube-node-lease",
    "local-path-storage",
];

/// For the codes several analyzers emit: which meshlint rules mirror which analyzer.
const SHARED: &[(&str, &[&str])] = &[
    (
        "virtualservice.DestinationHostAnalyzer",
        &["unknown-host", "port-not-found"],
    ),
    (
        "virtualservice.DestinationRuleAnalyzer",
        &["subset-not-found"],
    ),
    (
        "virtualservice.GatewayAnalyzer",
        &["unknown-gateway", "internal-gateway-ref"],
    ),
    (
        "gateway.IngressGatewayPortAnalyzer",
        &["gateway-no-workload"],
    ),
    (
        "gateway.SecretAnalyzer",
        &["gateway-secret-not-found", "gateway-no-workload"],
    ),
    (
        "auth.AuthorizationPoliciesAnalyzer",
        &["authz-unknown-namespace"],
    ),
    ("sidecar.SelectorAnalyzer", &["sidecar-selects-nothing"]),
    ("telemetry.SelectorAnalyzer", &["telemetry-selects-nothing"]),
    ("deprecation.DeprecationAnalyzer", &["deprecated-field"]),
    ("telemetry.LightstepAnalyzer", &["telemetry-lightstep"]),
];

fn corpus() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance/istio-analyze");
    if p.join("cases.json").is_file() {
        Some(p)
    } else {
        eprintln!(
            "notice: ../shared/conformance/istio-analyze is absent; the conformance test is skipped"
        );
        None
    }
}

/// Analyzer name → the codes it can emit (of the analyzers in istioctl's default set).
fn analyzer_codes(base: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let text = std::fs::read_to_string(base.join("analyzers.tsv")).expect("analyzers.tsv");
    let mut header: Vec<&str> = Vec::new();
    let mut out = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let cols: Vec<&str> = line.split('\t').collect();
        if i == 0 {
            header = cols;
            continue;
        }
        let col = |name: &str| {
            header
                .iter()
                .position(|h| *h == name)
                .and_then(|p| cols.get(p).copied())
                .unwrap_or("")
        };
        let codes = col("codes")
            .split(',')
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect();
        if col("in_all") == "yes" {
            out.insert(col("analyzer").to_string(), codes);
        }
    }
    out
}

fn key(code: &str, kind: &str, namespace: Option<&str>, name: &str) -> String {
    let ns = match namespace {
        None | Some("") | Some("default") => "(default)",
        Some(ns) => ns,
    };
    format!("{code} {kind} {ns}/{name}")
}

struct Outcome {
    id: String,
    passed: bool,
    want: BTreeMap<String, usize>,
    got: BTreeMap<String, usize>,
}

/// Which findings a case compares.
struct Filter<'a> {
    analyzer: &'a str,
    codes: &'a BTreeSet<String>,
    /// Codes that other default analyzers emit too.
    shared: BTreeSet<String>,
}

impl Filter<'_> {
    /// The code under which `d` counts for this analyzer, if any.
    fn code(&self, d: &meshlint::diag::Diagnostic) -> Option<&'static str> {
        let code = d
            .rule
            .code
            .filter(|c| self.codes.contains(*c))
            .or_else(|| {
                d.rule
                    .codes
                    .iter()
                    .copied()
                    .find(|c| self.codes.contains(*c))
            })?;
        if !self.shared.contains(code) {
            return Some(code);
        }
        if let Some(kind) = self.analyzer.strip_prefix("schema.ValidationAnalyzer.") {
            let same_kind = d.resource.as_ref().is_some_and(|r| r.kind == kind);
            return same_kind.then_some(code);
        }
        SHARED
            .iter()
            .any(|(a, rules)| *a == self.analyzer && rules.contains(&d.rule.name))
            .then_some(code)
    }
}

fn run_case(base: &Path, case: &serde_json::Value, filter: &Filter<'_>) -> BTreeMap<String, usize> {
    let testdata = base.join("testdata");
    let mut paths: Vec<String> = case["input_files"]
        .as_array()
        .expect("input_files")
        .iter()
        .filter_map(|f| f.as_str())
        .map(|f| testdata.join(f).to_string_lossy().into_owned())
        .collect();
    // Upstream turns the mesh networks file into the resource `MeshNetworks
    // istio-system/meshnetworks`; in a cluster istiod reads it from `data.meshNetworks` of the
    // `istio` ConfigMap, which is where meshlint reads it: the file is wrapped in that ConfigMap,
    // and findings on it count for upstream's resource.
    let _networks_dir;
    let networks_wrapped = if let Some(f) = case["mesh_networks_file"].as_str() {
        let text = std::fs::read_to_string(testdata.join(f)).expect("the mesh networks file");
        let mut wrapped = String::from(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: istio\n  namespace: istio-system\ndata:\n  meshNetworks: |\n",
        );
        for line in text.lines() {
            wrapped.push_str("    ");
            wrapped.push_str(line);
            wrapped.push('\n');
        }
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("istio-meshnetworks-configmap.yaml");
        std::fs::write(&path, wrapped).expect("the wrapped mesh networks");
        paths.push(path.to_string_lossy().into_owned());
        _networks_dir = dir;
        true
    } else {
        false
    };
    paths.push(
        base.join("harness/default-ingress.yaml")
            .to_string_lossy()
            .into_owned(),
    );
    let options = Options {
        mesh_config: case["mesh_config_file"]
            .as_str()
            .map(|f| testdata.join(f).to_string_lossy().into_owned()),
        ..Options::default()
    };
    let analysis =
        engine::analyze(&paths, &mut || Ok(Vec::new()), &options).expect("the case's inputs load");
    let mut seen = BTreeSet::new();
    let mut got = BTreeMap::new();
    for d in &analysis.diagnostics {
        let Some(code) = filter.code(d) else { continue };
        let Some(r) = &d.resource else {
            *got.entry(format!("{code} (no resource) {}", d.message))
                .or_default() += 1;
            continue;
        };
        if r.namespace
            .as_deref()
            .is_some_and(|ns| DROPPED_NAMESPACES.contains(&ns))
        {
            continue;
        }
        let is_networks = networks_wrapped
            && r.kind == "ConfigMap"
            && r.namespace.as_deref() == Some("istio-system")
            && r.name == "istio";
        let k = if is_networks {
            key(code, "MeshNetworks", Some("istio-system"), "meshnetworks")
        } else {
            key(code, &r.kind, r.namespace.as_deref(), &r.name)
        };
        if !seen.insert((k.clone(), d.loc.file, d.loc.span.start, d.message.clone())) {
            continue;
        }
        *got.entry(k).or_default() += 1;
    }
    got
}

#[test]
fn istioctl_analyze_conformance_never_drops() {
    let Some(base) = corpus() else { return };
    let analyzers = analyzer_codes(&base);
    let cases: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(base.join("cases.json")).expect("cases"))
            .expect("cases.json parses");
    let mut outcomes = Vec::new();
    for case in cases.as_array().expect("an array") {
        if case["in_all_analyzers"] != serde_json::Value::Bool(true) || !case["clusters"].is_null()
        {
            continue;
        }
        let id = case["id"].as_str().unwrap_or("?").to_string();
        let analyzer = case["analyzers"][0].as_str().unwrap_or("");
        let codes = analyzers
            .get(analyzer)
            .unwrap_or_else(|| panic!("{id}: analyzer {analyzer} not in analyzers.tsv"));
        let shared = analyzers
            .iter()
            .filter(|(a, _)| *a != analyzer)
            .flat_map(|(_, c)| c.intersection(codes).cloned())
            .collect();
        let filter = Filter {
            analyzer,
            codes,
            shared,
        };
        let mut want: BTreeMap<String, usize> = BTreeMap::new();
        for e in case["expected"].as_array().expect("expected") {
            let k = key(
                e["code"].as_str().unwrap_or(""),
                e["kind"].as_str().unwrap_or(""),
                e["namespace"].as_str(),
                e["resource_name"].as_str().unwrap_or(""),
            );
            *want.entry(k).or_default() += 1;
        }
        let got = run_case(&base, case, &filter);
        outcomes.push(Outcome {
            passed: got == want,
            id,
            want,
            got,
        });
    }
    let total = outcomes.len();
    let passed = outcomes.iter().filter(|o| o.passed).count();
    println!("istioctl analyze conformance: {passed} of {total} applicable cases pass");
    for o in outcomes.iter().filter(|o| !o.passed) {
        let missing: Vec<String> = diff(&o.want, &o.got);
        let extra: Vec<String> = diff(&o.got, &o.want);
        println!(
            "FAIL {}\n    missing: {missing:?}\n    extra:   {extra:?}",
            o.id
        );
    }
    assert_eq!(total, 103, "the corpus changed: update the recorded figure");
    let record = Path::new(env!("CARGO_MANIFEST_DIR")).join(RECORD);
    let recorded: usize = std::fs::read_to_string(&record)
        .expect("tests/conformance-pass-rate.txt")
        .lines()
        .find_map(|l| l.split_whitespace().next()?.parse().ok())
        .expect("the file starts with the number of passing cases");
    assert!(
        passed >= recorded,
        "conformance dropped: {passed} of {total} pass, {recorded} recorded in {RECORD}"
    );
    if passed > recorded {
        println!("conformance rose to {passed}: record it in {RECORD}");
    }
}

/// The entries of `a` not in `b`, with their surplus count.
fn diff(a: &BTreeMap<String, usize>, b: &BTreeMap<String, usize>) -> Vec<String> {
    a.iter()
        .filter_map(|(k, n)| {
            let m = b.get(k).copied().unwrap_or(0);
            (*n > m).then(|| format!("{k} x{}", n - m))
        })
        .collect()
}
