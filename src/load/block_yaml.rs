//! A fast path for the plain block YAML that Kubernetes tooling writes (`kubectl`, `helm
//! template`, kustomize, hand-written manifests): block mappings and sequences, one-line plain
//! and quoted scalars without escapes, one-line flow collections of scalars, comments.
//!
//! It produces exactly the events granit-parser produces for the same text, spans included, at
//! a fraction of the cost (granit was 60 % of an analysis). Anything outside that subset (tabs,
//! non-ASCII text, anchors, tags, block scalars, escapes, multi-line scalars, explicit keys,
//! anything malformed) is declined and the document goes to granit-parser, which stays the
//! authority for YAML and for every syntax error. So this module never decides what YAML
//! means; it only recognises text whose meaning is not in doubt.
//!
//! `check_against_granit` is how the tests, the fuzz target and the corpus checks prove that:
//! whenever the fast path accepts a text, its events must equal granit-parser's.

use std::borrow::Cow;
use std::ops::Range;

use granit_parser::{Event, Options, Parser, ScalarStyle, StructureStyle};

/// Deepest nesting the fast path takes on; deeper documents go to granit-parser, which enforces
/// `--max-depth` with its own error.
const MAX_FAST_DEPTH: usize = 64;

/// Longest implicit key the fast path takes: YAML allows 1024 characters before the `:`.
const MAX_FAST_KEY: usize = 1000;

/// One event, as positions in the document's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Token {
    kind: Kind,
    start: u32,
    end: u32,
    /// The scalar's text (without quotes) for `Kind::Scalar`.
    text: (u32, u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    StreamStart,
    StreamEnd,
    DocumentStart {
        explicit: bool,
    },
    DocumentEnd,
    MappingStart {
        flow: bool,
    },
    MappingEnd,
    SequenceStart {
        flow: bool,
    },
    SequenceEnd,
    Scalar(ScalarStyle),
    /// The empty value of `key:`, which granit-parser reports as a plain `~`.
    Null,
}

impl Token {
    /// The granit-parser event this token stands for, and its byte range in `src`.
    pub(super) fn event<'a>(&self, src: &'a str) -> (Event<'a>, Range<usize>) {
        let event = match self.kind {
            Kind::StreamStart => Event::StreamStart,
            Kind::StreamEnd => Event::StreamEnd,
            Kind::DocumentStart { explicit } => Event::DocumentStart(explicit, None),
            Kind::DocumentEnd => Event::DocumentEnd,
            Kind::MappingStart { flow } => Event::MappingStart(structure(flow), 0, None),
            Kind::MappingEnd => Event::MappingEnd,
            Kind::SequenceStart { flow } => Event::SequenceStart(structure(flow), 0, None),
            Kind::SequenceEnd => Event::SequenceEnd,
            Kind::Scalar(style) => Event::Scalar(
                Cow::Borrowed(&src[self.text.0 as usize..self.text.1 as usize]),
                style,
                0,
                None,
            ),
            Kind::Null => Event::Scalar(Cow::Borrowed("~"), ScalarStyle::Plain, 0, None),
        };
        (event, self.start as usize..self.end as usize)
    }
}

fn structure(flow: bool) -> StructureStyle {
    if flow {
        StructureStyle::Flow
    } else {
        StructureStyle::Block
    }
}

/// Why the fast path let go of a document: only that it did; granit-parser says the rest.
#[derive(Debug)]
struct Declined;

type Scan<T> = Result<T, Declined>;

