package io.fosm.models;

import io.fosm.evaluation.EventEvaluations;
import io.fosm.evaluation.EventScores;
import io.fosm.generate.GroundTruthEvent;
import static io.fosm.lakehouse.Columns.LABEL;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;

import io.fosm.config.FosmConfig;
import io.fosm.lakehouse.Columns;
import io.fosm.lakehouse.Delta;
import io.fosm.lakehouse.Gold;
import io.fosm.lakehouse.Tables;
import io.fosm.quality.QualityReport;
import io.fosm.quality.TrainingChecks;
import io.fosm.spark.Sessions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Trains the model zoo on {@code gold_features}: the held-out fibers ({@code train.heldout_fibers}) taken out, a time
 * split with a gap of the rest, Deequ checks of the training set, class weights, the unsupervised detectors (first, so
 * every event-level evaluation flags windows with them as {@code fosm score} and the stream do), every configured
 * model, each evaluated on the evaluation range and on every held-out fiber as a whole. MLflow logging is the
 * caller's (the train job's).
 *
 * <p>Cost: the labelled gold rows of the training and evaluation ranges and of the held-out fibers are cached
 * (features only, no signal); each model makes its own passes over them (TrainValidationSplit multiplies by the grid
 * size), plus one scoring pass per held-out fiber and event-level replay; XGBoost trains in a barrier stage with
 * {@code train.xgboost_workers} tasks.
 */
public final class Training {
    private Training() {}

    /**
     * The outcome: the split and class counts, the Deequ report, and the models (empty when the gate refused).
     * {@code ambiguousLeftOut} counts the label_ambiguous windows of the evaluation range left out of the headline
     * metrics ({@code train.eval_collar}); {@code allWindowMetrics} then holds each model's metrics on every window of
     * the evaluation range, ambiguous ones included (empty without the collar). {@code eventScores} holds each
     * model's event-level figures: every window of the evaluation range replayed through the stream's incident tracker
     * and matched to the ground-truth events (empty when the labels path has no event log). {@code heldOutRows}
     * counts the labelled gold windows of each held-out fiber (none of them trained) and {@code heldOut} holds each
     * model's figures on them (both empty without {@code train.heldout_fibers}).
     */
    public record Result(TimeSplit split, long trainRows, long evalRows, Map<String, Long> trainClassCounts,
                         List<String> features, QualityReport report, List<Trainer.TrainedModel> models,
                         List<AnomalyDetectors.Result> anomalies, long goldVersion, long ambiguousLeftOut,
                         Map<ModelKind, ClassificationMetrics> allWindowMetrics,
                         Map<ModelKind, EventScores> eventScores, Map<String, Long> heldOutRows,
                         Map<ModelKind, HeldOutEvaluation> heldOut) {

        /**
         * The headline window metrics of {@code m}: on every labelled window of the evaluation range (with the collar
         * off, the model's own metrics are those already).
         */
        public ClassificationMetrics everyWindow(Trainer.TrainedModel m) {
            return allWindowMetrics.getOrDefault(m.kind(), m.metrics());
        }
    }

    /**
     * What a model is evaluated on besides its own (collar-filtered) metrics: every window of the evaluation range
     * (null without the collar: then the model's metrics are those), the event-level figures of the evaluation range
     * (null without a ground-truth event log) and the held-out fibers (null when none are configured).
     */
    public record Evaluation(ClassificationMetrics allWindows, EventScores events, HeldOutEvaluation heldOut) {}

    /**
     * The windows whose label a per-window classifier can be held to: gold's {@code label_ambiguous} is false, or
     * unknown (gold written before the column existed).
     */
    public static Dataset<Row> clearlyLabelled(Dataset<Row> gold) {
        if (!Arrays.asList(gold.columns()).contains(Columns.LABEL_AMBIGUOUS)) {
            return gold;
        }
        return gold.filter(not(coalesce(col(Columns.LABEL_AMBIGUOUS), lit(false))));
    }

    /**
     * The model inputs: the gold DSP features every fiber of the lakehouse has (its bands may differ with its sample
     * rate: io.fosm.lakehouse.FiberFeatures), then the context features.
     */
    public static List<String> features(FosmConfig config) {
        List<String> out = new ArrayList<>(Arrays.asList(io.fosm.lakehouse.FiberFeatures.of(config).modelColumns()));
        out.addAll(Columns.CONTEXT_FEATURES);
        return out;
    }

