package io.fosm.incidents;

import io.fosm.config.FiberSpec;

/**
 * Where a channel is, in metres along the fiber: the ONE function incidents, alerts and the event-level evaluation
 * use, so a chainage mapping (io.fosm.geometry, surveyed positions instead of channel x spacing) replaces the body of
 * {@link #metres} in one line. Channels may be fractional (a track's centre).
 */
public final class IncidentLocation {
    private IncidentLocation() {}

    /** Metres along {@code fiber} of (fractional) channel {@code channel}; NaN for an unregistered fiber. */
    public static double metres(FiberSpec fiber, double channel) {
        return fiber == null ? Double.NaN : channel * fiber.spacingM();
    }

    /** A speed in channels per second as metres per second at {@code channel} (signed: + = increasing channels). */
    public static double metresPerSecond(FiberSpec fiber, double channel, double channelsPerSecond) {
        return metres(fiber, channel + channelsPerSecond) - metres(fiber, channel);
    }
}
