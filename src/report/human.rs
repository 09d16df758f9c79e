//! Human output: miette snippets with the offending span underlined, the rule, the help line,
//! related locations, and a one-line summary.

use std::fmt;
use std::sync::Arc;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents, NamedSource, SourceCode,
    SourceSpan, SpanContents,
};

use crate::diag::{Diagnostic, Severity};
use crate::engine::Analysis;
use crate::source::{Loc, SourceDb};

/// One finding as miette sees it.
struct Snippet {
    message: String,
    code: String,
    severity: miette::Severity,
    help: Option<String>,
    source: NamedSource<Window>,
    labels: Vec<LabeledSpan>,
    related: Vec<Snippet>,
}

/// Lines of context kept around a snippet's labels; miette asks for 1 (`context_lines`).
const MARGIN_LINES: usize = 4;

/// A file's text as miette reads it. miette finds the lines of a span by scanning the text from
/// its start, so handing it whole files would cost the size of the file for every finding, and
/// a report of many findings in large files would grow quadratically. The window starts a few
/// lines before the snippet's labels and ends a few lines after them (found with the line
/// index), and reports offsets and line numbers as in the whole file.
#[derive(Debug)]
struct Window {
    text: Arc<str>,
    /// Byte offset of the window's first line, and its 0-based line number.
    start: usize,
    line: usize,
    end: usize,
}

impl Window {
    /// The window around `spans` (byte ranges of one file); the whole text when the file has
    /// carriage returns, which miette counts as line breaks and the line index does not.
    fn new(sources: &SourceDb, file: crate::source::FileId, spans: &[(usize, usize)], has_cr: bool) -> Window {
        let f = sources.get(file);
        let text = Arc::clone(&f.text);
        let whole = Window { start: 0, line: 0, end: text.len(), text: Arc::clone(&text) };
        let (Some(lo), Some(hi)) = (spans.iter().map(|s| s.0).min(), spans.iter().map(|s| s.1).max()) else {
            return whole;
        };
        if has_cr || hi > text.len() {
            return whole;
        }
        let lines = f.lines();
        let (first, _) = f.line_col(lo as u32);
        let (last, _) = f.line_col(hi as u32);
        let line = first.saturating_sub(1 + MARGIN_LINES);
        let start = lines.line_start(line + 1).unwrap_or(0);
        let end = lines.line_start(last + MARGIN_LINES + 2).unwrap_or(text.len());
        Window { text, start, line, end }
    }
}

impl SourceCode for Window {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let (s, e) = (span.offset(), span.offset() + span.len());
        let inside = s >= self.start && e <= self.end && before < MARGIN_LINES && after < MARGIN_LINES;
        if !inside || (self.start == 0 && self.end == self.text.len()) {
            return SourceCode::read_span(&*self.text, span, before, after);
        }
        let window: &'a str = &self.text[self.start..self.end];
        let inner = SourceCode::read_span(window, &SourceSpan::new((s - self.start).into(), span.len()), before, after)?;
        Ok(Box::new(MietteSpanContents::new(
            inner.data(),
            SourceSpan::new((inner.span().offset() + self.start).into(), inner.span().len()),
            inner.line() + self.line,
            inner.column(),
            inner.line_count() + self.line,
        )))
    }
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
        Some(&self.source)
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

fn named(sources: &SourceDb, loc: Loc, labels: &[LabeledSpan], has_cr: &mut HasCr) -> NamedSource<Window> {
    let file = sources.get(loc.file);
    let spans: Vec<(usize, usize)> = labels.iter().map(|l| (l.offset(), l.offset() + l.len())).collect();
    let cr = has_cr.check(sources, loc.file);
    NamedSource::new(file.path.clone(), Window::new(sources, loc.file, &spans, cr)).with_language("yaml")
}

/// Whether each file has a carriage return, looked up once per file.
#[derive(Default)]
struct HasCr(std::collections::HashMap<crate::source::FileId, bool>);

