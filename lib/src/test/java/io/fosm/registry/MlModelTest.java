package io.fosm.registry;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** MLmodel values are quoted where PyYAML would read them as something other than the string written. */
class MlModelTest {

    @Test
    void stringsThatYamlWouldReadAsNumbersOrBooleansAreQuoted() {
        assertEquals("'3.11'", MlModel.scalar("3.11"), "a float-like version");
        assertEquals("'0123'", MlModel.scalar("0123"), "octal-like");
        assertEquals("1e5", MlModel.scalar("1e5"), "PyYAML floats need a dot");
        assertEquals("'yes'", MlModel.scalar("yes"));
        assertEquals("'2026-12-02 03:17:23.883288'", MlModel.scalar("2026-12-02 03:17:23.883288"));
        assertEquals("'it''s'", MlModel.scalar("it's"));
        assertEquals("3.5.7", MlModel.scalar("3.5.7"), "not a number: plain, as PyYAML writes it");
        assertEquals("pyspark.ml.pipeline.PipelineModel", MlModel.scalar("pyspark.ml.pipeline.PipelineModel"));
        assertEquals("null", MlModel.scalar(null));
    }
}
