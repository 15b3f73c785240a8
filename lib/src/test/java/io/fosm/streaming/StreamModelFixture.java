package io.fosm.streaming;

import static io.fosm.lakehouse.Columns.*;
import static org.junit.jupiter.api.Assertions.fail;

import io.fosm.config.FosmConfig;
import io.fosm.lakehouse.Bronze;
import io.fosm.lakehouse.Gold;
import io.fosm.lakehouse.Tables;
import io.fosm.models.FeatureSpace;
import io.fosm.models.ModelKind;
import io.fosm.models.Promotion;
import io.fosm.models.Trainer;
import io.fosm.models.Training;
import io.fosm.models.TrainingOptions;
import io.fosm.registry.MlflowTracking;
import io.fosm.registry.ModelVersion;
import io.fosm.registry.RunHandle;
import io.fosm.testing.SparkTestSession;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A logistic regression trained on the gold features of a small generated fiber (once per JVM), registered in the
 * real MLflow registry under fresh model names for the stream tests.
 */
final class StreamModelFixture {
    private static Trainer.TrainedModel model;
    private static FosmConfig source;

    private StreamModelFixture() {}

    static String trackingUri() {
        String uri = System.getProperty("MLFLOW_TRACKING_URI", System.getenv("MLFLOW_TRACKING_URI"));
        if (uri == null || uri.isBlank()) {
            fail("MLFLOW_TRACKING_URI is not set: run these tests via `make test`, which starts the MLflow server");
        }
        return uri;
    }

    /** The trained model (gold of a 12-channel, 60 s fiber with frequent events). */
    static synchronized Trainer.TrainedModel model() throws Exception {
        if (model == null) {
            SparkSession spark = SparkTestSession.get();
            FosmConfig c = SparkTestSession.lakehouse("stream-model", "fibers=demo", "fiber.demo.channels=12");
            StreamFixtures.generate(c, 12, 60, 11, 20);
            Bronze.run(spark, c);
            spark.read().format("delta").load(Tables.BRONZE.path(c)).write().format("delta")
                    .partitionBy(FIBER_ID, EVENT_DATE).save(Tables.SILVER.path(c));
            Gold.run(spark, c, Optional.empty());
            Dataset<Row> gold = spark.read().format("delta").load(Tables.GOLD_FEATURES.path(c)).cache();
            Map<String, Long> counts = new TreeMap<>();
            for (Row r : gold.groupBy(LABEL).count().collectAsList()) {
                counts.put(r.getString(0), r.getLong(1));
            }
            Dataset<Row> weighted = Trainer.withClassWeights(gold, counts).cache();
            TrainingOptions options = new TrainingOptions(List.of(), 0.7, 0, false, 1, 42, 10, 1, 1, false, true);
            model = Trainer.fit(ModelKind.LR, weighted, gold, new FeatureSpace(Training.features(c)),
                    List.copyOf(counts.keySet()), options);
            source = c;
        }
        return model;
    }

    /** Registers the model as a new version of {@code name} and returns the version. */
    static String register(String name) throws Exception {
        Trainer.TrainedModel m = model();
        MlflowTracking mlflow = MlflowTracking.connect(trackingUri());
        String experiment = mlflow.experimentId("fosm-stream-tests");
        String runId;
        try (RunHandle run = mlflow.startRun(experiment, "stream-test-lr", Map.of())) {
            run.logSparkModel(m.model(), "model", "3.5.7");
            run.end(true);
            runId = run.runId();
        }
        ModelVersion v = mlflow.registry().register(name, runId, "model", Map.of(
                Promotion.CLASSES_TAG, String.join(",", m.labels()),
                Promotion.EVAL_START_TAG, "2026-01-01T00:00:00Z", Promotion.EVAL_END_TAG, "2026-01-01T00:01:00Z"));
        return v.version();
    }

    static void alias(String name, String alias, String version) {
        MlflowTracking.connect(trackingUri()).registry().setAlias(name, alias, version);
    }

    static String freshName(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
