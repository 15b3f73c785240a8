package io.fosm.dsp;

import java.io.Serializable;
import java.math.BigDecimal;

/**
 * A frequency band {@code [lowHz, highHz)} whose power becomes one feature.
 *
 * @param lowHz  inclusive lower edge in Hz, at least 0
 * @param highHz exclusive upper edge in Hz, above {@code lowHz}
 */
public record Band(double lowHz, double highHz) implements Serializable {

    /** Checks the edges; the Nyquist limit is checked by {@link FeatureConfig}, which knows the sample rate. */
    public Band {
        if (!(lowHz >= 0) || Double.isInfinite(lowHz)) {
            throw new IllegalArgumentException("band low edge must be a finite number of Hz at least 0, cannot be: " + lowHz);
        }
        if (!(highHz > lowHz) || Double.isInfinite(highHz)) {
            throw new IllegalArgumentException(
                    "band high edge must be finite and above the low edge of " + lowHz + " Hz, cannot be: " + highHz);
        }
    }

    /** The feature name, e.g. {@code band_power_1_10hz} or {@code band_power_0.5_2hz}. */
    public String featureName() {
        return "band_power_" + formatHz(lowHz) + "_" + formatHz(highHz) + "hz";
    }

    /** Formats a frequency without a trailing ".0" and never in exponent notation, so names stay stable and readable. */
    static String formatHz(double hz) {
        return BigDecimal.valueOf(hz).stripTrailingZeros().toPlainString();
    }

    @Override
    public String toString() {
        return "[" + formatHz(lowHz) + ", " + formatHz(highHz) + ") Hz";
    }
}
