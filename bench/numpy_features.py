#!/usr/bin/env python3
"""numpy/scipy peer of the gold DSP: the same 19 features over the same windows of the same data, on one core.

Reads the benchmark fiber's landing files (.fosf, decoded here with a small Python reader of the format in
docs/data-contracts-landing.md), stitches each channel's 1 s chunks in time order, cuts the gold windows (1 s every
0.5 s on the global grid of docs/dsp.md) and computes the features of docs/dsp.md two ways:

  loop        one window at a time with features() of lib/src/test/python/make_dsp_fixtures.py, the independent
              numpy/scipy twin the Java tests are checked against (np.fft.rfft, scipy.stats per window);
  vectorised  blocks of windows as a 2-D array: one batched scipy.fft.rfft per block, every feature as a numpy
              reduction along axis 1; checked against the loop variant to 1e-9 relative before it is timed.

Timed: feature computation only (the windows are cut before the clock starts); decoding and stitching are timed
separately and reported, not included. Run it with OMP/OPENBLAS/MKL_NUM_THREADS=1 (bench/run.sh does): one process,
one core.

  python bench/numpy_features.py --landing DIR [--repeat 3] [--loop-windows 0] [--out results_numpy.json]
"""
import argparse
import json
import math
import os
import struct
import sys
import time
import zlib

import numpy as np
import scipy
import scipy.fft
import scipy.signal as sig
import scipy.special

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib", "src", "test", "python"))
from make_dsp_fixtures import default_bands, features as twin_features, hz  # noqa: E402

FS = 1000.0
N = 1000        # window samples (gold.window_seconds = 1.0)
HOP = 500       # hop samples (gold.hop_seconds = 0.5)
ROLLOFF = 0.85
GROUP = 8
NAMES = ["rms", "peak_to_peak", "std", "kurtosis", "skewness", "crest_factor", "zero_crossing_rate",
         "spectral_centroid", "spectral_bandwidth", "spectral_entropy", "spectral_rolloff", "spectral_flatness",
         "dominant_frequency", "total_power"]


# ---------------------------------------------------------------- landing files (docs/data-contracts-landing.md)
def decode_file(data):
    """Chunk records of one .fosf file as (fiber, channel, start_micros, sample_rate, float32 samples)."""
    if data[:4] != b"FOSF" or data[4] != 1:
        raise ValueError("not a version 1 FOSF file")
    if zlib.crc32(data[:-4]) != struct.unpack(">I", data[-4:])[0]:
        raise ValueError("checksum mismatch")
    (count,) = struct.unpack_from(">i", data, 5)
    pos = 9
    out = []
    for _ in range(count):
        (length,) = struct.unpack_from(">i", data, pos)
        pos += 4
        rec = memoryview(data)[pos:pos + length]
        pos += length
        if bytes(rec[:4]) != b"FOSM" or rec[4] != 1:
            raise ValueError("not a version 1 FOSM record")
        (l1,) = struct.unpack_from(">H", rec, 5)
        fiber = bytes(rec[7:7 + l1]).decode("utf-8")
        p = 7 + l1
        channel, start, rate = struct.unpack_from(">iqd", rec, p)
        p += 20
        (l2,) = struct.unpack_from(">H", rec, p)
        p += 2 + l2 + 8  # interrogator id, seq
        (n,) = struct.unpack_from(">i", rec, p)
        p += 4
        samples = np.frombuffer(rec, dtype=">f4", count=n, offset=p).astype(np.float32)
        out.append((fiber, channel, start, rate, samples))
    if pos != len(data) - 4:
        raise ValueError("trailing bytes")
    return out


