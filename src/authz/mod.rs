//! `authz`: which AuthorizationPolicies apply to a workload, and how one request is decided.
//! This is the one place of Istio's authorization semantics; rules, `authz check` and
//! `simulate` all call it.
//!
//! # How to use it (for `simulate` and other queries)
//!
//! ```ignore
//! use meshlint::authz::{self, Peer, PolicyIndex, Request};
//! let index = PolicyIndex::build(&model, &mesh);          // once per run, linear
//! let applied = index.for_workload(&model, &mesh, dest);  // evaluation order
//! // The caller's identity exists only when Istio mTLS carried it: ask the mTLS layer.
//! let client = mesh.client_tls(&model, mesh::mtls::Caller { namespace, sidecar }, svc, port, subset);
//! let container_port = mesh.target_port(&model, svc, port, dest);
//! let conn = mesh.connect(&client, dest, container_port);
//! let request = Request {
//!     peer: conn.identity.then(|| Peer::of_workload(&mesh, source)),
//!     port: container_port,
//!     http: true,                                  // false for a TCP port
//!     method: Some("GET".into()), path: Some("/x".into()), host: Some("reviews:9080".into()),
//!     ..Request::default()
//! };
//! let decision = authz::evaluate(&model, &applied, &request);
//! if !decision.allowed { /* 403 RBAC: access denied (HTTP), connection reset (TCP) */ }
//! ```
//!
//! `Request::port` is the port the request arrives at on the workload (the container port,
//! after the Service's `targetPort`), which is what `to.operation.ports` and `destination.port`
//! read. If the connection itself is refused (`conn.accepted == false`) there is no request to
//! authorize: that is an mTLS mismatch, not an authorization decision.
//!
//! # Semantics (istio/api `authorization_policy.proto`, pilot `security/authz`)
//!
//! * Attachment (`policyattachment.go`): policies of the root namespace and of the workload's
//!   namespace; no selector = every workload there; a root-namespace selector applies in every
//!   namespace; a policy with `targetRef(s)` never applies to a sidecar (listed, not applied).
//! * Order: CUSTOM, then DENY, then ALLOW; AUDIT never changes the decision. A CUSTOM match
//!   hands the request to the external provider (which the files cannot show: the outcome is
//!   `Outcome::Provider`, unless a DENY denies anyway). Any DENY match denies. No enforced ALLOW
//!   policy: allowed. Else an ALLOW match allows, otherwise implicit deny.
//! * `istio.io/dry-run: "true"` policies are not enforced; their would-be matches are listed in
//!   `Decision::dry_run`.
//! * A policy without rules matches nothing (an ALLOW one is allow-nothing); an empty rule
//!   matches everything. A rule matches when one `from`, one `to` and every `when` match; fields
//!   of one source/operation are ANDed, values of one field ORed; `notX` is "none of".
//! * Strings: exact, `prefix*`, `*suffix`, `*` (present); paths also `{*}` and `{**}`; hosts
//!   case-insensitive.
//! * Identity fields (`principals`, `namespaces`, `serviceAccounts`, `trustDomains`,
//!   `source.principal|namespace`) read the mTLS peer certificate: with `peer: None` (plaintext)
//!   positive ones never match and negative ones always do (the istio#34355 bypass).
//! * On a TCP port (`http: false`) HTTP-only fields (`methods`, `paths`, `hosts`,
//!   `requestPrincipals`, `request.*` keys) make an ALLOW (or CUSTOM) rule be skipped entirely,
//!   and are dropped from a DENY or AUDIT rule (which widens it).
//! * Not evaluated offline: source IPs unless `Request::source_ip` is given (a positive
//!   `ipBlocks` then never matches, a negative always does), JWT claims other than the request
//!   principal, trust-domain aliases.

pub mod check;
pub mod conditions;

use rustc_hash::FxHashMap as HashMap;
use rustc_hash::FxHashSet;

use crate::mesh::{Labels, Mesh, WorkloadId};
use crate::model::security::{AuthorizationPolicy, AuthzRule};
use crate::model::{Model, Res};

/// An AuthorizationPolicy action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Custom,
    Deny,
    Allow,
    Audit,
}

