//! The `meshlint` command line: parse flags, call the library, print, exit 0/1/2.

use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand};

use meshlint::diag::Severity;
use meshlint::engine::{self, Options};
use meshlint::load::Budgets;
use meshlint::report::{self, Format};
use meshlint::rules;

#[derive(Parser)]
#[command(
    name = "meshlint",
    version,
    about = "Offline analyzer for Istio service-mesh configuration"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Analyze manifests: files, directories, globs, or - for stdin
    Analyze(AnalyzeArgs),
    /// Authorization: which policies apply to a workload, and how a request is decided
    Authz {
        #[command(subcommand)]
        command: AuthzCommand,
    },
    /// What a change does to the mesh: new/fixed findings, traffic and security changes
    Diff(DiffArgs),
    /// Draw the traffic graph (Gateway → VirtualService → route → subset → Service → workloads)
    Graph(GraphArgs),
    /// Walk one request (or a call chain) through the mesh and explain its outcome
    Simulate(SimulateArgs),
    /// Run routing unit tests (istio-config-validator `testCases:` or meshlint's own format)
    Test(TestArgs),
    /// List every rule: name, codes, default severity, category, summary
    Rules {
        /// human (a table) or json
        #[arg(short, long, value_enum, default_value = "human")]
        output: RulesFormat,
    },
    /// Print the documentation of a rule (by name, or by IST/KIA code)
    Explain { rule: String },
    /// Print shell completions
    Completions { shell: clap_complete::Shell },
    /// Print the man page (roff)
    #[command(hide = true)]
    Man,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum RulesFormat {
    Human,
    Json,
}

#[derive(Args)]
struct AnalyzeArgs {
    /// Files, directories (recursive, honouring .gitignore), globs, or - for stdin
    #[arg(default_value = ".")]
    paths: Vec<String>,
    #[command(flatten)]
    common: CommonArgs,
    /// Also write the report in FORMAT to PATH (repeatable: `--output-file sarif=out.sarif`);
    /// a plain FILE receives the -o format instead of standard output. Files are written
    /// atomically (a temporary file beside them, then a rename)
    #[arg(long, value_name = "[FORMAT=]PATH")]
    output_file: Vec<String>,
    /// Report and fail only on findings not recorded in this baseline (see --write-baseline)
    #[arg(long, value_name = "FILE")]
    baseline: Option<std::path::PathBuf>,
    /// Record today's findings in FILE (rule, resource and field path of each) and exit 0
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    write_baseline: Option<std::path::PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum DiffFormat {
    /// The three sections as text, one sentence per change
    Human,
    /// The whole comparison as JSON
    Json,
    /// A pull-request comment with collapsible sections
    Markdown,
    /// GitHub Actions annotations
    Github,
}

#[derive(Args)]
struct DiffArgs {
    /// BASE and HEAD (each a directory or file); with --base-ref, the paths of both sides
    /// [default with --base-ref: .]
    paths: Vec<String>,
    /// The base side's paths (with --head)
    #[arg(long, num_args = 1.., value_name = "PATH", requires = "head", conflicts_with = "base_ref")]
    base: Vec<String>,
    /// The head side's paths (with --base)
    #[arg(long, num_args = 1.., value_name = "PATH", requires = "base", conflicts_with = "base_ref")]
    head: Vec<String>,
    /// Read the base side of the same paths from git at REF (the working tree is the head side)
    #[arg(long, value_name = "REF")]
    base_ref: Option<String>,
    /// human, json, markdown (a PR comment) or github (annotations)
    #[arg(short, long, value_enum, default_value = "human")]
    output: DiffFormat,
    /// Also fail (exit 1) on traffic and/or security changes: `traffic,security`
    #[arg(long, value_name = "traffic,security", value_parser = parse_fail_on)]
    fail_on: Option<meshlint::diff::FailOn>,
    /// Lowest severity of a new finding that makes the run fail (exit 1)
    #[arg(long, value_name = "info|warning|error", default_value = "error", value_parser = parse_severity)]
    failure_threshold: Severity,
    /// Namespace of resources that have none [default: .meshlint.yaml's, else default]
    #[arg(short, long)]
    namespace: Option<String>,
    /// A MeshConfig file (else the istio ConfigMap in the inputs, else Istio's defaults)
    #[arg(long, value_name = "FILE")]
    mesh_config: Option<String>,
    /// The configuration file [default: .meshlint.yaml in the working directory or a parent]
    #[arg(long, value_name = "FILE")]
    config: Option<std::path::PathBuf>,
    /// Read no .meshlint.yaml
    #[arg(long, conflicts_with = "config")]
    no_config: bool,
    /// Suppress findings: RULE_OR_CODE=Kind namespace/name, `*` globs (repeatable)
    #[arg(long, value_name = "RULE=Kind ns/name", value_parser = parse_suppression)]
    suppress: Vec<meshlint::config::Suppression>,
    /// Istio version X.Y, for rules whose truth depends on it
    #[arg(long, value_name = "X.Y", value_parser = parse_version)]
    istio_version: Option<(u32, u32)>,
    /// Print the time of each phase on stderr (each side's analysis, the comparison, the report)
    #[arg(long)]
    timings: bool,
}

fn parse_fail_on(s: &str) -> Result<meshlint::diff::FailOn, String> {
    meshlint::diff::FailOn::parse(s)
}

#[derive(Subcommand)]
enum AuthzCommand {
    /// The workload, its mTLS mode per port and the AuthorizationPolicies that apply (in
    /// evaluation order); with --from, the decision on one request
    Check(AuthzCheckArgs),
}

#[derive(Args)]
struct AuthzCheckArgs {
    /// <workload>.<namespace> (a Deployment, StatefulSet, DaemonSet, ReplicaSet, Pod or app label),
    /// or <kind>/<name>.<namespace>
    workload: String,
    /// Files, directories (recursive, honouring .gitignore), globs, or - for stdin
    #[arg(default_value = ".")]
    paths: Vec<String>,
    /// The caller: <workload>.<namespace>, a principal cluster.local/ns/<ns>/sa/<sa>, or external
    #[arg(long, value_name = "SOURCE")]
    from: Option<String>,
    /// HTTP method of the request (default GET)
    #[arg(long)]
    method: Option<String>,
    /// Path of the request (default /)
    #[arg(long)]
    path: Option<String>,
    /// Port of the request: a Service port or a container port (default: the first)
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=65535))]
    port: Option<u32>,
    /// A request header 'name: value' (repeatable)
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    headers: Vec<String>,
    /// The request principal (<issuer>/<subject>) of a validated JWT
    #[arg(long)]
    principal: Option<String>,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Args)]
