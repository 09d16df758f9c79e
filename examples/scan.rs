//! The "scan" baseline of `bench/run.sh`: one thread reads every YAML file under the given paths
//! and pulls every event out of the saphyr-parser event parser, building nothing. It is the floor
//! `meshlint analyze` is compared with (analysis should cost little beyond reading the YAML).
//!
//! `cargo run --release --example scan -- DIR...` prints one line:
//! `scan: F files, B bytes, E events, T ms` (T: reading and parsing, from the first read to the
//! last event). saphyr-parser is a dev-dependency only; the shipped binary never links it.
//!
//! `--granit` runs meshlint's own parser (granit-parser, comments off, as the loader sets it)
//! instead, to tell the parser's share of `analyze` from meshlint's.

use std::path::{Path, PathBuf};
use std::time::Instant;

use saphyr_parser::Parser;

fn collect(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        entries.sort();
        for entry in entries {
            collect(&entry, out)?;
        }
    } else if path
        .extension()
        .and_then(|x| x.to_str())
        .is_some_and(|x| matches!(x, "yaml" | "yml"))
    {
        out.push(path.to_path_buf());
    }
    Ok(())
}

/// Events of the stream, and whether the parser stopped at an error.
fn saphyr_events(text: &str) -> (usize, bool) {
    let mut n = 0;
    for event in Parser::new_from_str(text) {
        match event {
            Ok(_) => n += 1,
            Err(_) => return (n, true),
        }
    }
    (n, false)
}

fn granit_events(text: &str) -> (usize, bool) {
    let mut options = granit_parser::Options::default();
    options.emit_comments = false;
    let mut n = 0;
    for event in granit_parser::Parser::new_from_str_with_options(text, options) {
        match event {
            Ok(_) => n += 1,
            Err(_) => return (n, true),
        }
    }
    (n, false)
}

fn main() -> std::process::ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let granit = args.iter().any(|a| a == "--granit");
    args.retain(|a| a != "--granit");
    if args.is_empty() {
        eprintln!("usage: scan DIR_OR_FILE...");
        return std::process::ExitCode::from(2);
    }
    let mut files = Vec::new();
    for arg in &args {
        if let Err(e) = collect(Path::new(arg), &mut files) {
            eprintln!("scan: {arg}: {e}");
            return std::process::ExitCode::from(2);
        }
    }
    let started = Instant::now();
    let (mut bytes, mut events, mut errors) = (0usize, 0usize, 0usize);
    for file in &files {
        let text = match std::fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("scan: {}: {e}", file.display());
                return std::process::ExitCode::from(2);
            }
        };
        bytes += text.len();
        let (n, failed) = if granit {
            granit_events(&text)
        } else {
            saphyr_events(&text)
        };
        events += n;
        errors += usize::from(failed);
    }
    let elapsed = started.elapsed();
    println!(
        "scan ({}): {} files, {bytes} bytes, {events} events, {errors} errors, {:.1} ms",
        if granit {
            "granit-parser"
        } else {
            "saphyr-parser"
        },
        files.len(),
        elapsed.as_secs_f64() * 1e3
    );
    std::process::ExitCode::SUCCESS
}