impl Action {
    /// From the written action (absent = ALLOW); `None` for values Istio rejects.
    pub fn parse(s: &str) -> Option<Action> {
        match s {
            "ALLOW" => Some(Action::Allow),
            "DENY" => Some(Action::Deny),
            "AUDIT" => Some(Action::Audit),
            "CUSTOM" => Some(Action::Custom),
            _ => None,
        }
    }

    pub fn of(policy: &AuthorizationPolicy) -> Option<Action> {
        Action::parse(policy.action())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Custom => "CUSTOM",
            Action::Deny => "DENY",
            Action::Allow => "ALLOW",
            Action::Audit => "AUDIT",
        }
    }
}

/// How a policy reaches a workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// A root-namespace policy (with or without selector).
    Root,
    /// Namespace-wide (no selector) in the workload's namespace.
    Namespace,
    /// A selector of the workload's namespace.
    Workload,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Root => "root",
            Scope::Namespace => "namespace",
            Scope::Workload => "workload",
        }
    }
}

/// A policy as it applies to one workload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedPolicy {
    /// Index into `Model::authorization_policies`.
    pub index: usize,
    pub action: Action,
    pub scope: Scope,
    /// `istio.io/dry-run: "true"`: evaluated for the record, never enforced.
    pub dry_run: bool,
    /// `false` for a `targetRef(s)` policy: Istio ignores it for sidecars.
    pub applies: bool,
}

impl AppliedPolicy {
    pub fn enforced(&self) -> bool {
        self.applies && !self.dry_run
    }
}

/// Whether a policy carries `istio.io/dry-run: "true"`.
pub fn is_dry_run(p: &Res<AuthorizationPolicy>) -> bool {
    p.meta
        .annotations
        .get("istio.io/dry-run")
        .is_some_and(|v| v.value.eq_ignore_ascii_case("true"))
}

/// Whether a policy attaches by `targetRef`/`targetRefs` (never to a sidecar).
pub fn has_target_ref(p: &AuthorizationPolicy) -> bool {
    p.target_ref.is_some() || !p.target_refs.is_empty()
}

/// The workloads some RequestAuthentication selects: only their requests can carry a validated
/// JWT (a request principal, `request.auth.*` claims). A selector-less RequestAuthentication
/// covers its namespace, or every namespace from the root namespace.
pub struct JwtCoverage<'a> {
    /// A selector-less RequestAuthentication in the root namespace.
    pub everywhere: bool,
    /// Namespaces of selector-less RequestAuthentications.
    pub namespaces: FxHashSet<&'a str>,
    /// Workloads a RequestAuthentication's selector picks.
    pub selected: FxHashSet<WorkloadId>,
}

impl<'a> JwtCoverage<'a> {
    /// One pass over the RequestAuthentications, each selector looked up in the index.
    pub fn of(model: &'a Model, mesh: &Mesh) -> JwtCoverage<'a> {
        let root = mesh.root_namespace.as_str();
        let mut coverage = JwtCoverage {
            everywhere: false,
            namespaces: FxHashSet::default(),
            selected: FxHashSet::default(),
        };
        for ra in &model.request_authentications {
            let labels: Labels = ra
                .spec
                .selector
                .as_ref()
                .map(|s| {
                    s.match_labels
                        .iter()
                        .map(|(k, v)| (k.clone(), v.value.clone()))
                        .collect()
                })
                .unwrap_or_default();
            match (labels.is_empty(), ra.namespace() == root) {
                (true, true) => coverage.everywhere = true,
                (true, false) => {
                    coverage.namespaces.insert(ra.namespace());
                }
                (false, true) => coverage
                    .selected
                    .extend(mesh.select_in_any_namespace(&labels)),
                (false, false) => coverage
                    .selected
                    .extend(mesh.select(ra.namespace(), &labels)),
            }
        }
        coverage
    }

    /// Whether some RequestAuthentication selects the workload.
    pub fn covers(&self, mesh: &Mesh, w: WorkloadId) -> bool {
        self.everywhere
            || self.selected.contains(&w)
            || self
                .namespaces
                .contains(mesh.workload(w).namespace.as_str())
    }
}

/// AuthorizationPolicies indexed by namespace and by the first label of their selector, so that
/// the policies of one workload are found with one lookup per workload label.
#[derive(Debug, Default)]
pub struct PolicyIndex {
    /// namespace → policies without selector (or with an empty one), targetRef ones included.
    selectorless: HashMap<String, Vec<usize>>,
    /// (namespace, label key, label value) → selector policies whose smallest label is that one.
    by_label: HashMap<(String, String, String), Vec<usize>>,
    root: String,
}

impl PolicyIndex {
    pub fn build(model: &Model, mesh: &Mesh) -> PolicyIndex {
        let mut index = PolicyIndex {
            root: mesh.root_namespace.clone(),
            ..PolicyIndex::default()
        };
        for (i, p) in model.authorization_policies.iter().enumerate() {
            let ns = p.namespace().to_string();
            match p
                .spec
                .selector
                .as_ref()
                .and_then(|s| s.match_labels.iter().next())
            {
                Some((k, v)) => index
                    .by_label
                    .entry((ns, k.clone(), v.value.clone()))
                    .or_default()
                    .push(i),
                None => index.selectorless.entry(ns).or_default().push(i),
            }
        }
        index
    }

