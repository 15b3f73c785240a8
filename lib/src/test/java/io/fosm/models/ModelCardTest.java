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
        return training(Map.of(), Map.of());
    }

    private static Training.Result training(Map<String, Long> heldOutRows, Map<ModelKind, HeldOutEvaluation> heldOut) {
        TimeSplit split = new TimeSplit(Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2026-01-01T00:07:00Z"),
                Instant.parse("2026-01-01T00:07:01Z"), Instant.parse("2026-01-01T00:10:00Z"));
        return new Training.Result(split, 840, 358, Map.of("background", 800L, "leak", 40L),
                List.of("rms", "kurtosis"), null, List.of(), List.of(), 7, 0, Map.of(), Map.of(), heldOutRows, heldOut);
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
        assertTrue(card.contains("- **on every labelled evaluation window (headline)**: macro-F1 0.7622, accuracy 0.8889"
                + " (every window: no collar)\n"), card);
        assertTrue(card.contains("accuracy 0.8889, macro-F1 0.7622 (over the classes present), event-vs-background"
                + " ROC-AUC 0.9123, PR-AUC 0.5556\n"));
        assertTrue(card.contains("## Held-out fibers\n\nnone held out (train.heldout_fibers is empty)"), card);
        assertTrue(card.contains("|---|---|---|---|---|\n| background | 0.9500 | 0.9000 | 0.9244 | 100 |\n"
                + "| leak | 0.5000 | 0.7500 | 0.6000 | 8 |\n\n```\n"), card);
        assertTrue(card.contains("- class imbalance: class weights n / (k * n_class)\n"));
        assertTrue(card.contains("## Parameters\n\n- numTrees = 50\n\n## Provenance\n\n- git_commit: abc123\n"
                + "- gold_delta_version: 7\n\n## Limits"), card);
        assertTrue(card.contains("leak                  2          6\n```"), card);
    }

    /** A model's metrics with the given macro-F1 (the rest as {@link #model()}'s). */
    private static ClassificationMetrics macro(double f1) {
        ClassificationMetrics m = model().metrics();
        return new ClassificationMetrics(m.labels(), m.confusion(), m.accuracy(), f1, m.perClass(), m.rocAuc(),
                m.prAuc());
    }

    @Test
    void theHeldOutSectionHasOneRowPerFiberAndTheSpread() {
        HeldOutEvaluation heldOut = new HeldOutEvaluation(List.of(
                new HeldOutEvaluation.Fiber("demo-h1", 500, 400, macro(0.8), macro(0.9), null),
                new HeldOutEvaluation.Fiber("demo-h2", 300, 250, macro(0.6), macro(0.7), null)));
        HeldOutEvaluation.Spread f1 = heldOut.spread("window_macro_f1");
        assertEquals(2, f1.n());
        assertEquals(0.7, f1.mean(), 1e-12);
        assertEquals(0.6, f1.min(), 1e-12);
        assertEquals(0.8, f1.max(), 1e-12);
        assertEquals(Math.sqrt(0.02), f1.std(), 1e-12, "sample standard deviation");
        Map<String, Double> metrics = heldOut.metrics();
        assertEquals(0.8, metrics.get("heldout.demo-h1.window_macro_f1"), 1e-12);
        assertEquals(0.7, metrics.get("heldout.demo-h2.window_macro_f1_clear_windows"), 1e-12);
        assertEquals(0.6, metrics.get("heldout_window_macro_f1_min"), 1e-12);
        assertFalse(metrics.containsKey("heldout_event_f1_mean"), "no event log: no event figure, not NaN: " + metrics);
        String card = ModelCard.render(model(), training(new java.util.TreeMap<>(Map.of("demo-h1", 500L, "demo-h2", 300L)),
                Map.of(ModelKind.RF, heldOut)), Map.of());
        assertTrue(card.contains("(train.heldout_fibers: demo-h1, demo-h2)"), card);
        assertTrue(card.contains("| demo-h1 | 500 | 0.8000 | 0.9000 | - |"), card);
        assertTrue(card.contains("| window_macro_f1 | 0.7000 | 0.6000 | 0.8000 | 0.1414 |"), card);
    }

    @Test
    void anUnknownPlaceholderIsAClearError() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ModelCard.fill("# {{model_name}} {{modle_name}}", Map.of("model_name", "rf")));
        assertEquals("Cannot render the model card: fosm/model-card-template.md uses {{modle_name}}, which is none of"
                + " [model_name]", e.getMessage());
    }
}
