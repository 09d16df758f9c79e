//! Differential test of the YAML layer against PyYAML, a YAML 1.1 reader like go-yaml (which
//! `kubectl` reads manifests with, through sigs.k8s.io/yaml): every YAML document of the
//! repository, of `../shared/`, of a generated mesh, and mutations of them, must give the same
//! data tree in meshlint and in PyYAML, except for the deliberate differences listed in
//! `DIFFERENCES` below, each with the reason.
//!
//! PyYAML is a dev-only dependency: the test uses `python3 -c 'import yaml'`, else tries
//! `pip install pyyaml` quietly, else skips with a printed notice.
//!
//! The data tree: mappings (keys in order, merge keys folded in), sequences, and scalars as their
//! text with its type. Types compare as follows: meshlint resolves plain scalars by the YAML 1.2
//! core schema (as Kubernetes' JSON decoding mostly agrees), PyYAML by YAML 1.1; where the two
//! schemas differ the text is the same and the difference is one of `DIFFERENCES`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use meshlint::load::yaml::{Document, NodeId, Scalar, Style, Value};
use meshlint::load::{LoadOptions, load_sources};
use serde_json::{Value as Json, json};

/// The deliberate differences between meshlint and PyYAML, by the name the comparison gives
/// them. Every difference found must be one of these; each one seen is printed.
const DIFFERENCES: &[(&str, &str)] = &[
    (
        "yaml11-bool",
        "PyYAML (YAML 1.1) reads yes/no/on/off (any case) as booleans; meshlint keeps the YAML 1.2 \
         core schema, where they are strings, and `invalid-value` explains the YAML 1.1 reading \
         where a field expects a boolean or a string.",
    ),
    (
        "yaml11-int",
        "YAML 1.1 integers that are not YAML 1.2 core integers: 0b binary, 0-prefixed octal \
         (0755), `_` separators, base 60 (1:30). meshlint reads them as strings (core schema); \
         `invalid-value` explains the YAML 1.1 reading.",
    ),
    (
        "yaml11-float",
        "YAML 1.1 floats that the core schema reads otherwise: `_` separators, base 60, and \
         PyYAML's rule that a float needs a `.` (PyYAML reads 1e3 as a string, the core schema \
         as a number).",
    ),
    (
        "yaml12-int",
        "0o17 is a YAML 1.2 octal integer; YAML 1.1 (PyYAML, go-yaml) reads a string.",
    ),
    (
        "yaml11-timestamp",
        "PyYAML resolves dates (2001-12-14) to timestamps; go-yaml through sigs.k8s.io/yaml and \
         meshlint keep the text, which is the same.",
    ),
    (
        "yaml11-value",
        "PyYAML resolves a plain `=` to the YAML 1.1 value type; everyone else reads a string.",
    ),
    (
        "flow-colon",
        "In a flow collection, `[2001:db8::]`: PyYAML (and the YAML 1.2 grammar) end the plain \
         scalar at a `:` followed by `,` `]` or `}` and read a mapping; go-yaml ends a plain \
         scalar only at `:` followed by a space, and reads the string `2001:db8::`. go-yaml is \
         the oracle (it is what kubectl applies): meshlint reads the string.",
    ),
    (
        "bom-inside",
        "A byte-order mark inside a document (not at the start of the stream): meshlint rejects \
         it (yaml-syntax, tests/fuzz_regressions.rs); PyYAML drops it; go-yaml skips it at the \
         start of a line but counts its column, so what it reads depends on the line. Such files \
         are not compared.",
    ),
    (
        "duplicate-key",
        "The same key twice in a mapping: PyYAML keeps the last value silently; go-yaml \
         (sigs.k8s.io/yaml strict decoding) and meshlint report the document (duplicate-key); \
         meshlint keeps both entries for its diagnostics, so the mapping is compared keeping \
         the last.",
    ),
];

fn pyyaml() -> bool {
    let has = || {
        Command::new("python3")
            .args(["-c", "import yaml"])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if has() {
        return true;
    }
    let _ = Command::new("python3")
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "pyyaml",
        ])
        .output();
    has()
}

/// PyYAML's reading of each file: a list per file of documents (or an error string), each node
/// as the comparison's JSON: scalars `{"t": tag, "s": text, "q": quoted}`.
const PY: &str = r#"
import json, signal, sys, yaml

