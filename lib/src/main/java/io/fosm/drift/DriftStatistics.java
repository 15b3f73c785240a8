package io.fosm.drift;

import java.util.Arrays;

/**
 * The drift statistics, in plain Java over primitive arrays (no Spark), each matching a scipy function to 1e-6 (the
 * fixtures of {@code make_drift_fixtures.py} check it):
 * <ul>
 *   <li>{@link #psi}: the population stability index over the reference's quantile bins (no scipy counterpart; the
 *       definition is in docs/drift.md), empty bins floored at {@link #PSI_EPSILON};</li>
 *   <li>{@link #jensenShannon}: {@code scipy.spatial.distance.jensenshannon(p, q, base=2)}, in [0, 1];</li>
 *   <li>{@link #ks2samp}: {@code scipy.stats.ks_2samp(a, b)} with its defaults (two-sided, {@code method='auto'}),
 *       whose p-value is exact up to 10,000 values per sample;</li>
 *   <li>{@link #wasserstein}: {@code scipy.stats.wasserstein_distance}, from samples or weighted values.</li>
 * </ul>
 */
public final class DriftStatistics {
    /**
     * The fraction an empty bin counts with in the PSI: without it one empty bin makes the index infinite. 1e-4 is
     * below what one window in a 10-bin profile can hold (a bin of 10,000 values), so it never masks a real shift.
     */
    public static final double PSI_EPSILON = 1e-4;

    /** scipy's {@code ks_2samp(method='auto')} is exact when both samples have at most this many values. */
    public static final int KS_EXACT_MAX_N = 10_000;

    private DriftStatistics() {}

    /** A two-sample Kolmogorov-Smirnov result; {@code exact} says whether the p-value is the exact one. */
    public record Ks(double statistic, double pValue, boolean exact) {}

    /**
     * Population stability index {@code sum_i (q_i - p_i) ln(q_i / p_i)} of the current bin counts {@code current}
     * against the reference counts {@code reference} (each normalised to fractions; a fraction below
     * {@link #PSI_EPSILON} counts as {@code PSI_EPSILON}).
     */
    public static double psi(double[] reference, double[] current) {
        checkSameBins(reference, current);
        double pTotal = sum(reference);
        double qTotal = sum(current);
        if (pTotal <= 0 || qTotal <= 0) {
            throw new IllegalArgumentException("psi needs counts with a positive total, cannot be: " + pTotal
                    + " and " + qTotal);
        }
        double total = 0;
        for (int i = 0; i < reference.length; i++) {
            double p = Math.max(reference[i] / pTotal, PSI_EPSILON);
            double q = Math.max(current[i] / qTotal, PSI_EPSILON);
            total += (q - p) * Math.log(q / p);
        }
        return total;
    }

    /**
     * Jensen-Shannon distance with base-2 logarithms (so it lies in [0, 1]): the square root of the mean
     * Kullback-Leibler divergence of each normalised distribution from their mixture, like scipy's
     * {@code jensenshannon(p, q, base=2)}.
     */
    public static double jensenShannon(double[] p, double[] q) {
        checkSameBins(p, q);
        double ps = sum(p);
        double qs = sum(q);
        if (ps <= 0 || qs <= 0) {
            throw new IllegalArgumentException("jensenShannon needs weights with a positive total, cannot be: " + ps
                    + " and " + qs);
        }
        double left = 0;
        double right = 0;
        for (int i = 0; i < p.length; i++) {
            double a = p[i] / ps;
            double b = q[i] / qs;
            double m = (a + b) / 2;
            left += relEntr(a, m);
            right += relEntr(b, m);
        }
        double js = (left + right) / 2 / Math.log(2);
        // rounding can leave a tiny negative for identical inputs; scipy would give nan there, we give 0
        return Math.sqrt(Math.max(js, 0));
    }

    private static double relEntr(double x, double y) {
        if (x > 0 && y > 0) {
            return x * Math.log(x / y);
        }
        return x == 0 && y >= 0 ? 0 : Double.POSITIVE_INFINITY;
    }

