package io.fosm.registry;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The real MLflow server the registry tests talk to (started by {@code make test} through bin/mlflow-server), and
 * a plain HTTP view of it that does not share code with the classes under test.
 */
final class MlflowServer {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private MlflowServer() {}

    static String uri() {
        String uri = System.getProperty("MLFLOW_TRACKING_URI", System.getenv("MLFLOW_TRACKING_URI"));
        if (uri == null || uri.isBlank()) {
            fail("MLFLOW_TRACKING_URI is not set: run these tests via `make test`, which starts the MLflow server"
                    + " (bin/mlflow-server start) and exports MLFLOW_TRACKING_URI to Maven");
        }
        return uri;
    }

    /** A name no earlier run against the same (persistent) server used. */
    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** GET an endpoint such as {@code /api/2.0/mlflow/runs/get?run_id=...}, failing the test on a non-200. */
    static JsonNode get(String pathAndQuery) throws Exception {
        return JSON.readTree(getText(pathAndQuery));
    }

    static String getText(String pathAndQuery) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(uri() + pathAndQuery)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            fail("GET " + pathAndQuery + " answered HTTP " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
