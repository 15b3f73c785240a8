package io.fosm.metrics;

import static org.junit.jupiter.api.Assertions.*;

import io.fosm.config.FosmConfig;
import io.fosm.testing.SparkTestSession;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Test;

class StreamMetricsTest {
    private static final String[] CLASSES = {"digging", "leak", "walking"};

    private static FosmConfig config(String... overrides) {
        String[] all = new String[overrides.length + 1];
        all[0] = "metrics.port=0";
        System.arraycopy(overrides, 0, all, 1, overrides.length);
        return FosmConfig.local(all);
    }

    /**
     * A real rate stream feeds the listener; its batches also record latency, incidents and dead letters through the
     * Dataset overloads. Expected values come from the query's own progress reports and from the rate source's
     * numbering (values 0..n-1), not from the metrics code.
     */
    @Test
    void endpointServesTheMetricsOfARunningStream() throws Exception {
        SparkSession spark = SparkTestSession.get();
        AtomicLong rowsSeen = new AtomicLong();
        try (StreamMetrics metrics = StreamMetrics.start(spark, config())) {
            URI uri = metrics.uri().orElseThrow();
            assertEquals("127.0.0.1", uri.getHost(), "binds loopback by default");
            Dataset<Row> rate = spark.readStream().format("rate").option("rowsPerSecond", 40)
                    .option("numPartitions", 1).load();
            java.util.concurrent.atomic.AtomicReference<String> threadChanged = new java.util.concurrent.atomic.AtomicReference<>();
            VoidFunction2<Dataset<Row>, Long> perBatch = (batch, id) -> {
                // the stream's job group (Spark cancels it on stop) and description must survive the metrics' actions
                String group = spark.sparkContext().getLocalProperty("spark.jobGroup.id");
                String description = spark.sparkContext().getLocalProperty("spark.job.description");
                Dataset<Row> b = batch.cache();
                rowsSeen.addAndGet(b.count());
                // event time = the rate source's timestamp: latency is the batch's delay behind it
                metrics.recordLatencies(b, "timestamp", Instant.now());
                metrics.recordIncidents(b.withColumn("class", functions.element_at(
                        functions.array(functions.lit(CLASSES[0]), functions.lit(CLASSES[1]), functions.lit(CLASSES[2])),
                        functions.col("value").mod(3).cast("int").plus(1))), "class");
                metrics.recordDeadLetters(b.where("value % 10 = 0").withColumn("reason", functions.lit("bad_checksum")),
                        "reason");
                b.unpersist();
                if (!java.util.Objects.equals(group, spark.sparkContext().getLocalProperty("spark.jobGroup.id"))
                        || !java.util.Objects.equals(description, spark.sparkContext().getLocalProperty("spark.job.description"))) {
                    threadChanged.set("batch " + id + ": job group " + group + " -> "
                            + spark.sparkContext().getLocalProperty("spark.jobGroup.id"));
                }
            };
            StreamingQuery q = rate.writeStream().queryName("metrics-test-rate")
                    .trigger(Trigger.ProcessingTime("300 milliseconds")).foreachBatch(perBatch).start();
            try {
                awaitTrue(() -> rowsSeen.get() > 0 && q.recentProgress().length >= 4, Duration.ofSeconds(60),
                        "four progress reports with rows");
            } finally {
                q.stop();
            }
            long rows = 0;
            for (StreamingQueryProgress p : q.recentProgress()) {
                rows += p.numInputRows();
            }
            long n = rows;
            assertEquals(rowsSeen.get(), n, "foreachBatch saw every row the progress reports count");
            assertNull(threadChanged.get(), "the metrics changed the stream thread's job properties");
            // the listener runs asynchronously: wait until it has seen the stop
            awaitTrue(() -> metricsText(uri).contains("fosm_stream_active{query=\"metrics-test-rate\"} 0"),
                    Duration.ofSeconds(30), "the termination event");

            HttpResponse<String> r = Exposition.get(uri);
            assertEquals(200, r.statusCode());
            assertEquals(StreamMetrics.CONTENT_TYPE, r.headers().firstValue("Content-Type").orElse(""));
            Map<String, Double> s = Exposition.samples(r.body());
            String q1 = "{query=\"metrics-test-rate\"}";
            assertEquals(n, s.get("fosm_stream_input_rows_total" + q1), "input rows = sum of numInputRows");
            assertEquals(q.recentProgress().length, s.get("fosm_stream_batches_total" + q1).intValue());
            StreamingQueryProgress last = q.lastProgress();
            assertEquals(last.durationMs().get("triggerExecution") / 1000.0,
                    s.get("fosm_stream_batch_duration_seconds" + q1), 1e-9);
            assertEquals(last.inputRowsPerSecond(), s.get("fosm_stream_input_rows_per_second" + q1), 1e-9);
            assertEquals(Instant.parse(last.timestamp()).toEpochMilli() / 1000.0,
                    s.get("fosm_stream_last_progress_timestamp_seconds" + q1), 1e-3);
            assertEquals(0.0, s.get("fosm_stream_failures_total" + q1), "stopped politely, no failure");

            // histogram: every row observed once, cumulative buckets never decrease, +Inf = count
            assertEquals(n, s.get("fosm_stream_end_to_end_latency_seconds_count"));
            assertEquals(n, s.get("fosm_stream_end_to_end_latency_seconds_bucket{le=\"+Inf\"}"));
            double previous = 0;
            for (double b : metrics.latencyBuckets()) {
                double c = s.get("fosm_stream_end_to_end_latency_seconds_bucket{le=\"" + Double.toString(b) + "\"}");
                assertTrue(c >= previous, "cumulative bucket le=" + b);
                previous = c;
            }
            double mean = s.get("fosm_stream_end_to_end_latency_seconds_sum") / n;
            assertTrue(mean > 0 && mean < 60, "a local rate stream scores within a minute of its event time: " + mean);

            // incidents by class and dead letters by reason, from the rate source's numbering 0..n-1
            for (int k = 0; k < 3; k++) {
                long expected = (n - k + 2) / 3;
                assertEquals(expected, s.getOrDefault("fosm_incidents_total{class=\"" + CLASSES[k] + "\"}", 0.0),
                        "incidents of " + CLASSES[k]);
            }
            assertEquals((n + 9) / 10, s.get("fosm_dead_letters_total{reason=\"bad_checksum\"}"));
            Exposition.promtoolCheck(r.body());
        }
    }

