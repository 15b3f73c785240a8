package io.fosm.jobs;

import io.fosm.config.FosmConfig;
import io.fosm.lakehouse.Columns;
import io.fosm.metrics.StreamMetrics;
import io.fosm.streaming.ArrivalDelay;
import io.fosm.streaming.StreamBatchWriter;
import io.fosm.streaming.StreamDrift;
import io.fosm.streaming.StreamingScorer;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.streaming.Trigger;

/**
 * {@code fosm stream}: the streaming scorer ({@link StreamingScorer}) on the configured source and checkpoint, with
 * drift reports per closed report window ({@link StreamDrift}) and the Prometheus endpoint ({@code metrics.*}). Runs
 * until stopped; {@code --available-now} processes what the source holds and stops; {@code --for SECONDS} stops
 * after that long (after the batch in flight). Restarting on the same checkpoint continues exactly once.
 */
final class StreamJob {
    private StreamJob() {}

    /** Options of the stream command: stop when the source is drained, or after {@code seconds} (0: never). */
    record Options(boolean availableNow, double seconds) {}

    static int run(SparkSession spark, FosmConfig config, Options options) throws TimeoutException {
        Map<String, Long> dead = new TreeMap<>();
        long[] totals = new long[3];
        Consumer<StreamBatchWriter.BatchSummary> print = s -> {
            totals[0] += s.windows();
            totals[1] += s.opened().size();
            s.deadLettersByReason().forEach((k, v) -> dead.merge(k, v, Long::sum));
            System.out.printf("stream: batch %d: %d windows scored (model %s), %d dead letters %s, %d incident changes;"
                            + " ms %s%n", s.batchId(), s.windows(), s.championVersion().orElse("none"),
                    s.deadLettersByReason().values().stream().mapToLong(Long::longValue).sum(),
                    s.deadLettersByReason(), s.incidents().size(), s.phaseMillis());
        };
        try (StreamMetrics metrics = StreamMetrics.start(spark, config)) {
            metrics.uri().ifPresent(u -> System.out.println("stream: Prometheus metrics at " + u));
            ProgressLog progress = new ProgressLog(metrics, config.stream().watermarkSeconds());
            spark.streams().addListener(progress);
            StreamDrift drift = new StreamDrift(spark, config, StreamDrift.statistics(metrics::recordDrift)
                    .andThen(r -> metrics.recordDriftFlag(r.drifted())));
            StreamingQuery query = StreamingScorer.start(spark, config,
                    options.availableNow() ? Trigger.AvailableNow() : null, List.of(print, exportTo(metrics), drift));
            System.out.printf("stream: %s source, checkpoint %s%n", config.stream().source(),
                    config.stream().checkpoint());
            try {
                await(query, options);
            } finally {
                spark.streams().removeListener(progress);
            }
        }
        System.out.printf("stream: stopped; %d windows scored, %d incidents opened, dead letters %s%n", totals[0],
                totals[1], dead);
        return 0;
    }

    /** Feeds the Prometheus endpoint: end-to-end latency (window end -> scored), dead letters, opened incidents. */
    static Consumer<StreamBatchWriter.BatchSummary> exportTo(StreamMetrics metrics) {
        return s -> {
            metrics.recordLatencies(s.scored(), Columns.WINDOW_END, s.scoredAt().toInstant());
            s.deadLettersByReason().forEach(metrics::recordDeadLetters);
            s.opened().forEach(i -> metrics.recordIncidents(i.eventClass(), 1));
        };
    }

    /**
     * After each micro-batch: one line with Spark's phases of the trigger (where a batch's fixed cost goes) and the
     * arrival delay of each fiber's chunks, which also feeds the Prometheus gauges; the line says so when chunks
     * arrive later than the watermark (a channel that lags by more gives late_window dead letters). Runs on Spark's
     * listener bus thread; batches without input print nothing.
     */
    static final class ProgressLog extends StreamingQueryListener {
        private final StreamMetrics metrics;
        private final double watermarkSeconds;

        ProgressLog(StreamMetrics metrics, double watermarkSeconds) {
            this.metrics = metrics;
            this.watermarkSeconds = watermarkSeconds;
        }

        @Override
        public void onQueryStarted(QueryStartedEvent event) {}

        @Override
        public void onQueryProgress(QueryProgressEvent event) {
            StreamingQueryProgress p = event.progress();
            if (p.numInputRows() == 0) {
                return;
            }
            StringBuilder line = new StringBuilder(String.format("stream: batch %d: %d rows in %.2f s %s",
                    p.batchId(), p.numInputRows(), p.durationMs().getOrDefault("triggerExecution", 0L) / 1000.0,
                    new TreeMap<>(p.durationMs())));
            for (Map.Entry<String, ArrivalDelay.Stats> e : ArrivalDelay.of(p).entrySet()) {
                ArrivalDelay.Stats d = e.getValue();
                double most = metrics.recordArrivalDelay(e.getKey(), d.minSeconds(), d.meanSeconds(), d.maxSeconds());
                line.append(String.format("; arrival delay of fiber %s: %d chunks, min %.3f s, mean %.3f s, max %.3f s"
                        + " (max so far %.3f s)", e.getKey(), d.chunks(), d.minSeconds(), d.meanSeconds(),
                        d.maxSeconds(), most));
                if (d.maxSeconds() > watermarkSeconds) {
                    line.append(String.format(" - above stream.watermark_seconds = %s: a channel this late lags the"
                            + " fiber into late_window dead letters (docs/streaming.md, sizing the watermark)",
                            watermarkSeconds));
                }
            }
            System.out.println(line);
        }

        @Override
        public void onQueryTerminated(QueryTerminatedEvent event) {}
    }

    private static void await(StreamingQuery query, Options options) throws TimeoutException {
        try {
            if (options.seconds() > 0) {
                if (!query.awaitTermination(Math.round(options.seconds() * 1000))) {
                    query.stop();
                }
            } else {
                query.awaitTermination();
            }
        } catch (StreamingQueryException e) {
            throw new IllegalStateException("Cannot continue the stream: " + e.getMessage(), e);
        }
        if (query.exception().isDefined()) {
            throw new IllegalStateException("Cannot continue the stream: " + query.exception().get().getMessage());
        }
    }
}
