package io.fosm.generate;

import java.util.SplittableRandom;

/**
 * The waveform of one ground-truth event at its centre, plus how it spreads over channels (a Gaussian in channel
 * distance, cut off at the half-width so the logged extent holds all of the energy). Rendered block by block in
 * time order; continuous sources keep filter state between blocks.
 */
abstract class EventSource {
    final GroundTruthEvent truth;
    final long startSample;
    final long endSample;
    final double c0;
    final double c1;
    final double halfWidth;
    private final double invTwoSigma2;

    EventSource(GroundTruthEvent truth, long startSample, long endSample) {
        this.truth = truth;
        this.startSample = startSample;
        this.endSample = endSample;
        this.c0 = truth.centerChannelStart();
        this.c1 = truth.centerChannelEnd();
        this.halfWidth = truth.halfWidthChannels();
        // the whole labelled extent must be observable: at the edge (d = halfWidth) the amplitude is ~half the peak
        double sigma = Math.max(0.5, halfWidth / 1.2);
        this.invTwoSigma2 = 1 / (2 * sigma * sigma);
    }

    boolean active(long from, long to) {
        return startSample < to && endSample > from;
    }

    double centre(long sample) {
        return endSample == startSample ? c0 : c0 + (c1 - c0) * (sample - startSample) / (endSample - startSample);
    }

    boolean stationary() {
        return c0 == c1;
    }

    /** Lowest channel the event reaches during [from, to). */
    int firstChannel(long from, long to) {
        double lo = Math.min(centre(Math.max(from, startSample)), centre(Math.min(to, endSample)));
        return (int) Math.ceil(lo - halfWidth);
    }

    /** Highest channel the event reaches during [from, to). */
    int lastChannel(long from, long to) {
        double hi = Math.max(centre(Math.max(from, startSample)), centre(Math.min(to, endSample)));
        return (int) Math.floor(hi + halfWidth);
    }

    /** Renders the centre waveform for global samples [from, to) into {@code out[k - blockStart]}; zero elsewhere. */
    abstract void render(long blockStart, long from, long to, double[] out);

    /** Adds this event's contribution on {@code channel} for the block [blockStart, blockStart + n). */
    void addTo(int channel, double[] out, double[] source, long blockStart, int n) {
        long from = Math.max(blockStart, startSample);
        long to = Math.min(blockStart + n, endSample);
        if (stationary()) {
            double d = channel - c0;
            if (Math.abs(d) > halfWidth) {
                return;
            }
            double w = Math.exp(-d * d * invTwoSigma2);
            for (long k = from; k < to; k++) {
                int i = (int) (k - blockStart);
                out[i] += w * source[i];
            }
            return;
        }
        double slope = (c1 - c0) / (endSample - startSample);
        for (long k = from; k < to; k++) {
            double d = channel - (c0 + slope * (k - startSample));
            if (Math.abs(d) <= halfWidth) {
                int i = (int) (k - blockStart);
                out[i] += Math.exp(-d * d * invTwoSigma2) * source[i];
            }
        }
    }

    /** Band-limited noise with a growth ramp and 1 s fades (leak, vehicle, drift hiss). */
    static final class BandNoise extends EventSource {
        private final SplittableRandom rng;
        private final Biquad filter;
        private final double amplitude;
        private final double rampFrom;
        private final long fadeSamples;
        private long next;

        BandNoise(GroundTruthEvent truth, long startSample, long endSample, double sampleRate, long seed,
                  double lowHz, double highHz, double rampFrom) {
            this(truth, startSample, endSample, sampleRate, seed, lowHz, highHz, rampFrom, truth.peakAmplitude());
        }

        BandNoise(GroundTruthEvent truth, long startSample, long endSample, double sampleRate, long seed,
                  double lowHz, double highHz, double rampFrom, double amplitude) {
            super(truth, startSample, endSample);
            this.rng = new SplittableRandom(seed);
            this.filter = new Biquad(lowHz, highHz, sampleRate);
            this.amplitude = amplitude;
            this.rampFrom = rampFrom;
            this.fadeSamples = Math.max(1, Math.min((long) sampleRate, (endSample - startSample) / 4));
            this.next = startSample;
        }

        @Override
        void render(long blockStart, long from, long to, double[] out) {
            long a = Math.max(from, startSample);
            long b = Math.min(to, endSample);
            if (a != next) {
                throw new IllegalStateException("Cannot render " + truth.eventId() + ": blocks out of order (sample "
                        + a + ", expected " + next + ")");
            }
            double span = endSample - startSample;
            for (long k = a; k < b; k++) {
                double p = (k - startSample) / span;
                double fade = Math.min(1, Math.min(k - startSample + 1, endSample - k) / (double) fadeSamples);
                out[(int) (k - blockStart)] = amplitude * (rampFrom + (1 - rampFrom) * p) * fade
                        * filter.next(rng.nextGaussian());
            }
            next = b;
        }
    }

    /** Short transients at given onsets: exponentially decaying noise bursts or damped sinusoids. */
    static final class Impulses extends EventSource {
        private final long[] onsets;
        private final double[] amplitudes;
        private final double tauSamples;
        private final double sineOmega;
        private final long seed;
        private final int length;

        /** {@code sineHz <= 0} means noise bursts. */
        Impulses(GroundTruthEvent truth, long startSample, long endSample, double sampleRate, long seed,
                 long[] onsets, double[] amplitudes, double tauSeconds, double sineHz) {
            super(truth, startSample, endSample);
            this.onsets = onsets;
            this.amplitudes = amplitudes;
            this.tauSamples = Math.max(1, tauSeconds * sampleRate);
            this.sineOmega = sineHz > 0 ? 2 * Math.PI * sineHz / sampleRate : 0;
            this.seed = seed;
            this.length = (int) Math.ceil(5 * tauSamples);
        }

        int impulseCount() {
            return onsets.length;
        }

        @Override
        void render(long blockStart, long from, long to, double[] out) {
            long a = Math.max(from, startSample);
            long b = Math.min(to, endSample);
            for (int j = 0; j < onsets.length; j++) {
                long on = onsets[j];
                if (on >= b || on + length <= a) {
                    continue;
                }
                // a burst may straddle two blocks: regenerate it from its own seed and keep the part in range
                SplittableRandom burst = new SplittableRandom(Seeds.mix(seed + j));
                long stop = Math.min(on + length, b);
                for (long k = on; k < stop; k++) {
                    double t = k - on;
                    double carrier = sineOmega > 0 ? Math.sin(sineOmega * t) : burst.nextGaussian();
                    if (k >= a) {
                        out[(int) (k - blockStart)] += amplitudes[j] * Math.exp(-t / tauSamples) * carrier;
                    }
                }
            }
        }
    }

    /** Two sources of one event rendered into the same waveform (a continuous one first: it assigns, others add). */
    static final class Sum extends EventSource {
        private final EventSource continuous;
        private final EventSource added;

        Sum(EventSource continuous, EventSource added) {
            super(continuous.truth, continuous.startSample, continuous.endSample);
            this.continuous = continuous;
            this.added = added;
        }

        @Override
        void render(long blockStart, long from, long to, double[] out) {
            continuous.render(blockStart, from, to, out);
            added.render(blockStart, from, to, out);
        }
    }
}
