//! Hostile input never crashes, hangs or balloons: each case runs the real binary on a generated
//! input in a temporary directory beside one good manifest, and checks that
//! - the exit code is 0 or 1 (never a panic's 101, never a signal), within 10 s;
//! - the diagnostic names the problem at the right file and line;
//! - the good manifest is still analyzed (its Service is counted in the JSON summary);
//! - the peak resident memory of the process stays under 1 GiB: `VmHWM` of its own address
//!   space, sampled from /proc while it runs (Linux), and the `wait4` figure as an upper bound
//!   (Linux carries the parent's high-water mark at spawn into the child's `ru_maxrss`).
//!
//! Runs of the binary are serialized (one lock) so the time and memory figures are the
//! process's own. `cargo test --test hostile -- --nocapture` prints them.

use std::ffi::OsStr;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;

const GOOD: &str = "apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector:
    app: web
  ports:
  - name: http
    port: 80
";

const TIME_LIMIT: Duration = Duration::from_secs(10);
const MEMORY_LIMIT_KIB: i64 = 1 << 20;
/// A run still going after this is killed, so a hang fails the test instead of blocking it.
const KILL_AFTER: Duration = Duration::from_secs(60);

static SERIAL: Mutex<()> = Mutex::new(());

#[derive(Debug)]
struct Run {
    code: Option<i32>,
    signal: Option<i32>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    elapsed: Duration,
    /// `VmHWM` of the process's own address space, last sampled just before it exited.
    peak_rss_kib: i64,
    /// `ru_maxrss` from `wait4`: at least the peak, possibly the test process's size instead.
    rss_upper_bound_kib: i64,
}

/// The high-water mark of resident memory of a running process, from /proc.
fn vm_hwm_kib(pid: u32) -> Option<i64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}): {}\nstderr: {}",
                self.stdout_text(),
                String::from_utf8_lossy(&self.stderr)
            )
        })
    }
    fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
}

/// Runs meshlint in `cwd`, feeding `stdin`, and waits for it with `wait4` to learn its peak RSS.
// The child is reaped by `wait4`, which clippy cannot see.
#[allow(clippy::zombie_processes)]
fn meshlint<S: AsRef<OsStr>>(cwd: &Path, args: &[S], stdin: Option<Box<dyn Read + Send>>) -> Run {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_meshlint"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("meshlint starts");
    let feeder = stdin.map(|mut input| {
        let mut pipe = child.stdin.take().unwrap();
        std::thread::spawn(move || {
            // meshlint stops reading past its budget; the broken pipe that follows is expected.
            let _ = std::io::copy(&mut input, &mut pipe);
        })
    });
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = r.read_to_end(&mut bytes);
            bytes
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let mut hwm = 0;
    loop {
        if let Some(kib) = vm_hwm_kib(child.id()) {
            hwm = hwm.max(kib);
        }
        // SAFETY: plain syscall on our own child; `status` and `usage` are valid for writing.
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if r == pid {
            break;
        }
        assert!(r == 0, "wait4 failed: {}", std::io::Error::last_os_error());
        if started.elapsed() > KILL_AFTER {
            let _ = child.kill();
            // SAFETY: as above; reaps the killed child.
            unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
            panic!(
                "meshlint {:?} hung: killed after {KILL_AFTER:?}",
                args.iter().map(|a| a.as_ref()).collect::<Vec<_>>()
            );
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let elapsed = started.elapsed();
    if let Some(f) = feeder {
        let _ = f.join();
    }
    let run = Run {
        code: libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status)),
        signal: libc::WIFSIGNALED(status).then(|| libc::WTERMSIG(status)),
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
        elapsed,
        peak_rss_kib: hwm,
        rss_upper_bound_kib: usage.ru_maxrss,
    };
    eprintln!(
        "figures: {:?}: exit {:?}, {:.2} s, peak RSS {:.1} MiB (wait4 bound {:.1} MiB)",
        args.iter()
            .map(|a| a.as_ref().to_string_lossy().into_owned())
            .collect::<Vec<_>>(),
        run.code,
        run.elapsed.as_secs_f64(),
        run.peak_rss_kib as f64 / 1024.0,
        run.rss_upper_bound_kib as f64 / 1024.0
    );
    run
}

