#!/bin/sh
# One fuzzing round: build without sanitizer, then each target in turn (niced: shared machine).
# Usage: sh run-round.sh SECONDS_LOAD SECONDS_ANALYZE LOGSUFFIX
set -e
cd "$(dirname "$0")"
mkdir -p logs artifacts/load artifacts/analyze corpus/load corpus/analyze
nice -n 10 cargo +nightly fuzz build -O -a -s none > logs/build-$3.log 2>&1
nice -n 10 cargo +nightly fuzz run -O -a -s none load corpus/load -- -dict=yaml.dict -max_total_time=$1 \
  -timeout=10 -rss_limit_mb=2048 -max_len=16384 -artifact_prefix=artifacts/load/ > logs/load-$3.log 2>&1 || true
nice -n 10 cargo +nightly fuzz run -O -a -s none analyze corpus/analyze -- -dict=yaml.dict -max_total_time=$2 \
  -timeout=10 -rss_limit_mb=2048 -max_len=16384 -artifact_prefix=artifacts/analyze/ > logs/analyze-$3.log 2>&1 || true
