//! `-o junit`: JUnit XML as GitLab and test-report actions read it. One `testsuite` per file;
//! one `testcase` per resource and rule with findings (each finding a `failure` with its
//! message and location), and one passing `testcase` per resource without any. Names are unique
//! (GitLab keeps only the first of equal names).

use std::collections::BTreeMap;

use crate::diag::{Diagnostic, Severity};
use crate::engine::Analysis;

/// Text and attribute values: the five XML entities, and characters XML 1.0 forbids (controls
/// other than tab and line breaks) written as visible `\u{..}` escapes.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            c if c.is_control() || c == '\u{fffe}' || c == '\u{ffff}' => {
                out.push_str(&c.escape_unicode().to_string())
            }
            c => out.push(c),
        }
    }
    out
}

#[derive(Default)]
struct Case<'a> {
    failures: Vec<&'a Diagnostic>,
}

pub fn render(analysis: &Analysis) -> String {
    super::index_lines(analysis);
    let sources = &analysis.model.sources;
    // file → test case name → findings.
    let mut files: BTreeMap<String, BTreeMap<String, Case<'_>>> = BTreeMap::new();
    for (meta, origin) in analysis.model.metas() {
        let file = super::relative_path(&sources.get(origin.at.file).path);
        let r = crate::model::resource_ref(meta);
        files
            .entry(file)
            .or_default()
            .entry(r.to_string())
            .or_default();
    }
    for d in &analysis.diagnostics {
        let file = super::relative_path(&sources.get(d.loc.file).path);
        let subject = match &d.resource {
            Some(r) if !r.name.is_empty() => r.to_string(),
            _ => "(file)".to_string(),
        };
        let cases = files.entry(file).or_default();
        // A resource with findings has no passing case of its own.
        cases.remove(&subject);
        cases
            .entry(format!("{subject} {}", d.rule.name))
            .or_default()
            .failures
            .push(d);
    }
    let total: usize = files.values().map(BTreeMap::len).sum();
    let failed: usize = files
        .values()
        .flat_map(BTreeMap::values)
        .filter(|c| !c.failures.is_empty())
        .count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"meshlint\" tests=\"{total}\" failures=\"{failed}\" errors=\"0\" time=\"0\">\n"
    ));
    for (file, cases) in &files {
        let failures = cases.values().filter(|c| !c.failures.is_empty()).count();
        out.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" time=\"0\">\n",
            xml_escape(file),
            cases.len()
        ));
        for (name, case) in cases {
            let attrs = format!(
                "classname=\"{}\" name=\"{}\" file=\"{}\" time=\"0\"",
                xml_escape(file),
                xml_escape(name),
                xml_escape(file)
            );
            if case.failures.is_empty() {
                out.push_str(&format!("    <testcase {attrs}/>\n"));
                continue;
            }
            out.push_str(&format!("    <testcase {attrs}>\n"));
            for d in &case.failures {
                let p = super::position(sources, d.loc);
                let kind = match d.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                    Severity::Info => "info",
                };
                let mut body = format!("{}:{}:{}: {kind}: {}", p.file, p.line, p.column, d.message);
                if let Some(help) = &d.help {
                    body.push_str(&format!("\nhelp: {help}"));
                }
                for r in &d.related {
                    let rp = super::position(sources, r.loc);
                    body.push_str(&format!(
                        "\n{}:{}:{}: {}",
                        rp.file, rp.line, rp.column, r.message
                    ));
                }
                out.push_str(&format!(
                    "      <failure type=\"{}\" message=\"{}\">{}</failure>\n",
                    xml_escape(d.rule.name),
                    xml_escape(&format!("{} ({kind}): {}", d.rule.name, d.message)),
                    xml_escape(&body)
                ));
            }
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_controls() {
        assert_eq!(
            xml_escape("a<b>&\"c'\u{1b}"),
            "a&lt;b&gt;&amp;&quot;c&apos;\\u{1b}"
        );
    }
}
