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

    /**
     * The direct definition of {@link SpatialMotion#compute}: every window against every other window of the group,
     * each pair's lag from {@link SpatialMotion#lag} in both directions, the flow terms per pair. The fast path must
     * give exactly these figures.
     */
    static void referenceMotion(int neighbors, double spacingM, double frameSeconds, double hopSeconds, int[] channels,
                                double[] envelopes, double[] power, double[] previousPower, int n, double[] out) {
        int frames = SpatialMotion.ENVELOPE_FRAMES;
        int maxLag = frames / 2;
        double[] lagOut = new double[2];
        for (int i = 0; i < n; i++) {
            int c = channels[i];
            double sxt = 0, sxx = 0, coherence = 0, flowNum = 0, flowDen = 0;
            int coherent = 0;
            double wMin = Double.POSITIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                if (Math.abs(channels[j] - c) <= neighbors) {
                    wMin = Math.min(wMin, power[j]);
                }
            }
            double wSum = 0, wc = 0, wcc = 0;
            for (int j = 0; j < n; j++) {
                int d = channels[j] - c;
                if (Math.abs(d) > neighbors) {
                    continue;
                }
                double w = power[j] - wMin;
                wSum += w;
                wc += w * channels[j];
                wcc += w * (double) channels[j] * channels[j];
                int below = Arrays.binarySearch(channels, 0, n, channels[j] - 1);
                int above = Arrays.binarySearch(channels, 0, n, channels[j] + 1);
                if (!(below < 0 || above < 0 || Double.isNaN(previousPower[j]) || Double.isNaN(previousPower[below])
                        || Double.isNaN(previousPower[above]))) {
                    double pt = (db(power[j]) - db(previousPower[j])) / hopSeconds;
                    double pxNow = (db(power[above]) - db(power[below])) / (2 * spacingM);
                    double pxBefore = (db(previousPower[above]) - db(previousPower[below])) / (2 * spacingM);
                    double px = (pxNow + pxBefore) / 2;
                    flowNum += pt * px;
                    flowDen += px * px;
                }
                if (d == 0) {
                    continue;
                }
                if (SpatialMotion.lag(envelopes, i * frames, envelopes, j * frames, frames, maxLag, lagOut)) {
                    double x = d * spacingM;
                    sxt += x * lagOut[0] * frameSeconds;
                    sxx += x * x;
                    if (Math.abs(d) == 1) {
                        double ma = 0, mb = 0;
                        for (int k = 0; k < frames; k++) {
                            ma += envelopes[i * frames + k];
                            mb += envelopes[j * frames + k];
                        }
                        ma /= frames;
                        mb /= frames;
                        double sab = 0, saa = 0, sbb = 0;
                        for (int k = 0; k < frames; k++) {
                            double da = envelopes[i * frames + k] - ma;
                            double db = envelopes[j * frames + k] - mb;
                            sab += da * db;
                            saa += da * da;
                            sbb += db * db;
                        }
                        coherence += saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
                        coherent++;
                    }
                }
            }
            double velocity = 0;
            if (sxx > 0 && sxt != 0) {
                double v = sxx / sxt;
                velocity = Math.abs(v) > SpatialMotion.MAX_SPEED_MPS ? 0 : v;
            }
            double spread = 0;
            if (wSum > 0) {
                double mean = wc / wSum;
                spread = Math.sqrt(Math.max(0, wcc / wSum - mean * mean));
            }
            out[i * SpatialMotion.OUTPUTS] = velocity;
            out[i * SpatialMotion.OUTPUTS + 1] = coherent == 0 ? 0 : coherence / coherent;
            out[i * SpatialMotion.OUTPUTS + 2] = flowDen > 0 ? -flowNum / flowDen : 0;
            out[i * SpatialMotion.OUTPUTS + 3] = spread;
        }
    }

    private static double db(double power) {
        return 10 * Math.log10(power + 1e-12);
    }

    @Test
    void theFastPathEqualsTheDirectDefinitionBitForBit() {
        // random groups: gaps in the channels, constant and NaN envelopes, missing previous powers, several sizes and
        // neighbourhoods, one SpatialMotion reused across groups of different sizes (its scratch grows and is reused)
        SplittableRandom rnd = new SplittableRandom(42);
        for (int neighbors : new int[] {1, 2, 3, 5}) {
            SpatialMotion motion = new SpatialMotion(neighbors, 2.5, 0.05, 0.5);
            for (int round = 0; round < 40; round++) {
                int n = 1 + rnd.nextInt(round % 3 == 0 ? 200 : 30);
                int[] channels = new int[n];
                int c = rnd.nextInt(10) - 5;
                for (int i = 0; i < n; i++) {
                    c += rnd.nextInt(6) == 0 ? 2 + rnd.nextInt(4) : 1;
                    channels[i] = c;
                }
                double[] env = new double[n * SpatialMotion.ENVELOPE_FRAMES];
                double[] power = new double[n];
                double[] previous = new double[n];
                for (int i = 0; i < n; i++) {
                    int kind = rnd.nextInt(12);
                    for (int k = 0; k < SpatialMotion.ENVELOPE_FRAMES; k++) {
                        env[i * SpatialMotion.ENVELOPE_FRAMES + k] = kind == 0 ? 3.0 : kind == 1 ? Double.NaN
                                // a pulse travelling along the channels, plus noise: real lags, not only noise peaks
                                : Math.exp(-Math.pow((k - 10 - 0.3 * channels[i]) / 2.0, 2)) + 0.1 * rnd.nextDouble();
                    }
                    power[i] = Math.exp(rnd.nextGaussian() * 2);
                    previous[i] = rnd.nextInt(8) == 0 ? Double.NaN : Math.exp(rnd.nextGaussian() * 2);
                }
                double[] fast = new double[n * SpatialMotion.OUTPUTS];
                double[] direct = new double[n * SpatialMotion.OUTPUTS];
                motion.compute(channels, env, power, previous, n, fast);
                referenceMotion(neighbors, 2.5, 0.05, 0.5, channels, env, power, previous, n, direct);
                for (int i = 0; i < fast.length; i++) {
                    assertEquals(Double.doubleToLongBits(direct[i]), Double.doubleToLongBits(fast[i]),
                            "neighbours " + neighbors + ", round " + round + ", window " + i / SpatialMotion.OUTPUTS
                                    + ", output " + i % SpatialMotion.OUTPUTS + ": " + direct[i] + " vs " + fast[i]);
                }
            }
        }
    }
}
