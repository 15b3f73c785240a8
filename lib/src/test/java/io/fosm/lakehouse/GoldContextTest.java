package io.fosm.lakehouse;

import static io.fosm.lakehouse.Columns.*;
import static io.fosm.testing.TestChunks.*;
import static org.apache.spark.sql.functions.*;
import static org.junit.jupiter.api.Assertions.*;

import io.fosm.config.FosmConfig;
import io.fosm.dsp.TemporalContext;
import io.fosm.testing.SparkTestSession;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.junit.jupiter.api.Test;

/**
 * The Java context features ({@code TemporalContext}, {@code SpatialContext}) against gold's former Spark SQL window
 * functions, kept here as the independent reference: same values to 1e-9 on channels with gaps, missing channels and
 * changing power.
 */
class GoldContextTest {
    private final SparkSession spark = SparkTestSession.get();

    @Test
    void javaContextEqualsTheSqlWindowFunctions() {
        // gold takes each fiber's settings from the registry: the second fiber is registered too
        FosmConfig config = FosmConfig.local("gold.temporal_windows=3", "gold.lookahead_windows=3",
                "gold.baseline_windows=7", "gold.neighbor_channels=2",
                "fibers=fiber-1,demo,other", "fiber.other.channels=4");
        List<Row> rows = new ArrayList<>();
        for (int ch = 0; ch < 7; ch++) {
            for (int s = 0; s < 14; s++) {
                if ((ch == 2 && s == 5) || (ch == 5 && s > 9) || (ch == 6 && s < 3)) {
                    continue;  // a gap, a channel that stops, one that starts late
                }
                double amp = 1 + (s % 5) * 0.7 + (ch == 3 && s > 6 ? 8 : 0);
                rows.add(bronze("demo", ch, T0 + s * 1_000_000L, 1000, noise(amp, 1000, ch * 100 + s), 1, "f"));
            }
        }
        rows.add(bronze("other", 0, T0, 1000, noise(1, 1000, 999), 1, "f"));
        Dataset<Row> windows = Gold.windows(bronzeFrame(spark, rows), config).cache();
        String[] names = Gold.featureNames(config, 1000);
        Dataset<Row> java = Gold.withSpatialContext(windows, config).select(Gold.tableOrder(names));
        Dataset<Row> base = windows.drop(Gold.TEMPORAL_COLUMNS.toArray(new String[0])).drop(Gold.MOTION_INPUT);
        Dataset<Row> sql = withTemporalContextSql(withSpatialContextSql(base, 2), 3, 7);

        assertEquals(sql.count(), java.count());
        List<Column> renamed = new ArrayList<>(List.of(col(FIBER_ID), col(CHANNEL), col(WINDOW_START)));
        for (String c : SQL_CONTEXT) {
            renamed.add(col(c).as("sql_" + c));
        }
        Dataset<Row> joined = java.join(sql.select(renamed.toArray(new Column[0])),
                scala.collection.JavaConverters.asScalaBuffer(List.of(FIBER_ID, CHANNEL, WINDOW_START)).toSeq());
        assertEquals(sql.count(), joined.count(), "the same windows");
        int checked = 0;
        for (Row r : joined.collectAsList()) {
            for (String c : SQL_CONTEXT) {
                assertEquals(r.getDouble(r.fieldIndex("sql_" + c)), r.getDouble(r.fieldIndex(c)), 1e-9,
                        c + " of " + r.getString(0) + "/" + r.getInt(1) + " at " + r.get(2));
                checked++;
            }
        }
        assertTrue(checked > 300, "compared " + checked + " values");
        // the reference is not degenerate: the baseline moves and neighbours differ
        assertTrue(sql.filter(col(POWER_BASELINE_DB).gt(3)).count() > 0);
        assertTrue(sql.filter(col(SPATIAL_POWER_RATIO).gt(10)).count() > 0);
        windows.unpersist();
    }

    /** The context features this SQL reference computes (the motion features are checked in SpatialMotionTest). */
    private static final List<String> SQL_CONTEXT = List.of(SPATIAL_POWER_RATIO, TEMPORAL_MAX_CREST_FACTOR,
            TEMPORAL_MAX_KURTOSIS, POWER_BASELINE_DB, RECENT_IMPULSIVENESS);

    /** Gold's SQL spatial context before the refactoring. */
    static Dataset<Row> withSpatialContextSql(Dataset<Row> windows, int neighbors) {
        WindowSpec base = Window.partitionBy(col(FIBER_ID), col(WINDOW_START)).orderBy(col(CHANNEL));
        Column below = collect_list(col("total_power")).over(base.rangeBetween(-neighbors, -1));
        Column above = collect_list(col("total_power")).over(base.rangeBetween(1, neighbors));
        return windows
                .withColumn("_nb", array_sort(concat(below, above)))
                .withColumn("_n", size(col("_nb")))
                .withColumn("_median", expr("CASE WHEN _n = 0 THEN NULL WHEN _n % 2 = 1 THEN element_at(_nb, CAST(_n DIV 2 + 1 AS INT)) "
                        + "ELSE (element_at(_nb, CAST(_n DIV 2 AS INT)) + element_at(_nb, CAST(_n DIV 2 + 1 AS INT))) / 2 END"))
                .withColumn(SPATIAL_POWER_RATIO, coalesce(
                        log10(col("total_power").plus(1e-12).divide(col("_median").plus(1e-12))).multiply(10.0), lit(0.0)))
                .drop("_nb", "_n", "_median");
    }

    /**
     * Gold's SQL temporal context, defined in time: frames over the window's position on the grid (start / hop, the
     * hop being 0.5 s here), so a missing window is missing and a frame never reaches past a gap.
     */
    static Dataset<Row> withTemporalContextSql(Dataset<Row> windows, int temporalWindows, int baselineWindows) {
        WindowSpec byChannel = Window.partitionBy(col(FIBER_ID), col(CHANNEL))
                .orderBy(unix_micros(col(WINDOW_START)).divide(500_000L).cast("long"));
        WindowSpec around = byChannel.rangeBetween(-temporalWindows, temporalWindows);
        WindowSpec before = byChannel.rangeBetween(-baselineWindows, -1);
        return windows
                .withColumn(TEMPORAL_MAX_CREST_FACTOR, max(col("crest_factor")).over(around))
                .withColumn(TEMPORAL_MAX_KURTOSIS, max(col("kurtosis")).over(around))
                .withColumn("_baseline", expr("percentile(total_power, 0.2)").over(before))
                .withColumn(POWER_BASELINE_DB, coalesce(
                        log10(col("total_power").plus(1e-12).divide(col("_baseline").plus(1e-12))).multiply(10.0),
                        lit(0.0)))
                .withColumn(RECENT_IMPULSIVENESS, expr("percentile(" + TEMPORAL_MAX_KURTOSIS + ", 0.5)")
                        .over(byChannel.rangeBetween(-(TemporalContext.RECENT_WINDOWS - 1), 0)))
                .drop("_baseline");
    }
}
