package io.fosm.drift;

/**
 * The reference distribution of one column: how many finite and invalid (null, NaN, infinite) values it had, its inner
 * quantile bin edges (bin i holds {@code edges[i-1] < x <= edges[i]}), the fraction of the finite values per bin
 * (PSI, Jensen-Shannon), and a bounded sample of the finite values (KS, Wasserstein: exact on that sample). Quality
 * columns carry only {@code value} (e.g. the reference's dead-channel fraction); their arrays are empty.
 */
public record ColumnProfile(DriftKind kind, String name, long count, long invalidCount, double[] edges,
                            double[] fractions, double[] sample, Double value) {
    public ColumnProfile {
        if (kind != DriftKind.QUALITY && fractions.length != edges.length + 1) {
            throw new IllegalArgumentException("a profile of " + name + " needs one fraction per bin ("
                    + (edges.length + 1) + "), cannot be: " + fractions.length);
        }
    }

    /** A data-quality measure with its reference value. */
    public static ColumnProfile quality(String name, double value) {
        return new ColumnProfile(DriftKind.QUALITY, name, 0, 0, new double[0], new double[0], new double[0], value);
    }
}
