package io.fosm.models;

import static io.fosm.lakehouse.Columns.LABEL;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ml.dmlc.xgboost4j.scala.spark.XGBoostClassificationModel;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.classification.RandomForestClassificationModel;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamPair;
import org.apache.spark.ml.tuning.TrainValidationSplit;
import org.apache.spark.ml.tuning.TrainValidationSplitModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Fits one model of the zoo on the training range and evaluates it on the evaluation range.
 *
 * <p>The fitted pipeline is {@code SQLTransformer (log powers) -> VectorAssembler -> [StandardScaler] -> classifier}
 * (the scaler only for the models that need one, {@link ModelKind#needsScaling()}):
 * it needs only gold columns, so the same pipeline scores batch and streaming rows. Labels are indexed outside the
 * pipeline (alphabetical order, the model's {@code labels}), so scoring never needs a label column. Class imbalance is
 * handled with {@code class_weight = n / (k * n_class)} for every algorithm that takes weights.
 */
public final class Trainer {
    private Trainer() {}

    /** A fitted and evaluated model. */
    public record TrainedModel(ModelKind kind, PipelineModel model, List<String> labels, ClassificationMetrics metrics,
                               Map<String, String> params, double trainSeconds, Map<String, Double> importance) {}

    /** Adds {@code class_weight} from per-class counts. */
    public static Dataset<Row> withClassWeights(Dataset<Row> train, Map<String, Long> counts) {
        long n = counts.values().stream().mapToLong(Long::longValue).sum();
        Column weight = null;
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            double w = (double) n / (counts.size() * e.getValue());
            weight = weight == null ? when(col(LABEL).equalTo(e.getKey()), lit(w))
                    : weight.when(col(LABEL).equalTo(e.getKey()), lit(w));
        }
        return train.withColumn(ModelKind.WEIGHT, weight.otherwise(lit(1.0)));
    }

    /** Fits {@code kind} on weighted training rows and evaluates it. */
    public static TrainedModel fit(ModelKind kind, Dataset<Row> weightedTrain, Dataset<Row> eval, FeatureSpace space,
                                   List<String> labels, TrainingOptions options) {
        long t0 = System.nanoTime();
        Dataset<Row> indexed = new StringIndexerModel(labels.toArray(new String[0])).setInputCol(LABEL)
                .setOutputCol(ModelKind.LABEL_INDEX).setHandleInvalid("error").transform(weightedTrain);
        PipelineStage estimator = kind.estimator(space.inputNames().size(), labels.size(), options);
        List<PipelineStage> stages = new ArrayList<>(space.stages(kind.needsScaling()));
        stages.add(estimator);
        Pipeline pipeline = new Pipeline().setStages(stages.toArray(new PipelineStage[0]));
        ParamMap[] grid = kind.grid(estimator, options.search());
        PipelineModel model;
        Map<String, String> params = new LinkedHashMap<>();
        params.put("model", kind.modelName());
        params.put("class_weights", String.valueOf(kind.weighted()));
        if (grid.length > 1) {
            TrainValidationSplit search = new TrainValidationSplit().setEstimator(pipeline)
                    .setEstimatorParamMaps(grid).setTrainRatio(0.8).setSeed(options.seed())
                    .setEvaluator(new MulticlassClassificationEvaluator().setLabelCol(ModelKind.LABEL_INDEX)
                            .setMetricName("f1"));
            TrainValidationSplitModel searched = search.fit(indexed);
            model = (PipelineModel) searched.bestModel();
            double[] scores = searched.validationMetrics();
            int best = 0;
            for (int i = 1; i < scores.length; i++) {
                if (scores[i] > scores[best]) {
                    best = i;
                }
            }
            for (ParamPair<?> p : grid[best].toList()) {
                params.put("best_" + p.param().name(), String.valueOf(p.value()));
            }
            params.put("search", "TrainValidationSplit(trainRatio=0.8) over " + grid.length + " points");
        } else {
            model = pipeline.fit(indexed);
            params.put("search", "none");
        }
        Transformer last = model.stages()[model.stages().length - 1];
        last.extractParamMap().toList().forEach(p -> {
            Object v = p.value();
            if (v instanceof Number || v instanceof String || v instanceof Boolean) {
                params.putIfAbsent(p.param().name(), String.valueOf(v));
            }
        });
        double seconds = (System.nanoTime() - t0) / 1e9;
        ClassificationMetrics metrics = ClassificationMetrics.evaluate(model, eval, labels);
        return new TrainedModel(kind, model, List.copyOf(labels), metrics, params, seconds,
                importance(last, space.inputNames()));
    }

    /** Feature importance where the algorithm has one (empty otherwise). */
    static Map<String, Double> importance(Transformer model, List<String> inputs) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (model instanceof RandomForestClassificationModel rf) {
            double[] v = rf.featureImportances().toArray();
            for (int i = 0; i < v.length; i++) {
                out.put(inputs.get(i), v[i]);
            }
        } else if (model instanceof LogisticRegressionModel lr) {
            Matrix m = lr.coefficientMatrix();
            for (int j = 0; j < m.numCols(); j++) {
                double s = 0;
                for (int i = 0; i < m.numRows(); i++) {
                    s += Math.abs(m.apply(i, j));
                }
                out.put(inputs.get(j), s / m.numRows());
            }
        } else if (model instanceof XGBoostClassificationModel xgb) {
            scala.collection.immutable.Map<String, Object> gain;
            try {
                gain = xgb.nativeBooster().getScore("", "gain");
            } catch (ml.dmlc.xgboost4j.java.XGBoostError e) {
                throw new IllegalStateException("Cannot read XGBoost feature importance: " + e.getMessage(), e);
            }
            for (int i = 0; i < inputs.size(); i++) {
                scala.Option<Object> g = gain.get("f" + i);
                out.put(inputs.get(i), g.isDefined() ? ((Number) g.get()).doubleValue() : 0.0);
            }
        }
        return out;
    }
}
