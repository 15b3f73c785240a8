package io.fosm.models;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fosm.lakehouse.Columns;
import io.fosm.registry.MlModel;
import io.fosm.registry.RegistryException;
import io.fosm.registry.RunHandle;
import io.fosm.registry.SparkModels;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import ml.dmlc.xgboost4j.scala.spark.XGBoostClassificationModel;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.feature.StandardScalerModel;
import org.apache.spark.ml.feature.VectorAssembler;

/**
 * Logs a trained classifier of the zoo so that both sides load it from the same MLflow model folder:
 *
 * <ul>
 *   <li>fosm's jobs (JVM) read {@code sparkml/}, the whole pipeline ({@link io.fosm.registry.ModelRegistry#load});
 *   <li>Python reads the {@code python_function} flavour: {@code code/fosm_pyfunc.py} (logged with the model) scores
 *       a pandas DataFrame of gold columns and returns {@code predicted_label}, {@code event_score} and one
 *       {@code probability_<class>} column per class. It replays the pipeline's feature stages from
 *       {@code fosm_model.json}: the gold columns in assembler order, {@code log10(x + offset)} of the columns the
 *       SQLTransformer transforms, the StandardScaler's mean and std where the model has one;
 *   <li>XGBoost models also get MLflow's {@code xgboost} flavour ({@code model.ubj}, the booster as xgboost4j saves it,
 *       which the Python xgboost 3.2 package loads); the pyfunc scores with that booster, no Spark needed. They get no
 *       spark flavour: PySpark has no class for xgboost4j's Scala stage ({@code No module named 'ml'});
 *   <li>MLlib models keep MLflow's {@code spark} flavour ({@code mlflow.spark.load_model}); their pyfunc loads
 *       {@code sparkml/} with PySpark and maps its output to the same columns.
 * </ul>
 */
public final class ModelFlavors {
    public static final String LOADER_MODULE = "fosm_pyfunc";
    public static final String SPEC_FILE = "fosm_model.json";
    public static final String XGBOOST_FILE = "model.ubj";
    public static final String XGBOOST_VERSION = "3.2.0";
    static final String CODE_DIR = "code";
    static final String LOADER_RESOURCE = "fosm/python/" + LOADER_MODULE + ".py";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LOG_TERM = Pattern.compile(", log10\\((\\w+) \\+ ([0-9.Ee+-]+)\\) AS (\\w+)");

    private ModelFlavors() {}

    /** One model input as the pipeline computes it from a gold column. */
    record Input(String name, String goldColumn, Double log10Offset) {}

    /** Logs {@code model} (classes {@code labels} in index order) under {@code artifactPath} of {@code run}. */
    public static String log(RunHandle run, PipelineModel model, List<String> labels, String artifactPath,
                             String pysparkVersion) {
        Transformer[] stages = model.stages();
        Transformer classifier = stages[stages.length - 1];
        boolean xgboost = classifier instanceof XGBoostClassificationModel;
        ObjectNode spec = spec(model, labels, xgboost);
        List<String> gold = new ArrayList<>();
        spec.withArray("inputs").forEach(i -> gold.add(i.path("column").asText()));
        Map<String, String> inputs = new LinkedHashMap<>();
        gold.forEach(c -> inputs.put(c, "double"));
        Map<String, String> outputs = new LinkedHashMap<>();
        outputs.put("predicted_label", "string");
        outputs.put("event_score", "double");
        labels.forEach(l -> outputs.put("probability_" + l, "double"));

        MlModel mlModel;
        if (xgboost) {
            Map<String, Object> flavor = new LinkedHashMap<>();
            flavor.put("code", null);
            flavor.put("data", XGBOOST_FILE);
            flavor.put("model_class", "xgboost.core.Booster");
            flavor.put("model_format", "ubj");
            flavor.put("xgb_version", XGBOOST_VERSION);
            mlModel = new MlModel(List.of("xgboost==" + XGBOOST_VERSION)).flavor("xgboost", flavor);
        } else {
            mlModel = new MlModel(List.of("pyspark==" + pysparkVersion)).sparkFlavor(pysparkVersion);
        }
        mlModel.pythonFunction(LOADER_MODULE, SPEC_FILE, CODE_DIR).signature(inputs, outputs);
        return run.logModel(artifactPath, mlModel, dir -> {
            SparkModels.save(model, dir.resolve(MlModel.SPARK_MODEL_DATA));
            if (xgboost) {
                writeBooster((XGBoostClassificationModel) classifier, dir.resolve(XGBOOST_FILE));
            }
            Files.writeString(dir.resolve(SPEC_FILE), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(spec));
            Files.createDirectories(dir.resolve(CODE_DIR));
            try (InputStream in = ModelFlavors.class.getClassLoader().getResourceAsStream(LOADER_RESOURCE)) {
                if (in == null) {
                    throw new IOException("no " + LOADER_RESOURCE + " on the classpath");
                }
                Files.copy(in, dir.resolve(CODE_DIR).resolve(LOADER_MODULE + ".py"));
            }
        });
    }

