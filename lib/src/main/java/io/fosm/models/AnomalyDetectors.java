package io.fosm.models;

import static io.fosm.lakehouse.Columns.BACKGROUND;
import static io.fosm.lakehouse.Columns.CHANNEL;
import static io.fosm.lakehouse.Columns.FIBER_ID;
import static io.fosm.lakehouse.Columns.LABEL;
import static org.apache.spark.sql.functions.*;

import com.linkedin.relevance.isolationforest.IsolationForest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Unsupervised detectors trained on background windows only, so they flag whatever does not look like the quiet
 * pipeline: an isolation forest over the model features, and a robust z-score (per channel and feature, median and
 * MAD; the score is the largest |z| over the features). Both are scored against the labels as "event vs background".
 */
public final class AnomalyDetectors {
    public static final String ANOMALY_SCORE = "anomaly_score";
    /** The training step of both detectors ({@link Training.Observer}) and their names, in result order. */
    public static final String STEP = "anomaly_detectors";
    public static final List<String> NAMES = List.of("isolation_forest", "robust_zscore");
    /** MAD of a normal distribution is 0.6745 sigma: this scales MAD to a standard deviation. */
    private static final double MAD_TO_SIGMA = 1.4826;

    private AnomalyDetectors() {}

    /** The outcome of one detector on the evaluation range. */
    public record Result(String name, double rocAuc, double prAuc, long trainRows, Map<String, String> params) {}

    /** Trees of the isolation forest sample this many background windows each (fewer when there are fewer). */
    static final int FOREST_SAMPLES = 256;

    /**
     * Trains an isolation forest on the {@code backgroundRows} background windows of {@code train}; each tree samples
     * {@link #FOREST_SAMPLES} of them, or all of them on a smaller training set (the forest refuses more).
     */
    public static PipelineModel isolationForest(Dataset<Row> train, long backgroundRows, FeatureSpace space,
                                                long seed) {
        IsolationForest forest = new IsolationForest();
        forest.setNumEstimators(100);
        forest.setMaxSamples(forestSamples(backgroundRows));
        forest.setContamination(0.0);
        forest.setMaxFeatures(1.0);
        forest.setRandomSeed(seed);
        forest.setFeaturesCol(FeatureSpace.FEATURES);
        forest.setScoreCol(ANOMALY_SCORE);
        forest.setPredictionCol("anomaly_flag");
        List<PipelineStage> stages = new ArrayList<>(space.stages(true));
        stages.add(forest);
        return new Pipeline().setStages(stages.toArray(new PipelineStage[0])).fit(background(train));
    }

    /**
     * The robust z-score profile: per (fiber, channel) and feature, the median and the MAD of the background windows
     * of {@code train} (log10 for power-like features, as the models see them). A small table: channels x features.
     */
    public static Dataset<Row> robustProfile(Dataset<Row> train, FeatureSpace space) {
        Dataset<Row> bg = scaled(background(train), space);
        List<String> inputs = space.inputNames();
        List<Column> medians = new ArrayList<>();
        for (String f : inputs) {
            medians.add(percentile_approx(col(f), lit(0.5), lit(10000)).as("med_" + f));
        }
        Dataset<Row> med = bg.groupBy(FIBER_ID, CHANNEL).agg(medians.get(0), medians.subList(1, medians.size())
                .toArray(new Column[0]));
        List<Column> mads = new ArrayList<>();
        for (String f : inputs) {
            mads.add(percentile_approx(abs(col(f).minus(col("med_" + f))), lit(0.5), lit(10000)).as("mad_" + f));
        }
        Dataset<Row> mad = bg.join(med, new scala.collection.immutable.Set.Set2<>(FIBER_ID, CHANNEL).toSeq())
                .groupBy(FIBER_ID, CHANNEL).agg(mads.get(0), mads.subList(1, mads.size()).toArray(new Column[0]));
        return med.join(mad, new scala.collection.immutable.Set.Set2<>(FIBER_ID, CHANNEL).toSeq());
    }

