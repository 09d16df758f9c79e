//! `meshlint diff -o github`: GitHub Actions workflow commands. A new finding is an annotation
//! of its severity at its place; a traffic or security change is a `warning` at the place that
//! caused it; fixed findings and the counts are a `notice`.

use super::github::{escape_data, escape_property};
use crate::diag::Severity;
use crate::diff::{Diff, Place};

fn command(out: &mut String, kind: &str, at: Option<&Place>, title: &str, message: &str) {
    let mut props = Vec::new();
    if let Some(p) = at.filter(|p| p.side == "head") {
        props.push(format!(
            "file={}",
            escape_property(&super::relative_path(&p.file))
        ));
        props.push(format!("line={}", p.line));
    }
    props.push(format!("title={}", escape_property(title)));
    out.push_str(&format!(
        "::{kind} {}::{}\n",
        props.join(","),
        escape_data(message)
    ));
}

pub fn render(diff: &Diff) -> String {
    let mut out = String::new();
    for l in &diff.lost {
        command(
            &mut out,
            "warning",
            None,
            "meshlint diff: file not read",
            &format!(
                "the {} side lost {} ({}: {})",
                l.side, l.file, l.rule, l.message
            ),
        );
    }
    for n in &diff.findings.new {
        let kind = match n.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        command(
            &mut out,
            kind,
            n.at.as_ref(),
            &format!("new finding: {}", n.rule),
            &format!("{}: {}", n.resource, n.message),
        );
    }
    for n in &diff.findings.fixed {
        command(
            &mut out,
            "notice",
            None,
            &format!("fixed finding: {}", n.rule),
            &format!("{}: {}", n.resource, n.message),
        );
    }
    for t in &diff.traffic {
        command(
            &mut out,
            "warning",
            t.at.as_ref(),
            "traffic change",
            &t.sentence,
        );
    }
    for m in &diff.security.mtls {
        command(
            &mut out,
            "warning",
            m.at.as_ref(),
            "mTLS change",
            &m.sentence,
        );
    }
    for a in &diff.security.authz {
        command(
            &mut out,
            "warning",
            a.at.as_ref(),
            "authorization change",
            &a.sentence,
        );
    }
    let f = &diff.findings;
    command(
        &mut out,
        "notice",
        None,
        "meshlint diff",
        &format!(
            "{} new, {} fixed, {} still-present finding(s); {} traffic change(s); {} mTLS change(s); {} authorization flip(s)",
            f.new.len(),
            f.fixed.len(),
            f.still.len(),
            diff.traffic.len(),
            diff.security.mtls.len(),
            diff.security.authz.len()
        ),
    );
    out
}
