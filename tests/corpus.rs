//! Real upstream YAML must load without a schema false alarm: every file of the official Istio
//! samples (`../shared/corpus/istio-samples/`) is analyzed and no `yaml-syntax`, `unknown-field`,
//! `invalid-value` or `missing-field` finding may come out of it.

use std::path::Path;

use meshlint::engine::{self, Options};

const CORPUS: &str = "../shared/corpus/istio-samples";
const SCHEMA_RULES: &[&str] = &[
    "yaml-syntax",
    "unknown-field",
    "invalid-value",
    "missing-field",
];

#[test]
fn istio_samples_have_no_schema_findings() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(CORPUS);
    if !dir.exists() {
        eprintln!("notice: {CORPUS} is absent; the corpus check is skipped");
        return;
    }
    let analysis = engine::analyze(
        &[dir.to_string_lossy().into_owned()],
        &mut || Ok(Vec::new()),
        &Options::default(),
    )
    .expect("the corpus loads");
    assert!(
        analysis.model.stats.files > 100,
        "expected the whole corpus, got {} files",
        analysis.model.stats.files
    );
    assert!(
        analysis.model.stats.resources > 300,
        "expected every resource, got {}",
        analysis.model.stats.resources
    );
    let sources = &analysis.model.sources;
    let offending: Vec<String> = analysis
        .diagnostics
        .iter()
        .filter(|d| SCHEMA_RULES.contains(&d.rule.name))
        .map(|d| {
            let (line, column) = sources.line_col(d.loc);
            format!(
                "{}:{line}:{column}: {}: {}",
                sources.get(d.loc.file).path,
                d.rule.name,
                d.message
            )
        })
        .collect();
    assert!(
        offending.is_empty(),
        "schema findings on valid upstream YAML:\n{}",
        offending.join("\n")
    );
}
