package io.fosm.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowHttpException;

/**
 * JSON calls to the MLflow REST API 2.0 for the endpoints the Java client has no method for (registry aliases, tags,
 * model version creation). GET and POST go through the client, which adds its credentials; the client has no DELETE,
 * so that one is sent with java.net.http.
 */
final class Rest {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final String trackingUri;
    private final MlflowClient client;
    private final HttpClient http;

    Rest(String trackingUri, MlflowClient client) {
        this.trackingUri = trackingUri.endsWith("/") ? trackingUri.substring(0, trackingUri.length() - 1) : trackingUri;
        this.client = client;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** A failed call: HTTP status and MLflow's error_code (e.g. RESOURCE_DOES_NOT_EXIST), empty when not JSON. */
    static final class Failure extends RuntimeException {
        final int status;
        final String errorCode;

        Failure(int status, String errorCode, String message) {
            super(message);
            this.status = status;
            this.errorCode = errorCode;
        }

        boolean notFound() {
            return "RESOURCE_DOES_NOT_EXIST".equals(errorCode);
        }

        boolean alreadyExists() {
            return "RESOURCE_ALREADY_EXISTS".equals(errorCode);
        }
    }

    JsonNode get(String endpoint, Map<String, String> query) {
        String qs = query.entrySet().stream()
                .map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
                .collect(Collectors.joining("&"));
        try {
            return parse(client.sendGet(qs.isEmpty() ? endpoint : endpoint + "?" + qs));
        } catch (MlflowHttpException e) {
            throw failure(e.getStatusCode(), e.getBodyMessage());
        }
    }

    JsonNode post(String endpoint, Object body) {
        try {
            return parse(client.sendPost(endpoint, JSON.writeValueAsString(body)));
        } catch (MlflowHttpException e) {
            throw failure(e.getStatusCode(), e.getBodyMessage());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    JsonNode delete(String endpoint, Object body) {
        try {
            // MLflow's DELETE handlers read a JSON body, not the query string
            HttpRequest request = HttpRequest.newBuilder(URI.create(trackingUri + "/api/2.0/mlflow/" + endpoint))
                    .timeout(TIMEOUT)
                    .header("Content-Type", "application/json")
                    .method("DELETE", HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                    .build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw failure(response.statusCode(), response.body());
            }
            return parse(response.body());
        } catch (IOException e) {
            throw new RegistryException("Cannot call DELETE " + endpoint + " on " + trackingUri + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("Cannot call DELETE " + endpoint + ": interrupted", e);
        }
    }

    /** GET {@code /health} outside the API prefix; returns null when it answers 200, else why not. */
    String healthProblem() {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(trackingUri + "/health"))
                    .timeout(Duration.ofSeconds(10)).GET().build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? null : "GET /health answered HTTP " + response.statusCode();
        } catch (IOException e) {
            return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static Failure failure(int status, String body) {
        String code = "";
        String message = body == null ? "" : body;
        try {
            JsonNode node = JSON.readTree(body);
            if (node != null && node.has("error_code")) {
                code = node.path("error_code").asText();
                message = node.path("message").asText();
            }
        } catch (IOException | RuntimeException ignored) {
            // not JSON (a proxy's HTML page, say): the raw body is the best message there is
        }
        return new Failure(status, code, "HTTP " + status + (code.isEmpty() ? "" : " " + code) + ": " + message);
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body == null || body.isBlank() ? "{}" : body);
        } catch (IOException e) {
            throw new RegistryException("Cannot parse the MLflow server's answer as JSON: " + body, e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
