package io.fosm.dsp;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Digital Butterworth filter as second-order sections, designed like
 * {@code scipy.signal.butter(order, Wn, btype, fs=fs, output='sos')}: analog prototype, bilinear transform with
 * pre-warping. The section split may differ from scipy's but the frequency response is the same.
 *
 * <p>Immutable and thread-safe; every call allocates only its result and one padded copy.
 */
public final class Butterworth implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Highest order accepted: beyond it the design gains nothing for sensing data and sections get ill-conditioned. */
    public static final int MAX_ORDER = 10;

    /** Rows of {b0, b1, b2, 1, a1, a2}. */
    private final double[][] sos;
    private final double sampleRate;
    private final int padLength;

    private Butterworth(double[][] sos, double sampleRate) {
        this.sos = sos;
        this.sampleRate = sampleRate;
        int zeroB2 = 0;
        int zeroA2 = 0;
        for (double[] s : sos) {
            zeroB2 += s[2] == 0 ? 1 : 0;
            zeroA2 += s[5] == 0 ? 1 : 0;
        }
        // scipy.signal.sosfiltfilt's default padlen: 3 * ntaps, first-order sections counting one tap less
        this.padLength = 3 * (2 * sos.length + 1 - Math.min(zeroB2, zeroA2));
    }

    /** Band-pass of the given order (2 * order poles) passing {@code lowHz..highHz}; 0 < lowHz < highHz < fs/2. */
    public static Butterworth bandPass(int order, double lowHz, double highHz, double sampleRate) {
        checkDesign(order, sampleRate);
        checkCutoff("low cutoff", lowHz, sampleRate);
        checkCutoff("high cutoff", highHz, sampleRate);
        if (!(highHz > lowHz)) {
            throw new IllegalArgumentException("high cutoff must be above the low cutoff of " + lowHz + " Hz, cannot be: " + highHz);
        }
        double wLow = prewarp(lowHz, sampleRate);
        double wHigh = prewarp(highHz, sampleRate);
        double bw = wHigh - wLow;
        double wo2 = wLow * wHigh;
        // lp2bp: each prototype pole p becomes p*bw/2 +- sqrt((p*bw/2)^2 - wo^2)
        List<double[]> analog = new ArrayList<>();
        for (double[] p : prototype(order)) {
            double re = p[0] * bw / 2;
            double im = p[1] * bw / 2;
            double[] root = csqrt(re * re - im * im - wo2, 2 * re * im);
            analog.add(new double[] {re + root[0], im + root[1]});
            analog.add(new double[] {re - root[0], im - root[1]});
        }
        // order zeros at s = 0 and order at infinity map to z = +1 and z = -1
        double[] gain = bilinearGain(analog);
        double k = Math.pow(bw, order) * Math.pow(4, order) * gain[0];
        return new Butterworth(sections(digital(analog), order, order, k), sampleRate);
    }

    /** Low-pass of the given order with its -3 dB point at {@code cutoffHz}; 0 < cutoffHz < fs/2. */
    public static Butterworth lowPass(int order, double cutoffHz, double sampleRate) {
        checkDesign(order, sampleRate);
        checkCutoff("cutoff", cutoffHz, sampleRate);
        double wo = prewarp(cutoffHz, sampleRate);
        List<double[]> analog = new ArrayList<>();
        for (double[] p : prototype(order)) {
            analog.add(new double[] {p[0] * wo, p[1] * wo});
        }
        double k = Math.pow(wo, order) * bilinearGain(analog)[0];
        return new Butterworth(sections(digital(analog), 0, order, k), sampleRate);
    }

    /** High-pass of the given order with its -3 dB point at {@code cutoffHz}; 0 < cutoffHz < fs/2. */
    public static Butterworth highPass(int order, double cutoffHz, double sampleRate) {
        checkDesign(order, sampleRate);
        checkCutoff("cutoff", cutoffHz, sampleRate);
        double wo = prewarp(cutoffHz, sampleRate);
        List<double[]> analog = new ArrayList<>();
        for (double[] p : prototype(order)) {
            // wo / p
            double m = p[0] * p[0] + p[1] * p[1];
            analog.add(new double[] {wo * p[0] / m, -wo * p[1] / m});
        }
        // the prototype poles multiply to (-1)^order, so lp2hp leaves the gain at 1; order zeros at s = 0 go to z = +1
        double k = Math.pow(4, order) * bilinearGain(analog)[0];
        return new Butterworth(sections(digital(analog), order, 0, k), sampleRate);
    }

    /** The second-order sections, one row {b0, b1, b2, 1, a1, a2} each (a copy). */
    public double[][] sos() {
        double[][] copy = new double[sos.length][];
        for (int i = 0; i < sos.length; i++) {
            copy[i] = sos[i].clone();
        }
        return copy;
    }

    public double sampleRate() {
        return sampleRate;
    }

    /** Samples of odd extension added at each end by {@link #filtfilt}; the signal must be longer than this. */
    public int padLength() {
        return padLength;
    }

    /** |H(f)| of one pass at {@code hz}. */
    public double magnitudeAt(double hz) {
        double w = 2 * Math.PI * hz / sampleRate;
        double c1 = Math.cos(w);
        double s1 = -Math.sin(w);
        double c2 = Math.cos(2 * w);
        double s2 = -Math.sin(2 * w);
        double mag = 1;
        for (double[] s : sos) {
            double nr = s[0] + s[1] * c1 + s[2] * c2;
            double ni = s[1] * s1 + s[2] * s2;
            double dr = 1 + s[4] * c1 + s[5] * c2;
            double di = s[4] * s1 + s[5] * s2;
            mag *= Math.sqrt((nr * nr + ni * ni) / (dr * dr + di * di));
        }
        return mag;
    }

    /** One causal pass from rest, like {@code scipy.signal.sosfilt(sos, x)}. */
    public double[] filter(double[] x) {
        double[] y = x.clone();
        run(y, new double[sos.length][2]);
        return y;
    }

    /**
     * Zero-phase forward-backward filtering, like {@code scipy.signal.sosfiltfilt(sos, x)} with its defaults: odd
     * extension by {@link #padLength()} samples at both ends and steady-state initial conditions scaled by the first
     * sample of each pass. The magnitude response is squared.
     */
    public double[] filtfilt(double[] x) {
        int n = x.length;
        int pad = padLength;
        if (n <= pad) {
            throw new IllegalArgumentException("Cannot filter: signal of " + n
                    + " samples is not longer than the filter's padding of " + pad);
        }
        int m = n + 2 * pad;
        double[] ext = new double[m];
        for (int i = 0; i < pad; i++) {
            ext[i] = 2 * x[0] - x[pad - i];
            ext[pad + n + i] = 2 * x[n - 1] - x[n - 2 - i];
        }
        System.arraycopy(x, 0, ext, pad, n);
        double[][] zi = steadyState();
        run(ext, scaled(zi, ext[0]));
        reverse(ext);
        run(ext, scaled(zi, ext[0]));
        reverse(ext);
        double[] y = new double[n];
        System.arraycopy(ext, pad, y, 0, n);
        return y;
    }

    /** In-place transposed direct form II through every section, the same recurrence as scipy's sosfilt. */
    private void run(double[] x, double[][] z) {
        int sections = sos.length;
        for (int i = 0; i < x.length; i++) {
            double v = x[i];
            for (int s = 0; s < sections; s++) {
                double[] c = sos[s];
                double[] zs = z[s];
                double out = c[0] * v + zs[0];
                zs[0] = c[1] * v - c[4] * out + zs[1];
                zs[1] = c[2] * v - c[5] * out;
                v = out;
            }
            x[i] = v;
        }
    }

    /** scipy.signal.sosfilt_zi: each section's state for a unit step, scaled by the DC gain of the sections before it. */
    private double[][] steadyState() {
        double[][] zi = new double[sos.length][2];
        double scale = 1;
        for (int s = 0; s < sos.length; s++) {
            double[] c = sos[s];
            double b0 = c[0];
            double b1 = c[1] - c[4] * b0;
            double b2 = c[2] - c[5] * b0;
            // solves (I - A) z = B for the companion matrix A of [1, a1, a2] (scipy.signal.lfilter_zi)
            double z0 = (b1 + b2) / (1 + c[4] + c[5]);
            zi[s][0] = scale * z0;
            zi[s][1] = scale * (b2 - c[5] * z0);
            scale *= (c[0] + c[1] + c[2]) / (1 + c[4] + c[5]);
        }
        return zi;
    }

    private static double[][] scaled(double[][] zi, double by) {
        double[][] out = new double[zi.length][2];
        for (int s = 0; s < zi.length; s++) {
            out[s][0] = zi[s][0] * by;
            out[s][1] = zi[s][1] * by;
        }
        return out;
    }

    private static void reverse(double[] a) {
        for (int i = 0, j = a.length - 1; i < j; i++, j--) {
            double t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    private static void checkDesign(int order, double sampleRate) {
        if (order < 1 || order > MAX_ORDER) {
            throw new IllegalArgumentException("order must be between 1 and " + MAX_ORDER + ", cannot be: " + order);
        }
        if (!(sampleRate > 0) || Double.isInfinite(sampleRate)) {
            throw new IllegalArgumentException("sample rate must be a finite number of Hz above 0, cannot be: " + sampleRate);
        }
    }

    private static void checkCutoff(String what, double hz, double sampleRate) {
        if (!(hz > 0 && hz < sampleRate / 2)) {
            throw new IllegalArgumentException(what + " must be strictly between 0 and the Nyquist frequency of "
                    + sampleRate / 2 + " Hz, cannot be: " + hz);
        }
    }

    /** scipy's pre-warp with its internal fs = 2: 4 tan(pi * Wn / 2), Wn the cutoff as a fraction of Nyquist. */
    private static double prewarp(double hz, double sampleRate) {
        double wn = 2 * hz / sampleRate;
        return 2 * 2.0 * Math.tan(Math.PI * wn / 2.0);
    }

    /** Analog Butterworth prototype poles -exp(i pi m / (2 order)), m = -order+1, -order+3, ..., order-1. */
    private static List<double[]> prototype(int order) {
        List<double[]> poles = new ArrayList<>();
        for (int m = -order + 1; m < order; m += 2) {
            double theta = Math.PI * m / (2.0 * order);
            poles.add(new double[] {-Math.cos(theta), -Math.sin(theta)});
        }
        return poles;
    }

    /** Real part of 1 / prod(4 - p): the pole part of scipy's bilinear_zpk gain with fs = 2. */
    private static double[] bilinearGain(List<double[]> analogPoles) {
        double re = 1;
        double im = 0;
        for (double[] p : analogPoles) {
            double ar = 4 - p[0];
            double ai = -p[1];
            double r = re * ar - im * ai;
            im = re * ai + im * ar;
            re = r;
        }
        double m = re * re + im * im;
        return new double[] {re / m, -im / m};
    }

    /** Bilinear transform of the poles: (4 + p) / (4 - p). */
    private static List<double[]> digital(List<double[]> analogPoles) {
        List<double[]> out = new ArrayList<>();
        for (double[] p : analogPoles) {
            double nr = 4 + p[0];
            double ni = p[1];
            double dr = 4 - p[0];
            double di = -p[1];
            double m = dr * dr + di * di;
            out.add(new double[] {(nr * dr + ni * di) / m, (ni * dr - nr * di) / m});
        }
        return out;
    }

    /**
     * Groups conjugate pole pairs (and leftover real poles, two at a time) into sections, ordered like scipy with the
     * poles nearest the unit circle last, and gives each section the zeros (at +1 or -1) nearest its poles, the way
     * scipy's 'nearest' pairing does. The overall gain goes into the first section.
     */
    private static double[][] sections(List<double[]> poles, int zerosAtPlusOne, int zerosAtMinusOne, double gain) {
        List<double[]> complex = new ArrayList<>();
        List<Double> real = new ArrayList<>();
        for (double[] p : poles) {
            double tol = 1e-12 * Math.max(1, Math.hypot(p[0], p[1]));
            if (Math.abs(p[1]) <= tol) {
                real.add(p[0]);
            } else if (p[1] > 0) {
                complex.add(p);
            }
        }
        real.sort(Comparator.comparingDouble(Math::abs));
        // each section: {pole magnitude, number of poles, a1, a2, mean pole real part}
        List<double[]> specs = new ArrayList<>();
        for (double[] p : complex) {
            double mag2 = p[0] * p[0] + p[1] * p[1];
            specs.add(new double[] {Math.sqrt(mag2), 2, -2 * p[0], mag2, p[0]});
        }
        for (int i = 0; i < real.size(); i += 2) {
            if (i + 1 < real.size()) {
                double p1 = real.get(i);
                double p2 = real.get(i + 1);
                specs.add(new double[] {Math.max(Math.abs(p1), Math.abs(p2)), 2, -(p1 + p2), p1 * p2, (p1 + p2) / 2});
            } else {
                double p1 = real.get(i);
                specs.add(new double[] {Math.abs(p1), 1, -p1, 0, p1});
            }
        }
        specs.sort(Comparator.comparingDouble(s -> s[0]));
        int plus = zerosAtPlusOne;
        int minus = zerosAtMinusOne;
        double[][] out = new double[specs.size()][];
        // assign zeros starting from the section closest to the unit circle, as scipy does
        for (int i = specs.size() - 1; i >= 0; i--) {
            double[] s = specs.get(i);
            int count = (int) s[1];
            double sum = 0;
            double product = 1;
            for (int z = 0; z < count; z++) {
                boolean preferPlus = s[4] >= 0;
                double zero;
                if ((preferPlus && plus > 0) || minus == 0) {
                    zero = 1;
                    plus--;
                } else {
                    zero = -1;
                    minus--;
                }
                sum += zero;
                product *= zero;
            }
            double[] row = count == 2
                    ? new double[] {1, -sum, product, 1, s[2], s[3]}
                    : new double[] {1, -sum, 0, 1, s[2], 0};
            out[i] = row;
        }
        for (int j = 0; j < 3; j++) {
            out[0][j] *= gain;
        }
        return out;
    }

    private static double[] csqrt(double re, double im) {
        double r = Math.hypot(re, im);
        double a = Math.sqrt((r + re) / 2);
        double b = Math.sqrt((r - re) / 2);
        return new double[] {a, im < 0 ? -b : b};
    }
}
