//! `authz-http-on-tcp`: HTTP-only fields (`methods`, `paths`, `hosts`, `requestPrincipals`,
//! `request.*` conditions) in a rule of a policy that applies to a workload port whose protocol is
//! TCP (a Service port named or declared `tcp`, `mongo`, `redis`, `mysql`, `tls`). Istio
//! (`pilot/pkg/security/authz/model` `checkError`) then drops the whole rule of an ALLOW (or
//! CUSTOM) policy, so that port gets no TCP traffic through it, and drops only the HTTP
//! conditions of a DENY or AUDIT rule, which widens it to every TCP connection it otherwise
//! matches. Ports whose protocol is not declared are sniffed and not reported.

use std::collections::BTreeMap;

use crate::authz::conditions::http_only_fields;
use crate::authz::{Action, PolicyIndex};
use crate::diag::{Diagnostic, Severity};
use crate::mesh::{Protocol, ServiceId, ServiceSource, host};
use crate::model::security::AuthzRule;
use crate::rules::{Context, Rule};
use crate::source::Loc;

pub const RULE: Rule = Rule {
    name: "authz-http-on-tcp",
    code: None,
    codes: &[],
    severity: Severity::Warning,
    summary: "HTTP-only AuthorizationPolicy fields on a TCP port (ALLOW rules are dropped, DENY rules widen)",
    doc: include_str!("../../rules/authz-http-on-tcp.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn is_tcp(p: Protocol) -> bool {
    matches!(
        p,
        Protocol::Tcp | Protocol::Mongo | Protocol::Redis | Protocol::Mysql | Protocol::Tls
    )
}

/// Whether a rule's `ports` conditions admit a container port.
fn admits(rule: &AuthzRule, port: u32) -> bool {
    let text = port.to_string();
    rule.to.is_empty()
        || rule.to.iter().any(|t| {
            t.operation.as_ref().is_none_or(|o| {
                (o.ports.is_empty() || o.ports.iter().any(|p| p.value == text))
                    && !o.not_ports.iter().any(|p| p.value == text)
            })
        })
}

/// The first HTTP-only value of a rule (its key).
fn first_http_loc(rule: &AuthzRule) -> Loc {
    for s in rule.from.iter().filter_map(|f| f.source.as_ref()) {
        if let Some(v) = s.request_principals.first().or(s.not_request_principals.first()) {
            return v.key;
        }
    }
    for o in rule.to.iter().filter_map(|t| t.operation.as_ref()) {
        for list in [&o.methods, &o.not_methods, &o.paths, &o.not_paths, &o.hosts, &o.not_hosts] {
            if let Some(v) = list.first() {
                return v.key;
            }
        }
    }
    for c in &rule.when {
        if let Some(k) = c.key.as_ref().filter(|k| crate::authz::conditions::key_http_only(&k.value)) {
            return k.loc;
        }
    }
    rule.at
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let (model, mesh) = (cx.model, cx.mesh);
    if model.authorization_policies.is_empty() {
        return;
    }
    let index = PolicyIndex::build(model, mesh);
    // (policy, rule) → the TCP ports it meets.
    let mut found: BTreeMap<(usize, usize), Vec<String>> = BTreeMap::new();
    for (sid, svc) in mesh.services.iter().enumerate() {
        if !matches!(svc.source, ServiceSource::Kubernetes(_))
            || !svc.ports.iter().any(|p| is_tcp(p.protocol))
        {
            continue;
        }
        let sid = ServiceId(sid as u32);
        let Some(endpoints) = mesh.endpoints(sid) else {
            continue;
        };
        for port in svc.ports.iter().filter(|p| is_tcp(p.protocol)) {
            for &ep in &endpoints {
                let Some(container) = mesh.target_port(model, sid, port.number, ep) else {
                    continue;
                };
                for p in index.for_workload(model, mesh, ep) {
                    if !p.applies {
                        continue;
                    }
                    let rules = &model.authorization_policies[p.index].spec.rules;
                    for (r, rule) in rules.iter().enumerate() {
                        if http_only_fields(rule).is_empty() || !admits(rule, container) {
                            continue;
                        }
                        let label = format!("{}:{} ({})", host::short(&svc.host), port.number, port.name);
                        let list = found.entry((p.index, r)).or_default();
                        if !list.contains(&label) {
                            list.push(label);
                        }
                    }
                }
            }
        }
    }
    for ((i, r), ports) in found {
        let p = &model.authorization_policies[i];
        let Some(rule) = p.spec.rules.get(r) else { continue };
        let fields = http_only_fields(rule).join(", ");
        let ports_text = ports.join(", ");
        let (effect, help) = match Action::of(&p.spec) {
            Some(Action::Allow | Action::Custom) => (
                "Istio drops the whole rule on TCP ports, so it allows no TCP connection there (with no other matching rule, all TCP traffic to the port is denied)",
                "move the TCP port to a rule of its own without HTTP fields (e.g. `ports` and `from` only), or declare the port as HTTP if it is",
            ),
            _ => (
                "Istio drops these conditions on TCP ports, so the rule matches every TCP connection that fits the rest of it: it denies more than written",
                "restrict the rule to the HTTP ports with `ports`, or drop the HTTP fields if the whole port is meant",
            ),
        };
        out.push(
            Diagnostic::new(
                &RULE,
                first_http_loc(rule),
                format!("rules[{r}] uses HTTP-only fields ({fields}) and applies to the TCP port {ports_text}: {effect}"),
            )
            .help(help)
            .resource(Some(p.resource_ref())),
        );
    }
}
