package io.fosm.streaming;

import static io.fosm.lakehouse.Columns.*;
import static org.apache.spark.sql.functions.*;
import static org.junit.jupiter.api.Assertions.*;

import io.fosm.config.FosmConfig;
import io.fosm.lakehouse.Tables;
import io.fosm.models.Promotion;
import io.fosm.models.Scoring;
import io.fosm.testing.SparkTestSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Test;

/** A running stream follows the champion alias without a restart, and shadow-scores with the challenger. */
class StreamModelReloadTest {
    private final SparkSession spark = SparkTestSession.get();

    @Test
    void movingTheChampionAliasReachesTheRunningStreamAndTheChallengerShadows() throws Exception {
        String model = StreamModelFixture.freshName("stream-reload");
        String v1 = StreamModelFixture.register(model);
        StreamModelFixture.alias(model, Promotion.CHAMPION, v1);
        FosmConfig config = SparkTestSession.lakehouse("stream-reload", "fibers=demo", "fiber.demo.channels=4",
                "stream.files.path=${lakehouse.root}/feed", "stream.watermark_seconds=2", "stream.shadow=true",
                "stream.model_check_seconds=0.2", "mlflow.model_name=" + model,
                "mlflow.tracking_uri=" + StreamModelFixture.trackingUri());
        StreamFixtures.generate(config, 4, 20, 5, 10);
        List<Path> files;
        try (Stream<Path> s = Files.walk(Path.of(config.landingPath()))) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        Path feed = Path.of(config.stream().filesPath());
        StreamingQuery query = StreamingScorer.start(spark, config, Trigger.ProcessingTime(200), List.of());
        try {
            feed(files.subList(0, 10), feed, 0);
            query.processAllAvailable();
            String v2 = StreamModelFixture.register(model);
            StreamModelFixture.alias(model, Promotion.CHAMPION, v2);
            StreamModelFixture.alias(model, Promotion.CHALLENGER, v1);
            Thread.sleep(500);   // past the alias check interval
            feed(files.subList(10, files.size()), feed, 10);
            query.processAllAvailable();
        } finally {
            query.stop();
        }
        assertTrue(query.exception().isEmpty(), () -> "the stream failed: " + query.exception());

        Dataset<Row> scores = spark.read().format("delta").load(Tables.STREAM_SCORES.path(config)).cache();
        long before = scores.filter(col(MODEL_VERSION).equalTo(v1)).count();
        long after = scores.filter(col(MODEL_VERSION).notEqual(v1)).count();
        assertTrue(before > 0 && after > 0, "windows scored by v1 (" + before + ") and by the new champion (" + after + ")");
        String v2 = scores.filter(col(MODEL_VERSION).notEqual(v1)).first().getAs(MODEL_VERSION);
        assertNotEquals(v1, v2);
        // the new champion scores only later windows: the switch happened between micro-batches, in time order
        long lastOld = scores.filter(col(MODEL_VERSION).equalTo(v1)).agg(max(col(BATCH_ID))).first().getLong(0);
        long firstNew = scores.filter(col(MODEL_VERSION).equalTo(v2)).agg(min(col(BATCH_ID))).first().getLong(0);
        assertTrue(lastOld < firstNew);
        // shadow: no challenger before the alias existed; afterwards v1 scores every window next to the champion
        assertEquals(before, scores.filter(col(CHALLENGER_PREFIX + MODEL_VERSION).isNull()).count());
        Dataset<Row> shadowed = scores.filter(col(CHALLENGER_PREFIX + MODEL_VERSION).equalTo(v1));
        assertEquals(after, shadowed.count());
        // v1 and v2 are the same trained pipeline: the shadow's probabilities must equal the champion's exactly
        assertEquals(0, shadowed.filter(not(col(CHALLENGER_PREFIX + Scoring.PROBABILITIES)
                .equalTo(col(Scoring.PROBABILITIES)))).count());
        if (io.fosm.lakehouse.Delta.exists(spark, Tables.INCIDENTS.path(config))) {
            Dataset<Row> incidents = spark.read().format("delta").load(Tables.INCIDENTS.path(config));
            assertEquals(0, incidents.filter(not(col(MODEL_VERSION).isin(v1, v2))).count(),
                    "incidents come from the champion");
        }
    }

    private static void feed(List<Path> files, Path feed, int offset) throws Exception {
        Files.createDirectories(feed);
        for (int i = 0; i < files.size(); i++) {
            Path tmp = feed.resolve("." + files.get(i).getFileName());
            Files.copy(files.get(i), tmp);
            tmp.toFile().setLastModified(1_700_000_000_000L + (offset + i) * 1000L);
            Files.move(tmp, feed.resolve(files.get(i).getFileName()));
        }
    }
}
