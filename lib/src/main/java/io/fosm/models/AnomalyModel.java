package io.fosm.models;

import static io.fosm.lakehouse.Columns.ANOMALOUS;
import static io.fosm.lakehouse.Columns.ANOMALY_SCORE;
import static io.fosm.lakehouse.Columns.BACKGROUND;
import static io.fosm.lakehouse.Columns.LABEL;
import static org.apache.spark.sql.functions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/**
 * The anomaly detectors as scoring uses them: the isolation forest of {@link AnomalyDetectors} and a robust z-score,
 * each with a threshold measured on event-free training windows, saved with the model and applied by
 * {@link Scoring#score(PipelineModel, Optional, Dataset, List, String)} (so by {@code fosm score}, the stream and the
 * event-level evaluation alike).
 *
 * <p>Each scored window gets {@code anomaly_score}, the larger of the two detectors' scores each divided by its
 * threshold (so 1 is the threshold of both), and {@code anomalous = anomaly_score >= 1}. The thresholds are the
 * {@code 1 - falsePositiveRate} quantiles of each detector's score on the clearly labelled background windows of the
 * training range ({@code train.anomaly_false_positive_rate}): on windows like those, each detector flags about that
 * share, so together at most twice it (the measured share, {@link #trainingFlaggedRate}, is saved too).
 *
 * <p>The robust z-score used here pools the median and MAD of each feature over every channel of the training fibers,
 * unlike the per-channel profile {@link AnomalyDetectors} logs: a per-channel profile has no reference on a channel or
 * fiber training never saw (it would flag every window there), the pooled one applies to any fiber.
 *
 * <p>Saved as a folder ({@link #save}): {@code forest/} (the Spark pipeline: log scaling, assembler, isolation
 * forest) and {@code anomaly.json} (thresholds, pooled medians and MADs, the measured rates). Training logs it inside
 * the registered model's artifact folder ({@link #ARTIFACT_DIR}), so it is loaded with the champion.
 *
 * <p>Cost: one extra pass of the isolation forest (100 trees of depth at most 8) over the scored rows, plus a few
 * column expressions; no collect.
 */
public final class AnomalyModel {
    /** The folder inside a logged model's artifact folder that holds the detectors. */
    public static final String ARTIFACT_DIR = "anomaly";
    static final String FOREST_DIR = "forest";
    static final String JSON = "anomaly.json";
    private static final String FOREST_SCORE = "_forest_score";
    private static final double MAD_TO_SIGMA = 1.4826;

    private final PipelineModel forest;
    private final List<String> inputs;
    private final double[] medians;
    private final double[] mads;
    private final double forestThreshold;
    private final double zThreshold;
    private final double falsePositiveRate;
    private final double trainingFlaggedRate;
    private final long referenceWindows;

    AnomalyModel(PipelineModel forest, List<String> inputs, double[] medians, double[] mads, double forestThreshold,
                 double zThreshold, double falsePositiveRate, double trainingFlaggedRate, long referenceWindows) {
        this.forest = forest;
        this.inputs = List.copyOf(inputs);
        this.medians = medians.clone();
        this.mads = mads.clone();
        this.forestThreshold = forestThreshold;
        this.zThreshold = zThreshold;
        this.falsePositiveRate = falsePositiveRate;
        this.trainingFlaggedRate = trainingFlaggedRate;
        this.referenceWindows = referenceWindows;
    }

