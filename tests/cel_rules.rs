//! Every CEL rule (`x-kubernetes-validations`) of the Istio CRDs is compiled and evaluated, and
//! has a failing and a passing case here.
//!
//! The rules and where they sit come from the embedded schema table (`istio.json`, compiled from
//! the CRDs and kept in sync by `tests/schema_sync.rs`); where `../shared` is present they are
//! also counted in the CRD file itself. For every occurrence of a rule (kind, version, field
//! path) a resource is built with `self` set to the rule's failing value at that path, and
//! another with its passing value; `meshlint` must report an `invalid-value` with the rule's
//! message at that path for the first, and none for the second. A rule without both cases in
//! `CASES`, a case no rule uses, or a rule that does not compile fails the test.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use meshlint::engine::{self, Options};
use meshlint::model::cel::{self, Verdict};
use meshlint::model::schema::{Shape, ShapeId, Table};
use serde_json::{Value as Json, json};

/// (rule, passing `self`, failing `self`) as JSON, by the rule's text on one line.
const CASES: &[(&str, &str, &str)] = &[
    (
        "duration(self) >= duration('1ms')",
        r#""1.5s""#,
        r#""500us""#,
    ),
    ("0 < self && self <= 65535", "8080", "70000"),
    (r#"!self.contains("*")"#, r#""a.b""#, r#""a*""#),
    ("self.size() == 0", r#""""#, r#""other""#),
    (
        "self.all(key, key.size() != 0)",
        r#"{"a": "b"}"#,
        r#"{"": "b"}"#,
    ),
    (
        r#"self.all(key, !key.contains("*"))"#,
        r#"{"app": "b"}"#,
        r#"{"app*": "b"}"#,
    ),
    (
        r#"self.all(key, size(key) < 63 && key.matches("^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$"))"#,
        r#"{"http": 8080}"#,
        r#"{"-http": 8080}"#,
    ),
    (
        r#"(has(self.address) ? self.address : "").startsWith("unix://") ? !has(self.ports) : true"#,
        r#"{"address": "10.0.0.1", "ports": {"http": 8080}}"#,
        r#"{"address": "unix:///var/run/app.sock", "ports": {"http": 8080}}"#,
    ),
    (
        "(has(self.selector) ? 1 : 0) + (has(self.targetRef) ? 1 : 0) + (has(self.targetRefs) ? 1 : 0) <= 1",
        r#"{"selector": {"matchLabels": {"app": "a"}}}"#,
        r#"{"selector": {"matchLabels": {"app": "a"}}, "targetRef": {"kind": "Service", "name": "a"}}"#,
    ),
    (
        "(has(self.selector) ? 1 : 0) + (has(self.targetRefs) ? 1 : 0) <= 1",
        r#"{"selector": {"matchLabels": {"app": "a"}}}"#,
        r#"{"selector": {"matchLabels": {"app": "a"}}, "targetRefs": [{"kind": "Service", "name": "a"}]}"#,
    ),
    (
        "has(self.address) || has(self.network)",
        r#"{"address": "10.0.0.1"}"#,
        r#"{"labels": {"app": "a"}}"#,
    ),
    (
        r#"self.startsWith("unix://") ? !self.endsWith("/") : true"#,
        r#""unix:///var/run/app.sock""#,
        r#""unix:///var/run/""#,
    ),
    (
        "(has(self.tlsCertificates) ? 1 : 0) + (has(self.credentialNames) ? 1 : 0) <= 1",
        r#"{"credentialNames": ["a"]}"#,
        r#"{"credentialNames": ["a"], "tlsCertificates": [{"serverCertificate": "/c.pem"}]}"#,
    ),
    (
        "(has(self.credentialNames) ? 1 : 0) + (has(self.tlsCertificates) ? 1 : 0) <= 1",
        r#"{"credentialNames": ["a"]}"#,
        r#"{"credentialNames": ["a"], "tlsCertificates": [{"serverCertificate": "/c.pem"}]}"#,
    ),
    (
        "(has(self.credentialName) ? 1 : 0) + (has(self.credentialNames) ? 1 : 0) <= 1",
        r#"{"credentialName": "a"}"#,
        r#"{"credentialName": "a", "credentialNames": ["b"]}"#,
    ),
    (
        r#"url(self).getScheme() in ["http", "https"]"#,
        r#""https://example.com/x""#,
        r#""ftp://example.com/x""#,
    ),
    (
        r#"((has(self.operation) ? self.operation : "") == "REMOVE") ? !has(self.value) : true"#,
        r#"{"operation": "REMOVE"}"#,
        r#"{"operation": "REMOVE", "value": "x"}"#,
    ),
    (
        r#"((has(self.operation) ? self.operation : "") == "UPSERT") ? (self.value != "") : true"#,
        r#"{"operation": "UPSERT", "value": "x"}"#,
        r#"{"operation": "UPSERT", "value": ""}"#,
    ),
    (
        "self.all(l1, self.exists_one(l2, l1.number == l2.number))",
        r#"[{"number": 80, "name": "a", "protocol": "HTTP"}, {"number": 81, "name": "b", "protocol": "HTTP"}]"#,
        r#"[{"number": 80, "name": "a", "protocol": "HTTP"}, {"number": 80, "name": "b", "protocol": "HTTP"}]"#,
    ),
    (r#"self in ["", "HTTP", "HTTPS"]"#, r#""HTTPS""#, r#""FTP""#),
    (r#"self != "*""#, r#""a.example.com""#, r#""*""#),
    (
        r#"self.startsWith("unix://") ? (self.substring(7, 8) == "/" || self.substring(7, 8) == "@") : true"#,
        r#""unix:///var/run/app.sock""#,
        r#""unix://var/run/app.sock""#,
    ),
    (
        "(has(self.workloadSelector) ? 1 : 0) + (has(self.endpoints) ? 1 : 0) <= 1",
        r#"{"hosts": ["a.example.com"], "workloadSelector": {"labels": {"app": "a"}}}"#,
        r#"{"hosts": ["a.example.com"], "workloadSelector": {"labels": {"app": "a"}}, "endpoints": [{"address": "10.0.0.1"}]}"#,
    ),
    (
        r#"((has(self.resolution) ? self.resolution : "NONE") == "NONE") ? !has(self.endpoints) : true"#,
        r#"{"hosts": ["a.example.com"], "resolution": "STATIC", "endpoints": [{"address": "10.0.0.1"}]}"#,
        r#"{"hosts": ["a.example.com"], "endpoints": [{"address": "10.0.0.1"}]}"#,
    ),
    (
        r#"((has(self.resolution) ? self.resolution : "") == "DNS_ROUND_ROBIN") ? ((has(self.endpoints) ? self.endpoints : []).size() <= 1) : true"#,
        r#"{"hosts": ["a.example.com"], "resolution": "DNS_ROUND_ROBIN", "endpoints": [{"address": "a.example.com"}]}"#,
        r#"{"hosts": ["a.example.com"], "resolution": "DNS_ROUND_ROBIN", "endpoints": [{"address": "a.example.com"}, {"address": "b.example.com"}]}"#,
    ),
    (
        r#"!((has(self.addresses) ? self.addresses : []).exists(k, k.contains("/")) && !((has(self.resolution) ? self.resolution : "NONE") in ["STATIC", "NONE"]))"#,
        r#"{"hosts": ["a.example.com"], "addresses": ["10.1.0.0/16"], "resolution": "STATIC", "endpoints": [{"address": "10.1.0.1"}]}"#,
        r#"{"hosts": ["a.example.com"], "addresses": ["10.1.0.0/16"], "resolution": "DNS"}"#,
    ),
    (
        "(has(self.workloadSelector) ? 1 : 0) + (has(self.targetRefs) ? 1 : 0) <= 1",
        r#"{"targetRefs": [{"kind": "Service", "name": "a"}]}"#,
        r#"{"workloadSelector": {"labels": {"app": "a"}}, "targetRefs": [{"kind": "Service", "name": "a"}]}"#,
    ),
    (
        r#"(has(self.valueFrom) ? self.valueFrom : "") != "HOST" || !has(self.value)"#,
        r#"{"valueFrom": "HOST"}"#,
        r#"{"valueFrom": "HOST", "value": "x"}"#,
    ),
    (
        r#"has(self.context) ? ((self.context == "WAYPOINT") ? has(self.waypoint) : !has(self.waypoint)) : !has(self.waypoint)"#,
        r#"{"context": "SIDECAR_INBOUND"}"#,
        r#"{"context": "SIDECAR_INBOUND", "waypoint": {}}"#,
    ),
    (
        "has(self.portLevelMtls) ? (((has(self.selector) && has(self.selector.matchLabels)) ? self.selector.matchLabels : {}).size() > 0) : true",
        r#"{"selector": {"matchLabels": {"app": "a"}}, "portLevelMtls": {"8080": {"mode": "DISABLE"}}}"#,
        r#"{"portLevelMtls": {"8080": {"mode": "DISABLE"}}}"#,
    ),
    (
        "self.all(key, 0 < int(key) && int(key) <= 65535)",
        r#"{"8080": {"mode": "DISABLE"}}"#,
        r#"{"0": {"mode": "DISABLE"}}"#,
    ),
    (
        "(has(self.jwksUri) ? 1 : 0) + (has(self.jwks_uri) ? 1 : 0) + (has(self.jwks) ? 1 : 0) <= 1",
        r#"{"issuer": "https://a.example.com", "jwksUri": "https://a.example.com/jwks"}"#,
        r#"{"issuer": "https://a.example.com", "jwksUri": "https://a.example.com/jwks", "jwks": "{}"}"#,
    ),
    (
        "(has(self.serviceAccounts) || has(self.notServiceAccounts)) ? (!has(self.principals) && !has(self.notPrincipals) && !has(self.namespaces) && !has(self.notNamespaces)) : true",
        r#"{"serviceAccounts": ["a"]}"#,
        r#"{"serviceAccounts": ["a"], "namespaces": ["b"]}"#,
    ),
    (
        "has(self.wasm) != has(self.lua)",
        r#"{"lua": {"inlineCode": "function envoy_on_request(h) end"}}"#,
        r#"{"phase": "AUTHN"}"#,
    ),
    (
        r#"isURL(self) ? (url(self).getScheme() in ["", "http", "https", "file", "oci"]) : (isURL("http://" + self) && url("http://" + self).getScheme() in ["", "http", "https", "file", "oci"])"#,
        r#""ghcr.io/istio/wasm-plugin:1.0""#,
        r#""ftp://example.com/plugin.wasm""#,
    ),
    (
        r#"isURL(self) ? (url(self).getScheme() in ["", "http", "https", "oci", "file"]) : (isURL("http://" + self) && url("http://" + self).getScheme() in ["", "http", "https", "oci", "file"])"#,
        r#""oci://ghcr.io/istio/wasm-plugin:1.0""#,
        r#""ftp://example.com/plugin.wasm""#,
    ),
];

fn one_line(rule: &str) -> String {
    rule.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[derive(Clone, Debug)]
enum Seg {
    Field(String),
    Item,
    Value,
}

/// One rule where it sits.
#[derive(Debug)]
struct Occurrence {
    group: String,
    kind: String,
    version: String,
    path: Vec<Seg>,
    rule: u32,
}

/// Every (kind, version, path, rule) of the table, by walking each kind's shapes from its root.
fn occurrences(table: &Table) -> Vec<Occurrence> {
    fn walk(
        table: &Table,
        shape: ShapeId,
        path: &mut Vec<Seg>,
        at: &dyn Fn(&[Seg], u32) -> Occurrence,
        out: &mut Vec<Occurrence>,
    ) {
        assert!(path.len() < 40, "the schema nests too deep at {path:?}");
        let (cel, children): (&[u32], Vec<(Seg, ShapeId)>) = match &table.shapes[shape as usize] {
            Shape::Obj(o) => (
                &o.cel,
                o.props
                    .iter()
                    .map(|p| (Seg::Field(p.name.clone()), p.shape))
                    .chain(o.values.map(|v| (Seg::Value, v)))
                    .collect(),
            ),
            Shape::Arr(a) => (&a.cel, vec![(Seg::Item, a.items)]),
            Shape::Str(s) => (&s.cel, Vec::new()),
            Shape::Int(i) => (&i.cel, Vec::new()),
            Shape::Num(n) => (&n.cel, Vec::new()),
            Shape::IntOrStr(i) => (&i.cel, Vec::new()),
            _ => (&[], Vec::new()),
        };
        for &id in cel {
            out.push(at(path, id));
        }
        for (seg, child) in children {
            path.push(seg);
            walk(table, child, path, at, out);
            path.pop();
        }
    }
    let mut out = Vec::new();
    for k in &table.kinds {
        for (version, root) in &k.versions {
            let at = |path: &[Seg], rule| Occurrence {
                group: k.group.clone(),
                kind: k.kind.clone(),
                version: version.clone(),
                path: path.to_vec(),
                rule,
            };
            walk(table, *root, &mut Vec::new(), &at, &mut out);
        }
    }
    out
}

/// The resource with `value` at `path`.
fn resource(o: &Occurrence, value: &Json) -> String {
    fn nest(path: &[Seg], value: &Json) -> Json {
        match path.split_first() {
            None => value.clone(),
            Some((Seg::Field(f), rest)) => json!({ f.as_str(): nest(rest, value) }),
            Some((Seg::Item, rest)) => json!([nest(rest, value)]),
            Some((Seg::Value, rest)) => json!({ "k": nest(rest, value) }),
        }
    }
    let mut doc = json!({
        "apiVersion": format!("{}/{}", o.group, o.version),
        "kind": o.kind,
        "metadata": {"name": "cel", "namespace": "default"},
    });
    if let (Json::Object(d), Json::Object(n)) = (&mut doc, nest(&o.path, value)) {
        for (k, v) in n {
            d.insert(k, v);
        }
    }
    serde_json::to_string_pretty(&doc).expect("JSON")
}

/// How the validator names the field of `path`.
fn place(path: &[Seg]) -> String {
    let mut s = String::new();
    for seg in path {
        match seg {
            Seg::Field(f) if s.is_empty() => s.push_str(f),
            Seg::Field(f) => {
                s.push('.');
                s.push_str(f);
            }
            Seg::Item => s.push_str("[0]"),
            Seg::Value => s.push_str(".k"),
        }
    }
    s
}

/// The `invalid-value` messages of analyzing `yaml`.
fn invalid_values(yaml: &str) -> Vec<String> {
    let bytes = yaml.as_bytes().to_vec();
    let analysis = engine::analyze(
        &["-".to_string()],
        &mut || Ok(bytes.clone()),
        &Options::default(),
    )
    .expect("stdin loads");
    analysis
        .diagnostics
        .iter()
        .filter(|d| d.rule.name == "invalid-value")
        .map(|d| d.message.clone())
        .collect()
}

fn table() -> Table {
    serde_json::from_str(meshlint::model::schema::ISTIO_JSON).expect("istio.json parses")
}

#[test]
fn every_rule_of_the_crds_compiles() {
    let table = table();
    let mut broken = Vec::new();
    for r in &table.rules {
        if let Err(e) = cel::compile(r) {
            broken.push(e);
        }
    }
    eprintln!(
        "{} of {} distinct CEL rules compile",
        table.rules.len() - broken.len(),
        table.rules.len()
    );
    assert!(broken.is_empty(), "{broken:#?}");
}

#[test]
fn the_table_holds_every_rule_of_the_crd_file() {
    let crds =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/istio-crds.gen.yaml");
    if !crds.exists() {
        eprintln!(
            "notice: {} is absent; the rule count is skipped",
            crds.display()
        );
        return;
    }
    let text = std::fs::read_to_string(&crds).expect("read the CRDs");
    // Each `x-kubernetes-validations:` list and each `- rule:` entry (possibly after `- message:`).
    let lists = text
        .lines()
        .filter(|l| l.trim() == "x-kubernetes-validations:")
        .count();
    let rules = text
        .lines()
        .filter(|l| l.trim_start().starts_with("rule:") || l.trim_start().starts_with("- rule:"))
        .count();
    let found = occurrences(&table()).len();
    eprintln!(
        "the CRDs hold {lists} x-kubernetes-validations lists with {rules} rules; the schema table places {found}"
    );
    assert_eq!(
        found, rules,
        "every rule of the CRDs sits on a shape of the table"
    );
}

#[test]
fn every_rule_fails_its_failing_case_and_passes_its_passing_case() {
    let table = table();
    let cases: BTreeMap<String, (&str, &str)> = CASES
        .iter()
        .map(|(r, pass, fail)| (one_line(r), (*pass, *fail)))
        .collect();
    assert_eq!(cases.len(), CASES.len(), "a rule is listed twice in CASES");
    let all = occurrences(&table);
    let mut used = BTreeSet::new();
    let mut problems = Vec::new();
    let (mut failing, mut passing) = (0, 0);
    for o in &all {
        let rule = &table.rules[o.rule as usize];
        let text = one_line(&rule.rule);
        let Some(&(pass, fail)) = cases.get(&text) else {
            problems.push(format!(
                "no cases for `{text}` ({} {})",
                o.kind,
                place(&o.path)
            ));
            continue;
        };
        used.insert(text.clone());
        let at = place(&o.path);
        let here = |m: &String| m.contains(&at) && m.contains(&rule.message);
        let fail_value: Json = serde_json::from_str(fail).expect("failing case is JSON");
        let pass_value: Json = serde_json::from_str(pass).expect("passing case is JSON");

        // The interpreter alone: the failing value breaks the rule, the passing one keeps it.
        let compiled = cel::compile(rule).expect("compiles");
        let as_cel = |v: &Json| cel::to_value(v);
        match cel::evaluate(rule, &compiled, &as_cel(&fail_value)) {
            Verdict::Fail { .. } => {}
            other => problems.push(format!("`{text}` on {fail}: {other:?}, not a failure")),
        }
        match cel::evaluate(rule, &compiled, &as_cel(&pass_value)) {
            Verdict::Pass => {}
            other => problems.push(format!("`{text}` on {pass}: {other:?}, not a pass")),
        }

        // The whole validator, at the rule's place in a resource.
        let bad = resource(o, &fail_value);
        let found = invalid_values(&bad);
        if found.iter().any(here) {
            failing += 1;
        } else {
            problems.push(format!(
                "{} {} {at}: no invalid-value \"{}\" for the failing case; found {found:#?}\n{bad}",
                o.kind, o.version, rule.message
            ));
        }
        let good = resource(o, &pass_value);
        let found = invalid_values(&good);
        if found.iter().any(here) {
            problems.push(format!(
                "{} {} {at}: the passing case is reported: {found:#?}\n{good}",
                o.kind, o.version
            ));
        } else {
            passing += 1;
        }
    }
    for text in cases.keys() {
        if !used.contains(text) {
            problems.push(format!("CASES has `{text}`, which no CRD rule is"));
        }
    }
    eprintln!(
        "{} rule occurrences ({} distinct rules): {failing} failing cases reported, {passing} passing cases clean",
        all.len(),
        table.rules.len()
    );
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert_eq!(failing, all.len());
    assert_eq!(passing, all.len());
}
