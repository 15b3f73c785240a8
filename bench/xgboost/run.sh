#!/usr/bin/env bash
# XGBoost benchmark (issue 3 item 8; figures in docs/benchmarks.md): Spark XGBoost (xgboost4j-spark, local[2]) vs the
# Python xgboost package (hist) on the same gold features exported to Parquet, timed in one run.
#   1. generate a labelled fiber, bronze -> silver -> gold (reused when the same fiber is there)
#   2. XgboostBench (spark-submit), once per worker layout: time split as `fosm train`, export train/eval Parquet,
#      train + evaluate, timed. A layout WxT is W XGBoost workers of T threads each (spark.task.cpus = T, which
#      xgboost4j-spark requires); local[2] has two cores, so 1x2 and 2x1 both use the whole machine.
#   3. xgboost_peer.py: the same Parquet, rounds, depth, eta and weights, on 2 threads (and on 1 for reference), timed
# Environment: BENCH_XGB_CHANNELS [64] BENCH_XGB_DURATION [1200] s BENCH_XGB_ROUNDS [100]
#   BENCH_XGB_LAYOUTS ["1x2 1x1 2x1"] BENCH_OUT [bench/out] MVN_FLAGS [] (e.g. -o)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
channels="${BENCH_XGB_CHANNELS:-64}"
duration="${BENCH_XGB_DURATION:-1200}"
layouts="${BENCH_XGB_LAYOUTS:-1x2 1x1 2x1}"
rounds="${BENCH_XGB_ROUNDS:-100}"
out="$(mkdir -p "${BENCH_OUT:-bench/out}/xgboost" && cd "${BENCH_OUT:-bench/out}/xgboost" && pwd)"
py="$root/.venv/bin/python"
[[ -x "$py" ]] || { echo "bench: no .venv: run 'make venv' first" >&2; exit 2; }
export SPARK_HOME="${SPARK_HOME:-$("$py" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')}"
unset FOSM_MASTER

echo "== build: project (install: the bench module depends on fosm-lib) and bench/xgboost"
mvn -B -q ${MVN_FLAGS:-} install -DskipTests
mvn -B -q ${MVN_FLAGS:-} -f bench/xgboost/pom.xml package
jar="$(ls jobs/target/fosm-jobs-*-all.jar | head -1)"
mkdir -p "$out/logs"
lake="$out/lake"
params="channels=$channels duration=$duration seed=11 event_rate=8"
if [[ -f "$lake/.bench-params" && "$(cat "$lake/.bench-params")" == "$params" && -d "$lake/gold/features/_delta_log" ]]; then
  echo "== reusing the labelled fiber and gold table in $lake ($params)"
else
  echo "== generate ($params), bronze, silver, gold"
  rm -rf "$lake"
  bin/fosm generate --out "$lake" --fiber-id demo --channels "$channels" --duration "$duration" --seed 11 \
    --event-rate 8 > "$out/logs/generate.log" 2>&1
  for stage in bronze silver gold; do
    FOSM_LAKEHOUSE_ROOT="$lake" bin/fosm "$stage" > "$out/logs/$stage.log" 2>&1 || { tail -20 "$out/logs/$stage.log"; exit 1; }
    grep -E "^$stage:" "$out/logs/$stage.log" || true
  done
  echo "$params" > "$lake/.bench-params"
fi

for layout in $layouts; do
  workers="${layout%x*}"; threads="${layout#*x}"
  echo "== Spark: xgboost4j-spark at local[2], $workers worker(s) x $threads thread(s), $rounds rounds"
  "$SPARK_HOME/bin/spark-submit" --master 'local[2]' --driver-memory 4g --class io.fosm.bench.XgboostBench \
    --conf spark.task.cpus="$threads" --conf spark.sql.shuffle.partitions=4 \
    --conf spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension \
    --conf spark.sql.catalog.spark_catalog=org.apache.spark.sql.delta.catalog.DeltaCatalog --jars "$jar" \
    bench/xgboost/target/fosm-bench-xgboost-*.jar "$lake/gold/features" "$out" "$rounds" "$workers" 42 \
    > "$out/logs/spark-$layout.log" 2>&1 || { tail -30 "$out/logs/spark-$layout.log"; exit 1; }
  mv "$out/spark.json" "$out/spark-$layout.json"
  tail -1 "$out/logs/spark-$layout.log"
done

version="$("$py" -c 'import xgboost; print(xgboost.__version__)')"
echo "== Python: xgboost $version (hist), 1 thread (reference), $rounds rounds"
"$py" bench/xgboost/xgboost_peer.py "$out" "$rounds" 1 42 && mv "$out/python.json" "$out/python-1.json"
echo "== Python: xgboost $version (hist), 2 threads, $rounds rounds"
"$py" bench/xgboost/xgboost_peer.py "$out" "$rounds" 2 42

"$py" - "$out" $layouts <<'PY'
import json, sys
out, layouts = sys.argv[1], sys.argv[2:]
p = json.load(open(f"{out}/python.json")); p1 = json.load(open(f"{out}/python-1.json"))
spark = {l: json.load(open(f"{out}/spark-{l}.json")) for l in layouts}
best = min(layouts, key=lambda l: spark[l]["fit_seconds"])
res = {"python": p, "python_1_thread": p1, "spark": spark, "best_layout": best,
       "time_ratio_spark_over_python": {l: round(s["fit_seconds"] / p["fit_seconds"], 2) for l, s in spark.items()},
       "macro_f1_difference": {l: round(s["macro_f1"] - p["macro_f1"], 4) for l, s in spark.items()}}
json.dump(res, open(f"{out}/results.json", "w"), indent=1)
print(f"\n{p['train_rows']} training rows, {p['eval_rows']} evaluation rows, {p['features']} features")
print(f"{'':34}{'fit seconds':>12}{'macro-F1':>10}{'x Python':>10}")
for l in layouts:
    s = spark[l]
    w, t = l.split("x")
    print(f"{'Spark local[2], ' + w + ' worker(s) x ' + t:34}{s['fit_seconds']:>12.2f}{s['macro_f1']:>10.3f}"
          f"{s['fit_seconds'] / p['fit_seconds']:>10.2f}")
print(f"{'Python xgboost, 2 threads':34}{p['fit_seconds']:>12.2f}{p['macro_f1']:>10.3f}{1:>10.2f}")
print(f"{'Python xgboost, 1 thread':34}{p1['fit_seconds']:>12.2f}{p1['macro_f1']:>10.3f}"
      f"{p1['fit_seconds'] / p['fit_seconds']:>10.2f}")
print(f"best Spark layout {best}: {spark[best]['fit_seconds'] / p['fit_seconds']:.2f}x Python's time (aim <= 2x); "
      f"macro-F1 difference {spark[best]['macro_f1'] - p['macro_f1']:+.4f}")
print(f"results: {out}/results.json")
PY
