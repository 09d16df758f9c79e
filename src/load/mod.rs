//! `load`: paths, directories, globs and stdin become source files and parsed documents.
//!
//! Nothing here fails the run except a path the user named that does not exist or cannot be
//! read; everything wrong *inside* a file is a diagnostic about that file.

pub mod block_yaml;
pub mod yaml;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::catalog::{duplicate_key, input_too_large, unrendered_template, yaml_syntax};
use crate::diag::{Diagnostic, Severity};
use crate::source::{FileId, Loc, SourceDb, Span};
pub use yaml::{Budgets, Document};

#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    pub budgets: Budgets,
}

/// Everything the loader produced: the sources, and what became of each document, in file and
/// document order. `D` is the document itself, or what a reader made of it (`load_with`).
#[derive(Debug)]
pub struct Loaded<D = Document> {
    pub sources: SourceDb,
    pub documents: Vec<D>,
    pub diagnostics: Vec<Diagnostic>,
    /// Documents a budget skipped (counted in `summary.skipped_documents`; the finding names
    /// the budget).
    pub skipped_documents: usize,
}

impl<D: Send> Loaded<D> {
    /// The same run with every document turned into `f(document)`, in parallel, order kept.
    pub fn map<E: Send>(self, f: impl Fn(D) -> E + Sync) -> Loaded<E> {
        Loaded {
            sources: self.sources,
            documents: self.documents.into_par_iter().map(&f).collect(),
            diagnostics: self.diagnostics,
            skipped_documents: self.skipped_documents,
        }
    }
}

impl<D> Default for Loaded<D> {
    fn default() -> Self {
        Loaded {
            sources: SourceDb::default(),
            documents: Vec::new(),
            diagnostics: Vec::new(),
            skipped_documents: 0,
        }
    }
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
    WalkError(String, Unreadable),
}

/// Why an input yields no text: it could not be read, or it breaks a budget.
#[derive(Debug, Clone)]
struct Unreadable {
    message: String,
    budget: bool,
    /// Error, except for what loses nothing: a symlink loop (its files are read once anyway)
    /// and a broken symlink (there is nothing to read).
    severity: Severity,
    help: &'static str,
}

impl Unreadable {
    fn error(message: impl Into<String>) -> Self {
        Unreadable {
            message: message.into(),
            budget: false,
            severity: Severity::Error,
            help: "make the file readable, or exclude it with .gitignore or .meshlintignore",
        }
    }
    fn budget(message: String) -> Self {
        Unreadable {
            message,
            budget: true,
            severity: Severity::Error,
            help: "split the file, or raise the budget if the input is trusted",
        }
    }
}

/// Reads every input. `stdin` supplies the bytes for `-` (the CLI passes real stdin; tests pass
/// their own).
pub fn load(
    paths: &[String],
    stdin: &mut dyn FnMut() -> std::io::Result<Vec<u8>>,
    options: &LoadOptions,
) -> Result<Loaded, InputError> {
    load_with(paths, stdin, options, &|document| document)
}

/// Reads every input and hands each parsed document to `reader` on the thread that parsed it,
/// while its arena is hot in the cache; the arena is dropped as soon as `reader` lets go of it.
/// This is how the analysis keeps its peak memory near the size of the typed model rather than
/// the model plus the YAML of every file.
pub fn load_with<D: Send>(
    paths: &[String],
    stdin: &mut dyn FnMut() -> std::io::Result<Vec<u8>>,
    options: &LoadOptions,
    reader: &(dyn Fn(Document) -> D + Sync),
) -> Result<Loaded<D>, InputError> {
    load_excluding(paths, &[], stdin, options, reader)
}

