//! `meshlint diff` and the findings baseline: the example trees of testdata/diff (a canary
//! shift, a subset removed, a policy tightened, and a document moved to another file) in every
//! format, finding identity across files, the baseline, `--base-ref`, exit codes and bad input.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use meshlint::diff::{self, Diff, Side};
use meshlint::engine::{self, Options};
use meshlint::report;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn meshlint_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_meshlint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("meshlint runs")
}

fn meshlint(args: &[&str]) -> Output {
    meshlint_in(root(), args)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_string()
}

fn side(label: &str, paths: &[&str]) -> Side {
    let paths: Vec<String> = paths.iter().map(|p| p.to_string()).collect();
    let analysis = engine::analyze(&paths, &mut || Ok(Vec::new()), &Options::default())
        .expect("the example loads");
    Side {
        label: label.to_string(),
        analysis,
    }
}

fn sources_side(label: &str, files: &[(&str, &str)]) -> Side {
    let sources = files
        .iter()
        .map(|(p, t)| (p.to_string(), t.as_bytes().to_vec()))
        .collect();
    Side {
        label: label.into(),
        analysis: engine::analyze_sources(sources, &Options::default()).unwrap(),
    }
}

fn example() -> Diff {
    // Relative paths, as a user types them (tests run in the package root): the reports show
    // them.
    let base = side("testdata/diff/base", &["testdata/diff/base"]);
    let head = side("testdata/diff/head", &["testdata/diff/head"]);
    diff::diff(&base, &head)
}

/// The three example changes, each as the sentence a reviewer reads.
const CANARY: &str = "requests from default and shop to reviews.default:9080: reviews v1 90 % + reviews v3 10 % → reviews v1 50 % + reviews v3 50 % (VirtualService default/reviews, testdata/diff/head/reviews.yaml:34)";
const JASON: &str = "requests from default and shop to reviews.default:9080 with header end-user=jason: reviews v2 100 % → reviews v3 100 % (VirtualService default/reviews, testdata/diff/head/reviews.yaml:27)";
const SUBSET_REMOVED: &str = "requests from default and shop to ratings.default:9080: ratings v2 100 % → ratings v2 100 %, 503 NC (subset-not-found) (VirtualService default/ratings, testdata/diff/head/ratings.yaml:21)";
const TIGHTENED: &str = "POST / from namespace default to ratings-v1.default and ratings-v2.default: allowed → denied (now no rule of AuthorizationPolicy default/ratings (testdata/diff/head/ratings.yaml:29) matches; before: AuthorizationPolicy default/ratings rule 0, testdata/diff/base/ratings.yaml:38)";

