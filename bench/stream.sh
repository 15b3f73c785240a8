#!/usr/bin/env bash
# Streaming benchmark (docs/benchmarks.md, "Streaming from Kafka"): the real local Kafka broker (bin/kafka), a live
# replay of a synthetic fiber at increasing rates (more channels at 1 kHz, paced in real time, so event time and wall
# time agree), `fosm stream` at local[2] reading the topic, then per rate: processed samples/s, p50/p95/max latency
# from the last sample of a window's chunk to the Delta commit of its score, whether the stream kept up, the batch
# phases and arrival delay it logged, and the ratio of the highest rate it kept up with to the batch gold job. Rates
# rise until one does not keep up (then it stops). Called by `make bench-stream`; needs `make venv build kafka-jars`.
# Environment (defaults in brackets):
#   BENCH_STREAM_CHANNELS ["250 500 1000 2000 4000"]  channel counts; offered rate = channels x 1000 samples/s
#   BENCH_STREAM_ALL [0]        1: run every channel count even after one did not keep up
#   BENCH_STREAM_SECONDS [90]   seconds of live feed per rate
#   BENCH_STREAM_WARMUP [20]    seconds of event time left out of the latency figures (JIT, first batches)
#   BENCH_STREAM_DRAIN [120]    seconds to wait after the feed ends for the stream to commit every offset
#   BENCH_STREAM_TRIGGER [1]    stream.trigger_seconds;  BENCH_STREAM_WATERMARK [1]  stream.watermark_seconds
#   BENCH_STREAM_PARTITIONS [2] partitions of each benchmark topic (= the local[2] task slots)
#   BENCH_STREAM_MODEL [fosm-bench-stream]  registered model whose champion scores (trained here when missing)
#   BENCH_STREAM_CONF []        extra "--conf key=value ..." for fosm stream
#   BENCH_OUT [bench/out]       results go to $BENCH_OUT/stream (results.json, logs, one lakehouse per rate);
#                               $BENCH_OUT/results.json of bench/run.sh, when present, gives the gold figure
#   MLFLOW_TRACKING_URI [http://127.0.0.1:5055]  a running server is reused, else bin/mlflow-server starts one
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
rates="${BENCH_STREAM_CHANNELS:-250 500 1000 2000 4000}"
run_all="${BENCH_STREAM_ALL:-0}"
seconds="${BENCH_STREAM_SECONDS:-90}"
warmup="${BENCH_STREAM_WARMUP:-20}"
drain="${BENCH_STREAM_DRAIN:-120}"
trigger="${BENCH_STREAM_TRIGGER:-1}"
watermark="${BENCH_STREAM_WATERMARK:-1}"
partitions="${BENCH_STREAM_PARTITIONS:-2}"
model="${BENCH_STREAM_MODEL:-fosm-bench-stream}"
bench_out="$(mkdir -p "${BENCH_OUT:-bench/out}" && cd "${BENCH_OUT:-bench/out}" && pwd)"
out="$bench_out/stream"
py="$root/.venv/bin/python"
[[ -x "$py" ]] || { echo "bench-stream: no .venv: run 'make venv' first" >&2; exit 2; }
jar="${FOSM_JAR:-$(ls "$root"/jobs/target/fosm-jobs-*-all.jar 2>/dev/null | head -1)}"
[[ -n "$jar" ]] || { echo "bench-stream: no shaded jar: run 'make build' first" >&2; exit 2; }
export SPARK_HOME="${SPARK_HOME:-$("$py" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')}"
export MLFLOW_TRACKING_URI="${MLFLOW_TRACKING_URI:-http://127.0.0.1:5055}"
# the job's configuration loader rejects FOSM_MASTER (an unknown FOSM_* key): the master goes to spark-submit
unset FOSM_MASTER
# so do bin/kafka's own settings (FOSM_KAFKA_PORT, ...: another port for a second broker): they go to bin/kafka only
kafka_env=()
for v in $(compgen -e | grep '^FOSM_KAFKA_' || true); do
    kafka_env+=("$v=${!v}")
    unset "$v"
done
kafka() { env ${kafka_env[@]+"${kafka_env[@]}"} bin/kafka "$@"; }
mkdir -p "$out/logs"

stream_pid=""
started_kafka=0
cleanup() {
    if [[ -n "$stream_pid" ]] && kill -0 "$stream_pid" 2>/dev/null; then
        kill -TERM "$stream_pid" 2>/dev/null || true
        wait "$stream_pid" 2>/dev/null || true
    fi
    if (( started_kafka )); then kafka stop >/dev/null || true; fi
}
trap cleanup EXIT

echo "== kafka"
if ! kafka status >/dev/null 2>&1; then
    kafka start
    started_kafka=1
fi
bootstrap="$(kafka bootstrap)"

echo "== mlflow at $MLFLOW_TRACKING_URI, champion of $model"
if ! "$py" - "$MLFLOW_TRACKING_URI/health" <<'PY' >/dev/null 2>&1
import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=3)
PY
then
    bin/mlflow-server start
