//! `meshlint simulate`: the walk on the bundled shop (testdata/simulate), the verdicts of the
//! scenarios in ../shared/scenarios (skipped with a notice when ../shared is absent), the JSON
//! contract, exit codes, and property tests on random small meshes.

use std::path::PathBuf;
use std::process::Command;

use meshlint::engine::{self, Analysis, Options};
use meshlint::simulate::{self, Cause, Query, Simulation, render};
use proptest::prelude::*;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn shared(rel: &str) -> Option<PathBuf> {
    let p = root().join("../shared").join(rel);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipping: {} is absent", p.display());
        None
    }
}

fn load(paths: &[PathBuf]) -> Analysis {
    let paths: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    engine::analyze(&paths, &mut || Ok(Vec::new()), &Options::default()).expect("inputs load")
}

fn load_text(files: &[(&str, String)]) -> Analysis {
    engine::analyze_sources(
        files
            .iter()
            .map(|(n, t)| (n.to_string(), t.clone().into_bytes()))
            .collect(),
        &Options::default(),
    )
    .expect("sources load")
}

fn query(from: &str, to: &[&str], headers: &[(&str, &str)]) -> Query {
    Query {
        from: from.into(),
        to: to.iter().map(|s| s.to_string()).collect(),
        method: None,
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        port: None,
        subset: None,
    }
}

fn run(a: &Analysis, q: &Query) -> Simulation {
    simulate::simulate(&a.model, &a.mesh, q).expect("the question can be asked")
}

fn shop() -> Analysis {
    load(&[root().join("testdata/simulate")])
}

fn scenario(parts: &[&str]) -> Option<Analysis> {
    let mut paths = vec![shared("scenarios/bookinfo-platform")?];
    for p in parts {
        paths.push(shared(&format!("scenarios/{p}"))?);
    }
    Some(load(&paths))
}

fn dest(sim: &Simulation) -> (String, Option<String>) {
    let d = sim
        .deciding_hop()
        .and_then(|h| h.destination.clone())
        .expect("a destination");
    (d.service, d.subset)
}

// ---- the scenarios of ../shared/scenarios/README.md ---------------------------------------------

#[test]
fn canary_jason_reaches_v2() {
    let Some(a) = scenario(&["bookinfo-canary"]) else {
        return;
    };
    let sim = run(
        &a,
        &query(
            "productpage-v1.default",
            &["http://reviews:9080/reviews/0"],
            &[("end-user", "jason")],
        ),
    );
    assert_eq!(sim.verdict.status, Some(200), "{:?}", sim.verdict);
    assert_eq!(sim.verdict.cause, Cause::Ok);
    assert_eq!(
        dest(&sim),
        (
            "reviews.default.svc.cluster.local".into(),
            Some("v2".into())
        )
    );
}

#[test]
fn canary_roundrobin_candidates_are_10_30_60() {
    let Some(a) = scenario(&["bookinfo-canary"]) else {
        return;
    };
    let sim = run(
        &a,
        &query(
            "productpage-v1.default",
            &["http://reviews:9080/reviews/0"],
            &[("end-user", "roundrobin")],
        ),
    );
    assert_eq!(sim.verdict.status, Some(200));
    let got: Vec<(Option<String>, f64)> = sim.hops[0]
        .candidates
        .iter()
        .map(|c| (c.subset.clone(), c.weight_percent))
        .collect();
    assert_eq!(
        got,
        vec![
            (Some("v1".into()), 10.0),
            (Some("v2".into()), 30.0),
            (Some("v3".into()), 60.0)
        ]
    );
    // The walk follows the heaviest, unless --subset picks one.
    assert_eq!(dest(&sim).1.as_deref(), Some("v3"));
    let mut q = query(
        "productpage-v1.default",
        &["http://reviews:9080/reviews/0"],
        &[("end-user", "roundrobin")],
    );
    q.subset = Some("v1".into());
    assert_eq!(dest(&run(&a, &q)).1.as_deref(), Some("v1"));
    // Anyone else: the match-less last route, v1.
    let sim = run(
        &a,
        &query("productpage-v1.default", &["http://reviews:9080/"], &[]),
    );
    assert_eq!(dest(&sim).1.as_deref(), Some("v1"));
}

