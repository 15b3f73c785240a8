package io.fosm.dsp;

import static io.fosm.dsp.FeatureConfigTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class WindowStitcherTest {

    /** Collects copies of every window, as a sink must if it keeps them. */
    private static final class Collector implements WindowSink {
        final List<Long> starts = new ArrayList<>();
        final List<double[]> windows = new ArrayList<>();
        private final int n;

        Collector(int n) {
            this.n = n;
        }

        @Override
        public void accept(long start, double[] buffer, int offset) {
            starts.add(start);
            windows.add(Arrays.copyOfRange(buffer, offset, offset + n));
        }
    }

    /** Sample value that encodes its global index, so any misplaced sample is caught. */
    private static float valueAt(long index) {
        return (float) (index % 10007) + 0.25f;
    }

    private static float[] chunk(long start, int length) {
        float[] x = new float[length];
        for (int i = 0; i < length; i++) {
            x[i] = valueAt(start + i);
        }
        return x;
    }

    private static void assertWindowsMatchIndices(Collector c, int n) {
        for (int w = 0; w < c.starts.size(); w++) {
            long s = c.starts.get(w);
            for (int i = 0; i < n; i++) {
                assertEquals(valueAt(s + i), c.windows.get(w)[i], "window at " + s + ", sample " + i);
            }
        }
    }

    @Test
    void threeChunksGiveWindowsAcrossBoundaries() {
        WindowStitcher s = new WindowStitcher(1000, 500);
        Collector c = new Collector(1000);
        float[] all = new float[3000];
        Random r = new Random(1);
        for (int i = 0; i < all.length; i++) {
            all[i] = (float) r.nextGaussian();
        }
        int emitted = 0;
        for (int k = 0; k < 3; k++) {
            emitted += s.push(k * 1000L, Arrays.copyOfRange(all, k * 1000, (k + 1) * 1000), c);
        }
        assertEquals(List.of(0L, 500L, 1000L, 1500L, 2000L), c.starts);
        assertEquals(5, emitted);
        for (int w = 0; w < 5; w++) {
            for (int i = 0; i < 1000; i++) {
                assertEquals(all[w * 500 + i], c.windows.get(w)[i], "window " + w + " sample " + i);
            }
        }
        assertEquals(0, s.gaps());
        assertEquals(3000, s.nextIndex());
    }

    @Test
    void anySplitOfARunGivesTheSameWindows() {
        Collector whole = new Collector(256);
        new WindowStitcher(256, 100).push(37, chunk(37, 5000), whole);
        Random r = new Random(2);
        for (int trial = 0; trial < 20; trial++) {
            Collector pieces = new Collector(256);
            WindowStitcher s = new WindowStitcher(256, 100);
            long at = 37;
            while (at < 5037) {
                int len = (int) Math.min(1 + r.nextInt(trial % 2 == 0 ? 7 : 700), 5037 - at);
                s.push(at, chunk(at, len), pieces);
                at += len;
            }
            assertEquals(whole.starts, pieces.starts);
            for (int w = 0; w < whole.windows.size(); w++) {
                assertArrayEquals(whole.windows.get(w), pieces.windows.get(w));
            }
        }
        assertEquals(100L, whole.starts.get(0));
        assertWindowsMatchIndices(whole, 256);
    }

    @Test
    void gapResetsTheRun() {
        WindowStitcher s = new WindowStitcher(1000, 500);
        Collector c = new Collector(1000);
        s.push(0, chunk(0, 1200), c);
        s.push(1700, chunk(1700, 1000), c);
        s.push(2700, chunk(2700, 800), c);
        assertEquals(1, s.gaps());
        // 0 from the first run; the second run starts at 1700, so its grid-aligned windows start at 2000 and 2500
        assertEquals(List.of(0L, 2000L, 2500L), c.starts);
        for (long start : c.starts) {
            assertTrue(start + 1000 <= 1200 || start >= 1700, "window at " + start + " spans the gap");
        }
        assertWindowsMatchIndices(c, 1000);
    }

    @Test
    void overlapAndOutOfOrderChunksAlsoReset() {
        WindowStitcher s = new WindowStitcher(100, 50);
        Collector c = new Collector(100);
        s.push(0, chunk(0, 80), c);
        s.push(60, chunk(60, 80), c); // overlaps the first chunk: new run at 60
        assertEquals(1, s.gaps());
        s.push(10, chunk(10, 30), c); // goes back in time: new run at 10
        assertEquals(2, s.gaps());
        s.push(40, chunk(40, 160), c); // continues the run from 10, whose grid starts at 50
        assertEquals(2, s.gaps());
        assertEquals(List.of(50L, 100L), c.starts);
        assertWindowsMatchIndices(c, 100);
    }

    @Test
    void firstWindowIsOnTheGlobalHopGrid() {
        WindowStitcher s = new WindowStitcher(1000, 500);
        Collector c = new Collector(1000);
        s.push(730, chunk(730, 2000), c);
        assertEquals(List.of(1000L, 1500L), c.starts);
        assertWindowsMatchIndices(c, 1000);
        // a run starting before the grid point in a chunk too short to reach it still lands on the grid
        Collector d = new Collector(1000);
        WindowStitcher t = new WindowStitcher(1000, 500);
        t.push(1_700_000_000_010L, chunk(1_700_000_000_010L, 100), d);
        t.push(1_700_000_000_110L, chunk(1_700_000_000_110L, 1500), d);
        assertEquals(List.of(1_700_000_000_500L), d.starts);
        assertWindowsMatchIndices(d, 1000);
        assertEquals(-500, s.firstWindowStart(-730));
        assertEquals(-1000, s.firstWindowStart(-1000));
        assertEquals(500, s.firstWindowStart(1));
    }

    @Test
    void snapshotRestoreContinuesLikeAnUninterruptedStitcher() {
        Collector straight = new Collector(300);
        WindowStitcher a = new WindowStitcher(300, 120);
        a.push(5, chunk(5, 700), straight);
        a.push(705, chunk(705, 77), straight);
        a.push(782, chunk(782, 1000), straight);

        Collector resumed = new Collector(300);
        WindowStitcher b = new WindowStitcher(300, 120);
        b.push(5, chunk(5, 700), resumed);
        WindowStitcher.State state = b.state();
        b.push(705, chunk(705, 77), new Collector(300)); // later pushes must not change the snapshot
        WindowStitcher c = WindowStitcher.restore(state);
        c.push(705, chunk(705, 77), resumed);
        WindowStitcher.State again = c.state();
        WindowStitcher d = WindowStitcher.restore(new WindowStitcher.State(again.windowSamples(), again.hopSamples(),
                again.running(), again.nextIndex(), again.pendingStart(), again.pending(), again.gaps()));
        d.push(782, chunk(782, 1000), resumed);

        assertEquals(straight.starts, resumed.starts);
        for (int w = 0; w < straight.windows.size(); w++) {
            assertArrayEquals(straight.windows.get(w), resumed.windows.get(w));
        }
        assertEquals(List.of(120L, 240L, 360L, 480L, 600L, 720L, 840L, 960L, 1080L, 1200L, 1320L, 1440L), straight.starts);
        assertWindowsMatchIndices(straight, 300);
        assertEquals(705 - 480, state.pending().length);
        assertEquals(480, state.pendingStart());
        assertEquals(705, state.nextIndex());
        // a restored stitcher still detects a gap against the saved run
        WindowStitcher e = WindowStitcher.restore(state);
        e.push(999, chunk(999, 10), new Collector(300));
        assertEquals(1, e.gaps());
    }

    @Test
    void snapshotOfAFreshOrResetStitcherRestoresFresh() {
        WindowStitcher s = new WindowStitcher(100, 50);
        s.push(0, chunk(0, 70), new Collector(100));
        s.reset();
        assertEquals(Long.MIN_VALUE, s.nextIndex());
        WindowStitcher r = WindowStitcher.restore(s.state());
        Collector c = new Collector(100);
        r.push(70, chunk(70, 130), c); // after reset the old run is gone: no gap counted, new grid from 70
        assertEquals(0, r.gaps());
        assertEquals(List.of(100L), c.starts);
    }

    @Test
    void sampleIndexAndEpochMicrosAreExactInverses() {
        assertEquals(1_700_000_000_123L, WindowStitcher.sampleIndex(1_700_000_000_123_456L, 1000));
        assertEquals(1_700_000_000_124L, WindowStitcher.sampleIndex(1_700_000_000_123_500L, 1000));
        assertEquals(1_700_000_000_123_000L, WindowStitcher.epochMicros(1_700_000_000_123L, 1000));
        assertEquals(-1, WindowStitcher.sampleIndex(-1_000, 1000));
        assertEquals(0, WindowStitcher.sampleIndex(-500, 1000)); // half rounds up
        // 3 kHz: sample 1 is at 333.33 us
        assertEquals(333, WindowStitcher.epochMicros(1, 3000));
        Random r = new Random(3);
        for (double fs : new double[] {1000, 2500, 3000, 977, 1000.5}) {
            for (int i = 0; i < 1000; i++) {
                long index = (long) (r.nextDouble() * 2e12) - (long) 1e11;
                assertEquals(index, WindowStitcher.sampleIndex(WindowStitcher.epochMicros(index, fs), fs), "fs " + fs + " index " + index);
            }
        }
    }

    @Test
    void argumentChecks() {
        assertMessage("cannot be: 0", () -> new WindowStitcher(100, 0));
        assertMessage("cannot be: 101", () -> new WindowStitcher(100, 101));
        assertMessage("cannot be: 0", () -> new WindowStitcher(0, 1));
        assertMessage("cannot be: 0.0", () -> WindowStitcher.sampleIndex(0, 0));
        assertMessage("100 pending samples", () -> WindowStitcher.restore(
                new WindowStitcher.State(100, 50, true, 100, 0, new float[100], 0)));
        assertMessage("do not end at the next expected index 90", () -> WindowStitcher.restore(
                new WindowStitcher.State(100, 50, true, 90, 0, new float[50], 0)));
    }
}
