#!/usr/bin/env python3
"""Collects bench/run.sh's measurements into results.json and prints the table (see docs/benchmarks.md)."""
import argparse
import glob
import json
import os
import platform
import re
import statistics
import subprocess

HOP = 500
N = 1000


def lscpu_model():
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def rates(windows, seconds):
    return {"windows": windows, "seconds": seconds, "windows_per_s": windows / seconds,
            "samples_per_s": windows * HOP / seconds, "window_samples_per_s": windows * N / seconds}


def jmh(path):
    res = {}
    for b in json.load(open(path)):
        name = b["benchmark"].rsplit(".", 1)[1]
        raw = [v for fork in b["primaryMetric"]["rawData"] for v in fork]
        per_fork = [statistics.mean(fork) for fork in b["primaryMetric"]["rawData"]]
        alloc = b.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score")
        res[name] = {"median_ops_per_s": statistics.median(raw), "fork_means": per_fork,
                     "jmh_mean": b["primaryMetric"]["score"], "jmh_error_99": b["primaryMetric"]["scoreError"],
                     "alloc_bytes_per_op": alloc, "forks": len(per_fork), "iterations": len(raw)}
    return res


def stages(event_dir):
    """Per-stage wall time and task metrics of one application's Spark event log."""
    files = glob.glob(os.path.join(event_dir, "*"))
    if not files:
        return None
    info, tasks, jobs = {}, {}, []
    app = {}
    for line in open(files[0]):
        e = json.loads(line)
        ev = e["Event"]
        if ev == "SparkListenerStageCompleted":
            info[e["Stage Info"]["Stage ID"]] = e["Stage Info"]
        elif ev == "SparkListenerTaskEnd":
            m = e.get("Task Metrics") or {}
            t = tasks.setdefault(e["Stage ID"], {"run_s": 0.0, "cpu_s": 0.0, "gc_s": 0.0, "shuffle_write_mb": 0.0,
                                                 "shuffle_read_mb": 0.0, "input_mb": 0.0})
            t["run_s"] += m.get("Executor Run Time", 0) / 1e3
            t["cpu_s"] += m.get("Executor CPU Time", 0) / 1e9
            t["gc_s"] += m.get("JVM GC Time", 0) / 1e3
            t["shuffle_write_mb"] += m.get("Shuffle Write Metrics", {}).get("Shuffle Bytes Written", 0) / 1e6
            sr = m.get("Shuffle Read Metrics", {})
            t["shuffle_read_mb"] += (sr.get("Remote Bytes Read", 0) + sr.get("Local Bytes Read", 0)) / 1e6
            t["input_mb"] += m.get("Input Metrics", {}).get("Bytes Read", 0) / 1e6
        elif ev == "SparkListenerJobStart":
            jobs.append(e["Submission Time"])
        elif ev == "SparkListenerApplicationStart":
            app["start"] = e["Timestamp"]
        elif ev == "SparkListenerApplicationEnd":
            app["end"] = e["Timestamp"]
    out = []
    intervals = []
    for sid in sorted(info):
        s = info[sid]
        if "Submission Time" not in s or "Completion Time" not in s:
            continue
        intervals.append((s["Submission Time"], s["Completion Time"]))
        row = {"stage": sid, "name": s["Stage Name"], "tasks": s["Number of Tasks"],
               "wall_s": (s["Completion Time"] - s["Submission Time"]) / 1e3}
        row.update({k: round(v, 3) for k, v in tasks.get(sid, {}).items()})
        out.append(row)
    # wall time covered by at least one running stage
    covered, end = 0, None
    for a, b in sorted(intervals):
        if end is None or a > end:
            covered += b - a
            end = b
        elif b > end:
            covered += b - end
            end = b
    return {"stages": out, "stage_wall_union_s": covered / 1e3,
            "first_job_to_app_end_s": ((app.get("end", 0) - min(jobs)) / 1e3) if jobs and "end" in app else None}


