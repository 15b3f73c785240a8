package io.fosm.drift;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fosm.config.FosmConfig;
import io.fosm.generate.DriftMode;
import io.fosm.models.Training;
import io.fosm.testing.SparkTestSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * Not a test: the false-positive / detection measurement of docs/drift.md, run by {@code bench/drift_fpr.sh}
 * ({@code -Dfosm.bench.drift=true}; skipped otherwise).
 *
 * <p>Fibers with different seeds (so different layouts, noise and events) share one lakehouse: two never drift, the
 * others drift from the middle of the run in one mode each (gain, noise, mix, all). Every fiber's first half is
 * undrifted and profiled as a reference. Then, for every ordered pair of different fibers (reference i, current j):
 * j's first half against i is undrifted data of another seed (flagged = a false positive); j's second half against i
 * is drifted data (not flagged = a miss), or, for the two undrifted fibers, a control for the later time range.
 * Per-column statistics go to {@code lib/target/drift-bench/stats.tsv}, the rates to {@code summary.txt}.
 */
class DriftFalsePositiveBench {

    @Test
    void measure() throws Exception {
        assumeTrue(Boolean.getBoolean("fosm.bench.drift"), "run through bench/drift_fpr.sh");
        int channels = Integer.getInteger("fosm.bench.channels", 32);
        double seconds = Integer.getInteger("fosm.bench.seconds", 60);
        int seedsPerMode = Integer.getInteger("fosm.bench.seeds", 2);
        double onset = seconds / 2;
        SparkSession spark = SparkTestSession.get();
        Path out = Path.of("target", "drift-bench");
        Files.createDirectories(out);
        long t0 = System.nanoTime();
        List<DriftLakehouse.Fiber> fibers = new ArrayList<>();
        long seed = Long.getLong("fosm.bench.seed", 100);
        long firstSeed = seed;
        fibers.add(new DriftLakehouse.Fiber("none" + seed, seed++, DriftMode.NONE));
        fibers.add(new DriftLakehouse.Fiber("none" + seed, seed++, DriftMode.NONE));
        for (DriftMode mode : List.of(DriftMode.GAIN, DriftMode.NOISE, DriftMode.MIX, DriftMode.ALL)) {
            for (int s = 0; s < seedsPerMode; s++, seed++) {
                fibers.add(new DriftLakehouse.Fiber(mode.name().toLowerCase(Locale.ROOT) + seed, seed, mode));
            }
        }
        FosmConfig lake = DriftLakehouse.build("drift-bench", channels, seconds, onset, fibers);
        double buildSeconds = (System.nanoTime() - t0) / 1e9;
        FosmConfig.Drift d = lake.drift();
        List<String> features = Training.features(lake);
        Map<String, Dataset<Row>> first = new LinkedHashMap<>();
        Map<String, Dataset<Row>> second = new LinkedHashMap<>();
        Map<String, ReferenceProfile> profiles = new LinkedHashMap<>();
        for (DriftLakehouse.Fiber f : fibers) {
            Dataset<Row> gold = DriftLakehouse.gold(lake, f.id());
            first.put(f.id(), between(gold, 0, onset - 1).cache());
            second.put(f.id(), between(gold, onset, seconds).cache());
            profiles.put(f.id(), ReferenceProfile.build(spark, lake, f.id(), first.get(f.id()), features,
                    Optional.empty(), DriftReports.PREDICTION_COLUMN));
        }
        StringBuilder tsv = new StringBuilder("reference\tcurrent\tmode\thalf\tkind\tcolumn\tpsi\tks\tks_p\tjs\t"
                + "wasserstein\tflagged\n");
        Map<String, int[]> counts = new LinkedHashMap<>();
        for (DriftLakehouse.Fiber ref : fibers) {
            ReferenceProfile p = profiles.get(ref.id());
            Map<String, double[]> edges = new LinkedHashMap<>();
            p.numeric().forEach(c -> edges.put(c.name(), c.edges()));
            for (DriftLakehouse.Fiber cur : fibers) {
                if (cur == ref) {
                    continue;
                }
                for (String half : List.of("first", "second")) {
                    Dataset<Row> rows = half.equals("first") ? first.get(cur.id()) : second.get(cur.id());
                    QualityCounts q = Profiler.quality(rows, features, d.deadChannelPower());
                    List<ColumnDrift> cols = DriftReports.compare(p, Profiler.summarize(rows, edges, d.sampleSize()),
                            q, d);
                    boolean drifted = DriftReports.windowDrifted(cols, d);
                    String key = half.equals("first") ? "undrifted other seed, same time range"
                            : cur.mode() == DriftMode.NONE ? "undrifted other seed, later time range"
                            : "drift " + cur.mode().name().toLowerCase(Locale.ROOT);
                    int[] n = counts.computeIfAbsent(key, k -> new int[2]);
                    n[0] += drifted ? 1 : 0;
                    n[1]++;
                    for (ColumnDrift c : cols) {
                        tsv.append(String.format(Locale.ROOT, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s%n",
                                ref.id(), cur.id(), cur.mode(), half, c.kind().label(), c.name(), c.psi(),
                                c.ksStatistic(), c.ksPvalue(), c.jsDistance(), c.wasserstein(), c.flagged()));
                    }
                }
            }
        }
        StringBuilder summary = new StringBuilder(String.format(Locale.ROOT, "drift bench: %d fibers of %d channels x"
                + " %.0f s (seeds %d..%d), drift onset at %.0f s; lakehouse built in %.0f s, total %.0f s%n"
                + "thresholds: psi %s, js %s, ks p < %s with statistic >= %s, feature fraction %s%n", fibers.size(),
                channels, seconds, firstSeed, seed - 1, onset, buildSeconds, (System.nanoTime() - t0) / 1e9, d.psiThreshold(),
                d.jsThreshold(), d.ksPvalue(), d.ksStatistic(), d.featureFraction()));
        counts.forEach((k, n) -> summary.append(String.format(Locale.ROOT, "%-42s flagged %3d of %3d windows (%.1f%%)%n",
                k, n[0], n[1], 100.0 * n[0] / n[1])));
        Files.writeString(out.resolve("stats.tsv"), tsv);
        Files.writeString(out.resolve("summary.txt"), summary);
        System.out.println(summary);
    }

    private static Dataset<Row> between(Dataset<Row> gold, double from, double to) {
        return gold.filter(col("window_start").geq(lit(ts(from))).and(col("window_start").lt(lit(ts(to)))));
    }

    private static Timestamp ts(double seconds) {
        return Timestamp.from(DriftReportsTest.T0.plusMillis((long) (seconds * 1000)));
    }
}
