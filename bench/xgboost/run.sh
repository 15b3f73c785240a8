#!/usr/bin/env bash
# XGBoost benchmark (issue 3 item 8; figures in docs/benchmarks.md): Spark XGBoost (xgboost4j-spark, local[2]) vs the
# Python xgboost package (hist) on the same gold features exported to Parquet, timed in one run.
#   1. generate a labelled fiber, bronze -> silver -> gold (reused when the same fiber is there)
#   2. XgboostBench (spark-submit): time split as `fosm train`, export train/eval Parquet, train + evaluate, timed
#   3. xgboost_peer.py: the same Parquet, rounds, depth, eta, weights and thread count, timed
# Environment: BENCH_XGB_CHANNELS [64] BENCH_XGB_DURATION [300] s BENCH_XGB_ROUNDS [100] BENCH_OUT [bench/out]
#   MVN_FLAGS [] (e.g. -o)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
channels="${BENCH_XGB_CHANNELS:-64}"
duration="${BENCH_XGB_DURATION:-300}"
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

echo "== Spark: xgboost4j-spark at local[2] (2 workers x 1 thread), $rounds rounds"
"$SPARK_HOME/bin/spark-submit" --master 'local[2]' --driver-memory 4g --class io.fosm.bench.XgboostBench \
  --conf spark.sql.shuffle.partitions=4 --conf spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension \
  --conf spark.sql.catalog.spark_catalog=org.apache.spark.sql.delta.catalog.DeltaCatalog --jars "$jar" bench/xgboost/target/fosm-bench-xgboost-*.jar \
  "$lake/gold/features" "$out" "$rounds" 2 42 > "$out/logs/spark.log" 2>&1 || { tail -30 "$out/logs/spark.log"; exit 1; }
tail -1 "$out/logs/spark.log"

echo "== Python: xgboost $("$py" -c 'import xgboost; print(xgboost.__version__)') (hist), 2 threads, $rounds rounds"
"$py" bench/xgboost/xgboost_peer.py "$out" "$rounds" 2 42

"$py" - "$out" <<'PY'
import json, sys
out = sys.argv[1]
s = json.load(open(f"{out}/spark.json")); p = json.load(open(f"{out}/python.json"))
ratio = s["fit_seconds"] / p["fit_seconds"]
res = {"spark": s, "python": p, "time_ratio_spark_over_python": round(ratio, 2),
       "macro_f1_difference": round(s["macro_f1"] - p["macro_f1"], 4)}
json.dump(res, open(f"{out}/results.json", "w"), indent=1)
print(f"\n{'':28}{'Spark local[2]':>16}{'Python xgboost':>16}")
print(f"{'fit seconds':28}{s['fit_seconds']:>16.2f}{p['fit_seconds']:>16.2f}")
print(f"{'macro-F1 (evaluation range)':28}{s['macro_f1']:>16.3f}{p['macro_f1']:>16.3f}")
print(f"time ratio Spark / Python: {ratio:.2f}x (aim <= 2x); macro-F1 difference {res['macro_f1_difference']:+.4f}")
print(f"results: {out}/results.json")
PY