struct GraphArgs {
    /// Files, directories (recursive, honouring .gitignore), globs, or - for stdin
    #[arg(default_value = ".")]
    paths: Vec<String>,
    /// dot (Graphviz), mermaid, or json
    #[arg(
        short = 'o',
        long,
        visible_alias = "output",
        value_enum,
        default_value = "dot"
    )]
    format: GraphFormat,
    /// Namespace of resources that have none
    #[arg(short, long, default_value = "default")]
    namespace: String,
    /// A MeshConfig file
    #[arg(long, value_name = "FILE")]
    mesh_config: Option<String>,
}

#[derive(Args)]
struct SimulateArgs {
    /// Files, directories (recursive, honouring .gitignore), globs, or - for stdin
    #[arg(default_value = ".")]
    paths: Vec<String>,
    /// The client: <workload>.<namespace>, ingress, ingress:<workload>.<namespace>, or external
    #[arg(long, value_name = "SOURCE")]
    from: String,
    /// http://host[:port]/path?query; repeat for a call chain (A calls B, B calls C)
    #[arg(long, value_name = "URL", required = true)]
    to: Vec<String>,
    /// HTTP method
    #[arg(long, short = 'X', default_value = "GET")]
    method: String,
    /// A request header 'name: value' (repeatable)
    #[arg(short = 'H', long = "header", value_name = "'NAME: VALUE'")]
    headers: Vec<String>,
    /// The port of the first URL (overrides the URL's)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=65535))]
    port: Option<u32>,
    /// Where a route splits traffic, follow the destination with this subset
    #[arg(long, value_name = "S")]
    subset: Option<String>,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Args)]
