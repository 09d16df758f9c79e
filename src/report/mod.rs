//! `report`: one module per output format. Reporters only format; they never re-read files.
//!
//! Every format renders the same findings (`Analysis::diagnostics`, after suppression and the
//! output threshold); the exit code never depends on the format.

pub mod codeclimate;
pub mod diff_github;
pub mod diff_human;
pub mod diff_json;
pub mod diff_markdown;
pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod progress;
pub mod sarif;
pub mod yaml;

use crate::diag::Diagnostic;
use crate::engine::Analysis;
use crate::source::{Loc, SourceDb};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Snippets with the offending span underlined, grouped by file, and a summary line
    Human,
    /// The diagnostic JSON of design.md
    Json,
    /// The same document as json, in YAML
    Yaml,
    /// SARIF 2.1.0, as GitHub code scanning accepts it
    Sarif,
    /// GitHub Actions workflow commands (annotations on the pull request)
    Github,
    /// JUnit XML: one testcase per resource and rule
    Junit,
    /// GitLab code quality (Code Climate subset)
    Codeclimate,
}

impl Format {
    pub const ALL: [Format; 7] = [
        Format::Human,
        Format::Json,
        Format::Yaml,
        Format::Sarif,
        Format::Github,
        Format::Junit,
        Format::Codeclimate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Json => "json",
            Format::Yaml => "yaml",
            Format::Sarif => "sarif",
            Format::Github => "github",
            Format::Junit => "junit",
            Format::Codeclimate => "codeclimate",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// Renders `analysis` in `format`; `color` only matters for human output.
pub fn render(format: Format, analysis: &Analysis, color: bool) -> String {
    match format {
        Format::Human => human::render_grouped(analysis, color),
        Format::Json => json::render(analysis),
        Format::Yaml => yaml::render(analysis),
        Format::Sarif => sarif::render(analysis),
        Format::Github => github::render(analysis),
        Format::Junit => junit::render(analysis),
        Format::Codeclimate => codeclimate::render(analysis),
    }
}

/// Builds, in parallel, the line index of every file a finding points into, before a reporter
/// turns offsets into lines one finding at a time. Files nothing points into never get one.
pub fn index_lines(analysis: &crate::engine::Analysis) {
    use rayon::prelude::*;
    let mut files: Vec<crate::source::FileId> = analysis
        .diagnostics
        .iter()
        .flat_map(|d| std::iter::once(d.loc.file).chain(d.related.iter().map(|r| r.loc.file)))
        .collect();
    files.sort_unstable();
    files.dedup();
    let sources = &analysis.model.sources;
    files
        .par_iter()
        .filter(|&&f| (f.0 as usize) < sources.len())
        .for_each(|&f| {
            sources.get(f).lines();
        });
}

/// Where a location is, as every machine format states it: the path as shown in reports and
/// 1-based lines and columns (columns count characters). The end is never before the start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position<'a> {
    pub file: &'a str,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

pub fn position(sources: &SourceDb, loc: Loc) -> Position<'_> {
    let file = sources.get(loc.file);
    let (line, column) = file.line_col(loc.span.start);
    let (end_line, end_column) = file.line_col(loc.span.end);
    let (end_line, end_column) = if (end_line, end_column) < (line, column) {
        (line, column)
    } else {
        (end_line, end_column)
    };
    Position {
        file: &file.path,
        line,
        column,
        end_line,
        end_column,
    }
}

/// A path as SARIF, GitLab and GitHub want it: relative to the repository root, with `/`
/// separators. Paths given relative stay as given (without a leading `./`); absolute paths under
/// the working directory are made relative to it.
pub fn relative_path(path: &str) -> String {
    let mut p = path.replace('\\', "/");
    if std::path::Path::new(path).is_absolute()
        && let Ok(cwd) = std::env::current_dir()
    {
        let cwd = cwd.to_string_lossy().replace('\\', "/");
        if let Some(rest) = p.strip_prefix(&format!("{}/", cwd.trim_end_matches('/'))) {
            p = rest.to_string();
        }
    }
    while let Some(rest) = p.strip_prefix("./") {
        p = rest.to_string();
    }
    p
}

/// 64-bit FNV-1a: a hash that never changes between Rust versions or runs.
fn fnv1a(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// A fingerprint per finding that survives edits elsewhere in the file: it hashes the rule, the
/// file, the resource, the text of the offending key or value and the message, never a line or
/// column. Findings alike in all of these are told apart by their order (`:2`, `:3`, …).
pub fn fingerprints(analysis: &Analysis) -> Vec<String> {
    let sources = &analysis.model.sources;
    let mut seen: std::collections::HashMap<u64, u32> = std::collections::HashMap::new();
    analysis
        .diagnostics
        .iter()
        .map(|d| {
            let h = fingerprint_hash(sources, d);
            let n = seen.entry(h).or_insert(0);
            *n += 1;
            if *n == 1 {
                format!("{h:016x}")
            } else {
                format!("{h:016x}:{n}")
            }
        })
        .collect()
}

fn fingerprint_hash(sources: &SourceDb, d: &Diagnostic) -> u64 {
    let file = sources.get(d.loc.file);
    let text = &file.text;
    let start = (d.loc.span.start as usize).min(text.len());
    let end = (d.loc.span.end as usize).clamp(start, text.len());
    let at = text.get(start..end.min(start + 200)).unwrap_or("");
    let resource = d
        .resource
        .as_ref()
        .map(|r| r.to_string())
        .unwrap_or_default();
    fnv1a(&[
        d.rule.name,
        &relative_path(&file.path),
        &resource,
        at,
        &d.message,
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_drop_dot_slash_and_backslashes() {
        assert_eq!(relative_path("./a/b.yaml"), "a/b.yaml");
        assert_eq!(relative_path("a\\b.yaml"), "a/b.yaml");
        assert_eq!(relative_path("<stdin>"), "<stdin>");
        let cwd = std::env::current_dir().unwrap();
        let abs = cwd.join("x/y.yaml");
        assert_eq!(relative_path(&abs.to_string_lossy()), "x/y.yaml");
    }

    #[test]
    fn fnv_is_stable() {
        // The fingerprints of existing alerts depend on these values never changing.
        assert_eq!(fnv1a(&[]), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(&["a"]), fnv1a(&["a"]));
        assert_ne!(fnv1a(&["ab", "c"]), fnv1a(&["a", "bc"]));
    }
}
