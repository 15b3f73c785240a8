package io.fosm.streaming;

import static io.fosm.lakehouse.Columns.*;
import static org.apache.spark.sql.functions.*;
import static org.junit.jupiter.api.Assertions.*;

import io.fosm.config.FosmConfig;
import io.fosm.incidents.IncidentRows;
import io.fosm.incidents.IncidentTracker;
import io.fosm.incidents.ScoredWindowReplay;
import io.fosm.lakehouse.Tables;
import io.fosm.models.Promotion;
import io.fosm.reliability.FaultPoints;
import io.fosm.testing.SparkTestSession;
import io.fosm.testing.TestChunks;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * Exactly once across a crash: the stream runs in a child JVM and dies as by SIGKILL at a named point
 * ({@code FOSM_HALT_AT=stream.after_batch_write:3}: the third micro-batch has written every output, Spark has not
 * committed it), is restarted on the same checkpoint (Spark replays that batch, Delta skips its committed writes),
 * and the outputs hold every final window and every incident exactly once.
 */
class StreamKillTest {
    private final SparkSession spark = SparkTestSession.get();

    @Test
    void killNineMidStreamThenRestartLosesAndDuplicatesNothing() throws Exception {
        String model = StreamModelFixture.freshName("stream-kill");
        StreamModelFixture.alias(model, Promotion.CHAMPION, StreamModelFixture.register(model));
        int channels = 6;
        int seconds = 20;
        FosmConfig probe = SparkTestSession.lakehouse("stream-kill");
        List<String> overrides = List.of("lakehouse.root=" + probe.lakehouseRoot(), "fibers=demo",
                "fiber.demo.channels=" + channels, "stream.files.path=${landing.path}", "stream.max_per_trigger=3",
                "stream.watermark_seconds=4", "stream.alert.threshold=0.5", "stream.alert.k=2",
                "stream.model_check_seconds=3600", "mlflow.model_name=" + model,
                "mlflow.tracking_uri=" + StreamModelFixture.trackingUri());
        FosmConfig config = FosmConfig.local(overrides.toArray(new String[0]));
        StreamFixtures.generate(config, channels, seconds, 21, 20);

        Path commits = Path.of(config.stream().checkpoint(), "commits");
        Process first = child(overrides, "first", "stream.after_batch_write:3");
        assertTrue(first.waitFor(8, TimeUnit.MINUTES), "the first stream JVM halts: see target/stream-kill-first.log");
        assertEquals(FaultPoints.HALT_EXIT_CODE, first.exitValue(), "halted at the third batch's write, as by SIGKILL");
        assertEquals(2, committed(commits), "batches 0 and 1 committed; batch 2 written, not committed");

        Process second = child(overrides, "second", null);
        assertTrue(second.waitFor(10, TimeUnit.MINUTES), "the restarted stream finishes");
        assertEquals(0, second.exitValue(), "the restarted stream ran to the end: see target/stream-kill-second.log");

        Dataset<Row> scores = spark.read().format("delta").load(Tables.STREAM_SCORES.path(config));
        // every grid window of every channel up to the final cutoff: the last window starts at 19 s; with the default
        // causal context (gold.lookahead_windows = 0) it is the newest with its context, final up to 19 - 4 = 15 s:
        // 31 windows per channel
        long expectedPerChannel = (15_000_000L / 500_000L) + 1;
        assertEquals(channels * expectedPerChannel, scores.count(), "no window lost, none twice");
        assertEquals(scores.count(), scores.select(FIBER_ID, CHANNEL, WINDOW_START).distinct().count());
        assertEquals(TestChunks.T0 + 15_000_000L,
                scores.agg(max(unix_micros(col(WINDOW_START)))).first().getLong(0));
        assertEquals(0, scores.filter(col(MODEL_VERSION).isNull()).count(), "every window scored by the champion");

        // incidents: the latest state of each is exactly what one tracker replaying every scored window in order
        // ends with, and no state was written twice
        Dataset<Row> incidents = spark.read().format("delta").load(Tables.INCIDENTS.path(config));
        assertEquals(incidents.count(), incidents.select(INCIDENT_ID, UPDATE_SEQ).distinct().count(),
                "each incident state once");
        List<String> actual = new ArrayList<>();
        for (Row r : IncidentRows.latest(incidents).collectAsList()) {
            actual.add(describe(IncidentRows.fromRow(r)));
        }
        actual.sort(null);
        List<String> expected = new ArrayList<>();
        for (IncidentTracker.Incident i : IncidentRows.latest(ScoredWindowReplay.replay(scores,
                new IncidentTracker(IncidentRows.settings(config))))) {
            expected.add(describe(i));
        }
        expected.sort(null);
        assertFalse(expected.isEmpty(), "the fixture raises incidents");
        assertEquals(expected, actual);
    }

    private static String describe(IncidentTracker.Incident i) {
        return i.id() + "/" + i.status() + "/" + i.eventClass() + "/" + i.channelMin() + "-" + i.channelMax() + "/"
                + i.alertWindows() + "/" + i.updateSeq();
    }

    private static int committed(Path commits) {
        File[] files = commits.toFile().listFiles((d, n) -> n.matches("\\d+"));
        return files == null ? 0 : files.length;
    }

    private static Process child(List<String> overrides, String name, String haltAt) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-") || a.startsWith("-Dio.netty") || a.startsWith("-Djava.io.tmpdir")
                    || a.startsWith("-XX:+IgnoreUnrecognized")) {
                cmd.add(a);
            }
        }
        cmd.add("-Xmx1g");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(StreamChild.class.getName());
        cmd.addAll(overrides);
        Path log = Path.of("target", "stream-kill-" + name + ".log");
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        if (haltAt != null) {
            pb.environment().put(FaultPoints.ENV, haltAt);
        } else {
            pb.environment().remove(FaultPoints.ENV);
        }
        return pb.start();
    }
}
