package io.fosm.metrics;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * A real Prometheus server (the Debian package, installed by {@code make deps-ops}) on a free loopback port, scraping
 * one target every second; data in a temporary folder. Stopped (the process this class started) by {@link #close()}.
 */
final class Prometheus implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Process process;
    private final int port;
    private final Path log;

    private Prometheus(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** The path of a Prometheus binary (prometheus, promtool); fails the test naming the Makefile target if absent. */
    static String tool(String name) {
        for (String dir : new String[] {"/usr/bin", "/usr/local/bin"}) {
            if (Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name).toString();
            }
        }
        fail(name + " is not installed: run `make deps-ops` (installs the Debian package prometheus)");
        return null;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * Starts Prometheus scraping {@code target} (host:port) at /metrics every second as job {@code job}, evaluating
     * the given rule files every second.
     */
    static Prometheus start(String target, String job, Path... ruleFiles) throws Exception {
        Path dir = Files.createTempDirectory("fosm-prometheus");
        Path config = dir.resolve("prometheus.yml");
        StringBuilder rules = new StringBuilder();
        for (Path r : ruleFiles) {
            rules.append(rules.length() == 0 ? "rule_files:\n" : "").append("  - '").append(r.toAbsolutePath()).append("'\n");
        }
        Files.writeString(config, "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n" + rules
                + "scrape_configs:\n  - job_name: " + job + "\n    static_configs:\n      - targets: ['" + target + "']\n");
        int port = freePort();
        Path log = dir.resolve("prometheus.log");
        Process p = new ProcessBuilder(tool("prometheus"), "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Prometheus prom = new Prometheus(p, port, log);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            if (!p.isAlive()) {
                fail("prometheus exited with " + p.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                if (Exposition.get(URI.create(prom.base() + "/-/ready")).statusCode() == 200) {
                    return prom;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(200);
        }
        prom.close();
        fail("prometheus did not become ready within 60 s:\n" + Files.readString(log));
        return null;
    }

    String base() {
        return "http://127.0.0.1:" + port;
    }

    /** Runs an instant query through the HTTP API and returns {@code data.result}. */
    JsonNode query(String promql) throws Exception {
        var r = Exposition.get(URI.create(base() + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)));
        JsonNode body = JSON.readTree(r.body());
        if (r.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
            fail("query " + promql + " answered HTTP " + r.statusCode() + ": " + r.body());
        }
        return body.path("data").path("result");
    }

    /** Polls the query until it returns at least one series, or fails after the timeout with the server log. */
    JsonNode awaitSeries(String promql, Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        JsonNode result = null;
        while (Instant.now().isBefore(deadline)) {
            result = query(promql);
            if (result.size() > 0) {
                return result;
            }
            Thread.sleep(250);
        }
        fail("no series for " + promql + " after " + timeout.toSeconds() + " s (last result " + result + "); targets: "
                + Exposition.get(URI.create(base() + "/api/v1/targets")).body() + "\nlog:\n" + Files.readString(log));
        return null;
    }

    /** The alerts Prometheus holds now ({@code /api/v1/alerts}: labels, state pending or firing). */
    JsonNode alerts() throws Exception {
        var r = Exposition.get(URI.create(base() + "/api/v1/alerts"));
        JsonNode body = JSON.readTree(r.body());
        if (r.statusCode() != 200) {
            fail("GET /api/v1/alerts answered HTTP " + r.statusCode() + ": " + r.body());
        }
        return body.path("data").path("alerts");
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
