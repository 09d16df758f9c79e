//! The analysis pipeline: load → model → mesh → rules, with per-phase timings.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::config::{External, Suppression};
use crate::diag::{self, Diagnostic, Severity, Subject};
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
    /// Rule severities from `.meshlint.yaml` (`None`: off), applied after every pass.
    pub severities: Vec<(String, Option<Severity>)>,
    /// `--suppress` and `.meshlint.yaml` suppressions, applied after every pass (resource
    /// annotations are read from the model).
    pub suppressions: Vec<Suppression>,
    /// The config file (path, text) the suppressions with a span point into.
    pub config_file: Option<(String, std::sync::Arc<str>)>,
    /// What exists in the cluster but not in the inputs (`.meshlint.yaml` `external:`).
    pub external: External,
    /// Globs of paths not to read (`.meshlint.yaml` `exclude:`).
    pub exclude: Vec<String>,
    /// Build the model and the index but run no rule pass (queries such as `authz check`;
    /// the load and model phases still report broken input).
    pub skip_rules: bool,
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
            severities: Vec::new(),
            suppressions: Vec::new(),
            config_file: None,
            external: External::default(),
            exclude: Vec::new(),
            skip_rules: false,
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
    /// What suppressions and `external:` removed, with what removed it (`--show-suppressed`).
    pub suppressed: Vec<Suppressed>,
    /// How many findings were suppressed (stays when `suppressed` is cleared).
    pub suppressed_count: usize,
    /// `--suppress` flags that matched nothing (they have no location to report a finding at).
    pub unused_flags: Vec<String>,
    pub timings: Timings,
}

/// A finding a suppression removed.
#[derive(Debug, Clone)]
pub struct Suppressed {
    pub diagnostic: Diagnostic,
    pub by: String,
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
    let loaded = load::load_excluding(paths, &options.exclude, stdin, &options.load, &|doc| {
        reader.read(doc)
    })?;
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
    let mut model = Model::build(loaded, &model_options, &mut diagnostics);
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
    let passes: Vec<rules::CheckFn> = rules::passes()
        .filter(|_| !options.skip_rules)
        .filter(|(rule, _)| rules::on_by_default(rule) || turned_on(options, rule.name))
        .map(|(_, check)| check)
        .collect();
    let found: Vec<Vec<Diagnostic>> = passes
        .par_iter()
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
    let filtered = filter(&mut model, diagnostics, options);
    timings.rules = started.elapsed();

    Ok(Analysis {
        model,
        mesh,
        diagnostics: filtered.kept,
        suppressed_count: filtered.suppressed.len(),
        suppressed: filtered.suppressed,
        unused_flags: filtered.unused_flags,
        timings,
    })
}

/// Whether `.meshlint.yaml` gives a rule a severity (its last `rules:` entry is not `off`): how a
/// rule off by default (`rules::OFF_BY_DEFAULT`) is turned on.
fn turned_on(options: &Options, rule: &str) -> bool {
    options
        .severities
        .iter()
        .rev()
        .find(|(name, _)| name == rule)
        .is_some_and(|(_, s)| s.is_some())
}

/// The annotations that suppress findings on the resource that carries them: a comma list of
/// IST/KIA codes or rule names (spaces around each trimmed), or `*`.
pub const SUPPRESS_ANNOTATIONS: [&str; 2] = [
    "galley.istio.io/analyze-suppress",
    "kiali.io/ignore-validations",
];

struct Filtered {
    kept: Vec<Diagnostic>,
    suppressed: Vec<Suppressed>,
    unused_flags: Vec<String>,
}

/// One entry of a suppression annotation.
struct AnnotationEntry {
    annotation: &'static str,
    code: String,
    loc: crate::source::Loc,
    used: bool,
}

fn names_rule(pattern: &str, rule: &rules::Rule) -> bool {
    pattern == "*"
        || pattern == rule.name
        || rule.codes.iter().any(|c| c.eq_ignore_ascii_case(pattern))
}

/// The Service the API server creates in every cluster, which Istio's registry lists like any
/// other: a host no input defines but no cluster lacks.
const KUBERNETES_API_HOST: &str = "kubernetes.default.svc.cluster.local";

fn external_covers(external: &External, subject: &Subject) -> bool {
    match subject {
        Subject::Host(host) => external.has_host(host),
        Subject::Gateway { namespace, .. } => external.has_namespace(namespace),
        Subject::Workload { namespace, labels } => {
            external.has_workload(namespace.as_deref(), labels)
        }
    }
}

