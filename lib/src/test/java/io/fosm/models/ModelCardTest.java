package io.fosm.models;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ModelCardTest {
    private static final Path COMMITTED = Path.of("..", "docs", "model-card-template.md");

    private static Trainer.TrainedModel model() {
        Map<String, ClassificationMetrics.PerClass> perClass = new LinkedHashMap<>();
        perClass.put("background", new ClassificationMetrics.PerClass(0.95, 0.9, 0.924358974, 100));
        perClass.put("leak", new ClassificationMetrics.PerClass(0.5, 0.75, 0.6, 8));
        ClassificationMetrics metrics = new ClassificationMetrics(List.of("background", "leak"),
                new long[][] {{90, 10}, {2, 6}}, 0.8888888, 0.76217948, perClass, 0.91234, 0.55555);
        return new Trainer.TrainedModel(ModelKind.RF, null, List.of("background", "leak"), metrics,
                Map.of("numTrees", "50"), 1.5, Map.of());
    }

    private static Training.Result training() {
        TimeSplit split = new TimeSplit(Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2026-01-01T00:07:00Z"),
                Instant.parse("2026-01-01T00:07:01Z"), Instant.parse("2026-01-01T00:10:00Z"));
        return new Training.Result(split, 840, 358, Map.of("background", 800L, "leak", 40L),
                List.of("rms", "kurtosis"), null, List.of(), List.of(), 7, 0, Map.of(), Map.of());
    }

    @Test
    void theJarCarriesTheCommittedTemplate() throws Exception {
        assertEquals(Files.readString(COMMITTED), ModelCard.template());
    }

    @Test
    void theTemplateUsesEveryValueAndNothingElse() throws Exception {
        Set<String> used = new TreeSet<>();
        String body = Files.readString(COMMITTED).replaceAll("(?s)<!--.*?-->", "");
        Matcher m = Pattern.compile("\\{\\{([a-z0-9_]+)}}").matcher(body);
        while (m.find()) {
            used.add(m.group(1));
        }
        assertEquals(new TreeSet<>(ModelCard.values(model(), training(), Map.of()).keySet()), used);
    }

    @Test
    void rendersTheModelIntoTheTemplate() {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("git_commit", "abc123");
        tags.put("gold_delta_version", "7");
        String card = ModelCard.render(model(), training(), tags);
        assertTrue(card.startsWith("# Model card: random_forest\n\nEvent classifier"), card);
        assertFalse(card.contains("{{") || card.contains("<!--"), "no placeholder or template comment left");
        assertTrue(card.contains("- source: `gold_features` Delta version 7\n"));
        assertTrue(card.contains("- accuracy 0.8889, macro-F1 0.7622 (over the classes present), event-vs-background"
                + " ROC-AUC 0.9123, PR-AUC 0.5556\n"));
        assertTrue(card.contains("|---|---|---|---|---|\n| background | 0.9500 | 0.9000 | 0.9244 | 100 |\n"
                + "| leak | 0.5000 | 0.7500 | 0.6000 | 8 |\n\n```\n"), card);
        assertTrue(card.contains("- class imbalance: class weights n / (k * n_class)\n"));
        assertTrue(card.contains("## Parameters\n\n- numTrees = 50\n\n## Provenance\n\n- git_commit: abc123\n"
                + "- gold_delta_version: 7\n\n## Limits"), card);
        assertTrue(card.contains("leak                  2          6\n```"), card);
    }

    @Test
    void anUnknownPlaceholderIsAClearError() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ModelCard.fill("# {{model_name}} {{modle_name}}", Map.of("model_name", "rf")));
        assertEquals("Cannot render the model card: fosm/model-card-template.md uses {{modle_name}}, which is none of"
                + " [model_name]", e.getMessage());
    }
}