/// `load_with`, skipping the files whose path (as reports show it, without a leading `./`)
/// matches one of `exclude` (`*` globs that cross `/`; `.meshlint.yaml` `exclude:`).
pub fn load_excluding<D: Send>(
    paths: &[String],
    exclude: &[String],
    stdin: &mut dyn FnMut() -> std::io::Result<Vec<u8>>,
    options: &LoadOptions,
    reader: &(dyn Fn(Document) -> D + Sync),
) -> Result<Loaded<D>, InputError> {
    let mut inputs = expand(paths)?;
    if !exclude.is_empty() {
        inputs.retain(|input| match input {
            Input::File(path) => {
                let shown = display(path);
                let shown = shown.trim_start_matches("./");
                !exclude
                    .iter()
                    .any(|g| glob_match(g.trim_start_matches("./"), shown))
            }
            _ => true,
        });
    }
    let budgets = options.budgets;

    // Reading is I/O bound and decoding is cheap; rayon keeps the order of `inputs`.
    let mut stdin_bytes = None;
    if inputs.iter().any(|i| matches!(i, Input::Stdin)) {
        stdin_bytes =
            Some(stdin().map_err(|e| InputError(format!("cannot read standard input: {e}")))?);
    }
    let stdin_bytes = std::sync::Mutex::new(stdin_bytes);
    let read: Vec<(String, Result<Vec<u8>, Unreadable>)> = inputs
        .par_iter()
        .map(|input| match input {
            Input::Stdin => (
                "<stdin>".to_string(),
                // `expand` keeps one `-`: the bytes are taken, not copied (a stream of 60 MB
                // would otherwise be copied once more than a file).
                bounded(
                    stdin_bytes
                        .lock()
                        .map(|mut b| b.take().unwrap_or_default())
                        .unwrap_or_default(),
                    &budgets,
                ),
            ),
            Input::File(path) => (display(path), read_bounded(path, budgets.max_file_bytes)),
            Input::WalkError(path, why) => (path.clone(), Err(why.clone())),
        })
        .collect();

    Ok(from_bytes(read, &budgets, reader))
}

/// Analyzes sources already in memory: `(path shown in reports, bytes)`, in that order. The bytes
/// go through the same decoding, budgets and parsing as files read from disk; nothing touches the
/// file system. This is the entry point of the fuzz targets and of embedders.
pub fn load_sources(sources: Vec<(String, Vec<u8>)>, options: &LoadOptions) -> Loaded {
    load_sources_with(sources, options, &|document| document)
}

/// `load_sources`, handing each document to `reader` as `load_with` does.
pub fn load_sources_with<D: Send>(
    sources: Vec<(String, Vec<u8>)>,
    options: &LoadOptions,
    reader: &(dyn Fn(Document) -> D + Sync),
) -> Loaded<D> {
    let budgets = options.budgets;
    let read = sources
        .into_iter()
        .map(|(path, bytes)| (path, bounded(bytes, &budgets)))
        .collect();
    from_bytes(read, &budgets, reader)
}

/// Bytes that did not come from a file's metadata (stdin, memory) checked against the file budget.
fn bounded(bytes: Vec<u8>, budgets: &Budgets) -> Result<Vec<u8>, Unreadable> {
    if bytes.len() > budgets.max_file_bytes {
        return Err(Unreadable::budget(format!(
            "the input is larger than the budget of {} bytes; it is skipped (raise it with --max-file-bytes)",
            budgets.max_file_bytes
        )));
    }
    Ok(bytes)
}

