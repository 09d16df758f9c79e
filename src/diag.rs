//! Diagnostics: what every phase produces and every reporter renders.

use serde::Serialize;

use crate::source::Loc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warning" | "warn" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

/// A rule's identity: what a diagnostic names and every layer may refer to. The loader and the
/// model phase name the rules they report through `crate::catalog`; `crate::rules` lists every
/// rule (`rules::ALL`) and holds the passes, which are not part of the identity.
pub struct Rule {
    /// Stable kebab-case name, used in output, suppressions and `meshlint explain`.
    pub name: &'static str,
    /// The `istioctl analyze` code this rule mirrors, if any.
    pub code: Option<&'static str>,
    /// Every IST and KIA code this rule mirrors (`code` first when there is one), for JSON
    /// `codes`, `meshlint explain <code>` and the code tables.
    pub codes: &'static [&'static str],
    /// The default severity (`.meshlint.yaml` may override it, after every pass).
    pub severity: Severity,
    pub summary: &'static str,
    /// The rule's page `rules/<name>.md`, embedded.
    pub doc: &'static str,
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// The resource a diagnostic is about, as `Kind namespace/name`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ResourceRef {
    pub kind: String,
    pub name: String,
    pub namespace: Option<String>,
}

impl std::fmt::Display for ResourceRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {}/{}", self.kind, ns, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}

/// Another place that explains the finding ("subset defined here").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub loc: Loc,
    pub message: String,
}

#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub rule: &'static Rule,
    pub severity: Severity,
    pub message: String,
    /// The offending key or value.
    pub loc: Loc,
    /// A short label under the underlined span; defaults to the rule name.
    pub label: Option<String>,
    pub help: Option<String>,
    pub related: Vec<Related>,
    pub resource: Option<ResourceRef>,
    /// What the finding says is missing from the inputs, for rules whose truth depends on what
    /// the files cannot show: the engine drops the finding when `.meshlint.yaml` declares it
    /// under `external:`.
    pub subject: Option<Subject>,
}

/// Something a finding says does not exist in the inputs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    /// A host (resolved FQDN) that is no Service or ServiceEntry in the inputs.
    Host(String),
    /// A Gateway `namespace/name` that is not in the inputs.
    Gateway { namespace: String, name: String },
    /// No workload in the inputs carries these labels (in `namespace`, or in any namespace).
    Workload {
        namespace: Option<String>,
        labels: Vec<(String, String)>,
    },
}

impl Diagnostic {
    pub fn new(rule: &'static Rule, loc: Loc, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            rule,
            severity: rule.severity,
            message: message.into(),
            loc,
            label: None,
            help: None,
            related: Vec::new(),
            resource: None,
            subject: None,
        }
    }
    /// What the finding says is missing (see `Subject`).
    pub fn subject(mut self, subject: Subject) -> Self {
        self.subject = Some(subject);
        self
    }
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }
    pub fn related(mut self, loc: Loc, message: impl Into<String>) -> Self {
        self.related.push(Related {
            loc,
            message: message.into(),
        });
        self
    }
    pub fn resource(mut self, resource: Option<ResourceRef>) -> Self {
        self.resource = resource;
        self
    }
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// The order of every report: file, position, rule, then message for ties.
    pub fn sort_key(&self) -> (u32, u32, &'static str, &str) {
        (
            self.loc.file.0,
            self.loc.span.start,
            self.rule.name,
            &self.message,
        )
    }
}

/// Sorts diagnostics deterministically and keeps one finding per rule and span: two phases that
/// notice the same problem (the schema and the MeshConfig reader, say) report it once.
pub fn finish(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diagnostics.dedup_by(|later, kept| {
        later.loc == kept.loc
            && later.rule.name == kept.rule.name
            && later.severity == kept.severity
    });
}

/// Closest candidate by edit distance, for "did you mean".
pub fn did_you_mean<'a>(
    got: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let mut best: Option<(f64, &'a str)> = None;
    for c in candidates {
        if c == got {
            continue;
        }
        let score = strsim::jaro_winkler(&got.to_ascii_lowercase(), &c.to_ascii_lowercase());
        if score >= 0.8 && best.is_none_or(|(s, b)| score > s || (score == s && c < b)) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}
