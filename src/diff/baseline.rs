//! The findings baseline: `analyze --write-baseline FILE` records today's findings by their
//! identity (`fingerprint`), `analyze --baseline FILE` hides exactly those and reports the rest,
//! so a repository with known findings can gate CI on new ones from the first day.
//!
//! The file is JSON, sorted, one entry per finding (a finding recorded twice is hidden twice):
//! `{"version": 1, "findings": [{"fingerprint", "rule", "resource", "path", "message", "file",
//! "line"}]}`. Only `fingerprint` is matched; the other fields are for the people reading it.

use serde::{Deserialize, Serialize};

use super::fingerprint::{self, Identity};
use crate::engine::{Analysis, Suppressed};

/// One recorded finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
pub struct Entry {
    pub fingerprint: String,
    pub rule: String,
    pub resource: String,
    #[serde(default)]
    pub path: String,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub file: String,
    #[serde(default)]
    pub line: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<Entry>,
}

/// What applying a baseline did.
#[derive(Debug, Clone, Default)]
pub struct Applied {
    /// Findings the baseline hid.
    pub hidden: usize,
    /// Baseline entries no finding matches any more: fixed since the baseline was written.
    pub fixed: Vec<Entry>,
}

fn entry(analysis: &Analysis, d: &crate::diag::Diagnostic, id: &Identity) -> Entry {
    let sources = &analysis.model.sources;
    let (file, line) = match sources.files().get(d.loc.file.0 as usize) {
        Some(f) => (
            fingerprint::shown_path(&f.path),
            f.line_col(d.loc.span.start).0,
        ),
        None => (String::new(), 0),
    };
    Entry {
        fingerprint: id.fingerprint(),
        rule: id.rule.clone(),
        resource: id.resource.clone(),
        path: id.path.clone(),
        message: d.message.clone(),
        file,
        line,
    }
}

/// The baseline of the findings of `analysis` (after suppressions).
pub fn record(analysis: &Analysis) -> Baseline {
    let ids = fingerprint::identities(&analysis.model, &analysis.diagnostics);
    let mut findings: Vec<Entry> = analysis
        .diagnostics
        .iter()
        .zip(&ids)
        .map(|(d, id)| entry(analysis, d, id))
        .collect();
    findings.sort();
    Baseline {
        version: 1,
        findings,
    }
}

impl Baseline {
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Reads a baseline file's text; the error says what is wrong with it.
    pub fn parse(text: &str) -> Result<Baseline, String> {
        let b: Baseline = serde_json::from_str(text).map_err(|e| {
            format!("not a meshlint baseline ({e}); write one with `meshlint analyze --write-baseline FILE`")
        })?;
        if b.version != 1 {
            return Err(format!(
                "baseline version {} is not supported (this meshlint writes version 1)",
                b.version
            ));
        }
        Ok(b)
    }

    /// Hides the findings of `analysis` that the baseline records (each entry hides one
    /// finding), moving them to `analysis.suppressed` as "baseline FILE"; returns how many were
    /// hidden and which entries matched nothing.
    pub fn apply(&self, analysis: &mut Analysis, shown_as: &str) -> Applied {
        let ids = fingerprint::identities(&analysis.model, &analysis.diagnostics);
        let mut left: std::collections::HashMap<&str, Vec<usize>> =
            std::collections::HashMap::new();
        for (i, e) in self.findings.iter().enumerate().rev() {
            left.entry(e.fingerprint.as_str()).or_default().push(i);
        }
        let mut used = vec![false; self.findings.len()];
        let mut hide = vec![false; ids.len()];
        for (i, id) in ids.iter().enumerate() {
            if let Some(e) = left.get_mut(id.fingerprint().as_str()).and_then(Vec::pop) {
                used[e] = true;
                hide[i] = true;
            }
        }
        let diagnostics = std::mem::take(&mut analysis.diagnostics);
        let mut applied = Applied::default();
        for (d, hidden) in diagnostics.into_iter().zip(hide) {
            if hidden {
                applied.hidden += 1;
                analysis.suppressed.push(Suppressed {
                    diagnostic: d,
                    by: format!("baseline {shown_as}"),
                });
            } else {
                analysis.diagnostics.push(d);
            }
        }
        analysis.suppressed_count += applied.hidden;
        applied.fixed = self
            .findings
            .iter()
            .zip(used)
            .filter(|(_, u)| !u)
            .map(|(e, _)| e.clone())
            .collect();
        applied
    }
}
