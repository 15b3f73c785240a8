package io.fosm.streaming;

import io.fosm.dsp.FeatureConfig;
import io.fosm.dsp.FeatureExtractor;
import io.fosm.dsp.SpatialMotion;
import io.fosm.dsp.TemporalContext;
import io.fosm.dsp.WindowStitcher;
import io.fosm.lakehouse.FiberFeatures;
import io.fosm.record.ChunkCodec;
import io.fosm.record.ChunkRecord;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapGroupsWithStateFunction;
import org.apache.spark.sql.streaming.GroupState;

/**
 * Stage 1 of the stream, per (fiber, channel): stitches the channel's chunks into gold's windows
 * ({@link WindowStitcher}), computes their features ({@link FeatureExtractor}) and temporal context
 * ({@link TemporalContext}), the same code as gold, and keeps the stitcher and context between micro-batches in
 * the group state.
 *
 * <p>The chunks of one micro-batch are sorted by start first, so out-of-order arrival within a batch changes
 * nothing. A chunk starting before the channel's stitched position (a duplicate, or one that arrives after a later
 * chunk of its channel was stitched in an earlier batch) is not stitched: it becomes a {@code late_chunk} dead letter.
 * A later chunk after a gap starts a new run, as in gold. Invalid records pass through as dead letters.
 */
public final class ChannelStitching implements FlatMapGroupsWithStateFunction<String, ChunkInput, byte[],
        StreamRow>, Serializable {
    private static final long serialVersionUID = 1L;
    static final String LATE_CHUNK = "late_chunk";

    private final FiberFeatures perFiber;
    private final int temporalWindows;
    private final int lookaheadWindows;
    private final int baselineWindows;
    private transient java.util.Map<String, FeatureExtractor> extractors;

    ChannelStitching(FiberFeatures perFiber, int temporalWindows, int lookaheadWindows, int baselineWindows) {
        this.perFiber = perFiber;
        this.temporalWindows = temporalWindows;
        this.lookaheadWindows = lookaheadWindows;
        this.baselineWindows = baselineWindows;
    }

    /** The state of one channel: its stitcher and temporal context (stored encoded by {@link StreamStateCodec}). */
    public record State(WindowStitcher.State stitcher, TemporalContext.State temporal) implements Serializable {}

    @Override
    public Iterator<StreamRow> call(String key, Iterator<ChunkInput> rows, GroupState<byte[]> groupState) {
        List<StreamRow> out = new ArrayList<>();
        List<ChunkInput> chunks = new ArrayList<>();
        while (rows.hasNext()) {
            ChunkInput in = rows.next();
            if (in.getReason() != null) {
                out.add(StreamRow.dead(in, in.getReason(), in.getDetail()));
            } else {
                chunks.add(in);
            }
        }
        if (chunks.isEmpty()) {
            return out.iterator();
        }
        if (extractors == null) {
            extractors = new java.util.HashMap<>();
        }
        // silver's rules (applied before this stage) admit only registered fibers at their registered rate
        FeatureConfig features = perFiber.forFiber(chunks.get(0).getFiberId());
        FeatureExtractor extractor = extractors.computeIfAbsent(chunks.get(0).getFiberId(),
                id -> new FeatureExtractor(features));
        String[] names = extractor.featureNames();
        int[] idx = TemporalIndexes.of(names);
        WindowStitcher stitcher;
        TemporalContext temporal;
        if (groupState.exists()) {
            State restored = StreamStateCodec.decodeChannel(groupState.get());
            stitcher = WindowStitcher.restore(restored.stitcher());
            temporal = TemporalContext.restore(restored.temporal(), lookaheadWindows, features.hopSamples(), idx[0],
                    idx[1], idx[2]);
        } else {
            stitcher = WindowStitcher.forConfig(features);
            temporal = new TemporalContext(temporalWindows, lookaheadWindows, features.hopSamples(), baselineWindows,
                    idx[0], idx[1], idx[2]);
        }
        chunks.sort(Comparator.comparingLong(ChunkInput::getChunkStartMicros)
                .thenComparing(Comparator.comparingLong(ChunkInput::getSeq).reversed()));
        double fs = features.sampleRate();
        String fiber = chunks.get(0).getFiberId();
        int channel = chunks.get(0).getChannel();
        int featureCount = extractor.featureCount();
        // the window travels to the fiber stage as DSP features, temporal context, then its motion inputs (gold's
        // hidden column: previous power and envelope), which the fiber stage turns into the motion features
        TemporalContext.Sink sink = (windowStart, f, context, previousPower) -> {
            double[] motion = io.fosm.lakehouse.Gold.motionInput(previousPower, f, featureCount);
            double[] all = Arrays.copyOf(f, featureCount + context.length + motion.length);
            System.arraycopy(context, 0, all, featureCount, context.length);
            System.arraycopy(motion, 0, all, featureCount + context.length, motion.length);
            out.add(StreamRow.window(fiber, channel, windowStart, all));
        };
        int windowSamples = features.windowSamples();
        for (ChunkInput chunk : chunks) {
            long start = WindowStitcher.sampleIndex(chunk.getChunkStartMicros(), fs);
            long next = stitcher.nextIndex();
            if (next != Long.MIN_VALUE && start < next) {
                StreamRow dead = StreamRow.dead(chunk, LATE_CHUNK, "chunk starts at sample " + start
                        + ", before sample " + next + " where channel " + channel + " of fiber " + fiber
                        + " is already stitched (a duplicate, or out of order across micro-batches)");
                // valid records travel without their bytes: encode this one again (the codec is lossless)
                dead.setPayload(ChunkCodec.encode(new ChunkRecord(fiber, channel, chunk.getChunkStartMicros(),
                        chunk.getSampleRate(), chunk.getSamples(), chunk.getInterrogatorId(), chunk.getSeq())));
                out.add(dead);
                continue;
            }
            stitcher.push(start, chunk.getSamples(), (windowStart, buffer, offset) -> {
                double[] f = new double[featureCount + SpatialMotion.ENVELOPE_FRAMES];
                extractor.extract(buffer, offset, f);
                SpatialMotion.envelope(buffer, offset, windowSamples, f, featureCount);
                temporal.push(windowStart, f, sink);
            });
        }
        groupState.update(StreamStateCodec.encodeChannel(new State(stitcher.state(), temporal.state())));
        return out.iterator();
    }

    /** Positions of crest_factor, kurtosis and total_power in the feature names. */
    static final class TemporalIndexes {
        private TemporalIndexes() {}

        static int[] of(String[] names) {
            List<String> list = Arrays.asList(names);
            return new int[] {list.indexOf("crest_factor"), list.indexOf("kurtosis"), list.indexOf("total_power")};
        }
    }
}
