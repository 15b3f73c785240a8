package io.fosm.streaming;

import static org.junit.jupiter.api.Assertions.*;

import io.fosm.streaming.IncidentTracker.Cell;
import io.fosm.streaming.IncidentTracker.Incident;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IncidentTrackerTest {
    private static final long HOP = 500_000;
    private static final long WINDOW = 1_000_000;

    private static IncidentTracker tracker(int k, int group) {
        return new IncidentTracker(new IncidentTracker.Settings(0.8, k, group, HOP, WINDOW));
    }

    private static List<Cell> leak(double p, int... channels) {
        List<Cell> out = new ArrayList<>();
        for (int c : channels) {
            out.add(new Cell(c, "leak", p));
        }
        return out;
    }

    @Test
    void kConsecutiveWindowsOnNeighbouringChannelsAreOneIncident() {
        IncidentTracker t = tracker(3, 2);
        assertTrue(t.advance("f", 0, leak(0.9, 10, 11, 13), "1").isEmpty());
        assertTrue(t.advance("f", HOP, leak(0.95, 10, 11, 13), "1").isEmpty(), "k = 3: two windows are not an alert");
        List<Incident> opened = t.advance("f", 2 * HOP, leak(0.92, 10, 11, 13), "1");
        assertEquals(1, opened.size(), "channels 10, 11 and 13 (within 2 channels) are ONE incident: " + opened);
        Incident i = opened.get(0);
        assertEquals(IncidentTracker.OPEN, i.status());
        assertEquals(0, i.startMicros(), "the incident starts with the first window of the run");
        assertEquals(2 * HOP + WINDOW, i.endMicros());
        assertEquals(10, i.channelMin());
        assertEquals(13, i.channelMax());
        assertEquals(0.92, i.peakProbability());
        // channel 15 starts too: it joins once it has k windows of its own; nothing new is opened
        assertTrue(t.advance("f", 3 * HOP, leak(0.97, 11, 13, 15), "1").isEmpty());
        assertEquals(13, t.openIncidents().get(0).channelMax(), "channel 15 has 1 window of 3");
        assertTrue(t.advance("f", 4 * HOP, leak(0.9, 11, 13, 15), "1").isEmpty());
        assertTrue(t.advance("f", 5 * HOP, leak(0.9, 11, 13, 15), "1").isEmpty());
        assertEquals(15, t.openIncidents().get(0).channelMax(), "a channel alerting next to the incident joins it");
        // below the threshold everywhere: it closes with its last alerting window
        List<Incident> closed = t.advance("f", 6 * HOP, leak(0.5, 10, 11, 13, 15), "1");
        assertEquals(1, closed.size());
        Incident c = closed.get(0);
        assertEquals(IncidentTracker.CLOSED, c.status());
        assertEquals(i.id(), c.id());
        assertEquals(5 * HOP + WINDOW, c.endMicros());
        assertEquals(0.97, c.peakProbability());
        assertEquals(11, c.peakChannel(), "the first channel reaching the peak");
        assertEquals(3 + 2 + 2 + 3, c.alertWindows(), "alerting cells: 10, 11, 13; 11, 13; 11, 13; 11, 13, 15");
        assertTrue(t.openIncidents().isEmpty());
    }

    @Test
    void farChannelsOtherClassesAndBrokenRunsStaySeparate() {
        IncidentTracker t = tracker(2, 1);
        List<Cell> first = new ArrayList<>(leak(0.9, 1, 2, 20));
        first.add(new Cell(2, "digging", 0.85));
        t.advance("f", 0, first, "1");
        List<Incident> opened = t.advance("f", HOP, first, "1");
        assertEquals(3, opened.size(), "channels 1-2 and 20 are two leaks, plus one digging: " + opened);
        // a missing window (the grid skips a hop) breaks every run: nothing continues, all close
        List<Incident> afterGap = t.advance("f", 3 * HOP, first, "1");
        assertEquals(3, afterGap.stream().filter(x -> x.status().equals(IncidentTracker.CLOSED)).count());
        assertEquals(0, afterGap.stream().filter(x -> x.status().equals(IncidentTracker.OPEN)).count(),
                "after a gap a run starts again from 1 window");
        // another fiber is independent, and a replayed (older) window is ignored
        assertTrue(t.advance("g", 0, leak(0.9, 1), "1").isEmpty());
        assertTrue(t.advance("f", 0, leak(0.9, 1), "1").isEmpty());
    }

    @Test
    void stateSurvivesSerialisation() {
        IncidentTracker t = tracker(2, 1);
        t.advance("f", 0, leak(0.9, 4), "7");
        IncidentTracker copy = IncidentTracker.fromBytes(t.toBytes());
        List<Incident> a = t.advance("f", HOP, leak(0.9, 4), "7");
        List<Incident> b = copy.advance("f", HOP, leak(0.9, 4), "7");
        assertEquals(1, a.size());
        assertEquals(a, b, "a restored tracker continues the same runs");
    }
}
