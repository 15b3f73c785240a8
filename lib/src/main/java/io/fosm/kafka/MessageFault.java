package io.fosm.kafka;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What {@link Replay} does to a message it corrupts. Three faults leave bytes that do not decode as a chunk record
 * ({@link #decodeReason()} is the {@code MalformedRecordException} reason code); the others leave a decodable record
 * that breaks a validation rule ({@link #validationReason()}, the silver quarantine reason) or arrives out of place.
 */
public enum MessageFault {
    /** Random bytes instead of a record. */
    GARBAGE("bad_magic", null),
    /** The encoded record cut in half. */
    TRUNCATED("truncated", null),
    /** A record with an unknown format version byte. */
    BAD_VERSION("unsupported_version", null),
    /** A run of samples set to NaN. */
    NAN_SAMPLES(null, "non_finite_sample"),
    /** Fewer samples than sampleRate x chunkSeconds. */
    WRONG_SAMPLE_COUNT(null, "wrong_sample_count"),
    /** A channel index outside 0..channels-1 of the fiber. */
    UNKNOWN_CHANNEL(null, "channel_out_of_range"),
    /** A fiber id that is not in the fiber registry. */
    UNKNOWN_FIBER(null, "unknown_fiber"),
    /** chunkStartMicros one or more years in the future. */
    FUTURE_TIMESTAMP(null, "bad_timestamp"),
    /** The same record sent twice in a row (a retrying interrogator). */
    DUPLICATE(null, "duplicate_key"),
    /** The record is held back and sent after the next chunk of its channel. */
    OUT_OF_ORDER(null, null),
    /** The record is held back for {@code lateSeconds} of event time (behind any reasonable watermark). */
    LATE(null, null);

    /** Every fault, the default mix of {@code --faults}. */
    public static final List<MessageFault> ALL = List.of(values());

    private final String decodeReason;
    private final String validationReason;

    MessageFault(String decodeReason, String validationReason) {
        this.decodeReason = decodeReason;
        this.validationReason = validationReason;
    }

    /** The lower-case label of the faults log and the {@code --faults} option, e.g. {@code nan_samples}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the message still decodes as a chunk record. */
    public boolean decodable() {
        return decodeReason == null;
    }

    /** For undecodable messages, the {@code MalformedRecordException.Reason} code decoding reports; else null. */
    public String decodeReason() {
        return decodeReason;
    }

    /** For decodable but invalid messages, the silver rule it breaks (quarantine reason); else null. */
    public String validationReason() {
        return validationReason;
    }

    /** The reason a consumer's dead-letter row should carry: decode reason, else validation reason, else null. */
    public String expectedReason() {
        return decodeReason != null ? decodeReason : validationReason;
    }

    /** Parses a label, case-insensitively. */
    public static MessageFault parse(String label) {
        try {
            return valueOf(label.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("fault must be one of "
                    + String.join(", ", Arrays.stream(values()).map(MessageFault::label).toList())
                    + ", cannot be: '" + label + "'");
        }
    }
}
