package io.fosm.dsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class FeatureConfigTest {

    @Test
    void defaultsAtOneKilohertz() {
        FeatureConfig c = FeatureConfig.defaults(1000);
        assertEquals(1000, c.windowSamples());
        assertEquals(500, c.hopSamples());
        assertEquals(0.85, c.rolloffFraction());
        assertEquals(8, c.flatnessGroupBins());
        assertEquals(List.of(new Band(1, 10), new Band(10, 50), new Band(50, 100), new Band(100, 200), new Band(200, 500)),
                c.bands());
    }

    @Test
    void defaultBandsAreClippedAndDroppedAtNyquist() {
        assertEquals(List.of(new Band(1, 10), new Band(10, 50), new Band(50, 100), new Band(100, 200), new Band(200, 250)),
                FeatureConfig.defaultBands(500));
        // 100-200 starts at Nyquist and is dropped; 50-100 ends exactly at it and is kept
        assertEquals(List.of(new Band(1, 10), new Band(10, 50), new Band(50, 100)), FeatureConfig.defaultBands(200));
        FeatureConfig c = FeatureConfig.defaults(250.0);
        assertEquals(250, c.windowSamples());
        assertEquals(125, c.hopSamples());
        assertEquals(new Band(100, 125), c.bands().get(3));
    }

    @Test
    void ofRoundsDurationsToSamples() {
        FeatureConfig c = FeatureConfig.of(1000, 0.2564, 0.1, List.of(new Band(0.5, 2)));
        assertEquals(256, c.windowSamples());
        assertEquals(100, c.hopSamples());
        assertEquals("band_power_0.5_2hz", c.bands().get(0).featureName());
    }

    @Test
    void bandNamesHaveNoTrailingZero() {
        assertEquals("band_power_1_10hz", new Band(1, 10).featureName());
        assertEquals("band_power_0.5_2hz", new Band(0.5, 2.0).featureName());
        assertEquals("band_power_0_12.25hz", new Band(0, 12.25).featureName());
        assertEquals("band_power_100_1000hz", new Band(100, 1000).featureName());
    }

    @Test
    void bandsListIsImmutable() {
        FeatureConfig c = FeatureConfig.defaults(1000);
        assertThrows(UnsupportedOperationException.class, () -> c.bands().add(new Band(1, 2)));
    }

    @Test
    void argumentChecksNameTheBadValue() {
        assertMessage("63", () -> FeatureConfig.builder(1000).windowSamples(63).build());
        assertMessage("window must be at least 64 samples, cannot be: 50", () -> FeatureConfig.defaults(50));
        assertMessage("cannot be: 0", () -> FeatureConfig.builder(1000).hopSamples(0).build());
        assertMessage("cannot be: 1001", () -> FeatureConfig.builder(1000).hopSamples(1001).build());
        assertMessage("cannot be: -1.0", () -> FeatureConfig.defaults(-1));
        assertMessage("cannot be: NaN", () -> FeatureConfig.defaults(Double.NaN));
        assertMessage("cannot be: 1.0", () -> FeatureConfig.builder(1000).rolloffFraction(1.0).build());
        assertMessage("cannot be: 0", () -> FeatureConfig.builder(1000).flatnessGroupBins(0).build());
        assertMessage("cannot be: 501", () -> FeatureConfig.builder(1000).flatnessGroupBins(501).build());
        assertMessage("[400, 600) Hz", () -> FeatureConfig.builder(1000).bands(List.of(new Band(400, 600))).build());
        assertMessage("cannot repeat: [1, 2) Hz",
                () -> FeatureConfig.builder(1000).bands(List.of(new Band(1, 2), new Band(1, 2))).build());
        assertMessage("cannot be: 5.0", () -> new Band(5, 5));
        assertMessage("cannot be: -1.0", () -> new Band(-1, 5));
        assertMessage("cannot be: 0.0", () -> FeatureConfig.of(1000, 0, 0.5, List.of()));
    }

    static void assertMessage(String expectedPart, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expectedPart), "message '" + e.getMessage() + "' should contain '" + expectedPart + "'");
    }
}
