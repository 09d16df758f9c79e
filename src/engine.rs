//! The analysis pipeline: load → model → mesh → rules, with per-phase timings.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::diag::{self, Diagnostic, Severity};
use crate::load::{self, InputError, LoadOptions};
use crate::mesh::Mesh;
use crate::model::{self, Model, ModelOptions, ReadDocument};
use crate::rules::{self, Context};

/// Options of one analysis run.
#[derive(Debug, Clone)]
pub struct Options {
    pub load: LoadOptions,
    /// Namespace of resources that have none.
    pub default_namespace: String,
    /// `--mesh-config FILE`.
    pub mesh_config: Option<String>,
    /// `--istio-version X.Y`: rules whose truth depends on the version read it.
    pub istio_version: (u32, u32),
    /// Findings at or above this severity make the run fail (exit 1).
    pub failure_threshold: Severity,
}

/// The newest Istio release meshlint knows; the default of `--istio-version`.
pub const LATEST_ISTIO: (u32, u32) = (1, 28);

impl Default for Options {
    fn default() -> Self {
        Options {
            load: LoadOptions::default(),
            default_namespace: "default".into(),
            mesh_config: None,
            istio_version: LATEST_ISTIO,
            failure_threshold: Severity::Error,
        }
    }
}

/// Wall time of each phase. Documents are typed inside the load phase, on the thread that parsed
/// them, so `typing` is the CPU time spent there summed over all threads, not a phase of its own.
#[derive(Debug, Default, Clone)]
pub struct Timings {
    pub load: Duration,
    pub typing: Duration,
    pub model: Duration,
    pub index: Duration,
    pub rules: Duration,
}

/// Reads each document into the model (`model::read_document`) and adds up the time it takes.
struct TimedReader<'a> {
    default_namespace: &'a str,
    nanos: AtomicU64,
}

impl<'a> TimedReader<'a> {
    fn new(default_namespace: &'a str) -> Self {
        TimedReader {
            default_namespace,
            nanos: AtomicU64::new(0),
        }
    }

    fn read(&self, doc: load::Document) -> ReadDocument {
        let started = Instant::now();
        let read = model::read_document(doc, self.default_namespace);
        self.nanos
            .fetch_add(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
        read
    }

    fn total(&self) -> Duration {
        Duration::from_nanos(self.nanos.load(Ordering::Relaxed))
    }
}

/// The result of `analyze`: the model and index (for later queries) and the sorted findings.
pub struct Analysis {
    pub model: Model,
    pub mesh: Mesh,
    pub diagnostics: Vec<Diagnostic>,
    pub timings: Timings,
}

impl Analysis {
    /// Whether any finding reaches the failure threshold.
    pub fn fails(&self, threshold: Severity) -> bool {
        self.diagnostics.iter().any(|d| d.severity >= threshold)
    }
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }
}

/// Loads and analyzes `paths`. Only a problem with the paths themselves is an error.
pub fn analyze(
    paths: &[String],
    stdin: &mut dyn FnMut() -> std::io::Result<Vec<u8>>,
    options: &Options,
) -> Result<Analysis, InputError> {
    let started = Instant::now();
    let reader = TimedReader::new(&options.default_namespace);
    let loaded = load::load_with(paths, stdin, &options.load, &|doc| reader.read(doc))?;
    analyze_loaded(loaded, started, reader.total(), options)
}

/// Analyzes sources already in memory, `(path shown in reports, bytes)`, exactly as `analyze`
/// would the same files on disk. Only `--mesh-config` (read from disk) can make it fail.
pub fn analyze_sources(
    sources: Vec<(String, Vec<u8>)>,
    options: &Options,
) -> Result<Analysis, InputError> {
    let started = Instant::now();
    let reader = TimedReader::new(&options.default_namespace);
    let loaded = load::load_sources_with(sources, &options.load, &|doc| reader.read(doc));
    analyze_loaded(loaded, started, reader.total(), options)
}

fn analyze_loaded(
    loaded: load::Loaded<ReadDocument>,
    started: Instant,
    typing: Duration,
    options: &Options,
) -> Result<Analysis, InputError> {
    let mut timings = Timings {
        typing,
        ..Timings::default()
    };
    let mesh_config = match &options.mesh_config {
        Some(path) => Some(load::load(
            std::slice::from_ref(path),
            &mut || Ok(Vec::new()),
            &options.load,
        )?),
        None => None,
    };
    timings.load = started.elapsed();

    let started = Instant::now();
    let mut diagnostics = Vec::new();
    let model_options = ModelOptions {
        default_namespace: options.default_namespace.clone(),
        mesh_config,
    };
    let model = Model::build(loaded, &model_options, &mut diagnostics);
    timings.model = started.elapsed();

    let started = Instant::now();
    let mesh = Mesh::build(&model);
    timings.index = started.elapsed();

    let started = Instant::now();
    let cx = Context {
        model: &model,
        mesh: &mesh,
        options,
    };
    let found: Vec<Vec<Diagnostic>> = rules::ALL
        .par_iter()
        .filter_map(|rule| rule.check)
        .map(|check| {
            let mut out = Vec::new();
            check(&cx, &mut out);
            out
        })
        .collect();
    diagnostics.extend(found.into_iter().flatten());
    for d in &mut diagnostics {
        clip_texts(d);
    }
    diag::finish(&mut diagnostics);
    timings.rules = started.elapsed();

    Ok(Analysis {
        model,
        mesh,
        diagnostics,
        timings,
    })
}

/// Longest message, help or label a report prints; rules quote values from the input, which may
/// be megabytes long.
const MAX_TEXT_CHARS: usize = 1000;

/// Longest resource name or namespace a report prints (Kubernetes allows 253 characters).
const MAX_NAME_CHARS: usize = 300;

/// Shortens every text of a finding to `MAX_TEXT_CHARS`, keeping its start and end.
fn clip_texts(d: &mut Diagnostic) {
    if let Some(r) = &mut d.resource {
        clip_to(&mut r.kind, MAX_NAME_CHARS);
        clip_to(&mut r.name, MAX_NAME_CHARS);
        if let Some(ns) = &mut r.namespace {
            clip_to(ns, MAX_NAME_CHARS);
        }
    }
    clip(&mut d.message);
    if let Some(help) = &mut d.help {
        clip(help);
    }
    if let Some(label) = &mut d.label {
        clip(label);
    }
    for r in &mut d.related {
        clip(&mut r.message);
    }
}

fn clip(text: &mut String) {
    clip_to(text, MAX_TEXT_CHARS);
}

fn clip_to(text: &mut String, max: usize) {
    let chars = text.chars().count();
    if chars <= max {
        return;
    }
    let keep = max / 2 - 10;
    let head: String = text.chars().take(keep).collect();
    let tail: String = text.chars().skip(chars - keep).collect();
    *text = format!("{head} …({} characters)… {tail}", chars - 2 * keep);
}
