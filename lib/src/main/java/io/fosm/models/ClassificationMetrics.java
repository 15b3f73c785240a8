package io.fosm.models;

import static org.apache.spark.sql.functions.col;

import io.fosm.lakehouse.Columns;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * How well a classifier did on the evaluation range: accuracy, macro-F1, per-class precision/recall/F1, the confusion
 * matrix (rows = true class, columns = predicted, in {@code labels} order) and, for the binary "event vs background"
 * view, ROC-AUC and PR-AUC of the event score {@code 1 - P(background)}.
 */
public record ClassificationMetrics(List<String> labels, long[][] confusion, double accuracy, double macroF1,
                                    Map<String, PerClass> perClass, double rocAuc, double prAuc) {

    /** Precision, recall, F1 and support of one class. */
    public record PerClass(double precision, double recall, double f1, long support) {}

    /** Scores labelled gold rows with {@code model} ({@link Scoring#score}) and computes their metrics. */
    public static ClassificationMetrics evaluate(PipelineModel model, Dataset<Row> rows, List<String> labels) {
        return of(Scoring.score(model, rows, labels, Columns.BACKGROUND), labels, Columns.BACKGROUND);
    }

    /**
     * Computes the metrics from scored rows with the true {@code label}, the {@code predicted_label} and the
     * {@code event_score}. The confusion matrix is an aggregate of k x k counts; nothing row-level is collected.
     */
    public static ClassificationMetrics of(Dataset<Row> scored, List<String> labels, String backgroundLabel) {
        int k = labels.size();
        long[][] confusion = new long[k][k];
        for (Row r : scored.groupBy(col("label"), col(Scoring.PREDICTED_LABEL)).count().collectAsList()) {
            int t = labels.indexOf(r.getString(0));
            int p = labels.indexOf(r.getString(1));
            if (t < 0 || p < 0) {
                throw new IllegalStateException("Cannot evaluate: class '" + r.getString(0) + "' or '" + r.getString(1)
                        + "' is not one of the model's classes " + labels);
            }
            confusion[t][p] += r.getLong(2);
        }
        long total = 0;
        long correct = 0;
        Map<String, PerClass> perClass = new LinkedHashMap<>();
        double f1Sum = 0;
        int present = 0;
        for (int c = 0; c < k; c++) {
            long tp = confusion[c][c];
            long support = 0;
            long predicted = 0;
            for (int j = 0; j < k; j++) {
                support += confusion[c][j];
                predicted += confusion[j][c];
            }
            total += support;
            correct += tp;
            double precision = predicted == 0 ? 0 : (double) tp / predicted;
            double recall = support == 0 ? 0 : (double) tp / support;
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            perClass.put(labels.get(c), new PerClass(precision, recall, f1, support));
            // classes absent from the evaluation range would score 0 and say nothing: leave them out of macro-F1
            if (support > 0) {
                f1Sum += f1;
                present++;
            }
        }
        double rocAuc = Double.NaN;
        double prAuc = Double.NaN;
        Dataset<Row> binary = scored.select(
                col("label").notEqual(backgroundLabel).cast("double").as("is_event"),
                col(Scoring.EVENT_SCORE));
        long events = binary.filter(col("is_event").equalTo(1.0)).count();
        if (events > 0 && events < total) {
            BinaryClassificationEvaluator evaluator = new BinaryClassificationEvaluator().setLabelCol("is_event")
                    .setRawPredictionCol(Scoring.EVENT_SCORE);
            rocAuc = evaluator.setMetricName("areaUnderROC").evaluate(binary);
            prAuc = evaluator.setMetricName("areaUnderPR").evaluate(binary);
        }
        return new ClassificationMetrics(List.copyOf(labels), confusion, total == 0 ? 0 : (double) correct / total,
                present == 0 ? 0 : f1Sum / present, perClass, rocAuc, prAuc);
    }

    /** Flat metric names and values for MLflow (per class too). */
    public Map<String, Double> asMetrics() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("accuracy", accuracy);
        m.put("macro_f1", macroF1);
        m.put("roc_auc_event", rocAuc);
        m.put("pr_auc_event", prAuc);
        perClass.forEach((label, pc) -> {
            m.put("precision_" + label, pc.precision());
            m.put("recall_" + label, pc.recall());
            m.put("f1_" + label, pc.f1());
            m.put("support_" + label, (double) pc.support());
        });
        return m;
    }

    /** The confusion matrix as text (true classes down, predicted across). */
    public String confusionText() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-12s", "true\\pred"));
        labels.forEach(l -> sb.append(String.format(Locale.ROOT, "%11s", l)));
        sb.append('\n');
        for (int i = 0; i < labels.size(); i++) {
            sb.append(String.format(Locale.ROOT, "%-12s", labels.get(i)));
            for (long v : confusion[i]) {
                sb.append(String.format(Locale.ROOT, "%11d", v));
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
