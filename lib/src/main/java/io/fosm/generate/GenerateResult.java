package io.fosm.generate;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What one {@code fosm generate} run wrote.
 *
 * @param files         landing files written (full paths), regular files first, then the corrupt ones
 * @param records       records written (including duplicates and corrupted records)
 * @param samples       samples written
 * @param eventsByType  ground-truth events per type
 * @param faultsByType  injected faults per type (empty when faultRate is 0)
 * @param bytes         bytes of landing files written
 * @param eventLog      path of the event log
 * @param faultLog      path of the faults log, or null when no faults were injected
 * @param elapsed       wall-clock time of the run
 */
public record GenerateResult(List<String> files, long records, long samples, Map<EventType, Integer> eventsByType,
                             Map<FaultType, Integer> faultsByType, long bytes, String eventLog, String faultLog,
                             Duration elapsed) {

    public GenerateResult {
        files = List.copyOf(files);
        eventsByType = Map.copyOf(eventsByType);
        faultsByType = Map.copyOf(faultsByType);
    }

    /** Number of landing files written. */
    public int filesWritten() {
        return files.size();
    }

    /** Total injected faults. */
    public int faults() {
        return faultsByType.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** A one-paragraph human summary for the CLI. */
    public String summary() {
        double secs = elapsed.toNanos() / 1e9;
        return String.format("wrote %d files, %d records, %d samples, %.1f MB in %.2f s (%.1f M samples/s); "
                        + "events %s; faults %s; event log %s", filesWritten(), records, samples, bytes / 1e6, secs,
                secs > 0 ? samples / secs / 1e6 : 0.0, eventsByType, faultsByType, eventLog);
    }
}
