#!/usr/bin/env bash
# meshlint performance benchmark: see bench/README.md.
#
#   bench/run.sh [-n RUNS] [-s "1250 5000"] [--no-build] [--keep] [--strict]
#
# 1. Generates synthetic meshes with ../shared/bench/gen-mesh.py (GEN_MESH overrides the path)
#    into a temporary directory (removed at the end unless --keep; never inside the repository).
# 2. Builds `meshlint` and the scan baseline (`examples/scan.rs`, saphyr-parser) in release mode.
# 3. Runs `meshlint analyze DIR -o json --timings` RUNS times per size: wall time (best run,
#    measured around the process with `date +%s%N`), CPU time and peak RSS (GNU time -v, which
#    the script installs with apt-get when /usr/bin/time is not GNU time), and the per-phase
#    timings of the best run.
# 4. Runs the scan baseline RUNS times (best wall time) over the same files. The runs alternate:
#    each of the RUNS rounds visits every size, and per size runs analyze, the scan and analyze
#    on one thread, so that the ratios compare measurements made in the same conditions.
# 5. Reads the largest mesh as one stream from stdin and as a file, RUNS times each, and prints
#    the median ratio (target: stdin at most 1.1x the file).
# 6. Prints the ratios against the targets, and checks that every mistake listed in the
#    generator's injected.json is reported (by rule, kind, namespace and name).
# 6. On the largest mesh, runs `meshlint test DIR --tests FILE` with 1000 routing test cases
#    (meshlint's own format: a sidecar calling a neighbour, with and without the canary header,
#    and ingress requests) RUNS times, interleaved with the analyze runs; target: at most 1.2x
#    one analyze (loading the mesh plus microseconds per request).
# 7. Runs one `meshlint authz check` query per size (RUNS times, interleaved with the rest):
#    svc-000001-v1.team-0000 asked about a GET from svc-000000-v1.team-0000 (its ALLOW policy
#    allows it), and compares its best wall time with loading the mesh (the best analyze run
#    minus its rules phase): target <= 1.05x.
# 8. diff: the largest mesh against a copy that differs in 1 % of its files (at least one team
#    file: every canary weight 90/10 becomes 50/50, every ALLOW rule loses POST), `meshlint diff
#    BASE HEAD -o json` RUNS times, interleaved with one analyze of the base: target <= 2.5x one
#    analyze (both sides are loaded and analyzed, then compared). `--only diff` runs this part
#    alone (no other measurement).
#
# Exit status: 0 when every injected mistake whose rule exists is found (and, with --strict,
# every target holds); 1 otherwise; 2 when the benchmark itself could not run.
set -euo pipefail

RUNS=5
SIZES="1250 5000"
BUILD=1
KEEP=0
STRICT=0
ONLY=""
while [ $# -gt 0 ]; do
  case "$1" in
    -n) RUNS="$2"; shift 2 ;;
    -s) SIZES="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --keep) KEEP=1; shift ;;
    --strict) STRICT=1; shift ;;
    --only) ONLY="$2"; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
