//! Every `-o` format: SARIF validated against the official 2.1.0 schema (vendored in
//! tests/data, so this runs without ../shared) and GitHub's extra requirements, JUnit parsed as
//! XML, GitLab code quality fields, GitHub workflow commands, YAML; the exit code is the same in
//! every format; `--output-file FORMAT=PATH` and `--output-threshold`.

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const FORMATS: [&str; 7] = [
    "human",
    "json",
    "yaml",
    "sarif",
    "github",
    "junit",
    "codeclimate",
];

fn run_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_meshlint"))
        .args(args)
        .current_dir(dir)
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

fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    run_in(Path::new(env!("CARGO_MANIFEST_DIR")), args, stdin)
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("UTF-8 output")
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

const CLEAN: &[u8] = b"apiVersion: v1\nkind: Service\nmetadata:\n  name: a\nspec:\n  ports:\n  - name: http\n    port: 80\n";
const BROKEN: &[u8] = b"apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n   bad: [\n";
/// One warning (unknown field), no error.
const WARNING: &[u8] = b"apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: a\nspec:\n  host: a\n  hostt: b\n";

fn sarif_validator() -> jsonschema::Validator {
    let schema: Value = json(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json"),
        )
        .unwrap(),
    );
    jsonschema::validator_for(&schema).expect("the SARIF schema compiles")
}

fn assert_valid_sarif(validator: &jsonschema::Validator, log: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF schema errors: {errors:#?}");
}

#[test]
fn sarif_is_valid_and_has_what_github_code_scanning_requires() {
    let validator = sarif_validator();
    let out = run(&["analyze", "-o", "sarif", "testdata/example"], None);
    assert_eq!(out.status.code(), Some(1));
    let log = json(&stdout(&out));
    assert_valid_sarif(&validator, &log);
    assert_eq!(log["version"], "2.1.0");
    // The validator is not vacuous: a line 0 and a missing message are rejected.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    broken["runs"][0]["results"][1]["message"] = serde_json::json!({});
    assert!(validator.iter_errors(&broken).count() >= 2);
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(
        rules.len(),
        meshlint::rules::ALL.len(),
        "every rule is described"
    );
    for r in rules {
        for field in ["shortDescription", "fullDescription", "help"] {
            let text = r[field]["text"].as_str().unwrap_or("");
            assert!(!text.is_empty(), "{} lacks {field}", r["id"]);
            if field == "shortDescription" {
                assert!(text.len() <= 1024);
            }
        }
        assert!(
            r["helpUri"]
                .as_str()
                .unwrap()
                .ends_with(&format!("rules/{}.md", r["id"].as_str().unwrap()))
        );
        assert!(
            ["note", "warning", "error"]
                .contains(&r["defaultConfiguration"]["level"].as_str().unwrap())
        );
    }
    let results = run["results"].as_array().unwrap();
    assert!(results.len() >= 5, "{results:?}");
    let ids: HashSet<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let mut fingerprints = HashSet::new();
    for r in results {
        assert!(ids.contains(r["ruleId"].as_str().unwrap()));
        assert_eq!(
            rules[r["ruleIndex"].as_u64().unwrap() as usize]["id"],
            r["ruleId"]
        );
        assert!(!r["message"]["text"].as_str().unwrap().is_empty());
        let loc = &r["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        assert!(
            uri.starts_with("testdata/example/"),
            "repository-relative: {uri}"
        );
        let region = &loc["region"];
        for k in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(region[k].as_u64().unwrap() >= 1, "{k} in {region}");
        }
        assert!(
            fingerprints.insert(
                r["partialFingerprints"]["meshlint/v1"]
                    .as_str()
                    .unwrap()
                    .to_string()
            )
        );
    }
    assert!(
        results.iter().any(|r| r["relatedLocations"]
            .as_array()
            .is_some_and(|a| !a.is_empty())),
        "related locations are reported"
    );
    // Clean: an empty results array, still valid.
    let clean = run_in(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &["analyze", "-o", "sarif", "-"],
        Some(CLEAN),
    );
    assert_eq!(clean.status.code(), Some(0));
    let log = json(&stdout(&clean));
    assert_valid_sarif(&validator, &log);
    assert_eq!(log["runs"][0]["results"], Value::Array(Vec::new()));
}

