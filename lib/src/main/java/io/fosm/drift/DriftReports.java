package io.fosm.drift;

import static org.apache.spark.sql.functions.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fosm.config.FosmConfig;
import io.fosm.lakehouse.Columns;
import io.fosm.lakehouse.Delta;
import io.fosm.lakehouse.Schemas;
import io.fosm.lakehouse.Tables;
import io.fosm.spark.Sessions;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * Drift reports for closed report windows of event time: compares a window's rows with a {@link ReferenceProfile}
 * column by column (PSI, KS statistic and p-value, Jensen-Shannon distance, Wasserstein distance), adds the
 * data-quality measures, flags what crosses the {@code drift.*} thresholds, and writes the {@code drift_reports} rows
 * (idempotent per report window and reference), a JSON and a self-contained HTML report under {@code drift.output},
 * and the scheduler's flag file {@code <drift.output>/flag.json}.
 *
 * <p>Cost per window: the rows are cached, then one pass for the bin counts of every column, one per-partition
 * top-k (the sample of at most {@code drift.sample_size} rows, which reach the driver), and one small grouping by
 * channel when the caller passes no quality counts; plus a read of this reference's window summaries in
 * {@code drift_reports} for the history plot and the consecutive-window count. No shuffle of the data.
 */
public final class DriftReports {
    /** The prediction column profiled when the rows carry one. */
    public static final String PREDICTION_COLUMN = "event_score";
    static final String FLAG_FILE = "flag.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter FILE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private DriftReports() {}

    /**
     * Reports one closed window {@code [windowStart, windowEnd)} whose rows are {@code currentWindows} (gold-like:
     * the reference's feature columns, optionally {@code event_score}); {@code quality} comes from the caller
     * (dead-letter counts, dead channels), or from the rows when null. Rerunning a window replaces its report.
     */
    public static DriftReport run(SparkSession spark, FosmConfig config, Dataset<Row> currentWindows,
                                  ReferenceProfile ref, Instant windowStart, Instant windowEnd, QualityCounts quality) {
        return run(spark, config, currentWindows, ref, windowStart, windowEnd, quality, Map.of());
    }

    /**
     * {@link #run}, recording the versions of the tables read ({@code inputs}: role -> {@code table@vN}) in the JSON
     * report ({@code "inputs"}).
     */
    public static DriftReport run(SparkSession spark, FosmConfig config, Dataset<Row> currentWindows,
                                  ReferenceProfile ref, Instant windowStart, Instant windowEnd, QualityCounts quality,
                                  Map<String, String> inputs) {
        if (!windowEnd.isAfter(windowStart)) {
            throw new IllegalArgumentException("report window must end after it starts, cannot be: " + windowStart
                    + " .. " + windowEnd);
        }
        FosmConfig.Drift d = config.drift();
        List<String> present = Arrays.asList(currentWindows.columns());
        Map<String, double[]> edges = new LinkedHashMap<>();
        for (ColumnProfile c : ref.numeric()) {
            if (c.kind() == DriftKind.FEATURE && !present.contains(c.name())) {
                throw new IllegalArgumentException("Cannot report drift against " + ref.reference()
                        + ": the current rows have no column " + c.name());
            }
            if (present.contains(c.name())) {
                edges.put(c.name(), c.edges());
            }
        }
        Dataset<Row> rows = currentWindows.persist();
        try {
            Sessions.describe(spark, "fosm-drift", "drift: summarise " + windowStart + " .. " + windowEnd);
            List<Profiler.Summary> summaries = Profiler.summarize(rows, edges, d.sampleSize());
            long total = summaries.isEmpty() ? rows.count()
                    : summaries.get(0).count() + summaries.get(0).invalidCount();
            if (total == 0) {
                throw new IllegalArgumentException("Cannot report drift for " + windowStart + " .. " + windowEnd
                        + ": the window has no rows");
            }
            QualityCounts q = quality != null ? quality : Profiler.quality(rows,
                    ref.numeric().stream().filter(c -> c.kind() == DriftKind.FEATURE).map(ColumnProfile::name).toList(),
                    d.deadChannelPower());
            List<ColumnDrift> columns = compare(ref, summaries, q, d);
            boolean drifted = windowDrifted(columns, d);
            return write(spark, config, ref, windowStart, windowEnd, columns, drifted, inputs);
        } finally {
            rows.unpersist();
        }
    }

