package io.fosm.jobs;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fosm.config.FosmConfig;
import io.fosm.lakehouse.Columns;
import io.fosm.lakehouse.Tables;
import io.fosm.testing.SparkTestSession;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * Every fosm job submitted with the real spark-submit to a real Spark standalone cluster (a master and a worker process
 * on loopback, see {@link StandaloneCluster}), one after the other on one lakehouse, as a scheduler would run them:
 * generate, bronze, silver, gold, train, promote, score, summary. The model jobs use the MLflow server of `make test`
 * (MLFLOW_TRACKING_URI). Each Spark job must show up as a finished application of the cluster's master.
 */
class ClusterSubmitIT {
    private static final Path LAKE = StandaloneCluster.WORK.resolve("lakehouse");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String mlflow() {
        String uri = System.getenv("MLFLOW_TRACKING_URI");
        assertNotNull(uri, "MLFLOW_TRACKING_URI is not set: run via `make test`, which starts the MLflow server");
        return uri;
    }

    /** Submits {@code fosm <command> args...} and checks that it ran as an application of the cluster. */
    private static StandaloneCluster.Submitted job(StandaloneCluster cluster, Map<String, String> env, String command,
                                                   String... args) throws Exception {
        String[] all = Stream.concat(Stream.of(command), Stream.of(args)).toArray(String[]::new);
        StandaloneCluster.Submitted submitted = cluster.submit("submit-" + command, env, List.of(), all);
        cluster.assertRanHere(submitted, "fosm " + command);
        return submitted;
    }

