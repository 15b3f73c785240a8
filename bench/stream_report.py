#!/usr/bin/env python3
"""Helpers of bench/stream.sh (docs/benchmarks.md, "Streaming from Kafka").

  champion  --uri URI --model NAME                     exit 0 when the model has a 'champion' alias
  drained   --checkpoint DIR --topic T --expect N      exit 0 when the stream committed a batch up to N offsets
  measure   --lake DIR --jar JAR --channels C --seconds S --warmup W --out FILE.json
            reads stream_scores / stream_dead_letter (Delta, through pyspark with the fosm jar on the classpath)
  summarize --out DIR [--gold-results FILE]             table + DIR/results.json over every measure file

Latency of a window = scored_at - window_end: from the event time of the window's last sample until its score was
committed to stream_scores. The live replay sends a chunk when its last sample is due, so this includes the wait for
the chunk to complete (up to chunk_seconds), the trigger interval, the stream's watermark and the processing.
"""
import argparse
import glob
import json
import os
import sys
import urllib.parse
import urllib.request


def champion(a):
    q = urllib.parse.urlencode({"name": a.model, "alias": "champion"})
    try:
        with urllib.request.urlopen("%s/api/2.0/mlflow/registered-models/alias?%s" % (a.uri.rstrip("/"), q),
                                    timeout=10) as r:
            version = json.load(r)["model_version"]["version"]
            print("champion of %s is version %s" % (a.model, version))
            return 0
    except Exception as e:  # 404 (no such model or alias) or the server is down: both mean "no champion here"
        print("no champion of %s at %s (%s)" % (a.model, a.uri, e))
        return 1


def committed_offsets(checkpoint, topic):
    """Sum of the Kafka offsets the last committed micro-batch read up to, or -1 before the first commit."""
    commits = [int(os.path.basename(p)) for p in glob.glob(os.path.join(checkpoint, "commits", "*"))
               if os.path.basename(p).isdigit()]
    if not commits:
        return -1
    with open(os.path.join(checkpoint, "offsets", str(max(commits)))) as fh:
        lines = [l for l in fh.read().splitlines() if l.strip()]
    # offsets/N: "v1", the batch metadata, then one JSON line per source ({"topic": {"partition": offset}})
    for line in lines[2:]:
        src = json.loads(line)
        if isinstance(src, dict) and topic in src:
            return sum(int(v) for v in src[topic].values())
    return -1


