package io.fosm.dsp;

/**
 * Spectral features of a one-sided power spectrum, as pure static functions.
 *
 * <p>Arrays are indexed by FFT bin: {@code power[k]} is |X[k]|^2 and {@code freq[k]} its frequency in Hz for
 * k = 1..bins; index 0 (the DC bin) is ignored, because the window mean was removed and DC would only carry rounding.
 * Every function returns 0 when the total power is 0, never NaN.
 */
public final class SpectralFeatures {

    /** Stands in for an empty flatness group so its logarithm stays finite. */
    static final double FLATNESS_FLOOR = 1e-30;

    private SpectralFeatures() {
    }

    /** S = sum of power[1..bins]. */
    public static double total(double[] power, int bins) {
        double s = 0;
        for (int k = 1; k <= bins; k++) {
            s += power[k];
        }
        return s;
    }

    /** Power-weighted mean frequency in Hz. */
    public static double centroid(double[] power, double[] freq, int bins) {
        double s = total(power, bins);
        if (s == 0) {
            return 0;
        }
        double acc = 0;
        for (int k = 1; k <= bins; k++) {
            acc += freq[k] * power[k];
        }
        return acc / s;
    }

    /** Power-weighted standard deviation of frequency around the centroid, in Hz. */
    public static double bandwidth(double[] power, double[] freq, int bins) {
        double s = total(power, bins);
        if (s == 0) {
            return 0;
        }
        double c = centroid(power, freq, bins);
        double acc = 0;
        for (int k = 1; k <= bins; k++) {
            double d = freq[k] - c;
            acc += d * d * power[k];
        }
        return Math.sqrt(acc / s);
    }

    /** Shannon entropy of the normalised spectrum divided by ln(bins): 1 for a flat spectrum, near 0 for a tone. */
    public static double entropy(double[] power, int bins) {
        double s = total(power, bins);
        if (s == 0 || bins < 2) {
            return 0;
        }
        double h = 0;
        for (int k = 1; k <= bins; k++) {
            double p = power[k] / s;
            if (p > 0) {
                h -= p * Math.log(p);
            }
        }
        return h / Math.log(bins);
    }

    /** The lowest bin frequency at which the cumulative power reaches {@code fraction} of the total. */
    public static double rolloff(double[] power, double[] freq, int bins, double fraction) {
        double s = total(power, bins);
        if (s == 0) {
            return 0;
        }
        double threshold = fraction * s;
        double cum = 0;
        for (int k = 1; k <= bins; k++) {
            cum += power[k];
            if (cum >= threshold) {
                return freq[k];
            }
        }
        // only reachable through rounding when fraction is next to 1
        return freq[bins];
    }

    /**
     * Geometric over arithmetic mean of the averages of consecutive groups of {@code groupBins} bins from k = 1
     * (an incomplete last group is dropped). Averaging first makes white noise read near 1 rather than the ~0.56 of a
     * raw periodogram, whose bins are exponentially distributed; a pure tone reads near 0.
     */
    public static double flatness(double[] power, int bins, int groupBins) {
        if (groupBins < 1) {
            throw new IllegalArgumentException("flatness group must be at least 1 bin, cannot be: " + groupBins);
        }
        return flatness(power, bins, groupBins, total(power, bins));
    }

    /** {@link #flatness(double[], int, int)} with the total power S already known. */
    static double flatness(double[] power, int bins, int groupBins, double s) {
        if (groupBins < 1) {
            throw new IllegalArgumentException("flatness group must be at least 1 bin, cannot be: " + groupBins);
        }
        int groups = bins / groupBins;
        if (groups == 0 || s == 0) {
            return 0;
        }
        double sumLog = 0;
        double sum = 0;
        int k = 1;
        for (int g = 0; g < groups; g++) {
            double acc = 0;
            for (int j = 0; j < groupBins; j++) {
                acc += power[k++];
            }
            double mean = acc / groupBins;
            sum += mean;
            sumLog += Math.log(mean == 0 ? FLATNESS_FLOOR : mean);
        }
        double arithmetic = sum / groups;
        return arithmetic == 0 ? 0 : Math.exp(sumLog / groups) / arithmetic;
    }

    /** Frequency of the first bin holding the maximum power. */
    public static double dominantFrequency(double[] power, double[] freq, int bins) {
        int best = 1;
        for (int k = 2; k <= bins; k++) {
            if (power[k] > power[best]) {
                best = k;
            }
        }
        return power[best] > 0 ? freq[best] : 0;
    }

    /**
     * Sum of {@code 2 * power[k] * scale} over bins with {@code lowHz <= freq[k] < highHz}; with
     * {@code scale = 1 / (N * sum(w^2))} this is one-sided power in squared input units.
     */
    public static double bandPower(double[] power, double[] freq, int bins, double scale, double lowHz, double highHz) {
        double acc = 0;
        for (int k = 1; k <= bins; k++) {
            if (freq[k] >= lowHz && freq[k] < highHz) {
                acc += power[k];
            }
        }
        return 2 * acc * scale;
    }

    /** Sum of {@code 2 * power[k] * scale} over all bins 1..bins. */
    public static double totalPower(double[] power, int bins, double scale) {
        return 2 * total(power, bins) * scale;
    }
}
