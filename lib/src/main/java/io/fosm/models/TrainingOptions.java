package io.fosm.models;

import java.io.Serializable;
import java.util.List;

/**
 * What a training run does: which models, the time split, the search, the class-count minimum and the seed.
 *
 * @param models supervised models to train
 * @param trainFraction share of the time range used for training
 * @param gapSeconds gap between the training and evaluation ranges (at least one window)
 * @param search whether to run the hyperparameter search (TrainValidationSplit over a small grid)
 * @param minClassCount the Deequ minimum of training windows per class
 * @param seed random seed of every algorithm
 * @param xgboostRounds boosting rounds of XGBoost
 * @param xgboostWorkers XGBoost workers (must not exceed the task slots)
 * @param xgboostThreads threads per XGBoost worker; xgboost4j-spark requires at most {@code spark.task.cpus}
 * @param anomaly whether to train the unsupervised detectors
 * @param evalCollar whether gold's {@code label_ambiguous} windows are left out of the headline evaluation (the
 *                   metrics on every evaluation window are computed as well); training uses every labelled window
 */
public record TrainingOptions(List<ModelKind> models, double trainFraction, double gapSeconds, boolean search,
                              long minClassCount, long seed, int xgboostRounds, int xgboostWorkers,
                              int xgboostThreads, boolean anomaly, boolean evalCollar) implements Serializable {

    /**
     * The options of {@code train.*} on a cluster with {@code taskSlots} slots (XGBoost workers are capped by them) and
     * {@code cpusPerTask} cores per task ({@code spark.task.cpus}: each XGBoost worker uses that many threads).
     */
    public static TrainingOptions of(io.fosm.config.FosmConfig.Train train, int taskSlots, int cpusPerTask) {
        return new TrainingOptions(train.models().stream().map(ModelKind::parse).toList(), train.fraction(),
                train.gapSeconds(), train.search(), train.minClassCount(), train.seed(), train.xgboostRounds(),
                Math.max(1, Math.min(train.xgboostWorkers(), taskSlots)), Math.max(1, cpusPerTask), train.anomaly(),
                train.evalCollar());
    }
}
