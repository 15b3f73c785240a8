package io.fosm.dsp;

import java.util.List;
import java.util.Objects;

import org.jtransforms.fft.DoubleFFT_1D;

/**
 * Computes the feature vector of one window of {@link FeatureConfig#windowSamples()} samples.
 *
 * <p>Not thread-safe: it owns the FFT plan and scratch buffers that {@link #extract(double[], int, double[])} reuses,
 * so that extracting a window allocates nothing. Use one instance per thread or per Spark partition.
 * Definitions of every feature are in {@code docs/dsp.md}.
 */
public final class FeatureExtractor {

    /** Names of the features before the per-band powers, in output order. */
    public static final List<String> BASE_FEATURES = List.of(
            "rms", "peak_to_peak", "std", "kurtosis", "skewness", "crest_factor", "zero_crossing_rate",
            "spectral_centroid", "spectral_bandwidth", "spectral_entropy", "spectral_rolloff", "spectral_flatness",
            "dominant_frequency", "total_power");

    private static final int RMS = 0;
    private static final int PEAK_TO_PEAK = 1;
    private static final int STD = 2;
    private static final int KURTOSIS = 3;
    private static final int SKEWNESS = 4;
    private static final int CREST_FACTOR = 5;
    private static final int ZERO_CROSSING_RATE = 6;
    private static final int CENTROID = 7;
    private static final int BANDWIDTH = 8;
    private static final int ENTROPY = 9;
    private static final int ROLLOFF = 10;
    private static final int FLATNESS = 11;
    private static final int DOMINANT = 12;
    private static final int TOTAL_POWER = 13;
    private static final int FIRST_BAND = 14;

    private final FeatureConfig config;
    private final int n;
    private final int bins;
    private final String[] names;
    private final double[] hann;
    /** 1 / (N * sum(w^2)): turns |X|^2 into power in squared input units. */
    private final double powerScale;
    private final double[] freq;
    /** Band i covers bins bandFrom[i] (inclusive) to bandTo[i] (exclusive). */
    private final int[] bandFrom;
    private final int[] bandTo;
    private final DoubleFFT_1D fft;
    private final double[] fftBuffer;
    private final double[] power;
    private final double[] floatScratch;
    /** ln(bins), the entropy's normaliser. */
    private final double logBins;

    /** Plans the FFT and precomputes the window, bin frequencies and band bin ranges. */
    public FeatureExtractor(FeatureConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.n = config.windowSamples();
        this.bins = config.spectrumBins();
        this.names = featureNames(config);
        this.hann = hann(n);
        double sumW2 = 0;
        for (double w : hann) {
            sumW2 += w * w;
        }
        this.powerScale = 1.0 / (n * sumW2);
        this.freq = new double[bins + 1];
        for (int k = 0; k <= bins; k++) {
            // k * fs / N in this order, so a twin computing np.arange(K + 1) * fs / N gets identical band edges
            freq[k] = k * config.sampleRate() / n;
        }
        List<Band> bands = config.bands();
        this.bandFrom = new int[bands.size()];
        this.bandTo = new int[bands.size()];
        for (int b = 0; b < bands.size(); b++) {
            int from = 1;
            while (from <= bins && freq[from] < bands.get(b).lowHz()) {
                from++;
            }
            int to = from;
            while (to <= bins && freq[to] < bands.get(b).highHz()) {
                to++;
            }
            bandFrom[b] = from;
            bandTo[b] = to;
        }
        this.fft = new DoubleFFT_1D(n);
        this.fftBuffer = new double[n];
        this.power = new double[bins + 1];
        this.floatScratch = new double[n];
        this.logBins = Math.log(bins);
    }

    /** Feature names in output order for a configuration: {@link #BASE_FEATURES} then one per band. */
    public static String[] featureNames(FeatureConfig config) {
        String[] out = new String[BASE_FEATURES.size() + config.bands().size()];
        for (int i = 0; i < BASE_FEATURES.size(); i++) {
            out[i] = BASE_FEATURES.get(i);
        }
        for (int b = 0; b < config.bands().size(); b++) {
            out[FIRST_BAND + b] = config.bands().get(b).featureName();
        }
        return out;
    }

