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

    /** Time features; also leaves the mean-removed, Hann-weighted window in fftBuffer. */
    private void extractTime(double[] x, int offset, double[] out) {
        double sum = 0;
        double sumSq = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = offset; i < offset + n; i++) {
            double v = x[i];
            sum += v;
            sumSq += v * v;
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        // see TimeFeatures: a constant window is centred on itself so it has exactly zero spread and spectrum
        double mu = max == min ? x[offset] : sum / n;
        double m2 = 0;
        double m3 = 0;
        double m4 = 0;
        int crossings = 0;
        double prev = 0;
        for (int i = 0; i < n; i++) {
            double d = x[offset + i] - mu;
            double d2 = d * d;
            m2 += d2;
            m3 += d2 * d;
            m4 += d2 * d2;
            if (i > 0 && prev * d < 0) {
                crossings++;
            }
            prev = d;
            fftBuffer[i] = d * hann[i];
        }
        m2 /= n;
        m3 /= n;
        m4 /= n;
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

    private void extractSpectral(double[] out) {
        fft.realForward(fftBuffer);
        unpackPower(fftBuffer, n, power);
        double s = SpectralFeatures.total(power, bins);
        if (s == 0) {
            for (int i = CENTROID; i < names.length; i++) {
                out[i] = 0;
            }
            return;
        }
        out[CENTROID] = SpectralFeatures.centroid(power, freq, bins);
        out[BANDWIDTH] = SpectralFeatures.bandwidth(power, freq, bins);
        out[ENTROPY] = SpectralFeatures.entropy(power, bins);
        out[ROLLOFF] = SpectralFeatures.rolloff(power, freq, bins, config.rolloffFraction());
        out[FLATNESS] = SpectralFeatures.flatness(power, bins, config.flatnessGroupBins());
        out[DOMINANT] = SpectralFeatures.dominantFrequency(power, freq, bins);
        out[TOTAL_POWER] = SpectralFeatures.totalPower(power, bins, powerScale);
        for (int b = 0; b < bandFrom.length; b++) {
            double acc = 0;
            for (int k = bandFrom[b]; k < bandTo[b]; k++) {
                acc += power[k];
            }
            out[FIRST_BAND + b] = 2 * acc * powerScale;
        }
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