    @Test
    void callerFedValuesAreServedAndTheTextIsValid() throws Exception {
        try (StreamMetrics metrics = StreamMetrics.start(SparkTestSession.get(),
                config("metrics.latency_buckets=1,5,10"))) {
            metrics.recordLatency(0.5, 1.0, 3.0, 7.5, 42.0);
            metrics.recordIncidents("leak", 2);
            metrics.recordIncidents("leak", 1);
            metrics.recordDeadLetters("bad \"payload\"\nsecond line", 4);
            metrics.recordDrift("power_total", "psi", 0.31);
            metrics.recordDrift("power_total", "ks", 0.125);
            metrics.recordDriftFlag(true);
            assertEquals(0.8, metrics.recordArrivalDelay("demo", 0.05, 0.3, 0.8), "the largest delay so far");
            assertEquals(0.8, metrics.recordArrivalDelay("demo", 0.01, 0.1, 0.4), "a later, quicker batch keeps it");
            String text = Exposition.get(metrics.uri().orElseThrow()).body();
            Map<String, Double> s = Exposition.samples(text);
            assertEquals(2.0, s.get("fosm_stream_end_to_end_latency_seconds_bucket{le=\"1.0\"}"), "0.5 and 1.0 (le is <=)");
            assertEquals(3.0, s.get("fosm_stream_end_to_end_latency_seconds_bucket{le=\"5.0\"}"));
            assertEquals(4.0, s.get("fosm_stream_end_to_end_latency_seconds_bucket{le=\"10.0\"}"));
            assertEquals(5.0, s.get("fosm_stream_end_to_end_latency_seconds_bucket{le=\"+Inf\"}"));
            assertEquals(54.0, s.get("fosm_stream_end_to_end_latency_seconds_sum"), 1e-12);
            assertEquals(3.0, s.get("fosm_incidents_total{class=\"leak\"}"));
            assertEquals(4.0, s.get("fosm_dead_letters_total{reason=\"bad \\\"payload\\\"\\nsecond line\"}"),
                    "quotes and newlines escaped in label values");
            assertEquals(0.31, s.get("fosm_drift_score{feature=\"power_total\",statistic=\"psi\"}"));
            assertEquals(0.125, s.get("fosm_drift_score{feature=\"power_total\",statistic=\"ks\"}"));
            assertEquals(1.0, s.get("fosm_drift_flagged"));
            assertEquals(0.4, s.get("fosm_stream_arrival_delay_seconds{fiber=\"demo\",statistic=\"max\"}"),
                    "the last batch's max");
            assertEquals(0.01, s.get("fosm_stream_arrival_delay_seconds{fiber=\"demo\",statistic=\"min\"}"));
            assertEquals(0.1, s.get("fosm_stream_arrival_delay_seconds{fiber=\"demo\",statistic=\"mean\"}"));
            assertEquals(0.8, s.get("fosm_stream_arrival_delay_max_seconds{fiber=\"demo\"}"), "the max since start");
            Exposition.promtoolCheck(text);
            assertThrows(IllegalArgumentException.class, () -> metrics.recordIncidents("leak", -1),
                    "a counter never goes down");
            assertThrows(IllegalArgumentException.class, () -> metrics.recordLatency(Double.NaN));
        }
    }

