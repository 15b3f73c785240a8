package io.fosm.streaming;

import static io.fosm.lakehouse.Columns.BATCH_ID;
import static io.fosm.lakehouse.Columns.CHUNK_START;
import static io.fosm.lakehouse.Columns.WINDOW_START;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.fosm.config.FosmConfig;
import io.fosm.drift.ColumnDrift;
import io.fosm.drift.DriftKind;
import io.fosm.drift.DriftReport;
import io.fosm.drift.DriftReports;
import io.fosm.drift.Profiler;
import io.fosm.drift.QualityCounts;
import io.fosm.drift.ReferenceProfile;
import io.fosm.lakehouse.Delta;
import io.fosm.lakehouse.Tables;
import io.fosm.spark.Sessions;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The stream's drift reports: a batch hook ({@link StreamingScorer#start}) that, for every report window of event time
 * ({@code drift.report_window_seconds}, on a grid of multiples of it since the epoch, so restarts report the same
 * windows) that has closed, compares the windows the stream scored in it ({@code stream_scores}, features and
 * {@code event_score}) with the champion's reference profile through {@link DriftReports#run}: the
 * {@code drift_reports} rows, the JSON and HTML report and the flag file a scheduler reads.
 *
 * <p>Reports start after the context features have warmed up: the first report window on the grid that begins
 * {@code gold.baseline_windows} hops after the first window the stream ever scored (before that the power baseline
 * has less history than most reference rows, and would read as drift).
 * A report window is closed once the stream has scored a window that starts a gold window after its end; since
 * the stream finalises windows in event-time order per fiber, nothing more will be scored in it. Data quality: the
 * invalid rate counts the dead letters of the period (by chunk or window start; undated ones, e.g. undecodable
 * messages, by the batches since the last report) against the scored windows plus those dead letters; dead channels
 * come from the scored rows. The reference follows the champion alias: when the stream loads a new champion, the next
 * report uses that model's profile. Without a profile (a model trained before drift profiles existed) the hook says so
 * once and reports nothing until a champion with one is loaded.
 *
 * <p>Cost per closed report window: a read of its {@code stream_scores} and dead letters, and {@link DriftReports}'s
 * passes over them (no shuffle of the signal). Reports are idempotent: a replayed batch rewrites the same report.
 */
public final class StreamDrift implements Consumer<StreamBatchWriter.BatchSummary> {
    private final SparkSession spark;
    private final FosmConfig config;
    private final Consumer<DriftReport> listener;
    private final long windowMicros;
    private final long goldWindowMicros;
    private ReferenceProfile reference;
    private String referenceVersion;
    private boolean warned;
    private Instant nextStart;
    private long firstBatchOfPeriod = -1;

    /** A hook that reports drift and hands each report to {@code listener} (metrics, logs). */
    public StreamDrift(SparkSession spark, FosmConfig config, Consumer<DriftReport> listener) {
        this.spark = spark;
        this.config = config;
        this.listener = listener;
        this.windowMicros = Math.round(config.drift().reportWindowSeconds() * 1e6);
        this.goldWindowMicros = Math.round(config.gold().windowSeconds() * 1e6);
    }

    @Override
    public void accept(StreamBatchWriter.BatchSummary s) {
        if (firstBatchOfPeriod < 0) {
            firstBatchOfPeriod = s.batchId();
        }
        if (s.minWindowEnd().isEmpty() || s.maxWindowEnd().isEmpty() || !reference(s.championVersion())) {
            return;
        }
        if (nextStart == null) {
            nextStart = firstReportStart();
        }
        long scoredUpTo = micros(s.maxWindowEnd().get());
        while (micros(nextStart) + windowMicros + goldWindowMicros <= scoredUpTo) {
            Instant start = nextStart;
            Instant end = start.plusNanos(windowMicros * 1000);
            report(start, end, s.batchId());
            nextStart = end;
            firstBatchOfPeriod = s.batchId() + 1;
        }
    }

