package io.fosm.evaluation;

import static org.junit.jupiter.api.Assertions.*;

import io.fosm.config.FiberSpec;
import io.fosm.generate.EventType;
import io.fosm.generate.GroundTruthEvent;
import io.fosm.incidents.IncidentTracker;
import io.fosm.incidents.IncidentTracker.Incident;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every figure of the event-level evaluation on hand-built events and incidents, with the value worked out by hand. */
class EventEvaluationTest {
    private static final long S = 1_000_000L;
    private static final Map<String, FiberSpec> FIBERS = Map.of("f", FiberSpec.of("f", 100, 1000));
    private static final EventEvaluation.Settings SETTINGS = new EventEvaluation.Settings(2 * S, 2, S);
    private static final List<EventEvaluation.Observed> HOUR =
            List.of(new EventEvaluation.Observed("f", 0, 3600 * S, 100));

    private static GroundTruthEvent event(String id, EventType type, double from, double to, double c0, double c1,
                                          double halfWidth, double speed) {
        return new GroundTruthEvent(id, "f", type, Math.round(from * S), Math.round(to * S), c0, c1, halfWidth, speed,
                5, false);
    }

    /** A stationary incident at {@code channel}, track points every second from from + 0.5 s. */
    private static Incident at(String id, String cls, double from, double to, double channel) {
        return track(id, cls, from, to, channel, 0);
    }

