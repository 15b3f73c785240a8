#!/usr/bin/env python3
"""Re-evaluates the drift flag rule on the statistics bench/drift_fpr.sh wrote (lib/target/drift-bench/stats.tsv)
for other thresholds, without recomputing anything: false-positive rate on undrifted windows of other seeds and
detection rate per drift mode, per threshold setting.

    .venv/bin/python bench/drift_thresholds.py [stats.tsv]
"""
import csv
import itertools
import sys
from collections import defaultdict

path = sys.argv[1] if len(sys.argv) > 1 else "lib/target/drift-bench/stats.tsv"
windows = defaultdict(list)
with open(path) as fh:
    for row in csv.DictReader(fh, delimiter="\t"):
        if row["kind"] != "feature" or row["psi"] == "null":
            continue
        key = (row["reference"], row["current"], row["mode"], row["half"])
        windows[key].append({k: float(row[k]) for k in ("psi", "ks", "ks_p", "js")})


def category(mode, half):
    if half == "first":
        return "undrifted, same time range"
    return "undrifted, later time range" if mode == "NONE" else "drift " + mode.lower()


def rates(psi, js, ks_p, ks_stat, fraction):
    out = defaultdict(lambda: [0, 0])
    for (ref, cur, mode, half), feats in windows.items():
        flagged = sum(1 for f in feats if f["psi"] >= psi or f["js"] >= js or (f["ks_p"] < ks_p and f["ks"] >= ks_stat))
        drifted = flagged > 0 and flagged >= fraction * len(feats)
        c = out[category(mode, half)]
        c[0] += drifted
        c[1] += 1
    return out


cats = None
print("psi   js    ks_p   ks    frac | " + " | ".join(["undrifted same", "undrifted later", "gain", "noise", "mix", "all"]))
for psi, js, ks_stat, frac in itertools.product([0.25, 0.5, 1.0], [0.2, 0.3, 0.4], [0.15, 0.25, 0.3],
                                                [0.15, 0.2, 0.25, 0.35]):
    r = rates(psi, js, 0.001, ks_stat, frac)
    cols = []
    for c in ["undrifted, same time range", "undrifted, later time range", "drift gain", "drift noise", "drift mix",
              "drift all"]:
        n = r.get(c, [0, 0])
        cols.append("%3d/%-3d" % (n[0], n[1]))
    print("%-5s %-5s %-6s %-5s %-4s | %s" % (psi, js, 0.001, ks_stat, frac, " | ".join(cols)))
