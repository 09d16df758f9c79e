//! `proxy-uid`: a workload container that runs as UID 1337, the sidecar proxy's UID (istioctl
//! `applicationUID.Analyzer`, IST0144 `InvalidApplicationUID`). Upstream reads Pods and
//! Deployments; meshlint reads every pod template (StatefulSet, DaemonSet, Job…) alike.

use crate::diag::{Diagnostic, Severity};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "proxy-uid",
    code: Some("IST0144"),
    codes: &["IST0144"],
    severity: Severity::Warning,
    summary: "an application container running as UID 1337, which is reserved for the sidecar proxy",
    doc: include_str!("../../rules/proxy-uid.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

const PROXY_UID: i64 = 1337;

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for w in &cx.model.workloads {
        let spec = &w.spec.spec;
        let pod_level = spec
            .security_context
            .as_ref()
            .and_then(|s| s.run_as_user.as_ref())
            .filter(|u| u.value == PROXY_UID);
        let containers = spec
            .containers
            .iter()
            .filter(|c| c.name.as_ref().is_none_or(|n| n.value != "istio-proxy"));
        let container_level = containers.filter_map(|c| {
            c.security_context
                .as_ref()
                .and_then(|s| s.run_as_user.as_ref())
                .filter(|u| u.value == PROXY_UID)
                .map(|u| (c, u))
        });
        let mut found: Vec<(crate::source::Loc, String)> = Vec::new();
        if let Some(u) = pod_level {
            found.push((u.loc, "the pod's `securityContext` runs its containers".into()));
        }
        for (c, u) in container_level {
            let name = c.name.as_ref().map_or("a container", |n| n.value.as_str());
            found.push((u.loc, format!("container {name} runs")));
        }
        // Upstream reports one message per workload; so does meshlint, at the first place.
        let Some((loc, what)) = found.first() else { continue };
        out.push(
            Diagnostic::new(
                &RULE,
                *loc,
                format!(
                    "{what} as UID 1337, the sidecar proxy's UID: iptables exempts that UID from redirection, so this \
                     application's traffic bypasses the proxy (no mTLS, no policy, no telemetry)"
                ),
            )
            .help("run the application under another UID")
            .resource(Some(w.resource_ref())),
        );
    }
}