    /// The policies that reach a workload (and the targetRef ones that would, listed with
    /// `applies: false`), in evaluation order: CUSTOM, DENY, ALLOW, AUDIT; within one action by
    /// creation time, then namespace and name (Istio's order; files rarely carry timestamps).
    /// Policies with an action Istio rejects are left out (`authz-invalid-value` reports them).
    pub fn for_workload(&self, model: &Model, mesh: &Mesh, id: WorkloadId) -> Vec<AppliedPolicy> {
        let w = mesh.workload(id);
        let mut namespaces = vec![self.root.as_str()];
        if w.namespace != self.root {
            namespaces.push(w.namespace.as_str());
        }
        let mut found: Vec<(usize, Scope)> = Vec::new();
        for ns in &namespaces {
            let root = *ns == self.root;
            for &i in self.selectorless.get(*ns).into_iter().flatten() {
                found.push((i, scope_of(root, false)));
            }
            for (k, v) in &w.labels {
                let key = (ns.to_string(), k.clone(), v.clone());
                for &i in self.by_label.get(&key).into_iter().flatten() {
                    if selects(&model.authorization_policies[i], &w.labels) {
                        found.push((i, scope_of(root, true)));
                    }
                }
            }
        }
        in_order(model, found)
    }

    /// `for_workload` without an index, for a query about one workload (`authz check`): one
    /// pass over the policies that compares namespaces and, for the root's and the workload's,
    /// selectors. Same answer, same order.
    pub fn for_one_workload(model: &Model, mesh: &Mesh, id: WorkloadId) -> Vec<AppliedPolicy> {
        let w = mesh.workload(id);
        let root = mesh.root_namespace.as_str();
        let mut found: Vec<(usize, Scope)> = Vec::new();
        for (i, p) in model.authorization_policies.iter().enumerate() {
            let ns = p.namespace();
            if ns != root && ns != w.namespace {
                continue;
            }
            let has_selector = p
                .spec
                .selector
                .as_ref()
                .is_some_and(|s| !s.match_labels.is_empty());
            if !has_selector || selects(p, &w.labels) {
                found.push((i, scope_of(ns == root, has_selector)));
            }
        }
        in_order(model, found)
    }

