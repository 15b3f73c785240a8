package io.fosm.lakehouse;

import io.fosm.ingest.DasFileException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Cuts a block of channels of a planned run ({@link RecordingPlan.Run}) into fosm's records: channel x chunk of
 * {@code chunkSamples}, the samples as a float array, chunks anchored at the run's start and spanning file boundaries
 * (pure Java; bronze runs one per run and channel block). A cursor: chunks come out one at a time, so memory is one
 * file's block of channels plus one chunk per channel, however long the run.
 *
 * <p>Values are the files' stored values: int16 and float32 are exact in a float; int32 is exact up to 2^24 in
 * magnitude, and every value beyond is counted per file ({@link #inexact}) so bronze_files says how many were
 * rounded. The last chunk of a run may be shorter than {@code chunkSamples} (the recording ends there); silver
 * quarantines it as {@code wrong_sample_count}, so it is visible, never silently dropped.
 */
public final class RecordingChunker {

    /** Reads a block of channels of one file. */
    @FunctionalInterface
    public interface BlockReader {
        Block read(String path, int from, int count) throws DasFileException;
    }

    /** A file's block of channels as read: channel-major {@code values[c * timeSamples + t]}. */
    public record Block(double[] values, int timeSamples) {}

    private final RecordingPlan.Run run;
    private final int from;
    private final int count;
    private final int chunkSamples;
    private final BlockReader reader;
    private final Map<String, Long> inexact = new LinkedHashMap<>();

    private float[][] carry;
    private int filled;
    private long nextChunk;
    private String chunkFile;
    private int piece = -1;
    private Block block;
    private int t;
    private boolean done;

    // the chunk last completed
    private float[][] chunk;
    private long chunkIndex;
    private String chunkSource;

    public RecordingChunker(RecordingPlan.Run run, int from, int count, int chunkSamples, BlockReader reader) {
        if (chunkSamples < 1) {
            throw new IllegalArgumentException("Cannot cut a recording into chunks of " + chunkSamples + " samples");
        }
        this.run = run;
        this.from = from;
        this.count = count;
        this.chunkSamples = chunkSamples;
        this.reader = reader;
        this.carry = new float[count][chunkSamples];
    }

    /** Completes the next chunk of every channel of the block; false when the run is exhausted. */
    public boolean advance() throws DasFileException {
        List<RecordingPlan.Piece> pieces = run.pieces();
        while (!done) {
            if (block == null || t >= block.timeSamples()) {
                if (piece + 1 >= pieces.size()) {
                    done = true;
                    block = null;
                    if (filled > 0) {
                        float[][] last = new float[count][];
                        for (int c = 0; c < count; c++) {
                            last[c] = Arrays.copyOf(carry[c], filled);
                        }
                        complete(last);
                        filled = 0;
                        return true;
                    }
                    return false;
                }
                RecordingPlan.Piece p = pieces.get(++piece);
                block = reader.read(p.path(), from, count);
                if (block.timeSamples() - p.trimSamples() != p.samples()) {
                    throw new DasFileException(DasFileException.Reason.INCONSISTENT_AXES, p.path(), "the file declared "
                            + (p.samples() + p.trimSamples()) + " samples per channel but holds " + block.timeSamples());
                }
                t = p.trimSamples();
                continue;
            }
            if (filled == 0) {
                chunkFile = pieces.get(piece).path();
            }
            int total = block.timeSamples();
            int n = Math.min(chunkSamples - filled, total - t);
            double[] v = block.values();
            long rounded = 0;
            for (int c = 0; c < count; c++) {
                float[] dst = carry[c];
                int base = c * total + t;
                for (int i = 0; i < n; i++) {
                    double x = v[base + i];
                    float f = (float) x;
                    if (f != x && !Double.isNaN(x)) {
                        rounded++;
                    }
                    dst[filled + i] = f;
                }
            }
            if (rounded > 0) {
                inexact.merge(pieces.get(piece).path(), rounded, Long::sum);
            }
            filled += n;
            t += n;
            if (filled == chunkSamples) {
                complete(carry);
                carry = new float[count][chunkSamples];   // the records hold on to the arrays
                filled = 0;
                return true;
            }
        }
        return false;
    }

    private void complete(float[][] samples) {
        chunk = samples;
        chunkIndex = nextChunk++;
        chunkSource = chunkFile;
    }

    /** Samples of channel {@code from + c} in the chunk last completed. */
    public float[] samples(int c) {
        return chunk[c];
    }

    /** Index of the chunk last completed within the run (its start is run start + index x chunkSamples samples). */
    public long chunkIndex() {
        return chunkIndex;
    }

    /** The file holding the first sample of the chunk last completed. */
    public String sourceFile() {
        return chunkSource;
    }

    /** Values per file a float could not hold exactly (int32 beyond 2^24), complete once exhausted. */
    public Map<String, Long> inexact() {
        return inexact;
    }
}
