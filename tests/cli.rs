//! The command line as users and CI see it: exit codes, stdin, formats, and the acceptance
//! criteria of the foundation issue.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn meshlint(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_meshlint"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("meshlint runs");
    let mut pipe = child.stdin.take().unwrap();
    if let Some(bytes) = stdin {
        pipe.write_all(bytes).unwrap();
    }
    drop(pipe);
    child.wait_with_output().unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

fn shared() -> Option<&'static Path> {
    let p = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared"));
    if p.is_dir() {
        Some(p)
    } else {
        println!("notice: ../shared is absent; skipping this test");
        None
    }
}

const CLEAN: &[u8] = b"apiVersion: v1\nkind: Service\nmetadata:\n  name: a\nspec:\n  ports:\n  - name: http\n    port: 80\n";
const BROKEN: &[u8] = b"apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n   bad: [\n";

#[test]
fn exit_0_when_nothing_reaches_the_threshold() {
    let out = meshlint(&["analyze", "-o", "json", "-"], Some(CLEAN));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(json(&out)["summary"]["resources"], 1);
}

#[test]
fn exit_1_on_findings_at_or_above_the_threshold() {
    let out = meshlint(&["analyze", "-o", "json", "-"], Some(BROKEN));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)["diagnostics"][0]["rule"], "yaml-syntax");
}

#[test]
fn failure_threshold_moves_the_line() {
    // An unknown field is a warning: it fails only when the threshold is warning or lower.
    let doc = b"apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: a\nspec:\n  host: a\n  hostt: b\n";
    let warn = meshlint(
        &[
            "analyze",
            "-o",
            "json",
            "--failure-threshold",
            "warning",
            "-",
        ],
        Some(doc),
    );
    let err = meshlint(
        &["analyze", "-o", "json", "--failure-threshold", "error", "-"],
        Some(doc),
    );
    assert_eq!(
        json(&warn)["summary"]["warnings"],
        1,
        "{}",
        String::from_utf8_lossy(&warn.stdout)
    );
    assert_eq!(json(&warn)["summary"]["errors"], 0);
    assert_eq!(warn.status.code(), Some(1));
    assert_eq!(err.status.code(), Some(0));
}

#[test]
fn exit_2_for_a_missing_path_or_bad_flag() {
    let out = meshlint(&["analyze", "does/not/exist.yaml"], None);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "one-line error, got: {stderr}");
    assert!(stderr.contains("does/not/exist.yaml"));
    assert_eq!(
        meshlint(&["analyze", "--no-such-flag"], None).status.code(),
        Some(2)
    );
    assert_eq!(
        meshlint(&["analyze", "no/match/*.yaml"], None)
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        meshlint(&["explain", "no-such-rule"], None).status.code(),
        Some(2)
    );
}

#[test]
fn broken_yaml_in_one_file_does_not_hide_the_others() {
    let Some(shared) = shared() else { return };
    let dir = shared.join("scenarios/seed-intro-gateway");
    let out = meshlint(&["analyze", "-o", "json", dir.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    let report = json(&out);
    let syntax: Vec<_> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "yaml-syntax")
        .collect();
    assert_eq!(syntax.len(), 1);
    assert!(
        syntax[0]["file"]
            .as_str()
            .unwrap()
            .ends_with("virtualservice-broken-indent.yaml")
    );
    assert_eq!(syntax[0]["line"], 29);
    assert_eq!(report["summary"]["files"], 3);
    // gateway.yaml holds one resource and authz.yaml two; the broken file's document is skipped.
    assert_eq!(report["summary"]["resources"], 3);
}

#[test]
fn stdin_stream_counts_resources() {
    let Some(shared) = shared() else { return };
    let bytes = std::fs::read(shared.join("scenarios/bookinfo-platform/bookinfo.yaml")).unwrap();
    let out = meshlint(&["analyze", "-o", "json", "-"], Some(&bytes));
    assert_eq!(json(&out)["summary"]["resources"], 15);
}

#[test]
fn human_output_has_snippet_rule_and_summary_without_colour() {
    let out = meshlint(&["analyze", "-"], Some(BROKEN));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("yaml-syntax"), "{text}");
    assert!(text.contains("<stdin>:5:"), "{text}");
    assert!(text.lines().last().unwrap().contains("1 error"), "{text}");
    assert!(
        !text.contains('\u{1b}'),
        "no ANSI escapes when NO_COLOR is set or stdout is a pipe"
    );
}

#[test]
fn output_is_deterministic_and_sorted() {
    let a = meshlint(&["analyze", "-o", "json", "testdata/example"], None);
    let b = meshlint(&["analyze", "-o", "json", "testdata/example"], None);
    assert_eq!(a.stdout, b.stdout);
    let report = json(&a);
    let keys: Vec<(String, u64, u64)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
}

#[test]
fn rules_and_explain() {
    let out = meshlint(&["rules"], None);
    let text = String::from_utf8_lossy(&out.stdout);
    for rule in meshlint::rules::ALL {
        assert!(text.contains(rule.name));
    }
    let out = meshlint(&["explain", "yaml-syntax"], None);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("# yaml-syntax"));
}

