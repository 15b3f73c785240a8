package io.fosm.dsp;

import java.util.Arrays;

/**
 * Motion and spatial structure of the windows of one fiber that share a start, the one implementation behind gold and
 * the stream (next to {@link SpatialContext}). Moving sources (a vehicle, a walker, a pig) and stationary ones (a
 * leak, digging) differ in how their energy moves across channels, which no single channel's spectrum shows.
 *
 * <p>Inputs per window: its channel, its {@link #envelope short-time energy envelope} ({@link #ENVELOPE_FRAMES}
 * frames), its total power and the total power of the window one hop earlier on the same channel (NaN when missing).
 * Outputs, in this order ({@link #OUTPUTS}), each over the other windows within {@code neighbors} channels:
 * <ol>
 *   <li>{@code envelope_velocity_mps}: the apparent velocity from the lags of the cross-correlation of the window's
 *       envelope with its neighbours' envelopes. For neighbour j at signed distance x_j = (c_j - c) spacing the lag
 *       tau_j (s) maximises the normalised cross-correlation sum_n a[n] b_j[n + lag] (mean-removed envelopes, lags
 *       within half the window, refined by a parabola through the peak and its two neighbours); the slowness
 *       s = sum x_j tau_j / sum x_j^2 (least squares through the origin), and the velocity 1/s (positive towards
 *       higher channels), or 0 when |1/s| exceeds {@link #MAX_SPEED_MPS} (no measurable lag: stationary or
 *       simultaneous) or no neighbour has a varying envelope.</li>
 *   <li>{@code envelope_coherence}: the mean zero-lag correlation of the window's envelope with those of channels
 *       c - 1 and c + 1 (those present with a varying envelope; 0 without): near 1 where one source drives both
 *       channels, near 0 for independent noise.</li>
 *   <li>{@code power_flow_velocity_mps}: the velocity of the power pattern along the fiber over one hop (1-D optical
 *       flow of P = 10 log10(total_power + 1e-12)): v = -sum P_t P_x / sum P_x^2 over the channels within
 *       {@code neighbors} (this one included) that have both adjacent channels and all three a previous window,
 *       with P_t = (P - P_prev) / hop and P_x the mean of the central differences (P_{c+1} - P_{c-1}) / (2 spacing)
 *       now and one hop earlier. Exact for a Gaussian power profile moving at constant speed; 0 when undefined.
 *       Unlike the envelope lag it sees slow movers (a pig at 1 m/s moves half a channel per hop).</li>
 *   <li>{@code energy_spread_channels}: the power-weighted standard deviation of channel number around the
 *       power-weighted centroid, with weights total_power minus the smallest total power among those channels;
 *       0 when all are equal. A point noise source reads ~0, an event spanning the neighbourhood reads wide.</li>
 * </ol>
 */