/// Scans one document (a chunk of a file, split at `---` lines) into `out`. `false` when the text
/// is outside the fast path's subset; `out` then holds nothing useful.
pub(super) fn scan(src: &str, max_depth: usize, out: &mut Vec<Token>) -> bool {
    out.clear();
    let bytes = src.as_bytes();
    // Tabs, carriage returns, other control characters and non-ASCII text all have rules of their
    // own in YAML (and Unicode line breaks); one pass over the bytes sends them to granit-parser.
    if u32::try_from(bytes.len()).is_err()
        || !bytes
            .iter()
            .all(|&b| b == b'\n' || (b' '..=b'~').contains(&b))
    {
        return false;
    }
    let mut scanner = Scanner {
        s: bytes,
        pos: 0,
        line_start: 0,
        line_end: 0,
        depth: 0,
        max_depth: max_depth.min(MAX_FAST_DEPTH),
        peeked: std::cell::Cell::new(None),
        out,
    };
    scanner.document().is_ok()
}

/// A line with content (not blank, not only a comment).
#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    content: usize,
    end: usize,
}

impl Line {
    fn indent(&self) -> usize {
        self.content - self.start
    }
}

struct Scanner<'a> {
    s: &'a [u8],
    /// Start of the first line not yet entered.
    pos: usize,
    /// The line being read.
    line_start: usize,
    line_end: usize,
    depth: usize,
    max_depth: usize,
    /// The last `peek_line` answer and the position it was asked at: when nested collections end
    /// together, each asks for the same next line, which must not be scanned again each time.
    peeked: std::cell::Cell<Option<(usize, Option<Line>)>>,
    out: &'a mut Vec<Token>,
}

