package io.fosm.streaming;

import static io.fosm.lakehouse.Columns.*;
import static io.fosm.testing.TestChunks.noise;
import static org.apache.spark.sql.functions.*;
import static org.junit.jupiter.api.Assertions.*;

import io.fosm.config.FosmConfig;
import io.fosm.lakehouse.Bronze;
import io.fosm.lakehouse.Gold;
import io.fosm.lakehouse.Tables;
import io.fosm.record.ChunkCodec;
import io.fosm.record.ChunkRecord;
import io.fosm.testing.SparkTestSession;
import io.fosm.testing.TestChunks;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Test;

/**
 * The stream against the batch pipeline on the same feed: identical features (no train/serve skew), and every bad
 * record, late chunk and late window in the dead letters with its reason.
 */
class StreamingScorerTest {
    private final SparkSession spark = SparkTestSession.get();

    @Test
    void streamGivesGoldsFeaturesAndDeadLettersEverythingItCannotUse() throws Exception {
        int channels = 6;
        double seconds = 24;
        FosmConfig config = SparkTestSession.lakehouse("stream-eq", "fibers=demo", "fiber.demo.channels=7",
                "stream.files.path=${landing.path}", "stream.max_per_trigger=6", "stream.model_check_seconds=3600", "stream.watermark_seconds=4",
                "mlflow.model_name=no-such-model-stream-eq");
        StreamFixtures.generate(config, channels, seconds, 3, 6);

        // the batch pipeline on the clean feed
        Bronze.run(spark, config);
        // the clean feed passes silver unchanged (SilverTest covers silver): skip its Deequ audit to keep this short
        spark.read().format("delta").load(Tables.BRONZE.path(config)).write().format("delta")
                .partitionBy(FIBER_ID, EVENT_DATE).save(Tables.SILVER.path(config));
        Gold.run(spark, config, Optional.empty());
        Dataset<Row> gold = spark.read().format("delta").load(Tables.GOLD_FEATURES.path(config));

        // then the bad input, landing after the feed
        Path landing = Path.of(config.landingPath(), StreamFixtures.FIBER);
        long late = 1_700_000_000_000L + 100_000;
        float[] ok = noise(1, 1000, 1);
        float[] nan = ok.clone();
        nan[17] = Float.NaN;
        ChunkRecord nanRecord = new ChunkRecord("demo", 0, TestChunks.T0 + 30_000_000L, 1000, nan, "iu-t", 1);
        ChunkRecord unknownFiber = new ChunkRecord("nope", 0, TestChunks.T0, 1000, ok, "iu-t", 1);
        ChunkRecord outOfRange = new ChunkRecord("demo", 99, TestChunks.T0, 1000, ok, "iu-t", 1);
        ChunkRecord shortChunk = new ChunkRecord("demo", 1, TestChunks.T0 + 30_000_000L, 1000,
                java.util.Arrays.copyOf(ok, 500), "iu-t", 1);
        ChunkRecord lateChunk = new ChunkRecord("demo", 2, TestChunks.T0 + 5_000_000L, 1000, ok, "iu-t", 9);
        StreamFixtures.writeFile(landing, "zz_bad_records.fosf",
                StreamFixtures.file(nanRecord, unknownFiber, outOfRange, shortChunk, lateChunk), late);
        StreamFixtures.writeFile(landing, "zz_garbage.fosf", "hello".getBytes(), late + 1000);
        StreamFixtures.writeFile(landing, "zz_notes.txt", "not a chunk file".getBytes(), late + 2000);
        // a channel the fiber never had before, starting 4 s behind everything else already final: late windows
        ChunkRecord[] lagging = new ChunkRecord[4];
        for (int s = 0; s < 4; s++) {
            lagging[s] = new ChunkRecord("demo", 6, TestChunks.T0 + (1 + s) * 1_000_000L, 1000, noise(1, 1000, 50 + s),
                    "iu-t", 1);
        }
        StreamFixtures.writeFile(landing, "zz_lagging.fosf", StreamFixtures.file(lagging), late + 3000);

        StreamingQuery query = StreamingScorer.start(spark, config, Trigger.AvailableNow(), List.of());
        query.awaitTermination();
        assertTrue(query.exception().isEmpty(), () -> "the stream failed: " + query.exception());
        assertTrue(query.lastProgress().batchId() >= 4, "several micro-batches: state crosses batch boundaries");

        // features: the windows the stream finalised equal gold's, value for value
        Dataset<Row> scores = spark.read().format("delta").load(Tables.STREAM_SCORES.path(config));
        long goldLast = gold.agg(max(unix_micros(col(WINDOW_START)))).first().getLong(0);
        // the newest window with temporal context is lookahead_windows hops before the last, then the watermark
        long cutoff = goldLast - config.gold().lookaheadWindows() * 500_000L - 4_000_000L;
        Dataset<Row> expected = gold.filter(unix_micros(col(WINDOW_START)).leq(cutoff));
        assertEquals(channels * (cutoff - TestChunks.T0) / 500_000 + channels, expected.count(), "fixture sanity");
        assertEquals(expected.count(), scores.count(), "every final window once");
        assertEquals(scores.count(), scores.select(FIBER_ID, CHANNEL, WINDOW_START).distinct().count());

        String[] features = Gold.featureNames(config, 1000);
        Dataset<Row> joined = expected.alias("g").join(scores.alias("s"),
                expected.col(FIBER_ID).equalTo(scores.col(FIBER_ID)).and(expected.col(CHANNEL).equalTo(scores.col(CHANNEL)))
                        .and(expected.col(WINDOW_START).equalTo(scores.col(WINDOW_START))));
        assertEquals(expected.count(), joined.count());
        List<String> all = new java.util.ArrayList<>(List.of(features));
        all.addAll(CONTEXT_FEATURES);
        List<org.apache.spark.sql.Column> diffs = new java.util.ArrayList<>();
        for (String f : all) {
            diffs.add(max(abs(col("g." + f).minus(col("s." + f)))).as(f));
        }
        Row maxDiff = joined.agg(diffs.get(0), diffs.subList(1, diffs.size()).toArray(new org.apache.spark.sql.Column[0]))
                .first();
        for (int i = 0; i < all.size(); i++) {
            assertEquals(0.0, maxDiff.getDouble(i), 1e-12, all.get(i) + ": stream and gold differ");
        }
        assertTrue(expected.filter(col(POWER_BASELINE_DB).notEqual(0.0)).count() > 0, "context is exercised");
        for (String motion : MOTION_FEATURES) {
            assertTrue(expected.filter(col(motion).notEqual(0.0)).count() > 0, motion + " is exercised");
        }
        assertTrue(scores.filter(col(MODEL_VERSION).isNotNull()).isEmpty(), "no champion: windows kept unscored");

        // dead letters: one per bad input, with its reason and raw bytes
        Dataset<Row> dead = spark.read().format("delta").load(Tables.STREAM_DEAD_LETTER.path(config));
        Map<String, Long> byReason = new TreeMap<>();
        for (Row r : dead.groupBy(REASON).count().collectAsList()) {
            byReason.put(r.getString(0), r.getLong(1));
        }
        // the lagging channel's 4 s cut 7 windows; those still waiting for their look-ahead are never emitted
        long lateWindows = 7 - config.gold().lookaheadWindows();
        assertEquals(Map.of("bad_magic", 1L, "unknown_format", 1L, "non_finite_sample", 1L, "unknown_fiber", 1L,
                "channel_out_of_range", 1L, "wrong_sample_count", 1L, "late_chunk", 1L, "late_window", lateWindows),
                byReason);
        for (ChunkRecord r : List.of(nanRecord, unknownFiber, outOfRange, shortChunk, lateChunk)) {
            List<Row> match = dead.filter(col(FIBER_ID).equalTo(r.fiberId()).and(col(CHANNEL).equalTo(r.channel()))
                    .and(col(CHUNK_START).equalTo(lit(Bronze.toTimestamp(r.chunkStartMicros()))))).collectAsList();
            assertEquals(1, match.size(), "one dead letter for " + r);
            assertEquals(r, ChunkCodec.decode((byte[]) match.get(0).getAs(PAYLOAD)), "the raw record is kept");
        }
        Row garbage = dead.filter(col(REASON).equalTo("bad_magic")).first();
        assertArrayEquals("hello".getBytes(), (byte[]) garbage.getAs(PAYLOAD));
        assertTrue(garbage.<String>getAs(SOURCE).endsWith("zz_garbage.fosf"));
        assertEquals(lateWindows, dead.filter(col(REASON).equalTo("late_window").and(col(CHANNEL).equalTo(6))).count());
    }
}
