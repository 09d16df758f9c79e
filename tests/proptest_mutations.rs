//! Property: valid manifests (`tests/data/proptest-seeds/`, copied from the shared scenarios and
//! the Istio samples), mutated at random — lines deleted, duplicated, swapped or re-indented,
//! scalars replaced by values of other types, random bytes inserted, the file truncated — never
//! make the analysis panic or fail: `analyze_sources` returns Ok, both reports render, the good
//! file beside the mutant is still analyzed, and every location lies inside its file on a
//! character boundary. A few mutants also go through the real binary, which must exit 0 or 1.

use std::path::Path;

use meshlint::engine::{self, Options};
use proptest::prelude::*;
use proptest::sample::Index;

const GOOD: &str = "apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector:
    app: web
  ports:
  - name: http
    port: 80
";

/// Values of many types for a scalar to become.
const VALUES: &[&str] = &[
    "[a, 1]",
    "{x: 1}",
    "0",
    "-1",
    "65536",
    "3.5",
    "1e309",
    "0x1F",
    "null",
    "~",
    "true",
    "\"\"",
    "'quoted'",
    "!!binary aGk=",
    "!!str 1",
    "&a x",
    "*a",
    "*undefined",
    "<<: *a",
    "99999999999999999999999999999999999999",
    "|\n  block",
    "\"\\u00e9\\t\"",
    "- item",
    "? complex",
    "%",
    "@",
    "`",
];

#[derive(Debug, Clone)]
enum Mutation {
    DeleteLine(Index),
    DuplicateLine(Index),
    SwapLines(Index, Index),
    Reindent(Index, i8),
    ReplaceScalar(Index, Index),
    ReplaceScalarWith(Index, String),
    InsertBytes(Index, Vec<u8>),
    Truncate(Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<Index>().prop_map(Mutation::DeleteLine),
        any::<Index>().prop_map(Mutation::DuplicateLine),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        (any::<Index>(), -4i8..=4).prop_map(|(i, d)| Mutation::Reindent(i, d)),
        (any::<Index>(), any::<Index>()).prop_map(|(i, v)| Mutation::ReplaceScalar(i, v)),
        (any::<Index>(), "\\PC{0,12}").prop_map(|(i, s)| Mutation::ReplaceScalarWith(i, s)),
        (any::<Index>(), proptest::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(i, b)| Mutation::InsertBytes(i, b)),
        any::<Index>().prop_map(Mutation::Truncate),
    ]
}

fn seeds() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/proptest-seeds");
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    assert!(out.len() >= 10, "seeds missing from {}", dir.display());
    out
}

fn split_lines(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect()
}

fn apply(bytes: &[u8], mutation: &Mutation) -> Vec<u8> {
    let mut lines = split_lines(bytes);
    let n = lines.len();
    match mutation {
        Mutation::DeleteLine(i) => {
            lines.remove(i.index(n));
        }
        Mutation::DuplicateLine(i) => {
            let i = i.index(n);
            lines.insert(i, lines[i].clone());
        }
        Mutation::SwapLines(a, b) => lines.swap(a.index(n), b.index(n)),
        Mutation::Reindent(i, delta) => {
            let line = &mut lines[i.index(n)];
            if *delta > 0 {
                line.splice(0..0, std::iter::repeat_n(b' ', *delta as usize));
            } else {
                let spaces = line.iter().take_while(|&&b| b == b' ').count();
                line.drain(..spaces.min(delta.unsigned_abs() as usize));
            }
        }
        Mutation::ReplaceScalar(i, v) => replace_value(
            &mut lines[i.index(n)],
            VALUES[v.index(VALUES.len())].as_bytes(),
        ),
        Mutation::ReplaceScalarWith(i, s) => replace_value(&mut lines[i.index(n)], s.as_bytes()),
        Mutation::InsertBytes(at, inserted) => {
            let mut out = bytes.to_vec();
            let at = at.index(out.len() + 1);
            out.splice(at..at, inserted.iter().copied());
            return out;
        }
        Mutation::Truncate(at) => return bytes[..at.index(bytes.len() + 1)].to_vec(),
    }
    lines.join(&b'\n')
}

/// Replaces what follows `key: ` (or a `- ` item) on a line.
fn replace_value(line: &mut Vec<u8>, value: &[u8]) {
    let at = line
        .windows(2)
        .position(|w| w == b": ")
        .map(|p| p + 2)
        .or_else(|| {
            let indent = line.iter().take_while(|&&b| b == b' ').count();
            line[indent..].starts_with(b"- ").then_some(indent + 2)
        });
    if let Some(at) = at {
        line.truncate(at);
        line.extend_from_slice(value);
    }
}

fn mutant() -> impl Strategy<Value = (String, Vec<u8>, Vec<Mutation>)> {
    let seeds = seeds();
    (0..seeds.len(), proptest::collection::vec(mutation(), 1..6)).prop_map(move |(s, mutations)| {
        let (name, bytes) = &seeds[s];
        let mutated = mutations.iter().fold(bytes.clone(), |b, m| apply(&b, m));
        (name.clone(), mutated, mutations)
    })
}

