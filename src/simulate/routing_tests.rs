//! `meshlint test`: routing unit tests for CI.
//!
//! Two formats, told apart by their top-level key (documents with `apiVersion`/`kind` are
//! configuration and skipped, so tests may sit beside the manifests):
//!
//! * `testCases:` — istio-config-validator's format, unchanged. Each case's `request` unfolds
//!   into every authority × method × uri; each request is routed the way that tool does (the
//!   first VirtualService in input order whose hosts contain the authority, the first route whose
//!   match takes it, no proxy conditions, delegates followed) and the route's `route`,
//!   `rewrite`, `redirect`, `fault`, `headers` and `delegate` are compared with the expectation
//!   (`route` always, the others when given): equal when `wantMatch: true`, different when
//!   `wantMatch: false`. Fields are compared as values (unset, null and empty are the same, as
//!   in protobuf; numbers by value).
//! * `tests:` — meshlint's own: `from`, `to` (a URL or a list: a call chain), `method`,
//!   `headers`, `port`, `subset`, and `expect:` with any of `status`, `cause`, `flag`, `service`,
//!   `subset`, `port`, `rewrite`, `redirect`, `allowed`; each case runs `simulate`.
//!
//! A malformed test file (YAML errors, wrong types, unknown keys, a document of neither format)
//! is reported with its location and fails the run.

use serde_json::{Map as JsonMap, Value, json};

use super::{Query, Simulation, Step, render, simulate_with, validator_route};
use crate::authz::PolicyIndex;
use crate::diag::did_you_mean;
use crate::load::yaml::{Document, NodeId, Scalar};
use crate::load::{self, LoadOptions};
use crate::mesh::Mesh;
use crate::mesh::request::Request;
use crate::model::Model;
use crate::model::networking::{
    Delegate, Destination, HeaderOperations, Headers, HttpFault, HttpRedirect, HttpRewrite,
    HttpRouteDestination, Percent,
};
use crate::source::{Loc, SourceDb};

/// A problem with a test file, at a place in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// The outcome of one test case.
#[derive(Debug, Clone)]
pub struct CaseResult {
    pub name: String,
    pub file: String,
    pub line: usize,
    /// `testCases` or `tests`.
    pub format: &'static str,
    /// How many concrete requests the case made.
    pub requests: usize,
    /// Empty when the case passes.
    pub failures: Vec<String>,
    /// The trace of the first failing request.
    pub trace: String,
}

impl CaseResult {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

#[derive(Debug, Clone, Default)]
pub struct Suite {
    pub cases: Vec<CaseResult>,
    pub problems: Vec<Problem>,
}

/// Runs every test document found under `tests`. `Err` only when a path cannot be read.
pub fn run(
    model: &Model,
    mesh: &Mesh,
    tests: &[String],
    options: &LoadOptions,
) -> Result<Suite, String> {
    let mut no_stdin = || Err(std::io::Error::other("stdin is not a test file"));
    let loaded = load::load(tests, &mut no_stdin, options).map_err(|e| e.to_string())?;
    let policies = PolicyIndex::build(model, mesh);
    let mut suite = Suite::default();
    for d in &loaded.diagnostics {
        let (line, column) = loaded.sources.line_col(d.loc);
        suite.problems.push(Problem {
            file: loaded.sources.get(d.loc.file).path.clone(),
            line,
            column,
            message: format!("{}: {}", d.rule.name, d.message),
        });
    }
    let mut seen_any = false;
    for doc in &loaded.documents {
        let mut cx = FileCx {
            doc,
            sources: &loaded.sources,
            problems: Vec::new(),
        };
        let Some(root) = doc.root.map(|r| doc.resolve(r)) else {
            continue;
        };
        if doc.is_null(root) {
            continue;
        }
        if !doc.is_map(root) {
            cx.problem(
                root,
                "a test document is a mapping with testCases: or tests:".into(),
            );
        } else if doc.get(root, "apiVersion").is_some() && doc.get(root, "kind").is_some() {
            // Configuration beside the tests.
        } else if let Some(list) = doc.get(root, "testCases") {
            seen_any = true;
            cx.check_keys(root, &["testCases"]);
            for case in cx.list(list, "testCases") {
                let result = validator_case(model, mesh, &policies, &mut cx, case);
                suite.cases.extend(result);
            }
        } else if let Some(list) = doc.get(root, "tests") {
            seen_any = true;
            cx.check_keys(root, &["tests"]);
            for case in cx.list(list, "tests") {
                let result = own_case(model, mesh, &policies, &mut cx, case);
                suite.cases.extend(result);
            }
        } else {
            cx.problem(
                root,
                "not a test document: expected a testCases: (istio-config-validator) or tests: (meshlint) list".into(),
            );
        }
        suite.problems.extend(cx.problems);
    }
    suite
        .problems
        .sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    if !seen_any && suite.problems.is_empty() {
        suite.problems.push(Problem {
            file: tests.join(", "),
            line: 1,
            column: 1,
            message: "no test document found (testCases: or tests:)".into(),
        });
    }
    Ok(suite)
}

struct FileCx<'d> {
    doc: &'d Document,
    sources: &'d SourceDb,
    problems: Vec<Problem>,
}

