package io.fosm.metrics;

import io.fosm.config.FosmConfig;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.StreamingQueryProgress;

/**
 * The stream's Prometheus endpoint: a {@link StreamingQueryListener} records every query's input rate, processing
 * rate, batch duration and liveness, and the stream job records what only it knows (end-to-end latency, incidents by
 * class, dead letters by reason, drift scores). Served as Prometheus text format at {@code http://host:port/metrics}
 * ({@code metrics.*} configuration) until {@link #close()}, by the Prometheus Java client (client_java: its registry,
 * metric types, text format and HTTP exporter); only the latency histogram keeps its own bucket counts
 * ({@link LatencyHistogram}), because the stream adds them pre-aggregated.
 *
 * <p>Cost: the listener runs on Spark's listener bus (no Spark job). The {@code Dataset} overloads each run one small
 * aggregation (one row, or one per class or reason, comes back to the driver, never the data); call them on a batch
 * that is cached or cheap to recompute. Thread-safe: Spark's listener thread, the stream's batch thread and the HTTP
 * thread share it. Values live in the driver's memory: counters start again at 0 when the driver restarts (Prometheus'
 * rate() and increase() allow for that), and a batch replayed after a crash is counted again.
 *
 * <pre>{@code
 * try (StreamMetrics metrics = StreamMetrics.start(spark, config)) {
 *     ... foreachBatch((batch, id) -> { metrics.recordLatencies(scored, "window_end", Instant.now()); ... })
 * }
 * }</pre>
 */
public final class StreamMetrics implements AutoCloseable {
    /** Content type of the Prometheus text exposition format. */
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    private final SparkSession spark;
    // a registry of its own, not the client's default one: two streams (or tests) in one JVM do not share series
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Gauge inputRate;
    private final Gauge processingRate;
    private final Gauge batchDuration;
    private final Counter inputRows;
    private final Counter batches;
    private final Gauge lastProgress;
    private final Gauge watermark;
    private final Gauge active;
    private final Counter failures;
    private final LatencyHistogram latency;
    private final Counter incidents;
    private final Counter deadLetters;
    private final Gauge drift;
    private final Gauge driftFlagged;
    private final Gauge arrivalDelay;
    private final Gauge arrivalDelayMax;
    private final Map<String, Double> arrivalMaxSoFar = new ConcurrentHashMap<>();
    private final Listener listener = new Listener();
    private final HTTPServer server;
    private final String host;
    private final java.util.Set<String> names = new java.util.TreeSet<>();

    private StreamMetrics(SparkSession spark, FosmConfig.Metrics config, List<String> eventClasses)
            throws IOException {
        this.spark = spark;
        inputRate = gauge("fosm_stream_input_rows_per_second",
                "Rows per second arriving at the query in its last micro-batch.", "query");
        processingRate = gauge("fosm_stream_processed_rows_per_second",
                "Rows per second the query processed in its last micro-batch.", "query");
        batchDuration = gauge("fosm_stream_batch_duration_seconds",
                "Wall time of the query's last micro-batch (trigger execution).", "query");
        inputRows = counter("fosm_stream_input_rows_total", "Rows read by the query.", "query");
        batches = counter("fosm_stream_batches_total", "Micro-batches completed by the query.", "query");
        lastProgress = gauge("fosm_stream_last_progress_timestamp_seconds",
                "Unix time of the query's last progress or idle report; a stalled query stops moving it.", "query");
        watermark = gauge("fosm_stream_watermark_timestamp_seconds",
                "Event-time watermark of the query (Unix time).", "query");
        active = gauge("fosm_stream_active", "1 while the query runs, 0 once it stopped.", "query");
        failures = counter("fosm_stream_failures_total", "Query terminations with an exception.", "query");
        latency = new LatencyHistogram("fosm_stream_end_to_end_latency_seconds",
                "Seconds from a window's event time to its score being written.", config.latencyBuckets());
        registry.register(latency);
        names.addAll(List.of(latency.getPrometheusName(), latency.getPrometheusName() + "_bucket",
                latency.getPrometheusName() + "_sum", latency.getPrometheusName() + "_count"));
        incidents = counter("fosm_incidents_total", "Incidents raised, by event class.", "class");
        deadLetters = counter("fosm_dead_letters_total", "Records sent to the dead-letter table, by reason.",
                "reason");
        drift = gauge("fosm_drift_score", "Latest drift statistic per feature (psi, ks, js, wasserstein).",
                "feature", "statistic");
        driftFlagged = gauge("fosm_drift_flagged", "1 when the latest drift report flagged drift, else 0.");
        arrivalDelay = gauge("fosm_stream_arrival_delay_seconds", "Seconds from a chunk's last sample to its arrival "
                + "(Kafka record timestamp or file time), min / mean / max over the fiber's chunks of the last "
                + "micro-batch.", "fiber", "statistic");
        arrivalDelayMax = gauge("fosm_stream_arrival_delay_max_seconds", "Largest arrival delay of a fiber's chunk "
                + "since the stream started: size stream.watermark_seconds from it.", "fiber");
        // a counter that appears at 1 hides its first increase from increase(); start the known classes at 0
        for (String c : eventClasses) {
            incidents.labelValues(c);
        }
        host = config.host();
        if (config.enabled()) {
            server = HTTPServer.builder().hostname(config.host()).port(config.port()).registry(registry)
                    .buildAndStart();
            spark.streams().addListener(listener);
        } else {
            server = null;
        }
    }

