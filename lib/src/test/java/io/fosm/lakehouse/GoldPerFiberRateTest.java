package io.fosm.lakehouse;

import static io.fosm.testing.TestChunks.*;
import static org.junit.jupiter.api.Assertions.*;

import io.fosm.config.FosmConfig;
import io.fosm.dsp.FeatureConfig;
import io.fosm.dsp.FeatureExtractor;
import io.fosm.geometry.FiberRoute;
import io.fosm.testing.SparkTestSession;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** Fibers of one lakehouse at different sample rates: each fiber's windows and bands follow its own rate. */
class GoldPerFiberRateTest {
    private final SparkSession spark = SparkTestSession.get();

    @Test
    void eachFibersWindowsAndBandsFollowItsOwnRate() {
        FosmConfig config = FosmConfig.local("fibers=fast,slow", "fiber.fast.channels=2", "fiber.fast.sample_rate=1000",
                "fiber.slow.channels=2", "fiber.slow.sample_rate=200", "fiber.slow.bands=1-10,10-50,50-100",
                "fiber.slow.first_channel=-1", "gold.temporal_windows=0");
        List<Row> rows = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            rows.add(bronze("fast", 0, T0 + s * 1_000_000L, 1000, sine(150, 1, 1000, 1000, s * 1000L), s, "f"));
            rows.add(bronze("slow", -1, T0 + s * 1_000_000L, 200, sine(30, 1, 200, 200, s * 200L), s, "s"));
        }
        Dataset<Row> windows = Gold.windows(bronzeFrame(spark, rows), config);
        FiberFeatures perFiber = FiberFeatures.of(config);
        assertTrue(Arrays.asList(perFiber.columns()).contains("band_power_200_500hz"), "the union of the bands");
        assertFalse(Arrays.asList(perFiber.modelColumns()).contains("band_power_100_200hz"),
                "models use the bands every fiber has");
        assertTrue(windows.schema().apply("band_power_100_200hz").nullable());
        assertFalse(windows.schema().apply("band_power_10_50hz").nullable());

        // 3 s of each fiber, 1 s windows every 0.5 s: 5 windows each, at the fiber's own rate
        Row slow = windows.filter("fiber_id = 'slow'").orderBy("window_start").head();
        Row fast = windows.filter("fiber_id = 'fast'").orderBy("window_start").head();
        assertEquals(5, windows.filter("fiber_id = 'slow'").count());
        assertEquals(5, windows.filter("fiber_id = 'fast'").count());
        assertEquals(200.0, slow.getDouble(slow.fieldIndex(Columns.SAMPLE_RATE)));
        assertEquals(1_000_000L, (slow.getTimestamp(slow.fieldIndex(Columns.WINDOW_END)).getTime()
                - slow.getTimestamp(slow.fieldIndex(Columns.WINDOW_START)).getTime()) * 1000);
        assertTrue(slow.isNullAt(slow.fieldIndex("band_power_100_200hz")), "the slow fiber has no such band");
        assertEquals(30.0, slow.getDouble(slow.fieldIndex("dominant_frequency")), 1e-9);
        assertEquals(150.0, fast.getDouble(fast.fieldIndex("dominant_frequency")), 1e-9);

        // the same numbers as the DSP at the fiber's own settings on the same samples
        FeatureConfig slowConfig = perFiber.forFiber("slow");
        assertEquals(200, slowConfig.windowSamples());
        double[] expected = new double[FeatureExtractor.featureNames(slowConfig).length];
        float[] samples = sine(30, 1, 200, 200, 0);
        double[] first = new double[samples.length];
        for (int i = 0; i < samples.length; i++) {
            first[i] = samples[i];
        }
        new FeatureExtractor(slowConfig).extract(first, 0, expected);
        String[] names = FeatureExtractor.featureNames(slowConfig);
        for (int i = 0; i < names.length; i++) {
            assertEquals(expected[i], slow.getDouble(slow.fieldIndex(names[i])), 1e-9 * Math.max(1, Math.abs(expected[i])),
                    names[i]);
        }

        // geometry: chainage per (fiber, channel); the slow fiber's channel -1 lies 2.5 m before the reference
        FiberRoutes routes = FiberRoutes.of(Map.of("fast", FiberRoute.straight(1.0), "slow", FiberRoute.straight(2.5)),
                config.fibers());
        Row located = routes.withGeometry(windows).filter("fiber_id = 'slow'").head();
        assertEquals(-2.5, located.getDouble(located.fieldIndex(Columns.CHAINAGE_M)), 1e-12);
        assertTrue(located.isNullAt(located.fieldIndex(Columns.LATITUDE)), "no route line, no coordinates");
    }
}
