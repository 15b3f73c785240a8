package io.fosm.generate;

import java.util.Locale;

/** What changes from the drift onset on, so drift detection downstream has something to find. */
public enum DriftMode {
    /** No drift. */
    NONE,
    /** Every channel's gain x2.5. */
    GAIN,
    /** The background noise floor x3. */
    NOISE,
    /** An unseen event mix: many more vehicles and a leak-like hiss in a 400-480 Hz band. */
    MIX,
    /** GAIN, NOISE and MIX together. */
    ALL;

    boolean gain() {
        return this == GAIN || this == ALL;
    }

    boolean noise() {
        return this == NOISE || this == ALL;
    }

    boolean mix() {
        return this == MIX || this == ALL;
    }

    /** Parses a CLI value ({@code none, gain, noise, mix, all}), case-insensitively. */
    public static DriftMode parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("drift must be one of none, gain, noise, mix, all, cannot be: '"
                    + value + "'");
        }
    }
}