/// The one place where configuration changes findings, after every pass: rules turned off,
/// findings about what `external:` declares, suppressions (annotations, `--suppress`,
/// `.meshlint.yaml`), `unused-suppression` for those that removed nothing, and severity
/// overrides. Rules never look at any of this.
fn filter(model: &mut Model, diagnostics: Vec<Diagnostic>, options: &Options) -> Filtered {
    let severity_of = |rule: &str| {
        options
            .severities
            .iter()
            .rev()
            .find(|(name, _)| name == rule)
            .map(|(_, s)| *s)
    };
    // Annotations, by resource.
    let mut by_resource: std::collections::HashMap<String, Vec<AnnotationEntry>> =
        std::collections::HashMap::new();
    for (meta, _) in model.metas() {
        for annotation in SUPPRESS_ANNOTATIONS {
            let Some(value) = meta.annotations.get(annotation) else {
                continue;
            };
            let entries = by_resource
                .entry(crate::model::resource_ref(meta).to_string())
                .or_default();
            // Each entry points at its own text inside the value when it is written there
            // verbatim (it is, unless the value uses escapes or spans lines).
            let shown = model
                .sources
                .files()
                .get(value.loc.file.0 as usize)
                .and_then(|f| {
                    f.text
                        .get(value.loc.span.start as usize..value.loc.span.end as usize)
                })
                .unwrap_or("");
            let mut from = 0;
            for code in value
                .value
                .split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty())
            {
                let loc = match shown.get(from..).and_then(|rest| rest.find(code)) {
                    Some(at) => {
                        let start = value.loc.span.start as usize + from + at;
                        from += at + code.len();
                        crate::source::Loc::new(
                            value.loc.file,
                            crate::source::Span::new(start, start + code.len()),
                        )
                    }
                    None => value.loc,
                };
                entries.push(AnnotationEntry {
                    annotation,
                    code: code.to_string(),
                    loc,
                    used: false,
                });
            }
        }
    }
    let mut used = vec![false; options.suppressions.len()];
    let mut kept = Vec::with_capacity(diagnostics.len());
    let mut suppressed = Vec::new();
    for mut d in diagnostics {
        match severity_of(d.rule.name) {
            Some(None) => continue,
            Some(Some(s)) => d.severity = s,
            None => {}
        }
        if let Some(Subject::Host(host)) = &d.subject
            && host == KUBERNETES_API_HOST
        {
            suppressed.push(Suppressed {
                diagnostic: d,
                by: "built in: every cluster has the Service default/kubernetes (the Kubernetes API)"
                    .to_string(),
            });
            continue;
        }
        if let Some(subject) = &d.subject
            && external_covers(&options.external, subject)
        {
            suppressed.push(Suppressed {
                diagnostic: d,
                by: "external: in .meshlint.yaml".to_string(),
            });
            continue;
        }
        let resource = d.resource.as_ref().map(|r| r.to_string());
        let mut by = None;
        if let Some(entries) = resource.as_ref().and_then(|r| by_resource.get_mut(r)) {
            for e in entries.iter_mut().filter(|e| names_rule(&e.code, d.rule)) {
                e.used = true;
                by.get_or_insert_with(|| format!("annotation {}: {}", e.annotation, e.code));
            }
        }
        for (i, s) in options.suppressions.iter().enumerate() {
            if s.matches(d.rule, d.resource.as_ref()) {
                used[i] = true;
                by.get_or_insert_with(|| match s.span {
                    Some(_) => format!("{} in .meshlint.yaml", s.describe()),
                    None => format!("--suppress '{}'", s.describe()),
                });
            }
        }
        match by {
            Some(by) => suppressed.push(Suppressed { diagnostic: d, by }),
            None => kept.push(d),
        }
    }
    // What suppressed nothing.
    let rule = &rules::unused_suppression::RULE;
    let mut unused = Vec::new();
    let mut entries: Vec<(&String, &Vec<AnnotationEntry>)> = by_resource.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    for (resource, entries) in entries {
        for e in entries.iter().filter(|e| !e.used) {
            unused.push(
                Diagnostic::new(
                    rule,
                    e.loc,
                    format!(
                        "{resource}: `{}` in annotation {} suppresses nothing: no finding of it is reported for this resource",
                        e.code, e.annotation
                    ),
                )
                .help(format!("remove `{}` from the annotation", e.code)),
            );
        }
    }
    let mut unused_flags = Vec::new();
    let config_file = options
        .config_file
        .as_ref()
        .map(|(path, text)| model.sources.add(path.clone(), std::sync::Arc::clone(text)));
    for (s, used) in options.suppressions.iter().zip(&used) {
        if *used {
            continue;
        }
        match (s.span, config_file) {
            (Some(span), Some(file)) => unused.push(
                Diagnostic::new(
                    rule,
                    crate::source::Loc::new(file, span),
                    format!("suppression {} suppresses nothing", s.describe()),
                )
                .help("remove it, or correct its rule or resource (Kind namespace/name)"),
            ),
            _ => unused_flags.push(s.describe()),
        }
    }
    for mut d in unused {
        match severity_of(rule.name) {
            Some(None) => continue,
            Some(Some(s)) => d.severity = s,
            None => {}
        }
        kept.push(d);
    }
    diag::finish(&mut kept);
    Filtered {
        kept,
        suppressed,
        unused_flags,
    }
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