/// The checks every hostile run must pass.
fn assert_sane(run: &Run) {
    assert_eq!(
        run.signal,
        None,
        "killed by a signal; stderr: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        matches!(run.code, Some(0 | 1)),
        "exit code {:?} (0 or 1 expected); stderr: {}",
        run.code,
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        !String::from_utf8_lossy(&run.stderr).contains("panicked"),
        "panic: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        run.elapsed < TIME_LIMIT,
        "took {:?} (limit {TIME_LIMIT:?})",
        run.elapsed
    );
    assert!(
        run.peak_rss_kib < MEMORY_LIMIT_KIB,
        "peak RSS {} KiB (limit 1 GiB)",
        run.peak_rss_kib
    );
    assert!(
        run.rss_upper_bound_kib < MEMORY_LIMIT_KIB,
        "wait4 peak RSS {} KiB (limit 1 GiB)",
        run.rss_upper_bound_kib
    );
}

/// A temporary directory holding `good.yaml`; `case` adds the hostile file(s) to it.
fn dir_with_good() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.yaml"), GOOD).unwrap();
    dir
}

/// Analyzes the directory as `-o json` with `extra` flags and checks the basics.
fn analyze(dir: &Path, extra: &[&str]) -> (Run, Value) {
    let mut args = vec!["analyze", ".", "-o", "json"];
    args.extend_from_slice(extra);
    let run = meshlint(dir, &args, None);
    assert_sane(&run);
    let json = run.json();
    (run, json)
}

fn diagnostics(json: &Value) -> &[Value] {
    json["diagnostics"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// The findings about `file`.
fn about<'a>(json: &'a Value, file: &str) -> Vec<&'a Value> {
    diagnostics(json)
        .iter()
        .filter(|d| d["file"] == file)
        .collect()
}

/// Asserts a finding of `rule` about `file` at `line` whose message contains `words`, and that
/// the good Service (and `other_resources` more) were counted.
fn expect_finding(json: &Value, file: &str, rule: &str, line: u64, words: &str) {
    let found = about(json, file);
    assert!(
        found.iter().any(|d| d["rule"] == rule
            && d["line"] == line
            && d["message"].as_str().unwrap().contains(words)),
        "no {rule} finding at {file}:{line} mentioning {words:?}; found: {}",
        serde_json::to_string_pretty(&found).unwrap()
    );
}

fn expect_good_counted(json: &Value, resources: u64) {
    assert_eq!(
        json["summary"]["resources"], resources,
        "summary: {}",
        json["summary"]
    );
    assert!(
        about(json, "good.yaml").is_empty(),
        "the good file has findings: {:?}",
        about(json, "good.yaml")
    );
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn good_file_alone_is_clean() {
    let dir = dir_with_good();
    let (run, json) = analyze(dir.path(), &[]);
    assert_eq!(run.code, Some(0));
    assert!(diagnostics(&json).is_empty(), "{json}");
    expect_good_counted(&json, 1);
}

#[test]
fn billion_laughs_trips_the_alias_budget() {
    let dir = dir_with_good();
    let mut y = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        y.push_str(&format!(
            "a{i}: &a{i} [{}]\n",
            vec![format!("*a{}", i - 1); 10].join(", ")
        ));
    }
    write(dir.path(), "laughs.yaml", &y);
    let (run, json) = analyze(dir.path(), &[]);
    assert_eq!(run.code, Some(1));
    // a5 is the first level that expands past 1,000,000 nodes (a4 has 111,111; a5 1,111,111).
    expect_finding(
        &json,
        "laughs.yaml",
        "input-too-large",
        6,
        "--max-yaml-nodes",
    );
    expect_good_counted(&json, 1);
}

#[test]
fn alias_fan_out_and_many_merges_stay_bounded() {
    let dir = dir_with_good();
    // 50,000 anchors and 50,000 aliases: quadratic if aliases were looked up by scanning.
    let n = 50_000;
    let mut y: String = (0..n).map(|i| format!("a{i}: &a{i} x\n")).collect();
    y.push_str(&format!("l: [{}]\n", vec!["*a0"; n].join(", ")));
    write(dir.path(), "anchors.yaml", &y);
    // One map of 20,000 keys merged into 2,000 maps: 40M entries unless the budget stops it early.
    let keys: Vec<String> = (0..20_000).map(|i| format!("k{i}: 1")).collect();
    let mut m = format!("base: &b {{{}}}\n", keys.join(", "));
    m.extend((0..2000).map(|i| format!("m{i}: {{<<: *b}}\n")));
    write(dir.path(), "merges.yaml", &m);
    let (run, json) = analyze(dir.path(), &[]);
    assert_eq!(run.code, Some(1));
    assert!(
        about(&json, "anchors.yaml").is_empty(),
        "{:?}",
        about(&json, "anchors.yaml")
    );
    // base has 40,001 nodes; each merge adds about as many, so the 25th merged map (line 26)
    // passes 1,000,000.
    let merges = about(&json, "merges.yaml");
    assert_eq!(merges.len(), 1, "{merges:?}");
    assert_eq!(merges[0]["rule"], "input-too-large");
    let line = merges[0]["line"].as_u64().unwrap();
    assert!((20..=30).contains(&line), "stopped at line {line}");
    expect_good_counted(&json, 1);
}

