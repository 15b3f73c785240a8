package io.fosm.dsp;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Immutable settings of {@link FeatureExtractor}: sample rate, window grid, power bands and spectral shape parameters.
 *
 * @param sampleRate        sampling rate in Hz, above 0
 * @param windowSamples     samples per window N, at least 64
 * @param hopSamples        samples between window starts, 1 to {@code windowSamples}
 * @param bands             bands whose power becomes a feature each, all within {@code [0, sampleRate/2]}, distinct
 * @param rolloffFraction   fraction of spectral power below the rolloff frequency, strictly between 0 and 1
 * @param flatnessGroupBins bins averaged together before the flatness ratio, 1 to {@code windowSamples/2}
 */
public record FeatureConfig(double sampleRate, int windowSamples, int hopSamples, List<Band> bands,
                            double rolloffFraction, int flatnessGroupBins) implements Serializable {

    /** Smallest window accepted: below it the spectrum has too few bins to say anything. */
    public static final int MIN_WINDOW_SAMPLES = 64;
    public static final double DEFAULT_ROLLOFF_FRACTION = 0.85;
    public static final int DEFAULT_FLATNESS_GROUP_BINS = 8;
    public static final double DEFAULT_WINDOW_SECONDS = 1.0;
    public static final double DEFAULT_HOP_SECONDS = 0.5;

    private static final double[][] DEFAULT_BAND_EDGES = {{1, 10}, {10, 50}, {50, 100}, {100, 200}, {200, 500}};

    /** Validates every setting and freezes the band list. */
    public FeatureConfig {
        if (!(sampleRate > 0) || Double.isInfinite(sampleRate)) {
            throw new IllegalArgumentException("sample rate must be a finite number of Hz above 0, cannot be: " + sampleRate);
        }
        if (windowSamples < MIN_WINDOW_SAMPLES) {
            throw new IllegalArgumentException("window must be at least " + MIN_WINDOW_SAMPLES + " samples, cannot be: " + windowSamples);
        }
        if (hopSamples < 1 || hopSamples > windowSamples) {
            throw new IllegalArgumentException(
                    "hop must be between 1 and the window of " + windowSamples + " samples, cannot be: " + hopSamples);
        }
        Objects.requireNonNull(bands, "bands");
        double nyquist = sampleRate / 2;
        Set<Band> seen = new HashSet<>();
        for (Band band : bands) {
            Objects.requireNonNull(band, "band");
            if (band.highHz() > nyquist) {
                throw new IllegalArgumentException(
                        "band must end at or below the Nyquist frequency of " + nyquist + " Hz, cannot be: " + band);
            }
            if (!seen.add(band)) {
                // two identical bands would give two features with the same name
                throw new IllegalArgumentException("bands must be distinct, cannot repeat: " + band);
            }
        }
        bands = List.copyOf(bands);
        if (!(rolloffFraction > 0 && rolloffFraction < 1)) {
            throw new IllegalArgumentException("rolloff fraction must be strictly between 0 and 1, cannot be: " + rolloffFraction);
        }
        int bins = windowSamples / 2;
        if (flatnessGroupBins < 1 || flatnessGroupBins > bins) {
            throw new IllegalArgumentException(
                    "flatness group must be between 1 and the " + bins + " spectrum bins, cannot be: " + flatnessGroupBins);
        }
    }

    /**
     * The default configuration at a sample rate: 1 s windows every 0.5 s, the {@link #defaultBands default bands},
     * rolloff 0.85 and flatness groups of 8 bins.
     */
    public static FeatureConfig defaults(double sampleRate) {
        return builder(sampleRate).build();
    }

    /** A configuration with the given window and hop durations (rounded to whole samples) and bands, other settings default. */
    public static FeatureConfig of(double sampleRate, double windowSeconds, double hopSeconds, List<Band> bands) {
        return builder(sampleRate).windowSeconds(windowSeconds).hopSeconds(hopSeconds).bands(bands).build();
    }

    /**
     * The default bands 1-10, 10-50, 50-100, 100-200 and 200-500 Hz, with upper edges clipped to the Nyquist frequency
     * and bands starting at or above it dropped.
     */
    public static List<Band> defaultBands(double sampleRate) {
        double nyquist = sampleRate / 2;
        List<Band> out = new ArrayList<>();
        for (double[] edges : DEFAULT_BAND_EDGES) {
            if (edges[0] < nyquist) {
                out.add(new Band(edges[0], Math.min(edges[1], nyquist)));
            }
        }
        return List.copyOf(out);
    }

    /** A builder starting from {@link #defaults} at this sample rate. */
    public static Builder builder(double sampleRate) {
        return new Builder(sampleRate);
    }

    /** Number of spectrum bins used by the spectral features: k = 1..floor(N/2), DC excluded. */
    public int spectrumBins() {
        return windowSamples / 2;
    }

    /** Mutable builder of {@link FeatureConfig}; validation happens in {@link #build()}. */
    public static final class Builder {
        private final double sampleRate;
        private long windowSamples;
        private long hopSamples;
        private List<Band> bands;
        private double rolloffFraction = DEFAULT_ROLLOFF_FRACTION;
        private int flatnessGroupBins = DEFAULT_FLATNESS_GROUP_BINS;

        private Builder(double sampleRate) {
            if (!(sampleRate > 0) || Double.isInfinite(sampleRate)) {
                throw new IllegalArgumentException("sample rate must be a finite number of Hz above 0, cannot be: " + sampleRate);
            }
            this.sampleRate = sampleRate;
            this.windowSamples = Math.round(DEFAULT_WINDOW_SECONDS * sampleRate);
            this.hopSamples = Math.round(DEFAULT_HOP_SECONDS * sampleRate);
            this.bands = defaultBands(sampleRate);
        }

        public Builder windowSamples(int n) {
            this.windowSamples = n;
            return this;
        }

        public Builder hopSamples(int n) {
            this.hopSamples = n;
            return this;
        }

        /** Window length in seconds, rounded to the nearest whole number of samples. */
        public Builder windowSeconds(double seconds) {
            if (!(seconds > 0) || Double.isInfinite(seconds)) {
                throw new IllegalArgumentException("window duration must be a finite number of seconds above 0, cannot be: " + seconds);
            }
            this.windowSamples = Math.round(seconds * sampleRate);
            return this;
        }

        /** Hop in seconds, rounded to the nearest whole number of samples. */
        public Builder hopSeconds(double seconds) {
            if (!(seconds > 0) || Double.isInfinite(seconds)) {
                throw new IllegalArgumentException("hop duration must be a finite number of seconds above 0, cannot be: " + seconds);
            }
            this.hopSamples = Math.round(seconds * sampleRate);
            return this;
        }

        public Builder bands(List<Band> bands) {
            this.bands = Objects.requireNonNull(bands, "bands");
            return this;
        }

        public Builder rolloffFraction(double fraction) {
            this.rolloffFraction = fraction;
            return this;
        }

        public Builder flatnessGroupBins(int bins) {
            this.flatnessGroupBins = bins;
            return this;
        }

        public FeatureConfig build() {
            return new FeatureConfig(sampleRate, toInt("window", windowSamples), toInt("hop", hopSamples), bands,
                    rolloffFraction, flatnessGroupBins);
        }

        private static int toInt(String what, long samples) {
            if (samples > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(what + " must fit in an int number of samples, cannot be: " + samples);
            }
            return (int) samples;
        }
    }
}
