//! The same inputs give byte-identical reports, JSON and human (no colour), however they are
//! presented. The input set is every proptest seed, the example mesh, and every rule's `bad`
//! fixture file (so most rules report something, across files), plus files with YAML errors.
//! What varies between runs, all compared with one reference run:
//! - the order the files were created in (two directories, one filled in reverse order; the
//!   walk sorts names, so creation order must not leak through);
//! - how the files are named on the command line: the directory, or every file in three
//!   different orders (inputs are sorted by path before analysis);
//! - the number of worker threads: `RAYON_NUM_THREADS` 1, 2 and 8;
//! - the process itself (hash maps are seeded per process): each configuration runs twice.
//!
//! Every run uses paths relative to the directory it runs in, so the two directories print the
//! same file names.

use std::path::{Path, PathBuf};
use std::process::Command;

fn inputs() -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    let mut add_dir = |dir: PathBuf, prefix: &str| {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return;
        };
        for e in entries {
            let p = e.unwrap().path();
            if p.is_file() && p.extension().is_some_and(|x| x == "yaml") {
                let name = format!("{prefix}{}", p.file_name().unwrap().to_string_lossy());
                out.push((name, std::fs::read(&p).unwrap()));
            }
        }
    };
    add_dir(root.join("tests/data/proptest-seeds"), "seed-");
    add_dir(root.join("testdata/example"), "example-");
    for rule in std::fs::read_dir(root.join("testdata/rules")).unwrap() {
        let rule = rule.unwrap().path();
        let name = rule.file_name().unwrap().to_string_lossy().into_owned();
        let bad = rule.join("bad.yaml");
        if bad.is_file() {
            out.push((format!("rule-{name}.yaml"), std::fs::read(&bad).unwrap()));
        }
    }
    out.push((
        "broken-indent.yaml".into(),
        b"apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n name: y\n".to_vec(),
    ));
    out.push((
        "duplicate.yaml".into(),
        b"apiVersion: v1\nkind: Service\nmetadata:\n  name: d\n  name: e\n".to_vec(),
    ));
    out.push(("Upper.yaml".into(), b"a: [1\n".to_vec()));
    out.sort();
    assert!(out.len() > 20, "too few inputs: {}", out.len());
    out
}

fn fill(dir: &Path, files: &[(String, Vec<u8>)]) {
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}

fn run(dir: &Path, args: &[String], threads: &str) -> (Vec<u8>, Option<i32>) {
    let out = Command::new(env!("CARGO_BIN_EXE_meshlint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("RAYON_NUM_THREADS", threads)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    (out.stdout, out.status.code())
}

fn check(format: &str) {
    let files = inputs();
    let forward = tempfile::tempdir().unwrap();
    fill(forward.path(), &files);
    let backward = tempfile::tempdir().unwrap();
    let reversed: Vec<_> = files.iter().rev().cloned().collect();
    fill(backward.path(), &reversed);

    let analyze = |paths: Vec<String>| -> Vec<String> {
        let mut args = vec!["analyze".to_string(), "-o".into(), format.into()];
        args.extend(paths);
        args
    };
    let names: Vec<String> = files.iter().map(|(n, _)| n.clone()).collect();
    // Three orders of the file list: as sorted, reversed, and interleaved from both ends.
    let mut interleaved = Vec::new();
    let (mut lo, mut hi) = (0, names.len());
    while lo < hi {
        hi -= 1;
        interleaved.push(names[hi].clone());
        if lo < hi {
            interleaved.push(names[lo].clone());
        }
        lo += 1;
    }
    let orders = [
        names.clone(),
        names.iter().rev().cloned().collect(),
        interleaved,
    ];

    let (reference, code) = run(forward.path(), &analyze(vec![".".into()]), "1");
    assert_eq!(code, Some(1), "the inputs have errors");
    let text = String::from_utf8_lossy(&reference).into_owned();
    assert!(
        text.contains("duplicate-key") && text.contains("yaml-syntax"),
        "{text}"
    );

    let mut compared = 0;
    for threads in ["1", "2", "8"] {
        for _ in 0..2 {
            for dir in [forward.path(), backward.path()] {
                let (out, _) = run(dir, &analyze(vec![".".into()]), threads);
                assert!(
                    out == reference,
                    "{format}: directory run differs with {threads} threads:\n{}",
                    diff(&reference, &out)
                );
                compared += 1;
            }
            for order in &orders {
                let (out, _) = run(forward.path(), &analyze(order.clone()), threads);
                assert!(
                    out == reference,
                    "{format}: file-list run differs with {threads} threads:\n{}",
                    diff(&reference, &out)
                );
                compared += 1;
            }
        }
    }
    assert_eq!(compared, 30);
}

/// The first differing line of two outputs, for the failure message.
fn diff(a: &[u8], b: &[u8]) -> String {
    let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
    for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            return format!("line {}:\n- {x}\n+ {y}", i + 1);
        }
    }
    format!("lengths {} vs {}", a.len(), b.len())
}

#[test]
fn json_is_byte_identical_whatever_the_order_and_threads() {
    check("json");
}

#[test]
fn human_is_byte_identical_whatever_the_order_and_threads() {
    check("human");
}