def gold_runs(out, master, runs):
    res = []
    for r in range(1, runs + 1):
        log = open(os.path.join(out, "logs", "gold-local%d-run%d.log" % (master, r))).read()
        m = re.search(r"^gold: (\d+) windows .* in ([0-9.]+) s", log, re.M)
        wall = re.search(r"^process_wall_ns (\d+)", log, re.M)
        res.append({"run": r, "windows": int(m.group(1)), "gold_seconds": float(m.group(2)),
                    "process_wall_seconds": int(wall.group(1)) / 1e9 if wall else None,
                    "events": os.path.join(out, "events", "local%d-run%d" % (master, r))})
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    numpy = json.load(open(os.path.join(a.out, "numpy.json")))
    samples = numpy["samples"]
    windows = numpy["windows"]
    j = jmh(os.path.join(a.out, "jmh.json"))
    dsp = rates(1, 1 / j["extract"]["median_ops_per_s"])
    dsp["windows"] = None
    dsp["seconds"] = None
    stitch = {"windows_per_s": j["stitchExtract"]["median_ops_per_s"],
              "samples_per_s": j["stitchExtract"]["median_ops_per_s"] * HOP,
              "window_samples_per_s": j["stitchExtract"]["median_ops_per_s"] * N}

    gold = {}
    for master in (1, 2):
        runs = gold_runs(a.out, master, a.runs)
        for r in runs:
            if r["windows"] != windows:
                raise SystemExit("gold local[%d] wrote %d windows, the numpy peer cut %d: not the same windows"
                                 % (master, r["windows"], windows))
        med = sorted(runs, key=lambda r: r["gold_seconds"])[len(runs) // 2]
        sec = med["gold_seconds"]
        g = {"runs": runs, "median_seconds": sec, "windows_per_s": windows / sec, "samples_per_s": samples / sec,
             "window_samples_per_s": windows * N / sec, "cores": master,
             "samples_per_s_per_core": samples / sec / master, "windows_per_s_per_core": windows / sec / master,
             "median_run_stages": stages(med["events"])}
        gold["local[%d]" % master] = g

    best = numpy[numpy["best"]]
    g1, g2 = gold["local[1]"], gold["local[2]"]
    ratios = {
        "gold_local2_over_local1": g2["windows_per_s"] / g1["windows_per_s"],
        "gold_local1_over_dsp_limit_per_core": g1["windows_per_s_per_core"] / dsp["windows_per_s"],
        "gold_local2_over_dsp_limit_per_core": g2["windows_per_s_per_core"] / dsp["windows_per_s"],
        "gold_local1_over_numpy_per_core": g1["windows_per_s_per_core"] / best["windows_per_s"],
        "gold_local2_over_numpy_per_core": g2["windows_per_s_per_core"] / best["windows_per_s"],
        "dsp_limit_over_numpy_per_core": dsp["windows_per_s"] / best["windows_per_s"],
    }
    aims = {
        "gold >= 50% of the DSP limit per core": max(ratios["gold_local1_over_dsp_limit_per_core"],
                                                     ratios["gold_local2_over_dsp_limit_per_core"]) >= 0.5,
        "gold faster per core than numpy/scipy": max(ratios["gold_local1_over_numpy_per_core"],
                                                     ratios["gold_local2_over_numpy_per_core"]) > 1.0,
    }
    res = {"machine": {"cpu": lscpu_model(), "cores": os.cpu_count(), "shared": True},
           "data": {"samples": samples, "windows": windows, "channels": numpy["channels"],
                    "window_samples": N, "hop_samples": HOP},
           "dsp_limit_jmh_extract": dsp, "dsp_jmh_stitch_extract": stitch, "jmh": j, "gold": gold,
           "numpy": numpy, "ratios": ratios, "aims_met": aims}
    with open(os.path.join(a.out, "results.json"), "w") as fh:
        json.dump(res, fh, indent=2)

    rows = [
        ("DSP limit, JMH extract (1 thread)", dsp, 1),
        ("DSP + WindowStitcher, JMH (1 thread)", stitch, 1),
        ("gold job, local[1]", g1, 1),
        ("gold job, local[2]", g2, 2),
        ("numpy/scipy vectorised (1 process)", numpy["vectorised"], 1),
        ("numpy/scipy per-window loop (1 process)", numpy["loop"], 1),
    ]
    print("%s, %d cores (shared machine); %d samples, %d windows" % (res["machine"]["cpu"], os.cpu_count(),
                                                                       samples, windows))
    print("%-42s %12s %12s %14s %14s" % ("", "windows/s", "samples/s", "win-samples/s", "samples/s/core"))
    for name, r, cores in rows:
        print("%-42s %12.0f %12.3g %14.3g %14.3g" % (name, r["windows_per_s"], r["samples_per_s"],
                                                     r["window_samples_per_s"], r["samples_per_s"] / cores))
    print("gold seconds (median of %d): local[1] %.1f s, local[2] %.1f s" % (a.runs, g1["median_seconds"],
                                                                              g2["median_seconds"]))
    for k, v in ratios.items():
        print("%-40s %8.3f" % (k, v))
    for k, v in aims.items():
        print("aim: %-40s %s" % (k, "met" if v else "MISSED"))


if __name__ == "__main__":
    main()