    /// The workloads a policy selects (in any namespace for a root-namespace selector). Empty
    /// for a targetRef policy.
    pub fn selected_workloads(model: &Model, mesh: &Mesh, policy: usize) -> Vec<WorkloadId> {
        let p = &model.authorization_policies[policy];
        if has_target_ref(&p.spec) {
            return Vec::new();
        }
        let labels: crate::mesh::Labels = p
            .spec
            .selector
            .as_ref()
            .map(|s| {
                s.match_labels
                    .iter()
                    .map(|(k, v)| (k.clone(), v.value.clone()))
                    .collect()
            })
            .unwrap_or_default();
        if p.namespace() == mesh.root_namespace {
            mesh.select_in_any_namespace(&labels)
        } else {
            mesh.select(p.namespace(), &labels)
        }
    }
}

/// How a policy of the root namespace (or of the workload's) with or without selector reaches
/// the workload.
fn scope_of(root: bool, selector: bool) -> Scope {
    match (root, selector) {
        (true, _) => Scope::Root,
        (false, false) => Scope::Namespace,
        (false, true) => Scope::Workload,
    }
}

/// Whether a policy's selector picks a workload with these labels.
fn selects(p: &Res<AuthorizationPolicy>, labels: &crate::mesh::Labels) -> bool {
    p.spec.selector.as_ref().is_some_and(|s| {
        s.match_labels
            .iter()
            .all(|(k, v)| labels.get(k) == Some(&v.value))
    })
}

/// The policies found for a workload as `AppliedPolicy`s in evaluation order (see
/// `PolicyIndex::for_workload`).
fn in_order(model: &Model, found: Vec<(usize, Scope)>) -> Vec<AppliedPolicy> {
    let mut out: Vec<AppliedPolicy> = found
        .into_iter()
        .filter_map(|(i, scope)| {
            let p = &model.authorization_policies[i];
            Some(AppliedPolicy {
                index: i,
                action: Action::of(&p.spec)?,
                scope,
                dry_run: is_dry_run(p),
                applies: !has_target_ref(&p.spec),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        let key = |x: &AppliedPolicy| {
            let m = &model.authorization_policies[x.index].meta;
            (
                x.action,
                m.creation_timestamp
                    .as_ref()
                    .map_or(String::new(), |t| t.value.clone()),
                m.namespace.clone(),
                m.name.value.clone(),
                x.index,
            )
        };
        key(a).cmp(&key(b))
    });
    out.dedup_by_key(|p| p.index);
    out
}

/// The mTLS identity of a caller (what the peer certificate says).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Peer {
    /// `<trust domain>/ns/<ns>/sa/<sa>` (without `spiffe://`).
    pub principal: String,
    pub namespace: String,
    pub service_account: String,
    pub trust_domain: String,
}

impl Peer {
    /// The identity of a workload of the index.
    pub fn of_workload(mesh: &Mesh, id: WorkloadId) -> Peer {
        let w = mesh.workload(id);
        Peer {
            principal: mesh.principal_of(id),
            namespace: w.namespace.clone(),
            service_account: w.service_account.clone(),
            trust_domain: mesh.mtls.trust_domain.clone(),
        }
    }

    /// Parses `[spiffe://]<td>/ns/<ns>/sa/<sa>`.
    pub fn parse(principal: &str) -> Option<Peer> {
        let p = principal.strip_prefix("spiffe://").unwrap_or(principal);
        let (td, rest) = p.split_once("/ns/")?;
        let (ns, sa) = rest.split_once("/sa/")?;
        if td.is_empty() || ns.is_empty() || sa.is_empty() || sa.contains('/') {
            return None;
        }
        Some(Peer {
            principal: p.to_string(),
            namespace: ns.to_string(),
            service_account: sa.to_string(),
            trust_domain: td.to_string(),
        })
    }
}

/// One concrete request to a workload.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// The caller's identity, when Istio mTLS carried it; `None` for plaintext.
    pub peer: Option<Peer>,
    /// The port on the workload (container port).
    pub port: Option<u32>,
    /// The port speaks HTTP (false: TCP, HTTP-only conditions do not apply).
    pub http: bool,
    pub method: Option<String>,
    pub path: Option<String>,
    /// The Host / :authority header.
    pub host: Option<String>,
    /// Header names as given (compared case-insensitively).
    pub headers: Vec<(String, String)>,
    /// The JWT principal `<iss>/<sub>` when a RequestAuthentication validated a token.
    pub request_principal: Option<String>,
    pub source_ip: Option<String>,
}

/// The decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Allowed,
    Denied,
    /// A CUSTOM policy matched: the external provider decides (allowed if it allows).
    Provider,
}