def drained(a):
    done = committed_offsets(a.checkpoint, a.topic)
    print("committed %d of %d offsets" % (max(done, 0), a.expect))
    return 0 if done >= a.expect else 1


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    k = (len(sorted_values) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def measure(a):
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F
    spark = (SparkSession.builder.master("local[1]").appName("fosm-bench-stream-measure")
             .config("spark.jars", a.jar)
             .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
             .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
             .config("spark.databricks.delta.snapshotPartitions", "2")
             .config("spark.sql.shuffle.partitions", "2")
             .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    scores = spark.read.format("delta").load(os.path.join(a.lake, "stream", "scores"))
    # one row per window: latency in seconds, event time of the window end relative to the first window
    rows = (scores.select(
        F.col("window_end").cast("double").alias("end"),
        F.col("window_start").cast("double").alias("start"),
        (F.col("scored_at").cast("double") - F.col("window_end").cast("double")).alias("latency"),
        F.col("scored_at").cast("double").alias("scored"))
        .orderBy("end").collect())  # a few hundred thousand small rows at most: the bench's own aggregation
    dead = {}
    dl_path = os.path.join(a.lake, "stream", "dead_letter")
    if os.path.isdir(os.path.join(dl_path, "_delta_log")):
        for r in spark.read.format("delta").load(dl_path).groupBy("reason").count().collect():
            dead[r["reason"]] = r["count"]
    spark.stop()
    if not rows:
        res = {"channels": a.channels, "offered_samples_per_s": a.channels * a.fs, "windows": 0, "dead_letters": dead,
               "drained": bool(a.drained), "error": "stream_scores is empty"}
    else:
        t0 = rows[0]["start"]
        steady = [r for r in rows if r["end"] >= t0 + a.warmup]
        lat = sorted(r["latency"] for r in steady)
        third = max(1, len(steady) // 3)
        first = sorted(r["latency"] for r in steady[:third])
        last = sorted(r["latency"] for r in steady[-third:])
        # wall time from the feed's first sample (live: event time = wall time) to the last committed score
        span = max(r["scored"] for r in rows) - t0
        hop = a.hop_seconds * a.fs
        batches = len(set(r["scored"] for r in rows))
        res = {
            "channels": a.channels,
            "offered_samples_per_s": a.channels * a.fs,
            "replay_seconds": a.seconds,
            "windows": len(rows),
            "expected_windows_approx": int(a.channels * a.seconds / a.hop_seconds),
            "steady_windows": len(steady),
            # new samples the scored windows cover, per second from the first sample to the last score: equals the
            # offered rate (minus the final latency) when the stream keeps up
            "processed_samples_per_s": len(rows) * hop / span if span > 0 else float("nan"),
            "scoring_batches": batches,
            "latency_p50_s": percentile(lat, 50),
            "latency_p95_s": percentile(lat, 95),
            "latency_max_s": lat[-1] if lat else float("nan"),
            "latency_p95_first_third_s": percentile(first, 95),
            "latency_p95_last_third_s": percentile(last, 95),
            "dead_letters": dead,
            "drained": bool(a.drained),
        }
        # bounded: the stream scored continuously (not one catch-up batch at the end), every offset was processed in
        # time, and the backlog did not grow (the last third is not much slower than the first)
        res["latency_bounded"] = bool(lat) and bool(a.drained) and batches >= max(3, a.seconds / (4 * a.trigger_seconds)) \
            and res["latency_p95_last_third_s"] <= 1.5 * res["latency_p95_first_third_s"] + a.trigger_seconds
    with open(a.out, "w") as fh:
        json.dump(res, fh, indent=2)
    print(json.dumps(res, indent=2))
    return 0


def gold_samples_per_s(path):
    if path and os.path.isfile(path):
        with open(path) as fh:
            g = json.load(fh)["gold"]["local[2]"]
        return g["samples_per_s"], "%s (gold local[2], %.1f s median)" % (path, g["median_seconds"])
    # docs/benchmarks.md, latest run: gold local[2] 52.0 s for 30.72 M samples
    return 591000.0, "docs/benchmarks.md latest run (gold local[2], 591 k samples/s); run bench/run.sh to re-measure"


def summarize(a):
    runs = []
    for p in sorted(glob.glob(os.path.join(a.out, "measure-c*.json")),
                    key=lambda p: int(os.path.basename(p)[len("measure-c"):-len(".json")])):
        with open(p) as fh:
            runs.append(json.load(fh))
    gold, gold_src = gold_samples_per_s(a.gold_results)
    bounded = [r for r in runs if r.get("latency_bounded") and r.get("drained", True)]
    best = max(bounded, key=lambda r: r["offered_samples_per_s"]) if bounded else None
    res = {"runs": runs, "gold_local2_samples_per_s": gold, "gold_source": gold_src,
           "highest_bounded_samples_per_s": best["offered_samples_per_s"] if best else None,
           "ratio_to_gold_local2": best["offered_samples_per_s"] / gold if best else None,
           "aim_1M_samples_per_s_p95_5s": bool(best and any(
               r["offered_samples_per_s"] >= 1e6 and r["latency_p95_s"] <= 5 for r in bounded))}
    with open(os.path.join(a.out, "results.json"), "w") as fh:
        json.dump(res, fh, indent=2)
    print("%8s %14s %14s %9s %9s %9s %8s %8s %8s  %s" % ("channels", "offered/s", "processed/s", "p50 s", "p95 s",
                                                        "max s", "batches", "bounded", "drained", "dead letters"))
    for r in runs:
        if "error" in r:
            print("%8d %14.0f  %s" % (r["channels"], r["offered_samples_per_s"], r["error"]))
            continue
        print("%8d %14.0f %14.0f %9.2f %9.2f %9.2f %8d %8s %8s  %s" % (
            r["channels"], r["offered_samples_per_s"], r["processed_samples_per_s"], r["latency_p50_s"],
            r["latency_p95_s"], r["latency_max_s"], r["scoring_batches"], r["latency_bounded"], r.get("drained", "?"),
            r["dead_letters"]))
    if best:
        print("highest rate with bounded latency: %.0f samples/s = %.2f x the batch gold job (%s)"
              % (best["offered_samples_per_s"], res["ratio_to_gold_local2"], gold_src))
    else:
        print("no run kept its latency bounded")
    print("aim (>= 1,000,000 samples/s with p95 <= 5 s at local[2]): %s" % (
        "met" if res["aim_1M_samples_per_s_p95_5s"] else "missed"))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("champion")
    c.add_argument("--uri", required=True)
    c.add_argument("--model", required=True)
    d = sub.add_parser("drained")
    d.add_argument("--checkpoint", required=True)
    d.add_argument("--topic", required=True)
    d.add_argument("--expect", type=int, required=True)
    m = sub.add_parser("measure")
    m.add_argument("--lake", required=True)
    m.add_argument("--jar", required=True)
    m.add_argument("--channels", type=int, required=True)
    m.add_argument("--seconds", type=float, required=True)
    m.add_argument("--warmup", type=float, default=20)
    m.add_argument("--fs", type=float, default=1000)
    m.add_argument("--hop-seconds", type=float, default=0.5)
    m.add_argument("--trigger-seconds", type=float, default=2)
    m.add_argument("--drained", type=int, default=1, help="1 when the stream processed every offset in time")
    m.add_argument("--out", required=True)
    s = sub.add_parser("summarize")
    s.add_argument("--out", required=True)
    s.add_argument("--gold-results")
    a = ap.parse_args()
    return {"champion": champion, "drained": drained, "measure": measure, "summarize": summarize}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