#[test]
fn deep_flow_nesting_trips_the_depth_budget() {
    let dir = dir_with_good();
    write(
        dir.path(),
        "deep.yaml",
        format!("{}{}\n", "[".repeat(10_000), "]".repeat(10_000)),
    );
    let (_, json) = analyze(dir.path(), &[]);
    expect_finding(&json, "deep.yaml", "input-too-large", 1, "--max-depth");
    expect_good_counted(&json, 1);
}

#[test]
fn deep_block_nesting_trips_the_depth_budget() {
    let dir = dir_with_good();
    // 10,000 levels of `a:`, one space deeper each (50 MB: under the file budget) ...
    let text: String = (0..10_000)
        .map(|i| format!("{}a:\n", " ".repeat(i)))
        .collect();
    write(dir.path(), "deep-map.yaml", &text);
    // ... and 10,000 nested block sequences on one line.
    write(
        dir.path(),
        "deep-seq.yaml",
        format!("{}x\n", "- ".repeat(10_000)),
    );
    let (run, json) = analyze(dir.path(), &[]);
    assert_eq!(run.code, Some(1));
    // The default budget is 128 levels: line 129 opens the 129th.
    expect_finding(
        &json,
        "deep-map.yaml",
        "input-too-large",
        129,
        "--max-depth",
    );
    expect_finding(&json, "deep-seq.yaml", "input-too-large", 1, "--max-depth");
    expect_good_counted(&json, 1);
}

#[test]
fn a_100_mb_file_is_skipped_unread() {
    let dir = dir_with_good();
    let f = std::fs::File::create(dir.path().join("huge.yaml")).unwrap();
    // Past the default budget of 1 GiB (sparse: it takes no disk space).
    f.set_len(2 << 30).unwrap();
    let (run, json) = analyze(dir.path(), &[]);
    expect_finding(&json, "huge.yaml", "input-too-large", 1, "--max-file-bytes");
    expect_good_counted(&json, 1);
    // Skipped by its size: never read into memory.
    assert!(
        run.peak_rss_kib < 64 << 10,
        "peak RSS {} KiB: the file was read",
        run.peak_rss_kib
    );
}

#[test]
fn an_endless_stdin_is_cut_at_the_budget() {
    let dir = dir_with_good();
    let endless = std::io::repeat(b'a');
    let run = meshlint(
        dir.path(),
        // The mechanism with a 64 MiB budget: the default (1 GiB) is the same code, 16 times
        // the memory and time.
        &[
            "analyze",
            "-",
            "good.yaml",
            "-o",
            "json",
            "--max-file-bytes",
            "67108864",
        ],
        Some(Box::new(endless)),
    );
    assert_sane(&run);
    let json = run.json();
    expect_finding(&json, "<stdin>", "input-too-large", 1, "--max-file-bytes");
    expect_good_counted(&json, 1);
}

#[test]
fn many_nodes_in_many_documents_trip_the_file_node_budget() {
    let dir = dir_with_good();
    // 100 documents of 5,001 nodes: each is within the per-document budget, the file is not
    // within a file budget of 200,000 (lowered so the debug build stays fast).
    let doc = format!("---\n[{}]\n", vec!["a"; 5_000].join(","));
    write(dir.path(), "nodes.yaml", doc.repeat(100));
    let (run, json) = analyze(dir.path(), &["--max-file-nodes", "200000"]);
    assert_eq!(run.code, Some(1));
    let found = about(&json, "nodes.yaml");
    assert_eq!(found.len(), 1, "{found:?}");
    expect_finding(
        &json,
        "nodes.yaml",
        "input-too-large",
        1,
        "--max-file-nodes",
    );
    expect_good_counted(&json, 1);
}

#[test]
fn two_hundred_thousand_tiny_documents() {
    let dir = dir_with_good();
    write(dir.path(), "docs.yaml", "---\na: 1\n".repeat(200_000));
    // The default budget reads them all (none is an object: each is counted as skipped).
    let (run, json) = analyze(dir.path(), &[]);
    assert_eq!(run.code, Some(0), "{}", json["diagnostics"]);
    assert_eq!(json["summary"]["skipped_documents"], 200_000);
    // A budget that cuts the file counts what it skips and says so.
    let (run, json) = analyze(dir.path(), &["--max-documents", "100000"]);
    assert_eq!(run.code, Some(1));
    // Document 100,001 (the first past the budget of 100,000) starts on line 200,001.
    expect_finding(
        &json,
        "docs.yaml",
        "input-too-large",
        200_001,
        "--max-documents",
    );
    expect_good_counted(&json, 1);
    // 100,000 read and skipped as not objects, 100,000 skipped by the budget.
    assert_eq!(json["summary"]["skipped_documents"], 200_000);
}