struct TestArgs {
    /// Files, directories (recursive, honouring .gitignore), globs, or - for stdin
    #[arg(default_value = ".")]
    paths: Vec<String>,
    /// A test file or a directory of test files
    #[arg(long, value_name = "FILE|DIR", required = true)]
    tests: Vec<String>,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum GraphFormat {
    Dot,
    Mermaid,
    Json,
}

#[derive(Args, Clone)]
struct CommonArgs {
    /// Output format on standard output (machine formats are alone there; logs go to stderr)
    #[arg(short, long, value_enum, default_value = "human")]
    output: Format,
    /// Namespace of resources that have none [default: .meshlint.yaml's, else default]
    #[arg(short, long)]
    namespace: Option<String>,
    /// A MeshConfig file (else the istio ConfigMap in the inputs, else Istio's defaults)
    #[arg(long, value_name = "FILE")]
    mesh_config: Option<String>,
    /// The configuration file [default: .meshlint.yaml in the working directory or a parent]
    #[arg(long, value_name = "FILE")]
    config: Option<std::path::PathBuf>,
    /// Read no .meshlint.yaml
    #[arg(long, conflicts_with = "config")]
    no_config: bool,
    /// Suppress findings: RULE_OR_CODE=Kind namespace/name, `*` globs (repeatable)
    #[arg(long, value_name = "RULE=Kind ns/name", value_parser = parse_suppression)]
    suppress: Vec<meshlint::config::Suppression>,
    /// Also list the suppressed findings and what suppressed each
    #[arg(long)]
    show_suppressed: bool,
    /// Lowest severity shown (the exit code still follows --failure-threshold)
    #[arg(long, value_name = "info|warning|error", default_value = "info", value_parser = parse_severity)]
    output_threshold: Severity,
    /// Istio version X.Y, for rules whose truth depends on it
    #[arg(long, value_name = "X.Y", value_parser = parse_version)]
    istio_version: Option<(u32, u32)>,
    /// Lowest severity that makes the run fail (exit 1)
    #[arg(long, value_name = "info|warning|error", default_value = "error", value_parser = parse_severity)]
    failure_threshold: Severity,
    /// Print the time of each phase on stderr (load includes typing each document, in parallel)
    #[arg(long)]
    timings: bool,
    /// Largest file read, in bytes
    #[arg(long, value_name = "BYTES", value_parser = budget_usize(MAX_BYTES_FLAG))]
    max_file_bytes: Option<usize>,
    /// Most documents read from one file
    #[arg(long, value_name = "N", value_parser = budget_usize(MAX_COUNT_FLAG))]
    max_documents: Option<usize>,
    /// Most nodes one document may expand to through aliases
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=MAX_COUNT_FLAG))]
    max_yaml_nodes: Option<u64>,
    /// Deepest nesting of YAML collections
    #[arg(long, value_name = "N", value_parser = budget_usize(MAX_DEPTH_FLAG))]
    max_depth: Option<usize>,
    /// Longest single YAML scalar, in bytes
    #[arg(long, value_name = "BYTES", value_parser = budget_usize(MAX_BYTES_FLAG))]
    max_scalar_bytes: Option<usize>,
    /// Most YAML nodes in all documents of one file together
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=MAX_COUNT_FLAG))]
    max_file_nodes: Option<u64>,
}

/// The largest byte budget a flag takes (1 TiB: more than any machine meshlint runs on holds,
/// far from any overflow in the loader's arithmetic).
const MAX_BYTES_FLAG: u64 = 1 << 40;
/// The largest count budget (documents, nodes).
const MAX_COUNT_FLAG: u64 = 1 << 40;
/// The deepest nesting a flag allows: the loader and the model walk nested collections
/// recursively, and 4096 levels stay well within a thread's stack.
const MAX_DEPTH_FLAG: u64 = 4096;

/// A budget flag: a whole number from 1 to `max` (0 would skip every input, and a value past
/// `max` is a typo or an attempt at overflow). clap reports anything else as a usage error.
fn budget_usize(max: u64) -> clap::builder::RangedU64ValueParser<usize> {
    clap::builder::RangedU64ValueParser::<usize>::new().range(1..=max)
}

fn parse_version(s: &str) -> Result<(u32, u32), String> {
    meshlint::config::parse_version(s)
}

