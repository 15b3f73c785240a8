package io.fosm.generate;

/** RBJ-cookbook band-pass (0 dB peak), transposed direct form II, normalised to unit output RMS for white input. */
final class Biquad {
    private final double b0;
    private final double b2;
    private final double a1;
    private final double a2;
    private final double norm;
    private double z1;
    private double z2;

    /** A band-pass covering roughly {@code lowHz..highHz}; the band is clamped below Nyquist. */
    Biquad(double lowHz, double highHz, double sampleRate) {
        double hi = Math.min(highHz, 0.49 * sampleRate);
        double lo = Math.min(lowHz, 0.8 * hi);
        double f0 = Math.sqrt(lo * hi);
        double q = f0 / (hi - lo);
        double w0 = 2 * Math.PI * f0 / sampleRate;
        double alpha = Math.sin(w0) / (2 * q);
        double a0 = 1 + alpha;
        b0 = alpha / a0;
        b2 = -alpha / a0;
        a1 = -2 * Math.cos(w0) / a0;
        a2 = (1 - alpha) / a0;
        // white noise of unit variance comes out with variance sum(h^2): measure it on the impulse response
        double energy = 0;
        for (int i = 0; i < 1 << 16; i++) {
            double h = step(i == 0 ? 1 : 0);
            energy += h * h;
        }
        z1 = 0;
        z2 = 0;
        norm = 1 / Math.sqrt(energy);
    }

    /** Filters one sample; the output has unit RMS for unit-RMS white input. */
    double next(double x) {
        return step(x) * norm;
    }

    private double step(double x) {
        double y = b0 * x + z1;
        z1 = -a1 * y + z2;
        z2 = b2 * x - a2 * y;
        return y;
    }
}
