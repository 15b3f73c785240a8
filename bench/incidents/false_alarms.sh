#!/usr/bin/env bash
# False alarms per km per hour on event-free fiber (issue 10's goal: <= 1), through the product's own path:
# fosm generate (--event-rate 0: an event-free fiber) -> bronze -> silver -> gold -> score (the champion of FOSM_MLFLOW_MODEL_NAME, default incidents-demo,
# trained by `TRAIN=1 bench/incidents/pipeline.sh ...`) -> evaluate (the stream's incident tracker and the event-level
# evaluation): an incident that hits no event is a false alarm, counted per km x h outside the events' extents.
# usage: bench/incidents/false_alarms.sh [LAKE]; DURATION (s, default 3600), SEED (default 4242) as variables.
# The demo fiber's 64 channels at 1 m: an hour is 0.064 km x h, so one false alarm there is 15.6 per km per hour.
set -euo pipefail
cd "$(dirname "$0")/../.."
lake=${1:-/tmp/fosm-false-alarms}; dur=${DURATION:-3600}; seed=${SEED:-4242}
export FOSM_LAKEHOUSE_ROOT=$lake FOSM_MLFLOW_MODEL_NAME=${FOSM_MLFLOW_MODEL_NAME:-incidents-demo}
rm -rf "$lake"
bin/fosm generate --out "$lake" --fiber-id demo --channels 64 --duration "$dur" --seed "$seed" --event-rate 0 \
  --fault-rate 0
bin/fosm bronze; bin/fosm silver; bin/fosm gold; bin/fosm score
bin/fosm evaluate --source gold_predictions --json "$lake/false_alarms.json"
.venv/bin/python - "$lake/false_alarms.json" "$dur" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"event-free fiber: 64 channels x {float(sys.argv[2]):.0f} s = {r['event_free_km_hours']:.4f} km x h; "
      f"events {r['events']:.0f}, incidents {r['incidents']:.0f}, false alarms {r['false_alarms']:.0f} "
      f"= {r['false_alarms_per_km_hour']:.1f} per km per hour (goal <= 1)")
PY