/// A policy rule that took part in a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleRef {
    /// Index into `Model::authorization_policies`.
    pub policy: usize,
    /// Index into the policy's `rules`.
    pub rule: usize,
    pub action: Action,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub outcome: Outcome,
    /// `outcome == Allowed` (a provider decision counts as not known to be allowed).
    pub allowed: bool,
    /// The deciding policy (index into `Model::authorization_policies`), if one decided.
    pub policy: Option<usize>,
    /// The deciding rule's index in that policy.
    pub rule: Option<usize>,
    /// One sentence: why.
    pub reason: String,
    /// Dry-run policies whose rules would have matched.
    pub dry_run: Vec<RuleRef>,
    /// AUDIT rules that match (logged, no effect).
    pub audit: Vec<RuleRef>,
    /// ALLOW/CUSTOM rules skipped because they use HTTP-only fields on a TCP port.
    pub skipped_on_tcp: Vec<RuleRef>,
}

/// Whether one rule matches a request, for a policy of `action`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleMatch {
    Yes,
    No,
    /// ALLOW/CUSTOM rule with HTTP-only fields on a TCP port: Istio drops the rule.
    SkippedOnTcp,
}

/// Evaluates one rule (see the module documentation for the semantics).
pub fn rule_matches(rule: &AuthzRule, action: Action, req: &Request) -> RuleMatch {
    conditions::rule_matches(rule, action, req)
}

fn first_match(
    model: &Model,
    policy: &AppliedPolicy,
    req: &Request,
    skipped: &mut Vec<RuleRef>,
) -> Option<usize> {
    let p = &model.authorization_policies[policy.index];
    for (r, rule) in p.spec.rules.iter().enumerate() {
        match rule_matches(rule, policy.action, req) {
            RuleMatch::Yes => return Some(r),
            RuleMatch::No => {}
            RuleMatch::SkippedOnTcp => skipped.push(RuleRef {
                policy: policy.index,
                rule: r,
                action: policy.action,
            }),
        }
    }
    None
}

fn name(model: &Model, i: usize) -> String {
    let p = &model.authorization_policies[i];
    format!("{}/{}", p.namespace(), p.name())
}

