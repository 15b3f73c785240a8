package io.fosm.dsp;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The recent impulsiveness and the state round trip; the other values are checked against SQL in GoldContextTest. */
class TemporalContextTest {
    /** Feature arrays {crest, kurtosis, power}; one window of context either way, a 5-window baseline. */
    private static List<double[]> run(double[] kurtosis, int restoreAt) {
        List<double[]> out = new ArrayList<>();
        TemporalContext.Sink sink = (start, f, context, previousPower) -> out.add(context);
        TemporalContext t = new TemporalContext(1, 5, 0, 1, 2);
        for (int i = 0; i < kurtosis.length; i++) {
            if (i == restoreAt) {
                t = TemporalContext.restore(t.state(), 0, 1, 2);
            }
            t.push(i, new double[] {3, kurtosis[i], 1}, sink);
        }
        t.flush(sink);
        return out;
    }

    @Test
    void repeatedStrikesKeepTheRecentImpulsivenessHighAndOneKnockDoesNot() {
        double[] strikes = new double[30];
        double[] knock = new double[30];
        for (int i = 0; i < 30; i++) {
            strikes[i] = i % 3 == 0 ? 20 : 3;
            knock[i] = i == 10 ? 20 : 3;
        }
        List<double[]> s = run(strikes, -1);
        List<double[]> k = run(knock, -1);
        assertEquals(30, s.size());
        // every window is within one window of a strike: its largest kurtosis around, and the median of the last 10
        assertEquals(20, s.get(25)[1], 0);
        assertEquals(20, s.get(25)[3], 0);
        // the knock raises the largest kurtosis of windows 9-11 only; 3 of the 10 windows up to 12 is not a median
        assertEquals(20, k.get(11)[1], 0);
        assertEquals(3, k.get(12)[3], 0);
        // windows 9-11 and 7 earlier: sorted 3 x 7, 20 x 3 -> the median is 3; with 5 of 10 it would interpolate
        assertEquals(3, k.get(11)[3], 0);
        // the first window has only itself
        assertEquals(20, s.get(0)[3], 0);
        assertEquals(3, k.get(0)[3], 0);
    }

    @Test
    void aRestoredContextContinuesExactly() {
        double[] kurtosis = new double[40];
        for (int i = 0; i < 40; i++) {
            kurtosis[i] = 3 + (i * 7919 % 13);
        }
        List<double[]> straight = run(kurtosis, -1);
        List<double[]> restored = run(kurtosis, 17);
        assertEquals(straight.size(), restored.size());
        for (int i = 0; i < straight.size(); i++) {
            assertArrayEquals(straight.get(i), restored.get(i), 0, "window " + i);
        }
    }

    /** Windows of a 2-window look-back / look-ahead context, hop 10, pushed at {@code starts} with these kurtoses. */
    private static List<double[]> contexts(long[] starts, double[] kurtosis, int ahead, List<Double> previous) {
        List<double[]> out = new ArrayList<>();
        TemporalContext t = new TemporalContext(2, ahead, 10, 3, 0, 1, 2);
        TemporalContext.Sink sink = (start, f, context, previousPower) -> {
            out.add(context);
            previous.add(previousPower);
        };
        for (int i = 0; i < starts.length; i++) {
            t.push(starts[i], new double[] {3, kurtosis[i], 1 + i}, sink);
        }
        t.flush(sink);
        return out;
    }

    @Test
    void theContextDoesNotReachAcrossAGap() {
        // windows at hops 0, 1, 2, then a gap of 4 missing windows, then hops 7, 8, 9
        long[] starts = {0, 10, 20, 70, 80, 90};
        double[] kurtosis = {3, 3, 50, 3, 3, 3};
        List<Double> previous = new ArrayList<>();
        List<double[]> c = contexts(starts, kurtosis, 2, previous);
        assertEquals(6, c.size());
        // hop 0 sees the strike at hop 2 (2 hops ahead); hops 7 and 8, 1 and 2 rows after it but 5 and 6 hops, do not
        assertEquals(50, c.get(0)[1], 0);
        assertEquals(3, c.get(3)[1], 0);
        assertEquals(3, c.get(4)[1], 0);
        // the baseline (3 hops back) of hop 7 has no window: 0 dB, as the first window of a channel
        assertEquals(0, c.get(3)[2], 0);
        assertEquals(0, c.get(0)[2], 0);
        // hop 8's baseline is hop 7 alone: power 5 over 4
        assertEquals(10 * Math.log10(5.0 / 4.0), c.get(4)[2], 1e-12);
        // the previous window's power: missing at the start and after the gap
        assertTrue(Double.isNaN(previous.get(0)));
        assertEquals(1, previous.get(1), 0);
        assertTrue(Double.isNaN(previous.get(3)));
        assertEquals(4, previous.get(4), 0);
        // the look-ahead does not reach over the gap either: hop 1 looks up to hop 3, which is missing
        List<double[]> late = contexts(starts, new double[] {3, 3, 3, 50, 3, 3}, 2, new ArrayList<>());
        assertEquals(3, late.get(2)[1], 0);
        assertEquals(50, late.get(4)[1], 0);
    }

    @Test
    void aCausalContextEmitsEachWindowAtOnceAndLooksOnlyBack() {
        List<double[]> out = new ArrayList<>();
        TemporalContext t = new TemporalContext(2, 0, 10, 3, 0, 1, 2);
        TemporalContext.Sink sink = (start, f, context, previousPower) -> out.add(context);
        double[] kurtosis = {3, 3, 50, 3, 3, 3};
        for (int i = 0; i < kurtosis.length; i++) {
            assertEquals(1, t.push(i * 10L, new double[] {3, kurtosis[i], 1}, sink), "window " + i + " at once");
            assertEquals(0, t.pendingCount());
        }
        // the strike at hop 2 reaches hops 2-4 only: never the windows before it
        assertEquals(3, out.get(1)[1], 0);
        assertEquals(50, out.get(2)[1], 0);
        assertEquals(50, out.get(4)[1], 0);
        assertEquals(3, out.get(5)[1], 0);
        // with the default look-ahead of as many windows as behind, hop 1 would see it
        List<Double> previous = new ArrayList<>();
        assertEquals(50, contexts(new long[] {0, 10, 20, 30, 40, 50}, kurtosis, 2, previous).get(1)[1], 0);
    }
}
