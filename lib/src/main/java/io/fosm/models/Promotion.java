package io.fosm.models;

import static io.fosm.lakehouse.Columns.LABEL;
import static io.fosm.lakehouse.Columns.WINDOW_END;
import static io.fosm.lakehouse.Columns.WINDOW_START;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.fosm.registry.ModelRegistry;
import io.fosm.registry.ModelVersion;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Moves the registry's {@code champion} alias: {@link #promote} re-evaluates the challenger and the champion on the
 * challenger's evaluation range of the current gold table and applies the {@link PromotionGate}; {@link #rollback}
 * gives the alias back to the previous champion. The history of champions is the registered model's tag
 * {@code champion_history} (comma-separated versions, oldest first).
 *
 * <p>Both are crash-safe and exclusive ({@link RegistryTransition}): a registry lock carrying the complete target
 * state is taken before the first write, and a run that finds the lock of a crashed run completes that transition
 * first. Two promotions at once: one changes the registry, the other fails with "another promotion or rollback ...
 * took the registry lock" and changes nothing.
 */
public final class Promotion {
    public static final String CHAMPION = "champion";
    public static final String CHALLENGER = "challenger";
    public static final String HISTORY_TAG = "champion_history";
    /** Version tags written at registration. */
    public static final String CLASSES_TAG = "classes";
    public static final String EVAL_START_TAG = "eval_start";
    public static final String EVAL_END_TAG = "eval_end";
    /** Version tag: whether training left gold's label_ambiguous windows out; the gate compares on the same windows. */
    public static final String EVAL_COLLAR_TAG = "eval_collar";
    /** Version tag: the fibers the challenger's training held out (train.heldout_fibers), not in its evaluation range. */
    public static final String HELDOUT_FIBERS_TAG = "heldout_fibers";

    private Promotion() {}

    /** What promote decided and did. */
    public record Outcome(boolean promoted, String reason, Optional<String> champion, String challenger,
                          PromotionGate.Decision decision) {}

    /**
     * The event-based F1 of a model on a range of gold windows (io.fosm.evaluation: replayed through the incident
     * tracker, matched to the ground-truth events).
     */
    @FunctionalInterface
    public interface EventCheck {
        double eventF1(PipelineModel model, List<String> labels, String version, Dataset<Row> range);
    }

    /** Promotes the challenger if the gate allows; otherwise changes nothing. */
    public static Outcome promote(SparkSession spark, ModelRegistry registry, String modelName, Dataset<Row> gold,
                                  PromotionGate gate) {
        return promote(spark, registry, modelName, gold, gate, Optional.empty());
    }

    /**
     * Promotes the challenger if the gate allows and, with {@code events}, its event-based F1 on every window of its
     * evaluation range does not fall below the champion's on the same range; otherwise changes nothing.
     */
    public static Outcome promote(SparkSession spark, ModelRegistry registry, String modelName, Dataset<Row> gold,
                                  PromotionGate gate, Optional<EventCheck> events) {
        Optional<RegistryTransition.Intent> recovered = RegistryTransition.recover(registry, modelName);
        if (recovered.isPresent() && recovered.get().op().equals(RegistryTransition.PROMOTE)) {
            // the rerun of an interrupted promotion: it is complete now, do not start another
            return new Outcome(true, "completed the promotion interrupted earlier (" + recovered.get().id() + ")",
                    Optional.empty(), recovered.get().champion(), null);
        }
        ModelVersion challenger = registry.byAlias(modelName, CHALLENGER).orElseThrow(() -> new IllegalStateException(
                "Cannot promote: registered model " + modelName + " has no '" + CHALLENGER
                        + "' alias (run `fosm train` first)"));
        Optional<ModelVersion> champion = registry.byAlias(modelName, CHAMPION);
        if (champion.isPresent() && champion.get().version().equals(challenger.version())) {
            return new Outcome(false, "version " + challenger.version() + " is already the champion",
                    champion.map(ModelVersion::version), challenger.version(), null);
        }
        Dataset<Row> range = evaluationRange(gold, challenger).cache();
        try {
            Map<String, Double> challengerMetrics = evaluate(spark, registry, challenger, range);
            Optional<Map<String, Double>> championMetrics = champion.map(c -> evaluate(spark, registry, c, range));
            PromotionGate.Decision decision = gate.decide(challengerMetrics, championMetrics);
            if (decision.promote() && events.isPresent() && champion.isPresent()) {
                decision = eventGate(spark, registry, gold, challenger, champion.get(), events.get(), decision);
            }
            if (decision.promote()) {
                List<String> history = history(registry, modelName);
                champion.ifPresent(c -> history.add(c.version()));
                RegistryTransition.commit(registry, modelName, RegistryTransition.Intent.of(RegistryTransition.PROMOTE,
                                challenger.version(), String.join(",", history), Optional.of(challenger.version()),
                                Optional.empty()), champion.map(ModelVersion::version),
                        Optional.of(challenger.version()));
            }
            return new Outcome(decision.promote(), decision.reason(), champion.map(ModelVersion::version),
                    challenger.version(), decision);
        } finally {
            range.unpersist();
        }
    }

