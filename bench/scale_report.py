#!/usr/bin/env python3
"""Collects bench/scale.sh's stage logs into results.json and scale.md (docs/benchmarks.md, "Scale").

Each stage's rate is the fiber's samples over the stage's own time (the "in X s" of its job line: the job alone,
without the JVM and SparkSession start-up, which is reported apart as process_s), divided by the cores (local[k]).
"""
import argparse
import glob
import json
import os
import re
import subprocess

STAGE_TIME = re.compile(r" in ([0-9.]+) s")
LINES = {
    "bronze": re.compile(r"^bronze: .*?\((\d+) samples\) landed"),
    "silver": re.compile(r"^silver: .*? valid \((\d+) samples\)"),
    "gold": re.compile(r"^gold: (\d+) windows"),
    "score": re.compile(r"^score: (\d+) windows scored"),
}
STAGES = ["bronze", "silver", "gold", "score"]
# the per-core goals at >= 1 G samples (samples/s per core)
GOALS = {"bronze": 10e6, "silver": 10e6, "gold": 5e6}


def parse(log):
    stage = os.path.basename(log).rsplit("-", 1)[1][:-4]
    text = open(log).read()
    line = next((l for l in text.splitlines() if LINES[stage].match(l)), None)
    if line is None:
        return None
    wall = re.search(r"^process_wall_ns (\d+)", text, re.M)
    cpu = re.search(r"^process_cpu_s ([0-9.]+) ([0-9.]+)", text, re.M)
    return {"count": int(LINES[stage].match(line).group(1)), "seconds": float(STAGE_TIME.search(line).group(1)),
            "process_s": int(wall.group(1)) / 1e9 if wall else None,
            "process_cpu_s": float(cpu.group(1)) + float(cpu.group(2)) if cpu else None, "line": line}


