#!/usr/bin/env bash
# Drift detection on generated fibers: false-positive rate on undrifted data of other seeds, detection rate per
# drift mode (docs/drift.md). Arguments: channels per fiber, seconds per fiber, seeds per drift mode, first seed.
# Output: lib/target/drift-bench/summary.txt (rates) and stats.tsv (every statistic of every comparison).
set -euo pipefail
cd "$(dirname "$0")/.."
channels=${1:-32}
seconds=${2:-60}
seeds=${3:-2}
first=${4:-100}
mvn -B -o -q -pl lib test -Dtest=DriftFalsePositiveBench -Dsurefire.failIfNoSpecifiedTests=false \
    -Dfosm.bench.drift=true -Dfosm.bench.channels="$channels" -Dfosm.bench.seconds="$seconds" \
     -Dfosm.bench.seeds="$seeds" -Dfosm.bench.seed="$first" | grep -v WARN || true
cat lib/target/drift-bench/summary.txt