#[test]
fn mtls_override_is_a_mismatch_and_auto_mtls_fixes_it() {
    let Some(a) = scenario(&["mtls-override"]) else {
        return;
    };
    let q = query("productpage-v1.default", &["http://reviews:9080/"], &[]);
    let sim = run(&a, &q);
    assert_eq!(sim.verdict.status, Some(503), "{:?}", sim.verdict);
    assert_eq!(sim.verdict.flag, Some("UF"));
    assert_eq!(sim.verdict.cause, Cause::MtlsMismatch);
    assert!(
        sim.verdict.reason.contains("replaces") && sim.verdict.reason.contains("plaintext"),
        "the reason explains the override: {}",
        sim.verdict.reason
    );
    // The same files with automatic mTLS on (the default) are fine.
    let dir = shared("scenarios").unwrap();
    let mut files = Vec::new();
    for sub in ["bookinfo-platform", "mtls-override"] {
        for e in std::fs::read_dir(dir.join(sub)).unwrap() {
            let p = e.unwrap().path();
            let text = std::fs::read_to_string(&p)
                .unwrap()
                .replace("enableAutoMtls: false", "enableAutoMtls: true");
            files.push((p.display().to_string(), text));
        }
    }
    files.sort();
    let refs: Vec<(&str, String)> = files.iter().map(|(n, t)| (n.as_str(), t.clone())).collect();
    let a = load_text(&refs);
    let sim = run(&a, &q);
    assert_eq!(sim.verdict.cause, Cause::Ok, "{:?}", sim.verdict);
}

#[test]
fn fault_vs_timeout_is_a_504_naming_the_delay_and_the_per_try_timeout() {
    let Some(a) = scenario(&["fault-vs-timeout"]) else {
        return;
    };
    let sim = run(
        &a,
        &query(
            "productpage-v1.default",
            &["http://reviews:9080/", "http://ratings:9080/"],
            &[("end-user", "jason")],
        ),
    );
    assert_eq!(sim.verdict.status, Some(504), "{:?}", sim.verdict);
    assert_eq!(sim.verdict.flag, Some("UT"));
    assert_eq!(sim.verdict.cause, Cause::Timeout);
    let step = sim
        .trace
        .iter()
        .find(|s| s.step == "timeout" && s.detail.contains("fires"))
        .expect("a timeout step");
    assert!(
        step.detail.contains("7s") && step.detail.contains("per-try timeout 3s"),
        "{}",
        step.detail
    );
    assert!(
        step.loc.is_some(),
        "the step names where the timeout is written"
    );
    // Without jason, no delay and no timeout.
    let sim = run(
        &a,
        &query(
            "productpage-v1.default",
            &["http://reviews:9080/", "http://ratings:9080/"],
            &[],
        ),
    );
    assert_eq!(sim.verdict.cause, Cause::Ok, "{:?}", sim.verdict);
}

#[test]
fn every_scenario_trace_step_with_a_resource_has_a_location() {
    let Some(a) = scenario(&["bookinfo-canary"]) else {
        return;
    };
    let sim = run(
        &a,
        &query(
            "productpage-v1.default",
            &["http://reviews:9080/"],
            &[("end-user", "jason")],
        ),
    );
    let json = render::json_value(&a.model, &sim);
    for step in json["trace"].as_array().unwrap() {
        if !step["resource"].is_null() {
            assert!(
                step["file"].is_string() && step["line"].as_u64().unwrap() > 0,
                "{step}"
            );
        }
    }
}

// ---- the bundled shop -----------------------------------------------------------------------------

