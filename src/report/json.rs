//! `-o json`: the contract of `design.md` ("Diagnostic JSON").

use serde::Serialize;

use crate::diag::{Diagnostic, ResourceRef, Severity};
use crate::engine::Analysis;
use crate::source::{Loc, SourceDb};

#[derive(Serialize)]
struct Report<'a> {
    diagnostics: Vec<JsonDiagnostic<'a>>,
    /// What suppressions removed, with what removed it; only with `--show-suppressed`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressed: Vec<JsonSuppressed<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct JsonSuppressed<'a> {
    #[serde(flatten)]
    diagnostic: JsonDiagnostic<'a>,
    suppressed_by: String,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    rule: &'static str,
    code: Option<&'static str>,
    codes: &'static [&'static str],
    severity: Severity,
    message: &'a str,
    resource: Option<&'a ResourceRef>,
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    help: Option<&'a str>,
    related: Vec<JsonRelated<'a>>,
    /// The chart template the document came from (helm's `# Source:` comment), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    helm_source: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    message: &'a str,
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    resources: usize,
    skipped_documents: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
    /// Findings removed by a suppression (annotation, `--suppress`, `.meshlint.yaml`), when any.
    #[serde(skip_serializing_if = "is_zero")]
    suppressed: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

fn position(sources: &SourceDb, loc: Loc) -> (&str, usize, usize) {
    let p = super::position(sources, loc);
    (p.file, p.line, p.column)
}

/// The helm template of the document holding `loc`, found by binary search over the documents
/// (sorted by file and position, as the loader produces them).
pub fn helm_source(documents: &[crate::model::DocInfo], loc: Loc) -> Option<&str> {
    let i = documents.partition_point(|d| (d.file, d.span.start) <= (loc.file, loc.span.start));
    let doc = documents.get(i.checked_sub(1)?)?;
    (doc.file == loc.file && loc.span.start <= doc.span.end.max(doc.span.start)).then_some(())?;
    doc.helm_source.as_deref()
}

fn diagnostic<'a>(
    sources: &'a SourceDb,
    documents: &'a [crate::model::DocInfo],
    d: &'a Diagnostic,
) -> JsonDiagnostic<'a> {
    let super::Position {
        file,
        line,
        column,
        end_line,
        end_column,
    } = super::position(sources, d.loc);
    JsonDiagnostic {
        rule: d.rule.name,
        code: d.rule.code,
        codes: d.rule.codes,
        severity: d.severity,
        message: &d.message,
        resource: d.resource.as_ref(),
        file,
        line,
        column,
        end_line,
        end_column,
        help: d.help.as_deref(),
        helm_source: helm_source(documents, d.loc),
        related: d
            .related
            .iter()
            .map(|r| {
                let (file, line, column) = position(sources, r.loc);
                JsonRelated {
                    file,
                    line,
                    column,
                    message: &r.message,
                }
            })
            .collect(),
    }
}

fn report(analysis: &Analysis) -> Report<'_> {
    super::index_lines(analysis);
    let sources = &analysis.model.sources;
    let stats = analysis.model.stats;
    Report {
        diagnostics: analysis
            .diagnostics
            .iter()
            .map(|d| diagnostic(sources, &analysis.model.documents, d))
            .collect(),
        suppressed: analysis
            .suppressed
            .iter()
            .map(|s| JsonSuppressed {
                diagnostic: diagnostic(sources, &analysis.model.documents, &s.diagnostic),
                suppressed_by: s.by.to_string(),
            })
            .collect(),
        summary: Summary {
            files: stats.files,
            resources: stats.resources,
            skipped_documents: stats.skipped_documents,
            errors: analysis.count(Severity::Error),
            warnings: analysis.count(Severity::Warning),
            infos: analysis.count(Severity::Info),
            suppressed: analysis.suppressed_count,
        },
    }
}

/// The report as a JSON value, its keys in document order (`-o yaml` writes the same document).
pub fn value(analysis: &Analysis) -> serde_json::Value {
    serde_json::to_value(report(analysis)).unwrap_or(serde_json::Value::Null)
}

pub fn render(analysis: &Analysis) -> String {
    let mut out = serde_json::to_string_pretty(&report(analysis))
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    out.push('\n');
    escape_controls(out)
}

/// serde_json escapes C0 controls but not DEL and C1 controls (U+009B is an 8-bit CSI to some
/// terminals); a value from a hostile input must not reach a terminal raw. They can only occur
/// inside JSON strings, where `\uXXXX` means the same character.
pub(crate) fn escape_controls(json: String) -> String {
    if !json.chars().any(|c| c.is_control() && c != '\n') {
        return json;
    }
    json.chars()
        .map(|c| {
            if c.is_control() && c != '\n' {
                format!("\\u{:04x}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect()
}