impl<'d> FileCx<'d> {
    fn position(&self, node: NodeId) -> (String, usize, usize) {
        let loc = Loc::new(self.doc.file, self.doc.span(node));
        let (line, column) = self.sources.line_col(loc);
        (self.sources.get(self.doc.file).path.clone(), line, column)
    }

    fn problem(&mut self, node: NodeId, message: String) {
        let (file, line, column) = self.position(node);
        self.problems.push(Problem {
            file,
            line,
            column,
            message,
        });
    }

    fn check_keys(&mut self, map: NodeId, known: &[&str]) {
        let doc = self.doc;
        for &(k, _) in doc.entries(map) {
            let key = doc.str(k).unwrap_or("");
            if !known.contains(&key) {
                let hint = did_you_mean(key, known.iter().copied())
                    .map(|s| format!("; did you mean {s}?"))
                    .unwrap_or_else(|| format!("; known keys: {}", known.join(", ")));
                self.problem(k, format!("unknown key {key:?}{hint}"));
            }
        }
    }

    fn list(&mut self, node: NodeId, what: &str) -> Vec<NodeId> {
        let node = self.doc.resolve(node);
        if self.doc.is_null(node) {
            return Vec::new();
        }
        match self.doc.value(node) {
            crate::load::yaml::Value::Seq(_) => self
                .doc
                .items(node)
                .iter()
                .map(|&i| self.doc.resolve(i))
                .collect(),
            _ => {
                self.problem(node, format!("{what} must be a list"));
                Vec::new()
            }
        }
    }

    fn string(&mut self, node: NodeId, what: &str) -> Option<String> {
        let node = self.doc.resolve(node);
        match self.doc.scalar(node) {
            Some(Scalar::Str(s)) => Some(s.to_string()),
            Some(Scalar::Int(i)) => Some(i.to_string()),
            Some(Scalar::Bool(b)) => Some(b.to_string()),
            Some(Scalar::Float(f)) => Some(f.to_string()),
            _ => {
                self.problem(node, format!("{what} must be a string"));
                None
            }
        }
    }

    fn strings(&mut self, node: NodeId, what: &str) -> Vec<String> {
        let node = self.doc.resolve(node);
        if matches!(self.doc.value(node), crate::load::yaml::Value::Seq(_)) {
            let items: Vec<NodeId> = self.doc.items(node).to_vec();
            items
                .into_iter()
                .filter_map(|i| self.string(i, what))
                .collect()
        } else {
            self.string(node, what).into_iter().collect()
        }
    }

    fn string_map(&mut self, node: NodeId, what: &str) -> Vec<(String, String)> {
        let node = self.doc.resolve(node);
        if !self.doc.is_map(node) {
            if !self.doc.is_null(node) {
                self.problem(node, format!("{what} must be a mapping of name: value"));
            }
            return Vec::new();
        }
        let entries: Vec<(NodeId, NodeId)> = self.doc.entries(node).to_vec();
        entries
            .into_iter()
            .filter_map(|(k, v)| {
                let key = self.string(k, what)?;
                let value = self.string(v, what)?;
                Some((key, value))
            })
            .collect()
    }