    /**
     * The first report window: the first one on the grid that starts after the warm-up of the context features (the
     * channel's power baseline needs {@code gold.baseline_windows} windows of history, which a batch reference has for
     * most of its rows) counted from the first window the stream ever scored, so a restart reports the same windows.
     */
    private Instant firstReportStart() {
        Row first = spark.read().format("delta").load(Tables.STREAM_SCORES.path(config))
                .agg(org.apache.spark.sql.functions.min(col(WINDOW_START))).head();
        long warmUp = Math.round(config.gold().baselineWindows() * config.gold().hopSeconds() * 1e6);
        long start = micros(first.getTimestamp(0)) + warmUp;
        return floor(start + windowMicros - 1);
    }

    private void report(Instant start, Instant end, long batchId) {
        Sessions.describe(spark, "fosm-stream", "stream: drift report " + start + " .. " + end);
        Dataset<Row> rows = spark.read().format("delta").load(Tables.STREAM_SCORES.path(config))
                .filter(col(WINDOW_START).geq(lit(Timestamp.from(start))).and(col(WINDOW_START).lt(lit(Timestamp.from(end)))));
        List<String> features = reference.numeric().stream().filter(c -> c.kind() == DriftKind.FEATURE)
                .map(c -> c.name()).toList();
        QualityCounts scored = Profiler.quality(rows, features, config.drift().deadChannelPower());
        if (scored.records() == 0) {
            return;
        }
        long dead = deadLetters(start, end, batchId);
        QualityCounts quality = new QualityCounts(scored.records() + dead, scored.invalidRecords() + dead,
                scored.channels(), scored.deadChannels());
        DriftReport report = DriftReports.run(spark, config, rows, reference, start, end, quality);
        System.out.printf("stream: drift %s .. %s against %s: %s%s%n", start, end, report.reference(),
                report.drifted() ? "DRIFTED " + report.flagged() : "no drift",
                report.retrain() ? " (retrain recommended)" : "");
        listener.accept(report);
    }

    /** Dead letters of the period: dated ones by event time, undated ones by the batches since the last report. */
    private long deadLetters(Instant start, Instant end, long batchId) {
        if (!Delta.exists(spark, Tables.STREAM_DEAD_LETTER.path(config))) {
            return 0;
        }
        Column at = coalesce(col(CHUNK_START), col(WINDOW_START));
        Column dated = at.geq(lit(Timestamp.from(start))).and(at.lt(lit(Timestamp.from(end))));
        Column undated = at.isNull().and(col(BATCH_ID).between(firstBatchOfPeriod, batchId));
        return spark.read().format("delta").load(Tables.STREAM_DEAD_LETTER.path(config))
                .filter(dated.or(undated)).count();
    }

    /** Loads the champion's profile when the champion changed; false while there is none to compare with. */
    private boolean reference(Optional<String> championVersion) {
        if (championVersion.isEmpty()) {
            return false;
        }
        if (reference != null && championVersion.get().equals(referenceVersion)) {
            return true;
        }
        try {
            reference = ReferenceProfile.load(spark, config, "champion");
            referenceVersion = championVersion.get();
            warned = false;
            return true;
        } catch (IllegalStateException e) {
            if (!warned) {
                System.out.println("stream: drift reports off: " + e.getMessage());
                warned = true;
            }
            reference = null;
            return false;
        }
    }

    private Instant floor(long epochMicros) {
        long start = Math.floorDiv(epochMicros, windowMicros) * windowMicros;
        return Instant.ofEpochSecond(Math.floorDiv(start, 1_000_000L), Math.floorMod(start, 1_000_000L) * 1000);
    }

    private static long micros(Timestamp t) {
        Instant i = t.toInstant();
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
    }

    private static long micros(Instant i) {
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
    }

    /** Hands a report's statistics to a listener as (feature, statistic, value) and the window's drift flag. */
    public static Consumer<DriftReport> statistics(StatisticSink sink) {
        return report -> {
            for (ColumnDrift c : report.columns()) {
                String name = c.kind().label() + ":" + c.name();
                if (c.psi() != null) {
                    sink.accept(name, "psi", c.psi());
                }
                if (c.ksStatistic() != null) {
                    sink.accept(name, "ks_statistic", c.ksStatistic());
                }
                if (c.jsDistance() != null) {
                    sink.accept(name, "js_distance", c.jsDistance());
                }
                if (c.value() != null) {
                    sink.accept(name, "value", c.value());
                }
            }
        };
    }

    /** Where {@link #statistics} sends each value. */
    @FunctionalInterface
    public interface StatisticSink {
        void accept(String feature, String statistic, double value);
    }
}