    /** An incident moving at {@code velocity} channels/s from {@code channel}, detected 2 s after it starts. */
    private static Incident track(String id, String cls, double from, double to, double channel, double velocity) {
        List<Long> times = new ArrayList<>();
        List<Double> centres = new ArrayList<>();
        for (double t = from + 0.5; t < to; t += 1) {
            times.add(Math.round(t * S));
            centres.add(channel + velocity * (t - from - 0.5));
        }
        return incident(id, cls, from, to, from + 2, centres.get(Math.min(1, centres.size() - 1)), velocity,
                times.stream().mapToLong(Long::longValue).toArray(),
                centres.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static Incident incident(String id, String cls, double from, double to, double detected, double detectedAt,
                                     double velocity, long[] times, double[] centres) {
        int min = (int) Math.floor(java.util.Arrays.stream(centres).min().orElse(0));
        int max = (int) Math.ceil(java.util.Arrays.stream(centres).max().orElse(0));
        return new Incident(id, IncidentTracker.CLOSED, "f", cls, 1.0, Math.round(from * S), Math.round(detected * S),
                Math.round(to * S), min, max, centres[centres.length - 1], detectedAt, velocity, 0.9, min, times.length,
                times.length, 0, "1", 3, times, centres);
    }

    private static EventScores score(List<GroundTruthEvent> events, List<Incident> incidents) {
        return EventEvaluation.evaluate(events, incidents, HOUR, FIBERS, SETTINGS);
    }

    @Test
    void aCorrectDetectionScoresOneEverywhere() {
        GroundTruthEvent leak = event("e1", EventType.LEAK, 10, 30, 50, 50, 1, 0);
        // on the event from 10 s, one channel off at its first track point, detected at 12 s at channel 51
        Incident i = incident("i1", "leak", 10, 30, 12, 51, 0, times(10.5, 20), centres(51, 50, 19));
        EventScores s = score(List.of(leak), List.of(i));
        assertEquals(1, s.truePositives());
        assertEquals(1.0, s.eventRecall());
        assertEquals(1.0, s.incidentPrecision());
        assertEquals(1.0, s.eventF1());
        assertEquals(1.0, s.incidentsPerDetectedEvent());
        assertEquals(0, s.merges());
        assertEquals(1.0, s.locationErrorAtDetectionMedianM(), 1e-12, "|51 - 50| channels x 1 m");
        assertEquals(0.0, s.locationErrorMedianM(), 1e-12);
        // numpy.percentile([1] + [0] * 19, 95) = 0.05 (linear interpolation)
        assertEquals(0.05, s.locationErrorP95M(), 1e-12);
        assertEquals(2.0, s.timeToDetectMedianS(), 1e-12);
        assertEquals(0, s.falseAlarms());
        assertEquals(Map.of("leak", Map.of("leak", 1L)), s.confusion());
        assertEquals(1.0, s.recallByClass().get("leak"));
    }

    @Test
    void fragmentsAreFalsePositivesAndCountAsFragmentation() {
        GroundTruthEvent dig = event("e1", EventType.DIGGING, 0, 20, 30, 30, 2, 0);
        Incident a = at("a", "digging", 0, 8, 30);
        Incident b = at("b", "digging", 10, 20, 31);
        Incident far = at("c", "digging", 5, 15, 80);
        EventScores s = score(List.of(dig), List.of(a, b, far));
        assertEquals(1, s.detected());
        assertEquals(2.0, s.incidentsPerDetectedEvent(), "a and b both hit the event, c is elsewhere");
        assertEquals(1, s.truePositives());
        assertEquals(2, s.falsePositives());
        assertEquals(1.0 / 3, s.incidentPrecision(), 1e-12);
        assertEquals(2.0 / (2 + 2 + 0), s.eventF1(), 1e-12);
        assertEquals(1, s.falseAlarms());
        assertEquals(Map.of("digging", 1L), s.confusion().get(EventEvaluation.NO_EVENT));
    }

    @Test
    void oneIncidentOverTwoEventsIsAMerge() {
        GroundTruthEvent left = event("e1", EventType.LEAK, 0, 30, 20, 20, 1, 0);
        GroundTruthEvent right = event("e2", EventType.LEAK, 0, 30, 26, 26, 1, 0);
        // at channel 23: within 1 + 2 channels of both centres
        EventScores s = score(List.of(left, right), List.of(at("i", "leak", 0, 30, 23)));
        assertEquals(1, s.merges());
        assertEquals(2, s.detected());
        assertEquals(1, s.truePositives(), "one incident pairs with one event only");
        assertEquals(1, s.falseNegatives());
        assertEquals(0.5, s.eventRecall());
        assertEquals(1.0, s.incidentsPerDetectedEvent(), "each detected event has one incident");
    }

    @Test
    void aWrongClassDetectsButDoesNotCount() {
        GroundTruthEvent walk = event("e1", EventType.WALKING, 0, 20, 40, 40, 1, 0);
        EventScores s = score(List.of(walk), List.of(at("i", "leak", 1, 19, 40)));
        assertEquals(1, s.detected());
        assertEquals(0, s.truePositives());
        assertEquals(0.0, s.eventF1());
        assertEquals(1, s.eventsWrongClass());
        assertEquals(1, s.incidentsWrongClass());
        assertEquals(0, s.falseAlarms(), "it is on an event: a wrong class, not a false alarm");
        assertEquals(Map.of("leak", 1L), s.confusion().get("walking"));
        assertEquals(0.0, s.recallByClass().get("walking"));
    }

    @Test
    void theCollarBoundsTheTimeMatch() {
        GroundTruthEvent leak = event("e1", EventType.LEAK, 10, 20, 50, 50, 1, 0);
        Incident late = incident("late", "leak", 21.5, 25, 23.5, 50, 0, new long[] {22 * S}, new double[] {50});
        Incident tooLate = incident("too-late", "leak", 22.5, 25, 24.5, 50, 0, new long[] {23 * S},
                new double[] {50});
        assertEquals(1, score(List.of(leak), List.of(late)).truePositives(), "1.5 s after the end: inside the 2 s collar");
        EventScores s = score(List.of(leak), List.of(tooLate));
        assertEquals(0, s.detected(), "2.5 s after the end: outside it");
        assertEquals(1, s.falseAlarms());
        assertEquals(Map.of(EventEvaluation.MISSED, 1L), s.confusion().get("leak"));
    }

    @Test
    void aMovingEventIsMatchedAlongItsTrackAndItsSpeedCompared() {
        // 10 channels/s = 10 m/s from channel 0 at 0 s to channel 90 at 9 s
        GroundTruthEvent vehicle = event("e1", EventType.VEHICLE, 0, 9, 0, 90, 3, 10);
        // following it one channel ahead, at 9.5 channels/s measured
        List<Long> t = new ArrayList<>();
        List<Double> c = new ArrayList<>();
        for (double x = 0.5; x < 9; x += 1) {
            t.add(Math.round(x * S));
            c.add(10 * x + 1);
        }
        Incident follow = incident("v", "vehicle", 0, 9, 1.5, 11, 9.5, t.stream().mapToLong(Long::longValue).toArray(),
                c.stream().mapToDouble(Double::doubleValue).toArray());
        // a stationary incident at channel 80 from 1 to 3 s: the vehicle is at 10-30 then
        Incident elsewhere = at("s", "vehicle", 1, 3, 80);
        EventScores s = score(List.of(vehicle), List.of(follow, elsewhere));
        assertEquals(1, s.truePositives());
        assertEquals(1, s.falseAlarms(), "the track passes channel 80 only at 8 s");
        assertEquals(1.0, s.locationErrorMedianM(), 1e-9, "one channel ahead all along");
        assertEquals(1.0, s.locationErrorAtDetectionMedianM(), 1e-9, "at 11 when the vehicle is at 10 (1 s)");
        assertEquals(0.5, s.speedErrorMedianMps(), 1e-9);
        assertEquals(1, s.movingEventsDetected());
    }

    @Test
    void anIncidentOpenBeforeTheEventDoesNotAnnounceIt() {
        // a walker from channel 35 to 45 between 15 and 25 s; an incident following the same line since 5 s
        GroundTruthEvent walk = event("e1", EventType.WALKING, 15, 25, 35, 45, 1, 1);
        Incident early = track("i", "walking", 5, 25, 25, 1);
        EventScores s = score(List.of(walk), List.of(early));
        assertEquals(0, s.detected(), "it started 10 s before the walker (collar 2 s)");
        assertEquals(0, s.truePositives());
        assertEquals(0, s.falseAlarms(), "it is on the event, so not a false alarm");
        assertEquals(Map.of(EventEvaluation.MISSED, 1L), s.confusion().get("walking"));
        Incident fresh = track("j", "walking", 14, 25, 34, 1);
        assertEquals(1, score(List.of(walk), List.of(fresh)).truePositives(), "1 s before the onset: inside the collar");
    }

    @Test
    void aTrackThatOnlyPassesAnEventDoesNotHitIt() {
        // a leak at channel 40 for 20 s; a vehicle track crosses channel 40 at 10 s, 10 channels/s
        GroundTruthEvent leak = event("e1", EventType.LEAK, 0, 20, 40, 40, 1, 0);
        Incident vehicle = track("v", "vehicle", 6, 14, 0, 10);
        EventScores s = score(List.of(leak), List.of(vehicle));
        assertEquals(0, s.detected(), "one of its 8 points is near the leak");
        assertEquals(1, s.falseAlarms());
    }

    @Test
    void falseAlarmsAreCountedPerEventFreeKmHour() {
        GroundTruthEvent leak = event("e1", EventType.LEAK, 100, 110, 50, 50, 1.5, 0);
        EventScores s = score(List.of(leak), List.of(at("fa", "digging", 1000, 1010, 10)));
        // 100 m x 1 h, less (2 x (1.5 + 2) + 1) m x (10 + 2 x 2) s around the event
        double free = 0.1 * 1 - 0.008 * 14 / 3600;
        assertEquals(free, s.eventFreeKmHours(), 1e-12);
        assertEquals(1 / free, s.falseAlarmsPerKmHour(), 1e-9);
        assertEquals(0, s.detected());
        assertEquals(Double.NaN, s.timeToDetectMedianS());
    }

    @Test
    void percentilesInterpolateLikeNumpy() {
        // numpy.percentile([1, 2, 3, 4, 10], [50, 95]) = [3.0, 8.8]
        assertEquals(3.0, EventEvaluation.percentile(List.of(10.0, 1.0, 3.0, 2.0, 4.0), 50), 1e-12);
        assertEquals(8.8, EventEvaluation.percentile(List.of(10.0, 1.0, 3.0, 2.0, 4.0), 95), 1e-12);
        assertTrue(Double.isNaN(EventEvaluation.percentile(List.of(), 50)));
    }

    @Test
    void theJsonCarriesEveryFigureAndTheConfusion() {
        GroundTruthEvent leak = event("e1", EventType.LEAK, 10, 30, 50, 50, 1, 0);
        EventScores s = score(List.of(leak), List.of(at("i", "leak", 10, 30, 50)));
        String json = s.toJson();
        assertTrue(json.contains("\"event_f1\" : 1.0"), json);
        assertTrue(json.contains("\"speed_error_median_mps\" : null"), "NaN as null: " + json);
        assertTrue(json.contains("\"confusion\" : {"), json);
        assertTrue(s.scorecard().contains("events 1, detected 1"), s.scorecard());
    }

    private static long[] times(double first, int n) {
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            t[i] = Math.round((first + i) * S);
        }
        return t;
    }

    private static double[] centres(double first, double rest, int restCount) {
        double[] c = new double[restCount + 1];
        c[0] = first;
        java.util.Arrays.fill(c, 1, c.length, rest);
        return c;
    }
}
