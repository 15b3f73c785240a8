package io.fosm.jobs;

import static org.junit.jupiter.api.Assertions.*;

import io.fosm.config.FosmConfig;
import io.fosm.lakehouse.Tables;
import io.fosm.models.Promotion;
import io.fosm.reliability.FaultPoints;
import io.fosm.registry.MlflowTracking;
import io.fosm.registry.ModelRegistry;
import io.fosm.registry.ModelVersion;
import io.fosm.testing.SparkTestSession;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Crashes and outages of the model jobs on one small lakehouse (16 channels x 40 s, logistic regression only, built
 * once): kill -9 of {@code fosm train} after its runs are logged and after it registered (before the {@code challenger}
 * alias), kill -9 of {@code fosm score} after its commit, then a rerun; and the MLflow server going away in the middle
 * of a training. The killed runs are child JVMs halted by {@code FOSM_HALT_AT} (exit 137, as {@code kill -9}); the
 * uninterrupted runs and the reruns run in this JVM. Every case ends in the state of an uninterrupted run: one
 * registered version with the challenger alias and the same training key, or the same gold_predictions rows.
 */
class ModelJobsReliabilityTest {
    private static final Path LOG_CONFIG = Path.of("..", "conf", "log4j2.properties").toAbsolutePath().normalize();
    private static final SparkSession SPARK = SparkTestSession.get();
    private static Path lake;
    private static String mlflow;
    /** The registry state of an uninterrupted training: the training key and model kind of its one version. */
    private static String referenceTraining;
    /** The model of that training. */
    private static String referenceModel;