/// Decodes and parses what was read: every input becomes a source file, and every problem a
/// diagnostic about it.
fn from_bytes<D: Send>(
    read: Vec<(String, Result<Vec<u8>, Unreadable>)>,
    budgets: &Budgets,
    reader: &(dyn Fn(Document) -> D + Sync),
) -> Loaded<D> {
    // Decoding and splitting into documents happen per file in parallel (order is kept).
    let decoded: Vec<(String, Result<Decoded, Unreadable>)> = read
        .into_par_iter()
        .map(|(path, bytes)| (path, bytes.map(decode_and_split)))
        .collect();
    let mut loaded = Loaded::default();
    let mut texts = Vec::with_capacity(decoded.len());
    // Per entry of `texts`: where its first Go template action is, if it has one.
    let mut templates: Vec<Option<usize>> = Vec::with_capacity(decoded.len());
    for (path, decoded) in decoded {
        match decoded {
            Ok(Decoded {
                text,
                problem,
                chunks,
            }) => {
                let template = if problem.is_none() {
                    template_action(&text)
                } else {
                    None
                };
                let id = loaded.sources.add(path, text);
                match problem {
                    Some((offset, why)) => loaded.diagnostics.push(
                        Diagnostic::new(&yaml_syntax::RULE, Loc::new(id, Span::empty(offset)), why)
                            .help("save the file as UTF-8 YAML, or exclude it with .gitignore or .meshlintignore"),
                    ),
                    None => {
                        templates.push(template);
                        texts.push((id, chunks));
                    }
                }
            }
            Err(why) => {
                let id = loaded.sources.add(path, Arc::from(""));
                if why.budget {
                    // Unread, its documents are unknown: it counts as one.
                    loaded.skipped_documents += 1;
                }
                let rule = if why.budget {
                    &input_too_large::RULE
                } else {
                    &yaml_syntax::RULE
                };
                loaded.diagnostics.push(
                    Diagnostic::new(rule, Loc::new(id, Span::empty(0)), why.message)
                        .severity(why.severity)
                        .help(why.help),
                );
            }
        }
    }

    // Parse all documents in parallel.
    let mut jobs = Vec::new();
    let file_nodes: Vec<yaml::FileNodes> =
        texts.iter().map(|_| yaml::FileNodes::default()).collect();
    for (slot, (id, mut chunks)) in texts
        .iter_mut()
        .map(|(id, chunks)| (*id, std::mem::take(chunks)))
        .enumerate()
    {
        if chunks.len() > budgets.max_documents {
            loaded.diagnostics.push(Diagnostic::new(
                &input_too_large::RULE,
                Loc::new(
                    id,
                    Span::new(
                        chunks[budgets.max_documents].start,
                        chunks[budgets.max_documents].start,
                    ),
                ),
                format!(
                    "the file has {} documents, more than the budget of {}; the other {} are \
                     skipped (raise it with --max-documents)",
                    chunks.len(),
                    budgets.max_documents,
                    chunks.len() - budgets.max_documents
                ),
            ));
            loaded.skipped_documents += chunks.len() - budgets.max_documents;
            chunks.truncate(budgets.max_documents);
        }
        jobs.extend(
            chunks
                .into_iter()
                .enumerate()
                .map(|(i, chunk)| (slot, id, chunk, i as u32)),
        );
    }
    let sources = &loaded.sources;
    /// One chunk parsed and read: its file's slot and id, its helm template, what the reader made
    /// of its documents, and its YAML errors.
    struct ChunkRead<D> {
        slot: usize,
        file: FileId,
        helm_source: Option<String>,
        documents: Vec<D>,
        errors: Vec<yaml::YamlError>,
    }
    let parsed: Vec<ChunkRead<D>> = jobs
        .into_par_iter()
        .map(|(slot, file, chunk, index)| {
            let text = &sources.get(file).text;
            let parsed =
                yaml::parse_chunk_counted(file, text, &chunk, index, budgets, &file_nodes[slot]);
            ChunkRead {
                slot,
                file,
                helm_source: chunk.helm_source,
                // Not `collect`: it would reuse the buffer of the (larger) documents in place.
                documents: {
                    let mut read = Vec::with_capacity(parsed.documents.len());
                    read.extend(parsed.documents.into_iter().map(reader));
                    read
                },
                errors: parsed.errors,
            }
        })
        .collect();
    let texts: Vec<FileId> = texts.into_iter().map(|(id, _)| id).collect();
    // A file over its node budget is skipped whole: which of its parses stopped first depends on
    // scheduling, so nothing partial of it may be kept.
    let over: Vec<bool> = file_nodes.iter().map(|n| n.exceeded(budgets)).collect();
    let mut chunks_of = vec![0usize; texts.len()];
    for p in &parsed {
        chunks_of[p.slot] += 1;
    }
    for (slot, &id) in texts.iter().enumerate() {
        if over[slot] {
            loaded.skipped_documents += chunks_of[slot];
            loaded.diagnostics.push(Diagnostic::new(
                &input_too_large::RULE,
                Loc::new(id, Span::empty(0)),
                format!(
                    "the file holds more than {} YAML nodes; it is skipped, its {} documents \
                     counted as skipped (raise the budget with --max-file-nodes)",
                    budgets.max_file_nodes, chunks_of[slot]
                ),
            ));
        }
    }
    // A file with template actions that does not parse is an unrendered Helm template: said once,
    // its documents skipped and counted. (One that parses is read: actions inside a ConfigMap's
    // block scalar, as in the sidecar injector's, are data.)
    let mut broken = vec![false; texts.len()];
    for p in &parsed {
        broken[p.slot] |= p
            .errors
            .iter()
            .any(|e| matches!(e.problem, yaml::YamlProblem::Syntax(_)));
    }
    for (slot, &id) in texts.iter().enumerate() {
        let Some(at) = templates[slot].filter(|_| broken[slot] && !over[slot]) else {
            broken[slot] = false;
            continue;
        };
        loaded.skipped_documents += chunks_of[slot];
        loaded.diagnostics.push(
            Diagnostic::new(
                &unrendered_template::RULE,
                Loc::new(id, Span::new(at, at + 2)),
                format!(
                    "this file is an unrendered Helm template; its {} document(s) are skipped: \
                     render it with `helm template` first",
                    chunks_of[slot]
                ),
            )
            .help("helm template RELEASE CHART | meshlint analyze -"),
        );
    }
    let over: Vec<bool> = over.iter().zip(&broken).map(|(o, b)| *o || *b).collect();
    let documents = parsed
        .iter()
        .filter(|p| !over[p.slot])
        .map(|p| p.documents.len())
        .sum();
    loaded.documents.reserve_exact(documents);
    for ChunkRead {
        slot,
        file,
        helm_source,
        documents,
        errors,
    } in parsed
    {
        if over[slot] {
            continue;
        }
        loaded.documents.extend(documents);
        for error in errors {
            let mut d = yaml_diagnostic(file, error);
            if let Some(template) = &helm_source {
                d.message.push_str(&format!(" (helm template {template})"));
            }
            loaded.diagnostics.push(d);
        }
    }
    loaded
}

