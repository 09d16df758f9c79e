//! `-o json`: the contract of `design.md` ("Diagnostic JSON").

use serde::Serialize;

use crate::diag::{Diagnostic, ResourceRef, Severity};
use crate::engine::Analysis;
use crate::source::{Loc, SourceDb};

#[derive(Serialize)]
struct Report<'a> {
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    rule: &'static str,
    code: Option<&'static str>,
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
}

fn position(sources: &SourceDb, loc: Loc) -> (&str, usize, usize) {
    let file = sources.get(loc.file);
    let (line, column) = file.line_col(loc.span.start);
    (&file.path, line, column)
}

fn diagnostic<'a>(sources: &'a SourceDb, d: &'a Diagnostic) -> JsonDiagnostic<'a> {
    let (file, line, column) = position(sources, d.loc);
    let (end_line, end_column) = sources.get(d.loc.file).line_col(d.loc.span.end);
    JsonDiagnostic {
        rule: d.rule.name,
        code: d.rule.code,
        severity: d.severity,
        message: &d.message,
        resource: d.resource.as_ref(),
        file,
        line,
        column,
        end_line,
        end_column,
        help: d.help.as_deref(),
        related: d
            .related
            .iter()
            .map(|r| {
                let (file, line, column) = position(sources, r.loc);
                JsonRelated { file, line, column, message: &r.message }
            })
            .collect(),
    }
}

pub fn render(analysis: &Analysis) -> String {
    let sources = &analysis.model.sources;
    let stats = analysis.model.stats;
    let report = Report {
        diagnostics: analysis.diagnostics.iter().map(|d| diagnostic(sources, d)).collect(),
        summary: Summary {
            files: stats.files,
            resources: stats.resources,
            skipped_documents: stats.skipped_documents,
            errors: analysis.count(Severity::Error),
            warnings: analysis.count(Severity::Warning),
            infos: analysis.count(Severity::Info),
        },
    };
    let mut out = serde_json::to_string_pretty(&report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    out.push('\n');
    out
}
