package io.fosm.dsp;

import static io.fosm.dsp.FeatureConfigTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ButterworthTest {

    private static final double FS = 1000;
    private final Butterworth bandPass = Butterworth.bandPass(4, 100, 200, FS);

    private static double[] tone(int n, double hz) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = Math.sin(2 * Math.PI * hz * i / FS + 0.25);
        }
        return x;
    }

    /** RMS of y over x in the middle half, away from the edge transients. */
    private static double middleGain(double[] x, double[] y) {
        double sx = 0;
        double sy = 0;
        for (int i = x.length / 4; i < 3 * x.length / 4; i++) {
            sx += x[i] * x[i];
            sy += y[i] * y[i];
        }
        return Math.sqrt(sy / sx);
    }

    @Test
    void bandPassKeepsTheBandAndKillsTheRest() {
        double[] inBand = tone(2000, 150);
        assertEquals(1, middleGain(inBand, bandPass.filtfilt(inBand)), 0.02);
        assertTrue(middleGain(tone(2000, 20), bandPass.filtfilt(tone(2000, 20))) < 0.01);
        assertTrue(middleGain(tone(2000, 400), bandPass.filtfilt(tone(2000, 400))) < 0.01);
        assertEquals(1, bandPass.magnitudeAt(Math.sqrt(100 * 200)), 0.02);
        assertEquals(Math.sqrt(0.5), bandPass.magnitudeAt(100), 1e-9);
        assertEquals(Math.sqrt(0.5), bandPass.magnitudeAt(200), 1e-9);
    }

    @Test
    void filtfiltHasZeroPhase() {
        // off centre, where one pass shifts the phase a lot: filtfilt must only scale the tone, by |H|^2
        double[] x = tone(2000, 115);
        double g = bandPass.magnitudeAt(115);
        double[] y = bandPass.filtfilt(x);
        double[] once = bandPass.filter(x);
        double maxOnce = 0;
        for (int i = 500; i < 1500; i++) {
            assertEquals(g * g * x[i], y[i], 0.01, "sample " + i);
            maxOnce = Math.max(maxOnce, Math.abs(g * x[i] - once[i]));
        }
        assertTrue(maxOnce > 0.3, "a single pass should shift the phase, max diff " + maxOnce);
    }

    @Test
    void steadyStateInitialConditionsLeaveAConstantUntouched() {
        double[] x = new double[300];
        java.util.Arrays.fill(x, 3.5);
        double[] low = Butterworth.lowPass(3, 50, FS).filtfilt(x);
        double[] high = Butterworth.highPass(5, 120, FS).filtfilt(x);
        for (int i = 0; i < x.length; i++) {
            assertEquals(3.5, low[i], 1e-9, "low-pass sample " + i);
            assertEquals(0, high[i], 1e-9, "high-pass sample " + i);
        }
    }

    @Test
    void cutoffsAreHalfPower() {
        assertEquals(Math.sqrt(0.5), Butterworth.lowPass(3, 50, FS).magnitudeAt(50), 1e-9);
        assertEquals(Math.sqrt(0.5), Butterworth.highPass(5, 120, FS).magnitudeAt(120), 1e-9);
        assertEquals(1, Butterworth.lowPass(3, 50, FS).magnitudeAt(0), 1e-12);
        assertEquals(0, Butterworth.lowPass(3, 50, FS).magnitudeAt(500), 1e-12);
    }

    @Test
    void padLengthFollowsScipy() {
        assertEquals(27, bandPass.padLength());
        assertEquals(3 * (2 * 2 + 1 - 1), Butterworth.lowPass(3, 50, FS).padLength());
        assertEquals(6, Butterworth.lowPass(1, 50, FS).padLength());
        assertEquals(3 * (2 * 3 + 1), Butterworth.bandPass(3, 5, 40, FS).padLength());
    }

    @Test
    void argumentChecks() {
        assertMessage("Cannot filter: signal of 20 samples is not longer than the filter's padding of 27",
                () -> bandPass.filtfilt(new double[20]));
        assertMessage("padding of 27", () -> bandPass.filtfilt(new double[27]));
        assertEquals(28, bandPass.filtfilt(new double[28]).length);
        assertMessage("cannot be: 0", () -> Butterworth.bandPass(0, 1, 2, FS));
        assertMessage("cannot be: 11", () -> Butterworth.lowPass(11, 1, FS));
        assertMessage("cannot be: 100.0", () -> Butterworth.bandPass(4, 200, 100, FS));
        assertMessage("cannot be: 500.0", () -> Butterworth.bandPass(4, 100, 500, FS));
        assertMessage("cannot be: 0.0", () -> Butterworth.bandPass(4, 0, 100, FS));
        assertMessage("cannot be: -5.0", () -> Butterworth.highPass(2, 10, -5));
    }
}
