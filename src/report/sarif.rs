//! `-o sarif`: SARIF 2.1.0 as GitHub code scanning accepts it (`tool.driver.rules` with every
//! rule, results with a repository-relative location, related locations and partial
//! fingerprints that do not depend on line numbers; an empty `results` array when clean).

use serde_json::{Value, json};

use crate::diag::Severity;
use crate::engine::Analysis;
use crate::rules::{self, Rule};
use crate::source::{Loc, SourceDb};

/// Where the rule pages are published: `helpUri` is this followed by `<rule>.md`.
pub const DOCS_BASE: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/rules/");

pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The first paragraph of a page's "What it does" section (the page's first paragraph if it has
/// none), as one line: the rule's full description.
pub fn full_description(rule: &Rule) -> String {
    let doc = rule.doc;
    let section = doc
        .find("## What it does")
        .map(|i| &doc[i + "## What it does".len()..])
        .unwrap_or_else(|| doc.split_once('\n').map_or("", |(_, rest)| rest));
    let paragraph: Vec<&str> = section
        .lines()
        .map(str::trim)
        .skip_while(|l| l.is_empty())
        .take_while(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let text = paragraph.join(" ");
    if text.is_empty() {
        rule.summary.to_string()
    } else {
        text
    }
}

fn descriptor(rule: &Rule) -> Value {
    let mut tags = vec![rules::category(rule).to_string()];
    tags.extend(rule.codes.iter().map(|c| c.to_string()));
    json!({
        "id": rule.name,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": full_description(rule)},
        "help": {"text": rule.doc, "markdown": rule.doc},
        "helpUri": format!("{DOCS_BASE}{}.md", rule.name),
        "defaultConfiguration": {"level": level(rule.severity)},
        "properties": {
            "tags": tags,
            "precision": "high",
            "problem.severity": match rule.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "recommendation",
            },
        },
    })
}

/// A relative URI reference for a path: unreserved characters and `/` stay, the rest is
/// percent-encoded (`<stdin>` becomes `%3Cstdin%3E`).
pub fn uri(path: &str) -> String {
    let path = super::relative_path(path);
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn physical(sources: &SourceDb, loc: Loc) -> Value {
    let p = super::position(sources, loc);
    json!({
        "artifactLocation": {"uri": uri(p.file), "uriBaseId": "%SRCROOT%"},
        "region": {
            "startLine": p.line,
            "startColumn": p.column,
            "endLine": p.end_line,
            "endColumn": p.end_column,
        },
    })
}

pub fn render(analysis: &Analysis) -> String {
    super::index_lines(analysis);
    let sources = &analysis.model.sources;
    let fingerprints = super::fingerprints(analysis);
    let results: Vec<Value> = analysis
        .diagnostics
        .iter()
        .zip(&fingerprints)
        .map(|(d, fp)| {
            let mut text = match &d.resource {
                Some(r) if !r.name.is_empty() => format!("{r}: {}", d.message),
                _ => d.message.clone(),
            };
            if let Some(help) = &d.help {
                text.push_str(&format!("\nhelp: {help}"));
            }
            let related: Vec<Value> = d
                .related
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    json!({
                        "id": i,
                        "physicalLocation": physical(sources, r.loc),
                        "message": {"text": r.message},
                    })
                })
                .collect();
            let mut result = json!({
                "ruleId": d.rule.name,
                "ruleIndex": rules::ALL.iter().position(|r| r.name == d.rule.name),
                "level": level(d.severity),
                "message": {"text": text},
                "locations": [{"physicalLocation": physical(sources, d.loc)}],
                "partialFingerprints": {"meshlint/v1": fp},
            });
            if !related.is_empty() {
                result["relatedLocations"] = Value::Array(related);
            }
            if let Some(r) = &d.resource {
                result["properties"] = json!({
                    "resource": {"kind": r.kind, "name": r.name, "namespace": r.namespace},
                    "codes": d.rule.codes,
                });
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "meshlint",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": env!("CARGO_PKG_REPOSITORY"),
                "rules": rules::ALL.iter().map(|r| descriptor(r)).collect::<Vec<_>>(),
            }},
            "columnKind": "unicodeCodePoints",
            "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "the repository root (the working directory of the run)"}}},
            "results": results,
        }],
    });
    let mut out =
        serde_json::to_string_pretty(&log).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    out.push('\n');
    super::json::escape_controls(out)
}