    /** Scores rows with the profile of their channel: the largest robust |z| over the features. */
    public static Dataset<Row> robustScore(Dataset<Row> rows, Dataset<Row> profile, FeatureSpace space) {
        Dataset<Row> joined = scaled(rows, space).join(profile,
                new scala.collection.immutable.Set.Set2<>(FIBER_ID, CHANNEL).toSeq(), "left");
        List<Column> z = new ArrayList<>();
        for (String f : space.inputNames()) {
            z.add(abs(col(f).minus(col("med_" + f))).divide(col("mad_" + f).multiply(MAD_TO_SIGMA).plus(1e-9)));
        }
        // a channel without a background profile has no reference: it scores as maximally unusual
        return joined.withColumn(ANOMALY_SCORE, coalesce(greatest(z.toArray(new Column[0])), lit(Double.MAX_VALUE)));
    }

    /** ROC-AUC and PR-AUC of {@code anomaly_score} against "event vs background". */
    public static double[] auc(Dataset<Row> scored) {
        Dataset<Row> binary = scored.select(col(LABEL).notEqual(BACKGROUND).cast("double").as("is_event"),
                col(ANOMALY_SCORE).cast("double").as(ANOMALY_SCORE));
        BinaryClassificationEvaluator evaluator = new BinaryClassificationEvaluator().setLabelCol("is_event")
                .setRawPredictionCol(ANOMALY_SCORE);
        return new double[] {evaluator.setMetricName("areaUnderROC").evaluate(binary),
            evaluator.setMetricName("areaUnderPR").evaluate(binary)};
    }

    /** Trains both detectors on {@code train} and scores them on {@code eval}. */
    public static List<Result> trainAndEvaluate(Dataset<Row> train, Dataset<Row> eval, FeatureSpace space, long seed) {
        return trainAndEvaluate(train, eval, space, seed, 0).results();
    }

    /** The detectors' results and, when a false-positive rate was given, the model scoring applies. */
    public record Trained(List<Result> results, java.util.Optional<AnomalyModel> model) {}

    /**
     * Trains both detectors on {@code train} and scores them on {@code eval}; with {@code falsePositiveRate > 0} also
     * the {@link AnomalyModel} scoring applies (the same isolation forest, thresholds at that rate).
     */
    public static Trained trainAndEvaluate(Dataset<Row> train, Dataset<Row> eval, FeatureSpace space, long seed,
                                           double falsePositiveRate) {
        List<Result> out = new ArrayList<>();
        long bgRows = background(train).count();
        PipelineModel forest = isolationForest(train, bgRows, space, seed);
        java.util.Optional<AnomalyModel> model = falsePositiveRate > 0
                ? java.util.Optional.of(AnomalyModel.fit(train, forest, space, falsePositiveRate))
                : java.util.Optional.empty();
        double[] f = auc(forest.transform(eval));
        out.add(new Result(NAMES.get(0), f[0], f[1], bgRows, params("num_estimators", "100", "max_samples",
                String.valueOf(forestSamples(bgRows)), "trained_on", "background windows")));
        Dataset<Row> profile = robustProfile(train, space).cache();
        double[] r = auc(robustScore(eval, profile, space));
        out.add(new Result(NAMES.get(1), r[0], r[1], bgRows, params("statistic", "median/MAD per channel and feature",
                "score", "max |z| over features", "trained_on", "background windows")));
        profile.unpersist();
        return new Trained(out, model);
    }

    private static int forestSamples(long backgroundRows) {
        return (int) Math.max(1, Math.min(FOREST_SAMPLES, backgroundRows));
    }

    private static Map<String, String> params(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static Dataset<Row> background(Dataset<Row> rows) {
        return rows.filter(col(LABEL).equalTo(BACKGROUND));
    }

    /** Adds the log-scaled inputs the models see, so detectors and classifiers share one feature space. */
    static Dataset<Row> scaled(Dataset<Row> rows, FeatureSpace space) {
        Dataset<Row> out = rows;
        for (String c : space.goldColumns()) {
            if (FeatureSpace.logScaled(c)) {
                out = out.withColumn("log_" + c, log10(col(c).plus(1e-12)));
            }
        }
        return out;
    }
}
