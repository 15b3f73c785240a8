#!/usr/bin/env python3
"""Helpers of bench/stream.sh (docs/benchmarks.md, "Streaming from Kafka").

  champion  --uri URI --model NAME                     exit 0 when the model has a 'champion' alias
  drained   --checkpoint DIR --topic T --expect N      exit 0 when the stream committed a batch up to N offsets
  measure   --lake DIR --jar JAR --channels C --seconds S --warmup W --out FILE.json
            reads stream_scores / stream_dead_letter (Delta, through pyspark with the fosm jar on the classpath)
  summarize --out DIR [--gold-results FILE]             table + DIR/results.json over every measure file

Latency of a window = commit time of its batch's stream_scores write (the Delta log file's time) - the time of the
last sample of the chunk that completed the window (chunk grid of the replay, --chunk-seconds): from the moment the
interrogator could send the chunk until a reader can see the score. It includes the arrival delay, the wait for the
trigger, the stream's watermark and the processing; not the wait for the chunk itself to fill (a window ending
mid-chunk waits for the rest of its chunk, up to chunk_seconds - hop more).
Processed rate = windows committed while the feed was live (after the warm-up) x hop samples / that wall time.
"""
import argparse
import glob
import math
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


def commit_times(table):
    """Delta commit time (the log file's modification time, seconds) of each stream batch id that wrote the table.

    The stream writes each batch with txnAppId/txnVersion = batch id, so the log's txn action names the batch; the
    commit is the moment the NNN.json file appears (Delta writes it atomically), i.e. when a reader can see the rows.
    """
    out = {}
    for p in glob.glob(os.path.join(table, "_delta_log", "*.json")):
        version = None
        with open(p) as fh:
            for line in fh:
                action = json.loads(line)
                if "txn" in action:
                    version = int(action["txn"]["version"])
        if version is not None:
            out[version] = os.path.getmtime(p)
    return out


