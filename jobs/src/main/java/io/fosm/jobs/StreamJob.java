package io.fosm.jobs;

import io.fosm.config.FosmConfig;
import io.fosm.lakehouse.Columns;
import io.fosm.metrics.StreamMetrics;
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
            System.out.printf("stream: batch %d: %d windows scored (model %s), %d dead letters %s, %d incident changes%n",
                    s.batchId(), s.windows(), s.championVersion().orElse("none"),
                    s.deadLettersByReason().values().stream().mapToLong(Long::longValue).sum(),
                    s.deadLettersByReason(), s.incidents().size());
        };
        try (StreamMetrics metrics = StreamMetrics.start(spark, config)) {
            metrics.uri().ifPresent(u -> System.out.println("stream: Prometheus metrics at " + u));
            StreamDrift drift = new StreamDrift(spark, config, StreamDrift.statistics(metrics::recordDrift)
                    .andThen(r -> metrics.recordDriftFlag(r.drifted())));
            StreamingQuery query = StreamingScorer.start(spark, config,
                    options.availableNow() ? Trigger.AvailableNow() : null, List.of(print, exportTo(metrics), drift));
            System.out.printf("stream: %s source, checkpoint %s%n", config.stream().source(),
                    config.stream().checkpoint());
            await(query, options);
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
