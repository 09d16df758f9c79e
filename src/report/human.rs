//! Human output: miette snippets with the offending span underlined, the rule, the help line,
//! related locations, and a one-line summary.

use std::fmt;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};

use crate::diag::{Diagnostic, Severity};
use crate::engine::Analysis;
use crate::source::{Loc, SourceDb};

/// One finding as miette sees it.
struct Snippet {
    message: String,
    code: String,
    severity: miette::Severity,
    help: Option<String>,
    /// `None` when a label sits on a line too long to print (see `too_long_to_show`).
    source: Option<NamedSource<Arc<str>>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Snippet>,
}

impl fmt::Debug for Snippet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Snippet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Snippet {}

impl miette::Diagnostic for Snippet {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        (!self.code.is_empty()).then(|| Box::new(&self.code) as Box<dyn fmt::Display>)
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|r| r as &dyn miette::Diagnostic)))
    }
}

fn source_span(sources: &SourceDb, loc: Loc) -> SourceSpan {
    let text = &sources.get(loc.file).text;
    let start = (loc.span.start as usize).min(text.len());
    let mut len = loc.span.len().min(text.len() - start);
    if len == 0 && start < text.len() && !text[start..].starts_with('\n') {
        // An empty span is hard to see; underline the character it points at.
        len = text[start..].chars().next().map_or(0, char::len_utf8);
    }
    SourceSpan::new(start.into(), len)
}

/// Labels far apart in one file would make miette print everything between them.
fn lines_apart(sources: &SourceDb, a: Loc, b: Loc) -> usize {
    let file = sources.get(a.file);
    file.line_col(a.span.start).0.abs_diff(file.line_col(b.span.start).0)
}

/// Lines longer than this are not printed in a snippet: a minified or generated line of megabytes
/// would be copied into the report once per finding on it.
const MAX_SHOWN_LINE_BYTES: usize = 1000;

/// Whether a line the span of `loc` touches is too long to print.
fn too_long_to_show(sources: &SourceDb, loc: Loc) -> bool {
    let text = sources.get(loc.file).text.as_bytes();
    let start = (loc.span.start as usize).min(text.len());
    let end = (loc.span.end as usize).clamp(start, text.len());
    let line_start = text[..start].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let line_end = text[end..].iter().position(|&b| b == b'\n').map_or(text.len(), |i| end + i);
    text[line_start..line_end].split(|&b| b == b'\n').any(|line| line.len() > MAX_SHOWN_LINE_BYTES)
}

/// `path:line:column`, for findings shown without a snippet.
fn position(sources: &SourceDb, loc: Loc) -> String {
    let (line, column) = sources.line_col(loc);
    format!("{}:{line}:{column}", sources.get(loc.file).path)
}

/// Control characters of the input (in a file name, a quoted value, a source line) must not
/// reach a terminal or CI log as escape sequences: in texts they become visible `\u{1b}` escapes.
fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_unsafe(c) {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    out
}

fn is_unsafe(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// The source text with control characters replaced by printable ones of the same UTF-8 length,
/// so every span still points at the same bytes. A CR before LF is kept (miette handles CRLF).
fn printable_source(text: &Arc<str>) -> Arc<str> {
    let bytes = text.as_bytes();
    let unsafe_at = |i: usize, c: char| is_unsafe(c) && !(c == '\r' && bytes.get(i + 1) == Some(&b'\n'));
    if !text.char_indices().any(|(i, c)| unsafe_at(i, c)) {
        return Arc::clone(text);
    }
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        if unsafe_at(i, c) {
            // C0 controls and DEL are one byte, C1 controls two.
            out.push(if c.len_utf8() == 1 { '?' } else { '¿' });
        } else {
            out.push(c);
        }
    }
    Arc::from(out)
}

fn named(sources: &SourceDb, texts: &[Arc<str>], loc: Loc) -> NamedSource<Arc<str>> {
    let file = sources.get(loc.file);
    NamedSource::new(printable(&file.path), Arc::clone(&texts[loc.file.0 as usize])).with_language("yaml")
}

