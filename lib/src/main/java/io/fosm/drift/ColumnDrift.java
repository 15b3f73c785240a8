package io.fosm.drift;

/**
 * The drift of one column in one report window. Statistics that do not apply are null: quality rows have only
 * {@code value} and {@code referenceValue}; a column without finite current values has no statistics (and is flagged
 * when the reference had values). The reference and current bin fractions and samples are kept for the plots.
 */
public record ColumnDrift(DriftKind kind, String name, long count, long invalidCount, Double psi, Double ksStatistic,
                          Double ksPvalue, Double jsDistance, Double wasserstein, Double value, Double referenceValue,
                          boolean flagged, double[] referenceFractions, double[] currentFractions, double[] edges) {}
