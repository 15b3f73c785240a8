#!/usr/bin/env bash
# A scored gold table of one generated fiber, for the incident measurements of docs/incidents.md.
# usage: bench/incidents/pipeline.sh LAKE SEED DURATION [fosm generate options]; TRAIN=1 also trains and promotes.
# Uses the MLflow server of MLFLOW_TRACKING_URI and the model name incidents-demo (not the demo's).
set -euo pipefail
cd "$(dirname "$0")/../.."
lake=$1; seed=$2; dur=$3; shift 3
export FOSM_LAKEHOUSE_ROOT=$lake FOSM_MLFLOW_MODEL_NAME=${FOSM_MLFLOW_MODEL_NAME:-incidents-demo}
export FOSM_MLFLOW_EXPERIMENT=${FOSM_MLFLOW_EXPERIMENT:-incidents-bench}
rm -rf "$lake"
bin/fosm generate --out "$lake" --fiber-id demo --channels 64 --duration "$dur" --seed "$seed" "$@"
bin/fosm bronze; bin/fosm silver; bin/fosm gold
if [[ "${TRAIN:-0}" == 1 ]]; then bin/fosm train --conf train.search=false; bin/fosm promote; fi
bin/fosm score
