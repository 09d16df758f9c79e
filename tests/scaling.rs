//! Regression guard for performance at scale, by counting rather than timing: a full analysis of
//! a generated mesh four times larger must make at most 4.4 times the index lookups
//! (`Mesh::lookup_count`) and report 4 times the findings. A rule that scans every service
//! for every VirtualService, or a finding that only appears at scale, fails here long before
//! anyone times a monorepo. `bench/run.sh` measures the time and memory themselves.
//!
//! The meshes come from a small generator below, shaped like `shared/bench/gen-mesh.py` (the
//! benchmark's generator): per service a Service, a ServiceAccount, two Deployments, a
//! DestinationRule with two subsets, a VirtualService with three HTTP routes and an
//! AuthorizationPolicy; per namespace a Namespace, a PeerAuthentication, a Sidecar, a Gateway
//! and an ingress VirtualService. Every tenth service carries one deliberate mistake, cycling
//! through the four kinds of the benchmark, so the mistakes grow exactly with the mesh.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use meshlint::engine::{self, Analysis, Options};

const PER_NAMESPACE: usize = 10;

/// The mistake a service carries, if any, and the rule that must report it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mistake {
    MissingSubset,
    Weights90,
    UnknownHost,
    CatchAllFirst,
}

impl Mistake {
    fn of(i: usize) -> Option<Mistake> {
        match i % 10 {
            3 => Some(Mistake::MissingSubset),
            5 => Some(Mistake::Weights90),
            7 => Some(Mistake::UnknownHost),
            9 => Some(Mistake::CatchAllFirst),
            _ => None,
        }
    }
    fn rule(self) -> &'static str {
        match self {
            Mistake::MissingSubset => "subset-not-found",
            Mistake::Weights90 => "weights-not-100",
            Mistake::UnknownHost => "unknown-host",
            Mistake::CatchAllFirst => "unreachable-route",
        }
    }
}

