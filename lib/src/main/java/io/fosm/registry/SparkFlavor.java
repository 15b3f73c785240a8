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
import java.util.stream.Stream;

/**
 * Writes the files {@code mlflow.spark.log_model} of MLflow 2.17.2 puts beside the saved {@code sparkml} folder:
 * MLmodel (spark and python_function flavours), requirements.txt, conda.yaml and python_env.yaml, so that
 * {@code mlflow.spark.load_model} and {@code mlflow.pyfunc.load_model} in Python read a model logged from Java.
 */
final class SparkFlavor {
    static final String MLFLOW_VERSION = "2.17.2";
    /** The Python of the project venv; MLflow only warns when the loading interpreter differs. */
    static final String PYTHON_VERSION = "3.11";
    static final String MODEL_DATA = "sparkml";
    private static final DateTimeFormatter CREATED =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);

    private final String runId;
    private final String artifactPath;
    private final String pysparkVersion;
    private final Instant created;
    private final String modelUuid;

    SparkFlavor(String runId, String artifactPath, String pysparkVersion, Instant created, String modelUuid) {
        if (pysparkVersion == null || !pysparkVersion.matches("\\d+\\.\\d+\\.\\d+.*")) {
            throw new RegistryException("Cannot log a Spark model with pyspark version '" + pysparkVersion
                    + "': expected a version like 3.5.7");
        }
        this.runId = runId;
        this.artifactPath = artifactPath;
        this.pysparkVersion = pysparkVersion;
        this.created = created;
        this.modelUuid = modelUuid;
    }

    /** Writes the four files into {@code modelDir}, which already holds {@code sparkml/}. */
    void writeInto(Path modelDir) throws IOException {
        String requirements = "mlflow==" + MLFLOW_VERSION + "\npyspark==" + pysparkVersion + "\n";
        write(modelDir.resolve("requirements.txt"), requirements);
        write(modelDir.resolve("conda.yaml"), String.join("\n",
                "channels:",
                "- conda-forge",
                "dependencies:",
                "- python=" + PYTHON_VERSION,
                "- pip<=23.2.1",
                "- pip:",
                "  - mlflow==" + MLFLOW_VERSION,
                "  - pyspark==" + pysparkVersion,
                "name: mlflow-env",
                ""));
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
        // keys sorted as PyYAML's safe_dump writes them; python_version quoted so YAML keeps it a string
        write(modelDir.resolve("MLmodel"), String.join("\n",
                "artifact_path: " + yamlString(artifactPath),
                "flavors:",
                "  python_function:",
                "    data: " + MODEL_DATA,
                "    env:",
                "      conda: conda.yaml",
                "      virtualenv: python_env.yaml",
                "    loader_module: mlflow.spark",
                "    python_version: '" + PYTHON_VERSION + "'",
                "  spark:",
                "    code: null",
                "    model_class: pyspark.ml.pipeline.PipelineModel",
                "    model_data: " + MODEL_DATA,
                "    pyspark_version: " + pysparkVersion,
                "mlflow_version: " + MLFLOW_VERSION,
                "model_size_bytes: " + size,
                "model_uuid: " + modelUuid,
                "run_id: " + runId,
                "utc_time_created: '" + CREATED.format(created) + "'",
                ""));
    }

    /** The entry MLflow appends to the run's {@code mlflow.log-model.history} tag (the UI lists models from it). */
    ObjectNode historyEntry() {
        ObjectNode entry = Rest.JSON.createObjectNode();
        entry.put("run_id", runId);
        entry.put("artifact_path", artifactPath);
        entry.put("utc_time_created", CREATED.format(created));
        entry.put("model_uuid", modelUuid);
        ObjectNode flavors = entry.putObject("flavors");
        ObjectNode spark = flavors.putObject("spark");
        spark.put("pyspark_version", pysparkVersion);
        spark.put("model_data", MODEL_DATA);
        spark.putNull("code");
        spark.put("model_class", "pyspark.ml.pipeline.PipelineModel");
        ObjectNode pyfunc = flavors.putObject("python_function");
        pyfunc.put("loader_module", "mlflow.spark");
        pyfunc.put("python_version", PYTHON_VERSION);
        pyfunc.put("data", MODEL_DATA);
        ObjectNode env = pyfunc.putObject("env");
        env.put("conda", "conda.yaml");
        env.put("virtualenv", "python_env.yaml");
        return entry;
    }

    /** The history tag value with this model appended to what the run already had. */
    String appendHistory(String existing) {
        ArrayNode list;
        try {
            list = existing == null || existing.isBlank() ? Rest.JSON.createArrayNode()
                    : (ArrayNode) Rest.JSON.readTree(existing);
        } catch (IOException | ClassCastException e) {
            list = Rest.JSON.createArrayNode();
        }
        list.add(historyEntry());
        return list.toString();
    }

    private static String yamlString(String s) {
        return s.matches("[A-Za-z0-9_./-]+") ? s : "'" + s.replace("'", "''") + "'";
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