/// The stream of issue #14: 142,003 documents (a `helm template` of 20,000 services) on stdin,
/// with known mistakes spread over it, the last ones past the old default budget of 100,000
/// documents. With the default flags every one is found and nothing is skipped.
#[test]
fn a_stream_of_142003_documents_on_stdin_is_read_whole() {
    let mut stream = String::with_capacity(16 << 20);
    let mut mistakes = 0u64;
    let mut docs = 0usize;
    let mut i = 0usize;
    while docs < 142_003 {
        if i % 4_000 == 3_999 {
            // weights-not-100: a VirtualService whose weights sum to 90.
            stream.push_str(&format!(
                "---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: vs{i}\n  namespace: ns\nspec:\n  hosts: [h{i}]\n  http:\n  - route:\n    - destination: {{host: h{i}}}\n      weight: 40\n    - destination: {{host: h{i}}}\n      weight: 50\n"
            ));
            mistakes += 1;
        } else {
            stream.push_str(&format!(
                "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\n  namespace: ns\ndata: {{k: v}}\n"
            ));
        }
        docs += 1;
        i += 1;
    }
    let dir = tempfile::tempdir().unwrap();
    let run = meshlint(
        dir.path(),
        &["analyze", "-", "-o", "json"],
        Some(Box::new(std::io::Cursor::new(stream.into_bytes()))),
    );
    // Not hostile input: no time limit of its own (a debug build takes some 20 s), but the run
    // ends normally within the harness's kill limit.
    assert_eq!(run.signal, None);
    assert!(!String::from_utf8_lossy(&run.stderr).contains("panicked"));
    let json = run.json();
    assert_eq!(json["summary"]["resources"], 142_003, "{}", json["summary"]);
    assert_eq!(json["summary"]["skipped_documents"], 0);
    let weights = diagnostics(&json)
        .iter()
        .filter(|d| d["rule"] == "weights-not-100")
        .count() as u64;
    assert_eq!(weights, mistakes);
    assert!(mistakes >= 35);
    assert!(
        !diagnostics(&json)
            .iter()
            .any(|d| d["rule"] == "input-too-large"),
        "{}",
        json["diagnostics"]
    );
}

#[test]
fn a_20_mb_scalar_trips_the_scalar_budget() {
    let dir = dir_with_good();
    write(
        dir.path(),
        "scalar.yaml",
        format!(
            "apiVersion: v1\nkind: ConfigMap\ndata:\n  x: {}\n",
            "x".repeat(20 << 20)
        ),
    );
    let (_, json) = analyze(dir.path(), &[]);
    expect_finding(
        &json,
        "scalar.yaml",
        "input-too-large",
        4,
        "--max-scalar-bytes",
    );
    expect_good_counted(&json, 1);
}

#[test]
fn a_multi_megabyte_line_does_not_balloon_the_report() {
    let dir = dir_with_good();
    // A 7 MB name (under the scalar budget) that rules quote, on a line findings point at.
    let name = "x".repeat(7 << 20);
    write(
        dir.path(),
        "long.yaml",
        format!("apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  name: y\n"),
    );
    let (run, json) = analyze(dir.path(), &[]);
    assert_eq!(run.code, Some(1));
    expect_finding(
        &json,
        "long.yaml",
        "duplicate-key",
        5,
        "\"name\" appears twice",
    );
    expect_good_counted(&json, 2);
    assert!(
        run.stdout.len() < 64 << 10,
        "JSON report of {} bytes",
        run.stdout.len()
    );
    let human = meshlint(dir.path(), &["analyze", "."], None);
    assert_sane(&human);
    let text = human.stdout_text();
    assert!(
        text.len() < 64 << 10,
        "human report of {} bytes",
        text.len()
    );
    // miette wraps the message, so look for the position and the reason separately.
    assert!(
        text.contains("long.yaml:5:3;") && text.contains("too long"),
        "{text}"
    );
}

