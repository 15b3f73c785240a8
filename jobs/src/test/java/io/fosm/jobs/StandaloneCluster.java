package io.fosm.jobs;

import static org.junit.jupiter.api.Assertions.*;

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
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Spark standalone cluster on loopback: a master and one worker process of the Spark 3.5.7 distribution that
 * `make` installs (SPARK_HOME from the {@code spark.home} system property). Started once per test JVM and shared by the
 * cluster ITs (starting it costs ~10 s); stopped when the JVM exits. {@link #submit} runs the shaded jar with the real
 * spark-submit in client mode.
 */
final class StandaloneCluster {
    static final Path WORK = Path.of("target", "it-cluster").toAbsolutePath();
    private static final Pattern APP_ID = Pattern.compile("Connected to Spark cluster with app ID (app-[0-9-]+)");
    private static StandaloneCluster shared;

    private final List<Process> daemons = new ArrayList<>();
    private final String masterUrl;
    private final int masterUi;

    private StandaloneCluster(int port, int ui) {
        this.masterUrl = "spark://127.0.0.1:" + port;
        this.masterUi = ui;
    }

    /** The cluster of this JVM, started on first use. */
    static synchronized StandaloneCluster get() throws Exception {
        if (shared == null) {
            StandaloneCluster c = new StandaloneCluster(freePort(), freePort());
            Runtime.getRuntime().addShutdownHook(new Thread(c::stop, "stop-standalone-cluster"));
            c.start();
            shared = c;
        }
        return shared;
    }

    static Path sparkHome() {
        String home = System.getProperty("spark.home");
        assertNotNull(home, "spark.home must point at a Spark 3.5.7 distribution (make test passes it)");
        Path path = Path.of(home);
        assertTrue(Files.isExecutable(path.resolve("bin/spark-submit")), "no bin/spark-submit under " + path);
        return path;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static String http(String url) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        c.setConnectTimeout(2000);
        c.setReadTimeout(5000);
        try (var in = c.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static void await(String what, Duration timeout, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (condition.call()) {
                    return;
                }
            } catch (IOException notYet) {
                // not up yet
            }
            Thread.sleep(250);
        }
        fail("Timed out after " + timeout.toSeconds() + " s waiting for " + what + "; logs in " + WORK);
    }

    private Process daemon(String name, List<String> command) throws IOException {
        Files.createDirectories(WORK);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(WORK.resolve(name + ".log").toFile());
        pb.environment().put("SPARK_HOME", sparkHome().toString());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().put("SPARK_LOG_DIR", WORK.resolve("logs").toString());
        pb.environment().put("SPARK_WORKER_DIR", WORK.resolve("worker").toString());
        // the worker (and the executors it launches) must not see credentials: they travel with the job's config
        pb.environment().keySet().removeIf(k -> k.startsWith("AWS_"));
        Process p = pb.start();
        daemons.add(p);
        return p;
    }

    private void start() throws Exception {
        String sparkClass = sparkHome().resolve("bin/spark-class").toString();
        int port = Integer.parseInt(masterUrl.substring(masterUrl.lastIndexOf(':') + 1));
        daemon("master", List.of(sparkClass, "org.apache.spark.deploy.master.Master",
                "--host", "127.0.0.1", "--port", String.valueOf(port), "--webui-port", String.valueOf(masterUi)));
        await("the master on port " + port, Duration.ofSeconds(90), () -> {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return true;
            }
        });
        daemon("worker", List.of(sparkClass, "org.apache.spark.deploy.worker.Worker",
                "--host", "127.0.0.1", "--cores", "2", "--memory", "3g", "--webui-port", String.valueOf(freePort()),
                "--work-dir", WORK.resolve("worker").toString(), masterUrl));
        await("a live worker", Duration.ofSeconds(90), () -> masterState().contains("\"aliveworkers\" : 1"));
    }

    private void stop() {
        for (Process p : daemons) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    /** The master's JSON view (workers, running and completed applications). */
    String masterState() throws IOException {
        return http("http://127.0.0.1:" + masterUi + "/json/");
    }

    /** What one spark-submit did: its combined output and the cluster application id (null for driver-only commands). */
    record Submitted(String output, String appId) {}

    /**
     * Runs {@code spark-submit --master <this cluster> [sparkArgs] fosm.jar fosmArgs...} with {@code env} added to the
     * environment and fails the test, showing the output, unless it exits 0 within 8 minutes. The output goes to
     * {@code target/it-cluster/<logName>.log}.
     */
    Submitted submit(String logName, Map<String, String> env, List<String> sparkArgs, String... fosmArgs)
            throws Exception {
        return run(logName, env, sparkArgs, true, fosmArgs);
    }

    /** As {@link #submit}, but the command must fail (exit non-zero). */
    Submitted submitExpectingFailure(String logName, Map<String, String> env, List<String> sparkArgs,
                                     String... fosmArgs) throws Exception {
        return run(logName, env, sparkArgs, false, fosmArgs);
    }

    private Submitted run(String logName, Map<String, String> env, List<String> sparkArgs, boolean succeed,
                          String... fosmArgs) throws Exception {
        List<String> command = new ArrayList<>(List.of(sparkHome().resolve("bin/spark-submit").toString(),
                "--master", masterUrl, "--deploy-mode", "client", "--class", "io.fosm.jobs.Fosm",
                "--driver-memory", "1g", "--executor-memory", "1g", "--total-executor-cores", "2",
                "--conf", "spark.ui.enabled=false"));
        command.addAll(sparkArgs);
        command.add(System.getProperty("fosm.jar"));
        command.addAll(List.of(fosmArgs));
        Path log = WORK.resolve(logName + ".log");
        Files.createDirectories(WORK);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        // only what the test hands over: no credentials or fosm settings leak in from the shell that runs Maven
        pb.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("FOSM_"));
        pb.environment().putAll(env);
        pb.environment().put("SPARK_HOME", sparkHome().toString());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        long t0 = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(8, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            fail(logName + " did not finish in 8 minutes:\n" + Files.readString(log));
        }
        String output = Files.readString(log);
        if (succeed) {
            assertEquals(0, p.exitValue(), logName + " failed:\n" + output);
        } else {
            assertNotEquals(0, p.exitValue(), logName + " should have failed:\n" + output);
        }
        System.out.printf("%s: %.1f s%n", logName, (System.nanoTime() - t0) / 1e9);
        Matcher m = APP_ID.matcher(output);
        return new Submitted(output, m.find() ? m.group(1) : null);
    }

    /**
     * Asserts that an application ran on this cluster's worker and finished: the master lists it under its completed
     * applications with the name the job gave itself.
     */
    void assertRanHere(Submitted submitted, String appName) throws IOException {
        assertNotNull(submitted.appId(), "no cluster application id in the output of " + appName + ":\n"
                + submitted.output());
        String state = masterState();
        int at = state.indexOf("\"id\" : \"" + submitted.appId() + "\"");
        assertTrue(at >= 0, submitted.appId() + " is not known to the master: " + state);
        int end = state.indexOf('}', at);
        String app = state.substring(at, end);
        assertTrue(app.contains("\"name\" : \"" + appName + "\""), "app " + submitted.appId() + ": " + app);
        assertTrue(app.contains("\"state\" : \"FINISHED\""), "app " + submitted.appId() + ": " + app);
    }
}
