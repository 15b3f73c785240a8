#!/usr/bin/env python3
"""Where a stage's time goes, from what `make bench-scale` keeps (docs/benchmarks.md, "Scale").

  python bench/spark_profile.py jobs EVENTS_DIR
      the Spark jobs of one stage in order: start (s after the application start), wall time, tasks, executor CPU
      and run time, and the job's description (`bench/out/scale/events/<size>-local<k>/<stage>/`)
  python bench/spark_profile.py jfr EVENTS_DIR JFR_FILE [JOB_IDS]
      the executor threads' Java Flight Recorder samples (BENCH_SCALE_JFR=1) during each job, by what they were
      doing (DSP, Parquet, Delta statistics, sort, shuffle, row (de)serialisation, ...); JOB_IDS like 8,12 (default:
      the jobs with at least 2 s of executor CPU)

Uses the JDK's `jfr` tool. A sample is one executor thread on the CPU at one instant; compare shares, not counts.
"""
import collections
import datetime
import glob
import json
import os
import subprocess
import sys

CATEGORIES = [  # first match wins: (label, any of these in the stack's class.method names)
    ("motion", ("SpatialMotion",)),
    ("dsp", ("FeatureExtractor", "DoubleFFT", "SpectralFeatures")),
    ("temporal context", ("TemporalContext",)),
    ("delta statistics", ("DeltaTaskStatisticsTracker",)),
    ("parquet write", ("ParquetWriteSupport", "ColumnWriter", "DictionaryValuesWriter", "ParquetRecordWriter")),
    ("parquet read", ("VectorizedParquetRecordReader", "VectorizedColumnReader", "ParquetFileReader")),
    ("sort", ("UnsafeExternalSorter", "UnsafeInMemorySorter", "UnsafeExternalRowSorter", "TimSort")),
    ("row serialiser (external Row -> UnsafeRow)", ("serializefromobject",)),
    ("shuffle write", ("ShuffleWriter", "DiskBlockObjectWriter")),
    ("shuffle read", ("ShuffleBlockFetcherIterator", "BlockStoreShuffleReader", "LZ4")),
    ("row deserialiser", ("createExternalRow", "SafeProjection", "deserializetoobject")),
    ("chunk codec / samples", ("ChunkCodec", "Samples.", "Bronze.decodeFile")),
    ("class loading", ("ClassLoader.loadClass", "ZipFile")),
]


def jobs_of(events_dir):
    path = glob.glob(os.path.join(events_dir, "*"))[0]
    jobs, stage_job, start = {}, {}, None
    cpu, run, tasks = collections.Counter(), collections.Counter(), collections.Counter()
    with open(path) as f:
        for line in f:
            e = json.loads(line)
            kind = e["Event"]
            if kind == "SparkListenerApplicationStart":
                start = e["Timestamp"]
            elif kind == "SparkListenerJobStart":
                desc = (e.get("Properties") or {}).get("spark.job.description") or ""
                jobs[e["Job ID"]] = {"start": e["Submission Time"], "end": None, "description": desc}
                for s in e["Stage IDs"]:
                    stage_job[s] = e["Job ID"]
            elif kind == "SparkListenerJobEnd":
                jobs[e["Job ID"]]["end"] = e["Completion Time"]
            elif kind == "SparkListenerTaskEnd":
                j = stage_job.get(e["Stage ID"])
                m = e.get("Task Metrics") or {}
                cpu[j] += m.get("Executor CPU Time", 0) / 1e9
                run[j] += m.get("Executor Run Time", 0) / 1e3
                tasks[j] += 1
    for j, d in jobs.items():
        d.update(cpu_s=cpu[j], run_s=run[j], tasks=tasks[j], at_s=(d["start"] - start) / 1e3,
                 wall_s=((d["end"] or d["start"]) - d["start"]) / 1e3)
    return jobs


def print_jobs(events_dir):
    jobs = jobs_of(events_dir)
    for j, d in sorted(jobs.items()):
        print(f"job {j:3d} at {d['at_s']:7.1f} s  wall {d['wall_s']:6.1f} s  tasks {d['tasks']:4d}  "
              f"task CPU {d['cpu_s']:6.1f} s  run {d['run_s']:6.1f} s  {d['description'][:80]}")
    print(f"total task CPU {sum(d['cpu_s'] for d in jobs.values()):.1f} s")


def millis(iso):
    return datetime.datetime.fromisoformat(iso.replace("Z", "")[:26]).replace(
        tzinfo=datetime.timezone.utc).timestamp() * 1000


def print_jfr(events_dir, jfr_file, job_ids):
    jobs = jobs_of(events_dir)
    ids = [int(x) for x in job_ids.split(",")] if job_ids else sorted(j for j, d in jobs.items() if d["cpu_s"] >= 2)
    out = subprocess.run(["jfr", "print", "--json", "--events", "jdk.ExecutionSample", jfr_file],
                         capture_output=True, text=True, check=True).stdout
    samples = []
    for e in json.loads(out)["recording"]["events"]:
        v = e["values"]
        if not (v["sampledThread"]["javaName"] or "").startswith("Executor task") or not v["stackTrace"]:
            continue
        names = [f["method"]["type"]["name"].split("/")[-1] + "." + f["method"]["name"] for f in v["stackTrace"]["frames"]]
        samples.append((millis(v["startTime"]), names))
    for j in ids:
        d = jobs[j]
        counts, n = collections.Counter(), 0
        for t, names in samples:
            if d["start"] <= t <= (d["end"] or d["start"]):
                n += 1
                text = " ".join(names)
                counts[next((label for label, keys in CATEGORIES if any(k in text for k in keys)),
                            "other: " + names[0])] += 1
        print(f"job {j} ({d['description'][:60]}): {n} samples, task CPU {d['cpu_s']:.1f} s")
        for label, c in counts.most_common(12):
            print(f"  {100 * c / max(n, 1):5.1f} %  {label}")


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "jobs":
        print_jobs(sys.argv[2])
    elif len(sys.argv) >= 4 and sys.argv[1] == "jfr":
        print_jfr(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else None)
    else:
        print(__doc__)
        sys.exit(2)
