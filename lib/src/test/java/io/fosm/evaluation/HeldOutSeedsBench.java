package io.fosm.evaluation;

import io.fosm.config.FosmConfig;
import io.fosm.lakehouse.Columns;
import io.fosm.models.AnomalyDetectors;
import io.fosm.models.AnomalyModel;
import io.fosm.models.ClassificationMetrics;
import io.fosm.models.FeatureSpace;
import io.fosm.models.ModelKind;
import io.fosm.models.Trainer;
import io.fosm.models.Training;
import io.fosm.models.TrainingOptions;
import io.fosm.testing.LabelledLakehouse;
import io.fosm.testing.SparkTestSession;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * Not a test (surefire's patterns do not pick it up): the window and event figures of one trained model on fibers of
 * seeds it never saw, with their spread (mean, min, max), for docs/models.md. XGBoost (one worker) and its anomaly
 * detectors are trained on every labelled window of the small test fiber (seed 5, 32 channels x 240 s), as
 * {@link EventRegressionTest} does; each held-out fiber is 32 channels x {@code fosm.bench.seconds}.
 * {@code fosm.bench.train=long} trains on the long fiber instead (seed 11, 64 channels x 1200 s: ten times the windows).
 * Run: {@code [TRAIN=long] bench/incidents/heldout.sh [SECONDS] [SEEDS...]}; output in
 * lib/target/heldout-bench/summary.txt (summary-long.txt when trained on the long fiber).
 *
 * <p>Complementary to {@code fosm train}'s own held-out evaluation ({@code train.heldout_fibers}, docs/models.md),
 * which evaluates every model of a training on held-out fibers of its lakehouse and logs them to MLflow: this bench
 * holds one model fixed and generates any number of unseen seeds of any length, without MLflow, for the goal table.
 */
class HeldOutSeedsBench {
    @Test
    void measure() throws Exception {
        double seconds = Double.parseDouble(System.getProperty("fosm.bench.seconds", "120"));
        List<Long> seeds = new ArrayList<>();
        for (String s : System.getProperty("fosm.bench.seeds", "1234,2024,31337").split(",")) {
            seeds.add(Long.parseLong(s.trim()));
        }
        // "small": the test fiber (seed 5, 32 ch x 240 s); "long": XgboostRegressionTest's (seed 11, 64 ch x 1200 s),
        // 10x the windows: does more training data move the figures?
        String trainOn = System.getProperty("fosm.bench.train", "small");
        FosmConfig trainConfig = switch (trainOn) {
            case "small" -> LabelledLakehouse.get();
            case "long" -> LabelledLakehouse.longFiber();
            default -> throw new IllegalArgumentException("Cannot run the bench: fosm.bench.train must be small or "
                    + "long, got " + trainOn);
        };
        Dataset<Row> train = LabelledLakehouse.gold(trainConfig).filter(Columns.LABEL + " IS NOT NULL").cache();
        Map<String, Long> counts = new TreeMap<>();
        for (Row r : train.groupBy(Columns.LABEL).count().collectAsList()) {
            counts.put(r.getString(0), r.getLong(1));
        }
        List<String> labels = List.copyOf(counts.keySet());
        FeatureSpace space = new FeatureSpace(Training.features(trainConfig));
        TrainingOptions options = new TrainingOptions(List.of(), 0.7, 0, false, 10, 42, 60, 1, 1, false, true);
        Trainer.TrainedModel m = Trainer.fit(ModelKind.XGBOOST, Trainer.withClassWeights(train, counts),
                train.limit(100), space, labels, options);
        long background = train.filter(org.apache.spark.sql.functions.col(Columns.LABEL).equalTo(Columns.BACKGROUND))
                .count();
        AnomalyModel detectors = AnomalyModel.fit(train, AnomalyDetectors.isolationForest(train, background, space,
                42), space, 0.1);
        Map<String, List<Double>> figures = new LinkedHashMap<>();
        StringBuilder perSeed = new StringBuilder();
        for (long seed : seeds) {
            FosmConfig heldOut = LabelledLakehouse.heldOut(seed, 32, seconds);
            Dataset<Row> gold = LabelledLakehouse.gold(heldOut).filter(Columns.LABEL + " IS NOT NULL").cache();
            ClassificationMetrics every = ClassificationMetrics.evaluate(m.model(), gold, labels);
            ClassificationMetrics clear = ClassificationMetrics.evaluate(m.model(), Training.clearlyLabelled(gold),
                    labels);
            EventScores s = EventEvaluations.ofModel(heldOut, m.model(), Optional.of(detectors), labels, "bench",
                    gold, EventEvaluations.trainingEvents(SparkTestSession.get(), heldOut));
            Map<String, Double> f = new LinkedHashMap<>();
            f.put("window_macro_f1_every_window", every.macroF1());
            f.put("window_macro_f1_clear_windows", clear.macroF1());
            for (String k : List.of("events", "incidents", "event_f1", "event_recall", "incident_precision",
                    "incidents_per_detected_event", "location_error_at_detection_p95_m", "time_to_detect_median_s",
                    "false_alarms")) {
                f.put(k, s.metrics().get(k));
            }
            f.forEach((k, v) -> figures.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
            if (Boolean.getBoolean("fosm.bench.dump")) {
                // the scored windows and the labels, for looking at misses outside the JVM (Parquet)
                io.fosm.models.Scoring.score(m.model(), Optional.of(detectors), gold, labels, Columns.BACKGROUND)
                        .withColumn(Columns.CLASSES, org.apache.spark.sql.functions.lit(String.join(",", labels)))
                        .select(Columns.FIBER_ID, Columns.CHANNEL, Columns.WINDOW_START, Columns.WINDOW_END,
                                Columns.LABEL, io.fosm.models.Scoring.EVENT_SCORE,
                                io.fosm.models.Scoring.PROBABILITIES, Columns.ANOMALOUS, Columns.CLASSES)
                        .write().mode("overwrite").parquet(Path.of("target", "heldout-bench", "scores-" + trainOn
                                + "-" + seed).toAbsolutePath().toString());
            }
            perSeed.append("seed ").append(seed).append(": ").append(f).append('\n').append(s.scorecard())
                    .append('\n');
            gold.unpersist();
        }
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "held-out seeds %s, 32 channels x %.0f s each; model: XGBoost + detectors trained on %s (%d labelled "
                        + "windows)%n", seeds, seconds, trainOn.equals("long") ? "seed 11, 64 ch x 1200 s"
                        : "seed 5, 32 ch x 240 s", counts.values().stream().mapToLong(Long::longValue).sum()));
        out.append(String.format(Locale.ROOT, "%-38s %8s %8s %8s%n", "figure", "mean", "min", "max"));
        figures.forEach((k, v) -> {
            List<Double> ok = v.stream().filter(x -> x != null && !x.isNaN()).toList();
            double mean = ok.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            double min = ok.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
            double max = ok.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
            out.append(String.format(Locale.ROOT, "%-38s %8.3f %8.3f %8.3f%n", k, mean, min, max));
        });
        out.append('\n').append(perSeed);
        Path dir = Path.of("target", "heldout-bench");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(trainOn.equals("long") ? "summary-long.txt" : "summary.txt"), out.toString(), StandardCharsets.UTF_8);
        System.out.print(out);
    }
}
