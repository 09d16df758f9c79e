//! `-o github`: GitHub Actions workflow commands, one annotation per finding
//! (`::error file=,line=,col=,endLine=,endColumn=,title=::message`), escaped as `@actions/core`
//! escapes them, then the summary line.
//!
//! GitHub turns at most 10 error, 10 warning and 10 notice commands of a step into annotations,
//! and 50 of a whole job (`actions/toolkit` `docs/problem-matchers.md`, "Limitations"); the rest
//! are dropped without a word. So the annotations come most severe first (errors, warnings, then
//! infos as notices; by file and position within each), each kind stops at its limit, and when a
//! run has more findings a `::notice` says how many are not annotations and where they are: every
//! one of them is listed after it in the step's log (between `::stop-commands::`, so that no text
//! of the inputs can act as a command), and the SARIF report (`-o sarif`, uploaded to code
//! scanning) carries them all.

use crate::diag::{Diagnostic, Severity};
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

/// Annotations of one kind GitHub shows per step.
pub const PER_STEP: usize = 10;

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

pub fn render(analysis: &Analysis) -> String {
    super::index_lines(analysis);
    let sources = &analysis.model.sources;
    // Most severe first; the diagnostics are already in report order within one severity.
    let mut ordered: Vec<&Diagnostic> = analysis.diagnostics.iter().collect();
    ordered.sort_by_key(|d| std::cmp::Reverse(d.severity));
    let count = |s: Severity| ordered.iter().filter(|d| d.severity == s).count();
    let over = |s: Severity| count(s) > PER_STEP;
    let overflow = over(Severity::Error) || over(Severity::Warning) || over(Severity::Info);
    // The notice that says some findings are not annotations takes one of the notices' places.
    let notices = if overflow { PER_STEP - 1 } else { PER_STEP };
    let limit = |s: Severity| {
        if s == Severity::Info {
            notices
        } else {
            PER_STEP
        }
    };
    let mut out = String::new();
    let mut rest = String::new();
    let mut shown = [0usize; 3];
    for d in ordered {
        let p = super::position(sources, d.loc);
        let file = super::relative_path(p.file);
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
        let n = &mut shown[d.severity as usize];
        if *n < limit(d.severity) {
            *n += 1;
            out.push_str(&format!(
                "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
                command(d.severity),
                escape_property(&file),
                p.line,
                p.column,
                p.end_line,
                p.end_column,
                escape_property(&title),
                escape_data(&message)
            ));
        } else {
            rest.push_str(&format!(
                "{file}:{}:{}: {} {title}: {}\n",
                p.line,
                p.column,
                d.severity.as_str(),
                message.replace('\n', "\n    ")
            ));
        }
    }
    let total = analysis.diagnostics.len();
    let beyond = total - shown.iter().sum::<usize>();
    if beyond > 0 {
        out.push_str(&format!(
            "::notice title=meshlint::{}\n",
            escape_data(&format!(
                "{beyond} of {total} findings are not shown as annotations: GitHub shows at most \
                 {PER_STEP} errors, {PER_STEP} warnings and {PER_STEP} notices per step (and 50 \
                 annotations per job). All {total} are listed in this step's log, and in the \
                 SARIF report (-o sarif, uploaded to code scanning)."
            ))
        ));
        out.push_str(&format!("{beyond} findings not shown as annotations:\n"));
        // While GitHub reads the list as plain text, no line of it (which quotes the inputs) can
        // be a workflow command; the token is derived from the list so it cannot be guessed.
        let token = stop_token(&rest);
        out.push_str(&format!("::stop-commands::{token}\n"));
        out.push_str(&rest);
        out.push_str(&format!("::{token}::\n"));
    }
    out.push_str(&super::human::summary(analysis));
    super::json::escape_controls(out)
}

/// A `::stop-commands::` token that does not occur in `text`.
fn stop_token(text: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut salt = 0u64;
    loop {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (text, salt).hash(&mut h);
        let token = format!("meshlint-{:016x}", h.finish());
        if !text.contains(&token) {
            return token;
        }
        salt += 1;
    }
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