    private Counter counter(String name, String help, String... labelNames) {
        names.add(name);
        return Counter.builder().name(name).help(help).labelNames(labelNames).register(registry);
    }

    private Gauge gauge(String name, String help, String... labelNames) {
        names.add(name);
        return Gauge.builder().name(name).help(help).labelNames(labelNames).register(registry);
    }

    private static void inc(Counter counter, double by, String... labelValues) {
        if (!(by >= 0) || Double.isInfinite(by)) {
            throw new IllegalArgumentException("a counter only grows: increment must be a finite number >= 0, cannot"
                    + " be: " + by);
        }
        counter.labelValues(labelValues).inc(by);
    }

    /**
     * Starts the endpoint on {@code metrics.host:metrics.port} and listens to the session's streaming queries. With
     * {@code metrics.enabled=false} nothing is served or listened to, and the record methods only count in memory.
     * The incident counters of the event classes of {@code train.classes} (all but background) start at 0.
     *
     * @throws IllegalStateException when the port cannot be bound (in use, or a host that is not local)
     */
    public static StreamMetrics start(SparkSession spark, FosmConfig config) {
        FosmConfig.Metrics m = config.metrics();
        try {
            return new StreamMetrics(spark, m, config.train().classes().stream()
                    .filter(c -> !c.equals("background")).toList());
        } catch (IOException e) {
            throw new IllegalStateException("Cannot serve metrics on " + m.host() + ":" + m.port() + " (metrics.host, "
                    + "metrics.port): " + e.getMessage(), e);
        }
    }

    /** The address of the endpoint, e.g. http://127.0.0.1:9464/metrics; empty when metrics are disabled. */
    public Optional<URI> uri() {
        if (server == null) {
            return Optional.empty();
        }
        return Optional.of(URI.create("http://" + host + ":" + server.getPort() + "/metrics"));
    }

    /** The latency histogram's bucket upper bounds in seconds (config {@code metrics.latency_buckets}). */
    public List<Double> latencyBuckets() {
        List<Double> out = new ArrayList<>();
        for (double b : latency.bounds()) {
            out.add(b);
        }
        return out;
    }

    /** Records end-to-end latencies in seconds (event time to score), one observation each. */
    public void recordLatency(double... seconds) {
        for (double s : seconds) {
            latency.observe(s);
        }
    }

