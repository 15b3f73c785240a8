package io.fosm.models;

import static org.junit.jupiter.api.Assertions.*;

import io.fosm.registry.RegistryException;
import java.util.List;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.junit.jupiter.api.Test;

/** The Python replay of the feature stages is read from the pipeline FeatureSpace builds, and nothing else. */
class ModelFlavorsTest {

    @Test
    void theReplayTakesTheGoldColumnsLogOffsetsAndOrderOfFeatureSpace() {
        FeatureSpace space = new FeatureSpace(List.of("rms", "kurtosis", "band_power_10_50", "spectral_entropy"));
        SQLTransformer sql = (SQLTransformer) space.stages(false).get(0);
        VectorAssembler assembler = (VectorAssembler) space.stages(false).get(1);
        List<ModelFlavors.Input> inputs = ModelFlavors.inputs(sql.getStatement(), assembler.getInputCols());
        assertEquals(List.of(new ModelFlavors.Input("log_rms", "rms", 1e-12),
                new ModelFlavors.Input("kurtosis", "kurtosis", null),
                new ModelFlavors.Input("log_band_power_10_50", "band_power_10_50", 1e-12),
                new ModelFlavors.Input("spectral_entropy", "spectral_entropy", null)), inputs);
    }

    @Test
    void aFeatureStatementItCannotReplayIsRefused() {
        String statement = "SELECT *, log10(rms + 1.0E-12) AS log_rms, sqrt(std) AS root_std FROM __THIS__";
        RegistryException e = assertThrows(RegistryException.class,
                () -> ModelFlavors.inputs(statement, new String[] {"log_rms", "root_std"}));
        assertTrue(e.getMessage().startsWith("Cannot log a Python flavour: the SQLTransformer statement '"),
                e.getMessage());
    }
}