impl HasCr {
    fn check(&mut self, sources: &SourceDb, file: crate::source::FileId) -> bool {
        *self.0.entry(file).or_insert_with(|| sources.get(file).text.contains('\r'))
    }
}

fn snippet(sources: &SourceDb, d: &Diagnostic, has_cr: &mut HasCr) -> Snippet {
    let mut labels = vec![LabeledSpan::new_primary_with_span(
        Some(d.label.clone().unwrap_or_else(|| d.rule.name.to_string())),
        source_span(sources, d.loc),
    )];
    let mut related = Vec::new();
    for r in &d.related {
        if r.loc.file == d.loc.file && lines_apart(sources, r.loc, d.loc) <= 8 {
            labels.push(LabeledSpan::new_with_span(Some(r.message.clone()), source_span(sources, r.loc)));
        } else {
            let labels = vec![LabeledSpan::new_primary_with_span(Some(r.message.clone()), source_span(sources, r.loc))];
            related.push(Snippet {
                message: r.message.clone(),
                code: "see also".to_string(),
                severity: miette::Severity::Advice,
                help: None,
                source: named(sources, r.loc, &labels, has_cr),
                labels,
                related: Vec::new(),
            });
        }
    }
    let code = match d.rule.code {
        Some(code) => format!("{} ({code})", d.rule.name),
        None => d.rule.name.to_string(),
    };
    let message = match &d.resource {
        Some(r) if !r.name.is_empty() => format!("{}: {}", r, d.message),
        _ => d.message.clone(),
    };
    Snippet {
        message,
        code,
        severity: match d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        },
        help: d.help.clone(),
        source: named(sources, d.loc, &labels, has_cr),
        labels,
        related,
    }
}

/// Renders every finding and the summary line. `color` follows the terminal and `NO_COLOR`.
pub fn render(analysis: &Analysis, color: bool) -> String {
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100).with_links(false);
    super::index_lines(analysis);
    let sources = &analysis.model.sources;
    let mut out = String::new();
    let mut has_cr = HasCr::default();
    for d in &analysis.diagnostics {
        let s = snippet(sources, d, &mut has_cr);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn contents(c: &dyn SpanContents<'_>) -> (Vec<u8>, usize, usize, usize, usize, usize) {
        (c.data().to_vec(), c.span().offset(), c.span().len(), c.line(), c.column(), c.line_count())
    }

    #[test]
    fn a_window_reads_spans_exactly_as_the_whole_file() {
        let text: String = (0..40)
            .map(|i| match i % 5 {
                0 => format!("key{i}: value\n"),
                1 => "\n".to_string(),
                2 => format!("  nested{i}: [a, b]  # café\n"),
                3 => format!("- item {i}\n"),
                _ => format!("long{i}: {}\n", "x".repeat(i)),
            })
            .collect();
        let mut sources = SourceDb::default();
        let file = sources.add("w.yaml".into(), Arc::from(text.as_str()));
        let whole: &str = &text;
        let mut checked = 0;
        for lo in (0..text.len()).step_by(7).filter(|&i| text.is_char_boundary(i)) {
            for hi in [lo, lo + 1, lo + 5, lo + 40, lo + 90] {
                if hi > text.len() || !text.is_char_boundary(hi) {
                    continue;
                }
                let window = Window::new(&sources, file, &[(lo, hi)], false);
                if lo > text.len() / 2 {
                    assert!(window.start > 0 && window.end - window.start < text.len() / 2, "the window is narrow");
                }
                for context in 0..=2 {
                    let span = SourceSpan::new(lo.into(), hi - lo);
                    let expected = SourceCode::read_span(whole, &span, context, context).map(|c| contents(&*c));
                    let got = window.read_span(&span, context, context).map(|c| contents(&*c));
                    assert_eq!(got.ok(), expected.ok(), "span {lo}..{hi}, context {context}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 300);
    }
}
