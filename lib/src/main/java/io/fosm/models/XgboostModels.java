package io.fosm.models;

import ml.dmlc.xgboost4j.scala.spark.XGBoostClassificationModel;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import scala.Option;

/**
 * Works around the xgboost4j-spark 3.2 reload bug: a multi-class {@code XGBoostClassificationModel} saved and loaded
 * back comes back with {@code numClasses = 2} (the reader looks for {@code numClass}, the writer saved
 * {@code num_class}) and predicts garbage. Every load of a pipeline must go through {@link #repair}.
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

    /** Loads a saved pipeline and repairs it. */
    public static PipelineModel load(String path) {
        return repair(PipelineModel.load(path));
    }
}