public final class SpatialMotion implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    /** Number of motion values per window, in the order of the class javadoc. */
    public static final int OUTPUTS = 4;
    /** Frames of a window's short-time energy envelope. */
    public static final int ENVELOPE_FRAMES = 20;
    /** The largest speed a lag is read as (m/s): faster reads 0, as a stationary source does. */
    public static final double MAX_SPEED_MPS = 100.0;
    private static final double EPS = 1e-12;

    private final int neighbors;
    private final double spacingM;
    private final double frameSeconds;
    private final double hopSeconds;

    /**
     * @param neighbors    channels either side a window is compared with (gold.neighbor_channels)
     * @param spacingM     metres between channels
     * @param frameSeconds duration of one envelope frame ({@link #frameSamples} / fs)
     * @param hopSeconds   time between window starts
     */
    public SpatialMotion(int neighbors, double spacingM, double frameSeconds, double hopSeconds) {
        if (neighbors < 1) {
            throw new IllegalArgumentException("neighbour channels must be at least 1, cannot be: " + neighbors);
        }
        if (!(spacingM > 0) || !(frameSeconds > 0) || !(hopSeconds > 0)) {
            throw new IllegalArgumentException("Cannot compute motion: spacing " + spacingM + " m, frame "
                    + frameSeconds + " s and hop " + hopSeconds + " s must all be positive");
        }
        this.neighbors = neighbors;
        this.spacingM = spacingM;
        this.frameSeconds = frameSeconds;
        this.hopSeconds = hopSeconds;
    }

    /** A motion context for a fiber's DSP settings and channel spacing. */
    public static SpatialMotion forConfig(FeatureConfig config, int neighbors, double spacingM) {
        return new SpatialMotion(neighbors, spacingM, frameSamples(config.windowSamples()) / config.sampleRate(),
                config.hopSamples() / config.sampleRate());
    }

    /** Samples per envelope frame for a window of {@code windowSamples}: floor(N / ENVELOPE_FRAMES). */
    public static int frameSamples(int windowSamples) {
        return windowSamples / ENVELOPE_FRAMES;
    }

    /**
     * The short-time energy envelope of the window {@code x[offset, offset + n)}: {@code out[outOffset + i]} = mean of
     * (x - mu)^2 over frame i = samples [i L, (i + 1) L), L = floor(n / ENVELOPE_FRAMES), mu the mean of the whole
     * window (the samples after the last whole frame count in mu only).
     */
    public static void envelope(double[] x, int offset, int n, double[] out, int outOffset) {
        int frame = frameSamples(n);
        if (frame < 1) {
            throw new IllegalArgumentException("Cannot compute an energy envelope: a window of " + n
                    + " samples is shorter than " + ENVELOPE_FRAMES + " frames");
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += x[offset + i];
        }
        double mu = sum / n;
        for (int f = 0; f < ENVELOPE_FRAMES; f++) {
            double e = 0;
            int from = offset + f * frame;
            for (int i = from; i < from + frame; i++) {
                double d = x[i] - mu;
                e += d * d;
            }
            out[outOffset + f] = e / frame;
        }
    }

    /**
     * The lag (frames, fractional) at which {@code b} best matches {@code a} shifted: the argmax over |lag| <= maxLag of
     * sum_n a'[n] b'[n + lag] / (|a'| |b'|) (a', b' mean-removed), refined by a parabola through the peak and its two
     * neighbours when the peak is inside the range. {@code out[0]} = lag, {@code out[1]} = the peak correlation;
     * returns false (out untouched) when either envelope is constant.
     */
    public static boolean lag(double[] a, int ao, double[] b, int bo, int frames, int maxLag, double[] out) {
        double ma = 0;
        double mb = 0;
        for (int i = 0; i < frames; i++) {
            ma += a[ao + i];
            mb += b[bo + i];
        }
        ma /= frames;
        mb /= frames;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < frames; i++) {
            na += (a[ao + i] - ma) * (a[ao + i] - ma);
            nb += (b[bo + i] - mb) * (b[bo + i] - mb);
        }
        if (!(na > 0) || !(nb > 0)) {
            return false;
        }
        double norm = Math.sqrt(na * nb);
        int best = 0;
        double bestR = Double.NEGATIVE_INFINITY;
        double[] r = new double[2 * maxLag + 1];
        for (int lag = -maxLag; lag <= maxLag; lag++) {
            double s = 0;
            for (int n = Math.max(0, -lag); n < Math.min(frames, frames - lag); n++) {
                s += (a[ao + n] - ma) * (b[bo + n + lag] - mb);
            }
            r[lag + maxLag] = s / norm;
            if (r[lag + maxLag] > bestR) {
                bestR = r[lag + maxLag];
                best = lag;
            }
        }
        double shift = 0;
        if (best > -maxLag && best < maxLag) {
            double left = r[best - 1 + maxLag];
            double right = r[best + 1 + maxLag];
            double curvature = left - 2 * bestR + right;
            if (curvature < 0) {
                shift = 0.5 * (left - right) / curvature;
            }
        }
        out[0] = best + shift;
        out[1] = bestR;
        return true;
    }

    /**
     * Fills {@code out[i * OUTPUTS + k]} with motion value k of window i, for {@code n} windows sorted by channel
     * (ascending, distinct) with their envelopes ({@code envelopes[i * ENVELOPE_FRAMES ...]}), total powers and the
     * total powers one hop earlier (NaN when missing).
     *
     * <p>Cost O(n x neighbors): each window's centred envelope, norm and flow terms are computed once, the neighbours
     * of a window are the adjacent run of the sorted channels, and the cross-correlation of a pair serves both of its
     * windows (r_ba(lag) = r_ab(-lag) term by term). The figures equal those of the direct definition (every pair,
     * every window against all others) bit for bit; {@code SpatialMotionTest} holds that definition.
     */
    public void compute(int[] channels, double[] envelopes, double[] power, double[] previousPower, int n,
                        double[] out) {
        int maxLag = ENVELOPE_FRAMES / 2;
        int lags = 2 * maxLag + 1;
        Scratch s = scratch(n, lags);
        for (int j = 0; j < n; j++) {
            int o = j * ENVELOPE_FRAMES;
            double m = 0;
            for (int k = 0; k < ENVELOPE_FRAMES; k++) {
                m += envelopes[o + k];
            }
            m /= ENVELOPE_FRAMES;
            double sq = 0;
            for (int k = 0; k < ENVELOPE_FRAMES; k++) {
                double d = envelopes[o + k] - m;
                s.centred[o + k] = d;
                sq += d * d;
            }
            s.norm2[j] = sq;
            // the adjacent channels of a sorted, distinct list are the adjacent entries, when present
            int below = j > 0 && channels[j - 1] == channels[j] - 1 ? j - 1 : -1;
            int above = j + 1 < n && channels[j + 1] == channels[j] + 1 ? j + 1 : -1;
            s.hasFlow[j] = !(below < 0 || above < 0 || Double.isNaN(previousPower[j])
                    || Double.isNaN(previousPower[below]) || Double.isNaN(previousPower[above]));
            if (s.hasFlow[j]) {
                s.pt[j] = (db(power[j]) - db(previousPower[j])) / hopSeconds;
                double pxNow = (db(power[above]) - db(power[below])) / (2 * spacingM);
                double pxBefore = (db(previousPower[above]) - db(previousPower[below])) / (2 * spacingM);
                s.px[j] = (pxNow + pxBefore) / 2;
            }
        }
        int lo = 0;
        for (int i = 0; i < n; i++) {
            int c = channels[i];
            while (channels[lo] < c - neighbors) {
                lo++;
            }
            int hi = i;
            while (hi + 1 < n && channels[hi + 1] <= c + neighbors) {
                hi++;
            }
            double sxt = 0;
            double sxx = 0;
            double coherence = 0;
            int coherent = 0;
            double flowNum = 0;
            double flowDen = 0;
            double wMin = Double.POSITIVE_INFINITY;
            for (int j = lo; j <= hi; j++) {
                wMin = Math.min(wMin, power[j]);
            }
            double wSum = 0;
            double wc = 0;
            double wcc = 0;
            for (int j = lo; j <= hi; j++) {
                int d = channels[j] - c;
                double w = power[j] - wMin;
                wSum += w;
                wc += w * channels[j];
                wcc += w * (double) channels[j] * channels[j];
                if (s.hasFlow[j]) {
                    flowNum += s.pt[j] * s.px[j];
                    flowDen += s.px[j] * s.px[j];
                }
                if (d == 0 || !(s.norm2[i] > 0) || !(s.norm2[j] > 0)) {
                    continue;
                }
                // r of the pair (lower index, higher index), computed when the lower one comes first
                int a = Math.min(i, j);
                int base = (a * neighbors + (Math.max(i, j) - a - 1)) * lags;
                if (j > i) {
                    correlations(s.centred, i * ENVELOPE_FRAMES, j * ENVELOPE_FRAMES, maxLag,
                            Math.sqrt(s.norm2[i] * s.norm2[j]), s.r, base);
                }
                double lag = peak(s.r, base, maxLag, j < i);
                double x = d * spacingM;
                sxt += x * lag * frameSeconds;
                sxx += x * x;
                if (Math.abs(d) == 1) {
                    // the zero-lag Pearson correlation is r at lag 0
                    coherence += s.r[base + maxLag];
                    coherent++;
                }
            }
            double velocity = 0;
            if (sxx > 0 && sxt != 0) {
                double v = sxx / sxt;
                velocity = Math.abs(v) > MAX_SPEED_MPS ? 0 : v;
            }
            double spread = 0;
            if (wSum > 0) {
                double mean = wc / wSum;
                spread = Math.sqrt(Math.max(0, wcc / wSum - mean * mean));
            }
            out[i * OUTPUTS] = velocity;
            out[i * OUTPUTS + 1] = coherent == 0 ? 0 : coherence / coherent;
            out[i * OUTPUTS + 2] = flowDen > 0 ? -flowNum / flowDen : 0;
            out[i * OUTPUTS + 3] = spread;
        }
    }

    /**
     * r[base + lag + maxLag] = sum_n a'[n] b'[n + lag] / norm for |lag| <= maxLag, over centred envelopes a' at
     * {@code ao} and b' at {@code bo} (the terms and their order of {@link #lag}).
     */
    private static void correlations(double[] centred, int ao, int bo, int maxLag, double norm, double[] r, int base) {
        int frames = ENVELOPE_FRAMES;
        for (int lag = -maxLag; lag <= maxLag; lag++) {
            double s = 0;
            for (int n = Math.max(0, -lag); n < Math.min(frames, frames - lag); n++) {
                s += centred[ao + n] * centred[bo + n + lag];
            }
            r[base + lag + maxLag] = s / norm;
        }
    }

    /**
     * The refined peak lag of {@link #lag} from the correlations of a pair; {@code mirrored} reads them for the pair
     * taken the other way round (r'(lag) = r(-lag)), scanning lags in the same order as {@link #lag} would.
     */
    private static double peak(double[] r, int base, int maxLag, boolean mirrored) {
        int sign = mirrored ? -1 : 1;
        int best = 0;
        double bestR = Double.NEGATIVE_INFINITY;
        for (int lag = -maxLag; lag <= maxLag; lag++) {
            double v = r[base + sign * lag + maxLag];
            if (v > bestR) {
                bestR = v;
                best = lag;
            }
        }
        double shift = 0;
        if (best > -maxLag && best < maxLag) {
            double left = r[base + sign * (best - 1) + maxLag];
            double right = r[base + sign * (best + 1) + maxLag];
            double curvature = left - 2 * bestR + right;
            if (curvature < 0) {
                shift = 0.5 * (left - right) / curvature;
            }
        }
        return best + shift;
    }

    /** Per-call working arrays, grown to the largest group seen; not serialised with the motion settings. */
    private static final class Scratch {
        double[] centred = new double[0];
        double[] norm2 = new double[0];
        double[] pt = new double[0];
        double[] px = new double[0];
        boolean[] hasFlow = new boolean[0];
        double[] r = new double[0];
    }

    private transient Scratch scratch;

    private Scratch scratch(int n, int lags) {
        if (scratch == null) {
            scratch = new Scratch();
        }
        Scratch s = scratch;
        if (s.norm2.length < n) {
            s.centred = new double[n * ENVELOPE_FRAMES];
            s.norm2 = new double[n];
            s.pt = new double[n];
            s.px = new double[n];
            s.hasFlow = new boolean[n];
            s.r = new double[n * neighbors * lags];
        }
        return s;
    }

    private static double db(double power) {
        return 10 * Math.log10(power + EPS);
    }
}