#[cfg(unix)]
#[test]
fn control_characters_never_reach_the_terminal() {
    // Escape sequences in a file name, in escapes YAML decodes, and raw in the source: a hostile
    // pull request must not be able to rewrite or hide lines of a CI log.
    let dir = dir_with_good();
    write(
        dir.path(),
        "\x1b[2Jevil\x07.yaml",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: \"a\\e[8mhidden\\x07\\u009b\"\n  name: b\n",
    );
    write(
        dir.path(),
        "raw.yaml",
        b"apiVersion: v1\nkind: Service\nmetadata:\n  name: x\x1b[8m\r\n  other: \xc2\x9b\n",
    );
    for format in ["human", "json"] {
        let run = meshlint(dir.path(), &["analyze", ".", "-o", format], None);
        assert_sane(&run);
        let text = run.stdout_text();
        let bad: Vec<char> = text
            .chars()
            .filter(|&c| c.is_control() && c != '\n')
            .collect();
        assert!(
            bad.is_empty(),
            "{format} output has control characters {bad:?}:\n{text}"
        );
        assert!(text.contains("duplicate-key"), "{text}");
    }
}

#[test]
fn invalid_utf8_is_located() {
    let dir = dir_with_good();
    write(
        dir.path(),
        "latin1.yaml",
        b"apiVersion: v1\nkind: Service\nmetadata:\n  name: caf\xe9\n",
    );
    let (run, json) = analyze(dir.path(), &[]);
    assert_eq!(run.code, Some(1));
    expect_finding(&json, "latin1.yaml", "yaml-syntax", 4, "not valid UTF-8");
    expect_good_counted(&json, 1);
}

/// A Service whose name has a non-ASCII letter and a duplicate key on line 5, column 3.
const UTF16_SOURCE: &str =
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: café-ü\n  name: dup\n";

