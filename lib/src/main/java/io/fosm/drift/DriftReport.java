package io.fosm.drift;

import java.time.Instant;
import java.util.List;

/**
 * One report window's drift: a row per column, whether the window drifted, how many drifted windows in a row (for
 * this reference) end with it, whether that reaches {@code drift.retrain_after}, and where the files went.
 */
public record DriftReport(Instant reportStart, Instant reportEnd, String reference, List<ColumnDrift> columns,
                          boolean drifted, int consecutiveDrifted, boolean retrain, String jsonPath, String htmlPath,
                          java.util.Map<String, String> inputs) {
    public DriftReport {
        columns = List.copyOf(columns);
        inputs = java.util.Map.copyOf(inputs);
    }

    /** A report that records no input versions. */
    public DriftReport(Instant reportStart, Instant reportEnd, String reference, List<ColumnDrift> columns,
                       boolean drifted, int consecutiveDrifted, boolean retrain, String jsonPath, String htmlPath) {
        this(reportStart, reportEnd, reference, columns, drifted, consecutiveDrifted, retrain, jsonPath, htmlPath,
                java.util.Map.of());
    }

    /** The flagged columns' names, as {@code kind:name}. */
    public List<String> flagged() {
        return columns.stream().filter(ColumnDrift::flagged).map(c -> c.kind().label() + ":" + c.name()).toList();
    }

    /** Flagged features per feature. */
    public double flaggedFeatureFraction() {
        long features = columns.stream().filter(c -> c.kind() == DriftKind.FEATURE).count();
        long flagged = columns.stream().filter(c -> c.kind() == DriftKind.FEATURE && c.flagged()).count();
        return features == 0 ? 0 : (double) flagged / features;
    }
}
