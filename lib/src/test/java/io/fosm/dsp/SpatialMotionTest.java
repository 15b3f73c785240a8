package io.fosm.dsp;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The motion features against analytic signals: a pulse moving at a known speed reads that speed, a Gaussian power
 * profile moving at a known speed flows at it, simultaneous sources read 0 m/s. The envelope itself is checked against
 * numpy in DspFixtureTest.
 */
class SpatialMotionTest {
    private static final int FS = 1000;
    private static final int N = 1000;
    private static final int CHANNELS = 9;
    private static final double SPACING = 1.0;

    /** Envelopes of channels 0..8 carrying a 100 Hz tone burst centred at t0 + c * dx / v (v = infinity: all at t0). */
    private static double[] pulseEnvelopes(double t0, double speed) {
        double[] env = new double[CHANNELS * SpatialMotion.ENVELOPE_FRAMES];
        double[] x = new double[N];
        for (int c = 0; c < CHANNELS; c++) {
            double centre = Double.isInfinite(speed) ? t0 : t0 + c * SPACING / speed;
            for (int i = 0; i < N; i++) {
                double t = (double) i / FS;
                double g = (t - centre) / 0.05;
                x[i] = Math.exp(-g * g) * Math.sin(2 * Math.PI * 100 * t);
            }
            SpatialMotion.envelope(x, 0, N, env, c * SpatialMotion.ENVELOPE_FRAMES);
        }
        return env;
    }

    private static double[] motion(double[] envelopes, double[] power, double[] previous, int neighbors) {
        int[] channels = new int[CHANNELS];
        for (int c = 0; c < CHANNELS; c++) {
            channels[c] = c;
        }
        double[] out = new double[CHANNELS * SpatialMotion.OUTPUTS];
        new SpatialMotion(neighbors, SPACING, 0.05, 0.5).compute(channels, envelopes, power, previous, CHANNELS, out);
        return out;
    }

    private static double[] filled(double v) {
        double[] a = new double[CHANNELS];
        Arrays.fill(a, v);
        return a;
    }

    @Test
    void theEnvelopeIsTheMeanSquareOfEachFrameAroundTheWindowMean() {
        // 2 + a square wave of +-1 changing every frame of 50 samples: mean 2, every frame's energy is exactly 1
        double[] x = new double[1003];
        for (int i = 0; i < 1003; i++) {
            x[i] = 2 + ((i / 50) % 2 == 0 ? 1 : -1);
        }
        double[] out = new double[SpatialMotion.ENVELOPE_FRAMES + 1];
        SpatialMotion.envelope(x, 0, 1000, out, 1);
        assertEquals(0, out[0], 0, "nothing before the offset");
        for (int f = 1; f <= SpatialMotion.ENVELOPE_FRAMES; f++) {
            assertEquals(1.0, out[f], 1e-12);
        }
        assertThrows(IllegalArgumentException.class, () -> SpatialMotion.envelope(x, 0, 19, out, 0));
    }

    @Test
    void aPulseMovingAtAKnownSpeedReadsThatSpeedWithItsSign() {
        double[] ones = filled(1);
        // 10 m/s at 1 m spacing: 0.1 s = 2 frames per channel, neighbours up to 3 channels = 6 frames
        double[] up = motion(pulseEnvelopes(0.1, 10), ones, filled(Double.NaN), 3);
        assertEquals(10, up[4 * SpatialMotion.OUTPUTS], 0.3);
        double[] down = motion(pulseEnvelopes(0.9, -10), ones, filled(Double.NaN), 3);
        assertEquals(-10, down[4 * SpatialMotion.OUTPUTS], 0.3);
        // 7 m/s: lags of 2.86 frames per channel, between frames: the parabola finds it within a few per cent
        double[] slow = motion(pulseEnvelopes(0.0, 7), ones, filled(Double.NaN), 2);
        assertEquals(7, slow[4 * SpatialMotion.OUTPUTS], 0.5);
        // the envelopes of neighbouring channels are shifted copies, not simultaneous: little zero-lag coherence
        assertTrue(up[4 * SpatialMotion.OUTPUTS + 1] < 0.5, "coherence " + up[4 * SpatialMotion.OUTPUTS + 1]);
    }

