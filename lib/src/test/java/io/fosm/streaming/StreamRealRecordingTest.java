package io.fosm.streaming;

import static io.fosm.lakehouse.Columns.*;
import static org.apache.spark.sql.functions.*;
import static org.junit.jupiter.api.Assertions.*;

import io.fosm.config.FosmConfig;
import io.fosm.ingest.DasFileInfo;
import io.fosm.ingest.DasReaders;
import io.fosm.ingest.DasRecording;
import io.fosm.ingest.DasSamples;
import io.fosm.lakehouse.Bronze;
import io.fosm.lakehouse.Gold;
import io.fosm.lakehouse.Tables;
import io.fosm.models.FeatureSpace;
import io.fosm.models.ModelKind;
import io.fosm.models.Promotion;
import io.fosm.models.Scoring;
import io.fosm.models.Trainer;
import io.fosm.models.Training;
import io.fosm.models.TrainingOptions;
import io.fosm.generate.FiberSimulator;
import io.fosm.generate.GeneratorConfig;
import io.fosm.registry.MlflowTracking;
import io.fosm.registry.ModelVersion;
import io.fosm.registry.RunHandle;
import io.fosm.testing.KafkaBroker;
import io.fosm.testing.SparkTestSession;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
 * A real recording end to end through the stream: {@code fosm replay --from} sends the OptoDAS sample file (500 Hz,
 * 51 channels, 10 s) to a real in-process Kafka broker at its own times, and the streaming scorer, with the fiber
 * registered as the file declares it and a model trained on generated data at the same rate (so the same features),
 * scores its windows.
 */
class StreamRealRecordingTest {
    /** Gold bands below the file's Nyquist frequency (250 Hz), the same for the training fiber and the real one. */
    private static final String BANDS = "gold.bands=1-10,10-50,50-100,100-250";

    private final SparkSession spark = SparkTestSession.get();