    /** The statistics and flags of every column (pure; no Spark). */
    static List<ColumnDrift> compare(ReferenceProfile ref, List<Profiler.Summary> current, QualityCounts q,
                                     FosmConfig.Drift d) {
        Map<String, Profiler.Summary> byName = new LinkedHashMap<>();
        current.forEach(s -> byName.put(s.name(), s));
        List<ColumnDrift> out = new ArrayList<>();
        for (ColumnProfile c : ref.numeric()) {
            Profiler.Summary s = byName.get(c.name());
            if (s == null) {
                continue;
            }
            double[] curFractions = new double[s.binCounts().length];
            for (int i = 0; i < curFractions.length; i++) {
                curFractions[i] = s.count() == 0 ? 0 : s.binCounts()[i] / s.count();
            }
            if (s.count() == 0 || c.count() == 0 || c.sample().length == 0) {
                // nothing finite to compare: an all-invalid column where the reference had values is drift
                out.add(new ColumnDrift(c.kind(), c.name(), s.count(), s.invalidCount(), null, null, null, null, null,
                        null, null, s.count() == 0 && c.count() > 0, c.fractions(), curFractions, c.edges()));
                continue;
            }
            double psi = DriftStatistics.psi(c.fractions(), s.binCounts());
            double js = DriftStatistics.jensenShannon(c.fractions(), s.binCounts());
            DriftStatistics.Ks ks = DriftStatistics.ks2samp(c.sample(), s.sample());
            double w = DriftStatistics.wasserstein(c.sample(), s.sample());
            boolean flagged = psi >= d.psiThreshold() || js >= d.jsThreshold()
                    || (ks.pValue() < d.ksPvalue() && ks.statistic() >= d.ksStatistic());
            out.add(new ColumnDrift(c.kind(), c.name(), s.count(), s.invalidCount(), psi, ks.statistic(),
                    ks.pValue(), js, w, null, null, flagged, c.fractions(), curFractions, c.edges()));
        }
        out.add(quality(ref, ReferenceProfile.INVALID_RATE, q.invalidRate(), d.maxInvalidRateIncrease(), q.records(),
                q.invalidRecords()));
        out.add(quality(ref, ReferenceProfile.DEAD_CHANNEL_FRACTION, q.deadChannelFraction(),
                d.maxDeadChannelIncrease(), q.channels(), q.deadChannels()));
        return out;
    }

    private static ColumnDrift quality(ReferenceProfile ref, String name, double value, double maxIncrease, long count,
                                       long bad) {
        double reference = ref.column(DriftKind.QUALITY, name).map(ColumnProfile::value).orElse(0.0);
        return new ColumnDrift(DriftKind.QUALITY, name, count, bad, null, null, null, null, null, value, reference,
                value - reference > maxIncrease, new double[0], new double[0], new double[0]);
    }

    /**
     * A window drifts when at least {@code drift.feature_fraction} of its features are flagged, or the prediction or
     * a quality measure is.
     */
    static boolean windowDrifted(List<ColumnDrift> columns, FosmConfig.Drift d) {
        long features = 0;
        long flaggedFeatures = 0;
        boolean other = false;
        for (ColumnDrift c : columns) {
            if (c.kind() == DriftKind.FEATURE) {
                features++;
                flaggedFeatures += c.flagged() ? 1 : 0;
            } else {
                other |= c.flagged();
            }
        }
        return other || (features > 0 && flaggedFeatures >= d.featureFraction() * features && flaggedFeatures > 0);
    }

    private static DriftReport write(SparkSession spark, FosmConfig config, ReferenceProfile ref, Instant start,
                                     Instant end, List<ColumnDrift> columns, boolean drifted,
                                     Map<String, String> inputs) {
        Timestamp now = Timestamp.from(Instant.now());
        List<Row> rows = new ArrayList<>();
        for (ColumnDrift c : columns) {
            rows.add(RowFactory.create(Timestamp.from(start), Timestamp.from(end), ref.reference(), c.kind().label(),
                    c.name(), c.count(), c.invalidCount(), c.psi(), c.ksStatistic(), c.ksPvalue(), c.jsDistance(),
                    c.wasserstein(), c.value(), c.referenceValue(), c.flagged(), drifted, now));
        }
        String path = Tables.DRIFT_REPORTS.path(config);
        Sessions.describe(spark, "fosm-drift", "drift: write drift_reports for " + start);
        // idempotent per (report window, reference): a rerun of a window replaces exactly its rows
        spark.createDataFrame(rows, Schemas.DRIFT_REPORTS).repartition(1).write().format("delta").mode("overwrite")
                .option("replaceWhere", Columns.REPORT_START + " = TIMESTAMP'" + start + "' AND "
                        + Columns.REFERENCE + " = '" + ref.reference().replace("'", "''") + "'")
                .save(path);
        List<HtmlReport.WindowPoint> history = history(spark, path, ref.reference(), start);
        int consecutive = 0;
        for (int i = history.size() - 1; i >= 0 && history.get(i).drifted(); i--) {
            consecutive++;
        }
        boolean retrain = consecutive >= config.drift().retrainAfter();
        String base = config.drift().output() + "/reports/" + FILE_TIME.format(start) + "_" + FILE_TIME.format(end);
        String jsonPath = base + ".json";
        String htmlPath = base + ".html";
        DriftReport report = new DriftReport(start, end, ref.reference(), columns, drifted, consecutive, retrain,
                jsonPath, htmlPath, inputs);
        writeText(spark, jsonPath, toJson(report, config.drift()));
        writeText(spark, htmlPath, HtmlReport.render(report, ref, history, config.drift()));
        if (history.isEmpty() || !history.get(history.size() - 1).start().isAfter(start)) {
            // the flag follows the latest window; re-reporting an older one leaves it alone
            writeText(spark, config.drift().output() + "/" + FLAG_FILE, flagJson(report));
        }
        return report;
    }