/// An injected mistake: the rule that must report it, the namespace and the VirtualService.
type Injected = (&'static str, String, String);

/// One YAML file per namespace (name, text), and every mistake injected.
fn generate(services: usize) -> (Vec<(String, String)>, Vec<Injected>) {
    let mut files: Vec<(String, String)> = Vec::new();
    let mut injected = Vec::new();
    for i in 0..services {
        let ns = format!("team-{:04}", i / PER_NAMESPACE);
        let svc = format!("svc-{i:06}");
        let host = format!("{svc}.{ns}.svc.cluster.local");
        if i % PER_NAMESPACE == 0 {
            files.push((format!("{ns}.yaml"), namespace_docs(&ns, &host)));
        }
        let first = (i / PER_NAMESPACE) * PER_NAMESPACE;
        let caller = if i > first {
            i - 1
        } else {
            (i + 1).min(services - 1)
        };
        let mistake = Mistake::of(i);
        if let Some(m) = mistake {
            injected.push((m.rule(), ns.clone(), svc.clone()));
        }
        let out = &mut files.last_mut().expect("a namespace file").1;
        let canary = if mistake == Some(Mistake::MissingSubset) {
            "v3"
        } else {
            "v2"
        };
        let w1 = if mistake == Some(Mistake::Weights90) {
            80
        } else {
            90
        };
        let mirror = if mistake == Some(Mistake::UnknownHost) {
            format!("{svc}-shadow.{ns}.svc.cluster.local")
        } else {
            host.clone()
        };
        let catch_all = format!(
            "  - name: default\n    route:\n    - destination:\n        host: {host}\n        subset: v1\n      weight: {w1}\n    - destination:\n        host: {host}\n        subset: v2\n      weight: 10\n    timeout: 5s\n    retries:\n      attempts: 2\n      perTryTimeout: 1s\n"
        );
        let header = format!(
            "  - name: canary-by-header\n    match:\n    - headers:\n        x-canary:\n          exact: \"true\"\n    route:\n    - destination:\n        host: {host}\n        subset: {canary}\n"
        );
        let api = format!(
            "  - name: api\n    match:\n    - uri:\n        prefix: /api/v{}/\n    route:\n    - destination:\n        host: {host}\n        subset: v1\n    mirror:\n      host: {mirror}\n    mirrorPercentage:\n      value: 5.0\n",
            1 + i % 3
        );
        let routes = if mistake == Some(Mistake::CatchAllFirst) {
            [catch_all, header, api].concat()
        } else {
            [header, api, catch_all].concat()
        };
        write!(
            out,
            "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: {svc}\n  namespace: {ns}\n  labels: {{app: {svc}}}\nspec:\n  selector:\n    app: {svc}\n  ports:\n  - name: http\n    port: 8080\n    targetPort: 8080\n  - name: grpc-admin\n    port: 9090\n\
             ---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {svc}\n  namespace: {ns}\n"
        )
        .unwrap();
        for v in ["v1", "v2"] {
            write!(
                out,
                "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {svc}-{v}\n  namespace: {ns}\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {{app: {svc}, version: {v}}}\n  template:\n    metadata:\n      labels: {{app: {svc}, version: {v}}}\n    spec:\n      serviceAccountName: {svc}\n      containers:\n      - name: app\n        image: registry.example.com/{svc}:{v}\n        ports:\n        - containerPort: 8080\n"
            )
            .unwrap();
        }
        write!(
            out,
            "---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: {svc}\n  namespace: {ns}\nspec:\n  host: {host}\n  trafficPolicy:\n    outlierDetection:\n      consecutive5xxErrors: 5\n      interval: 10s\n      baseEjectionTime: 30s\n  subsets:\n  - name: v1\n    labels: {{version: v1}}\n  - name: v2\n    labels: {{version: v2}}\n\
             ---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: {svc}\n  namespace: {ns}\nspec:\n  hosts:\n  - {host}\n  http:\n{routes}\
             ---\napiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata:\n  name: {svc}-allow\n  namespace: {ns}\nspec:\n  selector:\n    matchLabels:\n      app: {svc}\n  action: ALLOW\n  rules:\n  - from:\n    - source:\n        principals: [\"cluster.local/ns/{ns}/sa/svc-{caller:06}\"]\n    to:\n    - operation:\n        methods: [\"GET\", \"POST\"]\n        paths: [\"/api/*\"]\n"
        )
        .unwrap();
    }
    files.push((
        "istio-system.yaml".into(),
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: istio-system\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: istio-ingressgateway\n  namespace: istio-system\nspec:\n  type: LoadBalancer\n  selector:\n    istio: ingressgateway\n  ports:\n  - name: http2\n    port: 80\n    targetPort: 8080\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: istio-ingressgateway\n  namespace: istio-system\nspec:\n  selector:\n    matchLabels:\n      istio: ingressgateway\n  template:\n    metadata:\n      labels:\n        istio: ingressgateway\n        sidecar.istio.io/inject: \"false\"\n    spec:\n      containers:\n      - name: istio-proxy\n        image: docker.io/istio/proxyv2:1.28.0\n".into(),
    ));
    (files, injected)
}

fn namespace_docs(ns: &str, first_host: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n  labels:\n    istio-injection: enabled\n\
         ---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: default\n  namespace: {ns}\nspec:\n  mtls:\n    mode: STRICT\n\
         ---\napiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: default\n  namespace: {ns}\nspec:\n  egress:\n  - hosts:\n    - \"./*\"\n    - \"istio-system/*\"\n\
         ---\napiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata:\n  name: {ns}-ingress\n  namespace: {ns}\nspec:\n  selector:\n    istio: ingressgateway\n  servers:\n  - port:\n      number: 80\n      name: http\n      protocol: HTTP\n    hosts:\n    - \"{ns}.example.com\"\n\
         ---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: {ns}-ingress\n  namespace: {ns}\nspec:\n  hosts:\n  - \"{ns}.example.com\"\n  gateways:\n  - {ns}-ingress\n  http:\n  - route:\n    - destination:\n        host: {first_host}\n        port:\n          number: 8080\n"
    )
}

struct Run {
    analysis: Analysis,
    injected: Vec<Injected>,
    documents: usize,
}

fn run(services: usize) -> Run {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "meshlint-scaling-{}-{}-{services}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let (files, injected) = generate(services);
    let documents = files
        .iter()
        .map(|(_, text)| text.matches("\nkind: ").count())
        .sum();
    for (name, text) in &files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    let analysis = engine::analyze(
        &[dir.to_string_lossy().into_owned()],
        &mut || Ok(Vec::new()),
        &Options::default(),
    );
    std::fs::remove_dir_all(&dir).ok();
    Run {
        analysis: analysis.expect("the generated mesh loads"),
        injected,
        documents,
    }
}

fn by_rule(a: &Analysis) -> BTreeMap<&'static str, usize> {
    let mut out = BTreeMap::new();
    for d in &a.diagnostics {
        *out.entry(d.rule.name).or_default() += 1;
    }
    out
}