fn parse_suppression(s: &str) -> Result<meshlint::config::Suppression, String> {
    meshlint::config::Suppression::parse_flag(s)
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    Severity::parse(s).ok_or_else(|| "expected info, warning or error".to_string())
}

impl CommonArgs {
    /// The options of the run: flags first, then `.meshlint.yaml`, then the defaults.
    fn options(&self) -> Result<Options, String> {
        let config = if self.no_config {
            meshlint::config::Config::default()
        } else {
            meshlint::config::load(self.config.as_deref()).map_err(|e| e.to_string())?
        };
        let mut budgets = Budgets::default();
        if let Some(v) = self.max_file_bytes {
            budgets.max_file_bytes = v;
        }
        if let Some(v) = self.max_documents {
            budgets.max_documents = v;
        }
        if let Some(v) = self.max_yaml_nodes {
            budgets.max_expanded_nodes = v;
        }
        if let Some(v) = self.max_depth {
            budgets.max_depth = v;
        }
        if let Some(v) = self.max_scalar_bytes {
            budgets.max_scalar_bytes = v;
        }
        if let Some(v) = self.max_file_nodes {
            budgets.max_file_nodes = v;
        }
        // A mesh-config path in the config file is relative to the file.
        let config_dir = config
            .path
            .as_deref()
            .and_then(std::path::Path::parent)
            .map(std::path::Path::to_path_buf);
        let mesh_config = self.mesh_config.clone().or_else(|| {
            config.mesh_config.as_ref().map(|m| match &config_dir {
                Some(dir) if !dir.as_os_str().is_empty() => dir.join(m).display().to_string(),
                _ => m.clone(),
            })
        });
        let mut suppressions = config.suppressions.clone();
        suppressions.extend(self.suppress.iter().cloned());
        let mut options = Options {
            default_namespace: self
                .namespace
                .clone()
                .or(config.namespace.clone())
                .unwrap_or_else(|| "default".to_string()),
            mesh_config,
            failure_threshold: self.failure_threshold,
            severities: config.severities.clone(),
            suppressions,
            config_file: match (&config.path, &config.text) {
                (Some(p), Some(t)) => Some((p.display().to_string(), std::sync::Arc::clone(t))),
                _ => None,
            },
            external: config.external.clone(),
            ..Options::default()
        };
        options.load.budgets = budgets;
        options.exclude = config.exclude.clone();
        if let Some(v) = self.istio_version.or(config.istio_version) {
            options.istio_version = v;
        }
        Ok(options)
    }
}

/// Where reports go: `--output-file` values, each `FORMAT=PATH` or a plain `PATH` (for the -o
/// format, which then no longer goes to standard output).
fn output_files(
    values: &[String],
    format: Format,
) -> Result<(Vec<(Format, std::path::PathBuf)>, bool), String> {
    let mut files = Vec::new();
    let mut stdout = true;
    for v in values {
        match v.split_once('=') {
            Some((f, path)) if Format::parse(f).is_some() && !path.is_empty() => {
                files.push((Format::parse(f).unwrap_or(format), path.into()))
            }
            Some((f, _)) if Format::parse(f).is_some() => {
                return Err(format!("--output-file {v}: no path after {f}="));
            }
            _ => {
                files.push((format, v.into()));
                stdout = false;
            }
        }
    }
    Ok((files, stdout))
}

/// Colour only for a terminal, never with NO_COLOR (non-empty) or TERM=dumb.
fn use_color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
        && std::io::stdout().is_terminal()
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match cli.command {
        Command::Analyze(args) => analyze(args),
        Command::Graph(args) => graph(args),
        Command::Diff(args) => diff(args),
        Command::Authz {
            command: AuthzCommand::Check(args),
        } => authz_check(args),
        Command::Simulate(args) => simulate(args),
        Command::Test(args) => routing_test(args),
        Command::Rules { output } => print(&match output {
            RulesFormat::Human => rules::catalog::table(),
            RulesFormat::Json => rules::catalog::json(),
        }),
        Command::Explain { rule } => match rules::catalog::explain(&rule) {
            Ok(page) => print(&page),
            Err(e) => {
                eprintln!("meshlint: {e}");
                ExitCode::from(2)
            }
        },
        Command::Man => {
            let mut out = Vec::new();
            if clap_mangen::Man::new(Cli::command())
                .render(&mut out)
                .is_err()
            {
                return ExitCode::from(2);
            }
            let _ = std::io::stdout().write_all(&out);
            ExitCode::SUCCESS
        }
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "meshlint", &mut out);
            let _ = std::io::stdout().write_all(&out);
            ExitCode::SUCCESS
        }
    }
}