    @Test
    void everyJobRunsOnTheStandaloneCluster() throws Exception {
        StandaloneCluster cluster = StandaloneCluster.get();
        if (Files.exists(LAKE)) {
            try (Stream<Path> old = Files.walk(LAKE)) {
                old.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        String model = "cluster-it-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> env = Map.ofEntries(Map.entry("FOSM_PROFILE", "cluster"),
                Map.entry("FOSM_LAKEHOUSE_ROOT", LAKE.toString()), Map.entry("FOSM_SPARK_SHUFFLE_PARTITIONS", "4"),
                Map.entry("MLFLOW_TRACKING_URI", mlflow()), Map.entry("FOSM_MLFLOW_EXPERIMENT", "fosm-it-cluster"),
                Map.entry("FOSM_MLFLOW_MODEL_NAME", model), Map.entry("FOSM_TRAIN_MODELS", "lr,xgboost"),
                Map.entry("FOSM_TRAIN_SEARCH", "false"), Map.entry("FOSM_TRAIN_XGBOOST_ROUNDS", "20"),
                Map.entry("FOSM_TRAIN_XGBOOST_WORKERS", "2"),
                Map.entry("FOSM_TRAIN_MIN_CLASS_COUNT", "5"), Map.entry("FOSM_GIT_COMMIT", "cluster-it"));

        // driver only: no application on the cluster
        cluster.submit("submit-generate", env, List.of(), "generate", "--out", LAKE.toString(), "--fiber-id",
                "fiber-1", "--channels", "16", "--duration", "40", "--seed", "11", "--event-rate", "20");
        job(cluster, env, "bronze");
        job(cluster, env, "silver");
        job(cluster, env, "gold");

        SparkSession spark = SparkTestSession.get();
        FosmConfig config = FosmConfig.local("lakehouse.root=" + LAKE);
        Dataset<Row> gold = spark.read().format("delta").load(Tables.GOLD_FEATURES.path(config));
        // 16 channels x 40 s: windows of 1 s every 0.5 s -> 79 per channel
        assertEquals(16 * 79, gold.count());
        assertEquals(16, gold.select(Columns.CHANNEL).distinct().count());
        Row stats = gold.selectExpr("min(dominant_frequency)", "max(dominant_frequency)", "count(label)",
                "min(rms)").head();
        assertTrue(stats.getDouble(0) >= 0 && stats.getDouble(1) <= 500, "dominant frequency within 0..Nyquist");
        assertEquals(16 * 79, stats.getLong(2), "every window is labelled from the event log");
        assertTrue(stats.getDouble(3) >= 0);

        // XGBoost's barrier stage and the isolation forest run in the cluster's executors
        StandaloneCluster.Submitted train = job(cluster, env, "train");
        assertTrue(train.output().contains("as 'challenger'"), train.output());
        assertTrue(train.output().contains("isolation_forest"), "the anomaly detectors trained too:\n" + train.output());
        JsonNode challenger = alias(model, "challenger");
        assertEquals("1", challenger.path("version").asText(), challenger.toString());

        StandaloneCluster.Submitted promote = job(cluster, env, "promote");
        assertTrue(promote.output().contains("promote: version 1 is now the champion of " + model), promote.output());
        assertEquals("1", alias(model, "champion").path("version").asText());

        job(cluster, env, "score");
        Dataset<Row> predictions = spark.read().format("delta").load(Tables.GOLD_PREDICTIONS.path(config));
        assertEquals(16 * 79, predictions.count(), "one prediction per gold window");
        Row scored = predictions.selectExpr("min(model_version)", "max(model_version)",
                "avg(CAST(predicted_label = label AS DOUBLE))").head();
        assertEquals("1", scored.getString(0));
        assertEquals("1", scored.getString(1));
        // the champion scores the windows it was trained and evaluated on: clearly better than always answering the
        // most frequent label
        double majority = predictions.groupBy(Columns.LABEL).count().selectExpr("max(count)").head().getLong(0)
                / (double) (16 * 79);
        assertTrue(scored.getDouble(2) > majority + 0.1, "agreement with the labels " + scored.getDouble(2)
                + " vs the majority label's share " + majority);

        StandaloneCluster.Submitted summary = job(cluster, env, "summary");
        assertTrue(summary.output().matches("(?s).*gold_predictions\\s+" + String.format("%,d", 16 * 79)
                + " rows.*"), summary.output());

        // the stream on the cluster: the files source needs no broker, the generated landing files are its input
        Map<String, String> streamEnv = new java.util.HashMap<>(env);
        streamEnv.put("FOSM_STREAM_FILES_PATH", LAKE.resolve("landing/fiber-1").toString());
        // the Prometheus endpoint on a free port: a stream already running on this machine holds the default one
        streamEnv.put("FOSM_METRICS_PORT", "0");
        StandaloneCluster.Submitted stream = job(cluster, streamEnv, "stream", "--available-now");
        assertTrue(stream.output().contains("stream: stopped;"), stream.output());
        Dataset<Row> streamed = spark.read().format("delta").load(Tables.STREAM_SCORES.path(config));
        long streamedWindows = streamed.count();
        // the newest windows wait for their temporal context and the fiber watermark; the rest are scored once each
        assertTrue(streamedWindows > 16 * 40 && streamedWindows < 16 * 79, "stream windows: " + streamedWindows);
        assertEquals(streamedWindows, streamed.select(Columns.CHANNEL, Columns.WINDOW_START).distinct().count());
        assertEquals(streamedWindows, streamed.select(Columns.FIBER_ID, Columns.CHANNEL, Columns.WINDOW_START)
                .intersect(gold.select(Columns.FIBER_ID, Columns.CHANNEL, Columns.WINDOW_START)).count(),
                "every streamed window is a gold window");
        assertEquals(List.of("1"), streamed.select(Columns.MODEL_VERSION).distinct().as(
                org.apache.spark.sql.Encoders.STRING()).collectAsList(), "scored by the champion");

        // batch drift of gold against itself: reported, nothing flagged
        job(cluster, env, "drift", "--current", "gold_features", "--reference", "gold_features");
        Dataset<Row> drift = spark.read().format("delta").load(Tables.DRIFT_REPORTS.path(config));
        assertTrue(drift.count() > 0, "drift_reports has rows");
        assertEquals(0, drift.filter(org.apache.spark.sql.functions.col(Columns.WINDOW_DRIFTED)).count(),
                "a table compared with itself does not drift");
    }

    /** The registered model version an alias points at, straight from the MLflow REST API. */
    private static JsonNode alias(String model, String alias) throws Exception {
        return JSON.readTree(StandaloneCluster.http(mlflow() + "/api/2.0/mlflow/registered-models/alias?name="
                + URLEncoder.encode(model, StandardCharsets.UTF_8) + "&alias=" + alias)).path("model_version");
    }
}
