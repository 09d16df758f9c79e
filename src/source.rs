//! Source files and positions. Every span in meshlint is a byte range into one `SourceFile`.

use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A byte range `[start, end)` into a source file's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: clamp_u32(start),
            end: clamp_u32(end.max(start)),
        }
    }
    pub fn empty(at: usize) -> Span {
        Span::new(at, at)
    }
    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
}

fn clamp_u32(v: usize) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

/// A span in a given file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Loc {
    pub file: FileId,
    pub span: Span,
}

impl Loc {
    pub fn new(file: FileId, span: Span) -> Loc {
        Loc { file, span }
    }
}

/// Positions become 1-based line and column (in characters). Keeps the start of every
/// `LineIndex::EVERY`-th line only (a few kilobytes for a large file, not four bytes a line) and
/// finds the lines in between by scanning at most that many lines of text.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    /// Byte offsets where lines 1, 1 + EVERY, 1 + 2·EVERY, … start.
    checkpoints: Vec<u32>,
    lines: usize,
}

impl LineIndex {
    const EVERY: usize = 32;

    pub fn new(text: &str) -> LineIndex {
        let mut checkpoints = Vec::with_capacity(text.len() / (32 * Self::EVERY) + 1);
        checkpoints.push(0);
        let mut lines = 1;
        let mut line_at = |start: usize| {
            if lines % Self::EVERY == 0 {
                checkpoints.push(clamp_u32(start));
            }
            lines += 1;
        };
        // Eight bytes at a time: most words of YAML hold no line break.
        const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
        const NL: u64 = 0x0A0A_0A0A_0A0A_0A0A;
        let bytes = text.as_bytes();
        let mut words = bytes.chunks_exact(8);
        let mut at = 0;
        for word in &mut words {
            let x = u64::from_le_bytes(word.try_into().expect("8 bytes")) ^ NL;
            // The high bit of each byte of `found` is set exactly where `x` has a zero byte.
            let mut found = !(((x & LOW7) + LOW7) | x | LOW7);
            while found != 0 {
                let i = (found.trailing_zeros() / 8) as usize;
                line_at(at + i + 1);
                found &= found - 1;
            }
            at += 8;
        }
        for (i, &b) in words.remainder().iter().enumerate() {
            if b == b'\n' {
                line_at(at + i + 1);
            }
        }
        LineIndex { checkpoints, lines }
    }

    /// 1-based line and 1-based column (counted in characters) of a byte offset.
    pub fn line_col(&self, text: &str, offset: u32) -> (usize, usize) {
        let offset = (offset as usize).min(text.len());
        let checkpoint = self
            .checkpoints
            .partition_point(|&start| start as usize <= offset)
            .saturating_sub(1);
        let from = self.checkpoints.get(checkpoint).map_or(0, |&s| s as usize);
        let between = &text.as_bytes()[from.min(offset)..offset];
        let newlines = between.iter().filter(|&&b| b == b'\n').count();
        let start = between
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(from, |i| from + i + 1);
        let col = text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(offset - start);
        (checkpoint * Self::EVERY + newlines + 1, col + 1)
    }

    pub fn line_count(&self) -> usize {
        self.lines
    }

    /// Byte offset where the 1-based line starts.
    pub fn line_start(&self, text: &str, line: usize) -> Option<usize> {
        let line = line.checked_sub(1)?;
        if line >= self.lines {
            return None;
        }
        let mut start = *self.checkpoints.get(line / Self::EVERY)? as usize;
        for _ in 0..line % Self::EVERY {
            start += text
                .as_bytes()
                .get(start..)?
                .iter()
                .position(|&b| b == b'\n')?
                + 1;
        }
        Some(start)
    }
}

/// One input file (or stdin), held in memory once and shared by every phase.
#[derive(Debug)]
pub struct SourceFile {
    pub id: FileId,
    /// The path as the user gave it or as found by walking, used in every report.
    pub path: String,
    pub text: Arc<str>,
    /// Built on first use: only files with something to report need line numbers.
    lines: std::sync::OnceLock<LineIndex>,
}