/// Fingerprints do not depend on lines: inserting comments and another resource above the
/// findings keeps every fingerprint the same.
#[test]
fn sarif_fingerprints_survive_edits_elsewhere_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let original = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/example/routing.yaml"),
    )
    .unwrap();
    let fingerprints = |text: &str| -> Vec<(String, u64)> {
        std::fs::write(dir.path().join("routing.yaml"), text).unwrap();
        let out = run_in(
            dir.path(),
            &["analyze", "-o", "sarif", "routing.yaml"],
            None,
        );
        json(&stdout(&out))["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["partialFingerprints"]["meshlint/v1"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                    r["locations"][0]["physicalLocation"]["region"]["startLine"]
                        .as_u64()
                        .unwrap(),
                )
            })
            .collect()
    };
    let before = fingerprints(&original);
    let edited = format!(
        "# a comment\n# another\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: unrelated\n  namespace: shop\n---\n{original}"
    );
    let after = fingerprints(&edited);
    assert!(!before.is_empty());
    assert_eq!(before.len(), after.len());
    for ((fb, lb), (fa, la)) in before.iter().zip(&after) {
        assert_eq!(fb, fa);
        assert_eq!(lb + 8, *la, "the lines did move");
    }
}

/// An attribute's value as written (entities not expanded: enough to compare names).
fn attr(e: &quick_xml::events::BytesStart<'_>, name: &str) -> String {
    let a = e
        .try_get_attribute(name)
        .unwrap()
        .expect("the attribute is there");
    a.value.replace("&amp;", "&")
}

#[test]
fn junit_is_well_formed_xml_with_one_case_per_resource_and_rule() {
    let out = run(&["analyze", "-o", "junit", "testdata/example"], None);
    assert_eq!(out.status.code(), Some(1));
    let xml = stdout(&out);
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut cases, mut failures, mut names) = (0, 0, HashSet::new());
    let mut depth = 0i32;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(quick_xml::events::Event::Start(e)) => {
                depth += 1;
                if e.name().0 == "testcase" {
                    cases += 1;
                    let name = attr(&e, "name");
                    assert!(names.insert(name.clone()), "duplicate test name {name}");
                }
                if e.name().0 == "failure" {
                    failures += 1;
                }
            }
            Ok(quick_xml::events::Event::Empty(e)) => {
                if e.name().0 == "testcase" {
                    cases += 1;
                    let name = attr(&e, "name");
                    assert!(names.insert(name.clone()), "duplicate test name {name}");
                }
            }
            Ok(quick_xml::events::Event::End(_)) => depth -= 1,
            Ok(_) => {}
            Err(e) => panic!("not XML at {}: {e}\n{xml}", reader.buffer_position()),
        }
    }
    assert_eq!(depth, 0, "every element is closed");
    let report = json(&stdout(&run(
        &["analyze", "-o", "json", "testdata/example"],
        None,
    )));
    let diagnostics = report["diagnostics"].as_array().unwrap();
    assert_eq!(failures, diagnostics.len(), "one failure per finding");
    // Every resource appears: the ones with findings as failing cases, the rest passing.
    assert!(
        cases >= report["summary"]["resources"].as_u64().unwrap() as usize,
        "{xml}"
    );
    assert!(
        names
            .iter()
            .any(|n| n == "VirtualService shop/cart-rollout subset-not-found"),
        "{names:?}"
    );
}

