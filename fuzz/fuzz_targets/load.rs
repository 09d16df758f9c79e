//! Bytes → loader (decoding, document splitting, YAML parsing, budgets). Every node the loader
//! builds is then walked through the public `Document` API, as the model phase would.
#![no_main]

use libfuzzer_sys::fuzz_target;
use meshlint::load::{self, Budgets, LoadOptions};
use meshlint::load::yaml::{Document, NodeId, Value};

fn walk(doc: &Document, id: NodeId, depth: usize) {
    if depth > 256 {
        return;
    }
    let _ = doc.scalar(id);
    let _ = doc.str(id);
    let _ = doc.tag(id);
    let _ = doc.span(id);
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

fuzz_target!(|data: &[u8]| {
    // Small budgets so the fuzzer reaches every budget's edge with small inputs.
    let budgets = Budgets {
        max_file_bytes: 1 << 16,
        max_documents: 64,
        max_expanded_nodes: 4096,
        max_depth: 32,
        max_scalar_bytes: 4096,
        max_file_nodes: 1 << 16,
    };
    let options = LoadOptions { budgets };
    let loaded = load::load_sources(vec![("fuzz.yaml".to_string(), data.to_vec())], &options);
    for doc in &loaded.documents {
        if let Some(root) = doc.root {
            walk(doc, root, 0);
        }
    }
    for d in &loaded.diagnostics {
        let _ = loaded.sources.line_col(d.loc);
    }
});
