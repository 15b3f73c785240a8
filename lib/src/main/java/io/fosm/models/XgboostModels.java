package io.fosm.models;

import java.lang.reflect.Field;
import java.util.Arrays;
import ml.dmlc.xgboost4j.scala.spark.XGBoostClassificationModel;
import ml.dmlc.xgboost4j.scala.spark.XGBoostClassifier;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import scala.Option;

/**
 * Works around two xgboost4j-spark 3.2 limitations. The reload bug: a multi-class {@code XGBoostClassificationModel} saved and loaded
 * back comes back with {@code numClasses = 2} (the reader looks for {@code numClass}, the writer saved
 * {@code num_class}) and predicts garbage. Every load of a pipeline must go through {@link #repair}. And the per-round
 * evaluation log: see {@link #quiet}.
 */
public final class XgboostModels {
    private XgboostModels() {}

    /** Returns the pipeline with every XGBoost stage rebuilt with its restored {@code num_class}. */
    public static PipelineModel repair(PipelineModel model) {
        Transformer[] stages = model.stages().clone();
        boolean changed = false;
        for (int i = 0; i < stages.length; i++) {
            if (stages[i] instanceof XGBoostClassificationModel xgb) {
                int numClass = xgb.isDefined(xgb.numClass()) ? (Integer) xgb.getOrDefault(xgb.numClass()) : 2;
                if (numClass != xgb.numClasses()) {
                    XGBoostClassificationModel fixed = new XGBoostClassificationModel(xgb.uid(), numClass,
                            xgb.nativeBooster(), Option.empty());
                    stages[i] = fixed.copy(xgb.extractParamMap());
                    changed = true;
                }
            }
        }
        return changed ? new PipelineModel(model.uid(), stages) : model;
    }

    /**
     * Stops {@code xgb} from printing its evaluation of every boosting round ({@code [12] train-mlogloss:0.41}) on the
     * driver's stderr. xgboost4j prints it unless its parameters carry {@code verbose_eval = 0}, but xgboost4j-spark
     * passes only its own Spark params to xgboost4j and has no such param (its {@code verbosity} does not reach this
     * log: the tracker prints it with XGBoost's console logger, which ignores verbosity). So the estimator gets a
     * {@code verbose_eval} param of its own, set to 0. The losses stay available in the model's training summary
     * ({@code summary().trainObjectiveHistory()}), which training logs to MLflow. An estimator copied by a
     * hyperparameter search ({@code train.search}) is a new instance without it and prints again.
     *
     * @throws IllegalStateException when the Spark ML internals it relies on (the {@code params} array of
     *                               {@code PipelineStage}) changed
     */
    public static XGBoostClassifier quiet(XGBoostClassifier xgb) {
        IntParam verboseEval = new IntParam(xgb.uid(), "verbose_eval",
                "print the evaluation every n boosting rounds, 0 never (xgboost4j)");
        Param<?>[] current = xgb.params();
        Param<?>[] extended = Arrays.copyOf(current, current.length + 1);
        extended[current.length] = verboseEval;
        try {
            Field params = PipelineStage.class.getDeclaredField("params");
            params.setAccessible(true);
            params.set(xgb, extended);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("Cannot silence XGBoost's per-round log: Spark ML's PipelineStage has no"
                    + " settable 'params' array (" + e + ")", e);
        }
        xgb.set(verboseEval, 0);
        return xgb;
    }

    /** The training loss of every boosting round of a freshly trained stage; empty when there is none. */
    public static double[] trainLossPerRound(Transformer stage) {
        if (stage instanceof XGBoostClassificationModel xgb && xgb.summary().isDefined()) {
            float[] history = xgb.summary().get().trainObjectiveHistory();
            double[] out = new double[history.length];
            for (int i = 0; i < history.length; i++) {
                out[i] = history[i];
            }
            return out;
        }
        return new double[0];
    }

    /** Loads a saved pipeline and repairs it. */
    public static PipelineModel load(String path) {
        return repair(PipelineModel.load(path));
    }
}
