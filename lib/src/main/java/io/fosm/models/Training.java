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
 * Trains the model zoo on {@code gold_features}: time split with a gap, Deequ checks of the training set, class
 * weights, every configured model, and the unsupervised detectors. MLflow logging is the caller's (the train job's).
 *
 * <p>Cost: the labelled gold rows of the training and evaluation ranges are cached (features only, no signal); each
 * model makes its own passes over them (TrainValidationSplit multiplies by the grid size); XGBoost trains in a barrier
 * stage with {@code train.xgboost_workers} tasks.
 */
public final class Training {
    private Training() {}

    /**
     * The outcome: the split and class counts, the Deequ report, and the models (empty when the gate refused).
     * {@code ambiguousLeftOut} counts the label_ambiguous windows of the evaluation range left out of the headline
     * metrics ({@code train.eval_collar}); {@code allWindowMetrics} then holds each model's metrics on every window of
     * the evaluation range, ambiguous ones included (empty without the collar). {@code eventScores} holds each
     * model's event-level figures: every window of the evaluation range replayed through the stream's incident tracker
     * and matched to the ground-truth events (empty when the labels path has no event log).
     */
    public record Result(TimeSplit split, long trainRows, long evalRows, Map<String, Long> trainClassCounts,
                         List<String> features, QualityReport report, List<Trainer.TrainedModel> models,
                         List<AnomalyDetectors.Result> anomalies, long goldVersion, long ambiguousLeftOut,
                         Map<ModelKind, ClassificationMetrics> allWindowMetrics,
                         Map<ModelKind, EventScores> eventScores) {}

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
                         QualityReport report, List<String> features, List<String> labels) {

        /** A {@link Result} of this training holding only {@code model} (e.g. for its model card). */
        public Result resultOf(Trainer.TrainedModel model, ClassificationMetrics allWindows, EventScores events) {
            return new Result(split, trainRows, evalRows, trainClassCounts, features, report, List.of(model),
                    List.of(), goldVersion, ambiguousLeftOut,
                    allWindows == null ? Map.of() : Map.of(model.kind(), allWindows),
                    events == null ? Map.of() : Map.of(model.kind(), events));
        }
    }

    /**
     * Follows a training step by step (e.g. to keep one MLflow run per model open while it trains): {@link #starting}
     * before a model's training, {@link #trained} after it was trained and evaluated, {@link #failed} when a step
     * threw (the exception is rethrown after it). The anomaly detectors are one step,
     * {@link AnomalyDetectors#STEP}, reported through {@link #anomaliesTrained}.
     */
    public interface Observer {
        default void starting(String step, Context context) {}

        /** {@code allWindows} is null without the collar, {@code events} null without a ground-truth event log. */
        default void trained(Trainer.TrainedModel model, ClassificationMetrics allWindows, EventScores events) {}

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
        Dataset<Row> gold = pinned.rows().filter(col(LABEL).isNotNull());
        long goldVersion = pinned.version();
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
                    ambiguousLeftOut, Map.of(), Map.of());
        }
        List<String> labels = List.copyOf(counts.keySet());
        Context context = new Context(split, Tables.GOLD_FEATURES.path(config), goldVersion, gold.count(), trainRows,
                evalRows, Map.copyOf(counts), ambiguousLeftOut, report, features, labels);
        FeatureSpace space = new FeatureSpace(features);
        Dataset<Row> weighted = Trainer.withClassWeights(train, counts).cache();
        List<Trainer.TrainedModel> models = new ArrayList<>();
        Map<ModelKind, ClassificationMetrics> allWindows = new java.util.EnumMap<>(ModelKind.class);
        Dataset<Row> knownAll = evalAll.filter(col(LABEL).isin((Object[]) labels.toArray(new String[0])));
        List<GroundTruthEvent> events = EventEvaluations.trainingEvents(spark, config);
        Map<ModelKind, EventScores> eventScores = new java.util.EnumMap<>(ModelKind.class);
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
                    scores = EventEvaluations.ofModel(config, m.model(), labels, kind.modelName(), evalAll, events);
                    eventScores.put(kind, scores);
                }
                observer.trained(m, all, scores);
            } catch (RuntimeException e) {
                observer.failed(kind.modelName(), e);
                throw e;
            }
        }
        List<AnomalyDetectors.Result> anomalies = List.of();
        if (options.anomaly()) {
            Sessions.describe(spark, "fosm-train", "train: anomaly detectors");
            observer.starting(AnomalyDetectors.STEP, context);
            try {
                AnomalyDetectors.Trained trained = AnomalyDetectors.trainAndEvaluate(train, eval, space,
                        options.seed(), config.train().anomalyFalsePositiveRate());
                anomalies = trained.results();
                observer.anomaliesTrained(anomalies);
                trained.model().ifPresent(observer::anomalyModelTrained);
            } catch (RuntimeException e) {
                observer.failed(AnomalyDetectors.STEP, e);
                throw e;
            }
        }
        weighted.unpersist();
        train.unpersist();
        eval.unpersist();
        evalAll.unpersist();
        return new Result(split, trainRows, evalRows, counts, features, report, List.copyOf(models), anomalies,
                goldVersion, ambiguousLeftOut, Map.copyOf(allWindows), Map.copyOf(eventScores));
    }
}