impl SourceFile {
    pub fn new(id: FileId, path: String, text: Arc<str>) -> SourceFile {
        SourceFile {
            id,
            path,
            text,
            lines: std::sync::OnceLock::new(),
        }
    }
    /// The line starts of the file.
    pub fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(&self.text))
    }
    pub fn line_col(&self, offset: u32) -> (usize, usize) {
        self.lines().line_col(&self.text, offset)
    }
    /// Byte offset where the 1-based line starts.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.lines().line_start(&self.text, line)
    }
}

/// All files of one run, indexed by `FileId`.
#[derive(Debug, Default)]
pub struct SourceDb {
    files: Vec<SourceFile>,
}

impl SourceDb {
    pub fn add(&mut self, path: String, text: Arc<str>) -> FileId {
        let id = FileId(clamp_u32(self.files.len()));
        self.files.push(SourceFile::new(id, path, text));
        id
    }
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }
    pub fn files(&self) -> &[SourceFile] {
        &self.files
    }
    pub fn len(&self) -> usize {
        self.files.len()
    }
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
    /// 1-based line and column of a location.
    pub fn line_col(&self, loc: Loc) -> (usize, usize) {
        self.get(loc.file).line_col(loc.span.start)
    }

    /// The first line of a location (a route item is reported at its first key, not its body).
    pub fn first_line(&self, loc: Loc) -> Loc {
        let text = &self.get(loc.file).text;
        let start = (loc.span.start as usize).min(text.len());
        let end = (loc.span.end as usize).min(text.len()).max(start);
        let cut = memchr::memchr(b'\n', &text.as_bytes()[start..end]).map_or(end, |i| start + i);
        let len = text[start..cut].trim_end().len();
        Loc::new(loc.file, Span::new(start, start + len))
    }

    /// A location without the whitespace and line breaks a block mapping's span ends with.
    pub fn trimmed(&self, loc: Loc) -> Loc {
        let text = &self.get(loc.file).text;
        let start = (loc.span.start as usize).min(text.len());
        let end = (loc.span.end as usize).min(text.len()).max(start);
        let len = text[start..end].trim_end().len();
        Loc::new(loc.file, Span::new(start, start + len))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_agree_with_a_byte_by_byte_count() {
        let samples = [
            String::new(),
            "\n".into(),
            "a".into(),
            "abc\ndef\n\n\nghijklmnop\nq".into(),
            "\u{b}\n\u{b}\u{b}\n\r\n\t\n\u{8a}\u{10a}\n".into(),
            "é\nü\n".repeat(50),
            (0..300u32)
                .map(|i| char::from_u32(i % 128 + 1).unwrap_or('x'))
                .collect(),
            (0..200).map(|i| format!("line {i}: é\n")).collect(),
        ];
        for text in &samples {
            let index = LineIndex::new(text);
            let starts: Vec<usize> = std::iter::once(0)
                .chain(
                    text.bytes()
                        .enumerate()
                        .filter(|&(_, b)| b == b'\n')
                        .map(|(i, _)| i + 1),
                )
                .collect();
            assert_eq!(index.line_count(), starts.len(), "{text:?}");
            for (line, &start) in starts.iter().enumerate() {
                assert_eq!(index.line_start(text, line + 1), Some(start), "{text:?}");
            }
            assert_eq!(index.line_start(text, 0), None);
            assert_eq!(index.line_start(text, starts.len() + 1), None);
            for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
                let line = starts.partition_point(|&s| s <= offset);
                let column = text[starts[line - 1]..offset].chars().count() + 1;
                assert_eq!(
                    index.line_col(text, offset as u32),
                    (line, column),
                    "{text:?} at {offset}"
                );
            }
        }
    }
}