def alarm(*_):
    raise TimeoutError("PyYAML took too long")
signal.signal(signal.SIGALRM, alarm)

# libyaml (fast) first; where it fails, the pure-Python reader, which accepts `[2001:db8::]`
# (old libyaml rejects it: "found unexpected ':'"; go-yaml removed that check).
class C(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    pass

class P(yaml.SafeLoader):
    pass

def scalar(loader, node):
    plain = not node.style
    tag = node.tag.rsplit(":", 1)[-1]
    return {"t": tag, "s": node.value, "q": not plain}

def seq(loader, node):
    return [loader.construct_object(c, deep=True) for c in node.value]

def mapping(loader, node):
    loader.flatten_mapping(node)
    out = []
    for k, v in node.value:
        out.append([loader.construct_object(k, deep=True), loader.construct_object(v, deep=True)])
    return {"map": out}

for L in (C, P):
    for t in list(L.yaml_constructors):
        if t and t.startswith("tag:yaml.org,2002:") and t.split(":")[-1] in (
            "null", "bool", "int", "float", "str", "timestamp", "value", "binary"):
            L.add_constructor(t, scalar)
    L.add_constructor(None, lambda l, n: scalar(l, n) if isinstance(n, yaml.ScalarNode)
        else seq(l, n) if isinstance(n, yaml.SequenceNode) else mapping(l, n))
    L.add_constructor("tag:yaml.org,2002:seq", seq)
    L.add_constructor("tag:yaml.org,2002:map", mapping)


result = {}
for path in sys.stdin.read().split("\0"):
    if not path:
        continue
    try:
        signal.alarm(10)
        with open(path, "rb") as f:
            text = f.read().decode("utf-8")
        try:
            docs = list(yaml.load_all(text, Loader=C))
        except yaml.YAMLError:
            docs = list(yaml.load_all(text, Loader=P))
        result[path] = docs
    except Exception as e:
        result[path] = "error: " + str(e).split("\n")[0]
    signal.alarm(0)
json.dump(result, sys.stdout)
"#;

fn py_read(paths: &[PathBuf]) -> BTreeMap<String, Json> {
    let mut child = Command::new("python3")
        .args(["-c", PY])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        for p in paths {
            write!(stdin, "{}\0", p.display()).expect("write paths");
        }
    }
    let out = child.wait_with_output().expect("python3 finishes");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("PyYAML's JSON")
}

/// The type PyYAML would give a plain scalar's text, as our comparison names it.
fn core_tag(s: Scalar<'_>) -> &'static str {
    match s {
        Scalar::Null => "null",
        Scalar::Bool(_) => "bool",
        Scalar::Int(_) => "int",
        Scalar::Float(_) => "float",
        Scalar::Str(_) => "str",
    }
}

fn ours(doc: &Document, id: NodeId, depth: usize) -> Json {
    if depth > 200 {
        return json!("<deep>");
    }
    let id = doc.resolve(id);
    match doc.value(id) {
        Value::Map(_) => {
            let entries: Vec<Json> = doc
                .entries(id)
                .iter()
                .map(|&(k, v)| json!([ours(doc, k, depth + 1), ours(doc, v, depth + 1)]))
                .collect();
            json!({ "map": entries })
        }
        Value::Seq(_) => Json::Array(
            doc.items(id)
                .iter()
                .map(|&i| ours(doc, i, depth + 1))
                .collect(),
        ),
        _ => {
            let text = doc.str(id).unwrap_or("");
            let quoted = doc.style(id) != Some(Style::Plain);
            let tag = match doc.tag(id) {
                Some(t) => t.trim_start_matches("!!").to_string(),
                None if quoted => "str".to_string(),
                None => core_tag(doc.scalar(id).unwrap_or(Scalar::Str(""))).to_string(),
            };
            json!({ "t": tag, "s": text, "q": quoted })
        }
    }
}

/// A scalar's text as PyYAML's null reads it: the empty plain scalar is `~` in meshlint.
fn same_text(a: &str, b: &str) -> bool {
    a == b || (matches!(a, "" | "~") && matches!(b, "" | "~"))
}

/// Which deliberate difference explains two different scalars of the same text, if any.
fn scalar_difference(ours: &Json, theirs: &Json) -> Option<&'static str> {
    let text = ours["s"].as_str()?;
    let (a, b) = (ours["t"].as_str()?, theirs["t"].as_str()?);
    let lower = text.to_ascii_lowercase();
    match (a, b) {
        ("str", "bool") if matches!(lower.as_str(), "yes" | "no" | "on" | "off" | "y" | "n") => {
            Some("yaml11-bool")
        }
        ("str", "int") => Some("yaml11-int"),
        ("str", "float") if text.contains(['_', ':']) => Some("yaml11-float"),
        ("float", "str") if !text.contains('.') => Some("yaml11-float"),
        ("int", "str") if text.starts_with("0o") => Some("yaml12-int"),
        ("str", "timestamp") => Some("yaml11-timestamp"),
        ("str", "value") => Some("yaml11-value"),
        _ => None,
    }
}

