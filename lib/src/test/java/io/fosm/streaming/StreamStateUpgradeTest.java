package io.fosm.streaming;

import static io.fosm.lakehouse.Columns.*;
import static org.junit.jupiter.api.Assertions.*;

import io.fosm.config.FosmConfig;
import io.fosm.lakehouse.Tables;
import io.fosm.models.Promotion;
import io.fosm.testing.SparkTestSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;

/**
 * Upgrade safety of the stream's state: the committed checkpoint of {@link StreamStateFixture} (written by the release
 * before the versioned state encoding, Java-serialized group state) restarts under this code, and the stream's tables
 * end exactly as those of one uninterrupted run of this code over the same files.
 */
class StreamStateUpgradeTest {
    private final SparkSession spark = SparkTestSession.get();

    @Test
    void committedCheckpointRestartsWithResultsIdenticalToAnUninterruptedRun() throws Exception {
        Path fixture = Path.of(getClass().getClassLoader().getResource(StreamStateFixture.RESOURCE).toURI());
        String model = StreamModelFixture.freshName("stream-upgrade");
        StreamModelFixture.alias(model, Promotion.CHAMPION, StreamModelFixture.register(model));

        FosmConfig whole = config("stream-upgrade-whole", model);
        StreamStateFixture.landing(whole);
        StreamStateFixture.runToEnd(spark, whole);

        FosmConfig restarted = config("stream-upgrade-restart", model);
        StreamStateFixture.install(fixture, Path.of(restarted.lakehouseRoot()));
        long fixtureWindows = spark.read().format("delta").load(Tables.STREAM_SCORES.path(restarted)).count();
        long fixtureIncidents = spark.read().format("delta").load(Tables.INCIDENTS.path(restarted)).count();
        assertTrue(fixtureWindows > 0 && fixtureIncidents > 0, "the fixture scored windows and raised incidents");
        StreamStateFixture.landing(restarted);
        StreamStateFixture.runToEnd(spark, restarted);

        List<String> scores = rows(Tables.STREAM_SCORES, restarted);
        assertTrue(scores.size() > fixtureWindows, "the restarted stream scored the files after the fixture's");
        assertEquals(rows(Tables.STREAM_SCORES, whole), scores, "stream_scores");
        assertEquals(scores.size(), spark.read().format("delta").load(Tables.STREAM_SCORES.path(restarted))
                .select(FIBER_ID, CHANNEL, WINDOW_START).distinct().count(), "no window twice");
        List<String> incidents = rows(Tables.INCIDENTS, restarted);
        assertTrue(incidents.size() > fixtureIncidents, "incidents continue after the restart");
        assertEquals(rows(Tables.INCIDENTS, whole), incidents, "incidents");
        assertEquals(rows(Tables.STREAM_DEAD_LETTER, whole), rows(Tables.STREAM_DEAD_LETTER, restarted),
                "stream_dead_letter");
    }

    private static FosmConfig config(String name, String model) throws Exception {
        Path root = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), name);
        return FosmConfig.local(StreamStateFixture.overrides(root, model).toArray(new String[0]));
    }

    /**
     * The table's rows as sorted strings, without what differs between two runs by design: the batch that wrote a
     * row and when, the model's registered name (fresh per run), and file paths (another lakehouse root).
     */
    private List<String> rows(Tables table, FosmConfig config) {
        String path = table.path(config);
        if (!io.fosm.lakehouse.Delta.exists(spark, path)) {
            return List.of();
        }
        Dataset<Row> df = spark.read().format("delta").load(path);
        List<String> drop = List.of(BATCH_ID, SCORED_AT, UPDATED_AT, MODEL_NAME, SOURCE, "ingest_time");
        List<Column> keep = new ArrayList<>();
        for (String c : df.columns()) {
            if (!drop.contains(c)) {
                keep.add(functions.col(c).cast("string"));
            }
        }
        List<String> out = new ArrayList<>();
        for (Row r : df.select(keep.toArray(new Column[0])).collectAsList()) {
            String[] cells = new String[r.length()];
            for (int i = 0; i < r.length(); i++) {
                cells[i] = String.valueOf(r.get(i));
            }
            out.add(String.join("|", Arrays.asList(cells)));
        }
        out.sort(null);
        return out;
    }
}