#[test]
fn shop_walks() {
    let a = shop();
    let sim = run(
        &a,
        &query(
            "web.shop",
            &["http://cart:8080/cart"],
            &[("x-beta", "true")],
        ),
    );
    assert_eq!(
        (sim.verdict.status, dest(&sim).1.as_deref()),
        (Some(200), Some("v2"))
    );

    let sim = run(
        &a,
        &query("ingress", &["http://shop.example.com/api/cart/x"], &[]),
    );
    assert_eq!(sim.verdict.cause, Cause::Ok, "{:?}", sim.verdict);
    assert_eq!(sim.hops[0].rewrite.as_deref(), Some("/cart/x"));

    let sim = run(
        &a,
        &query("ingress", &["http://shop.example.com/old-shop"], &[]),
    );
    assert_eq!(
        (sim.verdict.status, sim.verdict.cause),
        (Some(301), Cause::Redirect)
    );

    let sim = run(&a, &query("ingress", &["http://other.example.com/"], &[]));
    assert_eq!(
        (sim.verdict.status, sim.verdict.flag),
        (Some(404), Some("NR"))
    );

    let sim = run(&a, &query("web.shop", &["http://payments:9000/"], &[]));
    assert_eq!(
        (sim.verdict.status, sim.verdict.cause),
        (Some(403), Cause::RbacDenied)
    );
    assert_eq!(sim.hops[0].allowed, Some(false));

    let sim = run(
        &a,
        &query(
            "cart-v1.shop",
            &["http://payments:9000/"],
            &[("x-chaos", "broken")],
        ),
    );
    assert_eq!(
        (sim.verdict.status, sim.verdict.flag),
        (Some(503), Some("FI"))
    );

    let sim = run(
        &a,
        &query("cart-v1.shop", &["http://payments:9000/v3"], &[]),
    );
    assert_eq!(
        (sim.verdict.status, sim.verdict.cause),
        (Some(503), Cause::SubsetNotFound)
    );

    // A TCP port: no HTTP status.
    let sim = run(&a, &query("cart-v1.shop", &["http://db:5432/"], &[]));
    assert_eq!((sim.verdict.status, sim.verdict.cause), (None, Cause::Ok));

    // A delay in the last hop alone: no timeout applies before the first proxy.
    let sim = run(
        &a,
        &query(
            "cart-v1.shop",
            &["http://payments:9000/"],
            &[("x-chaos", "slow")],
        ),
    );
    assert_eq!(
        (sim.verdict.cause, sim.verdict.flag),
        (Cause::Ok, Some("DI"))
    );

    // A chain: the 3 s delay of payments against cart's 1 s per try (2 retries) and 2 s route timeout.
    let sim = run(
        &a,
        &query(
            "web.shop",
            &["http://cart:8080/", "http://payments:9000/"],
            &[("x-chaos", "slow")],
        ),
    );
    assert_eq!(
        (sim.verdict.status, sim.verdict.cause),
        (Some(504), Cause::Timeout)
    );
    assert!(
        sim.verdict.reason.contains("3s") && sim.verdict.reason.contains("2s"),
        "{}",
        sim.verdict.reason
    );
}

#[test]
fn questions_that_cannot_be_asked() {
    let a = shop();
    for (from, to, needle) in [
        ("web.shp", "http://cart:8080/", "did you mean web.shop"),
        ("web.shop", "http://crat:8080/", "did you mean cart"),
        ("web.shop", "http://cart/", "did you mean http://cart:8080/"),
        ("web.shop", "ftp://cart/", "scheme"),
        ("nobody", "http://cart:8080/", "<workload>.<namespace>"),
    ] {
        let e = simulate::simulate(&a.model, &a.mesh, &query(from, &[to], &[])).unwrap_err();
        assert!(e.0.contains(needle), "{from} → {to}: {e}");
    }
    assert!(simulate::parse_header("no colon").is_err());
}

#[test]
fn json_follows_the_design() {
    let a = shop();
    let sim = run(&a, &query("web.shop", &["http://cart:8080/cart"], &[]));
    let v: serde_json::Value = serde_json::from_str(&render::json(&a.model, &sim)).unwrap();
    assert_eq!(v["verdict"]["status"], 200);
    assert_eq!(v["verdict"]["cause"], "ok");
    assert!(v["verdict"]["flag"].is_null());
    assert_eq!(v["destination"]["service"], "cart.shop.svc.cluster.local");
    assert_eq!(v["destination"]["subset"], "v1");
    assert_eq!(v["destination"]["endpoints"][0], "cart-v1.shop");
    assert_eq!(v["candidates"][0]["weight_percent"], 80.0);
    assert_eq!(v["candidates"][1]["weight_percent"], 20.0);
    let route = v["trace"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "route" && s["detail"].as_str().unwrap().contains("takes"))
        .unwrap();
    assert_eq!(route["resource"]["kind"], "VirtualService");
    assert!(
        route["file"].as_str().unwrap().ends_with("routing.yaml"),
        "{route}"
    );
    assert!(route["line"].as_u64().unwrap() > 1);
}