    /**
     * Fits the detectors on the background windows of {@code train} ({@code forest} is the isolation forest trained
     * on them) and sets their thresholds on its clearly labelled background windows at {@code falsePositiveRate}.
     */
    public static AnomalyModel fit(Dataset<Row> train, PipelineModel forest, FeatureSpace space,
                                   double falsePositiveRate) {
        if (!(falsePositiveRate > 0 && falsePositiveRate < 1)) {
            throw new IllegalArgumentException("Cannot set anomaly thresholds: the false-positive rate must lie "
                    + "strictly between 0 and 1, got " + falsePositiveRate);
        }
        List<String> inputs = space.inputNames();
        Dataset<Row> bg = AnomalyDetectors.scaled(train.filter(col(LABEL).equalTo(BACKGROUND)), space).cache();
        try {
            List<Column> medianCols = new ArrayList<>();
            for (String f : inputs) {
                medianCols.add(percentile_approx(col(f), lit(0.5), lit(10000)));
            }
            Row m = bg.agg(medianCols.get(0), medianCols.subList(1, medianCols.size()).toArray(new Column[0])).first();
            double[] medians = new double[inputs.size()];
            for (int i = 0; i < medians.length; i++) {
                medians[i] = m.isNullAt(i) ? 0 : ((Number) m.get(i)).doubleValue();
            }
            List<Column> madCols = new ArrayList<>();
            for (int i = 0; i < inputs.size(); i++) {
                madCols.add(percentile_approx(abs(col(inputs.get(i)).minus(lit(medians[i]))), lit(0.5), lit(10000)));
            }
            Row d = bg.agg(madCols.get(0), madCols.subList(1, madCols.size()).toArray(new Column[0])).first();
            double[] mads = new double[inputs.size()];
            for (int i = 0; i < mads.length; i++) {
                mads[i] = d.isNullAt(i) ? 0 : ((Number) d.get(i)).doubleValue();
            }
            // thresholds on the windows whose "no event" label can be defended (the labelling collar)
            Dataset<Row> reference = Training.clearlyLabelled(train.filter(col(LABEL).equalTo(BACKGROUND)));
            AnomalyModel raw = new AnomalyModel(forest, inputs, medians, mads, 1, 1, falsePositiveRate, 0, 0);
            Dataset<Row> scores = raw.rawScores(reference).select(FOREST_SCORE, "_z").cache();
            try {
                long n = scores.count();
                if (n == 0) {
                    throw new IllegalStateException("Cannot set anomaly thresholds: the training range has no clearly "
                            + "labelled background window");
                }
                double[][] q = scores.stat().approxQuantile(new String[] {FOREST_SCORE, "_z"},
                        new double[] {1 - falsePositiveRate}, 1e-4);
                double forestThreshold = q[0][0];
                double zThreshold = q[1][0];
                long flagged = scores.filter(col(FOREST_SCORE).gt(forestThreshold).or(col("_z").gt(zThreshold)))
                        .count();
                return new AnomalyModel(forest, inputs, medians, mads, forestThreshold, zThreshold, falsePositiveRate,
                        (double) flagged / n, n);
            } finally {
                scores.unpersist();
            }
        } finally {
            bg.unpersist();
        }
    }

