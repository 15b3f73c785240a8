package io.fosm.dsp;

import static io.fosm.dsp.FeatureConfigTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class FeatureExtractorTest {

    private static final double FS = 1000;

    private final FeatureExtractor fx = new FeatureExtractor(FeatureConfig.defaults(FS));
    private final List<String> names = List.of(fx.featureNames());

    private double feature(double[] features, String name) {
        int i = names.indexOf(name);
        assertTrue(i >= 0, "no feature " + name);
        return features[i];
    }

    private static float[] sine(int n, double fs, double hz, double amp, double phase) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (amp * Math.sin(2 * Math.PI * hz * i / fs + phase));
        }
        return x;
    }

    private static float[] gaussian(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    @Test
    void featureNamesAreStableAndOrdered() {
        assertArrayEquals(new String[] {"rms", "peak_to_peak", "std", "kurtosis", "skewness", "crest_factor",
                "zero_crossing_rate", "spectral_centroid", "spectral_bandwidth", "spectral_entropy", "spectral_rolloff",
                "spectral_flatness", "dominant_frequency", "total_power", "band_power_1_10hz", "band_power_10_50hz",
                "band_power_50_100hz", "band_power_100_200hz", "band_power_200_500hz"}, fx.featureNames());
        assertEquals(19, fx.featureCount());
    }

    @Test
    void binCentredSine() {
        double amp = 2;
        double[] f = fx.extract(sine(1000, FS, 50, amp, 0.3));
        assertEquals(50, feature(f, "dominant_frequency"), 1.0);
        assertEquals(50, feature(f, "spectral_centroid"), 1.0);
        assertEquals(amp / Math.sqrt(2), feature(f, "rms"), 1e-3 * amp / Math.sqrt(2));
        assertEquals(2 * amp, feature(f, "peak_to_peak"), 1e-2 * amp);
        assertEquals(Math.sqrt(2), feature(f, "crest_factor"), 1e-2);
        assertEquals(100, feature(f, "zero_crossing_rate"), 2);
        assertEquals(amp * amp / 2, feature(f, "total_power"), 0.02 * amp * amp / 2);
        assertEquals(1.5, feature(f, "kurtosis"), 1e-3);
        assertEquals(0, feature(f, "skewness"), 1e-3);
        assertTrue(feature(f, "spectral_flatness") < 0.05, "tone flatness " + feature(f, "spectral_flatness"));
        assertTrue(feature(f, "spectral_entropy") < 0.2, "tone entropy " + feature(f, "spectral_entropy"));
    }

    @Test
    void offBinTone() {
        double[] f = fx.extract(sine(1000, FS, 123.4, 0.7, 0.4));
        assertEquals(123.4, feature(f, "dominant_frequency"), 1.0);
        assertEquals(123.4, feature(f, "spectral_centroid"), 1.0);
        assertEquals(0.7 * 0.7 / 2, feature(f, "total_power"), 0.02 * 0.7 * 0.7 / 2);
        assertEquals(246.8, feature(f, "zero_crossing_rate"), 2);
        assertTrue(feature(f, "spectral_flatness") < 0.05);
    }

    @Test
    void bandPowerLandsInTheToneBand() {
        // 75 Hz rather than 50: the Hann main lobe spans 3 bins, so a tone right on a band edge splits across two bands
        double[] f = fx.extract(sine(1000, FS, 75, 1.5, 0.1));
        double total = feature(f, "total_power");
        assertEquals(1.5 * 1.5 / 2, total, 0.02 * 1.5 * 1.5 / 2);
        assertTrue(feature(f, "band_power_50_100hz") >= 0.95 * total, "50-100 Hz holds " + feature(f, "band_power_50_100hz"));
        assertTrue(feature(f, "band_power_200_500hz") < 1e-6 * total);
    }

    @Test
    void whiteNoise() {
        FeatureExtractor big = new FeatureExtractor(FeatureConfig.builder(FS).windowSamples(4096).hopSamples(4096).build());
        List<String> n = List.of(big.featureNames());
        double[] f = big.extract(gaussian(4096, 7));
        assertTrue(f[n.indexOf("spectral_flatness")] > 0.85, "flatness " + f[n.indexOf("spectral_flatness")]);
        assertTrue(f[n.indexOf("spectral_entropy")] > 0.9, "entropy " + f[n.indexOf("spectral_entropy")]);
        assertTrue(f[n.indexOf("spectral_entropy")] <= 1.0);
        assertEquals(3, f[n.indexOf("kurtosis")], 0.3);
        assertEquals(0, f[n.indexOf("skewness")], 0.15);
        assertEquals(0.85 * FS / 2, f[n.indexOf("spectral_rolloff")], 20);
        assertEquals(FS / 4, f[n.indexOf("spectral_centroid")], 15);
        assertEquals(1.0, f[n.indexOf("total_power")], 0.1);
        assertEquals(1.0, f[n.indexOf("std")], 0.05);
    }

    @Test
    void constantAndZeroWindowsGiveFiniteZeros() {
        float[] constant = new float[1000];
        Arrays.fill(constant, 0.1f);
        double[] c = fx.extract(constant);
        double[] z = fx.extract(new float[1000]);
        for (int i = 0; i < c.length; i++) {
            assertTrue(Double.isFinite(c[i]) && Double.isFinite(z[i]), names.get(i) + " not finite");
            assertEquals(0, z[i], names.get(i));
            if (i != names.indexOf("rms") && i != names.indexOf("crest_factor")) {
                assertEquals(0, c[i], names.get(i) + " of a constant window");
            }
        }
        assertEquals(0.1f, feature(c, "rms"), 1e-12);
        assertEquals(1, feature(c, "crest_factor"), 1e-12);
    }

    @Test
    void oddWindowLength() {
        FeatureExtractor odd = new FeatureExtractor(FeatureConfig.builder(FS).windowSamples(1001).hopSamples(500).build());
        List<String> n = List.of(odd.featureNames());
        double[] f = odd.extract(sine(1001, FS, 250.3, 1, 0.2));
        assertEquals(250.3, f[n.indexOf("dominant_frequency")], FS / 1001);
        assertEquals(0.5, f[n.indexOf("total_power")], 0.01);
        // the last bin of an odd-length FFT has a real and an imaginary part packed apart: a tone next to it must show up
        double nearNyquist = 500 * 1000.0 / 1001;
        double[] g = odd.extract(sine(1001, FS, nearNyquist, 1, 0.7));
        assertEquals(nearNyquist, g[n.indexOf("dominant_frequency")], 1e-9);
        assertEquals(0.5, g[n.indexOf("total_power")], 0.3);
    }

    @Test
    void offsetAndBufferReuseDoNotLeakBetweenCalls() {
        float[] noise = gaussian(1000, 3);
        double[] expected = new FeatureExtractor(FeatureConfig.defaults(FS)).extract(noise);
        fx.extract(sine(1000, FS, 50, 3, 0));
        double[] padded = new double[1100];
        Arrays.fill(padded, 99);
        for (int i = 0; i < 1000; i++) {
            padded[37 + i] = noise[i];
        }
        double[] out = new double[fx.featureCount() + 2];
        fx.extract(padded, 37, out);
        assertArrayEquals(expected, Arrays.copyOf(out, fx.featureCount()));
    }

    @Test
    void staticFunctionsAgreeWithExtract() {
        float[] xf = gaussian(1000, 11);
        double[] x = new double[1000];
        for (int i = 0; i < x.length; i++) {
            x[i] = xf[i] * 2 + 0.5 * Math.sin(i * 0.3);
        }
        double[] out = new double[fx.featureCount()];
        fx.extract(x, 0, out);
        assertEquals(TimeFeatures.rms(x, 0, 1000), feature(out, "rms"), 1e-12);
        assertEquals(TimeFeatures.peakToPeak(x, 0, 1000), feature(out, "peak_to_peak"), 1e-12);
        assertEquals(TimeFeatures.std(x, 0, 1000), feature(out, "std"), 1e-12);
        assertEquals(TimeFeatures.kurtosis(x, 0, 1000), feature(out, "kurtosis"), 1e-12);
        assertEquals(TimeFeatures.skewness(x, 0, 1000), feature(out, "skewness"), 1e-12);
        assertEquals(TimeFeatures.crestFactor(x, 0, 1000), feature(out, "crest_factor"), 1e-12);
        assertEquals(TimeFeatures.zeroCrossingRate(x, 0, 1000, FS), feature(out, "zero_crossing_rate"), 1e-12);
    }

    @Test
    void spectralFunctionsOnAHandMadeSpectrum() {
        // bins 1..4 at 10, 20, 30, 40 Hz; index 0 (DC) is ignored
        double[] power = {1000, 1, 0, 3, 0};
        double[] freq = {0, 10, 20, 30, 40};
        assertEquals(4, SpectralFeatures.total(power, 4));
        assertEquals((10 + 90) / 4.0, SpectralFeatures.centroid(power, freq, 4), 1e-12);
        assertEquals(Math.sqrt((15 * 15 * 1 + 5 * 5 * 3) / 4.0), SpectralFeatures.bandwidth(power, freq, 4), 1e-12);
        assertEquals(-(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75)) / Math.log(4), SpectralFeatures.entropy(power, 4), 1e-12);
        assertEquals(10, SpectralFeatures.rolloff(power, freq, 4, 0.25));
        assertEquals(30, SpectralFeatures.rolloff(power, freq, 4, 0.26));
        assertEquals(30, SpectralFeatures.dominantFrequency(power, freq, 4));
        // groups of 2: means 0.5 and 1.5 -> sqrt(0.75) / 1
        assertEquals(Math.sqrt(0.75), SpectralFeatures.flatness(power, 4, 2), 1e-12);
        // groups of 3: one group, the incomplete rest dropped -> flatness of a single value is 1
        assertEquals(1, SpectralFeatures.flatness(power, 4, 3), 1e-12);
        assertEquals(2 * 3 * 0.5, SpectralFeatures.bandPower(power, freq, 4, 0.5, 20, 40), 1e-12);
        assertEquals(0, SpectralFeatures.entropy(new double[5], 4));
        assertEquals(0, SpectralFeatures.flatness(new double[5], 4, 2));
    }

    @Test
    void extractAllocatesNothingPerWindow() {
        // JTransforms' own FFT allocates an N-double scratch per call for sizes that are not powers of two (mixed radix),
        // so only a power-of-two window can show that our part allocates nothing
        assertEquals(0, bytesPerExtract(1024));
        assertTrue(bytesPerExtract(1000) <= 8 * 1000 + 64, "N=1000 allocates more than JTransforms' scratch");
    }

    private static long bytesPerExtract(int n) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        FeatureExtractor e = new FeatureExtractor(FeatureConfig.builder(FS).windowSamples(n).hopSamples(n).build());
        float[] xf = gaussian(n, 5);
        double[] x = new double[n];
        for (int i = 0; i < x.length; i++) {
            x[i] = xf[i];
        }
        double[] out = new double[e.featureCount()];
        for (int i = 0; i < 3000; i++) {
            e.extract(x, 0, out);
        }
        long tid = Thread.currentThread().getId();
        long before = mx.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 1000; i++) {
            e.extract(x, 0, out);
        }
        return (mx.getThreadAllocatedBytes(tid) - before) / 1000;
    }

    @Test
    void argumentChecks() {
        double[] out = new double[fx.featureCount()];
        assertMessage("offset 1", () -> fx.extract(new double[1000], 1, out));
        assertMessage("offset -1", () -> fx.extract(new double[1000], -1, out));
        assertMessage("output array of 3", () -> fx.extract(new double[1000], 0, new double[3]));
        assertMessage("got 999", () -> fx.extract(new float[999]));
        assertMessage("cannot be: 0", () -> TimeFeatures.rms(new double[3], 0, 0));
        assertMessage("cannot be: 5", () -> TimeFeatures.centralMoment(new double[3], 0, 3, 5));
    }
}
