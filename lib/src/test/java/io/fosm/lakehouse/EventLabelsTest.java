package io.fosm.lakehouse;

import static io.fosm.lakehouse.Columns.*;
import static org.apache.spark.sql.functions.*;
import static org.junit.jupiter.api.Assertions.*;

import io.fosm.testing.SparkTestSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Gold's labels per row ({@link EventLabels}) against the rule's SQL form (a broadcast join with the event log and a
 * window per window row; what gold ran before, kept here as the definition) on random windows and events: moving,
 * stationary and zero-length events, events without an id or a type, several fibers, events longer than an index
 * bucket, with and without collars.
 */
class EventLabelsTest {
    private final SparkSession spark = SparkTestSession.get();
    private static final long T0 = 1_767_225_600_000_000L;   // 2026-01-01T00:00:00Z in microseconds

    private static final StructType WINDOWS = new StructType()
            .add(FIBER_ID, DataTypes.StringType, false)
            .add(CHANNEL, DataTypes.IntegerType, false)
            .add(WINDOW_START, DataTypes.TimestampType, false)
            .add(WINDOW_END, DataTypes.TimestampType, false);

    @Test
    void labelsPerRowEqualTheJoinAndWindowForm() {
        SplittableRandom rnd = new SplittableRandom(7);
        List<Row> windows = new ArrayList<>();
        for (String fiber : List.of("a", "b", "c")) {
            for (int channel = 0; channel < 40; channel++) {
                for (int w = 0; w < 300; w++) {
                    long start = T0 + w * 500_000L;   // 1 s windows every 0.5 s over 150 s: three index buckets
                    windows.add(RowFactory.create(fiber, channel, Bronze.toTimestamp(start),
                            Bronze.toTimestamp(start + 1_000_000L)));
                }
            }
        }
        String[] types = {"leak", "digging", "vehicle", "walking"};
        List<Row> events = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String fiber = i % 10 == 9 ? "z" : i % 2 == 0 ? "a" : "b";   // "c" has no event, "z" no window
            double startS = rnd.nextDouble() * 140;
            double length = i % 7 == 0 ? 0 : i % 11 == 0 ? 100 : rnd.nextDouble() * 20;
            double c0 = rnd.nextDouble() * 40;
            double c1 = i % 3 == 0 ? c0 : rnd.nextDouble() * 40;   // a third stationary, the rest moving
            long s = T0 + Math.round(startS * 1e6);
            events.add(RowFactory.create(i == 5 ? null : "ev-" + i, fiber, i == 8 ? null : types[i % types.length],
                    Bronze.toTimestamp(s), Bronze.toTimestamp(s + Math.round(length * 1e6)), c0, c1,
                    0.5 + rnd.nextDouble() * 3, 1.0, 1.0, false));
        }
        // an event missing its centre matches nothing in either form
        events.add(RowFactory.create("ev-x", "a", "leak", Bronze.toTimestamp(T0), Bronze.toTimestamp(T0 + 60_000_000L),
                null, 10.0, 2.0, 1.0, 1.0, false));
        Dataset<Row> w = spark.createDataFrame(windows, WINDOWS);
        Dataset<Row> e = spark.createDataFrame(events, Schemas.EVENT_LOG);
        for (double[] collar : new double[][] {{0.5, 1}, {0, 0}, {3, 4}}) {
            Map<String, String> perRow = labels(Gold.withLabels(w, e, collar[0], collar[1]));
            Map<String, String> sql = labels(sqlLabels(w, e, collar[0], collar[1]));
            assertEquals(windows.size(), perRow.size(), "one row per window");
            assertEquals(sql, perRow, "collar " + collar[0] + " s, " + collar[1] + " channels");
            long labelled = perRow.values().stream().filter(v -> !v.startsWith("background")).count();
            long ambiguous = perRow.values().stream().filter(v -> v.endsWith("true")).count();
            assertTrue(labelled > 1000 && ambiguous > 100, "the random events label and blur enough windows to test: "
                    + labelled + " labelled, " + ambiguous + " ambiguous");
        }
    }

    private static Map<String, String> labels(Dataset<Row> labelled) {
        Map<String, String> out = new TreeMap<>();
        for (Row r : labelled.select(FIBER_ID, CHANNEL, WINDOW_START, LABEL, EVENT_ID, LABEL_AMBIGUOUS).collectAsList()) {
            out.put(r.getString(0) + "/" + r.getInt(1) + "/" + r.getTimestamp(2),
                    r.getString(3) + " " + r.getString(4) + " " + r.getBoolean(5));
        }
        return out;
    }

    static Dataset<Row> sqlLabels(Dataset<Row> windows, Dataset<Row> events, double collarSeconds,
                                          double collarChannels) {
        Dataset<Row> ev = events.select(
                col(FIBER_ID).as("_e_fiber"), col(EVENT_ID).as("_e_id"), col(EVENT_TYPE).as("_e_type"),
                unix_micros(col(START_TIME)).divide(1e6).as("_e_start"), unix_micros(col(END_TIME)).divide(1e6).as("_e_end"),
                col(CENTER_CHANNEL_START).as("_e_c0"), col(CENTER_CHANNEL_END).as("_e_c1"),
                col(HALF_WIDTH_CHANNELS).as("_e_hw"));
        Column ws = unix_micros(col(WINDOW_START)).divide(1e6);
        Column we = unix_micros(col(WINDOW_END)).divide(1e6);
        Column overlap = least(we, col("_e_end")).minus(greatest(ws, col("_e_start")));
        Column mid = ws.plus(we).divide(2);
        Column progress = when(col("_e_end").gt(col("_e_start")),
                greatest(lit(0.0), least(lit(1.0), mid.minus(col("_e_start")).divide(col("_e_end").minus(col("_e_start"))))))
                .otherwise(lit(0.0));
        Column centre = col("_e_c0").plus(col("_e_c1").minus(col("_e_c0")).multiply(progress));
        Column distance = abs(col(CHANNEL).minus(centre));
        Column covers = overlap.geq(we.minus(ws).multiply(0.5)).and(distance.leq(col("_e_hw")));
        // the join keeps every event within the collar; the cover rule picks the label among them
        Column near = col(FIBER_ID).equalTo(col("_e_fiber"))
                .and(overlap.gt(-collarSeconds))
                .and(distance.leq(col("_e_hw").plus(collarChannels)));
        Dataset<Row> joined = windows.join(broadcast(ev), near, "left")
                .withColumn("_covers", coalesce(covers, lit(false)))
                .withColumn("_overlap", when(col("_covers"), overlap).otherwise(lit(-1.0)))
                .withColumn("_e_cover_type", when(col("_covers"), col("_e_type")));
        WindowSpec perWindow = Window.partitionBy(col(FIBER_ID), col(CHANNEL), col(WINDOW_START));
        WindowSpec ranked = perWindow.orderBy(col("_overlap").desc(), col("_e_id").asc_nulls_last());
        Column partlyIn = max(col("_e_id").isNotNull().and(not(col("_covers")))).over(perWindow);
        Column coverClasses = size(collect_set(col("_e_cover_type")).over(perWindow));
        return joined.withColumn("_rank", row_number().over(ranked))
                .withColumn("_ambiguous", partlyIn.or(coverClasses.geq(2)))
                .filter(col("_rank").equalTo(1))
                .withColumn(LABEL, coalesce(when(col("_covers"), col("_e_type")), lit(BACKGROUND)))
                .withColumn(EVENT_ID, when(col("_covers"), col("_e_id")))
                .withColumn(LABEL_AMBIGUOUS, col("_ambiguous"))
                .drop("_ambiguous", "_e_fiber", "_e_id", "_e_type", "_e_start", "_e_end", "_e_c0", "_e_c1", "_e_hw", "_overlap",
                        "_rank", "_covers", "_e_cover_type");
    }
}