    /** The two raw detector scores: the forest's ({@code _forest_score}) and the pooled robust |z| ({@code _z}). */
    private Dataset<Row> rawScores(Dataset<Row> rows) {
        List<String> original = List.of(rows.columns());
        Dataset<Row> t = forest.transform(rows).withColumnRenamed(AnomalyDetectors.ANOMALY_SCORE, FOREST_SCORE);
        List<Column> z = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            z.add(abs(col(inputs.get(i)).minus(lit(medians[i]))).divide(lit(mads[i] * MAD_TO_SIGMA + 1e-9)));
        }
        Column zMax = z.size() == 1 ? z.get(0) : greatest(z.toArray(new Column[0]));
        List<Column> keep = new ArrayList<>();
        for (String c : original) {
            keep.add(col(c));
        }
        keep.add(col(FOREST_SCORE));
        keep.add(zMax.as("_z"));
        return t.select(keep.toArray(new Column[0]));
    }

    /**
     * Adds {@code anomaly_score} (the larger detector score over its threshold) and {@code anomalous} (score >= 1)
     * to gold-shaped rows; every other column is kept as it was.
     */
    public Dataset<Row> apply(Dataset<Row> rows) {
        Column score = greatest(col(FOREST_SCORE).divide(lit(forestThreshold)), col("_z").divide(lit(zThreshold)));
        return rawScores(rows).withColumn(ANOMALY_SCORE, score)
                .withColumn(ANOMALOUS, col(ANOMALY_SCORE).geq(lit(1.0)))
                .drop(FOREST_SCORE, "_z");
    }

    /** Adds null {@code anomaly_score} and {@code anomalous} columns (a model registered without detectors). */
    public static Dataset<Row> absent(Dataset<Row> rows) {
        return rows.withColumn(ANOMALY_SCORE, lit(null).cast(DataTypes.DoubleType))
                .withColumn(ANOMALOUS, lit(null).cast(DataTypes.BooleanType));
    }

    public double forestThreshold() {
        return forestThreshold;
    }

    public double zThreshold() {
        return zThreshold;
    }

    public double falsePositiveRate() {
        return falsePositiveRate;
    }

    /** The share of the clearly labelled training background windows either detector flags (measured at fit). */
    public double trainingFlaggedRate() {
        return trainingFlaggedRate;
    }

    /** How many windows the thresholds were measured on. */
    public long referenceWindows() {
        return referenceWindows;
    }

    /** Writes {@code forest/} and {@code anomaly.json} into {@code dir} (created). */
    public void save(Path dir) {
        try {
            Files.createDirectories(dir);
            // through the default file system on a cluster: executors write part of the model
            io.fosm.registry.SparkModels.save(forest, dir.resolve(FOREST_DIR));
            ObjectMapper json = new ObjectMapper();
            ObjectNode root = json.createObjectNode();
            root.put("format", "fosm-anomaly-1");
            root.put("forest_threshold", forestThreshold);
            root.put("zscore_threshold", zThreshold);
            root.put("false_positive_rate", falsePositiveRate);
            root.put("training_flagged_rate", trainingFlaggedRate);
            root.put("reference_windows", referenceWindows);
            ArrayNode in = root.putArray("inputs");
            ArrayNode med = root.putArray("medians");
            ArrayNode mad = root.putArray("mads");
            for (int i = 0; i < inputs.size(); i++) {
                in.add(inputs.get(i));
                med.add(medians[i]);
                mad.add(mads[i]);
            }
            Files.writeString(dir.resolve(JSON), json.writerWithDefaultPrettyPrinter().writeValueAsString(root),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("Cannot save the anomaly detectors to " + dir + ": "
                    + e.getMessage(), e);
        }
    }

    /** Loads what {@link #save} wrote; empty when {@code dir} holds no detectors (a model registered without). */
    public static Optional<AnomalyModel> load(Path dir) {
        Path file = dir.resolve(JSON);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            JsonNode root = new ObjectMapper().readTree(Files.readString(file, StandardCharsets.UTF_8));
            if (!"fosm-anomaly-1".equals(root.path("format").asText())) {
                throw new IllegalStateException("Cannot load the anomaly detectors of " + dir + ": format '"
                        + root.path("format").asText() + "', expected 'fosm-anomaly-1'");
            }
            List<String> inputs = new ArrayList<>();
            root.get("inputs").forEach(n -> inputs.add(n.asText()));
            double[] medians = new double[inputs.size()];
            double[] mads = new double[inputs.size()];
            for (int i = 0; i < inputs.size(); i++) {
                medians[i] = root.get("medians").get(i).asDouble();
                mads[i] = root.get("mads").get(i).asDouble();
            }
            PipelineModel forest = io.fosm.registry.SparkModels.load(org.apache.spark.sql.SparkSession.active(),
                    dir.resolve(FOREST_DIR));
            return Optional.of(new AnomalyModel(forest, inputs, medians, mads,
                    root.get("forest_threshold").asDouble(), root.get("zscore_threshold").asDouble(),
                    root.get("false_positive_rate").asDouble(), root.get("training_flagged_rate").asDouble(),
                    root.get("reference_windows").asLong()));
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalStateException ise) {
                throw ise;
            }
            throw new IllegalStateException("Cannot load the anomaly detectors of " + dir + ": " + e.getMessage(), e);
        }
    }
}
