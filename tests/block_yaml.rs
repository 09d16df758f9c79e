//! The YAML fast path (`load::block_yaml`) against granit-parser: on every document it accepts,
//! its events and spans must be granit-parser's exactly. Checked on every YAML file of the
//! repository's testdata and of `../shared` (upstream istioctl cases, real-world corpus,
//! scenarios), on the benchmark's generated mesh (which it must accept whole: that is what the
//! fast path is for), and on mutations of all of them (which it must either decline or get right).

use std::path::{Path, PathBuf};

use meshlint::load::block_yaml::{Verdict, check_against_granit};
use meshlint::load::yaml::split;
use proptest::prelude::*;

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

/// The documents of every YAML file under `dirs`, as the loader cuts them.
fn documents(dirs: &[&Path]) -> Vec<(String, String)> {
    let mut files = Vec::new();
    for dir in dirs {
        yaml_files(dir, &mut files);
    }
    let mut docs = Vec::new();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        for (i, chunk) in split(&text).iter().enumerate() {
            docs.push((
                format!("{} document {i}", file.display()),
                text[chunk.start..chunk.end].to_string(),
            ));
        }
    }
    docs
}

#[derive(Default, Debug)]
struct Tally {
    agrees: usize,
    declined: usize,
    differs: Vec<String>,
}

fn tally<'a>(docs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Tally {
    let mut t = Tally::default();
    for (name, text) in docs {
        match check_against_granit(text) {
            Verdict::Agrees => t.agrees += 1,
            Verdict::Declined => t.declined += 1,
            Verdict::Differs(why) => t.differs.push(format!("{name}: {why}")),
        }
    }
    t
}

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared")
}

#[test]
fn agrees_with_granit_on_every_document_of_the_corpora() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    if !shared().is_dir() {
        eprintln!("notice: ../shared is absent; checking the repository's own documents only");
    }
    let docs = documents(&[&root.join("testdata"), &root.join("tests"), &shared()]);
    let t = tally(docs.iter().map(|(n, d)| (n.as_str(), d.as_str())));
    eprintln!(
        "fast path: {} documents taken, {} left to granit-parser",
        t.agrees, t.declined
    );
    assert!(t.differs.is_empty(), "{:#?}", t.differs);
    // The corpora are mostly plain manifests: the fast path must be taking most of them, or it
    // has stopped paying for itself (and this test checks little).
    assert!(
        t.agrees * 2 > t.declined,
        "the fast path took only {} of {} documents",
        t.agrees,
        t.agrees + t.declined
    );
}

#[test]
fn takes_every_document_of_the_benchmark_mesh() {
    let gen_mesh = shared().join("bench/gen-mesh.py");
    if !gen_mesh.is_file() {
        eprintln!("notice: ../shared/bench/gen-mesh.py is absent; skipping this test");
        return;
    }
    let out = std::env::temp_dir().join(format!("meshlint-block-yaml-{}", std::process::id()));
    let status = std::process::Command::new("python3")
        .arg(&gen_mesh)
        .arg(&out)
        .args(["--services", "150", "--per-namespace", "50"])
        .status()
        .expect("python3 runs ../shared/bench/gen-mesh.py");
    assert!(status.success());
    let docs = documents(&[&out]);
    let _ = std::fs::remove_dir_all(&out);
    let t = tally(docs.iter().map(|(n, d)| (n.as_str(), d.as_str())));
    assert!(t.differs.is_empty(), "{:#?}", t.differs);
    assert_eq!(t.declined, 0, "{t:?}");
    assert!(t.agrees > 1000, "{t:?}");
}

/// Small documents in and around the fast path's subset.
const SEEDS: &[&str] = &[
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: a  # c\n  labels: {app: x, \"b\": 'c'}\nspec:\n  ports:\n  - name: http\n    port: 80\n  - x\n  hosts: [\"a\", b ]\n  e: []\n  f: {}\n  g:\n  h: \"\"\nz:\n- a\n-   - b\n    - c\n\n# end\n",
    "# Source: x\n\n---  # c\na:\n    - b\n    - c: d\n      e: f\n# z\ng: h\n\n",
    "- a\n- - b\n  - c\n-  x: y\n   z: w\n",
    "# c\n\n  # d\na: \"x y\"\nb: 'p q'\nc:   v  \nd: e\n",
    "a: b",
    "a:\n  b:\n    c: [1, 2]\n  d: {e: f}\nk : v\n\"q\" : 'r'\n",
    "spec:\n  http:\n  - match:\n    - uri:\n        prefix: /a\n    route:\n    - destination:\n        host: r\n      weight: 100\n",
];

