//! The same object defined twice is one object for every rule and for `graph`: analyzing each
//! rule's bad fixture with every document written twice gives the findings of the fixture
//! analyzed once (plus `duplicate-resource` for the copies; schema findings are about each
//! document as written and are said of both), and the same graph.

use std::collections::BTreeMap;
use std::path::Path;

use meshlint::engine::{self, Options};

fn findings(a: &engine::Analysis) -> BTreeMap<(String, String), usize> {
    let mut out = BTreeMap::new();
    for d in &a.diagnostics {
        // Findings of the passes over the mesh; what the loader and the schema say is about each
        // document as written, and rightly said of both copies.
        const PER_DOCUMENT: &[&str] = &[
            "yaml-syntax",
            "duplicate-key",
            "input-too-large",
            "unknown-field",
            "invalid-value",
            "missing-field",
            "removed-api",
            "deprecated-field",
            "duplicate-resource",
        ];
        if !PER_DOCUMENT.contains(&d.rule.name) {
            *out.entry((d.rule.name.to_string(), d.message.clone()))
                .or_default() += 1;
        }
    }
    out
}

#[test]
fn every_rule_and_graph_see_an_object_defined_twice_once() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/rules");
    let mut checked = 0;
    let mut rules: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(Result::ok)
        .collect();
    rules.sort_by_key(|e| e.file_name());
    for entry in rules {
        let bad = entry.path().join("bad.yaml");
        let Ok(text) = std::fs::read_to_string(&bad) else {
            continue;
        };
        let once = engine::analyze_sources(
            vec![("f.yaml".into(), text.clone().into_bytes())],
            &Options::default(),
        )
        .unwrap();
        if once.model.stats.resources == 0
            || once.diagnostics.iter().any(|d| {
                matches!(
                    d.rule.name,
                    "yaml-syntax" | "duplicate-resource" | "input-too-large"
                )
            })
        {
            continue;
        }
        // The whole stream again, as a second file applied after the first.
        let twice = engine::analyze_sources(
            vec![
                ("f.yaml".into(), text.clone().into_bytes()),
                ("g.yaml".into(), text.clone().into_bytes()),
            ],
            &Options::default(),
        )
        .unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        let duplicates = twice
            .diagnostics
            .iter()
            .filter(|d| d.rule.name == "duplicate-resource")
            .count();
        let named = twice.model.documents.len();
        assert!(
            duplicates > 0 || named == 0,
            "{name}: no duplicate-resource"
        );
        assert_eq!(findings(&once), findings(&twice), "{name}: findings differ");
        let graph = |a: &engine::Analysis| {
            meshlint::mesh::graph::TrafficGraph::build(&a.model, &a.mesh).to_json()
        };
        assert_eq!(graph(&once), graph(&twice), "{name}: graphs differ");
        checked += 1;
    }
    assert!(checked > 20, "only {checked} fixtures checked");
}
