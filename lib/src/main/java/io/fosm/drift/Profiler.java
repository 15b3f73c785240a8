package io.fosm.drift;

import static org.apache.spark.sql.functions.*;

import io.fosm.lakehouse.Columns;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The Spark side of drift: summarises columns of a DataFrame into bin counts over given edges (one pass over every row
 * in {@code mapPartitions}, one {@code long[]} per partition back to the driver) and a bounded, deterministic sample (the rows with the smallest hash of their key, a per-partition top-k:
 * no shuffle of the data, at most {@code sampleSize} rows reach the driver).
 */
public final class Profiler {
    private Profiler() {}

    /** The finite values' bin counts, the invalid count and the sample of one column. */
    public record Summary(String name, long count, long invalidCount, double[] binCounts, double[] sample) {}

    /** Key columns that identify a gold window; the sample hashes them when present. */
    static final List<String> KEY = List.of(Columns.FIBER_ID, Columns.CHANNEL, Columns.WINDOW_START);

    /** Reference profiles of {@code columns}: edges from quantiles of the sample, fractions from every row. */
    static List<ColumnProfile> profile(Dataset<Row> rows, Map<String, DriftKind> columns, int bins, int sampleSize) {
        List<String> names = List.copyOf(columns.keySet());
        Map<String, double[]> samples = sample(rows, names, sampleSize);
        Map<String, double[]> edges = new LinkedHashMap<>();
        for (String c : names) {
            edges.put(c, DriftStatistics.quantileEdges(samples.get(c), bins));
        }
        List<ColumnProfile> out = new ArrayList<>();
        for (Summary s : counts(rows, edges, samples)) {
            double[] fractions = new double[s.binCounts().length];
            for (int i = 0; i < fractions.length; i++) {
                fractions[i] = s.count() == 0 ? 0 : s.binCounts()[i] / s.count();
            }
            out.add(new ColumnProfile(columns.get(s.name()), s.name(), s.count(), s.invalidCount(),
                    edges.get(s.name()), fractions, s.sample(), null));
        }
        return out;
    }

    /** Summaries of the columns over the given edges, with a bounded sample. */
    static List<Summary> summarize(Dataset<Row> rows, Map<String, double[]> edges, int sampleSize) {
        return counts(rows, edges, sample(rows, List.copyOf(edges.keySet()), sampleSize));
    }

    private static Column finite(String name) {
        Column c = col(name).cast("double");
        return c.isNotNull().and(not(isnan(c))).and(abs(c).notEqual(lit(Double.POSITIVE_INFINITY)));
    }

    private static List<Summary> counts(Dataset<Row> rows, Map<String, double[]> edges, Map<String, double[]> samples) {
        List<String> names = List.copyOf(edges.keySet());
        double[][] e = names.stream().map(edges::get).toArray(double[][]::new);
        // layout of the counts: per column [invalid, bin 0 .. bin k], then the row count last
        int[] offset = new int[e.length + 1];
        for (int c = 0; c < e.length; c++) {
            offset[c + 1] = offset[c] + e[c].length + 2;
        }
        int width = offset[e.length] + 1;
        Column[] select = names.stream().map(n -> col(n).cast("double")).toArray(Column[]::new);
        // plain Java over each partition (a binary search per value, one long[] per partition): no generated code
        // per set of edges, and only the small arrays travel to the driver
        long[] total = rows.select(select).toJavaRDD().mapPartitions((FlatMapFunction<Iterator<Row>, long[]>) it -> {
            long[] acc = new long[width];
            while (it.hasNext()) {
                Row r = it.next();
                for (int c = 0; c < e.length; c++) {
                    if (r.isNullAt(c) || !Double.isFinite(r.getDouble(c))) {
                        acc[offset[c]]++;
                    } else {
                        acc[offset[c] + 1 + DriftStatistics.bin(e[c], r.getDouble(c))]++;
                    }
                }
                acc[width - 1]++;
            }
            return List.of(acc).iterator();
        }).fold(new long[width], (a, b) -> {
            long[] out = new long[width];
            for (int i = 0; i < width; i++) {
                out[i] = a[i] + b[i];
            }
            return out;
        });
        List<Summary> out = new ArrayList<>();
        for (int c = 0; c < e.length; c++) {
            double[] bins = new double[e[c].length + 1];
            long finite = 0;
            for (int b = 0; b < bins.length; b++) {
                bins[b] = total[offset[c] + 1 + b];
                finite += total[offset[c] + 1 + b];
            }
            out.add(new Summary(names.get(c), finite, total[offset[c]], bins, samples.get(names.get(c))));
        }
        return out;
    }

    /** Up to {@code n} rows, the same ones on every run: the smallest hashes of the key (or of the columns). */
    static Map<String, double[]> sample(Dataset<Row> rows, List<String> names, int n) {
        List<String> present = Arrays.asList(rows.columns());
        List<String> keyColumns = KEY.stream().filter(present::contains).toList();
        List<Column> key = new ArrayList<>();
        for (String k : keyColumns.isEmpty() ? names : keyColumns) {
            key.add(col(k));
        }
        List<Column> select = new ArrayList<>();
        for (String c : names) {
            select.add(col(c).cast("double").as(c));
        }
        select.add(xxhash64(key.toArray(new Column[0])).as("_drift_hash"));
        List<Row> picked = rows.select(select.toArray(new Column[0])).orderBy(col("_drift_hash")).limit(n)
                .collectAsList();
        Map<String, double[]> out = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            double[] v = new double[picked.size()];
            int m = 0;
            for (Row row : picked) {
                if (!row.isNullAt(i)) {
                    double x = row.getDouble(i);
                    if (Double.isFinite(x)) {
                        v[m++] = x;
                    }
                }
            }
            double[] finite = Arrays.copyOf(v, m);
            Arrays.sort(finite);
            out.put(names.get(i), finite);
        }
        return out;
    }

    /**
     * Data-quality counts of gold-like rows: a record is invalid when one of {@code features} is not finite; a
     * (fiber, channel) is dead when its median {@code total_power} is below {@code deadPower} (no dead channels are
     * counted without a total_power column). One aggregation plus one small grouping by channel.
     */
    public static QualityCounts quality(Dataset<Row> rows, List<String> features, double deadPower) {
        List<String> present = Arrays.asList(rows.columns());
        Column allFinite = lit(true);
        for (String f : features) {
            if (present.contains(f)) {
                allFinite = allFinite.and(finite(f));
            }
        }
        Row r = rows.agg(count(lit(1)), sum(when(allFinite, 0L).otherwise(1L))).head();
        long records = r.getLong(0);
        long invalid = r.isNullAt(1) ? 0 : r.getLong(1);
        long channels = 0;
        long dead = 0;
        if (present.contains("total_power") && present.contains(Columns.CHANNEL)) {
            Column[] by = present.contains(Columns.FIBER_ID)
                    ? new Column[] {col(Columns.FIBER_ID), col(Columns.CHANNEL)} : new Column[] {col(Columns.CHANNEL)};
            Row d = rows.groupBy(by).agg(percentile_approx(col("total_power"), lit(0.5), lit(1000)).as("_median"))
                    .agg(count(lit(1)), sum(when(col("_median").lt(deadPower), 1L).otherwise(0L))).head();
            channels = d.getLong(0);
            dead = d.isNullAt(1) ? 0 : d.getLong(1);
        }
        return new QualityCounts(records, invalid, channels, dead);
    }
}