def batch_profile(log):
    """Median milliseconds per micro-batch with input, from the stream's log lines: Spark's trigger phases
    ("stream: batch N: R rows in S s {addBatch=..., ...}") and the batch body's phases ("...; ms {score=..., ...}"),
    plus the arrival delay the stream measured (max over the run, median of the batch means)."""
    import re
    phases, spark, arrival_max, arrival_mean = {}, {}, [], []
    if not log or not os.path.isfile(log):
        return {}
    with open(log, errors="replace") as fh:
        for line in fh:
            m = re.search(r"; ms \{([^}]*)\}", line)
            w = re.match(r"stream: batch \d+: (\d+) windows scored", line)
            if m and w and int(w.group(1)) > 0:  # batches that scored something (not the empty start-up batch)
                for kv in m.group(1).split(", "):
                    k, v = kv.split("=")
                    phases.setdefault(k, []).append(float(v))
            m = re.match(r"stream: batch \d+: \d+ rows in [0-9.]+ s \{([^}]*)\}", line)
            if m:
                for kv in m.group(1).split(", "):
                    k, v = kv.split("=")
                    spark.setdefault(k, []).append(float(v))
                d = re.search(r"mean ([0-9.eE+-]+) s, max ([0-9.eE+-]+) s", line)
                if d:
                    arrival_mean.append(float(d.group(1)))
                    arrival_max.append(float(d.group(2)))
    med = lambda v: percentile(sorted(v), 50)
    return {"batches_with_input": len(spark.get("triggerExecution", [])),
            "spark_ms_median": {k: med(v) for k, v in sorted(spark.items())},
            "body_ms_median": {k: med(v) for k, v in phases.items()},
            "arrival_delay_max_s": max(arrival_max) if arrival_max else None,
            "arrival_delay_mean_median_s": med(arrival_mean) if arrival_mean else None}


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
    table = os.path.join(a.lake, "stream", "scores")
    scores = spark.read.format("delta").load(table)
    # windows per (batch, window end): the bench's own aggregation, a few thousand rows come back
    rows = (scores.groupBy("batch_id", F.col("window_end").cast("double").alias("end"))
            .agg(F.count(F.lit(1)).alias("n"), F.min(F.col("window_start").cast("double")).alias("start"))
            .collect())
    dead = {}
    dl_path = os.path.join(a.lake, "stream", "dead_letter")
    if os.path.isdir(os.path.join(dl_path, "_delta_log")):
        for r in spark.read.format("delta").load(dl_path).groupBy("reason").count().collect():
            dead[r["reason"]] = r["count"]
    spark.stop()
    commits = commit_times(table)
    profile = batch_profile(a.log)
    base = {"channels": a.channels, "offered_samples_per_s": a.channels * a.fs, "replay_seconds": a.seconds,
            "dead_letters": dead, "drained": bool(a.drained), "profile": profile}
    if not rows:
        res = dict(base, windows=0, error="stream_scores is empty")
    else:
        t0 = min(r["start"] for r in rows)  # the feed's first sample: window 0 starts at the first chunk
        chunk = a.chunk_seconds
        hop = a.hop_seconds * a.fs

        def chunk_end(end):
            # the chunk that holds the window's last sample ends on the chunk grid at or after the window's end
            return t0 + math.ceil((end - t0) / chunk - 1e-9) * chunk

        cells = []  # (chunk end, latency from it to the Delta commit, windows)
        for r in rows:
            c = commits.get(r["batch_id"])
            if c is not None:
                e = chunk_end(r["end"])
                cells.append((e, c - e, r["n"], c))
        cells.sort()
        steady = [x for x in cells if x[0] >= t0 + a.warmup]
        lat = weighted(steady)
        third = max(1, len(steady) // 3)
        first, last = weighted(steady[:third]), weighted(steady[-third:])
        windows = sum(x[2] for x in cells)
        # processed: windows committed while the feed was live after the warm-up, per second of that wall time (the
        # live replay keeps event time = wall time); equals the offered rate when the stream keeps up
        live = [x for x in cells if t0 + a.warmup <= x[3] <= t0 + a.seconds]
        live_s = a.seconds - a.warmup
        batches = len({r["batch_id"] for r in rows})
        res = dict(base)
        res.update({
            "windows": windows,
            "expected_windows_approx": int(a.channels * a.seconds / a.hop_seconds),
            "steady_windows": sum(x[2] for x in steady),
            "processed_samples_per_s": sum(x[2] for x in live) * hop / live_s if live_s > 0 else float("nan"),
            # the former figure: every scored window over the time from the first sample to the last commit
            "processed_incl_tail_samples_per_s": windows * hop / (max(commits.values()) - t0),
            "scoring_batches": batches,
            "latency_p50_s": percentile(lat, 50),
            "latency_p95_s": percentile(lat, 95),
            "latency_max_s": lat[-1] if lat else float("nan"),
            "latency_p95_first_third_s": percentile(first, 95),
            "latency_p95_last_third_s": percentile(last, 95),
        })
        # keeps up (capacity): every offset processed in time, scores committed all along (at least 3 batches, not one
        # catch-up batch at the end), the backlog did not grow (the last third is not much slower than the first) and
        # the processed rate is the offered one (5 % for batch granularity at the ends of the live period). A stream
        # whose micro-batches take longer than its trigger can still keep up: each batch then takes in more feed.
        res["keeps_up"] = bool(lat) and bool(a.drained) and batches >= 3 \
            and res["latency_p95_last_third_s"] <= 1.5 * res["latency_p95_first_third_s"] + a.trigger_seconds \
            and res["processed_samples_per_s"] >= 0.95 * res["offered_samples_per_s"]
        res["latency_bounded"] = res["keeps_up"]
        # at its trigger: the batches came about as often as the trigger asks (at least one per 4 trigger intervals),
        # i.e. a batch's own time is not what sets the latency
        res["at_trigger"] = res["keeps_up"] and batches >= a.seconds / (4 * a.trigger_seconds)
    with open(a.out, "w") as fh:
        json.dump(res, fh, indent=2)
    print(json.dumps(res, indent=2))
    return 0


def weighted(cells):
    """Latencies, one per scored window, sorted (cells: chunk end, latency, windows, commit)."""
    out = []
    for x in cells:
        out.extend([x[1]] * x[2])
    out.sort()
    return out


def gold_samples_per_s(path):
    if path and os.path.isfile(path):
        with open(path) as fh:
            g = json.load(fh)["gold"]["local[2]"]
        return g["samples_per_s"], "%s (gold local[2], %.1f s median)" % (path, g["median_seconds"])
    # else the scale benchmark's largest fiber beside it (make bench-scale: $BENCH_OUT/scale/results.json)
    scale = os.path.join(os.path.dirname(path or "."), "scale", "results.json")
    if os.path.isfile(scale):
        with open(scale) as fh:
            rows = [r for r in json.load(fh)["rows"]
                    if r["stage"] == "gold" and (r["runs"].get("local[2]") or {}).get("seconds")]
        if rows:
            def samples(size):  # c<channels>-s<seconds> at 1 kHz
                c, s = size[1:].split("-s")
                return int(c) * int(s) * 1000
            r = max(rows, key=lambda r: samples(r["size"]))
            sec = r["runs"]["local[2]"]["seconds"]
            return samples(r["size"]) / sec, "%s (gold local[2] on %s, %.1f s)" % (scale, r["size"], sec)
    # no gold measured beside this run: a figure from another run (or another day on a VM whose speed varies) would
    # not be a ratio measured side by side
    return None, ("no gold figure beside this run: run `make bench-scale` (or bench/run.sh) with the same BENCH_OUT"
                  " first for the ratio")


def summarize(a):
    runs = []
    for p in sorted(glob.glob(os.path.join(a.out, "measure-c*.json")),
                    key=lambda p: int(os.path.basename(p)[len("measure-c"):-len(".json")])):
        with open(p) as fh:
            runs.append(json.load(fh))
    gold, gold_src = gold_samples_per_s(a.gold_results)
    bounded = [r for r in runs if r.get("keeps_up", r.get("latency_bounded")) and r.get("drained", True)]
    best = max(bounded, key=lambda r: r["offered_samples_per_s"]) if bounded else None
    res = {"runs": runs, "gold_local2_samples_per_s": gold, "gold_source": gold_src,
           "highest_bounded_samples_per_s": best["offered_samples_per_s"] if best else None,
           "ratio_to_gold_local2": best["offered_samples_per_s"] / gold if best and gold else None,
           "goal_4M_samples_per_s_p95_5s": bool(best and any(
               r["processed_samples_per_s"] >= 4e6 and r["latency_p95_s"] <= 5 for r in bounded))}
    with open(os.path.join(a.out, "results.json"), "w") as fh:
        json.dump(res, fh, indent=2)
    print("%8s %14s %14s %9s %9s %9s %8s %8s %10s %8s %9s %9s  %s" % (
        "channels", "offered/s", "processed/s", "p50 s", "p95 s", "max s", "batches", "keeps_up", "at_trigger",
        "drained",
        "batch s", "arrive s", "dead letters"))
    for r in runs:
        if "error" in r:
            print("%8d %14.0f  %s" % (r["channels"], r["offered_samples_per_s"], r["error"]))
            continue
        prof = r.get("profile", {})
        trig = prof.get("spark_ms_median", {}).get("triggerExecution")
        print("%8d %14.0f %14.0f %9.2f %9.2f %9.2f %8d %8s %10s %8s %9s %9s  %s" % (
            r["channels"], r["offered_samples_per_s"], r["processed_samples_per_s"], r["latency_p50_s"],
            r["latency_p95_s"], r["latency_max_s"], r["scoring_batches"], r.get("keeps_up", r["latency_bounded"]),
            r.get("at_trigger", "?"), r.get("drained", "?"), "-" if trig is None else "%.2f" % (trig / 1000),
            "-" if prof.get("arrival_delay_max_s") is None else "%.2f" % prof["arrival_delay_max_s"],
            r["dead_letters"]))
    if best and gold:
        print("highest rate it keeps up with: %.0f samples/s = %.2f x the batch gold job (%s)"
              % (best["offered_samples_per_s"], res["ratio_to_gold_local2"], gold_src))
    elif best:
        print("highest rate it keeps up with: %.0f samples/s (%s)" % (best["offered_samples_per_s"], gold_src))
    else:
        print("no run kept up")
    print("(keeps_up: every offset processed at the offered rate with a latency that does not grow; at_trigger: and the"
          " batches came about as often as the trigger asks; batch s: median trigger execution of batches with input;"
          " arrive s: largest arrival delay measured)")
    print("goal (>= 4,000,000 samples/s processed with p95 <= 5 s at local[2]): %s" % (
        "met" if res["goal_4M_samples_per_s_p95_5s"] else "missed"))
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
    m.add_argument("--trigger-seconds", type=float, default=1)
    m.add_argument("--chunk-seconds", type=float, default=1, help="chunk length of the replay (its chunks' grid)")
    m.add_argument("--log", help="the stream's log: per-batch phase times and arrival delays")
    m.add_argument("--drained", type=int, default=1, help="1 when the stream processed every offset in time")
    m.add_argument("--out", required=True)
    s = sub.add_parser("summarize")
    s.add_argument("--out", required=True)
    s.add_argument("--gold-results")
    a = ap.parse_args()
    return {"champion": champion, "drained": drained, "measure": measure, "summarize": summarize}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
