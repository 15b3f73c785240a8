package io.fosm.generate;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One line of the ground-truth event log. The centre moves linearly from {@code centerChannelStart} at the start to
 * {@code centerChannelEnd} at the end; the event covers {@code |channel - centre(t)| <= halfWidthChannels}.
 *
 * @param eventId            unique within the fiber, e.g. {@code fiber-1-ev-0003}
 * @param fiberId            fiber id
 * @param type               event class
 * @param startMicros        onset, epoch microseconds (inclusive)
 * @param endMicros          offset, epoch microseconds (exclusive)
 * @param centerChannelStart centre channel at onset (fractional)
 * @param centerChannelEnd   centre channel at offset; equal to the start for stationary events
 * @param halfWidthChannels  half the spatial extent, in channels
 * @param speedMps           speed along the fiber in m/s (0 when stationary)
 * @param peakAmplitude      peak source amplitude at the centre, in units of the nominal background noise RMS
 * @param drift              whether a drift mode was active during (part of) the event
 */
public record GroundTruthEvent(String eventId, String fiberId, EventType type, long startMicros, long endMicros,
                               double centerChannelStart, double centerChannelEnd, double halfWidthChannels,
                               double speedMps, double peakAmplitude, boolean drift) {

    /** Centre channel at {@code micros} (clamped to the event's time span). */
    public double centerAt(long micros) {
        if (endMicros <= startMicros) {
            return centerChannelStart;
        }
        double p = Math.min(1, Math.max(0, (double) (micros - startMicros) / (endMicros - startMicros)));
        return centerChannelStart + p * (centerChannelEnd - centerChannelStart);
    }

    /** Whether the event covers {@code channel} at {@code micros}. */
    public boolean covers(int channel, long micros) {
        return micros >= startMicros && micros < endMicros && Math.abs(channel - centerAt(micros)) <= halfWidthChannels;
    }

    /** The log line's fields in their documented order. */
    public Map<String, Object> toJsonFields() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event_id", eventId);
        m.put("fiber_id", fiberId);
        m.put("event_type", type.label());
        m.put("start_time", iso(startMicros));
        m.put("end_time", iso(endMicros));
        m.put("center_channel_start", centerChannelStart);
        m.put("center_channel_end", centerChannelEnd);
        m.put("half_width_channels", halfWidthChannels);
        m.put("speed_mps", speedMps);
        m.put("peak_amplitude", peakAmplitude);
        m.put("drift", drift);
        return m;
    }

    static String iso(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L)
                .toString();
    }
}
