package io.fosm.models;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.VectorAssembler;

/**
 * The model inputs: gold feature columns, with power-like features on a log scale (they span many decades between a
 * dead channel and a vehicle), assembled into {@code features}, and standardised for the models that need it
 * (linear and neural ones; trees split on ranks, so a scaler pass would only cost time). Only stock Spark ML stages
 * are used, so a logged pipeline also loads in PySpark (mlflow.spark).
 */
public record FeatureSpace(List<String> goldColumns) {
    public static final String FEATURES = "features";
    static final String RAW = "features_raw";
    private static final double LOG_FLOOR = 1e-12;
    private static final Set<String> LOG_SCALED = Set.of("rms", "peak_to_peak", "std", "total_power");

    /** Whether a gold column enters the model on a log10 scale. */
    public static boolean logScaled(String column) {
        return LOG_SCALED.contains(column) || column.startsWith("band_power_");
    }

    /** The names of the assembled inputs, in vector order (log-scaled ones prefixed with {@code log_}). */
    public List<String> inputNames() {
        List<String> out = new ArrayList<>();
        for (String c : goldColumns) {
            out.add(logScaled(c) ? "log_" + c : c);
        }
        return out;
    }

    /** The stages from gold columns to the {@code features} vector, standardised when {@code standardise}. */
    public List<PipelineStage> stages(boolean standardise) {
        StringBuilder select = new StringBuilder("SELECT *");
        for (String c : goldColumns) {
            if (logScaled(c)) {
                select.append(", log10(").append(c).append(" + ").append(LOG_FLOOR).append(") AS log_").append(c);
            }
        }
        select.append(" FROM __THIS__");
        SQLTransformer logScale = new SQLTransformer().setStatement(select.toString());
        VectorAssembler assemble = new VectorAssembler().setInputCols(inputNames().toArray(new String[0]))
                .setHandleInvalid("error");
        if (!standardise) {
            return List.of(logScale, assemble.setOutputCol(FEATURES));
        }
        return List.of(logScale, assemble.setOutputCol(RAW),
                new StandardScaler().setInputCol(RAW).setOutputCol(FEATURES).setWithMean(true).setWithStd(true));
    }
}
