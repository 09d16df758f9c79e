//! Every rule's `good` fixture is clean under every rule, not only its own: a fixture that shows
//! the fixed form of one mistake must not hold another. A finding a fixture needs (a good
//! fixture of one rule may have to show what another rule reports) is declared in it with a
//! comment line `# expect: <rule-name>`, once per finding; nothing else is allowed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use meshlint::engine::{self, Options};

fn good_fixtures() -> Vec<(String, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/rules");
    let mut out = Vec::new();
    for rule in meshlint::rules::ALL {
        let dir = root.join(rule.name);
        for p in [dir.join("good.yaml"), dir.join("good")] {
            if p.exists() {
                out.push((rule.name.to_string(), p));
            }
        }
    }
    out
}

fn yaml_files(p: &Path) -> Vec<PathBuf> {
    if p.is_file() {
        return vec![p.to_path_buf()];
    }
    let mut out: Vec<PathBuf> = std::fs::read_dir(p)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    out.sort();
    out.into_iter().flat_map(|p| yaml_files(&p)).collect()
}

/// The findings a fixture declares: `# expect: rule-name` lines, counted.
fn declared(p: &Path) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for f in yaml_files(p) {
        for line in std::fs::read_to_string(&f).unwrap_or_default().lines() {
            if let Some(rule) = line.trim().strip_prefix("# expect:") {
                *out.entry(rule.trim().to_string()).or_default() += 1;
            }
        }
    }
    out
}

#[test]
fn every_good_fixture_is_clean_under_every_rule() {
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).unwrap();
    let mut failures = Vec::new();
    let fixtures = good_fixtures();
    for (rule, path) in &fixtures {
        let arg = path
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let mut options = Options::default();
        if let Ok(v) = std::fs::read_to_string(path.parent().unwrap().join("istio-version"))
            && let Some((a, b)) = v.trim().split_once('.')
        {
            options.istio_version = (a.parse().unwrap(), b.parse().unwrap());
        }
        let a = engine::analyze(&[arg], &mut || Ok(Vec::new()), &options).unwrap();
        let mut found: BTreeMap<String, usize> = BTreeMap::new();
        for d in &a.diagnostics {
            *found.entry(d.rule.name.to_string()).or_default() += 1;
        }
        let expected = declared(path);
        if found != expected {
            let detail: Vec<String> = a
                .diagnostics
                .iter()
                .map(|d| format!("{}: {}", d.rule.name, d.message))
                .collect();
            failures.push(format!(
                "{rule}/good: found {found:?}, declared {expected:?}\n    {}",
                detail.join("\n    ")
            ));
        }
    }
    assert!(fixtures.len() > 20);
    assert!(
        failures.is_empty(),
        "{} of {} good fixtures are not clean:\n{}",
        failures.len(),
        fixtures.len(),
        failures.join("\n")
    );
}