/// Where the first Go template action (`{{ .Values.x }}`, `{{- if ... }}`, `{{ include ... }}`)
/// of a text is, if it has one outside comments: the mark of a Helm chart template.
fn template_action(text: &str) -> Option<usize> {
    let finder = memchr::memmem::Finder::new("{{");
    for at in finder.find_iter(text.as_bytes()) {
        let rest = text[at + 2..].trim_start_matches('-').trim_start();
        let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        let in_comment = text[line_start..at].trim_start().starts_with('#');
        let action = rest.starts_with(['.', '$', '(', '/', '"'])
            || rest
                .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                .next()
                .is_some_and(|word| {
                    matches!(
                        word,
                        "if" | "else"
                            | "end"
                            | "range"
                            | "with"
                            | "define"
                            | "template"
                            | "include"
                            | "block"
                            | "tpl"
                            | "toYaml"
                            | "required"
                            | "default"
                            | "printf"
                            | "quote"
                            | "not"
                            | "and"
                            | "or"
                            | "eq"
                            | "ne"
                    )
                });
        if action && !in_comment && text[at..].contains("}}") {
            return Some(at);
        }
    }
    None
}

fn yaml_diagnostic(file: FileId, error: yaml::YamlError) -> Diagnostic {
    let loc = Loc::new(file, error.span);
    match error.problem {
        yaml::YamlProblem::Syntax(reason) => {
            let help = if reason.contains("is its `]` missing")
                || reason.contains("is its `}` missing")
            {
                "close the bracket where its items end"
            } else if reason.contains("tab") {
                "replace the tab with spaces: YAML does not allow tabs in indentation"
            } else {
                "check the indentation and quoting around this line (YAML needs spaces, not tabs, and consistent indentation)"
            };
            Diagnostic::new(
                &yaml_syntax::RULE,
                loc,
                format!("invalid YAML: {reason}; this document is skipped"),
            )
            .help(help)
        }
        yaml::YamlProblem::Budget(reason) => {
            let help = if reason.contains("aliases") {
                "write the data out instead of multiplying it through aliases; raise the budget only for input you trust"
            } else {
                "simplify or split the input; raise the budget only for input you trust"
            };
            Diagnostic::new(&input_too_large::RULE, loc, reason).help(help)
        }
        yaml::YamlProblem::DuplicateKey { key, first } => Diagnostic::new(
            &duplicate_key::RULE,
            loc,
            format!(
                "key \"{key}\" appears twice in this mapping; Kubernetes rejects duplicate keys"
            ),
        )
        .help(format!("keep one \"{key}\" and delete the other"))
        .related(
            Loc::new(file, first),
            format!("\"{key}\" first defined here"),
        ),
    }
}