fn meshlint(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_meshlint"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn exit_codes_and_human_output() {
    let (code, out, _) = meshlint(&[
        "simulate",
        "testdata/simulate",
        "--from",
        "web.shop",
        "--to",
        "http://cart:8080/",
        "-H",
        "x-beta: true",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("200 ok: "), "verdict first: {out}");
    assert!(
        out.contains("\ntrace:\n") && out.contains(" 1. source"),
        "{out}"
    );
    assert!(!out.contains('\x1b'), "no colour off a terminal");
    let (code, out, _) = meshlint(&[
        "simulate",
        "testdata/simulate",
        "--from",
        "web.shop",
        "--to",
        "http://payments:9000/",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.starts_with("403 RBAC rbac-denied"), "{out}");
    let (code, _, err) = meshlint(&[
        "simulate",
        "testdata/simulate",
        "--from",
        "web.shp",
        "--to",
        "http://cart:8080/",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean web.shop"), "{err}");
    let (code, out, _) = meshlint(&[
        "simulate",
        "testdata/simulate",
        "--from",
        "web.shop",
        "--to",
        "http://cart:8080/",
        "-o",
        "json",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["verdict"]["cause"], "ok");
}

// ---- property tests -----------------------------------------------------------------------------

const DESIGN_CAUSES: [&str; 12] = [
    "ok",
    "no-route",
    "subset-not-found",
    "host-not-visible",
    "no-endpoints",
    "mtls-mismatch",
    "rbac-denied",
    "fault-abort",
    "timeout",
    "blackhole",
    "redirect",
    "direct-response",
];

/// (header value or weight, subset index) pairs.
type Routes = Vec<(u8, u8)>;

#[derive(Debug, Clone)]
struct Svc {
    versions: Vec<u8>,
    /// A VirtualService: (header value, subset index) routes, then a weighted default.
    vs: Option<(Routes, Routes)>,
    /// Subsets the DestinationRule defines (indices into versions, maybe more).
    subsets: Option<Vec<u8>>,
    fault: Option<(bool, u8)>,
    strict: bool,
}

fn svc_strategy() -> impl Strategy<Value = Svc> {
    (
        prop::collection::vec(0u8..3, 0..3),
        prop::option::of((
            prop::collection::vec((0u8..3, 0u8..4), 0..3),
            prop::collection::vec((0u8..4, 0u8..100), 0..3),
        )),
        prop::option::of(prop::collection::vec(0u8..4, 0..4)),
        prop::option::of((any::<bool>(), 0u8..101)),
        any::<bool>(),
    )
        .prop_map(|(mut versions, vs, subsets, fault, strict)| Svc {
            versions: {
                versions.sort_unstable();
                versions.dedup();
                versions
            },
            vs,
            subsets,
            fault,
            strict,
        })
}

fn mesh_yaml(services: &[Svc]) -> String {
    let mut y = String::from(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\n  labels:\n    istio-injection: enabled\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: client\n  namespace: ns\nspec:\n  template:\n    metadata:\n      labels:\n        app: client\n    spec:\n      containers:\n      - name: c\n        image: c\n",
    );
    for (i, s) in services.iter().enumerate() {
        y.push_str(&format!(
            "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: s{i}\n  namespace: ns\nspec:\n  selector:\n    app: s{i}\n  ports:\n  - name: http\n    port: 80\n"
        ));
        for v in &s.versions {
            y.push_str(&format!(
                "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: s{i}-v{v}\n  namespace: ns\nspec:\n  template:\n    metadata:\n      labels:\n        app: s{i}\n        version: v{v}\n    spec:\n      containers:\n      - name: c\n        image: c\n"
            ));
        }
        if let Some(subsets) = &s.subsets {
            y.push_str(&format!(
                "---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: s{i}\n  namespace: ns\nspec:\n  host: s{i}\n  subsets:\n"
            ));
            for v in subsets {
                y.push_str(&format!(
                    "  - name: v{v}\n    labels:\n      version: v{v}\n"
                ));
            }
        }
        if s.strict {
            y.push_str(&format!(
                "---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: s{i}\n  namespace: ns\nspec:\n  selector:\n    matchLabels:\n      app: s{i}\n  mtls:\n    mode: STRICT\n"
            ));
        }
        if let Some((matches, default)) = &s.vs {
            y.push_str(&format!(
                "---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: s{i}\n  namespace: ns\nspec:\n  hosts:\n  - s{i}\n  http:\n"
            ));
            for (h, sub) in matches {
                y.push_str(&format!(
                    "  - match:\n    - headers:\n        x-h:\n          exact: \"{h}\"\n    route:\n    - destination:\n        host: s{i}\n        subset: v{sub}\n"
                ));
                if let Some((abort, pct)) = s.fault {
                    if abort {
                        y.push_str(&format!("    fault:\n      abort:\n        percentage:\n          value: {pct}\n        httpStatus: 500\n"));
                    } else {
                        y.push_str(&format!("    fault:\n      delay:\n        percentage:\n          value: {pct}\n        fixedDelay: 2s\n    timeout: 1s\n"));
                    }
                }
            }
            if !default.is_empty() {
                y.push_str("  - route:\n");
                for (sub, w) in default {
                    y.push_str(&format!(
                        "    - destination:\n        host: s{i}\n        subset: v{sub}\n      weight: {w}\n"
                    ));
                }
            }
        }
    }
    y
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Random small meshes: simulate never panics, every cause is one of the design's, and a host
    /// without VirtualService takes the Service's default route over its endpoints.
    #[test]
    fn random_meshes(services in prop::collection::vec(svc_strategy(), 1..4), header in 0u8..4, chain in any::<bool>()) {
        let yaml = mesh_yaml(&services);
        let a = load_text(&[("mesh.yaml", yaml)]);
        for (i, s) in services.iter().enumerate() {
            let mut to = vec![format!("http://s{i}/")];
            if chain {
                to.push(format!("http://s{}/", (i + 1) % services.len()));
            }
            let q = Query {
                from: "client.ns".into(),
                to,
                method: None,
                headers: vec![("x-h".into(), header.to_string())],
                port: None,
                subset: None,
            };
            let sim = simulate::simulate(&a.model, &a.mesh, &q).expect("every host exists");
            let json = render::json_value(&a.model, &sim);
            let cause = json["verdict"]["cause"].as_str().unwrap_or("");
            prop_assert!(DESIGN_CAUSES.contains(&cause), "cause {cause}");
            let _ = render::human(&a.model, &sim, true);
            if s.vs.is_none() && !chain {
                let hop = &sim.hops[0];
                prop_assert_eq!(hop.candidates.len(), 1);
                prop_assert_eq!(hop.candidates[0].weight_percent, 100.0);
                prop_assert_eq!(hop.candidates[0].subset.clone(), None);
                let d = hop.destination.clone().expect("the default route has a destination");
                prop_assert_eq!(d.service, format!("s{i}.ns.svc.cluster.local"));
                let mut want: Vec<String> = s.versions.iter().map(|v| format!("s{i}-v{v}.ns")).collect();
                want.sort();
                want.dedup();
                let mut got = d.endpoints.clone();
                got.sort();
                prop_assert_eq!(&got, &want);
                if want.is_empty() {
                    prop_assert_eq!(sim.verdict.cause, Cause::NoEndpoints);
                } else {
                    // Auto mTLS is on, so a STRICT server is fine: the request succeeds.
                    prop_assert_eq!(sim.verdict.cause, Cause::Ok);
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Any source, URL, method and header text: a verdict or a usage error, never a panic.
    #[test]
    fn arbitrary_questions_never_panic(
        from in prop_oneof![Just("web.shop".to_string()), Just("ingress".to_string()), Just("external".to_string()), "\\PC{0,20}"],
        host in prop_oneof![Just("cart".to_string()), Just("payments.shop".to_string()), Just("shop.example.com".to_string()), "[a-z.:\\[\\]0-9]{0,20}"],
        path in "[/a-zA-Z0-9?&=%.\\PC]{0,30}",
        method in "[A-Z]{0,8}",
        header in "\\PC{0,20}",
        port in prop::option::of(1u32..70000),
    ) {
        static SHOP: std::sync::LazyLock<Analysis> = std::sync::LazyLock::new(shop);
        let a = &*SHOP;
        let q = Query {
            from,
            to: vec![format!("http://{host}{path}"), format!("{host}:8080/{path}")],
            method: Some(method),
            headers: simulate::parse_header(&header).into_iter().collect(),
            port,
            subset: None,
        };
        if let Ok(sim) = simulate::simulate(&a.model, &a.mesh, &q) {
            let _ = render::human(&a.model, &sim, false);
            let _ = render::json(&a.model, &sim);
        }
    }
}
