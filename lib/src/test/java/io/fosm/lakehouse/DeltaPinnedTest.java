package io.fosm.lakehouse;

import static org.junit.jupiter.api.Assertions.*;

import io.fosm.config.FosmConfig;
import io.fosm.testing.SparkTestSession;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** A pinned read keeps seeing its version while others commit, and the versions read travel with the output. */
class DeltaPinnedTest {
    private final SparkSession spark = SparkTestSession.get();

    @Test
    void aPinnedInputIgnoresLaterCommitsAndItsVersionIsRecordedWithTheOutput() {
        FosmConfig config = SparkTestSession.lakehouse("pinned");
        String input = Tables.GOLD_FEATURES.path(config);
        spark.range(10).toDF("id").write().format("delta").save(input);
        spark.range(5).toDF("id").write().format("delta").mode("append").save(input);

        Delta.Pinned pinned = Delta.pinnedInput(spark, config, Tables.GOLD_FEATURES, Optional.empty(), "score", "gold");
        assertEquals(1, pinned.version());
        assertEquals("gold_features@v1", pinned.describe());
        // another job commits to the input while this one works on it
        spark.range(100).toDF("id").write().format("delta").mode("append").save(input);
        assertEquals(15, pinned.rows().count(), "the pinned rows are those of version 1");
        assertEquals(115, spark.read().format("delta").load(input).count());

        String output = Tables.GOLD_PREDICTIONS.path(config);
        Dataset<Row> derived = pinned.rows().selectExpr("id", "id * 2 AS twice");
        Delta.replace(derived, output, Optional.empty(), Optional.of(Delta.inputsMetadata(pinned)));
        assertEquals(Optional.of("inputs: gold_features@v1"), Delta.lastCommitMetadata(spark, output));
        assertEquals(15, spark.read().format("delta").load(output).count());
    }

    @Test
    void aMissingInputIsTheUsualClearError() {
        FosmConfig config = SparkTestSession.lakehouse("pinned-missing");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Delta.pinnedInput(spark, config, Tables.SILVER, Optional.empty(), "gold", "silver"));
        assertEquals("Cannot run gold: no silver_chunks table at " + Tables.SILVER.path(config)
                + " (run `fosm silver` first)", e.getMessage());
    }
}
