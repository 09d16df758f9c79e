//! meshlint only reads its inputs: a run leaves the input tree byte-identical — contents, modes,
//! file and directory modification times (a temporary file created and removed beside the
//! inputs would change its directory's) — and `--output-file` writes exactly that file, whole,
//! through a temporary file in its own directory that does not outlive the run.

use std::collections::BTreeMap;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Output};

/// Everything observable about a tree but access times: path → (kind, mode, mtime, content).
type Snapshot = BTreeMap<String, (char, u32, i128, Vec<u8>)>;

fn snapshot(root: &Path) -> Snapshot {
    let mut out = Snapshot::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let meta = std::fs::symlink_metadata(&dir).unwrap();
        let rel = dir
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        out.insert(
            format!("{rel}/"),
            ('d', meta.mode(), mtime(&meta), Vec::new()),
        );
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if meta.is_dir() {
                stack.push(path);
            } else if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&path).unwrap();
                out.insert(
                    rel,
                    (
                        'l',
                        meta.mode(),
                        mtime(&meta),
                        target.to_string_lossy().as_bytes().to_vec(),
                    ),
                );
            } else {
                out.insert(
                    rel,
                    (
                        'f',
                        meta.mode(),
                        mtime(&meta),
                        std::fs::read(&path).unwrap(),
                    ),
                );
            }
        }
    }
    out
}

fn mtime(meta: &std::fs::Metadata) -> i128 {
    meta.mtime() as i128 * 1_000_000_000 + meta.mtime_nsec() as i128
}

/// An input tree with manifests, a YAML error, an ignored file, a symlink and a read-only file.
fn input_tree(root: &Path) {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/proptest-seeds");
    std::fs::create_dir_all(root.join("mesh/nested")).unwrap();
    for (i, entry) in std::fs::read_dir(seeds).unwrap().enumerate() {
        let path = entry.unwrap().path();
        let to = if i % 2 == 0 {
            root.join("mesh")
        } else {
            root.join("mesh/nested")
        };
        std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
    }
    std::fs::write(
        root.join("mesh/broken.yaml"),
        "apiVersion: v1\nkind: Service\nmetadata:\n\tname: x\n",
    )
    .unwrap();
    std::fs::write(
        root.join("mesh/dup.yaml"),
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  name: b\n",
    )
    .unwrap();
    std::fs::write(root.join("mesh/.gitignore"), "ignored.yaml\n").unwrap();
    std::fs::write(root.join("mesh/ignored.yaml"), "a: [\n").unwrap();
    std::os::unix::fs::symlink("dup.yaml", root.join("mesh/link.yaml")).unwrap();
    let read_only = root.join("mesh/read-only.yaml");
    std::fs::write(
        &read_only,
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ro\n",
    )
    .unwrap();
    std::fs::set_permissions(&read_only, std::fs::Permissions::from_mode(0o444)).unwrap();
}

fn meshlint(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_meshlint"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

#[test]
fn analysis_leaves_the_inputs_untouched_and_writes_only_the_output_file() {
    let root = tempfile::tempdir().unwrap();
    input_tree(root.path());
    std::fs::create_dir(root.path().join("out")).unwrap();
    let before = snapshot(&root.path().join("mesh"));

    for format in ["json", "human"] {
        let report = format!("out/report.{format}");
        let written = meshlint(
            root.path(),
            &["analyze", "mesh", "-o", format, "--output-file", &report],
        );
        assert_eq!(
            written.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&written.stderr)
        );
        assert!(written.stdout.is_empty(), "the report went to stdout too");
        // The file holds exactly what stdout would have.
        let printed = meshlint(root.path(), &["analyze", "mesh", "-o", format]);
        assert_eq!(
            std::fs::read(root.path().join(&report)).unwrap(),
            printed.stdout
        );
    }
    // Run from inside the input directory too, where a careless tool would drop its files.
    let inside = meshlint(&root.path().join("mesh"), &["analyze", ".", "-o", "json"]);
    assert_eq!(inside.status.code(), Some(1));

    assert_eq!(
        snapshot(&root.path().join("mesh")),
        before,
        "the inputs changed"
    );
    let mut out: Vec<_> = std::fs::read_dir(root.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    out.sort();
    assert_eq!(
        out,
        ["report.human", "report.json"],
        "only the reports, no temporary file left"
    );
    let mut top: Vec<_> = std::fs::read_dir(root.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    top.sort();
    assert_eq!(top, ["mesh", "out"]);
}

#[test]
fn output_file_replaces_an_old_report_whole() {
    let root = tempfile::tempdir().unwrap();
    input_tree(root.path());
    let report = root.path().join("report.json");
    std::fs::write(&report, "x".repeat(1 << 20)).unwrap();
    let run = meshlint(
        root.path(),
        &[
            "analyze",
            "mesh",
            "-o",
            "json",
            "--output-file",
            "report.json",
        ],
    );
    assert_eq!(run.status.code(), Some(1));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report).unwrap()).expect("a whole JSON report");
    assert!(json["summary"]["resources"].as_u64().unwrap() > 10);
}

#[test]
fn an_unwritable_output_file_is_a_usage_error_that_writes_nothing() {
    let root = tempfile::tempdir().unwrap();
    input_tree(root.path());
    let before = snapshot(root.path());
    let run = meshlint(
        root.path(),
        &["analyze", "mesh", "--output-file", "missing-dir/report.txt"],
    );
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("missing-dir/report.txt"), "{stderr}");
    assert_eq!(snapshot(root.path()), before);
}