    /** Refuses a challenger whose event-based F1 is below the champion's on every window of its evaluation range. */
    private static PromotionGate.Decision eventGate(SparkSession spark, ModelRegistry registry, Dataset<Row> gold,
                                                    ModelVersion challenger, ModelVersion champion, EventCheck events,
                                                    PromotionGate.Decision decision) {
        Dataset<Row> every = everyWindow(gold, challenger).cache();
        try {
            double mine = events.eventF1(load(spark, registry, challenger), classes(challenger), challenger.version(),
                    every);
            double theirs = events.eventF1(load(spark, registry, champion), classes(champion), champion.version(),
                    every);
            if (!Double.isNaN(theirs) && (Double.isNaN(mine) || mine < theirs - 1e-9)) {
                return new PromotionGate.Decision(false, String.format(Locale.ROOT,
                        "event-based F1 %.4f regresses from the champion's %.4f on the same range (%s)", mine, theirs,
                        decision.reason()), decision.challengerScore(), decision.championScore(),
                        decision.classF1Change());
            }
            return new PromotionGate.Decision(true, decision.reason() + String.format(Locale.ROOT,
                    "; event-based F1 %.4f (champion %.4f)", mine, theirs), decision.challengerScore(),
                    decision.championScore(), decision.classF1Change());
        } finally {
            every.unpersist();
        }
    }

    /** Gives the champion alias back to the previous champion; returns the version now champion. */
    public static String rollback(ModelRegistry registry, String modelName) {
        Optional<RegistryTransition.Intent> recovered = RegistryTransition.recover(registry, modelName);
        if (recovered.isPresent() && recovered.get().op().equals(RegistryTransition.ROLLBACK)) {
            // the rerun of an interrupted rollback: it is complete now, do not roll back a second time
            return recovered.get().champion();
        }
        List<String> history = history(registry, modelName);
        if (history.isEmpty()) {
            throw new IllegalStateException("Cannot roll back: registered model " + modelName
                    + " has no previous champion (tag " + HISTORY_TAG + " is empty)");
        }
        String previous = history.remove(history.size() - 1);
        Optional<String> current = registry.byAlias(modelName, CHAMPION).map(ModelVersion::version);
        RegistryTransition.commit(registry, modelName, RegistryTransition.Intent.of(RegistryTransition.ROLLBACK, previous,
                String.join(",", history), Optional.empty(), current), current, Optional.empty());
        return previous;
    }

    /** Loads a registered version (repairing XGBoost stages) with the classes it was trained on. */
    public static PipelineModel load(SparkSession spark, ModelRegistry registry, ModelVersion version) {
        return XgboostModels.repair(registry.load(spark, version.uri()));
    }

    /**
     * The anomaly detectors registered with a version ({@code anomaly/} inside its model folder, written by
     * {@code fosm train}); empty for a version registered without them.
     */
    public static java.util.Optional<AnomalyModel> loadAnomaly(ModelRegistry registry, ModelVersion version) {
        return AnomalyModel.load(registry.download(version.uri()).resolve(AnomalyModel.ARTIFACT_DIR));
    }

    /** The model's classes in index order, from the version tag written at registration. */
    public static List<String> classes(ModelVersion version) {
        String classes = version.tags().get(CLASSES_TAG);
        if (classes == null || classes.isBlank()) {
            throw new IllegalStateException("Cannot use model version " + version.version() + " of " + version.name()
                    + ": it has no '" + CLASSES_TAG + "' tag (register models with `fosm train`)");
        }
        return Arrays.asList(classes.split(","));
    }

    private static Map<String, Double> evaluate(SparkSession spark, ModelRegistry registry, ModelVersion version,
                                                Dataset<Row> range) {
        List<String> labels = classes(version);
        Dataset<Row> known = range.filter(col(LABEL).isin((Object[]) labels.toArray(new String[0])));
        return ClassificationMetrics.evaluate(load(spark, registry, version), known, labels).asMetrics();
    }

    private static Dataset<Row> evaluationRange(Dataset<Row> gold, ModelVersion challenger) {
        Dataset<Row> range = everyWindow(gold, challenger);
        // both versions are judged on the windows the challenger was evaluated on
        return Boolean.parseBoolean(challenger.tags().getOrDefault(EVAL_COLLAR_TAG, "false"))
                ? Training.clearlyLabelled(range) : range;
    }

    /** Every labelled window of the challenger's evaluation range (events are judged on all of them). */
    private static Dataset<Row> everyWindow(Dataset<Row> gold, ModelVersion challenger) {
        String start = challenger.tags().get(EVAL_START_TAG);
        String end = challenger.tags().get(EVAL_END_TAG);
        if (start == null || end == null) {
            throw new IllegalStateException("Cannot promote version " + challenger.version() + ": it has no "
                    + EVAL_START_TAG + "/" + EVAL_END_TAG + " tags naming its evaluation range");
        }
        Dataset<Row> range = gold.filter(col(LABEL).isNotNull()
                .and(col(WINDOW_START).geq(lit(Timestamp.from(Instant.parse(start)))))
                .and(col(WINDOW_END).leq(lit(Timestamp.from(Instant.parse(end))))));
        String heldOut = challenger.tags().getOrDefault(HELDOUT_FIBERS_TAG, "");
        // the challenger's evaluation range had no window of its held-out fibers: neither does the comparison
        return heldOut.isBlank() ? range
                : range.filter(org.apache.spark.sql.functions.not(col(io.fosm.lakehouse.Columns.FIBER_ID)
                        .isin((Object[]) heldOut.split(","))));
    }

    private static List<String> history(ModelRegistry registry, String modelName) {
        String tag = registry.modelTags(modelName).getOrDefault(HISTORY_TAG, "");
        List<String> out = new ArrayList<>();
        for (String v : tag.split(",")) {
            if (!v.isBlank()) {
                out.add(v.trim());
            }
        }
        return out;
    }
}