fn rendered(d: &Diff) -> [(&'static str, String); 4] {
    [
        ("human", report::diff_human::render(d, false)),
        ("json", report::diff_json::render(d)),
        ("markdown", report::diff_markdown::render(d)),
        ("github", report::diff_github::render(d)),
    ]
}

/// The sentence as each format writes it (JSON escapes nothing here; GitHub escapes `%`).
fn as_written(format: &str, sentence: &str) -> String {
    match format {
        "github" => report::github::escape_data(sentence),
        _ => sentence.to_string(),
    }
}

#[test]
fn the_three_example_changes_are_sentences_in_every_format() {
    let d = example();
    for (format, out) in rendered(&d) {
        for sentence in [CANARY, JASON, SUBSET_REMOVED, TIGHTENED] {
            assert!(
                out.contains(&as_written(format, sentence)),
                "-o {format} lacks\n  {sentence}\nin\n{out}"
            );
        }
    }
    // The kinds behind the sentences.
    let kind = |needle: &str| {
        d.traffic
            .iter()
            .find(|t| t.sentence == needle)
            .map(|t| t.kind)
    };
    assert_eq!(kind(SUBSET_REMOVED), Some("fails"));
    assert_eq!(kind(CANARY), Some("changed"));
    assert!(
        d.security
            .mtls
            .iter()
            .any(|m| m.workload == "ratings-v1.default"
                && m.before == "PERMISSIVE"
                && m.after == "STRICT")
    );
}

#[test]
fn snapshots_of_every_format() {
    let d = example();
    for (format, out) in rendered(&d) {
        insta::assert_snapshot!(format!("diff_example_{format}"), out);
    }
}

#[test]
fn markdown_sections_collapse_and_json_parses() {
    let d = example();
    let md = report::diff_markdown::render(&d);
    assert_eq!(md.matches("<details").count(), 3, "{md}");
    assert_eq!(md.matches("</details>").count(), 3, "{md}");
    let v: serde_json::Value = serde_json::from_str(&report::diff_json::render(&d)).unwrap();
    assert_eq!(v["summary"]["new_findings"], 1);
    assert_eq!(v["summary"]["traffic_changes"], 3);
    assert_eq!(v["findings"]["new"][0]["rule"], "subset-not-found");
    assert_eq!(v["findings"]["fixed"][0]["rule"], "authz-requires-mtls");
}

#[test]
fn a_document_moved_to_another_file_is_still_present_not_new() {
    let d = example();
    // details is in platform.yaml on the base side and in details.yaml (other lines) on the head.
    let details = |list: &[diff::findings::Finding]| {
        list.iter()
            .filter(|f| f.resource == "Service default/details")
            .count()
    };
    assert_eq!(details(&d.findings.new), 0, "{:#?}", d.findings.new);
    assert_eq!(details(&d.findings.fixed), 0, "{:#?}", d.findings.fixed);
    assert_eq!(details(&d.findings.still), 1, "{:#?}", d.findings.still);
    let still = &d.findings.still[0];
    assert_eq!(still.path, "spec.ports[name=web].name");
    assert_eq!(
        still.at.as_ref().map(|p| p.file.as_str()),
        Some("testdata/diff/head/details.yaml")
    );

    // The same in a small pair: one document moved behind another in a new file, with a
    // second document in the same file left where it was.
    let vs = "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: cart\n  namespace: shop\nspec:\n  hosts: [cart]\n  http:\n  - route:\n    - destination:\n        host: cart\n        subset: beta\n";
    let ns = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n";
    let base = sources_side("base", &[("a.yaml", &format!("{ns}---\n{vs}"))]);
    let head = sources_side(
        "head",
        &[
            ("a.yaml", ns),
            ("moved/b.yaml", &format!("# moved\n\n{vs}")),
        ],
    );
    let d = diff::diff(&base, &head);
    assert!(
        !d.findings.still.is_empty(),
        "the VirtualService has findings"
    );
    assert!(d.findings.new.is_empty(), "{:#?}", d.findings.new);
    assert!(d.findings.fixed.is_empty(), "{:#?}", d.findings.fixed);
    assert!(d.traffic.is_empty(), "{:#?}", d.traffic);

    // A change of the offending value's place is a different finding: new and fixed.
    let vs2 = vs.replace("  - route:\n", "  - name: moved\n    route:\n");
    let head = sources_side("head", &[("a.yaml", &format!("{ns}---\n{vs2}"))]);
    let d = diff::diff(&base, &head);
    assert!(
        d.findings.new.iter().any(|f| f.rule == "unknown-host"
            && f.path == "spec.http[name=moved].route[0].destination.host"),
        "{:#?}",
        d.findings.new
    );
    assert!(
        d.findings
            .fixed
            .iter()
            .any(|f| f.rule == "unknown-host" && f.path == "spec.http[0].route[0].destination.host"),
        "{:#?}",
        d.findings.fixed
    );
}

#[test]
fn exit_codes_follow_new_findings_and_fail_on() {
    let run = |extra: &[&str]| {
        let mut args = vec![
            "diff",
            "testdata/diff/base",
            "testdata/diff/head",
            "--no-config",
        ];
        args.extend_from_slice(extra);
        meshlint(&args)
    };
    // A new error (subset-not-found).
    assert_eq!(run(&[]).status.code(), Some(1));
    // Same trees both sides: nothing new, nothing changed.
    let same = meshlint(&[
        "diff",
        "testdata/diff/head",
        "testdata/diff/head",
        "--no-config",
    ]);
    assert_eq!(same.status.code(), Some(0), "{}", text(&same.stdout));
    assert!(text(&same.stdout).contains("Traffic: 0 change(s)"));
    // base → base with the head's VirtualService only: traffic changes, no new finding.
    let tmp = tempfile::tempdir().unwrap();
    for f in ["platform.yaml", "ratings.yaml"] {
        std::fs::copy(
            root().join("testdata/diff/base").join(f),
            tmp.path().join(f),
        )
        .unwrap();
    }
    std::fs::copy(
        root().join("testdata/diff/head/reviews.yaml"),
        tmp.path().join("reviews.yaml"),
    )
    .unwrap();
    let dir = tmp.path().to_str().unwrap();
    let out = meshlint(&["diff", "testdata/diff/base", dir, "--no-config"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let out = meshlint(&[
        "diff",
        "testdata/diff/base",
        dir,
        "--no-config",
        "--fail-on",
        "traffic",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let out = meshlint(&[
        "diff",
        "testdata/diff/base",
        dir,
        "--no-config",
        "--fail-on",
        "security",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    // --base/--head is the same as BASE HEAD.
    let out = meshlint(&[
        "diff",
        "--base",
        "testdata/diff/base",
        "--head",
        dir,
        "--no-config",
        "-o",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["traffic_changes"], 2);
    // Usage errors.
    let out = meshlint(&["diff", "testdata/diff/base", "--no-config"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("expected BASE and HEAD"),
        "{}",
        text(&out.stderr)
    );
    let out = run(&["--fail-on", "trafic"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("did you mean traffic"),
        "{}",
        text(&out.stderr)
    );
    let out = meshlint(&[
        "diff",
        "testdata/diff/base",
        "testdata/diff/nothing-here",
        "--no-config",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("head side"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_side_that_fails_to_load_is_reported_and_the_diff_runs_on_the_rest() {
    let tmp = tempfile::tempdir().unwrap();
    for f in ["platform.yaml", "reviews.yaml", "ratings.yaml"] {
        std::fs::copy(
            root().join("testdata/diff/head").join(f),
            tmp.path().join(f),
        )
        .unwrap();
    }
    std::fs::write(tmp.path().join("ratings.yaml"), "kind: [unclosed\n").unwrap();
    let dir = tmp.path().to_str().unwrap();
    let out = meshlint(&["diff", "testdata/diff/base", dir, "--no-config"]);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("the head side lost") && stdout.contains("ratings.yaml (yaml-syntax"),
        "{stdout}"
    );
    // The reviews change is still reported.
    assert!(
        stdout.contains("reviews v1 50 % + reviews v3 50 %"),
        "{stdout}"
    );
    // The broken file is a new error finding.
    assert_eq!(out.status.code(), Some(1));
}

fn git(dir: &Path, args: &[&str]) -> bool {
    Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn base_ref_reads_the_base_side_from_git() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path();
    if !git(repo, &["init", "-q"]) {
        println!("notice: no usable git binary; skipping this test");
        return;
    }
    let mesh = repo.join("mesh");
    std::fs::create_dir(&mesh).unwrap();
    for f in ["platform.yaml", "reviews.yaml", "ratings.yaml"] {
        std::fs::copy(root().join("testdata/diff/base").join(f), mesh.join(f)).unwrap();
    }
    assert!(git(repo, &["add", "-A"]) && git(repo, &["commit", "-qm", "base"]));
    for f in [
        "platform.yaml",
        "reviews.yaml",
        "ratings.yaml",
        "details.yaml",
    ] {
        std::fs::copy(root().join("testdata/diff/head").join(f), mesh.join(f)).unwrap();
    }
    let out = meshlint_in(repo, &["diff", "--base-ref", "HEAD", "mesh", "--no-config"]);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("git HEAD"),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    assert!(
        stdout.contains("reviews v1 90 % + reviews v3 10 % → reviews v1 50 % + reviews v3 50 %"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Findings: 1 new, 1 fixed, 1 still present"),
        "{stdout}"
    );
    // From a subdirectory, with the default path `.`.
    let out = meshlint_in(&mesh, &["diff", "--base-ref", "HEAD", "--no-config"]);
    assert!(
        text(&out.stdout).contains("reviews v3 50 %"),
        "{}",
        text(&out.stdout)
    );

    // A reference that does not exist.
    let out = meshlint_in(
        repo,
        &[
            "diff",
            "--base-ref",
            "no-such-branch",
            "mesh",
            "--no-config",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("no-such-branch") && err.contains("no such commit"),
        "{err}"
    );
    // Paths outside a repository.
    let outside = tempfile::tempdir().unwrap();
    let out = meshlint_in(
        outside.path(),
        &["diff", "--base-ref", "HEAD", ".", "--no-config"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("git repository"),
        "{}",
        text(&out.stderr)
    );
    let out = meshlint_in(
        repo,
        &[
            "diff",
            "--base-ref",
            "HEAD",
            outside.path().to_str().unwrap(),
            "--no-config",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("is not inside this git repository"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn the_baseline_hides_exactly_what_it_recorded() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("baseline.json");
    let baseline = file.to_str().unwrap();
    // Record the base side: authz-requires-mtls (warning) and port-name (info).
    let out = meshlint(&[
        "analyze",
        "testdata/diff/base",
        "--no-config",
        "--write-baseline",
        baseline,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let recorded: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let rules: Vec<&str> = recorded["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["authz-requires-mtls", "port-name"]);

    // The base side against its own baseline: nothing left.
    let out = meshlint(&[
        "analyze",
        "testdata/diff/base",
        "--no-config",
        "--baseline",
        baseline,
        "-o",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["diagnostics"].as_array().unwrap().len(), 0, "{v}");
    assert_eq!(v["summary"]["suppressed"], 2);
    assert!(text(&out.stderr).contains("2 known finding(s) hidden, 0 baseline entries fixed"));

    // The head side: the moved port-name finding is hidden, the new subset-not-found is not,
    // and the fixed authz-requires-mtls entry is listed.
    let out = meshlint(&[
        "analyze",
        "testdata/diff/head",
        "--no-config",
        "--baseline",
        baseline,
        "-o",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let left: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .collect();
    assert_eq!(left, ["subset-not-found"], "{v}");
    assert_eq!(v["summary"]["suppressed"], 1);
    let err = text(&out.stderr);
    assert!(
        err.contains("1 known finding(s) hidden, 1 baseline entry fixed"),
        "{err}"
    );
    assert!(
        err.contains("fixed: authz-requires-mtls AuthorizationPolicy default/ratings"),
        "{err}"
    );

    // --show-suppressed names the baseline.
    let out = meshlint(&[
        "analyze",
        "testdata/diff/head",
        "--no-config",
        "--baseline",
        baseline,
        "--show-suppressed",
        "-o",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["suppressed"][0]["suppressed_by"]
            .as_str()
            .unwrap()
            .starts_with("baseline "),
        "{v}"
    );

    // An entry hides one finding, not every finding alike: a baseline with the port-name
    // entry only, against a tree with two such ports on the same path of two Services.
    let two = tmp.path().join("two.yaml");
    let svc = |name: &str| {
        format!(
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  namespace: default\nspec:\n  ports:\n  - name: web\n    port: 80\n"
        )
    };
    std::fs::write(&two, svc("a")).unwrap();
    let one_file = tmp.path().join("one.json");
    let out = meshlint(&[
        "analyze",
        two.to_str().unwrap(),
        "--no-config",
        "--write-baseline",
        one_file.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    std::fs::write(&two, format!("{}---\n{}", svc("a"), svc("b"))).unwrap();
    let out = meshlint(&[
        "analyze",
        two.to_str().unwrap(),
        "--no-config",
        "--baseline",
        one_file.to_str().unwrap(),
        "-o",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let left: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["resource"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(left, ["b"], "{v}");

    // A broken baseline file is a usage error.
    std::fs::write(&file, "{\"findings\": 3}").unwrap();
    let out = meshlint(&[
        "analyze",
        "testdata/diff/head",
        "--no-config",
        "--baseline",
        baseline,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("not a meshlint baseline"),
        "{}",
        text(&out.stderr)
    );
}

const PLATFORM: &str = include_str!("../testdata/diff/base/platform.yaml");

fn reviews_vs(http: &str) -> String {
    format!(
        "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: reviews\n  namespace: default\nspec:\n  host: reviews\n  subsets:\n  - name: v1\n    labels: {{version: v1}}\n  - name: v2\n    labels: {{version: v2}}\n---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: reviews\n  namespace: default\nspec:\n  hosts: [reviews]\n  http:\n{http}"
    )
}

#[test]
fn a_route_that_becomes_unreachable_is_said_so() {
    let jason = "  - name: jason\n    match:\n    - headers:\n        end-user:\n          exact: jason\n    route:\n    - destination:\n        host: reviews\n        subset: v2\n";
    let rest = "  - route:\n    - destination:\n        host: reviews\n        subset: v1\n";
    let base = sources_side(
        "base",
        &[
            ("platform.yaml", PLATFORM),
            ("reviews.yaml", &reviews_vs(&format!("{jason}{rest}"))),
        ],
    );
    // The catch-all moved in front of jason's route.
    let head = sources_side(
        "head",
        &[
            ("platform.yaml", PLATFORM),
            ("reviews.yaml", &reviews_vs(&format!("{rest}{jason}"))),
        ],
    );
    let d = diff::diff(&base, &head);
    let t = d
        .traffic
        .iter()
        .find(|t| t.request == "with header end-user=jason")
        .unwrap_or_else(|| panic!("{:#?}", d.traffic));
    assert_eq!(t.kind, "unreachable");
    assert_eq!(t.before, "reviews v2 100 %");
    assert_eq!(t.after, "reviews v1 100 %");
    assert!(
        t.sentence.ends_with(
            "; VirtualService default/reviews http[1] (jason) becomes unreachable: VirtualService default/reviews http[0] takes its requests first"
        ),
        "{}",
        t.sentence
    );
    // The plain request is not affected.
    assert!(
        d.traffic.iter().all(|t| !t.request.is_empty()),
        "{:#?}",
        d.traffic
    );
}

#[test]
fn a_host_no_longer_visible_makes_traffic_fail() {
    let ratings = "apiVersion: v1\nkind: Service\nmetadata:\n  name: ratings\n  namespace: default\nspec:\n  selector: {app: ratings}\n  ports:\n  - name: http\n    port: 9080\n";
    let platform = PLATFORM.replace(ratings, "");
    assert_ne!(platform, PLATFORM, "the platform holds the ratings Service");
    let hidden = ratings.replace(
        "  namespace: default\n",
        "  namespace: default\n  annotations:\n    networking.istio.io/exportTo: \".\"\n",
    );
    let base = sources_side(
        "base",
        &[("platform.yaml", &platform), ("ratings.yaml", ratings)],
    );
    let head = sources_side(
        "head",
        &[("platform.yaml", &platform), ("ratings.yaml", &hidden)],
    );
    let d = diff::diff(&base, &head);
    let t = d
        .traffic
        .iter()
        .find(|t| t.clients == ["shop"])
        .unwrap_or_else(|| panic!("{:#?}", d.traffic));
    // Without a VirtualService the client's proxy passes the request through unrouted
    // (outboundTrafficPolicy ALLOW_ANY, Istio's default).
    assert_eq!(t.kind, "changed", "{t:#?}");
    assert_eq!(t.before, "ratings 100 %");
    assert_eq!(
        t.after,
        "ratings 100 %, Service default/ratings is not exported to namespace shop: outboundTrafficPolicy ALLOW_ANY passes it through to the Service address unrouted (no VirtualService, no DestinationRule, no mTLS)"
    );
    // With REGISTRY_ONLY it fails.
    let mesh_config = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: istio\n  namespace: istio-system\ndata:\n  mesh: |\n    outboundTrafficPolicy:\n      mode: REGISTRY_ONLY\n";
    let base = sources_side(
        "base",
        &[
            ("platform.yaml", &platform),
            ("ratings.yaml", ratings),
            ("mesh.yaml", mesh_config),
        ],
    );
    let head = sources_side(
        "head",
        &[
            ("platform.yaml", &platform),
            ("ratings.yaml", &hidden),
            ("mesh.yaml", mesh_config),
        ],
    );
    let d = diff::diff(&base, &head);
    let t = d
        .traffic
        .iter()
        .find(|t| t.clients == ["shop"])
        .unwrap_or_else(|| panic!("{:#?}", d.traffic));
    assert_eq!(t.kind, "fails", "{t:#?}");
    assert!(t.after.contains("502 (host-not-visible)"), "{t:#?}");
    // Clients in default still see it: no change for them.
    assert!(
        d.traffic
            .iter()
            .all(|t| !t.clients.contains(&"default".to_string())),
        "{:#?}",
        d.traffic
    );
}

#[test]
fn ingress_routes_are_compared_from_the_gateway() {
    let gateway = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: istio-system\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: istio-ingressgateway\n  namespace: istio-system\nspec:\n  selector:\n    matchLabels: {istio: ingressgateway}\n  template:\n    metadata:\n      labels: {istio: ingressgateway, sidecar.istio.io/inject: \"false\"}\n    spec:\n      containers:\n      - name: istio-proxy\n        image: docker.io/istio/proxyv2:1.28.0\n        ports:\n        - containerPort: 8080\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: istio-ingressgateway\n  namespace: istio-system\nspec:\n  selector: {istio: ingressgateway}\n  ports:\n  - name: http2\n    port: 80\n    targetPort: 8080\n---\napiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata:\n  name: public\n  namespace: default\nspec:\n  selector: {istio: ingressgateway}\n  servers:\n  - port: {number: 8080, name: http, protocol: HTTP}\n    hosts: [\"shop.example.com\"]\n";
    let vs = |a: u32, b: u32| {
        format!(
            "{}---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: shop-ingress\n  namespace: default\nspec:\n  hosts: [shop.example.com]\n  gateways: [public]\n  http:\n  - route:\n    - destination:\n        host: reviews\n        subset: v1\n      weight: {a}\n    - destination:\n        host: reviews\n        subset: v2\n      weight: {b}\n",
            reviews_vs(
                "  - route:\n    - destination:\n        host: reviews\n        subset: v1\n"
            )
        )
    };
    let base = sources_side(
        "base",
        &[
            ("platform.yaml", PLATFORM),
            ("gateway.yaml", gateway),
            ("routes.yaml", &vs(100, 0)),
        ],
    );
    let head = sources_side(
        "head",
        &[
            ("platform.yaml", PLATFORM),
            ("gateway.yaml", gateway),
            ("routes.yaml", &vs(80, 20)),
        ],
    );
    let d = diff::diff(&base, &head);
    let sentences: Vec<&str> = d.traffic.iter().map(|t| t.sentence.as_str()).collect();
    assert_eq!(
        sentences,
        [
            "requests from ingress istio-ingressgateway.istio-system (Gateway default/public) to shop.example.com:8080: reviews v1 100 % → reviews v1 80 % + reviews v2 20 % (VirtualService default/shop-ingress, routes.yaml:36)"
        ],
        "{:#?}",
        d.traffic
    );
}

// ---- TCP and TLS routes -------------------------------------------------------------------------

/// testdata/diff/tcp: a TCP canary on mysql.db:3306 and a TLS canary on api.example.com:443.
fn l4_example() -> Diff {
    let base = side("testdata/diff/tcp/base", &["testdata/diff/tcp/base"]);
    let head = side("testdata/diff/tcp/head", &["testdata/diff/tcp/head"]);
    diff::diff(&base, &head)
}

const TCP_CANARY: &str = "TCP connections from db and shop to mysql.db:3306: mysql v1 100 % → mysql v1 80 % + mysql v2 20 % (VirtualService db/mysql, testdata/diff/tcp/head/mysql.yaml:25)";
const TLS_CANARY: &str = "TLS connections from db and shop to api.example.com:443 with SNI api.example.com: api.example.com 100 % → api.example.com 90 % + api-canary.example.com 10 % (VirtualService shop/api, testdata/diff/tcp/head/api.yaml:28)";

#[test]
fn tcp_and_tls_route_changes_are_sentences_in_every_format() {
    let d = l4_example();
    assert_eq!(d.traffic.len(), 2, "{:#?}", d.traffic);
    for (format, out) in rendered(&d) {
        for sentence in [TCP_CANARY, TLS_CANARY] {
            assert!(
                out.contains(&as_written(format, sentence)),
                "-o {format} lacks\n  {sentence}\nin\n{out}"
            );
        }
    }
    let by = |s: &str| d.traffic.iter().find(|t| t.sentence == s).unwrap();
    assert_eq!(by(TCP_CANARY).protocol, "tcp");
    assert_eq!(by(TCP_CANARY).kind, "changed");
    assert_eq!(by(TLS_CANARY).protocol, "tls");
    assert_eq!(by(TLS_CANARY).request, "with SNI api.example.com");
    let v: serde_json::Value = serde_json::from_str(&report::diff_json::render(&d)).unwrap();
    let protocols: Vec<&str> = v["traffic"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["protocol"].as_str().unwrap())
        .collect();
    assert_eq!(protocols, ["tls", "tcp"]);
}

#[test]
fn snapshots_of_every_format_for_tcp_and_tls() {
    let d = l4_example();
    for (format, out) in rendered(&d) {
        insta::assert_snapshot!(format!("diff_tcp_tls_{format}"), out);
    }
}

const API_SE: &str = "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: api\n  namespace: default\nspec:\n  hosts: [api.example.com, a.example.net, b.example.net, c.example.net]\n  location: MESH_EXTERNAL\n  resolution: DNS\n  ports:\n  - number: 443\n    name: tls\n    protocol: TLS\n";

fn api_vs(routes: &str) -> String {
    format!(
        "{API_SE}---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: api\n  namespace: default\nspec:\n  hosts: [api.example.com]\n{routes}"
    )
}

fn tls_route(sni: &str, dest: &str) -> String {
    format!(
        "  - match:\n    - sniHosts: [\"{sni}\"]\n    route:\n    - destination:\n        host: {dest}\n"
    )
}

#[test]
fn a_tls_connection_takes_the_route_of_its_exact_sni_before_an_earlier_wildcard() {
    // The wildcard route comes first, but Envoy picks the filter chain of the exact server name.
    let routes = |exact_dest: &str| {
        format!(
            "  tls:\n{}{}",
            tls_route("*.example.com", "a.example.net"),
            tls_route("api.example.com", exact_dest)
        )
    };
    let base = sources_side(
        "base",
        &[
            ("platform.yaml", PLATFORM),
            ("api.yaml", &api_vs(&routes("b.example.net"))),
        ],
    );
    let head = sources_side(
        "head",
        &[
            ("platform.yaml", PLATFORM),
            ("api.yaml", &api_vs(&routes("c.example.net"))),
        ],
    );
    let d = diff::diff(&base, &head);
    let t = d
        .traffic
        .iter()
        .find(|t| t.host == "api.example.com")
        .unwrap_or_else(|| panic!("{:#?}", d.traffic));
    assert_eq!(t.protocol, "tls");
    assert_eq!(t.before, "b.example.net 100 %");
    assert_eq!(t.after, "c.example.net 100 %");
    // The place is tls[1]: after the ServiceEntry, `---`, the VirtualService's 8 lines up to
    // `tls:` and the 5 lines of tls[0].
    let at = t.at.as_ref().unwrap();
    assert_eq!(at.resource.as_deref(), Some("VirtualService default/api"));
    assert_eq!(at.line, API_SE.lines().count() + 1 + 8 + 5 + 1);
}

#[test]
fn a_tls_connection_no_tls_route_takes_falls_back_to_the_tcp_routes() {
    let tcp = "  tcp:\n  - route:\n    - destination:\n        host: a.example.net\n";
    let base = sources_side(
        "base",
        &[
            ("platform.yaml", PLATFORM),
            (
                "api.yaml",
                &api_vs(&format!(
                    "  tls:\n{}{tcp}",
                    tls_route("api.example.com", "b.example.net")
                )),
            ),
        ],
    );
    // The head's tls route names another SNI host: api.example.com now takes the tcp route.
    let head = sources_side(
        "head",
        &[
            ("platform.yaml", PLATFORM),
            (
                "api.yaml",
                &api_vs(&format!(
                    "  tls:\n{}{tcp}",
                    tls_route("www.example.com", "b.example.net")
                )),
            ),
        ],
    );
    let d = diff::diff(&base, &head);
    let t = d
        .traffic
        .iter()
        .find(|t| t.host == "api.example.com")
        .unwrap_or_else(|| panic!("{:#?}", d.traffic));
    assert_eq!(
        (t.before.as_str(), t.after.as_str()),
        ("b.example.net 100 %", "a.example.net 100 %")
    );
    assert!(
        t.sentence.starts_with("TLS connections from "),
        "{}",
        t.sentence
    );
}

#[test]
fn a_tcp_route_for_one_source_namespace_changes_only_that_namespace() {
    let tcp = |shop_subset: &str| {
        reviews_vs("  - route:\n    - destination:\n        host: reviews\n").replace(
            "  http:\n  - route:\n    - destination:\n        host: reviews\n",
            &format!("  tcp:\n  - match:\n    - sourceNamespace: shop\n    route:\n    - destination:\n        host: reviews\n        subset: {shop_subset}\n  - route:\n    - destination:\n        host: reviews\n        subset: v1\n"),
        )
    };
    // reviews' port declared TCP.
    let platform = PLATFORM.replace(
        "  name: reviews\n  namespace: default\nspec:\n  selector: {app: reviews}\n  ports:\n  - name: http\n",
        "  name: reviews\n  namespace: default\nspec:\n  selector: {app: reviews}\n  ports:\n  - name: tcp\n",
    );
    assert_ne!(
        platform, PLATFORM,
        "the reviews Service of platform.yaml is as expected"
    );
    let base = sources_side(
        "base",
        &[("platform.yaml", &platform), ("reviews.yaml", &tcp("v1"))],
    );
    let head = sources_side(
        "head",
        &[("platform.yaml", &platform), ("reviews.yaml", &tcp("v2"))],
    );
    let d = diff::diff(&base, &head);
    let t = d
        .traffic
        .iter()
        .find(|t| t.host == "reviews.default")
        .unwrap_or_else(|| panic!("{:#?}", d.traffic));
    assert_eq!(t.clients, ["shop"], "{:#?}", d.traffic);
    assert_eq!(t.protocol, "tcp");
    assert_eq!(
        (t.before.as_str(), t.after.as_str()),
        ("reviews v1 100 %", "reviews v2 100 %")
    );
    assert_eq!(
        d.traffic
            .iter()
            .filter(|t| t.host == "reviews.default")
            .count(),
        1
    );
}
