package io.fosm.models;

import static org.junit.jupiter.api.Assertions.*;

import io.fosm.config.FosmConfig;
import io.fosm.lakehouse.Columns;
import io.fosm.registry.MlflowTracking;
import io.fosm.registry.ModelRegistry;
import io.fosm.registry.ModelVersion;
import io.fosm.registry.RunHandle;
import io.fosm.testing.LabelledLakehouse;
import io.fosm.testing.SparkTestSession;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** The promotion gate and rollback through a real MLflow registry (started by make test). */
class PromotionTest {

    private static String trackingUri() {
        String uri = System.getProperty("MLFLOW_TRACKING_URI", System.getenv("MLFLOW_TRACKING_URI"));
        if (uri == null || uri.isBlank()) {
            fail("MLFLOW_TRACKING_URI is not set: run these tests via `make test`, which starts the MLflow server");
        }
        return uri;
    }

    @Test
    void promoteOnlyWhatBeatsTheChampionAndRollBack() {
        SparkSession spark = SparkTestSession.get();
        FosmConfig config = LabelledLakehouse.get();
        Dataset<Row> gold = LabelledLakehouse.gold();
        Dataset<Row> labelled = gold.filter(Columns.LABEL + " IS NOT NULL");
        TimeSplit split = TimeSplit.plan(labelled, 0.7, Duration.ofSeconds(1));
        Dataset<Row> train = split.train(labelled).cache();
        Dataset<Row> eval = split.evaluation(labelled).cache();
        Map<String, Long> counts = new TreeMap<>();
        for (Row r : train.groupBy(Columns.LABEL).count().collectAsList()) {
            counts.put(r.getString(0), r.getLong(1));
        }
        List<String> labels = List.copyOf(counts.keySet());
        Dataset<Row> weighted = Trainer.withClassWeights(train, counts).cache();
        TrainingOptions options = new TrainingOptions(List.of(), 0.7, 0, false, 10, 42, 60, 2, 1, false, true);
        // a deliberately weak model (two features) and a strong one (every feature)
        Trainer.TrainedModel weak = Trainer.fit(ModelKind.LR, weighted, eval,
                new FeatureSpace(List.of("zero_crossing_rate", "spectral_entropy")), labels, options);
        Trainer.TrainedModel strong = Trainer.fit(ModelKind.XGBOOST, weighted, eval,
                new FeatureSpace(Training.features(config)), labels, options);
        assertTrue(strong.metrics().macroF1() > weak.metrics().macroF1() + 0.1,
                "the fixture needs a clearly better model: " + strong.metrics().macroF1() + " vs "
                        + weak.metrics().macroF1());

        MlflowTracking mlflow = MlflowTracking.connect(trackingUri());
        ModelRegistry registry = mlflow.registry();
        String model = "promotion-test-" + UUID.randomUUID().toString().substring(0, 8);
        String experiment = mlflow.experimentId(model);
        PromotionGate gate = new PromotionGate("macro_f1", 0.0, 0.05);

        String v1 = register(mlflow, experiment, model, weak, split);
        Promotion.Outcome first = Promotion.promote(spark, registry, model, gold, gate);
        assertTrue(first.promoted(), first.reason());
        assertEquals("there is no champion yet", first.reason());
        assertEquals(v1, registry.byAlias(model, Promotion.CHAMPION).orElseThrow().version());
        assertTrue(registry.byAlias(model, Promotion.CHALLENGER).isEmpty(), "the challenger alias moved to champion");

        String v2 = register(mlflow, experiment, model, strong, split);
        Promotion.Outcome second = Promotion.promote(spark, registry, model, gold, gate);
        assertTrue(second.promoted(), second.reason());
        assertEquals(v2, registry.byAlias(model, Promotion.CHAMPION).orElseThrow().version());
        assertEquals(v1, registry.modelTags(model).get(Promotion.HISTORY_TAG));

        String v3 = register(mlflow, experiment, model, weak, split);
        Promotion.Outcome third = Promotion.promote(spark, registry, model, gold, gate);
        assertFalse(third.promoted(), "a worse challenger must not be promoted");
        assertTrue(third.reason().startsWith("macro_f1 "), third.reason());
        assertEquals(v2, registry.byAlias(model, Promotion.CHAMPION).orElseThrow().version(), "nothing changed");
        assertEquals(v3, registry.byAlias(model, Promotion.CHALLENGER).orElseThrow().version());
        assertEquals(v1, registry.modelTags(model).get(Promotion.HISTORY_TAG));

        assertEquals(v1, Promotion.rollback(registry, model));
        assertEquals(v1, registry.byAlias(model, Promotion.CHAMPION).orElseThrow().version());
        assertEquals(v2, registry.modelTags(model).get("rolled_back_from"));
        IllegalStateException none = assertThrows(IllegalStateException.class, () -> Promotion.rollback(registry, model));
        assertTrue(none.getMessage().startsWith("Cannot roll back: registered model " + model), none.getMessage());

        // the champion loads by alias and scores like the model that was registered
        ModelVersion champion = registry.byAlias(model, Promotion.CHAMPION).orElseThrow();
        Dataset<Row> sample = eval.limit(200).cache();
        Dataset<Row> direct = Scoring.score(weak.model(), sample, labels, Columns.BACKGROUND)
                .select(Columns.CHANNEL, Columns.WINDOW_START, Scoring.PREDICTED_LABEL);
        Dataset<Row> byAlias = Scoring.score(Promotion.load(spark, registry, champion), sample,
                Promotion.classes(champion), Columns.BACKGROUND)
                .select(Columns.CHANNEL, Columns.WINDOW_START, Scoring.PREDICTED_LABEL);
        assertEquals(0, direct.except(byAlias).count());
    }

    private static String register(MlflowTracking mlflow, String experiment, String model, Trainer.TrainedModel m,
                                   TimeSplit split) {
        String runId;
        try (RunHandle run = mlflow.startRun(experiment, m.kind().modelName(), Map.of())) {
            run.logMetrics(m.metrics().asMetrics());
            run.logSparkModel(m.model(), "model", "3.5.7");
            run.end(true);
            runId = run.runId();
        }
        ModelVersion v = mlflow.registry().register(model, runId, "model", Map.of(
                Promotion.CLASSES_TAG, String.join(",", m.labels()),
                Promotion.EVAL_START_TAG, split.evalStart().toString(),
                Promotion.EVAL_END_TAG, split.dataEnd().toString()));
        mlflow.registry().setAlias(model, Promotion.CHALLENGER, v.version());
        return v.version();
    }
}
