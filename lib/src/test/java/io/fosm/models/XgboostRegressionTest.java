package io.fosm.models;

import static org.junit.jupiter.api.Assertions.*;

import io.fosm.config.FosmConfig;
import io.fosm.lakehouse.Columns;
import io.fosm.testing.LabelledLakehouse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * The quality bar: XGBoost reaches macro-F1 >= 0.9 on the held-out time range of a fixed-seed synthetic
 * fiber. The fiber is the long one (64 channels x 20 min, seed 11): its 6-minute evaluation range holds several
 * events of every class, where the small test fiber's 72 s hold one or two, so one event decides a class's F1.
 * Trained and evaluated as {@code fosm train} does by default (time split 0.7 with a one-window gap, class weights,
 * label_ambiguous windows left out of the evaluation, 100 rounds).
 */
class XgboostRegressionTest {

    /**
     * Measured: macro-F1 0.916 on the clearly labelled evaluation windows (background 0.977, digging 0.849, leak 0.980,
     * pig 0.953, vehicle 0.918, walking 0.817), 0.876 on every evaluation window (docs/models.md).
     */
    @Test
    void xgboostReachesMacroF1OfAtLeast0_9OnTheHeldOutRangeOfAFixedSeedFiber() {
        FosmConfig config = LabelledLakehouse.longFiber();
        Dataset<Row> gold = LabelledLakehouse.gold(config).filter(Columns.LABEL + " IS NOT NULL");
        TimeSplit split = TimeSplit.plan(gold, 0.7, Duration.ofSeconds(1));
        Dataset<Row> train = split.train(gold).cache();
        Dataset<Row> eval = split.evaluation(Training.clearlyLabelled(gold)).cache();
        Map<String, Long> counts = new TreeMap<>();
        for (Row r : train.groupBy(Columns.LABEL).count().collectAsList()) {
            counts.put(r.getString(0), r.getLong(1));
        }
        List<String> labels = List.copyOf(counts.keySet());
        TrainingOptions options = new TrainingOptions(List.of(ModelKind.XGBOOST), 0.7, 0, false, 20, 42, 100, 1, 1,
                false, true);
        Trainer.TrainedModel m = Trainer.fit(ModelKind.XGBOOST, Trainer.withClassWeights(train, counts), eval,
                new FeatureSpace(Training.features(config)), labels, options);
        ClassificationMetrics everyWindow = ClassificationMetrics.evaluate(m.model(), split.evaluation(gold), labels);
        String detail = "\n" + m.metrics().confusionText() + m.metrics().perClass();
        System.out.printf(Locale.ROOT, "xgboost on the long fiber: macro-F1 %.4f (every window %.4f), accuracy %.4f%s%n",
                m.metrics().macroF1(), everyWindow.macroF1(), m.metrics().accuracy(), detail);

        m.metrics().perClass().forEach((c, pc) -> assertTrue(pc.support() >= 200,
                c + " has too few held-out windows to be measured: " + pc.support()));
        assertTrue(m.metrics().macroF1() >= 0.9, "macro-F1 " + m.metrics().macroF1() + detail);
        m.metrics().perClass().forEach((c, pc) -> assertTrue(pc.f1() >= 0.78, c + " F1 " + pc.f1() + detail));
        assertTrue(everyWindow.macroF1() >= 0.85, "macro-F1 on every evaluation window " + everyWindow.macroF1());
        train.unpersist();
        eval.unpersist();
    }
}