    fn boolean(&mut self, node: NodeId, what: &str) -> Option<bool> {
        let node = self.doc.resolve(node);
        match self.doc.scalar(node) {
            Some(Scalar::Bool(b)) => Some(b),
            _ => {
                self.problem(node, format!("{what} must be true or false"));
                None
            }
        }
    }

    fn integer(&mut self, node: NodeId, what: &str) -> Option<i128> {
        let node = self.doc.resolve(node);
        match self.doc.scalar(node) {
            Some(Scalar::Int(i)) => Some(i),
            _ => {
                self.problem(node, format!("{what} must be an integer"));
                None
            }
        }
    }

    /// The node as a JSON value (for comparisons).
    fn value(&self, node: NodeId, depth: usize) -> Value {
        let doc = self.doc;
        let node = doc.resolve(node);
        if depth > 64 {
            return Value::Null;
        }
        match doc.value(node) {
            crate::load::yaml::Value::Map(_) => {
                let mut m = JsonMap::new();
                for &(k, v) in doc.entries(node) {
                    let key = doc.str(k).unwrap_or("").to_string();
                    m.insert(key, self.value(v, depth + 1));
                }
                Value::Object(m)
            }
            crate::load::yaml::Value::Seq(_) => Value::Array(
                doc.items(node)
                    .iter()
                    .map(|&i| self.value(i, depth + 1))
                    .collect(),
            ),
            _ => match doc.scalar(node) {
                Some(Scalar::Null) | None => Value::Null,
                Some(Scalar::Bool(b)) => Value::Bool(b),
                Some(Scalar::Int(i)) => json!(i as f64),
                Some(Scalar::Float(f)) => json!(f),
                Some(Scalar::Str(s)) => Value::String(s.to_string()),
            },
        }
    }
}

// ---- comparing values -----------------------------------------------------------------------

/// Protobuf equality on JSON values: null, empty strings, empty lists and empty objects are
/// unset; numbers compare as numbers.
pub fn prune(v: Value) -> Value {
    match v {
        Value::Object(m) => {
            let m: JsonMap<String, Value> = m
                .into_iter()
                .map(|(k, v)| (k, prune(v)))
                .filter(|(_, v)| !is_unset(v))
                .collect();
            Value::Object(m)
        }
        Value::Array(a) => Value::Array(a.into_iter().map(prune).collect()),
        Value::Number(n) => json!(n.as_f64().unwrap_or(0.0)),
        other => other,
    }
}

fn is_unset(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.is_empty(),
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
    }
}

fn same(a: Value, b: Value) -> bool {
    let (a, b) = (prune(a), prune(b));
    let empty = |v: &Value| is_unset(v);
    (empty(&a) && empty(&b)) || a == b
}

fn s(v: &Option<crate::model::Spanned<String>>) -> Value {
    v.as_ref().map_or(Value::Null, |x| json!(x.value))
}

fn percent(p: &Option<Percent>) -> Value {
    p.as_ref().map_or(
        Value::Null,
        |p| json!({"value": p.value.as_ref().map(|v| v.value)}),
    )
}

fn destination(d: &Destination) -> Value {
    json!({
        "host": s(&d.host),
        "subset": s(&d.subset),
        "port": d.port.as_ref().map(|p| json!({"number": p.number.as_ref().map(|n| n.value)})),
    })
}

fn header_ops(h: &Option<HeaderOperations>) -> Value {
    h.as_ref().map_or(Value::Null, |h| {
        json!({
            "set": h.set.iter().map(|(k, v)| (k.clone(), json!(v.value))).collect::<JsonMap<_, _>>(),
            "add": h.add.iter().map(|(k, v)| (k.clone(), json!(v.value))).collect::<JsonMap<_, _>>(),
            "remove": h.remove.iter().map(|r| json!(r.value)).collect::<Vec<_>>(),
        })
    })
}