/// Decides a request against the policies of one workload (`PolicyIndex::for_workload`, in that
/// order). Policies that do not apply (targetRef) are ignored; dry-run ones are only recorded.
pub fn evaluate(model: &Model, policies: &[AppliedPolicy], req: &Request) -> Decision {
    let mut decision = Decision {
        outcome: Outcome::Allowed,
        allowed: true,
        policy: None,
        rule: None,
        reason: String::new(),
        dry_run: Vec::new(),
        audit: Vec::new(),
        skipped_on_tcp: Vec::new(),
    };
    let mut skipped = Vec::new();
    for p in policies.iter().filter(|p| p.applies && p.dry_run) {
        if let Some(r) = first_match(model, p, req, &mut Vec::new()) {
            decision.dry_run.push(RuleRef {
                policy: p.index,
                rule: r,
                action: p.action,
            });
        }
    }
    for p in policies
        .iter()
        .filter(|p| p.enforced() && p.action == Action::Audit)
    {
        if let Some(r) = first_match(model, p, req, &mut Vec::new()) {
            decision.audit.push(RuleRef {
                policy: p.index,
                rule: r,
                action: p.action,
            });
        }
    }
    let enforced = |a: Action| {
        policies
            .iter()
            .filter(move |p| p.enforced() && p.action == a)
    };
    let mut custom: Option<(usize, usize)> = None;
    for p in enforced(Action::Custom) {
        if let Some(r) = first_match(model, p, req, &mut skipped) {
            custom = Some((p.index, r));
            break;
        }
    }
    for p in enforced(Action::Deny) {
        if let Some(r) = first_match(model, p, req, &mut skipped) {
            decision.outcome = Outcome::Denied;
            decision.allowed = false;
            decision.policy = Some(p.index);
            decision.rule = Some(r);
            decision.reason = format!("denied by DENY policy {} rules[{r}]", name(model, p.index));
            decision.skipped_on_tcp = skipped;
            return decision;
        }
    }
    let mut allow_policies = enforced(Action::Allow).peekable();
    let (outcome, policy, rule, reason) = if allow_policies.peek().is_none() {
        (
            Outcome::Allowed,
            None,
            None,
            "allowed: no DENY policy matches and no ALLOW policy applies".to_string(),
        )
    } else {
        let mut hit = None;
        for p in allow_policies {
            if let Some(r) = first_match(model, p, req, &mut skipped) {
                hit = Some((p.index, r));
                break;
            }
        }
        match hit {
            Some((i, r)) => (
                Outcome::Allowed,
                Some(i),
                Some(r),
                format!("allowed by ALLOW policy {} rules[{r}]", name(model, i)),
            ),
            None => (
                Outcome::Denied,
                None,
                None,
                "implicit deny: an ALLOW policy exists and none matches".to_string(),
            ),
        }
    };
    decision.skipped_on_tcp = skipped;
    match (custom, outcome) {
        (Some((i, r)), Outcome::Allowed) => {
            let provider = model.authorization_policies[i]
                .spec
                .provider
                .as_ref()
                .and_then(|p| p.name.as_ref())
                .map_or("(no provider)".to_string(), |n| n.value.clone());
            decision.outcome = Outcome::Provider;
            decision.allowed = false;
            decision.policy = Some(i);
            decision.rule = Some(r);
            decision.reason = format!(
                "CUSTOM policy {} rules[{r}] sends the request to the external authorizer {provider:?}: allowed only if it allows ({})",
                name(model, i),
                reason
            );
        }
        _ => {
            decision.outcome = outcome;
            decision.allowed = outcome == Outcome::Allowed;
            decision.policy = policy;
            decision.rule = rule;
            decision.reason = reason;
        }
    }
    decision
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{self, Options};

    fn seed() -> engine::Analysis {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/authz/seed-intro");
        engine::analyze(
            &[dir.to_string()],
            &mut || Ok(Vec::new()),
            &Options::default(),
        )
        .expect("fixture loads")
    }

    fn request(principal: &str, method: &str, path: &str) -> Request {
        Request {
            peer: Peer::parse(principal),
            port: Some(8080),
            http: true,
            method: Some(method.into()),
            path: Some(path.into()),
            ..Request::default()
        }
    }

    #[test]
    fn seed_intro_decisions() {
        let a = seed();
        let index = PolicyIndex::build(&a.model, &a.mesh);
        let w = a
            .mesh
            .find_workload("some-application", "test")
            .expect("workload");
        let applied = index.for_workload(&a.model, &a.mesh, w);
        let names: Vec<(&str, Action)> = applied
            .iter()
            .map(|p| (a.model.authorization_policies[p.index].name(), p.action))
            .collect();
        assert_eq!(
            names,
            [
                ("deny-policy", Action::Deny),
                ("access-allow-policy", Action::Allow)
            ]
        );
        let sa = "cluster.local/ns/test/sa/authorized-service-account";
        let d = evaluate(
            &a.model,
            &applied,
            &request(sa, "POST", "/some-important-request"),
        );
        assert!(d.allowed, "{d:?}");
        assert_eq!(d.rule, Some(0));
        let d = evaluate(
            &a.model,
            &applied,
            &request(sa, "GET", "/some-important-request"),
        );
        assert!(!d.allowed);
        assert!(d.reason.starts_with("implicit deny"), "{}", d.reason);
        let d = evaluate(&a.model, &applied, &request(sa, "POST", "/forbidden-path"));
        assert_eq!(d.outcome, Outcome::Denied);
        assert_eq!(
            d.policy.map(|i| a.model.authorization_policies[i].name()),
            Some("deny-policy")
        );
        // Plaintext has no principal: the ALLOW rule cannot match.
        let mut plain = request(sa, "POST", "/some-important-request");
        plain.peer = None;
        assert!(!evaluate(&a.model, &applied, &plain).allowed);
        // On a TCP port the ALLOW rule (methods, paths) is skipped; the DENY rule widens.
        let mut tcp = request(sa, "POST", "/x");
        tcp.http = false;
        let d = evaluate(&a.model, &applied, &tcp);
        assert_eq!(
            d.policy.map(|i| a.model.authorization_policies[i].name()),
            Some("deny-policy")
        );
    }
}
