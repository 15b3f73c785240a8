package io.fosm.streaming;

import io.fosm.dsp.SpatialMotion;
import io.fosm.dsp.TemporalContext;
import io.fosm.lakehouse.Gold;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.function.FlatMapGroupsWithStateFunction;
import org.apache.spark.sql.streaming.GroupState;

/**
 * Stage 2 of the stream, per fiber: holds each window start until the fiber's event-time watermark passes it, then
 * computes the spatial context of all its channels at once ({@link SpatialContext}, gold's code) and emits them.
 *
 * <p>The watermark of a fiber is its newest window start minus {@code stream.watermark_seconds}. Window starts at or
 * before it are final. A window that arrives for a final start (its channel lagged the fiber by more than the
 * watermark) is not scored: it becomes a {@code late_window} dead letter. Spark's own watermark is not used for
 * this, because a stateful operator with an event-time timeout drops late rows without a trace.
 */
public final class FiberFinalizer implements FlatMapGroupsWithStateFunction<String, StreamRow, byte[],
        StreamRow>, Serializable {
    private static final long serialVersionUID = 1L;
    static final String LATE_WINDOW = "late_window";

    private final int neighbors;
    private final java.util.Map<String, Long> watermarkSamples;
    private final int powerIndex;
    private final Map<String, SpatialMotion> motion;
    private final io.fosm.lakehouse.FiberFeatures perFiber;

    /**
     * @param watermarkSamples the watermark of each fiber in samples at its own rate
     * @param powerIndex position of total_power in the window features (a rate-free feature: the same for every fiber)
     */
    FiberFinalizer(int neighbors, java.util.Map<String, Long> watermarkSamples, int powerIndex,
                   Map<String, SpatialMotion> motion, io.fosm.lakehouse.FiberFeatures perFiber) {
        this.neighbors = neighbors;
        this.watermarkSamples = java.util.Map.copyOf(watermarkSamples);
        this.powerIndex = powerIndex;
        this.motion = new java.util.LinkedHashMap<>(motion);
        this.perFiber = perFiber;
    }

    /** Motion inputs of a window's stream features (the tail after DSP and temporal context); none in old states. */
    private static double[] motionInput(double[] features, int dsp) {
        int at = dsp + TemporalContext.OUTPUTS;
        double[] out = new double[1 + SpatialMotion.ENVELOPE_FRAMES];
        if (features.length >= at + out.length) {
            System.arraycopy(features, at, out, 0, out.length);
        } else {
            out[0] = Double.NaN;  // a window held in a state written before the motion features: no history
        }
        return out;
    }

    /**
     * Windows waiting per start (channel -> features), the newest start seen and the last final start (stored encoded
     * by {@link StreamStateCodec}; Serializable only for reading the state of older releases).
     */
    public static final class State implements Serializable {
        private static final long serialVersionUID = 1L;
        final TreeMap<Long, TreeMap<Integer, double[]>> pending = new TreeMap<>();
        long newest = Long.MIN_VALUE;
        long finalUpTo = Long.MIN_VALUE;
    }

    @Override
    public Iterator<StreamRow> call(String key, Iterator<StreamRow> rows, GroupState<byte[]> groupState) {
        List<StreamRow> out = new ArrayList<>();
        State state = groupState.exists() ? StreamStateCodec.decodeFiber(groupState.get()) : new State();
        boolean windows = false;
        String fiber = null;
        while (rows.hasNext()) {
            StreamRow r = rows.next();
            if (!r.isWindow()) {
                out.add(r);
                continue;
            }
            windows = true;
            fiber = r.getFiberId();
            long start = r.getWindowStart();
            if (start <= state.finalUpTo) {
                StreamRow dead = StreamRow.dead(new ChunkInput(), LATE_WINDOW, "window at sample " + start
                        + " of channel " + r.getChannel() + " arrived after fiber " + fiber
                        + " finalised its windows up to sample " + state.finalUpTo + " (stream.watermark_seconds)");
                dead.setFiberId(fiber);
                dead.setChannel(r.getChannel());
                dead.setWindowStart(start);
                out.add(dead);
                continue;
            }
            state.pending.computeIfAbsent(start, s -> new TreeMap<>()).put(r.getChannel(), r.getFeatures());
            state.newest = Math.max(state.newest, start);
        }
        if (!windows) {
            return out.iterator();
        }
        long cutoff = state.newest - watermarkSamples.get(fiber);
        Gold.SpatialGroup spatial = new Gold.SpatialGroup(neighbors, motion);
        int dsp = -1;
        while (!state.pending.isEmpty() && state.pending.firstKey() <= cutoff) {
            Map.Entry<Long, TreeMap<Integer, double[]>> e = state.pending.pollFirstEntry();
            int n = e.getValue().size();
            int[] channels = new int[n];
            double[][] feats = new double[n][];
            int i = 0;
            for (Map.Entry<Integer, double[]> c : e.getValue().entrySet()) {
                channels[i] = c.getKey();
                feats[i] = c.getValue();
                i++;
            }
            if (dsp < 0) {
                dsp = io.fosm.dsp.FeatureExtractor.featureNames(perFiber.forFiber(fiber)).length;
            }
            int d = dsp;
            spatial.compute(fiber, n, j -> feats[j][powerIndex], j -> motionInput(feats[j], d), j -> channels[j]);
            for (int j = 0; j < n; j++) {
                // DSP features, temporal context, then the motion features in place of their inputs
                double[] row = java.util.Arrays.copyOf(feats[j], d + TemporalContext.OUTPUTS + SpatialMotion.OUTPUTS);
                for (int k = 0; k < SpatialMotion.OUTPUTS; k++) {
                    row[d + TemporalContext.OUTPUTS + k] = spatial.motion(j, k);
                }
                StreamRow w = StreamRow.window(fiber, channels[j], e.getKey(), row);
                w.setSpatial(spatial.ratio(j));
                out.add(w);
            }
            state.finalUpTo = Math.max(state.finalUpTo, e.getKey());
        }
        state.finalUpTo = Math.max(state.finalUpTo, cutoff);
        groupState.update(StreamStateCodec.encodeFiber(state));
        return out.iterator();
    }

}