    /**
     * Two-sided two-sample Kolmogorov-Smirnov test as {@code scipy.stats.ks_2samp(a, b)} computes it: the largest
     * distance between the empirical CDFs, and the exact p-value (the lattice-path methods of Hodges, with the
     * square-case formula for equal sizes) when both samples hold at most {@link #KS_EXACT_MAX_N} values. Larger
     * samples, or the rare case where the exact computation fails numerically, get the limiting Kolmogorov
     * distribution at {@code sqrt(n m / (n + m)) D}; scipy uses the finite-n {@code kstwo} there, so that p-value
     * may differ from scipy's in the first digits ({@code exact} is false). The inputs are not modified.
     */
    public static Ks ks2samp(double[] a, double[] b) {
        if (a.length == 0 || b.length == 0) {
            throw new IllegalArgumentException("ks2samp needs two non-empty samples, cannot be: " + a.length + " and "
                    + b.length + " values");
        }
        double[] x = a.clone();
        double[] y = b.clone();
        Arrays.sort(x);
        Arrays.sort(y);
        int n1 = x.length;
        int n2 = y.length;
        // the ECDFs only change at data points: walk both sorted samples and compare after each distinct value
        double maxS = 0;
        double minS = 0;
        int i = 0;
        int j = 0;
        while (i < n1 || j < n2) {
            double v = i < n1 && (j >= n2 || x[i] <= y[j]) ? x[i] : y[j];
            while (i < n1 && x[i] <= v) {
                i++;
            }
            while (j < n2 && y[j] <= v) {
                j++;
            }
            double diff = (double) i / n1 - (double) j / n2;
            maxS = Math.max(maxS, diff);
            minS = Math.min(minS, diff);
        }
        double d = -minS > maxS ? Math.min(-minS, 1) : maxS;
        long g = gcd(n1, n2);
        if (Math.max(n1, n2) <= KS_EXACT_MAX_N) {
            long lcm = (n1 / g) * (long) n2;
            long h = Math.round(d * lcm);
            double dExact = (double) h / lcm;
            if (h == 0) {
                return new Ks(dExact, 1.0, true);
            }
            double prob = n1 == n2 ? probOutsideSquare(n1, h) : outerProbInside(n1, n2, g, h);
            if (prob >= 0 && prob <= 1) {
                return new Ks(dExact, prob, true);
            }
        }
        double m = Math.max(n1, n2);
        double n = Math.min(n1, n2);
        double en = m * n / (m + n);
        return new Ks(d, clamp01(kolmogorovSf(Math.sqrt(en) * d)), false);
    }

    /** P(D_{n,n} >= h/n): 2 * sum_k (-1)^(k-1) binom(2n, n-kh) / binom(2n, n), evaluated Horner-like. */
    private static double probOutsideSquare(long n, long h) {
        double p = 0;
        long k = n / h;
        while (k >= 0) {
            double p1 = 1;
            for (long j = 0; j < h; j++) {
                p1 = (n - k * h - j) * p1 / (n + k * h + j + 1);
            }
            p = p1 * (1 - p);
            k--;
        }
        return 2 * p;
    }

