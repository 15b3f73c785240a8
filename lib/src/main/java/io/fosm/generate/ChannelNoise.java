package io.fosm.generate;

import java.util.SplittableRandom;

/**
 * One channel's background: coloured noise (white plus an AR(1) low-pass part, so low frequencies are stronger)
 * with a channel-specific level and a slowly breathing gain. Keeps its state between blocks.
 */
final class ChannelNoise {
    private static final double POLE = 0.9;
    private static final double WHITE = 0.7;
    private static final double RED = 0.3;
    // RMS of WHITE*w + RED*ar for unit white w: var = W^2 + R^2/(1-p^2) + 2*W*R
    private static final double NORM = 1 / Math.sqrt(WHITE * WHITE + RED * RED / (1 - POLE * POLE) + 2 * WHITE * RED);
    // the slow gain changes over tens of seconds: evaluating it every 32 samples is plenty
    private static final int GAIN_STEP = 32;

    private final SplittableRandom rng;
    private final double level;
    private final double amp1;
    private final double amp2;
    private final double omega1;
    private final double omega2;
    private final double phase1;
    private final double phase2;
    private double ar;

    ChannelNoise(SplittableRandom rng) {
        this.rng = rng;
        this.level = Math.exp(0.25 * rng.nextGaussian());
        this.amp1 = rng.nextDouble(0.1, 0.3);
        this.amp2 = rng.nextDouble(0.05, 0.15);
        this.omega1 = 2 * Math.PI / rng.nextDouble(20, 90);
        this.omega2 = 2 * Math.PI / rng.nextDouble(15, 40);
        this.phase1 = rng.nextDouble(2 * Math.PI);
        this.phase2 = rng.nextDouble(2 * Math.PI);
    }

    /**
     * Writes {@code n} background samples starting at global sample {@code start} into {@code out}; samples from
     * {@code boostFrom} on are multiplied by {@code boost} (the NOISE drift).
     */
    void fill(double[] out, long start, int n, double sampleRate, long boostFrom, double boost) {
        double gain = 0;
        for (int i = 0; i < n; i++) {
            if (i % GAIN_STEP == 0) {
                double t = (start + i) / sampleRate;
                gain = level * NORM * Math.exp(amp1 * Math.sin(omega1 * t + phase1) + amp2 * Math.sin(omega2 * t + phase2));
            }
            double w = rng.nextGaussian();
            ar = POLE * ar + w;
            double g = start + i >= boostFrom ? gain * boost : gain;
            out[i] = g * (WHITE * w + RED * ar);
        }
    }
}
