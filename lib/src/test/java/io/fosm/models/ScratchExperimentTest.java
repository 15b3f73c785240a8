package io.fosm.models;

import io.fosm.config.FosmConfig;
import io.fosm.lakehouse.Columns;
import io.fosm.lakehouse.Gold;
import io.fosm.lakehouse.Tables;
import io.fosm.testing.SparkTestSession;
import java.time.Duration;
import java.util.*;
import org.apache.spark.sql.*;
import org.junit.jupiter.api.Test;

class ScratchExperimentTest {
    @Test
    void experiment() {
        SparkSession spark = SparkTestSession.get();
        FosmConfig config = FosmConfig.local("lakehouse.root=/work/main/demo-out/lakehouse");
        Dataset<Row> gold = spark.read().format("delta").load(Tables.GOLD_FEATURES.path(config)).filter("label is not null").cache();
        TimeSplit split = TimeSplit.plan(gold, 0.7, Duration.ofSeconds(1));
        System.out.println(split.describe());
        Dataset<Row> train = split.train(gold);
        Dataset<Row> eval = split.evaluation(gold).cache();
        Map<String, Long> counts = new TreeMap<>();
        for (Row r : train.groupBy("label").count().collectAsList()) counts.put(r.getString(0), r.getLong(1));
        System.out.println("train counts " + counts);
        List<String> labels = new ArrayList<>(counts.keySet());
        List<String> cols = new ArrayList<>(Arrays.asList(Gold.featureNames(config, 1000)));
        cols.addAll(Columns.CONTEXT_FEATURES);
        FeatureSpace space = new FeatureSpace(cols);
        Dataset<Row> wt = Trainer.withClassWeights(train, counts).cache();
        TrainingOptions opts = new TrainingOptions(List.of(), 0.7, 1, false, 10, 42, 100, 2, true);
        for (ModelKind k : ModelKind.values()) {
            Trainer.TrainedModel m = Trainer.fit(k, wt, eval, space, labels, opts);
            System.out.printf("%s acc %.3f macroF1 %.3f roc %.3f pr %.3f in %.1f s%n", k, m.metrics().accuracy(), m.metrics().macroF1(), m.metrics().rocAuc(), m.metrics().prAuc(), m.trainSeconds());
            System.out.println(m.metrics().confusionText());
        }
        for (AnomalyDetectors.Result r : AnomalyDetectors.trainAndEvaluate(train, eval, space, 42)) {
            System.out.println(r);
        }
    }
}
