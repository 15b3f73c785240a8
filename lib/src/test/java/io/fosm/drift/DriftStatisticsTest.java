package io.fosm.drift;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every drift statistic against scipy's values (fixtures/drift_statistics.json from make_drift_fixtures.py). */
class DriftStatisticsTest {
    private static final double TOL = 1e-6;

    static JsonNode fixture() throws IOException {
        try (InputStream in = DriftStatisticsTest.class.getResourceAsStream("/fixtures/drift_statistics.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    static Stream<Arguments> cases() throws IOException {
        List<Arguments> out = new ArrayList<>();
        fixture().get("cases").forEach(c -> out.add(Arguments.of(c.get("name").asText(), c)));
        return out.stream();
    }

    static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }

    @Test
    void theEpsilonIsTheOneTheFixturesUsed() throws IOException {
        assertEquals(fixture().get("psi_epsilon").asDouble(), DriftStatistics.PSI_EPSILON);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyStatisticMatchesScipy(String name, JsonNode c) {
        double[] ref = doubles(c.get("reference"));
        double[] cur = doubles(c.get("current"));
        double[] edges = DriftStatistics.quantileEdges(ref, 10);
        assertArrayEquals(doubles(c.get("edges")), edges, 1e-12, name + ": quantile edges vs np.quantile");
        double[] refCounts = DriftStatistics.histogram(edges, ref);
        double[] curCounts = DriftStatistics.histogram(edges, cur);
        assertArrayEquals(doubles(c.get("reference_counts")), refCounts, 0, name + ": reference bins");
        assertArrayEquals(doubles(c.get("current_counts")), curCounts, 0, name + ": current bins");

        assertEquals(c.get("psi").asDouble(), DriftStatistics.psi(refCounts, curCounts), TOL, name + ": PSI");
        assertEquals(c.get("js_distance").asDouble(), DriftStatistics.jensenShannon(refCounts, curCounts), TOL,
                name + ": Jensen-Shannon distance");
        DriftStatistics.Ks ks = DriftStatistics.ks2samp(ref, cur);
        assertEquals(c.get("ks_statistic").asDouble(), ks.statistic(), TOL, name + ": KS statistic");
        double p = c.get("ks_pvalue").asDouble();
        // tiny p-values: compare relatively as well, an absolute 1e-6 alone would accept any p below it
        assertEquals(p, ks.pValue(), Math.max(TOL * p, 1e-300) + (p > 1e-6 ? TOL : 0), name + ": KS p-value");
        assertTrue(ks.exact(), name + ": p-value is the exact one");
        assertEquals(c.get("wasserstein").asDouble(), DriftStatistics.wasserstein(ref, cur), TOL,
                name + ": Wasserstein");

        double[] centres = doubles(c.get("hist_centres"));
        assertEquals(c.get("wasserstein_weighted").asDouble(), DriftStatistics.wasserstein(centres, refCounts,
                centres, curCounts), TOL, name + ": weighted Wasserstein");
    }

    @Test
    void theStatisticsAreSymmetricWhereScipysAre() {
        double[] a = {1, 2, 3, 4, 5, 6, 7, 8};
        double[] b = {2.5, 3.5, 9, 10, 11};
        assertEquals(DriftStatistics.ks2samp(a, b).pValue(), DriftStatistics.ks2samp(b, a).pValue(), 1e-15);
        assertEquals(DriftStatistics.wasserstein(a, b), DriftStatistics.wasserstein(b, a), 1e-15);
        double[] p = {1, 2, 3};
        double[] q = {3, 2, 1};
        assertEquals(DriftStatistics.jensenShannon(p, q), DriftStatistics.jensenShannon(q, p), 1e-15);
        assertEquals(0, DriftStatistics.psi(p, p), 0);
    }

    @Test
    void emptyInputsAreRefusedWithTheirSizes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DriftStatistics.ks2samp(new double[0], new double[] {1}));
        assertEquals("ks2samp needs two non-empty samples, cannot be: 0 and 1 values", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DriftStatistics.psi(new double[] {1, 2}, new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> DriftStatistics.psi(new double[] {0, 0}, new double[] {1, 1}));
    }

    @Test
    void largeSamplesUseTheLimitingKolmogorovDistribution() throws IOException {
        for (JsonNode c : fixture().get("asymptotic")) {
            int n = c.get("n").asInt();
            double[] a = new double[n];
            double[] b = new double[n];
            for (int i = 0; i < n; i++) {
                a[i] = i;
                b[i] = i + c.get("shift").asDouble();
            }
            DriftStatistics.Ks ks = DriftStatistics.ks2samp(a, b);
            String what = "shift " + c.get("shift").asDouble();
            assertTrue(!ks.exact(), what);
            assertEquals(c.get("ks_statistic").asDouble(), ks.statistic(), TOL, what);
            double limit = c.get("kstwobign_pvalue").asDouble();
            assertEquals(limit, ks.pValue(), TOL * limit, what + ": scipy.stats.kstwobign.sf");
            // scipy's own asymptotic p-value (finite-n kstwo) stays within a few percent of the limit
            double scipyP = c.get("ks_pvalue").asDouble();
            assertEquals(scipyP, ks.pValue(), 0.1 * scipyP, what + ": ks_2samp's asymptotic p-value");
        }
    }
}
