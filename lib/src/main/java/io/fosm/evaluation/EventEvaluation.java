package io.fosm.evaluation;

import io.fosm.config.FiberSpec;
import io.fosm.generate.GroundTruthEvent;
import io.fosm.incidents.IncidentLocation;
import io.fosm.incidents.IncidentTracker.Incident;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Event-level evaluation of incidents against ground-truth events (pure Java; one implementation used by
 * {@code fosm train}, {@code fosm promote}, {@code fosm evaluate} and the demo's stream scorecard).
 *
 * <p>An incident <em>hits</em> an event when both are on the same fiber and
 * <ul>
 *   <li>time: the incident's span overlaps the event's span widened by the collar on both sides (onset/offset
 *       collar, as in sed_eval's event-based scoring), and</li>
 *   <li>location: at least half of its track points inside that widened span lie within the event's extent at
 *       their moment ({@link GroundTruthEvent#centerAt}, +- half width) plus {@code toleranceChannels}: a moving
 *       event is matched along its track, and a track that only passes an event (a vehicle driving past a leak) does
 *       not hit it.</li>
 * </ul>
 * An incident that began more than the collar before the event's onset (an incident already open when the event
 * started nearby, e.g. a leak a vehicle drives past) hits it but does not <em>announce</em> it. An announcing hit with
 * the same class is a <em>correct</em> hit. Counting (one-to-one, sed_eval style): correct hits are paired
 * greedily, each event and each incident at most once, the pairs closest in onset first; TP = pairs, FP = incidents -
 * TP, FN = events - TP; precision = TP / incidents, recall = TP / events, F1 = 2TP / (2TP + FP + FN). A further
 * fragment of an event is therefore a false positive; {@code fragmentation} and {@code merges} describe the shape.
 *
 * <p>An event is <em>detected</em> when an incident announces it; its <em>detection</em> is the announcing incident
 * (any class) detected first; fragmentation counts its announcing incidents, merges count incidents hitting two or
 * more events; localisation error at
 * detection, time to detect, the speed error and the confusion matrix use it. Localisation error over the incident
 * pools |track centre - true centre| over the detection's track points inside the event. A false alarm is an
 * incident that hits no event; the rate divides their count by the event-free fiber-time: the observed km x hours of
 * each fiber less each event's widened extent x widened duration.
 */
public final class EventEvaluation {
    /** The predicted "class" of an event nothing detected, in the confusion matrix. */
    public static final String MISSED = "missed";
    /** The true "class" of a false alarm, in the confusion matrix. */
    public static final String NO_EVENT = "no_event";

    /**
     * @param collarMicros      onset/offset collar
     * @param toleranceChannels location tolerance beyond the event's half width
     * @param windowMicros      window length (the detection time is the end of the window that opened an incident;
     *                          its position is compared with the true centre at that window's middle)
     */
    public record Settings(long collarMicros, double toleranceChannels, long windowMicros) {}

    /** The stretch of a fiber that was observed: the denominator of the false-alarm rate. */
    public record Observed(String fiberId, long startMicros, long endMicros, int channels) {}

    private EventEvaluation() {}

    /** Evaluates {@code incidents} (latest state of each) against {@code events} on the {@code observed} stretches. */
    public static EventScores evaluate(List<GroundTruthEvent> events, List<Incident> incidents, List<Observed> observed,
                                       Map<String, FiberSpec> fibers, Settings s) {
        List<GroundTruthEvent> ev = new ArrayList<>(events);
        ev.sort(Comparator.comparingLong(GroundTruthEvent::startMicros).thenComparing(GroundTruthEvent::eventId));
        List<Incident> inc = new ArrayList<>(incidents);
        inc.sort(Comparator.comparingLong(Incident::startMicros).thenComparing(Incident::id));

        boolean[][] hit = new boolean[ev.size()][inc.size()];
        // a hit that began no earlier than the event's onset less the collar: only such an incident announced it
        boolean[][] onset = new boolean[ev.size()][inc.size()];
        int[] hitsPerIncident = new int[inc.size()];
        for (int e = 0; e < ev.size(); e++) {
            for (int i = 0; i < inc.size(); i++) {
                hit[e][i] = hits(inc.get(i), ev.get(e), s);
                onset[e][i] = hit[e][i] && inc.get(i).startMicros() >= ev.get(e).startMicros() - s.collarMicros();
                if (hit[e][i]) {
                    hitsPerIncident[i]++;
                }
            }
        }

        // one-to-one pairing of correct hits, closest onsets first
        List<int[]> correct = new ArrayList<>();
        for (int e = 0; e < ev.size(); e++) {
            for (int i = 0; i < inc.size(); i++) {
                if (onset[e][i] && inc.get(i).eventClass().equals(ev.get(e).type().label())) {
                    correct.add(new int[] {e, i});
                }
            }
        }
        correct.sort(Comparator.comparingLong((int[] p) -> Math.abs(inc.get(p[1]).startMicros()
                - ev.get(p[0]).startMicros())).thenComparingInt(p -> p[0]).thenComparingInt(p -> p[1]));
        Set<Integer> pairedEvents = new HashSet<>();
        Set<Integer> pairedIncidents = new HashSet<>();
        for (int[] p : correct) {
            if (!pairedEvents.contains(p[0]) && !pairedIncidents.contains(p[1])) {
                pairedEvents.add(p[0]);
                pairedIncidents.add(p[1]);
            }
        }
        int tp = pairedEvents.size();

        int detected = 0;
        int fragments = 0;
        int eventsWrongClass = 0;
        List<Double> locAtDetection = new ArrayList<>();
        List<Double> locOver = new ArrayList<>();
        List<Double> ttd = new ArrayList<>();
        List<Double> speedErrors = new ArrayList<>();
        Map<String, Map<String, Long>> confusion = new TreeMap<>();
        Map<String, long[]> perClass = new TreeMap<>(); // class -> events, correct
        for (int e = 0; e < ev.size(); e++) {
            GroundTruthEvent event = ev.get(e);
            String truth = event.type().label();
            long[] pc = perClass.computeIfAbsent(truth, k -> new long[2]);
            pc[0]++;
            if (pairedEvents.contains(e)) {
                pc[1]++;
            }
            Incident first = null;
            int n = 0;
            boolean anyCorrect = false;
            for (int i = 0; i < inc.size(); i++) {
                if (onset[e][i]) {
                    n++;
                    anyCorrect |= inc.get(i).eventClass().equals(truth);
                    if (first == null || inc.get(i).detectedMicros() < first.detectedMicros()) {
                        first = inc.get(i);
                    }
                }
            }
            String predicted = first == null ? MISSED : first.eventClass();
            confusion.computeIfAbsent(truth, k -> new TreeMap<>()).merge(predicted, 1L, Long::sum);
            if (first == null) {
                continue;
            }
            detected++;
            fragments += n;
            if (!anyCorrect) {
                eventsWrongClass++;
            }
            FiberSpec fiber = fibers.get(event.fiberId());
            double spacing = IncidentLocation.metres(fiber, 1) - IncidentLocation.metres(fiber, 0);
            long detectionMid = first.detectedMicros() - s.windowMicros() / 2;
            locAtDetection.add(Math.abs(first.detectedPositionChannel() - event.centerAt(detectionMid)) * spacing);
            long[] times = first.trackMicros();
            double[] centres = first.trackChannels();
            for (int k = 0; k < times.length; k++) {
                if (times[k] >= event.startMicros() && times[k] < event.endMicros()) {
                    locOver.add(Math.abs(centres[k] - event.centerAt(times[k])) * spacing);
                }
            }
            ttd.add((first.detectedMicros() - event.startMicros()) / 1e6);
            if (event.speedMps() > 0) {
                double v = Math.abs(IncidentLocation.metresPerSecond(fiber, first.positionChannel(),
                        first.velocityChannelsPerSecond()));
                speedErrors.add(Math.abs(v - event.speedMps()));
            }
        }

        int merges = 0;
        int falseAlarms = 0;
        int incidentsWrongClass = 0;
        for (int i = 0; i < inc.size(); i++) {
            if (hitsPerIncident[i] >= 2) {
                merges++;
            }
            if (hitsPerIncident[i] == 0) {
                falseAlarms++;
                confusion.computeIfAbsent(NO_EVENT, k -> new TreeMap<>()).merge(inc.get(i).eventClass(), 1L, Long::sum);
            } else {
                boolean right = false;
                for (int e = 0; e < ev.size(); e++) {
                    right |= hit[e][i] && inc.get(i).eventClass().equals(ev.get(e).type().label());
                }
                if (!right) {
                    incidentsWrongClass++;
                }
            }
        }

        double kmHours = freeKmHours(ev, observed, fibers, s);
        int fp = inc.size() - tp;
        int fn = ev.size() - tp;
        Map<String, Double> recallByClass = new LinkedHashMap<>();
        perClass.forEach((k, v) -> recallByClass.put(k, v[0] == 0 ? Double.NaN : (double) v[1] / v[0]));
        return new EventScores(ev.size(), inc.size(), detected, tp, fp, fn,
                ev.isEmpty() ? Double.NaN : (double) tp / ev.size(),
                inc.isEmpty() ? Double.NaN : (double) tp / inc.size(),
                2 * tp + fp + fn == 0 ? Double.NaN : 2.0 * tp / (2 * tp + fp + fn),
                detected == 0 ? Double.NaN : (double) fragments / detected, merges, eventsWrongClass,
                incidentsWrongClass, percentile(locAtDetection, 50), percentile(locAtDetection, 95),
                percentile(locOver, 50), percentile(locOver, 95), percentile(ttd, 50), percentile(ttd, 95),
                percentile(speedErrors, 50), speedErrors.size(), falseAlarms, kmHours,
                kmHours > 0 ? falseAlarms / kmHours : Double.NaN, recallByClass, freeze(confusion));
    }

    /** Whether {@code i} hits {@code e} in time and place (class not considered). */
    static boolean hits(Incident i, GroundTruthEvent e, Settings s) {
        if (!i.fiberId().equals(e.fiberId())) {
            return false;
        }
        long from = e.startMicros() - s.collarMicros();
        long to = e.endMicros() + s.collarMicros();
        if (i.startMicros() > to || i.endMicros() < from) {
            return false;
        }
        double reach = e.halfWidthChannels() + s.toleranceChannels();
        long[] times = i.trackMicros();
        double[] centres = i.trackChannels();
        if (times == null || times.length == 0) {
            // no track: the incident's channel range against the event's swept extent
            double lo = Math.min(e.centerChannelStart(), e.centerChannelEnd()) - reach;
            double hi = Math.max(e.centerChannelStart(), e.centerChannelEnd()) + reach;
            return i.channelMax() >= lo && i.channelMin() <= hi;
        }
        int during = 0;
        int near = 0;
        for (int k = 0; k < times.length; k++) {
            if (times[k] >= from && times[k] <= to) {
                during++;
                if (Math.abs(centres[k] - e.centerAt(times[k])) <= reach) {
                    near++;
                }
            }
        }
        // on the event for at least half of their common time: a vehicle driving past a leak does not hit the leak
        return near > 0 && 2 * near >= during;
    }

    private static double freeKmHours(List<GroundTruthEvent> events, List<Observed> observed,
                                      Map<String, FiberSpec> fibers, Settings s) {
        double total = 0;
        Map<String, Observed> byFiber = new HashMap<>();
        for (Observed o : observed) {
            FiberSpec fiber = fibers.get(o.fiberId());
            double km = Math.abs(IncidentLocation.metres(fiber, o.channels()) - IncidentLocation.metres(fiber, 0)) / 1000;
            total += km * Math.max(0, o.endMicros() - o.startMicros()) / 3.6e9;
            byFiber.put(o.fiberId(), o);
        }
        for (GroundTruthEvent e : events) {
            Observed o = byFiber.get(e.fiberId());
            if (o == null) {
                continue;
            }
            FiberSpec fiber = fibers.get(e.fiberId());
            double widthKm = (2 * (e.halfWidthChannels() + s.toleranceChannels()) + 1)
                    * Math.abs(IncidentLocation.metres(fiber, 1) - IncidentLocation.metres(fiber, 0)) / 1000;
            long from = Math.max(o.startMicros(), e.startMicros() - s.collarMicros());
            long to = Math.min(o.endMicros(), e.endMicros() + s.collarMicros());
            total -= widthKm * Math.max(0, to - from) / 3.6e9;
        }
        return Math.max(0, total);
    }

    /** Linear-interpolated percentile (numpy's default); NaN for no values. */
    static double percentile(List<Double> values, double q) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(v);
        double pos = q / 100 * (v.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        return v[lo] + (v[hi] - v[lo]) * (pos - lo);
    }

    private static Map<String, Map<String, Long>> freeze(Map<String, Map<String, Long>> m) {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, java.util.Collections.unmodifiableMap(new TreeMap<>(v))));
        return java.util.Collections.unmodifiableMap(out);
    }
}
