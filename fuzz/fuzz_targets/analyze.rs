//! Bytes → the whole pipeline (load, model, mesh, every rule) → human and JSON reports.
//! The input is split at NUL-free markers into up to four files so cross-file rules run too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use meshlint::engine::{self, Options};

fuzz_target!(|data: &[u8]| {
    // `\n#~#\n` separates files; the fuzzer finds the marker through the dictionary or by chance.
    let mut files = Vec::new();
    let mut rest = data;
    while files.len() < 3 {
        match rest.windows(5).position(|w| w == b"\n#~#\n") {
            Some(i) => {
                files.push(rest[..i].to_vec());
                rest = &rest[i + 5..];
            }
            None => break,
        }
    }
    files.push(rest.to_vec());
    let sources = files.into_iter().enumerate().map(|(i, b)| (format!("f{i}.yaml"), b)).collect();
    let mut options = Options::default();
    options.load.budgets.max_expanded_nodes = 20_000;
    options.load.budgets.max_depth = 64;
    let Ok(analysis) = engine::analyze_sources(sources, &options) else {
        panic!("analyze_sources failed without a mesh config");
    };
    let _ = meshlint::report::human::render(&analysis, false);
    let json = meshlint::report::json::render(&analysis);
    assert!(json.starts_with('{'));
});
