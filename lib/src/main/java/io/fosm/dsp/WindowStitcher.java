package io.fosm.dsp;

import java.io.Serializable;
import java.util.Objects;

/**
 * Cuts consecutive chunks of one channel into sliding windows that may span chunk boundaries.
 *
 * <p>Positions are global sample indices ({@link #sampleIndex}). Windows start at multiples of the hop in that global
 * index, so batch and streaming runs, or runs over different subsets of chunks, cut the same window grid: a contiguous
 * run starting at index s0 yields its first window at ceil(s0 / hop) * hop.
 *
 * <p>A chunk that does not start exactly where the previous one ended (a gap, an overlap or out-of-order data) ends
 * the run: the pending samples are dropped, {@link #gaps()} counts one, and a new run starts at that chunk. So no
 * window ever spans a discontinuity. Memory is one window's worth of samples whatever the run length.
 *
 * <p>Not thread-safe; {@link #state()} and {@link #restore} carry it between streaming micro-batches.
 */
public final class WindowStitcher {

    private static final long MICROS_PER_SECOND = 1_000_000L;

    private final int windowSamples;
    private final int hopSamples;
    /** Samples from global index bufferStart onwards; bufferStart is always the next window's start. */
    private final double[] buffer;
    private int count;
    private long bufferStart;
    private long nextIndex;
    private boolean running;
    private long gaps;

    /** A stitcher cutting windows of {@code windowSamples} every {@code hopSamples} (1 to windowSamples). */
    public WindowStitcher(int windowSamples, int hopSamples) {
        if (windowSamples < 1) {
            throw new IllegalArgumentException("window must be at least 1 sample, cannot be: " + windowSamples);
        }
        if (hopSamples < 1 || hopSamples > windowSamples) {
            throw new IllegalArgumentException(
                    "hop must be between 1 and the window of " + windowSamples + " samples, cannot be: " + hopSamples);
        }
        this.windowSamples = windowSamples;
        this.hopSamples = hopSamples;
        this.buffer = new double[windowSamples];
    }

    /** A stitcher on the window grid of a feature configuration. */
    public static WindowStitcher forConfig(FeatureConfig config) {
        return new WindowStitcher(config.windowSamples(), config.hopSamples());
    }

    /**
     * Global index of the sample taken at {@code epochMicros} at {@code sampleRate} Hz: floor(t * fs / 1e6 + 0.5),
     * computed exactly in integers when the rate is a whole number of Hz (no double rounding at epoch magnitudes).
     */
    public static long sampleIndex(long epochMicros, double sampleRate) {
        checkRate(sampleRate);
        long seconds = Math.floorDiv(epochMicros, MICROS_PER_SECOND);
        long micros = Math.floorMod(epochMicros, MICROS_PER_SECOND);
        if (isWhole(sampleRate)) {
            long fs = (long) sampleRate;
            return Math.multiplyExact(seconds, fs)
                    + Math.floorDiv(micros * fs + MICROS_PER_SECOND / 2, MICROS_PER_SECOND);
        }
        return (long) Math.floor(seconds * sampleRate + micros * sampleRate / MICROS_PER_SECOND + 0.5);
    }

    /**
     * Epoch microseconds of global sample {@code sampleIndex}: floor(i * 1e6 / fs + 0.5), exact for whole-Hz rates.
     * For rates up to 1 MHz, {@code sampleIndex(epochMicros(i, fs), fs) == i}.
     */
    public static long epochMicros(long sampleIndex, double sampleRate) {
        checkRate(sampleRate);
        if (isWhole(sampleRate)) {
            long fs = (long) sampleRate;
            long seconds = Math.floorDiv(sampleIndex, fs);
            long rest = Math.floorMod(sampleIndex, fs);
            return Math.multiplyExact(seconds, MICROS_PER_SECOND)
                    + Math.floorDiv(2 * rest * MICROS_PER_SECOND + fs, 2 * fs);
        }
        return (long) Math.floor(sampleIndex * (MICROS_PER_SECOND / sampleRate) + 0.5);
    }

    /** First window start at or after {@code index} on the global hop grid: ceil(index / hop) * hop. */
    public long firstWindowStart(long index) {
        return -Math.floorDiv(-index, (long) hopSamples) * hopSamples;
    }

    /**
     * Appends a chunk whose first sample has global index {@code chunkStartIndex} and hands every window it completes
     * to {@code sink}, in order. Returns the number of windows emitted.
     */
    public int push(long chunkStartIndex, float[] samples, WindowSink sink) {
        Objects.requireNonNull(samples, "samples");
        return push(chunkStartIndex, samples, samples.length, sink);
    }

