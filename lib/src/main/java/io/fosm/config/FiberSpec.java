package io.fosm.config;

import java.io.Serializable;
import java.util.List;

/**
 * One registered fiber: how many channels it has (and the index of the first one), its sample rate and channel
 * spacing, the optional filters silver applies to its chunks, its gold feature settings and its route file
 * ({@code bandpass}, {@code savgol} and {@code route} are null when not configured; plain fields rather than
 * Optionals because the spec travels to executors and Optional is not serializable).
 *
 * <p>Fibers of one lakehouse may sample at different rates: gold's windows follow each fiber's rate (seconds ->
 * samples per fiber), and its power bands are the fiber's own ({@code fiber.<id>.bands}, default {@code gold.bands}),
 * each at or below the fiber's Nyquist frequency (checked at load).
 *
 * @param firstChannel  index of the fiber's first channel as the interrogator numbers it (e.g. PRODML's
 *                      StartLocusIndex, which may be negative); channels are firstChannel .. firstChannel+channels-1
 * @param bands         the fiber's gold power bands as {low, high} Hz pairs, all at or below its Nyquist frequency
 * @param windowSeconds gold window length of this fiber (default gold.window_seconds)
 * @param hopSeconds    gold hop of this fiber (default gold.hop_seconds)
 * @param route         route file (CSV or GeoJSON) mapping channels to chainage and coordinates; null without one
 */
public record FiberSpec(String fiberId, int channels, double sampleRate, double spacingM,
                                                BandpassSpec bandpass, SavgolSpec savgol, int firstChannel,
                        List<double[]> bands, double windowSeconds, double hopSeconds, String route)
        implements Serializable {

    /** Butterworth band-pass settings. */
    public record BandpassSpec(double lowHz, double highHz, int order) implements Serializable {}

    /** Savitzky-Golay smoothing settings. */
    public record SavgolSpec(int window, int polyOrder) implements Serializable {}

    /**
     * A fiber with the gold defaults (1 s windows every 0.5 s, the bands 1-10 .. 200-500 Hz clipped at its Nyquist
     * frequency), first channel 0 and no route.
     */
    public FiberSpec(String fiberId, int channels, double sampleRate, double spacingM, BandpassSpec bandpass,
                     SavgolSpec savgol) {
        this(fiberId, channels, sampleRate, spacingM, bandpass, savgol, 0, defaultBands(sampleRate), 1.0, 0.5, null);
    }

    /** A fiber without filters. */
    public static FiberSpec of(String fiberId, int channels, double sampleRate) {
        return new FiberSpec(fiberId, channels, sampleRate, 1.0, null, null);
    }

    private static List<double[]> defaultBands(double sampleRate) {
        List<double[]> out = new java.util.ArrayList<>();
        for (double[] b : new double[][] {{1, 10}, {10, 50}, {50, 100}, {100, 200}, {200, 500}}) {
            if (b[0] < sampleRate / 2) {
                out.add(new double[] {b[0], Math.min(b[1], sampleRate / 2)});
            }
        }
        return out;
    }

    /** Whether silver filters this fiber's chunks. */
    public boolean hasFilters() {
        return bandpass != null || savgol != null;
    }

    /** The last channel index of the fiber (inclusive). */
    public int lastChannel() {
        return firstChannel + channels - 1;
    }
}