    /** The periodic Hann window 0.5 - 0.5 cos(2 pi i / n), equal to {@code scipy.signal.get_window('hann', n)}. */
    public static double[] hann(int n) {
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            w[i] = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / n);
        }
        return w;
    }

    public FeatureConfig config() {
        return config;
    }

    /** Feature names in the order {@code extract} writes them (a copy). */
    public String[] featureNames() {
        return names.clone();
    }

    public int featureCount() {
        return names.length;
    }

    /**
     * Writes the features of {@code window[offset .. offset + N)} into {@code out[0 .. featureCount())} in
     * {@link #featureNames()} order. Allocates nothing.
     */
    public void extract(double[] window, int offset, double[] out) {
        if (offset < 0 || offset > window.length - n) {
            throw new IllegalArgumentException("Cannot extract features: window of " + n + " samples does not fit in an array of "
                    + window.length + " from offset " + offset);
        }
        if (out.length < names.length) {
            throw new IllegalArgumentException("Cannot extract features: output array of " + out.length
                    + " cannot hold the " + names.length + " features");
        }
        extractTime(window, offset, out);
        extractSpectral(out);
    }

    /** Convenience for tests and one-offs: the features of exactly N float samples, in a new array. */
    public double[] extract(float[] samples) {
        if (samples.length != n) {
            throw new IllegalArgumentException("Cannot extract features: expected a window of " + n + " samples, got " + samples.length);
        }
        for (int i = 0; i < n; i++) {
            floatScratch[i] = samples[i];
        }
        double[] out = new double[names.length];
        extract(floatScratch, 0, out);
        return out;
    }

    /**
     * Time features; also leaves the mean-removed, Hann-weighted window in fftBuffer. The sums run on two
     * interleaved accumulators (even and odd samples) so that consecutive additions do not wait on each other; the
     * result differs from a single running sum only in rounding.
     */
    private void extractTime(double[] x, int offset, double[] out) {
        double sumA = 0;
        double sumB = 0;
        double sumSqA = 0;
        double sumSqB = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        int end = offset + n;
        int i = offset;
        for (; i + 1 < end; i += 2) {
            double a = x[i];
            double b = x[i + 1];
            sumA += a;
            sumB += b;
            sumSqA += a * a;
            sumSqB += b * b;
            min = Math.min(min, Math.min(a, b));
            max = Math.max(max, Math.max(a, b));
        }
        if (i < end) {
            double a = x[i];
            sumA += a;
            sumSqA += a * a;
            min = Math.min(min, a);
            max = Math.max(max, a);
        }
        double sum = sumA + sumB;
        double sumSq = sumSqA + sumSqB;
        // see TimeFeatures: a constant window is centred on itself so it has exactly zero spread and spectrum
        double mu = max == min ? x[offset] : sum / n;
        double m2a = 0;
        double m2b = 0;
        double m3a = 0;
        double m3b = 0;
        double m4a = 0;
        double m4b = 0;
        int crossings = 0;
        double prev = x[offset] - mu;
        int j = 0;
        for (; j + 1 < n; j += 2) {
            double d = x[offset + j] - mu;
            double e = x[offset + j + 1] - mu;
            double d2 = d * d;
            double e2 = e * e;
            m2a += d2;
            m2b += e2;
            m3a += d2 * d;
            m3b += e2 * e;
            m4a += d2 * d2;
            m4b += e2 * e2;
            crossings += (prev * d < 0 ? 1 : 0) + (d * e < 0 ? 1 : 0);
            prev = e;
            fftBuffer[j] = d * hann[j];
            fftBuffer[j + 1] = e * hann[j + 1];
        }
        if (j < n) {
            double d = x[offset + j] - mu;
            double d2 = d * d;
            m2a += d2;
            m3a += d2 * d;
            m4a += d2 * d2;
            crossings += prev * d < 0 ? 1 : 0;
            fftBuffer[j] = d * hann[j];
        }
        double m2 = (m2a + m2b) / n;
        double m3 = (m3a + m3b) / n;
        double m4 = (m4a + m4b) / n;
        double rms = Math.sqrt(sumSq / n);
        double maxAbs = Math.max(Math.abs(min), Math.abs(max));
        out[RMS] = rms;
        out[PEAK_TO_PEAK] = max - min;
        out[STD] = Math.sqrt(m2);
        out[KURTOSIS] = TimeFeatures.kurtosis(m2, m4);
        out[SKEWNESS] = TimeFeatures.skewness(m2, m3);
        out[CREST_FACTOR] = rms == 0 ? 0 : maxAbs / rms;
        out[ZERO_CROSSING_RATE] = TimeFeatures.zeroCrossingRate(crossings, n, config.sampleRate());
    }

    /**
     * The spectral features of {@link SpectralFeatures} in three passes over the spectrum instead of one per feature
     * (and S once instead of in every feature): S, sum f P and the dominant bin; then the spread around the
     * centroid and the entropy; then rolloff, flatness and the bands. Equal to the per-feature functions up to
     * rounding (docs/dsp.md; the scipy fixtures check both).
     */
    private void extractSpectral(double[] out) {
        fft.realForward(fftBuffer);
        unpackPower(fftBuffer, n, power);
        double[] p = power;
        double[] f = freq;
        double sA = 0;
        double sB = 0;
        double fpA = 0;
        double fpB = 0;
        int best = 1;
        int k = 1;
        for (; k + 1 <= bins; k += 2) {
            double a = p[k];
            double b = p[k + 1];
            sA += a;
            sB += b;
            fpA += f[k] * a;
            fpB += f[k + 1] * b;
            if (a > p[best]) {
                best = k;
            }
            if (b > p[best]) {
                best = k + 1;
            }
        }
        if (k <= bins) {
            sA += p[k];
            fpA += f[k] * p[k];
            if (p[k] > p[best]) {
                best = k;
            }
        }
        double s = sA + sB;
        if (s == 0) {
            for (int i = CENTROID; i < names.length; i++) {
                out[i] = 0;
            }
            return;
        }
        double centroid = (fpA + fpB) / s;
        // spread around the centroid, and sum P ln P for the entropy: -sum (P/S) ln(P/S) = ln S - sum(P ln P) / S
        double spreadA = 0;
        double spreadB = 0;
        double plogpA = 0;
        double plogpB = 0;
        k = 1;
        for (; k + 1 <= bins; k += 2) {
            double a = p[k];
            double b = p[k + 1];
            double da = f[k] - centroid;
            double db = f[k + 1] - centroid;
            spreadA += da * da * a;
            spreadB += db * db * b;
            plogpA += a > 0 ? a * Math.log(a) : 0;
            plogpB += b > 0 ? b * Math.log(b) : 0;
        }
        if (k <= bins) {
            double a = p[k];
            double da = f[k] - centroid;
            spreadA += da * da * a;
            plogpA += a > 0 ? a * Math.log(a) : 0;
        }
        out[CENTROID] = centroid;
        out[BANDWIDTH] = Math.sqrt((spreadA + spreadB) / s);
        out[ENTROPY] = bins < 2 ? 0 : Math.max(0, Math.log(s) - (plogpA + plogpB) / s) / logBins;
        out[ROLLOFF] = rolloff(s);
        out[FLATNESS] = SpectralFeatures.flatness(p, bins, config.flatnessGroupBins(), s);
        out[DOMINANT] = p[best] > 0 ? f[best] : 0;
        out[TOTAL_POWER] = 2 * s * powerScale;
        for (int b = 0; b < bandFrom.length; b++) {
            double acc = 0;
            for (int j = bandFrom[b]; j < bandTo[b]; j++) {
                acc += p[j];
            }
            out[FIRST_BAND + b] = 2 * acc * powerScale;
        }
    }

    /** {@link SpectralFeatures#rolloff} with S known. */
    private double rolloff(double s) {
        double threshold = config.rolloffFraction() * s;
        double cum = 0;
        for (int k = 1; k <= bins; k++) {
            cum += power[k];
            if (cum >= threshold) {
                return freq[k];
            }
        }
        // only reachable through rounding when the fraction is next to 1
        return freq[bins];
    }

    /**
     * Turns JTransforms' packed {@code realForward} output into |X[k]|^2 for k = 0..n/2. Packing: a[2k] = Re[k],
     * a[2k+1] = Im[k]; for even n a[1] = Re[n/2] (whose Im is 0), for odd n a[1] = Im[(n-1)/2] and a[n-1] its Re.
     */
    static void unpackPower(double[] a, int n, double[] power) {
        int half = n / 2;
        power[0] = a[0] * a[0];
        if (n % 2 == 0) {
            for (int k = 1; k < half; k++) {
                power[k] = a[2 * k] * a[2 * k] + a[2 * k + 1] * a[2 * k + 1];
            }
            power[half] = a[1] * a[1];
        } else {
            for (int k = 1; k < half; k++) {
                power[k] = a[2 * k] * a[2 * k] + a[2 * k + 1] * a[2 * k + 1];
            }
            power[half] = a[n - 1] * a[n - 1] + a[1] * a[1];
        }
    }
}
