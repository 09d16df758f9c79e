//! The rules as a product: `meshlint rules` (table or JSON) and `meshlint explain`.

use serde::Serialize;

use super::{ALL, Rule, category, find, on_by_default, suggest};

/// Severities a rule gives besides its default, and when. Kept beside the rules it describes by
/// the test `every_other_severity_names_a_rule`.
pub const OTHER_SEVERITIES: &[(&str, &str, &str)] = &[
    (
        "weights-not-100",
        "info",
        "a weight on a lone destination (it always gets 100 %)",
    ),
    (
        "weights-not-100",
        "error",
        "every weight is 0, or the Istio version (before 1.15) rejects weights that do not add up to 100",
    ),
    (
        "subset-no-workloads",
        "info",
        "no route sends traffic to the empty subset",
    ),
    (
        "conflicting-virtualservices",
        "info",
        "one host lies within the other's wildcard: the most specific host wins, which may be intended",
    ),
    (
        "invalid-value",
        "warning",
        "an unquoted YAML 1.1 boolean (yes, on) where a string is expected",
    ),
    (
        "yaml-syntax",
        "warning",
        "a symbolic link loop or a broken link while walking a directory (nothing is lost)",
    ),
];

#[derive(Serialize)]
struct Other {
    severity: &'static str,
    when: &'static str,
}

#[derive(Serialize)]
struct Entry {
    name: &'static str,
    code: Option<&'static str>,
    codes: &'static [&'static str],
    severity: &'static str,
    category: &'static str,
    summary: &'static str,
    /// Other severities the rule gives, and when.
    other_severities: Vec<Other>,
    /// Reported by a pass over the mesh (`false`: by the loader, the model or the engine).
    pass: bool,
    /// `false` for a rule that runs only where `.meshlint.yaml` gives it a severity; `severity`
    /// is then the one it reports with once turned on.
    on_by_default: bool,
}

/// The default severity as shown: `off` for a rule off by default.
fn default_severity(rule: &Rule) -> &'static str {
    if on_by_default(rule) {
        rule.severity.as_str()
    } else {
        "off"
    }
}

fn others(rule: &Rule) -> impl Iterator<Item = (&'static str, &'static str)> + '_ {
    OTHER_SEVERITIES
        .iter()
        .filter(move |(name, _, _)| *name == rule.name)
        .map(|&(_, severity, when)| (severity, when))
}

fn entry(rule: &Rule) -> Entry {
    Entry {
        name: rule.name,
        code: rule.code,
        codes: rule.codes,
        severity: rule.severity.as_str(),
        category: category(rule),
        summary: rule.summary,
        other_severities: others(rule)
            .map(|(severity, when)| Other { severity, when })
            .collect(),
        pass: super::check_of(rule).is_some(),
        on_by_default: on_by_default(rule),
    }
}

/// `meshlint rules`: one line per rule.
pub fn table() -> String {
    let width = ALL.iter().map(|r| r.name.len()).max().unwrap_or(0);
    let codes_width = ALL
        .iter()
        .map(|r| codes_text(r).len())
        .max()
        .unwrap_or(1)
        .max(5);
    let mut out = format!(
        "{:<width$}  {:<codes_width$}  {:<8}  {:<13}  summary\n",
        "rule", "codes", "severity", "category"
    );
    for rule in ALL {
        out.push_str(&format!(
            "{:<width$}  {:<codes_width$}  {:<8}  {:<13}  {}\n",
            rule.name,
            codes_text(rule),
            default_severity(rule),
            category(rule),
            rule.summary
        ));
        if !on_by_default(rule) {
            out.push_str(&format!(
                "{:<width$}  {:<codes_width$}  {:<8}  {:<13}  ({} once turned on in .meshlint.yaml)\n",
                "",
                "",
                "",
                "",
                rule.severity.as_str()
            ));
        }
        for (severity, when) in others(rule) {
            out.push_str(&format!(
                "{:<width$}  {:<codes_width$}  {:<8}  {:<13}  ({severity} when {when})\n",
                "", "", "", ""
            ));
        }
    }
    out
}

fn codes_text(rule: &Rule) -> String {
    if rule.codes.is_empty() {
        "-".into()
    } else {
        rule.codes.join(",")
    }
}

