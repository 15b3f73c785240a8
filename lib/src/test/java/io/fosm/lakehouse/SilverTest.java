package io.fosm.lakehouse;

import static io.fosm.testing.TestChunks.*;
import static org.junit.jupiter.api.Assertions.*;

import io.fosm.config.FosmConfig;
import io.fosm.testing.SparkTestSession;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

class SilverTest {
    private final SparkSession spark = SparkTestSession.get();
    private static final Timestamp NOW = Timestamp.from(Instant.parse("2026-01-02T00:00:00Z"));

    private static float[] ok(long seed) {
        return noise(1.0, 1000, seed);
    }

    /** One row per rule, keyed by channel so the test can read back each outcome. */
    private List<Row> oneOfEach() {
        float[] nan = ok(3);
        nan[17] = Float.NaN;
        float[] inf = ok(4);
        inf[0] = Float.POSITIVE_INFINITY;
        return List.of(
                bronze("demo", 0, T0, 1000, ok(1), 1, "a"),                   // valid
                bronze("ghost", 1, T0, 1000, ok(2), 1, "a"),                  // unknown_fiber
                bronze("demo", 64, T0, 1000, ok(2), 1, "a"),                  // channel_out_of_range (64 channels)
                bronze("demo", 3, T0, 500, noise(1, 500, 5), 1, "a"),         // sample_rate_mismatch
                bronze("demo", 4, T0, 1000, noise(1, 999, 5), 1, "a"),        // wrong_sample_count
                bronze("demo", 5, T0, 1000, nan, 1, "a"),                     // non_finite_sample
                bronze("demo", 6, T0, 1000, inf, 1, "a"),                     // non_finite_sample
                bronze("demo", 7, T0 + 3_600_000_000L * 24 * 365, 1000, ok(6), 1, "a"), // bad_timestamp (a year ahead)
                bronze("demo", 8, 0L, 1000, ok(7), 1, "a"));                  // bad_timestamp (1970)
    }

    private static Map<Integer, String> reasonsByChannel(Dataset<Row> classified) {
        Map<Integer, String> out = new HashMap<>();
        for (Row r : classified.select(Columns.CHANNEL, Columns.REASON).collectAsList()) {
            out.put(r.getInt(0), r.isNullAt(1) ? "valid" : r.getString(1));
        }
        return out;
    }

    @Test
    void everyRuleHasItsNamedReason() {
        FosmConfig config = FosmConfig.local();
        Dataset<Row> classified = Silver.classify(bronzeFrame(spark, oneOfEach()), config, NOW);
        Map<Integer, String> reasons = reasonsByChannel(classified);
        assertEquals("valid", reasons.get(0));
        assertEquals("unknown_fiber", reasons.get(1));
        assertEquals("channel_out_of_range", reasons.get(64));
        assertEquals("sample_rate_mismatch", reasons.get(3));
        assertEquals("wrong_sample_count", reasons.get(4));
        assertEquals("non_finite_sample", reasons.get(5));
        assertEquals("non_finite_sample", reasons.get(6));
        assertEquals("bad_timestamp", reasons.get(7));
        assertEquals("bad_timestamp", reasons.get(8));
        Row detail = classified.filter("channel = 4").select(Columns.DETAIL).head();
        assertEquals("expected 1000 samples (sample_rate x record.chunk_seconds), got 999", detail.getString(0));
        Row nan = classified.filter("channel = 5").select(Columns.DETAIL).head();
        assertEquals("1 NaN/infinite samples", nan.getString(0));
    }

    @Test
    void duplicatesKeepTheHighestSeqAndQuarantineTheRest() {
        float[] corrupt = ok(9);
        corrupt[0] = Float.NaN;
        List<Row> rows = List.of(
                bronze("demo", 2, T0, 1000, ok(1), 5, "first"),
                bronze("demo", 2, T0, 1000, ok(2), 7, "resent"),
                // a corrupt copy with a higher seq must not displace a valid one
                bronze("demo", 2, T0, 1000, corrupt, 9, "corrupt"));
        Dataset<Row> classified = Silver.classify(bronzeFrame(spark, rows), FosmConfig.local(), NOW);
        Map<String, String> byFile = new HashMap<>();
        for (Row r : classified.select(Columns.SOURCE_FILE, Columns.REASON).collectAsList()) {
            byFile.put(r.getString(0), r.isNullAt(1) ? "valid" : r.getString(1));
        }
        assertEquals(Map.of("resent", "valid", "first", "duplicate_key", "corrupt", "non_finite_sample"), byFile);
        String detail = classified.filter("source_file = 'first'").select(Columns.DETAIL).head().getString(0);
        assertEquals("same key as the kept chunk with seq 7 from resent", detail);
    }

    @Test
    void failingGateDoesNotPublishAndSaysWhichCheckFailedByHowMuch() {
        // 8 of 9 rows are invalid: far above silver.max_quarantine_fraction = 0.2
        FosmConfig config = SparkTestSession.lakehouse("silver-gate");
        bronzeFrame(spark, oneOfEach()).write().format("delta").save(Tables.BRONZE.path(config));
        Silver.Result result = Silver.run(spark, config, Optional.empty());
        assertFalse(result.published());
        assertFalse(Delta.exists(spark, Tables.SILVER.path(config)), "nothing may be published");
        assertFalse(Delta.exists(spark, Tables.SILVER_QUARANTINE.path(config)));
        List<String> failed = result.report().failures().stream().map(f -> f.check() + "|" + f.measured()).toList();
        assertEquals(List.of("batch|0.111111"), failed, result.report().render());
        assertTrue(result.report().render().contains("at least 80.0% of rows pass validation"),
                result.report().render());
        assertEquals(9, result.rows());
        assertEquals(1, result.valid());
        assertTrue(new java.io.File(config.tablePath(Tables.DEEQU_METRICS)).isFile(), "metrics are kept even on failure");
    }

