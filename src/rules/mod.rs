//! The rule registry: the one place that lists rules and holds their passes. A rule is one
//! module with a `RULE` constant (its identity, `diag::Rule`) and a `CHECK` constant (its pass
//! over the mesh, or `None` when the loader or the model phase report it); adding one is its own
//! files plus one line in `registry!` below.

use crate::diag::Diagnostic;
use crate::mesh::Mesh;
use crate::model::Model;

/// What a rule pass sees: the typed model and the index built over it. Rules never parse YAML.
pub struct Context<'a> {
    pub model: &'a Model,
    pub mesh: &'a Mesh,
    pub options: &'a crate::engine::Options,
}

pub type CheckFn = fn(&Context<'_>, &mut Vec<Diagnostic>);

/// A rule's identity lives in `crate::diag` so that every layer may name it; the identities of
/// the rules the loader and the model phase report are declared in `crate::catalog`.
pub use crate::diag::Rule;

macro_rules! registry {
    ($($module:ident),* $(,)?) => {
        $(pub mod $module;)*
        /// Every rule, in the order `meshlint rules` lists them.
        pub static ALL: &[&Rule] = &[$(&$module::RULE),*];
        /// The pass of each rule in `ALL` (same order), `None` for rules reported before the
        /// passes run.
        static CHECKS: &[Option<CheckFn>] = &[$($module::CHECK),*];
    };
}

registry! {
    yaml_syntax,
    duplicate_key,
    duplicate_resource,
    not_an_object,
    unrendered_template,
    input_too_large,
    unknown_field,
    invalid_value,
    missing_field,
    removed_api,
    deprecated_field,
    unknown_host,
    wildcard_destination,
    unknown_gateway,
    subset_not_found,
    subset_no_workloads,
    weights_not_100,
    port_not_found,
    port_required,
    delegate_not_found,
    retries_exceed_timeout,
    fault_delay_exceeds_timeout,
    host_not_visible,
    unreachable_route,
    ineffective_match,
    conflicting_virtualservices,
    vs_host_not_in_gateway,
    gateway_no_workload,
    gateway_port_not_on_service,
    conflicting_gateways,
    port_name,
    externalname_port_name,
    delegate_conflict,
    unused_suppression,
    tls_no_ca_certificate,
    port_tls_no_ca_certificate,
    serviceentry_addresses_required,
    serviceentry_protocol_conflict,
    gateway_duplicate_certificate,
    negative_condition,
    proxy_uid,
    sidecar_selects_nothing,
    sidecar_selector_conflict,
    sidecar_default_conflict,
    sidecar_in_ambient,
    telemetry_selects_nothing,
    telemetry_selector_conflict,
    telemetry_default_conflict,
    telemetry_no_provider,
    telemetry_lightstep,
    mtls_mismatch,
    authz_no_workload,
    authz_unknown_namespace,
    authz_invalid_value,
    authz_unknown_principal,
    authz_requestprincipals_without_jwt,
    authz_conflict,
    authz_http_on_tcp,
    authz_requires_mtls,
    authz_split_rule,
    envoyfilter_relative_operation,
    envoyfilter_relative_proxy_version,
    envoyfilter_replace_operation,
    envoyfilter_add_operation,
    envoyfilter_remove_operation,
    dr_host_not_found,
    internal_gateway_ref,
    ingress_subset_ignored,
    gateway_pod_selector,
    namespace_not_injected,
    namespace_injected_by_default,
    namespace_multiple_injection_labels,
    pod_missing_proxy,
    workload_services_protocol,
    workload_services_target_port,
    external_webhook_url,
    external_webhook_ip,
    gateway_api_crd_version,
    proxy_image_mismatch,
    single_destination_weight,
    duplicate_destination,
    root_sidecar_selector,
    outbound_policy_no_mode,
    subset_no_labels,
    dr_merge_conflict,
    serviceentry_duplicate_port,
    export_to_unknown_namespace,
    target_port_not_served,
    sidecar_egress_unknown_host,
    gateway_ref_legacy_form,
    workload_no_authorization,
    route_parent_not_found,
    route_backend_not_found,
    gateway_api_listener_conflict,
    gateway_api_duplicate_listener,
    referencegrant_unknown_namespace,
    workloadgroup_unknown_service_account,
    workloadgroup_duplicate_labels,
    peerauthentication_default_conflict,
    peerauthentication_selector_conflict,
    gateway_duplicate_host,
    jwks_fetch_unrestricted,
    pod_image_auto,
    image_auto_not_injected,
    jwt_claim_route_without_authn,
    invalid_injection_webhook,
    unknown_annotation,
    misplaced_annotation,
    invalid_annotation,
    deprecated_annotation,
    gateway_secret_not_found,
    gateway_secret_invalid,
    unknown_service_registry,
}

pub mod catalog;

/// Rules that run only where `.meshlint.yaml` gives them a severity (`rules: {<name>: info}`):
/// checks that most meshes fail on purpose, so that by default they would only be noise. Their
/// `severity` is the one they report with once turned on.
pub const OFF_BY_DEFAULT: &[&str] = &[workload_no_authorization::RULE.name];

/// Whether a rule runs without configuration (see `OFF_BY_DEFAULT`).
pub fn on_by_default(rule: &Rule) -> bool {
    !OFF_BY_DEFAULT.contains(&rule.name)
}

/// The pass of every rule that has one, in the order of `ALL`.
pub fn passes() -> impl Iterator<Item = (&'static Rule, CheckFn)> {
    ALL.iter()
        .zip(CHECKS)
        .filter_map(|(rule, check)| check.map(|check| (*rule, check)))
}

/// The pass of `rule`, `None` when the loader, the model phase or the engine report it.
pub fn check_of(rule: &Rule) -> Option<CheckFn> {
    ALL.iter()
        .zip(CHECKS)
        .find(|(r, _)| r.name == rule.name)
        .and_then(|(_, check)| *check)
}

/// The group a rule belongs to, for `meshlint rules` and SARIF tags: `input` (the loader and the
/// schema), `security` (mTLS, authorization, certificates, proxy identity), `telemetry`,
/// `configuration` (meshlint's own suppressions) and `traffic` (routing, references, scope) for
/// the rest.
pub fn category(rule: &Rule) -> &'static str {
    const INPUT: &[&str] = &[
        "yaml-syntax",
        "duplicate-key",
        "input-too-large",
        "unknown-field",
        "invalid-value",
        "missing-field",
        "removed-api",
        "deprecated-field",
        "duplicate-resource",
        "not-an-object",
    ];
    if rule.name == "unused-suppression" {
        "configuration"
    } else if INPUT.contains(&rule.name) {
        "input"
    } else if rule.name.starts_with("authz-")
        || rule.name.starts_with("mtls-")
        || rule.name.contains("authentication")
        || rule.name.contains("authorization")
        || rule.name.contains("certificate")
        || rule.name == "proxy-uid"
        || rule.name.starts_with("jwks-")
    {
        "security"
    } else if rule.name.starts_with("telemetry-") {
        "telemetry"
    } else {
        "traffic"
    }
}

