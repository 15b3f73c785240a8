package io.fosm.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What one {@link Replay} sent.
 *
 * @param topic            the topic
 * @param startMicros      event time of the first sample, epoch microseconds (for a live feed: chosen at start-up)
 * @param messages         messages sent (every record once, plus duplicates)
 * @param records          chunk records rendered (channels x chunks)
 * @param samples          samples rendered (records x samples per chunk)
 * @param bytes            bytes of message values sent
 * @param eventSeconds     seconds of event time replayed
 * @param faults           the injected faults, in sending order
 * @param faultsByType     counts of {@code faults} per type
 * @param maxBehindSeconds the most the sender fell behind its schedule (0 when unpaced or always on time)
 * @param elapsed          wall-clock time from the first due chunk to the last acknowledged message
 * @param eventLog         path of the ground-truth event log
 * @param faultLog         path of the faults log, or null when no fault was injected
 */
public record ReplayResult(String topic, long startMicros, long messages, long records, long samples, long bytes,
                           double eventSeconds, List<ReplayFault> faults, Map<MessageFault, Integer> faultsByType, double maxBehindSeconds,
                           Duration elapsed, String eventLog, String faultLog) {

    public ReplayResult {
        faults = List.copyOf(faults);
        faultsByType = Map.copyOf(faultsByType);
    }

    /** Samples per second of wall-clock time actually sustained. */
    public double samplesPerSecond() {
        double s = elapsed.toNanos() / 1e9;
        return s > 0 ? samples / s : 0;
    }

    /** A one-paragraph human summary for the CLI. */
    public String summary() {
        double s = elapsed.toNanos() / 1e9;
        return String.format("replayed %.1f s of event time from %s into %s in %.1f s: %d messages, %d records, %d samples, "
                        + "%.1f MB, %.0f samples/s (%.2f M), at most %.2f s behind schedule; faults %s; event log %s%s",
                eventSeconds, java.time.Instant.ofEpochSecond(startMicros / 1_000_000L, startMicros % 1_000_000L * 1000),
                topic, s, messages, records, samples, bytes / 1e6, samplesPerSecond(),
                samplesPerSecond() / 1e6, maxBehindSeconds, faultsByType, eventLog,
                faultLog == null ? "" : "; faults log " + faultLog);
    }
}