    @Test
    void passingBatchIsPublishedWithQuarantineAndIsIdempotent() {
        FosmConfig config = SparkTestSession.lakehouse("silver-pass");
        List<Row> rows = new ArrayList<>();
        for (int ch = 0; ch < 10; ch++) {
            rows.add(bronze("demo", ch, T0, 1000, ok(ch), 1, "f1"));
            rows.add(bronze("demo", ch, T0 + 1_000_000, 1000, ok(100 + ch), 1, "f1"));
        }
        rows.add(bronze("demo", 3, T0, 1000, ok(3), 0, "f0"));          // duplicate with a lower seq
        rows.add(bronze("demo", 99, T0, 1000, ok(3), 1, "f1"));         // out of range
        bronzeFrame(spark, rows).write().format("delta").save(Tables.BRONZE.path(config));

        Silver.Result first = Silver.run(spark, config, Optional.empty());
        assertTrue(first.published(), first.report().render());
        assertEquals(Map.of("channel_out_of_range", 1L, "duplicate_key", 1L), first.quarantinedByReason());
        Dataset<Row> silver = spark.read().format("delta").load(Tables.SILVER.path(config));
        assertEquals(20, silver.count());
        assertEquals(2, spark.read().format("delta").load(Tables.SILVER_QUARANTINE.path(config)).count());

        Silver.Result second = Silver.run(spark, config, Optional.empty());
        assertTrue(second.published());
        assertEquals(20, spark.read().format("delta").load(Tables.SILVER.path(config)).count(), "rerun adds nothing");
        assertEquals(2, spark.read().format("delta").load(Tables.SILVER_QUARANTINE.path(config)).count());
    }

    @Test
    void dateRunsReplaceOnlyTheirOwnPartition() {
        FosmConfig config = SparkTestSession.lakehouse("silver-dates");
        long day = 86_400_000_000L;
        List<Row> rows = new ArrayList<>();
        for (int ch = 0; ch < 4; ch++) {
            rows.add(bronze("demo", ch, T0, 1000, ok(ch), 1, "d1"));
            rows.add(bronze("demo", ch, T0 + day, 1000, ok(10 + ch), 1, "d2"));
        }
        bronzeFrame(spark, rows).write().format("delta").partitionBy(Columns.FIBER_ID, Columns.EVENT_DATE)
                .save(Tables.BRONZE.path(config));
        java.time.LocalDate d1 = java.time.LocalDate.parse("2026-01-01");
        java.time.LocalDate d2 = d1.plusDays(1);
        assertTrue(Silver.run(spark, config, Optional.of(d1)).published());
        Dataset<Row> silver = spark.read().format("delta").load(Tables.SILVER.path(config));
        assertEquals(4, silver.count());
        assertEquals(4, silver.filter(silver.col(Columns.EVENT_DATE).equalTo(java.sql.Date.valueOf(d1))).count());
        assertTrue(Silver.run(spark, config, Optional.of(d2)).published());
        assertTrue(Silver.run(spark, config, Optional.of(d1)).published(), "reprocessing a day");
        silver = spark.read().format("delta").load(Tables.SILVER.path(config));
        assertEquals(8, silver.count(), "each day's partition is replaced, the other day's is kept");
    }

    @Test
    void configuredBandPassFiltersTheFibersChunks() {
        FosmConfig config = FosmConfig.local("fiber.demo.filter.bandpass=100,200,4");
        float[] x = new float[1000];
        float[] low = sine(20, 1.0, 1000, 1000, 0);
        float[] mid = sine(150, 1.0, 1000, 1000, 0);
        for (int i = 0; i < x.length; i++) {
            x[i] = low[i] + mid[i];
        }
        Dataset<Row> silver = Silver.valid(Silver.classify(bronzeFrame(spark, List.of(
                bronze("demo", 0, T0, 1000, x, 1, "f"),
                bronze("fiber-1", 0, T0, 1000, x, 1, "f"))), config, NOW));
        Dataset<Row> filtered = SilverFilters.apply(silver, config.fibers());
        Map<String, double[]> byFiber = new HashMap<>();
        for (Row r : filtered.collectAsList()) {
            float[] samples = Samples.decode((byte[]) r.get(r.fieldIndex(Columns.SAMPLES)));
            double[] y = new double[samples.length];
            for (int i = 0; i < y.length; i++) {
                y[i] = samples[i];
            }
            byFiber.put(r.getString(r.fieldIndex(Columns.FIBER_ID)), y);
        }
        double[] demo = byFiber.get("demo");
        double worst = 0;
        for (int i = 200; i < 800; i++) {   // away from the chunk edges
            worst = Math.max(worst, Math.abs(demo[i] - mid[i]));
        }
        assertTrue(worst < 0.02, "the 20 Hz component is removed and the 150 Hz tone kept, max error " + worst);
        assertEquals(x[123], byFiber.get("fiber-1")[123], 0.0, "a fiber without filters passes untouched");
    }
}
