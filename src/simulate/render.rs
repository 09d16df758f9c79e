//! `simulate` output: human (the verdict first, then a numbered trace) and JSON (the design's
//! "Simulate JSON").

use serde_json::{Value, json};

use super::{Simulation, Step, Verdict};
use crate::model::Model;

fn location(model: &Model, step: &Step) -> Option<(String, usize, usize)> {
    let loc = step.loc?;
    if loc.file.0 as usize >= model.sources.len() {
        return None;
    }
    let (line, column) = model.sources.line_col(loc);
    Some((model.sources.get(loc.file).path.clone(), line, column))
}

fn status_text(v: &Verdict) -> String {
    match v.status {
        Some(s) => s.to_string(),
        None => "TCP".to_string(),
    }
}

/// The verdict line: `503 UF mtls-mismatch: reason`.
pub fn verdict_line(v: &Verdict) -> String {
    let flag = v.flag.map(|f| format!(" {f}")).unwrap_or_default();
    format!(
        "{}{flag} {}: {}",
        status_text(v),
        v.cause.as_str(),
        v.reason
    )
}

/// The numbered trace, one step a line (with the hop for call chains).
pub fn trace_lines(model: &Model, sim: &Simulation, color: bool) -> String {
    let chain = sim.hops.len() > 1 || sim.trace.iter().any(|s| s.hop > 0);
    let mut out = String::new();
    let width = sim.trace.len().to_string().len();
    for (i, s) in sim.trace.iter().enumerate() {
        let hop = if chain {
            format!("[{}] ", s.hop + 1)
        } else {
            String::new()
        };
        let step = if color {
            format!("\x1b[1m{:<15}\x1b[0m", s.step)
        } else {
            format!("{:<15}", s.step)
        };
        out.push_str(&format!("{:>width$}. {hop}{step} {}", i + 1, s.detail));
        if let Some((file, line, col)) = location(model, s) {
            let at = match &s.resource {
                Some(r) => format!("{r} at {file}:{line}:{col}"),
                None => format!("{file}:{line}:{col}"),
            };
            if color {
                out.push_str(&format!("\n{:width$}  {:<15} \x1b[2m↳ {at}\x1b[0m", "", ""));
            } else {
                out.push_str(&format!("\n{:width$}  {:<15} ↳ {at}", "", ""));
            }
        }
        out.push('\n');
    }
    out
}

pub fn human(model: &Model, sim: &Simulation, color: bool) -> String {
    let v = &sim.verdict;
    let line = verdict_line(v);
    let mut out = if color {
        let code = if v.succeeds() { "32" } else { "31" };
        format!("\x1b[1;{code}m{line}\x1b[0m\n")
    } else {
        format!("{line}\n")
    };
    if let Some(h) = sim.deciding_hop() {
        if let Some(d) = &h.destination {
            let port = d.port.map(|p| format!(":{p}")).unwrap_or_default();
            let subset = d
                .subset
                .as_ref()
                .map(|s| format!(" subset {s}"))
                .unwrap_or_default();
            let endpoints = if d.endpoints.is_empty() {
                String::new()
            } else {
                format!(" ({} endpoint(s))", d.endpoints.len())
            };
            out.push_str(&format!(
                "destination: {}{port}{subset}{endpoints}\n",
                d.service
            ));
        }
        if h.candidates.len() > 1 {
            let list: Vec<String> = h
                .candidates
                .iter()
                .map(|c| {
                    format!(
                        "{}{} {}%",
                        crate::mesh::host::short(&c.service),
                        c.subset
                            .as_ref()
                            .map(|s| format!(" {s}"))
                            .unwrap_or_default(),
                        super::fmt_pct(c.weight_percent)
                    )
                })
                .collect();
            out.push_str(&format!("candidates: {}\n", list.join(", ")));
        }
    }
    out.push_str("\ntrace:\n");
    out.push_str(&trace_lines(model, sim, color));
    out
}

fn verdict_json(v: &Verdict) -> Value {
    json!({
        "status": v.status,
        "flag": v.flag,
        "cause": v.cause.as_str(),
        "reason": v.reason,
    })
}

fn trace_json(model: &Model, steps: &[Step]) -> Vec<Value> {
    steps
        .iter()
        .map(|s| {
            let mut o = json!({
                "hop": s.hop,
                "step": s.step,
                "detail": s.detail,
                "resource": s.resource.as_ref().map(|r| json!({"kind": r.kind, "name": r.name, "namespace": r.namespace})),
            });
            if let Some((file, line, column)) = location(model, s)
                && let Some(map) = o.as_object_mut()
            {
                map.insert("file".into(), json!(file));
                map.insert("line".into(), json!(line));
                map.insert("column".into(), json!(column));
            }
            o
        })
        .collect()
}

/// The JSON object of one simulation.
pub fn json_value(model: &Model, sim: &Simulation) -> Value {
    let hop = sim.deciding_hop();
    let hops: Vec<Value> = sim
        .hops
        .iter()
        .map(|h| {
            json!({
                "url": h.url,
                "verdict": verdict_json(&h.verdict),
                "destination": h.destination,
                "candidates": h.candidates,
                "rewrite": h.rewrite,
                "redirect": h.redirect,
                "allowed": h.allowed,
            })
        })
        .collect();
    json!({
        "verdict": verdict_json(&sim.verdict),
        "destination": hop.and_then(|h| h.destination.as_ref()),
        "candidates": hop.map_or(&[][..], |h| h.candidates.as_slice()),
        "hops": hops,
        "trace": trace_json(model, &sim.trace),
    })
}

pub fn json(model: &Model, sim: &Simulation) -> String {
    let mut s = serde_json::to_string_pretty(&json_value(model, sim)).unwrap_or_default();
    s.push('\n');
    s
}