    @Test
    void latenciesOfADatasetLandInTheRightBuckets() {
        SparkSession spark = SparkTestSession.get();
        Instant scoredAt = Instant.parse("2026-01-01T00:01:00Z");
        // latencies 0.25, 1 (on a bound: le is <=), 1.5, 4, 59, and one row without event time (not observed)
        List<Row> rows = List.of(
                org.apache.spark.sql.RowFactory.create(java.sql.Timestamp.from(scoredAt.minusMillis(250))),
                org.apache.spark.sql.RowFactory.create(java.sql.Timestamp.from(scoredAt.minusSeconds(1))),
                org.apache.spark.sql.RowFactory.create(java.sql.Timestamp.from(scoredAt.minusMillis(1500))),
                org.apache.spark.sql.RowFactory.create(java.sql.Timestamp.from(scoredAt.minusSeconds(4))),
                org.apache.spark.sql.RowFactory.create(java.sql.Timestamp.from(scoredAt.minusSeconds(59))),
                org.apache.spark.sql.RowFactory.create((Object) null));
        Dataset<Row> scored = spark.createDataFrame(rows, new org.apache.spark.sql.types.StructType()
                .add("window_end", "timestamp"));
        try (StreamMetrics metrics = StreamMetrics.start(spark, config("metrics.enabled=false",
                "metrics.latency_buckets=0.5,1,2,5"))) {
            metrics.recordLatencies(scored, "window_end", scoredAt);
            Map<String, Double> s = Exposition.samples(metrics.scrape());
            assertEquals(1.0, s.get("fosm_stream_end_to_end_latency_seconds_bucket{le=\"0.5\"}"));
            assertEquals(2.0, s.get("fosm_stream_end_to_end_latency_seconds_bucket{le=\"1.0\"}"));
            assertEquals(3.0, s.get("fosm_stream_end_to_end_latency_seconds_bucket{le=\"2.0\"}"));
            assertEquals(4.0, s.get("fosm_stream_end_to_end_latency_seconds_bucket{le=\"5.0\"}"));
            assertEquals(5.0, s.get("fosm_stream_end_to_end_latency_seconds_bucket{le=\"+Inf\"}"));
            assertEquals(5.0, s.get("fosm_stream_end_to_end_latency_seconds_count"));
            assertEquals(0.25 + 1 + 1.5 + 4 + 59, s.get("fosm_stream_end_to_end_latency_seconds_sum"), 1e-9);
            // an empty batch adds nothing
            metrics.recordLatencies(scored.limit(0), "window_end", scoredAt);
            assertEquals(5.0, Exposition.samples(metrics.scrape()).get("fosm_stream_end_to_end_latency_seconds_count"));
        }
    }

    @Test
    void disabledMetricsServeNothing() {
        try (StreamMetrics metrics = StreamMetrics.start(SparkTestSession.get(), config("metrics.enabled=false"))) {
            assertTrue(metrics.uri().isEmpty());
            assertTrue(metrics.scrape().contains("fosm_incidents_total{class=\"leak\"} 0.0\n"),
                    "configured event classes start at 0");
            assertFalse(metrics.scrape().contains("class=\"background\""), "background is no incident");
            metrics.recordIncidents("leak", 1);
            assertTrue(metrics.scrape().contains("fosm_incidents_total{class=\"leak\"} 1.0\n"));
        }
    }

    @Test
    void aTakenPortIsAClearError() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> StreamMetrics.start(
                    SparkTestSession.get(), config("metrics.port=" + taken.getLocalPort())));
            assertTrue(e.getMessage().startsWith("Cannot serve metrics on 127.0.0.1:" + taken.getLocalPort()
                    + " (metrics.host, metrics.port): "), e.getMessage());
        }
    }

    @Test
    void configRejectsBadMetricsValues() {
        assertEquals(List.of(0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0),
                FosmConfig.local().metrics().latencyBuckets());
        assertEquals(9464, FosmConfig.local().metrics().port());
        var e = assertThrows(io.fosm.config.ConfigException.class,
                () -> FosmConfig.local("metrics.latency_buckets=1,5,2"));
        assertEquals("Invalid metrics.latency_buckets (from --conf): expected ascending positive numbers, e.g. 0.5,1,5"
                + " (bad number '2'), got '1,5,2'", e.getMessage());
        e = assertThrows(io.fosm.config.ConfigException.class, () -> FosmConfig.local("metrics.port=70000"));
        assertEquals("Invalid metrics.port (from --conf): expected an integer between 0 and 65535, got '70000'",
                e.getMessage());
    }

    private static String metricsText(URI uri) {
        try {
            return Exposition.get(uri).body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static void awaitTrue(java.util.function.BooleanSupplier condition, Duration timeout, String what)
            throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                fail("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(100);
        }
    }
}