    @BeforeAll
    static void lakehouseAndAnUninterruptedTraining() throws Exception {
        mlflow = System.getenv("MLFLOW_TRACKING_URI");
        assertNotNull(mlflow, "MLFLOW_TRACKING_URI is not set: run via `make test`, which starts the MLflow server");
        lake = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "model-jobs");
        assertEquals(0, Fosm.run(new String[] {"generate", "--out", lake.toString(), "--fiber-id", "fiber-1",
            "--channels", "16", "--duration", "40", "--seed", "11", "--event-rate", "20"}, Map.of()));
        for (String job : List.of("bronze", "silver", "gold")) {
            assertEquals(0, Fosm.run(conf(job, null), Map.of()), job);
        }
        referenceModel = fresh("reference");
        assertEquals(0, Fosm.run(conf("train", referenceModel), Map.of()));
        referenceTraining = registryState(referenceModel);
    }

    @Test
    void killedAfterLoggingRunsTheRerunRegistersExactlyOneVersion() throws Exception {
        String model = fresh("kill-log-runs");
        assertEquals(FaultPoints.HALT_EXIT_CODE, child("train.after_log_runs", conf("train", model)));
        assertTrue(registry().versions(model).isEmpty(), "runs logged, nothing registered");

        assertEquals(0, Fosm.run(conf("train", model), Map.of()));
        assertEquals(referenceTraining, registryState(model));
    }

    @Test
    void killedAfterRegisteringTheRerunReusesThatVersionAndMovesTheAlias() throws Exception {
        String model = fresh("kill-register");
        assertEquals(FaultPoints.HALT_EXIT_CODE, child("train.after_register", conf("train", model)));
        assertEquals(1, registry().versions(model).size(), "the version registered before the kill");
        assertTrue(registry().byAlias(model, Promotion.CHALLENGER).isEmpty(), "the alias was not moved yet");

        assertEquals(0, Fosm.run(conf("train", model), Map.of()));
        assertEquals(referenceTraining, registryState(model), "no second version, the alias on the first");
    }

    @Test
    void scoreKilledAfterItsCommitReplacesTheSameRowsOnTheRerun() throws Exception {
        String model = referenceModel;
        registry().setAlias(model, Promotion.CHAMPION, "1");
        assertEquals(0, Fosm.run(conf("score", model), Map.of()));
        String uninterrupted = predictions();

        deleteTree(Path.of(Tables.GOLD_PREDICTIONS.path(config())));
        assertEquals(FaultPoints.HALT_EXIT_CODE, child("score.after_commit", conf("score", model)));
        assertEquals(uninterrupted, predictions(), "the killed run had committed the whole table");
        assertEquals(0, Fosm.run(conf("score", model), Map.of()));
        assertEquals(uninterrupted, predictions(), "the rerun replaced the same rows, added none");
    }

    @Test
    void twoScoreRunsAtOnceEndWithTheRowsOfOneAndTheOtherExitsThreeOrSucceeds() throws Exception {
        String model = referenceModel;
        registry().setAlias(model, Promotion.CHAMPION, "1");
        assertEquals(0, Fosm.run(conf("score", model), Map.of()));
        String uninterrupted = predictions();
        deleteTree(Path.of(Tables.GOLD_PREDICTIONS.path(config())));

        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        List<Integer> codes = new ArrayList<>();
        try {
            List<java.util.concurrent.Future<Integer>> runs = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                runs.add(pool.submit(() -> {
                    go.await();
                    return Fosm.run(conf("score", model), Map.of());
                }));
            }
            go.countDown();
            for (java.util.concurrent.Future<Integer> f : runs) {
                codes.add(f.get(5, TimeUnit.MINUTES));
            }
        } finally {
            pool.shutdownNow();
        }
        // the loser of Delta's optimistic concurrency exits 3 ("Cannot commit ...: another run committed to it at
        // the same time"); never 1 or 2, and never a half-written table
        assertTrue(codes.stream().allMatch(c -> c == 0 || c == 3), "exit codes " + codes);
        assertTrue(codes.contains(0), "one of the two runs completes: " + codes);
        assertEquals(uninterrupted, predictions(), "no rerun: the completed run left every row once, " + codes);
    }

    @Test
    void mlflowGoingDownMidTrainingExitsThreeAndTheRerunRegistersOneVersion() throws Exception {
        String model = fresh("mlflow-cut");
        URI server = URI.create(mlflow);
        String first;
        int code;
        // the proxy dies when the training logs its first model's metrics: after the start-up /health check, the
        // runs' creation and the model's training
        try (CutProxy proxy = CutProxy.cutOn(server.getHost(), server.getPort(), "\"train_seconds\"")) {
            PrintStream stderr = System.err;
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            try {
                code = Fosm.run(conf("train", model, "mlflow.tracking_uri=" + proxy.uri()), Map.of());
            } finally {
                System.setErr(stderr);
            }
            String text = err.toString(StandardCharsets.UTF_8);
            first = text.lines().filter(l -> l.startsWith("fosm ")).findFirst().orElse(text);
            assertTrue(proxy.wasCut(), "the training reached the logging of its metrics");
            assertEquals(3, code, first);
            assertTrue(first.startsWith("fosm train: "), first);
            assertTrue(first.startsWith("fosm train: Cannot train: the MLflow tracking server at " + proxy.uri()
                    + " stopped answering"), "one line naming the server that went away: " + first);
        }
        assertTrue(registry().versions(model).isEmpty(), "nothing registered by the failed run: " + first);

        assertEquals(0, Fosm.run(conf("train", model), Map.of()), "the rerun with MLflow back");
        assertEquals(referenceTraining, registryState(model));
    }

    /** Versions, aliases and training key of a model: one version, challenger on it, the reference's key and kind. */
    private static String registryState(String model) {
        List<ModelVersion> versions = registry().versions(model);
        StringBuilder s = new StringBuilder("versions=" + versions.size());
        for (ModelVersion v : versions) {
            s.append(" v").append(v.version()).append(" kind=").append(v.tags().get("model_kind"))
                    .append(" key=").append(v.tags().get("training_key"));
        }
        s.append(" challenger=").append(registry().byAlias(model, Promotion.CHALLENGER).map(ModelVersion::version)
                .orElse("none"));
        return s.toString();
    }

    /** gold_predictions: row count and a SHA-256 of the sorted rows without the scoring time. */
    private static String predictions() throws Exception {
        Dataset<Row> df = SPARK.read().format("delta").load(Tables.GOLD_PREDICTIONS.path(config()));
        List<Column> keep = new ArrayList<>();
        for (String c : df.columns()) {
            if (!c.equals("scored_at") && !c.equals("model_name")) {
                keep.add(functions.to_json(functions.struct(functions.col(c))));
            }
        }
        List<String> rows = new ArrayList<>();
        for (Row r : df.select(functions.concat_ws("|", keep.toArray(new Column[0]))).collectAsList()) {
            rows.add(r.getString(0));
        }
        rows.sort(null);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        rows.forEach(r -> sha.update((r + "\n").getBytes(StandardCharsets.UTF_8)));
        assertFalse(rows.isEmpty(), "score wrote rows");
        return rows.size() + "/" + HexFormat.of().formatHex(sha.digest(), 0, 8);
    }

    private static String[] conf(String command, String model, String... more) {
        List<String> args = new ArrayList<>(List.of(command, "--conf", "lakehouse.root=" + lake,
                "--conf", "mlflow.tracking_uri=" + mlflow, "--conf", "mlflow.experiment=fosm-reliability-tests",
                "--conf", "train.models=lr", "--conf", "train.search=false", "--conf", "train.anomaly=false",
                "--conf", "train.min_class_count=5", "--conf", "spark.shuffle_partitions=4"));
        if (model != null) {
            args.addAll(List.of("--conf", "mlflow.model_name=" + model));
        }
        for (String m : more) {
            args.addAll(List.of("--conf", m));
        }
        return args.toArray(new String[0]);
    }

    private static FosmConfig config() {
        return FosmConfig.local("lakehouse.root=" + lake);
    }

    private static ModelRegistry registry() {
        return MlflowTracking.connect(mlflow).registry();
    }

    private static String fresh(String prefix) {
        return "reliability-" + prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** {@code fosm <args>} in a child JVM halted at {@code haltAt}; its exit code. */
    private static int child(String haltAt, String[] args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-") || a.startsWith("-Dio.netty") || a.startsWith("-Djava.io.tmpdir")
                    || a.startsWith("-XX:+IgnoreUnrecognized") || a.startsWith("-Djdk.reflect")) {
                cmd.add(a);
            }
        }
        cmd.addAll(List.of("-Xmx1g", "-Dlog4j2.configurationFile=file:" + LOG_CONFIG, "-cp",
                System.getProperty("java.class.path"), Fosm.class.getName()));
        cmd.addAll(List.of(args));
        Path log = Path.of("target", "model-jobs-kill-" + haltAt + ".log");
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put(FaultPoints.ENV, haltAt);
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("the child halted at " + haltAt + " did not end in 5 minutes: see " + log);
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(out.contains("FOSM_HALT_AT: halting at " + haltAt), "halted there: see " + log);
        return p.exitValue();
    }

    private static void deleteTree(Path dir) throws Exception {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
