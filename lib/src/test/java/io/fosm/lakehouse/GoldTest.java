package io.fosm.lakehouse;

import static io.fosm.testing.TestChunks.*;
import static org.junit.jupiter.api.Assertions.*;

import io.fosm.config.FosmConfig;
import io.fosm.dsp.FeatureExtractor;
import io.fosm.testing.SparkTestSession;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

class GoldTest {
    private final SparkSession spark = SparkTestSession.get();
    private final FosmConfig config = FosmConfig.local();

    private static long micros(Row r, String column) {
        Timestamp t = r.getTimestamp(r.fieldIndex(column));
        return t.getTime() * 1000L + (t.getNanos() / 1000) % 1000;
    }

    /** Windows of one channel by start offset in ms from T0. */
    private static Map<Long, Row> byStart(Dataset<Row> windows) {
        Map<Long, Row> out = new TreeMap<>();
        for (Row r : windows.collectAsList()) {
            out.put((micros(r, Columns.WINDOW_START) - T0) / 1000, r);
        }
        return out;
    }

    @Test
    void windowsSpanChunkBoundariesAndMatchTheDspOnTheStitchedSignal() {
        // three consecutive 1 s chunks of one continuous signal (50 Hz sine + a 120 Hz tone that starts in chunk 2)
        float[] whole = new float[3000];
        float[] sine = sine(50, 1.0, 1000, 3000, 0);
        float[] tone = sine(120, 2.0, 1000, 3000, 0);
        for (int i = 0; i < whole.length; i++) {
            whole[i] = sine[i] + (i >= 1000 ? tone[i] : 0f);
        }
        List<Row> rows = new ArrayList<>();
        for (int c = 2; c >= 0; c--) {            // out of order on purpose: gold must sort by time
            float[] chunk = java.util.Arrays.copyOfRange(whole, c * 1000, (c + 1) * 1000);
            rows.add(bronze("demo", 5, T0 + c * 1_000_000L, 1000, chunk, 1, "f"));
        }
        Map<Long, Row> windows = byStart(Gold.windows(bronzeFrame(spark, rows), config));
        assertEquals(List.of(0L, 500L, 1000L, 1500L, 2000L), new ArrayList<>(windows.keySet()),
                "1 s windows every 0.5 s across three stitched 1 s chunks");

        FeatureExtractor dsp = new FeatureExtractor(Gold.featureConfig(config.gold(), 1000));
        String[] names = dsp.featureNames();
        for (Map.Entry<Long, Row> w : windows.entrySet()) {
            int from = (int) (long) w.getKey();
            double[] expected = dsp.extract(java.util.Arrays.copyOfRange(whole, from, from + 1000));
            for (int i = 0; i < names.length; i++) {
                assertEquals(expected[i], w.getValue().getDouble(w.getValue().fieldIndex(names[i])), 0.0,
                        names[i] + " of the window at " + from + " ms equals the DSP on the stitched signal");
            }
        }
        assertEquals(50.0, windows.get(0L).getDouble(windows.get(0L).fieldIndex("dominant_frequency")), 1.0);
        assertEquals(120.0, windows.get(1500L).getDouble(windows.get(1500L).fieldIndex("dominant_frequency")), 1.0);
        Row boundary = windows.get(500L);
        assertEquals(T0 + 1_500_000L, micros(boundary, Columns.WINDOW_END));
    }

    @Test
    void aGapStartsANewRunAndNoWindowSpansIt() {
        List<Row> rows = List.of(
                bronze("demo", 1, T0, 1000, sine(50, 1, 1000, 1000, 0), 1, "f"),
                bronze("demo", 1, T0 + 1_000_000L, 1000, sine(50, 1, 1000, 1000, 1000), 1, "f"),
                // chunk at 3 s missing: a gap
                bronze("demo", 1, T0 + 3_000_000L, 1000, sine(50, 1, 1000, 1000, 3000), 1, "f"),
                bronze("demo", 1, T0 + 4_000_000L, 1000, sine(50, 1, 1000, 1000, 4000), 1, "f"));
        Map<Long, Row> windows = byStart(Gold.windows(bronzeFrame(spark, rows), config));
        assertEquals(List.of(0L, 500L, 1000L, 3000L, 3500L, 4000L), new ArrayList<>(windows.keySet()));
    }

