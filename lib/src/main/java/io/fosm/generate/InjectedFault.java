package io.fosm.generate;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One line of the faults log. For record faults, {@code channel}, {@code chunkStartMicros} and {@code seq} identify
 * the record as it was before corruption (find it by {@code seq} in {@code file}); for file faults they are null.
 *
 * @param file             landing file name (no folder)
 * @param channel          original channel of the corrupted record, or null
 * @param chunkStartMicros original chunk start, epoch microseconds, or null
 * @param seq              sequence number of the corrupted record, or null
 * @param fault            what was done
 */
public record InjectedFault(String file, Integer channel, Long chunkStartMicros, Long seq, FaultType fault) {

    /** The log line's fields in their documented order. */
    public Map<String, Object> toJsonFields() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", file);
        m.put("channel", channel);
        m.put("chunk_start", chunkStartMicros == null ? null : GroundTruthEvent.iso(chunkStartMicros));
        m.put("chunk_start_micros", chunkStartMicros);
        m.put("seq", seq);
        m.put("fault", fault.label());
        m.put("expected_reason", fault.fileLevel() ? fault.expectedReason().code() : null);
        return m;
    }
}
