//! Parses every YAML file under DIR with each candidate crate, single-threaded, best of 5,
//! and reports MB/s and whether the crate gives positions of keys and values.

use std::time::Instant;

fn files(dir: &std::path::Path, out: &mut Vec<String>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(std::fs::read_to_string(&p).unwrap());
        }
    }
}

fn best<F: FnMut() -> usize>(name: &str, bytes: usize, spans: &str, mut f: F) {
    let mut best = f64::MAX;
    let mut n = 0;
    for _ in 0..5 {
        let t = Instant::now();
        n = f();
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!("{name:<34} {:>8.1} ms {:>7.1} MB/s  {n:>9} items  spans: {spans}", best * 1e3, bytes as f64 / best / 1e6);
}

fn main() {
    let dir = std::env::args().nth(1).expect("usage: yaml-crates-bench DIR");
    let mut texts = Vec::new();
    files(std::path::Path::new(&dir), &mut texts);
    let bytes: usize = texts.iter().map(String::len).sum();
    println!("{} files, {:.1} MB", texts.len(), bytes as f64 / 1e6);
    best("granit-parser events", bytes, "keys+values, bytes", || {
        texts.iter().map(|t| granit_parser::Parser::new_from_str(t).count()).sum()
    });
    best("granit-parser events, no comments", bytes, "keys+values, bytes", || {
        texts
            .iter()
            .map(|t| {
                let mut o = granit_parser::Options::default();
                o.emit_comments = false;
                granit_parser::Parser::new_from_str_with_options(t, o).count()
            })
            .sum()
    });
    let docs: Vec<&str> = texts.iter().flat_map(|t| t.split("\n---\n")).collect();
    best("granit-parser, per document, no comments", bytes, "keys+values, bytes", || {
        docs.iter()
            .map(|t| {
                let mut o = granit_parser::Options::default();
                o.emit_comments = false;
                granit_parser::Parser::new_from_str_with_options(t, o).count()
            })
            .sum()
    });
    best("saphyr-parser, per document", bytes, "keys+values, chars", || {
        docs.iter().map(|t| saphyr_parser::Parser::new_from_str(t).count()).sum()
    });
    best("saphyr-parser events", bytes, "keys+values, chars", || {
        texts.iter().map(|t| saphyr_parser::Parser::new_from_str(t).count()).sum()
    });
    best("yaml_serde -> Value (all docs)", bytes, "none", || {
        texts
            .iter()
            .map(|t| {
                yaml_serde::Deserializer::from_str(t)
                    .map(|d| <yaml_serde::Value as serde::Deserialize>::deserialize(d).map_or(0, |_| 1))
                    .sum::<usize>()
            })
            .sum()
    });
    best("serde_yaml_ng -> Value (all docs)", bytes, "none", || {
        texts
            .iter()
            .map(|t| {
                serde_yaml_ng::Deserializer::from_str(t)
                    .map(|d| <serde_yaml_ng::Value as serde::Deserialize>::deserialize(d).map_or(0, |_| 1))
                    .sum::<usize>()
            })
            .sum()
    });
}
