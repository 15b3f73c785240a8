package io.fosm.metrics;

import static org.junit.jupiter.api.Assertions.fail;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an endpoint the way a scraper does (HTTP GET) and parses sample lines with its own regular expression, so the
 * tests do not trust the writer's code to read its own output.
 */
final class Exposition {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*(\\{[^}]*})?) (\\S+)$");

    private Exposition() {}

    static HttpResponse<String> get(URI uri) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Sample name with labels as written (e.g. {@code fosm_incidents_total{class="leak"}}) to its value. */
    static Map<String, Double> samples(String text) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) {
                fail("not a Prometheus sample line: '" + line + "'");
            }
            String v = m.group(3);
            out.put(m.group(1), v.equals("+Inf") ? Double.POSITIVE_INFINITY : v.equals("-Inf")
                    ? Double.NEGATIVE_INFINITY : Double.parseDouble(v));
        }
        return out;
    }

    /** Runs the real {@code promtool check metrics} on the text; fails the test with promtool's words when it objects. */
    static void promtoolCheck(String text) throws Exception {
        Process p = new ProcessBuilder(Prometheus.tool("promtool"), "check", "metrics").redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (p.waitFor() != 0 || !out.isBlank()) {
            fail("promtool check metrics objects:\n" + out + "\n--- exposition ---\n" + text);
        }
    }
}
