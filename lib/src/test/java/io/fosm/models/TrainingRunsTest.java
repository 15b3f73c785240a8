package io.fosm.models;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fosm.cli.UsageException;
import io.fosm.config.FosmConfig;
import io.fosm.lakehouse.Columns;
import io.fosm.registry.MlflowTracking;
import io.fosm.registry.ModelRegistry;
import io.fosm.registry.ModelVersion;
import io.fosm.registry.RunHandle;
import io.fosm.testing.LabelledLakehouse;
import io.fosm.testing.SparkTestSession;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * {@code fosm train}'s MLflow runs against the real server of {@code make test}: every run of a training ends FINISHED
 * with the model's own start and end time and gold_features as its dataset input, a crash mid-training ends the
 * crashing model's run FAILED with the error, and the XGBoost champion plus the Java scores of a few gold rows are
 * handed to lib/src/test/python/test_mlflow_python_flavors.py, which loads the same models in Python.
 */
class TrainingRunsTest {
    /** Read by lib/src/test/python/test_mlflow_python_flavors.py. */
    private static final Path HANDOFF = Path.of("target/registry-it/trained_models.json");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static String trackingUri() {
        String uri = System.getProperty("MLFLOW_TRACKING_URI", System.getenv("MLFLOW_TRACKING_URI"));
        if (uri == null || uri.isBlank()) {
            fail("MLFLOW_TRACKING_URI is not set: run these tests via `make test`, which starts the MLflow server");
        }
        return uri;
    }