fn check_library(name: &str, bytes: Vec<u8>) -> Result<(), TestCaseError> {
    let sources = vec![
        (name.to_string(), bytes),
        ("good.yaml".to_string(), GOOD.as_bytes().to_vec()),
    ];
    let analysis = engine::analyze_sources(sources, &Options::default())
        .map_err(|e| TestCaseError::fail(format!("analysis failed: {e}")))?;
    let _ = meshlint::report::human::render(&analysis, false);
    let json: serde_json::Value = serde_json::from_str(&meshlint::report::json::render(&analysis))
        .map_err(|e| TestCaseError::fail(format!("JSON report does not parse: {e}")))?;
    prop_assert!(
        json["summary"]["resources"].as_u64().unwrap_or(0) >= 1,
        "the good file was not analyzed"
    );
    prop_assert_eq!(json["summary"]["files"].as_u64(), Some(2));
    let sources = &analysis.model.sources;
    for d in &analysis.diagnostics {
        let locs = std::iter::once(d.loc).chain(d.related.iter().map(|r| r.loc));
        for loc in locs {
            let text = &sources.get(loc.file).text;
            let (start, end) = (loc.span.start as usize, loc.span.end as usize);
            prop_assert!(
                start <= end && end <= text.len(),
                "{}: span {start}..{end} outside the file",
                d.rule.name
            );
            prop_assert!(
                text.is_char_boundary(start) && text.is_char_boundary(end),
                "{}: span {start}..{end} splits a character",
                d.rule.name
            );
        }
    }
    Ok(())
}

proptest! {
    // The default 256 cases: about 10 s in a debug build.
    #[test]
    fn mutated_manifests_never_break_the_analysis((name, bytes, _mutations) in mutant()) {
        check_library(&name, bytes)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]
    #[test]
    fn mutated_manifests_through_the_binary((name, bytes, _mutations) in mutant()) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(&name), &bytes).unwrap();
        std::fs::write(dir.path().join("good.yaml"), GOOD).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_meshlint"))
            .args(["analyze", ".", "-o", "json"])
            .current_dir(dir.path())
            .output()
            .unwrap();
        prop_assert!(matches!(out.status.code(), Some(0 | 1)), "exit {:?}: {}", out.status, String::from_utf8_lossy(&out.stderr));
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        prop_assert!(json["summary"]["resources"].as_u64().unwrap_or(0) >= 1);
    }
}

/// Extreme integers: what an overflow of input-derived arithmetic would trip on.
const EXTREMES: &[&str] = &[
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551615",
    "2147483647",
    "2147483648",
    "-2147483649",
    "4294967296",
    "99999999999999999999999999999999999999999",
    "-1",
    "0",
];

/// Every integer of a seed replaced by an extreme value (`pick` chooses which, per integer).
fn extreme_integers(bytes: &[u8], pick: &[usize]) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::with_capacity(text.len());
    let mut n = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let value_at = body.find(": ").map(|i| i + 2).or_else(|| {
            let t = body.trim_start();
            t.starts_with("- ").then(|| body.len() - t.len() + 2)
        });
        match value_at {
            Some(at)
                if !body[at..].is_empty() && body[at..].bytes().all(|b| b.is_ascii_digit()) =>
            {
                let value = EXTREMES
                    [pick.get(n % pick.len().max(1)).copied().unwrap_or(0) % EXTREMES.len()];
                n += 1;
                out.push_str(&body[..at]);
                out.push_str(value);
                out.push_str(&line[body.len()..]);
            }
            _ => out.push_str(line),
        }
    }
    out.into_bytes()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    // Overflow-focused: debug builds (cargo test) check every arithmetic operation.
    #[test]
    fn extreme_integers_never_overflow(
        seed in 0..seeds().len(),
        pick in proptest::collection::vec(0..EXTREMES.len(), 1..8),
    ) {
        let (name, bytes) = &seeds()[seed];
        check_library(name, extreme_integers(bytes, &pick))?;
    }
}

#[test]
fn extreme_integer_mutation_replaces_every_integer() {
    let out = extreme_integers(b"a: 1\nb: x\nports:\n- 80\n", &[0, 2]);
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "a: 9223372036854775807\nb: x\nports:\n- 18446744073709551615\n"
    );
}

#[test]
fn scalar_replacement_keeps_the_key() {
    let mut line = b"  key: value".to_vec();
    replace_value(&mut line, b"[1]");
    assert_eq!(line, b"  key: [1]");
    let mut item = b"  - value".to_vec();
    replace_value(&mut item, b"{}");
    assert_eq!(item, b"  - {}");
    let mut bare = b"key:".to_vec();
    replace_value(&mut bare, b"x");
    assert_eq!(bare, b"key:");
}
