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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An s3a:// lakehouse on a real S3 REST server (s3proxy on loopback), every job submitted with the real spark-submit to
 * the standalone cluster: generate, bronze, silver, gold and train (logging to the MLflow server of `make test`). S3A
 * (hadoop-aws + the AWS SDK bundle, not in the Spark distribution) comes from the local Maven repository through
 * {@code --jars}; the endpoint comes from the {@code s3.*} configuration keys, credentials only from the environment of
 * spark-submit (the worker has none).
 */
class S3LakehouseIT {
    private static final Path WORK = Path.of("target", "it-s3").toAbsolutePath();
    private static final String BUCKET = "fosm-it";
    private static final String ROOT = "s3a://" + BUCKET + "/lake";
    private static S3ProxyProcess s3;

    @BeforeAll
    static void startS3() throws Exception {
        if (Files.exists(WORK)) {
            try (Stream<Path> old = Files.walk(WORK)) {
                old.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(WORK);
        s3 = S3ProxyProcess.start(WORK, BUCKET);
    }

    @AfterAll
    static void stopS3() {
        if (s3 != null) {
            s3.close();
        }
    }

    /** spark-submit's --jars: hadoop-aws and the AWS SDK bundle, already on every "node" (local:, nothing copied). */
    private static List<String> s3aSubmitArgs() {
        String jars = System.getProperty("s3a.jars");
        assertNotNull(jars, "s3a.jars must list hadoop-aws and aws-java-sdk-bundle (the jobs pom passes them)");
        StringBuilder local = new StringBuilder();
        for (String jar : jars.split(",")) {
            assertTrue(Files.isRegularFile(Path.of(jar)), "no such jar: " + jar);
            local.append(local.length() == 0 ? "" : ",").append("local:").append(jar);
        }
        return List.of("--jars", local.toString(),
                "--conf", "spark.hadoop.fs.s3a.buffer.dir=" + WORK.resolve("s3a-buffer"));
    }

    private static String mlflow() {
        String uri = System.getenv("MLFLOW_TRACKING_URI");
        assertNotNull(uri, "MLFLOW_TRACKING_URI is not set: run via `make test`, which starts the MLflow server");
        return uri;
    }

    @Test
    void bronzeToGoldAndTrainingOnAnS3aLakehouseOnTheCluster() throws Exception {
        StandaloneCluster cluster = StandaloneCluster.get();
        String model = "s3-it-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> env = new HashMap<>(Map.of("FOSM_PROFILE", "cluster", "FOSM_LAKEHOUSE_ROOT", ROOT,
                "FOSM_S3_ENDPOINT", s3.endpoint(), "FOSM_S3_PATH_STYLE_ACCESS", "true",
                "FOSM_SPARK_SHUFFLE_PARTITIONS", "4", "MLFLOW_TRACKING_URI", mlflow()));
        env.putAll(Map.of("FOSM_MLFLOW_EXPERIMENT", "fosm-it-s3", "FOSM_MLFLOW_MODEL_NAME", model,
                "FOSM_TRAIN_MODELS", "lr", "FOSM_TRAIN_SEARCH", "false", "FOSM_TRAIN_ANOMALY", "false",
                "FOSM_TRAIN_MIN_CLASS_COUNT", "5"));
        String[] generate = {"generate", "--out", ROOT, "--fiber-id", "fiber-1", "--channels", "16", "--duration", "40",
                "--seed", "11", "--event-rate", "20"};

        // no credentials in the environment: S3A finds none anywhere else (no files, no defaults)
        StandaloneCluster.Submitted denied = cluster.submitExpectingFailure("s3-generate-without-credentials", env,
                s3aSubmitArgs(), generate);
        assertTrue(denied.output().contains("Cannot generate into " + ROOT), denied.output());

        env.put("AWS_ACCESS_KEY_ID", S3ProxyProcess.ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", S3ProxyProcess.SECRET_KEY);
        cluster.submit("s3-generate", env, s3aSubmitArgs(), generate);
        cluster.assertRanHere(cluster.submit("s3-bronze", env, s3aSubmitArgs(), "bronze"), "fosm bronze");
        cluster.assertRanHere(cluster.submit("s3-silver", env, s3aSubmitArgs(), "silver"), "fosm silver");
        cluster.assertRanHere(cluster.submit("s3-gold", env, s3aSubmitArgs(), "gold"), "fosm gold");
        StandaloneCluster.Submitted train = cluster.submit("s3-train", env, s3aSubmitArgs(), "train");
        cluster.assertRanHere(train, "fosm train");

        // the objects are in the bucket (s3proxy's filesystem store), not on some local path
        Path bucket = WORK.resolve("data").resolve(BUCKET).resolve("lake");
        assertTrue(Files.isDirectory(bucket.resolve("landing/fiber-1")), "landing files in the bucket");
        assertTrue(Files.isDirectory(bucket.resolve("gold/features/_delta_log")), "gold_features in the bucket");

        // read the tables back through S3A, with this bucket's settings only (the test session is shared)
        SparkSession spark = SparkTestSession.get();
        org.apache.hadoop.conf.Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        String prefix = "fs.s3a.bucket." + BUCKET + ".";
        hadoop.set(prefix + "endpoint", s3.endpoint());
        hadoop.set(prefix + "path.style.access", "true");
        hadoop.set(prefix + "access.key", S3ProxyProcess.ACCESS_KEY);
        hadoop.set(prefix + "secret.key", S3ProxyProcess.SECRET_KEY);
        FosmConfig config = FosmConfig.local("lakehouse.root=" + ROOT);
        Dataset<Row> gold = spark.read().format("delta").load(Tables.GOLD_FEATURES.path(config));
        // 16 channels x 40 s: windows of 1 s every 0.5 s -> 79 per channel, each labelled from the event log
        assertEquals(16 * 79, gold.count());
        assertEquals(16 * 79, gold.filter(Columns.LABEL + " IS NOT NULL").count());
        long bronzeRecords = spark.read().format("delta").load(Tables.BRONZE.path(config)).count();
        assertEquals(16 * 40, bronzeRecords, "one record per channel and second");

        // training logged to MLflow and registered a challenger whose run names the s3a lakehouse
        ObjectMapper json = new ObjectMapper();
        JsonNode version = json.readTree(StandaloneCluster.http(mlflow()
                + "/api/2.0/mlflow/registered-models/alias?name=" + enc(model) + "&alias=challenger"))
                .path("model_version");
        assertEquals("1", version.path("version").asText(), version.toString());
        JsonNode run = json.readTree(StandaloneCluster.http(mlflow() + "/api/2.0/mlflow/runs/get?run_id="
                + enc(version.path("run_id").asText()))).path("run");
        Map<String, String> tags = new HashMap<>();
        run.path("data").path("tags").forEach(t -> tags.put(t.path("key").asText(), t.path("value").asText()));
        assertEquals(ROOT, tags.get("lakehouse"), tags.toString());
        double macroF1 = 0;
        for (JsonNode m : run.path("data").path("metrics")) {
            if (m.path("key").asText().equals("macro_f1")) {
                macroF1 = m.path("value").asDouble();
            }
        }
        assertTrue(macroF1 > 0.3, "the model learned something from the s3a gold table: macro_f1 " + macroF1);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