    private static JsonNode get(String pathAndQuery) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(trackingUri() + pathAndQuery)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), "GET " + pathAndQuery + ": " + r.body());
        return JSON.readTree(r.body());
    }

    private static JsonNode run(String runId) throws Exception {
        return get("/api/2.0/mlflow/runs/get?run_id=" + runId).path("run");
    }

    private static Map<String, String> pairs(JsonNode list) {
        Map<String, String> out = new HashMap<>();
        list.forEach(p -> out.put(p.path("key").asText(), p.path("value").asText()));
        return out;
    }

    private static FosmConfig config(String name, String models) {
        return FosmConfig.local("lakehouse.root=" + LabelledLakehouse.get().lakehouseRoot(),
                "mlflow.tracking_uri=" + trackingUri(), "mlflow.experiment=" + name, "mlflow.model_name=" + name,
                "train.models=" + models, "train.search=false", "train.xgboost_rounds=60", "train.min_class_count=10");
    }

    @Test
    void everyRunOfATrainingEndsFinishedWithItsOwnTimesAndTheXgboostChampionGoesToPython() throws Exception {
        SparkSession spark = SparkTestSession.get();
        String name = "training-runs-" + UUID.randomUUID().toString().substring(0, 8);
        FosmConfig config = config(name, "lr,xgboost");
        TrainingOptions options = TrainingOptions.of(config.train(), 2, 1);
        MlflowTracking mlflow = MlflowTracking.connect(trackingUri());
        TrainingRuns.Outcome outcome = TrainingRuns.train(spark, config, options, mlflow, Map.of("FOSM_GIT_COMMIT", "t"));
        Training.Result result = outcome.training();
        Trainer.TrainedModel best = outcome.best().orElseThrow();
        assertEquals(ModelKind.XGBOOST, best.kind(), "the handoff needs a training XGBoost wins: "
                + result.models().stream().map(m -> m.kind() + " " + m.metrics().macroF1()).toList());
        // the detectors train first: every event-level evaluation of the models flags windows with them
        assertEquals(List.of("isolation_forest", "robust_zscore", "logistic_regression", "xgboost"),
                List.copyOf(outcome.runIds().keySet()));

        String goldPath = io.fosm.lakehouse.Tables.GOLD_FEATURES.path(config);
        long previousEnd = 0;
        for (Map.Entry<String, String> e : outcome.runIds().entrySet()) {
            JsonNode run = run(e.getValue());
            JsonNode info = run.path("info");
            String what = e.getKey() + " " + info;
            assertEquals("FINISHED", info.path("status").asText(), what);
            long start = info.path("start_time").asLong();
            long end = info.path("end_time").asLong();
            assertTrue(start > 0 && end >= start, what);
            if (!e.getKey().equals("robust_zscore")) {
                // the steps run one after the other, each in its own run (the two detectors share one step)
                assertTrue(start >= previousEnd, e.getKey() + " started before the previous step's run ended");
            }
            previousEnd = end;
            Map<String, String> metrics = pairs(run.path("data").path("metrics"));
            if (metrics.containsKey("train_seconds")) {
                // opened before the training started and ended after it: the run's duration covers the training
                assertTrue(end - start >= 1000 * Double.parseDouble(metrics.get("train_seconds")) - 1, what + metrics);
            }
            JsonNode input = run.path("inputs").path("dataset_inputs").get(0);
            assertNotNull(input, "gold_features is the dataset input of " + what);
            JsonNode dataset = input.path("dataset");
            assertEquals(TrainingRuns.DATASET, dataset.path("name").asText());
            assertEquals("delta_table", dataset.path("source_type").asText());
            JsonNode source = JSON.readTree(dataset.path("source").asText());
            assertEquals(goldPath, source.path("path").asText());
            assertEquals(result.goldVersion(), source.path("delta_table_version").asLong());
            long rows = LabelledLakehouse.gold().filter(Columns.LABEL + " IS NOT NULL").count();
            assertEquals(rows, JSON.readTree(dataset.path("profile").asText()).path("num_rows").asLong());
            assertEquals("training", pairs(input.path("tags")).get("mlflow.data.context"));
            assertEquals(String.valueOf(result.goldVersion()), pairs(run.path("data").path("tags")).get("gold_delta_version"));
        }
        String xgbRun = outcome.runIds().get("xgboost");
        JsonNode history = get("/api/2.0/mlflow/metrics/get-history?run_id=" + xgbRun + "&metric_key=train_mlogloss")
                .path("metrics");
        assertEquals(60, history.size(), "one training loss per boosting round, logged instead of printed");
        assertTrue(history.get(59).path("value").asDouble() < history.get(0).path("value").asDouble());

        // promote it, score a few gold rows of every class with the champion as the jobs do, hand both to Python
        ModelRegistry registry = mlflow.registry();
        Dataset<Row> gold = LabelledLakehouse.gold();
        Promotion.Outcome promoted = Promotion.promote(spark, registry, name, gold,
                new PromotionGate("macro_f1", 0.0, 0.05));
        assertTrue(promoted.promoted(), promoted.reason());
        ModelVersion champion = registry.byAlias(name, Promotion.CHAMPION).orElseThrow();
        // the anomaly detectors scoring applies travel inside the registered model and load with the champion
        AnomalyModel detectors = Promotion.loadAnomaly(registry, champion).orElseThrow(() ->
                new AssertionError("the champion carries no anomaly detectors"));
        Map<String, String> bestMetrics = pairs(run(xgbRun).path("data").path("metrics"));
        assertEquals(detectors.forestThreshold(), Double.parseDouble(bestMetrics.get("anomaly_forest_threshold")), 1e-9);
        assertTrue(detectors.trainingFlaggedRate() > 0 && detectors.trainingFlaggedRate() < 0.5,
                "flagged share of the event-free training windows: " + detectors.trainingFlaggedRate());
        Dataset<Row> sample = null;
        for (String label : best.labels()) {
            Dataset<Row> some = gold.filter(gold.col(Columns.LABEL).equalTo(label)
                    .and(gold.col(Columns.WINDOW_START).geq(Timestamp.from(result.split().evalStart())))).limit(4);
            sample = sample == null ? some : sample.union(some);
        }
        sample = sample.orderBy(Columns.CHANNEL, Columns.WINDOW_START).cache();
        String lrRun = outcome.runIds().get("logistic_regression");
        PipelineModel lr = registry.load(spark, "runs:/" + lrRun + "/" + TrainingRuns.MODEL_PATH);
        writeHandoff(mlflow.trackingUri(), name, champion, lrRun, goldPath, result, sample,
                Scoring.score(Promotion.load(spark, registry, champion), sample, Promotion.classes(champion),
                        Columns.BACKGROUND),
                Scoring.score(lr, sample, best.labels(), Columns.BACKGROUND));
    }

    @Test
    void aHeldOutFiberNeverTrainsAndEveryModelsFiguresOnItReachMlflowAndTheModelCard() throws Exception {
        SparkSession spark = SparkTestSession.get();
        FosmConfig lakehouse = LabelledLakehouse.withHeldOutFiber();
        String fiber = LabelledLakehouse.HELD_OUT_FIBER;
        String name = "training-heldout-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> conf = new ArrayList<>(List.of(LabelledLakehouse.twoFiberRegistry()));
        conf.addAll(List.of("lakehouse.root=" + lakehouse.lakehouseRoot(), "mlflow.tracking_uri=" + trackingUri(),
                "mlflow.experiment=" + name, "mlflow.model_name=" + name, "train.models=lr,xgboost",
                "train.search=false", "train.xgboost_rounds=20", "train.min_class_count=10"));
        MlflowTracking mlflow = MlflowTracking.connect(trackingUri());

        // bad held-out lists fail before any run opens, naming the key and the fiber
        FosmConfig noRows = FosmConfig.local(with(conf, "train.heldout_fibers=fiber-1"));
        UsageException empty = assertThrows(UsageException.class, () -> TrainingRuns.train(spark, noRows,
                TrainingOptions.of(noRows.train(), 2, 1), mlflow, Map.of()));
        assertTrue(empty.getMessage().startsWith("Cannot train: train.heldout_fibers names fiber 'fiber-1', which has"
                + " no labelled rows in gold_features"), empty.getMessage());
        FosmConfig all = FosmConfig.local(with(conf, "train.heldout_fibers=demo," + fiber));
        UsageException everything = assertThrows(UsageException.class, () -> TrainingRuns.train(spark, all,
                TrainingOptions.of(all.train(), 2, 1), mlflow, Map.of()));
        assertTrue(everything.getMessage().contains("holds every fiber with labelled rows"), everything.getMessage());

        FosmConfig heldOut = FosmConfig.local(with(conf, "train.heldout_fibers=" + fiber));
        TrainingRuns.Outcome outcome = TrainingRuns.train(spark, heldOut, TrainingOptions.of(heldOut.train(), 2, 1),
                mlflow, Map.of());
        Training.Result result = outcome.training();
        Dataset<Row> labelled = LabelledLakehouse.gold(lakehouse).filter(Columns.LABEL + " IS NOT NULL");
        Dataset<Row> heldOutRows = labelled.filter(labelled.col(Columns.FIBER_ID).equalTo(fiber));
        assertEquals(Map.of(fiber, heldOutRows.count()), result.heldOutRows());
        // the held-out fiber covers the training range's time: only the exclusion keeps its windows out
        Timestamp trainEnd = Timestamp.from(result.split().trainEnd());
        assertTrue(heldOutRows.filter(heldOutRows.col(Columns.WINDOW_END).leq(trainEnd)).count() > 0);
        Dataset<Row> demo = labelled.filter(labelled.col(Columns.FIBER_ID).equalTo("demo"));
        assertEquals(demo.filter(demo.col(Columns.WINDOW_END).leq(trainEnd)).count(), result.trainRows(),
                "training rows are the other fiber's training range, none of the held-out fiber's");

        for (String model : List.of("logistic_regression", "xgboost")) {
            HeldOutEvaluation ho = result.heldOut().get(model.equals("xgboost") ? ModelKind.XGBOOST : ModelKind.LR);
            assertNotNull(ho, model);
            JsonNode run = run(outcome.runIds().get(model));
            assertEquals("FINISHED", run.path("info").path("status").asText());
            Map<String, String> metrics = pairs(run.path("data").path("metrics"));
            HeldOutEvaluation.Fiber figures = ho.fibers().get(0);
            assertEquals(fiber, figures.fiberId());
            assertEquals(heldOutRows.count(), figures.rows(), "every labelled window of the fiber, as a whole");
            for (String key : List.of("heldout." + fiber + ".window_macro_f1",
                    "heldout." + fiber + ".window_macro_f1_clear_windows", "heldout." + fiber + ".event_f1",
                    "heldout." + fiber + ".event_recall", "heldout_window_macro_f1_mean", "heldout_window_macro_f1_min",
                    "heldout_window_macro_f1_max", "heldout_event_f1_mean", "heldout_event_f1_min",
                    "window_macro_f1_every_window", "window_macro_f1_clear_windows")) {
                assertTrue(metrics.containsKey(key), model + " logs " + key + ": " + metrics.keySet());
            }
            assertEquals(figures.everyWindow().macroF1(),
                    Double.parseDouble(metrics.get("heldout." + fiber + ".window_macro_f1")), 1e-9);
            assertEquals(figures.events().eventF1(), Double.parseDouble(metrics.get("heldout_event_f1_mean")), 1e-9);
            assertTrue(figures.events().events() > 0, "the held-out fiber has ground-truth events: " + figures);
            assertFalse(metrics.containsKey("heldout_window_macro_f1_std"), "no spread of one fiber");
            String card = HTTP.send(HttpRequest.newBuilder(URI.create(trackingUri() + "/get-artifact?run_id="
                    + outcome.runIds().get(model) + "&path=model_card.md")).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(card.contains("## Held-out fibers\n\nFibers whose windows never trained (train.heldout_fibers: "
                    + fiber + ")"), card);
            assertTrue(card.contains("| " + fiber + " | " + heldOutRows.count() + " | "), card);
        }
    }

    private static String[] with(List<String> conf, String extra) {
        List<String> out = new ArrayList<>(conf);
        out.add(extra);
        return out.toArray(new String[0]);
    }

    @Test
    void aCrashMidTrainingEndsThatModelsRunFailedWithTheError() throws Exception {
        SparkSession spark = SparkTestSession.get();
        String name = "training-crash-" + UUID.randomUUID().toString().substring(0, 8);
        FosmConfig config = config(name, "lr,xgboost");
        // a real failure inside XGBoost's fit: more threads per worker than spark.task.cpus (1) allows
        TrainingOptions options = new TrainingOptions(List.of(ModelKind.LR, ModelKind.XGBOOST), 0.7, 0, false, 10, 42,
                5, 1, 2, false, true);
        MlflowTracking mlflow = MlflowTracking.connect(trackingUri());
        RuntimeException crash = assertThrows(RuntimeException.class,
                () -> TrainingRuns.train(spark, config, options, mlflow, Map.of()));
        String experiment = mlflow.experimentId(name);
        ObjectNode search = JSON.createObjectNode();
        search.putArray("experiment_ids").add(experiment);
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(trackingUri()
                + "/api/2.0/mlflow/runs/search")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(search.toString())).build(), HttpResponse.BodyHandlers.ofString());
        Map<String, JsonNode> runs = new HashMap<>();
        JSON.readTree(r.body()).path("runs").forEach(run -> runs.put(run.path("info").path("run_name").asText(), run));
        assertEquals(java.util.Set.of("logistic_regression", "xgboost"), runs.keySet(), r.body());
        assertEquals("FINISHED", runs.get("logistic_regression").path("info").path("status").asText());
        JsonNode failed = runs.get("xgboost");
        assertEquals("FAILED", failed.path("info").path("status").asText());
        assertTrue(failed.path("info").path("end_time").asLong() >= failed.path("info").path("start_time").asLong());
        String error = pairs(failed.path("data").path("tags")).get(RunHandle.ERROR_TAG);
        assertNotNull(error, "the error is tagged on the failed run");
        assertTrue(error.contains(crash.getMessage()), error + " vs " + crash.getMessage());
        assertTrue(error.contains("nthread"), error);
        String trace = HTTP.send(HttpRequest.newBuilder(URI.create(trackingUri() + "/get-artifact?run_id="
                + failed.path("info").path("run_id").asText() + "&path="
                + URLEncoder.encode("error/stacktrace.txt", StandardCharsets.UTF_8))).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(trace.contains("at io.fosm.models.Trainer.fit"), trace);
        assertTrue(mlflow.registry().versions(name).isEmpty(), "nothing registered after a crash");
    }

    private static void writeHandoff(String trackingUri, String modelName, ModelVersion champion, String lrRun,
                                     String goldPath, Training.Result result, Dataset<Row> sample,
                                     Dataset<Row> championScores, Dataset<Row> lrScores) throws Exception {
        ObjectNode root = JSON.createObjectNode();
        root.put("tracking_uri", trackingUri);
        root.put("champion_uri", "models:/" + modelName + "@" + Promotion.CHAMPION);
        root.put("champion_run_id", champion.runId());
        root.put("lr_model_uri", "runs:/" + lrRun + "/" + TrainingRuns.MODEL_PATH);
        root.put("gold_path", goldPath);
        root.put("gold_version", result.goldVersion());
        ArrayNode classes = root.putArray("classes");
        Promotion.classes(champion).forEach(classes::add);
        ArrayNode columns = root.putArray("columns");
        result.features().forEach(columns::add);
        ArrayNode rows = root.putArray("rows");
        for (Row r : sample.collectAsList()) {
            ObjectNode row = rows.addObject();
            for (String c : result.features()) {
                row.put(c, ((Number) r.getAs(c)).doubleValue());
            }
        }
        root.set("champion_scores", scores(championScores));
        root.set("lr_scores", scores(lrScores));
        Files.createDirectories(HANDOFF.getParent());
        Files.writeString(HANDOFF, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
    }

    /** Per row (in the sample's order): predicted_label, event_score and the class probabilities. */
    private static ObjectNode scores(Dataset<Row> scored) {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode labels = out.putArray("predicted_label");
        ArrayNode events = out.putArray("event_score");
        ArrayNode probabilities = out.putArray("probabilities");
        for (Row r : scored.orderBy(Columns.CHANNEL, Columns.WINDOW_START).select(Scoring.PREDICTED_LABEL,
                Scoring.EVENT_SCORE, Scoring.PROBABILITIES).collectAsList()) {
            labels.add(r.getString(0));
            events.add(r.getDouble(1));
            ArrayNode p = probabilities.addArray();
            List<Double> values = new ArrayList<>(r.getList(2));
            values.forEach(p::add);
        }
        return out;
    }
}
