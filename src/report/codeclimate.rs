//! `-o codeclimate`: GitLab code quality (the subset of Code Climate's format GitLab reads): a
//! JSON array of issues with `description`, `check_name`, a unique `fingerprint`, `severity`
//! and `location.path` / `location.lines.begin`.

use serde_json::{Value, json};

use crate::diag::Severity;
use crate::engine::Analysis;

pub fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "major",
        Severity::Warning => "minor",
        Severity::Info => "info",
    }
}

pub fn render(analysis: &Analysis) -> String {
    super::index_lines(analysis);
    let sources = &analysis.model.sources;
    let fingerprints = super::fingerprints(analysis);
    let issues: Vec<Value> = analysis
        .diagnostics
        .iter()
        .zip(&fingerprints)
        .map(|(d, fp)| {
            let p = super::position(sources, d.loc);
            let description = match &d.resource {
                Some(r) if !r.name.is_empty() => format!("{r}: {}", d.message),
                _ => d.message.clone(),
            };
            json!({
                "type": "issue",
                "description": description,
                "check_name": d.rule.name,
                "categories": [if d.severity == Severity::Info { "Style" } else { "Bug Risk" }],
                "fingerprint": fp,
                "severity": severity(d.severity),
                "location": {
                    "path": super::relative_path(p.file),
                    "lines": {"begin": p.line, "end": p.end_line},
                },
            })
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&issues).unwrap_or_else(|_| "[]".into());
    out.push('\n');
    super::json::escape_controls(out)
}