fn print(text: &str) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`meshlint rules | head`) is not an error worth a panic.
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
    ExitCode::SUCCESS
}

/// Writes `bytes` to `path` so that a reader sees the old file or the whole new one, never a
/// part: a new temporary file in the same directory, flushed to disk, then renamed over `path`.
fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::other("not a file name"))?;
    let mut attempt = 0u32;
    let (tmp, mut file) = loop {
        let tmp = dir.join(format!(
            ".{}.{}.{attempt}.tmp",
            name.to_string_lossy(),
            std::process::id()
        ));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
        {
            Ok(file) => break (tmp, file),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => {
                attempt += 1
            }
            Err(e) => return Err(e),
        }
    };
    let written = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

fn read_stdin() -> std::io::Result<Vec<u8>> {
    read_stdin_up_to(Budgets::default().max_file_bytes)
}

/// Reads standard input, but never more than one byte past the file budget: the loader reports
/// the overflow, and an endless pipe (`yes | meshlint analyze -`) cannot exhaust memory.
fn read_stdin_up_to(max: usize) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1))
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

fn graph(args: GraphArgs) -> ExitCode {
    let options = Options {
        default_namespace: args.namespace.clone(),
        mesh_config: args.mesh_config.clone(),
        ..Options::default()
    };
    let analysis = match engine::analyze(&args.paths, &mut read_stdin, &options) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("meshlint: {e}");
            return ExitCode::from(2);
        }
    };
    let graph = meshlint::mesh::graph::TrafficGraph::build(&analysis.model, &analysis.mesh);
    print(&match args.format {
        GraphFormat::Dot => graph.to_dot(),
        GraphFormat::Mermaid => graph.to_mermaid(),
        GraphFormat::Json => graph.to_json(),
    })
}

fn authz_check(args: AuthzCheckArgs) -> ExitCode {
    let options = match args.common.options() {
        Ok(o) => engine::Options {
            skip_rules: true,
            ..o
        },
        Err(e) => {
            eprintln!("meshlint: {e}");
            return ExitCode::from(2);
        }
    };
    let mut stdin = || read_stdin_up_to(options.load.budgets.max_file_bytes);
    let mut analysis = match engine::analyze(&args.paths, &mut stdin, &options) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("meshlint: {e}");
            return ExitCode::from(2);
        }
    };
    let query = meshlint::authz::check::Query {
        workload: args.workload,
        from: args.from,
        method: args.method,
        path: args.path,
        port: args.port,
        headers: args.headers,
        principal: args.principal,
    };
    let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::io::stderr().is_terminal();
    let json = matches!(args.common.output, Format::Json);
    if args.common.timings {
        let t = &analysis.timings;
        eprintln!(
            "timings: load {:.1} ms, model {:.1} ms, index {:.1} ms",
            t.load.as_secs_f64() * 1e3,
            t.model.as_secs_f64() * 1e3,
            t.index.as_secs_f64() * 1e3
        );
    }
    let (out, err, code) = authz_check_output(&mut analysis, &query, json, color);
    eprint!("{err}");
    print(&out);
    // As in analyze: the process ends here, freeing the model one allocation at a time would
    // only delay the exit.
    std::mem::forget(analysis);
    ExitCode::from(code)
}

/// The findings that say a file (or document) could not be read at all.
const BROKEN_INPUT_RULES: &[&str] = &["yaml-syntax", "input-too-large", "not-an-object"];

