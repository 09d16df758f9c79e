//! meshlint: an offline analyzer for Istio service-mesh configuration.
//!
//! The pipeline, one module per stage: [`load`] (files → documents with spans) → [`model`]
//! (typed resources) → [`mesh`] (the index and traffic graph) → [`rules`] (passes) →
//! [`report`] (human, json). [`engine`] runs them in order.

pub mod authz;
pub mod catalog;
pub mod config;
pub mod diag;
pub mod diff;
pub mod engine;
pub mod escape;
pub mod load;
pub mod mesh;
pub mod model;
pub mod report;
pub mod rules;
pub mod simulate;
pub mod source;

/// The pipeline's arrows run one way: a lower layer never names a higher one. These tests read
/// the sources (test code excluded) and fail on an import against the arrows.
#[cfg(test)]
mod layers {
    use std::path::Path;

    /// The top-level modules a source names (`crate::x`, `crate::{x, y}`), test code excluded.
    fn imports(source: &str) -> Vec<String> {
        let code = match source.find("#[cfg(test)]") {
            Some(at) => &source[..at],
            None => source,
        };
        let mut out = Vec::new();
        for line in code.lines() {
            let line = line.trim_start();
            if line.starts_with("//") {
                continue;
            }
            let mut rest = line;
            while let Some(at) = rest.find("crate::") {
                rest = &rest[at + "crate::".len()..];
                if let Some(group) = rest.strip_prefix('{') {
                    let end = group.find('}').unwrap_or(group.len());
                    out.extend(
                        group[..end]
                            .split(',')
                            .map(|item| item.trim().split("::").next().unwrap_or("").trim())
                            .filter(|name| !name.is_empty() && *name != "self")
                            .map(str::to_string),
                    );
                } else {
                    let end = rest
                        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .unwrap_or(rest.len());
                    // `crate::node_struct!` is a macro, not a module.
                    if !rest[end..].starts_with('!') {
                        out.push(rest[..end].to_string());
                    }
                }
            }
        }
        out
    }

    /// Every `.rs` file under `src/<module>` (or `src/<module>.rs`) but test files.
    fn sources(module: &str) -> Vec<(String, String)> {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut out = Vec::new();
        let file = src.join(format!("{module}.rs"));
        if file.exists() {
            out.push((
                file.display().to_string(),
                std::fs::read_to_string(&file).unwrap(),
            ));
        }
        let mut dirs = vec![src.join(module)];
        while let Some(dir) = dirs.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let name = path.file_name().unwrap().to_string_lossy().to_string();
                if path.is_dir() {
                    dirs.push(path);
                } else if name.ends_with(".rs")
                    && name != "tests.rs"
                    && !name.ends_with("_tests.rs")
                {
                    out.push((
                        path.display().to_string(),
                        std::fs::read_to_string(&path).unwrap(),
                    ));
                }
            }
        }
        out
    }

    /// The neutral base every layer may name.
    const BASE: &[&str] = &["source", "escape", "diag", "catalog"];

    fn check(module: &str, allowed: &[&str]) -> Vec<String> {
        let mut wrong = Vec::new();
        for (path, text) in sources(module) {
            for name in imports(&text) {
                if !allowed.contains(&name.as_str()) && !BASE.contains(&name.as_str()) {
                    wrong.push(format!("{path} imports crate::{name}"));
                }
            }
        }
        wrong
    }

    #[test]
    fn the_parser_sees_plain_and_grouped_imports_but_not_tests_or_comments() {
        let text = "use crate::rules::yaml_syntax;\nuse crate::{diag, engine::Options};\n\
                    // crate::report\nlet x = crate::node_struct!(y);\n\
                    #[cfg(test)]\nmod tests { use crate::simulate; }\n";
        assert_eq!(imports(text), ["rules", "diag", "engine"]);
    }

    #[test]
    fn lower_layers_never_import_a_higher_one() {
        let mut wrong = Vec::new();
        for base in BASE {
            wrong.extend(check(base, &[]));
        }
        wrong.extend(check("load", &["load"]));
        // `node_struct!` is the model's own (exported) macro.
        wrong.extend(check("model", &["load", "model", "node_struct"]));
        wrong.extend(check("mesh", &["load", "model", "mesh", "node_struct"]));
        // Rules read the index and the authorization semantics; they never render or run the
        // pipeline (`engine::Options` is the one type they read from it: the run's options).
        wrong.extend(
            check(
                "rules",
                &["load", "model", "mesh", "rules", "authz", "engine"],
            )
            .into_iter()
            .chain(sources("rules").into_iter().flat_map(|(path, text)| {
                let code = text[..text.find("#[cfg(test)]").unwrap_or(text.len())].to_string();
                code.match_indices("crate::engine::")
                    .filter(|(at, _)| !code[at + 15..].starts_with("Options"))
                    .map(|_| format!("{path} uses crate::engine beyond Options"))
                    .collect::<Vec<_>>()
            })),
        );
        // The queries read the pipeline's result (`engine::Analysis`) and each other in one
        // direction (authz → simulate → diff); rendering them is the report layer's or the CLI's.
        let pipeline = ["load", "model", "mesh", "engine"];
        wrong.extend(check("authz", &[&pipeline[..], &["authz"]].concat()));
        wrong.extend(check(
            "simulate",
            &[&pipeline[..], &["authz", "simulate"]].concat(),
        ));
        wrong.extend(check(
            "diff",
            &[&pipeline[..], &["authz", "simulate", "diff"]].concat(),
        ));
        // Severity overrides, suppressions and `external:` apply in one place, `engine::filter`,
        // after every pass: no rule reads them.
        for (path, text) in sources("rules") {
            for field in ["severities", "suppressions", "external", "config_file"] {
                if text.contains(&format!("options.{field}")) {
                    wrong.push(format!(
                        "{path} reads options.{field} (engine::filter applies it)"
                    ));
                }
            }
        }
        // The route-shadowing analysis both rules report lives in `mesh::shadowing`.
        for (path, text) in sources("rules") {
            if ["unreachable_route.rs", "ineffective_match.rs"]
                .iter()
                .any(|name| path.ends_with(name))
            {
                for other in ["rules::unreachable_route", "rules::ineffective_match"] {
                    if text.contains(other) {
                        wrong.push(format!("{path} imports crate::{other}"));
                    }
                }
            }
        }
        assert!(
            wrong.is_empty(),
            "imports against the pipeline's arrows:\n{}",
            wrong.join("\n")
        );
        // The test sees what it checks.
        assert!(!sources("load").is_empty() && !sources("rules").is_empty());
        assert!(!sources("diff").is_empty() && !sources("authz").is_empty());
    }
}
