//! mTLS and authorization: the effective modes of `mesh::mtls`, the evaluator of `authz`, the
//! `authz check` command, and the scenarios of `../shared/scenarios` (skipped with a notice when
//! `../shared` is absent).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use meshlint::authz::{self, Action, Outcome, Peer, PolicyIndex, Request};
use meshlint::engine::{self, Analysis, Options};
use meshlint::mesh::mtls::{ClientMode, ClientOrigin, MtlsScope, ServerMode};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn meshlint(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_meshlint"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("meshlint runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", stdout(o), stderr(o)))
}

fn shared() -> Option<PathBuf> {
    let p = root().join("../shared/scenarios");
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("notice: ../shared is absent; skipping this scenario test");
        None
    }
}

fn analyze(paths: &[&str]) -> Analysis {
    let paths: Vec<String> = paths
        .iter()
        .map(|p| root().join(p).to_string_lossy().into_owned())
        .collect();
    engine::analyze(&paths, &mut || Ok(Vec::new()), &Options::default()).expect("inputs load")
}

fn analyze_files(files: &[PathBuf], patch: impl Fn(&str) -> String) -> Analysis {
    let mut sources = Vec::new();
    for f in files {
        let entries: Vec<PathBuf> = if f.is_dir() {
            let mut v: Vec<PathBuf> = std::fs::read_dir(f)
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            v.sort();
            v
        } else {
            vec![f.clone()]
        };
        for e in entries {
            let text = std::fs::read_to_string(&e).unwrap();
            sources.push((e.to_string_lossy().into_owned(), patch(&text).into_bytes()));
        }
    }
    engine::analyze_sources(sources, &Options::default()).expect("sources load")
}

fn findings<'a>(a: &'a Analysis, rule: &str) -> Vec<&'a meshlint::diag::Diagnostic> {
    a.diagnostics
        .iter()
        .filter(|d| d.rule.name == rule)
        .collect()
}

// ---- server side: PeerAuthentication precedence ----------------------------------------------

#[test]
fn peer_authentication_precedence_and_port_keys() {
    let a = analyze(&["testdata/authz/precedence.yaml"]);
    let mesh = &a.mesh;
    let ledger = mesh.find_workload("ledger", "pay").unwrap();
    let cashier = mesh.find_workload("cashier", "pay").unwrap();
    let frontend = mesh.find_workload("frontend", "web").unwrap();
    // Workload DISABLE beats namespace PERMISSIVE; the root-namespace selector policy is ignored.
    let m = mesh.server_mtls(ledger, None);
    assert_eq!(
        (m.mode, m.scope),
        (ServerMode::Disable, MtlsScope::Workload)
    );
    // Port-level keys are container ports: Service port 80 reaches 8080, which is STRICT.
    let svc = mesh.visible_services("ledger.pay.svc.cluster.local", "pay")[0];
    let target = mesh.target_port(&a.model, svc, 80, ledger);
    assert_eq!(target, Some(8080));
    let m = mesh.server_mtls(ledger, target);
    assert_eq!((m.mode, m.scope), (ServerMode::Strict, MtlsScope::Port));
    // Service port 9090 reaches the named container port 9091: the `9090` key does not apply,
    // and the `9091: UNSET` entry inherits the workload's DISABLE.
    let admin = mesh.target_port(&a.model, svc, 9090, ledger);
    assert_eq!(admin, Some(9091));
    assert_eq!(mesh.server_mtls(ledger, admin).mode, ServerMode::Disable);
    // Namespace PERMISSIVE beats mesh STRICT.
    let m = mesh.server_mtls(cashier, None);
    assert_eq!(
        (m.mode, m.scope),
        (ServerMode::Permissive, MtlsScope::Namespace)
    );
    // A namespace UNSET inherits the mesh's STRICT.
    let m = mesh.server_mtls(frontend, None);
    assert_eq!((m.mode, m.scope), (ServerMode::Strict, MtlsScope::Mesh));

    // Auto mTLS (the default) decides from the namespace's mode (PERMISSIVE: mTLS), so a
    // frontend client sends mTLS to ledger:9090, whose container port is DISABLE: refused.
    let client = mesh.client_tls(
        &a.model,
        meshlint::mesh::mtls::Caller {
            namespace: "web",
            sidecar: true,
        },
        svc,
        9090,
        None,
    );
    assert_eq!(client.mode, ClientMode::Auto);
    assert_eq!(client.origin, ClientOrigin::NoDestinationRule);
    let conn = mesh.connect(&client, ledger, admin);
    assert!(!conn.accepted, "{conn:?}");
    // ... and to port 80 (container 8080, STRICT) it works, with identity.
    let conn = mesh.connect(&client, ledger, target);
    assert!(conn.accepted && conn.identity, "{conn:?}");
    // The workload-level DISABLE is what clients cannot meet: mtls-mismatch on that policy.
    let mismatch = findings(&a, "mtls-mismatch");
    assert_eq!(mismatch.len(), 1, "{mismatch:#?}");
    assert_eq!(
        mismatch[0].resource.as_ref().map(|r| r.name.as_str()),
        Some("ledger")
    );
}

