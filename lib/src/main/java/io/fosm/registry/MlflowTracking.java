package io.fosm.registry;

import java.util.Map;
import java.util.Optional;
import org.mlflow.api.proto.Service.CreateRun;
import org.mlflow.api.proto.Service.Experiment;
import org.mlflow.api.proto.Service.RunInfo;
import org.mlflow.api.proto.Service.RunTag;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowClientException;

/**
 * A connection to an MLflow tracking server: experiments and runs here, the model registry through
 * {@link #registry()}. Artifacts of servers with a {@code file:} artifact root are written directly on this
 * machine's file system (see docs/mlflow.md).
 */
public final class MlflowTracking implements AutoCloseable {
    private final String trackingUri;
    private final MlflowClient client;
    private final Rest rest;
    private final Artifacts artifacts;

    private MlflowTracking(String trackingUri, MlflowClient client) {
        this.trackingUri = trackingUri;
        this.client = client;
        this.rest = new Rest(trackingUri, client);
        this.artifacts = new Artifacts(client);
    }

    /** Connects and checks that the server answers {@code /health} and its REST API. */
    public static MlflowTracking connect(String trackingUri) {
        if (trackingUri == null || !trackingUri.matches("^https?://[^/]+.*")) {
            throw new RegistryException("Cannot connect to the MLflow tracking server '" + trackingUri
                    + "': expected an http:// or https:// URI such as http://127.0.0.1:5055");
        }
        MlflowTracking tracking = new MlflowTracking(trackingUri, new MlflowClient(trackingUri));
        String problem = tracking.rest.healthProblem();
        if (problem == null) {
            try {
                tracking.rest.get("experiments/search", Map.of("max_results", "1"));
            } catch (Rest.Failure | MlflowClientException e) {
                problem = "GET /api/2.0/mlflow/experiments/search failed: " + e.getMessage();
            }
        }
        if (problem != null) {
            tracking.close();
            throw new RegistryException("Cannot reach the MLflow tracking server at " + trackingUri + ": " + problem
                    + " (start one with `make mlflow-up`, or point MLFLOW_TRACKING_URI / mlflow.tracking_uri at yours)");
        }
        return tracking;
    }

    public String trackingUri() {
        return trackingUri;
    }

    /** The id of the experiment called {@code name}, created when missing. */
    public String experimentId(String name) {
        if (name == null || name.isBlank()) {
            throw new RegistryException("Cannot use an experiment with an empty name");
        }
        Optional<Experiment> existing = client.getExperimentByName(name);
        if (existing.isEmpty()) {
            try {
                return client.createExperiment(name);
            } catch (MlflowClientException e) {
                // another job created it between the lookup and the create
                existing = client.getExperimentByName(name);
                if (existing.isEmpty()) {
                    throw new RegistryException("Cannot create experiment '" + name + "': " + e.getMessage(), e);
                }
            }
        }
        Experiment experiment = existing.get();
        if ("deleted".equals(experiment.getLifecycleStage())) {
            throw new RegistryException("Cannot use experiment '" + name + "': it is deleted on " + trackingUri
                    + " (restore it, or set mlflow.experiment to another name)");
        }
        return experiment.getExperimentId();
    }

    /** Starts a run; end it with {@link RunHandle#end(boolean)}. */
    public RunHandle startRun(String experimentId, String runName, Map<String, String> tags) {
        CreateRun.Builder request = CreateRun.newBuilder()
                .setExperimentId(experimentId)
                .setStartTime(System.currentTimeMillis());
        if (runName != null && !runName.isBlank()) {
            request.setRunName(runName);
            // older UIs read the name from this tag
            request.addTags(RunTag.newBuilder().setKey("mlflow.runName").setValue(runName));
        }
        tags.forEach((k, v) -> request.addTags(RunTag.newBuilder().setKey(k).setValue(v)));
        RunInfo info = client.createRun(request.build());
        return new RunHandle(client, rest, artifacts, info.getRunId(), info.getArtifactUri());
    }

    /**
     * A handle on a run that has already ended, to add artifacts or tags to it (MLflow accepts them on a finished
     * run); its status stays as it is: {@code close()} and {@code end} change nothing.
     */
    public RunHandle endedRun(String runId) {
        RunInfo info = client.getRun(runId).getInfo();
        RunHandle run = new RunHandle(client, rest, artifacts, info.getRunId(), info.getArtifactUri());
        run.markEnded();
        return run;
    }

    /** The model registry of the same server. */
    public ModelRegistry registry() {
        return new ModelRegistry(client, rest, artifacts);
    }

    @Override
    public void close() {
        client.close();
    }
}
