package io.fosm.bench;

import io.fosm.dsp.FeatureConfig;
import io.fosm.dsp.SpectralFeatures;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.jtransforms.fft.DoubleFFT_1D;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Where the time of one window goes after the FFT, and what a refactor of FeatureExtractor.extractSpectral would
 * save. Not part of the reported figures; a measurement for the DSP owner (docs/benchmarks.md, "Hot path").
 *
 * <ul>
 *   <li>{@code spectralAsIs}: the calls extractSpectral makes today, on one |X|^2 array: S is recomputed inside
 *       centroid, bandwidth (twice: it calls centroid), entropy, rolloff, flatness and totalPower.</li>
 *   <li>{@code spectralOnePassS}: the same arithmetic in the same order with S computed once and passed on:
 *       bit-identical results.</li>
 *   <li>{@code spectralOnePassSMulEntropy}: as above, and entropy as -sum q ln q with q = P * (1/S) (a multiply
 *       instead of a divide per bin): not bit-identical (last-ulp differences), a further option.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "-XX:+UseParallelGC"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SpectralSketchBench {
    private double[] power;
    private double[] freq;
    private int bins;
    private double scale;
    private final double[] out = new double[19];
    private int[] bandFrom;
    private int[] bandTo;

    @Setup(Level.Trial)
    public void setup() {
        FeatureConfig c = FeatureConfig.defaults(1000.0);
        int n = c.windowSamples();
        bins = c.spectrumBins();
        Random rnd = new Random(3);
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = rnd.nextGaussian() * (0.5 - 0.5 * Math.cos(2 * Math.PI * i / n));
        }
        new DoubleFFT_1D(n).realForward(a);
        power = new double[bins + 1];
        power[0] = a[0] * a[0];
        for (int k = 1; k < bins; k++) {
            power[k] = a[2 * k] * a[2 * k] + a[2 * k + 1] * a[2 * k + 1];
        }
        power[bins] = a[1] * a[1];
        freq = new double[bins + 1];
        for (int k = 0; k <= bins; k++) {
            freq[k] = k * 1000.0 / n;
        }
        scale = 1.0 / (n * 375.0);
        double[][] edges = {{1, 10}, {10, 50}, {50, 100}, {100, 200}, {200, 500}};
        bandFrom = new int[5];
        bandTo = new int[5];
        for (int b = 0; b < 5; b++) {
            int from = 1;
            while (from <= bins && freq[from] < edges[b][0]) {
                from++;
            }
            int to = from;
            while (to <= bins && freq[to] < edges[b][1]) {
                to++;
            }
            bandFrom[b] = from;
            bandTo[b] = to;
        }
    }

    private void bands() {
        for (int b = 0; b < bandFrom.length; b++) {
            double acc = 0;
            for (int k = bandFrom[b]; k < bandTo[b]; k++) {
                acc += power[k];
            }
            out[14 + b] = 2 * acc * scale;
        }
    }

    @Benchmark
    public double[] spectralAsIs() {
        double s = SpectralFeatures.total(power, bins);
        if (s == 0) {
            return out;
        }
        out[7] = SpectralFeatures.centroid(power, freq, bins);
        out[8] = SpectralFeatures.bandwidth(power, freq, bins);
        out[9] = SpectralFeatures.entropy(power, bins);
        out[10] = SpectralFeatures.rolloff(power, freq, bins, 0.85);
        out[11] = SpectralFeatures.flatness(power, bins, 8);
        out[12] = SpectralFeatures.dominantFrequency(power, freq, bins);
        out[13] = SpectralFeatures.totalPower(power, bins, scale);
        bands();
        return out;
    }

    @Benchmark
    public double[] spectralOnePassS() {
        spectralOnce(false);
        return out;
    }

    @Benchmark
    public double[] spectralOnePassSMulEntropy() {
        spectralOnce(true);
        return out;
    }

    private void spectralOnce(boolean mulEntropy) {
        double s = SpectralFeatures.total(power, bins);
        if (s == 0) {
            return;
        }
        double acc = 0;
        for (int k = 1; k <= bins; k++) {
            acc += freq[k] * power[k];
        }
        double c = acc / s;
        out[7] = c;
        double bw = 0;
        for (int k = 1; k <= bins; k++) {
            double d = freq[k] - c;
            bw += d * d * power[k];
        }
        out[8] = Math.sqrt(bw / s);
        double h = 0;
        double inv = 1 / s;
        for (int k = 1; k <= bins; k++) {
            double p = mulEntropy ? power[k] * inv : power[k] / s;
            if (p > 0) {
                h -= p * Math.log(p);
            }
        }
        out[9] = h / Math.log(bins);
        double threshold = 0.85 * s;
        double cum = 0;
        out[10] = freq[bins];
        for (int k = 1; k <= bins; k++) {
            cum += power[k];
            if (cum >= threshold) {
                out[10] = freq[k];
                break;
            }
        }
        int groups = bins / 8;
        double sumLog = 0;
        double sum = 0;
        int k = 1;
        for (int g = 0; g < groups; g++) {
            double a = 0;
            for (int j = 0; j < 8; j++) {
                a += power[k++];
            }
            double mean = a / 8;
            sum += mean;
            sumLog += Math.log(mean == 0 ? 1e-30 : mean);
        }
        double arithmetic = sum / groups;
        out[11] = arithmetic == 0 ? 0 : Math.exp(sumLog / groups) / arithmetic;
        out[12] = SpectralFeatures.dominantFrequency(power, freq, bins);
        out[13] = 2 * s * scale;
        bands();
    }
}
