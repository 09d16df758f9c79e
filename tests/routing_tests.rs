//! `meshlint test`: istio-config-validator's examples pass unchanged (../shared, skipped with a
//! notice when absent) and fail once an expectation is altered; meshlint's own format on the
//! bundled shop; malformed test files are reported with their location; JUnit output.

use std::path::{Path, PathBuf};
use std::process::Command;

use meshlint::engine::{self, Analysis, Options};
use meshlint::load::LoadOptions;
use meshlint::simulate::routing_tests::{self, Suite};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn examples() -> Option<PathBuf> {
    let p = root().join("../shared/conformance/istio-config-validator/examples");
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipping: {} is absent", p.display());
        None
    }
}

fn load(path: &Path) -> Analysis {
    engine::analyze(
        &[path.display().to_string()],
        &mut || Ok(Vec::new()),
        &Options::default(),
    )
    .unwrap()
}

fn run(config: &Path, tests: &Path) -> Suite {
    let a = load(config);
    routing_tests::run(
        &a.model,
        &a.mesh,
        &[tests.display().to_string()],
        &LoadOptions::default(),
    )
    .unwrap()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
    }
}

#[test]
fn every_istio_config_validator_example_passes() {
    let Some(dir) = examples() else { return };
    let suite = run(&dir, &dir);
    assert!(suite.problems.is_empty(), "{:?}", suite.problems);
    assert_eq!(suite.cases.len(), 9, "{}", suite.to_human(false));
    for c in &suite.cases {
        assert!(c.passed(), "{}: {:?}\n{}", c.name, c.failures, c.trace);
        assert_eq!(c.format, "testCases");
    }
    assert!(suite.passed());
    let requests: usize = suite.cases.iter().map(|c| c.requests).sum();
    assert_eq!(
        requests, 38,
        "every authority × method × uri is one request"
    );
}

#[test]
fn an_altered_expectation_fails() {
    let Some(dir) = examples() else { return };
    // Each alteration must turn exactly the case it touches into a failure.
    for (file, from, to, case) in [
        (
            "virtualservice_test.yml",
            "host: users.users.svc.cluster.local",
            "host: users2.users.svc.cluster.local",
            "happy path users",
        ),
        (
            "virtualservice_test.yml",
            "uri: \"/partner\"",
            "uri: \"/partners\"",
            "Reseller is rewritten as partner",
        ),
        (
            "virtualservice_test.yml",
            "httpStatus: 403",
            "httpStatus: 404",
            "Return 403 for bot traffic",
        ),
        (
            "virtualservice_test.yml",
            "authority: \"www.example.com\"\n",
            "authority: \"example.com\"\n",
            "Redirect /home to /",
        ),
        (
            "virtualservice_delegate_test.yml",
            "name: seller-delegate",
            "name: sellers-delegate",
            "Delegate to seller",
        ),
        (
            "virtualservice_delegate_test.yml",
            "x-custom-header: ok\n    delegate:",
            "x-custom-header: changed\n    delegate:",
            "Delegate to product",
        ),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        copy_dir(&dir, tmp.path());
        let path = tmp.path().join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file} has {from:?}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
        let suite = run(tmp.path(), tmp.path());
        let failed: Vec<&str> = suite
            .cases
            .iter()
            .filter(|c| !c.passed())
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(failed, vec![case], "altering {from:?} in {file}");
        assert!(!suite.passed());
    }
    // wantMatch flipped: the same expectation must now differ.
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&dir, tmp.path());
    let path = tmp.path().join("virtualservice_test.yml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replacen("wantMatch: true", "wantMatch: false", 1),
    )
    .unwrap();
    let suite = run(tmp.path(), tmp.path());
    let failed: Vec<&str> = suite
        .cases
        .iter()
        .filter(|c| !c.passed())
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(failed, vec!["happy path users"]);
}

