package io.fosm.jobs;

import static org.junit.jupiter.api.Assertions.*;

import io.fosm.config.FosmConfig;
import io.fosm.lakehouse.Columns;
import io.fosm.lakehouse.Tables;
import io.fosm.testing.SparkTestSession;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Submits the shaded jar with a real spark-submit to a real Spark standalone cluster (a master and a worker process
 * on loopback, from the Spark 3.5.7 distribution that `make` installs) and checks the tables it wrote.
 */
class ClusterSubmitIT {
    private static final Path WORK = Path.of("target", "it-cluster").toAbsolutePath();
    private static final List<Process> DAEMONS = new ArrayList<>();
    private static String masterUrl;
    private static int masterUi;

    private static Path sparkHome() {
        String home = System.getProperty("spark.home");
        assertNotNull(home, "spark.home must point at a Spark 3.5.7 distribution (make test passes it)");
        Path path = Path.of(home);
        assertTrue(Files.isExecutable(path.resolve("bin/spark-submit")), "no bin/spark-submit under " + path);
        return path;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Process start(String name, List<String> command) throws IOException {
        Files.createDirectories(WORK);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(WORK.resolve(name + ".log").toFile());
        pb.environment().put("SPARK_HOME", sparkHome().toString());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().put("SPARK_LOG_DIR", WORK.resolve("logs").toString());
        pb.environment().put("SPARK_WORKER_DIR", WORK.resolve("worker").toString());
        return pb.start();
    }

    private static String http(String url) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        c.setConnectTimeout(2000);
        c.setReadTimeout(5000);
        try (var in = c.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void await(String what, Duration timeout, java.util.concurrent.Callable<Boolean> condition)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (condition.call()) {
                    return;
                }
            } catch (IOException notYet) {
                // not up yet
            }
            Thread.sleep(500);
        }
        fail("Timed out after " + timeout.toSeconds() + " s waiting for " + what + "; logs in " + WORK);
    }

    @BeforeAll
    static void startCluster() throws Exception {
        String sparkClass = sparkHome().resolve("bin/spark-class").toString();
        int port = freePort();
        masterUi = freePort();
        masterUrl = "spark://127.0.0.1:" + port;
        DAEMONS.add(start("master", List.of(sparkClass, "org.apache.spark.deploy.master.Master",
                "--host", "127.0.0.1", "--port", String.valueOf(port), "--webui-port", String.valueOf(masterUi))));
        await("the master on port " + port, Duration.ofSeconds(90), () -> {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return true;
            }
        });
        DAEMONS.add(start("worker", List.of(sparkClass, "org.apache.spark.deploy.worker.Worker",
                "--host", "127.0.0.1", "--cores", "2", "--memory", "3g", "--webui-port", String.valueOf(freePort()),
                "--work-dir", WORK.resolve("worker").toString(), masterUrl)));
        await("a live worker", Duration.ofSeconds(90),
                () -> http("http://127.0.0.1:" + masterUi + "/json/").contains("\"aliveworkers\" : 1"));
    }

    @AfterAll
    static void stopCluster() {
        for (Process p : DAEMONS) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    private static void submit(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(sparkHome().resolve("bin/spark-submit").toString(),
                "--master", masterUrl, "--deploy-mode", "client", "--class", "io.fosm.jobs.Fosm",
                "--driver-memory", "1g", "--executor-memory", "1g", "--total-executor-cores", "2",
                "--conf", "spark.ui.enabled=false", System.getProperty("fosm.jar")));
        command.addAll(List.of(args));
        String name = "submit-" + args[0];
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(WORK.resolve(name + ".log").toFile());
        pb.environment().putAll(env);
        pb.environment().put("SPARK_HOME", sparkHome().toString());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        Process p = pb.start();
        assertTrue(p.waitFor(8, TimeUnit.MINUTES), name + " did not finish in 8 minutes");
        assertEquals(0, p.exitValue(), name + " failed:\n" + Files.readString(WORK.resolve(name + ".log")));
    }

    @Test
    void theWholeBatchPipelineRunsOnTheStandaloneCluster() throws Exception {
        Path lake = WORK.resolve("lakehouse");
        Map<String, String> env = Map.of("FOSM_PROFILE", "cluster", "FOSM_LAKEHOUSE_ROOT", lake.toString(),
                "FOSM_SPARK_SHUFFLE_PARTITIONS", "4");
        submit(env, "generate", "--out", lake.toString(), "--fiber-id", "fiber-1", "--channels", "16",
                "--duration", "20", "--seed", "11");
        submit(env, "bronze");
        submit(env, "silver");
        submit(env, "gold");

        String apps = http("http://127.0.0.1:" + masterUi + "/json/");
        assertTrue(apps.contains("\"name\" : \"fosm gold\""), "the gold job ran on the cluster: " + apps);

        SparkSession spark = SparkTestSession.get();
        FosmConfig config = FosmConfig.local("lakehouse.root=" + lake);
        Dataset<Row> gold = spark.read().format("delta").load(Tables.GOLD_FEATURES.path(config));
        // 16 channels x 20 s: windows of 1 s every 0.5 s -> 39 per channel
        assertEquals(16 * 39, gold.count());
        assertEquals(16, gold.select(Columns.CHANNEL).distinct().count());
        Row stats = gold.selectExpr("min(dominant_frequency)", "max(dominant_frequency)", "count(label)",
                "min(rms)").head();
        assertTrue(stats.getDouble(0) >= 0 && stats.getDouble(1) <= 500, "dominant frequency within 0..Nyquist");
        assertEquals(16 * 39, stats.getLong(2), "every window is labelled from the event log");
        assertTrue(stats.getDouble(3) >= 0);
    }
}