    /**
     * Records the end-to-end latency of every row of {@code scored}: {@code scoredAt} minus the row's
     * {@code eventTimeColumn} (a timestamp). One aggregation; rows with a null event time are not observed.
     */
    public void recordLatencies(Dataset<Row> scored, String eventTimeColumn, Instant scoredAt) {
        double now = scoredAt.getEpochSecond() + scoredAt.getNano() / 1e9;
        Column lat = functions.lit(now).minus(functions.col(eventTimeColumn).cast("double"));
        double[] bounds = latency.bounds();
        List<Column> aggs = new ArrayList<>();
        for (int i = 0; i <= bounds.length; i++) {
            Column in = i == bounds.length ? lat.gt(bounds[i - 1])
                    : i == 0 ? lat.leq(bounds[0]) : lat.gt(bounds[i - 1]).and(lat.leq(bounds[i]));
            aggs.add(functions.coalesce(functions.sum(functions.when(in, 1L).otherwise(0L)), functions.lit(0L)));
        }
        aggs.add(functions.coalesce(functions.sum(lat), functions.lit(0.0)));
        Row r = labelled("metrics: end-to-end latency histogram", () -> scored
                .where(functions.col(eventTimeColumn).isNotNull())
                .agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0])).first());
        long[] counts = new long[bounds.length + 1];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = r.getLong(i);
        }
        latency.add(counts, r.getDouble(counts.length));
    }

    /** Adds {@code count} incidents of an event class. */
    public void recordIncidents(String eventClass, long count) {
        inc(incidents, count, eventClass);
    }

    /** Adds the incidents of a batch, counted per value of {@code classColumn} (one small aggregation). */
    public void recordIncidents(Dataset<Row> incidentRows, String classColumn) {
        countBy(incidentRows, classColumn, "metrics: incidents by class").forEach(this::recordIncidents);
    }

    /** Adds {@code count} dead letters of a reason. */
    public void recordDeadLetters(String reason, long count) {
        inc(deadLetters, count, reason);
    }

    /** Adds the dead letters of a batch, counted per value of {@code reasonColumn} (one small aggregation). */
    public void recordDeadLetters(Dataset<Row> deadLetterRows, String reasonColumn) {
        countBy(deadLetterRows, reasonColumn, "metrics: dead letters by reason").forEach(this::recordDeadLetters);
    }

    /** Sets the latest value of a drift statistic (e.g. psi, ks, js, wasserstein) of a feature. */
    public void recordDrift(String feature, String statistic, double value) {
        drift.labelValues(feature, statistic).set(value);
    }

    /**
     * Records the arrival delays (seconds from a chunk's last sample to its arrival) of a fiber's chunks in one
     * micro-batch; returns the largest delay of the fiber since the stream started, this batch included.
     */
    public double recordArrivalDelay(String fiber, double minSeconds, double meanSeconds, double maxSeconds) {
        arrivalDelay.labelValues(fiber, "min").set(minSeconds);
        arrivalDelay.labelValues(fiber, "mean").set(meanSeconds);
        arrivalDelay.labelValues(fiber, "max").set(maxSeconds);
        double most = arrivalMaxSoFar.merge(fiber, maxSeconds, Math::max);
        arrivalDelayMax.labelValues(fiber).set(most);
        return most;
    }

    /** Sets whether the latest drift report flagged drift. */
    public void recordDriftFlag(boolean flagged) {
        driftFlagged.set(flagged ? 1 : 0);
    }

    /**
     * The sample names the endpoint can serve (a labelled family appears once it has a first label set; a histogram as
     * its {@code _bucket}, {@code _sum} and {@code _count} samples).
     */
    public java.util.Set<String> exportedNames() {
        return java.util.Collections.unmodifiableSet(names);
    }

    /** The current exposition text, as the endpoint serves it. */
    public String scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Stops listening and serving; the last values are lost. */
    @Override
    public void close() {
        if (server != null) {
            spark.streams().removeListener(listener);
            server.close();
        }
    }

    /**
     * Runs an action under a job description and restores the caller's. Not Sessions.describe: inside foreachBatch
     * this is the stream's thread, whose job group Spark uses to cancel the query's jobs on stop; it must not change.
     */
    private <T> T labelled(String description, java.util.function.Supplier<T> action) {
        String previous = spark.sparkContext().getLocalProperty("spark.job.description");
        spark.sparkContext().setJobDescription(description);
        try {
            return action.get();
        } finally {
            spark.sparkContext().setJobDescription(previous);
        }
    }

    private Map<String, Long> countBy(Dataset<Row> rows, String column, String description) {
        Map<String, Long> out = new java.util.TreeMap<>();
        // one row per distinct class/reason: a handful, not data
        for (Row r : labelled(description, () -> rows.groupBy(functions.col(column).cast("string")).count()
                .collectAsList())) {
            out.put(r.isNullAt(0) ? "" : r.getString(0), r.getLong(1));
        }
        return out;
    }

    private static double epochSeconds(String isoInstant) {
        try {
            Instant t = Instant.parse(isoInstant);
            return t.getEpochSecond() + t.getNano() / 1e9;
        } catch (DateTimeParseException | NullPointerException e) {
            return Double.NaN;
        }
    }

    /** Feeds the query metrics from Spark's progress events (on the listener bus thread). */
    private final class Listener extends StreamingQueryListener {
        // a query's name when it has one (set with queryName), else its id: stable across restarts only when named
        private final Map<java.util.UUID, String> names = new ConcurrentHashMap<>();

        private String name(java.util.UUID id, String name) {
            return names.computeIfAbsent(id, k -> name == null || name.isBlank() ? id.toString() : name);
        }

        @Override
        public void onQueryStarted(QueryStartedEvent event) {
            String q = name(event.id(), event.name());
            active.labelValues(q).set(1);
            lastProgress.labelValues(q).set(epochSeconds(event.timestamp()));
            // counters exist from the start, so rate() and alerts see 0 rather than no series
            failures.labelValues(q);
            inputRows.labelValues(q);
            batches.labelValues(q);
        }

        @Override
        public void onQueryProgress(QueryProgressEvent event) {
            StreamingQueryProgress p = event.progress();
            String q = name(p.id(), p.name());
            inputRate.labelValues(q).set(p.inputRowsPerSecond());
            processingRate.labelValues(q).set(p.processedRowsPerSecond());
            Long trigger = p.durationMs().get("triggerExecution");
            if (trigger != null) {
                batchDuration.labelValues(q).set(trigger / 1000.0);
            }
            inputRows.labelValues(q).inc(Math.max(0, p.numInputRows()));
            batches.labelValues(q).inc();
            lastProgress.labelValues(q).set(epochSeconds(p.timestamp()));
            String wm = p.eventTime().get("watermark");
            if (wm != null) {
                watermark.labelValues(q).set(epochSeconds(wm));
            }
        }

        @Override
        public void onQueryIdle(QueryIdleEvent event) {
            // idle = alive and polling with no new data: not a stall
            lastProgress.labelValues(name(event.id(), null)).set(epochSeconds(event.timestamp()));
        }

        @Override
        public void onQueryTerminated(QueryTerminatedEvent event) {
            String q = name(event.id(), null);
            active.labelValues(q).set(0);
            if (event.exception().isDefined()) {
                failures.labelValues(q).inc();
            }
        }
    }
}