fn display(path: &Path) -> String {
    let s = path.to_string_lossy();
    s.strip_prefix("./")
        .map(str::to_string)
        .unwrap_or_else(|| s.into_owned())
}

fn read_bounded(path: &Path, max: usize) -> Result<Vec<u8>, Unreadable> {
    let cannot =
        |e: std::io::Error| Unreadable::error(format!("cannot read the file: {}", io_reason(&e)));
    let meta = std::fs::metadata(path).map_err(cannot)?;
    if meta.is_dir() {
        return Err(Unreadable::error("is a directory"));
    }
    let max_bytes = u64::try_from(max).unwrap_or(u64::MAX);
    if meta.len() > max_bytes {
        return Err(Unreadable::budget(format!(
            "the file has {} bytes, more than the budget of {max} bytes; it is skipped \
             (raise it with --max-file-bytes)",
            meta.len()
        )));
    }
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(cannot)?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // `take` bounds special files (pipes, /dev/zero) whose metadata says nothing of their size.
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() > max {
        return Err(Unreadable::budget(format!(
            "the file is larger than the budget of {max} bytes; it is skipped (raise it with --max-file-bytes)"
        )));
    }
    Ok(bytes)
}

/// An I/O error's reason without the "(os error N)" tail.
fn io_reason(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// A file's text, ready to parse.
struct Decoded {
    text: Arc<str>,
    /// When the file cannot be analyzed: the byte offset and why.
    problem: Option<(usize, String)>,
    /// The documents of the text (none when there is a problem).
    chunks: Vec<yaml::Chunk>,
}

fn decode_and_split(bytes: Vec<u8>) -> Decoded {
    let (text, problem) = decode(bytes);
    let chunks = if problem.is_none() {
        yaml::split(&text)
    } else {
        Vec::new()
    };
    Decoded {
        text,
        problem,
        chunks,
    }
}

/// Turns bytes into text, detecting the encoding as YAML 1.2 (§5.2) does: a byte-order mark, or
/// the pattern of NUL bytes around the first character (a YAML stream starts with ASCII). Returns
/// the text to show and, if the file cannot be analyzed, the byte offset in that text and why.
fn decode(bytes: Vec<u8>) -> (Arc<str>, Option<(usize, String)>) {
    let (text, problem) = match decode_text(&bytes) {
        // UTF-8, nearly always: one copy, straight from the bytes into the shared text.
        Ok(text) => (Arc::from(text), None),
        Err((text, problem)) => (Arc::from(text), problem),
    };
    (text, problem)
}

/// The file's text when it is valid UTF-8, else the decoded text and the problem, if any.
/// Decoded text that is not a slice of the bytes, and why the file cannot be analyzed, if so.
type Transcoded = (String, Option<(usize, String)>);

fn decode_text(bytes: &[u8]) -> Result<&str, Transcoded> {
    let b = bytes;
    match b {
        [0, 0, 0xFE, 0xFF, rest @ ..] => {
            return Err(decode_utf32(rest, u32::from_be_bytes, "UTF-32BE"));
        }
        [0xFF, 0xFE, 0, 0, rest @ ..] => {
            return Err(decode_utf32(rest, u32::from_le_bytes, "UTF-32LE"));
        }
        [0, 0, 0, x, ..] if *x != 0 => return Err(decode_utf32(b, u32::from_be_bytes, "UTF-32BE")),
        [x, 0, 0, 0, ..] if *x != 0 => return Err(decode_utf32(b, u32::from_le_bytes, "UTF-32LE")),
        [0xFE, 0xFF, rest @ ..] => return Err(decode_utf16(rest, u16::from_be_bytes, "UTF-16BE")),
        [0xFF, 0xFE, rest @ ..] => return Err(decode_utf16(rest, u16::from_le_bytes, "UTF-16LE")),
        [0, x, ..] if *x != 0 && x.is_ascii() => {
            return Err(decode_utf16(b, u16::from_be_bytes, "UTF-16BE"));
        }
        [x, 0, ..] if *x != 0 && x.is_ascii() => {
            return Err(decode_utf16(b, u16::from_le_bytes, "UTF-16LE"));
        }
        _ => {}
    }
    let body = b.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(b);
    if let Some(nul) = body.iter().take(8192).position(|&b| b == 0) {
        return Err((
            String::new(),
            Some((
                0,
                format!("binary file (NUL byte at offset {nul}), not YAML"),
            )),
        ));
    }
    match std::str::from_utf8(body) {
        Ok(text) => Ok(text),
        Err(e) => {
            let at = e.valid_up_to();
            let text = String::from_utf8_lossy(body).into_owned();
            Err((
                text,
                Some((
                    at,
                    format!("the file is not valid UTF-8 (invalid byte at offset {at})"),
                )),
            ))
        }
    }
}

fn decode_utf16(
    rest: &[u8],
    word: fn([u8; 2]) -> u16,
    name: &str,
) -> (String, Option<(usize, String)>) {
    let units = rest.chunks_exact(2).map(|c| word([c[0], c[1]]));
    let mut text = String::with_capacity(rest.len() / 2);
    for unit in char::decode_utf16(units) {
        match unit {
            Ok('\0') => return binary_in(text, name),
            Ok(c) => text.push(c),
            Err(_) => {
                let at = text.len();
                return (
                    text,
                    Some((at, format!("invalid {name}: an unpaired surrogate"))),
                );
            }
        }
    }
    if !rest.len().is_multiple_of(2) {
        return ends_mid_character(text, name);
    }
    (text, None)
}

fn decode_utf32(
    rest: &[u8],
    word: fn([u8; 4]) -> u32,
    name: &str,
) -> (String, Option<(usize, String)>) {
    let mut text = String::with_capacity(rest.len() / 4);
    for c in rest.chunks_exact(4) {
        match char::from_u32(word([c[0], c[1], c[2], c[3]])) {
            Some('\0') => return binary_in(text, name),
            Some(ch) => text.push(ch),
            None => {
                let at = text.len();
                return (
                    text,
                    Some((at, format!("invalid {name}: not a Unicode character"))),
                );
            }
        }
    }
    if !rest.len().is_multiple_of(4) {
        return ends_mid_character(text, name);
    }
    (text, None)
}

fn ends_mid_character(text: String, name: &str) -> (String, Option<(usize, String)>) {
    let at = text.len();
    let why = format!("invalid {name}: the file ends in the middle of a character");
    (text, Some((at, why)))
}

fn binary_in(text: String, name: &str) -> (String, Option<(usize, String)>) {
    let at = text.len();
    (
        String::new(),
        Some((
            0,
            format!(
                "binary file (a NUL character after {at} bytes of what looked like {name}), not YAML"
            ),
        )),
    )
}

/// Expands the command line's paths into inputs sorted by path and de-duplicated, so that
/// neither the order of the arguments nor a file reached twice (`. a.yaml`, a symlinked copy)
/// changes the report.
fn expand(paths: &[String]) -> Result<Vec<Input>, InputError> {
    let mut out = Vec::new();
    for arg in paths {
        if arg == "-" {
            out.push(Input::Stdin);
            continue;
        }
        let path = Path::new(arg);
        let cannot =
            |e: std::io::Error| InputError(format!("cannot read {arg}: {}", io_reason(&e)));
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                for entry in walk(path) {
                    match entry {
                        Ok(p) => out.push(Input::File(p)),
                        Err((p, why)) => out.push(Input::WalkError(p, why)),
                    }
                }
            }
            Ok(_) => {
                std::fs::File::open(path).map_err(cannot)?;
                out.push(Input::File(path.to_path_buf()));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && is_glob(arg) => {
                let matches =
                    glob::glob(arg).map_err(|e| InputError(format!("bad glob {arg}: {e}")))?;
                let found: Vec<PathBuf> = matches
                    .filter_map(Result::ok)
                    .filter(|p| p.is_file())
                    .collect();
                if found.is_empty() {
                    return Err(InputError(format!("no file matches {arg}")));
                }
                out.extend(found.into_iter().map(Input::File));
            }
            Err(e) => return Err(cannot(e)),
        }
    }
    let key = |input: &Input| -> (PathBuf, u8) {
        match input {
            Input::Stdin => (PathBuf::from("-"), 0),
            Input::File(p) => (PathBuf::from(display(p)), 1),
            Input::WalkError(p, _) => (PathBuf::from(p), 2),
        }
    };
    out.sort_by_cached_key(key);
    let mut seen = std::collections::HashSet::new();
    out.retain(|input| match input {
        Input::Stdin => seen.insert(PathBuf::from("-")),
        Input::File(p) => seen.insert(std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())),
        Input::WalkError(p, _) => seen.insert(PathBuf::from(format!("\0{p}"))),
    });
    Ok(out)
}