#[test]
fn index_lookups_and_findings_grow_linearly() {
    let small = run(40);
    let big = run(160);
    assert_eq!(
        small.analysis.model.stats.resources, small.documents,
        "every generated resource is read"
    );
    assert_eq!(
        big.analysis.model.stats.resources, big.documents,
        "every generated resource is read"
    );
    let ratio = big.documents as f64 / small.documents as f64;
    assert!(
        (3.9..=4.1).contains(&ratio),
        "the big mesh is 4x the small one, not {ratio:.2}x"
    );

    // Index lookups made by building the index alone (a fresh index over the same model), then
    // by building it and running every rule pass.
    let build = |r: &Run| meshlint::mesh::Mesh::build(&r.analysis.model).lookup_count();
    let (bs, bb) = (build(&small), build(&big));
    eprintln!("index build lookups: {bs} for 40 services, {bb} for 160");
    assert!(
        bb as f64 <= 4.4 * bs.max(1) as f64,
        "building the index made {:.2}x the lookups for 4x the input ({bs} -> {bb})",
        bb as f64 / bs.max(1) as f64
    );

    // Index lookups: building the index and every rule pass together.
    let (ls, lb) = (
        small.analysis.mesh.lookup_count(),
        big.analysis.mesh.lookup_count(),
    );
    eprintln!(
        "index lookups: {ls} for 40 services, {lb} for 160 ({:.2}x)",
        lb as f64 / ls.max(1) as f64
    );
    assert!(
        ls > 0,
        "the index counts no lookups at all: is Mesh::lookup_count still wired?"
    );
    assert!(
        lb as f64 <= 4.4 * ls as f64,
        "index lookups grew {:.2}x for 4x the input ({ls} -> {lb}): some pass is superlinear",
        lb as f64 / ls as f64
    );

    // Findings: the mistakes grow exactly 4x, and nothing may appear only at scale.
    let (fs, fb) = (by_rule(&small.analysis), by_rule(&big.analysis));
    eprintln!("findings by rule: {fs:?} for 40 services, {fb:?} for 160");
    for (rule, &nb) in &fb {
        let ns = fs.get(rule).copied().unwrap_or(0);
        assert!(
            ns > 0,
            "{rule}: {nb} findings at 160 services but none at 40"
        );
        let r = nb as f64 / ns as f64;
        assert!(
            (3.6..=4.4).contains(&r),
            "{rule}: {ns} findings at 40 services but {nb} at 160 ({r:.2}x, not 4x)"
        );
    }
    for rule in fs.keys() {
        assert!(
            fb.contains_key(rule),
            "{rule}: found at 40 services but not at 160"
        );
    }

    // Every injected mistake whose rule exists is reported on its VirtualService.
    for run in [&small, &big] {
        let present: Vec<&str> = meshlint::rules::ALL.iter().map(|r| r.name).collect();
        let mut missing_rules = std::collections::BTreeSet::new();
        for (rule, ns, name) in &run.injected {
            if !present.contains(rule) {
                missing_rules.insert(*rule);
                continue;
            }
            let found = run.analysis.diagnostics.iter().any(|d| {
                d.rule.name == *rule
                    && d.resource.as_ref().is_some_and(|r| {
                        r.kind == "VirtualService"
                            && r.name == *name
                            && r.namespace.as_deref() == Some(ns.as_str())
                    })
            });
            assert!(found, "{rule} not reported for VirtualService {ns}/{name}");
        }
        if !missing_rules.is_empty() {
            eprintln!(
                "notice: rules not present yet, their mistakes are not checked: {missing_rules:?}"
            );
        }
    }
}

#[test]
fn the_generator_is_valid_yaml_without_findings_of_its_own() {
    // The generator's own output must be clean apart from the injected mistakes, or the ratios
    // above would measure the generator: no schema or syntax finding on any of it.
    let small = run(20);
    let own: Vec<_> = small
        .analysis
        .diagnostics
        .iter()
        .filter(|d| {
            ![
                "subset-not-found",
                "weights-not-100",
                "unknown-host",
                "unreachable-route",
            ]
            .contains(&d.rule.name)
        })
        .filter(|d| {
            matches!(
                d.rule.name,
                "yaml-syntax"
                    | "duplicate-key"
                    | "unknown-field"
                    | "invalid-value"
                    | "missing-field"
            )
        })
        .map(|d| format!("{}: {}", d.rule.name, d.message))
        .collect();
    assert!(
        own.is_empty(),
        "the generator writes invalid resources: {own:#?}"
    );
    assert_eq!(
        small.injected.len(),
        8,
        "two of each mistake in 20 services"
    );
}