def executor_cpu_s(folder):
    """Executor CPU seconds of every task in a stage's Spark event log(s): robust to a busy machine's wall time."""
    total = 0
    for path in glob.glob(os.path.join(folder, "*")):
        with open(path) as f:
            for line in f:
                if '"SparkListenerTaskEnd"' in line:
                    total += json.loads(line).get("Task Metrics", {}).get("Executor CPU Time", 0)
    return total / 1e9


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    runs = {}
    for log in sorted(glob.glob(os.path.join(args.out, "logs", "c*-s*-local*-*.log"))):
        m = re.match(r"(c(\d+)-s(\d+))-local(\d+)-(\w+)\.log$", os.path.basename(log))
        if not m or m.group(5) not in LINES:
            continue
        size, ch, secs, k, stage = m.group(1), int(m.group(2)), int(m.group(3)), int(m.group(4)), m.group(5)
        r = parse(log)
        if r is None:
            continue
        samples = ch * secs * 1000  # the fiber at 1 kHz; bronze and silver report it themselves
        if stage in ("bronze", "silver"):
            samples = r["count"]
        r["executor_cpu_s"] = executor_cpu_s(os.path.join(args.out, "events", f"{size}-local{k}", stage))
        r.update(size=size, channels=ch, seconds_of_signal=secs, samples=samples, cores=k, stage=stage,
                 samples_per_s=samples / r["seconds"], samples_per_s_per_core=samples / r["seconds"] / k)
        runs[(size, k, stage)] = r
    sizes = sorted({key[0] for key in runs}, key=lambda s: int(s.split("-s")[1]) * int(s[1:].split("-")[0]))
    masters = sorted({key[1] for key in runs})
    rows = []
    lines = ["| size | samples | stage | " + " | ".join(f"local[{k}] s | local[{k}] M samples/s per core | "
                                                          f"local[{k}] task CPU s | local[{k}] process CPU s"
                                                          for k in masters)
             + (" | local[2] / local[1] |" if masters == [1, 2] else " |"),
             "|---|---:|---|" + "---:|---:|---:|---:|" * len(masters) + ("---:|" if masters == [1, 2] else "")]
    for size in sizes:
        for stage in STAGES:
            cells = [runs.get((size, k, stage)) for k in masters]
            if not any(cells):
                continue
            any_cell = next(c for c in cells if c)
            row = f"| {size} | {any_cell['channels'] * any_cell['seconds_of_signal'] * 1000 / 1e9:.3f} G | {stage} | "
            row += " | ".join(f"{c['seconds']:.1f} | {c['samples_per_s_per_core'] / 1e6:.2f} | "
                              f"{c['executor_cpu_s']:.1f} | " + (f"{c['process_cpu_s']:.1f}" if c['process_cpu_s']
                                                                 else "-")
                              if c else "- | - | - | -" for c in cells)
            speedup = None
            if masters == [1, 2] and all(cells):
                speedup = cells[0]["seconds"] / cells[1]["seconds"]
                row += f" | {speedup:.2f} |"
            elif masters == [1, 2]:
                row += " | - |"
            else:
                row += " |"
            lines.append(row)
            rows.append({"size": size, "stage": stage, "speedup_local2_over_local1": speedup,
                         "runs": {f"local[{k}]": c for k, c in zip(masters, cells) if c}})
    peers = {}
    for path in glob.glob(os.path.join(args.out, "peer", "*", "python_peer.json")):
        m = re.match(r"(c\d+-s\d+)-local(\d+)$", os.path.basename(os.path.dirname(path)))
        if m:
            peer = json.load(open(path))
            gold = runs.get((m.group(1), int(m.group(2)), "gold"))
            if gold:
                peer["gold_over_peer"] = peer["seconds"] / gold["seconds"]
            peers[f"{m.group(1)} {m.group(2)} processes"] = peer
            check = peer.get("check", {})
            lines.append(f"| {m.group(1)} | python peer, {m.group(2)} processes: {peer['seconds']:.1f} s, "
                         f"{peer['samples_per_s_per_process'] / 1e6:.2f} M samples/s per process"
                         + (f", gold / peer speed {peer['gold_over_peer']:.3f}" if gold else "")
                         + (f", max rel. difference to gold {check['max_relative_difference']:.2g}" if check else "")
                         + " |")
    # per-sample cost from the smallest to the largest size (the goal: flat within 20 %)
    # stage time per sample includes the job's fixed cost (Delta log, planning), which a larger fiber amortises; the
    # executor task CPU per sample is the part that grows with the data, and shows whether it grows faster than it
    flat = {}
    flat_tasks = {}
    if len(sizes) > 1:
        for stage in STAGES:
            for k in masters:
                a, b = runs.get((sizes[0], k, stage)), runs.get((sizes[-1], k, stage))
                if a and b:
                    flat[f"{stage} local[{k}]"] = (b["seconds"] / b["samples"]) / (a["seconds"] / a["samples"])
                    if a["executor_cpu_s"] and b["executor_cpu_s"]:
                        flat_tasks[f"{stage} local[{k}]"] = ((b["executor_cpu_s"] / b["samples"])
                                                             / (a["executor_cpu_s"] / a["samples"]))
    try:
        cpu = next(l.split(":", 1)[1].strip() for l in subprocess.run(["lscpu"], capture_output=True, text=True)
                   .stdout.splitlines() if l.startswith("Model name:"))
    except (OSError, StopIteration):
        cpu = "unknown"
    result = {"machine": {"cpu": cpu, "cores": os.cpu_count(), "load_average": os.getloadavg()},
              "goals_samples_per_s_per_core": GOALS, "rows": rows,
              "cost_per_sample_largest_over_smallest": flat,
              "task_cpu_per_sample_largest_over_smallest": flat_tasks, "python_peer": peers}
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(result, f, indent=1)
    text = "\n".join(lines)
    if flat:
        text += "\n\nper-sample cost, largest size / smallest size: " + ", ".join(
            f"{k} {v:.2f}" for k, v in flat.items())
    if flat_tasks:
        text += "\n\ntask CPU per sample, largest size / smallest size: " + ", ".join(
            f"{k} {v:.2f}" for k, v in flat_tasks.items())
    with open(os.path.join(args.out, "scale.md"), "w") as f:
        f.write(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