    /**
     * What is known about a training once its data is split and checked, before the first model trains: the split,
     * gold_features' path, the Delta version read and its labelled rows, the training and evaluation counts, the
     * Deequ report, the inputs and the classes.
     */
    public record Context(TimeSplit split, String goldPath, long goldVersion, long labelledRows, long trainRows,
                         long evalRows, Map<String, Long> trainClassCounts, long ambiguousLeftOut,
                         QualityReport report, List<String> features, List<String> labels,
                         Map<String, Long> heldOutRows) {

        /** A {@link Result} of this training holding only {@code model} (e.g. for its model card). */
        public Result resultOf(Trainer.TrainedModel model, Evaluation e) {
            return new Result(split, trainRows, evalRows, trainClassCounts, features, report, List.of(model),
                    List.of(), goldVersion, ambiguousLeftOut,
                    e.allWindows() == null ? Map.of() : Map.of(model.kind(), e.allWindows()),
                    e.events() == null ? Map.of() : Map.of(model.kind(), e.events()), heldOutRows,
                    e.heldOut() == null ? Map.of() : Map.of(model.kind(), e.heldOut()));
        }
    }

    /**
     * Follows a training step by step (e.g. to keep one MLflow run per model open while it trains): {@link #starting}
     * before a model's training, {@link #trained} after it was trained and evaluated, {@link #failed} when a step
     * threw (the exception is rethrown after it). The anomaly detectors are one step,
     * {@link AnomalyDetectors#STEP}, reported through {@link #anomaliesTrained}; it comes before the models' steps
     * (their event-level evaluations use the detectors).
     */
    public interface Observer {
        default void starting(String step, Context context) {}

        /** The model, trained, and what it was evaluated on besides its own metrics. */
        default void trained(Trainer.TrainedModel model, Evaluation evaluation) {}

        default void anomaliesTrained(List<AnomalyDetectors.Result> results) {}

        /** The detectors scoring applies, with their thresholds (saved with the registered model). */
        default void anomalyModelTrained(AnomalyModel model) {}

        default void failed(String step, RuntimeException error) {}
    }

    /** Runs the training; {@code expectedClasses} must each reach {@code options.minClassCount()} windows. */
    public static Result run(SparkSession spark, FosmConfig config, TrainingOptions options,
                             List<String> expectedClasses) {
        return run(spark, config, options, expectedClasses, new Observer() {});
    }

