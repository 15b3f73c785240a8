package io.fosm.kafka;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One line of the replay's faults log: which message was corrupted, and where it landed in Kafka. {@code channel},
 * {@code chunkStartMicros} and {@code seq} describe the record before corruption; {@code key}, {@code partition} and
 * {@code offset} the message actually sent (for {@link MessageFault#DUPLICATE}: the second copy).
 *
 * @param fault            what was done
 * @param topic            topic of the message
 * @param partition        partition of the message
 * @param offset           offset of the message
 * @param key              message key
 * @param fiberId          fiber of the original record
 * @param channel          channel of the original record
 * @param chunkStartMicros chunk start of the original record, epoch microseconds
 * @param seq              interrogator sequence number of the original record
 */
public record ReplayFault(MessageFault fault, String topic, int partition, long offset, String key, String fiberId,
                          int channel, long chunkStartMicros, long seq) {

    /** The log line's fields in their documented order (docs/kafka.md). */
    public Map<String, Object> toJsonFields() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("fault", fault.label());
        m.put("expected_reason", fault.expectedReason());
        m.put("topic", topic);
        m.put("partition", partition);
        m.put("offset", offset);
        m.put("key", key);
        m.put("fiber_id", fiberId);
        m.put("channel", channel);
        m.put("chunk_start", Instant.ofEpochSecond(Math.floorDiv(chunkStartMicros, 1_000_000L),
                Math.floorMod(chunkStartMicros, 1_000_000L) * 1000L).toString());
        m.put("chunk_start_micros", chunkStartMicros);
        m.put("seq", seq);
        return m;
    }
}
