//! `-o github`: GitHub Actions workflow commands, one annotation per finding
//! (`::error file=,line=,col=,endLine=,endColumn=,title=::message`), escaped as `@actions/core`
//! escapes them, then the summary line. GitHub shows at most 10 annotations of each severity per
//! step; upload `-o sarif` for the full set.

use crate::diag::Severity;
use crate::engine::Analysis;

/// The message of a command: `%`, CR and LF encoded.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value: as a message, and also `:` and `,`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(analysis: &Analysis) -> String {
    super::index_lines(analysis);
    let sources = &analysis.model.sources;
    let mut out = String::new();
    for d in &analysis.diagnostics {
        let p = super::position(sources, d.loc);
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let title = match d.rule.code {
            Some(code) => format!("{} ({code})", d.rule.name),
            None => d.rule.name.to_string(),
        };
        let mut message = match &d.resource {
            Some(r) if !r.name.is_empty() => format!("{r}: {}", d.message),
            _ => d.message.clone(),
        };
        if let Some(help) = &d.help {
            message.push_str(&format!("\nhelp: {help}"));
        }
        for r in &d.related {
            let rp = super::position(sources, r.loc);
            message.push_str(&format!(
                "\n{}:{}:{}: {}",
                rp.file, rp.line, rp.column, r.message
            ));
        }
        out.push_str(&format!(
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            escape_property(&super::relative_path(p.file)),
            p.line,
            p.column,
            p.end_line,
            p.end_column,
            escape_property(&title),
            escape_data(&message)
        ));
    }
    out.push_str(&super::human::summary(analysis));
    super::json::escape_controls(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_actions_core_does() {
        assert_eq!(escape_data("50%\r\nnext"), "50%25%0D%0Anext");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
