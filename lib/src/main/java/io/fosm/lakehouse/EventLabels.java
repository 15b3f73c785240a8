package io.fosm.lakehouse;

import static io.fosm.lakehouse.Columns.*;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * The label rule of gold ({@link Gold#withLabels}) for one window against a fiber's ground-truth events, evaluated in
 * Java per window row: the event log is small and travels with the task, so labelling needs no join, shuffle or sort of
 * the feature rows.
 *
 * <p>An event is <em>near</em> a window when it overlaps it by more than {@code -collarSeconds} (a gap shorter than
 * the collar) and its centre at the window's midpoint is within its half width plus {@code collarChannels} of the
 * window's channel; it <em>covers</em> the window when it overlaps at least half of it and the centre is within the half
 * width (the centre moving linearly from onset to offset). The label is the type of the covering event with the largest
 * overlap (then the smallest event id), {@code background} when none covers; {@code label_ambiguous} when a near event
 * with an id does not cover, or covering events have two types. Times are epoch seconds as doubles (microseconds /
 * 1e6), so the figures are those of the SQL form this replaced, operation for operation.
 */
public final class EventLabels implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Width of the time buckets that index the events (s). */
    private static final double BUCKET_SECONDS = 60.0;

    /** One event of the log with every field the rule reads (events missing any of them never match). */
    record Event(String id, String type, double start, double end, double c0, double c1, double halfWidth)
            implements Serializable {}

    /** What the rule gives one window. */
    public record Label(String label, String eventId, boolean ambiguous) {}

    private final double collarSeconds;
    private final double collarChannels;
    /** per fiber: time bucket -> indexes into its event list */
    private final Map<String, List<Event>> byFiber;
    private final Map<String, Map<Long, int[]>> buckets;

    private EventLabels(Map<String, List<Event>> byFiber, double collarSeconds, double collarChannels) {
        this.byFiber = byFiber;
        this.collarSeconds = collarSeconds;
        this.collarChannels = collarChannels;
        this.buckets = new HashMap<>();
        // an event sits in every bucket its time span, widened by the collar and a second of slack, touches
        double margin = Math.max(0, collarSeconds) + 1;
        byFiber.forEach((fiber, events) -> {
            Map<Long, List<Integer>> index = new HashMap<>();
            for (int i = 0; i < events.size(); i++) {
                Event e = events.get(i);
                for (long b = bucket(e.start() - margin); b <= bucket(e.end() + margin); b++) {
                    index.computeIfAbsent(b, k -> new ArrayList<>()).add(i);
                }
            }
            Map<Long, int[]> packed = new HashMap<>();
            index.forEach((b, list) -> packed.put(b, list.stream().mapToInt(Integer::intValue).toArray()));
            buckets.put(fiber, packed);
        });
    }

    /** The rule over event-log rows ({@link Schemas#EVENT_LOG}). */
    public static EventLabels of(List<Row> eventLog, double collarSeconds, double collarChannels) {
        Map<String, List<Event>> byFiber = new HashMap<>();
        for (Row r : eventLog) {
            int fiber = r.fieldIndex(FIBER_ID);
            int start = r.fieldIndex(START_TIME);
            int end = r.fieldIndex(END_TIME);
            int c0 = r.fieldIndex(CENTER_CHANNEL_START);
            int c1 = r.fieldIndex(CENTER_CHANNEL_END);
            int hw = r.fieldIndex(HALF_WIDTH_CHANNELS);
            if (r.isNullAt(fiber) || r.isNullAt(start) || r.isNullAt(end) || r.isNullAt(c0) || r.isNullAt(c1)
                    || r.isNullAt(hw)) {
                continue;   // a comparison with a missing field is never true: such an event never matches
            }
            byFiber.computeIfAbsent(r.getString(fiber), f -> new ArrayList<>()).add(new Event(
                    r.getString(r.fieldIndex(EVENT_ID)), r.getString(r.fieldIndex(EVENT_TYPE)),
                    seconds((java.sql.Timestamp) r.get(start)), seconds((java.sql.Timestamp) r.get(end)),
                    r.getDouble(c0), r.getDouble(c1), r.getDouble(hw)));
        }
        return new EventLabels(byFiber, collarSeconds, collarChannels);
    }

    /** The label of the window [windowStartMicros, windowEndMicros) of {@code channel} on {@code fiber}. */
    public Label label(String fiber, int channel, long windowStartMicros, long windowEndMicros) {
        List<Event> events = byFiber.get(fiber);
        if (events == null) {
            return new Label(BACKGROUND, null, false);
        }
        double ws = windowStartMicros / 1e6;
        double we = windowEndMicros / 1e6;
        double mid = (ws + we) / 2;
        Map<Long, int[]> index = buckets.get(fiber);
        Event best = null;
        double bestOverlap = 0;
        boolean bestCovers = false;
        boolean partlyIn = false;
        String coverType = null;
        boolean twoCoverTypes = false;
        long first = bucket(ws);
        long last = bucket(we);
        for (long b = first; b <= last; b++) {
            int[] candidates = index.get(b);
            if (candidates == null) {
                continue;
            }
            for (int i : candidates) {
                // an event in several of the window's buckets is taken in the first of them only
                if (b > first && inBuckets(index, i, first, b)) {
                    continue;
                }
                Event e = events.get(i);
                double overlap = Math.min(we, e.end()) - Math.max(ws, e.start());
                double progress = e.end() > e.start()
                        ? Math.max(0.0, Math.min(1.0, (mid - e.start()) / (e.end() - e.start()))) : 0.0;
                double centre = e.c0() + (e.c1() - e.c0()) * progress;
                double distance = Math.abs(channel - centre);
                if (!(overlap > -collarSeconds && distance <= e.halfWidth() + collarChannels)) {
                    continue;
                }
                boolean covers = overlap >= (we - ws) * 0.5 && distance <= e.halfWidth();
                double ranked = covers ? overlap : -1.0;
                if (e.id() != null && !covers) {
                    partlyIn = true;
                }
                if (covers && e.type() != null) {
                    if (coverType == null) {
                        coverType = e.type();
                    } else if (!coverType.equals(e.type())) {
                        twoCoverTypes = true;
                    }
                }
                if (best == null || ranked > bestOverlap || (ranked == bestOverlap && idBefore(e.id(), best.id()))) {
                    best = e;
                    bestOverlap = ranked;
                    bestCovers = covers;
                }
            }
        }
        if (best == null || !bestCovers) {
            return new Label(BACKGROUND, null, partlyIn || twoCoverTypes);
        }
        return new Label(best.type() == null ? BACKGROUND : best.type(), best.id(), partlyIn || twoCoverTypes);
    }

    /** Whether event {@code i} is in one of the buckets [from, until). */
    private static boolean inBuckets(Map<Long, int[]> index, int i, long from, long until) {
        for (long b = from; b < until; b++) {
            int[] c = index.get(b);
            if (c != null) {
                for (int x : c) {
                    if (x == i) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** Ascending event id with nulls last, comparing UTF-8 bytes unsigned (Spark's string order). */
    private static boolean idBefore(String a, String b) {
        if (a == null) {
            return false;
        }
        if (b == null) {
            return true;
        }
        byte[] x = a.getBytes(StandardCharsets.UTF_8);
        byte[] y = b.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            int d = (x[i] & 0xff) - (y[i] & 0xff);
            if (d != 0) {
                return d < 0;
            }
        }
        return x.length < y.length;
    }

    private static long bucket(double seconds) {
        return (long) Math.floor(seconds / BUCKET_SECONDS);
    }

    private static double seconds(java.sql.Timestamp t) {
        long micros = Math.floorDiv(t.getTime(), 1000L) * 1_000_000L + t.getNanos() / 1000;
        return micros / 1e6;
    }

    /** The label columns of a window as a row (label, event_id, label_ambiguous). */
    Row asRow(Label l) {
        return RowFactory.create(l.label(), l.eventId(), l.ambiguous());
    }
}
