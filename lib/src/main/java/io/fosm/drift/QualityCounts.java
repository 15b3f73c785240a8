package io.fosm.drift;

/**
 * The data-quality inputs of a report window: records seen and how many were invalid (dead-lettered, quarantined, or
 * with a non-finite feature), channels seen and how many were dead (near-zero power). The streaming job passes its own
 * counts; {@link Profiler#quality} derives them from gold-like rows.
 */
public record QualityCounts(long records, long invalidRecords, long channels, long deadChannels) {
    public QualityCounts {
        if (records < 0 || invalidRecords < 0 || invalidRecords > records) {
            throw new IllegalArgumentException("invalidRecords must be within 0..records (" + records
                    + "), cannot be: " + invalidRecords);
        }
        if (channels < 0 || deadChannels < 0 || deadChannels > channels) {
            throw new IllegalArgumentException("deadChannels must be within 0..channels (" + channels
                    + "), cannot be: " + deadChannels);
        }
    }

    /** Invalid records per record (0 without records). */
    public double invalidRate() {
        return records == 0 ? 0 : (double) invalidRecords / records;
    }

    /** Dead channels per channel (0 without channels). */
    public double deadChannelFraction() {
        return channels == 0 ? 0 : (double) deadChannels / channels;
    }
}
