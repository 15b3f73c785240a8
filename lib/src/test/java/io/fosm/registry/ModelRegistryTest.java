package io.fosm.registry;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fosm.testing.SparkTestSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class ModelRegistryTest {
    private static final String PYSPARK = "3.5.7";
    /** Read by lib/src/test/python/test_mlflow_spark_flavor.py, which loads the same model with mlflow.spark. */
    private static final Path HANDOFF = Path.of("target/registry-it/logged_model.json");

    /** 30 rows, two features, label 1 when a + 2b is large: both classes, not separable by one feature alone. */
    private static Dataset<Row> rows(SparkSession spark) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            double a = i % 10;
            double b = (i * 7) % 5;
            rows.add(RowFactory.create(a, b, a + 2 * b > 10 ? 1.0 : 0.0));
        }
        StructType schema = new StructType()
                .add("a", DataTypes.DoubleType).add("b", DataTypes.DoubleType).add("label", DataTypes.DoubleType);
        return spark.createDataFrame(rows, schema);
    }

    private static PipelineModel train(Dataset<Row> data, double regParam) {
        VectorAssembler assembler = new VectorAssembler().setInputCols(new String[] {"a", "b"}).setOutputCol("features");
        LogisticRegression lr = new LogisticRegression().setMaxIter(50).setRegParam(regParam);
        return new Pipeline().setStages(new PipelineStage[] {assembler, lr}).fit(data);
    }

    /** Per row: prediction followed by the class probabilities. */
    private static List<double[]> predict(PipelineModel model, Dataset<Row> data) {
        List<double[]> out = new ArrayList<>();
        for (Row r : model.transform(data).orderBy("a", "b").select("prediction", "probability").collectAsList()) {
            double[] p = ((Vector) r.get(1)).toArray();
            out.add(new double[] {r.getDouble(0), p[0], p[1]});
        }
        return out;
    }

    private static void assertSamePredictions(List<double[]> expected, List<double[]> actual, String what) {
        assertEquals(expected.size(), actual.size(), what);
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), 0.0, what + ", row " + i);
        }
    }

    @Test
    void sparkModelRoundTripsThroughTheRegistryAndAliasesMove() throws Exception {
        SparkSession spark = SparkTestSession.get();
        Dataset<Row> data = rows(spark).cache();
        PipelineModel first = train(data, 0.0);
        PipelineModel second = train(data, 1.0);
        List<double[]> firstPredictions = predict(first, data);
        List<double[]> secondPredictions = predict(second, data);
        assertNotEquals(firstPredictions.get(0)[1], secondPredictions.get(0)[1],
                "the two versions must predict differently, or loading the wrong one would go unnoticed");

        String model = MlflowServer.unique("fosm-test-classifier");
        try (MlflowTracking tracking = MlflowTracking.connect(MlflowServer.uri())) {
            ModelRegistry registry = tracking.registry();
            String experimentId = tracking.experimentId(MlflowServer.unique("fosm-test-registry"));
            String[] runIds = new String[2];
            PipelineModel[] models = {first, second};
            for (int i = 0; i < 2; i++) {
                try (RunHandle run = tracking.startRun(experimentId, "train-" + i, Map.of())) {
                    run.logMetrics(Map.of("f1", 0.5 + i / 10.0));
                    assertEquals("runs:/" + run.runId() + "/model", run.logSparkModel(models[i], "model", PYSPARK));
                    run.end(true);
                    runIds[i] = run.runId();
                }
            }
            assertEquals(Map.of("f1", 0.6), registry.runMetrics(runIds[1]));

            assertTrue(registry.byAlias(model, "champion").isEmpty(), "no model yet: empty, not an error");
            ModelVersion v1 = registry.register(model, runIds[0], "model", Map.of("fosm.f1", "0.5"));
            ModelVersion v2 = registry.register(model, runIds[1], "model", Map.of());
            assertEquals(List.of("1", "2"), List.of(v1.version(), v2.version()), "the registry was created by the first register");
            assertEquals(runIds[0], v1.runId());
            assertTrue(v1.source().endsWith("/" + runIds[0] + "/artifacts/model"), v1.source());
            assertEquals(Map.of("fosm.f1", "0.5"), v1.tags());
            assertEquals(List.of(v1, v2), registry.versions(model));

            registry.setAlias(model, "champion", "1");
            assertEquals(v1, registry.byAlias(model, "champion").orElseThrow());
            assertTrue(registry.byAlias(model, "challenger").isEmpty());
            assertSamePredictions(firstPredictions, predict(registry.load(spark, "models:/" + model + "@champion"), data),
                    "champion v1 loaded by alias");

            registry.setAlias(model, "champion", "2");
            assertEquals(v2, registry.byAlias(model, "champion").orElseThrow(), "the alias moved to version 2");
            assertSamePredictions(secondPredictions, predict(registry.load(spark, "models:/" + model + "@champion"), data),
                    "champion v2 loaded by alias after the move");
            assertSamePredictions(firstPredictions, predict(registry.load(spark, "models:/" + model + "/1"), data),
                    "version 1 by number");
            assertSamePredictions(firstPredictions, predict(registry.load(spark, "runs:/" + runIds[0] + "/model"), data),
                    "run artifact path");

            registry.setAlias(model, "previous", "1");
            registry.deleteAlias(model, "previous");
            assertTrue(registry.byAlias(model, "previous").isEmpty());
            assertDoesNotThrow(() -> registry.deleteAlias(model, "previous"), "deleting a missing alias is a no-op");
            RegistryException noAlias = assertThrows(RegistryException.class,
                    () -> registry.download("models:/" + model + "@previous"));
            assertEquals("Cannot resolve model URI 'models:/" + model + "@previous': model '" + model
                    + "' has no alias 'previous'", noAlias.getMessage());
            RegistryException badVersion = assertThrows(RegistryException.class, () -> registry.setAlias(model, "x", "7"));
            assertTrue(badVersion.getMessage().startsWith("Cannot set alias 'x' of model '" + model + "' to version 7: "),
                    badVersion.getMessage());

            registry.setModelTag(model, "fosm.promoted_by", "test");
            assertEquals(Map.of("fosm.promoted_by", "test"), registry.modelTags(model));

            // the downloaded folder has the layout mlflow.spark.log_model writes
            Path dir = registry.download("models:/" + model + "@champion");
            for (String f : List.of("MLmodel", "conda.yaml", "python_env.yaml", "requirements.txt", "sparkml/metadata")) {
                assertTrue(Files.exists(dir.resolve(f)), "missing " + f + " in " + dir);
            }
            String mlmodel = Files.readString(dir.resolve("MLmodel"));
            assertTrue(mlmodel.contains("run_id: " + runIds[1] + "\n"), mlmodel);
            assertTrue(mlmodel.contains("    pyspark_version: 3.5.7\n"), mlmodel);
            assertTrue(mlmodel.contains("    loader_module: mlflow.spark\n"), mlmodel);
            String history = MlflowServer.get("/api/2.0/mlflow/runs/get?run_id=" + runIds[1]).path("run").path("data")
                    .path("tags").findValues("key").toString();
            assertTrue(history.contains(RunHandle.HISTORY_TAG), "the UI lists logged models from this tag: " + history);

            writeHandoff(tracking.trackingUri(), "models:/" + model + "@champion", data, secondPredictions);
        }
    }

    private static void writeHandoff(String trackingUri, String modelUri, Dataset<Row> data, List<double[]> predictions)
            throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("tracking_uri", trackingUri);
        root.put("model_uri", modelUri);
        ArrayNode rows = root.putArray("rows");
        for (Row r : data.orderBy("a", "b").select("a", "b").collectAsList()) {
            rows.addObject().put("a", r.getDouble(0)).put("b", r.getDouble(1));
        }
        ArrayNode preds = root.putArray("predictions");
        ArrayNode probs = root.putArray("probability_1");
        predictions.forEach(p -> {
            preds.add(p[0]);
            probs.add(p[2]);
        });
        Files.createDirectories(HANDOFF.getParent());
        Files.writeString(HANDOFF, json.writerWithDefaultPrettyPrinter().writeValueAsString(root));
    }
}