    @Test
    void spatialContextSingleOutALoudChannelAmongQuietNeighbours() {
        List<Row> rows = new ArrayList<>();
        for (int ch = 0; ch < 9; ch++) {
            float[] x = noise(ch == 4 ? 10.0 : 1.0, 1000, ch);
            rows.add(bronze("demo", ch, T0, 1000, x, 1, "f"));
        }
        Dataset<Row> features = Gold.withSpatialContext(Gold.windows(bronzeFrame(spark, rows), config), config);
        Map<Integer, Double> ratio = new TreeMap<>();
        for (Row r : features.collectAsList()) {
            ratio.put(r.getInt(r.fieldIndex(Columns.CHANNEL)), r.getDouble(r.fieldIndex(Columns.SPATIAL_POWER_RATIO)));
        }
        assertEquals(20.0, ratio.get(4), 1.5, "10x amplitude = 20 dB above the neighbours' median");
        for (int ch : List.of(0, 2, 6, 8)) {
            assertEquals(0.0, ratio.get(ch), 1.5, "an ordinary channel sits near its neighbours' median");
        }
    }

    @Test
    void labelsFollowAMovingEventAndTheRestIsBackground() {
        List<Row> rows = new ArrayList<>();
        for (int ch = 0; ch < 10; ch++) {
            for (int s = 0; s < 4; s++) {
                rows.add(bronze("demo", ch, T0 + s * 1_000_000L, 1000, noise(1, 1000, ch * 10 + s), 1, "f"));
            }
        }
        Dataset<Row> windows = Gold.windows(bronzeFrame(spark, rows), config);
        // a vehicle moving from channel 2 at 0 s to channel 6 at 4 s, half width 1 channel
        Dataset<Row> events = spark.createDataFrame(List.of(RowFactory.create("ev-1", "demo", "vehicle",
                Bronze.toTimestamp(T0), Bronze.toTimestamp(T0 + 4_000_000L), 2.0, 6.0, 1.0, 10.0, 5.0, false)),
                Schemas.EVENT_LOG);
        Dataset<Row> labelled = Gold.withLabels(windows, events, 0.5, 1);
        assertEquals(windows.count(), labelled.count(), "one row per window, whatever the number of matching events");
        Map<String, String> labels = new TreeMap<>();
        for (Row r : labelled.collectAsList()) {
            long ms = (micros(r, Columns.WINDOW_START) - T0) / 1000;
            labels.put(r.getInt(r.fieldIndex(Columns.CHANNEL)) + "@" + ms, r.getString(r.fieldIndex(Columns.LABEL)));
        }
        // window 0-1 s: midpoint 0.5 s, centre 2.5 -> channels 2 and 3 (|ch - 2.5| <= 1)
        assertEquals("vehicle", labels.get("2@0"));
        assertEquals("vehicle", labels.get("3@0"));
        assertEquals("background", labels.get("5@0"));
        // window 2-3 s: midpoint 2.5 s, centre 4.5 -> channels 4 and 5
        assertEquals("vehicle", labels.get("4@2000"));
        assertEquals("vehicle", labels.get("5@2000"));
        assertEquals("background", labels.get("2@2000"));
        assertEquals("background", labels.get("9@1000"));
    }

    @Test
    void windowsAtAnEventsEdgeOrUnderTwoClassesAreMarkedAmbiguous() {
        List<Row> rows = new ArrayList<>();
        for (int ch = 0; ch < 10; ch++) {
            for (int s = 0; s < 5; s++) {
                rows.add(bronze("demo", ch, T0 + s * 1_000_000L, 1000, noise(1, 1000, ch * 10 + s), 1, "f"));
            }
        }
        Dataset<Row> windows = Gold.windows(bronzeFrame(spark, rows), config);
        // a leak at channel 5 (half width 1) from 1 s to 3 s, and digging at channel 6 (half width 0.5) from 2 s to 4 s
        Dataset<Row> events = spark.createDataFrame(List.of(
                RowFactory.create("ev-1", "demo", "leak", Bronze.toTimestamp(T0 + 1_000_000L),
                        Bronze.toTimestamp(T0 + 3_000_000L), 5.0, 5.0, 1.0, 0.0, 3.0, false),
                RowFactory.create("ev-2", "demo", "digging", Bronze.toTimestamp(T0 + 2_000_000L),
                        Bronze.toTimestamp(T0 + 4_000_000L), 6.0, 6.0, 0.5, 0.0, 9.0, false)), Schemas.EVENT_LOG);
        Map<String, String> withCollar = labelsAndAmbiguity(Gold.withLabels(windows, events, 0.5, 1));
        assertEquals(windows.count(), withCollar.size(), "one row per window");
        // both classes cover channel 6 during 2-3 s: the label is the tie-break's, the window is ambiguous
        assertEquals("leak ambiguous", withCollar.get("6@2000"));
        // the leak starts just as this window ends: not labelled, but within the 0.5 s collar
        assertEquals("background ambiguous", withCollar.get("5@0"));
        // half of this window is leak: labelled, and nothing else is near
        assertEquals("leak", withCollar.get("5@500"));
        // one channel beyond the leak's half width, and two channels beyond it
        assertEquals("background ambiguous", withCollar.get("3@1000"));
        assertEquals("background", withCollar.get("2@1000"));
        // labelled leak, with half a window of digging one channel away: part of another event is in it
        assertEquals("leak ambiguous", withCollar.get("5@1500"));
        assertEquals("background", withCollar.get("9@0"));
        assertEquals("digging", withCollar.get("6@3500"));

        Map<String, String> noCollar = labelsAndAmbiguity(Gold.withLabels(windows, events, 0, 0));
        assertEquals("background", noCollar.get("3@1000"), "no collar: the edge is not ambiguous");
        assertEquals("leak ambiguous", noCollar.get("6@2000"), "two classes stay ambiguous without a collar");
    }

