#!/usr/bin/env bash
# Reader throughput (samples/s on one core): fosm's Java readers (io.fosm.ingest) vs h5py / npTDMS / segyio reading
# the same real files into numpy. Called by `make bench-readers`; results in docs/benchmarks.md.
# Environment: BENCH_RUNS [7] timed reads per file (median), BENCH_WARMUP [10] untimed reads first (JIT, page cache),
#   FOSM_DAS_SAMPLES: folder of the sample files (default ../shared/das-samples, else .cache/das-samples).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
runs="${BENCH_RUNS:-7}"
warmup="${BENCH_WARMUP:-10}"
samples="${FOSM_DAS_SAMPLES:-}"
[[ -n "$samples" ]] || for d in ../shared/das-samples .cache/das-samples; do [[ -f "$d/prodml_2.0.h5" ]] && { samples="$d"; break; }; done
[[ -n "$samples" && -f "$samples/prodml_2.0.h5" ]] || { echo "bench-readers: no DAS sample files: run 'make das-samples'" >&2; exit 2; }
files="prodml_2.0.h5 iDAS005_hdf5_example.626.h5 iDAS005_tdms_example.626.tdms terra15_v5_test_file.hdf5 febus_2.h5 ap_sensing_1.hdf5 decimated_optodas.hdf5 small_channel_patch.sgy"
# compile only (no install: ~/.m2 is not touched)
mvn -B -q ${MVN_FLAGS:-} -pl lib compile
cp="$root/lib/target/classes:$(mvn -B -q ${MVN_FLAGS:-} -pl lib dependency:build-classpath -Dmdep.outputFile=/dev/stdout)"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
echo "== fosm Java readers (one thread): file format samples open+read_s open+read_samples/s read_s read_samples/s"
taskset -c 0 java -XX:ActiveProcessorCount=1 -cp "$cp" bench/readers/ReaderBench.java "$samples" "$runs" "$warmup" $files 2>/dev/null
echo "== Python peer (h5py / npTDMS / segyio into numpy, open+read): file library samples median_s samples_per_s"
taskset -c 0 .venv/bin/python bench/readers/python_peer.py "$samples" "$runs" "$warmup" $files 2>/dev/null
