package io.fosm.metrics;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.fosm.config.FosmConfig;
import io.fosm.testing.SparkTestSession;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A real Prometheus server scrapes the stream's endpoint; its query API returns the values the stream recorded. */
class PrometheusScrapeTest {

    @Test
    void prometheusScrapesTheEndpoint() throws Exception {
        try (StreamMetrics metrics = StreamMetrics.start(SparkTestSession.get(), FosmConfig.local("metrics.port=0"))) {
            URI uri = metrics.uri().orElseThrow();
            metrics.recordIncidents("vehicle", 7);
            metrics.recordDeadLetters("unknown_fiber", 3);
            metrics.recordDrift("kurtosis", "psi", 0.42);
            metrics.recordLatency(0.7, 1.5, 1.5, 3.0);
            try (Prometheus prom = Prometheus.start(uri.getHost() + ":" + uri.getPort(), "fosm-stream")) {
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
                // Prometheus reads the histogram as one: the median of 0.7, 1.5, 1.5, 3.0 lies in the (1, 2] bucket
                double median = value(prom.awaitSeries(
                        "histogram_quantile(0.5, fosm_stream_end_to_end_latency_seconds_bucket)", Duration.ofSeconds(10)));
                assertTrue(median > 1.0 && median <= 2.0, "median latency " + median);
            }
        }
    }

    private static double value(JsonNode result) {
        // an instant vector sample is [unix time, "value"]
        return Double.parseDouble(result.get(0).path("value").get(1).asText());
    }
}
