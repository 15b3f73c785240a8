package io.fosm.record;

import java.util.Arrays;
import java.util.Objects;

/**
 * One channel x one chunk of DAS samples, as an interrogator emits it.
 *
 * <p>The record holds on to {@code samples} without copying (chunks are large and produced at a high rate), so
 * callers must not mutate the array after handing it over. A record is not validated beyond non-null fields: NaN
 * samples, a wrong sample count or an unknown channel are legal here and are a validation stage's business.
 *
 * @param fiberId          fiber the channel belongs to
 * @param channel          channel index along the fiber
 * @param chunkStartMicros time of the first sample, epoch microseconds (UTC)
 * @param sampleRate       samples per second
 * @param samples          strain-rate samples of this chunk
 * @param interrogatorId   interrogator unit that recorded the chunk
 * @param seq              interrogator sequence number of the record
 */
public record ChunkRecord(String fiberId, int channel, long chunkStartMicros, double sampleRate, float[] samples,
                          String interrogatorId, long seq) {

    public ChunkRecord {
        Objects.requireNonNull(fiberId, "fiberId");
        Objects.requireNonNull(samples, "samples");
        Objects.requireNonNull(interrogatorId, "interrogatorId");
    }

    /** Number of samples in this chunk. */
    public int sampleCount() {
        return samples.length;
    }

    /** A copy of this record with other samples (same key and metadata). */
    public ChunkRecord withSamples(float[] newSamples) {
        return new ChunkRecord(fiberId, channel, chunkStartMicros, sampleRate, newSamples, interrogatorId, seq);
    }

    /** A copy of this record with another channel. */
    public ChunkRecord withChannel(int newChannel) {
        return new ChunkRecord(fiberId, newChannel, chunkStartMicros, sampleRate, samples, interrogatorId, seq);
    }

    /** A copy of this record with another chunk start time. */
    public ChunkRecord withChunkStartMicros(long newChunkStartMicros) {
        return new ChunkRecord(fiberId, channel, newChunkStartMicros, sampleRate, samples, interrogatorId, seq);
    }

    // Records compare arrays by reference; compare samples bit by bit instead so NaN payloads and -0.0 count.
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ChunkRecord other)) {
            return false;
        }
        return channel == other.channel
                && chunkStartMicros == other.chunkStartMicros
                && Double.doubleToRawLongBits(sampleRate) == Double.doubleToRawLongBits(other.sampleRate)
                && seq == other.seq
                && fiberId.equals(other.fiberId)
                && interrogatorId.equals(other.interrogatorId)
                && samplesBitEqual(samples, other.samples);
    }

    private static boolean samplesBitEqual(float[] a, float[] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = Objects.hash(fiberId, channel, chunkStartMicros, Double.doubleToRawLongBits(sampleRate),
                interrogatorId, seq);
        for (float s : samples) {
            h = 31 * h + Float.floatToRawIntBits(s);
        }
        return h;
    }

    @Override
    public String toString() {
        return "ChunkRecord[fiberId=" + fiberId + ", channel=" + channel + ", chunkStartMicros=" + chunkStartMicros
                + ", sampleRate=" + sampleRate + ", samples=float[" + samples.length + "]"
                + (samples.length > 0 ? " " + Arrays.toString(Arrays.copyOf(samples, Math.min(4, samples.length)))
                + (samples.length > 4 ? "..." : "") : "")
                + ", interrogatorId=" + interrogatorId + ", seq=" + seq + "]";
    }
}