    /**
     * 1 - (paths from (0,0) to (m,n) that stay strictly within |x/m - y/n| < h/lcm) / binom(m+n, n), by the column
     * recursion for the complement (Viehmann 2021), one sliding column at a time.
     */
    private static double outerProbInside(long m0, long n0, long g, long h) {
        long m = Math.max(m0, n0);
        long n = Math.min(m0, n0);
        long mg = m / g;
        long ng = n / g;
        int minj = 0;
        int maxj = (int) Math.min(ceilDiv(h, mg), n + 1);
        int curlen = maxj - minj;
        int lenA = (int) Math.min(2L * maxj + 2, n + 1);
        double[] a = new double[lenA];
        Arrays.fill(a, 1.0);
        Arrays.fill(a, minj, maxj, 0.0);
        for (long i = 1; i <= m; i++) {
            int lastminj = minj;
            int lastlen = curlen;
            minj = (int) Math.max(Math.floorDiv(ng * i - h, mg) + 1, 0);
            minj = (int) Math.min(minj, n);
            maxj = (int) Math.min(ceilDiv(ng * i + h, mg), n + 1);
            if (maxj <= minj) {
                return 1.0;
            }
            double val = minj == 0 ? 0.0 : 1.0;
            for (int jj = 0; jj < maxj - minj; jj++) {
                int jv = jj + minj;
                val = (a[jj + minj - lastminj] * i + val * jv) / (i + jv);
                a[jj] = val;
            }
            curlen = maxj - minj;
            if (lastlen > curlen) {
                Arrays.fill(a, maxj - minj, maxj - minj + (lastlen - curlen), 1.0);
            }
        }
        return a[maxj - minj - 1];
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    /** Survival function of the Kolmogorov distribution: 2 sum_k (-1)^(k-1) exp(-2 k^2 z^2). */
    static double kolmogorovSf(double z) {
        if (z <= 0) {
            return 1;
        }
        if (z < 0.3) {
            // the alternating series converges slowly here and the value is 1 to double precision
            return 1;
        }
        double sum = 0;
        for (int k = 1; k <= 100; k++) {
            double term = Math.exp(-2.0 * k * k * z * z);
            sum += (k % 2 == 1 ? term : -term);
            if (term < 1e-18) {
                break;
            }
        }
        return 2 * sum;
    }

    /** {@code scipy.stats.wasserstein_distance(u, v)}: the area between the two empirical CDFs. */
    public static double wasserstein(double[] u, double[] v) {
        return wasserstein(u, null, v, null);
    }

    /**
     * {@code scipy.stats.wasserstein_distance(u, v, uWeights, vWeights)}; a null weight array means equal weights.
     * With bin centres as values and bin counts as weights this is the histogram form.
     */
    public static double wasserstein(double[] u, double[] uWeights, double[] v, double[] vWeights) {
        if (u.length == 0 || v.length == 0) {
            throw new IllegalArgumentException("wasserstein needs two non-empty distributions, cannot be: " + u.length
                    + " and " + v.length + " values");
        }
        double[][] us = sortedWithCumWeights(u, uWeights);
        double[][] vs = sortedWithCumWeights(v, vWeights);
        double[] all = new double[u.length + v.length];
        System.arraycopy(u, 0, all, 0, u.length);
        System.arraycopy(v, 0, all, u.length, v.length);
        Arrays.sort(all);
        double total = 0;
        int iu = 0;
        int iv = 0;
        for (int k = 0; k < all.length - 1; k++) {
            double x = all[k];
            // searchsorted(sorted, x, 'right'): values <= x; x only grows, so the pointers only advance
            while (iu < us[0].length && us[0][iu] <= x) {
                iu++;
            }
            while (iv < vs[0].length && vs[0][iv] <= x) {
                iv++;
            }
            double uCdf = us[1][iu] / us[1][us[1].length - 1];
            double vCdf = vs[1][iv] / vs[1][vs[1].length - 1];
            total += Math.abs(uCdf - vCdf) * (all[k + 1] - x);
        }
        return total;
    }

    /** [sorted values, cumulative weights with a leading 0]. */
    private static double[][] sortedWithCumWeights(double[] values, double[] weights) {
        int n = values.length;
        if (weights != null && weights.length != n) {
            throw new IllegalArgumentException("weights must match the values, cannot be: " + weights.length
                    + " weights for " + n + " values");
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (p, q) -> Double.compare(values[p], values[q]));
        double[] sorted = new double[n];
        double[] cum = new double[n + 1];
        for (int i = 0; i < n; i++) {
            sorted[i] = values[order[i]];
            double w = weights == null ? 1 : weights[order[i]];
            if (!(w >= 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException("weights must be finite and >= 0, cannot be: " + w);
            }
            cum[i + 1] = cum[i] + w;
        }
        if (!(cum[n] > 0)) {
            throw new IllegalArgumentException("weights must have a positive total, cannot be: " + cum[n]);
        }
        return new double[][] {sorted, cum};
    }

    /**
     * The bin of a value among the inner edges {@code e_0 < e_1 < ...}: bin i holds {@code e_(i-1) < x <= e_i}
     * (numpy's {@code searchsorted(edges, x, side='left')}), so there are {@code edges.length + 1} bins.
     */
    public static int bin(double[] edges, double x) {
        int lo = 0;
        int hi = edges.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (edges[mid] < x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Counts of finite values per bin of {@link #bin}; non-finite values are not counted. */
    public static double[] histogram(double[] edges, double[] values) {
        double[] counts = new double[edges.length + 1];
        for (double x : values) {
            if (Double.isFinite(x)) {
                counts[bin(edges, x)]++;
            }
        }
        return counts;
    }

    /**
     * The distinct values among the {@code bins - 1} inner quantiles {@code k / bins} of the values, with numpy's
     * default linear interpolation ({@code np.unique(np.quantile(x, [1/bins, ..., (bins-1)/bins]))}).
     */
    public static double[] quantileEdges(double[] values, int bins) {
        if (bins < 2) {
            throw new IllegalArgumentException("bins must be at least 2, cannot be: " + bins);
        }
        if (values.length == 0) {
            return new double[0];
        }
        double[] x = values.clone();
        Arrays.sort(x);
        double[] out = new double[bins - 1];
        int k = 0;
        for (int i = 1; i < bins; i++) {
            double pos = (x.length - 1) * ((double) i / bins);
            int lo = (int) Math.floor(pos);
            int hi = Math.min(lo + 1, x.length - 1);
            double frac = pos - lo;
            // numpy's _lerp: a + (b - a) * t, evaluated from the nearer end for t >= 0.5
            double diff = x[hi] - x[lo];
            double q = frac >= 0.5 ? x[hi] - diff * (1 - frac) : x[lo] + diff * frac;
            if (k == 0 || q > out[k - 1]) {
                out[k++] = q;
            }
        }
        return Arrays.copyOf(out, k);
    }

    private static double clamp01(double v) {
        return Math.min(1, Math.max(0, v));
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    private static double sum(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s;
    }

    private static void checkSameBins(double[] a, double[] b) {
        if (a.length != b.length || a.length == 0) {
            throw new IllegalArgumentException("both distributions need the same non-zero number of bins, cannot be: "
                    + a.length + " and " + b.length);
        }
    }
}
