//! Fragments are said once: an unrendered Helm template gets one `unrendered-template` info per
//! file (no `yaml-syntax` per document); kustomize files and strategic-merge patches are skipped
//! and counted, never `unknown-field`.

use meshlint::engine::{self, Options};

fn analyze(path: &str) -> engine::Analysis {
    let root = env!("CARGO_MANIFEST_DIR");
    let bytes = std::fs::read(format!("{root}/{path}")).unwrap();
    engine::analyze_sources(vec![(path.into(), bytes)], &Options::default()).unwrap()
}

#[test]
fn a_helm_template_is_said_once_and_its_documents_counted() {
    let a = analyze("testdata/rules/unrendered-template/bad.yaml");
    let rules: Vec<&str> = a.diagnostics.iter().map(|d| d.rule.name).collect();
    assert_eq!(rules, ["unrendered-template"], "{:?}", a.diagnostics);
    assert_eq!(a.model.stats.skipped_documents, 2);
}

#[test]
fn kustomize_files_and_patches_are_skipped_and_counted() {
    let a = analyze("tests/data/kustomize/overlay.yaml");
    assert!(a.diagnostics.is_empty(), "{:?}", a.diagnostics);
    assert_eq!(a.model.stats.skipped_documents, 3);
    assert_eq!(a.model.virtual_services.len(), 0);
}