/// Compares two trees; the first difference that no deliberate difference explains, and the
/// deliberate ones seen.
fn compare(ours: &Json, theirs: &Json, path: &str, seen: &mut Vec<&'static str>) -> Result<(), String> {
    match (ours, theirs) {
        (Json::Object(a), Json::Object(b)) if a.contains_key("map") && b.contains_key("map") => {
            let (a, b) = (a["map"].as_array().unwrap(), b["map"].as_array().unwrap());
            // PyYAML keeps duplicate keys' last value in place of the first; compare keeping
            // the last of each key on both sides.
            let mut last = |entries: &[Json]| -> Vec<Json> {
                let mut out: Vec<Json> = Vec::new();
                for e in entries {
                    let key = &e[0];
                    if let Some(i) = out.iter().position(|o| o[0] == *key || (o[0]["s"] == key["s"] && o[0]["s"].is_string())) {
                        out[i] = e.clone();
                        seen.push("duplicate-key");
                    } else {
                        out.push(e.clone());
                    }
                }
                // Key order carries no data (PyYAML puts merged keys first, meshlint last).
                out.sort_by_key(|e| e[0]["s"].as_str().unwrap_or("").trim_end_matches(':').to_string());
                out
            };
            let (a, b) = (last(a), last(b));
            if a.len() != b.len() {
                return Err(format!("{path}: {} keys here, {} in PyYAML", a.len(), b.len()));
            }
            for (i, (x, y)) in a.iter().zip(&b).enumerate() {
                let (kx, ky) = (x[0]["s"].as_str(), y[0]["s"].as_str());
                if let (Some(kx), Some(ky)) = (kx, ky)
                    && kx.strip_suffix(':') == Some(ky)
                    && x[0]["q"] == false
                {
                    // `{a:, b: c}`: go-yaml's key is `a:`, PyYAML's `a`.
                    seen.push("flow-colon");
                    compare(&x[1], &y[1], &format!("{path}.{kx}"), seen)?;
                    continue;
                }
                compare(&x[0], &y[0], &format!("{path}.<key {i}>"), seen)?;
                let key = x[0]["s"].as_str().unwrap_or("?");
                compare(&x[1], &y[1], &format!("{path}.{key}"), seen)?;
            }
            Ok(())
        }
        (Json::Array(a), Json::Array(b)) => {
            if a.len() != b.len() {
                return Err(format!("{path}: {} items here, {} in PyYAML", a.len(), b.len()));
            }
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                compare(x, y, &format!("{path}[{i}]"), seen)?;
            }
            Ok(())
        }
        (Json::Object(a), Json::Object(b)) if a.contains_key("s") && b.contains_key("s") => {
            let (ta, tb) = (a["s"].as_str().unwrap_or(""), b["s"].as_str().unwrap_or(""));
            if !same_text(ta, tb) {
                return Err(format!("{path}: text {ta:?} here, {tb:?} in PyYAML"));
            }
            if a["t"] != b["t"] {
                match scalar_difference(ours, theirs) {
                    Some(why) => seen.push(why),
                    None => {
                        return Err(format!(
                            "{path}: {ta:?} is {} here, {} in PyYAML",
                            a["t"], b["t"]
                        ));
                    }
                }
            }
            Ok(())
        }
        // go-yaml's `[2001:db8::]`: a string here, a one-pair mapping `{"2001:db8:": null}` in
        // PyYAML.
        (Json::Object(a), Json::Object(b)) if a.contains_key("s") && b.contains_key("map") => {
            let text = a["s"].as_str().unwrap_or("");
            let pairs = b["map"].as_array().map_or(0, Vec::len);
            let key = b["map"][0][0]["s"].as_str().unwrap_or("\0");
            if pairs == 1 && text.ends_with(':') && text.strip_suffix(':') == Some(key) {
                seen.push("flow-colon");
                return Ok(());
            }
            Err(format!("{path}: scalar {text:?} here, a mapping in PyYAML"))
        }
        _ => Err(format!("{path}: {ours} here, {theirs} in PyYAML")),
    }
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if p.is_dir() {
            if !matches!(name, "target" | ".git" | "node_modules") {
                yaml_files(&p, out);
            }
        } else if name.ends_with(".yaml") || name.ends_with(".yml") {
            out.push(p);
        }
    }
}

