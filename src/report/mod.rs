//! `report`: one module per output format. Reporters only format; they never re-read files.

pub mod human;
pub mod json;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
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
