package io.fosm.incidents;

import static org.junit.jupiter.api.Assertions.*;

import io.fosm.incidents.IncidentTracker.Cell;
import io.fosm.incidents.IncidentTracker.Incident;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IncidentTrackerTest {
    private static final long HOP = 500_000;
    private static final long WINDOW = 1_000_000;
    private static final List<String> CLASSES = List.of("background", "digging", "leak", "vehicle");

    /** threshold 0.5, open after 3 of 4, close after 3 quiet windows, group 1, gate 2, confidence 0.5, anomaly 0.5. */
    private static IncidentTracker tracker() {
        return new IncidentTracker(new IncidentTracker.Settings(0.5, 3, 4, 3, 1, 2, 0.5, 0.5, HOP, WINDOW));
    }

    /** Cells of one class with probability p (the rest background) on the channels. */
    private static List<Cell> cells(String cls, double p, int... channels) {
        List<Cell> out = new ArrayList<>();
        for (int c : channels) {
            double[] probs = new double[CLASSES.size()];
            probs[0] = 1 - p;
            probs[CLASSES.indexOf(cls)] = p;
            out.add(new Cell(c, probs, false));
        }
        return out;
    }

    private static List<Incident> step(IncidentTracker t, int window, List<Cell> cells) {
        return t.advance("f", window * HOP, CLASSES, "background", cells, "1");
    }

    /** Runs windows 0..n-1, collecting every state; cells per window from the function. */
    private static List<Incident> run(IncidentTracker t, int n, java.util.function.IntFunction<List<Cell>> at) {
        List<Incident> out = new ArrayList<>();
        for (int w = 0; w < n; w++) {
            out.addAll(step(t, w, at.apply(w)));
        }
        return out;
    }

    @Test
    void aFlickeringLeakOpensAfterKOfNAndStaysOneIncidentAcrossShortGaps() {
        IncidentTracker t = tracker();
        assertTrue(step(t, 0, cells("leak", 0.9, 10, 11)).isEmpty());
        assertTrue(step(t, 1, List.of()).isEmpty(), "one quiet window: still tentative");
        assertTrue(step(t, 2, cells("leak", 0.9, 11, 12)).isEmpty(), "2 of 4 windows: not yet");
        List<Incident> opened = step(t, 3, cells("leak", 0.8, 10, 12));
        assertEquals(1, opened.size(), "3 of the last 4 windows open it: " + opened);
        Incident i = opened.get(0);
        assertEquals(IncidentTracker.OPEN, i.status());
        assertEquals(0, i.startMicros(), "it starts with its first detection");
        assertEquals(3 * HOP + WINDOW, i.detectedMicros(), "detected at the end of the window that opened it");
        assertEquals("leak", i.eventClass());
        assertEquals(1, i.updateSeq());
        // a gap of 2 quiet windows (< close_after 3) and channels wandering within the gate: the same incident
        step(t, 4, List.of());
        step(t, 5, List.of());
        List<Incident> resumed = step(t, 6, cells("leak", 0.9, 12, 13));
        assertEquals(1, resumed.size());
        assertEquals(i.id(), resumed.get(0).id(), "same id throughout");
        assertEquals(13, resumed.get(0).channelMax());
        assertTrue(resumed.get(0).updateSeq() > i.updateSeq(), "every change raises update_seq");
        assertTrue(step(t, 7, List.of()).isEmpty());
        assertTrue(step(t, 8, List.of()).isEmpty());
        List<Incident> closed = step(t, 9, List.of());
        assertEquals(1, closed.size(), "3 quiet windows close it");
        assertEquals(IncidentTracker.CLOSED, closed.get(0).status());
        assertEquals(i.id(), closed.get(0).id());
        assertEquals(6 * HOP + WINDOW, closed.get(0).endMicros(), "it ends with its last detection");
        assertEquals(4, closed.get(0).alertWindows());
        assertTrue(t.openIncidents().isEmpty());
    }

    @Test
    void isolatedBlipsNeverOpenAndFarEventsStaySeparate() {
        IncidentTracker t = tracker();
        // a blip every other window reaches 2 of 4 at most
        List<Incident> blips = run(t, 12, w -> w % 3 == 0 ? cells("digging", 0.9, 40) : List.of());
        assertTrue(blips.isEmpty(), "1 in 3 windows never reaches 3 of 4: " + blips);
        IncidentTracker u = tracker();
        List<Incident> two = run(u, 4, w -> {
            List<Cell> c = new ArrayList<>(cells("leak", 0.9, 5, 6));
            c.addAll(cells("leak", 0.9, 30, 31));
            return c;
        });
        assertEquals(2, IncidentRows.latest(two).size(), "channels 5-6 and 30-31 are two incidents");
    }

    @Test
    void channelsSplitByADeadChannelAreOneDetection() {
        IncidentTracker t = tracker();
        // group_channels 1: 10 and 12 (one channel between) are one detection; 10 and 13 are not, but the gate joins
        List<Incident> out = run(t, 5, w -> w % 2 == 0 ? cells("leak", 0.9, 10, 12) : cells("leak", 0.9, 10, 13));
        assertEquals(1, IncidentRows.latest(out).size(), "one leak: " + out);
        Incident last = IncidentRows.latest(out).get(0);
        assertEquals(10, last.channelMin());
        assertEquals(13, last.channelMax());
    }

    @Test
    void theClassComesFromAllWindowsAndMayBeRevised() {
        IncidentTracker t = tracker();
        List<Incident> out = new ArrayList<>();
        // the argmax flips every window, but leak carries more probability overall
        for (int w = 0; w < 4; w++) {
            double[] p = w % 2 == 0 ? new double[] {0.1, 0.2, 0.7, 0} : new double[] {0.1, 0.5, 0.4, 0};
            out.addAll(step(t, w, List.of(new Cell(20, p, false), new Cell(21, p, false))));
        }
        List<Incident> latest = IncidentRows.latest(out);
        assertEquals(1, latest.size(), "a flipping argmax does not split the event: " + out);
        assertEquals("leak", latest.get(0).eventClass(), "mean leak 0.55 beats mean digging 0.35");
        assertEquals(0.55 / 0.9, latest.get(0).classConfidence(), 1e-9);
        // digging dominates from now on: the open incident is revised, same id
        for (int w = 4; w < 8; w++) {
            out.addAll(step(t, w, List.of(new Cell(20, new double[] {0.05, 0.95, 0, 0}, false))));
        }
        Incident revised = IncidentRows.latest(out).get(0);
        assertEquals(latest.get(0).id(), revised.id());
        assertEquals("digging", revised.eventClass());
    }

    @Test
    void anUnsureClassWithAnomaliesIsUnknownEvent() {
        double[] unsure = {0.1, 0.3, 0.3, 0.3};
        IncidentTracker flagged = tracker();
        List<Incident> a = run(flagged, 4, w -> List.of(new Cell(7, unsure, true)));
        assertEquals(IncidentTracker.UNKNOWN_EVENT, IncidentRows.latest(a).get(0).eventClass());
        assertEquals(1.0, IncidentRows.latest(a).get(0).anomalousFraction());
        IncidentTracker quiet = tracker();
        List<Incident> b = run(quiet, 4, w -> List.of(new Cell(7, unsure, false)));
        assertNotEquals(IncidentTracker.UNKNOWN_EVENT, IncidentRows.latest(b).get(0).eventClass(),
                "without the anomaly detectors' support the best class stands");
        IncidentTracker sure = tracker();
        List<Incident> c = run(sure, 4, w -> List.of(new Cell(7, new double[] {0.1, 0.8, 0.1, 0}, true)));
        assertEquals("digging", IncidentRows.latest(c).get(0).eventClass(), "a confident class is kept");
    }

    @Test
    void aMovingEventIsFollowedWithItsVelocity() {
        IncidentTracker t = tracker();
        // 3 channels per hop of 0.5 s = 6 channels/s, downwards from channel 60, 3 channels wide
        List<Incident> out = run(t, 16, w -> {
            int c = 60 - 3 * w;
            return cells("vehicle", 0.95, c - 1, c, c + 1);
        });
        List<Incident> latest = IncidentRows.latest(out);
        assertEquals(1, latest.size(), "one vehicle, followed across channels: " + latest);
        Incident v = latest.get(0);
        assertEquals(-6.0, v.velocityChannelsPerSecond(), 1e-6);
        assertEquals("decreasing", v.direction(0.5));
        assertEquals(60 - 3 * 15, v.positionChannel(), 1e-9);
        assertEquals(16, v.trackMicros().length);
        assertEquals(60 - 45 - 1, v.channelMin());
        assertEquals(61, v.channelMax());
    }

    @Test
    void aConfidentVehiclePassingALeakIsAnotherIncident() {
        // a leak on 30-31 all along; a vehicle from channel 10 upwards, 2 channels per window, until it touches the leak
        java.util.function.IntFunction<List<Cell>> at = w -> {
            List<Cell> c = new ArrayList<>(cells("leak", 0.95, 30, 31));
            int v = 10 + 2 * w;
            if (v + 1 < 30) {
                c.addAll(cells("vehicle", 0.95, v, v + 1));
            }
            return c;
        };
        IncidentTracker split = new IncidentTracker(new IncidentTracker.Settings(0.5, 3, 4, 3, 1, 2, 0.5, 0.5, HOP,
                WINDOW, 0, java.util.Set.of(), 0.9));
        List<Incident> both = IncidentRows.latest(run(split, 12, at));
        assertEquals(List.of("leak", "vehicle"), both.stream().map(Incident::eventClass).sorted().toList(),
                "confident classes side by side are two events: " + both);
        Incident vehicle = both.stream().filter(i -> i.eventClass().equals("vehicle")).findFirst().orElseThrow();
        assertEquals(4.0, vehicle.velocityChannelsPerSecond(), 1e-6);
        Incident leak = both.stream().filter(i -> i.eventClass().equals("leak")).findFirst().orElseThrow();
        assertEquals(30, leak.channelMin(), "the vehicle never joined the leak");
    }

    @Test
    void windowsOfAnotherFiberAndReplayedWindowsAreIndependent() {
        IncidentTracker t = tracker();
        run(t, 3, w -> cells("leak", 0.9, 3));
        assertTrue(t.advance("g", 0, CLASSES, "background", cells("leak", 0.9, 3), "1").isEmpty());
        assertTrue(step(t, 1, cells("leak", 0.9, 3)).isEmpty(), "an older window start is ignored");
        assertTrue(step(t, 2, cells("leak", 0.9, 3)).isEmpty(), "a repeated one too");
        assertEquals(1, step(t, 3, cells("leak", 0.9, 3)).size());
    }

    @Test
    void theEncodedStateContinuesExactlyAsTheLiveTracker() {
        IncidentTracker live = tracker();
        java.util.function.IntFunction<List<Cell>> at = w -> {
            List<Cell> c = new ArrayList<>(cells("vehicle", 0.9, 50 - 2 * w, 51 - 2 * w));
            if (w % 4 != 1) {
                c.addAll(cells("leak", 0.7, 5, 6));
            }
            return c;
        };
        run(live, 6, at);
        byte[] bytes = live.toBytes();
        IncidentTracker restored = IncidentTracker.fromBytes(bytes, live.settings());
        assertArrayEquals(bytes, restored.toBytes(), "decode then encode gives the same bytes");
        for (int w = 6; w < 14; w++) {
            List<Incident> a = step(live, w, at.apply(w));
            List<Incident> b = step(restored, w, at.apply(w));
            assertEquals(a, b, "window " + w);
        }
        assertEquals(live.openIncidents(), restored.openIncidents());
        assertFalse(live.openIncidents().isEmpty());
    }

    /**
     * The committed fixture {@code fixtures/incident-state-v1.bin} is the state a version-1 release wrote after 8
     * windows of a leak on channels 30-31 and a vehicle from channel 5 at 4 channels/s (as regenerated by the cells
     * below). A release must still read it and continue the same incidents: a layout change needs a new version.
     */
    @Test
    void theCommittedVersion1StateStillRestoresAndContinues() throws Exception {
        byte[] fixture;
        try (var in = getClass().getClassLoader().getResourceAsStream("fixtures/incident-state-v1.bin")) {
            fixture = in.readAllBytes();
        }
        IncidentTracker.Settings s = new IncidentTracker.Settings(0.5, 3, 4, 3, 1, 2, 0.5, 0.5, HOP, WINDOW);
        IncidentTracker restored = IncidentTracker.fromBytes(fixture, s);
        IncidentTracker live = new IncidentTracker(s);
        long t0 = 1767225600000000L;
        java.util.function.IntFunction<List<Cell>> at = w -> {
            List<Cell> cells = new ArrayList<>();
            cells.add(new Cell(30, new double[] {0.1, 0.1, 0.8, 0}, false));
            cells.add(new Cell(31, new double[] {0.2, 0.1, 0.7, 0}, w % 2 == 0));
            int v = 5 + 2 * w;
            cells.add(new Cell(v, new double[] {0.05, 0, 0, 0.95}, false));
            cells.add(new Cell(v + 1, new double[] {0.05, 0, 0, 0.95}, false));
            return cells;
        };
        for (int w = 0; w < 8; w++) {
            live.advance("demo", t0 + w * HOP, CLASSES, "background", at.apply(w), "3");
        }
        assertArrayEquals(fixture, live.toBytes(), "this release writes version 1 exactly as the fixture");
        List<Incident> open = restored.openIncidents();
        assertEquals(List.of("leak", "vehicle"), open.stream().map(Incident::eventClass).sorted().toList());
        for (int w = 8; w < 14; w++) {
            assertEquals(live.advance("demo", t0 + w * HOP, CLASSES, "background", at.apply(w), "3"),
                    restored.advance("demo", t0 + w * HOP, CLASSES, "background", at.apply(w), "3"), "window " + w);
        }
    }

    @Test
    void unknownVersionsAndForeignBytesAreClearErrors() {
        IncidentTracker t = tracker();
        run(t, 3, w -> cells("leak", 0.9, 3));
        byte[] bytes = t.toBytes();
        byte[] future = bytes.clone();
        ByteBuffer.wrap(future).putInt(IncidentStateCodec.MAGIC.length, 7);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> IncidentTracker.fromBytes(future, t.settings()));
        assertTrue(e.getMessage().contains("version 7") && e.getMessage().contains("reads version 1"), e.getMessage());
        byte[] javaSerialised = {(byte) 0xAC, (byte) 0xED, 0, 5, 1, 2, 3, 4, 5, 6, 7, 8};
        IllegalStateException j = assertThrows(IllegalStateException.class,
                () -> IncidentTracker.fromBytes(javaSerialised, t.settings()));
        assertTrue(j.getMessage().contains("FOSMINCS"), j.getMessage());
        byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 5);
        IllegalStateException c = assertThrows(IllegalStateException.class,
                () -> IncidentTracker.fromBytes(cut, t.settings()));
        assertTrue(c.getMessage().startsWith("Cannot read the incident tracker state"), c.getMessage());
    }

    @Test
    void settingsRefuseImpossibleHysteresis() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new IncidentTracker.Settings(0.5, 4, 3, 2, 1, 2, 0.5, 0.5, HOP, WINDOW));
        assertTrue(e.getMessage().contains("k=4, n=3"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new IncidentTracker.Settings(0.5, 2, 3, 0, 1, 2, 0.5, 0.5, HOP, WINDOW));
    }
}