fn snippet(sources: &SourceDb, texts: &[Arc<str>], d: &Diagnostic) -> Snippet {
    let mut labels = vec![LabeledSpan::new_primary_with_span(
        Some(printable(d.label.as_deref().unwrap_or(d.rule.name))),
        source_span(sources, d.loc),
    )];
    let mut related = Vec::new();
    for r in &d.related {
        if r.loc.file == d.loc.file && lines_apart(sources, r.loc, d.loc) <= 8 {
            labels.push(LabeledSpan::new_with_span(Some(printable(&r.message)), source_span(sources, r.loc)));
        } else if too_long_to_show(sources, r.loc) {
            related.push(Snippet {
                message: printable(&format!("{} (at {}; the line is too long to show)", r.message, position(sources, r.loc))),
                code: "see also".to_string(),
                severity: miette::Severity::Advice,
                help: None,
                source: None,
                labels: Vec::new(),
                related: Vec::new(),
            });
        } else {
            related.push(Snippet {
                message: printable(&r.message),
                code: "see also".to_string(),
                severity: miette::Severity::Advice,
                help: None,
                source: Some(named(sources, texts, r.loc)),
                labels: vec![LabeledSpan::new_primary_with_span(Some(printable(&r.message)), source_span(sources, r.loc))],
                related: Vec::new(),
            });
        }
    }
    let code = match d.rule.code {
        Some(code) => format!("{} ({code})", d.rule.name),
        None => d.rule.name.to_string(),
    };
    let mut message = match &d.resource {
        Some(r) if !r.name.is_empty() => format!("{}: {}", r, d.message),
        _ => d.message.clone(),
    };
    // The primary span and the related ones shown beside it, in the same snippet.
    let mut in_snippet = std::iter::once(d.loc)
        .chain(d.related.iter().map(|r| r.loc).filter(|&l| l.file == d.loc.file && lines_apart(sources, l, d.loc) <= 8));
    let source = if in_snippet.any(|l| too_long_to_show(sources, l)) {
        // Say where, without the line.
        message.push_str(&format!(" (at {}; the line is too long to show)", position(sources, d.loc)));
        labels.clear();
        None
    } else {
        Some(named(sources, texts, d.loc))
    };
    Snippet {
        message: printable(&message),
        code,
        severity: match d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        },
        help: d.help.as_deref().map(printable),
        source,
        labels,
        related,
    }
}

/// Renders every finding and the summary line. `color` follows the terminal and `NO_COLOR`.
pub fn render(analysis: &Analysis, color: bool) -> String {
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100).with_links(false);
    let sources = &analysis.model.sources;
    let texts: Vec<Arc<str>> = sources.files().iter().map(|f| printable_source(&f.text)).collect();
    let mut out = String::new();
    for d in &analysis.diagnostics {
        let s = snippet(sources, &texts, d);
        if handler.render_report(&mut out, &s).is_err() {
            out.push_str(&format!("{}: {}\n", s.code, s.message));
        }
        out.push('\n');
    }
    out.push_str(&summary(analysis));
    out
}

pub fn summary(analysis: &Analysis) -> String {
    let stats = analysis.model.stats;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let (e, w, i) = (analysis.count(Severity::Error), analysis.count(Severity::Warning), analysis.count(Severity::Info));
    let mark = if e > 0 { "✖" } else if w > 0 { "⚠" } else { "✔" };
    let skipped = if stats.skipped_documents > 0 {
        format!(", {} without apiVersion/kind skipped", plural(stats.skipped_documents, "document"))
    } else {
        String::new()
    };
    format!(
        "{mark} {}, {}, {} in {} ({}{skipped})\n",
        plural(e, "error"),
        plural(w, "warning"),
        plural(i, "info"),
        plural(stats.files, "file"),
        plural(stats.resources, "resource"),
    )
}
