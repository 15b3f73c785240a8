package io.fosm.dsp;

import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Temporal context of one channel's windows, the one implementation behind gold and the stream: for each window, the
 * largest crest factor and kurtosis over the windows from {@code around} hops before it to {@code ahead} hops after
 * it, its power over the channel's baseline (10 log10 of total power over the 20th percentile of the windows of the
 * previous {@code baseline} hops; 0 dB without history), and its recent impulsiveness: the median of that largest
 * kurtosis over the window and the windows of the {@link #RECENT_WINDOWS} - 1 hops before it, which stays high while
 * strikes keep coming every few seconds (digging) and not after a single knock (a passing pig).
 *
 * <p>The context is defined in time, on the window grid: a window with start s looks at the windows whose starts lie
 * in [s - k hop, s + ahead hop] (k = around, baseline or RECENT_WINDOWS - 1). A missing window (a gap in the
 * channel's data) is missing: the context never reaches further back or ahead to make up for it. Each emitted window
 * also carries the total power of the window one hop before it on the channel (NaN when that window does not exist),
 * the input of {@link SpatialMotion}'s power flow.
 *
 * <p>Windows are pushed in time order; a window is emitted once a window {@code ahead} hops after it or later is
 * known, or by {@link #flush()} at the end of the data (then with the windows there are). With {@code ahead = 0} the
 * context is causal and a window is emitted as soon as it is pushed. The percentile is exact, with linear
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
    private final int ahead;
    private final long hop;
    private final int baseline;
    private final int crestIndex;
    private final int kurtosisIndex;
    private final int powerIndex;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    // {crest, kurtosis, power, largest kurtosis around, window start} of emitted windows (entries restored from
    // states written before the start was kept have 3 or 4 values and count as contiguous)
    private final ArrayDeque<double[]> past = new ArrayDeque<>();
    private double[] sortBuffer;
    private double[] recentBuffer;

    /** A window waiting for its context: its start (any key the caller uses) and its DSP features. */
    public record Pending(long windowStart, double[] features) implements Serializable {
        public Pending {
            Objects.requireNonNull(features, "features");
        }
    }

    /**
     * Receives a window with its context values ({@link #OUTPUTS} of them, in the order of the class javadoc) and the
     * total power of the window one hop before it on the channel (NaN when there is none).
     */
    @FunctionalInterface
    public interface Sink {
        void accept(long windowStart, double[] features, double[] context, double previousPower);
    }

    /**
     * A context with as many windows ahead as behind ({@code ahead = around}) and a hop of 1 (window starts counted
     * in hops).
     */
    public TemporalContext(int around, int baseline, int crestIndex, int kurtosisIndex, int powerIndex) {
        this(around, around, 1, baseline, crestIndex, kurtosisIndex, powerIndex);
    }

    /**
     * @param around        hops before a window that the max crest factor / kurtosis look at (gold.temporal_windows)
     * @param ahead         hops after it (gold.lookahead_windows; 0 = causal)
     * @param hop           the hop between window starts, in the unit of the starts pushed (samples)
     * @param baseline      hops before of the power baseline (gold.baseline_windows)
     * @param crestIndex    index of crest_factor in the feature array
     * @param kurtosisIndex index of kurtosis
     * @param powerIndex    index of total_power
     */
    public TemporalContext(int around, int ahead, long hop, int baseline, int crestIndex, int kurtosisIndex,
                           int powerIndex) {
        if (around < 0) {
            throw new IllegalArgumentException("temporal windows must be at least 0, cannot be: " + around);
        }
        if (ahead < 0) {
            throw new IllegalArgumentException("look-ahead windows must be at least 0, cannot be: " + ahead);
        }
        if (hop < 1) {
            throw new IllegalArgumentException("the hop must be at least 1, cannot be: " + hop);
        }
        if (baseline < 1) {
            throw new IllegalArgumentException("baseline windows must be at least 1, cannot be: " + baseline);
        }
        this.around = around;
        this.ahead = ahead;
        this.hop = hop;
        this.baseline = baseline;
        this.crestIndex = crestIndex;
        this.kurtosisIndex = kurtosisIndex;
        this.powerIndex = powerIndex;
    }

    /** A context for the features of {@code names} (looks up crest_factor, kurtosis and total_power). */
    public static TemporalContext forFeatures(String[] names, int around, int ahead, long hop, int baseline) {
        List<String> list = Arrays.asList(names);
        return new TemporalContext(around, ahead, hop, baseline, index(list, "crest_factor"), index(list, "kurtosis"),
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
        while (!pending.isEmpty() && windowStart - pending.peekFirst().windowStart() >= ahead * hop) {
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
        long start = w.windowStart();
        double[] f = w.features();
        double crest = f[crestIndex];
        double kurt = f[kurtosisIndex];
        // the windows of the `around` previous hops (the newest of `past`) and of the `ahead` next ones (pending)
        int seen = 0;
        for (java.util.Iterator<double[]> it = past.descendingIterator(); it.hasNext() && seen++ < around; ) {
            double[] p = it.next();
            if (!within(p, start, around)) {
                break;
            }
            crest = sparkMax(crest, p[0]);
            kurt = sparkMax(kurt, p[1]);
        }
        boolean self = true;
        for (Pending p : pending) {
            if (self) {
                self = false;
                continue;
            }
            if (p.windowStart() - start > ahead * hop) {
                break;
            }
            crest = sparkMax(crest, p.features()[crestIndex]);
            kurt = sparkMax(kurt, p.features()[kurtosisIndex]);
        }
        double power = f[powerIndex];
        double base = percentileOfPast(start);
        double ratio = Double.isNaN(base) ? 0.0 : SpatialContext.decibels(power, base);
        double recent = recentMedian(kurt, start);
        double previousPower = Double.NaN;
        if (!past.isEmpty()) {
            double[] last = past.peekLast();
            // a legacy entry without its start was the window just before: the stream only ever emits contiguously
            if (last.length < 5 || (long) last[4] == start - hop) {
                previousPower = last[2];
            }
        }
        sink.accept(start, f, new double[] {crest, kurt, ratio, recent}, previousPower);
        pending.removeFirst();
        past.addLast(new double[] {f[crestIndex], f[kurtosisIndex], power, kurt, start});
        while (past.size() > Math.max(Math.max(around, baseline), RECENT_WINDOWS - 1)) {
            past.removeFirst();
        }
    }

    /** Whether a past entry lies within {@code hops} hops before {@code start} (legacy entries without a start do). */
    private boolean within(double[] entry, long start, int hops) {
        return entry.length < 5 || start - (long) entry[4] <= hops * hop;
    }

    /**
     * Median of {@code current} and the largest-kurtosis values of the last {@link #RECENT_WINDOWS} - 1 emitted
     * windows (Spark's exact percentile 0.5). Entries restored from a state written before this feature existed carry
     * no such value and are skipped.
     */
    private double recentMedian(double current, long start) {
        if (recentBuffer == null) {
            recentBuffer = new double[RECENT_WINDOWS];
        }
        int n = 0;
        recentBuffer[n++] = current;
        for (java.util.Iterator<double[]> it = past.descendingIterator(); it.hasNext() && n < RECENT_WINDOWS; ) {
            double[] p = it.next();
            if (p.length < 4 || !within(p, start, RECENT_WINDOWS - 1)) {
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

    /**
     * Exact percentile of the powers of the windows of the last {@code baseline} hops, linear interpolation (Spark's
     * percentile); NaN if none.
     */
    private double percentileOfPast(long start) {
        if (sortBuffer == null) {
            sortBuffer = new double[Math.max(baseline, 1)];
        }
        int n = 0;
        for (java.util.Iterator<double[]> it = past.descendingIterator(); it.hasNext() && n < baseline; ) {
            double[] p = it.next();
            if (!within(p, start, baseline)) {
                break;
            }
            sortBuffer[n++] = p[2];
        }
        return n == 0 ? Double.NaN : percentile(sortBuffer, n, BASELINE_PERCENTILE);
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

    /** A context continuing where the one that produced {@code state} stopped (as many windows ahead as behind). */
    public static TemporalContext restore(State state, int crestIndex, int kurtosisIndex, int powerIndex) {
        return restore(state, state.around(), 1, crestIndex, kurtosisIndex, powerIndex);
    }

    /**
     * A context continuing where the one that produced {@code state} stopped, with {@code ahead} windows of look-ahead
     * and the hop (neither is part of the state: they come from the configuration, as when the context was made).
     */
    public static TemporalContext restore(State state, int ahead, long hop, int crestIndex, int kurtosisIndex,
                                          int powerIndex) {
        TemporalContext t = new TemporalContext(state.around(), ahead, hop, state.baseline(), crestIndex,
                kurtosisIndex, powerIndex);
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