#[test]
fn takes_the_shapes_kubernetes_tooling_writes() {
    for (i, seed) in SEEDS.iter().enumerate() {
        assert_eq!(
            check_against_granit(seed),
            Verdict::Agrees,
            "seed {i}:\n{seed}"
        );
    }
    let helm = "# Source: chart/templates/vs.yaml\napiVersion: networking.istio.io/v1\nkind: VirtualService\n\
                metadata:\n  name: \"reviews\"\n  annotations:\n    a.b/c: 'true'\nspec:\n  hosts: [reviews]\n\
                  http:\n    - route:\n        - destination: {host: reviews, subset: v1}\n          weight: 100\n";
    assert_eq!(check_against_granit(helm), Verdict::Agrees);
    let explicit =
        "---\napiVersion: v1\nkind: List\nitems:\n- kind: Service\n  metadata: {name: a}\n";
    assert_eq!(check_against_granit(explicit), Verdict::Agrees);
}

#[test]
fn leaves_everything_else_to_granit() {
    let others = [
        ("a tab", "a:\n\tb: c\n"),
        ("an anchor", "a: &x b\nc: *x\n"),
        ("a tag", "a: !!str 1\n"),
        ("a block scalar", "a: |\n  text\n"),
        ("an escape", "a: \"x\\ny\"\n"),
        ("a quote in single quotes", "a: 'it''s'\n"),
        ("a multi-line plain scalar", "a: one\n  two\n"),
        ("a multi-line flow sequence", "a: [b,\n  c]\n"),
        ("an explicit key", "? a\n: b\n"),
        ("a carriage return", "a: b\r\nc: d\r\n"),
        ("non-ASCII text", "a: caf\u{e9}\n"),
        ("a document end", "a: b\n...\n"),
        ("a directive", "%YAML 1.2\n---\na: b\n"),
        ("only comments", "# nothing\n"),
        ("a scalar document", "just text\n"),
        ("a value on the next line", "a:\n  b\n"),
        ("an empty sequence item", "a:\n- \n- b\n"),
        ("nested flow collections", "a: [[b]]\n"),
        ("a mapping in a value", "a: b: c\n"),
        ("a wrongly indented key", "a:\n    b: c\n  d: e\n"),
    ];
    for (what, text) in others {
        assert_eq!(
            check_against_granit(text),
            Verdict::Declined,
            "{what}: {text:?}"
        );
    }
    // YAML allows implicit keys of at most 1024 characters (found by fuzzing).
    let long_key = format!("'{}': b\n", "k".repeat(1100));
    assert_eq!(check_against_granit(&long_key), Verdict::Declined);
    let long_flow_key = format!("a: {{{}: b}}\n", "k".repeat(1100));
    assert_eq!(check_against_granit(&long_flow_key), Verdict::Declined);
}

fn mutate(text: &str, edits: &[(usize, u8)]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for &(at, what) in edits {
        if bytes.is_empty() {
            break;
        }
        let at = at % (bytes.len() + 1);
        // Characters that matter to YAML, and the ones the fast path reads.
        const ALPHABET: &[u8] = b" \n-:#,[]{}\"'&*!|>?%@`\t\\ax0.~";
        let c = ALPHABET[what as usize % ALPHABET.len()];
        match what % 3 {
            0 => bytes.insert(at, c),
            1 if at < bytes.len() => {
                bytes.remove(at);
            }
            _ if at < bytes.len() => bytes[at] = c,
            _ => bytes.push(c),
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn mutations_are_declined_or_parsed_like_granit(
        seed in 0..SEEDS.len(),
        edits in proptest::collection::vec((0usize..400, any::<u8>()), 1..4),
    ) {
        let text = mutate(SEEDS[seed], &edits);
        if let Verdict::Differs(why) = check_against_granit(&text) {
            prop_assert!(false, "{why}\n--- text:\n{text}");
        }
    }
}
