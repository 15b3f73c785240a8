package io.fosm.metrics;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.fosm.config.FosmConfig;
import io.fosm.testing.SparkTestSession;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A real Prometheus server scrapes the stream's endpoint: its query API returns the values the stream recorded, and
 * the committed alert rules (deploy/prometheus/rules) fire on them. The rules and the dashboard only name metrics the
 * endpoint exports.
 */
class PrometheusScrapeTest {
    private static final Path DEPLOY = Path.of("..", "deploy");
    private static final Path RULES = DEPLOY.resolve("prometheus/rules/fosm-stream.yml");
    private static final Path DASHBOARD = DEPLOY.resolve("grafana/dashboards/fosm-stream.json");

    @Test
    void rulesAndDashboardNameOnlyExportedMetrics() throws Exception {
        try (StreamMetrics metrics = StreamMetrics.start(SparkTestSession.get(),
                FosmConfig.local("metrics.enabled=false"))) {
            Set<String> exported = new TreeSet<>(metrics.exportedNames());
            // what a scrape shows is among them (labelled families appear with their first label set)
            for (String line : metrics.scrape().split("\n")) {
                if (line.startsWith("# TYPE ")) {
                    assertTrue(exported.contains(line.split(" ")[2]), line + " not in " + exported);
                }
            }
            for (Path file : List.of(RULES, DASHBOARD)) {
                Matcher m = Pattern.compile("\\bfosm_[a-z_]+").matcher(Files.readString(file));
                int seen = 0;
                while (m.find()) {
                    seen++;
                    assertTrue(exported.contains(m.group()), file + " uses " + m.group() + ", which the endpoint does"
                            + " not export (it exports " + exported + ")");
                }
                assertTrue(seen > 5, file + " names fosm metrics");
            }
        }
    }

    @Test
    void prometheusScrapesTheEndpoint() throws Exception {
        try (StreamMetrics metrics = StreamMetrics.start(SparkTestSession.get(), FosmConfig.local("metrics.port=0"))) {
            URI uri = metrics.uri().orElseThrow();
            metrics.recordIncidents("vehicle", 7);
            metrics.recordDeadLetters("unknown_fiber", 3);
            metrics.recordDrift("kurtosis", "psi", 0.42);
            metrics.recordLatency(0.7, 1.5, 1.5, 3.0);
            try (Prometheus prom = Prometheus.start(uri.getHost() + ":" + uri.getPort(), "fosm-stream", RULES)) {
                JsonNode up = prom.awaitSeries("up{job=\"fosm-stream\"} == 1", Duration.ofSeconds(60));
                assertEquals(uri.getHost() + ":" + uri.getPort(), up.get(0).path("metric").path("instance").asText());
                JsonNode incidents = prom.awaitSeries("fosm_incidents_total{class=\"vehicle\"}", Duration.ofSeconds(30));
                assertEquals(7.0, value(incidents));
                assertEquals(3.0, value(prom.awaitSeries("fosm_dead_letters_total{reason=\"unknown_fiber\"}",
                        Duration.ofSeconds(10))));
                assertEquals(0.42, value(prom.awaitSeries("fosm_drift_score{feature=\"kurtosis\",statistic=\"psi\"}",
                        Duration.ofSeconds(10))), 1e-12);
                // a counter that moves between scrapes: Prometheus sees the new value
                metrics.recordIncidents("vehicle", 5);
                StreamMetricsTest.awaitTrue(() -> {
                    try {
                        return value(prom.query("fosm_incidents_total{class=\"vehicle\"}")) == 12.0;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, Duration.ofSeconds(30), "Prometheus to scrape the incremented counter");
                // the committed rule raises the incident alert for the class whose counter moved, and only for it
                StreamMetricsTest.awaitTrue(() -> firing(prom, "FosmIncidentRaised").contains("vehicle"),
                        Duration.ofSeconds(30), "FosmIncidentRaised to fire for class vehicle");
                assertEquals(List.of("vehicle"), firing(prom, "FosmIncidentRaised"));
                // Prometheus reads the histogram as one: the median of 0.7, 1.5, 1.5, 3.0 lies in the (1, 2] bucket
                double median = value(prom.awaitSeries(
                        "histogram_quantile(0.5, fosm_stream_end_to_end_latency_seconds_bucket)", Duration.ofSeconds(10)));
                assertTrue(median > 1.0 && median <= 2.0, "median latency " + median);
            }
        }
    }

    /** The class labels of the alerts of that name that are firing. */
    private static List<String> firing(Prometheus prom, String alertName) {
        try {
            List<String> out = new java.util.ArrayList<>();
            for (JsonNode a : prom.alerts()) {
                if (alertName.equals(a.path("labels").path("alertname").asText()) && "firing".equals(a.path("state").asText())) {
                    out.add(a.path("labels").path("class").asText());
                }
            }
            return out;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static double value(JsonNode result) {
        // an instant vector sample is [unix time, "value"]
        return Double.parseDouble(result.get(0).path("value").get(1).asText());
    }
}