#[test]
fn own_format_on_the_bundled_shop() {
    let suite = run(
        &root().join("testdata/simulate"),
        &root().join("testdata/simulate/routing-tests.yaml"),
    );
    assert!(suite.problems.is_empty(), "{:?}", suite.problems);
    assert_eq!(suite.cases.len(), 10);
    assert!(suite.passed(), "{}", suite.to_human(false));
    // Altered expectations fail, with the trace of the request.
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("testdata/simulate/routing-tests.yaml"))
        .unwrap()
        .replacen(
            "subset: v2\n    port: 8080",
            "subset: v1\n    port: 8080",
            1,
        )
        .replacen("status: 403", "status: 200", 1);
    let path = tmp.path().join("t.yaml");
    std::fs::write(&path, text).unwrap();
    let suite = run(&root().join("testdata/simulate"), &path);
    let failed: Vec<&routing_tests::CaseResult> =
        suite.cases.iter().filter(|c| !c.passed()).collect();
    assert_eq!(failed.len(), 2, "{}", suite.to_human(false));
    assert!(failed[0].failures[0].contains("subset is v2, expected v1"));
    assert!(
        failed[0].trace.contains("source"),
        "the trace of the failing request"
    );
    assert!(failed[1].failures[0].contains("status is 403, expected 200"));
}

#[test]
fn malformed_test_files_are_reported_with_their_location() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("bad.yaml");
    std::fs::write(
        &path,
        "tests:\n- name: typo\n  from: web.shop\n  to: http://cart:8080/\n  expct:\n    status: 200\n---\ntestCases:\n  - description: x\n    wantMatch: maybe\n    request: [1]\n---\nfoo: bar\n---\ntests: [ {name: broken\n",
    )
    .unwrap();
    let suite = run(&root().join("testdata/simulate"), &path);
    assert!(!suite.passed());
    let at: Vec<(usize, usize, &str)> = suite
        .problems
        .iter()
        .map(|p| (p.line, p.column, p.message.as_str()))
        .collect();
    let has =
        |line: usize, needle: &str| at.iter().any(|(l, _, m)| *l == line && m.contains(needle));
    assert!(has(5, "did you mean expect"), "{at:?}");
    assert!(has(10, "wantMatch must be true or false"), "{at:?}");
    assert!(has(11, "request must be a mapping"), "{at:?}");
    assert!(has(13, "not a test document"), "{at:?}");
    assert!(has(15, "yaml-syntax"), "{at:?}");
}

#[test]
fn junit_and_json_output() {
    let suite = run(
        &root().join("testdata/simulate"),
        &root().join("testdata/simulate/routing-tests.yaml"),
    );
    let xml = suite.to_junit();
    assert!(xml.starts_with("<?xml"));
    assert!(xml.contains("tests=\"10\" failures=\"0\""), "{xml}");
    assert_eq!(xml.matches("<testcase ").count(), 10);
    assert!(xml.contains("name=\"--subset follows the 20 % canary\""));
    let v: serde_json::Value = serde_json::from_str(&suite.to_json()).unwrap();
    assert_eq!(v["summary"]["passed"], 10);
    assert_eq!(v["summary"]["failed"], 0);
}

#[test]
fn cli_exit_codes() {
    let bin = env!("CARGO_BIN_EXE_meshlint");
    let out = Command::new(bin)
        .args([
            "test",
            "testdata/simulate",
            "--tests",
            "testdata/simulate/routing-tests.yaml",
        ])
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("10 passed, 0 failed"), "{text}");
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("t.yaml");
    std::fs::write(
        &path,
        "tests:\n- name: wrong\n  from: web.shop\n  to: http://cart:8080/\n  expect:\n    subset: v9\n",
    )
    .unwrap();
    let out = Command::new(bin)
        .args(["test", "testdata/simulate", "--tests"])
        .arg(&path)
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let out = Command::new(bin)
        .args(["test", "testdata/simulate", "--tests", "no/such/file.yaml"])
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
