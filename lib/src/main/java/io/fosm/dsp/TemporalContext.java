package io.fosm.dsp;

import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Temporal context of one channel's windows, the one implementation behind gold and the stream: for each window, the
 * largest crest factor and kurtosis within {@code around} windows before and after it, its power over the
 * channel's baseline (10 log10 of total power over the 20th percentile of the previous {@code baseline} windows;
 * 0 dB without history), and its recent impulsiveness: the median of that largest kurtosis over the window and the
 * {@link #RECENT_WINDOWS} - 1 windows before it, which stays high while strikes keep coming every few seconds
 * (digging) and not after a single knock (a passing pig). Neighbours are counted in windows (rows), not in time, so a
 * gap does not reset the context.
 *
 * <p>Windows are pushed in time order; a window is emitted once the {@code around} windows after it are known, or by
 * {@link #flush()} at the end of the data (then with the windows there are). The percentile is exact, with linear
 * interpolation between the two closest ranks, as Spark's {@code percentile}. The state is plain data
 * ({@link #state()}/{@link #restore}) so a streaming job can keep it between micro-batches.
 */
public final class TemporalContext {
    /** Number of context values appended to a window's features, in this order. */
    public static final int OUTPUTS = 4;
    /** Windows (this one included) over which the recent impulsiveness takes its median: 5 s at the default hop. */
    public static final int RECENT_WINDOWS = 10;
    /** The percentile of the baseline, as gold documents it. */
    public static final double BASELINE_PERCENTILE = 0.2;

    private final int around;
    private final int baseline;
    private final int crestIndex;
    private final int kurtosisIndex;
    private final int powerIndex;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    // {crest, kurtosis, power, largest kurtosis around} of emitted windows
    private final ArrayDeque<double[]> past = new ArrayDeque<>();
    private double[] sortBuffer;
    private double[] recentBuffer;

    /** A window waiting for its context: its start (any key the caller uses) and its DSP features. */
    public record Pending(long windowStart, double[] features) implements Serializable {
        public Pending {
            Objects.requireNonNull(features, "features");
        }
    }

    /** Receives a window with its context values ({@link #OUTPUTS} of them, in the order of the class javadoc). */
    @FunctionalInterface
    public interface Sink {
        void accept(long windowStart, double[] features, double[] context);
    }

    /**
     * @param around        windows before and after that the max crest factor / kurtosis look at (gold.temporal_windows)
     * @param baseline      previous windows of the power baseline (gold.baseline_windows)
     * @param crestIndex    index of crest_factor in the feature array
     * @param kurtosisIndex index of kurtosis
     * @param powerIndex    index of total_power
     */
    public TemporalContext(int around, int baseline, int crestIndex, int kurtosisIndex, int powerIndex) {
        if (around < 0) {
            throw new IllegalArgumentException("temporal windows must be at least 0, cannot be: " + around);
        }
        if (baseline < 1) {
            throw new IllegalArgumentException("baseline windows must be at least 1, cannot be: " + baseline);
        }
        this.around = around;
        this.baseline = baseline;
        this.crestIndex = crestIndex;
        this.kurtosisIndex = kurtosisIndex;
        this.powerIndex = powerIndex;
    }

    /** A context for the features of {@code names} (looks up crest_factor, kurtosis and total_power). */
    public static TemporalContext forFeatures(String[] names, int around, int baseline) {
        List<String> list = Arrays.asList(names);
        return new TemporalContext(around, baseline, index(list, "crest_factor"), index(list, "kurtosis"),
                index(list, "total_power"));
    }

    private static int index(List<String> names, String name) {
        int i = names.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("Cannot compute temporal context: no feature '" + name + "' in " + names);
        }
        return i;
    }

    /** Adds the next window of the channel (the array is kept: pass a fresh one) and emits those now complete. */
    public int push(long windowStart, double[] features, Sink sink) {
        pending.addLast(new Pending(windowStart, features));
        int emitted = 0;
        while (pending.size() > around) {
            emitFirst(sink);
            emitted++;
        }
        return emitted;
    }

    /** Emits every window still waiting, with the windows after it that exist (the end of the data). */
    public int flush(Sink sink) {
        int emitted = 0;
        while (!pending.isEmpty()) {
            emitFirst(sink);
            emitted++;
        }
        return emitted;
    }

    /** Windows waiting for the windows after them. */
    public int pendingCount() {
        return pending.size();
    }

    private void emitFirst(Sink sink) {
        Pending w = pending.peekFirst();
        double[] f = w.features();
        double crest = f[crestIndex];
        double kurt = f[kurtosisIndex];
        // the `around` previous windows (the newest of `past`) and the `around` next ones (the rest of pending)
        int seen = 0;
        for (java.util.Iterator<double[]> it = past.descendingIterator(); it.hasNext() && seen < around; seen++) {
            double[] p = it.next();
            crest = sparkMax(crest, p[0]);
            kurt = sparkMax(kurt, p[1]);
        }
        int ahead = 0;
        for (Pending p : pending) {
            if (ahead > 0) {
                crest = sparkMax(crest, p.features()[crestIndex]);
                kurt = sparkMax(kurt, p.features()[kurtosisIndex]);
            }
            if (++ahead > around) {
                break;
            }
        }
        double power = f[powerIndex];
        double base = percentileOfPast();
        double ratio = past.isEmpty() ? 0.0 : SpatialContext.decibels(power, base);
        double recent = recentMedian(kurt);
        sink.accept(w.windowStart(), f, new double[] {crest, kurt, ratio, recent});
        pending.removeFirst();
        past.addLast(new double[] {f[crestIndex], f[kurtosisIndex], power, kurt});
        while (past.size() > Math.max(Math.max(around, baseline), RECENT_WINDOWS - 1)) {
            past.removeFirst();
        }
    }

    /**
     * Median of {@code current} and the largest-kurtosis values of the last {@link #RECENT_WINDOWS} - 1 emitted
     * windows (Spark's exact percentile 0.5). Entries restored from a state written before this feature existed carry
     * no such value and are skipped.
     */
    private double recentMedian(double current) {
        if (recentBuffer == null) {
            recentBuffer = new double[RECENT_WINDOWS];
        }
        int n = 0;
        recentBuffer[n++] = current;
        for (java.util.Iterator<double[]> it = past.descendingIterator(); it.hasNext() && n < RECENT_WINDOWS; ) {
            double[] p = it.next();
            if (p.length < 4) {
                break;
            }
            recentBuffer[n++] = p[3];
        }
        return percentile(recentBuffer, n, 0.5);
    }

    /** Spark's max: NaN is larger than any number. */
    private static double sparkMax(double a, double b) {
        return Double.compare(a, b) >= 0 ? a : b;
    }

    /** Exact percentile of the last {@code baseline} powers, linear interpolation (Spark's percentile); NaN if none. */
    private double percentileOfPast() {
        int n = Math.min(past.size(), baseline);
        if (n == 0) {
            return Double.NaN;
        }
        if (sortBuffer == null || sortBuffer.length < n) {
            sortBuffer = new double[Math.max(n, baseline)];
        }
        int i = 0;
        int skip = past.size() - n;
        for (double[] p : past) {
            if (skip-- > 0) {
                continue;
            }
            sortBuffer[i++] = p[2];
        }
        return percentile(sortBuffer, n, BASELINE_PERCENTILE);
    }

    /**
     * Spark's exact {@code percentile} of the first {@code n} values (sorted in place): position p (n - 1),
     * interpolated linearly between the values at the floor and ceiling ranks.
     */
    public static double percentile(double[] values, int n, double p) {
        Arrays.sort(values, 0, n);
        double position = (n - 1) * p;
        long lower = (long) Math.floor(position);
        long higher = (long) Math.ceil(position);
        double lo = values[(int) lower];
        if (higher == lower) {
            return lo;
        }
        double hi = values[(int) higher];
        if (Double.compare(hi, lo) == 0) {
            return lo;
        }
        return (higher - position) * lo + (position - lower) * hi;
    }

    /** A snapshot for streaming state: waiting windows and the context of emitted ones (copies). */
    public State state() {
        List<Pending> waiting = new ArrayList<>();
        for (Pending p : pending) {
            waiting.add(new Pending(p.windowStart(), p.features().clone()));
        }
        List<double[]> history = new ArrayList<>();
        for (double[] h : past) {
            history.add(h.clone());
        }
        return new State(around, baseline, waiting, history);
    }

    /** A context continuing where the one that produced {@code state} stopped. */
    public static TemporalContext restore(State state, int crestIndex, int kurtosisIndex, int powerIndex) {
        TemporalContext t = new TemporalContext(state.around(), state.baseline(), crestIndex, kurtosisIndex, powerIndex);
        for (Pending p : state.pending()) {
            t.pending.addLast(new Pending(p.windowStart(), p.features().clone()));
        }
        for (double[] h : state.past()) {
            t.past.addLast(h.clone());
        }
        return t;
    }

    /** Plain-data snapshot of a {@link TemporalContext}. */
    public record State(int around, int baseline, List<Pending> pending, List<double[]> past) implements Serializable {}
}