/// What `authz check` prints (the rendering of input problems is the report layer's, so it is
/// composed here, above both): standard output, standard error and the exit status. Input problems
/// (a file or document that cannot be read: `BROKEN_INPUT_RULES`) are reported as
/// `analyze` reports them (on stderr for human output, as `diagnostics` in JSON) and do not stop
/// the query; rule findings are left to `analyze`.
fn authz_check_output(
    analysis: &mut engine::Analysis,
    query: &meshlint::authz::check::Query,
    json: bool,
    color: bool,
) -> (String, String, u8) {
    analysis
        .diagnostics
        .retain(|d| BROKEN_INPUT_RULES.contains(&d.rule.name));
    let report = match meshlint::authz::check::run(analysis, query) {
        Ok(r) => r,
        Err(e) => {
            let mut err = String::new();
            if !analysis.diagnostics.is_empty() {
                err.push_str(&meshlint::report::human::render(analysis, color));
            }
            err.push_str(&format!("meshlint: {e}\n"));
            return (String::new(), err, 2);
        }
    };
    let code = meshlint::authz::check::exit_code(&report);
    if json {
        let diagnostics =
            serde_json::from_str::<serde_json::Value>(&meshlint::report::json::render(analysis))
                .ok()
                .and_then(|v| v.get("diagnostics").cloned());
        (
            meshlint::authz::check::render_json(&report, diagnostics),
            String::new(),
            code,
        )
    } else {
        let err = if analysis.diagnostics.is_empty() {
            String::new()
        } else {
            meshlint::report::human::render(analysis, color)
        };
        (meshlint::authz::check::render_human(&report), err, code)
    }
}

fn analyze(args: AnalyzeArgs) -> ExitCode {
    let options = match args.common.options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("meshlint: {e}");
            return ExitCode::from(2);
        }
    };
    let (files, to_stdout) = match output_files(&args.output_file, args.common.output) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("meshlint: {e}");
            return ExitCode::from(2);
        }
    };
    let mut stdin = || read_stdin_up_to(options.load.budgets.max_file_bytes);
    // No spinner over a terminal the user is typing the input into.
    let typing = args.paths.iter().any(|p| p == "-") && std::io::stdin().is_terminal();
    let progress = report::progress::Progress::start(
        report::progress::wanted() && !typing,
        std::time::Duration::from_secs(1),
        "analyzing",
    );
    let analyzed = engine::analyze(&args.paths, &mut stdin, &options);
    drop(progress);
    let mut analysis = match analyzed {
        Ok(a) => a,
        Err(e) => {
            eprintln!("meshlint: {e}");
            return ExitCode::from(2);
        }
    };
    for flag in &analysis.unused_flags {
        eprintln!("meshlint: warning: --suppress '{flag}' suppressed nothing");
    }
    if let Some(path) = &args.write_baseline {
        let baseline = meshlint::diff::baseline::record(&analysis);
        if let Err(e) = write_atomically(path, baseline.to_json().as_bytes()) {
            eprintln!("meshlint: cannot write {}: {e}", path.display());
            return ExitCode::from(2);
        }
        eprintln!(
            "meshlint: recorded {} finding(s) in baseline {}",
            baseline.findings.len(),
            path.display()
        );
    }
    if let Some(path) = &args.baseline {
        let baseline = match std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|t| meshlint::diff::baseline::Baseline::parse(&t))
        {
            Ok(b) => b,
            Err(e) => {
                eprintln!("meshlint: --baseline {}: {e}", path.display());
                return ExitCode::from(2);
            }
        };
        let applied = baseline.apply(&mut analysis, &path.display().to_string());
        eprintln!(
            "meshlint: baseline {}: {} known finding(s) hidden, {} baseline entr{} fixed",
            path.display(),
            applied.hidden,
            applied.fixed.len(),
            if applied.fixed.len() == 1 { "y" } else { "ies" }
        );
        for e in &applied.fixed {
            eprintln!(
                "  fixed: {} {} {} ({}:{})",
                e.rule, e.resource, e.path, e.file, e.line
            );
        }
    }
    // The exit code is decided on every finding, before the output threshold hides any, and
    // is the same whatever the formats.
    let fails = analysis.fails(options.failure_threshold);
    let shown = args.common.output_threshold;
    analysis.diagnostics.retain(|d| d.severity >= shown);
    if args.common.show_suppressed {
        analysis
            .suppressed
            .retain(|s| s.diagnostic.severity >= shown);
    } else {
        analysis.suppressed.clear();
    }
    for (format, path) in &files {
        let text = report::render(*format, &analysis, false);
        if let Err(e) = write_atomically(path, text.as_bytes()) {
            eprintln!("meshlint: cannot write {}: {e}", path.display());
            return ExitCode::from(2);
        }
    }
    if to_stdout {
        let format = args.common.output;
        print(&report::render(
            format,
            &analysis,
            format == Format::Human && use_color(),
        ));
    }
    if args.common.timings {
        let t = &analysis.timings;
        eprintln!(
            "timings: load {:.1} ms (typing {:.1} ms cpu within it), model {:.1} ms, index {:.1} ms, rules {:.1} ms",
            t.load.as_secs_f64() * 1e3,
            t.typing.as_secs_f64() * 1e3,
            t.model.as_secs_f64() * 1e3,
            t.index.as_secs_f64() * 1e3,
            t.rules.as_secs_f64() * 1e3
        );
    }
    let code = if fails && args.write_baseline.is_none() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };
    // The process ends here: freeing the documents, model and index one allocation at a time
    // would only delay the exit (about 4% of the run on a large mesh).
    std::mem::forget(analysis);
    code
}