#[test]
fn codeclimate_has_the_fields_gitlab_reads() {
    let out = run(&["analyze", "-o", "codeclimate", "testdata/example"], None);
    assert_eq!(out.status.code(), Some(1));
    let issues = json(&stdout(&out));
    let issues = issues.as_array().expect("a JSON array");
    assert!(!issues.is_empty());
    let mut fingerprints = HashSet::new();
    for i in issues {
        assert!(!i["description"].as_str().unwrap().is_empty());
        assert!(
            meshlint::rules::ALL
                .iter()
                .any(|r| r.name == i["check_name"])
        );
        assert!(fingerprints.insert(i["fingerprint"].as_str().unwrap().to_string()));
        assert!(
            ["info", "minor", "major", "critical", "blocker"]
                .contains(&i["severity"].as_str().unwrap())
        );
        assert!(
            i["location"]["path"]
                .as_str()
                .unwrap()
                .starts_with("testdata/example/")
        );
        assert!(i["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
    }
    let clean = run(&["analyze", "-o", "codeclimate", "-"], Some(CLEAN));
    assert_eq!(json(&stdout(&clean)), Value::Array(Vec::new()));
}

#[test]
fn github_annotations_are_escaped_workflow_commands() {
    let out = run(&["analyze", "-o", "github", "testdata/example"], None);
    let text = stdout(&out);
    let commands: Vec<&str> = text.lines().filter(|l| l.starts_with("::")).collect();
    let report = json(&stdout(&run(
        &["analyze", "-o", "json", "testdata/example"],
        None,
    )));
    assert_eq!(
        commands.len(),
        report["diagnostics"].as_array().unwrap().len()
    );
    for c in &commands {
        let (head, message) = c[2..].split_once("::").expect("::cmd props::message");
        let (cmd, props) = head.split_once(' ').unwrap();
        assert!(["error", "warning", "notice"].contains(&cmd), "{c}");
        let keys: Vec<&str> = props
            .split(',')
            .map(|p| p.split_once('=').unwrap().0)
            .collect();
        assert_eq!(
            keys,
            ["file", "line", "col", "endLine", "endColumn", "title"],
            "{c}"
        );
        assert!(!message.is_empty());
    }
    // A value with a newline, a percent sign, a colon and a comma is escaped.
    let doc = b"apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: a\nspec:\n  hosts: [a]\n  http:\n  - route:\n    - destination: {host: \"no,such:host%\"}\n";
    let out = run(&["analyze", "-o", "github", "-"], Some(doc));
    let text = stdout(&out);
    let line = text
        .lines()
        .find(|l| l.contains("unknown-host"))
        .expect(&text);
    assert!(line.contains("no,such:host%25"), "{line}");
    assert!(line.contains("%0Ahelp: "), "{line}");
    assert!(
        line.contains("file=%3Cstdin%3E") || line.contains("file=<stdin>"),
        "{line}"
    );
}

/// 12 VirtualServices, each with an unknown host (error) and an unused `match` entry (info), and
/// 12 DestinationRules with an unknown field (warning).
fn many_findings() -> Vec<u8> {
    let mut docs = Vec::new();
    for i in 0..12 {
        docs.push(format!(
            "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: vs{i}\nspec:\n  hosts: [a{i}]\n  http:\n  - match:\n    - uri: {{prefix: /}}\n    - uri: {{prefix: /x}}\n    route:\n    - destination: {{host: nosuch{i}}}\n"
        ));
    }
    for i in 0..12 {
        docs.push(format!(
            "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: dr{i}\nspec:\n  host: nosuch{i}\n  hostt: b\n"
        ));
    }
    docs.join("---\n").into_bytes()
}

#[test]
fn github_annotations_stop_at_githubs_limits_most_severe_first_and_say_so() {
    let input = many_findings();
    let out = run(&["analyze", "-o", "github", "-"], Some(&input));
    let text = stdout(&out);
    let report = json(&stdout(&run(&["analyze", "-o", "json", "-"], Some(&input))));
    let findings = report["diagnostics"].as_array().unwrap();
    assert_eq!(findings.len(), 36, "{text}");
    // The exit code is the one of every format.
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<&str> = text.lines().collect();
    let stop = lines
        .iter()
        .position(|l| l.starts_with("::stop-commands::"))
        .expect(&text);
    let token = lines[stop].trim_start_matches("::stop-commands::");
    assert!(token.len() > 16, "{token}");
    let end = lines
        .iter()
        .position(|l| *l == format!("::{token}::"))
        .expect("the list ends with the token");
    let commands: Vec<&str> = lines[..stop]
        .iter()
        .copied()
        .filter(|l| l.starts_with("::"))
        .collect();
    let kinds: Vec<&str> = commands
        .iter()
        .map(|c| c[2..].split([' ', ':']).next().unwrap())
        .collect();
    // 10 of each kind per step: errors first, then warnings, then 9 infos and the notice that says
    // what is not shown.
    let mut expected = vec!["error"; 10];
    expected.extend(["warning"; 10]);
    expected.extend(["notice"; 10]);
    assert_eq!(kinds, expected, "{text}");
    let notice = commands.last().unwrap();
    assert!(
        notice
            .starts_with("::notice title=meshlint::7 of 36 findings are not shown as annotations"),
        "{notice}"
    );
    assert!(
        notice.contains("-o sarif") && notice.contains("log"),
        "{notice}"
    );
    assert!(!notice.contains("file="), "{notice}");
    // Every finding is there: an annotation, or a line of the list (most severe first).
    let listed: Vec<&str> = lines[stop + 1..end]
        .iter()
        .copied()
        .filter(|l| !l.starts_with(' '))
        .collect();
    assert_eq!(listed.len(), 7, "{text}");
    let severities: Vec<&str> = listed
        .iter()
        .map(|l| l.split(": ").nth(1).unwrap().split(' ').next().unwrap())
        .collect();
    assert_eq!(
        severities,
        [
            "error", "error", "warning", "warning", "info", "info", "info"
        ],
        "{text}"
    );
    assert_eq!(lines[stop - 1], "7 findings not shown as annotations:");
    let mut seen = HashSet::new();
    for c in &commands[..29] {
        let line = c.split("line=").nth(1).unwrap().split(',').next().unwrap();
        let col = c.split(",col=").nth(1).unwrap().split(',').next().unwrap();
        let rule = c
            .split("title=")
            .nth(1)
            .unwrap()
            .split("::")
            .next()
            .unwrap();
        let rule = rule.split(' ').next().unwrap();
        seen.insert(format!("{line}:{col} {rule}"));
    }
    for l in &listed {
        let mut parts = l.splitn(4, ':');
        let (_, line, col) = (parts.next(), parts.next().unwrap(), parts.next().unwrap());
        let rule = parts
            .next()
            .unwrap()
            .split(' ')
            .nth(2)
            .unwrap()
            .trim_end_matches(':');
        seen.insert(format!("{line}:{col} {rule}"));
    }
    for f in findings {
        let key = format!(
            "{}:{} {}",
            f["line"],
            f["column"],
            f["rule"].as_str().unwrap()
        );
        assert!(
            seen.contains(&key),
            "{key} is neither an annotation nor listed:\n{text}"
        );
    }
    assert_eq!(seen.len(), 36);
    // The summary line ends the output, after the list.
    assert!(
        lines[end + 1..]
            .iter()
            .any(|l| l.contains("12 errors, 12 warnings, 12 infos")),
        "{text}"
    );
    // At the limits exactly, nothing is left out and nothing is said.
    let ten: Vec<u8> = String::from_utf8(input)
        .unwrap()
        .split("---\n")
        .take(10)
        .collect::<Vec<_>>()
        .join("---\n")
        .into_bytes();
    let text = stdout(&run(&["analyze", "-o", "github", "-"], Some(&ten)));
    assert_eq!(
        text.lines().filter(|l| l.starts_with("::")).count(),
        20,
        "{text}"
    );
    assert!(
        !text.contains("::stop-commands::") && !text.contains("not shown"),
        "{text}"
    );
}

#[test]
fn yaml_is_the_json_document() {
    let out = run(&["analyze", "-o", "yaml", "testdata/example"], None);
    assert_eq!(out.status.code(), Some(1));
    let yaml = stdout(&out);
    // meshlint's own loader reads it without a finding, and it holds every rule name of the JSON.
    let loaded = meshlint::load::load_sources(
        vec![("r.yaml".into(), yaml.clone().into_bytes())],
        &Default::default(),
    );
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let report = json(&stdout(&run(
        &["analyze", "-o", "json", "testdata/example"],
        None,
    )));
    for d in report["diagnostics"].as_array().unwrap() {
        assert!(yaml.contains(&format!("  - rule: \"{}\"", d["rule"].as_str().unwrap())));
    }
    assert!(yaml.contains("summary:\n  files: 2\n"), "{yaml}");
}

#[test]
fn the_exit_code_is_the_same_in_every_format() {
    for format in FORMATS {
        for (input, threshold, code) in [
            (CLEAN, "error", 0),
            (BROKEN, "error", 1),
            (WARNING, "error", 0),
            (WARNING, "warning", 1),
            (WARNING, "info", 1),
        ] {
            let out = run(
                &[
                    "analyze",
                    "-o",
                    format,
                    "--failure-threshold",
                    threshold,
                    "-",
                ],
                Some(input),
            );
            assert_eq!(
                out.status.code(),
                Some(code),
                "{format}, threshold {threshold}: {}",
                stdout(&out)
            );
            assert!(
                out.stderr.is_empty(),
                "{format}: nothing on stderr: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let out = run(&["analyze", "-o", format, "does/not/exist.yaml"], None);
        assert_eq!(out.status.code(), Some(2));
        assert!(
            out.stdout.is_empty(),
            "{format}: a failed run prints no report"
        );
    }
}

#[test]
fn machine_formats_are_alone_on_stdout_even_with_timings() {
    let out = run(
        &["analyze", "-o", "json", "--timings", "testdata/example"],
        None,
    );
    json(&stdout(&out));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("timings:"));
}

#[test]
fn output_files_by_format_and_the_old_plain_file() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("out.sarif");
    let junit = dir.path().join("out.xml");
    let out = run(
        &[
            "analyze",
            "testdata/example",
            "--output-file",
            &format!("sarif={}", sarif.display()),
            "--output-file",
            &format!("junit={}", junit.display()),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("subset-not-found (IST0101)"),
        "human output on stdout"
    );
    assert_eq!(
        json(&std::fs::read_to_string(&sarif).unwrap())["version"],
        "2.1.0"
    );
    assert!(
        std::fs::read_to_string(&junit)
            .unwrap()
            .starts_with("<?xml")
    );
    // A plain FILE takes the -o format instead of stdout, as before.
    let plain = dir.path().join("report.json");
    let out = run(
        &[
            "analyze",
            "-o",
            "json",
            "testdata/example",
            "--output-file",
            plain.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    json(&std::fs::read_to_string(&plain).unwrap());
    let out = run(
        &["analyze", "testdata/example", "--output-file", "sarif="],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_output_threshold_hides_but_does_not_change_the_exit_code() {
    let both = b"apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: a\nspec:\n  host: a\n  hostt: b\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: a\n   bad: [\n";
    let all = json(&stdout(&run(&["analyze", "-o", "json", "-"], Some(both))));
    assert_eq!(all["summary"]["warnings"], 1);
    let out = run(
        &[
            "analyze",
            "-o",
            "json",
            "--output-threshold",
            "error",
            "--failure-threshold",
            "warning",
            "-",
        ],
        Some(both),
    );
    let shown = json(&stdout(&out));
    assert_eq!(shown["summary"]["warnings"], 0);
    assert_eq!(shown["summary"]["errors"], 1);
    assert_eq!(out.status.code(), Some(1));
    let out = run(
        &[
            "analyze",
            "-o",
            "json",
            "--output-threshold",
            "error",
            "--failure-threshold",
            "warning",
            "-",
        ],
        Some(WARNING),
    );
    assert_eq!(json(&stdout(&out))["diagnostics"], Value::Array(Vec::new()));
    assert_eq!(
        out.status.code(),
        Some(1),
        "the hidden warning still fails the run"
    );
}

#[test]
fn human_output_is_grouped_by_file_names_helm_templates_and_never_splits_a_hostname() {
    let stream = b"---
# Source: shop/templates/vs.yaml
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: front-door-of-the-shop-with-a-long-name
  namespace: shop
spec:
  hosts: [front]
  http:
  - route:
    - destination: {host: service-a-with-a-rather-long-name.test-namespace.svc.cluster.local}
";
    let out = run(&["analyze", "-"], Some(stream));
    let text = stdout(&out);
    assert!(text.starts_with("── <stdin> ── 1 error\n"), "{text}");
    assert!(
        text.contains("╭─[<stdin> (shop/templates/vs.yaml):12:"),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l
                .contains("service-a-with-a-rather-long-name.test-namespace.svc.cluster.local")),
        "the host stays on one line: {text}"
    );
    for line in text.lines() {
        assert!(
            !line.trim_end().ends_with('-') || line.contains("──"),
            "a line broken at a hyphen: {line}"
        );
    }
    // Two files: two headers, in file order.
    let out = run(&["analyze", "testdata/example"], None);
    let text = stdout(&out);
    let headers: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("── "))
        .map(|l| l.split(" ── ").next().unwrap())
        .collect();
    let report = json(&stdout(&run(
        &["analyze", "-o", "json", "testdata/example"],
        None,
    )));
    let mut files: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    files.dedup();
    assert_eq!(headers, files, "one header per file, in order");
    assert!(!headers.is_empty());
}

/// Colour on a terminal only, and never with NO_COLOR or TERM=dumb. The terminal is a pty from
/// `script` (util-linux); without it the test says so and skips.
#[test]
fn colour_only_on_a_terminal_and_never_with_no_color_or_a_dumb_terminal() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("notice: `script` (util-linux) is absent; skipping the terminal colour test");
        return;
    }
    let on_tty = |term: &str, no_color: Option<&str>| -> String {
        let mut cmd = Command::new("script");
        cmd.args([
            "-qec",
            &format!(
                "{} analyze testdata/example",
                env!("CARGO_BIN_EXE_meshlint")
            ),
            "/dev/null",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("TERM", term)
        .env_remove("NO_COLOR")
        .stdin(Stdio::null());
        if let Some(v) = no_color {
            cmd.env("NO_COLOR", v);
        }
        String::from_utf8_lossy(&cmd.output().unwrap().stdout).into_owned()
    };
    let coloured = on_tty("xterm-256color", None);
    if !coloured.contains("subset-not-found") {
        eprintln!("notice: `script` gave no output here; skipping the terminal colour test");
        return;
    }
    assert!(coloured.contains('\u{1b}'), "colour on a terminal");
    assert!(
        !on_tty("dumb", None).contains('\u{1b}'),
        "no colour with TERM=dumb"
    );
    assert!(
        !on_tty("xterm-256color", Some("1")).contains('\u{1b}'),
        "no colour with NO_COLOR"
    );
    assert!(
        on_tty("xterm-256color", Some("")).contains('\u{1b}'),
        "an empty NO_COLOR does not count"
    );
    // Not a terminal: never.
    assert!(!stdout(&run(&["analyze", "testdata/example"], None)).contains('\u{1b}'));
}
