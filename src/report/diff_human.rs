//! `meshlint diff -o human`: the three sections as plain text, one sentence per change.

use crate::diff::Diff;

fn section(out: &mut String, title: &str, lines: &[String], empty: &str) {
    out.push_str(&format!("{title}\n"));
    if lines.is_empty() {
        out.push_str(&format!("  {empty}\n"));
    }
    for l in lines {
        out.push_str(&format!("  {l}\n"));
    }
    out.push('\n');
}

pub fn render(diff: &Diff, color: bool) -> String {
    let paint = |code: &str, s: &str| {
        if color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    let mut out = format!("meshlint diff: {} → {}\n\n", diff.base, diff.head);
    for l in &diff.lost {
        out.push_str(&format!(
            "{} the {} side lost {} ({}: {}); its results leave that file out\n",
            paint("33", "warning:"),
            l.side,
            l.file,
            l.rule,
            l.message
        ));
    }
    if !diff.lost.is_empty() {
        out.push('\n');
    }
    let f = &diff.findings;
    let mut lines = Vec::new();
    for n in &f.new {
        let at =
            n.at.as_ref()
                .map_or(String::new(), |p| format!("{}:{}: ", p.file, p.line));
        lines.push(format!(
            "{} {at}{} {} [{}] {}: {}",
            paint("31", "new"),
            n.severity.as_str(),
            n.rule,
            n.path,
            n.resource,
            n.message
        ));
    }
    for n in &f.fixed {
        let at =
            n.at.as_ref()
                .map_or(String::new(), |p| format!("{}:{}: ", p.file, p.line));
        lines.push(format!(
            "{} {at}{} {} [{}] {}: {}",
            paint("32", "fixed"),
            n.severity.as_str(),
            n.rule,
            n.path,
            n.resource,
            n.message
        ));
    }
    section(
        &mut out,
        &format!(
            "Findings: {} new, {} fixed, {} still present",
            f.new.len(),
            f.fixed.len(),
            f.still.len()
        ),
        &lines,
        "no finding appears or disappears",
    );
    let lines: Vec<String> = diff
        .traffic
        .iter()
        .map(|t| {
            let mark = match t.kind {
                "fails" | "unreachable" => paint("31", "!"),
                "recovers" => paint("32", "+"),
                _ => paint("33", "~"),
            };
            format!("{mark} {}", t.sentence)
        })
        .collect();
    section(
        &mut out,
        &format!("Traffic: {} change(s)", diff.traffic.len()),
        &lines,
        "no request is routed differently",
    );
    let s = &diff.security;
    let mut lines: Vec<String> = s.mtls.iter().map(|m| format!("~ {}", m.sentence)).collect();
    lines.extend(s.authz.iter().map(|a| {
        let mark = if a.after == "denied" {
            paint("31", "-")
        } else {
            paint("32", "+")
        };
        format!("{mark} {}", a.sentence)
    }));
    section(
        &mut out,
        &format!(
            "Security: {} mTLS change(s), {} authorization flip(s)",
            s.mtls.len(),
            s.authz.len()
        ),
        &lines,
        "no mTLS mode or authorization decision changes",
    );
    out
}
