//! The findings section: each side's findings paired by identity (rule, resource, field path).

use serde::Serialize;

use super::fingerprint::{self, Identity};
use super::{Lost, Place};
use crate::diag::Severity;
use crate::engine::Analysis;

/// One finding as the diff shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    pub resource: String,
    /// The field path the finding is about (its identity with rule and resource).
    pub path: String,
    /// Where it is, on the side it is reported from (head for new and still-present findings,
    /// base for fixed ones).
    pub at: Option<Place>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct FindingsDiff {
    pub new: Vec<Finding>,
    pub fixed: Vec<Finding>,
    /// Present on both sides (at the head's place).
    pub still: Vec<Finding>,
}

fn finding(
    a: &Analysis,
    d: &crate::diag::Diagnostic,
    id: &Identity,
    side: &'static str,
) -> Finding {
    Finding {
        rule: id.rule.clone(),
        severity: d.severity,
        message: d.message.clone(),
        resource: id.resource.clone(),
        path: id.path.clone(),
        at: Place::of(a, None, d.loc, side),
    }
}

pub fn compare(base: &Analysis, head: &Analysis) -> FindingsDiff {
    let (before, after) = rayon::join(
        || fingerprint::identities(&base.model, &base.diagnostics),
        || fingerprint::identities(&head.model, &head.diagnostics),
    );
    let (known, kept) = fingerprint::pair(&before, &after);
    let mut out = FindingsDiff::default();
    for ((d, id), known) in head.diagnostics.iter().zip(&after).zip(known) {
        let f = finding(head, d, id, "head");
        if known {
            out.still.push(f);
        } else {
            out.new.push(f);
        }
    }
    for ((d, id), kept) in base.diagnostics.iter().zip(&before).zip(kept) {
        if !kept {
            out.fixed.push(finding(base, d, id, "base"));
        }
    }
    out
}

/// Rules whose error means a file (or part of it) was not read at all.
const LOSING_RULES: [&str; 3] = ["yaml-syntax", "input-too-large", "unrendered-template"];

/// The files a side lost: those an input error kept from being read.
pub fn lost(a: &Analysis, side: &'static str) -> Vec<Lost> {
    let mut out: Vec<Lost> = Vec::new();
    for d in &a.diagnostics {
        let rule = fingerprint::rule_name(d);
        if d.severity != Severity::Error || !LOSING_RULES.contains(&rule) {
            continue;
        }
        let file = a
            .model
            .sources
            .files()
            .get(d.loc.file.0 as usize)
            .map(|f| fingerprint::shown_path(&f.path))
            .unwrap_or_default();
        if out.iter().any(|l| l.file == file) {
            continue;
        }
        out.push(Lost {
            side,
            file,
            rule: rule.to_string(),
            message: d.message.clone(),
        });
    }
    out
}