fi
if ! "$py" bench/stream_report.py champion --uri "$MLFLOW_TRACKING_URI" --model "$model"; then
    echo "== training a champion for $model (64 channels x 120 s; rf only, no search)"
    tl="$out/train-lake" && rm -rf "$tl"
    conf=(--conf "mlflow.model_name=$model")
    bin/fosm generate --out "$tl" --fiber-id fiber-1 --channels 64 --duration 120 --seed 7 > "$out/logs/train.log" 2>&1
    for step in bronze silver gold; do
        FOSM_LAKEHOUSE_ROOT="$tl" bin/fosm "$step" "${conf[@]}" >> "$out/logs/train.log" 2>&1 \
            || { tail -30 "$out/logs/train.log"; exit 1; }
    done
    FOSM_LAKEHOUSE_ROOT="$tl" bin/fosm train "${conf[@]}" --conf train.search=false --conf train.models=rf \
        --conf train.anomaly=false >> "$out/logs/train.log" 2>&1 || { tail -30 "$out/logs/train.log"; exit 1; }
    FOSM_LAKEHOUSE_ROOT="$tl" bin/fosm promote "${conf[@]}" >> "$out/logs/train.log" 2>&1 \
        || { tail -30 "$out/logs/train.log"; exit 1; }
    "$py" bench/stream_report.py champion --uri "$MLFLOW_TRACKING_URI" --model "$model"
fi

rm -f "$out"/measure-c*.json
for channels in $rates; do
    lake="$out/c$channels" && rm -rf "$lake" && mkdir -p "$lake"
    topic="bench-c$channels-$(date +%s)"
    log="$out/logs/stream-c$channels.log"
    echo "== $channels channels = $((channels * 1000)) samples/s, $seconds s live, topic $topic"
    kafka topic "$topic" "$partitions" >/dev/null
    checkpoint="$lake/_checkpoints/stream"
    FOSM_LAKEHOUSE_ROOT="$lake" FOSM_SPARK_SUBMIT_ARGS="--master local[2]" bin/fosm stream \
        --conf stream.source=kafka --conf "stream.kafka.bootstrap_servers=$bootstrap" \
        --conf "stream.kafka.topic=$topic" --conf stream.kafka.starting_offsets=earliest \
        --conf "stream.checkpoint=$checkpoint" --conf "stream.trigger_seconds=$trigger" \
        --conf "stream.watermark_seconds=$watermark" --conf "fiber.fiber-1.channels=$channels" \
        --conf "mlflow.model_name=$model" ${BENCH_STREAM_CONF:-} > "$log" 2>&1 &
    stream_pid=$!
    # the feed begins once the first (empty) micro-batch is committed: query start-up (planning, state stores, the
    # champion's first load) is not part of the live latency; under load it can take a minute
    for _ in $(seq 1 600); do
        [[ -f "$checkpoint/commits/0" ]] && break
        kill -0 "$stream_pid" 2>/dev/null || { echo "fosm stream exited early; log tail ($log):" >&2; tail -30 "$log" >&2; exit 1; }
        sleep 0.5
    done
    [[ -f "$checkpoint/commits/0" ]] || { echo "fosm stream committed no batch within 300 s ($log)" >&2; exit 1; }
    bin/fosm replay --out "$lake" --bootstrap "$bootstrap" --topic "$topic" --channels "$channels" \
        --duration "$seconds" --seed 11 > "$out/logs/replay-c$channels.log" 2>&1 \
        || { tail -20 "$out/logs/replay-c$channels.log"; exit 1; }
    grep -E '^replayed' "$out/logs/replay-c$channels.log"
    expect=$((channels * seconds))
    drained=0
    for _ in $(seq 1 "$drain"); do
        if "$py" bench/stream_report.py drained --checkpoint "$checkpoint" --topic "$topic" --expect "$expect" >/dev/null; then
            drained=1
            break
        fi
        kill -0 "$stream_pid" 2>/dev/null || { echo "fosm stream died; log tail ($log):" >&2; tail -30 "$log" >&2; exit 1; }
        sleep 1
    done
    "$py" bench/stream_report.py drained --checkpoint "$checkpoint" --topic "$topic" --expect "$expect" || true
    kill -TERM "$stream_pid" 2>/dev/null || true
    wait "$stream_pid" 2>/dev/null || true
    stream_pid=""
    "$py" bench/stream_report.py measure --lake "$lake" --jar "$jar" --channels "$channels" --seconds "$seconds" \
        --warmup "$warmup" --trigger-seconds "$trigger" --drained "$drained" --out "$out/measure-c$channels.json" \
        --chunk-seconds 1 --log "$log" > "$out/logs/measure-c$channels.log" 2>&1 \
        || { tail -30 "$out/logs/measure-c$channels.log"; exit 1; }
    keeps_up="$("$py" -c 'import json,sys; print(int(bool(json.load(open(sys.argv[1])).get("keeps_up"))))' \
        "$out/measure-c$channels.json")"
    echo "   keeps up: $keeps_up ($out/measure-c$channels.json)"
    if [[ "$keeps_up" != 1 && "$run_all" != 1 ]]; then
        echo "== $channels channels did not keep up: higher rates not run (BENCH_STREAM_ALL=1 runs them)"
        break
    fi
done

echo "== results ($out/results.json)"
"$py" bench/stream_report.py summarize --out "$out" --gold-results "$bench_out/results.json"