// ---- the evaluator ---------------------------------------------------------------------------

fn policies_fixture() -> (Analysis, Vec<authz::AppliedPolicy>) {
    let a = analyze(&["testdata/authz/policies.yaml"]);
    let index = PolicyIndex::build(&a.model, &a.mesh);
    let api = a.mesh.find_workload("api", "shop").unwrap();
    let applied = index.for_workload(&a.model, &a.mesh, api);
    (a, applied)
}

fn request(from_web: bool, method: &str, path: &str, port: u32) -> Request {
    Request {
        peer: from_web.then(|| Peer::parse("cluster.local/ns/shop/sa/web").unwrap()),
        port: Some(port),
        http: port != 5432,
        method: Some(method.into()),
        path: Some(path.into()),
        ..Request::default()
    }
}

#[test]
fn policies_in_evaluation_order_with_special_cases() {
    let (a, applied) = policies_fixture();
    let listed: Vec<(&str, Action, bool, bool)> = applied
        .iter()
        .map(|p| {
            (
                a.model.authorization_policies[p.index].name(),
                p.action,
                p.dry_run,
                p.applies,
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("ext-authz", Action::Custom, false, true),
            ("deny-admin-dry-run", Action::Deny, true, true),
            ("gateway-only", Action::Deny, false, false),
            ("allow-web", Action::Allow, false, true),
            ("root-audit", Action::Audit, false, true),
        ]
    );
    let scopes: Vec<authz::Scope> = applied.iter().map(|p| p.scope).collect();
    assert_eq!(scopes[4], authz::Scope::Root);
    assert_eq!(scopes[2], authz::Scope::Namespace);
}

#[test]
fn evaluator_decisions() {
    let (a, applied) = policies_fixture();
    let name = |d: &authz::Decision| d.policy.map(|i| a.model.authorization_policies[i].name());
    // Allowed by the ALLOW rule; the targetRef deny-all does not apply to a sidecar; AUDIT logs.
    let d = authz::evaluate(&a.model, &applied, &request(true, "GET", "/items", 8080));
    assert!(d.allowed, "{d:?}");
    assert_eq!((name(&d), d.rule), (Some("allow-web"), Some(0)));
    assert_eq!(d.audit.len(), 1);
    // The dry-run DENY would match /admin but is not enforced.
    let d = authz::evaluate(&a.model, &applied, &request(true, "GET", "/admin/x", 8080));
    assert!(d.allowed);
    assert_eq!(d.dry_run.len(), 1);
    // Not GET: implicit deny.
    let d = authz::evaluate(&a.model, &applied, &request(true, "POST", "/items", 8080));
    assert_eq!(d.outcome, Outcome::Denied);
    assert!(d.policy.is_none() && d.reason.starts_with("implicit deny"));
    // Plaintext: no principal, implicit deny.
    assert!(!authz::evaluate(&a.model, &applied, &request(false, "GET", "/items", 8080)).allowed);
    // CUSTOM matches /orders: the provider decides.
    let d = authz::evaluate(&a.model, &applied, &request(true, "GET", "/orders/1", 8080));
    assert_eq!(
        (d.outcome, name(&d)),
        (Outcome::Provider, Some("ext-authz"))
    );
    assert!(!d.allowed);
    // TCP port: the ALLOW rule (methods) is skipped, so the connection is denied.
    let d = authz::evaluate(&a.model, &applied, &request(true, "GET", "/", 5432));
    assert_eq!(d.outcome, Outcome::Denied);
    // Both the ALLOW rule and the CUSTOM rule (paths) are HTTP-only there.
    assert_eq!(d.skipped_on_tcp.len(), 2);
}

// ---- rules on the fixtures ---------------------------------------------------------------------

#[test]
fn mtls_mismatch_only_without_auto_mtls() {
    let bad = root().join("testdata/rules/mtls-mismatch/bad.yaml");
    let off = analyze_files(std::slice::from_ref(&bad), str::to_string);
    let names: Vec<&str> = findings(&off, "mtls-mismatch")
        .iter()
        .filter_map(|d| d.resource.as_ref().map(|r| r.name.as_str()))
        .collect();
    // reviews-from-web: the workloadSelector rule that frontend's web takes for reviews.
    assert_eq!(names, ["reviews", "ratings", "reviews-from-web"]);
    // With automatic mTLS on, the reviews rule (no TLS) falls back to auto mTLS: fine. The
    // explicit DISABLEs of the ratings and reviews-from-web rules still meet a STRICT server.
    let on = analyze_files(&[bad], |t| {
        t.replace("enableAutoMtls: false", "enableAutoMtls: true")
    });
    let names: Vec<&str> = findings(&on, "mtls-mismatch")
        .iter()
        .filter_map(|d| d.resource.as_ref().map(|r| r.name.as_str()))
        .collect();
    assert_eq!(names, ["ratings", "reviews-from-web"]);
}

// ---- scenarios ---------------------------------------------------------------------------------

#[test]
fn scenario_mtls_override() {
    let Some(s) = shared() else { return };
    let files = [s.join("mtls-override"), s.join("bookinfo-platform")];
    let a = analyze_files(&files, str::to_string);
    let found = findings(&a, "mtls-mismatch");
    assert_eq!(found.len(), 1, "{found:#?}");
    let d = found[0];
    let r = d.resource.as_ref().unwrap();
    assert_eq!(
        (r.kind.as_str(), r.name.as_str()),
        ("DestinationRule", "reviews")
    );
    assert!(d.message.contains("not merged"), "{}", d.message);
    assert!(d.message.contains("*.local"), "{}", d.message);
    // The rule for the Kubernetes API (a Service every cluster has) is fine: no finding at all.
    let on_api_server: Vec<_> = a
        .diagnostics
        .iter()
        .filter(|d| d.resource.as_ref().is_some_and(|r| r.name == "api-server"))
        .collect();
    assert!(on_api_server.is_empty(), "{on_api_server:#?}");
    // The MeshPolicy: removed-api names the replacement.
    let removed = findings(&a, "removed-api");
    assert!(
        removed.iter().any(|d| d
            .help
            .as_deref()
            .is_some_and(|h| h.contains("PeerAuthentication"))),
        "{removed:#?}"
    );
    // Automatic mTLS on (the default): no mismatch.
    let on = analyze_files(&files, |t| {
        t.replace("enableAutoMtls: false", "enableAutoMtls: true")
    });
    assert!(findings(&on, "mtls-mismatch").is_empty());
}

#[test]
fn scenario_seed_intro_gateway_alone() {
    let Some(s) = shared() else { return };
    let a = analyze_files(&[s.join("seed-intro-gateway")], str::to_string);
    assert_eq!(findings(&a, "authz-no-workload").len(), 2);
    let principal = findings(&a, "authz-unknown-principal");
    assert_eq!(principal.len(), 1);
    assert_eq!(principal[0].severity, meshlint::diag::Severity::Info);
    assert_eq!(findings(&a, "yaml-syntax").len(), 1);
}

/// The questions of the scenarios README, on a path set (the fixed copy or ../shared).
fn seed_questions(paths: &[&str]) {
    let base: Vec<&str> = [&["authz", "check", "some-application.test"][..], paths].concat();
    let out = meshlint(&base);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let text = stdout(&out);
    assert!(
        text.contains("test/access-allow-policy") && text.contains("test/deny-policy"),
        "{text}"
    );
    let ask = |extra: &[&str]| {
        let args: Vec<&str> = [&base[..], &["-o", "json"], extra].concat();
        let out = meshlint(&args);
        (out.status.code(), json(&out))
    };
    let sa = "cluster.local/ns/test/sa/authorized-service-account";
    let (code, v) = ask(&[
        "--from",
        sa,
        "--method",
        "POST",
        "--path",
        "/some-important-request",
    ]);
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(v["decision"]["allowed"], true);
    assert_eq!(v["decision"]["policy"], "test/access-allow-policy");
    assert_eq!(v["decision"]["rule"], 0);
    let (code, v) = ask(&[
        "--from",
        sa,
        "--method",
        "GET",
        "--path",
        "/some-important-request",
    ]);
    assert_eq!(code, Some(1));
    assert_eq!(v["decision"]["allowed"], false);
    assert!(
        v["decision"]["reason"]
            .as_str()
            .unwrap()
            .starts_with("implicit deny")
    );
    for method in ["GET", "POST"] {
        let (code, v) = ask(&[
            "--from",
            sa,
            "--method",
            method,
            "--path",
            "/forbidden-path",
        ]);
        assert_eq!(code, Some(1));
        assert_eq!(v["decision"]["policy"], "test/deny-policy");
    }
}

#[test]
fn seed_intro_questions_on_the_fixed_copy() {
    seed_questions(&["testdata/authz/seed-intro"]);
    let a = analyze(&["testdata/authz/seed-intro"]);
    assert!(findings(&a, "authz-no-workload").is_empty());
    assert!(findings(&a, "yaml-syntax").is_empty());
}

#[test]
fn seed_intro_questions_on_the_scenarios() {
    let Some(s) = shared() else { return };
    let (g, w) = (s.join("seed-intro-gateway"), s.join("seed-intro-workload"));
    // The broken file is reported and does not stop the query.
    let out = meshlint(&[
        "authz",
        "check",
        "some-application.test",
        g.to_str().unwrap(),
        w.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("yaml-syntax"), "{}", stderr(&out));
    seed_questions(&[g.to_str().unwrap(), w.to_str().unwrap()]);
    // testdata/authz/seed-intro is these files with the indentation fixed, and nothing else.
    let broken = std::fs::read_to_string(g.join("virtualservice-broken-indent.yaml")).unwrap();
    let fixed = root().join("testdata/authz/seed-intro");
    assert_eq!(
        broken.replacen("\n exportTo:", "\n  exportTo:", 1),
        std::fs::read_to_string(fixed.join("virtualservice.yaml")).unwrap()
    );
    for (dir, file) in [
        (&g, "authz.yaml"),
        (&g, "gateway.yaml"),
        (&w, "workload.yaml"),
    ] {
        assert_eq!(
            std::fs::read_to_string(dir.join(file)).unwrap(),
            std::fs::read_to_string(fixed.join(file)).unwrap(),
            "{file}"
        );
    }
    let a = analyze_files(&[g, w], str::to_string);
    assert!(findings(&a, "authz-no-workload").is_empty());
}

// ---- the command ---------------------------------------------------------------------------------

#[test]
fn json_follows_the_design() {
    let out = meshlint(&[
        "authz",
        "check",
        "ledger.pay",
        "testdata/authz/precedence.yaml",
        "-o",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["workload"]["name"], "ledger");
    assert_eq!(v["workload"]["kind"], "Deployment");
    let mtls = v["mtls"].as_array().unwrap();
    let port = |n: u64| mtls.iter().find(|m| m["port"] == n).unwrap();
    assert_eq!(port(8080)["mode"], "STRICT");
    assert_eq!(port(8080)["source"]["name"], "ledger");
    assert!(port(8080)["source"]["line"].as_u64().unwrap() > 0);
    assert_eq!(port(9091)["mode"], "DISABLE");
    assert!(v.get("decision").is_none());
    assert!(v["policies"].as_array().unwrap().is_empty());

    let out = meshlint(&[
        "authz",
        "check",
        "api.shop",
        "testdata/authz/policies.yaml",
        "-o",
        "json",
        "--from",
        "web.shop",
        "--path",
        "/items",
        "--port",
        "80",
    ]);
    let v = json(&out);
    let p = &v["policies"][0];
    for key in [
        "name",
        "namespace",
        "action",
        "scope",
        "rules",
        "file",
        "line",
    ] {
        assert!(p.get(key).is_some(), "{key} missing in {p}");
    }
    assert_eq!(v["decision"]["allowed"], true, "{v}");
    assert_eq!(v["decision"]["port"], 8080);
    assert_eq!(
        v["decision"]["mtls"]["identity"],
        "cluster.local/ns/shop/sa/web"
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn unknown_ambiguous_and_malformed() {
    let out = meshlint(&[
        "authz",
        "check",
        "legder.pay",
        "testdata/authz/precedence.yaml",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("did you mean ledger.pay"),
        "{}",
        stderr(&out)
    );

    let out = meshlint(&[
        "authz",
        "check",
        "cache.shop",
        "testdata/authz/ambiguous.yaml",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("deployment/cache.shop") && err.contains("statefulset/cache.shop"),
        "{err}"
    );
    let out = meshlint(&[
        "authz",
        "check",
        "statefulset/cache.shop",
        "testdata/authz/ambiguous.yaml",
        "-o",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json(&out)["workload"]["kind"], "StatefulSet");

    for bad in [
        &["--from", "nodot"][..],
        &["--from", "web.shop", "-H", "no colon"],
        &["--from", "cluster.local/ns/shop"],
        &["--method", "GET"],
        &["--from", "web.shop", "--port", "7"],
        &["--from", "web.shop", "--port", "70000"],
    ] {
        let args: Vec<&str> = [
            &["authz", "check", "api.shop", "testdata/authz/policies.yaml"][..],
            bad,
        ]
        .concat();
        let out = meshlint(&args);
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {}", stderr(&out));
        assert!(!stderr(&out).is_empty());
    }
}

#[test]
fn human_table_names_the_deciding_rule_and_mtls() {
    let out = meshlint(&[
        "authz",
        "check",
        "api.shop",
        "testdata/authz/policies.yaml",
        "--from",
        "external",
        "--path",
        "/items",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("CUSTOM  shop/ext-authz"), "{text}");
    assert!(text.contains("not enforced: istio.io/dry-run"), "{text}");
    assert!(text.contains("not enforced: targetRef"), "{text}");
    assert!(text.contains("plaintext"), "{text}");
    assert!(text.contains("DENIED: implicit deny"), "{text}");
}

#[test]
fn terminal_control_characters_in_inputs_are_escaped() {
    let dir = std::env::temp_dir().join(format!("meshlint-authz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("w.yaml");
    std::fs::write(
        &file,
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: ns\n  labels:\n    app: \"x\\e[2Jy\\u202Ez\"\nspec:\n  containers:\n  - name: c\n    image: i\n",
    )
    .unwrap();
    let out = meshlint(&["authz", "check", "p.ns", file.to_str().unwrap()]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{202e}'),
        "{text:?}"
    );
    assert!(text.contains("\\u{1b}[2Jy\\u{202e}z"), "{text}");
}

#[test]
fn request_principal_headers_and_require_mtls() {
    let a = analyze(&["testdata/authz/policies.yaml"]);
    let index = PolicyIndex::build(&a.model, &a.mesh);
    let w = a.mesh.find_workload("jwt-api", "shop").unwrap();
    let applied = index.for_workload(&a.model, &a.mesh, w);
    let name = |d: &authz::Decision| d.policy.map(|i| a.model.authorization_policies[i].name());
    let base = Request {
        peer: Peer::parse("cluster.local/ns/shop/sa/web"),
        port: Some(8080),
        http: true,
        method: Some("GET".into()),
        path: Some("/".into()),
        headers: vec![("X-Tenant".into(), "acme".into())],
        request_principal: Some("https://issuer.example.com/alice".into()),
        ..Request::default()
    };
    let d = authz::evaluate(&a.model, &applied, &base);
    assert_eq!((d.allowed, name(&d)), (true, Some("jwt-allow")), "{d:?}");
    // Without a token, or with another tenant: implicit deny.
    let no_jwt = Request {
        request_principal: None,
        ..base.clone()
    };
    assert!(!authz::evaluate(&a.model, &applied, &no_jwt).allowed);
    let other = Request {
        headers: vec![("x-tenant".into(), "globex".into())],
        ..base.clone()
    };
    assert!(!authz::evaluate(&a.model, &applied, &other).allowed);
    // `notPrincipals: ["*"]` denies plaintext (no identity) and nothing else.
    let plain = Request {
        peer: None,
        ..base.clone()
    };
    let d = authz::evaluate(&a.model, &applied, &plain);
    assert_eq!(
        (d.outcome, name(&d)),
        (Outcome::Denied, Some("require-mtls"))
    );
}

/// The query's path (`PolicyIndex::for_one_workload`, no index) and the rules' (`PolicyIndex`)
/// give the same policies in the same order for every workload of every authz fixture and
/// scenario.
#[test]
fn one_workload_paths_agree_with_the_indexes() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut inputs: Vec<std::path::PathBuf> = std::fs::read_dir(root.join("testdata/rules"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with("authz-") || name.starts_with("mtls-")
        })
        .flat_map(|d| ["bad.yaml", "good.yaml", "bad", "good"].map(|f| d.join(f)))
        .filter(|p| p.exists())
        .collect();
    inputs.sort();
    assert!(inputs.len() >= 10, "{inputs:?}");
    let mut workloads_seen = 0;
    for path in inputs {
        let paths = [path.display().to_string()];
        let forward =
            engine::analyze(&paths, &mut || Ok(Vec::new()), &engine::Options::default()).unwrap();
        let index = PolicyIndex::build(&forward.model, &forward.mesh);
        let n = forward.mesh.workloads.len() as u32;
        for w in (0..n).map(meshlint::mesh::WorkloadId) {
            assert_eq!(
                PolicyIndex::for_one_workload(&forward.model, &forward.mesh, w),
                index.for_workload(&forward.model, &forward.mesh, w),
                "{}: {}",
                path.display(),
                forward.mesh.workload(w).name
            );
        }
        workloads_seen += n;
    }
    assert!(workloads_seen > 10);
}
