//! Every input in `tests/data/fuzz-regressions/` goes through what the fuzz targets run (see
//! `fuzz/fuzz_targets/`): the loader with small budgets and a walk over every node, then the
//! whole analysis with both reports. None may panic; a few also pin the behaviour that was fixed.

use std::path::Path;

use meshlint::engine::{self, Options};
use meshlint::load::yaml::{Document, NodeId, Value};
use meshlint::load::{self, Budgets, LoadOptions};

fn inputs() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz-regressions");
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().is_some_and(|n| n != "README.md"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

fn walk(doc: &Document, id: NodeId, depth: usize) {
    if depth > 256 {
        return;
    }
    let _ = (doc.scalar(id), doc.str(id), doc.tag(id), doc.span(id));
    match doc.value(id) {
        Value::Map(_) => {
            for &(k, v) in doc.entries(id) {
                walk(doc, k, depth + 1);
                walk(doc, v, depth + 1);
            }
        }
        Value::Seq(_) => {
            for &item in doc.items(id) {
                walk(doc, item, depth + 1);
            }
        }
        _ => {}
    }
}

/// The `load` fuzz target's body.
fn load_target(name: &str, bytes: &[u8]) {
    let budgets = Budgets {
        max_file_bytes: 1 << 16,
        max_documents: 64,
        max_expanded_nodes: 4096,
        max_depth: 32,
        max_scalar_bytes: 4096,
        max_file_nodes: 1 << 16,
    };
    let loaded = load::load_sources(
        vec![(name.to_string(), bytes.to_vec())],
        &LoadOptions { budgets },
    );
    for doc in &loaded.documents {
        if let Some(root) = doc.root {
            walk(doc, root, 0);
        }
    }
    for d in &loaded.diagnostics {
        let _ = loaded.sources.line_col(d.loc);
    }
}

/// The `analyze` fuzz target's body, with the input as one file.
fn analyze_target(name: &str, bytes: &[u8]) -> engine::Analysis {
    let analysis = engine::analyze_sources(
        vec![(name.to_string(), bytes.to_vec())],
        &Options::default(),
    )
    .unwrap_or_else(|e| panic!("{name}: {e}"));
    let _ = meshlint::report::human::render(&analysis, false);
    let json = meshlint::report::json::render(&analysis);
    assert!(json.starts_with('{'));
    analysis
}

#[test]
fn every_regression_input_is_handled() {
    let inputs = inputs();
    assert!(inputs.len() >= 10, "regression inputs missing");
    for (name, bytes) in &inputs {
        load_target(name, bytes);
        analyze_target(name, bytes);
    }
}

fn rules_reported(name: &str) -> Vec<&'static str> {
    let (_, bytes) = inputs()
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("{name} missing"));
    analyze_target(name, &bytes)
        .diagnostics
        .iter()
        .map(|d| d.rule.name)
        .collect()
}

#[test]
fn directives_before_a_document_are_valid_yaml() {
    // `%YAML 1.2` before `---` was split off into a document of its own and reported.
    assert_eq!(rules_reported("yaml-directive.yaml"), ["duplicate-key"]);
    assert!(rules_reported("tag-directive.yaml").is_empty());
}

#[test]
fn encodings_and_broken_encodings() {
    assert!(rules_reported("utf32-bom.yaml").is_empty());
    assert_eq!(rules_reported("utf16-odd.yaml"), ["yaml-syntax"]);
    assert_eq!(rules_reported("utf16-surrogate.yaml"), ["yaml-syntax"]);
    assert_eq!(rules_reported("crlf.yaml"), ["duplicate-key"]);
}

#[test]
fn aliases_that_cannot_resolve_are_syntax_errors() {
    assert_eq!(
        rules_reported("alias-in-own-collection.yaml"),
        ["yaml-syntax"]
    );
    assert_eq!(rules_reported("merge-non-map.yaml"), ["yaml-syntax"]);
    assert!(rules_reported("anchor-redefined.yaml").is_empty());
}
