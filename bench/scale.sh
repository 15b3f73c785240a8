#!/usr/bin/env bash
# Scale benchmark (docs/benchmarks.md "Scale"): bronze, silver, gold and score end to end on generated fibers of
# rising size, at local[1] and local[2], each stage's processed samples / its own wall time, per core.
# Called by `make bench-scale`; works from a fresh clone after `make venv build`.
#
# Per size (channels x seconds at 1 kHz) the landing files and event log are generated once into
# $BENCH_OUT/scale/data/<size> and reused by every later run with the same parameters (1 G samples = 4 GB of landing
# files, ~45 s to generate). Per (size, master) a fresh lakehouse is built from them by bronze -> silver -> gold ->
# score and deleted afterwards (BENCH_SCALE_KEEP_LAKES=1 keeps it), so the disk holds one size's lake at a time
# (about 2.2x the landing size: bronze + silver chunks). Spark event logs of every stage are kept under
# $BENCH_OUT/scale/events/<size>-local<k>/<stage>.
#
# Environment (defaults in brackets):
#   BENCH_SCALE_CHANNELS [1024]           channels of every fiber
#   BENCH_SCALE_SECONDS ["100 300 1000"]  one fiber per duration: 0.1 G, 0.3 G, 1 G samples at 1024 channels;
#                                         "30" (0.03 G, ~3 min for both masters) is the quick development run
#   BENCH_SCALE_MASTERS ["1 2"]           local[k] for each k
#   BENCH_SCALE_STAGES ["bronze silver gold score"]
#   BENCH_SCALE_MODEL []                  registered model whose champion scores; empty = train one logistic
#                                         regression (no search) on the first gold of the run and promote it as
#                                         fosm-bench-scale-<channels> (once; reused while its champion exists)
#   BENCH_SCALE_PEER [1]                  1 = after gold, bench/python_peer.py (pyarrow + numpy/scipy) on the same
#                                         silver table with k processes, features checked against gold's
#   BENCH_SCALE_JFR [0]                   1 = Java Flight Recorder profile of each stage's driver JVM (local mode:
#                                         the executors are in it) into .../events/<size>-local<k>/<stage>.jfr
#   BENCH_SCALE_KEEP_LAKES [0]            1 = keep each lakehouse under $BENCH_OUT/scale/lake
#   BENCH_OUT [bench/out]                 results in $BENCH_OUT/scale/results.json and scale.md, logs in .../logs
#   MVN_FLAGS []                          extra Maven flags, e.g. -o
#   MLFLOW_TRACKING_URI [http://127.0.0.1:5055]  the registry score uses; a local one that is not running is started
#                                         (bin/mlflow-server) and stopped at the end
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
channels="${BENCH_SCALE_CHANNELS:-1024}"
durations="${BENCH_SCALE_SECONDS:-100 300 1000}"
masters="${BENCH_SCALE_MASTERS:-1 2}"
stages="${BENCH_SCALE_STAGES:-bronze silver gold score}"
model="${BENCH_SCALE_MODEL:-}"
out="$(mkdir -p "${BENCH_OUT:-bench/out}/scale" && cd "${BENCH_OUT:-bench/out}/scale" && pwd)"
py="$root/.venv/bin/python"
[[ -x "$py" ]] || { echo "bench-scale: no .venv: run 'make venv' first" >&2; exit 2; }
export SPARK_HOME="${SPARK_HOME:-$("$py" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')}"
# the master goes to spark-submit (a later --master wins); the configuration loader rejects FOSM_MASTER as a key
unset FOSM_MASTER
mkdir -p "$out/logs" "$out/data" "$out/events" "$out/lake"