fn headers(h: Option<&Headers>) -> Value {
    h.map_or(
        Value::Null,
        |h| json!({"request": header_ops(&h.request), "response": header_ops(&h.response)}),
    )
}

fn routes(r: &[HttpRouteDestination]) -> Value {
    Value::Array(
        r.iter()
            .map(|d| {
                json!({
                    "destination": d.destination.as_ref().map(destination),
                    "weight": d.weight.as_ref().map(|w| w.value),
                    "headers": headers(d.headers.as_deref()),
                })
            })
            .collect(),
    )
}

fn rewrite(r: Option<&HttpRewrite>) -> Value {
    r.map_or(Value::Null, |r| {
        json!({
            "uri": s(&r.uri),
            "authority": s(&r.authority),
            "uriRegexRewrite": r.uri_regex_rewrite.as_ref().map(|x| json!({"match": s(&x.match_), "rewrite": s(&x.rewrite)})),
        })
    })
}

fn redirect(r: Option<&HttpRedirect>) -> Value {
    r.map_or(Value::Null, |r| {
        json!({
            "uri": s(&r.uri),
            "authority": s(&r.authority),
            "port": r.port.as_ref().map(|p| p.value),
            "derivePort": s(&r.derive_port),
            "scheme": s(&r.scheme),
            "redirectCode": r.redirect_code.as_ref().map(|c| c.value),
            "prefixRewrite": s(&r.prefix_rewrite),
        })
    })
}

fn fault(f: Option<&HttpFault>) -> Value {
    f.map_or(Value::Null, |f| {
        json!({
            "delay": f.delay.as_ref().map(|d| json!({
                "fixedDelay": s(&d.fixed_delay),
                "exponentialDelay": s(&d.exponential_delay),
                "percentage": percent(&d.percentage),
                "percent": d.percent.as_ref().map(|p| p.value),
            })),
            "abort": f.abort.as_ref().map(|a| json!({
                "httpStatus": a.http_status.as_ref().map(|c| c.value),
                "grpcStatus": s(&a.grpc_status),
                "http2Error": s(&a.http2_error),
                "percentage": percent(&a.percentage),
            })),
        })
    })
}

fn delegate(d: Option<&Delegate>) -> Value {
    d.map_or(
        Value::Null,
        |d| json!({"name": s(&d.name), "namespace": s(&d.namespace)}),
    )
}

fn trace_text(model: &Model, steps: &[Step]) -> String {
    let sim = Simulation {
        verdict: super::Verdict::new(None, None, super::Cause::NoRoute, String::new()),
        deciding: 0,
        hops: Vec::new(),
        trace: steps.to_vec(),
    };
    render::trace_lines(model, &sim, false)
}

// ---- istio-config-validator cases -----------------------------------------------------------

