package io.fosm.registry;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What MLflow 2.17.2 writes beside a logged model's data: the {@code MLmodel} file (flavours, signature, run id,
 * artifact path, creation time, uuid, size), {@code requirements.txt}, {@code conda.yaml} and {@code python_env.yaml},
 * so that Python's {@code mlflow.<flavour>.load_model}, {@code mlflow.pyfunc.load_model} and {@code mlflow models serve}
 * read a model logged from Java. Build one with the flavours and requirements, then log it with
 * {@link RunHandle#logModel}.
 */
public final class MlModel {
    public static final String MLFLOW_VERSION = "2.17.2";
    /** The Python of the project venv; MLflow only warns when the loading interpreter differs. */
    public static final String PYTHON_VERSION = "3.11";
    /** The folder of a Spark PipelineModel inside a logged model (MLflow's spark flavour and fosm's jobs read it). */
    public static final String SPARK_MODEL_DATA = "sparkml";
    static final DateTimeFormatter CREATED =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);
    // what PyYAML (YAML 1.1) would read as a number, boolean or null unless quoted
    private static final Pattern YAML_NUMBER = Pattern.compile(
            "[-+]?(0b[01_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*(:[0-5]?[0-9])*|([0-9][0-9_]*)?\\.[0-9_]*([eE][-+][0-9]+)?"
                    + "|\\.(inf|Inf|INF|nan|NaN|NAN))");
    private static final Set<String> YAML_WORDS = Set.of("y", "yes", "n", "no", "true", "false", "on", "off", "null",
            "~", "");
    private static final Pattern YAML_PLAIN = Pattern.compile("[A-Za-z0-9_./][A-Za-z0-9_./-]*");

    private final Map<String, Map<String, Object>> flavors = new TreeMap<>();
    private final List<String> requirements = new ArrayList<>();
    private String signatureInputs;
    private String signatureOutputs;

    /** An MLmodel that loads in Python with {@code mlflow==2.17.2} plus {@code requirements}. */
    public MlModel(List<String> requirements) {
        this.requirements.add("mlflow==" + MLFLOW_VERSION);
        this.requirements.addAll(requirements);
    }

    /** A flavour: its configuration values are strings, numbers, booleans, null or nested maps. */
    public MlModel flavor(String name, Map<String, Object> conf) {
        flavors.put(name, new LinkedHashMap<>(conf));
        return this;
    }

    /** MLflow's spark flavour over the {@code sparkml/} folder ({@code mlflow.spark.load_model}). */
    public MlModel sparkFlavor(String pysparkVersion) {
        if (pysparkVersion == null || !pysparkVersion.matches("\\d+\\.\\d+\\.\\d+.*")) {
            throw new RegistryException("Cannot log a Spark model with pyspark version '" + pysparkVersion
                    + "': expected a version like 3.5.7");
        }
        Map<String, Object> spark = new LinkedHashMap<>();
        spark.put("code", null);
        spark.put("model_class", "pyspark.ml.pipeline.PipelineModel");
        spark.put("model_data", SPARK_MODEL_DATA);
        spark.put("pyspark_version", pysparkVersion);
        return flavor("spark", spark);
    }

    /**
     * The python_function flavour: {@code loaderModule._load_pyfunc(<model>/<data>)} builds the model;
     * {@code code} (a folder of the model, or null) is put on {@code sys.path} first.
     */
    public MlModel pythonFunction(String loaderModule, String data, String code) {
        Map<String, Object> pyfunc = new LinkedHashMap<>();
        if (code != null) {
            pyfunc.put("code", code);
        }
        pyfunc.put("data", data);
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("conda", "conda.yaml");
        env.put("virtualenv", "python_env.yaml");
        pyfunc.put("env", env);
        pyfunc.put("loader_module", loaderModule);
        pyfunc.put("python_version", PYTHON_VERSION);
        return flavor("python_function", pyfunc);
    }

    /** The column-based signature: {@code {name, type}} pairs of MLflow types (double, string, long, ...). */
    public MlModel signature(Map<String, String> inputs, Map<String, String> outputs) {
        this.signatureInputs = columns(inputs);
        this.signatureOutputs = columns(outputs);
        return this;
    }

    public Set<String> flavorNames() {
        return flavors.keySet();
    }

    private static String columns(Map<String, String> cols) {
        ArrayNode list = Rest.JSON.createArrayNode();
        cols.forEach((name, type) -> list.addObject().put("type", type).put("name", name).put("required", true));
        return list.toString();
    }

    /** Writes MLmodel and the environment files into {@code modelDir}, which already holds the model's data. */
    void writeInto(Path modelDir, String runId, String artifactPath, Instant created, String modelUuid)
            throws IOException {
        String pip = String.join("\n", requirements) + "\n";
        write(modelDir.resolve("requirements.txt"), pip);
        StringBuilder conda = new StringBuilder("channels:\n- conda-forge\ndependencies:\n- python=" + PYTHON_VERSION
                + "\n- pip<=23.2.1\n- pip:\n");
        requirements.forEach(r -> conda.append("  - ").append(r).append('\n'));
        write(modelDir.resolve("conda.yaml"), conda.append("name: mlflow-env\n").toString());
        write(modelDir.resolve("python_env.yaml"), String.join("\n",
                "python: " + PYTHON_VERSION,
                "build_dependencies:",
                "- pip==23.2.1",
                "- setuptools==65.5.0",
                "- wheel",
                "dependencies:",
                "- -r requirements.txt",
                ""));
        long size = sizeOf(modelDir);
        Map<String, Object> root = new TreeMap<>();
        root.put("artifact_path", artifactPath);
        root.put("flavors", flavors);
        root.put("mlflow_version", MLFLOW_VERSION);
        root.put("model_size_bytes", size);
        root.put("model_uuid", modelUuid);
        root.put("run_id", runId);
        if (signatureInputs != null) {
            Map<String, Object> signature = new TreeMap<>();
            signature.put("inputs", signatureInputs);
            signature.put("outputs", signatureOutputs);
            signature.put("params", null);
            root.put("signature", signature);
        }
        root.put("utc_time_created", CREATED.format(created));
        StringBuilder yaml = new StringBuilder();
        yaml(yaml, root, 0);
        write(modelDir.resolve("MLmodel"), yaml.toString());
    }

    /** The entry MLflow appends to the run's {@code mlflow.log-model.history} tag (the UI lists models from it). */
    ObjectNode historyEntry(String runId, String artifactPath, Instant created, String modelUuid) {
        ObjectNode entry = Rest.JSON.createObjectNode();
        entry.put("run_id", runId);
        entry.put("artifact_path", artifactPath);
        entry.put("utc_time_created", CREATED.format(created));
        entry.put("model_uuid", modelUuid);
        entry.set("flavors", Rest.JSON.valueToTree(flavors));
        return entry;
    }

    /** The history tag value with this model appended to what the run already had. */
    String appendHistory(String existing, String runId, String artifactPath, Instant created, String modelUuid) {
        ArrayNode list;
        try {
            list = existing == null || existing.isBlank() ? Rest.JSON.createArrayNode()
                    : (ArrayNode) Rest.JSON.readTree(existing);
        } catch (IOException | ClassCastException e) {
            list = Rest.JSON.createArrayNode();
        }
        list.add(historyEntry(runId, artifactPath, created, modelUuid));
        return list.toString();
    }

    /** Block-style YAML with sorted keys, as PyYAML's safe_dump writes it. */
    @SuppressWarnings("unchecked")
    private static void yaml(StringBuilder out, Map<String, ?> map, int indent) {
        for (String key : new java.util.TreeSet<>(map.keySet())) {
            Object v = map.get(key);
            out.append(" ".repeat(indent)).append(key).append(':');
            if (v instanceof Map<?, ?> m && !m.isEmpty()) {
                out.append('\n');
                yaml(out, (Map<String, ?>) m, indent + 2);
            } else {
                out.append(' ').append(v instanceof Map<?, ?> ? "{}" : scalar(v)).append('\n');
            }
        }
    }

    static String scalar(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Number || v instanceof Boolean) {
            return v.toString();
        }
        String s = v.toString();
        boolean plain = YAML_PLAIN.matcher(s).matches() && !YAML_NUMBER.matcher(s).matches()
                && !YAML_WORDS.contains(s.toLowerCase(java.util.Locale.ROOT));
        return plain ? s : "'" + s.replace("'", "''") + "'";
    }

    private static long sizeOf(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static void write(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