    private static Map<String, String> labelsAndAmbiguity(Dataset<Row> labelled) {
        Map<String, String> out = new TreeMap<>();
        for (Row r : labelled.collectAsList()) {
            long ms = (micros(r, Columns.WINDOW_START) - T0) / 1000;
            boolean ambiguous = r.getBoolean(r.fieldIndex(Columns.LABEL_AMBIGUOUS));
            out.put(r.getInt(r.fieldIndex(Columns.CHANNEL)) + "@" + ms,
                    r.getString(r.fieldIndex(Columns.LABEL)) + (ambiguous ? " ambiguous" : ""));
        }
        return out;
    }

    @Test
    void goldJobWritesLabelledFeaturesIdempotently() throws Exception {
        FosmConfig lake = SparkTestSession.lakehouse("gold");
        List<Row> rows = new ArrayList<>();
        for (int ch = 0; ch < 4; ch++) {
            for (int s = 0; s < 3; s++) {
                rows.add(bronze("demo", ch, T0 + s * 1_000_000L, 1000, noise(1, 1000, ch * 10 + s), 1, "f"));
            }
        }
        bronzeFrame(spark, rows).write().format("delta").partitionBy(Columns.FIBER_ID, Columns.EVENT_DATE)
                .save(Tables.SILVER.path(lake));
        java.nio.file.Path labels = java.nio.file.Files.createDirectories(java.nio.file.Path.of(lake.labelsPath()));
        java.nio.file.Files.writeString(labels.resolve("demo_events.jsonl"),
                "{\"event_id\":\"e1\",\"fiber_id\":\"demo\",\"event_type\":\"leak\",\"start_time\":\"2026-01-01T00:00:00Z\","
                        + "\"end_time\":\"2026-01-01T00:00:02Z\",\"center_channel_start\":1.0,\"center_channel_end\":1.0,"
                        + "\"half_width_channels\":0.5,\"speed_mps\":0.0,\"peak_amplitude\":3.0,\"drift\":false}\n");
        Gold.Result first = Gold.run(spark, lake, java.util.Optional.empty());
        assertEquals(4 * 5, first.windows());
        assertTrue(first.labelled());
        // channel 1: the windows starting at 0, 0.5, 1.0 and 1.5 s overlap the 0-2 s leak by at least half a window
        assertEquals(4L, first.windowsByLabel().get("leak"));
        // channel 1 at 2.0 s (within the 0.5 s collar after the end), channels 0 and 2 while it lasts (within 1 channel
        // of its 0.5 half width): 1 + 2 x 5 windows
        assertEquals(11L, first.ambiguousWindows());
        Gold.Result second = Gold.run(spark, lake, java.util.Optional.empty());
        assertEquals(first.windows(), second.windows(), "rerunning replaces, never duplicates");
        Dataset<Row> gold = spark.read().format("delta").load(Tables.GOLD_FEATURES.path(lake));
        assertEquals(20, gold.count());
        assertTrue(java.util.Arrays.asList(gold.columns()).containsAll(List.of("band_power_100_200hz",
                Columns.SPATIAL_POWER_RATIO, Columns.LABEL, Columns.EVENT_ID, Columns.LABEL_AMBIGUOUS)));
    }
}
