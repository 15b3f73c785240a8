#!/usr/bin/env bash
# make demo's generate, bronze, silver, gold and train steps (no real fiber, no stream) in a scratch lakehouse, with
# the two held-out fibers of unseen seeds (demo-h1, demo-h2): the figures of docs/models.md#held-out-fibers.
# usage: bench/incidents/demo_heldout.sh [DIR, default /tmp/demo-heldout]; needs the MLflow server (make mlflow-up) and
# the jar (make build). The held-out figures are the heldout* metrics of each model's run (MLflow UI, or the
# leaderboard's HO columns). About 19 min on 2 shared cores (training 12.5 min).
set -euo pipefail
cd "$(dirname "$0")/../.."
D=${1:-/tmp/demo-heldout}; rm -rf "$D"; mkdir -p "$D"
export FOSM_LAKEHOUSE_ROOT=$D/lakehouse MLFLOW_TRACKING_URI=${MLFLOW_TRACKING_URI:-http://127.0.0.1:5055} \
  FOSM_CONF_FILE=$PWD/demo/real-fiber.properties
name=demo-heldout-$(date +%Y%m%d%H%M%S)
bin/fosm generate --out "$D/lakehouse" --fiber-id demo --channels 64 --duration 120 --seed 7 --fault-rate 0.002
bin/fosm generate --out "$D/lakehouse" --fiber-id demo-b --channels 64 --duration 120 --seed 11 --fault-rate 0.002
bin/fosm generate --out "$D/lakehouse" --fiber-id demo-h1 --channels 32 --duration 120 --seed 101
bin/fosm generate --out "$D/lakehouse" --fiber-id demo-h2 --channels 32 --duration 120 --seed 202
bin/fosm bronze; bin/fosm silver; bin/fosm gold
bin/fosm train --conf train.search=false --conf train.heldout_fibers=demo-h1,demo-h2 \
  --conf mlflow.experiment="$name" --conf mlflow.model_name="$name" 2>&1 | grep -v ' WARN '
