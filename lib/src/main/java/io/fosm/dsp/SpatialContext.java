package io.fosm.dsp;

import java.util.Arrays;

/**
 * Spatial context of the windows of one fiber that share a start, the one implementation behind gold and the stream:
 * {@code spatial_power_ratio_db} = 10 log10 of a channel's total power over the median total power of the other
 * channels within {@code neighbors} channels (by channel number) at the same window; 0 dB without neighbours.
 * Real events span several channels; local noise does not.
 */
public final class SpatialContext {
    private static final double EPS = 1e-12;
    private final int neighbors;
    private double[] scratch = new double[16];

    public SpatialContext(int neighbors) {
        if (neighbors < 0) {
            throw new IllegalArgumentException("neighbour channels must be at least 0, cannot be: " + neighbors);
        }
        this.neighbors = neighbors;
    }

    /**
     * Fills {@code out[i]} with the ratio of window i, for {@code n} windows sorted by channel ({@code channels}
     * ascending) with their total powers.
     */
    public void ratios(int[] channels, double[] power, int n, double[] out) {
        int lo = 0;
        for (int i = 0; i < n; i++) {
            int c = channels[i];
            while (channels[lo] < c - neighbors) {
                lo++;
            }
            int m = 0;
            for (int j = lo; j < n && channels[j] <= c + neighbors; j++) {
                if (channels[j] != c) {
                    if (m == scratch.length) {
                        scratch = Arrays.copyOf(scratch, m * 2);
                    }
                    scratch[m++] = power[j];
                }
            }
            out[i] = ratioDb(power[i], scratch, m);
        }
    }

    /** 10 log10 of {@code own} over the median of the first {@code m} values (sorted in place); 0 when m = 0. */
    public static double ratioDb(double own, double[] others, int m) {
        if (m == 0) {
            return 0.0;
        }
        Arrays.sort(others, 0, m);
        double median = m % 2 == 1 ? others[m / 2] : (others[m / 2 - 1] + others[m / 2]) / 2;
        return decibels(own, median);
    }

    /**
     * 10 log10((value + 1e-12) / (reference + 1e-12)), as gold's SQL computed it: 0 where Spark's log10 is null (a
     * quotient at or below 0).
     */
    public static double decibels(double value, double reference) {
        double q = (value + EPS) / (reference + EPS);
        return q <= 0 ? 0.0 : StrictMath.log10(q) * 10.0;
    }
}
