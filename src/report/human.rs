//! Human output: miette snippets with the offending span underlined, the rule, the help line,
//! related locations, and a one-line summary.

use std::fmt;
use std::sync::Arc;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    NamedSource, SourceCode, SourceSpan, SpanContents,
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
    /// `None` when a label sits on a line too long to print (see `too_long_to_show`).
    source: Option<NamedSource<Window>>,
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
    /// The window of `text` (the file's text as shown) around `spans`, byte ranges of the file.
    fn new(
        sources: &SourceDb,
        file: crate::source::FileId,
        text: Arc<str>,
        spans: &[(usize, usize)],
    ) -> Window {
        let f = sources.get(file);
        let whole = |text: Arc<str>| Window {
            start: 0,
            line: 0,
            end: text.len(),
            text,
        };
        let (Some(lo), Some(hi)) = (
            spans.iter().map(|s| s.0).min(),
            spans.iter().map(|s| s.1).max(),
        ) else {
            return whole(text);
        };
        // The shown text has the file's line breaks at the same offsets (`printable_source`
        // keeps CRLF and replaces a lone CR, which miette would count as a line break).
        if hi > text.len() || text.len() != f.text.len() {
            return whole(text);
        }
        let (first, _) = f.line_col(lo as u32);
        let (last, _) = f.line_col(hi as u32);
        let line = first.saturating_sub(1 + MARGIN_LINES);
        let start = f.line_start(line + 1).unwrap_or(0);
        let end = f.line_start(last + MARGIN_LINES + 2).unwrap_or(text.len());
        Window {
            text,
            start,
            line,
            end,
        }
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
        let inside =
            s >= self.start && e <= self.end && before < MARGIN_LINES && after < MARGIN_LINES;
        if !inside || (self.start == 0 && self.end == self.text.len()) {
            return SourceCode::read_span(&*self.text, span, before, after);
        }
        let window: &'a str = &self.text[self.start..self.end];
        let inner = SourceCode::read_span(
            window,
            &SourceSpan::new((s - self.start).into(), span.len()),
            before,
            after,
        )?;
        Ok(Box::new(MietteSpanContents::new(
            inner.data(),
            SourceSpan::new(
                (inner.span().offset() + self.start).into(),
                inner.span().len(),
            ),
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
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
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
        Some(Box::new(
            self.related.iter().map(|r| r as &dyn miette::Diagnostic),
        ))
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
    file.line_col(a.span.start)
        .0
        .abs_diff(file.line_col(b.span.start).0)
}

/// Lines longer than this are not printed in a snippet: a minified or generated line of megabytes
/// would be copied into the report once per finding on it.
const MAX_SHOWN_LINE_BYTES: usize = 1000;

/// Whether a line the span of `loc` touches is too long to print.
fn too_long_to_show(sources: &SourceDb, loc: Loc) -> bool {
    let text = sources.get(loc.file).text.as_bytes();
    let start = (loc.span.start as usize).min(text.len());
    let end = (loc.span.end as usize).clamp(start, text.len());
    let line_start = text[..start]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let line_end = text[end..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(text.len(), |i| end + i);
    text[line_start..line_end]
        .split(|&b| b == b'\n')
        .any(|line| line.len() > MAX_SHOWN_LINE_BYTES)
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
    crate::escape::is_unsafe(c)
}

/// The source text with control characters replaced by printable ones of the same UTF-8 length,
/// so every span still points at the same bytes. A CR before LF is kept (miette handles CRLF).
fn printable_source(text: &Arc<str>) -> Arc<str> {
    let bytes = text.as_bytes();
    let unsafe_at =
        |i: usize, c: char| is_unsafe(c) && !(c == '\r' && bytes.get(i + 1) == Some(&b'\n'));
    if !text.char_indices().any(|(i, c)| unsafe_at(i, c)) {
        return Arc::clone(text);
    }
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        if unsafe_at(i, c) {
            // C0 controls and DEL are one byte, C1 controls two.
            // Bidi overrides are two or three bytes.
            out.push(['?', '?', '¿', '\u{FFFD}'][c.len_utf8().min(3)]);
        } else {
            out.push(c);
        }
    }
    Arc::from(out)
}

/// The files' texts as shown, and the documents (for helm's `# Source:` templates).
struct Texts<'a> {
    texts: &'a [Arc<str>],
    documents: &'a [crate::model::DocInfo],
}

fn named(
    sources: &SourceDb,
    texts: &Texts<'_>,
    loc: Loc,
    labels: &[LabeledSpan],
) -> NamedSource<Window> {
    let file = sources.get(loc.file);
    // A `helm template` stream on stdin: say which template the document came from.
    let name = match super::json::helm_source(texts.documents, loc) {
        Some(template) if file.path == "<stdin>" => format!("{} ({template})", file.path),
        _ => file.path.clone(),
    };
    let texts = texts.texts;
    let spans: Vec<(usize, usize)> = labels
        .iter()
        .map(|l| (l.offset(), l.offset() + l.len()))
        .collect();
    let window = Window::new(
        sources,
        loc.file,
        Arc::clone(&texts[loc.file.0 as usize]),
        &spans,
    );
    NamedSource::new(printable(&name), window).with_language("yaml")
}

fn snippet(sources: &SourceDb, texts: &Texts<'_>, d: &Diagnostic) -> Snippet {
    let mut labels = vec![LabeledSpan::new_primary_with_span(
        Some(printable(d.label.as_deref().unwrap_or(d.rule.name))),
        source_span(sources, d.loc),
    )];
    let mut related = Vec::new();
    for r in &d.related {
        if r.loc.file == d.loc.file && lines_apart(sources, r.loc, d.loc) <= 8 {
            labels.push(LabeledSpan::new_with_span(
                Some(printable(&r.message)),
                source_span(sources, r.loc),
            ));
        } else if too_long_to_show(sources, r.loc) {
            related.push(Snippet {
                message: printable(&format!(
                    "{} (at {}; the line is too long to show)",
                    r.message,
                    position(sources, r.loc)
                )),
                code: "see also".to_string(),
                severity: miette::Severity::Advice,
                help: None,
                source: None,
                labels: Vec::new(),
                related: Vec::new(),
            });
        } else {
            let labels = vec![LabeledSpan::new_primary_with_span(
                Some(printable(&r.message)),
                source_span(sources, r.loc),
            )];
            related.push(Snippet {
                message: printable(&r.message),
                code: "see also".to_string(),
                severity: miette::Severity::Advice,
                help: None,
                source: Some(named(sources, texts, r.loc, &labels)),
                labels,
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
    let mut in_snippet = std::iter::once(d.loc).chain(
        d.related
            .iter()
            .map(|r| r.loc)
            .filter(|&l| l.file == d.loc.file && lines_apart(sources, l, d.loc) <= 8),
    );
    let source = if in_snippet.any(|l| too_long_to_show(sources, l)) {
        // Say where, without the line.
        message.push_str(&format!(
            " (at {}; the line is too long to show)",
            position(sources, d.loc)
        ));
        labels.clear();
        None
    } else {
        Some(named(sources, texts, d.loc, &labels))
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

/// Renders every finding and the summary line, without file headers. `color` follows the
/// terminal, `NO_COLOR` and `TERM`.
pub fn render(analysis: &Analysis, color: bool) -> String {
    render_with(analysis, color, false)
}

fn render_with(analysis: &Analysis, color: bool, grouped: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    // Lines wrap at spaces only: never at a hyphen or a slash inside a hostname or a resource name
    // (`service-a.test.svc.cluster.local`), and a word longer than the line stays whole.
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false)
        .with_break_words(false)
        .with_word_separator(textwrap::WordSeparator::AsciiSpace)
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation);
    super::index_lines(analysis);
    let sources = &analysis.model.sources;
    // Only files with findings are shown: make those printable (in parallel), share the rest.
    let mut shown = vec![false; sources.len()];
    for d in &analysis.diagnostics {
        for loc in std::iter::once(d.loc).chain(d.related.iter().map(|r| r.loc)) {
            if let Some(s) = shown.get_mut(loc.file.0 as usize) {
                *s = true;
            }
        }
    }
    let texts: Vec<Arc<str>> = {
        use rayon::prelude::*;
        sources
            .files()
            .par_iter()
            .zip(shown.par_iter())
            .map(|(f, &shown)| {
                if shown {
                    printable_source(&f.text)
                } else {
                    Arc::clone(&f.text)
                }
            })
            .collect()
    };
    let texts = Texts {
        texts: &texts,
        documents: &analysis.model.documents,
    };
    let mut out = String::new();
    let mut current = None;
    for (i, d) in analysis.diagnostics.iter().enumerate() {
        if grouped && current != Some(d.loc.file) {
            current = Some(d.loc.file);
            let in_file = analysis.diagnostics[i..]
                .iter()
                .take_while(|o| o.loc.file == d.loc.file);
            let (mut e, mut w, mut n) = (0, 0, 0);
            for o in in_file {
                match o.severity {
                    Severity::Error => e += 1,
                    Severity::Warning => w += 1,
                    Severity::Info => n += 1,
                }
            }
            out.push_str(&format!(
                "── {} ── {}\n\n",
                printable(&sources.get(d.loc.file).path),
                counts(e, w, n)
            ));
        }
        let s = snippet(sources, &texts, d);
        if handler.render_report(&mut out, &s).is_err() {
            out.push_str(&format!("{}: {}\n", s.code, s.message));
        }
        out.push('\n');
    }
    if !analysis.suppressed.is_empty() {
        out.push_str("suppressed:\n");
        for s in &analysis.suppressed {
            let d = &s.diagnostic;
            let what = match &d.resource {
                Some(r) if !r.name.is_empty() => format!("{r}: "),
                _ => String::new(),
            };
            out.push_str(&printable(&format!(
                "  {} {} {what}{} — by {}\n",
                position(sources, d.loc),
                d.rule.name,
                d.message,
                s.by
            )));
        }
        out.push('\n');
    }
    out.push_str(&summary(analysis));
    out
}

/// Renders every finding, grouped by file under a header line with the file's counts, then
/// the suppressed findings (when kept, `--show-suppressed`) and the summary line.
pub fn render_grouped(analysis: &Analysis, color: bool) -> String {
    render_with(analysis, color, true)
}

fn counts(e: usize, w: usize, i: usize) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    [(e, "error"), (w, "warning"), (i, "info")]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|&(n, word)| plural(n, word))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn summary(analysis: &Analysis) -> String {
    let stats = analysis.model.stats;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let (e, w, i) = (
        analysis.count(Severity::Error),
        analysis.count(Severity::Warning),
        analysis.count(Severity::Info),
    );
    let mark = if e > 0 {
        "✖"
    } else if w > 0 {
        "⚠"
    } else {
        "✔"
    };
    let suppressed = if analysis.suppressed_count > 0 {
        format!(", {} suppressed", analysis.suppressed_count)
    } else {
        String::new()
    };
    let skipped = if stats.skipped_documents > 0 {
        format!(
            ", {} without apiVersion/kind skipped",
            plural(stats.skipped_documents, "document")
        )
    } else {
        String::new()
    };
    format!(
        "{mark} {}, {}, {} in {} ({}{skipped}{suppressed})\n",
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
        (
            c.data().to_vec(),
            c.span().offset(),
            c.span().len(),
            c.line(),
            c.column(),
            c.line_count(),
        )
    }

    #[test]
    fn a_window_reads_spans_exactly_as_the_whole_file() {
        let text: String = (0..40)
            .map(|i| match i % 5 {
                0 => format!("key{i}: value\n"),
                1 => "\n".to_string(),
                2 => format!("  nested{i}: [a, b]  # café\n"),
                3 => format!("- item {i}\r\n"),
                _ => format!("long{i}: {}\n", "x".repeat(i)),
            })
            .collect();
        let mut sources = SourceDb::default();
        let file = sources.add("w.yaml".into(), Arc::from(text.as_str()));
        let whole: &str = &text;
        let mut checked = 0;
        for lo in (0..text.len())
            .step_by(7)
            .filter(|&i| text.is_char_boundary(i))
        {
            for hi in [lo, lo + 1, lo + 5, lo + 40, lo + 90] {
                if hi > text.len() || !text.is_char_boundary(hi) {
                    continue;
                }
                let window = Window::new(&sources, file, Arc::from(whole), &[(lo, hi)]);
                if lo > text.len() / 2 {
                    assert!(
                        window.start > 0 && window.end - window.start < text.len() / 2,
                        "the window is narrow"
                    );
                }
                for context in 0..=2 {
                    let span = SourceSpan::new(lo.into(), hi - lo);
                    let expected = SourceCode::read_span(whole, &span, context, context)
                        .map(|c| contents(&*c));
                    let got = window
                        .read_span(&span, context, context)
                        .map(|c| contents(&*c));
                    assert_eq!(
                        got.ok(),
                        expected.ok(),
                        "span {lo}..{hi}, context {context}"
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 300);
    }
}
