package io.fosm.models;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.functions;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Applies a trained classifier pipeline and derives the outputs every consumer needs: {@code predicted_label}, the
 * per-class probabilities ({@code probability}; a softmax of the raw scores for models without probabilities, such
 * as one-vs-rest), and {@code event_score = 1 - P(background)}.
 */
public final class Scoring {
    public static final String PREDICTED_LABEL = "predicted_label";
    public static final String EVENT_SCORE = "event_score";
    public static final String PROBABILITIES = "class_probabilities";

    private Scoring() {}

    /**
     * Scores gold rows with the classifier and, when the model has them, its anomaly detectors ({@code anomaly_score},
     * {@code anomalous}; null columns without): what {@code fosm score}, the stream and the event-level evaluation
     * apply.
     */
    public static Dataset<Row> score(PipelineModel model, java.util.Optional<AnomalyModel> anomaly, Dataset<Row> gold,
                                     List<String> labels, String backgroundLabel) {
        Dataset<Row> flagged = anomaly.map(a -> a.apply(gold)).orElseGet(() -> AnomalyModel.absent(gold));
        return score(model, flagged, labels, backgroundLabel);
    }

    /** Scores gold rows; {@code labels} are the model's classes in index order. */
    public static Dataset<Row> score(PipelineModel model, Dataset<Row> gold, List<String> labels,
                                     String backgroundLabel) {
        Dataset<Row> out = model.transform(gold);
        List<String> columns = Arrays.asList(out.columns());
        if (columns.contains("probability")) {
            out = out.withColumn(PROBABILITIES, functions.vector_to_array(col("probability"), "float64"));
        } else {
            out = out.withColumn("_raw", functions.vector_to_array(col("rawPrediction"), "float64"))
                    .withColumn("_max", expr("array_max(_raw)"))
                    .withColumn("_exp", expr("transform(_raw, x -> exp(x - _max))"))
                    .withColumn(PROBABILITIES, expr("transform(_exp, x -> x / aggregate(_exp, 0D, (a, y) -> a + y))"))
                    .drop("_raw", "_max", "_exp");
        }
        int background = labels.indexOf(backgroundLabel);
        // index -> label without a UDF: element_at over a literal array of the labels
        String labelArray = "array(" + String.join(", ", labels.stream().map(l -> "'" + l + "'").toList()) + ")";
        out = out.withColumn(PREDICTED_LABEL, expr("element_at(" + labelArray + ", CAST(prediction AS INT) + 1)"));
        return out.withColumn(EVENT_SCORE, background < 0 ? expr("1D")
                : expr("1D - element_at(" + PROBABILITIES + ", " + (background + 1) + ")"));
    }
}
