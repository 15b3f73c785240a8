package io.fosm.dsp;

/**
 * Time-domain features of {@code n} samples starting at {@code offset}, as pure static functions.
 *
 * <p>The mean used for centring is the arithmetic mean, except that a constant window is centred on its own value:
 * rounding in the mean would otherwise turn a dead channel into a tiny fake signal with arbitrary shape statistics.
 */
public final class TimeFeatures {

    private TimeFeatures() {
    }

    /** The centring value: the mean, or the constant itself when all samples are equal. */
    public static double mean(double[] x, int offset, int n) {
        checkRange(x, offset, n);
        double sum = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = offset; i < offset + n; i++) {
            double v = x[i];
            sum += v;
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        return max == min ? x[offset] : sum / n;
    }

    /** sqrt(mean(x^2)) of the raw samples, not mean-removed. */
    public static double rms(double[] x, int offset, int n) {
        checkRange(x, offset, n);
        double sumSq = 0;
        for (int i = offset; i < offset + n; i++) {
            sumSq += x[i] * x[i];
        }
        return Math.sqrt(sumSq / n);
    }

    /** max(x) - min(x). */
    public static double peakToPeak(double[] x, int offset, int n) {
        checkRange(x, offset, n);
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = offset; i < offset + n; i++) {
            min = Math.min(min, x[i]);
            max = Math.max(max, x[i]);
        }
        return max - min;
    }

    /** The central moment mean((x - mu)^k) for k = 2, 3 or 4. */
    public static double centralMoment(double[] x, int offset, int n, int k) {
        if (k < 2 || k > 4) {
            throw new IllegalArgumentException("moment order must be 2, 3 or 4, cannot be: " + k);
        }
        double mu = mean(x, offset, n);
        double sum = 0;
        for (int i = offset; i < offset + n; i++) {
            double d = x[i] - mu;
            sum += k == 2 ? d * d : k == 3 ? d * d * d : d * d * d * d;
        }
        return sum / n;
    }

    /** Population standard deviation (ddof = 0). */
    public static double std(double[] x, int offset, int n) {
        return Math.sqrt(centralMoment(x, offset, n, 2));
    }

    /** m3 / m2^1.5, 0 for a constant window. */
    public static double skewness(double[] x, int offset, int n) {
        return skewness(centralMoment(x, offset, n, 2), centralMoment(x, offset, n, 3));
    }

    /** Pearson kurtosis m4 / m2^2 (a Gaussian reads 3, not 0), 0 for a constant window. */
    public static double kurtosis(double[] x, int offset, int n) {
        return kurtosis(centralMoment(x, offset, n, 2), centralMoment(x, offset, n, 4));
    }

    /** max|x| / rms, 0 when rms is 0. */
    public static double crestFactor(double[] x, int offset, int n) {
        double rms = rms(x, offset, n);
        double maxAbs = 0;
        for (int i = offset; i < offset + n; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(x[i]));
        }
        return rms == 0 ? 0 : maxAbs / rms;
    }

    /** Sign changes of (x - mu) between neighbours per second: a sine of f Hz reads about 2f. */
    public static double zeroCrossingRate(double[] x, int offset, int n, double sampleRate) {
        double mu = mean(x, offset, n);
        int crossings = 0;
        double prev = x[offset] - mu;
        for (int i = offset + 1; i < offset + n; i++) {
            double d = x[i] - mu;
            if (prev * d < 0) {
                crossings++;
            }
            prev = d;
        }
        return zeroCrossingRate(crossings, n, sampleRate);
    }

    static double skewness(double m2, double m3) {
        return m2 == 0 ? 0 : m3 / (m2 * Math.sqrt(m2));
    }

    static double kurtosis(double m2, double m4) {
        return m2 == 0 ? 0 : m4 / (m2 * m2);
    }

    static double zeroCrossingRate(int crossings, int n, double sampleRate) {
        return n < 2 ? 0 : crossings / ((n - 1) / sampleRate);
    }

    static void checkRange(double[] x, int offset, int n) {
        if (n < 1) {
            throw new IllegalArgumentException("sample count must be at least 1, cannot be: " + n);
        }
        if (offset < 0 || offset > x.length - n) {
            throw new IllegalArgumentException(
                    "offset must leave " + n + " samples in an array of " + x.length + ", cannot be: " + offset);
        }
    }
}