fn is_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

fn is_yaml_name(path: &Path) -> bool {
    path.extension()
        .and_then(|x| x.to_str())
        .is_some_and(|x| matches!(x.to_ascii_lowercase().as_str(), "yaml" | "yml" | "json"))
}

/// Regular files under a directory with a YAML or JSON name, honouring `.gitignore`, `.ignore`
/// and `.meshlintignore`, in a stable order. Symlinks are followed; FIFOs, sockets and devices are
/// never opened (reading a FIFO would block). Paths that cannot be visited become `Err`.
fn walk(dir: &Path) -> Vec<Result<PathBuf, (String, Unreadable)>> {
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
                // With `follow_links`, the file type is the link target's.
                if e.file_type().is_some_and(|t| t.is_file()) && is_yaml_name(e.path()) {
                    out.push(Ok(e.path().to_path_buf()));
                }
            }
            Err(err) => {
                if let Some(problem) = walk_problem(&err, dir) {
                    out.push(Err(problem));
                }
            }
        }
    }
    out
}

/// What to report for an error of the walk; `None` for one that hides nothing meshlint reads
/// (a broken symlink whose name is not YAML).
fn walk_problem(err: &ignore::Error, dir: &Path) -> Option<(String, Unreadable)> {
    match err {
        ignore::Error::WithDepth { err, .. } => walk_problem(err, dir),
        ignore::Error::Loop { ancestor, child } => Some((
            display(child),
            Unreadable {
                message: format!(
                    "symbolic link loop: this link points to {}, which contains it; it is not followed \
                     (the files under {} are analyzed once)",
                    display(ancestor),
                    display(ancestor)
                ),
                budget: false,
                severity: Severity::Warning,
                help: "remove the link, or exclude it with .meshlintignore",
            },
        )),
        ignore::Error::WithPath { path, err } => {
            let io = err.io_error();
            let broken_link = io.is_some_and(|e| e.kind() == std::io::ErrorKind::NotFound)
                && std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
            if broken_link {
                if !is_yaml_name(path) {
                    return None;
                }
                let target = std::fs::read_link(path)
                    .map(|t| display(&t))
                    .unwrap_or_default();
                return Some((
                    display(path),
                    Unreadable {
                        message: format!(
                            "broken symbolic link: its target {target} does not exist; it is skipped"
                        ),
                        budget: false,
                        severity: Severity::Warning,
                        help: "fix or delete the link, or exclude it with .meshlintignore",
                    },
                ));
            }
            // walkdir's own message repeats the path; the kind says it all.
            let reason = match io {
                Some(io) => io.kind().to_string(),
                None => err.to_string(),
            };
            Some((
                display(path),
                Unreadable::error(format!("cannot visit: {reason}")),
            ))
        }
        other => Some((
            display(dir),
            Unreadable::error(format!("cannot visit: {other}")),
        )),
    }
}

/// `*` matches any run of characters (including `/`), everything else itself.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    // Iterative wildcard matching with one backtrack point: linear in practice, never exponential.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}