    @Test
    void aReplayedRealRecordingIsScoredByTheStream() throws Exception {
        Path file = DasSamples.file("decimated_optodas.hdf5");
        DasFileInfo info;
        try (DasRecording r = DasReaders.open(file)) {
            info = r.info();
        }
        String rate = String.valueOf(info.sampleRateHz());
        String model = StreamModelFixture.freshName("stream-real");
        StreamModelFixture.alias(model, Promotion.CHAMPION, register(model, train(rate)));

        try (KafkaBroker broker = KafkaBroker.start()) {
            broker.createTopic("real", 1);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int code = io.fosm.kafka.ReplayCommand.run(new String[] {"--from", file.toString(), "--fiber-id", "opto",
                    "--bootstrap", broker.bootstrap(), "--topic", "real", "--speed", "0", "--start", "file",
                    "--chunk-seconds", "1"}, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
            assertEquals(0, code, out.toString(StandardCharsets.UTF_8));

            FosmConfig config = SparkTestSession.lakehouse("stream-real", "fibers=opto",
                    "fiber.opto.channels=" + info.channels(), "fiber.opto.first_channel=" + info.startChannel(),
                    "fiber.opto.sample_rate=" + rate, "stream.source=kafka",
                    "stream.kafka.bootstrap_servers=" + broker.bootstrap(), "stream.kafka.topic=real",
                    "stream.max_per_trigger=" + (4 * info.channels()), "stream.watermark_seconds=2",
                    "stream.model_check_seconds=3600", "mlflow.model_name=" + model,
                    "mlflow.tracking_uri=" + StreamModelFixture.trackingUri(), BANDS);
            StreamingQuery query = StreamingScorer.start(spark, config, Trigger.AvailableNow(), List.of());
            query.awaitTermination();
            assertTrue(query.exception().isEmpty(), () -> "the stream failed: " + query.exception());

            Dataset<Row> scores = spark.read().format("delta").load(Tables.STREAM_SCORES.path(config));
            long rows = scores.count();
            assertTrue(rows > 0, "the stream scores the real recording");
            assertEquals(0, scores.filter(col(FIBER_ID).notEqual("opto")).count());
            // every channel of the file is scored, each window within the file's own time and scored by the champion
            assertEquals(info.channels(), scores.select(CHANNEL).distinct().count());
            Row range = scores.agg(min(CHANNEL), max(CHANNEL), min(unix_micros(col(WINDOW_START))),
                    max(unix_micros(col(WINDOW_END)))).head();
            assertEquals(info.startChannel(), range.getInt(0));
            assertEquals(info.startChannel() + info.channels() - 1, range.getInt(1));
            assertTrue(range.getLong(2) >= info.startTimeMicros(), "windows start within the file");
            assertTrue(range.getLong(3) <= info.startTimeMicros() + Math.round(info.timeSamples() * 1e6
                    / info.sampleRateHz()), "windows end within the file");
            assertEquals(0, scores.filter(col(Scoring.PREDICTED_LABEL).isNull().or(col(MODEL_NAME).notEqual(model)))
                    .count(), "every window has the champion's label");
            if (io.fosm.lakehouse.Delta.exists(spark, Tables.STREAM_DEAD_LETTER.path(config))) {
                Dataset<Row> dead = spark.read().format("delta").load(Tables.STREAM_DEAD_LETTER.path(config));
                assertEquals(0, dead.count(), () -> "nothing of the real recording is dead-lettered: "
                        + dead.select(REASON, DETAIL).limit(5).collectAsList());
            }
        }
    }

    /** A logistic regression on the gold of a generated 6-channel, 24 s fiber at {@code rate} (the real file's features). */
    private static Trainer.TrainedModel train(String rate) throws Exception {
        SparkSession spark = SparkTestSession.get();
        FosmConfig c = SparkTestSession.lakehouse("stream-real-model", "fibers=demo", "fiber.demo.channels=6",
                "fiber.demo.sample_rate=" + rate, BANDS);
        new FiberSimulator(GeneratorConfig.builder().output(c.lakehouseRoot()).fiberId("demo").channels(6)
                .sampleRate(Double.parseDouble(rate)).durationSeconds(24).fileSeconds(1).seed(13)
                .eventRatePerMinute(20).build()).run();
        Bronze.run(spark, c);
        spark.read().format("delta").load(Tables.BRONZE.path(c)).write().format("delta")
                .partitionBy(FIBER_ID, EVENT_DATE).save(Tables.SILVER.path(c));
        Gold.run(spark, c, Optional.empty());
        Dataset<Row> gold = spark.read().format("delta").load(Tables.GOLD_FEATURES.path(c)).cache();
        Map<String, Long> counts = new TreeMap<>();
        for (Row r : gold.groupBy(LABEL).count().collectAsList()) {
            counts.put(r.getString(0), r.getLong(1));
        }
        assertTrue(counts.size() > 1, "the generated fiber has events: " + counts);
        Dataset<Row> weighted = Trainer.withClassWeights(gold, counts).cache();
        TrainingOptions options = new TrainingOptions(List.of(), 0.7, 0, false, 1, 42, 10, 1, 1, false, true);
        return Trainer.fit(ModelKind.LR, weighted, gold, new FeatureSpace(Training.features(c)),
                List.copyOf(counts.keySet()), options);
    }

    private static String register(String name, Trainer.TrainedModel m) throws Exception {
        MlflowTracking mlflow = MlflowTracking.connect(StreamModelFixture.trackingUri());
        String experiment = mlflow.experimentId("fosm-stream-tests");
        String runId;
        try (RunHandle run = mlflow.startRun(experiment, "stream-real-lr", Map.of())) {
            run.logSparkModel(m.model(), "model", "3.5.7");
            run.end(true);
            runId = run.runId();
        }
        ModelVersion v = mlflow.registry().register(name, runId, "model", Map.of(
                Promotion.CLASSES_TAG, String.join(",", m.labels()),
                Promotion.EVAL_START_TAG, "2026-01-01T00:00:00Z", Promotion.EVAL_END_TAG, "2026-01-01T00:01:00Z"));
        return v.version();
    }
}