impl Scanner<'_> {
    fn push(&mut self, kind: Kind, start: usize, end: usize) {
        self.out.push(Token {
            kind,
            start: start as u32,
            end: end as u32,
            text: (0, 0),
        });
    }

    fn scalar(&mut self, style: ScalarStyle, span: Range<usize>, text: Range<usize>) {
        self.out.push(Token {
            kind: Kind::Scalar(style),
            start: span.start as u32,
            end: span.end as u32,
            text: (text.start as u32, text.end as u32),
        });
    }

    fn byte(&self, at: usize) -> u8 {
        if at < self.line_end {
            self.s[at]
        } else {
            b'\n'
        }
    }

    /// The next line with content; blank and comment-only lines are skipped. Document markers and
    /// directives are declined (a chunk holds one document; its leading `---` is read apart).
    fn peek_line(&self) -> Scan<Option<Line>> {
        if let Some((at, line)) = self.peeked.get()
            && at == self.pos
        {
            return Ok(line);
        }
        let line = self.find_line()?;
        self.peeked.set(Some((self.pos, line)));
        Ok(line)
    }

    fn find_line(&self) -> Scan<Option<Line>> {
        let s = self.s;
        let mut start = self.pos;
        while start < s.len() {
            let end = memchr::memchr(b'\n', &s[start..]).map_or(s.len(), |i| start + i);
            let content = start + s[start..end].iter().take_while(|&&b| b == b' ').count();
            if content < end && s[content] != b'#' {
                let line = &s[content..end];
                if content == start
                    && (line.starts_with(b"---") || line.starts_with(b"...") || line[0] == b'%')
                {
                    return Err(Declined);
                }
                return Ok(Some(Line {
                    start,
                    content,
                    end,
                }));
            }
            start = end + 1;
        }
        Ok(None)
    }

    fn enter(&mut self, line: Line) {
        self.line_start = line.start;
        self.line_end = line.end;
        self.pos = line.end + 1;
    }

    fn nest(&mut self) -> Scan<()> {
        self.depth += 1;
        if self.depth >= self.max_depth {
            return Err(Declined);
        }
        Ok(())
    }

    fn skip_spaces(&self, mut at: usize) -> usize {
        while at < self.line_end && self.s[at] == b' ' {
            at += 1;
        }
        at
    }

    /// A block sequence entry: `-` followed by a space or the end of the line.
    fn is_dash(&self, at: usize) -> bool {
        self.byte(at) == b'-' && matches!(self.byte(at + 1), b' ' | b'\n')
    }

    /// What may follow a node on its line: spaces, then nothing or a comment.
    fn end_of_line(&self, at: usize) -> Scan<()> {
        let rest = self.skip_spaces(at);
        if rest == self.line_end || (self.s[rest] == b'#' && rest > at) {
            Ok(())
        } else {
            Err(Declined)
        }
    }

    fn document(&mut self) -> Scan<()> {
        self.push(Kind::StreamStart, 0, 0);
        let s = self.s;
        // A leading `---` line (the splitter leaves it at the start of its chunk).
        let mut explicit = false;
        let mut start = 0;
        while start < s.len() {
            let end = memchr::memchr(b'\n', &s[start..]).map_or(s.len(), |i| start + i);
            let line = &s[start..end];
            let body = line.iter().position(|&b| b != b' ');
            match body {
                None => {}
                Some(i) if line[i] == b'#' => {}
                Some(0) if line.starts_with(b"---") => {
                    self.line_start = start;
                    self.line_end = end;
                    if self.byte(start + 3) != b' ' && start + 3 != end {
                        return Err(Declined);
                    }
                    self.end_of_line(start + 3)?;
                    self.push(Kind::DocumentStart { explicit: true }, start, start + 3);
                    explicit = true;
                    start = end + 1;
                    break;
                }
                Some(_) => break,
            }
            start = end + 1;
        }
        self.pos = start.min(s.len());
        let Some(root) = self.peek_line()? else {
            return Err(Declined);
        };
        if root.indent() != 0 {
            return Err(Declined);
        }
        if !explicit {
            self.push(
                Kind::DocumentStart { explicit: false },
                root.content,
                root.content,
            );
        }
        self.enter(root);
        if self.is_dash(root.content) {
            self.sequence(0, root.content, false)?;
        } else if self.key(root.content, false)?.is_some() {
            self.mapping(0, root.content)?;
        } else {
            return Err(Declined);
        }
        if self.peek_line()?.is_some() {
            return Err(Declined);
        }
        let len = s.len();
        self.push(Kind::DocumentEnd, len, len);
        self.push(Kind::StreamEnd, len, len);
        Ok(())
    }

    /// The key at `at` on the current line, if the line holds `key:` there: its style, span, text
    /// and the position of its `:`. Emits the key's event when `emit` is set.
    fn key(&mut self, at: usize, emit: bool) -> Scan<Option<usize>> {
        let s = self.s;
        let (style, span, text, after) = match s[at] {
            quote @ (b'"' | b'\'') => {
                let (text, after) = self.quoted(at, quote)?;
                (quoted_style(quote), at..after, text, after)
            }
            first if !starts_plain(first, self.byte(at + 1)) => return Ok(None),
            _ => {
                let mut i = at;
                loop {
                    if i == self.line_end {
                        return Ok(None);
                    }
                    match s[i] {
                        b':' if matches!(self.byte(i + 1), b' ' | b'\n') => break,
                        b'#' if s[i - 1] == b' ' => return Ok(None),
                        _ => i += 1,
                    }
                }
                let end = trim_end(s, at, i);
                (ScalarStyle::Plain, at..end, at..end, i)
            }
        };
        let colon = self.skip_spaces(after);
        if self.byte(colon) != b':' || !matches!(self.byte(colon + 1), b' ' | b'\n') {
            return Ok(None);
        }
        if colon - at > MAX_FAST_KEY {
            return Err(Declined);
        }
        if emit {
            self.scalar(style, span, text);
        }
        Ok(Some(colon))
    }

    /// A quoted scalar at `at` that ends on its line and needs no rewriting: its text range and the
    /// position after the closing quote.
    fn quoted(&self, at: usize, quote: u8) -> Scan<(Range<usize>, usize)> {
        let s = self.s;
        let body = at + 1;
        let close = memchr::memchr(quote, &s[body..self.line_end])
            .map(|i| body + i)
            .ok_or(Declined)?;
        // Escapes (`\n`, `''`) make granit-parser rewrite the text.
        if (quote == b'"' && s[body..close].contains(&b'\\'))
            || (quote == b'\'' && self.byte(close + 1) == b'\'')
        {
            return Err(Declined);
        }
        Ok((body..close, close + 1))
    }

    /// A block mapping whose first key starts at `first_key` on the current line, in column
    /// `column`. Consumes every line of the mapping.
    fn mapping(&mut self, column: usize, first_key: usize) -> Scan<()> {
        self.nest()?;
        self.push(Kind::MappingStart { flow: false }, first_key, first_key);
        let mut key_at = first_key;
        let end = loop {
            let colon = self.key(key_at, true)?.ok_or(Declined)?;
            self.mapping_value(column, colon)?;
            match self.peek_line()? {
                Some(line) if line.indent() == column => {
                    if self.is_dash(line.content) {
                        return Err(Declined);
                    }
                    self.enter(line);
                    key_at = line.content;
                }
                Some(line) if line.indent() < column => break line.content,
                Some(_) => return Err(Declined),
                None => break self.s.len(),
            }
        };
        self.push(Kind::MappingEnd, end, end);
        self.depth -= 1;
        Ok(())
    }

    /// The value after the `:` at `colon` of a key in column `column`.
    fn mapping_value(&mut self, column: usize, colon: usize) -> Scan<()> {
        let at = self.skip_spaces(colon + 1);
        if at < self.line_end && self.s[at] != b'#' {
            self.inline_value(at)?;
            return self.no_continuation(column);
        }
        match self.peek_line()? {
            Some(line) if line.indent() > column => {
                self.enter(line);
                if self.is_dash(line.content) {
                    self.sequence(line.indent(), line.content, false)
                } else if self.key(line.content, false)?.is_some() {
                    self.mapping(line.indent(), line.content)
                } else {
                    // A scalar on the next line (or something stranger).
                    Err(Declined)
                }
            }
            Some(line) if line.indent() == column && self.is_dash_line(line) => {
                self.enter(line);
                self.sequence(column, line.content, true)
            }
            _ => {
                self.push(Kind::Null, colon, colon);
                Ok(())
            }
        }
    }

    fn is_dash_line(&self, line: Line) -> bool {
        self.s[line.content] == b'-'
            && matches!(self.s.get(line.content + 1), None | Some(b' ' | b'\n'))
    }

    /// After a one-line value in a collection at `column`: a more indented line would continue
    /// the scalar (or be an error), which the fast path leaves to granit-parser.
    fn no_continuation(&self, column: usize) -> Scan<()> {
        match self.peek_line()? {
            Some(line) if line.indent() > column => Err(Declined),
            _ => Ok(()),
        }
    }

    /// A block sequence in column `column` whose first `-` is at `dash` on the current line.
    /// `indentless`: the value of a key in the same column (`key:` then `- item`).
    fn sequence(&mut self, column: usize, first_dash: usize, indentless: bool) -> Scan<()> {
        self.nest()?;
        let mut dash = first_dash;
        let mut first = true;
        let end = loop {
            let item = self.skip_spaces(dash + 1);
            if item == self.line_end || self.s[item] == b'#' {
                // The item is on the next lines, or empty.
                return Err(Declined);
            }
            if first {
                let at = if indentless { item } else { dash };
                self.push(Kind::SequenceStart { flow: false }, at, at);
                first = false;
            }
            let item_column = item - self.line_start;
            if self.is_dash(item) {
                self.sequence(item_column, item, false)?;
            } else if self.key(item, false)?.is_some() {
                self.mapping(item_column, item)?;
            } else {
                self.inline_value(item)?;
                self.no_continuation(column)?;
            }
            match self.peek_line()? {
                Some(line) if line.indent() == column && self.is_dash_line(line) => {
                    self.enter(line);
                    dash = line.content;
                }
                Some(line) if line.indent() < column || (indentless && line.indent() == column) => {
                    break line.content;
                }
                Some(_) => return Err(Declined),
                None => break self.s.len(),
            }
        };
        self.push(Kind::SequenceEnd, end, end);
        self.depth -= 1;
        Ok(())
    }

    /// A scalar or flow collection that starts at `at` and ends on the current line.
    fn inline_value(&mut self, at: usize) -> Scan<()> {
        let after = match self.s[at] {
            quote @ (b'"' | b'\'') => {
                let (text, after) = self.quoted(at, quote)?;
                self.scalar(quoted_style(quote), at..after, text);
                after
            }
            b'[' => self.flow(at, false)?,
            b'{' => self.flow(at, true)?,
            first if !starts_plain(first, self.byte(at + 1)) => return Err(Declined),
            _ => {
                let s = self.s;
                let mut i = at;
                while i < self.line_end {
                    match s[i] {
                        // `a: b: c` is an error; `a: b:` too.
                        b':' if matches!(self.byte(i + 1), b' ' | b'\n') => return Err(Declined),
                        b'#' if s[i - 1] == b' ' => break,
                        _ => i += 1,
                    }
                }
                let end = trim_end(s, at, i);
                self.scalar(ScalarStyle::Plain, at..end, at..end);
                end
            }
        };
        self.end_of_line(after)
    }

    /// A flow sequence (`[a, "b"]`) or mapping (`{a: b}`) of scalars on one line, starting at
    /// `open`; the position after its closing bracket.
    fn flow(&mut self, open: usize, map: bool) -> Scan<usize> {
        self.nest()?;
        let close = if map { b'}' } else { b']' };
        self.push(
            if map {
                Kind::MappingStart { flow: true }
            } else {
                Kind::SequenceStart { flow: true }
            },
            open,
            open + 1,
        );
        let mut at = self.skip_spaces(open + 1);
        if self.byte(at) != close {
            loop {
                if map {
                    let colon = self.flow_scalar(at, true)?;
                    if self.byte(colon) != b':'
                        || self.byte(colon + 1) != b' '
                        || colon - at > MAX_FAST_KEY
                    {
                        return Err(Declined);
                    }
                    at = self.skip_spaces(colon + 1);
                }
                let after = self.flow_scalar(at, false)?;
                at = self.skip_spaces(after);
                match self.byte(at) {
                    b',' => {
                        at = self.skip_spaces(at + 1);
                        if self.byte(at) == close {
                            // A trailing comma.
                            return Err(Declined);
                        }
                    }
                    b if b == close => break,
                    _ => return Err(Declined),
                }
            }
        }
        self.push(
            if map {
                Kind::MappingEnd
            } else {
                Kind::SequenceEnd
            },
            at,
            at + 1,
        );
        self.depth -= 1;
        Ok(at + 1)
    }

    /// A scalar inside a flow collection: the position after it (for a key: of its `:`).
    fn flow_scalar(&mut self, at: usize, key: bool) -> Scan<usize> {
        let s = self.s;
        match self.byte(at) {
            quote @ (b'"' | b'\'') => {
                let (text, after) = self.quoted(at, quote)?;
                self.scalar(quoted_style(quote), at..after, text);
                Ok(if key { self.skip_spaces(after) } else { after })
            }
            // In a flow collection `-`, `?` and `:` cannot start a plain scalar before a flow
            // indicator either.
            b'-' | b'?' | b':' if matches!(self.byte(at + 1), b',' | b'[' | b']' | b'{' | b'}') => {
                Err(Declined)
            }
            first if !starts_plain(first, self.byte(at + 1)) => Err(Declined),
            _ => {
                let mut i = at;
                let end = loop {
                    match self.byte(i) {
                        b'\n' | b'[' | b'{' | b'#' => return Err(Declined),
                        b':' if key && self.byte(i + 1) == b' ' => break i,
                        b':' => return Err(Declined),
                        b',' | b']' | b'}' if !key => break i,
                        b',' | b']' | b'}' => return Err(Declined),
                        _ => i += 1,
                    }
                };
                let trimmed = trim_end(s, at, end);
                self.scalar(ScalarStyle::Plain, at..trimmed, at..trimmed);
                Ok(end)
            }
        }
    }
}

