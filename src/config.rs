//! `.meshlint.yaml`: rule severities, suppressions (each with a reason), defaults, paths to
//! exclude, and what exists in the cluster but not in the inputs (`external:`).
//!
//! Found in the working directory or the nearest parent that has one, or given with `--config`.
//! Read with meshlint's own YAML loader, so every mistake in it is reported with its line and
//! column, and an unknown key with "did you mean".
//!
//! ```yaml
//! rules:
//!   port-name: off            # off | info | warning | error
//!   weights-not-100: error
//! suppress:
//!   - rule: unknown-host       # a rule name or an IST/KIA code; * globs
//!     resource: VirtualService legacy/*   # Kind namespace/name (Kind name if cluster-scoped)
//!     reason: the legacy namespace is migrated in Q3
//! namespace: shop              # of resources that have none
//! mesh-config: istio/mesh.yaml
//! istio-version: "1.24"
//! exclude: [charts/*/tests/**]
//! external:
//!   hosts: [istiod.istio-system.svc.cluster.local, "*.googleapis.com"]
//!   namespaces: [cert-manager]
//!   workloads:
//!     - namespace: istio-system
//!       labels: {istio: ingressgateway}
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diag::{ResourceRef, Severity, did_you_mean};
use crate::load::yaml::{Document, NodeId, Value};
use crate::source::{SourceDb, Span};

/// The name searched for in the working directory and its parents.
pub const FILE_NAME: &str = ".meshlint.yaml";

/// What a `.meshlint.yaml` says.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Where it was read from.
    pub path: Option<PathBuf>,
    /// The file's text, so findings about it (`unused-suppression`) can point into it.
    pub text: Option<Arc<str>>,
    /// `rules:`: a rule's severity, `None` for `off`.
    pub severities: Vec<(String, Option<Severity>)>,
    pub suppressions: Vec<Suppression>,
    pub namespace: Option<String>,
    pub mesh_config: Option<String>,
    pub istio_version: Option<(u32, u32)>,
    pub exclude: Vec<String>,
    pub external: External,
}

/// Things that exist in the cluster but not in the inputs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct External {
    /// Hosts (FQDNs, `*.` wildcards allowed) that are Services or ServiceEntries elsewhere.
    pub hosts: Vec<String>,
    /// Namespaces whose resources live elsewhere: any host `*.<ns>.svc.cluster.local`, any
    /// Gateway `<ns>/*` and any workload in them is taken to exist.
    pub namespaces: Vec<String>,
    /// Workloads (gateway deployments, say) installed by another chart.
    pub workloads: Vec<ExternalWorkload>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExternalWorkload {
    /// `None`: any namespace.
    pub namespace: Option<String>,
    pub labels: Vec<(String, String)>,
}

impl External {
    pub fn is_empty(&self) -> bool {
        self.hosts.is_empty() && self.namespaces.is_empty() && self.workloads.is_empty()
    }

    /// Whether `host` (a resolved FQDN) is declared to exist outside the inputs.
    pub fn has_host(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        self.hosts.iter().any(|h| {
            let h = h.to_ascii_lowercase();
            match h.strip_prefix('*') {
                Some(suffix) => host.ends_with(suffix) || h == host,
                None => h == host,
            }
        }) || self.namespaces.iter().any(|ns| {
            host.strip_suffix(".svc.cluster.local")
                .and_then(|rest| rest.rsplit_once('.'))
                .is_some_and(|(_, n)| n == ns)
        })
    }

    pub fn has_namespace(&self, namespace: &str) -> bool {
        self.namespaces.iter().any(|n| n == namespace)
    }

    /// Whether a workload outside the inputs carries every label of `selector`, in `namespace`
    /// (`None`: in any namespace).
    pub fn has_workload(&self, namespace: Option<&str>, selector: &[(String, String)]) -> bool {
        if namespace.is_some_and(|ns| self.has_namespace(ns)) {
            return true;
        }
        self.workloads.iter().any(|w| {
            let ns_ok = match (namespace, &w.namespace) {
                (Some(want), Some(have)) => want == have,
                _ => true,
            };
            ns_ok
                && selector
                    .iter()
                    .all(|(k, v)| w.labels.iter().any(|(wk, wv)| wk == k && wv == v))
        })
    }
}

