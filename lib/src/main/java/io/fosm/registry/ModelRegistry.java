package io.fosm.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.SparkSession;
import org.mlflow.api.proto.Service.Metric;
import org.mlflow.tracking.MlflowClient;

/**
 * The MLflow model registry: versions of registered models, aliases that name the version jobs load (e.g.
 * {@code champion}), registered-model tags, and downloading or loading a model by URI. Obtain it from
 * {@link MlflowTracking#registry()}.
 */
public final class ModelRegistry {
    private static final Pattern MODELS_ALIAS = Pattern.compile("models:/([^/@]+)@([^/]+)/?");
    private static final Pattern MODELS_VERSION = Pattern.compile("models:/([^/@]+)/([^/]+)/?");
    private static final Pattern RUNS = Pattern.compile("runs:/([^/]+)/(.+)");
    private static final long READY_TIMEOUT_MS = 120_000;

    private final MlflowClient client;
    private final Rest rest;
    private final Artifacts artifacts;

    ModelRegistry(MlflowClient client, Rest rest, Artifacts artifacts) {
        this.client = client;
        this.rest = rest;
        this.artifacts = artifacts;
    }

    /**
     * Registers the model logged under {@code artifactPath} of run {@code runId} as a new version of
     * {@code modelName} (created when missing), and waits until the server reports it READY.
     */
    public ModelVersion register(String modelName, String runId, String artifactPath, Map<String, String> tags) {
        String artifactUri = client.getRun(runId).getInfo().getArtifactUri();
        try {
            rest.post("registered-models/create", Map.of("name", modelName));
        } catch (Rest.Failure e) {
            if (!e.alreadyExists()) {
                throw new RegistryException("Cannot create registered model '" + modelName + "': " + e.getMessage(), e);
            }
        }
        ObjectNode body = Rest.JSON.createObjectNode();
        body.put("name", modelName);
        body.put("source", artifactUri + "/" + artifactPath);
        body.put("run_id", runId);
        ArrayNode tagList = body.putArray("tags");
        tags.forEach((k, v) -> tagList.addObject().put("key", k).put("value", v));
        JsonNode created;
        try {
            created = rest.post("model-versions/create", body).path("model_version");
        } catch (Rest.Failure e) {
            throw new RegistryException("Cannot register run " + runId + " artifact '" + artifactPath + "' as model '"
                    + modelName + "': " + e.getMessage(), e);
        }
        return awaitReady(modelName, created.path("version").asText(), created);
    }

    private ModelVersion awaitReady(String model, String version, JsonNode mv) {
        long deadline = System.currentTimeMillis() + READY_TIMEOUT_MS;
        while (true) {
            String status = mv.path("status").asText("READY");
            if (status.equals("READY")) {
                return ModelVersion.fromJson(mv);
            }
            if (status.equals("FAILED_REGISTRATION")) {
                throw new RegistryException("Cannot register version " + version + " of model '" + model
                        + "': the server reports FAILED_REGISTRATION (" + mv.path("status_message").asText() + ")");
            }
            if (System.currentTimeMillis() > deadline) {
                throw new RegistryException("Cannot register version " + version + " of model '" + model
                        + "': still " + status + " after " + READY_TIMEOUT_MS / 1000 + " s");
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryException("Cannot register version " + version + " of model '" + model + "': interrupted", e);
            }
            mv = rest.get("model-versions/get", Map.of("name", model, "version", version)).path("model_version");
        }
    }

    /** Points {@code alias} at {@code version}, moving it from the version it named before. */
    public void setAlias(String model, String alias, String version) {
        try {
            rest.post("registered-models/alias", Map.of("name", model, "alias", alias, "version", version));
        } catch (Rest.Failure e) {
            throw new RegistryException("Cannot set alias '" + alias + "' of model '" + model + "' to version "
                    + version + ": " + e.getMessage(), e);
        }
    }

    /** The version {@code alias} names; empty when the model or the alias does not exist. */
    public Optional<ModelVersion> byAlias(String model, String alias) {
        // the registered model lists its aliases; asking registered-models/alias for a missing one answers HTTP 400
        // INVALID_PARAMETER_VALUE, indistinguishable from a malformed request
        Optional<JsonNode> registered = registeredModel(model);
        if (registered.isEmpty()) {
            return Optional.empty();
        }
        for (JsonNode a : registered.get().path("aliases")) {
            if (a.path("alias").asText().equals(alias)) {
                return Optional.of(version(model, a.path("version").asText()));
            }
        }
        return Optional.empty();
    }

    /** Removes {@code alias}; removing an alias that does not exist is not an error. */
    public void deleteAlias(String model, String alias) {
        try {
            rest.delete("registered-models/alias", Map.of("name", model, "alias", alias));
        } catch (Rest.Failure e) {
            throw new RegistryException("Cannot delete alias '" + alias + "' of model '" + model + "': " + e.getMessage(), e);
        }
    }

    /** One version of a model. */
    public ModelVersion version(String model, String version) {
        try {
            return ModelVersion.fromJson(rest.get("model-versions/get", Map.of("name", model, "version", version))
                    .path("model_version"));
        } catch (Rest.Failure e) {
            throw new RegistryException("Cannot get version " + version + " of model '" + model + "': " + e.getMessage(), e);
        }
    }

    /** All versions of a model, oldest first; empty when the model does not exist. */
    public List<ModelVersion> versions(String model) {
        List<ModelVersion> out = new ArrayList<>();
        String pageToken = "";
        do {
            Map<String, String> query = new HashMap<>();
            query.put("filter", "name='" + model.replace("'", "\\'") + "'");
            query.put("max_results", "1000");
            if (!pageToken.isEmpty()) {
                query.put("page_token", pageToken);
            }
            JsonNode page = rest.get("model-versions/search", query);
            page.path("model_versions").forEach(mv -> out.add(ModelVersion.fromJson(mv)));
            pageToken = page.path("next_page_token").asText("");
        } while (!pageToken.isEmpty());
        out.sort(Comparator.comparingLong(v -> Long.parseLong(v.version())));
        return List.copyOf(out);
    }

