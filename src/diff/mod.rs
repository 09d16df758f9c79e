//! `diff`: what a change does to the mesh, for pre-merge review, and the findings baseline.
//!
//! A query layer beside `simulate` and `authz`: both sides are analyzed by the engine, then
//! three sections are computed for both states and compared:
//! - **findings** ([`findings`]): new, fixed and still-present findings, paired by rule,
//!   resource and field path ([`fingerprint`]), never by line;
//! - **traffic** ([`traffic`]): for every host a changed resource touches, per client group
//!   (namespace, and source-label group a route's `sourceLabels` or a Sidecar distinguishes) ×
//!   port, the ordered route table, each route walked with `simulate` by one request its match
//!   conditions take, on both sides;
//! - **security** ([`security`]): the effective mTLS mode per workload and port, and the
//!   authorization decision of one representative request per distinct condition set of every
//!   changed AuthorizationPolicy, with `authz`.
//!
//! Each difference is one sentence a reviewer understands, with the place that caused it. The
//! reporters (`report::diff_*`) only format a [`Diff`].

pub mod baseline;
pub mod changes;
pub mod findings;
pub mod fingerprint;
pub mod git;
pub mod security;
pub mod traffic;

use serde::Serialize;

use crate::diag::Severity;
use crate::engine::Analysis;
use crate::source::Loc;

/// One side of the diff: its analysis and what to call it.
pub struct Side {
    /// `base` or `head` with what it is read from (`testdata/diff/base`, `git main`).
    pub label: String,
    pub analysis: Analysis,
}

/// A place in one side's files: `reviews.yaml:14`, and the resource there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Place {
    /// `VirtualService default/reviews`.
    pub resource: Option<String>,
    pub file: String,
    pub line: usize,
    /// `base` or `head`.
    pub side: &'static str,
}

impl Place {
    pub fn of(
        analysis: &Analysis,
        resource: Option<String>,
        loc: Loc,
        side: &'static str,
    ) -> Option<Place> {
        let f = analysis.model.sources.files().get(loc.file.0 as usize)?;
        Some(Place {
            resource,
            file: fingerprint::shown_path(&f.path),
            line: f.line_col(loc.span.start).0,
            side,
        })
    }

    /// `VirtualService default/reviews, reviews.yaml:14`.
    pub fn describe(&self) -> String {
        match &self.resource {
            Some(r) => format!("{r}, {}:{}", self.file, self.line),
            None => format!("{}:{}", self.file, self.line),
        }
    }
}

/// Files one side could not read (broken YAML, budgets): that side's results miss them.
#[derive(Debug, Clone, Serialize)]
pub struct Lost {
    pub side: &'static str,
    pub file: String,
    pub rule: String,
    pub message: String,
}

/// The whole comparison.
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    pub base: String,
    pub head: String,
    pub lost: Vec<Lost>,
    pub findings: findings::FindingsDiff,
    pub traffic: Vec<traffic::TrafficChange>,
    pub security: security::SecurityDiff,
    /// Wall time of the comparison's phases (`--timings`).
    #[serde(skip)]
    pub timings: Vec<(&'static str, std::time::Duration)>,
}

/// What `--fail-on` adds to new findings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FailOn {
    pub traffic: bool,
    pub security: bool,
}

impl FailOn {
    /// Parses `traffic,security` (either, or both).
    pub fn parse(s: &str) -> Result<FailOn, String> {
        let mut f = FailOn::default();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part {
                "traffic" => f.traffic = true,
                "security" => f.security = true,
                "findings" => {}
                other => {
                    let hint =
                        crate::diag::did_you_mean(other, ["traffic", "security", "findings"])
                            .map(|s| format!("; did you mean {s}?"))
                            .unwrap_or_default();
                    return Err(format!(
                        "unknown --fail-on section {other:?}: expected traffic, security (comma-separated){hint}"
                    ));
                }
            }
        }
        Ok(f)
    }
}

impl Diff {
    /// Whether the run fails (exit 1): a new finding at or above `threshold`, or a traffic or
    /// security change that `fail_on` names.
    pub fn fails(&self, threshold: Severity, fail_on: FailOn) -> bool {
        self.findings.new.iter().any(|f| f.severity >= threshold)
            || (fail_on.traffic && !self.traffic.is_empty())
            || (fail_on.security && !self.security.is_empty())
    }

    /// Whether nothing changed at all.
    pub fn is_empty(&self) -> bool {
        self.findings.new.is_empty()
            && self.findings.fixed.is_empty()
            && self.traffic.is_empty()
            && self.security.is_empty()
    }
}

/// Compares two analyzed sides. The sections are independent and computed in parallel.
pub fn diff(base: &Side, head: &Side) -> Diff {
    let (b, h) = (&base.analysis, &head.analysis);
    let started = std::time::Instant::now();
    let ((findings, changed), policies) = rayon::join(
        || {
            rayon::join(
                || findings::compare(b, h),
                || changes::Changes::between(&b.model, &h.model),
            )
        },
        || {
            rayon::join(
                || crate::authz::PolicyIndex::build(&b.model, &b.mesh),
                || crate::authz::PolicyIndex::build(&h.model, &h.mesh),
            )
        },
    );
    let prepared = started.elapsed();
    let started = std::time::Instant::now();
    let policies = [&policies.0, &policies.1];
    let (traffic, security) = rayon::join(
        || traffic::compare(b, h, &changed, policies),
        || security::compare(b, h, &changed, policies),
    );
    let mut lost = findings::lost(b, "base");
    lost.extend(findings::lost(h, "head"));
    Diff {
        base: base.label.clone(),
        head: head.label.clone(),
        lost,
        findings,
        traffic,
        security,
        timings: vec![
            ("findings and changed resources", prepared),
            ("traffic and security", started.elapsed()),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_on_takes_sections_and_suggests_for_a_typo() {
        assert_eq!(
            FailOn::parse("traffic,security"),
            Ok(FailOn {
                traffic: true,
                security: true
            })
        );
        assert_eq!(
            FailOn::parse("security"),
            Ok(FailOn {
                traffic: false,
                security: true
            })
        );
        let e = FailOn::parse("traffic,secrity").unwrap_err();
        assert!(e.contains("did you mean security?"), "{e}");
    }
}