# score needs the MLflow registry (and so does training its model): on a fresh machine nothing runs yet, so a local
# server is started here when MLFLOW_TRACKING_URI (default http://127.0.0.1:5055) is a local one that does not answer,
# and stopped at the end
export MLFLOW_TRACKING_URI="${MLFLOW_TRACKING_URI:-http://127.0.0.1:5055}"
started_mlflow=0
stop_mlflow() { if (( started_mlflow )); then FOSM_MLFLOW_PORT="$mlflow_port" bin/mlflow-server stop >/dev/null || true; fi; }
trap stop_mlflow EXIT
if [[ " $stages " == *" score "* ]] && ! "$py" - "$MLFLOW_TRACKING_URI/health" <<'PY' >/dev/null 2>&1
import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=3)
PY
then
  if [[ "$MLFLOW_TRACKING_URI" =~ ^http://(127\.0\.0\.1|localhost):([0-9]+)/?$ ]]; then
    mlflow_port="${BASH_REMATCH[2]}"
    echo "== no MLflow server at $MLFLOW_TRACKING_URI: starting bin/mlflow-server on port $mlflow_port (stopped at the end)"
    FOSM_MLFLOW_PORT="$mlflow_port" bin/mlflow-server start
    started_mlflow=1
  else
    echo "bench-scale: Cannot reach the MLflow tracking server at $MLFLOW_TRACKING_URI (score needs it): start it, or" \
      "unset MLFLOW_TRACKING_URI to use a local one" >&2
    exit 2
  fi
fi
# BENCH_SCALE_BUILD=0 skips the build (a jar built from the same tree already there)
[[ "${BENCH_SCALE_BUILD:-1}" == 0 ]] || mvn -B -q ${MVN_FLAGS:-} install -DskipTests

# The stage line each job prints, e.g. "gold: 61184 windows ... in 46.0 s"; kept in the log, parsed by the report.
run_stage() {  # size master stage conf-file; writes logs/<size>-local<master>-<stage>.log
  local size=$1 master=$2 stage=$3 conf=$4 ev="$out/events/$1-local$2/$3"
  local log="$out/logs/$1-local$2-$3.log" jfr=""
  rm -rf "$ev" "$log.cpu" && mkdir -p "$ev"
  if [[ "${BENCH_SCALE_JFR:-0}" == 1 ]]; then
    # SPARK_SUBMIT_OPTS reaches the driver JVM (bin/fosm's own extraJavaOptions stay as they are)
    jfr="-XX:StartFlightRecording=filename=$ev.jfr,settings=profile,dumponexit=true"
  fi
  local t0 t1 timer=()
  # the process's CPU seconds (user, system) too: on a shared machine they vary far less than wall time
  [[ -x /usr/bin/time ]] && timer=(/usr/bin/time -f "process_cpu_s %U %S" -a -o "$log.cpu")
  t0=$(date +%s%N)
  SPARK_SUBMIT_OPTS="${SPARK_SUBMIT_OPTS:-} $jfr" FOSM_CONF_FILE="$conf" \
  FOSM_SPARK_SUBMIT_ARGS="--master local[$master] --conf spark.eventLog.enabled=true --conf spark.eventLog.dir=file://$ev" \
    ${timer[@]+"${timer[@]}"} bin/fosm "$stage" > "$log" 2>&1 \
    || { echo "bench-scale: $stage failed ($log):" >&2; tail -20 "$log" >&2; return 1; }
  [[ ! -f "$log.cpu" ]] || { cat "$log.cpu" >> "$log" && rm -f "$log.cpu"; }
  t1=$(date +%s%N)
  echo "process_wall_ns $((t1 - t0))" >> "$log"
  echo "  local[$master] $(grep -E "^$stage: " "$log" | head -1)"
}

for d in $durations; do
  size="c${channels}-s${d}"
  data="$out/data/$size"
  params="channels=$channels duration=$d seed=7 fault_rate=0"
  if [[ -f "$data/.params" && "$(cat "$data/.params")" == "$params" ]]; then
    echo "== $size: reusing the landing files in $data"
  else
    echo "== $size: generate ($params)"
    rm -rf "$data"
    bin/fosm generate --out "$data" --fiber-id fiber-1 --channels "$channels" --duration "$d" --seed 7 \
      --fault-rate 0 2>&1 | tee "$out/logs/$size-generate.log" | grep -E '^wrote'
    echo "$params" > "$data/.params"
  fi
  for m in $masters; do
    lake="$out/lake/$size-local$m"
    rm -rf "$lake" && mkdir -p "$lake"
    conf="$lake.properties"
    cat > "$conf" <<EOF
lakehouse.root = $lake
landing.path = $data/landing
labels.path = $data/events
fibers = fiber-1
fiber.fiber-1.channels = $channels
EOF
    for stage in $stages; do
      if [[ "$stage" == score ]]; then
        if [[ -z "$model" ]]; then
          model="fosm-bench-scale-$channels"
          if [[ ! -f "$out/.model-$model" ]]; then
            # the classes of this fiber's event log: a short fiber does not hold every event type
            classes="background$("$py" -c 'import json, sys
print("".join(sorted({"," + json.loads(l)["event_type"] for l in open(sys.argv[1]) if l.strip()})))' \
              "$data/events/fiber-1_events.jsonl")"
            echo "  training the scoring model $model once (logistic regression, no search, classes $classes)"
            cat >> "$conf" <<EOF
mlflow.model_name = $model
train.models = lr
train.search = false
train.anomaly = false
train.classes = $classes
train.min_class_count = 1
EOF
            FOSM_CONF_FILE="$conf" bin/fosm train > "$out/logs/train.log" 2>&1 \
              && FOSM_CONF_FILE="$conf" bin/fosm promote > "$out/logs/promote.log" 2>&1 \
              || { echo "bench-scale: training the scoring model failed (logs/train.log, logs/promote.log)" >&2; exit 1; }
            touch "$out/.model-$model"
          fi
        fi
        grep -q '^mlflow.model_name' "$conf" || echo "mlflow.model_name = $model" >> "$conf"
      fi
      run_stage "$size" "$m" "$stage" "$conf"
      if [[ "$stage" == gold && "${BENCH_SCALE_PEER:-1}" == 1 ]]; then
        # the end-to-end Python peer on the same silver table and as many processes as gold had cores
        OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 "$py" bench/python_peer.py \
          --silver "$lake/silver/chunks" --gold "$lake/gold/features" --processes "$m" \
          --out "$out/peer/$size-local$m" > "$out/logs/$size-local$m-peer.log" 2>&1 \
          || { echo "bench-scale: python peer failed:" >&2; tail -20 "$out/logs/$size-local$m-peer.log" >&2; exit 1; }
        sed 's/^/  /' "$out/logs/$size-local$m-peer.log"
        rm -f "$out/peer/$size-local$m/features.parquet"
      fi
    done
    du -sk "$lake"/* > "$out/logs/$size-local$m-lake-du.txt" 2>/dev/null || true
    [[ "${BENCH_SCALE_KEEP_LAKES:-0}" == 1 ]] || rm -rf "$lake"
  done
done

"$py" bench/scale_report.py --out "$out"