    /** What fosm_pyfunc.py needs to replay the pipeline: inputs, scaler, classes, backend. */
    static ObjectNode spec(PipelineModel model, List<String> labels, boolean xgboost) {
        Transformer[] stages = model.stages();
        boolean scaled = stages.length == 4 && stages[2] instanceof StandardScalerModel;
        if (!(stages.length == 3 || scaled) || !(stages[0] instanceof SQLTransformer sql)
                || !(stages[1] instanceof VectorAssembler assembler)) {
            throw new RegistryException("Cannot log a Python flavour for the pipeline " + Arrays.toString(stages)
                    + ": expected SQLTransformer -> VectorAssembler -> [StandardScaler] -> classifier (FeatureSpace)");
        }
        List<Input> inputs = inputs(sql.getStatement(), assembler.getInputCols());
        ObjectNode spec = JSON.createObjectNode();
        spec.put("format_version", 1);
        spec.put("backend", xgboost ? "xgboost" : "spark");
        ArrayNode classes = spec.putArray("classes");
        labels.forEach(classes::add);
        spec.put("background_class", Columns.BACKGROUND);
        ArrayNode in = spec.putArray("inputs");
        for (Input i : inputs) {
            ObjectNode n = in.addObject().put("name", i.name()).put("column", i.goldColumn());
            if (i.log10Offset() == null) {
                n.putNull("log10_offset");
            } else {
                n.put("log10_offset", i.log10Offset());
            }
        }
        if (scaled) {
            StandardScalerModel scaler = (StandardScalerModel) stages[2];
            ObjectNode s = spec.putObject("scaler");
            s.put("with_mean", scaler.getWithMean());
            s.put("with_std", scaler.getWithStd());
            ArrayNode mean = s.putArray("mean");
            Arrays.stream(scaler.mean().toArray()).forEach(mean::add);
            ArrayNode std = s.putArray("std");
            Arrays.stream(scaler.std().toArray()).forEach(std::add);
        } else {
            spec.putNull("scaler");
        }
        if (xgboost) {
            spec.put("xgboost_model", XGBOOST_FILE);
            float missing = ((XGBoostClassificationModel) stages[stages.length - 1]).getMissing();
            if (!Float.isNaN(missing)) {
                throw new RegistryException("Cannot log a Python flavour for an XGBoost model with missing = " + missing
                        + ": fosm_pyfunc.py treats NaN as missing, as fosm trains");
            }
        }
        spec.put("spark_model", MlModel.SPARK_MODEL_DATA);
        return spec;
    }

    /**
     * The assembler's inputs with the gold column each comes from: an alias of the SQLTransformer's
     * {@code log10(<column> + <offset>) AS <alias>} terms, or a gold column itself. The statement must be exactly what
     * {@link FeatureSpace#stages} writes, so that the Python replay cannot silently diverge from it.
     */
    static List<Input> inputs(String statement, String[] assembled) {
        Map<String, Input> logged = new LinkedHashMap<>();
        StringBuilder rebuilt = new StringBuilder("SELECT *");
        Matcher m = LOG_TERM.matcher(statement);
        while (m.find()) {
            logged.put(m.group(3), new Input(m.group(3), m.group(1), Double.parseDouble(m.group(2))));
            rebuilt.append(m.group());
        }
        rebuilt.append(" FROM __THIS__");
        if (!rebuilt.toString().equals(statement)) {
            throw new RegistryException("Cannot log a Python flavour: the SQLTransformer statement '" + statement
                    + "' is not the SELECT *, log10(<column> + <offset>) AS <alias>, ... FROM __THIS__ form"
                    + " fosm_pyfunc.py replays");
        }
        List<Input> out = new ArrayList<>();
        for (String name : assembled) {
            out.add(logged.getOrDefault(name, new Input(name, name, null)));
        }
        return out;
    }

    private static void writeBooster(XGBoostClassificationModel xgb, Path file) throws IOException {
        try {
            Files.write(file, xgb.nativeBooster().toByteArray("ubj"));
        } catch (ml.dmlc.xgboost4j.java.XGBoostError e) {
            throw new IOException("Cannot save the XGBoost booster as UBJSON: " + e.getMessage(), e);
        }
    }
}