/// Mutations of a file that exercise where YAML 1.1 and 1.2 readers differ, each kept only when
/// PyYAML accepts it (the comparison skips what PyYAML rejects).
fn mutations(text: &str) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    // A quoted scalar continued on the next line at the key's column (go-yaml ignores the
    // indentation of quoted scalars' continuation lines).
    let mut continued = String::new();
    let mut changed = false;
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        if let Some((key, value)) = line.split_once(": ")
            && !changed
            && !key.trim_start().starts_with(['-', '#'])
            && value.len() > 3
            && !value.contains(['\'', '"', '#', '{', '[', '&', '*', '|', '>', '!'])
        {
            continued.push_str(&format!(
                "{key}: '{}\n{}{}'\n",
                &value[..value.len() / 2],
                " ".repeat(indent),
                &value[value.len() / 2..]
            ));
            changed = true;
        } else {
            continued.push_str(line);
            continued.push('\n');
        }
    }
    if changed {
        out.push(("quoted-continuation", continued));
    }
    // Scalars into one-line flow sequences, with an IPv6 address that ends in `:`.
    let mut flow = String::new();
    let mut changed = false;
    for line in text.lines() {
        if let Some((key, value)) = line.split_once(": ")
            && !key.trim_start().starts_with(['-', '#'])
            && !value.is_empty()
            && !value.contains(['\'', '"', '#', '{', '[', ']', '}', ',', '&', '*', '|', '>', '!', ':'])
        {
            flow.push_str(&format!("{key}: [{value}, 2001:db8::, fe80::1]\n"));
            changed = true;
        } else {
            flow.push_str(line);
            flow.push('\n');
        }
    }
    if changed {
        out.push(("flow-sequences", flow));
    }
    // Integers replaced by extreme and YAML 1.1-only values.
    for (name, values) in [
        ("int-extreme", &["9223372036854775807", "99999999999999999999999", "-2147483649"][..]),
        ("yaml11", &["0755", "yes", "1:30", "0b101", "1_000", "Off"][..]),
    ] {
        let mut m = String::new();
        let mut changed = false;
        let mut n = 0;
        for line in text.lines() {
            if let Some((key, v)) = line.split_once(": ")
                && !v.is_empty()
                && v.bytes().all(|b| b.is_ascii_digit())
            {
                m.push_str(&format!("{key}: {}\n", values[n % values.len()]));
                n += 1;
                changed = true;
            } else {
                m.push_str(line);
                m.push('\n');
            }
        }
        if changed {
            out.push((name, m));
        }
    }
    out
}

