package io.fosm.drift;

import static org.junit.jupiter.api.Assertions.*;

import io.fosm.config.FosmConfig;
import io.fosm.registry.MlflowTracking;
import io.fosm.registry.ModelVersion;
import io.fosm.registry.RunHandle;
import io.fosm.testing.SparkTestSession;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * A reference profile travels with the model: logged as the run's artifact, found again through the registry alias
 * (the streaming job's path), with the drift_reference table winning over the artifact once the version is saved there.
 * Needs the MLflow server `make test` starts.
 */
class ReferenceProfileRegistryTest {

    static ReferenceProfile profile(double shift) {
        double[] sample = {1 + shift, 2 + shift, 3 + shift, 4 + shift};
        return new ReferenceProfile("training", null, null, null, Instant.parse("2026-01-01T00:00:00Z"), List.of(
                new ColumnProfile(DriftKind.FEATURE, "total_power", 4, 1, new double[] {2.5}, new double[] {0.5, 0.5},
                        sample, null),
                new ColumnProfile(DriftKind.PREDICTION, "event_score", 4, 0, new double[0], new double[] {1}, sample,
                        null),
                ColumnProfile.quality(ReferenceProfile.DEAD_CHANNEL_FRACTION, 0.125)));
    }

    @Test
    void loadByAliasReadsTheArtifactThenTheTable() {
        String uri = System.getProperty("MLFLOW_TRACKING_URI", System.getenv("MLFLOW_TRACKING_URI"));
        assertNotNull(uri, "MLFLOW_TRACKING_URI is not set: run via `make test`, which starts the MLflow server");
        String model = "fosm-drift-test-" + UUID.randomUUID().toString().substring(0, 8);
        SparkSession spark = SparkTestSession.get();
        FosmConfig config = SparkTestSession.lakehouse("drift-registry", "mlflow.tracking_uri=" + uri,
                "mlflow.model_name=" + model);
        ModelVersion version;
        try (MlflowTracking tracking = MlflowTracking.connect(uri)) {
            String experiment = tracking.experimentId("fosm-drift-tests");
            String runId;
            try (RunHandle run = tracking.startRun(experiment, "drift-reference", Map.of())) {
                run.logText(profile(0).forRun(run.runId()).toJson(), ReferenceProfile.ARTIFACT);
                run.logText("no model here; the registry only needs the version's source", "model/README.txt");
                runId = run.runId();
            }
            version = tracking.registry().register(model, runId, "model", Map.of());
            tracking.registry().setAlias(model, "champion", version.version());
        }
        ReferenceProfile fromArtifact = ReferenceProfile.load(spark, config, "champion");
        assertEquals("models:/" + model + "/" + version.version(), fromArtifact.reference());
        assertEquals(version.version(), fromArtifact.modelVersion());
        assertEquals(profile(0).forModel(model, version.version(), version.runId()).toJson(), fromArtifact.toJson());

        // once the version's profile is in drift_reference, the table is what load returns
        profile(10).forModel(model, version.version(), version.runId()).save(spark, config);
        ReferenceProfile fromTable = ReferenceProfile.load(spark, config, "champion");
        assertArrayEquals(new double[] {11, 12, 13, 14},
                fromTable.column(DriftKind.FEATURE, "total_power").orElseThrow().sample());
        assertEquals(0.125, fromTable.column(DriftKind.QUALITY, ReferenceProfile.DEAD_CHANNEL_FRACTION).orElseThrow()
                .value());

        IllegalStateException none = assertThrows(IllegalStateException.class,
                () -> ReferenceProfile.load(spark, config, "nobody"));
        assertEquals("Cannot load the reference profile: registered model " + model + " has no alias 'nobody'",
                none.getMessage());
    }
}
