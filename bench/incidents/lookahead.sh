#!/usr/bin/env bash
# Causal vs look-ahead temporal context (issue 10 point 3, docs/dsp.md): for each gold.lookahead_windows value, train
# on seed 7 (120 s) and score and evaluate a fiber of a seed training never saw (1234, 140 s), as docs/incidents.md.
# usage: bench/incidents/lookahead.sh ROOT [LOOKAHEADS...]   (default: 4 0); about 12 min per value on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$1; shift
for la in "${@:-4 0}"; do
  for v in $la; do
    export FOSM_GOLD_LOOKAHEAD_WINDOWS=$v FOSM_MLFLOW_MODEL_NAME=incidents-lookahead-$v
    TRAIN=1 bench/incidents/pipeline.sh "$root/la$v/train" 7 120 --fault-rate 0.002
    bench/incidents/pipeline.sh "$root/la$v/seed1234" 1234 140 --fault-rate 0.002
    FOSM_LAKEHOUSE_ROOT="$root/la$v/seed1234" bin/fosm evaluate --source gold_predictions | tee "$root/la$v/evaluate.txt"
  done
done