    /**
     * {@link #push(long, float[], WindowSink)} of the first {@code length} samples of {@code samples} (a buffer reused
     * across chunks, e.g. packed samples decoded in place).
     */
    public int push(long chunkStartIndex, float[] samples, int length, WindowSink sink) {
        Objects.requireNonNull(samples, "samples");
        Objects.requireNonNull(sink, "sink");
        if (length < 0 || length > samples.length) {
            throw new IllegalArgumentException("Cannot stitch " + length + " samples of a buffer of " + samples.length);
        }
        if (length == 0) {
            return 0;
        }
        if (!running || chunkStartIndex != nextIndex) {
            if (running) {
                gaps++;
            }
            running = true;
            count = 0;
            bufferStart = firstWindowStart(chunkStartIndex);
        }
        nextIndex = chunkStartIndex + length;
        // samples before the grid-aligned start of a fresh run belong to no window
        long skip = bufferStart + count - chunkStartIndex;
        int pos = (int) Math.min(Math.max(skip, 0), length);
        int emitted = 0;
        while (pos < length) {
            int take = Math.min(length - pos, windowSamples - count);
            for (int i = 0; i < take; i++) {
                buffer[count + i] = samples[pos + i];
            }
            count += take;
            pos += take;
            if (count == windowSamples) {
                sink.accept(bufferStart, buffer, 0);
                emitted++;
                System.arraycopy(buffer, hopSamples, buffer, 0, windowSamples - hopSamples);
                count -= hopSamples;
                bufferStart += hopSamples;
            }
        }
        return emitted;
    }

    /** Forgets the current run, as if freshly built; the gap count is kept. */
    public void reset() {
        running = false;
        count = 0;
    }

    /** Number of discontinuities (gap, overlap or out-of-order chunk) that restarted a run. */
    public long gaps() {
        return gaps;
    }

    /** Global index the next chunk must start at to continue the run, or Long.MIN_VALUE when no run is in progress. */
    public long nextIndex() {
        return running ? nextIndex : Long.MIN_VALUE;
    }

    public int windowSamples() {
        return windowSamples;
    }

    public int hopSamples() {
        return hopSamples;
    }

    /** A snapshot of everything needed to continue: pending samples are copied, so later pushes don't change it. */
    public State state() {
        float[] pending = new float[count];
        for (int i = 0; i < count; i++) {
            // lossless: every buffered sample arrived as a float
            pending[i] = (float) buffer[i];
        }
        return new State(windowSamples, hopSamples, running, nextIndex, bufferStart, pending, gaps);
    }

    /** A stitcher continuing exactly where the one that produced {@code state} stopped. */
    public static WindowStitcher restore(State state) {
        Objects.requireNonNull(state, "state");
        WindowStitcher s = new WindowStitcher(state.windowSamples(), state.hopSamples());
        float[] pending = state.pending();
        if (pending.length >= s.windowSamples) {
            throw new IllegalArgumentException("Cannot restore: " + pending.length
                    + " pending samples would already fill a window of " + s.windowSamples);
        }
        if (pending.length > 0 && state.pendingStart() + pending.length != state.nextIndex()) {
            throw new IllegalArgumentException("Cannot restore: " + pending.length + " pending samples from index "
                    + state.pendingStart() + " do not end at the next expected index " + state.nextIndex());
        }
        if (!state.running() && pending.length > 0) {
            throw new IllegalArgumentException("Cannot restore: a stopped stitcher cannot hold "
                    + pending.length + " pending samples");
        }
        for (int i = 0; i < pending.length; i++) {
            s.buffer[i] = pending[i];
        }
        s.count = pending.length;
        s.running = state.running();
        s.nextIndex = state.nextIndex();
        s.bufferStart = state.pendingStart();
        s.gaps = state.gaps();
        return s;
    }

    private static boolean isWhole(double sampleRate) {
        return sampleRate == Math.rint(sampleRate) && sampleRate <= Integer.MAX_VALUE;
    }

    private static void checkRate(double sampleRate) {
        if (!(sampleRate > 0) || Double.isInfinite(sampleRate)) {
            throw new IllegalArgumentException("sample rate must be a finite number of Hz above 0, cannot be: " + sampleRate);
        }
    }

    /**
     * Plain-data snapshot of a {@link WindowStitcher}, for keeping in streaming state.
     *
     * @param windowSamples window length
     * @param hopSamples    hop
     * @param running       whether a run is in progress (false for a fresh or reset stitcher)
     * @param nextIndex     global index the next chunk must start at to continue the run
     * @param pendingStart  global index of pending[0], which is also the next window's start
     * @param pending       buffered samples not yet emitted as a complete window (fewer than windowSamples)
     * @param gaps          discontinuities seen so far
     */
    public record State(int windowSamples, int hopSamples, boolean running, long nextIndex, long pendingStart,
                        float[] pending, long gaps) implements Serializable {

        /** Copies {@code pending} so the snapshot stays immutable. */
        public State {
            Objects.requireNonNull(pending, "pending");
            pending = pending.clone();
        }

        /** The pending samples (a copy). */
        @Override
        public float[] pending() {
            return pending.clone();
        }
    }
}
