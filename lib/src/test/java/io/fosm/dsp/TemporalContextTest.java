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
        TemporalContext.Sink sink = (start, f, context) -> out.add(context);
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
}
