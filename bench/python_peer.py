#!/usr/bin/env python3
"""End-to-end Python peer of the gold job: what a user might write instead of Spark (docs/benchmarks.md, "Scale").

Reads the live Parquet files of the silver Delta table with pyarrow (the file list from the table's _delta_log, JSON
commits replayed; no checkpoint support needed for the few commits of a benchmark lake), stitches each channel's
chunks in time order, cuts the gold windows (1 s every 0.5 s on the global hop grid of docs/dsp.md), computes the 19
DSP features with numpy_features.Vectorised (batched scipy.fft.rfft) in P worker processes, and writes them as
Parquet. Timed from the first read to the last write. Then, outside the clock, checks the features against gold's
(gold_features, same table-reading) window by window and reports the largest relative difference.

  python bench/python_peer.py --silver LAKE/silver/chunks --gold LAKE/gold/features --out DIR [--processes 2]
"""
import argparse
import glob
import json
import multiprocessing as mp
import os
import sys
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from numpy_features import FS, HOP, N, NAMES, Vectorised  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib", "src", "test", "python"))
from make_dsp_fixtures import default_bands, hz  # noqa: E402

BANDS = default_bands(FS)
FEATURES = NAMES + ["band_power_%s_%shz" % (hz(lo), hz(hi)) for lo, hi in BANDS]


def live_files(table):
    """The data files of a Delta table's latest version: adds minus removes over the JSON commits."""
    log = os.path.join(table, "_delta_log")
    if glob.glob(os.path.join(log, "*.checkpoint*.parquet")):
        raise SystemExit("Cannot read %s: it has a Delta checkpoint, which this peer does not replay" % table)
    files = {}
    for commit in sorted(glob.glob(os.path.join(log, "*.json"))):
        with open(commit) as f:
            for line in f:
                action = json.loads(line)
                if "add" in action:
                    files[action["add"]["path"]] = action["add"].get("partitionValues", {})
                elif "remove" in action:
                    files.pop(action["remove"]["path"], None)
    from urllib.parse import unquote
    return [(os.path.join(table, unquote(p)), pv) for p, pv in sorted(files.items())]


def read_table(table, columns):
    parts = []
    for path, pv in live_files(table):
        t = pq.read_table(path, columns=[c for c in columns if c not in pv])
        for c in columns:
            if c in pv:
                t = t.append_column(c, pa.array([pv[c]] * len(t)))
        parts.append(t)
    return pa.concat_tables(parts)


def unpack(samples):
    """Sample counts per chunk and all samples as one float32 array, from the silver column: binary f32le-v1 (4 bytes
    per sample, little-endian: one np.frombuffer, no per-sample work) or the list<float> of tables written before it."""
    if pa.types.is_binary(samples.type) or pa.types.is_large_binary(samples.type):
        width = np.int64 if pa.types.is_large_binary(samples.type) else np.int32
        byte_offsets = np.frombuffer(samples.buffers()[1], dtype=width)[samples.offset:samples.offset + len(samples) + 1]
        if ((byte_offsets - byte_offsets[0]) % 4).any():
            raise SystemExit("Cannot read silver samples: a chunk's byte length is not a multiple of 4 (f32le-v1)")
        values = np.frombuffer(samples.buffers()[2], dtype="<f4", count=int(byte_offsets[-1] - byte_offsets[0]) // 4,
                               offset=int(byte_offsets[0]))
        return np.diff(byte_offsets) // 4, values
    return samples.value_lengths().to_numpy(), samples.flatten().to_numpy()


# set before the pool forks, so the workers share the windows without pickling them
WINDOWS = None


def work(task):
    lo, hi = task
    return lo, Vectorised(BANDS)(WINDOWS[lo:hi]) if hi > lo else np.empty((0, len(FEATURES)))


