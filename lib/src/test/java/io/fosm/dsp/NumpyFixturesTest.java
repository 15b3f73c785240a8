package io.fosm.dsp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Compares the Java implementations with independent numpy/scipy results from src/test/python/make_dsp_fixtures.py. */
class NumpyFixturesTest {

    private static final double REL = 1e-9;
    private static final double ABS = 1e-12;

    @Test
    @SuppressWarnings("unchecked")
    void everyFeatureMatchesNumpy() {
        Map<String, Object> root = MiniJson.resource("/fixtures/dsp_features.json");
        List<Map<String, Object>> cases = (List<Map<String, Object>>) root.get("cases");
        assertTrue(cases.size() >= 8, "fixture cases: " + cases.size());
        List<String> failures = new ArrayList<>();
        for (Map<String, Object> c : cases) {
            String name = (String) c.get("name");
            List<Band> bands = new ArrayList<>();
            for (Object b : (List<?>) c.get("bands")) {
                double[] e = MiniJson.doubles(b);
                bands.add(new Band(e[0], e[1]));
            }
            FeatureConfig config = FeatureConfig.builder((Double) c.get("sampleRate"))
                    .windowSamples(((Double) c.get("windowSamples")).intValue())
                    .hopSamples(1)
                    .bands(bands)
                    .rolloffFraction((Double) c.get("rolloffFraction"))
                    .flatnessGroupBins(((Double) c.get("flatnessGroupBins")).intValue())
                    .build();
            FeatureExtractor extractor = new FeatureExtractor(config);
            Map<String, Object> expected = (Map<String, Object>) c.get("features");
            assertArrayEquals(expected.keySet().toArray(new String[0]), extractor.featureNames(), name + ": feature names");
            double[] actual = extractor.extract(MiniJson.floats(c.get("samples")));
            String[] names = extractor.featureNames();
            for (int i = 0; i < names.length; i++) {
                double want = (Double) expected.get(names[i]);
                if (!close(want, actual[i])) {
                    failures.add(name + "." + names[i] + ": numpy " + want + ", java " + actual[i]);
                }
            }
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " features differ from numpy:\n" + String.join("\n", failures));
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void butterworthMatchesScipy() {
        Map<String, Object> root = MiniJson.resource("/fixtures/butterworth.json");
        double fs = (Double) root.get("sampleRate");
        double[] x = MiniJson.doubles(root.get("signal"));
        List<Map<String, Object>> filters = (List<Map<String, Object>>) root.get("filters");
        assertEquals(4, filters.size());
        for (Map<String, Object> f : filters) {
            String kind = (String) f.get("btype");
            int order = ((Double) f.get("order")).intValue();
            double[] cut = MiniJson.doubles(f.get("cutoffs"));
            Butterworth bw = switch (kind) {
                case "bandpass" -> Butterworth.bandPass(order, cut[0], cut[1], fs);
                case "lowpass" -> Butterworth.lowPass(order, cut[0], fs);
                case "highpass" -> Butterworth.highPass(order, cut[0], fs);
                default -> throw new IllegalStateException("unknown btype " + kind);
            };
            String label = kind + " order " + order;
            assertEquals(((Double) f.get("padlen")).intValue(), bw.padLength(), label + ": padlen");
            assertEquals(((List<?>) f.get("sos")).size(), bw.sos().length, label + ": sections");
            double[] freqs = MiniJson.doubles(f.get("freqs"));
            double[] mag = MiniJson.doubles(f.get("magnitude"));
            for (int i = 0; i < freqs.length; i++) {
                assertEquals(mag[i], bw.magnitudeAt(freqs[i]), 1e-9, label + ": |H| at " + freqs[i] + " Hz");
            }
            assertSignalClose(MiniJson.doubles(f.get("filtfilt")), bw.filtfilt(x), label + " filtfilt");
            assertSignalClose(MiniJson.doubles(f.get("filter")), bw.filter(x), label + " filter");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void savitzkyGolayMatchesScipy() {
        Map<String, Object> root = MiniJson.resource("/fixtures/savgol.json");
        double[] x = MiniJson.doubles(root.get("signal"));
        List<Map<String, Object>> cases = (List<Map<String, Object>>) root.get("cases");
        assertTrue(cases.size() >= 5);
        for (Map<String, Object> c : cases) {
            int wl = ((Double) c.get("windowLength")).intValue();
            int po = ((Double) c.get("polyOrder")).intValue();
            assertSignalClose(MiniJson.doubles(c.get("smoothed")), new SavitzkyGolay(wl, po).smooth(x),
                    "savgol(" + wl + ", " + po + ")");
        }
    }

    /** Relative to the signal's peak, since single samples near zero have no meaningful relative error. */
    private static void assertSignalClose(double[] want, double[] got, String label) {
        assertEquals(want.length, got.length, label + ": length");
        double peak = 0;
        for (double v : want) {
            peak = Math.max(peak, Math.abs(v));
        }
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-9 * peak + ABS, label + ": sample " + i);
        }
    }

    private static boolean close(double want, double got) {
        return Double.isFinite(got) && Math.abs(want - got) <= Math.max(ABS, REL * Math.abs(want));
    }
}