/// One suppression: findings of `rule` (a name or code, globs allowed) about `resource`
/// (`Kind ns/name`, globs allowed).
#[derive(Debug, Clone, PartialEq)]
pub struct Suppression {
    pub rule: String,
    pub resource: String,
    pub reason: Option<String>,
    /// Where it is written in the config file (`None` for `--suppress`).
    pub span: Option<Span>,
}

impl Suppression {
    /// Parses `--suppress 'RULE_OR_CODE=Kind ns/name'`.
    pub fn parse_flag(s: &str) -> Result<Suppression, String> {
        let (rule, resource) = s
            .split_once('=')
            .ok_or("expected RULE_OR_CODE=Kind ns/name, e.g. IST0101=VirtualService shop/*")?;
        let (rule, resource) = (rule.trim(), resource.trim());
        if rule.is_empty() || resource.is_empty() {
            return Err(
                "expected RULE_OR_CODE=Kind ns/name, e.g. unknown-host=VirtualService shop/*"
                    .into(),
            );
        }
        check_rule_pattern(rule)?;
        Ok(Suppression {
            rule: rule.to_string(),
            resource: resource.to_string(),
            reason: None,
            span: None,
        })
    }

    /// Whether the suppression names this rule (by name or any of its codes) and resource:
    /// `Kind namespace/name`, or istioctl's `Kind name.namespace`.
    pub fn matches(&self, rule: &crate::rules::Rule, resource: Option<&ResourceRef>) -> bool {
        let rule_ok = glob_match(&self.rule, rule.name)
            || rule
                .codes
                .iter()
                .any(|c| glob_match(&self.rule.to_ascii_uppercase(), c));
        if !rule_ok {
            return false;
        }
        let Some(r) = resource else {
            return glob_match(&self.resource, "");
        };
        glob_match(&self.resource, &r.to_string())
            || r.namespace.as_ref().is_some_and(|ns| {
                glob_match(&self.resource, &format!("{} {}.{ns}", r.kind, r.name))
            })
    }

    pub fn describe(&self) -> String {
        match &self.reason {
            Some(reason) => format!("{}={} ({reason})", self.rule, self.resource),
            None => format!("{}={}", self.rule, self.resource),
        }
    }
}

/// `*` globs, shared with the loader's `exclude:` (it lives there so the loader need not import
/// the configuration).
pub use crate::load::glob_match;

/// A rule pattern must name a rule or a code (globs are taken as they are).
fn check_rule_pattern(rule: &str) -> Result<(), String> {
    if rule.contains('*') || !crate::rules::find(rule).is_empty() {
        return Ok(());
    }
    let names = crate::rules::ALL.iter().map(|r| r.name);
    Err(match did_you_mean(rule, names) {
        Some(s) => format!("no rule or code named {rule}; did you mean {s}?"),
        None => format!("no rule or code named {rule}; `meshlint rules` lists them"),
    })
}

/// A mistake in the config file, with its position.
#[derive(Debug)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The config file that applies in `dir`: `dir/.meshlint.yaml` or the nearest parent's.
pub fn discover(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .map(|d| d.join(FILE_NAME))
        .find(|p| p.is_file())
}

/// Reads `--config FILE`, else the discovered file, else the defaults.
pub fn load(explicit: Option<&Path>) -> Result<Config, ConfigError> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None => {
            let Some(p) = std::env::current_dir().ok().and_then(|d| discover(&d)) else {
                return Ok(Config::default());
            };
            p
        }
    };
    let bytes = std::fs::read(&path)
        .map_err(|e| ConfigError(format!("cannot read {}: {e}", path.display())))?;
    let mut config = parse(&path.display().to_string(), &bytes)?;
    config.path = Some(path);
    Ok(config)
}

const TOP_KEYS: &[&str] = &[
    "rules",
    "suppress",
    "namespace",
    "mesh-config",
    "istio-version",
    "exclude",
    "external",
];
const SUPPRESS_KEYS: &[&str] = &["rule", "resource", "reason"];
const EXTERNAL_KEYS: &[&str] = &["hosts", "namespaces", "workloads"];
const WORKLOAD_KEYS: &[&str] = &["namespace", "labels"];

struct Reader<'a> {
    path: &'a str,
    sources: &'a SourceDb,
    doc: &'a Document,
}

