package io.fosm.dsp;

import static io.fosm.dsp.FeatureConfigTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

class SavitzkyGolayTest {

    @Test
    void preservesPolynomialsUpToItsOrderIncludingEdges() {
        int n = 200;
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            double t = (i - 80) / 50.0;
            x[i] = 2 - 3 * t + 0.5 * t * t + 1.25 * t * t * t;
        }
        for (int[] wp : new int[][] {{11, 3}, {21, 4}, {7, 6}, {31, 5}}) {
            double[] y = new SavitzkyGolay(wp[0], wp[1]).smooth(x);
            for (int i = 0; i < n; i++) {
                assertEquals(x[i], y[i], 1e-9, "window " + wp[0] + " order " + wp[1] + " sample " + i);
            }
        }
        // a quadratic fit cannot follow the cubic
        double[] q = new SavitzkyGolay(31, 2).smooth(x);
        double worst = 0;
        for (int i = 0; i < n; i++) {
            worst = Math.max(worst, Math.abs(q[i] - x[i]));
        }
        assertTrue(worst > 1e-3);
    }

    @Test
    void reducesWhiteNoiseVariance() {
        Random r = new Random(9);
        double[] x = new double[5000];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextGaussian();
        }
        double[] y = new SavitzkyGolay(21, 2).smooth(x);
        double vx = 0;
        double vy = 0;
        for (int i = 0; i < x.length; i++) {
            vx += x[i] * x[i];
            vy += y[i] * y[i];
        }
        // sum of squared kernel weights for (21, 2) is about 0.13
        assertTrue(vy / vx < 0.2, "variance ratio " + vy / vx);
    }

    @Test
    void kernelSumsToOneAndIsSymmetric() {
        double[] c = new SavitzkyGolay(9, 3).coefficients();
        double sum = 0;
        for (int i = 0; i < c.length; i++) {
            sum += c[i];
            assertEquals(c[i], c[c.length - 1 - i], 1e-15);
        }
        assertEquals(1, sum, 1e-12);
        // the textbook (9, 2/3) weights are (-21, 14, 39, 54, 59, 54, 39, 14, -21) / 231
        assertEquals(59 / 231.0, c[4], 1e-14);
        assertEquals(-21 / 231.0, c[0], 1e-14);
    }

    @Test
    void argumentChecks() {
        assertMessage("cannot be: 4", () -> new SavitzkyGolay(4, 2));
        assertMessage("cannot be: 0", () -> new SavitzkyGolay(0, 0));
        assertMessage("cannot be: 5", () -> new SavitzkyGolay(5, 5));
        assertMessage("cannot be: -1", () -> new SavitzkyGolay(5, -1));
        assertMessage("Cannot smooth: signal of 10 samples is shorter than the window of 11",
                () -> new SavitzkyGolay(11, 3).smooth(new double[10]));
    }
}