def run(silver, out, processes, block):
    global WINDOWS
    t0 = time.perf_counter()
    t = read_table(silver, ["fiber_id", "channel", "chunk_start", "sample_rate", "samples"])
    t_read = time.perf_counter()
    fiber = t.column("fiber_id").to_numpy(zero_copy_only=False)
    channel = t.column("channel").to_numpy()
    # Spark writes INT96 timestamps, which pyarrow reads as timestamp[ns]: epoch micros either way
    start_us = t.column("chunk_start").cast(pa.timestamp("us")).cast(pa.int64()).to_numpy()
    if not (t.column("sample_rate").to_numpy() == FS).all():
        raise SystemExit("expected every chunk at %g Hz" % FS)
    samples = t.column("samples")
    if pa.types.is_binary(samples.type):
        # binary offsets are 32-bit: one array of more than 2 GiB of samples (0.5 G samples) needs 64-bit ones
        samples = samples.cast(pa.large_binary())
    lengths, values = unpack(samples.combine_chunks())
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    order = np.lexsort((start_us, channel, fiber))
    keys, window_start, blocks = [], [], []
    i = 0
    while i < len(order):
        j = i
        while j < len(order) and fiber[order[j]] == fiber[order[i]] and channel[order[j]] == channel[order[i]]:
            j += 1
        # runs of back-to-back chunks; the global sample index i = floor(t_us * fs / 1e6 + 0.5)
        run_start = i
        for k in range(i, j + 1):
            if k == j or (k > run_start and (start_us[order[k]] * int(FS) + 500_000) // 1_000_000
                          != (start_us[order[k - 1]] * int(FS) + 500_000) // 1_000_000 + lengths[order[k - 1]]):
                rows = order[run_start:k]
                x = np.concatenate([values[offsets[r]:offsets[r + 1]] for r in rows])
                i0 = (start_us[rows[0]] * int(FS) + 500_000) // 1_000_000
                first = -(-i0 // HOP) * HOP
                x = x[first - i0:]
                if len(x) >= N:
                    w = np.lib.stride_tricks.sliding_window_view(x, N)[::HOP]
                    blocks.append(w)
                    keys.extend([(fiber[rows[0]], int(channel[rows[0]]))] * len(w))
                    window_start.extend((first + HOP * np.arange(len(w))) * 1_000_000 // int(FS))
                run_start = k
        i = j
    WINDOWS = np.ascontiguousarray(np.concatenate(blocks))
    t_cut = time.perf_counter()
    tasks = [(lo, min(lo + block, len(WINDOWS))) for lo in range(0, len(WINDOWS), block)]
    feats = np.empty((len(WINDOWS), len(FEATURES)))
    with mp.get_context("fork").Pool(processes) as pool:
        for lo, f in pool.imap_unordered(work, tasks):
            feats[lo:lo + len(f)] = f
    t_dsp = time.perf_counter()
    table = pa.table({"fiber_id": [k[0] for k in keys], "channel": pa.array([k[1] for k in keys], pa.int32()),
                      "window_start": pa.array(np.array(window_start, dtype=np.int64), pa.timestamp("us")),
                      **{name: feats[:, c] for c, name in enumerate(FEATURES)}})
    os.makedirs(out, exist_ok=True)
    pq.write_table(table, os.path.join(out, "features.parquet"))
    t_end = time.perf_counter()
    samples_total = int(lengths.sum())
    return table, {"samples": samples_total, "windows": len(WINDOWS), "processes": processes,
                   "seconds": t_end - t0, "read_s": t_read - t0, "stitch_cut_s": t_cut - t_read,
                   "features_s": t_dsp - t_cut, "write_s": t_end - t_dsp,
                   "samples_per_s": samples_total / (t_end - t0),
                   "samples_per_s_per_process": samples_total / (t_end - t0) / processes}


def compare(peer, gold_table):
    """Largest relative difference of every DSP feature between the peer and gold, matched on the window key."""
    g = read_table(gold_table, ["fiber_id", "channel", "window_start"] + FEATURES)
    def key(t):
        return [f"{a}|{b}|{c}" for a, b, c in zip(t.column("fiber_id").to_pylist(), t.column("channel").to_pylist(),
                                                  t.column("window_start").cast(pa.timestamp("us"))
                                                  .cast(pa.int64()).to_pylist())]
    gi = {k: i for i, k in enumerate(key(g))}
    pk = key(peer)
    idx = np.array([gi.get(k, -1) for k in pk])
    missing = int((idx < 0).sum())
    worst = {}
    for name in FEATURES:
        a = peer.column(name).to_numpy()[idx >= 0]
        b = g.column(name).to_numpy()[idx[idx >= 0]]
        worst[name] = float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300))) if len(a) else None
    return {"peer_windows": len(pk), "gold_windows": len(g), "peer_windows_not_in_gold": missing,
            "max_relative_difference": max(v for v in worst.values() if v is not None), "per_feature": worst}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--silver", required=True, help="the silver_chunks Delta table folder")
    ap.add_argument("--gold", help="the gold_features Delta table folder, to check the features against")
    ap.add_argument("--out", required=True, help="folder for features.parquet and python_peer.json")
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--block", type=int, default=256, help="windows per task and batched FFT")
    args = ap.parse_args()
    table, result = run(args.silver, args.out, args.processes, args.block)
    if args.gold:
        result["check"] = compare(table, args.gold)
    with open(os.path.join(args.out, "python_peer.json"), "w") as f:
        json.dump(result, f, indent=1)
    print("python peer: %d windows from %d samples in %.1f s on %d processes (%.2f M samples/s; read %.1f s, stitch "
          "%.1f s, features %.1f s, write %.1f s)" % (result["windows"], result["samples"], result["seconds"],
                                                     args.processes, result["samples_per_s"] / 1e6, result["read_s"],
                                                     result["stitch_cut_s"], result["features_s"], result["write_s"]))
    if "check" in result:
        c = result["check"]
        print("python peer: vs gold: %d of %d windows matched, max relative difference %.2g" % (
            c["peer_windows"] - c["peer_windows_not_in_gold"], c["peer_windows"], c["max_relative_difference"]))


if __name__ == "__main__":
    main()