impl Reader<'_> {
    fn error(&self, id: NodeId, message: impl std::fmt::Display) -> ConfigError {
        let span = self.doc.span(id);
        let (line, col) = self
            .sources
            .line_col(crate::source::Loc::new(self.doc.file, span));
        ConfigError(format!("{}:{line}:{col}: {message}", self.path))
    }

    fn map(&self, id: NodeId, what: &str) -> Result<Vec<(String, NodeId, NodeId)>, ConfigError> {
        if self.doc.is_null(id) {
            return Ok(Vec::new());
        }
        if !self.doc.is_map(id) {
            return Err(self.error(id, format!("{what} must be a mapping")));
        }
        self.doc
            .entries(id)
            .iter()
            .map(|&(k, v)| {
                let key = self
                    .doc
                    .str(k)
                    .ok_or_else(|| self.error(k, "keys must be strings"))?;
                Ok((key.to_string(), k, v))
            })
            .collect()
    }

    fn keys(
        &self,
        entries: &[(String, NodeId, NodeId)],
        allowed: &[&str],
        what: &str,
    ) -> Result<(), ConfigError> {
        for (key, k, _) in entries {
            if !allowed.contains(&key.as_str()) {
                let hint = match did_you_mean(key, allowed.iter().copied()) {
                    Some(s) => format!(" (did you mean `{s}`?)"),
                    None => format!(" (expected one of: {})", allowed.join(", ")),
                };
                return Err(self.error(*k, format!("unknown key `{key}` in {what}{hint}")));
            }
        }
        Ok(())
    }

    fn string(&self, id: NodeId, what: &str) -> Result<String, ConfigError> {
        match self.doc.value(self.doc.resolve(id)) {
            Value::Scalar { .. } => self
                .doc
                .str(id)
                .map(str::to_string)
                .ok_or_else(|| self.error(id, format!("{what} must be a string"))),
            _ => Err(self.error(id, format!("{what} must be a string"))),
        }
    }

    fn strings(&self, id: NodeId, what: &str) -> Result<Vec<String>, ConfigError> {
        if self.doc.is_null(id) {
            return Ok(Vec::new());
        }
        if !matches!(self.doc.value(self.doc.resolve(id)), Value::Seq(_)) {
            return Err(self.error(id, format!("{what} must be a list of strings")));
        }
        self.doc
            .items(id)
            .iter()
            .map(|&i| self.string(i, what))
            .collect()
    }
}

