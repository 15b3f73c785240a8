#!/usr/bin/env python3
"""Independent scipy reference values for the Java tests of io.fosm.drift.DriftStatistics.

Every statistic is computed with scipy's own functions (never by porting the Java code):
  - KS:          scipy.stats.ks_2samp(a, b) with its defaults (alternative='two-sided', method='auto')
  - Wasserstein: scipy.stats.wasserstein_distance(u, v) and its weighted form (bin centres weighted by counts)
  - JS distance: scipy.spatial.distance.jensenshannon(p, q, base=2)
  - PSI:         written out by hand below (scipy has none), from the definition in docs/drift.md
Bins are the reference's inner quantile edges; a value x falls in bin np.searchsorted(edges, x, side='left'), i.e.
bin i holds edges[i-1] < x <= edges[i] (docs/drift.md). Seeds are fixed: reruns give identical files for a given
numpy/scipy version.

Rerun from the repository root (or `make fixtures`):
    .venv/bin/python lib/src/test/python/make_drift_fixtures.py
It rewrites lib/src/test/resources/fixtures/drift_statistics.json.
"""
import json
import math
import os

import numpy as np
import scipy
import scipy.spatial.distance as ssd
import scipy.stats as st

OUT = os.environ.get("FOSM_FIXTURES_OUT") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                                           "resources", "fixtures")
# the floor that replaces an empty bin's fraction in the PSI (docs/drift.md); the Java constant must be the same
PSI_EPSILON = 1e-4
QUANTILES = [i / 10 for i in range(1, 10)]


def psi_by_hand(ref_counts, cur_counts, eps=PSI_EPSILON):
    """Population stability index: sum over bins of (q - p) * ln(q / p), empty fractions floored at eps."""
    p_total = float(sum(ref_counts))
    q_total = float(sum(cur_counts))
    total = 0.0
    for r, c in zip(ref_counts, cur_counts):
        p = max(r / p_total, eps)
        q = max(c / q_total, eps)
        total += (q - p) * math.log(q / p)
    return total


def case(name, ref, cur):
    ref = np.asarray(ref, dtype=np.float64)
    cur = np.asarray(cur, dtype=np.float64)
    edges = np.unique(np.quantile(ref, QUANTILES))
    ref_counts = np.bincount(np.searchsorted(edges, ref, side="left"), minlength=len(edges) + 1)
    cur_counts = np.bincount(np.searchsorted(edges, cur, side="left"), minlength=len(edges) + 1)
    ks = st.ks_2samp(ref, cur)
    # histogram form of the Wasserstein distance: every bin's mass at the bin's centre (outer bins: at the
    # reference min / max), as the HTML report and a histogram-only reference would use it
    lo = min(ref.min(), cur.min())
    hi = max(ref.max(), cur.max())
    bounds = np.concatenate(([lo], edges, [hi]))
    centres = (bounds[:-1] + bounds[1:]) / 2
    ref_w = ref_counts.astype(np.float64)
    cur_w = cur_counts.astype(np.float64)
    keep_r = ref_w > 0
    keep_c = cur_w > 0
    return {
        "name": name,
        "reference": [float(v) for v in ref],
        "current": [float(v) for v in cur],
        "edges": [float(v) for v in edges],
        "reference_counts": [int(v) for v in ref_counts],
        "current_counts": [int(v) for v in cur_counts],
        "psi": psi_by_hand(ref_counts, cur_counts),
        "js_distance": float(ssd.jensenshannon(ref_counts, cur_counts, base=2)),
        "ks_statistic": float(ks.statistic),
        "ks_pvalue": float(ks.pvalue),
        "wasserstein": float(st.wasserstein_distance(ref, cur)),
        "hist_centres": [float(v) for v in centres],
        "wasserstein_weighted": float(st.wasserstein_distance(centres[keep_r], centres[keep_c],
                                                              ref_w[keep_r], cur_w[keep_c])),
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20251125)
    cases = [
        case("normal_vs_shifted_200_150", rng.normal(0, 1, 200), rng.normal(0.4, 1, 150)),
        case("same_distribution_300_300", rng.normal(5, 2, 300), rng.normal(5, 2, 300)),
        case("equal_sizes_shift_100_100", rng.normal(0, 1, 100), rng.normal(0.8, 1, 100)),
        case("lognormal_scale_2000_3000", rng.lognormal(0, 1, 2000), rng.lognormal(0.3, 1.2, 3000)),
        case("integer_ties_400_250", rng.integers(0, 6, 400).astype(float), rng.integers(1, 8, 250).astype(float)),
        case("tiny_7_5", rng.normal(0, 1, 7), rng.normal(1, 1, 5)),
        case("gain_x2.5_1000_800", rng.normal(0, 1, 1000) ** 2, 2.5 ** 2 * rng.normal(0, 1, 800) ** 2),
        case("empty_bins_500_400", rng.uniform(0, 1, 500), rng.uniform(0.7, 2, 400)),
        case("identical_50_50", np.arange(50.0), np.arange(50.0)),
        case("multiple_7_21", rng.normal(0, 1, 7), rng.normal(0.2, 1, 21)),
    ]
    # above 10,000 values per sample ks_2samp switches to its asymptotic p-value (kstwo.sf at n = round(en));
    # the Java side uses the limiting Kolmogorov distribution (kstwobign) there: both are recorded
    asymptotic = []
    base = np.arange(10001.0)
    for shift in (100.0, 300.0, 600.0):
        ks = st.ks_2samp(base, base + shift)
        en = 10001 * 10001 / 20002
        asymptotic.append({"n": 10001, "shift": shift, "ks_statistic": float(ks.statistic),
                           "ks_pvalue": float(ks.pvalue),
                           "kstwobign_pvalue": float(st.kstwobign.sf(ks.statistic * math.sqrt(en)))})
    with open(os.path.join(OUT, "drift_statistics.json"), "w") as fh:
        json.dump({"generator": "make_drift_fixtures.py", "numpy": np.__version__, "scipy": scipy.__version__,
                   "psi_epsilon": PSI_EPSILON, "cases": cases, "asymptotic": asymptotic}, fh, separators=(",", ":"))


if __name__ == "__main__":
    main()
