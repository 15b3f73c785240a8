#!/usr/bin/env bash
# Window and event figures of one model on fibers of seeds it never saw, with the spread across seeds (docs/models.md).
# usage: bench/incidents/heldout.sh [SECONDS per fiber, default 120] [SEEDS comma-separated, default 1234,2024,31337]
# TRAIN=long trains on the long test fiber (seed 11, 64 channels x 1200 s; about 10x the windows of the default
# small one, seed 5, 32 channels x 240 s). Output: lib/target/heldout-bench/summary.txt (summary-long.txt with
# TRAIN=long). About 1.5 min per seed on 2 cores plus the training fiber.
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -o -q -pl lib test -Dtest=HeldOutSeedsBench -Dsurefire.failIfNoSpecifiedTests=false \
    -Dfosm.bench.seconds="${1:-120}" -Dfosm.bench.seeds="${2:-1234,2024,31337}" -Dfosm.bench.train="${TRAIN:-small}" \
    | grep -v WARN || true
cat lib/target/heldout-bench/summary$([ "${TRAIN:-small}" = long ] && echo -long).txt