    /**
     * Creates the registered model {@code name} with {@code tags} in one call, or answers false when it already
     * exists: the registry's one atomic test-and-set, used as the promotion lock ({@code io.fosm.models.Promotion}).
     */
    public boolean createModelIfAbsent(String name, Map<String, String> tags) {
        ObjectNode body = Rest.JSON.createObjectNode();
        body.put("name", name);
        ArrayNode tagList = body.putArray("tags");
        tags.forEach((k, v) -> tagList.addObject().put("key", k).put("value", v));
        try {
            rest.post("registered-models/create", body);
            return true;
        } catch (Rest.Failure e) {
            if (e.alreadyExists()) {
                return false;
            }
            throw new RegistryException("Cannot create registered model '" + name + "': " + e.getMessage(), e);
        }
    }

    /** Deletes the registered model {@code name} (and its versions); deleting one that does not exist is no error. */
    public void deleteModel(String name) {
        try {
            rest.delete("registered-models/delete", Map.of("name", name));
        } catch (Rest.Failure e) {
            if (!e.notFound()) {
                throw new RegistryException("Cannot delete registered model '" + name + "': " + e.getMessage(), e);
            }
        }
    }

    /** Tags of the registered model (not of a version); empty when the model does not exist. */
    public Map<String, String> modelTags(String model) {
        Map<String, String> tags = new LinkedHashMap<>();
        registeredModel(model).ifPresent(m -> m.path("tags")
                .forEach(t -> tags.put(t.path("key").asText(), t.path("value").asText())));
        return Map.copyOf(tags);
    }

    public void setModelTag(String model, String key, String value) {
        try {
            rest.post("registered-models/set-tag", Map.of("name", model, "key", key, "value", value));
        } catch (Rest.Failure e) {
            throw new RegistryException("Cannot set tag '" + key + "' of model '" + model + "': " + e.getMessage(), e);
        }
    }

    /** The latest value of each metric of a run. */
    public Map<String, Double> runMetrics(String runId) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Metric m : client.getRun(runId).getData().getMetricsList()) {
            out.put(m.getKey(), m.getValue());
        }
        return Map.copyOf(out);
    }

    /**
     * Downloads a model into a fresh local folder: {@code models:/<name>@<alias>}, {@code models:/<name>/<version>}
     * ({@code latest} for the highest version) or {@code runs:/<runId>/<path>}.
     */
    public Path download(String modelUri) {
        Matcher alias = MODELS_ALIAS.matcher(modelUri);
        Matcher version = MODELS_VERSION.matcher(modelUri);
        Matcher run = RUNS.matcher(modelUri);
        if (alias.matches()) {
            ModelVersion mv = byAlias(alias.group(1), alias.group(2)).orElseThrow(() -> new RegistryException(
                    "Cannot resolve model URI '" + modelUri + "': model '" + alias.group(1) + "' has no alias '"
                            + alias.group(2) + "'"));
            return downloadVersion(mv);
        }
        if (version.matches()) {
            String name = version.group(1);
            if (version.group(2).equals("latest")) {
                List<ModelVersion> all = versions(name);
                if (all.isEmpty()) {
                    throw new RegistryException("Cannot resolve model URI '" + modelUri + "': model '" + name + "' has no versions");
                }
                return downloadVersion(all.get(all.size() - 1));
            }
            return downloadVersion(version(name, version.group(2)));
        }
        if (run.matches()) {
            String runId = run.group(1);
            String path = run.group(2).replaceAll("/+$", "");
            String root = client.getRun(runId).getInfo().getArtifactUri();
            return artifacts.download(root + "/" + path, () -> client.downloadArtifacts(runId, path));
        }
        throw new RegistryException("Cannot resolve model URI '" + modelUri
                + "': expected models:/<name>@<alias>, models:/<name>/<version> or runs:/<runId>/<path>");
    }

    private Path downloadVersion(ModelVersion mv) {
        if (mv.source().startsWith("runs:/") || mv.source().startsWith("models:/")) {
            return download(mv.source());
        }
        return artifacts.download(mv.source(), () -> client.downloadModelVersion(mv.name(), mv.version()));
    }

    /** Downloads the model and loads its {@code sparkml} folder as a PipelineModel. */
    public PipelineModel load(SparkSession spark, String modelUri) {
        Path dir = download(modelUri);
        Path sparkml = dir.resolve(MlModel.SPARK_MODEL_DATA);
        if (!Files.isDirectory(sparkml)) {
            throw new RegistryException("Cannot load model '" + modelUri + "' as a Spark PipelineModel: it has no "
                    + MlModel.SPARK_MODEL_DATA + "/ folder (was it logged with logSparkModel or mlflow.spark.log_model?)");
        }
        try {
            return SparkModels.load(spark, sparkml);
        } catch (IOException e) {
            throw new RegistryException("Cannot load model '" + modelUri + "': " + e.getMessage(), e);
        }
    }

    private Optional<JsonNode> registeredModel(String model) {
        try {
            return Optional.of(rest.get("registered-models/get", Map.of("name", model)).path("registered_model"));
        } catch (Rest.Failure e) {
            if (e.notFound()) {
                return Optional.empty();
            }
            throw new RegistryException("Cannot get registered model '" + model + "': " + e.getMessage(), e);
        }
    }
}