GEN_MESH="${GEN_MESH:-$ROOT/../shared/bench/gen-mesh.py}"
[ -f "$GEN_MESH" ] || { echo "bench/run.sh: $GEN_MESH not found (set GEN_MESH)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "bench/run.sh: python3 is needed (gen-mesh.py, checks)" >&2; exit 2; }

# GNU time for peak RSS ("Maximum resident set size"); BusyBox or the shell keyword do not say.
if ! /usr/bin/time -V 2>&1 | grep -q "GNU"; then
  echo "installing GNU time (apt-get install time) ..." >&2
  if command -v apt-get >/dev/null; then
    { [ "$(id -u)" = 0 ] && apt-get install -y -qq time >/dev/null 2>&1; } ||
      { [ "$(id -u)" = 0 ] && apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq time >/dev/null 2>&1; } || true
  fi
  /usr/bin/time -V 2>&1 | grep -q "GNU" || { echo "bench/run.sh: GNU time is needed at /usr/bin/time" >&2; exit 2; }
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/meshlint-bench.XXXXXX")"
if [ "$KEEP" = 1 ]; then
  echo "keeping $WORK" >&2
else
  trap 'rm -rf "$WORK"' EXIT
fi

if [ "$BUILD" = 1 ]; then
  echo "building release (meshlint, examples/scan) ..." >&2
  cargo build --release --quiet --bin meshlint --example scan
fi
TARGET_DIR="$(cargo metadata --format-version 1 --no-deps 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
MESHLINT="$TARGET_DIR/release/meshlint"
SCAN="$TARGET_DIR/release/examples/scan"
[ -x "$MESHLINT" ] && [ -x "$SCAN" ] || { echo "bench/run.sh: build first (no --no-build)" >&2; exit 2; }

now_ns() { date +%s%N; }

# One timed run of "$@": appends "wall_s cpu_s rss_kb exit" to the file $RUNS_TO.
timed() {
  local out="$1" err="$2"; shift 2
  local t0 t1 rc=0
  t0=$(now_ns)
  /usr/bin/time -v -o "$WORK/time.txt" "$@" >"$out" 2>"$err" || rc=$?
  t1=$(now_ns)
  python3 - "$WORK/time.txt" "$t0" "$t1" "$rc" >>"$RUNS_TO" <<'EOF'
import sys
text = open(sys.argv[1]).read()
def field(name):
    for line in text.splitlines():
        if line.strip().startswith(name):
            return line.rsplit(":", 1)[1].strip()
    return "0"
cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
rss = int(field("Maximum resident set size (kbytes)"))
wall = (int(sys.argv[3]) - int(sys.argv[2])) / 1e9
print(f"{wall:.4f} {cpu:.3f} {rss} {sys.argv[4]}")
EOF
}

RESULTS="$WORK/results.tsv"
: >"$RESULTS"
for n in $SIZES; do
  dir="$WORK/mesh-$n"
  python3 "$GEN_MESH" "$dir" --services "$n" >&2
  # injected.json is the answer key, not input: keep it out of the analyzed directory.
  mv "$dir/injected.json" "$WORK/injected-$n.json"
  : >"$WORK/runs-analyze-$n"; : >"$WORK/runs-scan-$n"; : >"$WORK/runs-one-$n"; : >"$WORK/runs-test-$n"; : >"$WORK/runs-authz-$n"
  echo "" >"$WORK/best-wall-$n"
done
BIG=$(for n in $SIZES; do echo "$n"; done | sort -n | tail -1)
# 1000 routing tests for the largest mesh (outside the mesh directory: they are not config).
python3 - "$BIG" "$WORK/routing-tests-$BIG.yaml" <<'EOF_TESTS'
import sys
n, out = int(sys.argv[1]), sys.argv[2]
per_ns = 50
lines = ["tests:"]
for k in range(1000):
    i = (k * 7919) % n
    ns = f"team-{i // per_ns:04d}"
    first = (i // per_ns) * per_ns
    caller = i - 1 if i > first else min(i + 1, n - 1)
    kind = k % 4
    if kind == 3:
        lines += [f"- name: ingress {k}", "  from: ingress", f"  to: http://{ns}.example.com/",
                  "  expect:", f"    service: svc-{first:06d}.{ns}"]
        continue
    lines += [f"- name: case {k}", f"  from: svc-{caller:06d}-v1.{ns}", f"  to: http://svc-{i:06d}:8080/api/v{1 + k % 3}/items"]
    if kind == 1:
        lines += ["  headers:", "    x-canary: \"true\""]
    lines += ["  expect:", "    service: " + f"svc-{i:06d}.{ns}"]
open(out, "w").write("\n".join(lines) + "\n")
EOF_TESTS

# Runs alternate (every size in turn; per size analyze, scan, analyze on one thread) so that
# every measurement a ratio compares saw the same state of the machine.
[ "$ONLY" = diff ] && RUNS_MAIN=0 || RUNS_MAIN="$RUNS"
for i in $(seq "$RUNS_MAIN"); do
  for n in $SIZES; do
    dir="$WORK/mesh-$n"
    RUNS_TO="$WORK/runs-analyze-$n" timed "$WORK/out-$n.json" "$WORK/err-$n.txt" "$MESHLINT" analyze "$dir" -o json --timings
    read -r wall cpu rss rc < <(tail -1 "$WORK/runs-analyze-$n")
    if [ "$rc" != 0 ] && [ "$rc" != 1 ]; then
      echo "bench/run.sh: meshlint exited $rc on $dir:" >&2; cat "$WORK/err-$n.txt" >&2; exit 2
    fi
    best_wall=$(cat "$WORK/best-wall-$n")
    if [ -z "$best_wall" ] || python3 -c "import sys; sys.exit(0 if $wall < $best_wall else 1)"; then
      echo "$wall" >"$WORK/best-wall-$n"
      grep '^timings:' "$WORK/err-$n.txt" | sed 's/^timings: //' >"$WORK/phases-$n.txt" || true
      cp "$WORK/out-$n.json" "$WORK/best-$n.json"
    fi
    RUNS_TO="$WORK/runs-scan-$n" timed "$WORK/scan-$n.txt" "$WORK/scan-err-$n.txt" "$SCAN" "$dir"
    RUNS_TO="$WORK/runs-one-$n" RAYON_NUM_THREADS=1 timed "$WORK/one-$n.json" "$WORK/one-err-$n.txt" \
      "$MESHLINT" analyze "$dir" -o json
    RUNS_TO="$WORK/runs-authz-$n" timed "$WORK/authz-$n.json" "$WORK/authz-err-$n.txt" \
      "$MESHLINT" authz check svc-000001-v1.team-0000 "$dir" --from svc-000000-v1.team-0000 \
      --method GET --path /api/items -o json
    read -r _ _ _ rc < <(tail -1 "$WORK/runs-authz-$n")
    if [ "$rc" != 0 ]; then
      echo "bench/run.sh: authz check exited $rc on $dir:" >&2; cat "$WORK/authz-err-$n.txt" >&2; exit 2
    fi
    if [ "$n" = "$BIG" ]; then
      RUNS_TO="$WORK/runs-test-$n" timed "$WORK/test-$n.json" "$WORK/test-err-$n.txt" \
        "$MESHLINT" test "$dir" --tests "$WORK/routing-tests-$n.yaml" -o json
      read -r _ _ _ trc < <(tail -1 "$WORK/runs-test-$n")
      if [ "$trc" != 0 ] && [ "$trc" != 1 ]; then
        echo "bench/run.sh: meshlint test exited $trc:" >&2; cat "$WORK/test-err-$n.txt" >&2; exit 2
      fi
    fi
  done
done

runs_of() { tr '\n' ';' <"$WORK/runs-$1"; }
if [ "$ONLY" != diff ]; then
for n in $SIZES; do
  dir="$WORK/mesh-$n"
  bytes=$(cat "$dir"/*.yaml | wc -c)
  resources=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["documents"])' "$WORK/injected-$n.json")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$bytes" "$resources" "$(runs_of "analyze-$n")" "$(runs_of "scan-$n")" \
    "$(cat "$WORK/phases-$n.txt")" "$(runs_of "one-$n")" "$(runs_of "authz-$n")" >>"$RESULTS"
done
fi

# The same stream read from stdin and as a file (issue #14: stdin at most 1.1x the file): the
# largest mesh as one multi-document stream, as `helm template ... | meshlint analyze -` gives it.
if [ "$ONLY" != diff ]; then
STREAM="$WORK/stream-$BIG.yaml"
for f in "$WORK/mesh-$BIG"/*.yaml; do printf -- '---\n'; cat "$f"; printf '\n'; done >"$STREAM"
: >"$WORK/runs-path"; : >"$WORK/runs-stdin"
for i in $(seq "$RUNS"); do
  RUNS_TO="$WORK/runs-path" timed "$WORK/path.json" "$WORK/path.err" "$MESHLINT" analyze "$STREAM" -o json
  RUNS_TO="$WORK/runs-stdin" timed "$WORK/stdin.json" "$WORK/stdin.err" sh -c '"$0" analyze - -o json <"$1"' "$MESHLINT" "$STREAM"
done
python3 - "$WORK" "$STRICT" <<'EOF_STDIN' || { [ "$STRICT" = 1 ] && exit 1; }
import json, statistics, sys
work, strict = sys.argv[1], sys.argv[2] == "1"
walls = lambda name: [float(l.split()[0]) for l in open(f"{work}/runs-{name}") if l.strip()]
path, stdin = walls("path"), walls("stdin")
ratio = statistics.median(s / p for s, p in zip(stdin, path))
same = json.load(open(f"{work}/path.json"))["summary"]["errors"] == json.load(open(f"{work}/stdin.json"))["summary"]["errors"]
print(f"stdin vs path, one stream: best {min(stdin):.3f} s vs {min(path):.3f} s, median ratio {ratio:.2f}x "
      f"(target <= 1.10x){'' if same else '; FINDINGS DIFFER'}")
sys.exit(0 if ratio <= 1.10 and same or not strict else 1)
EOF_STDIN
fi

# diff: two trees of the largest size that differ in 1 % of their files (issue #17: at most 2.5x
# one analyze of one tree).
BASE_TREE="$WORK/mesh-$BIG"
HEAD_TREE="$WORK/mesh-$BIG-head"
cp -r "$BASE_TREE" "$HEAD_TREE"
python3 - "$HEAD_TREE" <<'EOF_HEAD'
import math, os, sys
d = sys.argv[1]
files = sorted(f for f in os.listdir(d) if f.startswith("team-"))
k = max(1, round(0.01 * len(os.listdir(d))))
for f in files[len(files) // 2:][:k]:
    p = os.path.join(d, f)
    s = open(p).read()
    s = s.replace("weight: 90", "weight: 50").replace("weight: 10", "weight: 50")
    s = s.replace('methods: ["GET", "POST"]', 'methods: ["GET"]')
    open(p, "w").write(s)
print(f"diff: {k} of {len(os.listdir(d))} files changed", file=sys.stderr)
EOF_HEAD
: >"$WORK/runs-diff"; : >"$WORK/runs-diff-analyze"
for i in $(seq "$RUNS"); do
  RUNS_TO="$WORK/runs-diff-analyze" timed "$WORK/diff-analyze.json" "$WORK/diff-analyze.err" "$MESHLINT" analyze "$BASE_TREE" -o json
  RUNS_TO="$WORK/runs-diff" timed "$WORK/diff.json" "$WORK/diff.err" "$MESHLINT" diff "$BASE_TREE" "$HEAD_TREE" -o json
  read -r _ _ _ drc < <(tail -1 "$WORK/runs-diff")
  if [ "$drc" != 0 ] && [ "$drc" != 1 ]; then
    echo "bench/run.sh: meshlint diff exited $drc:" >&2; cat "$WORK/diff.err" >&2; exit 2
  fi
done
python3 - "$WORK" "$STRICT" "$BIG" <<'EOF_DIFF' || { [ "$STRICT" = 1 ] && exit 1; }
import json, statistics, sys
work, strict, big = sys.argv[1], sys.argv[2] == "1", sys.argv[3]
runs = lambda name: [tuple(float(x) for x in l.split()) for l in open(f"{work}/runs-{name}") if l.strip()]
d, a = runs("diff"), runs("diff-analyze")
best = min(r[0] for r in d) / min(r[0] for r in a)
paired = statistics.median(x[0] / y[0] for x, y in zip(d, a))
s = json.load(open(f"{work}/diff.json"))["summary"]
print(f"diff of two {big}-service trees, 1 % of files changed: best {min(r[0] for r in d):.3f} s "
      f"(cpu {min(r[1] for r in d):.2f} s, peak RSS {max(r[2] for r in d) / 1e3:.0f} MB) vs one analyze "
      f"{min(r[0] for r in a):.3f} s: {best:.2f}x (median of pairs {paired:.2f}x; target <= 2.5x: "
      f"{'PASS' if best <= 2.5 else 'MISS'}); {s['traffic_changes']} traffic changes, {s['authz_flips']} "
      f"authorization flips, {s['new_findings']} new findings")
sys.exit(0 if best <= 2.5 or not strict else 1)
EOF_DIFF
[ "$ONLY" = diff ] && exit 0

"$MESHLINT" rules >"$WORK/rules.txt"

python3 - "$WORK" "$RESULTS" "$STRICT" "$RUNS" "$BIG" <<'EOF'
import json, sys, collections
work, results, strict, runs = sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4]
rows = []
for line in open(results):
    n, size, resources, ar, sr, phases, orr, zr = line.rstrip("\n").split("\t")
    parse = lambda s: [tuple(float(x) for x in r.split()) for r in s.split(";") if r.strip()]
    a, s, one, authz = parse(ar), parse(sr), parse(orr), parse(zr)
    rows.append(dict(n=int(n), bytes=int(size), resources=int(resources), runs=a,
                     wall=min(r[0] for r in a), cpu=min(r[1] for r in a), rss=max(r[2] for r in a) * 1024,
                     scan=min(r[0] for r in s), scan_cpu=min(r[1] for r in s), phases=phases,
                     one=min(r[0] for r in one), authz=min(r[0] for r in authz),
                     # Each analyze run is followed by a scan run: the median of their ratios is
                     # steadier than a ratio of bests when the machine's speed drifts.
                     paired=sorted(x[0] / y[0] for x, y in zip(a, s))[(min(len(a), len(s)) - 1) // 2]))

import os
print(f"\nbest of {runs} runs on {os.cpu_count()} cores; wall = elapsed time of the process, cpu = user+sys "
      "of all its threads, peak RSS = GNU time -v \"Maximum resident set size\"; load average at the end: "
      f"{os.getloadavg()[0]:.1f} (above 0.5, other work shares the cores and wall times are inflated)")
print("| services | resources | input MB | analyze wall s | analyze cpu s | analyze 1 thread wall s | scan wall s | scan cpu s | analyze/scan wall | analyze/scan cpu | peak RSS MB | RSS/input | phases of the best run (ms) |")
print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
for r in rows:
    phases = r['phases'].replace(" ms", "")
    print(f"| {r['n']} | {r['resources']} | {r['bytes']/1e6:.1f} | {r['wall']:.3f} | {r['cpu']:.3f} | {r['one']:.3f} | {r['scan']:.3f} | "
          f"{r['scan_cpu']:.3f} | {r['wall']/r['scan']:.2f}x | {r['cpu']/max(r['scan_cpu'], 1e-3):.2f}x | {r['rss']/1e6:.0f} | "
          f"{r['rss']/r['bytes']:.1f}x | {phases} |")

ok = True
def target(name, value, limit, ambition=None):
    global ok
    met = value <= limit
    ok &= met
    extra = f" (ambition <= {ambition}x: {'met' if value <= ambition else 'not met'})" if ambition else ""
    print(f"  {'PASS' if met else 'MISS'}  {name}: {value:.2f}x (target <= {limit}x){extra}")

print("\ntargets:")
small = min(rows, key=lambda r: r["n"])
target(f"analyze/scan wall at {small['n']} services", small["wall"] / small["scan"], 1.5, 1.0)
print(f"        (median of the {runs} interleaved analyze/scan pairs: {small['paired']:.2f}x)")
if len(rows) > 1:
    big = max(rows, key=lambda r: r["n"])
    k = big["n"] / small["n"]
    target(f"time({big['n']})/time({small['n']}) wall, {k:g}x input", big["wall"] / small["wall"], round(1.1 * k, 2))
    # The sizes alternate run by run: the median of the per-round ratios, like the pairs above.
    rounds = sorted(x[0] / y[0] for x, y in zip(big["runs"], small["runs"]))
    print(f"        (cpu: {big['cpu']/small['cpu']:.2f}x; median of the {len(rounds)} rounds' wall ratios: "
          f"{rounds[(len(rounds) - 1) // 2]:.2f}x)")
for r in rows:
    target(f"peak RSS / input size at {r['n']} services", r["rss"] / r["bytes"], 10)
import re
for r in rows:
    # Loading the mesh = the best analyze run without its rules phase.
    m = re.search(r"rules ([0-9.]+) ms", r["phases"])
    load = r["wall"] - (float(m.group(1)) / 1e3 if m else 0.0)
    target(f"authz check / loading the mesh at {r['n']} services ({r['authz']:.3f} s vs {load:.3f} s)",
           r["authz"] / max(load, 1e-3), 1.05)

# meshlint test: 1000 routing tests on the largest mesh against one analyze of it.
big_n = int(sys.argv[5])
test_runs = [tuple(float(x) for x in l.split()) for l in open(f"{work}/runs-test-{big_n}") if l.strip()]
if test_runs:
    big_row = next(r for r in rows if r["n"] == big_n)
    best_test = min(t[0] for t in test_runs)
    target(f"meshlint test (1000 cases) / analyze wall at {big_n} services", best_test / big_row["wall"], 1.2)
    try:
        summary = json.load(open(f"{work}/test-{big_n}.json"))["summary"]
        print(f"        ({summary['cases']} cases: {summary['passed']} passed, {summary['failed']} failed; best {best_test:.3f} s)")
    except Exception as e:
        print(f"        (no test summary: {e})")

# Correctness at scale: every injected mistake must be reported by its rule.
present = {line.split()[0] for line in open(f"{work}/rules.txt") if line.strip()}
found_all = True
print("\ninjected mistakes (rule: found/injected):")
for r in rows:
    injected = json.load(open(f"{work}/injected-{r['n']}.json"))["findings"]
    report = json.load(open(f"{work}/best-{r['n']}.json"))
    seen = {(d["rule"], (d.get("resource") or {}).get("kind"), (d.get("resource") or {}).get("namespace"),
             (d.get("resource") or {}).get("name")) for d in report["diagnostics"]}
    by_rule = collections.defaultdict(list)
    for f in injected:
        by_rule[f["rule"]].append(f)
    parts = []
    for rule in sorted(by_rule):
        items = by_rule[rule]
        if rule not in present:
            parts.append(f"{rule}: rule not present")
            continue
        hit = [f for f in items if (rule, f["kind"], f["namespace"], f["name"]) in seen]
        missed = [f for f in items if f not in hit]
        parts.append(f"{rule}: {len(hit)}/{len(items)}")
        if missed:
            found_all = False
            m = missed[0]
            parts[-1] += f" (MISSED e.g. {m['kind']} {m['namespace']}/{m['name']})"
    counts = collections.Counter(d["rule"] for d in report["diagnostics"])
    print(f"  {r['n']} services: " + "; ".join(parts))
    print(f"  {r['n']} services: all findings by rule: " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"))

if not found_all:
    print("\nFAIL: some injected mistakes were not reported")
    sys.exit(1)
if strict and not ok:
    print("\nFAIL (--strict): a target was missed")
    sys.exit(1)
EOF