/// The closest rule name or code to a misspelt one, for "did you mean".
pub fn suggest(name_or_code: &str) -> Option<&'static str> {
    crate::diag::did_you_mean(
        name_or_code,
        ALL.iter()
            .flat_map(|r| std::iter::once(r.name).chain(r.codes.iter().copied())),
    )
}

pub fn find(name_or_code: &str) -> Vec<&'static Rule> {
    let exact: Vec<_> = ALL
        .iter()
        .copied()
        .filter(|r| r.name == name_or_code)
        .collect();
    if !exact.is_empty() {
        return exact;
    }
    ALL.iter()
        .copied()
        .filter(|r| r.codes.iter().any(|c| c.eq_ignore_ascii_case(name_or_code)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::ALL;

    #[test]
    fn every_rule_lists_its_istioctl_code_first_among_its_codes() {
        for rule in ALL {
            if let Some(code) = rule.code {
                assert_eq!(rule.codes.first(), Some(&code), "{}", rule.name);
            }
            for code in rule.codes {
                assert!(
                    (code.starts_with("IST") || code.starts_with("KIA"))
                        && code.len() == 7
                        && code[3..].bytes().all(|b| b.is_ascii_digit()),
                    "{}: {code} is no IST or KIA code",
                    rule.name
                );
            }
        }
    }
}
