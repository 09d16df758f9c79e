//! `load`: paths, directories, globs and stdin become source files and parsed documents.
//!
//! Nothing here fails the run except a path the user named that does not exist or cannot be
//! read; everything wrong *inside* a file is a diagnostic about that file.

pub mod yaml;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::diag::Diagnostic;
use crate::rules::{duplicate_key, input_too_large, yaml_syntax};
use crate::source::{FileId, Loc, SourceDb, Span};
pub use yaml::{Budgets, Document};

#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    pub budgets: Budgets,
}

/// Everything the loader produced.
#[derive(Debug, Default)]
pub struct Loaded {
    pub sources: SourceDb,
    pub documents: Vec<Document>,
    pub diagnostics: Vec<Diagnostic>,
}

/// A problem with the command line's paths: the run cannot be done (exit 2).
#[derive(Debug)]
pub struct InputError(pub String);

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

enum Input {
    File(PathBuf),
    Stdin,
    /// A path found while walking that could not be visited (symlink loop, permission).
    WalkError(String, String),
}

/// Reads every input. `stdin` supplies the bytes for `-` (the CLI passes real stdin; tests pass
/// their own).
pub fn load(
    paths: &[String],
    stdin: &mut dyn FnMut() -> std::io::Result<Vec<u8>>,
    options: &LoadOptions,
) -> Result<Loaded, InputError> {
    let inputs = expand(paths)?;
    let budgets = options.budgets;

    // Reading is I/O bound and decoding is cheap; rayon keeps the order of `inputs`.
    let mut stdin_bytes = None;
    if inputs.iter().any(|i| matches!(i, Input::Stdin)) {
        stdin_bytes = Some(stdin().map_err(|e| InputError(format!("cannot read standard input: {e}")))?);
    }
    let read: Vec<(String, Result<Vec<u8>, String>)> = inputs
        .par_iter()
        .map(|input| match input {
            Input::Stdin => ("<stdin>".to_string(), Ok(stdin_bytes.clone().unwrap_or_default())),
            Input::File(path) => (display(path), read_bounded(path, budgets.max_file_bytes)),
            Input::WalkError(path, why) => (path.clone(), Err(why.clone())),
        })
        .collect();

    let mut loaded = Loaded::default();
    let mut texts = Vec::with_capacity(read.len());
    for (path, bytes) in read {
        match bytes {
            Ok(bytes) => {
                let (text, problem) = decode(bytes);
                let id = loaded.sources.add(path, Arc::from(text));
                match problem {
                    Some((offset, why)) => loaded.diagnostics.push(
                        Diagnostic::new(&yaml_syntax::RULE, Loc::new(id, Span::empty(offset)), why)
                            .help("save the file as UTF-8 YAML, or exclude it with .gitignore or .meshlintignore"),
                    ),
                    None => texts.push(id),
                }
            }
            Err(why) => {
                let id = loaded.sources.add(path, Arc::from(""));
                let rule = if why.contains("budget") { &input_too_large::RULE } else { &yaml_syntax::RULE };
                loaded.diagnostics.push(Diagnostic::new(rule, Loc::new(id, Span::empty(0)), why));
            }
        }
    }

    // Split every file into documents, then parse all documents in parallel.
    let mut jobs = Vec::new();
    for &id in &texts {
        let text = &loaded.sources.get(id).text;
        let mut chunks = yaml::split(text);
        if chunks.len() > budgets.max_documents {
            loaded.diagnostics.push(Diagnostic::new(
                &input_too_large::RULE,
                Loc::new(id, Span::new(chunks[budgets.max_documents].start, chunks[budgets.max_documents].start)),
                format!(
                    "the file has {} documents, more than the budget of {}; the rest are skipped \
                     (raise it with --max-documents)",
                    chunks.len(),
                    budgets.max_documents
                ),
            ));
            chunks.truncate(budgets.max_documents);
        }
        for (i, chunk) in chunks.into_iter().enumerate() {
            jobs.push((id, Arc::clone(text), chunk, i as u32));
        }
    }
    let parsed: Vec<(FileId, Option<String>, yaml::Parsed)> = jobs
        .par_iter()
        .map(|(id, text, chunk, index)| {
            (*id, chunk.helm_source.clone(), yaml::parse_chunk(*id, text, chunk, *index, &budgets))
        })
        .collect();
    for (file, helm_source, parsed) in parsed {
        loaded.documents.extend(parsed.documents);
        for error in parsed.errors {
            let mut d = yaml_diagnostic(file, error);
            if let Some(template) = &helm_source {
                d.message.push_str(&format!(" (helm template {template})"));
            }
            loaded.diagnostics.push(d);
        }
    }
    Ok(loaded)
}

fn yaml_diagnostic(file: FileId, error: yaml::YamlError) -> Diagnostic {
    let loc = Loc::new(file, error.span);
    match error.problem {
        yaml::YamlProblem::Syntax(reason) => Diagnostic::new(
            &yaml_syntax::RULE,
            loc,
            format!("invalid YAML: {reason}; this document is skipped"),
        )
        .help("check the indentation and quoting around this line (YAML needs spaces, not tabs, and consistent indentation)"),
        yaml::YamlProblem::Budget(reason) => Diagnostic::new(&input_too_large::RULE, loc, reason),
        yaml::YamlProblem::DuplicateKey { key, first } => Diagnostic::new(
            &duplicate_key::RULE,
            loc,
            format!("key \"{key}\" appears twice in this mapping; Kubernetes rejects duplicate keys"),
        )
        .help(format!("keep one \"{key}\" and delete the other"))
        .related(Loc::new(file, first), format!("\"{key}\" first defined here")),
    }
}