    /** This reference's windows up to {@code until}, oldest first (one row per window: small). */
    private static List<HtmlReport.WindowPoint> history(SparkSession spark, String path, String reference,
                                                        Instant until) {
        if (!Delta.exists(spark, path)) {
            return List.of();
        }
        List<Row> rows = spark.read().format("delta").load(path)
                .filter(col(Columns.REFERENCE).equalTo(lit(reference))
                        .and(col(Columns.REPORT_START).leq(lit(Timestamp.from(until)))))
                .groupBy(Columns.REPORT_START)
                .agg(max(Columns.WINDOW_DRIFTED).as("d"),
                        max(when(col(Columns.KIND).equalTo(DriftKind.FEATURE.label()), col(Columns.PSI))).as("p"),
                        avg(when(col(Columns.KIND).equalTo(DriftKind.FEATURE.label()),
                                col(Columns.FLAGGED).cast("double"))).as("f"))
                .orderBy(col(Columns.REPORT_START).desc()).limit(500).collectAsList();
        List<HtmlReport.WindowPoint> out = new ArrayList<>();
        for (int i = rows.size() - 1; i >= 0; i--) {
            Row r = rows.get(i);
            out.add(new HtmlReport.WindowPoint(r.getTimestamp(0).toInstant(), r.getBoolean(1),
                    r.isNullAt(2) ? 0 : r.getDouble(2), r.isNullAt(3) ? 0 : r.getDouble(3)));
        }
        return out;
    }

    static String toJson(DriftReport r, FosmConfig.Drift d) {
        ObjectNode root = JSON.createObjectNode();
        root.put("report_start", r.reportStart().toString());
        root.put("report_end", r.reportEnd().toString());
        root.put("reference", r.reference());
        ObjectNode in = root.putObject("inputs");
        r.inputs().forEach(in::put);
        root.put("drifted", r.drifted());
        root.put("consecutive_drifted_windows", r.consecutiveDrifted());
        root.put("retrain_recommended", r.retrain());
        root.put("flagged_feature_fraction", r.flaggedFeatureFraction());
        ObjectNode t = root.putObject("thresholds");
        t.put("psi", d.psiThreshold());
        t.put("js_distance", d.jsThreshold());
        t.put("ks_pvalue", d.ksPvalue());
        t.put("ks_statistic", d.ksStatistic());
        t.put("feature_fraction", d.featureFraction());
        t.put("max_invalid_rate_increase", d.maxInvalidRateIncrease());
        t.put("max_dead_channel_increase", d.maxDeadChannelIncrease());
        ArrayNode cols = root.putArray("columns");
        for (ColumnDrift c : r.columns()) {
            ObjectNode n = cols.addObject();
            n.put("kind", c.kind().label());
            n.put("name", c.name());
            n.put("count", c.count());
            n.put("invalid_count", c.invalidCount());
            put(n, "psi", c.psi());
            put(n, "ks_statistic", c.ksStatistic());
            put(n, "ks_pvalue", c.ksPvalue());
            put(n, "js_distance", c.jsDistance());
            put(n, "wasserstein", c.wasserstein());
            put(n, "value", c.value());
            put(n, "reference_value", c.referenceValue());
            n.put("flagged", c.flagged());
        }
        return pretty(root);
    }

    static String flagJson(DriftReport r) {
        ObjectNode root = JSON.createObjectNode();
        root.put("drifted", r.drifted());
        root.put("consecutive_drifted_windows", r.consecutiveDrifted());
        root.put("retrain_recommended", r.retrain());
        root.put("reference", r.reference());
        root.put("report_start", r.reportStart().toString());
        root.put("report_end", r.reportEnd().toString());
        root.put("report_json", r.jsonPath());
        root.put("report_html", r.htmlPath());
        ArrayNode flagged = root.putArray("flagged");
        r.flagged().forEach(flagged::add);
        root.put("updated_at", Instant.now().toString());
        return pretty(root);
    }

    private static void put(ObjectNode n, String field, Double v) {
        if (v == null || !Double.isFinite(v)) {
            n.putNull(field);
        } else {
            n.put(field, v);
        }
    }

    private static String pretty(ObjectNode root) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a small text file through Hadoop's file system (local, hdfs:// or s3a://), replacing it. */
    static void writeText(SparkSession spark, String path, String text) {
        Path p = new Path(path);
        try {
            FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
            // write next to it, then rename: a scheduler polling flag.json never reads half a file
            Path tmp = new Path(p.getParent(), "." + p.getName() + ".tmp");
            try (OutputStream out = fs.create(tmp, true)) {
                out.write(text.getBytes(StandardCharsets.UTF_8));
            }
            fs.delete(p, false);
            if (!fs.rename(tmp, p)) {
                throw new IOException("rename of " + tmp + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + path + ": " + e.getMessage(), e);
        }
    }
}