def load_windows(landing):
    """All gold windows of every (fiber, channel): a (W, N) float32 array, plus the channel count and samples."""
    per_channel = {}
    files = sorted(os.path.join(d, f) for d, _, fs in os.walk(landing) for f in fs if f.endswith(".fosf"))
    if not files:
        raise SystemExit("no .fosf files under %s" % landing)
    samples = 0
    for path in files:
        with open(path, "rb") as fh:
            for fiber, channel, start, rate, x in decode_file(fh.read()):
                if rate != FS:
                    raise SystemExit("expected %g Hz, got %g" % (FS, rate))
                per_channel.setdefault((fiber, channel), []).append((start, x))
                samples += len(x)
    blocks = []
    for key in sorted(per_channel):
        chunks = sorted(per_channel[key], key=lambda c: c[0])
        # global sample index i = floor(t_us * fs / 1e6 + 0.5), exact for whole-Hz rates
        runs, cur, nxt = [], None, None
        for start, x in chunks:
            i0 = (start * int(FS) + 500_000) // 1_000_000
            if cur is None or i0 != nxt:
                cur = [i0, []]
                runs.append(cur)
            cur[1].append(x)
            nxt = i0 + len(x)
        for i0, xs in runs:
            x = np.concatenate(xs)
            first = -(-i0 // HOP) * HOP  # first window on the hop grid
            x = x[first - i0:]
            if len(x) >= N:
                blocks.append(np.lib.stride_tricks.sliding_window_view(x, N)[::HOP])
    return np.ascontiguousarray(np.concatenate(blocks)), len(per_channel), samples


# ---------------------------------------------------------------- features
def features_loop(windows, bands):
    """Per-window twin (make_dsp_fixtures.features), 19 values per row."""
    names = NAMES + ["band_power_%s_%shz" % (hz(lo), hz(hi)) for lo, hi in bands]
    out = np.empty((len(windows), len(names)))
    for i, w in enumerate(windows):
        f = twin_features(w, FS, bands, ROLLOFF, GROUP)
        out[i] = [f[n] for n in names]
    return out


class Vectorised:
    """Features of a block of windows at once; definitions as in docs/dsp.md."""

    def __init__(self, bands):
        self.hann = sig.get_window("hann", N)
        self.scale = 1.0 / (N * np.sum(self.hann ** 2))
        k = np.arange(N // 2 + 1)
        self.f = (k * FS / N)[1:]
        self.bins = N // 2
        self.groups = self.bins // GROUP
        self.band_slices = []
        for lo, hi in bands:
            idx = np.nonzero((self.f >= lo) & (self.f < hi))[0]
            self.band_slices.append(slice(idx[0], idx[-1] + 1) if len(idx) else slice(0, 0))

    def __call__(self, x32):
        x = x32.astype(np.float64)
        b = len(x)
        out = np.zeros((b, 14 + len(self.band_slices)))
        mx = x.max(axis=1)
        mn = x.min(axis=1)
        constant = mx == mn
        mu = np.where(constant, x[:, 0], x.mean(axis=1))
        rms = np.sqrt(np.mean(x * x, axis=1))
        d = x - mu[:, None]
        d2 = d * d
        m2 = d2.mean(axis=1)
        m3 = (d2 * d).mean(axis=1)
        m4 = (d2 * d2).mean(axis=1)
        ok = m2 != 0
        safe = np.where(ok, m2, 1.0)
        out[:, 0] = rms
        out[:, 1] = mx - mn
        out[:, 2] = np.sqrt(m2)
        out[:, 3] = np.where(ok, m4 / safe ** 2, 0.0)
        out[:, 4] = np.where(ok, m3 / safe ** 1.5, 0.0)
        out[:, 5] = np.where(rms == 0, 0.0, np.maximum(np.abs(mx), np.abs(mn)) / np.where(rms == 0, 1.0, rms))
        out[:, 6] = np.count_nonzero(d[:, :-1] * d[:, 1:] < 0, axis=1) / ((N - 1) / FS)

        spec = scipy.fft.rfft(d * self.hann, axis=1)
        p = (spec.real ** 2 + spec.imag ** 2)[:, 1:]
        s = p.sum(axis=1)
        live = s != 0
        if not live.all():
            p, s, rows = p[live], s[live], np.nonzero(live)[0]
        else:
            rows = slice(None)
        f = self.f
        c = p @ f / s
        out[rows, 7] = c
        out[rows, 8] = np.sqrt(((f[None, :] - c[:, None]) ** 2 * p).sum(axis=1) / s)
        out[rows, 9] = scipy.special.entr(p / s[:, None]).sum(axis=1) / np.log(self.bins)
        out[rows, 10] = f[np.argmax(np.cumsum(p, axis=1) >= ROLLOFF * s[:, None], axis=1)]
        g = p[:, : self.groups * GROUP].reshape(len(p), self.groups, GROUP).mean(axis=2)
        out[rows, 11] = np.exp(np.log(np.where(g == 0, 1e-30, g)).mean(axis=1)) / g.mean(axis=1)
        out[rows, 12] = f[np.argmax(p, axis=1)]
        out[rows, 13] = 2 * s * self.scale
        for j, sl in enumerate(self.band_slices):
            out[rows, 14 + j] = 2 * p[:, sl].sum(axis=1) * self.scale
        return out


def features_vectorised(windows, fn, block):
    out = np.empty((len(windows), 14 + len(fn.band_slices)))
    for i in range(0, len(windows), block):
        out[i:i + block] = fn(windows[i:i + block])
    return out


def rates(windows, seconds):
    return {"seconds": seconds, "windows": windows, "windows_per_s": windows / seconds,
            "samples_per_s": windows * HOP / seconds, "window_samples_per_s": windows * N / seconds}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--landing", required=True)
    ap.add_argument("--repeat", type=int, default=3, help="timed runs of the vectorised variant (median reported)")
    ap.add_argument("--block", type=int, default=256, help="windows per vectorised block")
    ap.add_argument("--loop-windows", type=int, default=0,
                    help="windows timed in the per-window loop (0 = all; the loop is ~100x slower)")
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    bands = default_bands(FS)

    t0 = time.perf_counter()
    windows, channels, samples = load_windows(a.landing)
    load_s = time.perf_counter() - t0
    print("numpy peer: %d channels, %d samples, %d windows; decode + stitch %.1f s" % (
        channels, samples, len(windows), load_s), flush=True)

    fn = Vectorised(bands)
    # correctness first: vectorised == per-window twin on a spread of windows
    check = windows[np.linspace(0, len(windows) - 1, 200).astype(int)]
    ref = features_loop(check, bands)
    got = fn(check)
    rel = np.max(np.abs(got - ref) / np.maximum(np.abs(ref), 1e-12))
    if not rel < 1e-9:
        raise SystemExit("vectorised features differ from the twin by %.3g relative" % rel)

    features_vectorised(windows[: 4 * a.block], fn, a.block)  # warm-up
    vec = []
    for r in range(a.repeat):
        t = time.perf_counter()
        features_vectorised(windows, fn, a.block)
        vec.append(time.perf_counter() - t)
        print("  vectorised run %d: %.2f s" % (r + 1, vec[-1]), flush=True)
    vec_s = float(np.median(vec))

    nloop = len(windows) if a.loop_windows <= 0 else min(a.loop_windows, len(windows))
    loop_idx = np.linspace(0, len(windows) - 1, nloop).astype(int) if nloop < len(windows) else slice(None)
    loop_windows = windows[loop_idx]
    t = time.perf_counter()
    features_loop(loop_windows, bands)
    loop_s = time.perf_counter() - t
    print("  loop: %d windows in %.2f s" % (nloop, loop_s), flush=True)

    res = {
        "numpy": np.__version__, "scipy": scipy.__version__, "python": sys.version.split()[0],
        "channels": channels, "samples": samples, "windows": int(len(windows)), "decode_stitch_seconds": load_s,
        "check_max_rel_diff": float(rel),
        "vectorised": dict(rates(len(windows), vec_s), runs=vec, block=a.block),
        "loop": rates(nloop, loop_s),
    }
    best = max(("vectorised", "loop"), key=lambda k: res[k]["windows_per_s"])
    res["best"] = best
    print("numpy peer best (%s): %.0f windows/s, %.3g samples/s per core" % (
        best, res[best]["windows_per_s"], res[best]["samples_per_s"]))
    if a.out:
        with open(a.out, "w") as fh:
            json.dump(res, fh, indent=2)


if __name__ == "__main__":
    main()