    @Test
    void aSimultaneousSourceReadsZeroSpeedAndFullCoherenceAndNoiseDoesNot() {
        double[] still = motion(pulseEnvelopes(0.5, Double.POSITIVE_INFINITY), filled(1), filled(Double.NaN), 3);
        for (int c = 0; c < CHANNELS; c++) {
            assertEquals(0, still[c * SpatialMotion.OUTPUTS], 0, "channel " + c);
            assertEquals(1, still[c * SpatialMotion.OUTPUTS + 1], 1e-12, "channel " + c);
        }
        // independent noise on every channel: envelopes unrelated
        SplittableRandom rng = new SplittableRandom(7);
        double[] env = new double[CHANNELS * SpatialMotion.ENVELOPE_FRAMES];
        double[] x = new double[N];
        double coherence = 0;
        for (int c = 0; c < CHANNELS; c++) {
            for (int i = 0; i < N; i++) {
                x[i] = rng.nextGaussian();
            }
            SpatialMotion.envelope(x, 0, N, env, c * SpatialMotion.ENVELOPE_FRAMES);
        }
        double[] noise = motion(env, filled(1), filled(Double.NaN), 3);
        for (int c = 0; c < CHANNELS; c++) {
            coherence += noise[c * SpatialMotion.OUTPUTS + 1] / CHANNELS;
        }
        assertTrue(Math.abs(coherence) < 0.3, "mean coherence of independent noise " + coherence);
    }

    @Test
    void aGaussianPowerProfileFlowsAtItsSpeedOnEveryChannelWithBothNeighbours() {
        // power(c) = exp(-(c dx - x0)^2 / (2 sigma^2)) with x0 moving 1.5 m/s * 0.5 s = 0.75 m per hop (spacing 2 m)
        double spacing = 2.0;
        double hop = 0.5;
        double speed = -1.5;
        double sigma = 5.0;
        double[] now = new double[CHANNELS];
        double[] before = new double[CHANNELS];
        for (int c = 0; c < CHANNELS; c++) {
            double xNow = c * spacing - 8.0;
            double xBefore = c * spacing - (8.0 - speed * hop);
            now[c] = 3 * Math.exp(-xNow * xNow / (2 * sigma * sigma));
            before[c] = 3 * Math.exp(-xBefore * xBefore / (2 * sigma * sigma));
        }
        before[0] = Double.NaN;  // a channel without its previous window: left out, not a zero
        int[] channels = {0, 1, 2, 3, 4, 5, 6, 7, 8};
        double[] env = new double[CHANNELS * SpatialMotion.ENVELOPE_FRAMES];
        double[] out = new double[CHANNELS * SpatialMotion.OUTPUTS];
        new SpatialMotion(2, spacing, 0.05, hop).compute(channels, env, now, before, CHANNELS, out);
        for (int c = 0; c < CHANNELS; c++) {
            assertEquals(speed, out[c * SpatialMotion.OUTPUTS + 2], 1e-6, "channel " + c);
            // flat envelopes: no lag, no coherence
            assertEquals(0, out[c * SpatialMotion.OUTPUTS], 0);
            assertEquals(0, out[c * SpatialMotion.OUTPUTS + 1], 0);
        }
        // no previous windows at all: no flow
        new SpatialMotion(2, spacing, 0.05, hop).compute(channels, env, now, filled(Double.NaN), CHANNELS, out);
        assertEquals(0, out[4 * SpatialMotion.OUTPUTS + 2], 0);
    }

    @Test
    void theSpreadIsThePowerWeightedWidthAboveTheLocalFloor() {
        double[] env = new double[CHANNELS * SpatialMotion.ENVELOPE_FRAMES];
        int[] channels = {0, 1, 2, 3, 4, 5, 6, 7, 8};
        double[] out = new double[CHANNELS * SpatialMotion.OUTPUTS];
        SpatialMotion m = new SpatialMotion(2, 1, 0.05, 0.5);
        m.compute(channels, env, filled(4), filled(Double.NaN), CHANNELS, out);
        assertEquals(0, out[4 * SpatialMotion.OUTPUTS + 3], 0, "equal powers: nothing above the floor");
        double[] p = filled(1);
        p[4] = 9;
        m.compute(channels, env, p, filled(Double.NaN), CHANNELS, out);
        assertEquals(0, out[4 * SpatialMotion.OUTPUTS + 3], 0, "one loud channel: a point");
        p[3] = 9;
        p[5] = 9;
        m.compute(channels, env, p, filled(Double.NaN), CHANNELS, out);
        // weights 8 at channels 3, 4, 5 around channel 4: variance 2/3
        assertEquals(Math.sqrt(2.0 / 3.0), out[4 * SpatialMotion.OUTPUTS + 3], 1e-12);
        // channel 6 sees 4, 5 (weight 8), 6, 7, 8 (0): centroid 4.5, spread 0.5
        assertEquals(0.5, out[6 * SpatialMotion.OUTPUTS + 3], 1e-12);
    }
}