fn simulate(args: SimulateArgs) -> ExitCode {
    let options = match args.common.options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("meshlint: {e}");
            return ExitCode::from(2);
        }
    };
    let mut stdin = || read_stdin_up_to(options.load.budgets.max_file_bytes);
    let analysis = match engine::analyze(&args.paths, &mut stdin, &options) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("meshlint: {e}");
            return ExitCode::from(2);
        }
    };
    let query = meshlint::simulate::Query::from_cli(
        &args.from,
        &args.to,
        &args.method,
        &args.headers,
        args.port,
        args.subset.as_deref(),
    );
    let outcome =
        query.and_then(|q| meshlint::simulate::simulate(&analysis.model, &analysis.mesh, &q));
    match outcome {
        Ok(sim) => {
            let text = match args.common.output {
                Format::Json => meshlint::simulate::render::json(&analysis.model, &sim),
                Format::Human => {
                    meshlint::simulate::render::human(&analysis.model, &sim, use_color())
                }
                other => {
                    eprintln!(
                        "meshlint simulate: -o {other:?} is not a simulate format: use human or json"
                    );
                    return ExitCode::from(2);
                }
            };
            print(&text);
            if sim.verdict.succeeds() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("meshlint simulate: {e}");
            ExitCode::from(2)
        }
    }
}

