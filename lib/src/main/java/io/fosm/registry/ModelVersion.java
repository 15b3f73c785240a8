package io.fosm.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One version of a registered model: the run that produced it and where its files are ({@code source}, an artifact
 * URI such as {@code file:///.../artifacts/model}).
 */
public record ModelVersion(String name, String version, String runId, String source, Map<String, String> tags) {
    public ModelVersion {
        tags = Map.copyOf(tags);
    }

    /** The URI that loads exactly this version. */
    public String uri() {
        return "models:/" + name + "/" + version;
    }

    static ModelVersion fromJson(JsonNode mv) {
        Map<String, String> tags = new LinkedHashMap<>();
        for (JsonNode t : mv.path("tags")) {
            tags.put(t.path("key").asText(), t.path("value").asText());
        }
        return new ModelVersion(mv.path("name").asText(), mv.path("version").asText(), mv.path("run_id").asText(),
                mv.path("source").asText(), tags);
    }
}
