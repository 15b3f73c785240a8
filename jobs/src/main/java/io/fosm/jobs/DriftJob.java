package io.fosm.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;

import io.fosm.config.ConfigException;
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
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
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

    static final String USAGE = """
            usage: fosm drift --current TABLE [--reference TABLE | --reference @ALIAS] [options]

                --current TABLE        the gold-like table to check: a table name (e.g. gold_features) or a path
                --reference TABLE      the reference: a table name or path (profiled now), or @ALIAS for the stored
                                       profile of the model version holding that alias (default: @champion)
                --start ISO-INSTANT    first event time to report (default: the current table's first window)
                --end ISO-INSTANT      end of the last report window, exclusive (default: its last window's end)
                --window-seconds S     cut [start, end) into report windows of S seconds (default: one window)
                --fail-on-drift        exit 1 when the last report window drifted (for schedulers)
            """;

    /** The drift options; the rest are the common options of {@link JobArgs}. */
    record Options(String current, String reference, Optional<Instant> start, Optional<Instant> end,
                   Optional<Double> windowSeconds, boolean failOnDrift, List<String> common) {

        static Options parse(List<String> args) {
            String current = null;
            String reference = "@champion";
            Optional<Instant> start = Optional.empty();
            Optional<Instant> end = Optional.empty();
            Optional<Double> window = Optional.empty();
            boolean fail = false;
            List<String> common = new ArrayList<>();
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                switch (a) {
                    case "--current" -> current = value(args, ++i, a);
                    case "--reference" -> reference = value(args, ++i, a);
                    case "--start" -> start = Optional.of(instant(value(args, ++i, a), a));
                    case "--end" -> end = Optional.of(instant(value(args, ++i, a), a));
                    case "--window-seconds" -> {
                        String v = value(args, ++i, a);
                        try {
                            double s = Double.parseDouble(v);
                            if (!(s > 0) || Double.isInfinite(s)) {
                                throw new NumberFormatException();
                            }
                            window = Optional.of(s);
                        } catch (NumberFormatException e) {
                            throw new ConfigException("Cannot parse --window-seconds of drift: expected a positive"
                                    + " number of seconds, got '" + v + "'");
                        }
                    }
                    case "--fail-on-drift" -> fail = true;
                    default -> common.add(a);
                }
            }
            if (current == null) {
                throw new ConfigException("Cannot run drift: --current TABLE is required\n" + USAGE);
            }
            if (start.isPresent() && end.isPresent() && !end.get().isAfter(start.get())) {
                throw new ConfigException("Cannot run drift: --end must be after --start, cannot be: " + start.get()
                        + " .. " + end.get());
            }
            return new Options(current, reference, start, end, window, fail, List.copyOf(common));
        }

        private static String value(List<String> args, int i, String option) {
            if (i >= args.size()) {
                throw new ConfigException("Cannot parse " + option + " of drift: it needs a value");
            }
            return args.get(i);
        }

        private static Instant instant(String v, String option) {
            try {
                return Instant.parse(v);
            } catch (DateTimeParseException e) {
                throw new ConfigException("Cannot parse " + option + " of drift: expected an ISO-8601 UTC instant like"
                        + " 2026-01-01T00:00:00Z, got '" + v + "'");
            }
        }
    }

    static int run(List<String> args, Map<String, String> env) {
        Options o = Options.parse(args);
        JobArgs common = JobArgs.parse("drift", o.common(), env);
        if (common.date().isPresent()) {
            throw new ConfigException("Cannot run drift for one --date: use --start and --end");
        }
        FosmConfig config = common.config(env);
        SparkSession spark = Sessions.open(config, "fosm drift");
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
        return o.failOnDrift() && last.drifted() ? 1 : 0;
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
