package io.fosm.models;

import java.util.Locale;
import ml.dmlc.xgboost4j.scala.spark.XGBoostClassifier;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.MultilayerPerceptronClassifier;
import org.apache.spark.ml.classification.OneVsRest;
import org.apache.spark.ml.classification.RandomForestClassifier;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.ParamGridBuilder;

/**
 * The supervised model zoo. Each kind builds its estimator (weighted by {@code class_weight} where the algorithm
 * supports it) and a small hyperparameter grid for the search.
 */
public enum ModelKind {
    LR("logistic_regression"),
    RF("random_forest"),
    GBT("gbt_one_vs_rest"),
    MLP("multilayer_perceptron"),
    XGBOOST("xgboost");

    public static final String LABEL_INDEX = "label_index";
    public static final String WEIGHT = "class_weight";

    private final String modelName;

    ModelKind(String modelName) {
        this.modelName = modelName;
    }

    /** The name used in MLflow runs and the leaderboard. */
    public String modelName() {
        return modelName;
    }

    /** Parses {@code lr, rf, gbt, mlp, xgboost} (as in train.models). */
    public static ModelKind parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("model must be one of lr, rf, gbt, mlp, xgboost, cannot be: " + name);
        }
    }

    /** Whether the algorithm honours per-row weights (MLP does not: it sees the raw class balance). */
    public boolean weighted() {
        return this != MLP;
    }

    /** Whether the inputs must be standardised first: yes for linear and neural models, no for trees. */
    public boolean needsScaling() {
        return this == LR || this == MLP;
    }

    /** The estimator for {@code numFeatures} inputs and {@code numClasses} classes. */
    public PipelineStage estimator(int numFeatures, int numClasses, TrainingOptions options) {
        return switch (this) {
            case LR -> new LogisticRegression().setFamily("multinomial").setMaxIter(100).setLabelCol(LABEL_INDEX)
                    .setFeaturesCol(FeatureSpace.FEATURES).setWeightCol(WEIGHT);
            case RF -> new RandomForestClassifier().setNumTrees(60).setMaxDepth(10).setSeed(options.seed())
                    .setLabelCol(LABEL_INDEX).setFeaturesCol(FeatureSpace.FEATURES).setWeightCol(WEIGHT);
            case GBT -> new OneVsRest().setClassifier(new GBTClassifier().setMaxIter(20).setMaxDepth(5)
                    .setSeed(options.seed())).setLabelCol(LABEL_INDEX).setFeaturesCol(FeatureSpace.FEATURES)
                    .setWeightCol(WEIGHT);
            case MLP -> new MultilayerPerceptronClassifier()
                    .setLayers(new int[] {numFeatures, 32, 16, numClasses}).setMaxIter(300).setSeed(options.seed())
                    .setLabelCol(LABEL_INDEX).setFeaturesCol(FeatureSpace.FEATURES);
            case XGBOOST -> xgboost(numClasses, options);
        };
    }

    private static XGBoostClassifier xgboost(int numClasses, TrainingOptions options) {
        XGBoostClassifier xgb = new XGBoostClassifier();
        xgb.setObjective("multi:softprob");
        xgb.setNumClass(numClasses);
        xgb.setNumRound(options.xgboostRounds());
        xgb.setMaxDepth(6);
        xgb.setEta(0.3);
        xgb.setTreeMethod("hist");
        // a barrier stage: never more workers than task slots
        xgb.setNumWorkers(options.xgboostWorkers());
        xgb.setNthread(options.xgboostThreads());
        xgb.setSeed(options.seed());
        xgb.setWeightCol(WEIGHT);
        xgb.setLabelCol(LABEL_INDEX);
        xgb.setFeaturesCol(FeatureSpace.FEATURES);
        // the per-round log stays off the console; the losses are logged to MLflow (TrainingRuns)
        return XgboostModels.quiet(xgb);
    }

    /** A small grid for the search (one point when the search is off). */
    public ParamMap[] grid(PipelineStage estimator, boolean search) {
        ParamGridBuilder grid = new ParamGridBuilder();
        if (search) {
            switch (this) {
                case LR -> {
                    LogisticRegression lr = (LogisticRegression) estimator;
                    grid.addGrid(lr.regParam(), new double[] {0.0, 0.01});
                }
                case RF -> {
                    RandomForestClassifier rf = (RandomForestClassifier) estimator;
                    grid.addGrid(rf.maxDepth(), new int[] {8, 12});
                }
                case GBT -> {
                    GBTClassifier gbt = (GBTClassifier) (Object) ((OneVsRest) estimator).getClassifier();
                    grid.addGrid(gbt.maxDepth(), new int[] {3, 5});
                }
                case MLP -> {
                    MultilayerPerceptronClassifier mlp = (MultilayerPerceptronClassifier) estimator;
                    grid.addGrid(mlp.stepSize(), new double[] {0.03, 0.1});
                }
                case XGBOOST -> {
                    XGBoostClassifier xgb = (XGBoostClassifier) estimator;
                    grid.addGrid(xgb.maxDepth(), new int[] {4, 6});
                }
            }
        }
        return grid.build();
    }
}
