package io.fosm.generate;

import io.fosm.record.MalformedRecordException.Reason;

import java.util.Locale;

/**
 * Corruptions the generator injects so the validation stage can be tested. Record faults leave a decodable record
 * that is wrong; file faults leave a file that does not decode, with {@link #expectedReason()}.
 */
public enum FaultType {
    /** A run of samples set to NaN. */
    NAN_SAMPLES(null),
    /** The chunk holds fewer samples than sampleRate x chunkSeconds. */
    WRONG_SAMPLE_COUNT(null),
    /** The channel index is outside 0..channels-1. */
    CHANNEL_OUT_OF_RANGE(null),
    /** The same record (same key and seq) is sent a second time, later in the same file. */
    DUPLICATE_RECORD(null),
    /** chunkStartMicros one or more years in the future. */
    FUTURE_TIMESTAMP(null),
    /** A landing file with a byte flipped in its samples. */
    CORRUPT_CHECKSUM(Reason.CHECKSUM_MISMATCH),
    /** A landing file cut in half. */
    TRUNCATED_FILE(Reason.TRUNCATED),
    /** A landing file whose magic is not "FOSF". */
    BAD_MAGIC(Reason.BAD_MAGIC),
    /** A landing file with an unknown format version. */
    BAD_VERSION(Reason.UNSUPPORTED_VERSION);

    static final FaultType[] RECORD_FAULTS = {NAN_SAMPLES, WRONG_SAMPLE_COUNT, CHANNEL_OUT_OF_RANGE,
        DUPLICATE_RECORD, FUTURE_TIMESTAMP};
    static final FaultType[] FILE_FAULTS = {CORRUPT_CHECKSUM, TRUNCATED_FILE, BAD_MAGIC, BAD_VERSION};

    private final Reason expectedReason;

    FaultType(Reason expectedReason) {
        this.expectedReason = expectedReason;
    }

    /** The lower-case label used in the faults log, e.g. {@code nan_samples}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the whole file is undecodable (as opposed to one bad record in a good file). */
    public boolean fileLevel() {
        return expectedReason != null;
    }

    /** For file faults, the reason {@code ChunkCodec.decodeFile} must report; null for record faults. */
    public Reason expectedReason() {
        return expectedReason;
    }
}
