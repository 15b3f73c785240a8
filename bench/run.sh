#!/usr/bin/env bash
# fosm benchmarks (docs/benchmarks.md): raw single-thread DSP (JMH), the gold job at local[1] and local[2], and the
# numpy/scipy peer, on one generated fiber. Called by `make bench`; works from a fresh clone after `make venv build`.
# Environment (defaults in brackets):
#   BENCH_CHANNELS [256]  BENCH_DURATION [120] s   the benchmark fiber (1 kHz); 256 x 120 s = 30.7 M samples
#   BENCH_RUNS [3]        timed runs of each gold master and of the numpy peer (median reported); JMH forks
#   BENCH_OUT [bench/out] work folder and results (results.json, logs, Spark event logs)
#   BENCH_FRESH [0]       1 = regenerate the fiber and rebuild bronze/silver even if the same fiber is there
#   BENCH_LOOP_WINDOWS [4000]  windows timed in the numpy per-window loop (0 = all; it is ~80x slower)
#   MVN_FLAGS []          extra Maven flags, e.g. -o when ~/.m2 already holds everything
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
channels="${BENCH_CHANNELS:-256}"
duration="${BENCH_DURATION:-120}"
runs="${BENCH_RUNS:-3}"
out="$(mkdir -p "${BENCH_OUT:-bench/out}" && cd "${BENCH_OUT:-bench/out}" && pwd)"
loop_windows="${BENCH_LOOP_WINDOWS:-4000}"
py="$root/.venv/bin/python"
[[ -x "$py" ]] || { echo "bench: no .venv: run 'make venv' first" >&2; exit 2; }
export SPARK_HOME="${SPARK_HOME:-$("$py" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')}"
# bin/fosm reads FOSM_MASTER itself, but the job's configuration loader rejects it as an unknown FOSM_* key, so the
# master is passed as a spark-submit argument instead (a later --master wins in spark-submit)
unset FOSM_MASTER
# the numpy peer is one process on one core
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1

echo "== build: project (install: the JMH module depends on fosm-lib) and bench/jmh"
mvn -B -q ${MVN_FLAGS:-} install -DskipTests
mvn -B -q ${MVN_FLAGS:-} -f bench/jmh/pom.xml package
mkdir -p "$out/logs"

lake="$out/lake"
params="channels=$channels duration=$duration seed=7 fault_rate=0"
if [[ "${BENCH_FRESH:-0}" != 1 && -f "$lake/.bench-params" && "$(cat "$lake/.bench-params")" == "$params" \
      && -d "$lake/silver/chunks/_delta_log" ]]; then
  echo "== reusing the benchmark fiber and silver table in $lake ($params; BENCH_FRESH=1 rebuilds)"
else
  echo "== generate ($params), bronze, silver"
  rm -rf "$lake"
  bin/fosm generate --out "$lake" --fiber-id fiber-1 --channels "$channels" --duration "$duration" --seed 7 \
    --fault-rate 0 2>&1 | tee "$out/logs/generate.log" | grep -v ' WARN '
  FOSM_LAKEHOUSE_ROOT="$lake" bin/fosm bronze 2>&1 | tee "$out/logs/bronze.log" | grep -E '^bronze:'
  FOSM_LAKEHOUSE_ROOT="$lake" bin/fosm silver 2>&1 | tee "$out/logs/silver.log" | grep -E '^silver:'
  echo "$params" > "$lake/.bench-params"
fi

echo "== (a) raw single-thread DSP: JMH, $runs forks"
java -jar bench/jmh/target/benchmarks.jar DspBench -p landing="$lake/landing" -f "$runs" -wi 3 -w 1 -i 5 -r 1 \
  -prof gc -rf json -rff "$out/jmh.json" > "$out/logs/jmh.log" 2>&1 || { tail -30 "$out/logs/jmh.log"; exit 1; }
grep -E '^DspBench\.' "$out/logs/jmh.log" || true

echo "== (b) gold job end to end at local[1] and local[2], $runs runs each (same silver table)"
rm -rf "$out/events" && mkdir -p "$out/events"
for master in 1 2; do
  for r in $(seq 1 "$runs"); do
    ev="$out/events/local$master-run$r" && mkdir -p "$ev"
    t0=$(date +%s%N)
    FOSM_LAKEHOUSE_ROOT="$lake" FOSM_SPARK_SUBMIT_ARGS="--master local[$master] --conf spark.eventLog.enabled=true --conf spark.eventLog.dir=file://$ev" \
      bin/fosm gold > "$out/logs/gold-local$master-run$r.log" 2>&1 || { tail -30 "$out/logs/gold-local$master-run$r.log"; exit 1; }
    t1=$(date +%s%N)
    echo "process_wall_ns $((t1 - t0))" >> "$out/logs/gold-local$master-run$r.log"
    echo "local[$master] run $r: $(grep -E '^gold:' "$out/logs/gold-local$master-run$r.log")"
  done
done

echo "== (c) numpy/scipy peer, one process"
"$py" bench/numpy_features.py --landing "$lake/landing" --repeat "$runs" --loop-windows "$loop_windows" \
  --out "$out/numpy.json"

echo "== results"
"$py" bench/report.py --out "$out" --runs "$runs"