/// Reads one field of the matched route as a value.
type Getter = dyn Fn(&super::RouteHit<'_>) -> Value;

const VALIDATOR_KEYS: &[&str] = &[
    "description",
    "wantMatch",
    "request",
    "route",
    "redirect",
    "rewrite",
    "fault",
    "headers",
    "delegate",
];

fn validator_case(
    model: &Model,
    mesh: &Mesh,
    policies: &PolicyIndex,
    cx: &mut FileCx<'_>,
    case: NodeId,
) -> Option<CaseResult> {
    let doc = cx.doc;
    if !doc.is_map(case) {
        cx.problem(
            case,
            "a test case is a mapping (description, wantMatch, request, route, …)".into(),
        );
        return None;
    }
    cx.check_keys(case, VALIDATOR_KEYS);
    let (file, line, _) = cx.position(case);
    let name = match doc.get(case, "description") {
        Some(d) => cx.string(d, "description").unwrap_or_default(),
        None => format!("case at line {line}"),
    };
    let want = match doc.get(case, "wantMatch") {
        Some(w) => cx.boolean(w, "wantMatch").unwrap_or(false),
        None => false,
    };
    let Some(request) = doc.get(case, "request").map(|r| doc.resolve(r)) else {
        cx.problem(case, format!("test case {name:?} has no request"));
        return None;
    };
    if !doc.is_map(request) {
        cx.problem(
            request,
            "request must be a mapping (authority, method, uri, headers)".into(),
        );
        return None;
    }
    cx.check_keys(request, &["authority", "method", "uri", "headers"]);
    let authorities = doc
        .get(request, "authority")
        .map_or(Vec::new(), |n| cx.strings(n, "authority"));
    let methods = doc
        .get(request, "method")
        .map_or(vec!["GET".to_string()], |n| cx.strings(n, "method"));
    let uris = doc
        .get(request, "uri")
        .map_or(vec!["/".to_string()], |n| cx.strings(n, "uri"));
    let req_headers = doc
        .get(request, "headers")
        .map_or(Vec::new(), |n| cx.string_map(n, "headers"));
    if authorities.is_empty() {
        cx.problem(
            request,
            format!("test case {name:?}: request.authority lists no host"),
        );
        return None;
    }
    let expect = |key: &str| doc.get(case, key).map(|n| cx.value(n, 0));
    let exp_route = expect("route");
    let exp_redirect = expect("redirect");
    let exp_rewrite = expect("rewrite");
    let exp_fault = expect("fault");
    let exp_headers = expect("headers");
    let exp_delegate = expect("delegate");
    let mut result = CaseResult {
        name,
        file,
        line,
        format: "testCases",
        requests: 0,
        failures: Vec::new(),
        trace: String::new(),
    };
    for authority in &authorities {
        for method in &methods {
            for uri in &uris {
                result.requests += 1;
                let Ok(mut req) = Request::parse_url(&format!("http://{authority}{uri}")) else {
                    result
                        .failures
                        .push(format!("cannot build a request for {authority}{uri}"));
                    continue;
                };
                req.method = method.to_ascii_uppercase();
                for (k, v) in &req_headers {
                    req.set_header(k, v);
                }
                let (hit, steps) = validator_route(model, mesh, policies, &req);
                let actual =
                    |f: &dyn Fn(&super::RouteHit<'_>) -> Value| hit.as_ref().map_or(Value::Null, f);
                let mut checks: Vec<(&str, Value, Value)> = vec![(
                    "route",
                    actual(&|h| routes(&h.route.route)),
                    exp_route.clone().unwrap_or(Value::Null),
                )];
                let optional: [(&str, &Option<Value>, &Getter); 5] = [
                    ("redirect", &exp_redirect, &|h| {
                        redirect(h.pick(|r| r.redirect.as_deref()))
                    }),
                    ("rewrite", &exp_rewrite, &|h| {
                        rewrite(h.pick(|r| r.rewrite.as_deref()))
                    }),
                    ("fault", &exp_fault, &|h| {
                        fault(h.pick(|r| r.fault.as_deref()))
                    }),
                    ("headers", &exp_headers, &|h| {
                        headers(h.pick(|r| r.headers.as_deref()))
                    }),
                    ("delegate", &exp_delegate, &|h| {
                        delegate(
                            h.root
                                .and_then(|r| r.delegate.as_deref())
                                .or(h.route.delegate.as_deref()),
                        )
                    }),
                ];
                for (key, exp, get) in optional {
                    if let Some(e) = exp {
                        checks.push((key, actual(get), e.clone()));
                    }
                }
                let request_text = format!("{} {authority}{uri}", req.method);
                for (key, got, exp) in checks {
                    let equal = same(got.clone(), exp.clone());
                    if equal != want {
                        let got = prune(got);
                        let exp = prune(exp);
                        result.failures.push(if want {
                            format!("{request_text}: {key} is {got}, expected {exp}")
                        } else {
                            format!("{request_text}: {key} is {got}, expected anything else (wantMatch: false)")
                        });
                    }
                }
                if !result.failures.is_empty() && result.trace.is_empty() {
                    result.trace = format!("{request_text}\n{}", trace_text(model, &steps));
                }
            }
        }
    }
    Some(result)
}

// ---- meshlint's own cases -------------------------------------------------------------------

const OWN_KEYS: &[&str] = &[
    "name", "from", "to", "method", "headers", "port", "subset", "expect",
];
const EXPECT_KEYS: &[&str] = &[
    "status", "cause", "flag", "service", "subset", "port", "rewrite", "redirect", "allowed",
];

fn service_matches(actual: &str, expected: &str) -> bool {
    let expected = expected.to_ascii_lowercase();
    actual == expected
        || crate::mesh::host::short(actual) == expected
        || actual.split('.').next() == Some(expected.as_str()) && !expected.contains('.')
}

fn own_case(
    model: &Model,
    mesh: &Mesh,
    policies: &PolicyIndex,
    cx: &mut FileCx<'_>,
    case: NodeId,
) -> Option<CaseResult> {
    let doc = cx.doc;
    if !doc.is_map(case) {
        cx.problem(
            case,
            "a test is a mapping (name, from, to, headers, expect, …)".into(),
        );
        return None;
    }
    cx.check_keys(case, OWN_KEYS);
    let (file, line, _) = cx.position(case);
    let name = match doc.get(case, "name") {
        Some(n) => cx.string(n, "name").unwrap_or_default(),
        None => format!("test at line {line}"),
    };
    let Some(from) = doc.get(case, "from").and_then(|n| cx.string(n, "from")) else {
        cx.problem(
            case,
            format!("test {name:?} has no from (workload.namespace, ingress or external)"),
        );
        return None;
    };
    let to = doc
        .get(case, "to")
        .map_or(Vec::new(), |n| cx.strings(n, "to"));
    if to.is_empty() {
        cx.problem(
            case,
            format!("test {name:?} has no to (a URL, or a list of URLs for a call chain)"),
        );
        return None;
    }
    let method = doc.get(case, "method").and_then(|n| cx.string(n, "method"));
    let headers = doc
        .get(case, "headers")
        .map_or(Vec::new(), |n| cx.string_map(n, "headers"));
    let port = doc
        .get(case, "port")
        .and_then(|n| cx.integer(n, "port"))
        .and_then(|p| u32::try_from(p).ok());
    let subset = doc.get(case, "subset").and_then(|n| cx.string(n, "subset"));
    let Some(expect) = doc.get(case, "expect").map(|n| doc.resolve(n)) else {
        cx.problem(
            case,
            format!("test {name:?} has no expect: (status, cause, service, subset, …)"),
        );
        return None;
    };
    if !doc.is_map(expect) {
        cx.problem(expect, "expect must be a mapping".into());
        return None;
    }
    cx.check_keys(expect, EXPECT_KEYS);
    let q = Query {
        from,
        to,
        method,
        headers,
        port,
        subset,
    };
    let mut result = CaseResult {
        name,
        file,
        line,
        format: "tests",
        requests: 1,
        failures: Vec::new(),
        trace: String::new(),
    };
    let sim = match simulate_with(model, mesh, policies, &q) {
        Ok(sim) => sim,
        Err(e) => {
            result
                .failures
                .push(format!("the request cannot be simulated: {e}"));
            return Some(result);
        }
    };
    let hop = sim.deciding_hop();
    let dest = hop.and_then(|h| h.destination.as_ref());
    let entries: Vec<(NodeId, NodeId)> = doc.entries(expect).to_vec();
    for (k, v) in entries {
        let key = doc.str(k).unwrap_or("");
        let failure = match key {
            "status" => {
                let want = if doc.is_null(doc.resolve(v)) {
                    None
                } else {
                    cx.integer(v, "expect.status")
                        .and_then(|n| u16::try_from(n).ok())
                };
                (sim.verdict.status != want).then(|| {
                    format!(
                        "status is {}, expected {}",
                        sim.verdict
                            .status
                            .map_or("null (TCP)".into(), |s| s.to_string()),
                        want.map_or("null (TCP)".into(), |s| s.to_string())
                    )
                })
            }
            "cause" => cx.string(v, "expect.cause").and_then(|c| {
                if super::Cause::parse(&c).is_none() {
                    let names: Vec<&str> = super::Cause::ALL.iter().map(|c| c.as_str()).collect();
                    let hint = did_you_mean(&c, names.iter().copied())
                        .map(|s| format!("; did you mean {s}?"))
                        .unwrap_or_default();
                    cx.problem(
                        v,
                        format!("unknown cause {c:?}{hint} (causes: {})", names.join(", ")),
                    );
                }
                (sim.verdict.cause.as_str() != c)
                    .then(|| format!("cause is {}, expected {c}", sim.verdict.cause.as_str()))
            }),
            "flag" => cx.string(v, "expect.flag").and_then(|f| {
                (sim.verdict.flag != Some(f.as_str())).then(|| {
                    format!(
                        "flag is {}, expected {f}",
                        sim.verdict.flag.unwrap_or("none")
                    )
                })
            }),
            "service" => cx.string(v, "expect.service").and_then(|s| {
                let got = dest.map(|d| d.service.as_str());
                (!got.is_some_and(|g| service_matches(g, &s)))
                    .then(|| format!("service is {}, expected {s}", got.unwrap_or("none")))
            }),
            "subset" => cx.string(v, "expect.subset").and_then(|s| {
                let got = dest.and_then(|d| d.subset.as_deref());
                (got != Some(s.as_str()))
                    .then(|| format!("subset is {}, expected {s}", got.unwrap_or("none")))
            }),
            "port" => cx.integer(v, "expect.port").and_then(|p| {
                let got = dest.and_then(|d| d.port);
                (got.map(i128::from) != Some(p)).then(|| {
                    format!(
                        "port is {}, expected {p}",
                        got.map_or("none".into(), |g| g.to_string())
                    )
                })
            }),
            "rewrite" => cx.string(v, "expect.rewrite").and_then(|r| {
                let got = hop.and_then(|h| h.rewrite.as_deref());
                (got != Some(r.as_str())).then(|| {
                    format!(
                        "rewritten path is {}, expected {r}",
                        got.unwrap_or("none (no rewrite)")
                    )
                })
            }),
            "redirect" => cx.string(v, "expect.redirect").and_then(|r| {
                let got = hop.and_then(|h| h.redirect.as_deref());
                (got != Some(r.as_str()))
                    .then(|| format!("redirect is {}, expected {r}", got.unwrap_or("none")))
            }),
            "allowed" => cx.boolean(v, "expect.allowed").and_then(|a| {
                let got = hop.and_then(|h| h.allowed);
                (got != Some(a)).then(|| {
                    format!(
                        "allowed is {}, expected {a}",
                        got.map_or(
                            "not decided (the request did not reach an authorization decision)"
                                .to_string(),
                            |g| g.to_string()
                        )
                    )
                })
            }),
            _ => None,
        };
        result.failures.extend(failure);
    }
    if !result.passed() {
        result.trace = format!(
            "{}\n{}",
            render::verdict_line(&sim.verdict),
            render::trace_lines(model, &sim, false)
        );
    }
    Some(result)
}

// ---- output ---------------------------------------------------------------------------------

impl Suite {
    pub fn passed(&self) -> bool {
        self.problems.is_empty() && self.cases.iter().all(CaseResult::passed)
    }

    pub fn failed_count(&self) -> usize {
        self.cases.iter().filter(|c| !c.passed()).count()
    }

    pub fn to_human(&self, color: bool) -> String {
        let paint = |code: &str, text: &str| {
            if color {
                format!("\x1b[{code}m{text}\x1b[0m")
            } else {
                text.to_string()
            }
        };
        let mut out = String::new();
        for p in &self.problems {
            out.push_str(&format!(
                "{} {}:{}:{}: {}\n",
                paint("1;31", "error"),
                p.file,
                p.line,
                p.column,
                p.message
            ));
        }
        for c in &self.cases {
            let status = if c.passed() {
                paint("32", "PASS")
            } else {
                paint("1;31", "FAIL")
            };
            out.push_str(&format!(
                "{status} {}:{} {} ({} request{})\n",
                c.file,
                c.line,
                c.name,
                c.requests,
                if c.requests == 1 { "" } else { "s" }
            ));
            for f in &c.failures {
                out.push_str(&format!("     - {f}\n"));
            }
            if !c.trace.is_empty() {
                for line in c.trace.lines() {
                    out.push_str(&format!("       {line}\n"));
                }
            }
        }
        let failed = self.failed_count();
        out.push_str(&format!(
            "\n{} passed, {} failed{}\n",
            self.cases.len() - failed,
            failed,
            if self.problems.is_empty() {
                String::new()
            } else {
                format!(", {} problem(s) in the test files", self.problems.len())
            }
        ));
        out
    }

    pub fn to_json(&self) -> String {
        let cases: Vec<Value> = self
            .cases
            .iter()
            .map(|c| {
                json!({
                    "name": c.name, "file": c.file, "line": c.line, "format": c.format,
                    "requests": c.requests, "passed": c.passed(), "failures": c.failures,
                    "trace": if c.trace.is_empty() { Value::Null } else { json!(c.trace) },
                })
            })
            .collect();
        let problems: Vec<Value> = self
            .problems
            .iter()
            .map(|p| json!({"file": p.file, "line": p.line, "column": p.column, "message": p.message}))
            .collect();
        let failed = self.failed_count();
        let mut s = serde_json::to_string_pretty(&json!({
            "cases": cases,
            "problems": problems,
            "summary": {"cases": self.cases.len(), "passed": self.cases.len() - failed, "failed": failed, "problems": self.problems.len()},
        }))
        .unwrap_or_default();
        s.push('\n');
        s
    }

    /// JUnit XML: one testsuite per test file, one testcase per case; test-file problems are
    /// failing testcases of their own.
    pub fn to_junit(&self) -> String {
        let mut files: Vec<&str> = self
            .cases
            .iter()
            .map(|c| c.file.as_str())
            .chain(self.problems.iter().map(|p| p.file.as_str()))
            .collect();
        files.sort_unstable();
        files.dedup();
        let total = self.cases.len() + self.problems.len();
        let failures = self.failed_count() + self.problems.len();
        let mut out = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"meshlint test\" tests=\"{total}\" failures=\"{failures}\">\n"
        );
        for file in files {
            let cases: Vec<&CaseResult> = self.cases.iter().filter(|c| c.file == file).collect();
            let problems: Vec<&Problem> = self.problems.iter().filter(|p| p.file == file).collect();
            let failed = cases.iter().filter(|c| !c.passed()).count() + problems.len();
            out.push_str(&format!(
                "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failed}\">\n",
                xml(file),
                cases.len() + problems.len()
            ));
            for p in problems {
                out.push_str(&format!(
                    "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\">\n      <failure message=\"{}\">{}:{}:{}: {}</failure>\n    </testcase>\n",
                    xml(&format!("test file problem at line {}", p.line)),
                    xml(file),
                    xml(file),
                    p.line,
                    xml(&p.message),
                    xml(file),
                    p.line,
                    p.column,
                    xml(&p.message)
                ));
            }
            for c in cases {
                out.push_str(&format!(
                    "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\"",
                    xml(&c.name),
                    xml(file),
                    xml(file),
                    c.line
                ));
                if c.passed() {
                    out.push_str("/>\n");
                } else {
                    out.push_str(&format!(
                        ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
                        xml(c.failures.first().map_or("", String::as_str)),
                        xml(&format!("{}\n\n{}", c.failures.join("\n"), c.trace))
                    ));
                }
            }
            out.push_str("  </testsuite>\n");
        }
        out.push_str("</testsuites>\n");
        out
    }
}

/// Escapes text for XML attributes and content (control characters other than tab and newline
/// are not allowed in XML 1.0 and become `?`).
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\t' => out.push(c),
            c if c.is_control() => out.push('?'),
            c => out.push(c),
        }
    }
    out
}