fn quoted_style(quote: u8) -> ScalarStyle {
    if quote == b'"' {
        ScalarStyle::DoubleQuoted
    } else {
        ScalarStyle::SingleQuoted
    }
}

/// Whether a plain scalar may start with `first` (followed by `next`) in the fast path: not with an
/// indicator, and not with `-`, `?` or `:` followed by a space.
fn starts_plain(first: u8, next: u8) -> bool {
    match first {
        b'-' | b'?' | b':' => !matches!(next, b' ' | b'\n'),
        b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'\''
        | b'"' | b'%' | b'@' | b'`' | b' ' | b'\n' => false,
        _ => true,
    }
}

fn trim_end(s: &[u8], start: usize, mut end: usize) -> usize {
    while end > start && s[end - 1] == b' ' {
        end -= 1;
    }
    end
}

/// How the fast path and granit-parser compare on one text.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The fast path left the text to granit-parser.
    Declined,
    /// The fast path took the text and produced granit-parser's events exactly.
    Agrees,
    /// The fast path took the text and got it wrong: the first difference.
    Differs(String),
}

/// Runs both parsers over `src` (one document, as the splitter cuts them) and compares their
/// events, spans included. For tests and fuzzing: the fast path must never disagree.
pub fn check_against_granit(src: &str) -> Verdict {
    let mut tokens = Vec::new();
    if !scan(src, 128, &mut tokens) {
        return Verdict::Declined;
    }
    let fast: Vec<(Event<'_>, Range<usize>)> = tokens.iter().map(|t| t.event(src)).collect();
    let mut options = Options::default();
    options.emit_comments = false;
    let mut parser = Parser::new_from_str_with_options(src, options);
    let mut slow = Vec::new();
    loop {
        match parser.next_event() {
            None => break,
            Some(Ok((event, span))) => slow.push((event, span.byte_range().unwrap_or(0..0))),
            Some(Err(e)) => {
                return Verdict::Differs(format!(
                    "granit-parser fails ({e}) where the fast path accepted"
                ));
            }
        }
    }
    for (i, (a, b)) in fast.iter().zip(&slow).enumerate() {
        if a != b {
            return Verdict::Differs(format!("event {i}: fast path {a:?}, granit-parser {b:?}"));
        }
    }
    if fast.len() != slow.len() {
        return Verdict::Differs(format!(
            "fast path {} events, granit-parser {}",
            fast.len(),
            slow.len()
        ));
    }
    Verdict::Agrees
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `depth` mappings nested in each other, the innermost holding a flow sequence.
    fn nested(depth: usize, flow: bool) -> String {
        let mut text = String::new();
        for level in 0..depth {
            text.push_str(&"  ".repeat(level));
            text.push_str("k:\n");
        }
        text.push_str(&"  ".repeat(depth));
        text.push_str(if flow { "v: [a]\n" } else { "v: a\n" });
        text
    }

    #[test]
    fn what_the_fast_path_takes_granit_parser_takes_within_the_same_depth_budget() {
        for limit in 1..8 {
            for depth in 0..10 {
                for flow in [false, true] {
                    let text = nested(depth, flow);
                    let mut tokens = Vec::new();
                    if !scan(&text, limit, &mut tokens) {
                        continue;
                    }
                    let mut options = Options::default();
                    options.block_nesting_limit = limit;
                    options.flow_nesting_limit = limit;
                    let mut parser = Parser::new_from_str_with_options(&text, options);
                    while let Some(event) = parser.next_event() {
                        assert!(
                            event.is_ok(),
                            "limit {limit}, depth {depth}: granit-parser refuses what the fast path took"
                        );
                    }
                }
            }
        }
        // And it does take documents as deep as Kubernetes resources get.
        assert!(scan(&nested(20, true), 128, &mut Vec::new()));
    }
}
