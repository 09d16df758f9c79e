//! `meshlint diff -o json`: the whole comparison as one JSON document.
//!
//! `{"base", "head", "lost": [...], "findings": {"new", "fixed", "still"}, "traffic": [...],
//! "security": {"mtls": [...], "authz": [...]}, "summary": {...}}`; every change carries its
//! `sentence` (what the other formats print) next to its fields.

use crate::diff::Diff;

pub fn render(diff: &Diff) -> String {
    let mut v = serde_json::to_value(diff).unwrap_or_default();
    if let Some(obj) = v.as_object_mut() {
        obj.insert(
            "summary".into(),
            serde_json::json!({
                "new_findings": diff.findings.new.len(),
                "fixed_findings": diff.findings.fixed.len(),
                "still_present_findings": diff.findings.still.len(),
                "traffic_changes": diff.traffic.len(),
                "mtls_changes": diff.security.mtls.len(),
                "authz_flips": diff.security.authz.len(),
            }),
        );
    }
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}