#[test]
fn graph_formats() {
    for format in ["dot", "mermaid", "json"] {
        let out = meshlint(&["graph", "--format", format, "testdata/example"], None);
        assert_eq!(out.status.code(), Some(0));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("cart-rollout"), "{format}: {text}");
        assert!(
            text.contains("subset-not-found"),
            "{format}: broken edge to subset beta is drawn: {text}"
        );
        assert!(text.contains("unknown-gateway"), "{format}");
        assert!(
            text.contains("port-not-found"),
            "{format}: the port-80 edge is broken"
        );
        // The real Gateway is drawn; the name the VirtualService wrote only as the missing node.
        assert!(text.contains("Gateway shop-gateway"), "{format}: {text}");
        assert!(!text.contains("\"Gateway shop-gw"), "{format}: {text}");
    }
    let dot = meshlint(&["graph", "-o", "dot", "testdata/example"], None);
    assert!(String::from_utf8_lossy(&dot.stdout).contains("port 80 ✗ port-not-found\", color=red"));
    let dot = meshlint(&["graph", "--format", "dot", "testdata/example"], None);
    insta::assert_snapshot!("graph_example_dot", String::from_utf8_lossy(&dot.stdout));
}

/// `completions/` holds the generated scripts; `UPDATE_COMPLETIONS=1 cargo test` rewrites them.
#[test]
fn completions_are_in_sync() {
    for (shell, file) in [
        ("bash", "meshlint.bash"),
        ("zsh", "_meshlint"),
        ("fish", "meshlint.fish"),
        ("powershell", "_meshlint.ps1"),
        ("elvish", "meshlint.elv"),
    ] {
        let out = meshlint(&["completions", shell], None);
        assert_eq!(out.status.code(), Some(0));
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("completions")
            .join(file);
        if std::env::var_os("UPDATE_COMPLETIONS").is_some() {
            std::fs::write(&path, &out.stdout).unwrap();
        }
        let committed = std::fs::read(&path).unwrap_or_default();
        assert!(
            committed == out.stdout,
            "completions/{file} is stale: run UPDATE_COMPLETIONS=1 cargo test --test cli"
        );
    }
}

/// `man/meshlint.1` is generated by `meshlint man` (clap_mangen); `UPDATE_COMPLETIONS=1 cargo
/// test` rewrites it with the completions.
#[test]
fn man_page_is_in_sync() {
    let out = meshlint(&["man"], None);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with(".ie \\n(.g .ds Aq") || text.contains(".TH meshlint"),
        "{text}"
    );
    for command in ["analyze", "graph", "rules", "explain", "completions"] {
        assert!(text.contains(command), "the man page lists {command}");
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("man/meshlint.1");
    if std::env::var_os("UPDATE_COMPLETIONS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &out.stdout).unwrap();
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == out.stdout,
        "man/meshlint.1 is stale: run UPDATE_COMPLETIONS=1 cargo test --test cli"
    );
}

/// A page for every rule, a rule for every page.
#[test]
fn every_rule_has_a_page_and_every_page_a_rule() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let mut pages: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            name.strip_suffix(".md").map(str::to_string)
        })
        .filter(|name| name != "README")
        .collect();
    pages.sort();
    let mut names: Vec<String> = meshlint::rules::ALL
        .iter()
        .map(|r| r.name.to_string())
        .collect();
    names.sort();
    assert_eq!(pages, names, "rules/*.md and the registry differ");
    for rule in meshlint::rules::ALL {
        let on_disk = std::fs::read_to_string(dir.join(format!("{}.md", rule.name))).unwrap();
        assert_eq!(
            on_disk, rule.doc,
            "{}: the embedded page is the file",
            rule.name
        );
    }
}

#[test]
fn rules_json_and_explain_pick_list() {
    let out = meshlint(&["rules", "-o", "json"], None);
    assert_eq!(out.status.code(), Some(0));
    let rules = json(&out);
    let rules = rules["rules"].as_array().unwrap();
    assert_eq!(rules.len(), meshlint::rules::ALL.len());
    for r in rules {
        for key in ["name", "codes", "severity", "category", "summary"] {
            assert!(!r[key].is_null(), "{key} in {r}");
        }
    }
    let out = meshlint(&["explain", "IST0101"], None);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("rules report IST0101") && text.lines().count() < 15,
        "{text}"
    );
    let out = meshlint(&["explain", "subset-not-fund"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean subset-not-found?"));
}

#[test]
fn readme_lists_every_rule_and_the_two_newcomer_commands() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    for rule in meshlint::rules::ALL {
        assert!(
            readme.contains(&format!("[`{}`](rules/{}.md)", rule.name, rule.name)),
            "README lacks rule {}",
            rule.name
        );
    }
    assert!(readme.contains("cargo run --release -- analyze testdata/example"));
    let ci =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/run")).unwrap();
    assert!(
        readme.contains("\ncargo test\n") && ci.contains("\ncargo test\n"),
        "CI runs the README's test command"
    );
}

/// The pre-commit manifest and the GitHub Action are valid YAML with what their hosts require.
#[test]
fn integration_files_are_well_formed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (file, needles) in [
        (
            ".pre-commit-hooks.yaml",
            &[
                "- id: meshlint\n",
                "entry: meshlint analyze",
                "pass_filenames: false",
                "language: rust",
            ][..],
        ),
        (
            "action.yml",
            &[
                "using: composite",
                "cargo install",
                "-o github",
                "sarif=",
                "upload-sarif",
            ][..],
        ),
    ] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        let loaded = meshlint::load::load_sources(
            vec![(file.to_string(), text.clone().into_bytes())],
            &Default::default(),
        );
        assert!(
            loaded.diagnostics.is_empty(),
            "{file}: {:?}",
            loaded.diagnostics
        );
        for needle in needles {
            assert!(text.contains(needle), "{file} lacks {needle}");
        }
    }
}
