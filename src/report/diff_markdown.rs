//! `meshlint diff -o markdown`: a pull-request comment. A one-line summary, then one collapsible
//! `<details>` section each for findings, traffic and security (open when it has changes).

use crate::diff::Diff;

/// Markdown-inert text: characters that would start markup or HTML are escaped.
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

fn details(out: &mut String, title: &str, lines: &[String], empty: &str) {
    let open = if lines.is_empty() { "" } else { " open" };
    out.push_str(&format!("<details{open}>\n<summary>{title}</summary>\n\n"));
    if lines.is_empty() {
        out.push_str(&format!("{empty}\n"));
    }
    for l in lines {
        out.push_str(&format!("- {l}\n"));
    }
    out.push_str("\n</details>\n\n");
}

pub fn render(diff: &Diff) -> String {
    let f = &diff.findings;
    let s = &diff.security;
    let mut out = String::from("### meshlint diff\n\n");
    out.push_str(&format!(
        "`{}` → `{}`: **{} new** and {} fixed finding(s), **{} traffic change(s)**, **{} security change(s)**\n\n",
        diff.base.replace('`', "'"),
        diff.head.replace('`', "'"),
        f.new.len(),
        f.fixed.len(),
        diff.traffic.len(),
        s.mtls.len() + s.authz.len()
    ));
    for l in &diff.lost {
        out.push_str(&format!(
            "> **Warning:** the {} side lost `{}` ({}: {}); its results leave that file out\n\n",
            l.side,
            l.file.replace('`', "'"),
            l.rule,
            md(&l.message)
        ));
    }
    let mut lines = Vec::new();
    for (label, list) in [("new", &f.new), ("fixed", &f.fixed)] {
        for n in list {
            let at = n.at.as_ref().map_or(String::new(), |p| {
                format!(" (`{}:{}`)", p.file.replace('`', "'"), p.line)
            });
            lines.push(format!(
                "**{label}** {} `{}` {}: {}{at}",
                n.severity.as_str(),
                n.rule,
                md(&n.resource),
                md(&n.message)
            ));
        }
    }
    details(
        &mut out,
        &format!(
            "Findings: {} new, {} fixed, {} still present",
            f.new.len(),
            f.fixed.len(),
            f.still.len()
        ),
        &lines,
        "No finding appears or disappears.",
    );
    let lines: Vec<String> = diff.traffic.iter().map(|t| md(&t.sentence)).collect();
    details(
        &mut out,
        &format!("Traffic: {} change(s)", diff.traffic.len()),
        &lines,
        "No request is routed differently.",
    );
    let mut lines: Vec<String> = s.mtls.iter().map(|m| md(&m.sentence)).collect();
    lines.extend(s.authz.iter().map(|a| md(&a.sentence)));
    details(
        &mut out,
        &format!(
            "Security: {} mTLS change(s), {} authorization flip(s)",
            s.mtls.len(),
            s.authz.len()
        ),
        &lines,
        "No mTLS mode or authorization decision changes.",
    );
    out
}
