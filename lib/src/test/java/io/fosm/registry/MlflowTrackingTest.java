package io.fosm.registry;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MlflowTrackingTest {

    private static Map<String, String> pairs(JsonNode list) {
        Map<String, String> out = new HashMap<>();
        list.forEach(p -> out.put(p.path("key").asText(), p.path("value").asText()));
        return out;
    }

    @Test
    void runWithParamsMetricsTagsAndTextIsVisibleThroughTheRestApi() throws Exception {
        String runId;
        try (MlflowTracking tracking = MlflowTracking.connect(MlflowServer.uri())) {
            String experiment = MlflowServer.unique("fosm-test-tracking");
            String experimentId = tracking.experimentId(experiment);
            assertEquals(experimentId, tracking.experimentId(experiment), "get-or-create returns the same experiment");
            try (RunHandle run = tracking.startRun(experimentId, "train-1", Map.of("fosm.job", "train"))) {
                runId = run.runId();
                run.logParams(Map.of("max_iter", "20", "features", "rms,kurtosis"));
                Map<String, Double> metrics = new LinkedHashMap<>();
                metrics.put("f1", 0.875);
                metrics.put("f1:class=leak", 0.5);
                metrics.put("auc_broken", Double.NaN);
                run.logMetrics(metrics);
                run.setTags(Map.of("fosm.fiber", "demo"));
                run.logText("# Deequ report\nall checks passed\n", "quality/deequ.md");
                run.end(true);
            }
        }
        JsonNode run = MlflowServer.get("/api/2.0/mlflow/runs/get?run_id=" + runId).path("run");
        assertEquals("FINISHED", run.path("info").path("status").asText());
        assertEquals("train-1", run.path("info").path("run_name").asText());
        assertEquals(Map.of("max_iter", "20", "features", "rms,kurtosis"), pairs(run.path("data").path("params")));
        Map<String, String> metrics = pairs(run.path("data").path("metrics"));
        assertEquals(Map.of("f1", "0.875", "f1_class_leak", "0.5"), metrics,
                "names made valid for MLflow, NaN skipped instead of failing the batch");
        Map<String, String> tags = pairs(run.path("data").path("tags"));
        assertEquals("train", tags.get("fosm.job"));
        assertEquals("demo", tags.get("fosm.fiber"));

        JsonNode listed = MlflowServer.get("/api/2.0/mlflow/artifacts/list?run_id=" + runId + "&path=quality");
        assertEquals("quality/deequ.md", listed.path("files").get(0).path("path").asText());
        assertEquals("# Deequ report\nall checks passed\n",
                MlflowServer.getText("/get-artifact?run_id=" + runId + "&path=" + MlflowServer.enc("quality/deequ.md")));
    }

    @Test
    void runClosedWithoutEndIsFailed() throws Exception {
        String runId;
        try (MlflowTracking tracking = MlflowTracking.connect(MlflowServer.uri())) {
            String experimentId = tracking.experimentId(MlflowServer.unique("fosm-test-tracking"));
            try (RunHandle run = tracking.startRun(experimentId, "crashes", Map.of())) {
                runId = run.runId();
                // a job that throws here leaves the block without end(true)
            }
        }
        JsonNode info = MlflowServer.get("/api/2.0/mlflow/runs/get?run_id=" + runId).path("run").path("info");
        assertEquals("FAILED", info.path("status").asText());
        assertTrue(info.path("end_time").asLong() > 0);
    }

    @Test
    void collidingMetricNamesAreRejectedNotMerged() {
        try (MlflowTracking tracking = MlflowTracking.connect(MlflowServer.uri());
                RunHandle run = tracking.startRun(tracking.experimentId(MlflowServer.unique("fosm-test-tracking")), "x", Map.of())) {
            RegistryException e = assertThrows(RegistryException.class,
                    () -> run.logMetrics(Map.of("f1:leak", 0.1, "f1_leak", 0.2)));
            assertTrue(e.getMessage().startsWith("Cannot log metrics: names '"), e.getMessage());
            assertTrue(e.getMessage().endsWith("both become 'f1_leak' once made valid for MLflow"), e.getMessage());
        }
    }

    @Test
    void unreachableServerGivesAClearError() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String uri = "http://127.0.0.1:" + port;
        RegistryException e = assertThrows(RegistryException.class, () -> MlflowTracking.connect(uri));
        assertTrue(e.getMessage().startsWith("Cannot reach the MLflow tracking server at " + uri + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("make mlflow-up"), e.getMessage());
        RegistryException scheme = assertThrows(RegistryException.class, () -> MlflowTracking.connect("file:///tmp/mlruns"));
        assertTrue(scheme.getMessage().contains("'file:///tmp/mlruns'"), scheme.getMessage());
    }
}
