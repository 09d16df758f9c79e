//! `--base-ref REF`: the base side read from git at REF (with the `git` binary), for the same
//! paths as the working tree's head side.

use std::process::Command;

/// Why the base side cannot be read from git (exit 2).
#[derive(Debug, Clone)]
pub struct GitError(pub String);

impl std::fmt::Display for GitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn git(args: &[&str]) -> Result<Vec<u8>, GitError> {
    let out = Command::new("git")
        .args(args)
        .output()
        .map_err(|e| GitError(format!("cannot run git: {e}")))?;
    if !out.status.success() {
        return Err(GitError(
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ));
    }
    Ok(out.stdout)
}

fn wanted(path: &str) -> bool {
    let p = path.to_ascii_lowercase();
    p.ends_with(".yaml") || p.ends_with(".yml") || p.ends_with(".json")
}

/// The files under `paths` (relative to the working directory, as the head side names them) at
/// `reference`, with their contents. A path outside a repository, or a reference that does not
/// exist, is an error that says so.
pub fn read_at(reference: &str, paths: &[String]) -> Result<Vec<(String, Vec<u8>)>, GitError> {
    git(&["rev-parse", "--show-toplevel"]).map_err(|e| {
        GitError(format!(
            "--base-ref needs a git repository: the working directory is not inside one ({e})"
        ))
    })?;
    let commit = format!("{reference}^{{commit}}");
    git(&["rev-parse", "--verify", "--quiet", &commit]).map_err(|_| {
        GitError(format!(
            "--base-ref {reference}: no such commit, branch or tag in this repository (try `git fetch`, or a ref `git branch -a` lists)"
        ))
    })?;
    let mut files = Vec::new();
    for path in paths {
        let clean = path.trim_end_matches('/');
        // A path outside the repository: git refuses it.
        git(&["ls-files", "--error-unmatch", "--", clean])
            .or_else(|_| git(&["ls-tree", "--name-only", reference, "--", clean]))
            .map_err(|e| {
                GitError(format!(
                    "--base-ref: {path} is not inside this git repository ({e})"
                ))
            })?;
        let listed = git(&["ls-tree", "-r", "-z", "--name-only", reference, "--", clean])?;
        for name in listed.split(|&b| b == 0).filter(|n| !n.is_empty()) {
            let name = String::from_utf8_lossy(name).to_string();
            if !wanted(&name) && name != clean {
                continue;
            }
            let bytes = git(&["show", &format!("{reference}:./{name}")])?;
            files.push((name, bytes));
        }
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files.dedup_by(|a, b| a.0 == b.0);
    Ok(files)
}