#[test]
fn meshlint_reads_yaml_as_pyyaml_does_but_for_listed_differences() {
    if !pyyaml() {
        eprintln!("skipping yaml_differential: python3 with PyYAML is not available (pip install pyyaml)");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    yaml_files(root, &mut files);
    let shared = root.join("../shared");
    if shared.is_dir() {
        yaml_files(&shared, &mut files);
    } else {
        eprintln!("yaml_differential: ../shared is absent; only the repository's files are compared");
    }
    let work = tempfile::tempdir().expect("temp dir");
    let gen_mesh = shared.join("bench/gen-mesh.py");
    if gen_mesh.is_file() {
        let ok = Command::new("python3")
            .arg(&gen_mesh)
            .arg(work.path().join("mesh"))
            .args(["--services", "30", "--per-namespace", "10"])
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            yaml_files(&work.path().join("mesh"), &mut files);
        }
    }
    let originals = files.len();
    // Mutations of every original, written beside them in the temporary directory.
    let mut mutated = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        if text.len() > 20_000 {
            continue;
        }
        for (name, m) in mutations(&text) {
            let stem = f.file_stem().and_then(|s| s.to_str()).unwrap_or("");
            let path = work.path().join(format!("m{i}-{stem}-{name}.yaml"));
            std::fs::write(&path, m).expect("write mutation");
            mutated.push(path);
        }
    }
    files.extend(mutated);
    // The two cases seen in real repositories, always.
    let cases = [
        ("case-quoted.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  k: 'line one\n  line two'\n  d: \"a \\\"b\\\"\n  c\n\n  d\"\n"),
        ("case-flow-colon.yaml", "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: x\nspec:\n  hosts: [a.example.com]\n  addresses: [1.2.3.4, 2001:db8::]\n  m: {a:, b: c}\n"),
    ];
    for (name, text) in cases {
        let path = work.path().join(name);
        std::fs::write(&path, text).expect("write case");
        files.push(path);
    }

    // Inputs over a budget (billion laughs in the fixtures) are not compared: PyYAML would expand
    // them without bound.
    files.retain(|path| {
        let bytes = std::fs::read(path).unwrap_or_default();
        let loaded = load_sources(vec![(String::new(), bytes)], &LoadOptions::default());
        !loaded
            .diagnostics
            .iter()
            .any(|d| d.rule.name == "input-too-large")
    });
    let theirs = py_read(&files);
    let mut seen: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut compared = 0usize;
    let mut pyyaml_rejects = 0usize;
    for path in &files {
        let key = path.display().to_string();
        let Some(their) = theirs.get(&key) else {
            continue;
        };
        let Json::Array(their_docs) = their else {
            // PyYAML rejects the file: go-yaml's reading is not established, nothing to compare.
            pyyaml_rejects += 1;
            continue;
        };
        let bytes = std::fs::read(path).expect("read");
        if String::from_utf8_lossy(&bytes).get(3..).is_some_and(|t| t.contains('\u{feff}')) {
            *seen.entry("bom-inside").or_default() += 1;
            continue;
        }
        let loaded = load_sources(vec![(key.clone(), bytes)], &LoadOptions::default());
        let syntax: Vec<_> = loaded
            .diagnostics
            .iter()
            .filter(|d| d.rule.name == "yaml-syntax")
            .map(|d| d.message.clone())
            .collect();
        if !syntax.is_empty() {
            failures.push(format!("{key}: PyYAML reads it, meshlint says {}", syntax[0]));
            continue;
        }
        if loaded.diagnostics.iter().any(|d| d.rule.name == "input-too-large") {
            continue;
        }
        let ours_docs: Vec<Json> = loaded
            .documents
            .iter()
            .map(|d| d.root.map_or(Json::Null, |r| ours(d, r, 0)))
            .collect();
        // meshlint drops empty documents (only comments, or a null root); so does kubectl.
        let their_docs: Vec<&Json> = their_docs
            .iter()
            .filter(|d| !(d.is_null() || (d["t"] == "null" && d["q"] == false)))
            .collect();
        if ours_docs.len() != their_docs.len() {
            failures.push(format!(
                "{key}: {} documents here, {} in PyYAML",
                ours_docs.len(),
                their_docs.len()
            ));
            continue;
        }
        for (i, (a, b)) in ours_docs.iter().zip(their_docs).enumerate() {
            let mut kinds = Vec::new();
            compared += 1;
            if let Err(e) = compare(a, b, &format!("doc {i}"), &mut kinds) {
                failures.push(format!("{key}: {e}"));
            }
            for k in kinds {
                *seen.entry(k).or_default() += 1;
            }
        }
    }
    eprintln!(
        "yaml_differential: {} files ({originals} originals, the rest mutations and cases), {compared} documents compared, {pyyaml_rejects} files PyYAML rejects",
        files.len()
    );
    for (name, why) in DIFFERENCES {
        eprintln!("  {name}: {} ({why})", seen.get(name).copied().unwrap_or(0));
    }
    assert!(compared > 100, "too few documents compared: {compared}");
    assert!(
        seen.contains_key("flow-colon"),
        "the flow-colon case was not compared"
    );
    assert!(failures.is_empty(), "{} differences:\n{}", failures.len(), failures.join("\n"));
}
