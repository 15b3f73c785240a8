package io.fosm.streaming;

import static io.fosm.testing.TestChunks.T0;
import static io.fosm.testing.TestChunks.noise;
import static org.junit.jupiter.api.Assertions.*;

import io.fosm.config.FosmConfig;
import io.fosm.record.ChunkRecord;
import io.fosm.testing.SparkTestSession;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Test;

/**
 * The stream measures each fiber's arrival delay (file time or Kafka timestamp minus the chunk's last sample) per
 * micro-batch: three landing files with known modification times, one per batch, give exactly their delays; dead
 * letters and unregistered fibers are not counted.
 */
class ArrivalDelayTest {
    private static final long T0_MS = T0 / 1000;

    private static ChunkRecord chunk(String fiber, int channel, int second, int samples) {
        return new ChunkRecord(fiber, channel, T0 + second * 1_000_000L, 1000, noise(1, samples, 10L * second + channel),
                "iu-t", 1);
    }

    @Test
    void eachBatchReportsTheDelaysOfItsValidChunks() throws Exception {
        FosmConfig config = SparkTestSession.lakehouse("arrival", "fibers=demo", "fiber.demo.channels=2",
                "stream.files.path=${landing.path}", "stream.max_per_trigger=1", "stream.model_check_seconds=3600",
                "mlflow.model_name=no-such-model-arrival");
        Path landing = Path.of(config.landingPath(), "demo");
        // second 0 of both channels, 0.25 s after its last sample
        StreamFixtures.writeFile(landing, "a.fosf", StreamFixtures.file(chunk("demo", 0, 0, 1000),
                chunk("demo", 1, 0, 1000)), T0_MS + 1000 + 250);
        // channel 0's second 1, 1.5 s late; a short chunk (wrong_sample_count) and an unknown fiber are not counted
        StreamFixtures.writeFile(landing, "b.fosf", StreamFixtures.file(chunk("demo", 0, 1, 1000),
                chunk("demo", 1, 1, 500), chunk("nope", 0, 1, 1000)), T0_MS + 2000 + 1500);
        // channel 0's second 3 after 0.1 s, and channel 1's second 1 again (a whole chunk now), 2.1 s after its end
        StreamFixtures.writeFile(landing, "c.fosf", StreamFixtures.file(chunk("demo", 0, 3, 1000),
                chunk("demo", 1, 1, 1000)), T0_MS + 4000 + 100);

        StreamingQuery query = StreamingScorer.start(SparkTestSession.get(), config, Trigger.AvailableNow(), List.of());
        query.awaitTermination();
        assertTrue(query.exception().isEmpty(), () -> "the stream failed: " + query.exception());
        List<Map<String, ArrivalDelay.Stats>> batches = new ArrayList<>();
        for (StreamingQueryProgress p : query.recentProgress()) {
            if (p.numInputRows() > 0) {
                batches.add(ArrivalDelay.of(p));
            }
        }
        assertEquals(3, batches.size(), "one file per micro-batch: " + batches);
        assertStats(batches.get(0), 2, 0.25, 0.25, 0.25);
        assertStats(batches.get(1), 1, 1.5, 1.5, 1.5);
        assertStats(batches.get(2), 2, 0.1, 1.1, 2.1);
    }

    private static void assertStats(Map<String, ArrivalDelay.Stats> batch, long chunks, double min, double mean,
                                    double max) {
        assertEquals(java.util.Set.of("demo"), batch.keySet(), "only the registered fiber: " + batch);
        ArrivalDelay.Stats s = batch.get("demo");
        assertEquals(chunks, s.chunks(), "valid chunks of the batch: " + batch);
        assertEquals(min, s.minSeconds(), 1e-6);
        assertEquals(mean, s.meanSeconds(), 1e-6);
        assertEquals(max, s.maxSeconds(), 1e-6);
    }
}
