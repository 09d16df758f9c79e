//! Fixture-driven rule tests. Every registered rule has `testdata/rules/<name>/bad.yaml` (must
//! produce at least one finding of the rule) and `good.yaml` (must produce none). Each fixture
//! may be a file or a directory of files analyzed together. The findings of the rule on `bad` are
//! snapshotted as human text and as JSON, so a change in message or position shows up in review.

use std::path::{Path, PathBuf};

use meshlint::diag::Diagnostic;
use meshlint::engine::{self, Analysis, Options};
use meshlint::rules;

fn fixture(rule: &str, which: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/rules")
        .join(rule);
    [dir.join(format!("{which}.yaml")), dir.join(which)]
        .into_iter()
        .find(|p| p.exists())
}

fn options_for(path: &Path) -> Options {
    let mut options = Options::default();
    // Rules off by default are turned on, as `.meshlint.yaml` `rules: {name: <severity>}` does.
    for rule in rules::ALL.iter().filter(|r| !rules::on_by_default(r)) {
        options
            .severities
            .push((rule.name.to_string(), Some(rule.severity)));
    }
    // A fixture may pin the Istio version with a file named `istio-version` beside it.
    if let Ok(v) = std::fs::read_to_string(path.parent().unwrap().join("istio-version")) {
        let (a, b) = v.trim().split_once('.').unwrap();
        options.istio_version = (a.parse().unwrap(), b.parse().unwrap());
    }
    options
}

fn run(path: &Path) -> Analysis {
    let arg = path
        .strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap()
        .to_string_lossy()
        .into_owned();
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).unwrap();
    engine::analyze(&[arg], &mut || Ok(Vec::new()), &options_for(path)).expect("fixture loads")
}

fn only(analysis: Analysis, rule: &str) -> Analysis {
    let diagnostics: Vec<Diagnostic> = analysis
        .diagnostics
        .into_iter()
        .filter(|d| d.rule.name == rule)
        .collect();
    Analysis {
        diagnostics,
        ..analysis
    }
}

#[test]
fn every_rule_has_fixtures_that_pass_and_fail() {
    let mut missing = Vec::new();
    let mut failures = Vec::new();
    for rule in rules::ALL {
        let (Some(bad), Some(good)) = (fixture(rule.name, "bad"), fixture(rule.name, "good"))
        else {
            missing.push(rule.name);
            continue;
        };
        let found = only(run(&bad), rule.name);
        if found.diagnostics.is_empty() {
            failures.push(format!(
                "{}: bad fixture {} produced no finding",
                rule.name,
                bad.display()
            ));
            continue;
        }
        let human = meshlint::report::human::render(&found, false);
        let json = meshlint::report::json::render(&found);
        insta::with_settings!({snapshot_suffix => rule.name.to_string(), prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!("human", human);
            insta::assert_snapshot!("json", json);
        });

        let clean = only(run(&good), rule.name);
        if !clean.diagnostics.is_empty() {
            failures.push(format!(
                "{}: good fixture {} produced {:?}",
                rule.name,
                good.display(),
                clean
                    .diagnostics
                    .iter()
                    .map(|d| &d.message)
                    .collect::<Vec<_>>()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "fixture failures:\n{}",
        failures.join("\n")
    );
    assert!(
        missing.is_empty(),
        "rules without testdata/rules/<name>/{{bad,good}}.yaml: {missing:?}"
    );
}

#[test]
fn every_rule_has_a_doc_page_with_the_required_sections() {
    for rule in rules::ALL {
        for section in ["## What it does", "## Why", "## Example", "## Fix"] {
            assert!(
                rule.doc.contains(section),
                "rules/{}.md lacks a \"{section}\" section",
                rule.name
            );
        }
        assert!(
            rule.doc.starts_with(&format!("# {}", rule.name)),
            "rules/{}.md must start with its name",
            rule.name
        );
        // A failing example and a fixed one: a code block under "## Example" and under "## Fix".
        let fix = rule.doc.find("## Fix").unwrap();
        let example = rule.doc.find("## Example").unwrap();
        assert!(
            rule.doc[example..fix].contains("```"),
            "rules/{}.md has no failing example (a code block under \"## Example\")",
            rule.name
        );
        assert!(
            rule.doc[fix..].contains("```"),
            "rules/{}.md has no fixed example (a code block under \"## Fix\")",
            rule.name
        );
    }
}

#[test]
fn rules_off_by_default_report_only_once_turned_on() {
    for rule in rules::ALL.iter().filter(|r| !rules::on_by_default(r)) {
        let bad = fixture(rule.name, "bad").expect("fixture");
        let arg = bad
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap()
            .to_string_lossy()
            .into_owned();
        std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).unwrap();
        let found = engine::analyze(&[arg], &mut || Ok(Vec::new()), &Options::default())
            .expect("fixture loads");
        assert!(
            found.diagnostics.iter().all(|d| d.rule.name != rule.name),
            "{} is off by default but reported without configuration",
            rule.name
        );
    }
}

/// The Kiali checks the files can decide (issue 16, item 2): each is carried by a rule, and so is
/// exercised by that rule's `bad` fixture (`every_rule_has_fixtures_that_pass_and_fail`).
const KIALI_CODES: &[&str] = &[
    "KIA0002", "KIA0003", "KIA0005", "KIA0201", "KIA0202", "KIA0209", "KIA0301", "KIA0701",
    "KIA1004", "KIA1006", "KIA1007", "KIA1104", "KIA1105", "KIA1108", "KIA1211", "KIA1212",
    "KIA1301", "KIA1401", "KIA1402", "KIA1501", "KIA1502", "KIA1503", "KIA1601", "KIA1701",
    "KIA1702",
];

#[test]
fn every_config_computable_kiali_code_has_a_rule() {
    let missing: Vec<&str> = KIALI_CODES
        .iter()
        .copied()
        .filter(|code| rules::ALL.iter().all(|r| !r.codes.contains(code)))
        .collect();
    assert!(
        missing.is_empty(),
        "Kiali codes without a rule: {missing:?}"
    );
}
