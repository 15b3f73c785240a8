#!/usr/bin/env python3
"""Independent numpy/scipy reference values for the Java tests of io.fosm.dsp.

Every number here is computed straight from the definitions in docs/dsp.md with numpy/scipy (np.fft.rfft,
scipy.signal.get_window, scipy.stats, scipy.signal.butter/sosfiltfilt/savgol_filter), never by porting the Java code,
so the Java tests compare two independent implementations. Inputs are generated as float32 (what the Java side gets
from the sensors) and everything is computed on their float64 conversions. Seeds are fixed: reruns are byte-identical
for a given numpy/scipy version.

Rerun from the repository root:
    python3 -m venv /tmp/dspvenv && /tmp/dspvenv/bin/pip install numpy scipy
    /tmp/dspvenv/bin/python lib/src/test/python/make_dsp_fixtures.py
It rewrites lib/src/test/resources/fixtures/{dsp_features,butterworth,savgol,motion}.json.
"""
import json
import math
import os

import numpy as np
import scipy
import scipy.signal as sig
import scipy.stats as st

# FOSM_FIXTURES_OUT lets the pytest check regenerate them elsewhere and compare with the committed ones
OUT = os.environ.get("FOSM_FIXTURES_OUT") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                                           "resources", "fixtures")
DEFAULT_BANDS = [(1, 10), (10, 50), (50, 100), (100, 200), (200, 500)]


def f32(a):
    return np.asarray(a, dtype=np.float32)



def num(v):
    return float("%.13g" % v)


def default_bands(fs):
    ny = fs / 2
    return [(lo, min(hi, ny)) for lo, hi in DEFAULT_BANDS if lo < ny]


def hz(v):
    s = repr(float(v))
    return s[:-2] if s.endswith(".0") else s


