package io.fosm.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.ml.PipelineModel;
import org.mlflow.api.proto.Service.Metric;
import org.mlflow.api.proto.Service.Param;
import org.mlflow.api.proto.Service.RunStatus;
import org.mlflow.api.proto.Service.RunTag;
import org.mlflow.tracking.MlflowClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MLflow run being logged to. End it with {@link #end(boolean)}; {@link #close()} of a run that was not ended
 * marks it FAILED, so a job that throws out of a try-with-resources block leaves a failed run, not a finished one.
 */
public final class RunHandle implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RunHandle.class);
    /** Limits of one log-batch request (MLflow REST API). */
    private static final int MAX_PARAMS = 100;
    private static final int MAX_METRICS = 1000;
    private static final int MAX_TAGS = 100;
    static final String HISTORY_TAG = "mlflow.log-model.history";
    /** The tag a failed run carries its error message in. */
    public static final String ERROR_TAG = "fosm.error";
    private static final int MAX_TAG_VALUE = 5000;

    private final MlflowClient client;
    private final Rest rest;
    private final Artifacts artifacts;
    private final String runId;
    private final String artifactUri;
    private boolean ended;

    RunHandle(MlflowClient client, Rest rest, Artifacts artifacts, String runId, String artifactUri) {
        this.client = client;
        this.rest = rest;
        this.artifacts = artifacts;
        this.runId = runId;
        this.artifactUri = artifactUri;
    }

    public String runId() {
        return runId;
    }

    /** The root of the run's artifacts, e.g. {@code file:///.../<experiment>/<run>/artifacts}. */
    public String artifactUri() {
        return artifactUri;
    }

    /** Logs parameters; names are made valid for MLflow as for metrics. */
    public void logParams(Map<String, String> params) {
        List<Param> batch = new ArrayList<>();
        sanitised(params, "params").forEach((k, v) -> batch.add(Param.newBuilder().setKey(k).setValue(v).build()));
        for (int i = 0; i < batch.size(); i += MAX_PARAMS) {
            client.logBatch(runId, List.of(), batch.subList(i, Math.min(batch.size(), i + MAX_PARAMS)), List.of());
        }
    }

    /**
     * Logs metrics at step 0 in batches. Names are made valid for MLflow (characters other than letters, digits,
     * {@code _ - . / space} become {@code _}); NaN and infinite values are skipped with a warning, as MLflow would
     * store them as a null that breaks comparisons between runs.
     */
    public void logMetrics(Map<String, Double> metrics) {
        long now = System.currentTimeMillis();
        List<Metric> batch = new ArrayList<>();
        Map<String, Double> named = sanitised(metrics, "metrics");
        named.forEach((k, v) -> {
            if (v == null || v.isNaN() || v.isInfinite()) {
                LOG.warn("Not logging metric {} of run {}: value {} is not finite", k, runId, v);
            } else {
                batch.add(Metric.newBuilder().setKey(k).setValue(v).setTimestamp(now).setStep(0).build());
            }
        });
        for (int i = 0; i < batch.size(); i += MAX_METRICS) {
            client.logBatch(runId, batch.subList(i, Math.min(batch.size(), i + MAX_METRICS)), List.of(), List.of());
        }
    }

    public void setTags(Map<String, String> tags) {
        List<RunTag> batch = new ArrayList<>();
        tags.forEach((k, v) -> batch.add(RunTag.newBuilder().setKey(k).setValue(v).build()));
        for (int i = 0; i < batch.size(); i += MAX_TAGS) {
            client.logBatch(runId, List.of(), List.of(), batch.subList(i, Math.min(batch.size(), i + MAX_TAGS)));
        }
    }

    /** Copies a file (or a directory's contents) under {@code artifactDir} of the run ("" for the root). */
    public void logArtifact(Path file, String artifactDir) {
        artifacts.upload(runId, artifactUri, file, artifactDir);
    }

    /** Stores text as the artifact {@code artifactFile}, e.g. {@code quality/deequ.txt} or {@code model_card.md}. */
    public void logText(String text, String artifactFile) {
        Path name = Path.of(artifactFile);
        Path dir = null;
        try {
            dir = Files.createTempDirectory("fosm-mlflow-text-");
            Path file = dir.resolve(name.getFileName().toString());
            Files.writeString(file, text, StandardCharsets.UTF_8);
            logArtifact(file, name.getParent() == null ? "" : name.getParent().toString());
        } catch (IOException e) {
            throw new RegistryException("Cannot log text artifact " + artifactFile + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(dir);
        }
    }

    /**
     * Logs a PipelineModel in the layout of MLflow's spark flavour ({@code <artifactPath>/MLmodel},
     * {@code <artifactPath>/sparkml/}, environment files), so Python's {@code mlflow.spark.load_model} reads it.
     *
     * @return the model's URI {@code runs:/<runId>/<artifactPath>}
     */
    public String logSparkModel(PipelineModel model, String artifactPath, String pysparkVersion) {
        MlModel mlModel = new MlModel(List.of("pyspark==" + pysparkVersion)).sparkFlavor(pysparkVersion)
                .pythonFunction("mlflow.spark", MlModel.SPARK_MODEL_DATA, null);
        return logModel(artifactPath, mlModel, dir -> SparkModels.save(model, dir.resolve(MlModel.SPARK_MODEL_DATA)));
    }

    /** Writes a model's data files into the (empty) model folder before MLmodel is written beside them. */
    @FunctionalInterface
    public interface ModelFiles {
        void writeInto(Path modelDir) throws IOException;
    }

    /**
     * Logs a model under {@code artifactPath}: {@code files} writes its data, {@code mlModel} the MLmodel and
     * environment files; the model is appended to the run's {@code mlflow.log-model.history} tag, as Python does.
     *
     * @return the model's URI {@code runs:/<runId>/<artifactPath>}
     */
    public String logModel(String artifactPath, MlModel mlModel, ModelFiles files) {
        if (artifactPath == null || !artifactPath.matches("[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*") || artifactPath.contains("..")) {
            throw new RegistryException("Cannot log a model under artifact path '" + artifactPath
                    + "': expected a relative path of letters, digits, _ . -, e.g. model");
        }
        Instant created = Instant.now();
        String uuid = UUID.randomUUID().toString().replace("-", "");
        Path tmp = null;
        try {
            tmp = Files.createTempDirectory("fosm-mlflow-model-");
            Path modelDir = tmp.resolve(artifactPath);
            Files.createDirectories(modelDir);
            files.writeInto(modelDir);
            mlModel.writeInto(modelDir, runId, artifactPath, created, uuid);
            artifacts.upload(runId, artifactUri, modelDir, artifactPath);
        } catch (IOException e) {
            throw new RegistryException("Cannot log model " + artifactPath + " of run " + runId + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(tmp);
        }
        String history = client.getRun(runId).getData().getTagsList().stream()
                .filter(t -> t.getKey().equals(HISTORY_TAG)).map(RunTag::getValue).findFirst().orElse(null);
        client.setTag(runId, HISTORY_TAG, mlModel.appendHistory(history, runId, artifactPath, created, uuid));
        return "runs:/" + runId + "/" + artifactPath;
    }

    /**
     * Logs a Delta table as the run's dataset input (MLflow's {@code runs/log-inputs}, the "Datasets" of the UI and
     * {@code mlflow.get_run(id).inputs} in Python): source type {@code delta_table} with the table's path and the
     * version read (so {@code mlflow.data.get_source(...)} gives a DeltaDatasetSource that reloads exactly that
     * version), the row count in the profile, and {@code mlflow.data.context} (e.g. training).
     */
    public void logDeltaInput(String name, String path, long version, long rows, String context) {
        ObjectNode source = Rest.JSON.createObjectNode().put("path", path).put("delta_table_version", version);
        ObjectNode profile = Rest.JSON.createObjectNode().put("num_rows", rows).put("delta_table_version", version);
        ObjectNode body = Rest.JSON.createObjectNode().put("run_id", runId);
        ObjectNode input = body.putArray("datasets").addObject();
        input.putArray("tags").addObject().put("key", "mlflow.data.context").put("value", context);
        input.putObject("dataset")
                .put("name", name)
                .put("digest", digest(path + "@" + version))
                .put("source_type", "delta_table")
                .put("source", source.toString())
                .put("profile", profile.toString());
        try {
            rest.post("runs/log-inputs", body);
        } catch (Rest.Failure e) {
            throw new RegistryException("Cannot log dataset input " + name + " of run " + runId + ": " + e.getMessage(), e);
        }
    }

    /** Logs one value per step (0, 1, ...) under one metric name, e.g. a training loss per boosting round. */
    public void logMetricHistory(String name, double[] values) {
        long now = System.currentTimeMillis();
        String key = metricName(name);
        List<Metric> batch = new ArrayList<>();
        for (int step = 0; step < values.length; step++) {
            if (Double.isFinite(values[step])) {
                batch.add(Metric.newBuilder().setKey(key).setValue(values[step]).setTimestamp(now).setStep(step).build());
            }
        }
        for (int i = 0; i < batch.size(); i += MAX_METRICS) {
            client.logBatch(runId, batch.subList(i, Math.min(batch.size(), i + MAX_METRICS)), List.of(), List.of());
        }
    }

    /**
     * Ends the run as FAILED with what went wrong: the tag {@code fosm.error} (the exception's message) and the
     * artifact {@code error/stacktrace.txt}. Logging the error is best effort: a server that is gone must not hide
     * the original failure.
     */
    public void fail(Throwable error) {
        if (ended) {
            return;
        }
        try {
            String message = error.getClass().getName() + ": " + error.getMessage();
            setTags(Map.of(ERROR_TAG, message.length() > MAX_TAG_VALUE ? message.substring(0, MAX_TAG_VALUE) : message));
            java.io.StringWriter trace = new java.io.StringWriter();
            error.printStackTrace(new java.io.PrintWriter(trace));
            logText(trace.toString(), "error/stacktrace.txt");
        } catch (RuntimeException e) {
            LOG.warn("Could not log the error of run {} to MLflow", runId, e);
        } finally {
            end(false);
        }
    }

    void markEnded() {
        ended = true;
    }

    /** Ends the run as FINISHED or FAILED; later calls do nothing. */
    public void end(boolean success) {
        if (!ended) {
            client.setTerminated(runId, success ? RunStatus.FINISHED : RunStatus.FAILED);
            ended = true;
        }
    }

    private static String digest(String s) {
        try {
            byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(h, 0, 4);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Marks the run FAILED unless {@link #end(boolean)} was called. */
    @Override
    public void close() {
        end(false);
    }

    /** A valid MLflow name for {@code raw}, or an error when two names collide once made valid. */
    static String metricName(String raw) {
        if (raw == null || raw.isBlank()) {
            throw new RegistryException("Cannot log a metric or param with an empty name");
        }
        String name = raw.trim().replaceAll("[^A-Za-z0-9_\\-. /]", "_");
        // MLflow rejects names that are, or start with, a path escape
        if (name.startsWith("/") || name.contains("..")) {
            name = name.replace("..", "__").replaceFirst("^/+", "");
        }
        return name.length() > 250 ? name.substring(0, 250) : name;
    }

    private static <V> Map<String, V> sanitised(Map<String, V> in, String what) {
        Map<String, V> out = new LinkedHashMap<>();
        Map<String, String> from = new LinkedHashMap<>();
        in.forEach((k, v) -> {
            String name = metricName(k);
            String earlier = from.putIfAbsent(name, k);
            if (earlier != null) {
                throw new RegistryException("Cannot log " + what + ": names '" + earlier + "' and '" + k
                        + "' both become '" + name + "' once made valid for MLflow");
            }
            out.put(name, v);
        });
        return out;
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException e) {
            LOG.debug("Could not delete temporary folder {}", dir, e);
        }
    }
}
