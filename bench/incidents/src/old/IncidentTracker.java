// The incident tracker fosm shipped before io.fosm.incidents (per class, k consecutive windows per channel, grouped
// by channel distance), kept verbatim for the before/after measurement of docs/incidents.md. Not part of the build.
package old;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns scored windows into incidents, one final window start of a fiber at a time (pure, no Spark).
 *
 * <p>An <em>alert</em> is a channel whose probability of one event class is above {@code threshold} for {@code k}
 * consecutive windows (consecutive on the hop grid; a missing window breaks the run). Alerting channels of the same
 * class within {@code groupChannels} channels of each other form a cluster; a cluster that touches an open incident
 * of its class (channel ranges within {@code groupChannels}) extends it, otherwise it opens a new one. An open
 * incident that no cluster extends at a window start closes. So one event seen on many neighbouring channels is ONE
 * incident. Its start is the first window of the run that raised it; its end the end of its last alerting window.
 */
public final class IncidentTracker implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final String OPEN = "open";
    public static final String CLOSED = "closed";

    /** How alerts are raised and grouped; times in microseconds. */
    public record Settings(double threshold, int k, int groupChannels, long hopMicros, long windowMicros)
            implements Serializable {
        public Settings {
            if (k < 1) {
                throw new IllegalArgumentException("k must be at least 1 window, cannot be: " + k);
            }
        }
    }

    /** One channel's probability of one event class at a window, above the threshold. */
    public record Cell(int channel, String eventClass, double probability) implements Serializable {}

    /** An incident as opened or closed (immutable snapshot). */
    public record Incident(String id, String status, String fiberId, String eventClass, long startMicros,
                           long endMicros, int channelMin, int channelMax, double peakProbability, int peakChannel,
                           long alertWindows, String modelVersion) implements Serializable {}

    private static final class Run implements Serializable {
        private static final long serialVersionUID = 1L;
        int count;
        long firstStart;
        long lastStart;
    }

    private static final class Open implements Serializable {
        private static final long serialVersionUID = 1L;
        String id;
        String eventClass;
        long start;
        long end;
        int min;
        int max;
        double peak;
        int peakChannel;
        long windows;
        String modelVersion;

        Incident snapshot(String status, String fiber) {
            return new Incident(id, status, fiber, eventClass, start, end, min, max, peak, peakChannel, windows,
                    modelVersion);
        }
    }

    private final Settings settings;
    private final Map<String, Map<String, Run>> runs = new HashMap<>();      // fiber -> channel|class -> run
    private final Map<String, List<Open>> open = new HashMap<>();            // fiber -> open incidents
    private final Map<String, Long> lastStart = new HashMap<>();             // fiber -> last window start processed

    public IncidentTracker(Settings settings) {
        this.settings = settings;
    }

    public Settings settings() {
        return settings;
    }

    /**
     * Processes the final window start {@code windowStart} of {@code fiber} with the cells above the threshold there,
     * and returns the incidents it opened or closed. Window starts of a fiber must come in increasing order; one that
     * does not (a replay of an earlier batch) is ignored.
     */
    public List<Incident> advance(String fiber, long windowStart, List<Cell> cells, String modelVersion) {
        Long last = lastStart.get(fiber);
        if (last != null && windowStart <= last) {
            return List.of();
        }
        lastStart.put(fiber, windowStart);
        Map<String, Run> fiberRuns = runs.computeIfAbsent(fiber, f -> new HashMap<>());
        Map<String, Run> next = new HashMap<>();
        // class -> channel -> (probability, run start) of the alerting cells
        Map<String, TreeMap<Integer, double[]>> alerting = new TreeMap<>();
        for (Cell c : cells) {
            if (!(c.probability() > settings.threshold())) {
                continue;
            }
            String key = c.channel() + "|" + c.eventClass();
            Run run = fiberRuns.get(key);
            if (run == null || run.lastStart != windowStart - settings.hopMicros()) {
                run = new Run();
                run.firstStart = windowStart;
            }
            run.count++;
            run.lastStart = windowStart;
            next.put(key, run);
            if (run.count >= settings.k()) {
                alerting.computeIfAbsent(c.eventClass(), k -> new TreeMap<>())
                        .put(c.channel(), new double[] {c.probability(), run.firstStart});
            }
        }
        runs.put(fiber, next);

        List<Incident> out = new ArrayList<>();
        List<Open> fiberOpen = open.computeIfAbsent(fiber, f -> new ArrayList<>());
        Set<Open> extended = new HashSet<>();
        for (Map.Entry<String, TreeMap<Integer, double[]>> byClass : alerting.entrySet()) {
            for (List<Map.Entry<Integer, double[]>> cluster : clusters(byClass.getValue())) {
                int min = cluster.get(0).getKey();
                int max = cluster.get(cluster.size() - 1).getKey();
                Open target = null;
                for (Open o : fiberOpen) {
                    if (o.eventClass.equals(byClass.getKey()) && min - settings.groupChannels() <= o.max
                            && max + settings.groupChannels() >= o.min) {
                        target = o;
                        break;
                    }
                }
                boolean opened = target == null;
                if (opened) {
                    target = new Open();
                    target.eventClass = byClass.getKey();
                    target.start = Long.MAX_VALUE;
                    target.min = min;
                    target.max = max;
                    target.peak = -1;
                    target.modelVersion = modelVersion;
                    fiberOpen.add(target);
                }
                for (Map.Entry<Integer, double[]> cell : cluster) {
                    target.start = Math.min(target.start, (long) cell.getValue()[1]);
                    if (cell.getValue()[0] > target.peak) {
                        target.peak = cell.getValue()[0];
                        target.peakChannel = cell.getKey();
                    }
                    target.windows++;
                }
                target.min = Math.min(target.min, min);
                target.max = Math.max(target.max, max);
                target.end = windowStart + settings.windowMicros();
                if (opened) {
                    target.id = fiber + ":" + target.eventClass + ":" + target.start + ":" + target.min;
                    out.add(target.snapshot(OPEN, fiber));
                }
                extended.add(target);
            }
        }
        for (Iterator<Open> it = fiberOpen.iterator(); it.hasNext(); ) {
            Open o = it.next();
            if (!extended.contains(o)) {
                out.add(o.snapshot(CLOSED, fiber));
                it.remove();
            }
        }
        return out;
    }

    /** Open incidents of every fiber (snapshots), oldest first. */
    public List<Incident> openIncidents() {
        List<Incident> out = new ArrayList<>();
        for (Map.Entry<String, List<Open>> e : new TreeMap<>(open).entrySet()) {
            for (Open o : e.getValue()) {
                out.add(o.snapshot(OPEN, e.getKey()));
            }
        }
        out.sort(Comparator.comparingLong(Incident::startMicros));
        return out;
    }

    /** Channels (sorted) split where two neighbours are more than groupChannels apart. */
    private List<List<Map.Entry<Integer, double[]>>> clusters(TreeMap<Integer, double[]> channels) {
        List<List<Map.Entry<Integer, double[]>>> out = new ArrayList<>();
        List<Map.Entry<Integer, double[]>> current = null;
        int previous = 0;
        for (Map.Entry<Integer, double[]> e : channels.entrySet()) {
            if (current == null || e.getKey() - previous > settings.groupChannels()) {
                current = new ArrayList<>();
                out.add(current);
            }
            current.add(e);
            previous = e.getKey();
        }
        return out;
    }

    /** The tracker as bytes (kept in a Delta table between micro-batches). */
    public byte[] toBytes() {
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream();
             ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(this);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot serialise the incident tracker: " + e.getMessage(), e);
        }
    }

    /** A tracker from {@link #toBytes}. */
    public static IncidentTracker fromBytes(byte[] bytes) {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            return (IncidentTracker) in.readObject();
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException("Cannot read the incident tracker state: " + e.getMessage(), e);
        }
    }
}