    /** {@link #run(SparkSession, FosmConfig, TrainingOptions, List)} reporting each step to {@code observer}. */
    public static Result run(SparkSession spark, FosmConfig config, TrainingOptions options,
                             List<String> expectedClasses, Observer observer) {
        // one gold version for the data, the gold_delta_version tag and the drift reference profile
        Delta.Pinned pinned = Delta.pinnedInput(spark, config, Tables.GOLD_FEATURES, java.util.Optional.empty(), "train",
                "gold");
        Dataset<Row> labelled = pinned.rows().filter(col(LABEL).isNotNull());
        long goldVersion = pinned.version();
        List<String> heldOutFibers = config.train().heldoutFibers();
        Map<String, Long> heldOutRows = heldOutRows(labelled, heldOutFibers, goldVersion);
        // held-out fibers leave before the split: they never train and are not part of the evaluation range either
        Dataset<Row> gold = heldOutFibers.isEmpty() ? labelled
                : labelled.filter(not(col(Columns.FIBER_ID).isin(heldOutFibers.toArray())));
        Sessions.describe(spark, "fosm-train", "train: split gold_features v" + goldVersion + " by time");
        Duration gap = Duration.ofMillis(Math.round(1000 * Math.max(options.gapSeconds(),
                config.gold().windowSeconds())));
        TimeSplit split = TimeSplit.plan(gold, options.trainFraction(), gap);
        // every labelled window trains (an ambiguous label is still the likeliest one); the collar is for scoring
        Dataset<Row> train = split.train(gold).cache();
        Dataset<Row> evalAll = split.evaluation(gold).cache();
        Dataset<Row> eval = options.evalCollar() ? clearlyLabelled(evalAll).cache() : evalAll;
        Map<String, Long> counts = new TreeMap<>();
        for (Row r : train.groupBy(LABEL).count().collectAsList()) {
            counts.put(r.getString(0), r.getLong(1));
        }
        long trainRows = counts.values().stream().mapToLong(Long::longValue).sum();
        long evalRows = eval.count();
        long ambiguousLeftOut = options.evalCollar() ? evalAll.count() - evalRows : 0;
        List<String> features = features(config);

        Sessions.describe(spark, "fosm-train", "train: Deequ checks of the training set");
        QualityReport report = TrainingChecks.audit(train, features, expectedClasses, options.minClassCount(),
                config.fibers().values().stream().mapToDouble(f -> f.sampleRate()).max().orElse(1000));
        if (!report.passed()) {
            return new Result(split, trainRows, evalRows, counts, features, report, List.of(), List.of(), goldVersion,
                    ambiguousLeftOut, Map.of(), Map.of(), heldOutRows, Map.of());
        }
        List<String> labels = List.copyOf(counts.keySet());
        Context context = new Context(split, Tables.GOLD_FEATURES.path(config), goldVersion, labelled.count(),
                trainRows, evalRows, Map.copyOf(counts), ambiguousLeftOut, report, features, labels, heldOutRows);
        FeatureSpace space = new FeatureSpace(features);
        Dataset<Row> weighted = Trainer.withClassWeights(train, counts).cache();
        List<Trainer.TrainedModel> models = new ArrayList<>();
        Map<ModelKind, ClassificationMetrics> allWindows = new java.util.EnumMap<>(ModelKind.class);
        Object[] known = labels.toArray(new String[0]);
        Dataset<Row> knownAll = evalAll.filter(col(LABEL).isin(known));
        List<GroundTruthEvent> events = EventEvaluations.trainingEvents(spark, config);
        Map<ModelKind, EventScores> eventScores = new java.util.EnumMap<>(ModelKind.class);
        Map<ModelKind, HeldOutEvaluation> heldOut = new java.util.EnumMap<>(ModelKind.class);
        // the detectors first: the event-level figures below are those of fosm score and the stream, which flag
        // windows with them (the unknown_event rule, docs/incidents.md)
        List<AnomalyDetectors.Result> anomalies = List.of();
        java.util.Optional<AnomalyModel> detectors = java.util.Optional.empty();
        if (options.anomaly()) {
            Sessions.describe(spark, "fosm-train", "train: anomaly detectors");
            observer.starting(AnomalyDetectors.STEP, context);
            try {
                AnomalyDetectors.Trained trained = AnomalyDetectors.trainAndEvaluate(train, eval, space,
                        options.seed(), config.train().anomalyFalsePositiveRate());
                anomalies = trained.results();
                detectors = trained.model();
                observer.anomaliesTrained(anomalies);
                trained.model().ifPresent(observer::anomalyModelTrained);
            } catch (RuntimeException e) {
                observer.failed(AnomalyDetectors.STEP, e);
                throw e;
            }
        }
        Map<String, Dataset<Row>> heldOutGold = new java.util.LinkedHashMap<>();
        for (String fiber : heldOutFibers) {
            heldOutGold.put(fiber, labelled.filter(col(Columns.FIBER_ID).equalTo(fiber).and(col(LABEL).isin(known)))
                    .cache());
        }
        for (ModelKind kind : options.models()) {
            Sessions.describe(spark, "fosm-train", "train: " + kind.modelName());
            observer.starting(kind.modelName(), context);
            try {
                Trainer.TrainedModel m = Trainer.fit(kind, weighted, eval, space, labels, options);
                models.add(m);
                ClassificationMetrics all = null;
                if (options.evalCollar()) {
                    Sessions.describe(spark, "fosm-train", "train: " + kind.modelName() + " on every evaluation window");
                    all = ClassificationMetrics.evaluate(m.model(), knownAll, labels);
                    allWindows.put(kind, all);
                }
                EventScores scores = null;
                if (!events.isEmpty()) {
                    // every evaluation window replayed through the stream's incident tracker
                    Sessions.describe(spark, "fosm-train", "train: " + kind.modelName() + " event-level evaluation");
                    scores = EventEvaluations.ofModel(config, m.model(), detectors, labels, kind.modelName(), evalAll,
                            events);
                    eventScores.put(kind, scores);
                }
                HeldOutEvaluation ho = null;
                if (!heldOutGold.isEmpty()) {
                    ho = evaluateHeldOut(spark, config, m, detectors, labels, heldOutGold, events);
                    heldOut.put(kind, ho);
                }
                observer.trained(m, new Evaluation(all, scores, ho));
            } catch (RuntimeException e) {
                observer.failed(kind.modelName(), e);
                throw e;
            }
        }
        heldOutGold.values().forEach(Dataset::unpersist);
        weighted.unpersist();
        train.unpersist();
        eval.unpersist();
        evalAll.unpersist();
        return new Result(split, trainRows, evalRows, counts, features, report, List.copyOf(models), anomalies,
                goldVersion, ambiguousLeftOut, Map.copyOf(allWindows), Map.copyOf(eventScores), heldOutRows,
                Map.copyOf(heldOut));
    }

