package io.fosm.drift;

import java.util.Locale;

/** What a profiled column is: a model input, the model's output, or a data-quality measure. */
public enum DriftKind {
    FEATURE, PREDICTION, QUALITY;

    /** The lower-case name stored in the tables and JSON ({@code feature}, {@code prediction}, {@code quality}). */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a stored label. */
    public static DriftKind of(String label) {
        try {
            return valueOf(label.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("kind must be one of feature, prediction, quality, cannot be: '"
                    + label + "'");
        }
    }
}
