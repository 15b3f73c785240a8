package io.fosm.dsp;

import java.io.Serializable;

/**
 * Savitzky-Golay smoothing, matching {@code scipy.signal.savgol_filter(x, windowLength, polyOrder)} with its default
 * {@code mode='interp'}: a least-squares polynomial fit over each centred window, and at both edges the polynomial fitted
 * to the first (last) full window evaluated at the samples it covers.
 *
 * <p>Immutable and thread-safe.
 */
public final class SavitzkyGolay implements Serializable {

    private static final long serialVersionUID = 1L;

    private final int windowLength;
    private final int polyOrder;
    /**
     * Hat matrix of the window: row i gives the fitted value at window position i as weights on the window's samples.
     * The middle row is the smoothing kernel; the rows before and after it fill the edges.
     */
    private final double[][] hat;

    /** A smoother over {@code windowLength} samples (odd, at least 1) fitting polynomials of degree {@code polyOrder}. */
    public SavitzkyGolay(int windowLength, int polyOrder) {
        if (windowLength < 1 || windowLength % 2 == 0) {
            throw new IllegalArgumentException("window length must be a positive odd number of samples, cannot be: " + windowLength);
        }
        if (polyOrder < 0 || polyOrder >= windowLength) {
            throw new IllegalArgumentException(
                    "polynomial order must be between 0 and the window length " + windowLength + " minus 1, cannot be: " + polyOrder);
        }
        this.windowLength = windowLength;
        this.polyOrder = polyOrder;
        this.hat = hatMatrix(windowLength, polyOrder);
    }

    public int windowLength() {
        return windowLength;
    }

    public int polyOrder() {
        return polyOrder;
    }

    /** The smoothing kernel applied away from the edges (a copy); symmetric, so convolution equals correlation. */
    public double[] coefficients() {
        return hat[windowLength / 2].clone();
    }

    /** The smoothed signal, same length as {@code x}, which must hold at least one window. */
    public double[] smooth(double[] x) {
        int n = x.length;
        if (n < windowLength) {
            throw new IllegalArgumentException("Cannot smooth: signal of " + n
                    + " samples is shorter than the window of " + windowLength);
        }
        int half = windowLength / 2;
        double[] y = new double[n];
        double[] kernel = hat[half];
        for (int i = half; i < n - half; i++) {
            double acc = 0;
            int start = i - half;
            for (int j = 0; j < windowLength; j++) {
                acc += kernel[j] * x[start + j];
            }
            y[i] = acc;
        }
        int lastStart = n - windowLength;
        for (int i = 0; i < half; i++) {
            y[i] = dot(hat[i], x, 0);
            y[lastStart + half + 1 + i] = dot(hat[half + 1 + i], x, lastStart);
        }
        return y;
    }

    private static double dot(double[] w, double[] x, int start) {
        double acc = 0;
        for (int j = 0; j < w.length; j++) {
            acc += w[j] * x[start + j];
        }
        return acc;
    }

    /**
     * Q Q^T for an orthonormal basis Q of the polynomials of degree polyOrder sampled at the window positions. The
     * positions are mapped to [-1, 1] and orthonormalised twice by modified Gram-Schmidt, which keeps the projection
     * accurate to ~1e-15 where the raw Vandermonde normal equations would not be.
     */
    private static double[][] hatMatrix(int length, int order) {
        int half = length / 2;
        int cols = order + 1;
        double[][] q = new double[cols][length];
        for (int i = 0; i < length; i++) {
            double u = half == 0 ? 0 : (double) (i - half) / half;
            double p = 1;
            for (int c = 0; c < cols; c++) {
                q[c][i] = p;
                p *= u;
            }
        }
        for (int pass = 0; pass < 2; pass++) {
            for (int c = 0; c < cols; c++) {
                for (int prev = 0; prev < c; prev++) {
                    double d = 0;
                    for (int i = 0; i < length; i++) {
                        d += q[c][i] * q[prev][i];
                    }
                    for (int i = 0; i < length; i++) {
                        q[c][i] -= d * q[prev][i];
                    }
                }
                double norm = 0;
                for (int i = 0; i < length; i++) {
                    norm += q[c][i] * q[c][i];
                }
                norm = Math.sqrt(norm);
                for (int i = 0; i < length; i++) {
                    q[c][i] /= norm;
                }
            }
        }
        double[][] h = new double[length][length];
        for (int i = 0; i < length; i++) {
            for (int j = 0; j < length; j++) {
                double acc = 0;
                for (int c = 0; c < cols; c++) {
                    acc += q[c][i] * q[c][j];
                }
                h[i][j] = acc;
            }
        }
        return h;
    }
}
