//! Control characters and bidirectional overrides from the input never reach the terminal raw:
//! not through `graph` (dot, mermaid), not through the human report.

use std::process::Command;

const HOSTILE: &str = "apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: web
  namespace: \"sh\\e]0;pwned\\aop\"
spec:
  hosts: [\"web\\e[2J\\u202Eevil\"]
  http:
  - route:
    - destination: {host: \"api\\u202E\\u2066x\\e]8;;http://x\\a\"}
";

fn run(args: &[&str], dir: &std::path::Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_meshlint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("meshlint runs");
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

#[test]
fn graph_and_human_output_escape_controls_and_bidi_overrides() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("vs.yaml"), HOSTILE).unwrap();
    let raw = |c: char| c.is_control() && c != '\n' && c != '\t' || meshlint::escape::is_bidi(c);
    for args in [
        &["graph", ".", "--format", "dot"][..],
        &["graph", ".", "--format", "mermaid"][..],
        &["analyze", "."][..],
    ] {
        let out = run(args, dir.path());
        assert!(out.contains("web"), "{args:?}: {out}");
        let bad: Vec<char> = out.chars().filter(|&c| raw(c)).collect();
        assert!(bad.is_empty(), "{args:?} writes {bad:?} raw:\n{out}");
    }
}
