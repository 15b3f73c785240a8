package io.fosm.generate;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The static properties of a synthetic fiber, chosen by seed: broken channels and mains-hum sites.
 *
 * @param deadChannels  channels with near-zero output (1e-4 of normal)
 * @param fadedChannels channels with much lower gain (0.1 of normal)
 * @param humSites      power crossings radiating 50 Hz (+100 Hz) hum
 */
public record FiberLayout(Set<Integer> deadChannels, Set<Integer> fadedChannels, List<HumSite> humSites) {

    /** Output factor of a dead channel. */
    public static final double DEAD_FACTOR = 1e-4;
    /** Output factor of a faded channel. */
    public static final double FADED_FACTOR = 0.1;

    public FiberLayout {
        deadChannels = Set.copyOf(new TreeSet<>(deadChannels));
        fadedChannels = Set.copyOf(new TreeSet<>(fadedChannels));
        humSites = List.copyOf(humSites);
    }

    /**
     * A power crossing near the fiber.
     *
     * @param centerChannel     channel closest to the crossing
     * @param halfWidthChannels hum is present where {@code |channel - centerChannel| <= halfWidthChannels}
     * @param amplitude         50 Hz amplitude at the centre, in noise-RMS units
     */
    public record HumSite(int centerChannel, double halfWidthChannels, double amplitude) {
    }

    /** Output factor for a channel: 1, {@link #FADED_FACTOR} or {@link #DEAD_FACTOR}. */
    public double channelFactor(int channel) {
        return deadChannels.contains(channel) ? DEAD_FACTOR : fadedChannels.contains(channel) ? FADED_FACTOR : 1.0;
    }

    /** Channels with audible hum, sorted. */
    public Set<Integer> humChannels() {
        TreeSet<Integer> s = new TreeSet<>();
        for (HumSite h : humSites) {
            for (int c = (int) Math.ceil(h.centerChannel() - h.halfWidthChannels());
                 c <= h.centerChannel() + h.halfWidthChannels(); c++) {
                s.add(c);
            }
        }
        return s;
    }
}
