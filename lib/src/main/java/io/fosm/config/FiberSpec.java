package io.fosm.config;

import java.io.Serializable;

/**
 * One registered fiber: how many channels it has, its sample rate and channel spacing, and the optional filters
 * silver applies to its chunks ({@code bandpass} and {@code savgol} are null when not configured; plain fields rather
 * than Optionals because the spec travels to executors and Optional is not serializable).
 */
public record FiberSpec(String fiberId, int channels, double sampleRate, double spacingM,
                                                BandpassSpec bandpass, SavgolSpec savgol) implements Serializable {

    /** Butterworth band-pass settings. */
    public record BandpassSpec(double lowHz, double highHz, int order) implements Serializable {}

    /** Savitzky-Golay smoothing settings. */
    public record SavgolSpec(int window, int polyOrder) implements Serializable {}

    /** A fiber without filters. */
    public static FiberSpec of(String fiberId, int channels, double sampleRate) {
        return new FiberSpec(fiberId, channels, sampleRate, 1.0, null, null);
    }

    /** Whether silver filters this fiber's chunks. */
    public boolean hasFilters() {
        return bandpass != null || savgol != null;
    }
}