fn routing_test(args: TestArgs) -> ExitCode {
    let options = match args.common.options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("meshlint: {e}");
            return ExitCode::from(2);
        }
    };
    let mut stdin = || read_stdin_up_to(options.load.budgets.max_file_bytes);
    let analysis = match engine::analyze(&args.paths, &mut stdin, &options) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("meshlint: {e}");
            return ExitCode::from(2);
        }
    };
    let suite = match meshlint::simulate::routing_tests::run(
        &analysis.model,
        &analysis.mesh,
        &args.tests,
        &options.load,
    ) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("meshlint test: {e}");
            return ExitCode::from(2);
        }
    };
    let text = match args.common.output {
        Format::Json => suite.to_json(),
        Format::Junit => suite.to_junit(),
        Format::Human => suite.to_human(use_color()),
        other => {
            eprintln!("meshlint test: -o {other:?} is not a test format: use human, json or junit");
            return ExitCode::from(2);
        }
    };
    print(&text);
    if suite.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn diff(args: DiffArgs) -> ExitCode {
    let common = CommonArgs {
        output: Format::Human,
        namespace: args.namespace.clone(),
        mesh_config: args.mesh_config.clone(),
        config: args.config.clone(),
        no_config: args.no_config,
        suppress: args.suppress.clone(),
        show_suppressed: false,
        output_threshold: Severity::Info,
        istio_version: args.istio_version,
        failure_threshold: args.failure_threshold,
        timings: false,
        max_file_bytes: None,
        max_documents: None,
        max_yaml_nodes: None,
        max_depth: None,
        max_scalar_bytes: None,
        max_file_nodes: None,
    };
    let options = match common.options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("meshlint diff: {e}");
            return ExitCode::from(2);
        }
    };
    let fail = |e: String| {
        eprintln!("meshlint diff: {e}");
        ExitCode::from(2)
    };
    let load = |paths: &[String], stdin: &mut dyn FnMut() -> std::io::Result<Vec<u8>>| {
        engine::analyze(paths, stdin, &options).map_err(|e| e.to_string())
    };
    let (base_paths, head_paths, base_ref) = match (&args.base_ref, args.base.is_empty()) {
        (Some(r), _) => {
            let paths = if args.paths.is_empty() {
                vec![".".to_string()]
            } else {
                args.paths.clone()
            };
            (paths.clone(), paths, Some(r.clone()))
        }
        (None, false) => {
            if !args.paths.is_empty() {
                return fail(format!(
                    "{} given as well as --base/--head: use one form (BASE HEAD, or --base PATH... --head PATH...)",
                    args.paths.join(" ")
                ));
            }
            (args.base.clone(), args.head.clone(), None)
        }
        (None, true) => match args.paths.as_slice() {
            [b, h] => (vec![b.clone()], vec![h.clone()], None),
            other => {
                return fail(format!(
                    "expected BASE and HEAD, got {} path(s): use `meshlint diff BASE HEAD`, `--base PATH... --head PATH...`, or `--base-ref REF [PATH...]`",
                    other.len()
                ));
            }
        },
    };
    if base_paths.iter().chain(&head_paths).any(|p| p == "-") {
        return fail(
            "- (standard input) cannot be one side of a diff: give files or directories".into(),
        );
    }
    // Both sides are analyzed at once: each analysis has phases that run on one thread.
    let read_base = || -> Result<(engine::Analysis, std::time::Duration), String> {
        let started = std::time::Instant::now();
        let analysis = match &base_ref {
            Some(r) => {
                let mut files =
                    meshlint::diff::git::read_at(r, &base_paths).map_err(|e| e.to_string())?;
                // `.meshlint.yaml` `exclude:` applies to the base side as to the working tree.
                files.retain(|(path, _)| {
                    !options.exclude.iter().any(|g| {
                        meshlint::load::glob_match(
                            g.trim_start_matches("./"),
                            path.trim_start_matches("./"),
                        )
                    })
                });
                engine::analyze_sources(files, &options).map_err(|e| format!("base side: {e}"))?
            }
            None => {
                load(&base_paths, &mut || Ok(Vec::new())).map_err(|e| format!("base side: {e}"))?
            }
        };
        Ok((analysis, started.elapsed()))
    };
    let read_head = || -> Result<(engine::Analysis, std::time::Duration), String> {
        let started = std::time::Instant::now();
        let analysis =
            load(&head_paths, &mut || Ok(Vec::new())).map_err(|e| format!("head side: {e}"))?;
        Ok((analysis, started.elapsed()))
    };
    let (base, head) = rayon::join(read_base, read_head);
    let ((base, base_time), (head, head_time)) = match (base, head) {
        (Ok(b), Ok(h)) => (b, h),
        (Err(e), _) | (_, Err(e)) => return fail(e),
    };
    let base = meshlint::diff::Side {
        label: match &base_ref {
            Some(r) => format!("git {r}"),
            None => base_paths.join(" "),
        },
        analysis: base,
    };
    let head = meshlint::diff::Side {
        label: if base_ref.is_some() {
            format!("working tree {}", head_paths.join(" "))
        } else {
            head_paths.join(" ")
        },
        analysis: head,
    };
    let started = std::time::Instant::now();
    let result = meshlint::diff::diff(&base, &head);
    let compare_time = started.elapsed();
    let started = std::time::Instant::now();
    let text = match args.output {
        DiffFormat::Human => report::diff_human::render(&result, use_color()),
        DiffFormat::Json => report::diff_json::render(&result),
        DiffFormat::Markdown => report::diff_markdown::render(&result),
        DiffFormat::Github => report::diff_github::render(&result),
    };
    print(&text);
    if args.timings {
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
        let phases: Vec<String> = result
            .timings
            .iter()
            .map(|(what, d)| format!("{what} {:.1} ms", ms(*d)))
            .collect();
        eprintln!(
            "timings: base {:.1} ms, head {:.1} ms (analyzed at once), compare {:.1} ms ({}), report {:.1} ms",
            ms(base_time),
            ms(head_time),
            ms(compare_time),
            phases.join(", "),
            ms(started.elapsed())
        );
    }
    let fails = result.fails(args.failure_threshold, args.fail_on.unwrap_or_default());
    std::mem::forget(base);
    std::mem::forget(head);
    if fails {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