def features(x32, fs, bands, rolloff=0.85, group=8):
    x = x32.astype(np.float64)
    n = len(x)
    constant = x.max() == x.min()
    out = {}
    out["rms"] = math.sqrt(np.mean(x ** 2))
    out["peak_to_peak"] = float(np.ptp(x))
    out["std"] = 0.0 if constant else float(np.std(x))
    out["kurtosis"] = 0.0 if constant else float(st.kurtosis(x, fisher=False, bias=True))
    out["skewness"] = 0.0 if constant else float(st.skew(x, bias=True))
    out["crest_factor"] = 0.0 if out["rms"] == 0 else float(np.max(np.abs(x)) / out["rms"])
    mu = x[0] if constant else np.mean(x)
    d = x - mu
    out["zero_crossing_rate"] = float(np.count_nonzero(d[:-1] * d[1:] < 0) / ((n - 1) / fs))

    w = sig.get_window("hann", n)
    p = np.abs(np.fft.rfft(d * w)) ** 2
    k = np.arange(n // 2 + 1)
    f = k * fs / n
    p, f = p[1:], f[1:]
    nbins = len(p)
    s = p.sum()
    scale = 1.0 / (n * np.sum(w ** 2))
    names = ["spectral_centroid", "spectral_bandwidth", "spectral_entropy", "spectral_rolloff",
             "spectral_flatness", "dominant_frequency", "total_power"]
    if s == 0:
        for name in names:
            out[name] = 0.0
        for lo, hi in bands:
            out["band_power_%s_%shz" % (hz(lo), hz(hi))] = 0.0
        return out
    c = np.sum(f * p) / s
    out["spectral_centroid"] = float(c)
    out["spectral_bandwidth"] = float(np.sqrt(np.sum((f - c) ** 2 * p) / s))
    out["spectral_entropy"] = float(st.entropy(p) / np.log(nbins))
    out["spectral_rolloff"] = float(f[np.argmax(np.cumsum(p) >= rolloff * s)])
    groups = nbins // group
    g = p[: groups * group].reshape(groups, group).mean(axis=1)
    out["spectral_flatness"] = float(st.gmean(np.where(g == 0, 1e-30, g)) / np.mean(g))
    out["dominant_frequency"] = float(f[np.argmax(p)])
    out["total_power"] = float(np.sum(2 * p) * scale)
    for lo, hi in bands:
        mask = (f >= lo) & (f < hi)
        out["band_power_%s_%shz" % (hz(lo), hz(hi))] = float(np.sum(2 * p[mask]) * scale)
    return out


def feature_case(name, x32, fs, bands=None, rolloff=0.85, group=8):
    bands = default_bands(fs) if bands is None else bands
    return {
        "name": name, "sampleRate": fs, "windowSamples": len(x32), "rolloffFraction": rolloff,
        "flatnessGroupBins": group, "bands": [[lo, hi] for lo, hi in bands],
        "samples": [str(np.float32(v)) for v in x32],
        "features": features(x32, fs, bands, rolloff, group),
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20240611)
    fs = 1000.0
    t = np.arange(1000) / fs
    cases = [
        feature_case("sine_50hz_amp2_offset", f32(0.3 + 2.0 * np.sin(2 * np.pi * 50 * t)), fs),
        feature_case("sine_123.4hz", f32(0.7 * np.sin(2 * np.pi * 123.4 * t + 0.4)), fs),
        feature_case("chirp_5_400hz", f32(sig.chirp(t, f0=5, t1=t[-1], f1=400)), fs),
        feature_case("white_noise", f32(rng.standard_normal(1000)), fs),
        feature_case("mixture_custom", f32(np.sin(2 * np.pi * 8 * t) + 0.5 * np.sin(2 * np.pi * 150 * t)
                                           + 0.2 * rng.standard_normal(1000)
                                           + 5.0 * (rng.random(1000) < 0.005)),
                     fs, bands=[(0.5, 2), (2, 20.5), (140, 160), (100, 500)], rolloff=0.5, group=4),
        feature_case("odd_1001_sine_noise", f32(np.sin(2 * np.pi * 37 * np.arange(1001) / fs)
                                                + 0.3 * rng.standard_normal(1001)), fs),
        feature_case("fs500_n512_noise", f32(rng.standard_normal(512) * 3 + 1), 500.0),
        feature_case("constant", f32(np.full(1000, 0.1)), fs),
        feature_case("zeros", f32(np.zeros(1000)), fs),
    ]
    with open(os.path.join(OUT, "dsp_features.json"), "w") as fh:
        json.dump({"generator": "make_dsp_fixtures.py", "numpy": np.__version__, "scipy": scipy.__version__,
                   "cases": cases}, fh, separators=(",", ":"))

    tb = np.arange(500) / fs
    xb32 = f32(np.sin(2 * np.pi * 20 * tb) + np.sin(2 * np.pi * 150 * tb) + np.sin(2 * np.pi * 400 * tb)
               + 0.3 * rng.standard_normal(500) + 0.5)
    xb = xb32.astype(np.float64)
    filters = []
    freqs = np.arange(0, 501, 5.0)
    for kind, order, wn in [("bandpass", 4, [100, 200]), ("bandpass", 3, [5, 40]),
                            ("lowpass", 3, 50), ("highpass", 5, 120)]:
        sos = sig.butter(order, wn, btype=kind, fs=fs, output="sos")
        _, h = sig.sosfreqz(sos, worN=freqs, fs=fs)
        ntaps = 2 * len(sos) + 1 - min((sos[:, 2] == 0).sum(), (sos[:, 5] == 0).sum())
        filters.append({
            "btype": kind, "order": order, "cutoffs": list(np.atleast_1d(wn).astype(float)),
            "sos": sos.tolist(), "padlen": int(3 * ntaps),
            "freqs": freqs.tolist(), "magnitude": [num(v) for v in np.abs(h)],
            "filtfilt": [num(v) for v in sig.sosfiltfilt(sos, xb)],
            "filter": [num(v) for v in sig.sosfilt(sos, xb)],
        })
    with open(os.path.join(OUT, "butterworth.json"), "w") as fh:
        json.dump({"sampleRate": fs, "signal": [str(v) for v in xb32], "filters": filters}, fh, separators=(",", ":"))

    ts = np.arange(300) / fs
    xs32 = f32(np.sin(2 * np.pi * 7 * ts) + 0.4 * ts * ts * 30 + 0.25 * rng.standard_normal(300))
    xs = xs32.astype(np.float64)
    smooths = []
    for wl, po in [(11, 3), (5, 2), (21, 4), (7, 0), (31, 6), (3, 2)]:
        smooths.append({"windowLength": wl, "polyOrder": po,
                        "smoothed": [num(v) for v in sig.savgol_filter(xs, wl, po)]})
    with open(os.path.join(OUT, "savgol.json"), "w") as fh:
        json.dump({"signal": [str(v) for v in xs32], "cases": smooths}, fh, separators=(",", ":"))

    motion(np.random.default_rng(20261202))


ENVELOPE_FRAMES = 20
MAX_SPEED_MPS = 100.0


def envelope(x):
    """docs/dsp.md: mean square of (x - mean(x)) over ENVELOPE_FRAMES frames of floor(N / frames) samples."""
    length = len(x) // ENVELOPE_FRAMES
    d = x - x.mean()
    return (d[:ENVELOPE_FRAMES * length] ** 2).reshape(ENVELOPE_FRAMES, length).mean(axis=1)


def envelope_lag(a, b, max_lag):
    """Lag (frames) maximising sum_n a'[n] b'[n + lag] / (|a'| |b'|), parabola-refined; None for a flat envelope."""
    a = a - a.mean()
    b = b - b.mean()
    norm = math.sqrt((a * a).sum() * (b * b).sum())
    if norm == 0:
        return None
    n = len(a)
    r = np.correlate(b, a, mode="full")[n - 1 - max_lag:n + max_lag] / norm
    best = int(np.argmax(r))
    shift = 0.0
    if 0 < best < 2 * max_lag:
        curvature = r[best - 1] - 2 * r[best] + r[best + 1]
        if curvature < 0:
            shift = 0.5 * (r[best - 1] - r[best + 1]) / curvature
    return best - max_lag + shift


def motion_features(channels, envelopes, power, previous, neighbors, spacing, frame_seconds, hop_seconds):
    """docs/dsp.md's motion features of one fiber's windows at one start, straight from the definitions."""
    db = lambda p: 10 * np.log10(p + 1e-12)
    at = {c: i for i, c in enumerate(channels)}
    out = []
    for i, c in enumerate(channels):
        near = [j for j, cj in enumerate(channels) if abs(cj - c) <= neighbors]
        sxt = sxx = 0.0
        coherences = []
        for j in near:
            d = channels[j] - c
            if d == 0:
                continue
            lag = envelope_lag(envelopes[i], envelopes[j], ENVELOPE_FRAMES // 2)
            if lag is None:
                continue
            sxt += d * spacing * lag * frame_seconds
            sxx += (d * spacing) ** 2
            if abs(d) == 1:
                coherences.append(np.corrcoef(envelopes[i], envelopes[j])[0, 1])
        velocity = 0.0
        if sxx > 0 and sxt != 0:
            velocity = sxx / sxt
            velocity = 0.0 if abs(velocity) > MAX_SPEED_MPS else velocity
        num = den = 0.0
        for j in near:
            lo, hi = at.get(channels[j] - 1), at.get(channels[j] + 1)
            if lo is None or hi is None or np.isnan(previous[[lo, j, hi]]).any():
                continue
            pt = (db(power[j]) - db(previous[j])) / hop_seconds
            px = ((db(power[hi]) - db(power[lo])) + (db(previous[hi]) - db(previous[lo]))) / (4 * spacing)
            num += pt * px
            den += px * px
        w = power[near] - power[near].min()
        spread = 0.0
        if w.sum() > 0:
            cs = np.asarray(channels, dtype=float)[near]
            mean = (w * cs).sum() / w.sum()
            spread = math.sqrt(max(0.0, (w * (cs - mean) ** 2).sum() / w.sum()))
        out.append([velocity, float(np.mean(coherences)) if coherences else 0.0, -num / den if den > 0 else 0.0,
                    spread])
    return out


def motion(rng):
    """A tone burst moving at 8 m/s over channels 0-7 (channel 3 missing) in noise, and a stationary source."""
    fs, n, spacing, hop = 1000.0, 1000, 1.0, 0.5
    t = np.arange(n) / fs
    cases = []
    for name, speed in [("moving_8mps", 8.0), ("stationary", 0.0)]:
        channels = [0, 1, 2, 4, 5, 6, 7]
        signals = []
        for c in channels:
            centre = 0.1 + c * spacing / speed if speed else 0.5
            burst = np.exp(-((t - centre) / 0.06) ** 2) * np.sin(2 * np.pi * 60 * t)
            signals.append(f32(burst + 0.05 * rng.standard_normal(n)))
        power = f32(rng.uniform(0.5, 3.0, len(channels)))
        previous = f32(rng.uniform(0.5, 3.0, len(channels)))
        previous[5] = np.nan
        envs = [envelope(s.astype(np.float64)) for s in signals]
        feats = motion_features(channels, envs, power.astype(np.float64), previous.astype(np.float64), 2, spacing,
                                (n // ENVELOPE_FRAMES) / fs, hop)
        cases.append({"name": name, "sampleRate": fs, "spacing": spacing, "hopSeconds": hop, "neighbors": 2,
                      "channels": channels, "signals": [[str(v) for v in s] for s in signals],
                      "power": [str(v) for v in power], "previousPower": ["NaN" if np.isnan(v) else str(v) for v in previous],
                      "envelopes": [[num(v) for v in e] for e in envs],
                      "motion": [[num(v) for v in m] for m in feats]})
    with open(os.path.join(OUT, "motion.json"), "w") as fh:
        json.dump({"cases": cases}, fh, separators=(",", ":"))


if __name__ == "__main__":
    main()
