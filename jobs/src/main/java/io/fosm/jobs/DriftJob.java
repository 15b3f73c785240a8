package io.fosm.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;

import io.fosm.cli.ExitCode;
import io.fosm.config.FosmConfig;
import io.fosm.drift.DriftReport;
import io.fosm.drift.DriftReports;
import io.fosm.drift.ReferenceProfile;
import io.fosm.lakehouse.Columns;
import io.fosm.lakehouse.Delta;
import io.fosm.lakehouse.Tables;
import io.fosm.models.Training;
import io.fosm.spark.Sessions;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code fosm drift}: drift reports of a gold-like table against a reference, for one report window or a series of
 * them ({@code --window-seconds}): the same statistics, {@code drift_reports} rows, JSON/HTML reports and flag file
 * as the streaming job. The reference is another table (profiled on the fly) or, by default, the champion's stored
 * profile. Exit 0, or 1 with {@code --fail-on-drift} when the last window drifted.
 *
 * <p>Cost: profiling a reference table takes two passes over it; each report window one aggregation and one bounded
 * sample of its rows (see {@link DriftReports}); no shuffle of the data.
 */
final class DriftJob {
    private DriftJob() {}

    /** The drift options ({@code JobCommands.Drift}). */
    record Options(String current, String reference, Optional<Instant> start, Optional<Instant> end,
                   Optional<Double> windowSeconds, boolean failOnDrift) {}

    static int run(SparkSession spark, FosmConfig config, Options o) {
        String currentPath = resolve(config, o.current());
        // each table read at one version, recorded in every report ("inputs")
        Delta.Pinned pinnedCurrent = read(spark, o.current(), currentPath, "--current");
        Dataset<Row> current = pinnedCurrent.rows();
        Map<String, String> inputs = new java.util.LinkedHashMap<>();
        inputs.put("current", pinnedCurrent.describe());
        ReferenceProfile ref;
        if (o.reference().startsWith("@")) {
            ref = ReferenceProfile.load(spark, config, o.reference().substring(1));
        } else {
            String refPath = resolve(config, o.reference());
            Delta.Pinned pinnedRef = read(spark, o.reference(), refPath, "--reference");
            inputs.put("reference", pinnedRef.describe());
            ref = ReferenceProfile.build(spark, config, refPath, pinnedRef.rows(),
                    Training.features(config), Optional.of(pinnedRef.rows()), DriftReports.PREDICTION_COLUMN);
        }
        if (!Arrays.asList(current.columns()).contains(Columns.WINDOW_START)) {
            throw new IllegalStateException("Cannot run drift: " + currentPath + " has no " + Columns.WINDOW_START
                    + " column (a gold-like table is needed)");
        }
        Instant start = o.start().orElse(null);
        Instant end = o.end().orElse(null);
        if (start == null || end == null) {
            Sessions.describe(spark, "fosm-drift", "drift: time range of " + currentPath);
            Row range = current.agg(min(Columns.WINDOW_START), max(Columns.WINDOW_END)).head();
            if (range.isNullAt(0)) {
                throw new IllegalStateException("Cannot run drift: " + currentPath + " has no rows");
            }
            start = start != null ? start : range.getTimestamp(0).toInstant();
            end = end != null ? end : range.getTimestamp(1).toInstant();
        }
        Duration step = o.windowSeconds().map(s -> Duration.ofMillis(Math.round(s * 1000)))
                .orElse(Duration.between(start, end));
        DriftReport last = null;
        for (Instant w = start; w.isBefore(end); w = w.plus(step)) {
            Instant wEnd = w.plus(step).isAfter(end) ? end : w.plus(step);
            Dataset<Row> rows = current.filter(col(Columns.WINDOW_START).geq(lit(Timestamp.from(w)))
                    .and(col(Columns.WINDOW_START).lt(lit(Timestamp.from(wEnd)))));
            if (rows.isEmpty()) {
                System.out.println("drift: " + w + " .. " + wEnd + ": no rows, skipped");
                continue;
            }
            last = DriftReports.run(spark, config, rows, ref, w, wEnd, null, inputs);
            System.out.printf("drift: %s .. %s %s, %d of %d features flagged %s%n  report %s%n", w, wEnd,
                    last.drifted() ? "DRIFTED" : "no drift",
                    last.columns().stream().filter(c -> c.flagged() && c.kind().label().equals("feature")).count(),
                    last.columns().stream().filter(c -> c.kind().label().equals("feature")).count(), last.flagged(),
                    last.htmlPath());
        }
        if (last == null) {
            throw new IllegalStateException("Cannot run drift: " + currentPath + " has no rows in " + start + " .. "
                    + end);
        }
        System.out.println("drift: reference " + ref.reference() + "; " + last.consecutiveDrifted()
                + " drifted window(s) in a row, retraining " + (last.retrain() ? "recommended" : "not recommended")
                + "; flag file " + config.drift().output() + "/flag.json");
        return o.failOnDrift() && last.drifted() ? ExitCode.REFUSED : ExitCode.OK;
    }

    /** A table name of the lakehouse (e.g. gold_features) or a path. */
    static String resolve(FosmConfig config, String table) {
        for (Tables t : Tables.values()) {
            if (t.tableName().equals(table)) {
                return t.path(config);
            }
        }
        return table;
    }

    private static Delta.Pinned read(SparkSession spark, String name, String path, String option) {
        if (!Delta.exists(spark, path)) {
            throw new IllegalStateException("Cannot run drift: " + option + " " + path + " is not a Delta table");
        }
        return Delta.pinned(spark, name, path);
    }
}
