#!/usr/bin/env bash
# Bronze end to end on real interrogator files (docs/benchmarks.md): a landing folder holding BENCH_BRONZE_COPIES
# fiber folders, each with one copy of every raw sample file (PRODML 2.0/2.1, TDMS, Terra15, Febus, AP Sensing,
# OptoDAS, SEG-Y), ingested by `fosm bronze` at local[N]; reports samples/s and samples/s per core from the job's own
# timing (the JVM and SparkSession start are not in it). Works after `make venv build das-samples`.
# Environment: BENCH_BRONZE_COPIES [8]  BENCH_BRONZE_MASTER [local[2]]  BENCH_OUT [bench/out]  FOSM_DAS_SAMPLES
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
copies="${BENCH_BRONZE_COPIES:-8}"
master="${BENCH_BRONZE_MASTER:-local[2]}"
cores="$(echo "$master" | sed -n 's/^local\[\([0-9]*\)\]$/\1/p')"; cores="${cores:-1}"
out="$(mkdir -p "${BENCH_OUT:-bench/out}" && cd "${BENCH_OUT:-bench/out}" && pwd)/bronze-real"
py="$root/.venv/bin/python"
[[ -x "$py" ]] || { echo "bench: no .venv: run 'make venv' first" >&2; exit 2; }
export SPARK_HOME="${SPARK_HOME:-$("$py" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')}"
samples=""
for d in "${FOSM_DAS_SAMPLES:-}" ../shared/das-samples .cache/das-samples; do
  [[ -n "$d" && -f "$d/prodml_2.0.h5" ]] && { samples="$d"; break; }
done
[[ -n "$samples" ]] || { echo "bench: no DAS sample files: run 'make das-samples' or set FOSM_DAS_SAMPLES" >&2; exit 2; }
files="prodml_2.0.h5 iDAS005_hdf5_example.626.h5 iDAS005_tdms_example.626.tdms terra15_v5_test_file.hdf5 febus_2.h5
  ap_sensing_1.hdf5 decimated_optodas.hdf5 small_channel_patch.sgy"
rm -rf "$out" && mkdir -p "$out/lakehouse/landing"
for i in $(seq 1 "$copies"); do
  mkdir -p "$out/lakehouse/landing/f$i"
  for f in $files; do cp "$samples/$f" "$out/lakehouse/landing/f$i/"; done
done
echo "== bronze on $copies x $(echo $files | wc -w) real files ($(du -sh "$out/lakehouse/landing" | cut -f1)) at $master"
unset FOSM_MASTER FOSM_DAS_SAMPLES
FOSM_LAKEHOUSE_ROOT="$out/lakehouse" FOSM_SPARK_SUBMIT_ARGS="--master $master" bin/fosm bronze 2>&1 \
  | grep -v ' WARN ' | tee "$out/bronze.log"
line="$(grep -E '^bronze: [0-9]+ files listed' "$out/bronze.log")"
rate="$(echo "$line" | sed -n 's/.*(\([0-9]*\) samples\/s).*/\1/p')"
echo "bronze-real: $rate samples/s at $master = $(( rate / cores )) samples/s per core"