/// Parses the text of a config file; `path` is only for messages.
pub fn parse(path: &str, bytes: &[u8]) -> Result<Config, ConfigError> {
    let loaded = crate::load::load_sources(
        vec![(path.to_string(), bytes.to_vec())],
        &crate::load::LoadOptions::default(),
    );
    if let Some(d) = loaded.diagnostics.first() {
        let (line, col) = loaded.sources.line_col(d.loc);
        return Err(ConfigError(format!("{path}:{line}:{col}: {}", d.message)));
    }
    let text: Option<Arc<str>> = loaded.sources.files().first().map(|f| Arc::clone(&f.text));
    let mut config = Config {
        text,
        ..Config::default()
    };
    let Some(doc) = loaded.documents.first() else {
        return Ok(config);
    };
    if loaded.documents.len() > 1 {
        return Err(ConfigError(format!("{path}: expected one YAML document")));
    }
    let Some(root) = doc.root else {
        return Ok(config);
    };
    let r = Reader {
        path,
        sources: &loaded.sources,
        doc,
    };
    let top = r.map(root, "the file")?;
    r.keys(&top, TOP_KEYS, "the file")?;
    for (key, _, v) in &top {
        let v = *v;
        match key.as_str() {
            "rules" => {
                for (name, k, sev) in r.map(v, "rules")? {
                    if crate::rules::ALL.iter().all(|rule| rule.name != name) {
                        let hint = did_you_mean(&name, crate::rules::ALL.iter().map(|r| r.name))
                            .map(|s| format!("; did you mean `{s}`?"))
                            .unwrap_or_else(|| "; `meshlint rules` lists them".into());
                        return Err(r.error(k, format!("no rule named `{name}`{hint}")));
                    }
                    // `off` is read as a string even though YAML 1.1 made it a boolean.
                    let text =
                        r.doc
                            .str(sev)
                            .map(str::to_string)
                            .or_else(|| match r.doc.scalar(sev) {
                                Some(crate::load::yaml::Scalar::Bool(false)) => Some("off".into()),
                                _ => None,
                            });
                    let level = match text.as_deref() {
                        Some("off") => None,
                        Some(s) if Severity::parse(s).is_some() => Severity::parse(s),
                        _ => {
                            let got = text.unwrap_or_default();
                            let hint = did_you_mean(&got, ["off", "info", "warning", "error"])
                                .map(|s| format!(" (did you mean `{s}`?)"))
                                .unwrap_or_default();
                            return Err(r.error(
                                sev,
                                format!(
                                    "severity of {name} must be off, info, warning or error{hint}"
                                ),
                            ));
                        }
                    };
                    config.severities.push((name, level));
                }
            }
            "suppress" => {
                if !matches!(r.doc.value(r.doc.resolve(v)), Value::Seq(_)) {
                    return Err(r.error(v, "suppress must be a list of {rule, resource, reason}"));
                }
                for &item in r.doc.items(v) {
                    let entries = r.map(item, "a suppression")?;
                    r.keys(&entries, SUPPRESS_KEYS, "a suppression")?;
                    let get = |key: &str| entries.iter().find(|(k, _, _)| k == key).map(|e| e.2);
                    let rule = match get("rule") {
                        Some(id) => r.string(id, "rule")?,
                        None => {
                            return Err(
                                r.error(item, "a suppression needs `rule` (a rule name or code)")
                            );
                        }
                    };
                    if let Err(e) = check_rule_pattern(&rule) {
                        return Err(r.error(get("rule").unwrap_or(item), e));
                    }
                    let resource = match get("resource") {
                        Some(id) => r.string(id, "resource")?,
                        None => "*".to_string(),
                    };
                    let reason = match get("reason") {
                        Some(id) => r.string(id, "reason")?,
                        None => String::new(),
                    };
                    if reason.trim().is_empty() {
                        return Err(r.error(
                            item,
                            "a suppression needs a `reason`: why the finding does not apply",
                        ));
                    }
                    config.suppressions.push(Suppression {
                        rule,
                        resource,
                        reason: Some(reason),
                        span: Some(r.doc.span(item)),
                    });
                }
            }
            "namespace" => config.namespace = Some(r.string(v, "namespace")?),
            "mesh-config" => config.mesh_config = Some(r.string(v, "mesh-config")?),
            "istio-version" => {
                // The raw text: `1.20` must not become the number 1.2.
                let text = r.string(v, "istio-version")?;
                config.istio_version = Some(
                    parse_version(&text).map_err(|e| r.error(v, format!("istio-version: {e}")))?,
                );
            }
            "exclude" => config.exclude = r.strings(v, "exclude")?,
            "external" => {
                let entries = r.map(v, "external")?;
                r.keys(&entries, EXTERNAL_KEYS, "external")?;
                for (key, _, v) in entries {
                    match key.as_str() {
                        "hosts" => config.external.hosts = r.strings(v, "external.hosts")?,
                        "namespaces" => {
                            config.external.namespaces = r.strings(v, "external.namespaces")?
                        }
                        _ => {
                            if !matches!(r.doc.value(r.doc.resolve(v)), Value::Seq(_)) {
                                return Err(r.error(
                                    v,
                                    "external.workloads must be a list of {namespace, labels}",
                                ));
                            }
                            for &item in r.doc.items(v) {
                                let entries = r.map(item, "a workload")?;
                                r.keys(&entries, WORKLOAD_KEYS, "a workload")?;
                                let mut w = ExternalWorkload::default();
                                for (key, _, v) in entries {
                                    if key == "namespace" {
                                        w.namespace = Some(r.string(v, "namespace")?);
                                    } else {
                                        for (label, _, value) in r.map(v, "labels")? {
                                            w.labels
                                                .push((label, r.string(value, "a label value")?));
                                        }
                                    }
                                }
                                config.external.workloads.push(w);
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    Ok(config)
}

/// `X.Y` (a patch is ignored), e.g. `1.22`.
pub fn parse_version(s: &str) -> Result<(u32, u32), String> {
    let (major, minor) = s.split_once('.').ok_or("expected X.Y, e.g. 1.22")?;
    let minor = minor.split('.').next().unwrap_or(minor);
    Ok((
        major.parse().map_err(|_| "bad major version")?,
        minor.parse().map_err(|_| "bad minor version")?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_match_in_our_form_and_istioctls() {
        let s = Suppression::parse_flag("IST0101=VirtualService *.shop").unwrap();
        let rule = crate::rules::ALL
            .iter()
            .find(|r| r.name == "unknown-host")
            .unwrap();
        let r = ResourceRef {
            kind: "VirtualService".into(),
            name: "front".into(),
            namespace: Some("shop".into()),
        };
        assert!(s.matches(rule, Some(&r)));
        let s = Suppression::parse_flag("unknown-host = VirtualService shop/f*").unwrap();
        assert!(s.matches(rule, Some(&r)));
        let s = Suppression::parse_flag("unknown-host=VirtualService other/*").unwrap();
        assert!(!s.matches(rule, Some(&r)));
        let s = Suppression::parse_flag("port-name=VirtualService shop/*").unwrap();
        assert!(!s.matches(rule, Some(&r)));
    }

    #[test]
    fn globs() {
        assert!(glob_match("*", ""));
        assert!(glob_match(
            "VirtualService shop/*",
            "VirtualService shop/cart"
        ));
        assert!(!glob_match(
            "VirtualService shop/*",
            "VirtualService shopx/cart"
        ));
        assert!(glob_match("*shop/c*t", "VirtualService shop/cart"));
        assert!(!glob_match("a*b", "a"));
        assert!(glob_match(&"*a".repeat(20), &"a".repeat(40)));
    }

    #[test]
    fn a_full_file_is_read() {
        let text = "rules:\n  port-name: off\n  weights-not-100: error\nsuppress:\n  - rule: IST0101\n    resource: VirtualService legacy/*\n    reason: migrated later\nnamespace: shop\nistio-version: 1.22\nexclude: [a/*]\nexternal:\n  hosts: [istiod.istio-system.svc.cluster.local]\n  namespaces: [cert-manager]\n  workloads:\n    - namespace: istio-system\n      labels: {istio: ingressgateway}\n";
        let c = parse("c.yaml", text.as_bytes()).unwrap();
        assert_eq!(
            c.severities,
            vec![
                ("port-name".to_string(), None),
                ("weights-not-100".to_string(), Some(Severity::Error))
            ]
        );
        assert_eq!(c.suppressions.len(), 1);
        assert_eq!(c.suppressions[0].reason.as_deref(), Some("migrated later"));
        assert_eq!(c.namespace.as_deref(), Some("shop"));
        assert_eq!(c.istio_version, Some((1, 22)));
        assert_eq!(c.exclude, vec!["a/*"]);
        assert!(c.external.has_host("istiod.istio-system.svc.cluster.local"));
        assert!(c.external.has_host("solver.cert-manager.svc.cluster.local"));
        assert!(!c.external.has_host("cart.shop.svc.cluster.local"));
        assert!(
            c.external
                .has_workload(None, &[("istio".into(), "ingressgateway".into())])
        );
        assert!(
            !c.external
                .has_workload(None, &[("istio".into(), "egress".into())])
        );
    }

    #[test]
    fn mistakes_have_a_location_and_a_suggestion() {
        let e = parse("c.yaml", b"rules:\n  port-name: off\nsupress: []\n").unwrap_err();
        assert_eq!(
            e.0,
            "c.yaml:3:1: unknown key `supress` in the file (did you mean `suppress`?)"
        );
        let e = parse("c.yaml", b"rules:\n  port-nam: off\n").unwrap_err();
        assert!(
            e.0.starts_with("c.yaml:2:3: no rule named `port-nam`; did you mean `port-name`?"),
            "{e}"
        );
        let e = parse("c.yaml", b"rules:\n  port-name: warnin\n").unwrap_err();
        assert!(
            e.0.contains("2:14") && e.0.contains("did you mean `warning`"),
            "{e}"
        );
        let e = parse(
            "c.yaml",
            b"suppress:\n  - rule: unknown-host\n    resource: x\n",
        )
        .unwrap_err();
        assert!(
            e.0.starts_with("c.yaml:2:5:") && e.0.contains("reason"),
            "{e}"
        );
        let e = parse("c.yaml", b"external:\n  host: []\n").unwrap_err();
        assert!(e.0.contains("did you mean `hosts`"), "{e}");
    }
}