    /**
     * The labelled gold windows of each held-out fiber.
     *
     * @throws io.fosm.cli.UsageException naming train.heldout_fibers when a held-out fiber has no labelled rows, or
     *                                     when no fiber with labelled rows is left to train on (exit 2: the
     *                                     configuration asks for what the data cannot give; a retry answers the same)
     */
    static Map<String, Long> heldOutRows(Dataset<Row> labelled, List<String> heldOutFibers, long goldVersion) {
        if (heldOutFibers.isEmpty()) {
            return Map.of();
        }
        Map<String, Long> byFiber = new TreeMap<>();
        for (Row r : labelled.groupBy(Columns.FIBER_ID).count().collectAsList()) {
            byFiber.put(r.getString(0), r.getLong(1));
        }
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        for (String fiber : heldOutFibers) {
            Long n = byFiber.get(fiber);
            if (n == null || n == 0) {
                throw new io.fosm.cli.UsageException("Cannot train: train.heldout_fibers names fiber '" + fiber
                        + "', which has no labelled rows in gold_features v" + goldVersion + " (fibers with labelled"
                        + " rows: " + String.join(",", byFiber.keySet()) + ")");
            }
            out.put(fiber, n);
        }
        if (out.keySet().containsAll(byFiber.keySet())) {
            throw new io.fosm.cli.UsageException("Cannot train: train.heldout_fibers (" + String.join(",", heldOutFibers)
                    + ") holds every fiber with labelled rows in gold_features v" + goldVersion
                    + ": nothing is left to train on");
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    /**
     * {@code m} on each held-out fiber as a whole: window metrics on every labelled window and on the clearly labelled
     * ones, and (with an event log) the event-level figures with the detectors flagging windows.
     */
    private static HeldOutEvaluation evaluateHeldOut(SparkSession spark, FosmConfig config, Trainer.TrainedModel m,
                                                     java.util.Optional<AnomalyModel> detectors, List<String> labels,
                                                     Map<String, Dataset<Row>> heldOutGold,
                                                     List<GroundTruthEvent> events) {
        List<HeldOutEvaluation.Fiber> fibers = new ArrayList<>();
        for (Map.Entry<String, Dataset<Row>> e : heldOutGold.entrySet()) {
            String name = m.kind().modelName();
            Sessions.describe(spark, "fosm-train", "train: " + name + " on held-out fiber " + e.getKey());
            Dataset<Row> rows = e.getValue();
            Dataset<Row> clear = clearlyLabelled(rows);
            ClassificationMetrics every = ClassificationMetrics.evaluate(m.model(), rows, labels);
            ClassificationMetrics clearMetrics = ClassificationMetrics.evaluate(m.model(), clear, labels);
            EventScores scores = events.isEmpty() ? null
                    : EventEvaluations.ofModel(config, m.model(), detectors, labels, name, rows, events);
            fibers.add(new HeldOutEvaluation.Fiber(e.getKey(), rows.count(), clear.count(), every, clearMetrics,
                    scores));
        }
        return new HeldOutEvaluation(fibers);
    }
}