#[test]
fn utf16_with_bom_is_analyzed_with_right_positions() {
    let dir = dir_with_good();
    let le: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(UTF16_SOURCE.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let be: Vec<u8> = [0xFE, 0xFF]
        .into_iter()
        .chain(UTF16_SOURCE.encode_utf16().flat_map(u16::to_be_bytes))
        .collect();
    write(dir.path(), "le.yaml", le);
    write(dir.path(), "be.yaml", be);
    let (_, json) = analyze(dir.path(), &[]);
    for file in ["le.yaml", "be.yaml"] {
        let dup = about(&json, file)
            .into_iter()
            .find(|d| d["rule"] == "duplicate-key")
            .expect("duplicate-key found");
        assert_eq!(
            (dup["line"].as_u64(), dup["column"].as_u64()),
            (Some(5), Some(3)),
            "{dup}"
        );
        assert_eq!(dup["related"][0]["line"], 4);
        assert!(
            about(&json, file)
                .iter()
                .all(|d| d["rule"] != "yaml-syntax"),
            "{:?}",
            about(&json, file)
        );
    }
    // Both decoded Services are resources beside the good one.
    expect_good_counted(&json, 3);
    // The human report shows the same position and the decoded text.
    let run = meshlint(dir.path(), &["analyze", "le.yaml"], None);
    assert_sane(&run);
    let human = run.stdout_text();
    assert!(human.contains("le.yaml:5:3"), "{human}");
    assert!(human.contains("café-ü"), "{human}");
}

#[test]
fn utf16_without_bom_is_detected_as_yaml_does() {
    let dir = dir_with_good();
    let le: Vec<u8> = UTF16_SOURCE
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    write(dir.path(), "le.yaml", le);
    let (_, json) = analyze(dir.path(), &[]);
    expect_finding(&json, "le.yaml", "duplicate-key", 5, "\"name\"");
    expect_good_counted(&json, 2);
}

#[test]
fn a_binary_file_named_yaml() {
    let dir = dir_with_good();
    let mut bytes: Vec<u8> = (0..=255u8).cycle().take(64 << 10).collect();
    bytes[..4].copy_from_slice(b"\x7fELF");
    write(dir.path(), "x.yaml", bytes);
    let (run, json) = analyze(dir.path(), &[]);
    assert_eq!(run.code, Some(1));
    expect_finding(&json, "x.yaml", "yaml-syntax", 1, "binary file");
    expect_good_counted(&json, 1);
}

#[test]
fn tabs_used_for_indentation() {
    let dir = dir_with_good();
    write(
        dir.path(),
        "tabs.yaml",
        "apiVersion: v1\nkind: Service\nmetadata:\n\tname: x\n",
    );
    let (run, json) = analyze(dir.path(), &[]);
    assert_eq!(run.code, Some(1));
    expect_finding(&json, "tabs.yaml", "yaml-syntax", 4, "tab");
    expect_good_counted(&json, 1);
}

#[test]
fn duplicate_mapping_keys_are_errors() {
    let dir = dir_with_good();
    write(
        dir.path(),
        "dup.yaml",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  namespace: shop\n  name: b\n",
    );
    let (run, json) = analyze(dir.path(), &[]);
    assert_eq!(run.code, Some(1));
    expect_finding(
        &json,
        "dup.yaml",
        "duplicate-key",
        6,
        "\"name\" appears twice",
    );
    let d = about(&json, "dup.yaml")
        .into_iter()
        .find(|d| d["rule"] == "duplicate-key")
        .unwrap();
    assert_eq!(d["severity"], "error");
    assert_eq!(d["related"][0]["line"], 4);
    expect_good_counted(&json, 2);
}

#[test]
fn empty_comment_only_and_marker_only_files_are_quietly_nothing() {
    let dir = dir_with_good();
    write(dir.path(), "empty.yaml", "");
    write(dir.path(), "comments.yaml", "# nothing here\n# at all\n");
    write(dir.path(), "dashes.yaml", "---\n");
    write(dir.path(), "dashes-and-dots.yaml", "---\n...\n---\n");
    let (run, json) = analyze(dir.path(), &[]);
    assert_eq!(run.code, Some(0));
    assert!(diagnostics(&json).is_empty(), "{json}");
    assert_eq!(json["summary"]["files"], 5);
    expect_good_counted(&json, 1);
}

#[cfg(unix)]
#[test]
fn symlink_loop_and_dangling_symlink_in_a_walked_directory() {
    use std::os::unix::fs::symlink;
    let dir = dir_with_good();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    symlink("..", dir.path().join("sub/up")).unwrap();
    symlink(".", dir.path().join("self")).unwrap();
    symlink("nowhere.yaml", dir.path().join("dangling.yaml")).unwrap();
    // A dangling link whose name is not YAML hides nothing meshlint would read.
    symlink("nowhere", dir.path().join("README")).unwrap();
    let (run, json) = analyze(dir.path(), &[]);
    // Nothing is lost, so these are warnings and the run passes.
    assert_eq!(run.code, Some(0), "{json}");
    expect_finding(&json, "sub/up", "yaml-syntax", 1, "symbolic link loop");
    expect_finding(&json, "self", "yaml-syntax", 1, "symbolic link loop");
    expect_finding(
        &json,
        "dangling.yaml",
        "yaml-syntax",
        1,
        "broken symbolic link",
    );
    assert!(about(&json, "README").is_empty());
    assert!(
        diagnostics(&json)
            .iter()
            .all(|d| d["severity"] == "warning"),
        "{json}"
    );
    // The good Service is counted once, not once per path that loops back to it.
    expect_good_counted(&json, 1);
}

#[cfg(unix)]
#[test]
fn fifos_in_a_walked_directory_are_not_opened() {
    let dir = dir_with_good();
    let fifo = dir.path().join("pipe.yaml");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    std::os::unix::fs::symlink("pipe.yaml", dir.path().join("to-pipe.yaml")).unwrap();
    // Opening either for reading would block until a writer came: a hang.
    let (run, json) = analyze(dir.path(), &[]);
    assert_eq!(run.code, Some(0));
    expect_good_counted(&json, 1);
}

#[cfg(unix)]
#[test]
fn an_unreadable_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = dir_with_good();
    let path = write(dir.path(), "secret.yaml", GOOD.replace("web", "secret"));
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::File::open(&path).is_ok() {
        // Root (and CAP_DAC_OVERRIDE) reads files whatever their mode, as CI runs: the same run
        // as an unprivileged user, in a child that drops its privileges before it starts.
        // SAFETY: geteuid has no preconditions.
        assert_eq!(
            unsafe { libc::geteuid() },
            0,
            "a mode-000 file is readable without root"
        );
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let as_nobody = |args: &[&str]| {
            use std::os::unix::process::CommandExt;
            let mut command = Command::new(env!("CARGO_BIN_EXE_meshlint"));
            command
                .args(args)
                .current_dir(dir.path())
                .env("NO_COLOR", "1");
            // SAFETY: only async-signal-safe syscalls between fork and exec.
            unsafe {
                command.pre_exec(|| {
                    if libc::setgroups(0, std::ptr::null()) != 0
                        || libc::setgid(65534) != 0
                        || libc::setuid(65534) != 0
                    {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
            command.output().expect("meshlint starts as nobody")
        };
        let out = as_nobody(&["analyze", ".", "-o", "json"]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        expect_finding(&json, "secret.yaml", "yaml-syntax", 1, "ermission denied");
        expect_good_counted(&json, 1);
        let out = as_nobody(&["analyze", "secret.yaml"]);
        assert_eq!(out.status.code(), Some(2));
        return;
    }
    let (run, json) = analyze(dir.path(), &[]);
    assert_eq!(run.code, Some(1));
    expect_finding(&json, "secret.yaml", "yaml-syntax", 1, "ermission denied");
    expect_good_counted(&json, 1);
    // Named on the command line, an unreadable file is a usage error.
    let run = meshlint(dir.path(), &["analyze", "secret.yaml"], None);
    assert_eq!(run.code, Some(2));
}

#[test]
fn a_missing_directory_on_the_command_line_is_a_usage_error() {
    let dir = dir_with_good();
    let run = meshlint(
        dir.path(),
        &["analyze", "does-not-exist", "good.yaml"],
        None,
    );
    assert_eq!(run.code, Some(2));
    assert!(run.stdout.is_empty(), "{}", run.stdout_text());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("does-not-exist") && stderr.contains("No such file"),
        "{stderr}"
    );
}

/// Values of every type, each of which some field does not expect.
const CONFUSIONS: &[&str] = &[
    "[a, 1, {b: c}]",
    "{x: 1, y: [2]}",
    "42",
    "-1",
    "3.5",
    "\"str\"",
    "null",
    "~",
    "true",
    "99999999999999999999999999999999999999999999",
    "-99999999999999999999999999999999999999999999",
    "1e309",
    "-1e309",
    ".nan",
    ".inf",
    "0x1F",
    "0o17",
    "!!binary aGVsbG8=",
    "!!str 80",
    "!!int \"x\"",
    "!!float abc",
    "!!map {}",
    "!!seq []",
    "!custom {a: 1}",
    "\"\"",
    "[]",
    "{}",
    "\"\\u0000\\uFFFF\"",
];

fn seeds() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/proptest-seeds");
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| {
            (
                p.file_stem().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

/// Every variant of `text` with one field's value (scalar or whole block) replaced by `value`.
fn confused(text: &str, value: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let indent = |l: &str| l.len() - l.trim_start().len();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let body = line.trim_start().trim_start_matches("- ");
        let Some(colon) = body
            .find(": ")
            .or_else(|| body.ends_with(':').then(|| body.len() - 1))
        else {
            continue;
        };
        if body.starts_with('#') || body.starts_with("apiVersion") || body.starts_with("kind") {
            continue;
        }
        let key_col = line.len() - body.len();
        let key_end = key_col + colon;
        // The block under a `key:` line: deeper lines, and `- ` items at the key's column.
        let mut end = i + 1;
        if body.ends_with(':') {
            while end < lines.len() {
                let l = lines[end];
                let deeper = indent(l) > key_col;
                let item = indent(l) == key_col && l.trim_start().starts_with("- ");
                if l.trim().is_empty() || !(deeper || item) || l.starts_with("---") {
                    break;
                }
                end += 1;
            }
        }
        let mut variant: Vec<String> = lines[..i].iter().map(|s| s.to_string()).collect();
        variant.push(format!("{}: {value}", &line[..key_end]));
        variant.extend(lines[end..].iter().map(|s| s.to_string()));
        out.push(variant.join("\n") + "\n");
    }
    out
}

#[test]
fn type_confusion_in_every_field_never_panics() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.yaml"), GOOD).unwrap();
    // Variants grouped by seed and value: each group is one analysis (cross-file rules see the
    // variants side by side), and a panic names the group.
    let mut groups: Vec<Vec<(String, String)>> = Vec::new();
    for (name, text) in seeds() {
        for (v, value) in CONFUSIONS.iter().enumerate() {
            let group = confused(&text, value)
                .into_iter()
                .enumerate()
                .map(|(i, t)| (format!("{name}-{v}-{i}.yaml"), t));
            groups.push(group.collect());
        }
    }
    let sources: Vec<(String, String)> = groups.iter().flatten().cloned().collect();
    assert!(sources.len() > 3000, "only {} variants", sources.len());
    // In process, (holding the lock keeps this CPU-heavy loop from slowing the timed runs of the
    // other tests).
    let serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    for group in &groups {
        let inputs: Vec<(String, Vec<u8>)> = group
            .iter()
            .map(|(n, t)| (n.clone(), t.clone().into_bytes()))
            .collect();
        let result = std::panic::catch_unwind(|| {
            meshlint::engine::analyze_sources(inputs, &Default::default())
        });
        let names = || {
            group
                .iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        match result {
            Ok(Ok(analysis)) => {
                assert_eq!(analysis.model.sources.len(), group.len());
                let _ = meshlint::report::human::render(&analysis, false);
                let _ = meshlint::report::json::render(&analysis);
            }
            Ok(Err(e)) => panic!("{}: {e}", names()),
            Err(_) => panic!("analysis panicked on one of {}", names()),
        }
    }
    drop(serial);
    // And the binary on one variant in sixteen at once (all of them take longer than the time
    // limit in a debug build on a loaded machine), cross-file rules included.
    let sample: Vec<_> = sources.iter().step_by(16).collect();
    for (name, text) in &sample {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let (_, json) = analyze(dir.path(), &[]);
    assert_eq!(json["summary"]["files"], sample.len() as u64 + 1);
    assert!(about(&json, "good.yaml").is_empty());
}

/// Every numeric flag is range-checked by its parser: zero, one past the largest value, the
/// largest u64 (the `max as u64 + 1` overflow of issue #14) and a number past u64 are usage
/// errors naming the flag and its range, before any file is read; the largest value runs.
#[test]
fn numeric_flags_are_range_checked() {
    let dir = dir_with_good();
    let budgets: &[(&str, u64)] = &[
        ("--max-file-bytes", 1 << 40),
        ("--max-documents", 1 << 40),
        ("--max-yaml-nodes", 1 << 40),
        ("--max-depth", 4096),
        ("--max-scalar-bytes", 1 << 40),
        ("--max-file-nodes", 1 << 40),
    ];
    let refused = |args: &[String], flag: &str| {
        let run = meshlint(dir.path(), args, None);
        let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
        assert_eq!(run.code, Some(2), "{args:?}: {stderr}");
        assert!(run.stdout.is_empty(), "{args:?}: {}", run.stdout_text());
        assert!(
            stderr.contains(flag) && (stderr.contains("is not in") || stderr.contains("invalid")),
            "{args:?}: {stderr}"
        );
    };
    for &(flag, max) in budgets {
        for bad in [
            "0".to_string(),
            (max + 1).to_string(),
            u64::MAX.to_string(),
            "99999999999999999999999".to_string(),
        ] {
            for cmd in [
                &["analyze", "."][..],
                &["authz", "check", "x.default", "."][..],
            ] {
                let mut args: Vec<String> = cmd.iter().map(|s| s.to_string()).collect();
                args.extend([flag.to_string(), bad.clone()]);
                refused(&args, flag);
            }
        }
        // The largest value is taken, and the input is read (a finding-free report of 1 resource).
        let (run, json) = analyze(dir.path(), &[flag, &max.to_string()]);
        assert_eq!(run.code, Some(0), "{flag} {max}");
        expect_good_counted(&json, 1);
    }
    // Ports: 1 to 65535.
    for bad in ["0", "65536", "18446744073709551615"] {
        let authz: Vec<String> = ["authz", "check", "x.default", ".", "--port", bad]
            .iter()
            .map(|s| s.to_string())
            .collect();
        refused(&authz, "--port");
        let simulate: Vec<String> = [
            "simulate",
            ".",
            "--from",
            "external",
            "--to",
            "http://a/",
            "--port",
            bad,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        refused(&simulate, "--port");
    }
    // The Istio version: numbers past u32 are refused, not wrapped.
    let version: Vec<String> = ["analyze", ".", "--istio-version", "1.99999999999"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let run = meshlint(dir.path(), &version, None);
    assert_eq!(
        run.code,
        Some(2),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

/// Issue #14's two real-world YAML cases load without a finding under every rule, read as
/// go-yaml reads them: a multi-line single-quoted scalar continued at the key's column, and a
/// plain `2001:db8::` right before `]` in a flow sequence.
#[test]
fn the_two_real_world_yaml_cases_load_without_a_finding() {
    let config_map = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\n  namespace: default\ndata:\n  k: 'line one\n  line two'\n";
    let service_entry = "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: ipv6\n  namespace: default\nspec:\n  hosts: [db.example.com]\n  addresses: [1.2.3.4, 2001:db8::]\n  ports:\n  - number: 5432\n    name: tcp-postgres\n    protocol: TCP\n  location: MESH_EXTERNAL\n  resolution: STATIC\n  endpoints:\n  - address: 1.2.3.4\n";
    let a = meshlint::engine::analyze_sources(
        vec![
            ("notes.yaml".into(), config_map.as_bytes().to_vec()),
            ("ipv6.yaml".into(), service_entry.as_bytes().to_vec()),
        ],
        &meshlint::engine::Options::default(),
    )
    .unwrap();
    let found: Vec<String> = a
        .diagnostics
        .iter()
        .map(|d| format!("{}: {}", d.rule.name, d.message))
        .collect();
    assert!(found.is_empty(), "{found:#?}");
    assert_eq!(a.model.config_maps.len(), 1);
    assert_eq!(
        a.model.config_maps[0].spec.data[&"k".to_string()].value,
        "line one line two"
    );
    let addresses: Vec<&str> = a.model.service_entries[0]
        .spec
        .addresses
        .iter()
        .map(|s| s.value.as_str())
        .collect();
    assert_eq!(addresses, ["1.2.3.4", "2001:db8::"]);
}