/// `meshlint rules -o json`: `{"rules": [{name, code, codes, severity, category, summary, pass}]}`.
pub fn json() -> String {
    let rules: Vec<Entry> = ALL.iter().map(|r| entry(r)).collect();
    let mut out = serde_json::to_string_pretty(&serde_json::json!({ "rules": rules }))
        .unwrap_or_else(|_| "{}".into());
    out.push('\n');
    out
}

/// The page of one rule, with the codes it mirrors and how to suppress it (the same for every
/// rule, so written once here rather than on every page).
pub fn page(rule: &Rule) -> String {
    let mut out = rule.doc.trim_end().to_string();
    out.push_str("\n\n## Codes\n\n");
    if rule.codes.is_empty() {
        out.push_str("None: this check has no `istioctl analyze` or Kiali counterpart.\n");
    } else {
        out.push_str(&format!(
            "{} (rule `{}`, default severity {}, category {}).\n",
            rule.codes
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", "),
            rule.name,
            default_severity(rule),
            category(rule)
        ));
    }
    if !on_by_default(rule) {
        out.push_str(&format!(
            "It is off by default: turn it on with `rules: {{{}: {}}}` in `.meshlint.yaml`.\n",
            rule.name,
            rule.severity.as_str()
        ));
    }
    for (severity, when) in others(rule) {
        out.push_str(&format!("It reports {severity} instead when {when}.\n"));
    }
    let code = rule.codes.first().copied().unwrap_or(rule.name);
    out.push_str(&format!(
        "\n## Suppressing it\n\n\
         - on one resource: the annotation `galley.istio.io/analyze-suppress: \"{name}\"` (or \
         `\"{code}\"`, which suppresses every rule with that code; a comma list; `kiali.io/ignore-validations` works the same);\n\
         - on the command line: `--suppress '{name}=Kind namespace/name'` (`*` globs);\n\
         - in `.meshlint.yaml`, with the reason: `suppress: [{{rule: {name}, resource: \"Kind namespace/*\", reason: \"...\"}}]`;\n\
         - everywhere: `rules: {{{name}: off}}` in `.meshlint.yaml` (or another severity: info, warning, error).\n",
        name = rule.name,
    ));
    out
}

/// `meshlint explain NAME_OR_CODE`: the page of a rule; for a code several rules carry, the
/// list to pick from; for an unknown name, "did you mean".
pub fn explain(name_or_code: &str) -> Result<String, String> {
    match find(name_or_code).as_slice() {
        [] => Err(match suggest(name_or_code) {
            Some(s) => format!("no rule or code named {name_or_code}; did you mean {s}?"),
            None => format!("no rule or code named {name_or_code}; `meshlint rules` lists them"),
        }),
        [rule] => Ok(page(rule)),
        several => {
            let width = several.iter().map(|r| r.name.len()).max().unwrap_or(0);
            let mut out = format!(
                "{} rules report {}; `meshlint explain <rule>` shows one:\n\n",
                several.len(),
                name_or_code.to_ascii_uppercase()
            );
            for r in several {
                out.push_str(&format!("  {:<width$}  {}\n", r.name, r.summary));
            }
            Ok(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shared_code_gives_a_pick_list_and_a_typo_a_suggestion() {
        let list = explain("ist0101").unwrap();
        assert!(
            list.contains("unknown-host") && list.contains("subset-not-found"),
            "{list}"
        );
        assert!(!list.contains("## What it does"));
        let page = explain("IST0118").unwrap();
        assert!(page.starts_with("# port-name"), "{page}");
        assert!(page.contains("## Suppressing it"));
        assert_eq!(
            explain("unknwn-host").unwrap_err(),
            "no rule or code named unknwn-host; did you mean unknown-host?"
        );
    }

    #[test]
    fn every_other_severity_names_a_rule() {
        for (name, severity, _) in OTHER_SEVERITIES {
            let rule = ALL.iter().find(|r| r.name == *name).expect(name);
            assert_ne!(rule.severity.as_str(), *severity, "{name}");
        }
    }

    #[test]
    fn every_page_has_what_why_and_an_example() {
        for rule in ALL {
            assert!(
                rule.doc.starts_with(&format!("# {}\n", rule.name)),
                "{}",
                rule.name
            );
            for section in ["## What it does", "## Why is this bad?", "```yaml"] {
                assert!(rule.doc.contains(section), "{} lacks {section}", rule.name);
            }
        }
    }
}