fn display(path: &Path) -> String {
    let s = path.to_string_lossy();
    s.strip_prefix("./").map(str::to_string).unwrap_or_else(|| s.into_owned())
}

fn read_bounded(path: &Path, max: usize) -> Result<Vec<u8>, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read the file: {e}"))?;
    if meta.is_dir() {
        return Err("is a directory".into());
    }
    if meta.len() > max as u64 {
        return Err(format!(
            "the file has {} bytes, more than the budget of {max} bytes; it is skipped \
             (raise it with --max-file-bytes)",
            meta.len()
        ));
    }
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read the file: {e}"))?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // `take` bounds special files (pipes, /dev/zero) whose metadata says nothing of their size.
    file.take(max as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read the file: {e}"))?;
    if bytes.len() > max {
        return Err(format!(
            "the file is larger than the budget of {max} bytes; it is skipped (raise it with --max-file-bytes)"
        ));
    }
    Ok(bytes)
}

/// Turns bytes into text. Returns the text to show and, if the file cannot be analyzed, the byte
/// offset and reason.
fn decode(bytes: Vec<u8>) -> (String, Option<(usize, String)>) {
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return decode_utf16(rest, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return decode_utf16(rest, u16::from_be_bytes);
    }
    let body = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(&bytes);
    if let Some(nul) = body.iter().take(8192).position(|&b| b == 0) {
        return (String::new(), Some((0, format!("binary file (NUL byte at offset {nul}), not YAML"))));
    }
    match std::str::from_utf8(body) {
        Ok(text) => (text.to_string(), None),
        Err(e) => {
            let at = e.valid_up_to();
            let text = String::from_utf8_lossy(body).into_owned();
            (text, Some((at, format!("the file is not valid UTF-8 (invalid byte at offset {at})"))))
        }
    }
}

fn decode_utf16(rest: &[u8], word: fn([u8; 2]) -> u16) -> (String, Option<(usize, String)>) {
    let units = rest.chunks_exact(2).map(|c| word([c[0], c[1]]));
    let mut text = String::with_capacity(rest.len() / 2);
    for unit in char::decode_utf16(units) {
        match unit {
            Ok(c) => text.push(c),
            Err(_) => {
                let at = text.len();
                return (text, Some((at, "invalid UTF-16 in a file with a UTF-16 byte-order mark".into())));
            }
        }
    }
    (text, None)
}

/// Expands the command line's paths into an ordered, de-duplicated list of inputs.
fn expand(paths: &[String]) -> Result<Vec<Input>, InputError> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut push_file = |out: &mut Vec<Input>, p: PathBuf| {
        if seen.insert(p.clone()) {
            out.push(Input::File(p));
        }
    };
    for arg in paths {
        if arg == "-" {
            out.push(Input::Stdin);
            continue;
        }
        let path = Path::new(arg);
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                for entry in walk(path) {
                    match entry {
                        Ok(p) => push_file(&mut out, p),
                        Err((p, why)) => out.push(Input::WalkError(p, why)),
                    }
                }
            }
            Ok(_) => {
                std::fs::File::open(path).map_err(|e| InputError(format!("cannot read {arg}: {e}")))?;
                push_file(&mut out, path.to_path_buf());
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && is_glob(arg) => {
                let matches = glob::glob(arg).map_err(|e| InputError(format!("bad glob {arg}: {e}")))?;
                let mut found: Vec<PathBuf> = matches.filter_map(Result::ok).filter(|p| p.is_file()).collect();
                if found.is_empty() {
                    return Err(InputError(format!("no file matches {arg}")));
                }
                found.sort();
                for p in found {
                    push_file(&mut out, p);
                }
            }
            Err(e) => return Err(InputError(format!("cannot read {arg}: {e}"))),
        }
    }
    Ok(out)
}

fn is_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// Files under a directory with a YAML or JSON name, honouring `.gitignore`, `.ignore` and
/// `.meshlintignore`, in a stable order.
fn walk(dir: &Path) -> Vec<Result<PathBuf, (String, String)>> {
    let mut out = Vec::new();
    let walker = ignore::WalkBuilder::new(dir)
        .require_git(false)
        .follow_links(true)
        .add_custom_ignore_filename(".meshlintignore")
        .sort_by_file_name(|a, b| a.cmp(b))
        .build();
    for entry in walker {
        match entry {
            Ok(e) => {
                let p = e.path();
                let is_file = e.file_type().is_some_and(|t| t.is_file());
                let wanted = p
                    .extension()
                    .and_then(|x| x.to_str())
                    .is_some_and(|x| matches!(x.to_ascii_lowercase().as_str(), "yaml" | "yml" | "json"));
                if wanted && (is_file || e.path_is_symlink()) {
                    out.push(Ok(p.to_path_buf()));
                }
            }
            Err(err) => {
                let path = walk_error_path(&err).unwrap_or_else(|| display(dir));
                out.push(Err((path, format!("cannot visit: {}", strip_path_from(&err.to_string())))));
            }
        }
    }
    out
}

fn walk_error_path(err: &ignore::Error) -> Option<String> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(display(path)),
        ignore::Error::WithDepth { err, .. } => walk_error_path(err),
        ignore::Error::Loop { child, .. } => Some(display(child)),
        _ => None,
    }
}

fn strip_path_from(message: &str) -> String {
    message.to_string()
}
